"""Fit and calibration, worked out by hand: the implied premium of an observation is the dual of
its band, surcharges are a part of every cost, a split that costs cannot make is kept as a
calibration rule, and the calibrated input reproduces every observation it can."""

from __future__ import annotations

import pandas as pd
import pytest
from cases import legs, nodes, write_case

from model import pipeline
from model.analysis.calibrate import calibrate
from model.analysis.explain import explain_route
from model.cli import main
from model.commands.check import check_result
from model.input.read import read_input


def two_routes(**extra) -> dict:
    """100 t of coal from A to M: RAIL A>M at 10 USD/t, ROAD A>R>M at 15 + 10 = 25 USD/t."""
    tables = {
        "Countries": [{"country": "XX", "risk_premium_pct": 0}],
        "Nodes": nodes(("A", "origin"), ("R", "hub"), ("M", "market")),
        "Legs": legs(("A", "M", 10, 0), ("A", "R", 15, 0), ("R", "M", 10, 0)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk", "value_usd_per_t": 0}],
        "Routes": [{"route": "RAIL", "corridor": "Rail", "path": "A>M"},
                   {"route": "ROAD", "corridor": "Road", "path": "A>R>M"}],
        "Demand": [{"commodity": "coal", "market": "M", "demand_t": 100}],
    }
    tables.update(extra)
    return tables


def observed(name, scope, target, t, tolerance_t=None, tolerance_pct=None) -> dict:
    return {"observation": name, "scope": scope, "target": target, "observed_t": t, "tolerance_t": tolerance_t,
            "tolerance_pct": tolerance_pct, "source": "by hand"}


def row(cal, name):
    return cal.table.set_index("observation").loc[name]


def test_a_route_used_more_than_its_cost_says_has_a_positive_premium(tmp_path):
    # ROAD observed at 30 t: holding it there costs 15 USD/t more per tonne (25 - 10): premium +15.
    # With a surcharge of -15.01 ROAD is the cheaper route and takes all 100 t, so costs alone cannot
    # make the 30/70 split: the band is kept as two calibration rules, and the calibrated input
    # carries 30 t on ROAD.
    cal = calibrate(write_case(tmp_path, two_routes(Observations=[observed("B", "route", "ROAD", 30, 0)])))
    b = row(cal, "B")
    assert b["implied_premium_usd_per_t"] == pytest.approx(15)
    assert (b["modelled_before_t"], b["modelled_after_t"]) == pytest.approx((0, 30))
    assert b["held_by"] == "calibration rule" and bool(b["within_tolerance_after"])
    assert "shippers act as if route ROAD were 15.00 USD/t cheaper than its costs say" in b["in_words"]
    assert cal.surcharges.to_dict("records") == [
        {"scope": "route", "target": "ROAD", "commodity": None, "usd_per_t": pytest.approx(-15.01),
         "source": "corridor calibrate",
         "note": "implied premium of observation B (+15.00 USD/t; a cent more so that costs do not tie)"}]
    assert sorted(cal.rules["rule"]) == ["CAL_B_MAX", "CAL_B_MIN"] and cal.rules["calibration"].all()


def test_the_mirror_a_route_used_less_has_a_negative_premium(tmp_path):
    # RAIL observed at 60 t, so 40 t go by ROAD: each tonne held off RAIL costs 15 USD/t: premium -15.
    cal = calibrate(write_case(tmp_path, two_routes(Observations=[observed("A", "route", "RAIL", 60, 0)])))
    a = row(cal, "A")
    assert a["implied_premium_usd_per_t"] == pytest.approx(-15)
    assert "as if route RAIL were 15.00 USD/t dearer than its costs say" in a["in_words"]
    assert a["modelled_after_t"] == pytest.approx(60)


def test_a_premium_that_costs_alone_hold(tmp_path):
    # Everything observed by ROAD (100 t): premium +15; with a surcharge of -15.01 ROAD costs 9.99 and
    # takes all 100 t on its own: held by costs, no rule.
    cal = calibrate(write_case(tmp_path, two_routes(Observations=[observed("B", "route", "ROAD", 100, 0)])))
    b = row(cal, "B")
    assert b["implied_premium_usd_per_t"] == pytest.approx(15)
    assert b["held_by"] == "costs (surcharge)" and b["modelled_after_t"] == pytest.approx(100)
    assert not len(cal.rules)


def test_an_observation_already_within_needs_nothing(tmp_path):
    # RAIL carries at most 70 t, so ROAD gets 30 t: ROAD observed at 30 t (±5) is reproduced as it is.
    tables = two_routes(Capacities=[{"element": "A>M", "capacity_t": 70}],
                        Observations=[observed("B", "route", "ROAD", 30, 5)])
    cal = calibrate(write_case(tmp_path, tables))
    b = row(cal, "B")
    assert b["implied_premium_usd_per_t"] == pytest.approx(0)
    assert b["held_by"] == "already within its tolerance"
    assert not len(cal.surcharges) and not len(cal.rules)


def test_a_band_that_cannot_hold_is_relaxed_and_said(tmp_path):
    # RAIL observed at 130 t, more than the 100 t demanded: the band gives way at the penalty.
    cal = calibrate(write_case(tmp_path, two_routes(Observations=[observed("X", "route", "RAIL", 130, 0)])))
    x = row(cal, "X")
    assert x["held_by"].startswith("relaxed") and x["implied_premium_usd_per_t"] != x["implied_premium_usd_per_t"]
    assert "cannot be reached together with the other observations" in x["in_words"]
    assert not len(cal.surcharges) and not len(cal.rules)


def test_a_surcharge_is_a_part_of_every_cost(tmp_path):
    # ROAD with a surcharge of -16 USD/t costs 25 - 16 = 9 < 10: all 100 t by ROAD, 900 USD a year.
    case = write_case(tmp_path, two_routes(Surcharges=[{"scope": "route", "target": "ROAD", "usd_per_t": -16}]))
    run = pipeline.run(case)
    assert run.solution.objective_usd == pytest.approx(900)
    flows = run.results.flows.set_index("route")
    assert flows.loc["ROAD", "surcharge_usd_per_t"] == pytest.approx(-16)
    assert run.results.summary.parts_usd["surcharge"] == pytest.approx(-1600)
    (text,) = explain_route(run, "ROAD")
    assert "at 9.00 USD/t (transport 25.00, handling 0.00, time 0.00, risk 0.00, surcharge -16.00)" in text
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out)]) == 0
    assert check_result(case, out)[:2] == ([], [])


