"""Derived, solver-free facts about a valid CorridorData: the Network.

Which (commodity, route) flows exist, what a tonne on each costs (in its parts, by the one cost
formula of model.network.costs) and emits (model.network.emissions), and which flows each demand
row, supply row, capacity row and policy rule counts. The LP (model.lp), the results and the
analyses all read these, so a cost, a CO2e or a membership is computed once. model.network.build
derives a Network from data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from model.input.schema import Scope
from model.input.seasons import Seasons
from model.network.costs import (
    DAYS_PER_YEAR,
    CostView,
    RouteCosts,
    cargo_classes,
    flow_cost_parts,
    risk_usd_per_t,
    time_usd_per_t,
)
from model.network.names import Names
from model.network.routes import CountriesOf, FlowList, RouteTable
from model.network.types import (
    CapacityRow,
    CostParts,
    DemandRow,
    FlowKey,
    Observation,
    Option,
    Route,
    RuleLimit,
    SupplyRow,
    Surcharge,
)

__all__ = ["DAYS_PER_YEAR", "CapacityRow", "CostParts", "DemandRow", "FlowKey", "Network", "Observation", "Option",
           "RuleLimit", "Route", "Surcharge", "SupplyRow", "risk_usd_per_t", "supply_origins", "time_usd_per_t"]


@dataclass
class Network:
    routes: RouteTable  # route id -> Route, in route order (a Mapping held on arrays)
    commodity_class: dict[str, str]
    value_usd_per_t: dict[str, float]
    countries_of: CountriesOf  # route -> distinct countries in path order (a Mapping)
    route_days: np.ndarray  # per route, in route order: leg transit + node dwell days
    route_risk_pct: np.ndarray  # per route, in route order: risk_premium_pct summed over its countries
    flows: FlowList  # in flow order, each made from the per-flow arrays when read
    route_costs: RouteCosts  # transport and handling per route and cargo class; a flow's parts: cost_array
    demand_rows: list[DemandRow]
    supply_rows: list[SupplyRow]
    capacity_rows: list[CapacityRow]
    policy_limits: list[RuleLimit]
    node_country: dict[str, str] = field(default_factory=dict)
    node_kind: dict[str, str] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    demand_span: dict[int, tuple[int, int]] = field(default_factory=dict)  # demand row -> its flows' positions
    tariffs: frozenset[tuple[str, str]] = frozenset()  # (element, cargo class): a class tariff replaces its cost
    observations: list[Observation] = field(default_factory=list)  # what moved in the base year
    surcharges: list[Surcharge] = field(default_factory=list)
    # Observations held within their bands (corridor calibrate only; empty in every other solve), and
    # what a tonne outside a band costs there.
    bands: list[Observation] = field(default_factory=list)
    band_penalty_usd_per_t: float = 0.0
    # Per flow, in flow order: the position of its route in `routes` and the code of its commodity
    # (position in commodity_class). Memberships below are worked out on these arrays, so a case
    # of a million flows needs no Python object per (flow, row) pair.
    flow_route: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    flow_commodity: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    # Per route, in route order: the tonnes of CO2e a tonne emits on it (model.network.emissions); and
    # the legs of enabled routes without distance_km, whose CO2e it leaves out.
    route_co2_t_per_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    legs_without_distance: tuple[str, ...] = ()
    names: Names = field(default_factory=lambda: Names({}, {}, {}))  # words for codes, for the result's readers
    carrying_cost_rate: float = 0.0  # Settings: the time part of a tonne's cost, for a commodity without its own
    own_rate: dict[str, float] = field(default_factory=dict)  # Commodities carrying_cost_rate, where given
    carbon_price_usd_per_t_co2: float = 0.0  # Settings: the carbon part
    seasons: Seasons | None = None  # the Seasons sheet and the seasonal rows (model.input.seasons); None: annual

    INDEXES = ("_capacity_index", "_flows_by_route", "_passes_cache", "_scope_mask_cache", "_matching_index_cache",
               "_supply_cache", "_scope_cache", "_matching_cache", "flow_class_code", "cost_total", "co2_t_per_t",
               "cost_array", "flow_index", "demand_of")

    def forget_indexes(self) -> None:
        """Let go of INDEXES (every cache kept per flow) while HiGHS solves; what asks for one works it out again."""
        for name in self.INDEXES:
            self.__dict__.pop(name, None)

    @cached_property
    def demand_by_row(self) -> dict[int, DemandRow]:
        return {d.row: d for d in self.demand_rows}

    @cached_property
    def supply_by_row(self) -> dict[int, SupplyRow]:
        return {s.row: s for s in self.supply_rows}

    @cached_property
    def capacity_by_row(self) -> dict[int, CapacityRow]:
        return {c.row: c for c in self.capacity_rows}

    @cached_property
    def policy_by_key(self) -> dict[tuple[str, str], RuleLimit]:
        """(rule, target) -> the limit."""
        return {(p.rule, p.target): p for p in self.policy_limits}

    @cached_property
    def option_by_id(self) -> dict[str, Option]:
        return {o.option: o for o in self.options}

    @cached_property
    def transit_days(self) -> dict[str, float]:
        """route -> leg transit + node dwell days."""
        return dict(zip(self.routes, self.route_days.tolist(), strict=True))

    @cached_property
    def flow_index(self) -> dict[FlowKey, int]:
        """flow -> its position in flows (and in cost_array)."""
        return {f: i for i, f in enumerate(self.flows)}

    @property
    def cost(self) -> CostView:
        """flow -> CostParts, read from cost_array."""
        return CostView(self)

    @cached_property
    def co2_t_per_t(self) -> np.ndarray:
        """Tonnes of CO2e a tonne of each flow emits, in flow order (model.network.emissions)."""
        return self.route_co2_t_per_t[self.flow_route] if len(self.flow_route) else np.zeros(0)

    @property
    def co2_capped(self) -> bool:
        """Some policy limit caps the CO2e of flows (max_co2_t)."""
        return any(p.is_co2 for p in self.policy_limits)

    @cached_property
    def cost_array(self) -> np.ndarray:
        """flows x parts (model.network.costs.COST_PARTS), USD/t, in flow order."""
        return flow_cost_parts(self)

    @cached_property
    def cost_total(self) -> np.ndarray:
        """USD per tonne of each flow, in flow order."""
        return self.cost_array.sum(axis=1)

    def flow_days(self) -> np.ndarray:
        """Transit and dwell days of each flow's route, in flow order."""
        return self.route_days[self.flow_route]

    def flow_risk_pct(self) -> np.ndarray:
        """Risk premium (% of value) of each flow's route, in flow order."""
        return self.route_risk_pct[self.flow_route]

    def flow_value(self) -> np.ndarray:
        """Cargo value (USD/t) of each flow's commodity, in flow order."""
        return np.array(list(self.value_usd_per_t.values()), dtype=float)[self.flow_commodity] \
            if len(self.flow_commodity) else np.zeros(0)

    def flow_rate(self) -> np.ndarray:
        """Carrying cost rate (per year) of each flow, in flow order: its commodity's own, else the Settings rate."""
        rates = np.array([self.own_rate.get(k, self.carrying_cost_rate) for k in self.commodity_class], dtype=float)
        return rates[self.flow_commodity] if len(self.flow_commodity) else np.zeros(0)

    def flow_class(self) -> np.ndarray:
        """Cargo class of each flow, in flow order (as objects)."""
        classes = np.array(list(self.commodity_class.values()), dtype=object)
        return classes[self.flow_commodity] if len(self.flow_commodity) else np.zeros(0, dtype=object)

    def route_passes(self, element: str) -> np.ndarray:
        """How many times each route (in route order) passes a node or leg (0 if not at all)."""
        return self.passes_of([element])[element]

    def passes_of(self, elements: Iterable[str]) -> dict[str, np.ndarray]:
        """route_passes for several elements, worked out in one pass over the routes."""
        out = {}
        for e, (at, count) in self._members(elements).items():
            out[e] = np.zeros(len(self.routes), dtype=np.int16)
            out[e][at] = count
        return out

    def _members(self, elements: Iterable[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """element -> (positions of the routes through it, passes of each), kept once worked out."""
        cache = self.__dict__.setdefault("_passes_cache", {})
        missing = [e for e in dict.fromkeys(elements) if e not in cache]
        if missing:
            cache.update(self.routes.members(missing))
        return {e: cache[e] for e in elements}

    @cached_property
    def _flows_by_route(self) -> tuple[np.ndarray, np.ndarray]:
        """(flow positions ordered by route, where each route's flows start in it)."""
        order = np.argsort(self.flow_route, kind="stable")
        start = np.searchsorted(self.flow_route[order], np.arange(len(self.routes) + 1))
        return order, start

    def _flows_through(self, at: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the flows on the given routes, ascending; the passes of each route, per flow)."""
        order, start = self._flows_by_route
        size = start[at + 1] - start[at]
        flows = order[np.repeat(start[at] - np.concatenate([[0], np.cumsum(size)[:-1]]), size)
                      + np.arange(int(size.sum()))] if len(at) else np.zeros(0, dtype=np.int64)
        passes = np.repeat(count, size)
        ranked = np.argsort(flows, kind="stable")
        return flows[ranked].astype(np.int64), passes[ranked]

    @cached_property
    def demand_of(self) -> dict[FlowKey, int]:
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
                "node": {n: i for i, n in enumerate(self.routes.table.nodes)}}

    @cached_property
    def _route_origin(self) -> np.ndarray:
        return self.routes.origin_code

    @cached_property
    def _class_code(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(cargo_classes(self.commodity_class))}

    @cached_property
    def flow_class_code(self) -> np.ndarray:
        """Code of each flow's cargo class (position in the list of classes in commodity order)."""
        classes = self._class_code
        of_commodity = np.array([classes[c] for c in self.commodity_class.values()], dtype=np.int64)
        return of_commodity[self.flow_commodity] if len(self.flow_commodity) else np.zeros(0, dtype=np.int64)

    def capacity_index(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """For each Capacities row: (positions of the flows through its element whose class it
        limits, ascending; how many times a tonne of each passes the element, as floats)."""
        return self._capacity_index

    @cached_property
    def _capacity_index(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        return {c.row: users for c, users in zip(self.capacity_rows, self.throughput_index(self.capacity_rows),
                                                  strict=True)}

    def throughput_index(self, limits: list[Any]) -> list[tuple[np.ndarray, np.ndarray]]:
        """capacity_index for any limits with an element and a cargo_class (the seasonal ones too), in order."""
        classes, members, out = self._class_code, self._members({c.element for c in limits}), []
        for c in limits:
            idx, per_flow = self._flows_through(*members[c.element])
            if c.cargo_class is not None:
                keep = self.flow_class_code[idx] == classes.get(c.cargo_class, -1)
                idx, per_flow = idx[keep], per_flow[keep]
            out.append((idx, per_flow.astype(np.float64)))
        return out

    def capacity_users(self) -> dict[int, list[tuple[FlowKey, int]]]:
        """For each Capacities row: the flows through its element whose class it limits,
        with how many times a tonne of the flow passes the element (in flow order)."""
        flows = self.flows
        return {row: [(flows[i], int(n)) for i, n in zip(idx.tolist(), passes.tolist(), strict=True)]
                for row, (idx, passes) in self._capacity_index.items()}

    def policy_index(self, p: RuleLimit) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the flows the rule selects, positions of the flows of its commodity
        filter), both ascending; the second array is the same object for every limit with the
        same filter."""
        return self.scope_index(p.scope, p.target, p.commodity)

    def scope_index(self, scope: str, target: str, selector: str | None) -> tuple[np.ndarray, np.ndarray]:
        """The Policies grammar, for rules, observations and surcharges: (positions of the flows of
        the commodity filter selector through target of scope (a corridor, country, route, node or
        leg), positions of every flow of the filter), both ascending."""
        total = self._matching_index(selector)
        cache = self.__dict__.setdefault("_scope_mask_cache", {})
        key = (scope, target)
        if key not in cache:
            few = sum(q.scope == scope for q in self.policy_limits) <= 3
            mask = np.zeros(len(self.routes), dtype=bool)
            if scope in (Scope.NODE, Scope.LEG) and few and scope not in self.__dict__.get("_scope_cache", {}):
                # One node or leg asked for: one pass over the paths, not an index of every node.
                if scope == Scope.NODE or ">" in target:
                    mask[self._members([target])[target][0]] = True
            else:
                mask[self._routes_in_scope(scope).get(target, np.zeros(0, dtype=np.int64))] = True
            cache[key] = mask
        mask = cache[key]
        selected = total[mask[self.flow_route[total]]]
        return selected, total

    def filter_index(self, selector: str | None) -> np.ndarray:
        """Positions of the flows of a commodity filter (commodity ids and/or cargo classes; None:
        every flow), ascending."""
        return self._matching_index(selector)

    def _matching_index(self, selector: str | None) -> np.ndarray:
        cache = self.__dict__.setdefault("_matching_index_cache", {})
        if selector not in cache:
            keep = np.array([self.commodity_matches(k, selector) for k in self.commodity_class], dtype=bool)
            cache[selector] = (np.flatnonzero(keep[self.flow_commodity]) if len(self.flow_commodity)
                               else np.zeros(0, dtype=np.int64))
        return cache[selector]

    # ------------------------------------------------ the same memberships as lists of flows

    def flows_of_demand(self, row: int) -> list[FlowKey]:
        a, b = self.demand_span.get(row, (0, 0))
        return self.flows[a:b]

    def flows_of_supply(self, s: SupplyRow) -> list[FlowKey]:
        flows = self.flows
        return [flows[i] for i in self.supply_index(s).tolist()]

    def _routes_in_scope(self, scope: str) -> dict[str, np.ndarray]:
        """name -> positions of the routes in it, ascending, for one scope (built when a rule first
        asks)."""
        cache = self.__dict__.setdefault("_scope_cache", {})
        if scope not in cache:
            out: dict[str, list[np.ndarray]] = {}
            if scope in (Scope.CORRIDOR, Scope.COUNTRY):  # group routes by their corridor, or their countries
                if scope == Scope.CORRIDOR:  # each corridor, and each route's
                    of = {k: i for i, k in enumerate(dict.fromkeys(self.routes.corridors))}
                    keys, codes = [(k,) for k in of], np.array([of[k] for k in self.routes.corridors], dtype=np.int64)
                else:  # each distinct sequence of countries, and each route's
                    keys, codes = self.countries_of.sequences, self.countries_of.code  # type: ignore[assignment]  # any length
                order = np.argsort(codes, kind="stable")
                groups = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1) if len(codes) else []
                for ix in groups:
                    for name in keys[codes[ix[0]]]:
                        out.setdefault(name, []).append(ix)
                cache[scope] = {name: np.sort(np.concatenate(parts)) for name, parts in out.items()}
                return cache[scope]
            if scope == Scope.ROUTE:
                cache[scope] = {r: np.array([i], dtype=np.int64) for i, r in enumerate(self.routes)}
            else:  # node or leg: the routes through each, from the paths' codes
                cache[scope] = self.routes.through(scope)
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

    def policy_flows(self, p: RuleLimit) -> tuple[list[FlowKey], list[FlowKey]]:
        """(flows the rule selects, flows of the same commodity filter) for one limit, each in flow
        order; the second list is the same object for every limit with the same filter."""
        selected, total = self.policy_index(p)
        total_flows = self._matching(p.commodity)
        if len(selected) == len(total):
            return list(total_flows), total_flows
        flows = self.flows
        return [flows[i] for i in selected.tolist()], total_flows

    def _matching(self, selector: str | None) -> list[FlowKey]:
        cache = self.__dict__.setdefault("_matching_cache", {})
        if selector not in cache:
            flows = self.flows
            cache[selector] = [flows[i] for i in self._matching_index(selector).tolist()]
        return cache[selector]


def supply_origins(supply_rows: Iterable[SupplyRow]) -> dict[str, set[str]]:
    """Where each commodity may come from: a commodity with Supply rows ships only from
    the origins listed; one without Supply rows from any origin, without limit."""
    origins: dict[str, set[str]] = {}
    for s in supply_rows:
        origins.setdefault(s.commodity, set()).add(s.origin)
    return origins
