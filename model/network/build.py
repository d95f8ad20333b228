"""build_network(data) -> Network: flows, costs and memberships derived from validated data.

Costs are summed along each route's path over flat arrays (numpy reduceat), once per cargo
class; time and risk come from the cost formula of model.network.
"""

from __future__ import annotations

from itertools import chain
from operator import attrgetter

import numpy as np
import pandas as pd

from model.data import ROW, CorridorData, records
from model.network import (CapacityRow, DemandRow, Network, Observation, Option, PolicyLimit, Route, Surcharge,
                           SupplyRow, supply_origins)
from model.network.costs import COST_PARTS, carbon_usd_per_t, risk_usd_per_t, time_usd_per_t
from model.network.names import Names
from model.network.emissions import leg_co2e_t_per_t, node_co2e_t_per_t
from model.schema import class_list, leg_id, path_nodes


def _scope_targets(routes: dict[str, Route], countries_of: dict[str, tuple[str, ...]], scope: str) -> list[str]:
    """Every name a '*' target expands to: those that some enabled route passes, in route order."""
    values = routes.values()
    names = {"corridor": lambda: (route.corridor for route in values), "route": lambda: iter(routes),
             "country": lambda: chain.from_iterable(dict.fromkeys(countries_of.values())),
             "node": lambda: chain.from_iterable(route.nodes for route in values),
             "leg": lambda: chain.from_iterable(route.legs for route in values)}[scope]()
    return list(dict.fromkeys(names))