def test_the_fit_by_hand(tmp_path):
    # Free solve: RAIL 100 t, ROAD 0. RAIL observed 90 (±5%: ±4.5), ROAD observed 10 (±2 t).
    # Errors +10 and -10: neither within; weighted absolute error (10 + 10) / (90 + 10) = 20%.
    tables = two_routes(Observations=[observed("R1", "route", "RAIL", 90, tolerance_pct=5),
                                      observed("R2", "route", "ROAD", 10, tolerance_t=2)])
    run = pipeline.run(write_case(tmp_path, tables))
    fit = run.results.fit.set_index("observation")
    assert list(fit["modelled_t"]) == pytest.approx([100, 0])
    assert list(fit["error_t"]) == pytest.approx([10, -10])
    assert list(fit["tolerance_t"]) == pytest.approx([4.5, 2])
    assert not fit["within_tolerance"].any()
    s = run.results.summary.fit
    assert (s.count, s.within, s.wape) == (2, 0, pytest.approx(0.2))
    assert s.misses[0] == "R1, route RAIL: 0.00 Mt modelled against 0.00 Mt observed (+11%)"


@pytest.mark.slow
def test_the_calibrated_input_reproduces_its_observations_and_checks(tmp_path, capsys):
    case = write_case(tmp_path, two_routes(Observations=[observed("B", "route", "ROAD", 30, 0)]))
    out = tmp_path / "calibrated.xlsx"
    assert main(["calibrate", str(case), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "1 informative observations; within tolerance 0 before calibration, 1 after." in text
    data = read_input(out)
    assert len(data.notes["Calibration"]) == 1
    policies = data.tables["Policies"].set_index("rule")
    assert policies.loc["CAL_B_MIN", "calibration"] is True and policies.loc["CAL_B_MIN", "value"] == 30
    result = tmp_path / "result.xlsx"
    assert main(["solve", str(out), "-o", str(result)]) == 0
    run = pipeline.run(out)
    assert run.results.fit.set_index("observation").loc["B", "modelled_t"] == pytest.approx(30)
    assert run.solution.objective_usd == pytest.approx(30 * (25 - 15.01) + 70 * 10)  # costs after the surcharge
    assert check_result(out, result)[:2] == ([], [])


def test_calibration_rules_are_off_with_the_setting(tmp_path):
    case = write_case(tmp_path, two_routes(Observations=[observed("B", "route", "ROAD", 30, 0)]))
    out = tmp_path / "calibrated.xlsx"
    assert main(["calibrate", str(case), "-o", str(out)]) == 0
    off = tmp_path / "off"
    assert main(["convert", str(out), "-o", str(off)]) == 0
    settings = (off / "Settings.csv").read_text().replace("calibration_rules,True", "calibration_rules,False")
    (off / "Settings.csv").write_text(settings)
    fit = pipeline.run(off).results.fit.set_index("observation")
    assert fit.loc["B", "modelled_t"] in (pytest.approx(0), pytest.approx(100))  # a tie: one route or the other


def test_calibrate_needs_observations(tmp_path, capsys):
    case = write_case(tmp_path, two_routes())
    assert main(["calibrate", str(case), "-o", str(tmp_path / "out.xlsx")]) == 2
    assert "has no observations to calibrate to: the Observations sheet is missing or has no rows" in \
        capsys.readouterr().err
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.slow
def test_check_recomputes_the_fit(tmp_path):
    from openpyxl import load_workbook

    tables = two_routes(Observations=[observed("R1", "route", "RAIL", 90, tolerance_pct=5)])
    case = write_case(tmp_path, tables)
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out)]) == 0
    assert check_result(case, out)[:2] == ([], [])
    wb = load_workbook(out)
    ws = wb["Fit"]
    header = [c.value for c in ws[3]]
    ws.cell(row=4, column=header.index("modelled (t/yr)") + 1).value = 55.0
    wb.save(out)
    errors, _ = check_result(case, out)[:2]
    assert errors == ["Fit: observation R1 modelled 55 t, flows give 100"]


