"""Options built whole, in modules or with a fixed cost, worked out by hand on the two-route case:
100 t of coal from A to M; rail A>M at 2 USD/t with 60 t of capacity, road A>R>M at 5 USD/t. Without
investment: 60*2 + 40*5 = 320 USD a year; each tonne of rail capacity added saves 5 - 2 = 3 USD, for
up to 40 t."""

from __future__ import annotations

import pandas as pd
import pytest
from cases import transport_case, write_case

from model import pipeline
from model.analysis.check import check_results
from model.analysis.explain import explain_route
from model.cli import main
from model.commands.check import check_result
from model.commands.sweep import sweep_to_workbook
from model.errors import InputError
from model.input.validate import validate
from model.pipeline import load
from model.report.workbook import write_results

ALLOW = {"allow_investments": "TRUE"}


def option(name, added, cost, **extra):
    return {"option": name, "element": "A>M", "max_added_t": added, "annualised_cost_usd_per_t": cost, **extra}


def case_of(tmp_path, options, settings=ALLOW, **extra):
    tables = {"Capacities": [{"element": "A>M", "capacity_t": 60}], "Investments": options, **extra}
    return write_case(tmp_path, transport_case(**tables), settings=settings)


def solved(tmp_path, options, **extra):
    case = case_of(tmp_path, options, **extra)
    run = pipeline.run(case)
    out = write_results(run.results, tmp_path / "result.xlsx", input_path=case)
    assert check_result(case, out)[:2] == ([], [])
    return run


INTERACTING = [option("BIG", 40, 2.0, lumpy=True), option("SMALL", 30, 1.0, lumpy=True)]


def test_two_interacting_terminals_where_the_lp_and_the_mip_differ(tmp_path):
    # Whole: none 320; SMALL only 90*2 + 10*5 + 30*1 = 260; BIG only 100*2 + 40*2 = 280; both
    # 200 + 30 + 80 = 310. The MIP builds SMALL only: 260.
    # Divisible (the LP relaxation): SMALL's 30 t first (1 < 2 USD/t), then 10 t of BIG: 200 + 30 + 20
    # = 250. Rounding that LP up (both terminals, 310) would be wrong by 50.
    run = solved(tmp_path, INTERACTING)
    inv = run.results.investments.set_index("option")
    assert run.solution.objective_usd == pytest.approx(260)
    assert (inv.loc["SMALL", "built_t"], inv.loc["BIG", "built_t"]) == pytest.approx((30, 0))
    assert inv.loc["SMALL", "decision"] == "build whole (30 t)" and inv.loc["BIG", "decision"] == "do not build"
    d = run.results.summary.decisions
    assert (d.count, d.relaxation_usd, d.whole_steps_cost_usd, d.gap) == pytest.approx((2, 250, 10, 0), abs=1e-6)
    # Each decision taken the other way, the rest re-optimised: without SMALL the best is BIG only,
    # 280 (+20); with BIG built the best is BIG only, 280 (+20).
    assert inv.loc["SMALL", "other_decision_usd"] == pytest.approx(20)
    assert inv.loc["BIG", "other_decision_usd"] == pytest.approx(20)
    # Duals from the LP with the decisions fixed: rail (60 + 30 t) is full, and one more tonne of it
    # would move a road tonne: 3 USD. The reduced cost of a whole option is not its value: left blank.
    assert run.results.capacity.iloc[0]["shadow_price_usd_per_t"] == pytest.approx(3)
    assert inv["reduced_cost_usd_per_t"].isna().all()
    assert "duals from dual simplex with the decisions fixed" in run.solution.method


# Road A>R>M pays 5 USD/t, but a calibration premium of -2 (behaviour: shippers prefer it) makes the
# model see 3.
PREMIUM = [{"scope": "corridor", "target": "Road", "usd_per_t": -2.0, "source": "corridor calibrate"}]


