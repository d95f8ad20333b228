"""Investment options, worked out by hand on the two-route case (rail 2 USD/t with 60 t capacity,
road 5 USD/t; 100 t): one more tonne of rail capacity saves 5 - 2 = 3 USD a year."""

from __future__ import annotations

import pytest
from cases import transport_case, write_case

from model import pipeline
from model.commands.check import check_result
from model.report.workbook import write_results


def solve(tmp_path, options, **extra):
    tables = transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}], Investments=options, **extra)
    case = write_case(tmp_path, tables)
    run = pipeline.run(case)
    out = write_results(run.results, tmp_path / "result.xlsx", input_path=case)
    assert check_result(case, out)[:2] == ([], [])
    return run


def option(cost, max_added=30, name="RAIL_PLUS"):
    return [{"option": name, "element": "A>M", "max_added_t": max_added, "annualised_cost_usd_per_t": cost}]


def test_an_investment_that_pays_off(tmp_path):
    # +30 t of rail capacity at 1 USD/t a year saves 3 - 1 = 2 per tonne: built to its limit.
    # 90*2 + 10*5 + 30*1 = 180 + 50 + 30 = 260 USD (against 320 without it).
    run = solve(tmp_path, option(1))
    inv = run.results.investments.iloc[0]
    assert run.solution.objective_usd == pytest.approx(260)
    assert inv["built_t"] == pytest.approx(30) and inv["decision"] == "build to the limit"
    assert inv["cost_usd"] == pytest.approx(30)
    cap = run.results.capacity.iloc[0]
    assert (cap["added_t"], cap["used_t"], cap["utilisation"]) == pytest.approx((30, 90, 1.0))
    assert run.results.summary.investment_usd == pytest.approx(30)


def test_an_investment_that_does_not_pay_off(tmp_path):
    # At 4 USD/t a year it costs more than the 3 USD/t it saves: not built; it would be at an
    # annualised cost below 3 (reduced cost 4 - 3 = 1). Cost stays 320.
    run = solve(tmp_path, option(4))
    inv = run.results.investments.iloc[0]
    assert run.solution.objective_usd == pytest.approx(320)
    assert inv["built_t"] == pytest.approx(0) and inv["decision"] == "do not build"
    assert inv["capacity_value_usd_per_t"] == pytest.approx(3)
    assert inv["reduced_cost_usd_per_t"] == pytest.approx(1)


def test_building_stops_where_the_value_runs_out(tmp_path):
    # Up to 100 t could be added at 1 USD/t, but beyond +40 t no road tonne is left to replace:
    # built 40 t. 100*2 + 40*1 = 240 USD.
    run = solve(tmp_path, option(1, max_added=100))
    assert run.results.investments.iloc[0]["built_t"] == pytest.approx(40)
    assert run.solution.objective_usd == pytest.approx(240)


def test_two_options_cheaper_first(tmp_path):
    # Two options on the same capacity: 20 t at 0.5 and 30 t at 2.5 USD/t. Both save 3 per tonne
    # (2.5 < 3): both built, 20 + 30 = 50 t > the 40 t that has value? No: only 40 t are worth
    # adding, so the cheap 20 t and 20 t of the dear one: 100*2 + 20*0.5 + 20*2.5 = 200 + 10 + 50 = 260.
    options = option(0.5, max_added=20, name="CHEAP") + option(2.5, max_added=30, name="DEAR")
    run = solve(tmp_path, options)
    built = run.results.investments.set_index("option")["built_t"]
    assert (built["CHEAP"], built["DEAR"]) == pytest.approx((20, 20))
    assert run.solution.objective_usd == pytest.approx(260)


def test_options_not_allowed_still_say_what_they_are_worth(tmp_path):
    # allow_investments FALSE: nothing is built (320 USD) but the option's value (3) against its
    # cost (1) is reported: it would pay.
    tables = transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}], Investments=option(1))
    run = pipeline.run(write_case(tmp_path, tables, settings={"allow_investments": "FALSE"}))
    inv = run.results.investments.iloc[0]
    assert run.solution.objective_usd == pytest.approx(320)
    assert (inv["built_t"], inv["capacity_value_usd_per_t"], inv["reduced_cost_usd_per_t"]) == pytest.approx((0, 3, -2))
    assert inv["decision"] == "would pay (not allowed)"


def test_base_case_terminal_question(base_run):
    # Today's network (allow_investments FALSE): with 60 Mt of the CPC available to Kazakh crude (issue 24) the
    # CPC is not full, so its debottlenecking has no capacity value and would not pay; neither has a Karachi
    # nor a Gwadar terminal: Pakistan routes are held back by cost (and, for containers, by the calibration rule
    # of observation 19), not capacity. With the scenario 'invest', nothing is built.
    inv = base_run.results.investments.set_index("option")
    assert inv.loc["CPC_DEBOTTLENECK", "decision"] == "would not pay"
    assert inv.loc["CPC_DEBOTTLENECK", "capacity_value_usd_per_t"] == 0
    assert inv.loc["KAZ_TERMINAL_KHI", "capacity_value_usd_per_t"] == 0
    assert inv.loc["GWD_TERMINAL", "capacity_value_usd_per_t"] == 0
    from conftest import BASE_XLSX

    plan = pipeline.run(BASE_XLSX, scenario="invest").results.investments.set_index("option")
    assert plan["built_t"].sum() == pytest.approx(0)