def test_premiums_with_and_without_a_commodity_filter(tmp_path):
    # Coal to M and wheat to N, each by RAIL at 10 USD/t or by a road through R at 15 + 10 = 25.
    # B observes all the coal on ROAD, C all of N's cargo on ROADN (no commodity filter): each
    # premium is +15, written as surcharges of -15.01, one with a commodity and one without. The
    # blank filter must stay blank (not a filter named NaN, as pandas makes of a text column with
    # a blank), and the costs alone then hold both observations.
    tables = two_routes(
        Nodes=nodes(("A", "origin"), ("R", "hub"), ("M", "market"), ("N", "market")),
        Legs=legs(("A", "M", 10, 0), ("A", "R", 15, 0), ("R", "M", 10, 0), ("A", "N", 10, 0), ("R", "N", 10, 0)),
        Commodities=[{"commodity": "coal", "cargo_class": "dry_bulk", "value_usd_per_t": 0},
                     {"commodity": "wheat", "cargo_class": "grain", "value_usd_per_t": 0}],
        Routes=[{"route": "RAIL", "corridor": "Rail", "path": "A>M"},
                {"route": "ROAD", "corridor": "Road", "path": "A>R>M"},
                {"route": "RAILN", "corridor": "Rail", "path": "A>N"},
                {"route": "ROADN", "corridor": "Road", "path": "A>R>N"}],
        Demand=[{"commodity": "coal", "market": "M", "demand_t": 100},
                {"commodity": "wheat", "market": "N", "demand_t": 100}],
        Observations=[{**observed("B", "route", "ROAD", 100, 0), "commodity": "coal"},
                      observed("C", "route", "ROADN", 100, 0)])
    case = write_case(tmp_path, tables)
    cal = calibrate(case)
    written = cal.data.tables["Surcharges"]
    assert list(written["commodity"]) == ["coal", None]
    assert list(written["usd_per_t"]) == pytest.approx([-15.01, -15.01])
    for name in ("B", "C"):
        assert row(cal, name)["held_by"] == "costs (surcharge)" and row(cal, name)["modelled_after_t"] == \
            pytest.approx(100)
    out = tmp_path / "calibrated.xlsx"
    assert main(["calibrate", str(case), "-o", str(out)]) == 0
    assert main(["validate", str(out)]) == 0


