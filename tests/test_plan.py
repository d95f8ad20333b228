"""Plans of several years and robust plans over scenarios, worked out by hand on the two-route
case of cases.transport_case: 100 t of coal from A to M, rail A>M at 2 USD/t, road A>R>M at 5 USD/t."""

from __future__ import annotations

import pytest
from cases import transport_case, write_case
from conftest import ROOT

from model import pipeline
from model.cli import main
from model.commands.check import check_result
from model.errors import InputError
from model.report.read_results import read_results
from model.report.workbook import write_results

INPUTS = ROOT / "inputs"
TWO_YEARS = [{"year": 2025, "weight": 5}, {"year": 2030, "weight": 5}]


def test_a_railway_opening_in_a_later_year(tmp_path):
    # Rail has no capacity until 2030 (a Capacities row for 2030 replaces the blank-year row then).
    # 2025: all 100 t by road, 500 USD/yr; 2030: all by rail, 200 USD/yr.
    # Each year stands for 5; at 10% the 2030 years are discounted by 1/1.1^5 = 0.620921:
    # 5*500 + 5*0.620921*200 = 2500 + 620.92 = 3120.92 USD.
    tables = transport_case(Capacities=[{"element": "A>M", "capacity_t": 0},
                                        {"element": "A>M", "capacity_t": 150, "year": 2030}], Periods=TWO_YEARS)
    run = pipeline.run(write_case(tmp_path, tables, settings={"discount_rate": 0.1}))
    assert run.solution.objective_usd == pytest.approx(2500 + 5 / 1.1 ** 5 * 200)
    plan = run.results.plan["Plan"].set_index("year")
    assert plan.loc[2025, "annual_cost_usd"] == pytest.approx(500)
    assert plan.loc[2030, "annual_cost_usd"] == pytest.approx(200)
    flows = run.results.flows.set_index(["year", "route"])["tonnes_t"]
    assert flows[(2025, "ROAD")] == pytest.approx(100) and flows[(2030, "RAIL")] == pytest.approx(100)
    # The shadow price is per tonne in that year's money, not discounted: rail saves 5 - 2 = 3.
    cap = run.results.capacity.set_index("year")
    assert cap.loc[2025, "shadow_price_usd_per_t"] == pytest.approx(3)
    assert cap.loc[2030, "shadow_price_usd_per_t"] == pytest.approx(0)


@pytest.mark.slow
def test_an_option_in_service_only_after_its_lead_time(tmp_path):
    # Rail has 60 t in both years; +30 t at 1 USD/t a year saves 3 - 1 = 2 per tonne, but work starts
    # in 2025 and takes 5 years: in service in 2030 only. No discounting, weights 1.
    # 2025: 60*2 + 40*5 = 320; 2030: 90*2 + 10*5 + 30*1 = 260; total 580.
    tables = transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}],
                            Investments=[{"option": "RAIL_PLUS", "element": "A>M", "max_added_t": 30,
                                          "annualised_cost_usd_per_t": 1, "first_year": 2025, "lead_time_years": 5}],
                            Periods=[{"year": 2025}, {"year": 2030}])
    case = write_case(tmp_path, tables)
    run = pipeline.run(case)
    assert run.solution.objective_usd == pytest.approx(580)
    inv = run.results.investments.set_index("year")
    assert inv.loc[2025, "built_t"] == pytest.approx(0) and inv.loc[2030, "built_t"] == pytest.approx(30)
    # The independent check recomputes each year from its own input rows, and catches a plan that
    # would use the option before its lead time is over.
    out = write_results(run.results, tmp_path / "plan.xlsx", input_path=case)
    assert check_result(case, out)[:2] == ([], [])
    run.results.investments.loc[run.results.investments["year"] == 2025, "built_t"] = 30.0
    bad = write_results(run.results, tmp_path / "bad.xlsx", input_path=case)
    errors = check_result(case, bad)[0]
    assert "Investments: RAIL_PLUS has 30 t in service in 2025, before 2030" in errors
    assert "2025: Summary: objective 320 USD, flows give 350.0" in errors  # its cost was not counted
    # Once built it stays: with a 2035 year and no lead time constraint it stays at 30 (build_grows).
    tables["Periods"] = [{"year": 2025}, {"year": 2030}, {"year": 2035}]
    tables["Demand"] = [{"commodity": "coal", "market": "M", "demand_t": 100},
                        {"commodity": "coal", "market": "M", "demand_t": 60, "year": 2035}]
    run = pipeline.run(write_case(tmp_path / "b", tables))
    inv = run.results.investments.set_index("year")
    # In 2035 demand is 60 t, all by rail without the option; the 30 t built stays in service and is paid:
    # 320 + 260 + (60*2 + 30*1) = 730, still below not building (320 + 320 + 120 = 760).
    assert inv.loc[2035, "built_t"] == pytest.approx(30)
    assert run.solution.objective_usd == pytest.approx(730)


