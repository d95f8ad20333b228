"""Route choice's own calibration (model.input.allocation): under allocation choice the least-cost fit's
premiums and calibration rules are left out (the dispersions are choice's calibration), least cost keeps
them; and a blank cargo_class on the Dispersions sheet is the pooled dispersion of every other class."""

from __future__ import annotations

import math

import pytest
from cases import solved_and_checked, transport_case, write_case

from model.errors import InputError
from model.input.read import read_input
from model.input.validate.choice import dispersions
from model.steps import load

# Two routes A->M for 100 t of coal: RAIL 10 USD/t, ROAD 15 + 5 = 20 USD/t; least cost's calibration wrote
# a premium of 1 USD/t on ROAD (source corridor calibrate) and a calibration rule: at least 30 t on A>R.
TEN_TWENTY = {"Legs": [{"from": "A", "to": "M", "mode": "rail", "cost_usd_per_t": 10, "transit_days": 0},
                       {"from": "A", "to": "R", "mode": "road", "cost_usd_per_t": 15, "transit_days": 0},
                       {"from": "R", "to": "M", "mode": "road", "cost_usd_per_t": 5, "transit_days": 0}]}
FITTED = {"Surcharges": [{"scope": "route", "target": "ROAD", "usd_per_t": 1.0, "source": "corridor calibrate"}],
          "Policies": [{"rule": "CAL_ROAD", "kind": "min_t", "scope": "leg", "target": "A>R", "value": 30,
                        "calibration": True}]}


def fitted(dispersion_rows: list[dict]) -> dict:
    return transport_case(**TEN_TWENTY, **FITTED, Dispersions=dispersion_rows)


def tonnes(run, route: str) -> float:
    f = run.results.flows
    return float(f.loc[f["route"] == route, "tonnes_t"].sum())


def test_choice_leaves_out_the_least_cost_premiums_and_rules_least_cost_keeps_them(tmp_path):
    rows = [{"cargo_class": "dry_bulk", "dispersion_usd_per_t": 10.0}]
    # least cost: the rule holds 30 t on ROAD (21 USD/t with its premium), the rest by RAIL:
    # 70 x 10 + 30 x 21 = 1,330 USD
    lc = solved_and_checked(tmp_path / "lc", fitted(rows))
    assert (tonnes(lc, "RAIL"), tonnes(lc, "ROAD")) == pytest.approx((70.0, 30.0))
    assert lc.solution.objective_usd == pytest.approx(1330.0)
    # choice, neither premium nor rule: RAIL e^-1 / (e^-1 + e^-2) = 73.106 t, ROAD 26.894 t (with the rule it
    # would be 70 / 30; with the premium alone 100 / (1 + e^-1.1) = 75.026)
    logit = solved_and_checked(tmp_path / "choice", fitted(rows), settings={"allocation": "choice"})
    assert tonnes(logit, "RAIL") == pytest.approx(100 / (1 + math.exp(-1)), abs=1e-4)
    assert tonnes(logit, "ROAD") == pytest.approx(100 * math.exp(-1) / (1 + math.exp(-1)), abs=1e-4)
    said = "under route choice the 1 calibration premiums and 1 calibration rules of the least-cost fit are left out"
    assert said in logit.results.summary.choice_lines()[0]
    items = dict(zip(logit.results.summary_table()["item"], logit.results.summary_table()["value"], strict=True))
    assert said in str(items["least-cost calibration"])


def test_allocation_option_leaves_them_out_in_every_case_load_builds(tmp_path):
    case = write_case(tmp_path, fitted([{"cargo_class": "dry_bulk", "dispersion_usd_per_t": 10.0}]))
    plan, _ = load(case, allocation="choice")
    for data in [plan.data, *(c.data for c in plan.cases)]:
        assert data.tables["Surcharges"].empty and data.tables["Policies"].empty
    assert not plan.cases[0].net.policy_limits
    kept, _ = load(case)
    assert len(kept.cases[0].net.policy_limits) == 1 and len(kept.data.tables["Surcharges"]) == 1


def test_a_blank_cargo_class_is_the_pooled_dispersion_of_every_class_without_its_own(tmp_path):
    tables = transport_case(
        Commodities=[{"commodity": "coal", "cargo_class": "dry_bulk", "value_usd_per_t": 0},
                     {"commodity": "wheat", "cargo_class": "grain", "value_usd_per_t": 0},
                     {"commodity": "ore", "cargo_class": "metals", "value_usd_per_t": 0}],
        Demand=[{"commodity": c, "market": "M", "demand_t": 100} for c in ("coal", "wheat", "ore")],
        Dispersions=[{"cargo_class": "grain", "dispersion_usd_per_t": 4.0, "standard_error_usd_per_t": 1.0},
                     {"cargo_class": None, "dispersion_usd_per_t": 7.0, "standard_error_usd_per_t": 2.0}])
    data = read_input(write_case(tmp_path / "case", tables))
    assert dispersions(data) == {"grain": 4.0, "dry_bulk": 7.0, "metals": 7.0}
    assert dispersions(data, "standard_error_usd_per_t") == {"grain": 1.0, "dry_bulk": 2.0, "metals": 2.0}
    # RAIL 2, ROAD 5 USD/t: coal and ore split 1 / (1 + e^(-3/7)) = 60.55 t by RAIL, wheat 1 / (1 + e^(-3/4)) = 67.92
    run = solved_and_checked(tmp_path / "run", tables, settings={"allocation": "choice"})
    f = run.results.flows
    rail = f[f["route"] == "RAIL"].groupby("commodity")["tonnes_t"].sum()
    assert rail["coal"] == pytest.approx(100 / (1 + math.exp(-3 / 7)), abs=1e-3)
    assert rail["ore"] == pytest.approx(100 / (1 + math.exp(-3 / 7)), abs=1e-3)
    assert rail["wheat"] == pytest.approx(100 / (1 + math.exp(-3 / 4)), abs=1e-3)


def test_a_second_blank_cargo_class_is_refused_with_its_row(tmp_path):
    rows = [{"cargo_class": None, "dispersion_usd_per_t": 7.0}, {"cargo_class": None, "dispersion_usd_per_t": 9.0}]
    case = write_case(tmp_path, transport_case(Dispersions=rows), {"allocation": "choice"})
    with pytest.raises(InputError) as e:
        load(case)
    text = str(e.value)
    assert "Dispersions" in text and "blank cargo_class" in text and "only one" in text