def test_a_decision_taken_the_other_way_is_costed_in_resource_cost(tmp_path):
    # A 40 t terminal on rail, built whole at 0.5 USD/t a year (20 a year).
    #   built:       objective 100*2 + 20 = 220;        resource cost 100*2 + 20 = 220
    #   doing without: objective 60*2 + 40*(5-2) = 240;  resource cost 60*2 + 40*5 = 320
    # The model builds it (220 < 240). Doing without it costs 320 - 220 = 100 USD a year more in
    # resource cost; the objective rises by only 240 - 220 = 20, since it counts the road's premium
    # (40 t x -2 = -80) as if it were a saving: 100 - 80 = 20.
    run = solved(tmp_path, [option("TERMINAL", 40, 0.5, lumpy=True)], Surcharges=PREMIUM)
    inv = run.results.investments.iloc[0]
    assert run.solution.objective_usd == pytest.approx(220) and inv["built_t"] == pytest.approx(40)
    assert inv["other_decision_usd"] == pytest.approx(100)  # in resource cost
    assert (inv["other_decision_objective_usd"], inv["other_decision_unmet_t"]) == pytest.approx((20, 0))
    assert run.results.summary.decisions.decisions == [(
        "TERMINAL", "build whole (40 t); doing without it would cost 100 USD/yr more in resource cost; the model's "
                    "objective, which also counts calibration premiums (behaviour, not paid), rises by 20 USD/yr")]


def test_whole_steps_and_a_terminal_not_built_are_costed_in_resource_cost(tmp_path):
    # A 100 t terminal on rail, whole at 0.5 USD/t a year (50 a year); only 40 t of it would be used.
    #   not built: objective 60*2 + 40*(5-2) = 240;  resource cost 60*2 + 40*5 = 320
    #   built:     objective 100*2 + 50 = 250;       resource cost 250
    # The model does not build it (240 < 250): building it would raise the objective by 10 but save
    # 320 - 250 = 70 USD a year of resource cost (the premiums of the 40 road tonnes, -80, go: -70 + 80 = 10).
    # Divisible (the LP relaxation): 40 t of it (Opened 0.4) at 20 a year, all by rail: objective and
    # resource cost 200 + 20 = 220. Building in whole steps (not at all, here) costs 320 - 220 = 100
    # in resource cost, 240 - 220 = 20 in the objective.
    run = solved(tmp_path, [option("TERMINAL", 100, 0.5, lumpy=True)], Surcharges=PREMIUM)
    inv = run.results.investments.iloc[0]
    assert run.solution.objective_usd == pytest.approx(240) and inv["built_t"] == pytest.approx(0)
    assert inv["other_decision_usd"] == pytest.approx(-70)  # in resource cost
    assert inv["other_decision_objective_usd"] == pytest.approx(10)
    d = run.results.summary.decisions
    assert d.decisions == [("TERMINAL", "do not build; building it would save 70 USD/yr in resource cost; the model's "
                                        "objective, which also counts calibration premiums (behaviour, not paid), "
                                        "rises by 10 USD/yr")]
    assert (d.relaxation_usd, d.relaxation_resource_usd) == pytest.approx((220, 220))
    assert (d.whole_steps.resource_usd, d.whole_steps.objective_usd) == pytest.approx((100, 20))
    assert d.text() == ("Integer decisions: 1 (MIP gap 0.00%); with divisible capacity the resource cost would be "
                        "220 USD/yr, so building in whole steps costs 100 USD/yr more in resource cost; the model's "
                        "objective, which also counts calibration premiums (behaviour, not paid), rises by 20 USD/yr")
    rows = {item: value for item, value, _ in d.rows()}
    assert rows["what building in whole steps costs (resource cost)"] == pytest.approx(100)
    assert rows["what building in whole steps adds to the objective"] == pytest.approx(20)


def test_a_decision_that_delivers_demand_names_the_tonnes_not_the_penalty_as_a_cost(tmp_path):
    # 100 t; rail 60 t at 2 USD/t, road through hub R at most 20 t at 5; unmet tonnes at a penalty of 10
    # USD/t. A 40 t rail terminal, whole, at 1 USD/t a year (40 a year):
    #   built:         resource cost 100*2 + 40 = 240, nothing unmet: objective 240
    #   doing without: resource cost 60*2 + 20*5 = 220, 20 t unmet: objective 220 + 20*10 = 420
    # Built. Doing without it saves 20 USD a year of resource cost and leaves 20 t unmet; the objective
    # rises by 180, of which 200 is the penalty, a price chosen in Settings.
    run = solved(tmp_path, [option("TERMINAL", 40, 1.0, lumpy=True)],
                 settings={**ALLOW, "unmet_penalty_usd_per_t": 10},
                 Capacities=[{"element": "A>M", "capacity_t": 60}, {"element": "R", "capacity_t": 20}])
    inv = run.results.investments.iloc[0]
    assert run.solution.objective_usd == pytest.approx(240) and inv["built_t"] == pytest.approx(40)
    assert inv["other_decision_usd"] == pytest.approx(-20)  # in resource cost
    assert (inv["other_decision_objective_usd"], inv["other_decision_unmet_t"]) == pytest.approx((180, 20))
    assert run.results.summary.decisions.decisions == [(
        "TERMINAL", "build whole (40 t); doing without it would save 20 USD/yr in resource cost and leave 20 t more "
                    "demand unmet (priced at 10 USD/t, the penalty chosen in Settings, not a cost); the model's "
                    "objective, which also counts unmet tonnes at the penalty, rises by 180 USD/yr")]