def test_one_period_plan_is_the_single_period_model(tmp_path):
    # A Periods sheet with one year of weight 1 gives the model without it: 60*2 + 40*5 = 320.
    base = transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}])
    single = pipeline.run(write_case(tmp_path / "a", base))
    plan = pipeline.run(write_case(tmp_path / "b", {**base, "Periods": [{"year": 2026}]}))
    assert single.solution.objective_usd == pytest.approx(320)
    assert plan.solution.objective_usd == pytest.approx(320)
    assert single.results.plan is None and "Plan" in plan.results.sheets()


def robust_case(cost: float) -> dict:
    # Rail (2 USD/t) may close; the road (5 USD/t) has no capacity unless ROAD_PLUS is built, at
    # `cost` USD/t a year for up to 100 t. Undelivered tonnes cost 20 USD/t.
    return transport_case(
        Capacities=[{"element": "A>M", "capacity_t": 100}, {"element": "R>M", "capacity_t": 0}],
        Investments=[{"option": "ROAD_PLUS", "element": "R>M", "max_added_t": 100,
                      "annualised_cost_usd_per_t": cost}],
        Scenarios=[{"scenario": "rail_closed", "sheet": "Capacities", "key": "A>M", "column": "capacity_t",
                    "value": 0, "probability": 0.5}])


def test_hedging_beats_the_base_only_plan(tmp_path):
    # Building x t of road at 1 USD/t: base 200 + x; rail closed 5x + 20(100 - x) + x = 2000 - 14x.
    # Expected (0.5 each) = 1100 - 6.5x: build all 100 t -> 0.5*300 + 0.5*600 = 450.
    # Planning for the base case alone builds nothing: 0.5*200 + 0.5*2000 = 1100.
    # Value of the stochastic solution: 1100 - 450 = 650.
    case = write_case(tmp_path, robust_case(1), settings={"unmet_penalty_usd_per_t": 20})
    run = pipeline.run(case, robust="rail_closed")
    s = run.results.summary_table().set_index("item")["value"]
    assert run.solution.objective_usd == pytest.approx(450)
    assert s["value of the stochastic solution"] == pytest.approx(650)
    assert s["objective with the base-only plan"] == pytest.approx(1100)
    rob = run.results.plan["Robust"].set_index("scenario")
    assert rob.loc["base", "robust_plan_cost_usd_total"] == pytest.approx(300)
    assert rob.loc["rail_closed", "robust_plan_cost_usd_total"] == pytest.approx(600)
    assert rob.loc["rail_closed", "base_only_plan_cost_usd_total"] == pytest.approx(2000)
    inv = run.results.investments.set_index("scenario")
    assert inv.loc["base", "built_t"] == pytest.approx(100) and inv.loc["rail_closed", "built_t"] == pytest.approx(100)
    # The workbook has the plan's sheets, and reads back.
    out = write_results(run.results, tmp_path / "robust.xlsx", input_path=case)
    assert {"Plan", "Robust"} <= set(read_results(out))


