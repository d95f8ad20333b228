"""Properties that must hold on any instance: feasibility on re-computation, monotonicity, scaling."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from cases import write_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import pipeline
from model.analysis.check import check_results

PENALTY = 1000.0


@st.composite
def instances(draw):
    """Origins O*, markets M*, one shared hub H; direct legs and legs via H, random costs,
    supply limits, demands and capacities; unmet demand allowed at a penalty."""
    n_o = draw(st.integers(1, 3))
    n_m = draw(st.integers(1, 3))
    origins = [f"O{i}" for i in range(n_o)]
    markets = [f"M{j}" for j in range(n_m)]
    cost = st.integers(1, 40)
    legs, routes = [], []
    for o in origins:
        legs.append({"from": o, "to": "H", "mode": "rail", "cost_usd_per_t": draw(cost),
                     "transit_days": draw(st.integers(0, 5))})
        for m in markets:
            legs.append({"from": o, "to": m, "mode": "road", "cost_usd_per_t": draw(cost),
                         "transit_days": draw(st.integers(0, 5))})
            routes.append({"route": f"{o}-{m}", "corridor": "Direct", "path": f"{o}>{m}"})
            routes.append({"route": f"{o}-H-{m}", "corridor": "Hub", "path": f"{o}>H>{m}"})
    for m in markets:
        legs.append({"from": "H", "to": m, "mode": "sea", "cost_usd_per_t": draw(cost),
                     "transit_days": draw(st.integers(0, 5))})
    nodes = ([{"node": o, "country": "XX", "kind": "origin"} for o in origins]
             + [{"node": "H", "country": "YY", "kind": "hub", "handling_usd_per_t": draw(st.integers(0, 5))}]
             + [{"node": m, "country": "ZZ", "kind": "market"} for m in markets])
    demand = [{"commodity": "k", "market": m, "demand_t": draw(st.integers(0, 100))} for m in markets]
    supply = [{"commodity": "k", "origin": o, "max_t": draw(st.integers(0, 150))} for o in origins]
    capacities = [{"element": "H", "capacity_t": draw(st.integers(0, 200))}]
    capacities += [{"element": f"{o}>{m}", "capacity_t": draw(st.integers(0, 60))}
                   for o in origins for m in markets if draw(st.booleans())]
    policies = []
    if draw(st.booleans()):
        policies.append({"rule": "HUBCAP", "kind": "max_share", "scope": "corridor", "target": "Hub",
                         "value": draw(st.sampled_from([0.25, 0.5, 0.75]))})
    return {
        "Countries": [{"country": c, "risk_premium_pct": draw(st.sampled_from([0, 0.5, 1]))}
                      for c in ("XX", "YY", "ZZ")],
        "Nodes": nodes, "Legs": legs,
        "Commodities": [{"commodity": "k", "cargo_class": "dry_bulk",
                         "value_usd_per_t": draw(st.integers(0, 1000))}],
        "Routes": routes, "Demand": demand, "Supply": supply, "Capacities": capacities,
        **({"Policies": policies} if policies else {}),
    }


def solve(tables, penalty=PENALTY):
    with tempfile.TemporaryDirectory() as d:
        return pipeline.run(write_case(Path(d), tables, {"unmet_penalty_usd_per_t": penalty}))


def objective(tables, penalty=PENALTY) -> float:
    """The least cost of an instance: read, validated and solved as solve() does, without the result
    tables, which the properties on the objective do not read (they were most of their time)."""
    with tempfile.TemporaryDirectory() as d:
        plan, _ = pipeline.load(write_case(Path(d), tables, {"unmet_penalty_usd_per_t": penalty}))
        return pipeline.solve(plan).objective_usd


COMMON = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow
@COMMON
@given(instances())
def test_every_constraint_holds_when_recomputed(tables):
    run = solve(tables)
    assert check_results(run.data, run.results.sheets()) == []
    assert run.solution.objective_usd == pytest.approx(
        run.results.flows["cost_usd"].sum() + PENALTY * run.results.demand["unmet_t"].sum(), rel=1e-7, abs=1e-6)


@pytest.mark.slow
@COMMON
@given(instances(), st.integers(1, 100))
def test_more_capacity_never_raises_cost(tables, extra):
    before = objective(tables)
    more = dict(tables, Capacities=[{**c, "capacity_t": c["capacity_t"] + extra} for c in tables["Capacities"]])
    after = objective(more)
    assert after <= before + 1e-6 * max(1.0, before)


@pytest.mark.slow
@pytest.mark.heavy
@COMMON
@given(instances(), st.sampled_from([0.5, 2.0, 3.0]))
def test_scaling_every_cost_scales_the_objective(tables, lam):
    # Leg costs, handling, cargo value (time and risk parts) and the penalty all times lambda.
    scaled = dict(tables)
    scaled["Legs"] = [{**leg, "cost_usd_per_t": leg["cost_usd_per_t"] * lam} for leg in tables["Legs"]]
    scaled["Nodes"] = [{**n, "handling_usd_per_t": n.get("handling_usd_per_t", 0) * lam} for n in tables["Nodes"]]
    scaled["Commodities"] = [{**k, "value_usd_per_t": k["value_usd_per_t"] * lam} for k in tables["Commodities"]]
    base = objective(tables)
    assert objective(scaled, PENALTY * lam) == pytest.approx(lam * base, rel=1e-7, abs=1e-6)