def test_calibrate_replaces_the_rows_it_wrote(tmp_path, capsys):
    # An input calibrated earlier (ROAD's surcharge of -15.01, source corridor calibrate) whose road
    # then became dearer: R>M 10 -> 20, so ROAD costs 15 + 20 - 15.01 = 19.99 against RAIL's 10, and B
    # (all 100 t by ROAD) is missed. The premium is implied against the costs without the earlier row:
    # 35 - 10 = +25, written as -25.01 in its place (not a second row beside it, which would not
    # validate), and the costs alone hold B again.
    earlier = {"scope": "route", "target": "ROAD", "usd_per_t": -15.01, "source": "corridor calibrate"}
    tables = two_routes(Legs=legs(("A", "M", 10, 0), ("A", "R", 15, 0), ("R", "M", 20, 0)), Surcharges=[earlier],
                        Observations=[observed("B", "route", "ROAD", 100, 0)])
    case = write_case(tmp_path, tables)
    out = tmp_path / "calibrated.xlsx"
    assert main(["calibrate", str(case), "-o", str(out)]) == 0
    assert "(It replaces what an earlier calibration wrote: 1 Surcharges row.)" in capsys.readouterr().out
    written = read_input(out).tables["Surcharges"]
    assert list(written["usd_per_t"]) == pytest.approx([-25.01])
    assert main(["validate", str(out)]) == 0
    assert pipeline.run(out).results.fit.set_index("observation").loc["B", "modelled_t"] == pytest.approx(100)


def test_calibrating_twice_gives_the_same_input(tmp_path, capsys):
    # B at 30 t on ROAD: a surcharge and two calibration rules (see the first test). Calibrated again,
    # the same rows replace them, once each, and the result validates.
    case = write_case(tmp_path, two_routes(Observations=[observed("B", "route", "ROAD", 30, 0)]))
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    assert main(["calibrate", str(case), "-o", str(once)]) == 0
    assert main(["calibrate", str(once), "-o", str(twice)]) == 0
    assert "1 Surcharges row and 2 calibration rules.)" in capsys.readouterr().out
    assert main(["validate", str(twice)]) == 0
    a, b = read_input(once), read_input(twice)
    for sheet in ("Surcharges", "Policies"):
        pd.testing.assert_frame_equal(a.tables[sheet], b.tables[sheet], check_exact=False)
    assert b.settings.scenario_name == a.settings.scenario_name  # not "(calibrated) (calibrated)"


def test_a_premium_on_a_surcharge_of_the_users_own_is_refused(tmp_path, capsys):
    # The user's own surcharge on ROAD (not written by calibrate): the premium cannot be written beside
    # it (two rows with one key), nor over it: refused, nothing written.
    own = {"scope": "route", "target": "ROAD", "usd_per_t": 2, "source": "tariff book"}
    case = write_case(tmp_path, two_routes(Surcharges=[own], Observations=[observed("B", "route", "ROAD", 100, 0)]))
    out = tmp_path / "calibrated.xlsx"
    assert main(["calibrate", str(case), "-o", str(out)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "Surcharges, row 2 (route, ROAD): calibrate would add a row with the same key (route, ROAD), but this row " \
           "was not written by corridor calibrate (its source is 'tariff book')." in err
    assert not out.exists()


def test_an_observation_on_a_disabled_route(tmp_path, capsys):
    # ROAD is disabled, so nothing can pass it: its 30 t are a miss the validation warns of, and
    # calibrate gives that reason, not the limits of the model.
    tables = two_routes(Observations=[observed("B", "route", "ROAD", 30, 0)])
    tables["Routes"][1]["enabled"] = False
    case = write_case(tmp_path, tables)
    assert main(["validate", str(case)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "Observations, row 2 (B), target: observes 30 t through route 'ROAD', but route ROAD is disabled (Routes " \
           "row 3, enabled FALSE): the model carries nothing there, so the Fit sheet will miss it and corridor " \
           "calibrate cannot reproduce it. Enable the route (enabled TRUE on the Routes sheet), or remove the " \
           "observation." in err
    b = row(calibrate(case), "B")
    assert b["held_by"] == "relaxed: no flow can pass its target"
    assert b["in_words"] == ("route ROAD: the observed 0.00 Mt cannot be reached: route ROAD is disabled "
                             "(Routes row 3, enabled FALSE). Enable the route (enabled TRUE on the Routes sheet), "
                             "or remove the observation.")