def test_a_weight_on_the_worst_case_buys_insurance(tmp_path):
    # At 8 USD/t the road costs more than it saves on average: expected = 1100 + 0.5x, build nothing (1100).
    # With weight 1 on the worst scenario (rail closed: 2000 - 15x + 8x = 2000 - 7x, the worst for x <= 100):
    # 1100 + 0.5x + 2000 - 7x = 3100 - 6.5x: build all 100 t; expected 1150, worst 1300, objective 2450.
    expected_only = pipeline.run(write_case(tmp_path / "a", robust_case(8), settings={"unmet_penalty_usd_per_t": 20}),
                               robust="rail_closed")
    assert expected_only.solution.objective_usd == pytest.approx(1100)
    hedged = pipeline.run(write_case(tmp_path / "b", robust_case(8),
                                   settings={"unmet_penalty_usd_per_t": 20, "worst_case_weight": 1}),
                        robust="rail_closed")
    s = hedged.results.summary_table().set_index("item")["value"]
    assert hedged.solution.objective_usd == pytest.approx(2450)
    assert s["expected objective (robust plan)"] == pytest.approx(1150)
    assert s["worst scenario objective (robust plan)"] == pytest.approx(1300)


def test_robust_over_years_and_scenarios(tmp_path):
    # Two years (weight 1, no discount), rail closed with probability 0.5 in both: each year is the
    # one-year robust case, so the plan costs twice as much: 2 * 450 = 900, and VSS 2 * 650 = 1300.
    tables = {**robust_case(1), "Periods": [{"year": 2025}, {"year": 2030}]}
    run = pipeline.run(write_case(tmp_path, tables, settings={"unmet_penalty_usd_per_t": 20}), robust="rail_closed")
    s = run.results.summary_table().set_index("item")["value"]
    assert run.solution.objective_usd == pytest.approx(900)
    assert s["value of the stochastic solution"] == pytest.approx(1300)
    assert len(run.results.plan["Plan"]) == 4


@pytest.mark.parametrize("tables, settings, robust, message", [
    ({"Capacities": [{"element": "A>M", "capacity_t": 60, "year": 2030}]}, {}, None,
     "Capacities, row 2 (A>M, 2030), year: year 2030 is given, but there is no Periods sheet (or it is "
     "empty), so the model has no years."),
    ({"Capacities": [{"element": "A>M", "capacity_t": 60, "year": 2031}], "Periods": TWO_YEARS}, {}, None,
     "Capacities, row 2 (A>M, 2031), year: year 2031 is not on the Periods sheet (2025, 2030)."),
    ({"Periods": [{"year": 2025.5}]}, {}, None, "Periods, row 2 (2025.5), year: year 2025.5 is not a whole number."),
    ({}, {}, "nowhere", "no scenario named 'nowhere' on the Scenarios sheet."),
    ({"Scenarios": [{"scenario": "s", "sheet": "Legs", "key": "A>M", "column": "cost_usd_per_t", "value": 3}]},
     {}, "s", "Scenarios, row 2 (s), probability: scenario 's' has no probability."),
    ({"Scenarios": [{"scenario": "s", "sheet": "Legs", "key": "A>M", "column": "cost_usd_per_t", "value": 3,
                     "probability": 0.7},
                    {"scenario": "t", "sheet": "Legs", "key": "A>M", "column": "cost_usd_per_t", "value": 4,
                     "probability": 0.6}]},
     {}, "s,t", "the probabilities add up to 1.3, more than 1 (s 0.7, t 0.6)."),
    ({"Scenarios": [{"scenario": "s", "sheet": "Legs", "key": "A>M", "column": "cost_usd_per_t", "value": 3,
                     "probability": 0}]},
     {}, "s", "Scenarios, row 2 (s), probability: scenario 's' has probability 0, so it would not count in the plan."),
])
def test_bad_years_and_robust_input(tmp_path, capsys, tables, settings, robust, message):
    case = write_case(tmp_path, transport_case(**tables), settings=settings)
    with pytest.raises(InputError):
        pipeline.run(case, robust=robust)
    args = ["solve", str(case), "-o", str(tmp_path / "out.xlsx")] + (["--robust", robust] if robust else [])
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.xlsx").exists()


