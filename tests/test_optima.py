"""Tiny cases whose optimum is worked out by hand (arithmetic in the comments)."""

from __future__ import annotations

import pytest
from cases import legs, nodes, solved_and_checked, transport_case

solve = solved_and_checked  # solve, write the result workbook, and check it independently


def tonnes(run, route, commodity=None):
    f = run.results.flows
    sel = f[(f["route"] == route) & ((f["commodity"] == commodity) if commodity else True)]
    return float(sel["tonnes_t"].sum())


def test_cheap_route_fills_first_then_capacity_splits(tmp_path):
    # 100 t A->M. Rail A>M: 60 t capacity at 2 USD/t; road A>R>M: unlimited at 3 + 2 = 5 USD/t.
    # Optimum: 60 by rail, 40 by road: 60*2 + 40*5 = 320 USD.
    # One more tonne of rail capacity moves a tonne off the road: saves 5 - 2 = 3 USD/t.
    run = solve(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]))
    assert run.solution.objective_usd == pytest.approx(320)
    assert tonnes(run, "RAIL") == pytest.approx(60)
    assert tonnes(run, "ROAD") == pytest.approx(40)
    cap = run.results.capacity.iloc[0]
    assert cap["binding"]
    assert cap["shadow_price_usd_per_t"] == pytest.approx(3)
    # The marginal tonne of demand goes by road: 5 USD/t.
    assert run.results.demand["marginal_cost_usd_per_t"].iloc[0] == pytest.approx(5)


def test_unused_route_reduced_cost(tmp_path):
    # No capacity: all 100 t by rail at 2 USD/t = 200 USD. Road costs 5, so it must get
    # 5 - 2 = 3 USD/t cheaper before it is used: reduced cost 3.
    run = solve(tmp_path, transport_case())
    assert run.solution.objective_usd == pytest.approx(200)
    routes = run.results.routes.set_index("route")
    assert routes.loc["ROAD", "reduced_cost_usd_per_t"] == pytest.approx(3)
    assert routes.loc["RAIL", "reduced_cost_usd_per_t"] == pytest.approx(0)


def test_class_specific_capacity_rows(tmp_path):
    # 50 t coal (dry_bulk) and 50 t boxes (container) A->M. Rail A>M: 60 t in all, of which at
    # most 20 t containers. Rail 2, road 5 USD/t. Rail carries 60 t (any mix with <= 20 t boxes),
    # road the other 40: 60*2 + 40*5 = 320 USD.
    tables = transport_case(
        Commodities=[{"commodity": "coal", "cargo_class": "dry_bulk"},
                     {"commodity": "box", "cargo_class": "container"}],
        Demand=[{"commodity": "coal", "market": "M", "demand_t": 50},
                {"commodity": "box", "market": "M", "demand_t": 50}],
        Capacities=[{"element": "A>M", "capacity_t": 60},
                    {"element": "A>M", "cargo_class": "container", "capacity_t": 20}])
    run = solve(tmp_path, tables)
    assert run.solution.objective_usd == pytest.approx(320)
    assert tonnes(run, "RAIL", "box") <= 20 + 1e-6
    assert tonnes(run, "RAIL") == pytest.approx(60)


