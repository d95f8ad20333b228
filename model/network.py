"""Derived, solver-free facts about a valid CorridorData.

Which (commodity, route) flows exist, what a tonne on each costs (in four
parts), and which flows each demand row, supply row, capacity row and policy
rule counts. The model in build/ and the results in results.py both read
these, so a cost or a membership is computed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from array import array
from collections.abc import Mapping
from functools import cached_property
from typing import NamedTuple

import numpy as np

from model.inputs import ROW, CorridorData
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
        pairs = zip(nodes, nodes[1:])
        self.legs = tuple(leg_ids[p] if leg_ids is not None and p in leg_ids else leg_id(*p) for p in pairs)

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


@dataclass
class Network:
    routes: dict[str, Route]
    commodity_class: dict[str, str]
    value_usd_per_t: dict[str, float]
    countries_of: dict[str, tuple[str, ...]]  # route -> distinct countries in path order
    transit_days: dict[str, float]  # route -> leg transit + node dwell days
    flows: list[Flow]
    cost_array: np.ndarray  # flows x 4: transport, handling, time, risk (USD/t), in flow order
    demand_rows: list[DemandRow]
    supply_rows: list[SupplyRow]
    capacity_rows: list[CapacityRow]
    policy_limits: list[PolicyLimit]
    node_country: dict[str, str] = field(default_factory=dict)
    node_kind: dict[str, str] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    demand_flows: dict[int, list[Flow]] = field(default_factory=dict)  # demand row -> its flows

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
        return {f: row for row, fl in self.demand_flows.items() for f in fl}

    def flows_of_demand(self, row: int) -> list[Flow]:
        return self.demand_flows.get(row, [])

    def flows_of_supply(self, s: SupplyRow) -> list[Flow]:
        return self._by_commodity_origin.get((s.commodity, s.origin), [])

    @cached_property
    def _by_commodity_origin(self) -> dict[tuple[str, str], list[Flow]]:
        out: dict[tuple[str, str], list[Flow]] = {}
        for f in self.flows:
            out.setdefault((f[0], self.routes[f[1]].origin), []).append(f)
        return out

    @cached_property
    def _by_route(self) -> dict[str, list[Flow]]:
        out: dict[str, list[Flow]] = {}
        for f in self.flows:
            out.setdefault(f[1], []).append(f)
        return out

    def _routes_in_scope(self, scope: str) -> dict[str, list[str]]:
        """name -> the routes in it, in route order, for one scope (built when a rule first asks)."""
        cache = self.__dict__.setdefault("_scope_cache", {})
        if scope not in cache:
            out: dict[str, list[str]] = {}
            for r, route in self.routes.items():
                names = {"corridor": (route.corridor,), "route": (r,), "country": self.countries_of[r],
                         "node": dict.fromkeys(route.nodes), "leg": dict.fromkeys(route.legs)}[scope]
                for name in names:
                    out.setdefault(name, []).append(r)
            cache[scope] = out
        return cache[scope]

    def options_of(self, c: CapacityRow) -> list[Option]:
        """The investment options that add to a Capacities row (same element and class)."""
        return [o for o in self.options if o.element == c.element and o.cargo_class == c.cargo_class]

    def capacity_users(self) -> dict[int, list[tuple[Flow, int]]]:
        """For each Capacities row: the flows through its element whose class it limits,
        with how many times a tonne of the flow passes the element (in flow order)."""
        return self._capacity_users

    @cached_property
    def _capacity_users(self) -> dict[int, list[tuple[Flow, int]]]:
        rows_of: dict[str, list[CapacityRow]] = {}
        for c in self.capacity_rows:
            rows_of.setdefault(c.element, []).append(c)
        users: dict[int, list[tuple[Flow, int]]] = {c.row: [] for c in self.capacity_rows}
        on_route: dict[str, list] = {}  # route -> (users list, passes, class limited or None), once per route
        for f in self.flows:
            k, r = f
            hits = on_route.get(r)
            if hits is None:
                hits = on_route[r] = [(users[c.row], passes, c.cargo_class)
                                      for element, passes in self.routes[r].elements.items()
                                      for c in rows_of.get(element, ())]
            cls = self.commodity_class[k]
            for target, passes, limited in hits:
                if limited is None or limited == cls:
                    target.append((f, passes))
        return users

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
        """(flows the rule selects, flows of the same commodity filter) for one limit, each in flow order."""
        total = self._matching(p.commodity)
        chosen = {f for r in self._routes_in_scope(p.scope).get(p.target, ()) for f in self._by_route.get(r, ())
                  if self.commodity_matches(f[0], p.commodity)}
        if len(chosen) == len(total):
            return list(total), total
        return [f for f in total if f in chosen], total

    def _matching(self, selector: str | None) -> list[Flow]:
        cache = self.__dict__.setdefault("_matching_cache", {})
        if selector not in cache:
            cache[selector] = [f for f in self.flows if self.commodity_matches(f[0], selector)]
        return cache[selector]


def supply_origins(supply_rows) -> dict[str, set[str]]:
    """Where each commodity may come from: a commodity with Supply rows ships only from
    the origins listed; one without Supply rows from any origin, without limit."""
    origins: dict[str, set[str]] = {}
    for s in supply_rows:
        origins.setdefault(s.commodity, set()).add(s.origin)
    return origins


def _scope_targets(routes: dict[str, Route], countries_of: dict[str, tuple[str, ...]], scope: str) -> list[str]:
    """Every name a '*' target expands to: those that some enabled route passes."""
    seen: dict[str, None] = {}
    for r, route in routes.items():
        names = {"corridor": [route.corridor], "country": countries_of[r], "route": [r],
                 "node": route.nodes, "leg": route.legs}[scope]
        for n in names:
            seen.setdefault(n, None)
    return list(seen)


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
    node_ids = {n: n for n in nodes.index}  # one string object per node id, shared by every path
    class_sets: dict = {}
    routes: dict[str, Route] = {}
    r_tab = t["Routes"]
    for r, corridor, path, classes, enabled in zip(r_tab["route"], r_tab["corridor"], r_tab["path"],
                                                   r_tab["cargo_classes"], r_tab["enabled"]):
        if enabled is False:
            continue
        if classes not in class_sets:
            class_sets[classes] = class_list(classes)
        steps = tuple(node_ids.get(n, n) for n in path_nodes(path))
        routes[r] = Route(r, corridor, steps, class_sets[classes], leg_ids)

    countries_of, transit_days = {}, {}
    for r, route in routes.items():
        countries_of[r] = tuple(dict.fromkeys(node_country[n] for n in route.nodes))
        transit_days[r] = sum(legs[leg][1] for leg in route.legs) + sum(dwell[n] for n in route.nodes)

    demand_rows = [DemandRow(rec[ROW], rec["commodity"], rec["origin"] or None, rec["market"], rec["demand_t"])
                   for rec in t["Demand"].to_dict("records")]
    supply_rows = [SupplyRow(rec[ROW], rec["commodity"], rec["origin"], rec["min_t"] or 0.0, rec["max_t"])
                   for rec in t["Supply"].to_dict("records")]
    origins_of = supply_origins(supply_rows)
    flows, demand_flows = [], {}
    parts = array("d")  # transport, handling, time, risk of each flow in turn
    path_cost: dict[tuple[str, str], tuple[float, float]] = {}  # (route, class) -> (transport, handling)
    route_risk = {r: sum(risk_pct.get(c, 0.0) for c in countries_of[r]) for r in routes}  # % of value
    # Transport and handling at the default costs per route; a class tariff changes only the
    # elements it names, so routes without tariffed elements cost the same for every class.
    tariffed = {e for e, _ in tariff}
    base_cost = {r: (sum(legs[leg][0] for leg in route.legs), sum(handling[n] for n in route.nodes))
                 for r, route in routes.items()}
    tariffed_on = {r: [e for e in route.elements if e in tariffed] for r, route in routes.items()} \
        if tariffed else {}
    by_market_origin: dict[tuple[str, str], list[tuple[str, Route]]] = {}
    for r, route in routes.items():
        by_market_origin.setdefault((route.market, route.origin), []).append((r, route))
    route_order = {r: i for i, r in enumerate(routes)}
    origins_at: dict[str, list[str]] = {}  # market -> origins with a route there, in route order
    for market, origin in by_market_origin:
        origins_at.setdefault(market, []).append(origin)
    for d in demand_rows:
        k = d.commodity
        cls = commodity_class[k]
        origins = [d.origin] if d.origin else origins_at.get(d.market, [])
        candidates = [pair for o in origins if k not in origins_of or o in origins_of[k]
                      for pair in by_market_origin.get((d.market, o), ())]
        if len(origins) > 1:  # keep route order across origins
            candidates.sort(key=lambda pair: route_order[pair[0]])
        served = demand_flows.setdefault(d.row, [])
        per_day, per_pct = value[k] * rate / DAYS_PER_YEAR, value[k] / 100.0
        for r, route in candidates:
            if route.classes is not None and cls not in route.classes:
                continue
            f = (k, r)
            flows.append(f)
            served.append(f)
            th = base_cost[r]
            if r in tariffed_on and tariffed_on[r]:
                th = path_cost.get((r, cls))
                if th is None:
                    th = path_cost[(r, cls)] = (
                        sum(tariff.get((leg, cls), legs[leg][0]) for leg in route.legs),
                        sum(tariff.get((n, cls), handling[n]) for n in route.nodes))
            parts.extend((th[0], th[1], per_day * transit_days[r], per_pct * route_risk[r]))

    capacity_rows = [CapacityRow(rec[ROW], rec["element"], rec["cargo_class"] or None, rec["capacity_t"])
                     for rec in t["Capacities"].to_dict("records")]
    policy_limits = []
    for rec in t["Policies"].to_dict("records"):
        targets = (_scope_targets(routes, countries_of, rec["scope"]) if rec["target"] == "*"
                   else [rec["target"]])
        for target in targets:
            policy_limits.append(PolicyLimit(rec["rule"], target, rec["kind"], rec["scope"],
                                             rec["commodity"] or None, rec["value"], rec[ROW]))

    cost_array = np.frombuffer(parts, dtype=float).reshape(len(flows), 4) if flows else np.zeros((0, 4))
    return Network(routes, commodity_class, value, countries_of, transit_days, flows, cost_array, demand_rows,
                   supply_rows, capacity_rows, policy_limits, node_country,
                   nodes["kind"].to_dict(), investment_options(data), demand_flows)


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
    for rec in data.tables["Investments"].to_dict("records"):
        first, lead = rec.get("first_year"), rec.get("lead_time_years")
        start = None if first is None or first != first else float(first) + (lead if lead and lead == lead else 0.0)
        out.append(Option(rec["option"], rec["element"], rec["cargo_class"] or None, rec["max_added_t"],
                          rec["annualised_cost_usd_per_t"], rec[ROW], start))
    return out

