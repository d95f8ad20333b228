"""The Uncertainty sheet as corridor validate and every command read it (model.input.validate.uncertainty), and
as corridor uncertainty draws it (model.analysis.uncertainty.design.check_draws): a row is refused or passed alike
by both, whatever the number of draws; a planner's slip that is not an error is a warning; each message names
the row and says the fix once."""

from __future__ import annotations

import pytest
from cases import transport_case, write_case

from model.cli import main

ROAD = "Legs[R>M].cost_usd_per_t"


def refused(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("draws", ["2", "1000"])
def test_a_normal_without_low_on_a_cell_that_takes_no_negative_value_is_refused_whatever_the_draws(
        tmp_path, capsys, draws):
    # Legs[BOL>SRH] normal, mode 24, spread 8, no low: validate passed, --draws 50 ran, --draws 1000 was refused.
    # Its tail at the quantile 1e-12 (z = -7.0345) is 24 - 7.0345 x 8 = -32.28, below a cost's least, 0.
    row = {"input": ROAD, "distribution": "normal", "mode": 24, "spread": 8}
    case = write_case(tmp_path, transport_case(Uncertainty=[row]))
    said = (f"{case}: 1 problem\n  Uncertainty, row 2 ({ROAD}), low: a normal distribution without low has no floor: "
            "its tail reaches -32.28, below 0, the least Legs.cost_usd_per_t takes (whether a run draws there depends "
            "on its number of draws). Give low (e.g. 0) to cut the distribution there, or use lognormal (always above "
            "0) for a number that cannot fall below 0.")
    assert refused(capsys, ["validate", str(case)]).strip() == said
    out = tmp_path / "u.xlsx"
    assert refused(capsys, ["uncertainty", str(case), "--draws", draws, "--no-progress", "-o", str(out)]).strip() \
        == said
    assert not out.exists()


@pytest.mark.parametrize("row, said", [
    # a factor below 0 makes a cost below 0, whatever its base
    ({"as": "factor", "distribution": "uniform", "low": -0.5, "high": 2}, "low: low must be >= 0 (the drawn number "
     "is a factor of Legs.cost_usd_per_t), found -0.5. Give low of at least 0."),
    ({"distribution": "triangular", "low": -1, "mode": 2, "high": 4}, "low: low must be >= 0 (the drawn number is "
     "Legs.cost_usd_per_t), found -1. Give low of at least 0."),
    # a rate of at most 1: a normal without high rises above it (0.9 + 7.0345 x 0.1 = 1.60)
    ({"input": "Settings[discount_rate].value", "distribution": "normal", "mode": 0.9, "spread": 0.1, "low": 0},
     "high: a normal distribution without high has no ceiling: its tail reaches 1.6, above 1, the most "
     "Settings[discount_rate].value takes"),
])
def test_what_a_row_can_draw_lies_within_its_cells_bounds(tmp_path, capsys, row, said):
    case = write_case(tmp_path, transport_case(Uncertainty=[{"input": ROAD, **row}]))
    assert said in refused(capsys, ["validate", str(case)])


def test_a_row_that_can_draw_only_what_its_cells_take_is_valid(tmp_path, capsys):
    # cut at 0, or so far above 0 that its tail stays there (100 - 7.0345 x 5 = 64.8): valid
    rows = [{"input": ROAD, "distribution": "normal", "mode": 24, "spread": 8, "low": 0},
            {"input": "Legs[A>M].cost_usd_per_t", "distribution": "normal", "mode": 100, "spread": 5}]
    case = write_case(tmp_path, transport_case(Uncertainty=rows))
    assert main(["validate", str(case)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("draws", ["1", "1000"])
def test_a_factor_that_takes_a_cell_past_its_bound_is_refused_whatever_the_draws(tmp_path, capsys, draws):
    # coal's carrying_cost_rate 5, at most 10; a factor 1..3 reaches 3 x 5 = 15: refused when the run reads the
    # bases (validation knows no base), from the factor's reach, not from the largest of these draws
    tables = transport_case(Uncertainty=[{"input": "Commodities[coal].carrying_cost_rate", "as": "factor",
                                          "distribution": "uniform", "low": 1, "high": 3}])
    tables["Commodities"] = [{**tables["Commodities"][0], "carrying_cost_rate": 5}]
    case = write_case(tmp_path, tables)
    out = tmp_path / "u.xlsx"
    err = refused(capsys, ["uncertainty", str(case), "--draws", draws, "--no-progress", "-o", str(out)])
    assert err.strip() == (
        f"{case}: 1 problem\n  Uncertainty, row 2 (Commodities[coal].carrying_cost_rate), distribution: its tail "
        "reaches 3 (x base) (whether a run draws there depends on its number of draws), and then Commodities row 2 "
        "(coal), carrying_cost_rate: must be <= 10, found 15, which the workbook does not take. Cut the distribution "
        "to the values the cells take with low and high (normal, lognormal), or narrow its range.")


@pytest.mark.parametrize("row, said", [
    # 'Enter the the cell(s) to vary': the fix glued 'the' before every description, whatever its first word
    ({"input": None, "distribution": "uniform", "low": 1, "high": 2}, "Uncertainty, row 2, input: is blank; a value "
     "is required. Enter input: the cell(s) to vary, as a sweep names them: Legs[ATY>ULG].cost_usd_per_t, or a group "
     "such as Legs[*>GWD].cost_usd_per_t (every matching cell, each by the same draw)."),
    # a number typed with a decimal comma, or a unit: said once, not again as 'needs low, which is blank'
    ({"input": ROAD, "distribution": "uniform", "low": "0,6875", "high": 2}, f"Uncertainty, row 2 ({ROAD}), low: "
     "expected a number, found text '0,6875'. Type a number, at least -10,000,000,000 and at most 10,000,000,000."),
    ({"input": ROAD, "distribution": "normal", "low": "34 USD", "mode": 40, "spread": 3}, f"Uncertainty, row 2 "
     f"({ROAD}), low: expected a number, found text '34 USD'. Type a number, at least -10,000,000,000 and at most "
     "10,000,000,000."),
])
def test_a_slip_in_a_row_is_said_once_in_words_that_read(tmp_path, capsys, row, said):
    case = write_case(tmp_path, transport_case(Uncertainty=[row]))
    assert refused(capsys, ["validate", str(case)]).strip() == f"{case}: 1 problem\n  {said}"


def test_the_fix_for_a_blank_required_cell_reads_for_every_column():
    # every required column of every sheet: its fix never doubles an article ('Enter the the', 'Enter the a')
    import re

    from model.input.read import blank_fix
    from model.input.schema import SHEETS_BY_NAME

    fixes = [blank_fix(c) for s in SHEETS_BY_NAME.values() for c in s.columns if c.required]
    assert len(fixes) > 40
    assert [f for f in fixes if re.search(r"\b(the|a|an) (the|a|an)\b", f, re.IGNORECASE)] == []


def quiet_case(folder, uncertainty: list[dict]):
    """The transport case with the Uncertainty rows, every leg's length given (no warning of its own)."""
    tables = transport_case(Uncertainty=uncertainty)
    tables["Legs"] = [{**leg, "distance_km": 100} for leg in tables["Legs"]]
    return write_case(folder, tables)


def rows(**changes) -> list[dict]:
    """Two road legs drawn together (group road) and the rail leg, each a factor 0.5 to 1.5; changes: the rail row's."""
    factor = {"as": "factor", "distribution": "uniform", "low": 0.5, "high": 1.5}
    return [{"input": "Legs[A>R].cost_usd_per_t", **factor, "group": "road"},
            {"input": ROAD, **factor, "group": "road"}, {"input": "Legs[A>M].cost_usd_per_t", **factor, **changes}]


@pytest.mark.parametrize("changes, said", [
    ({"group": "raod"}, "Uncertainty, row 4 (Legs[A>M].cost_usd_per_t), group: group 'raod' has this row only, so it "
     "is drawn on its own, as a row without a group. Did you mean 'road'? Give the rows that move together the same "
     "group name, or clear the cell."),
    ({"group": None}, "Uncertainty, row 4 (Legs[A>M].cost_usd_per_t), group: has no group, and the same distribution "
     "and numbers as the rows of group 'road', so it is drawn on its own while they move together. If it moves with "
     "them, give group road; if it is drawn on its own as meant, leave the cell blank."),
])
def test_a_group_slip_is_a_warning(tmp_path, capsys, changes, said):
    # a typo in a group name, or a blank group cell, made a group of one row, silently
    case = quiet_case(tmp_path, rows(**changes))
    assert main(["validate", str(case)]) == 0
    assert capsys.readouterr().err.strip() == f"{case}: 1 warning\n  {said}"


def test_rows_drawn_on_their_own_as_meant_are_no_warning(tmp_path, capsys):
    case = quiet_case(tmp_path, rows(high=2))  # no group, numbers of its own: meant to be drawn alone
    assert main(["validate", str(case)]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("command", ["uncertainty", "solve"])
def test_a_range_of_factors_typed_on_a_row_drawn_as_value_is_a_warning(tmp_path, capsys, command):
    # A>M costs 2 USD/t; drawn as value from 2.5 to 3.5, every draw moves it above its base: likely factors typed
    # as values; corridor uncertainty and solve --uncertainty warn alike
    case = quiet_case(tmp_path, rows(**{"as": "value", "low": 2.5, "high": 3.5}))
    out = tmp_path / "u.xlsx"
    args = ["--draws", "4", "--no-progress"] if command == "uncertainty" else ["--uncertainty", "4", "--no-map"]
    assert main([command, str(case), *args, "-o", str(out)]) == 0
    assert capsys.readouterr().err.strip() == (
        f"{case}: 1 warning\n  Uncertainty, row 4 (Legs[A>M].cost_usd_per_t), as: the base value of "
        "Legs[A>M].cost_usd_per_t, 2, lies outside low..high (2.5 to 3.5), so every draw moves it there. If low and "
        "high are factors of the base value (1 = unchanged), set as to factor; else check the range against the base "
        "value.")


def test_the_uncertainty_sheet_is_checked_on_every_command(tmp_path, capsys):
    # Kept (walkthrough finding 7): every sheet of an input is validated on every command, so that `valid` means
    # valid for every command and a mistake is found at the first one; the message names the row and the fix.
    case = quiet_case(tmp_path, [{"input": ROAD, "distribution": "unifrom", "low": 1, "high": 2}])
    err = refused(capsys, ["solve", str(case), "--no-map", "-o", str(tmp_path / "r.xlsx")])
    assert f"Uncertainty, row 2 ({ROAD}), distribution: expected one of uniform, triangular, normal, lognormal, " \
           "found 'unifrom'." in err
