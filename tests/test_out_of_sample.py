"""Out of sample and identification (issue 24, items 6 and 7), worked out by hand: an observation the
constraints alone hold within its band is an identity, left out of the fit score and given no
premium; a test row is never fitted, is predicted (under the scenario it was observed in) and is
scored apart."""

from __future__ import annotations

import pandas as pd
import pytest
from cases import legs, nodes, write_case

from model import pipeline
from model.analysis.calibrate import calibrate
from model.cli import main
from model.commands.check import check_result
from model.input.read import read_input
from model.report.console import solve_text


def through_h(**extra) -> dict:
    """100 t of coal from A to M, every route through hub H: SHORT A>H>M at 5 + 5 = 10 USD/t, LONG
    A>H>R>M at 5 + 10 + 5 = 20 USD/t."""
    tables = {
        "Countries": [{"country": "XX", "risk_premium_pct": 0}],
        "Nodes": nodes(("A", "origin"), ("H", "hub"), ("R", "hub"), ("M", "market")),
        "Legs": legs(("A", "H", 5, 0), ("H", "M", 5, 0), ("H", "R", 10, 0), ("R", "M", 5, 0)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk", "value_usd_per_t": 0},
                        {"commodity": "grain", "cargo_class": "grain", "value_usd_per_t": 0}],
        "Routes": [{"route": "SHORT", "corridor": "Short", "path": "A>H>M"},
                   {"route": "LONG", "corridor": "Long", "path": "A>H>R>M"}],
        "Demand": [{"commodity": "coal", "market": "M", "demand_t": 100}],
    }
    tables.update(extra)
    return tables


def observed(name, scope, target, t, tolerance_t, commodity=None, role=None, scenario=None) -> dict:
    return {"observation": name, "scope": scope, "target": target, "commodity": commodity, "observed_t": t,
            "tolerance_t": tolerance_t, "source": "by hand", "role": role, "scenario": scenario}


def test_a_node_every_route_passes_is_an_identity_one_of_two_routes_is_informative(tmp_path):
    # Node H: every allocation of the 100 t passes it, so least = most = 100, inside 95..105: an identity.
    # Route LONG: anything from 0 (all by SHORT) to 100 (all by LONG): least 0, most 100, not inside 25..35.
    # The optimum puts all 100 t on SHORT (10 < 20 USD/t): LONG 0 against 30, error -30, not within.
    # Score: 0 of 1 informative observations (H not counted), weighted error 30 / 30 = 100%.
    tables = through_h(Observations=[observed("H", "node", "H", 100, 5), observed("L", "route", "LONG", 30, 5)])
    run = pipeline.run(write_case(tmp_path, tables))
    fit = run.results.fit.set_index("observation")
    assert list(fit["least_t"]) == pytest.approx([100, 0]) and list(fit["most_t"]) == pytest.approx([100, 100])
    assert list(fit["identity"]) == [True, False]
    assert list(fit["within_tolerance"]) == [True, False]
    s = run.results.summary.fit
    assert (s.count, s.within, s.identities, s.wape) == (1, 0, 1, pytest.approx(1.0))
    assert ("Fit: 0 of 1 informative observations within tolerance; 1 identities not counted; weighted absolute "
            "error 100.0%") in solve_text(run.results)
    # Tables made without the analyses (no ranges) never call a score informative: 1 of 2, H counted.
    bare = pipeline.tabulate(run.plan, run.solution, pipeline.Analyses()).summary.fit
    assert bare.text().startswith("1 of 2 observations (identities not worked out) within tolerance")


