"""corridor check applies the scenario(s) a result was solved with (its Summary records them; a robust
plan holds each scenario's tables) and refuses a result checked against an input it was not made from."""

from __future__ import annotations

import pytest
from cases import transport_case, write_case
from openpyxl import load_workbook

from model.cli import main

pytestmark = pytest.mark.slow  # check on solved scenarios and plans: left out of the fast loop

# 100 t of coal A->M. Rail A>M 2 USD/t with 60 t capacity, road A>R>M 5 USD/t.
# Base optimum: 60 t rail + 40 t road = 60*2 + 40*5 = 320 USD.
# Scenario dear: rail x3 = 6 USD/t > 5, so all 100 t go by road: 500 USD.
DEAR = {"scenario": "dear", "sheet": "Legs", "key": "A>M", "column": "cost_usd_per_t", "multiplier": 3}


def solved(tmp_path, *options, scenarios=(DEAR,), name="in", settings=None, **extra):
    tables = transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}], Scenarios=list(scenarios), **extra)
    case = write_case(tmp_path / name, tables, settings, xlsx=True)
    result = tmp_path / f"{name}_result.xlsx"
    assert main(["solve", str(case), "-o", str(result), "--no-map", *options]) == 0
    return case, result


def check(capsys, *args) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out + out.err


def edit(path, sheet: str, change) -> None:
    """change(ws) on one sheet of a workbook, saved in place."""
    wb = load_workbook(path)
    change(wb[sheet])
    wb.save(path)


def summary_value(ws, item: str, value) -> None:
    for row in ws.iter_rows():
        if row[0].value == item:
            row[1].value = value
            return
    raise AssertionError(item)


def test_a_result_is_checked_with_the_scenario_it_was_solved_with(tmp_path, capsys):
    # Solved with dear (500 USD: 100 t by road): the check applies dear (rail 6 USD/t) from the
    # result's Summary; without it, every flow's cost would disagree with the input's 2 USD/t.
    case, result = solved(tmp_path, "--scenario", "dear")
    code, text = check(capsys, case, result)
    assert code == 0, text
    assert "Checked with scenario dear applied to the input" in text and "holds against" in text
    code, text = check(capsys, case, result, "--scenario", "dear")
    assert code == 0, text


def test_a_scenario_option_that_disagrees_with_the_result_is_refused(tmp_path, capsys):
    case, result = solved(tmp_path)
    code, text = check(capsys, case, result, "--scenario", "dear")
    assert code == 2
    assert "was solved with no scenario (its Summary sheet, scenario overrides), not with --scenario dear. " \
           "Leave out --scenario" in text
    assert "holds" not in text


def test_a_robust_plan_of_one_year_is_checked_in_every_scenario(tmp_path, capsys):
    # Robust over base (70%) and dear (30%): expected cost 0.7*320 + 0.3*500 = 374 USD. Each
    # scenario's tables are checked against the input with that scenario applied.
    case, result = solved(tmp_path, "--robust", "all", scenarios=[{**DEAR, "probability": 0.3}])
    code, text = check(capsys, case, result)
    assert code == 0, text

    def more(ws):  # every flow of scenario dear x1.5: 150 t delivered against a demand of 100
        head = [c.value for c in next(ws.iter_rows(min_row=3, max_row=3))]
        at = {h: i for i, h in enumerate(head) if h}
        for row in ws.iter_rows(min_row=4):
            if row[at["scenario"]].value == "dear":
                for column in ("tonnes (t/yr)", "cost (USD/yr)", "co2e (t/yr)"):
                    cell = row[at[column]]
                    cell.value = (cell.value or 0) * 1.5

    edit(result, "Flows", more)
    code, text = check(capsys, case, result)
    assert code == 1, text
    assert "scenario dear: Demand row 2: delivered 150" in text and "!= demand 100" in text
    assert "holds against" not in text


OPTION = [{"option": "RAIL_PLUS", "element": "A>M", "max_added_t": 30, "annualised_cost_usd_per_t": 1}]
BUILD = {"scenario": "build", "sheet": "Settings", "key": "allow_investments", "column": "value", "value": "TRUE"}


def test_an_investment_the_input_does_not_allow_is_refused(tmp_path, capsys):
    # With build, 30 t of rail are added at 1 USD/t (90*2 + 10*5 + 30 = 260 USD). Its Summary edited
    # to say no scenario was applied, the input (allow_investments FALSE) allows none of it.
    case, result = solved(tmp_path, "--scenario", "build", scenarios=[BUILD], settings={"allow_investments": "FALSE"},
                          Investments=OPTION)
    code, text = check(capsys, case, result)
    assert code == 0, text
    edit(result, "Summary", lambda ws: summary_value(ws, "scenario overrides", "none (the workbook as it is)"))
    code, text = check(capsys, case, result)
    assert code == 2, text
    assert "was not made from this input (it was made from case.xlsx): it builds RAIL_PLUS, " \
           f"and {case} with no scenario allows no investment (Settings: allow_investments is FALSE)" in text


@pytest.mark.parametrize("other, why", [
    ({"Investments": []}, "it builds options that {other} does not offer on its Investments sheet (RAIL_PLUS)"),
    ({"Investments": OPTION, "Capacities": [{"element": "R>M", "capacity_t": 60}]},
     "its Capacity sheet names elements that {other} does not have (A>M)"),
])
def test_a_result_checked_against_another_input_is_refused(tmp_path, capsys, other, why):
    case, result = solved(tmp_path, scenarios=[], Investments=OPTION)
    tables = transport_case(Scenarios=[], **{"Capacities": [{"element": "A>M", "capacity_t": 60}], **other})
    if "Capacities" in other:  # the input has no leg A>M: rail goes A>R>M
        tables["Legs"] = [leg for leg in tables["Legs"] if leg["from"] != "A" or leg["to"] != "M"]
        tables["Routes"] = [{"route": "RAIL", "corridor": "Rail", "path": "A>R>M"},
                            {"route": "ROAD", "corridor": "Road", "path": "A>R>M"}]
        tables["Investments"] = [{**OPTION[0], "element": "R>M"}]
    other_case = write_case(tmp_path / "other", tables, xlsx=True)
    code, text = check(capsys, other_case, result)
    assert code == 2, text
    assert f"was not made from this input (it was made from case.xlsx): " \
           f"{why.format(other=other_case)}" in text


def test_a_result_made_from_another_file_says_which(tmp_path, capsys):
    case, result = solved(tmp_path)
    renamed = case.with_name("renamed.xlsx")
    renamed.write_bytes(case.read_bytes())
    edit(renamed, "Legs", lambda ws: setattr(ws.cell(ws.max_row, 1), "value", ws.cell(ws.max_row, 1).value))
    code, text = check(capsys, renamed, result)
    assert code == 2, text
    assert f"it records case.xlsx as its input (Summary: input file and input SHA-256), and {renamed} is another " \
           "file" in text