def test_tariff_overrides_leg_and_node_cost_by_class(tmp_path):
    # One route A>M. Leg A>M costs 10 USD/t, node M handles at 2 USD/t; for containers the
    # Tariffs sheet sets the leg to 4 and the node to 1.
    # 10 t boxes: (4 + 1) * 10 = 50; 20 t ore: (10 + 2) * 20 = 240. Total 290 USD.
    tables = {
        "Nodes": nodes(("A", "origin"), ("M", "market", {"handling_usd_per_t": 2})),
        "Legs": legs(("A", "M", 10, 1)),
        "Tariffs": [{"element": "A>M", "cargo_class": "container", "cost_usd_per_t": 4},
                    {"element": "M", "cargo_class": "container", "cost_usd_per_t": 1}],
        "Commodities": [{"commodity": "box", "cargo_class": "container"},
                        {"commodity": "ore", "cargo_class": "dry_bulk"}],
        "Routes": [{"route": "R1", "corridor": "C", "path": "A>M"}],
        "Demand": [{"commodity": "box", "market": "M", "demand_t": 10},
                   {"commodity": "ore", "market": "M", "demand_t": 20}],
    }
    run = solve(tmp_path, tables)
    assert run.solution.objective_usd == pytest.approx(290)
    f = run.results.flows.set_index("commodity")
    assert f.loc["box", "transport_usd_per_t"] == pytest.approx(4)
    assert f.loc["box", "handling_usd_per_t"] == pytest.approx(1)
    assert f.loc["ore", "transport_usd_per_t"] == pytest.approx(10)
    assert f.loc["ore", "handling_usd_per_t"] == pytest.approx(2)


def test_max_share_rule_binds(tmp_path):
    # Rule: at most 30% of shipped tonnes by the Rail corridor. 100 t: 30 rail at 2, 70 road at 5:
    # 30*2 + 70*5 = 410 USD. Allowing one more tonne on rail saves 5 - 2 = 3 USD.
    tables = transport_case(Policies=[{"rule": "CAP", "kind": "max_share", "scope": "corridor",
                                       "target": "Rail", "value": 0.3}])
    run = solve(tmp_path, tables)
    assert run.solution.objective_usd == pytest.approx(410)
    pol = run.results.policies.iloc[0]
    assert pol["binding"]
    assert pol["share_of_shipped"] == pytest.approx(0.3)
    assert pol["saving_usd_per_t"] == pytest.approx(3)


def test_star_target_gives_one_limit_per_corridor(tmp_path):
    # No corridor above 60%: rail 60 t at 2, road 40 t at 5 = 120 + 200 = 320 USD; two limits listed.
    tables = transport_case(Policies=[{"rule": "DIV", "kind": "max_share", "scope": "corridor",
                                       "target": "*", "value": 0.6}])
    run = solve(tmp_path, tables)
    assert run.solution.objective_usd == pytest.approx(320)
    assert sorted(run.results.policies["target"]) == ["Rail", "Road"]


def test_min_tonnes_commitment(tmp_path):
    # At least 50 t through node R (the road): 50 road at 5, 50 rail at 2 = 250 + 100 = 350 USD.
    # Requiring one tonne less through R saves 5 - 2 = 3 USD.
    tables = transport_case(Policies=[{"rule": "MIN", "kind": "min_t", "scope": "node", "target": "R",
                                       "value": 50}])
    run = solve(tmp_path, tables)
    assert run.solution.objective_usd == pytest.approx(350)
    assert run.results.policies.iloc[0]["saving_usd_per_t"] == pytest.approx(3)


def test_unmet_demand_with_penalty(tmp_path):
    # Road disabled; rail capacity 60; demand 100; penalty 50 USD/t.
    # 60 by rail at 2 = 120, 40 unmet at 50 = 2000: 2120 USD. A tonne more capacity replaces an unmet
    # tonne: saves 50 - 2 = 48 USD. A tonne more demand is unmet: costs 50.
    tables = transport_case(
        Routes=[{"route": "RAIL", "corridor": "Rail", "path": "A>M"},
                {"route": "ROAD", "corridor": "Road", "path": "A>R>M", "enabled": "FALSE"}],
        Capacities=[{"element": "A>M", "capacity_t": 60}])
    run = solve(tmp_path, tables, settings={"unmet_penalty_usd_per_t": 50})
    assert run.solution.objective_usd == pytest.approx(2120)
    d = run.results.demand.iloc[0]
    assert d["unmet_t"] == pytest.approx(40)
    assert d["marginal_cost_usd_per_t"] == pytest.approx(50)
    assert run.results.capacity.iloc[0]["shadow_price_usd_per_t"] == pytest.approx(48)
    assert run.results.summary.unmet_t == pytest.approx(40)