def test_the_shipped_plan_case_is_what_its_script_writes(tmp_path):
    # inputs/plan_case.xlsx is generated from the base case CSVs by inputs/make_plan_case.py.
    import importlib.util

    from model.input.data import ROW
    from model.input.read import read_input
    from model.report.input_workbook import write_input_workbook
    spec = importlib.util.spec_from_file_location("make_plan_case", INPUTS / "make_plan_case.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    tables, settings, sources = mod.plan_tables(INPUTS / "base_case")
    fresh = read_input(write_input_workbook({**tables, "Sources": sources}, tmp_path / "plan.xlsx", settings=settings))
    shipped = read_input(INPUTS / "plan_case.xlsx")
    assert fresh.settings == shipped.settings
    for name in shipped.tables:
        a, b = fresh.tables[name].drop(columns=[ROW]), shipped.tables[name].drop(columns=[ROW])
        assert a.equals(b), name


@pytest.mark.slow
def test_the_plan_case_answers_karachi_or_gwadar(tmp_path):
    # Golden figures of the shipped plan (README "Karachi or Gwadar, and when"): every year is the calibrated
    # base year with the 2025 Russia cap in force (10,513.6 M USD/yr of objective a year); with the CPC at 60 Mt
    # for Kazakh crude (issue 24) nothing is built, the CPC debottlenecking included; no terminal in Pakistan.
    run = pipeline.run(INPUTS / "plan_case.xlsx")
    plan = run.results.plan["Plan"].set_index("year")["annual_cost_usd"]
    assert plan[2026] / 1e6 == pytest.approx(10513.6, abs=0.05)
    assert plan[2030] / 1e6 == pytest.approx(10513.6, abs=0.05)
    inv = run.results.investments.set_index(["option", "year"])["built_t"]
    assert inv[[("CPC_DEBOTTLENECK", y) for y in (2026, 2030, 2035)]].sum() == 0
    assert inv[[("KAZ_TERMINAL_KHI", y) for y in (2026, 2030, 2035)]].sum() == 0
    assert inv[[("GWD_TERMINAL", y) for y in (2026, 2030, 2035)]].sum() == 0


@pytest.mark.parametrize("year, cost", [
    (2025, 320),  # rail 60 t (the option not in service before 2030): 60*2 + 40*5
    (2030, 260),  # rail 60 + 30 built at 1 USD/t: 90*2 + 10*5 + 30*1
])
def test_one_year_of_a_plan_is_the_plan_of_that_year(tmp_path, year, cost):
    # The plan of test_an_option_in_service_only_after_its_lead_time, one year at a time: the year's rows,
    # the option only from 2030 (first_year 2025 + 5 years), no Periods or year cells left; and what the
    # single-year tools (stress, here) take with --year.
    from model.pipeline import load_one_year, solve
    from model.plan import Plan

    tables = transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}],
                            Investments=[{"option": "RAIL_PLUS", "element": "A>M", "max_added_t": 30,
                                          "annualised_cost_usd_per_t": 1, "first_year": 2025, "lead_time_years": 5}],
                            Periods=[{"year": 2025}, {"year": 2030}])
    case = write_case(tmp_path, tables)
    data, net, _ = load_one_year(case, year=year)
    assert solve(Plan.of_one(data, net)).objective_usd == pytest.approx(cost)
    assert not len(data.tables["Periods"]) and data.tables["Capacities"]["year"].isna().all()
    assert main(["stress", str(case), "--year", str(year), "--elements", "hubs", "--no-progress", "-o",
                 str(tmp_path / "s.xlsx")]) == 0