def test_a_capacity_narrows_what_a_target_can_carry(tmp_path):
    # H>M carries at most 70 t, so LONG carries at least 30 t and at most 100: LONG observed 60 (±50, band
    # 10..110) holds whatever the costs: an identity. Unmet demand may not be used to empty a target: demand
    # is held as the optimum delivers it (a penalty of 1,000 USD/t, nothing unmet).
    tables = through_h(Capacities=[{"element": "H>M", "capacity_t": 70}],
                       Observations=[observed("L", "route", "LONG", 60, 50)])
    run = pipeline.run(write_case(tmp_path, tables, {"unmet_penalty_usd_per_t": 1000}))
    rec = run.results.fit.iloc[0]
    assert (rec["least_t"], rec["most_t"], rec["identity"]) == (pytest.approx(30), pytest.approx(100), True)


def two_cargoes(*observations, scenarios=()) -> dict:
    """100 t of coal and 50 t of grain from A to M, each by SHORT (10 USD/t) or LONG (20 USD/t)."""
    return through_h(Demand=[{"commodity": "coal", "market": "M", "demand_t": 100},
                             {"commodity": "grain", "market": "M", "demand_t": 50}],
                     Observations=list(observations), **({"Scenarios": list(scenarios)} if scenarios else {}))


FIT_LONG = observed("F", "route", "LONG", 150, 0)  # everything by LONG: a premium of +10 on LONG holds it


def test_a_held_out_observation_is_predicted_and_scored_apart(tmp_path, capsys):
    # Calibration fits F alone: LONG is 10 USD/t dearer, premium +10, surcharge -10.01, and all 150 t go by
    # LONG. The test rows are predicted by the calibrated input: T (grain on LONG, 40 ±5) gets 50, error 10,
    # not within; U (coal on SHORT, 0 ±1) gets 0, within. Out of sample: 1 of 2, weighted error
    # (10 + 0) / (40 + 0) = 25%. The fit score counts F alone: 1 of 1. N (node H, 150 ±5: every tonne passes
    # H) is a test identity: predicted by construction, not scored.
    tables = two_cargoes(FIT_LONG, observed("T", "route", "LONG", 40, 5, "grain", "test"),
                         observed("U", "route", "SHORT", 0, 1, "coal", "test"), observed("N", "node", "H", 150, 5,
                                                                                          role="test"))
    cal = calibrate(write_case(tmp_path, tables))
    assert cal.table.set_index("observation").loc["N", "held_by"].endswith("an identity, not scored")
    assert cal.surcharges["usd_per_t"].tolist() == pytest.approx([-10.01])
    test = cal.table.set_index("observation").loc[["T", "U"]]
    assert test["modelled_after_t"].tolist() == pytest.approx([50, 0])
    assert test["implied_premium_usd_per_t"].isna().all() and list(cal.table["observation"][-3:]) == ["T", "U", "N"]
    out = tmp_path / "calibrated.xlsx"
    assert main(["calibrate", str(write_case(tmp_path, tables)), "-o", str(out)]) == 0
    assert ("Predicted out of sample: 1 of 2, weighted error 25.0% (1 test identities not counted)."
            in capsys.readouterr().out)
    run = pipeline.run(out)
    fit = run.results.fit
    assert list(fit["observation"]) == ["F", "T", "U", "N"] and list(fit["role"]) == ["fit", "test", "test", "test"]
    assert fit["modelled_t"].tolist() == pytest.approx([150, 50, 0, 150])
    s = run.results.summary.fit
    assert (s.count, s.within, s.tested, s.predicted, s.test_wape) == (1, 1, 2, 1, pytest.approx(0.25))
    assert ("predicted out of sample: 1 of 2, weighted error 25.0% (1 test identities not counted)"
            in solve_text(run.results))
    items = dict(zip(run.results.summary_table()["item"], run.results.summary_table()["value"], strict=True))
    assert items["predicted out of sample"] == "1 of 2"