def test_risk_premium_counted_once_per_country(tmp_path):
    # Path A (XX) > B (YY) > C (XX) > M (XX): enters XX twice. Risk XX 1%, YY 2%; value 1000 USD/t.
    # Risk = 1000 * (1 + 2) / 100 = 30 USD/t (not 1000 * (1 + 2 + 1) / 100 = 40).
    # Legs 1 USD/t each, 3 legs: 3 USD/t. 10 t: (3 + 30) * 10 = 330 USD.
    tables = {
        "Countries": [{"country": "XX", "risk_premium_pct": 1}, {"country": "YY", "risk_premium_pct": 2}],
        "Nodes": nodes(("A", "origin"), ("B", "border", {"country": "YY"}), ("C", "hub"), ("M", "market")),
        "Legs": legs(("A", "B", 1, 0), ("B", "C", 1, 0), ("C", "M", 1, 0)),
        "Commodities": [{"commodity": "cu", "cargo_class": "metals", "value_usd_per_t": 1000}],
        "Routes": [{"route": "R1", "corridor": "C", "path": "A>B>C>M"}],
        "Demand": [{"commodity": "cu", "market": "M", "demand_t": 10}],
    }
    run = solve(tmp_path, tables, settings={"carrying_cost_rate": 0})
    assert run.results.flows.iloc[0]["risk_usd_per_t"] == pytest.approx(30)
    assert run.solution.objective_usd == pytest.approx(330)


def test_carrying_cost_of_transit_and_dwell_time(tmp_path):
    # Value 365 USD/t, rate 10%/yr; 10 days on the leg + 5 days dwell at M:
    # 365 * 0.10 * 15 / 365 = 1.5 USD/t. Leg 2 USD/t. 10 t: (2 + 1.5) * 10 = 35 USD.
    tables = {
        "Nodes": nodes(("A", "origin"), ("M", "market", {"dwell_days": 5})),
        "Legs": legs(("A", "M", 2, 10)),
        "Commodities": [{"commodity": "w", "cargo_class": "grain", "value_usd_per_t": 365}],
        "Routes": [{"route": "R1", "corridor": "C", "path": "A>M"}],
        "Demand": [{"commodity": "w", "market": "M", "demand_t": 10}],
    }
    run = solve(tmp_path, tables, settings={"carrying_cost_rate": 0.1})
    assert run.results.flows.iloc[0]["time_usd_per_t"] == pytest.approx(1.5)
    assert run.results.flows.iloc[0]["transit_days"] == pytest.approx(15)
    assert run.solution.objective_usd == pytest.approx(35)


def test_a_commodity_own_carrying_cost_rate_changes_its_route(tmp_path):
    # Two routes A>M: FAST (leg 20 USD/t, 2 days) and SLOW (A>S>M, 5 + 5 = 10 USD/t, 30 days). Two
    # commodities, each 365 USD/t, 10 t: coal on the Settings rate 0.08/yr (0.08 USD/t a day), boxes on
    # their own rate 2.0/yr (2 USD/t a day, Commodities carrying_cost_rate).
    # coal: FAST 20 + 0.08 * 2 = 20.16, SLOW 10 + 0.08 * 30 = 12.4 -> SLOW.
    # boxes: FAST 20 + 2 * 2 = 24, SLOW 10 + 2 * 30 = 70 -> FAST (on the Settings rate: SLOW, 12.4).
    # Objective 10 * 12.4 + 10 * 24 = 364 USD (all on the Settings rate: 248).
    tables = {
        "Nodes": nodes(("A", "origin"), ("S", "hub"), ("M", "market")),
        "Legs": legs(("A", "M", 20, 2), ("A", "S", 5, 15), ("S", "M", 5, 15)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk", "value_usd_per_t": 365},
                        {"commodity": "box", "cargo_class": "container", "value_usd_per_t": 365,
                         "carrying_cost_rate": 2.0}],
        "Routes": [{"route": "FAST", "corridor": "C", "path": "A>M"},
                   {"route": "SLOW", "corridor": "C", "path": "A>S>M"}],
        "Demand": [{"commodity": "coal", "market": "M", "demand_t": 10},
                   {"commodity": "box", "market": "M", "demand_t": 10}],
    }
    run = solve(tmp_path, tables, settings={"carrying_cost_rate": 0.08})
    assert tonnes(run, "SLOW", "coal") == pytest.approx(10)
    assert tonnes(run, "FAST", "box") == pytest.approx(10)
    assert run.solution.objective_usd == pytest.approx(364)