@pytest.mark.slow
def test_a_fixed_cost_makes_a_small_use_not_pay(tmp_path):
    # Up to 50 t at 0.5 USD/t a year, plus 120 USD a year if anything is built. Only 40 t are worth
    # adding: 100*2 + 40*0.5 + 120 = 340 > 320, so nothing is built. Divisible (Opened fractional):
    # Build <= 50 * Opened, so 40 t need Opened = 0.8 and 96 USD of fixed cost: 200 + 20 + 96 = 316.
    run = solved(tmp_path, [option("DEPOT", 50, 0.5, fixed_cost_usd_per_yr=120)])
    inv = run.results.investments.iloc[0]
    assert run.solution.objective_usd == pytest.approx(320)
    assert inv["built_t"] == pytest.approx(0) and inv["decision"] == "do not build"
    assert run.results.summary.decisions.relaxation_usd == pytest.approx(316)
    assert inv["other_decision_usd"] == pytest.approx(20)  # opened anyway: 340
    # At 80 USD a year it pays: 200 + 20 + 80 = 300, and the fixed cost is in the investment cost.
    run = solved(tmp_path / "cheaper", [option("DEPOT", 50, 0.5, fixed_cost_usd_per_yr=80)])
    inv = run.results.investments.iloc[0]
    assert run.solution.objective_usd == pytest.approx(300)
    assert (inv["built_t"], inv["cost_usd"]) == pytest.approx((40, 100))
    assert inv["decision"] == "build 40 t (fixed cost paid)"
    assert run.results.summary.investment_usd == pytest.approx(100)


def test_modules(tmp_path):
    # Modules of 15 t at 1 USD/t, at most 4 (60 t). The 40 t worth adding need 3 modules (45 t):
    # 100*2 + 45*1 = 245; 2 modules (30 t): 90*2 + 10*5 + 30 = 260. Divisible: 40 t, 240.
    run = solved(tmp_path, [option("BERTHS", 60, 1.0, module_t=15)])
    inv = run.results.investments.iloc[0]
    assert run.solution.objective_usd == pytest.approx(245)
    assert (inv["built_t"], inv["modules_built"]) == pytest.approx((45, 3))
    assert inv["decision"] == "build 3 modules of 15 t (45 t)"
    assert run.results.summary.decisions.relaxation_usd == pytest.approx(240)


def test_a_lumpy_option_is_built_in_a_later_year_and_stays(tmp_path):
    # 2026: 60 t of demand, which rail carries alone (120 USD); 2030 and 2035: 100 t, so the 40 t
    # terminal (1 USD/t a year, 40 a year whole) pays from 2030: 100*2 + 40 = 240 a year. Weights 1,
    # no discount: 120 + 240 + 240 = 600. Built in 2026 as well it would cost 40 more.
    demand = [{"commodity": "coal", "market": "M", "demand_t": 60},
              {"commodity": "coal", "market": "M", "demand_t": 100, "year": 2030},
              {"commodity": "coal", "market": "M", "demand_t": 100, "year": 2035}]
    periods = [{"year": 2026}, {"year": 2030}, {"year": 2035}]
    run = solved(tmp_path, [option("TERMINAL", 40, 1.0, lumpy=True)], Demand=demand, Periods=periods)
    assert run.solution.objective_usd == pytest.approx(600)
    inv = run.results.investments.set_index("year")
    assert list(inv["built_t"]) == pytest.approx([0, 40, 40])
    # Without it, 2030 and 2035 cost 320 each: 120 + 640 = 760, 160 more.
    assert run.results.investments["other_decision_usd_total"].iloc[0] == pytest.approx(160)  # the plan's, not a year's
    assert run.results.summary.decisions.decisions == [("TERMINAL", "build whole (40 t); doing without it would cost "
                                                                    "160 USD more in resource cost")]