def test_calibration_does_not_move_when_a_test_row_changes(tmp_path):
    # T held out: whatever it says (grain on SHORT, 50 t or 0 t), the premiums and the rules are F's alone.
    # Fitted, T at 0 t on SHORT would have moved the grain and given a premium of its own.
    def fitted(t: float) -> tuple[list, list]:
        folder = tmp_path / str(t)
        folder.mkdir()
        cal = calibrate(write_case(folder, two_cargoes(FIT_LONG, observed("T", "route", "SHORT", t, 0, "grain",
                                                                          "test"))))
        return cal.surcharges.drop(columns="note").to_dict("records"), cal.rules.to_dict("records")

    assert fitted(50) == fitted(0)


def test_a_test_row_with_a_scenario_is_evaluated_under_that_scenario(tmp_path):
    # The case puts all 150 t on SHORT (10 < 20 USD/t). Scenario short_dear raises H>M to 25 USD/t: SHORT costs
    # 30, so all 150 t go by LONG. S, LONG observed 150 (±1) in that world, is predicted under it: 150, within;
    # C, LONG observed 0 (±1) in the case itself, is predicted on the case's solve: 0, within. Both can carry
    # 0..150 t (informative). Out of sample 2 of 2, weighted error 0.
    dear = {"scenario": "short_dear", "sheet": "Legs", "key": "H>M", "column": "cost_usd_per_t", "value": 25}
    tables = two_cargoes(observed("S", "route", "LONG", 150, 1, role="test", scenario="short_dear"),
                         observed("C", "route", "LONG", 0, 1, role="test"), scenarios=[dear])
    case = write_case(tmp_path, tables)
    run = pipeline.run(case)
    fit = run.results.fit.set_index("observation")
    assert fit.loc["S", "observed_in"] == "short_dear" and fit.loc["C", "observed_in"] == ""
    assert fit["modelled_t"].tolist() == pytest.approx([150, 0])
    assert fit["most_t"].tolist() == pytest.approx([150, 150]) and not fit["identity"].any()
    s = run.results.summary.fit
    assert (s.count, s.tested, s.predicted, s.test_wape) == (0, 2, 2, pytest.approx(0.0))
    # corridor check recomputes C from the flows, and S not (another world's), and each within least..most.
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out), "--no-map"]) == 0
    assert check_result(case, out)[:2] == ([], [])


def test_a_test_row_is_ranged_in_its_scenario_and_one_without_an_optimum_there_is_said(tmp_path):
    # Scenario short_closed disables SHORT: in that world LONG carries all 150 t whatever the costs, so S (LONG
    # 150 ±1) is an identity there (in the case's own world LONG may carry 0..150). Scenario jammed also caps R at
    # 10 t: no allocation delivers 150 t, no optimum, so J is not predicted and the line says so.
    closed = {"scenario": "short_closed", "sheet": "Routes", "key": "SHORT", "column": "enabled", "value": "FALSE"}
    jam = {"scenario": "jammed", "sheet": "Capacities", "key": "R", "column": "capacity_t", "value": 10}
    tables = two_cargoes(observed("S", "route", "LONG", 150, 1, role="test", scenario="short_closed"),
                         observed("J", "route", "LONG", 150, 1, role="test", scenario="short_closed+jammed"),
                         observed("C", "route", "LONG", 0, 1, role="test"), scenarios=[closed, jam])
    tables["Capacities"] = [{"element": "R", "capacity_t": 1000}]
    run = pipeline.run(write_case(tmp_path, tables))
    fit = run.results.fit.set_index("observation")
    assert (fit.loc["S", "least_t"], fit.loc["S", "most_t"], fit.loc["S", "identity"]) == (150, 150, True)
    assert pd.isna(fit.loc["J", "modelled_t"]) and pd.isna(fit.loc["J", "least_t"])
    # Counted: C (0 against 0, within) and J (not predicted, not within); S an identity.
    s = run.results.summary.fit
    assert (s.tested, s.predicted, s.test_identities, s.unpredicted) == (2, 1, 1, ["J"])
    assert s.test_text() == ("predicted out of sample: 1 of 2, no weighted error (1 test identities not counted); "
                             "not predicted, their scenario has no optimum: J")


