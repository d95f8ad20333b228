"""Every command that solves, on every kind of case a planner has: a plan (a workbook with a
Periods sheet), one year of it, a --scenario, options built whole, a robust plan. Each works, or
refuses in one line that says what to give instead: never a traceback, never "use a copy of the
workbook"."""

from __future__ import annotations

import pytest
from conftest import BASE_XLSX, ROOT

from model.cli import main, parser

pytestmark = [pytest.mark.slow, pytest.mark.heavy]  # every command on every kind of case: CI's second line

PLAN_XLSX = ROOT / "inputs" / "plan_case.xlsx"
GWADAR = "Nodes[GWD].handling_usd_per_t=0,8"
# The commands that solve a case, and whether each works on one year (then it takes --year).
SOLVING = {"solve": False, "sweep": True, "stress": True, "frontier": False, "calibrate": True, "uncertainty": True}
# Commands that solve nothing (they read, check or write files), and compare, whose scenarios are a
# list (--scenarios), and explain (its own --scenario). A new command must be put in one of the two.
OTHERS = {"validate", "map", "report", "check", "generate", "template", "convert", "compare", "explain"}

CASES = [
    # (arguments, exit code, words the output must contain)
    (["sweep", PLAN_XLSX, "--set", GWADAR], 2, "Add --year 2026 (or 2030 or 2035)"),
    (["stress", PLAN_XLSX], 2, "Add --year 2026 (or 2030 or 2035)"),
    (["uncertainty", PLAN_XLSX], 2, "Add --year 2026 (or 2030 or 2035)"),
    # the shipped workbook has an Uncertainty sheet; recalibrating each draw is least cost's (premiums)
    (["uncertainty", BASE_XLSX, "--recalibrate", "--allocation", "choice"], 2, "is not built with allocation choice"),
    (["calibrate", PLAN_XLSX], 2, "Add --year 2026 (or 2030 or 2035)"),
    (["stress", PLAN_XLSX, "--year", "2031"], 2, "--year 2031 is not a year of the plan (Periods sheet: 2026, 2030, "
                                                 "2035)"),
    (["stress", BASE_XLSX, "--year", "2030"], 2, "this workbook has no Periods sheet: it is one year already"),
    (["sweep", PLAN_XLSX, "--year", "2030", "--scenario", "russia_closed", "--set", GWADAR], 0, "2 points, 2 solved"),
    (["stress", PLAN_XLSX, "--year", "2035", "--corridors"], 0, "Closed"),
    # the plan has no Observations sheet: refused in one line, with the year taken
    (["calibrate", PLAN_XLSX, "--year", "2026"], 2, "has no observations to calibrate to"),
    (["calibrate", PLAN_XLSX, "--estimate"], 2, "Add --year 2026 (or 2030 or 2035)"),
    (["calibrate", PLAN_XLSX, "--year", "2026", "--estimate"], 2, "has no observations to calibrate to"),
    (["calibrate", BASE_XLSX, "--scenario", "russia_closed"], 0, "Calibrated input"),
    (["sweep", BASE_XLSX, "--scenario", "russia_closed", "--set", GWADAR], 0, "2 points, 2 solved"),
    (["stress", BASE_XLSX, "--scenario", "invest", "--corridors"], 0, "Closed"),  # options built whole: MIPs
    (["sweep", BASE_XLSX, "--scenario", "nonesuch", "--set", GWADAR], 2, "no scenario named 'nonesuch'"),
    (["frontier", PLAN_XLSX, "--scenario", "russia_closed", "--maximise", "country PK", "--cost-within", "0,1%"], 0,
     "Most tonnes of country Pakistan"),
    (["solve", PLAN_XLSX, "--robust", "russia_closed", "--no-map"], 0, "Result workbook"),
    (["compare", PLAN_XLSX, "--scenarios", "russia_closed"], 0, "Workbook"),
]


@pytest.mark.parametrize("argv, code, words", CASES, ids=lambda x: None)
def test_every_command_works_on_every_case_or_refuses_in_one_line(argv, code, words, tmp_path, capsys):
    argv = [str(a) for a in argv]
    out = tmp_path / f"{argv[0]}.xlsx"
    assert main([*argv, "-o", str(out)]) == code
    said = capsys.readouterr()
    text = said.out + said.err
    assert "Traceback" not in text and "internal error" not in text
    assert words in text, text
    if code == 2:  # one problem, said on one line after the file's name
        problems = [line for line in said.err.splitlines() if line.startswith("  ")]
        assert "1 problem" in said.err and len(problems) == 1, said.err
        assert not out.exists()
    else:
        assert out.exists()


def test_every_command_that_solves_declares_the_case_options():
    """The parser's one helper (command(..., case=)) gives each command that solves --scenario, and
    --year to those that work on one year: a command added later without them fails here."""
    commands = parser()._subparsers._group_actions[0].choices
    assert set(commands) == set(SOLVING) | OTHERS, "say whether the new command solves a case"
    for name, one_year in SOLVING.items():
        options = {o for action in commands[name]._actions for o in action.option_strings}
        assert "--scenario" in options, name
        assert ("--year" in options) == one_year, name


@pytest.mark.parametrize("argv, line", [
    (["compare", "CASE", "--scenarios", "dear_rail"], "solving dear_rail (2 of 2)..."),
    (["frontier", "CASE", "--maximise", "corridor Road", "--cost-within", "0,10"], "the frontier's points..."),
    (["calibrate", BASE_XLSX], "calibrating..."),
])
def test_a_command_that_runs_for_seconds_shows_a_live_line(argv, line, tmp_path, capsys, monkeypatch):
    # On a terminal (show_progress says yes), the step under way is on stderr: the plan's comparison
    # ran 13 s without a word.
    from cases import transport_case, write_case

    monkeypatch.setattr("model.progress.show_progress", lambda asked: asked)
    case = write_case(tmp_path, transport_case(Scenarios=[{"scenario": "dear_rail", "sheet": "Legs", "key": "A>M",
                                                           "column": "cost_usd_per_t", "value": 4}]))
    argv = [str(case) if a == "CASE" else str(a) for a in argv]
    assert main([*argv, "-o", str(tmp_path / "out.xlsx")]) == 0
    assert line in capsys.readouterr().err