def test_warnings_merge_by_the_year_they_were_found_in_not_by_their_text():
    # The years a warning repeats in are the problems' own (Problem.year), set where they were found:
    # two warnings of one scenario found in 2026 and 2030 become one naming both years, while two
    # warnings of no year whose text happens to hold "in 2030: " stay apart (the old code parsed the
    # text with a regex and merged these into "a rule set in 2030, 2035: keep it").
    import model.steps
    from model.errors import WARNING, Problem

    found = [Problem("in scenario s in 2026: x", "fix", "Demand", 3, severity=WARNING, scenario="s", year=2026),
             Problem("in scenario s in 2030: x", "fix", "Demand", 3, severity=WARNING, scenario="s", year=2030),
             Problem("a rule set in 2030: keep it", severity=WARNING),
             Problem("a rule set in 2035: keep it", severity=WARNING)]
    merged = model.steps._merge_years(found)
    assert [p.message for p in merged] == ["in scenario s in 2026, 2030: x", "a rule set in 2030: keep it",
                                           "a rule set in 2035: keep it"]
    assert (merged[0].scenario, merged[0].year, merged[0].row) == ("s", None, 3)  # two years: no one year


def test_a_plans_warnings_name_their_scenario_and_years_in_fields_and_text():
    # The shipped plan under --robust all: russia_closed strands liquid bulk at MSE in every year.
    _, warnings = pipeline.load(ROOT / "inputs" / "plan_case.xlsx", robust="all")
    closed = [p for p in warnings if p.scenario == "russia_closed" and "liquid_bulk" in p.message]
    assert closed and all(p.message.startswith("in scenario russia_closed in 2026, 2030, 2035: ") for p in closed)
def test_tabulation_reads_the_analyses_and_solves_nothing(tmp_path, monkeypatch):
    # The robust plan of tests/test_mip.py: base 60 t, scenario surge (probability 0.5) 100 t; rail A>M
    # 60 t at 2 USD/t, road at 5, a terminal adding 40 t to rail for 40 USD a year, built whole.
    # Built (for all): 0.5*(60*2 + 40) + 0.5*(100*2 + 40) = 80 + 120 = 200. Taken the other way (not
    # built): 0.5*120 + 0.5*(60*2 + 40*5) = 60 + 160 = 220, 20 more. The plan for the base case alone
    # does not build it: under it the surge costs 320, so again 220, and the value of the stochastic
    # solution is 220 - 200 = 20. Both take solving again: analyse() does it, after solve(); tabulate()
    # only reads, so with every way into HiGHS refused it still gives both figures.
    import highspy

    import model.analysis.robust
    import model.lp.solve
    import model.steps

    demand = [{"commodity": "coal", "market": "M", "demand_t": 60}]
    scenarios = [{"scenario": "surge", "sheet": "Demand", "key": "coal,,M", "column": "demand_t", "value": 100,
                  "probability": 0.5}]
    case = write_case(tmp_path, transport_case(
        Capacities=[{"element": "A>M", "capacity_t": 60}], Demand=demand, Scenarios=scenarios,
        Investments=[{"option": "TERMINAL", "element": "A>M", "max_added_t": 40, "annualised_cost_usd_per_t": 1.0,
                      "lumpy": True}]), settings={"allow_investments": "TRUE"})
    plan, _ = pipeline.load(case, robust="surge")
    sol = pipeline.solve(plan)
    analyses = pipeline.analyse(plan, sol)
    assert sol.mip.whole_steps is None  # the analyses leave the solution as solved: priced in a copy

    def refused(*args, **kwargs):
        raise AssertionError("tabulation solved")

    monkeypatch.setattr(highspy.Highs, "run", refused)
    for module in (model.lp.solve, model.analysis.robust, model.steps):
        monkeypatch.setattr(module, "solve_plan", refused)
    results = pipeline.tabulate(plan, sol, analyses)
    assert sol.objective_usd == pytest.approx(200)
    robust = {item: value for item, value, _ in results.summary.robust}
    assert robust["value of the stochastic solution"] == pytest.approx(20)
    terminal = results.investments[results.investments["option"] == "TERMINAL"]  # a row per scenario
    assert terminal["scenario"].tolist() == ["base", "surge"]
    assert terminal["other_decision_objective_usd"].tolist() == pytest.approx([20, 20])
    # The relaxation builds all 40 t too (each tonne saves 0.5*(5 - 2) = 1.5 a year for 1): whole steps cost 0.
    assert results.summary.decisions.whole_steps.objective_usd == pytest.approx(0)
