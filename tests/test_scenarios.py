"""Scenarios: hand-worked overrides, composition, bad rows reported like any input problem, compare."""

from __future__ import annotations

import pytest
from cases import transport_case, write_case
from conftest import BASE_XLSX
from openpyxl import load_workbook

from model import pipeline
from model.cli import main
from model.errors import InputError
from model.pipeline import load_one_year as load


def scenario(name, sheet, key, column, value=None, multiplier=None):
    return {"scenario": name, "sheet": sheet, "key": key, "column": column, "value": value,
            "multiplier": multiplier}


ROWS = [
    scenario("tight", "Capacities", "A>M", "capacity_t", value=30),
    scenario("cheap_road", "Legs", "R>M", "cost_usd_per_t", multiplier=0.5),
    scenario("double", "Capacities", "A>M", "capacity_t", multiplier=2),
    scenario("road_off", "Routes", "ROAD", "enabled", value="FALSE"),
    scenario("road_off", "Settings", "unmet_penalty_usd_per_t", "value", value=50),
]


def case(tmp_path, rows=ROWS):
    return write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}], Scenarios=rows))


@pytest.mark.parametrize("name, cost", [
    (None, 320),                  # 60 by rail at 2 + 40 by road at 5
    ("tight", 410),               # rail 30: 30*2 + 70*5
    ("cheap_road", 280),          # road leg R>M 2 -> 1, road 4: 60*2 + 40*4
    ("tight+cheap_road", 340),    # 30*2 + 70*4
    ("tight+double", 320),        # capacity 30, then x2 = 60
    ("double+tight", 410),        # capacity x2 = 120, then 30: order matters
    ("road_off", 2120),           # only rail, 60 t; 40 t unmet at 50: 120 + 2000
])
def test_overrides_by_hand(tmp_path, name, cost):
    run = pipeline.run(case(tmp_path), scenario=name)
    assert run.solution.objective_usd == pytest.approx(cost)


def test_summary_names_the_scenario_and_its_overrides(tmp_path):
    s = pipeline.run(case(tmp_path), scenario="tight+cheap_road").results.summary_table().set_index("item")["value"]
    assert s["scenario overrides"] == "tight+cheap_road"
    assert s["override 1"] == "tight: Capacities[A>M].capacity_t = 30 (1 row)"
    assert s["override 2"] == "cheap_road: Legs[R>M].cost_usd_per_t x 0.5 (1 row)"


def test_a_workbook_without_scenarios_solves_as_before(tmp_path):
    plain = pipeline.run(write_case(tmp_path / "a", transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}])))
    assert plain.solution.objective_usd == pytest.approx(pipeline.run(case(tmp_path / "b")).solution.objective_usd)


@pytest.mark.parametrize("row, message", [
    (scenario("x", "Capacites", "A>M", "capacity_t", value=1),
     "Scenarios, row 2 (x, Capacites[A>M].capacity_t), sheet: unknown sheet 'Capacites'. Did you mean 'Capacities'?"),
    (scenario("x", "Capacities", "A>Q", "capacity_t", value=1),
     "Scenarios, row 2 (x, Capacities[A>Q].capacity_t), key: no Capacities row matches 'A>Q'; did you mean 'A>M'?"),
    (scenario("x", "Capacities", "A>M", "capacity", value=1),
     "Scenarios, row 2 (x, Capacities[A>M].capacity), column: Capacities has no column 'capacity'. Did you mean "
     "'capacity_t'?"),
    (scenario("x", "Routes", "ROAD", "enabled", multiplier=2),
     "Scenarios, row 2 (x, Routes[ROAD].enabled), multiplier: a multiplier applies to numbers; enabled holds "
     "TRUE/FALSE."),
    (scenario("x", "Routes", "ROAD", "corridor", multiplier=2),
     "Scenarios, row 2 (x, Routes[ROAD].corridor), multiplier: a multiplier applies to numbers; corridor holds text."),
    (scenario("x", "Capacities", "A>M", "capacity_t", value="lots"),
     "Scenarios, row 2 (x, Capacities[A>M].capacity_t), value: expected a number, found text 'lots'."),
    (scenario("x", "Capacities", "A>M", "capacity_t", value=1, multiplier=2),
     "Scenarios, row 2 (x, Capacities[A>M].capacity_t), multiplier: give either a value or a multiplier "
     "(exactly one)."),
    (scenario("x", "Nodes", "A", "node", value="B"),
     "Scenarios, row 2 (x, Nodes[A].node), column: 'node' identifies Nodes rows and cannot be overridden."),
])
def test_bad_scenario_rows_are_input_problems(tmp_path, row, message):
    with pytest.raises(InputError) as exc:
        load(case(tmp_path, [row]))
    assert any(str(p).startswith(message) for p in exc.value.problems), [str(p) for p in exc.value.problems]