@pytest.mark.parametrize(("row", "message"), [
    (observed("S", "route", "LONG", 150, 1, role="test", scenario="shrt_closed"),
     "Observations, row 2 (S), scenario: unknown scenario 'shrt_closed'. Did you mean 'short_closed'?"),
    (observed("S", "route", "LONG", 150, 1, scenario="short_closed"),
     "Observations, row 2 (S), scenario: a fit row cannot name a scenario (found 'short_closed'): calibration fits "
     "the case itself, not the world of a scenario"),
])
def test_a_scenario_an_observation_cannot_name_is_a_clear_error(tmp_path, capsys, row, message):
    closed = {"scenario": "short_closed", "sheet": "Routes", "key": "SHORT", "column": "enabled", "value": "FALSE"}
    assert main(["solve", str(write_case(tmp_path, two_cargoes(row, scenarios=[closed])))]) == 2
    assert message in " ".join(capsys.readouterr().err.split())


def test_an_identity_identifies_no_premium(tmp_path, capsys):
    # H (every route passes it: 100 t whatever the costs) identifies no premium: blank, with the reason, and no
    # surcharge; L (LONG observed 100 t: premium +10) is fitted as before.
    tables = through_h(Observations=[observed("H", "node", "H", 100, 5), observed("L", "route", "LONG", 100, 0)])
    case = write_case(tmp_path, tables)
    cal = calibrate(case)
    h = cal.table.set_index("observation").loc["H"]
    assert pd.isna(h["implied_premium_usd_per_t"]) and h["held_by"] == "identity: within tolerance whatever the costs"
    assert "no premium identified" in h["in_words"]
    assert cal.surcharges[["target", "usd_per_t"]].to_dict("records") == [{"target": "LONG",
                                                                           "usd_per_t": pytest.approx(-10.01)}]
    out = tmp_path / "calibrated.xlsx"
    assert main(["calibrate", str(case), "-o", str(out)]) == 0
    assert ("1 informative observations; within tolerance 0 before calibration, 1 after; 1 identities not counted, "
            "and no premium for them, which no observation identifies: H.") in capsys.readouterr().out
    written = read_input(out).notes["Calibration"]
    assert len(written) == 2


def test_a_plan_ranges_each_year_on_its_own(tmp_path):
    # Two planned years; in 2031 H>M carries at most 70 t, so LONG carries 30..100 t there and 0..100 in 2030:
    # LONG observed 60 (±50) is an identity in 2031 only.
    tables = through_h(Periods=[{"year": 2030}, {"year": 2031}],
                       Capacities=[{"element": "H>M", "capacity_t": 70, "year": 2031}],
                       Observations=[observed("L", "route", "LONG", 60, 50)])
    run = pipeline.run(write_case(tmp_path, tables))
    fit = run.results.fit.set_index("year")
    assert fit["least_t"].tolist() == pytest.approx([0, 30]) and fit["most_t"].tolist() == pytest.approx([100, 100])
    assert fit["identity"].tolist() == [False, True]


def test_a_scenario_a_test_row_was_observed_in_is_validated_as_applied(tmp_path, capsys):
    # Scenario dry lowers coal's supply maximum to 50 t, below its minimum of 100: an input error in that world,
    # said with the scenario and the cell, before anything is solved (not a prediction of nan).
    dry = {"scenario": "dry", "sheet": "Supply", "key": "coal,A", "column": "max_t", "value": 50}
    tables = two_cargoes(observed("S", "route", "LONG", 150, 1, role="test", scenario="dry"), scenarios=[dry])
    tables["Supply"] = [{"commodity": "coal", "origin": "A", "max_t": 200, "min_t": 100}]
    assert main(["solve", str(write_case(tmp_path, tables))]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert ("in scenario dry (the Observations sheet's test rows were observed in it): min_t 100 is above max_t 50"
            in err), err