def transportation_tables(supply: list[dict]) -> dict:
    """Origins O1, O2; markets M1, M2 (35 t each, demand rows name no origin).
    Costs O1>M1 4, O1>M2 6, O2>M1 5, O2>M2 3 USD/t."""
    return {
        "Nodes": nodes(("O1", "origin"), ("O2", "origin"), ("M1", "market"), ("M2", "market")),
        "Legs": legs(("O1", "M1", 4, 0), ("O1", "M2", 6, 0), ("O2", "M1", 5, 0), ("O2", "M2", 3, 0)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk"}],
        "Routes": [{"route": f"{o}{m}", "corridor": o, "path": f"{o}>{m}"}
                   for o in ("O1", "O2") for m in ("M1", "M2")],
        "Supply": supply,
        "Demand": [{"commodity": "coal", "market": "M1", "demand_t": 35},
                   {"commodity": "coal", "market": "M2", "demand_t": 35}],
    }


def test_classic_transportation_problem_with_supply_limits(tmp_path):
    # Supply O1 30, O2 40; demand M1 35, M2 35 (demand rows name no origin).
    # Costs: O1>M1 4, O1>M2 6, O2>M1 5, O2>M2 3.
    # O2>M2 is cheapest: 35 t; O2 has 5 t left -> M1; M1 needs 30 more from O1 at 4.
    # 30*4 + 5*5 + 35*3 = 120 + 25 + 105 = 250 USD. (O1>M2 at 6 is never worth it: moving a tonne of
    # M2's supply from O2 to O1 costs +3 at M2 and frees O2 for M1 at 5 instead of 4: +1.)
    run = solve(tmp_path, transportation_tables([{"commodity": "coal", "origin": "O1", "max_t": 30},
                                                 {"commodity": "coal", "origin": "O2", "max_t": 40}]))
    assert run.solution.objective_usd == pytest.approx(250)
    assert tonnes(run, "O1M1") == pytest.approx(30)
    assert tonnes(run, "O2M1") == pytest.approx(5)
    assert tonnes(run, "O2M2") == pytest.approx(35)
    assert tonnes(run, "O1M2") == pytest.approx(0)
    assert list(run.results.supply["shipped_t"]) == pytest.approx([30, 40])


def test_supply_minimum_is_met(tmp_path):
    # As above but O1 must ship at least 30 and at most 50, O2 at most 40, and M2 is served
    # best by O2. With min_t 30 on O1 nothing changes (O1 ships 30 already): 250 USD.
    # With min_t 40 on O1: O1 ships 35 to M1 and 5 to M2; O2 ships 30 to M2:
    # 35*4 + 5*6 + 30*3 = 140 + 30 + 90 = 260 USD.
    run = solve(tmp_path, transportation_tables([{"commodity": "coal", "origin": "O1", "max_t": 50, "min_t": 40},
                                                 {"commodity": "coal", "origin": "O2", "max_t": 40}]))
    assert run.solution.objective_usd == pytest.approx(260)
    # Lowering O1's minimum by a tonne returns one tonne from O1>M2 (6) to O2>M2 (3): saves 3.
    assert run.results.supply.iloc[0]["cost_of_minimum_usd_per_t"] == pytest.approx(3)