def test_unknown_scenario_name(tmp_path, capsys):
    path = case(tmp_path)
    assert main(["solve", str(path), "--scenario", "tigth", "-o", str(tmp_path / "r.xlsx")]) == 2
    assert "no scenario named 'tigth' on the Scenarios sheet. Did you mean 'tight'?" in capsys.readouterr().err


def test_compare_refuses_an_unknown_scenario_name_before_solving(tmp_path, capsys):
    path = case(tmp_path)
    out = tmp_path / "cmp.xlsx"
    assert main(["compare", str(path), "--scenarios", "tight+tigth", "-o", str(out)]) == 2
    assert "--scenarios names 'tigth', which is not on the Scenarios sheet. Did you mean 'tight'?" in \
        capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow
def test_compare_writes_side_by_side_with_deltas(tmp_path, capsys):
    path = case(tmp_path, ROWS + [scenario("impossible", "Routes", "*", "enabled", value="FALSE")])
    out = tmp_path / "cmp.xlsx"
    assert main(["compare", str(path), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "impossible: Invalid input. " in text  # no enabled route can serve the demand: reported, not a crash
    wb = load_workbook(out)
    assert wb.sheetnames == ["Comparison", "Scenarios"]
    header = [c.value for c in wb["Comparison"][3]]
    assert header[:4] == ["metric", "unit", "base", "tight"] and "tight - base" in header
    rows = {r[0]: r for r in wb["Comparison"].iter_rows(min_row=4, values_only=True)}
    assert rows["objective"][3] == pytest.approx(410)
    assert rows["objective"][header.index("tight - base")] == pytest.approx(90)


def test_base_case_scenarios():
    # Each shipped scenario solves (those that close corridors strand crude at the penalty).
    data, _, _ = load(BASE_XLSX)
    from model.input.data import scenario_names

    names = scenario_names(data)
    assert names == ["russia_closed", "torkham_closed", "cpc_half", "trans_afghan_open", "gwadar_tariff_cut",
                     "high_grain", "invest", "russia_cap_2025", "carbon_price",
                     # the events of 2025 (issue 24), some on one season's rows, and the worlds of the held-out years
                     "india_via_pakistan_closed", "af_pk_border_closed", "cpc_strike_2025", "year_2022", "year_2025"]
    run = pipeline.run(BASE_XLSX, scenario="cpc_half")
    # CPC 30 Mt (half of 60), and the other crude outlets 24.71 (the calibration rules off): Atyrau-Samara 17.5
    # (to the Baltic and Druzhba), Baku 3, Makhachkala 3, China 1.21
    assert run.results.summary.unmet_t == pytest.approx(70.5e6 - 30e6 - 24.71e6)


def test_compare_keeps_every_corridor_and_country_at_zero(tmp_path):
    # 100 t A->M; rail at 2 USD/t without limit, road at 5: all by rail, the road carries 0 t; country
    # YY is on the Countries sheet but on no route. Both rows stay, at 0 (an answer, not a gap).
    from model.analysis.compare import compare

    tables = transport_case(Scenarios=[scenario("dear_rail", "Legs", "A>M", "cost_usd_per_t", value=4)])
    tables["Countries"].append({"country": "YY", "risk_premium_pct": 0})
    table, _ = compare(write_case(tmp_path, tables), ["dear_rail"], progress=False)
    rows = table.set_index("metric")
    assert rows.loc["corridor: Road", "base"] == 0 and rows.loc["corridor: Road", "dear_rail"] == 0  # 4 < 5
    assert rows.loc["corridor: Rail", "base"] == pytest.approx(100)
    assert rows.loc["via YY", "base"] == 0 and rows.loc["via YY", "dear_rail"] == 0


def test_compare_with_no_case_solved_says_why_as_solve_would(tmp_path, capsys):
    # At least 200 t through the hub R, and 100 t of demand: no case has an allocation. The base case's
    # reason is given with exit 3 (was: internal error KeyError 'metric'), and nothing is written.
    tables = transport_case(Policies=[{"rule": "ROAD_MIN", "kind": "min_t", "scope": "node", "target": "R",
                                       "value": 200}],
                            Scenarios=[scenario("dear_rail", "Legs", "A>M", "cost_usd_per_t", value=4)])
    out = tmp_path / "cmp.xlsx"
    assert main(["compare", str(write_case(tmp_path, tables)), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "rule ROAD_MIN asks more than its target can carry" in err and "internal error" not in err
    assert not out.exists()


def test_compare_prints_the_focus_at_zero_too(tmp_path, capsys):
    # The focus (Settings) is country YY, which no route crosses: its 0 t is printed for every case.
    tables = transport_case(Scenarios=[scenario("dear_rail", "Legs", "A>M", "cost_usd_per_t", value=4)])
    tables["Countries"].append({"country": "YY", "risk_premium_pct": 0})
    case = write_case(tmp_path, tables, {"focus": "country YY"})
    assert main(["compare", str(case), "-o", str(tmp_path / "cmp.xlsx")]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("via YY (Mt/yr)"))
    assert line.split()[-2:] == ["0.0", "0.0"]
