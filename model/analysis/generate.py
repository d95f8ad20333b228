"""Synthetic cases of the real schema, with the base case's shape, for benchmarks.

Origins in one country ship commodities to markets over chains origin > border crossing >
port > market, so many routes share crossings and ports. Crossings and ports get capacities
near their even share of the traffic (some bind), each corridor (the port's country) is capped
at a share of shipments, and one port carries a minimum commitment (policies that bind).
Demand that capacity cannot carry is unmet at a penalty, so every generated case is feasible.
The number of flow variables is close to the number asked for: routes x commodities per origin.
A Dispersions sheet gives each cargo class a stated dispersion (DISPERSION_USD_PER_T, marked as
generated, not estimated), so `allocation` choice runs on every generated case.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from model.input.schema import Mode, PolicyKind, Scope

N_ORIGINS, N_MARKETS, N_COMMODITIES = 10, 20, 10
CLASSES = ("dry_bulk", "grain", "metals", "container")
# USD/t per cargo class for allocation choice: a stated figure of the size a route's cost differences
# here have (legs of tens of USD/t), so the logit spreads tonnes over several routes without ignoring cost
DISPERSION_USD_PER_T = 5.0


def generate_tables(flows: int, seed: int = 0, years: int = 1, scenarios: int = 0
                    ) -> tuple[dict[str, pd.DataFrame], dict]:
    """The sheets (as DataFrames) and settings of a case with about `flows` flow variables per year
    and scenario; with years > 1 a Periods sheet (every 5 years from 2026, demand +10% and the
    busiest port +20% each period), with scenarios > 0 that many scenarios (a port at half
    capacity each, probability 0.5 / scenarios)."""
    rng = np.random.default_rng(seed)
    origins = [f"O{i:02d}" for i in range(N_ORIGINS)]
    markets = [f"M{j:02d}" for j in range(N_MARKETS)]
    # Each commodity comes from 2 origins, so each origin ships 2 commodities: a route carries 2 flows.
    per_pair = max(1, math.ceil(flows / (2 * N_ORIGINS * N_MARKETS)))
    side = max(4, math.ceil(math.sqrt(per_pair)))
    borders = [f"B{b:03d}" for b in range(side)]
    ports = [f"P{p:03d}" for p in range(side)]
    transit = [f"T{t}" for t in range(6)]

    countries = pd.DataFrame({"country": ["HOME", *transit, "MKT"], "name": ["Home", *transit, "Markets"],
                              "risk_premium_pct": [0.0, *np.round(rng.uniform(0, 1.5, len(transit)), 2), 0.0]})
    lat = lambda n: np.round(rng.uniform(20, 55, n), 2)  # noqa: E731
    lon = lambda n: np.round(rng.uniform(40, 90, n), 2)  # noqa: E731
    nodes = pd.concat([
        pd.DataFrame({"node": origins, "country": "HOME", "kind": "origin"}),
        pd.DataFrame({"node": borders, "country": rng.choice(transit, len(borders)), "kind": "border",
                      "handling_usd_per_t": np.round(rng.uniform(2, 15, len(borders)), 2),
                      "dwell_days": np.round(rng.uniform(0.5, 3, len(borders)), 1)}),
        pd.DataFrame({"node": ports, "country": [transit[p % len(transit)] for p in range(len(ports))],
                      "kind": "port",
                      "handling_usd_per_t": np.round(rng.uniform(3, 12, len(ports)), 2),
                      "dwell_days": np.round(rng.uniform(1, 4, len(ports)), 1)}),
        pd.DataFrame({"node": markets, "country": "MKT", "kind": "market"}),
    ], ignore_index=True)
    nodes["lat"], nodes["lon"] = lat(len(nodes)), lon(len(nodes))

    def legs(a, b, mode, lo, hi):
        aa, bb = np.repeat(a, len(b)), np.tile(b, len(a))
        km = rng.uniform(lo, hi, len(aa)).round(0)
        rate = {"rail": 0.025, "sea": 0.004}[mode]
        return pd.DataFrame({"from": aa, "to": bb, "mode": mode, "distance_km": km,
                             "cost_usd_per_t": (km * rate * rng.uniform(0.8, 1.2, len(aa))).round(2),
                             "transit_days": (km / (500 if mode == Mode.RAIL else 450)).round(1)})

    leg_table = pd.concat([legs(origins, borders, "rail", 300, 3000), legs(borders, ports, "rail", 500, 3000),
                           legs(ports, markets, "sea", 500, 15000)], ignore_index=True)

    commodity = [f"K{k:02d}" for k in range(N_COMMODITIES)]
    classes = [CLASSES[k % len(CLASSES)] for k in range(N_COMMODITIES)]
    commodities = pd.DataFrame({"commodity": commodity, "cargo_class": classes,
                                "value_usd_per_t": rng.choice([80, 230, 350, 1000, 3000], N_COMMODITIES)})
    tariffs = pd.DataFrame({"element": [f"{o}>{b}" for o in origins for b in borders[:2]],
                            "cargo_class": "container", "cost_usd_per_t": 30.0})

    # Routes: for each origin and market, per_pair distinct (border, port) chains.
    chains = [(b, p) for b in borders for p in ports]
    port_country = dict(zip(nodes["node"], nodes["country"], strict=True))
    rows = []
    for o in origins:
        for m in markets:
            pick = rng.choice(len(chains), size=min(per_pair, len(chains)), replace=False)
            for n in pick:
                b, p = chains[n]
                rows.append((f"{o}-{b}-{p}-{m}", f"via {port_country[p]}", f"{o}>{b}>{p}>{m}"))
    routes = pd.DataFrame(rows, columns=["route", "corridor", "path"])

    demand_t = rng.uniform(0.2e6, 2e6, (N_COMMODITIES, N_MARKETS)).round(-3)
    demand = pd.DataFrame([(commodity[k], markets[j], demand_t[k, j]) for k in range(N_COMMODITIES)
                           for j in range(N_MARKETS)], columns=["commodity", "market", "demand_t"])
    supply = pd.DataFrame([(commodity[k], origins[(2 * k + i) % N_ORIGINS], demand_t[k].sum() * 0.6)
                           for k in range(N_COMMODITIES) for i in range(2)],
                          columns=["commodity", "origin", "max_t"])
    total = demand_t.sum()
    capacities = pd.DataFrame({
        "element": borders + ports,
        "capacity_t": (total / side * rng.uniform(0.9, 2.2, 2 * side)).round(-3)})
    policies = pd.DataFrame([("CORRIDOR_CAP", PolicyKind.MAX_SHARE, Scope.CORRIDOR, "*", None, 0.35),
                             ("PORT_MIN", PolicyKind.MIN_T, Scope.NODE, ports[0], None, round(total * 0.01, -3))],
                            columns=["rule", "kind", "scope", "target", "commodity", "value"])
    dispersions = pd.DataFrame({"cargo_class": list(dict.fromkeys(classes)),
                                "dispersion_usd_per_t": DISPERSION_USD_PER_T,
                                "source": "generated: a stated figure, not estimated"})
    tables = {"Countries": countries, "Nodes": nodes, "Legs": leg_table, "Tariffs": tariffs,
              "Commodities": commodities, "Routes": routes, "Capacities": capacities, "Supply": supply,
              "Demand": demand, "Policies": policies, "Dispersions": dispersions}
    settings = {"scenario_name": f"synthetic, about {flows:,} flows (seed {seed})", "carrying_cost_rate": 0.08,
                "unmet_penalty_usd_per_t": 1000.0}
    if years > 1:
        first = 2026
        tables["Periods"] = pd.DataFrame({"year": [first + 5 * i for i in range(years)], "weight": 5})
        grown = [demand.assign(year=first + 5 * i, demand_t=(demand["demand_t"] * 1.1 ** i).round(-3))
                 for i in range(1, years)]
        tables["Demand"] = pd.concat([demand, *grown], ignore_index=True)
        busiest = capacities.iloc[[int(np.argmax(capacities["capacity_t"]))]]
        tables["Capacities"] = pd.concat([capacities, *[busiest.assign(
            year=first + 5 * i, capacity_t=(busiest["capacity_t"] * 1.2 ** i).round(-3)) for i in range(1, years)]],
            ignore_index=True)
        settings["discount_rate"] = 0.06
    if scenarios > 0:
        tables["Scenarios"] = pd.DataFrame([
            {"scenario": f"S{i:02d}", "sheet": "Capacities", "key": ports[i % len(ports)], "column": "capacity_t",
             "multiplier": 0.5, "probability": round(0.5 / scenarios, 6),
             "description": f"port {ports[i % len(ports)]} at half capacity"} for i in range(scenarios)])
    return tables, settings
