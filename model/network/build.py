"""build_network(data) -> Network: flows, costs and memberships derived from validated data.

Costs are summed along each route's path over flat arrays (numpy reduceat), once per cargo
class; a flow's cost parts are worked out from them when asked (model.network.costs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain

import numpy as np
import pandas as pd

from model.input.allocation import CALIBRATION_SOURCE
from model.input.data import ROW, CorridorData, records
from model.input.schema import PolicyKind, Role, Scope, class_list, leg_id
from model.input.seasons import annual_rows, season_table
from model.network import (
    CapacityRow,
    DemandRow,
    Network,
    Observation,
    Option,
    RuleLimit,
    SupplyRow,
    Surcharge,
    supply_origins,
)
from model.network.costs import RouteCosts, cargo_classes
from model.network.emissions import leg_co2e_t_per_t, node_co2e_t_per_t
from model.network.names import Names
from model.network.routes import CountriesOf, FlowList, RouteTable, path_table, within_paths


def _scope_targets(routes: RouteTable, countries_of: CountriesOf, legs: list[str],
                   scope: str) -> list[str]:
    """Every name a '*' target expands to: those that some enabled route passes, in route order
    (legs: the legs of enabled routes in order of first use)."""
    if scope == Scope.NODE:
        return [routes.table.nodes[c] for c in pd.unique(routes.node_codes()).tolist()]
    if scope == Scope.LEG:
        return list(legs)
    names_of: dict[str, Callable[[], Iterable[str]]] = {
        "corridor": lambda: routes.corridors, "route": lambda: iter(routes),
        "country": lambda: chain.from_iterable(dict.fromkeys(countries_of.values()))}
    names = names_of[scope]()
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
    commodity_class = dict(zip(com["commodity"], com["cargo_class"], strict=True))
    value = dict(zip(com["commodity"], com["value_usd_per_t"].fillna(0.0), strict=True))
    own_rate = {k: float(r) for k, r in com.reindex(columns=["commodity", "carrying_cost_rate"])
                .itertuples(index=False) if r == r and r is not None}  # blank: the Settings rate

    leg_ids = {(a, b): leg_id(a, b) for a, b in t["Legs"][["from", "to"]].itertuples(index=False)}
    r_tab = t["Routes"]
    table = path_table(data, r_tab)  # the paths, parsed once (validation read them first)
    at = np.flatnonzero(r_tab["enabled"].to_numpy(dtype=object)[table.rows] != False)  # noqa: E712 (None: enabled)
    rows = table.rows[at]
    route_ids = r_tab["route"].to_numpy(dtype=object)[rows].tolist()
    cargo = r_tab["cargo_classes"].to_numpy(dtype=object)[rows].tolist()
    class_sets = {c: class_list(c) for c in dict.fromkeys(cargo)}
    routes = RouteTable(route_ids, r_tab["corridor"].to_numpy(dtype=object)[rows].tolist(),
                        list(map(class_sets.__getitem__, cargo)), table, at, leg_ids)
    n_routes = len(route_ids)

    # Sums along each route's path, over flat arrays of its nodes and legs in path order (each
    # route has at least two nodes, so one leg: no empty segment for reduceat).
    node_seq = routes.node_codes()  # codes into table.nodes
    n_nodes = routes.node_count
    node_start = np.zeros(n_routes, dtype=np.int64)
    np.cumsum(n_nodes[:-1], out=node_start[1:])
    leg_start = node_start - np.arange(n_routes)  # a route of n nodes has n - 1 legs
    inside = within_paths(n_nodes)
    width = max(len(table.nodes), 1)
    leg_seq, leg_pairs = pd.factorize(node_seq[:-1][inside].astype(np.int64) * width + node_seq[1:][inside])
    leg_code = {leg_ids[(table.nodes[p // width], table.nodes[p % width])]: i for i, p in
                enumerate(np.asarray(leg_pairs).tolist())}  # legs in order of first use
    node_code = dict.fromkeys(table.nodes)

    # The countries each route crosses, in path order, once each: one tuple per distinct sequence,
    # worked out for each distinct sequence of countries along the paths (a few dozen).
    country_index = {c: i for i, c in enumerate(dict.fromkeys(node_country.values()))}
    countries = list(country_index)
    along_country = np.array([country_index[node_country[n]] for n in table.nodes], dtype=np.int64)
    seq_code = np.zeros(n_routes, dtype=np.int64)
    seqs: dict[tuple[str, ...], int] = {}
    for n in sorted(pd.unique(n_nodes).tolist()):
        which = np.flatnonzero(n_nodes == n)
        grid = along_country[node_seq[node_start[which][:, None] + np.arange(n)]]
        if len(countries) ** n < 2**62:  # each row as one number: hashed, not sorted
            inverse, _ = pd.factorize(grid @ (len(countries) ** np.arange(n, dtype=np.int64)))
            first = np.zeros(inverse.max() + 1 if len(inverse) else 0, dtype=np.int64)
            first[inverse[::-1]] = np.arange(len(inverse) - 1, -1, -1)  # where each code first appears
            distinct = grid[first]
        else:
            distinct, inverse = np.unique(grid, axis=0, return_inverse=True)
        codes = [seqs.setdefault(tuple(dict.fromkeys(countries[c] for c in row)), len(seqs))
                 for row in distinct.tolist()]
        seq_code[which] = np.asarray(codes, dtype=np.int64)[np.asarray(inverse).reshape(-1)]
    seq_list = list(seqs)
    countries_of = CountriesOf(routes, seq_list, seq_code)
    risk = countries_of.each(lambda seq: sum(risk_pct.get(c, 0.0) for c in seq), float)  # % of value

    def along(per_node: dict[str, float] | None, per_leg: dict[str, float] | None) -> np.ndarray:
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
    leg_cost = {e: legs[e][0] for e in leg_code}
    # Transport and handling by cargo class: a class tariff replaces the default cost of the
    # elements it names.
    classes_in_use = cargo_classes(commodity_class)
    route_costs = RouteCosts.of([(along(None, {e: tariff.get((e, cls), c) for e, c in leg_cost.items()}),
                                  along({n: tariff.get((n, cls), handling[n]) for n in node_code}, None))
                                 for cls in classes_in_use])
    # Which classes each route carries: one mask per distinct cargo_classes entry.
    set_code = {cs: i for i, cs in enumerate(dict.fromkeys(class_sets.values()))}
    route_set = np.fromiter(map(set_code.__getitem__, routes.classes), dtype=np.int64, count=n_routes)
    carries = {cls: np.array([cs is None or cls in cs for cs in set_code], dtype=bool)[route_set]
               for cls in classes_in_use}

    demand_rows = [DemandRow(rec[ROW], rec["commodity"], rec["origin"] or None, rec["market"], rec["demand_t"])
                   for rec in records(annual_rows(t["Demand"]))]
    supply_rows = [SupplyRow(rec[ROW], rec["commodity"], rec["origin"], rec["min_t"] or 0.0, rec["max_t"])
                   for rec in records(t["Supply"])]
    origins_of = supply_origins(supply_rows)
    # The routes of each (market, origin), in route order; the pairs in order of first appearance.
    pair_of_route, pairs = pd.factorize(routes.market_code.astype(np.int64) * width + routes.origin_code)
    order = np.argsort(pair_of_route, kind="stable")
    bounds = np.searchsorted(pair_of_route[order], np.arange(len(pairs) + 1))
    groups = {(table.nodes[p // width], table.nodes[p % width]): order[bounds[j]:bounds[j + 1]].astype(np.int64)
              for j, p in enumerate(np.asarray(pairs).tolist())}
    origins_at: dict[str, list[str]] = {}  # market -> origins with a route there, in route order
    for market, origin in groups:
        origins_at.setdefault(market, []).append(origin)
    commodity_code = {k: i for i, k in enumerate(commodity_class)}
    n_flows, demand_span = 0, {}
    blocks: list[tuple[np.ndarray, str]] = []  # per demand row: (route positions, commodity)
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
        demand_span[d.row] = (n_flows, n_flows + len(cand))
        n_flows += len(cand)
        blocks.append((cand, k))
    flow_route = np.concatenate([b[0] for b in blocks]).astype(np.int32) if blocks else np.zeros(0, dtype=np.int32)
    flow_commodity = np.concatenate([np.full(len(b[0]), commodity_code[b[1]], dtype=np.int32) for b in blocks]) \
        if blocks else np.zeros(0, dtype=np.int32)
    flows = FlowList(list(commodity_class), route_ids, flow_commodity, flow_route)  # (commodity, route) each
    capacity_rows = [CapacityRow(rec[ROW], rec["element"], rec["cargo_class"] or None, rec["capacity_t"])
                     for rec in records(annual_rows(t["Capacities"]))]
    policy_limits = []
    for rec in records(t["Policies"]):
        if rec.get("calibration") is True and not data.settings.calibration_rules:
            continue  # a calibration rule, switched off
        targets = (_scope_targets(routes, countries_of, list(leg_code), rec["scope"]) if rec["target"] == "*"
                   else [rec["target"]])
        for target in targets:
            policy_limits.append(RuleLimit(rec["rule"], target, PolicyKind(rec["kind"]), Scope(rec["scope"]),
                                             rec["commodity"] or None, rec["value"], rec[ROW]))

    net = Network(routes, commodity_class, value, countries_of, days, risk, flows, route_costs, demand_rows,
                  supply_rows, capacity_rows, policy_limits, node_country,
                  nodes["kind"].to_dict(), investment_options(data), demand_span, frozenset(tariff),
                  observations=observations(data), surcharges=surcharges(data),
                  flow_route=flow_route, flow_commodity=flow_commodity, route_co2_t_per_t=route_co2,
                  legs_without_distance=without_distance, names=Names.of(data), carrying_cost_rate=rate,
                  own_rate=own_rate, carbon_price_usd_per_t_co2=data.settings.carbon_price_usd_per_t_co2 or 0.0,
                  seasons=season_table(data))
    return net


def observations(data: CorridorData) -> list[Observation]:
    """The Observations sheet: each row with its band (the larger of its two tolerances)."""
    out = []
    for rec in records(data.tables.get("Observations", _EMPTY)):
        pct, t = rec["tolerance_pct"], rec["tolerance_t"]
        band = max(t if t == t and t is not None else 0.0,
                   rec["observed_t"] * pct / 100.0 if pct == pct and pct is not None else 0.0)
        out.append(Observation(rec["observation"], Scope(rec["scope"]), rec["target"], rec["commodity"] or None,
                               rec["observed_t"], band, rec["source"] or None, rec[ROW],
                               Role(rec.get("role") or Role.FIT), rec.get("scenario") or None))
    return out


def surcharges(data: CorridorData) -> list[Surcharge]:
    return [Surcharge(Scope(rec["scope"]), rec["target"], rec["commodity"] or None, rec["usd_per_t"], rec[ROW],
                      rec.get("source") == CALIBRATION_SOURCE)
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