def build_network(data: CorridorData) -> Network:
    """Derive flows, costs and memberships from validated data."""
    t = data.tables
    rate = data.settings.carrying_cost_rate
    nodes = t["Nodes"].set_index("node")
    node_country = nodes["country"].to_dict()
    handling = nodes["handling_usd_per_t"].fillna(0.0).to_dict()
    dwell = nodes["dwell_days"].fillna(0.0).to_dict()
    risk_pct = t["Countries"].set_index("country")["risk_premium_pct"].fillna(0.0).to_dict()
    legs = {leg_id(a, b): (c, d) for a, b, c, d in
            t["Legs"][["from", "to", "cost_usd_per_t", "transit_days"]].itertuples(index=False)}
    leg_co2 = {leg_id(a, b): (leg_co2e_t_per_t(km, g, mode), km != km or km is None) for a, b, mode, km, g in
               t["Legs"].reindex(columns=["from", "to", "mode", "distance_km", "co2_g_per_tkm"])
               .itertuples(index=False)}  # leg -> (t CO2e per t, distance blank)
    node_co2 = nodes.reindex(columns=["co2_kg_per_t"])["co2_kg_per_t"].map(node_co2e_t_per_t).to_dict()
    tariff = {(e, k): c for e, k, c in t["Tariffs"][["element", "cargo_class", "cost_usd_per_t"]]
              .itertuples(index=False)}
    com = t["Commodities"]
    commodity_class = dict(zip(com["commodity"], com["cargo_class"]))
    value = dict(zip(com["commodity"], com["value_usd_per_t"].fillna(0.0)))

    leg_ids = {(a, b): leg_id(a, b) for a, b in t["Legs"][["from", "to"]].itertuples(index=False)}
    class_sets: dict = {}
    routes: dict[str, Route] = {}
    r_tab = t["Routes"]
    for r, corridor, path, classes, enabled in zip(*(r_tab[c].tolist() for c in (
            "route", "corridor", "path", "cargo_classes", "enabled"))):
        if enabled is False:
            continue
        if classes not in class_sets:
            class_sets[classes] = class_list(classes)
        # path_nodes' tuple (node ids interned) is shared with the validation that parsed it first
        routes[r] = Route(r, corridor, path_nodes(path), class_sets[classes], leg_ids)

    route_ids = list(routes)
    n_routes = len(route_ids)
    country_sets: dict[tuple, tuple] = {}  # one tuple per distinct sequence of countries
    countries_of = {}
    country_at = node_country.__getitem__
    for r, route in routes.items():
        along_path = tuple(map(country_at, route.nodes))
        seq = country_sets.get(along_path)
        if seq is None:
            seq = tuple(dict.fromkeys(along_path))
            seq = country_sets[along_path] = country_sets.setdefault(seq, seq)
        countries_of[r] = seq
    risk_of = {seq: sum(risk_pct.get(c, 0.0) for c in seq) for seq in country_sets.values()}  # % of value

    # Sums along each route's path, over flat arrays of its nodes and legs in path order (each
    # route has at least two nodes, so one leg: no empty segment for reduceat).
    # (map and attrgetter keep these passes over half a million routes in C)
    paths, steps = list(map(attrgetter("nodes"), routes.values())), list(map(attrgetter("legs"), routes.values()))
    node_code = {n: i for i, n in enumerate(dict.fromkeys(chain.from_iterable(paths)))}
    leg_code = {e: i for i, e in enumerate(dict.fromkeys(chain.from_iterable(steps)))}
    node_seq = np.fromiter(map(node_code.__getitem__, chain.from_iterable(paths)), dtype=np.int64)
    leg_seq = np.fromiter(map(leg_code.__getitem__, chain.from_iterable(steps)), dtype=np.int64)
    n_nodes = np.fromiter(map(len, paths), dtype=np.int64, count=n_routes)
    node_start = np.concatenate([[0], np.cumsum(n_nodes)[:-1]]) if n_routes else np.zeros(0, dtype=np.int64)
    leg_start = node_start - np.arange(n_routes)  # a route of n nodes has n - 1 legs

    def along(per_node: dict | None, per_leg: dict | None) -> np.ndarray:
        """Per route: the sum over its nodes of per_node plus over its legs of per_leg."""
        out = np.zeros(n_routes)
        if n_routes and per_node is not None:
            out += np.add.reduceat(np.array([per_node[n] for n in node_code], dtype=float)[node_seq], node_start)
        if n_routes and per_leg is not None:
            out += np.add.reduceat(np.array([per_leg[e] for e in leg_code], dtype=float)[leg_seq], leg_start)
        return out

    days = along(dwell, {e: legs[e][1] for e in leg_code})
    route_co2 = along(node_co2, {e: leg_co2[e][0] for e in leg_code})  # t CO2e per t (model.network.emissions)
    without_distance = tuple(e for e in leg_code if leg_co2[e][1])
    risk = np.array([risk_of[countries_of[r]] for r in route_ids], dtype=float)
    leg_cost = {e: legs[e][0] for e in leg_code}
    # Transport and handling by cargo class: a class tariff replaces the default cost of the
    # elements it names.
    classes_in_use = list(dict.fromkeys(commodity_class.values()))
    transport_of, handling_of = {}, {}
    for cls in classes_in_use:
        transport_of[cls] = along(None, {e: tariff.get((e, cls), c) for e, c in leg_cost.items()})
        handling_of[cls] = along({n: tariff.get((n, cls), handling[n]) for n in node_code}, None)
    # Which classes each route carries: one mask per distinct cargo_classes entry.
    route_classes = list(map(attrgetter("classes"), routes.values()))
    set_code = {cs: i for i, cs in enumerate(dict.fromkeys(route_classes))}
    route_set = np.fromiter(map(set_code.__getitem__, route_classes), dtype=np.int64, count=n_routes)
    carries = {cls: np.array([cs is None or cls in cs for cs in set_code], dtype=bool)[route_set]
               for cls in classes_in_use}

    demand_rows = [DemandRow(rec[ROW], rec["commodity"], rec["origin"] or None, rec["market"], rec["demand_t"])
                   for rec in records(t["Demand"])]
    supply_rows = [SupplyRow(rec[ROW], rec["commodity"], rec["origin"], rec["min_t"] or 0.0, rec["max_t"])
                   for rec in records(t["Supply"])]
    origins_of = supply_origins(supply_rows)
    by_market_origin: dict[tuple[str, str], list[int]] = {}
    for i, route in enumerate(routes.values()):
        by_market_origin.setdefault((route.market, route.origin), []).append(i)
    groups = {key: np.array(ix, dtype=np.int64) for key, ix in by_market_origin.items()}
    origins_at: dict[str, list[str]] = {}  # market -> origins with a route there, in route order
    for market, origin in by_market_origin:
        origins_at.setdefault(market, []).append(origin)
    commodity_code = {k: i for i, k in enumerate(commodity_class)}
    flows, demand_span = [], {}
    blocks: list[tuple[np.ndarray, str, str]] = []  # per demand row: (route positions, commodity, class)
    for d in demand_rows:
        k = d.commodity
        cls = commodity_class[k]
        origins = [d.origin] if d.origin else origins_at.get(d.market, [])
        parts_of = [groups[(d.market, o)] for o in origins if (k not in origins_of or o in origins_of[k])
                    and (d.market, o) in groups]
        cand = np.concatenate(parts_of) if parts_of else np.zeros(0, dtype=np.int64)
        if len(parts_of) > 1:  # keep route order across origins
            cand = np.sort(cand)
        cand = cand[carries[cls][cand]]
        start = len(flows)
        flows.extend([(k, route_ids[i]) for i in cand.tolist()])
        demand_span[d.row] = (start, len(flows))
        blocks.append((cand, k, cls))
    flow_route = np.concatenate([b[0] for b in blocks]).astype(np.int32) if blocks else np.zeros(0, dtype=np.int32)
    flow_commodity = np.concatenate([np.full(len(b[0]), commodity_code[b[1]], dtype=np.int32) for b in blocks]) \
        if blocks else np.zeros(0, dtype=np.int32)
    cost_array = np.zeros((len(flows), len(COST_PARTS)))
    cost_array[:, list(COST_PARTS).index("carbon")] = carbon_usd_per_t(
        data.settings.carbon_price_usd_per_t_co2 or 0.0, route_co2[flow_route])
    at = 0
    for cand, k, cls in blocks:  # transport, handling, time, risk (USD/t) of each flow
        end = at + len(cand)
        cost_array[at:end, 0] = transport_of[cls][cand]
        cost_array[at:end, 1] = handling_of[cls][cand]
        cost_array[at:end, 2] = time_usd_per_t(value[k], rate, days[cand])
        cost_array[at:end, 3] = risk_usd_per_t(value[k], risk[cand])
        at = end

    capacity_rows = [CapacityRow(rec[ROW], rec["element"], rec["cargo_class"] or None, rec["capacity_t"])
                     for rec in records(t["Capacities"])]
    policy_limits = []
    for rec in records(t["Policies"]):
        if rec.get("calibration") is True and not data.settings.calibration_rules:
            continue  # a calibration rule, switched off
        targets = (_scope_targets(routes, countries_of, rec["scope"]) if rec["target"] == "*"
                   else [rec["target"]])
        for target in targets:
            policy_limits.append(PolicyLimit(rec["rule"], target, rec["kind"], rec["scope"],
                                             rec["commodity"] or None, rec["value"], rec[ROW]))

    net = Network(routes, commodity_class, value, countries_of, days, risk, flows, cost_array, demand_rows,
                  supply_rows, capacity_rows, policy_limits, node_country,
                  nodes["kind"].to_dict(), investment_options(data), demand_span, frozenset(tariff),
                  observations=observations(data), surcharges=surcharges(data),
                  flow_route=flow_route, flow_commodity=flow_commodity, route_co2_t_per_t=route_co2,
                  legs_without_distance=without_distance, names=Names.of(data))
    surcharge = list(COST_PARTS).index("surcharge")
    for s in net.surcharges:  # added to the flows through its target, once the memberships are known
        cost_array[net.scope_index(s.scope, s.target, s.commodity)[0], surcharge] += s.usd_per_t
    return net