def test_a_robust_plan_shares_the_terminal_decision(tmp_path):
    # Base: 60 t (no need for the terminal); scenario surge (probability 0.5): 100 t. Without the
    # terminal: 0.5*120 + 0.5*320 = 220; with it (40 a year): 0.5*160 + 0.5*240 = 200: built, for all.
    # The plan for the base case alone does not build it; under it the surge costs 320:
    # 0.5*120 + 0.5*320 = 220, so the value of the stochastic solution is 220 - 200 = 20.
    demand = [{"commodity": "coal", "market": "M", "demand_t": 60}]
    scenarios = [{"scenario": "surge", "sheet": "Demand", "key": "coal,,M", "column": "demand_t", "value": 100,
                  "probability": 0.5}]
    case = case_of(tmp_path, [option("TERMINAL", 40, 1.0, lumpy=True)], Demand=demand, Scenarios=scenarios)
    run = pipeline.run(case, robust="surge")
    assert run.solution.objective_usd == pytest.approx(200)
    assert (run.results.investments["built_t"] == 40).all()
    robust = {item: value for item, value, _ in run.results.summary.robust}
    assert robust["value of the stochastic solution"] == pytest.approx(20)


def test_check_confirms_whole_steps(tmp_path):
    run = solved(tmp_path, INTERACTING)
    sheets = {name: df.copy() for name, df in run.results.sheets().items()}
    inv = sheets["Investments"]
    inv.loc[inv["option"] == "SMALL", "built_t"] = 20.0  # two thirds of a terminal
    found = check_results(run.data, sheets)
    assert any("SMALL is built whole (lumpy), but 20.0 t is 0.666667 of them" in v for v in found), found


@pytest.mark.slow
def test_sweeps_re_solve_the_decisions_or_keep_them(tmp_path):
    # With road at 2 + 0 = 2 USD/t (A>R free), no terminal saves anything: re-solved, nothing is
    # built (200 USD: rail 60*2 + road 40*2); kept, SMALL stays (200 + 30 = 230).
    case = case_of(tmp_path, INTERACTING)
    out = {}
    for keep in (False, True):
        path = tmp_path / f"sweep_{keep}.xlsx"
        sweep_to_workbook(case, ["Legs[A>R].cost_usd_per_t=0,3"], None, path, progress=False, keep_decisions=keep)
        out[keep] = pd.read_excel(path, sheet_name="Points", header=2, engine="openpyxl")
    for keep, words in ((False, "re-solved (MIP)"), (True, "kept fixed")):
        pts = out[keep]
        assert (pts["integer decisions"] == words).all()
        assert pts["built"].iloc[1] == "SMALL 30 t"  # at the base value both ways
    assert out[False]["built"].iloc[0] == "nothing" and out[False]["objective (USD/yr)"].iloc[0] == pytest.approx(200)
    assert out[True]["built"].iloc[0] == "SMALL 30 t" and out[True]["objective (USD/yr)"].iloc[0] == pytest.approx(230)


def test_exact_breakpoints_need_the_decisions_kept(tmp_path, capsys):
    case = case_of(tmp_path, INTERACTING)
    args = ["sweep", str(case), "--exact", "--set", "Legs[A>R].cost_usd_per_t=0:3", "-o", str(tmp_path / "x.xlsx")]
    assert main(args) == 2
    assert "add --keep-decisions" in capsys.readouterr().err
    assert main(args + ["--keep-decisions"]) == 0


def test_explain_says_the_decisions_are_fixed(tmp_path):
    run = pipeline.run(case_of(tmp_path, INTERACTING))
    text = explain_route(run, "ROAD")
    assert "the LP with the build decisions fixed at the optimum's (BIG: do not build; SMALL: build whole (30 t))" \
        in text[-1]


@pytest.mark.parametrize("row, message", [
    (option("X", 40, 1.0, lumpy=True, module_t=10),
     "lumpy is TRUE, so the option is built whole (40 t) or not at all, and module_t 10 would split it"),
    (option("X", 40, 1.0, module_t=50),
     "a module of 50 t is more than the option can add (max_added_t 40 t), so not one module could be built"),
    (option("X", 40, 1.0, module_t=0), "must be more than 0, found 0"),
    (option("X", 40, 1.0, module_t=15),
     "max_added_t 40 t is not a whole number of modules of 15 t: at most 2 modules (30 t) can be built"),
    (option("X", 40, 1.0, fixed_cost_usd_per_yr=-5), "must be >= 0, found -5"),
])
def test_validation_of_whole_steps(tmp_path, row, message):
    plan, _ = load(case_of(tmp_path, [row]), ) if "not a whole number" in message else (None, None)
    if plan is None:
        with pytest.raises(InputError) as err:
            load(case_of(tmp_path, [row]))
        assert any(message in p.message and p.sheet == "Investments" for p in err.value.problems), err.value
    else:
        assert any(message in p.message for p in validate(plan.data))
