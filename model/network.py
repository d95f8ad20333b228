"""Derived, solver-free facts about a valid CorridorData.

Which (commodity, route) flows exist, what a tonne on each costs (in four
parts), and which flows each demand row, supply row, capacity row and policy
rule counts. The model in build/ and the results in results.py both read
these, so a cost or a membership is computed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping
from functools import cached_property
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

import numpy as np

from model.inputs import ROW, CorridorData, records
from model.schema import class_list, leg_id, path_nodes

DAYS_PER_YEAR = 365.0

Flow = tuple[str, str]  # (commodity, route)


class Route:
    """One enabled route: its path, corridor and the cargo classes it carries. Slotted, with its
    legs computed once and leg ids shared between routes: a large case has hundreds of
    thousands of routes."""

    __slots__ = ("route", "corridor", "nodes", "classes", "legs")

    def __init__(self, route: str, corridor: str, nodes: tuple[str, ...], classes: frozenset[str] | None,
                 leg_ids: dict | None = None):
        self.route, self.corridor, self.nodes, self.classes = route, corridor, nodes, classes
        legs = tuple(map(leg_ids.get, zip(nodes, nodes[1:]))) if leg_ids is not None else (None,)
        if None in legs:  # a step that is not a leg of the data (only before validation)
            legs = tuple(leg_id(a, b) for a, b in zip(nodes, nodes[1:]))
        self.legs = legs

    @property
    def elements(self) -> dict[str, int]:
        """Nodes and legs the route passes, with how many times it passes each."""
        out: dict[str, int] = {}
        for e in self.nodes + self.legs:
            out[e] = out.get(e, 0) + 1
        return out

    @property
    def origin(self) -> str:
        return self.nodes[0]

    @property
    def market(self) -> str:
        return self.nodes[-1]

    def carries(self, cargo_class: str) -> bool:
        return self.classes is None or cargo_class in self.classes


class CostParts(NamedTuple):
    """USD per tonne on one route for one commodity, in the four parts the results report."""

    transport: float
    handling: float
    time: float
    risk: float

    @property
    def total(self) -> float:
        return self.transport + self.handling + self.time + self.risk


@dataclass(frozen=True)
class DemandRow:
    row: int
    commodity: str
    origin: str | None
    market: str
    demand_t: float


@dataclass(frozen=True)
class SupplyRow:
    row: int
    commodity: str
    origin: str
    min_t: float
    max_t: float


@dataclass(frozen=True)
class CapacityRow:
    row: int
    element: str
    cargo_class: str | None
    capacity_t: float


@dataclass(frozen=True)
class Option:
    """Capacity the model may add to one Capacities row, at an annualised cost per tonne."""

    option: str
    element: str
    cargo_class: str | None
    max_added_t: float
    annualised_cost_usd_per_t: float
    row: int
    in_service_from: float | None = None  # first_year + lead_time_years; None: from the first period


@dataclass(frozen=True)
class PolicyLimit:
    """One constraint of a policy rule: a rule with target '*' gives one per target."""

    rule: str
    target: str
    kind: str
    scope: str
    commodity: str | None
    value: float
    row: int

    @property
    def is_share(self) -> bool:
        return self.kind.endswith("share")

    @property
    def is_max(self) -> bool:
        return self.kind.startswith("max")

    @property
    def filter_key(self) -> str:
        """The commodity filter as the index of the Shipped variable of share rules ('*': all)."""
        return self.commodity or "*"


@dataclass
class Network:
    routes: dict[str, Route]
    commodity_class: dict[str, str]
    value_usd_per_t: dict[str, float]
    countries_of: dict[str, tuple[str, ...]]  # route -> distinct countries in path order
    route_days: np.ndarray  # per route, in route order: leg transit + node dwell days
    flows: list[Flow]
    cost_array: np.ndarray  # flows x 4: transport, handling, time, risk (USD/t), in flow order
    demand_rows: list[DemandRow]
    supply_rows: list[SupplyRow]
    capacity_rows: list[CapacityRow]
    policy_limits: list[PolicyLimit]
    node_country: dict[str, str] = field(default_factory=dict)
    node_kind: dict[str, str] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    demand_span: dict[int, tuple[int, int]] = field(default_factory=dict)  # demand row -> its flows' positions
    # Per flow, in flow order: the position of its route in `routes` and the code of its commodity
    # (position in commodity_class). Memberships below are worked out on these arrays, so a case
    # of a million flows needs no Python object per (flow, row) pair.
    flow_route: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    flow_commodity: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    @cached_property
    def transit_days(self) -> dict[str, float]:
        """route -> leg transit + node dwell days."""
        return dict(zip(self.routes, self.route_days.tolist()))

    @cached_property
    def demand_flows(self) -> dict[int, list[Flow]]:
        """demand row -> its flows (a demand row's flows are consecutive in flow order)."""
        return {row: self.flows[a:b] for row, (a, b) in self.demand_span.items()}

    @cached_property
    def flow_index(self) -> dict[Flow, int]:
        """flow -> its position in flows (and in cost_array)."""
        return {f: i for i, f in enumerate(self.flows)}

    @property
    def cost(self) -> "CostView":
        """flow -> CostParts, read from cost_array."""
        return CostView(self)

    @cached_property
    def cost_total(self) -> np.ndarray:
        """USD per tonne of each flow, in flow order."""
        return self.cost_array.sum(axis=1)

    @cached_property
    def demand_of(self) -> dict[Flow, int]:
        """flow -> the demand row it serves."""
        return {f: row for row, (a, b) in self.demand_span.items() for f in self.flows[a:b]}

    # ------------------------------------------------ memberships as positions in flow order

    def demand_index(self, row: int) -> np.ndarray:
        a, b = self.demand_span.get(row, (0, 0))
        return np.arange(a, b, dtype=np.int64)

    def supply_index(self, s: SupplyRow) -> np.ndarray:
        """Positions of the flows of a Supply row's commodity from its origin, ascending."""
        cache = self.__dict__.setdefault("_supply_cache", {})
        key = (s.commodity, s.origin)
        if key not in cache:
            codes = self._codes
            k, o = codes["commodity"].get(s.commodity), codes["node"].get(s.origin)
            if k is None or o is None:
                cache[key] = np.zeros(0, dtype=np.int64)
            else:
                cache[key] = np.flatnonzero((self.flow_commodity == k) & (self._route_origin[self.flow_route] == o))
        return cache[key]

    @cached_property
    def _codes(self) -> dict[str, dict[str, int]]:
        return {"commodity": {k: i for i, k in enumerate(self.commodity_class)},
                "node": {n: i for i, n in enumerate(dict.fromkeys(
                    n for route in self.routes.values() for n in (route.origin, route.market)))}}

    @cached_property
    def _route_origin(self) -> np.ndarray:
        node = self._codes["node"]
        return np.fromiter((node[route.origin] for route in self.routes.values()), dtype=np.int64,
                           count=len(self.routes))

    @cached_property
    def _flow_class(self) -> np.ndarray:
        """Code of each flow's cargo class (position in the list of classes in commodity order)."""
        classes = {c: i for i, c in enumerate(dict.fromkeys(self.commodity_class.values()))}
        of_commodity = np.array([classes[c] for c in self.commodity_class.values()], dtype=np.int64)
        return of_commodity[self.flow_commodity] if len(self.flow_commodity) else np.zeros(0, dtype=np.int64)

    def capacity_index(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """For each Capacities row: (positions of the flows through its element whose class it
        limits, ascending; how many times a tonne of each passes the element, as floats)."""
        return self._capacity_index

    @cached_property
    def _capacity_index(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        elements = {c.element for c in self.capacity_rows}
        passes = {e: np.zeros(len(self.routes), dtype=np.int16) for e in elements}  # element -> per route
        for i, route in enumerate(self.routes.values()):
            for e in route.nodes:
                if e in elements:
                    passes[e][i] += 1
            for e in route.legs:
                if e in elements:
                    passes[e][i] += 1
        classes = {c: i for i, c in enumerate(dict.fromkeys(self.commodity_class.values()))}
        out = {}
        for c in self.capacity_rows:
            per_flow = passes[c.element][self.flow_route]
            hit = per_flow > 0
            if c.cargo_class is not None:
                hit &= self._flow_class == classes.get(c.cargo_class, -1)
            idx = np.flatnonzero(hit)
            out[c.row] = (idx, per_flow[idx].astype(np.float64))
        return out

    def capacity_users(self) -> dict[int, list[tuple[Flow, int]]]:
        """For each Capacities row: the flows through its element whose class it limits,
        with how many times a tonne of the flow passes the element (in flow order)."""
        flows = self.flows
        return {row: [(flows[i], int(n)) for i, n in zip(idx.tolist(), passes.tolist())]
                for row, (idx, passes) in self._capacity_index.items()}

    def policy_index(self, p: PolicyLimit) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the flows the rule selects, positions of the flows of its commodity
        filter), both ascending; the second array is the same object for every limit with the
        same filter."""
        total = self._matching_index(p.commodity)
        cache = self.__dict__.setdefault("_scope_mask_cache", {})
        key = (p.scope, p.target)
        if key not in cache:
            few = sum(q.scope == p.scope for q in self.policy_limits) <= 3
            if p.scope in ("node", "leg") and few and p.scope not in self.__dict__.get("_scope_cache", {}):
                # One node or leg asked for: one pass over the routes, not an index of every node.
                attr = "nodes" if p.scope == "node" else "legs"
                mask = np.fromiter((p.target in getattr(route, attr) for route in self.routes.values()),
                                   dtype=bool, count=len(self.routes))
            else:
                mask = np.zeros(len(self.routes), dtype=bool)
                mask[self._routes_in_scope(p.scope).get(p.target, np.zeros(0, dtype=np.int64))] = True
            cache[key] = mask
        mask = cache[key]
        selected = total[mask[self.flow_route[total]]]
        return selected, total

    def _matching_index(self, selector: str | None) -> np.ndarray:
        cache = self.__dict__.setdefault("_matching_index_cache", {})
        if selector not in cache:
            keep = np.array([self.commodity_matches(k, selector) for k in self.commodity_class], dtype=bool)
            cache[selector] = (np.flatnonzero(keep[self.flow_commodity]) if len(self.flow_commodity)
                               else np.zeros(0, dtype=np.int64))
        return cache[selector]

    # ------------------------------------------------ the same memberships as lists of flows

    def flows_of_demand(self, row: int) -> list[Flow]:
        a, b = self.demand_span.get(row, (0, 0))
        return self.flows[a:b]

    def flows_of_supply(self, s: SupplyRow) -> list[Flow]:
        flows = self.flows
        return [flows[i] for i in self.supply_index(s).tolist()]

    def _routes_in_scope(self, scope: str) -> dict[str, np.ndarray]:
        """name -> positions of the routes in it, ascending, for one scope (built when a rule first
        asks)."""
        cache = self.__dict__.setdefault("_scope_cache", {})
        if scope not in cache:
            out: dict[str, list[int]] = {}
            routes = self.routes.values()
            if scope in ("corridor", "country"):  # group routes by their corridor, or their countries
                keys = [route.corridor for route in routes] if scope == "corridor" else list(self.countries_of.values())
                code = {key: i for i, key in enumerate(dict.fromkeys(keys))}
                codes = np.fromiter(map(code.__getitem__, keys), dtype=np.int64, count=len(keys))
                order = np.argsort(codes, kind="stable")
                groups = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1) if len(keys) else []
                for key, ix in zip(code, groups):
                    for name in ((key,) if scope == "corridor" else key):
                        out.setdefault(name, []).append(ix)
                cache[scope] = {name: np.sort(np.concatenate(parts)) for name, parts in out.items()}
                return cache[scope]
            if scope == "route":
                out = {r: [i] for i, r in enumerate(self.routes)}
            else:
                names_of = {"country": lambda route: self.countries_of[route.route],
                            "node": lambda route: set(route.nodes), "leg": lambda route: set(route.legs)}[scope]
                for i, route in enumerate(routes):
                    for name in names_of(route):
                        out.setdefault(name, []).append(i)
            cache[scope] = {name: np.array(ix, dtype=np.int64) for name, ix in out.items()}
        return cache[scope]

    def options_of(self, c: CapacityRow) -> list[Option]:
        """The investment options that add to a Capacities row (same element and class)."""
        return [o for o in self.options if o.element == c.element and o.cargo_class == c.cargo_class]

    def commodity_matches(self, k: str, selector: str | None) -> bool:
        """A policy's commodity column: blank = all, else commodity ids and/or cargo classes,
        comma separated; a name that is a commodity id means that commodity."""
        if selector is None:
            return True
        for name in selector.split(","):
            name = name.strip()
            if name == k or (name not in self.commodity_class and self.commodity_class[k] == name):
                return True
        return False

    def in_scope(self, r: str, scope: str, target: str) -> bool:
        route = self.routes[r]
        if scope == "corridor":
            return route.corridor == target
        if scope == "country":
            return target in self.countries_of[r]
        if scope == "route":
            return r == target
        if scope == "node":
            return target in route.nodes
        return target in route.legs  # leg

    def policy_flows(self, p: PolicyLimit) -> tuple[list[Flow], list[Flow]]:
        """(flows the rule selects, flows of the same commodity filter) for one limit, each in flow
        order; the second list is the same object for every limit with the same filter."""
        selected, total = self.policy_index(p)
        total_flows = self._matching(p.commodity)
        if len(selected) == len(total):
            return list(total_flows), total_flows
        flows = self.flows
        return [flows[i] for i in selected.tolist()], total_flows

    def _matching(self, selector: str | None) -> list[Flow]:
        cache = self.__dict__.setdefault("_matching_cache", {})
        if selector not in cache:
            flows = self.flows
            cache[selector] = [flows[i] for i in self._matching_index(selector).tolist()]
        return cache[selector]


def supply_origins(supply_rows) -> dict[str, set[str]]:
    """Where each commodity may come from: a commodity with Supply rows ships only from
    the origins listed; one without Supply rows from any origin, without limit."""
    origins: dict[str, set[str]] = {}
    for s in supply_rows:
        origins.setdefault(s.commodity, set()).add(s.origin)
    return origins


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
    rate = float(data.settings["carrying_cost_rate"])
    nodes = t["Nodes"].set_index("node")
    node_country = nodes["country"].to_dict()
    handling = nodes["handling_usd_per_t"].fillna(0.0).to_dict()
    dwell = nodes["dwell_days"].fillna(0.0).to_dict()
    risk_pct = t["Countries"].set_index("country")["risk_premium_pct"].fillna(0.0).to_dict()
    legs = {leg_id(a, b): (c, d) for a, b, c, d in
            t["Legs"][["from", "to", "cost_usd_per_t", "transit_days"]].itertuples(index=False)}
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
    cost_array = np.empty((len(flows), 4))
    at = 0
    for cand, k, cls in blocks:  # transport, handling, time, risk (USD/t) of each flow
        end = at + len(cand)
        cost_array[at:end, 0] = transport_of[cls][cand]
        cost_array[at:end, 1] = handling_of[cls][cand]
        cost_array[at:end, 2] = (value[k] * rate / DAYS_PER_YEAR) * days[cand]
        cost_array[at:end, 3] = (value[k] / 100.0) * risk[cand]
        at = end

    capacity_rows = [CapacityRow(rec[ROW], rec["element"], rec["cargo_class"] or None, rec["capacity_t"])
                     for rec in records(t["Capacities"])]
    policy_limits = []
    for rec in records(t["Policies"]):
        targets = (_scope_targets(routes, countries_of, rec["scope"]) if rec["target"] == "*"
                   else [rec["target"]])
        for target in targets:
            policy_limits.append(PolicyLimit(rec["rule"], target, rec["kind"], rec["scope"],
                                             rec["commodity"] or None, rec["value"], rec[ROW]))

    return Network(routes, commodity_class, value, countries_of, days, flows, cost_array, demand_rows,
                   supply_rows, capacity_rows, policy_limits, node_country,
                   nodes["kind"].to_dict(), investment_options(data), demand_span, flow_route, flow_commodity)


class CostView(Mapping):
    """net.cost[f] -> CostParts of flow f, from the network's cost array."""

    __slots__ = ("net",)

    def __init__(self, net: Network):
        self.net = net

    def __getitem__(self, f: Flow) -> CostParts:
        return CostParts(*self.net.cost_array[self.net.flow_index[f]].tolist())

    def __iter__(self):
        return iter(self.net.flows)

    def __len__(self) -> int:
        return len(self.net.flows)


def investment_options(data: CorridorData) -> list[Option]:
    """The Investments sheet as options."""
    out = []
    for rec in records(data.tables["Investments"]):
        first, lead = rec.get("first_year"), rec.get("lead_time_years")
        start = None if first is None or first != first else float(first) + (lead if lead and lead == lead else 0.0)
        out.append(Option(rec["option"], rec["element"], rec["cargo_class"] or None, rec["max_added_t"],
                          rec["annualised_cost_usd_per_t"], rec[ROW], start))
    return out