def observations(data: CorridorData) -> list[Observation]:
    """The Observations sheet: each row with its band (the larger of its two tolerances)."""
    out = []
    for rec in records(data.tables.get("Observations", _EMPTY)):
        pct, t = rec["tolerance_pct"], rec["tolerance_t"]
        band = max(t if t == t and t is not None else 0.0,
                   rec["observed_t"] * pct / 100.0 if pct == pct and pct is not None else 0.0)
        out.append(Observation(rec["observation"], rec["scope"], rec["target"], rec["commodity"] or None,
                               rec["observed_t"], band, rec["source"] or None, rec[ROW]))
    return out


def surcharges(data: CorridorData) -> list[Surcharge]:
    return [Surcharge(rec["scope"], rec["target"], rec["commodity"] or None, rec["usd_per_t"], rec[ROW])
            for rec in records(data.tables.get("Surcharges", _EMPTY))]


_EMPTY = pd.DataFrame()


def investment_options(data: CorridorData) -> list[Option]:
    """The Investments sheet as options."""
    out = []
    for rec in records(data.tables["Investments"]):
        first, lead = rec.get("first_year"), rec.get("lead_time_years")
        start = None if first is None or first != first else float(first) + (lead if lead and lead == lead else 0.0)
        module = rec.get("module_t")
        out.append(Option(rec["option"], rec["element"], rec["cargo_class"] or None, rec["max_added_t"],
                          rec["annualised_cost_usd_per_t"], rec[ROW], start, lumpy=rec.get("lumpy") is True,
                          module_t=None if module is None or module != module else float(module),
                          fixed_cost_usd_per_yr=float(rec.get("fixed_cost_usd_per_yr") or 0.0)))
    return out

