"""The route-choice allocation (model.lp.choice): hand-worked logit splits, tolls and limits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from cases import solved_and_checked, transport_case

# Two routes A->M for 100 t of coal: RAIL 2 USD/t, ROAD 3 + 2 = 5 USD/t (tests/cases.py). The issue's
# case is 10 and 20 USD/t: the legs below make it so.
TEN_TWENTY = {"Legs": [{"from": "A", "to": "M", "mode": "rail", "cost_usd_per_t": 10, "transit_days": 0},
                       {"from": "A", "to": "R", "mode": "road", "cost_usd_per_t": 15, "transit_days": 0},
                       {"from": "R", "to": "M", "mode": "road", "cost_usd_per_t": 5, "transit_days": 0}]}


def choice(dispersion: float, **tables):
    return transport_case(**TEN_TWENTY, Dispersions=[{"cargo_class": "dry_bulk", "dispersion_usd_per_t": dispersion}],
                          **tables)


def tonnes(run, route):
    f = run.results.flows
    return float(f.loc[f["route"] == route, "tonnes_t"].sum())


def test_two_routes_split_by_the_logit(tmp_path):
    # theta = 0.1 per USD/t (dispersion 10 USD/t): RAIL's share e^-1 / (e^-1 + e^-2) = 1 / (1 + e^-1) = 0.7311
    run = solved_and_checked(tmp_path, choice(10.0), settings={"allocation": "choice"})
    assert tonnes(run, "RAIL") == pytest.approx(100 / (1 + math.exp(-1)), abs=1e-4)  # 73.106
    assert tonnes(run, "ROAD") == pytest.approx(100 * math.exp(-1) / (1 + math.exp(-1)), abs=1e-4)  # 26.894
    # what the allocation costs: 73.106 x 10 + 26.894 x 20 = 1,268.94 USD
    assert run.solution.objective_usd == pytest.approx(1000 + 1000 * math.exp(-1) / (1 + math.exp(-1)), abs=1e-3)


def test_a_full_route_tolls_the_cargo_it_cannot_take(tmp_path):
    # RAIL limited to 60 t: 60 / 40, and the toll t on RAIL makes the logit give that split:
    # ln(60/40) = 0.1 (20 - (10 + t)) -> t = 10 - 10 ln 1.5 = 5.945 USD/t
    run = solved_and_checked(tmp_path, choice(10.0, Capacities=[{"element": "A>M", "capacity_t": 60}]),
                             settings={"allocation": "choice"})
    assert tonnes(run, "RAIL") == pytest.approx(60, abs=1e-4)
    assert tonnes(run, "ROAD") == pytest.approx(40, abs=1e-4)
    cap = run.results.capacity.iloc[0]
    assert cap["shadow_price_usd_per_t"] == pytest.approx(10 - 10 * math.log(1.5), abs=1e-4)  # 5.945


def test_a_small_dispersion_gives_the_least_cost_optimum(tmp_path):
    # dispersion 0.1 USD/t against a 10 USD/t difference: ROAD's share e^-100, nothing; with RAIL at
    # 60 t the rest goes by road, as the LP: 60 x 10 + 40 x 20 = 1,400 USD
    caps = {"Capacities": [{"element": "A>M", "capacity_t": 60}]}
    lp = solved_and_checked(tmp_path / "lp", choice(0.1, **caps))
    logit = solved_and_checked(tmp_path / "logit", choice(0.1, **caps), settings={"allocation": "choice"})
    assert lp.solution.objective_usd == pytest.approx(1400)
    assert logit.solution.objective_usd == pytest.approx(1400, abs=1e-3)
    for route in ("RAIL", "ROAD"):
        assert tonnes(logit, route) == pytest.approx(tonnes(lp, route), abs=1e-3)
    # the toll tends to the LP's shadow price (10) less the dispersion's ln 1.5: 10 - 0.1 ln 1.5
    assert logit.results.capacity.iloc[0]["shadow_price_usd_per_t"] == pytest.approx(10 - 0.1 * math.log(1.5),
                                                                                        abs=1e-4)


def test_least_cost_stays_the_default(tmp_path):
    # the same input with a Dispersions sheet but no allocation setting: the LP, 100 t by RAIL at 10
    run = solved_and_checked(tmp_path, choice(10.0))
    assert tonnes(run, "RAIL") == pytest.approx(100)
    assert run.solution.choice is None


def test_choice_without_a_dispersion_names_the_class_and_the_fix(tmp_path):
    from cases import write_case

    from model import pipeline
    from model.errors import InputError

    case = write_case(tmp_path, transport_case(), {"allocation": "choice"})
    with pytest.raises(InputError) as e:
        pipeline.run(case)
    text = str(e.value)
    assert "dry_bulk" in text and "Dispersions" in text and "calibrate --estimate" in text


@pytest.mark.parametrize("seed", range(6))
def test_the_logit_meets_every_row_and_its_shares(tmp_path, seed):
    # a property: on random two-market cases with a capacity, the split meets demand and the capacity,
    # and within a demand row the tonnes of any two routes stand in the ratio exp(-theta (g1 - g2)) of their
    # generalised costs (cost plus tolls), which the check recomputes independently
    rng = np.random.default_rng(seed)
    legs = [{"from": "A", "to": "M", "mode": "rail", "cost_usd_per_t": float(rng.uniform(1, 30)), "transit_days": 0},
            {"from": "A", "to": "R", "mode": "road", "cost_usd_per_t": float(rng.uniform(1, 30)), "transit_days": 0},
            {"from": "R", "to": "M", "mode": "road", "cost_usd_per_t": float(rng.uniform(1, 30)), "transit_days": 0}]
    cap = float(rng.uniform(10, 90))
    tables = transport_case(Legs=legs, Capacities=[{"element": "A>M", "capacity_t": cap}],
                            Dispersions=[{"cargo_class": "dry_bulk",
                                          "dispersion_usd_per_t": float(rng.uniform(0.5, 20))}])
    run = solved_and_checked(tmp_path, tables, settings={"allocation": "choice"})
    assert tonnes(run, "RAIL") + tonnes(run, "ROAD") == pytest.approx(100, abs=1e-4)
    assert tonnes(run, "RAIL") <= cap + 1e-4


@pytest.mark.parametrize("seed, years", [(1, False), (2, False), (3, True), (4, True), (5, False)])
def test_every_row_of_the_lp_holds_under_choice_on_random_cases(tmp_path, seed, years):
    # a property on random cases with every family (supply minimums, share and tonnage rules, CO2e caps,
    # investments, surcharges, seasons on odd seeds, years): the logit's tonnes meet every row of the LP as
    # HiGHS holds it, recomputed here from the matrix; every demand row is met (its flows and unmet tonnes sum
    # to it); a toll (a row dual) is non-zero only on a row at its bound; and within each demand row the
    # tonnes of two flows stand in the ratio exp(-theta (rc1 - rc2)) of their costs above the cheapest
    from lpforms import random_case
    from scipy import sparse

    from model.input.validate.choice import dispersions
    from model.steps import load, solve

    case = random_case(tmp_path, seed, years=years)
    plan, _ = load(case)
    plan.data.settings = plan.data.settings.replace(allocation="choice")
    for c in plan.cases:
        c.data.settings = c.data.settings.replace(allocation="choice")
    sol = solve(plan)
    assert sol.choice is not None
    lp = sol.highs.getLp()
    a = lp.a_matrix_
    shape = (lp.num_row_, lp.num_col_)
    matrix = (sparse.csc_matrix((a.value_, a.index_, a.start_), shape=shape) if len(a.start_) == lp.num_col_ + 1
              else sparse.csr_matrix((a.value_, a.index_, a.start_), shape=shape))
    activity = matrix @ sol.x
    lower, upper = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    scale = 1e-6 * np.maximum(1.0, np.maximum(np.abs(np.where(np.isfinite(lower), lower, 0)),
                                               np.abs(np.where(np.isfinite(upper), upper, 0))))
    assert (activity >= lower - scale - 1e-3).all() and (activity <= upper + scale + 1e-3).all()
    assert (sol.x >= -1e-9).all()
    families = np.array([r.family for r in sol.rows])
    tolled = (np.abs(sol.y) > 1e-6) & ~np.isin(families, ["demand_balance", "season_demand"])
    at_bound = (np.abs(activity - lower) <= scale + 1e-3) | (np.abs(activity - upper) <= scale + 1e-3)
    assert at_bound[tolled].all(), [sol.rows[i] for i in np.flatnonzero(tolled & ~at_bound)][:5]
    # the logit within one demand row of the single-period case (seasons: the annual flows mix seasons)
    net = plan.cases[0].net
    if plan.single and net.seasons is None:
        theta = {k: 1 / v for k, v in dispersions(plan.data).items()}
        first = sol.col_pos[("Flow", None)].start
        for lo, hi in net.demand_span.values():
            if hi - lo < 2:
                continue
            x, rc = sol.x[first + lo:first + hi], sol.rc[first + lo:first + hi]
            k = net.flows[lo][0]
            t = theta[net.commodity_class[k]]
            big = x > 1e-3 * x.max()
            if big.sum() >= 2:
                i, j = np.flatnonzero(big)[:2]
                assert math.log(x[i] / x[j]) == pytest.approx(-t * (rc[i] - rc[j]), abs=1e-5)
