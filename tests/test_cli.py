"""The command line as a planner uses it: exit codes, messages, files written or not."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from cases import transport_case, write_case
from conftest import BASE_XLSX
from openpyxl import load_workbook

from model.cli import main, parser
from model.input.read import read_input


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_solve_writes_the_workbook_and_prints_a_summary(tmp_path, capsys):
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]), xlsx=True)
    before = sha(case)
    out = tmp_path / "out" / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Optimal" in text
    assert "Rail" in text and "60.0%" in text
    assert "A>M" in text and "3.00" in text  # binding capacity and its shadow price
    assert out.exists()
    assert sha(case) == before, "the input workbook must never be modified"
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")], "no temporary file left behind"


def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
    case = write_case(tmp_path, transport_case(Demand=[{"commodity": "cole", "market": "M", "demand_t": 1}]))
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "1 problem" in err and "unknown commodity 'cole'" in err
    assert not out.exists()


def test_existing_output_is_kept_when_input_is_bad(tmp_path):
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(write_case(tmp_path / "good", transport_case())), "-o", str(out)]) == 0
    before = out.read_bytes()
    case = write_case(tmp_path / "bad", transport_case(Demand=[{"commodity": "cole", "market": "M", "demand_t": 1}]))
    assert main(["solve", str(case), "-o", str(out)]) == 2
    assert out.read_bytes() == before


def test_infeasible_exits_3_and_names_the_rows(tmp_path, capsys):
    # Road disabled, rail capacity 60, demand 100: 40 t cannot be delivered.
    tables = transport_case(
        Routes=[{"route": "RAIL", "corridor": "Rail", "path": "A>M"},
                {"route": "ROAD", "corridor": "Road", "path": "A>R>M", "enabled": "FALSE"}],
        Capacities=[{"element": "A>M", "capacity_t": 60}])
    case = write_case(tmp_path, tables)
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "Demand row 2 (coal, from any origin to M): 40 t of 100 t cannot be delivered." in err
    assert "A>M (Capacities row 2: 60 t)" in err
    assert not out.exists()


def test_a_solve_stopped_by_a_limit_exits_1_not_3(tmp_path, capsys):
    # Exit 3 says the case is infeasible or unbounded; a solve stopped by time_limit proved nothing of
    # the kind (the case has an optimum: 60*2 + 40*5 = 320 USD without the limit).
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]))
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out), "--solver-option", "time_limit=0", "--solver-option",
                 "presolve=off"]) == 1  # presolve would solve this small case before the clock is looked at
    err = capsys.readouterr().err
    assert "HiGHS stopped without an optimum (Time limit reached): it stopped at a limit set with --solver-option " \
           "before it found the optimum. Raise the limit (or leave the option out)" in err
    assert not out.exists()
    assert main(["solve", str(case), "-o", str(out)]) == 0


def test_branch_and_bound_stopped_by_a_limit_exits_1(tmp_path, capsys):
    # Two lumpy options on rail (40 t at 2 USD/t, 30 t at 1 USD/t): the relaxation solves (250 USD), then
    # branch and bound is stopped by the iteration limit; whole steps can always match divisible capacity,
    # so this is a limit, not infeasibility.
    options = [{"option": name, "element": "A>M", "max_added_t": t, "annualised_cost_usd_per_t": c, "lumpy": True}
               for name, t, c in (("BIG", 40, 2.0), ("SMALL", 30, 1.0))]
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}],
                                               Investments=options), settings={"allow_investments": "TRUE"})
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out), "--solver-option", "simplex_iteration_limit=0"]) == 1
    err = capsys.readouterr().err
    assert "HiGHS's branch and bound stopped without an optimum (status: Iteration limit reached)" in err
    assert ("With capacity in any amount the model's objective (resource cost, calibration premiums and unmet "
            "tonnes at the penalty chosen in Settings) would be 250 USD") in err
    assert not out.exists()


def test_output_may_not_be_the_input(tmp_path, capsys):
    case = write_case(tmp_path, transport_case(), xlsx=True)
    before = sha(case)
    assert main(["solve", str(case), "-o", str(case)]) == 1
    assert "never overwritten" in capsys.readouterr().err
    assert sha(case) == before


def test_not_a_workbook(tmp_path, capsys):
    bad = tmp_path / "data.xlsx"
    bad.write_text("this is not a zip file")
    assert main(["validate", str(bad)]) == 2
    assert "is not an Excel workbook: an .xlsx file is a zip archive" in capsys.readouterr().err


def test_missing_file(tmp_path, capsys):
    assert main(["solve", str(tmp_path / "nope.xlsx")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_validate(tmp_path, capsys):
    assert main(["validate", str(BASE_XLSX)]) == 0
    assert "valid" in capsys.readouterr().out


def test_template_has_every_sheet_with_notes_and_drop_downs(tmp_path, capsys):
    path = tmp_path / "new.xlsx"
    assert main(["template", str(path)]) == 0
    wb = load_workbook(path)
    assert {"Settings", "Nodes", "Legs", "Routes", "Demand", "Policies", "Sources"} <= set(wb.sheetnames)
    legs = wb["Legs"]
    assert legs["E1"].value == "cost_usd_per_t"
    assert "USD/t" in legs["E1"].comment.text
    kinds = [dv for dv in wb["Nodes"].data_validations.dataValidation if str(dv.sqref).startswith("D")]
    assert kinds and "origin" in kinds[0].formula1
    # Read back: every sheet recognised, only "no rows" errors for the required sheets
    data = read_input(path)
    assert {p.message.split(";")[0] for p in data.problems} == {"sheet has no rows"}
    # Never overwrites without --force
    assert main(["template", str(path)]) == 1
    assert "--force" in capsys.readouterr().err


def test_convert_workbook_to_csv_and_back_gives_the_same_data(tmp_path):
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]), xlsx=True)
    assert main(["convert", str(case), "-o", str(tmp_path / "csv")]) == 0
    assert main(["convert", str(tmp_path / "csv"), "-o", str(tmp_path / "again.xlsx")]) == 0
    a, b = read_input(case), read_input(tmp_path / "again.xlsx")
    for name in a.tables:
        assert a.tables[name].drop(columns="_row").equals(b.tables[name].drop(columns="_row")), name


FILE_OPTIONS = [["solution_file=CASE", "write_solution_to_file=true"], ["log_file=CASE"], ["write_model_file=x.xlsx"],
                ["write_model_to_file=true"], ["read_basis_file=CASE"]]


@pytest.mark.parametrize("options", FILE_OPTIONS, ids=lambda o: o[0].split("=")[0])
def test_a_solver_option_that_names_a_file_is_refused_and_the_input_is_untouched(tmp_path, capsys, options):
    # HiGHS opens any path it is given: solution_file=INPUT.xlsx replaced the planner's workbook with text.
    case = write_case(tmp_path, transport_case(), xlsx=True)
    before = case.read_bytes()
    args = [a for o in options for a in ("--solver-option", o.replace("CASE", str(case)))]
    assert main(["solve", str(case), "-o", str(tmp_path / "r.xlsx"), *args]) == 2
    err = capsys.readouterr().err
    assert f"{options[0].split('=')[0]} makes HiGHS read or write a file" in err and "Drop this option" in err
    assert case.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [case.name]


@pytest.mark.parametrize("option, said", [
    ("no_such=1", "HiGHS has no option 'no_such'. Options are spelled as in the HiGHS documentation"),
    ("time_limt=5", "HiGHS has no option 'time_limt'. Did you mean time_limit?"),
    ("time_limit=-1", 'HiGHS does not accept time_limit=-1: Value -1 for option "time_limit" is below lower bound '
                      "of 0. Give a value HiGHS accepts for time_limit (its default: inf)."),
    ("time_limit=soon", "HiGHS does not accept time_limit=soon: it takes a number."),
    ("solver=fastest", 'HiGHS does not accept solver=fastest: Value "fastest" for LP/QP solver option ("solver") '
                       'is not one of "choose", "simplex"'),
    ("output_flag=true", "output_flag is set by corridor itself. Drop this option; add --verbose"),
    ("presolve", "'presolve' is not of the form KEY=VALUE"),
])
def test_bad_solver_option(tmp_path, capsys, option, said):
    case = write_case(tmp_path, transport_case())
    assert main(["solve", str(case), "-o", str(tmp_path / "r.xlsx"), "--solver-option", option]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not (tmp_path / "r.xlsx").exists()


@pytest.mark.slow
def test_console_entry_point_runs(tmp_path):
    # The installed command, as a planner runs it (python -m model.cli is the same entry point).
    out = tmp_path / "base.xlsx"
    done = subprocess.run([sys.executable, "-m", "model.cli", "solve", str(BASE_XLSX), "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Russia: CPC pipeline" in done.stdout
    assert "Traceback" not in done.stderr
    assert out.exists()
    # It leaves with os._exit (no interpreter teardown): the exit code and every line still arrive,
    # also for bad input and through a pipe that buffers the output.
    bad = subprocess.run([sys.executable, "-m", "model.cli", "validate", str(tmp_path / "missing.xlsx")],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "no such file or folder" in bad.stderr
    listing = subprocess.run([sys.executable, "-m", "model.cli", "--help"], capture_output=True, text=True,
                             timeout=300)
    assert listing.returncode == 0 and listing.stdout == parser().format_help()  # flushed to the last line


@pytest.mark.slow
def test_check_of_a_result_made_from_another_input(tmp_path, capsys):
    # The result of one case checked against another says so, naming what does not match.
    result = tmp_path / "result.xlsx"
    assert main(["solve", str(write_case(tmp_path / "a", transport_case())), "-o", str(result)]) == 0
    other = write_case(tmp_path / "b", transport_case(
        Routes=[{"route": "RAIL2", "corridor": "Rail", "path": "A>M"}, {"route": "ROAD", "corridor": "Road",
                                                                         "path": "A>R>M"}]))
    capsys.readouterr()
    assert main(["check", str(other), str(result)]) == 2
    err = capsys.readouterr().err
    assert "was not made from this input (it was made from case): its flows name routes or commodities that " \
           f"{other} does not have (RAIL)" in err
    assert "internal error" not in err


def test_check_of_a_file_that_is_not_a_workbook(tmp_path, capsys):
    case = write_case(tmp_path, transport_case())
    fake = tmp_path / "result.xlsx"
    fake.write_text("commodity,route\n")
    assert main(["check", str(case), str(fake)]) == 2
    assert "cannot be read as a result workbook" in capsys.readouterr().err


def test_check_with_its_arguments_swapped(tmp_path, capsys):
    case = write_case(tmp_path, transport_case(), xlsx=True)
    result = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(result)]) == 0
    capsys.readouterr()
    assert main(["check", str(result), str(case)]) == 2
    assert f"is a result workbook (written by corridor solve), given where the input goes. The input comes " \
           f"first: corridor check {case} {result}" in capsys.readouterr().err
    assert main(["check", str(case), str(result)]) == 0


def readme_commands() -> list[str]:
    """Every `corridor ...` command of the README and the docs/ pages (inline or indented as code) run on a
    shipped input."""
    import re

    from doc_pages import documentation

    text = documentation()
    found = re.findall(r"`(corridor [^`]+)`", text) + re.findall(r"^ {4}(corridor .+)$", text, re.M)
    return sorted({" ".join(c.split()) for c in found if re.search(r"corridor \w+ inputs/", c)})


def default_outputs(monkeypatch, commands: list[str]) -> dict[str, Path]:
    """The workbook each command would write without -o, as model.cli works it out (the command is
    stopped once it has its output's name)."""
    import shlex

    import model.cli as cli

    class Named(Exception):
        pass

    named, original = {}, cli._output

    def record(args, kind, *parts):
        named[current] = original(args, kind, *parts)
        raise Named

    monkeypatch.setattr(cli, "_output", record)
    for current in commands:
        main(shlex.split(current)[1:])
    return named


def test_no_two_readme_commands_write_the_same_default_files(monkeypatch, capsys):
    # The README's Russia frontier, run after the Pakistan one without -o, replaced its workbook and chart:
    # what distinguishes a run (target, parameter, scenario) is in its default name.
    commands = readme_commands() + [
        'corridor frontier inputs/base_case.xlsx --minimise "country RU: dry_bulk,grain,metals,container"',
        "corridor stress inputs/base_case.xlsx --corridors", "corridor compare inputs/base_case.xlsx",
        "corridor solve inputs/base_case.xlsx --scenario russia_closed+cpc_half"]
    writing = [c for c in commands if c.split()[1] in ("solve", "sweep", "stress", "frontier", "compare", "calibrate")
               and " -o " not in c]
    assert len(writing) >= 12
    named = default_outputs(monkeypatch, writing)
    assert sorted(named) == sorted(writing)
    by_file = {}
    for command, path in named.items():
        by_file.setdefault(path, []).append(command)
    assert {p: c for p, c in by_file.items() if len(c) > 1} == {}
    assert named['corridor frontier inputs/base_case.xlsx --maximise "country PK" --cost-within 0:5% --exact'] == \
        Path("outputs/base_case_max_country_PK_frontier.xlsx")
    assert named["corridor solve inputs/plan_case.xlsx"] == Path("outputs/plan_case_result.xlsx")


def test_default_names_are_safe_and_short():
    from model.report.output import MAX_NAME, default_output

    assert default_output("inputs/base_case.xlsx", "result") == Path("outputs/base_case_result.xlsx")
    assert default_output("case", "sweep", "Nodes[GWD].handling_usd_per_t") == \
        Path("outputs/case_Nodes_GWD_handling_usd_per_t_sweep.xlsx")
    assert default_output("case", "frontier", 'min country RU: a/b\\c*?"<>|') == \
        Path("outputs/case_min_country_RU_a_b_c_frontier.xlsx")
    long_a, long_b = (default_output("case", "compare", ",".join(f"scenario_{i}" for i in range(n))) for n in (40, 41))
    assert len(long_a.stem) == len(long_b.stem) == MAX_NAME and long_a != long_b


def test_help_gives_the_default_output_names():
    # --help said outputs/<input>_solve.xlsx and _calibrate.xlsx; the files are _result and _calibrated.
    import subprocess as sp

    helps = {c: sp.run([sys.executable, "-m", "model.cli", c, "--help"], capture_output=True, text=True,
                       timeout=300).stdout for c in ("solve", "sweep", "stress", "frontier", "compare", "calibrate")}
    assert "outputs/<input>_result.xlsx" in " ".join(helps["solve"].split())
    assert "outputs/<input>_calibrated.xlsx" in " ".join(helps["calibrate"].split())
    assert not any("_solve.xlsx" in h or "_calibrate.xlsx" in h for h in helps.values())
