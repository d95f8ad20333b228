"""Independent re-computation of a solution from the input tables and the Flows table.

Deliberately does not use model.network: costs, memberships and limits are worked
out again from the raw sheets, so an error in the derived facts shows up here.
"""

from __future__ import annotations

import math

import pandas as pd

from model.inputs import CorridorData

REL = 1e-6


def _tol(scale: float) -> float:
    return 1e-6 * max(1.0, abs(scale))


def _classes(text):
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return None
    return {c.strip() for c in str(text).split(",")}


def check_solution(data: CorridorData, flows: pd.DataFrame, demand: pd.DataFrame | None = None) -> list[str]:
    """Every violated constraint or mismatched cost, in words; [] when all hold.

    flows: commodity, route, tonnes_t and the cost columns as on the Flows sheet.
    demand: the Demand result table (for unmet_t), optional.
    """
    t = data.tables
    errors = []
    routes = t["Routes"].set_index("route")
    path = {r: [n.strip() for n in p.split(">")] for r, p in routes["path"].items()}
    nodes = t["Nodes"].set_index("node")
    cls_of = t["Commodities"].set_index("commodity")["cargo_class"].to_dict()
    value = t["Commodities"].set_index("commodity")["value_usd_per_t"].fillna(0).to_dict()
    legs = {f"{a}>{b}": (c, d) for a, b, c, d in t["Legs"][["from", "to", "cost_usd_per_t", "transit_days"]]
            .itertuples(index=False)}
    tariff = {(e, c): v for e, c, v in t["Tariffs"][["element", "cargo_class", "cost_usd_per_t"]]
              .itertuples(index=False)}
    risk = t["Countries"].set_index("country")["risk_premium_pct"].fillna(0).to_dict()
    rate = data.settings["carrying_cost_rate"]

    def elements(r):
        p = path[r]
        return p + [f"{a}>{b}" for a, b in zip(p, p[1:])]

    def countries(r):
        return list(dict.fromkeys(nodes.loc[n, "country"] for n in path[r]))

    # Flows only on enabled routes carrying the class; non-negative
    for rec in flows.itertuples(index=False):
        if rec.tonnes_t < -_tol(1):
            errors.append(f"negative flow {rec.commodity} on {rec.route}")
        if routes.loc[rec.route, "enabled"] is False:
            errors.append(f"flow on disabled route {rec.route}")
        allowed = _classes(routes.loc[rec.route, "cargo_classes"])
        if allowed is not None and cls_of[rec.commodity] not in allowed:
            errors.append(f"{rec.commodity} on {rec.route}, which does not carry {cls_of[rec.commodity]}")
        # Costs per tonne, part by part
        cls = cls_of[rec.commodity]
        p = path[rec.route]
        leg_ids = [f"{a}>{b}" for a, b in zip(p, p[1:])]
        transport = sum(tariff.get((leg, cls), legs[leg][0]) for leg in leg_ids)
        handling = sum(tariff.get((n, cls), nodes.loc[n, "handling_usd_per_t"] or 0) for n in p)
        days = sum(legs[leg][1] for leg in leg_ids) + sum(nodes.loc[n, "dwell_days"] or 0 for n in p)
        time = value[rec.commodity] * rate * days / 365
        risk_usd = value[rec.commodity] * sum(risk.get(c, 0) for c in countries(rec.route)) / 100
        for name, expect in (("transport", transport), ("handling", handling), ("time", time), ("risk", risk_usd)):
            got = getattr(rec, f"{name}_usd_per_t")
            if abs(got - expect) > _tol(expect):
                errors.append(f"{name} cost of {rec.commodity} on {rec.route}: {got} != {expect}")
        total = transport + handling + time + risk_usd
        if abs(rec.cost_usd_per_t - total) > _tol(total):
            errors.append(f"cost per t of {rec.commodity} on {rec.route}: {rec.cost_usd_per_t} != {total}")
        if abs(rec.cost_usd - total * rec.tonnes_t) > _tol(total * rec.tonnes_t):
            errors.append(f"cost of {rec.commodity} on {rec.route} does not equal cost per t x tonnes")

    origin = {r: p[0] for r, p in path.items()}
    market = {r: p[-1] for r, p in path.items()}
    unmet = {}
    if demand is not None:
        unmet = {row: u for row, u in zip(demand["input_row"], demand["unmet_t"])}
    for rec in t["Demand"].to_dict("records"):
        got = sum(f.tonnes_t for f in flows.itertuples(index=False)
                  if f.commodity == rec["commodity"] and market[f.route] == rec["market"]
                  and (rec["origin"] is None or origin[f.route] == rec["origin"]))
        got += unmet.get(rec["_row"], 0.0)
        if abs(got - rec["demand_t"]) > _tol(rec["demand_t"]):
            errors.append(f"demand row {rec['_row']}: delivered + unmet {got} != {rec['demand_t']}")
    for rec in t["Supply"].to_dict("records"):
        got = sum(f.tonnes_t for f in flows.itertuples(index=False)
                  if f.commodity == rec["commodity"] and origin[f.route] == rec["origin"])
        if got > rec["max_t"] + _tol(rec["max_t"]) or got < (rec["min_t"] or 0) - _tol(rec["max_t"]):
            errors.append(f"supply row {rec['_row']}: shipped {got} outside [{rec['min_t']}, {rec['max_t']}]")
    supplied = {}
    for rec in t["Supply"].to_dict("records"):
        supplied.setdefault(rec["commodity"], set()).add(rec["origin"])
    for f in flows.itertuples(index=False):
        if f.commodity in supplied and origin[f.route] not in supplied[f.commodity]:
            errors.append(f"{f.commodity} ships from {origin[f.route]}, which has no Supply row for it")
    for rec in t["Capacities"].to_dict("records"):
        got = sum(f.tonnes_t * elements(f.route).count(rec["element"]) for f in flows.itertuples(index=False)
                  if rec["cargo_class"] is None or cls_of[f.commodity] == rec["cargo_class"])
        if got > rec["capacity_t"] + _tol(rec["capacity_t"]):
            errors.append(f"capacity row {rec['_row']} ({rec['element']}): {got} > {rec['capacity_t']}")

    def matches(k, selector):
        if selector is None:
            return True
        names = [s.strip() for s in selector.split(",")]
        return k in names or cls_of[k] in [n for n in names if n not in cls_of]

    def passes(r, scope, target):
        if scope == "corridor":
            return routes.loc[r, "corridor"] == target
        if scope == "country":
            return target in countries(r)
        if scope == "route":
            return r == target
        return target in elements(r)

    for rec in t["Policies"].to_dict("records"):
        scope = rec["scope"]
        if rec["target"] == "*":
            used = {r for r in routes.index if routes.loc[r, "enabled"] is not False}
            targets = set()
            for r in used:
                targets |= {"corridor": {routes.loc[r, "corridor"]}, "country": set(countries(r)), "route": {r},
                            "node": set(path[r]), "leg": set(elements(r)) - set(path[r])}[scope]
        else:
            targets = {rec["target"]}
        for target in targets:
            sel = [f for f in flows.itertuples(index=False) if matches(f.commodity, rec["commodity"])]
            total = sum(f.tonnes_t for f in sel)
            s = sum(f.tonnes_t for f in sel if passes(f.route, scope, target))
            bound = rec["value"] * total if rec["kind"].endswith("share") else rec["value"]
            ok = s <= bound + _tol(total) if rec["kind"].startswith("max") else s >= bound - _tol(total)
            if not ok:
                errors.append(f"policy {rec['rule']} on {target}: {s} vs bound {bound}")
    return errors
