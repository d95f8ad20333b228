"""The input tables as the Pyomo statement reads them: each sheet indexed by its keys, and what the
algebra needs worked out from them here, as the maths reads, not taken from model.network.

The statement is a second, independent reading of the workbook: which (commodity, route) flows
exist, which of them a demand, supply, capacity, rule, surcharge or observation row counts, and
what a tonne on each costs, are derived below from the sheets (Routes, Nodes, Legs, Tariffs,
Countries, Commodities, Demand, Supply, Capacities, Policies, Surcharges, Settings), so that
tests/test_lp.py, holding the statement identical to the assembled LP (model.lp.assemble, over the
Network's arrays), checks the Network's memberships and cost formula against the maths, as corridor
check (model.analysis.check) checks a result. Plain dicts and loops, written for reading; what the
rules ask for per flow (a route's legs, days, the flows of a filter) is kept once worked out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from model.input.allocation import CALIBRATION_SOURCE
from model.input.data import ROW, CorridorData, present, records
from model.input.schema import PolicyKind, Scope, class_list, leg_id
from model.input.seasons import annual_rows
from model.network.emissions import DEFAULT_CO2E_G_PER_TKM
from model.network.types import CapacityRow, DemandRow, FlowKey, RuleLimit, SupplyRow  # row types, (k, r)


def _number(v: Any) -> float:
    """A cell as a number, 0 when blank."""
    return float(v) if present(v) else 0.0


class Tables:
    """The sheets of one case's data, indexed by their keys (route, node, leg 'A>B', commodity,
    country, (element, cargo class), row number)."""

    def __init__(self, data: CorridorData):
        t, s = data.tables, data.settings
        self._cache: dict[tuple[str, Any], Any] = {}  # (what, key) -> answer: _memo
        self.carrying_cost_rate = s.carrying_cost_rate
        self.carbon_price_usd_per_t_co2 = s.carbon_price_usd_per_t_co2 or 0.0
        self.unmet_penalty_usd_per_t = s.unmet_penalty_usd_per_t
        # Routes: the enabled ones (blank: enabled), in sheet order; a path 'A > B > C' is its nodes.
        self.path: dict[str, tuple[str, ...]] = {}
        self.corridor: dict[str, str] = {}
        self.classes: dict[str, frozenset[str] | None] = {}  # None: every cargo class
        for rec in records(t["Routes"]):
            if rec["enabled"] is False or not present(rec["path"]):  # blank (None) is enabled
                continue
            r = rec["route"]
            self.path[r] = tuple(n.strip() for n in str(rec["path"]).split(">"))
            self.corridor[r], self.classes[r] = rec["corridor"], class_list(rec["cargo_classes"])
        nodes = records(t["Nodes"])
        self.country = {n["node"]: n["country"] for n in nodes}
        self.handling_usd_per_t = {n["node"]: _number(n["handling_usd_per_t"]) for n in nodes}
        self.dwell_days = {n["node"]: _number(n["dwell_days"]) for n in nodes}
        self.node_co2_t_per_t = {n["node"]: _number(n.get("co2_kg_per_t")) / 1000 for n in nodes}
        legs = records(t["Legs"])
        self.leg_cost_usd_per_t = {leg_id(a["from"], a["to"]): a["cost_usd_per_t"] for a in legs}
        self.transit_days = {leg_id(a["from"], a["to"]): a["transit_days"] for a in legs}
        # A leg's CO2e per tonne: distance x its intensity, or its mode's default where blank; none without a distance.
        self.leg_co2_t_per_t = {
            leg_id(a["from"], a["to"]): _number(a.get("distance_km")) * (
                a["co2_g_per_tkm"] if present(a.get("co2_g_per_tkm")) else DEFAULT_CO2E_G_PER_TKM[a["mode"]]) / 1e6
            if present(a.get("distance_km")) else 0.0 for a in legs}
        self.tariff = {(a["element"], a["cargo_class"]): a["cost_usd_per_t"] for a in records(t["Tariffs"])}
        self.risk_premium_pct = {c["country"]: _number(c["risk_premium_pct"]) for c in records(t["Countries"])}
        com = records(t["Commodities"])
        self.cargo_class = {k["commodity"]: k["cargo_class"] for k in com}
        self.value_usd_per_t = {k["commodity"]: _number(k["value_usd_per_t"]) for k in com}
        # a commodity's own carrying cost rate, else the Settings rate
        self.rate = {k["commodity"]: k["carrying_cost_rate"] if present(k.get("carrying_cost_rate"))
                     else self.carrying_cost_rate for k in com}

        self.demand = [DemandRow(d[ROW], d["commodity"], d["origin"] or None, d["market"], d["demand_t"])
                       for d in records(annual_rows(t["Demand"]))]
        self.supply = [SupplyRow(s[ROW], s["commodity"], s["origin"], s["min_t"] or 0.0, s["max_t"])
                       for s in records(t["Supply"])]
        self.seasonal = "Seasons" in t and len(t["Seasons"]) > 0  # the capacities are stated per season
        self.capacities = [CapacityRow(c[ROW], c["element"], c["cargo_class"] or None, c["capacity_t"])
                           for c in records(annual_rows(t["Capacities"]))]
        self.surcharges = records(t["Surcharges"]) if "Surcharges" in t else []
        self.policy_limits = self._policy_limits(records(t["Policies"]), s.calibration_rules)
        self.flows = self._flows()

    # ------------------------------------------------------------------ routes
    def origin(self, r: str) -> str:
        return self.path[r][0]

    def market(self, r: str) -> str:
        return self.path[r][-1]

    def legs(self, r: str) -> list[str]:
        """The legs of route r in path order: 'A>B' for each step."""
        return self._memo("legs", r, lambda: [leg_id(a, b) for a, b in zip(self.path[r], self.path[r][1:],
                                                                            strict=False)])

    def countries(self, r: str) -> list[str]:
        """The countries route r crosses, in path order, each once."""
        return self._memo("countries", r, lambda: list(dict.fromkeys(self.country[n] for n in self.path[r])))

    def _memo(self, what: str, key: Any, work: Callable[[], Any]) -> Any:
        """work() kept under (what, key): the same answer, asked for again per flow, worked out once."""
        if (what, key) not in self._cache:
            self._cache[what, key] = work()
        return self._cache[what, key]

    def names_in(self, r: str, scope: str) -> list[str]:
        """What route r passes in a scope: its corridor, its countries, itself, its nodes or its legs."""
        return {"corridor": lambda: [self.corridor[r]], "country": lambda: self.countries(r),
                "route": lambda: [r], "node": lambda: list(self.path[r]), "leg": lambda: self.legs(r)}[scope]()

    def in_scope(self, r: str, scope: str, target: str) -> bool:
        """Route r passes target (a corridor, country, route, node or leg)."""
        return r in self._routes_in(scope).get(target, ())

    def carries(self, r: str, k: str) -> bool:
        """Route r carries commodity k's cargo class (a blank cargo_classes carries every class)."""
        classes = self.classes[r]
        return classes is None or self.cargo_class[k] in classes

    # ------------------------------------------------------------------ which flows exist, and who counts them
    def _flows(self) -> list[FlowKey]:
        """(k, r) for each Demand row, in sheet order, and each enabled route r, in sheet order, from the
        row's origin (any origin when blank) to its market that carries k's class, where k may leave
        the route's origin (a commodity with Supply rows leaves only from the origins they list)."""
        supplied: dict[str, set[str]] = {}
        for s in self.supply:
            supplied.setdefault(s.commodity, set()).add(s.origin)
        to_market: dict[str, list[str]] = {}
        for r in self.path:
            to_market.setdefault(self.market(r), []).append(r)
        flows: dict[FlowKey, None] = {}
        for d in self.demand:
            k = d.commodity
            for r in to_market.get(d.market, []):
                if (d.origin is None or self.origin(r) == d.origin) and self.carries(r, k) \
                        and (k not in supplied or self.origin(r) in supplied[k]):
                    flows[k, r] = None
        return list(flows)

    def demand_flows(self, d: DemandRow) -> list[FlowKey]:
        """The flows serving a Demand row: its commodity, to its market, from its origin (if given)."""
        return [(k, r) for k, r in self._to_market.get((d.commodity, d.market), [])
                if d.origin is None or self.origin(r) == d.origin]

    def supply_flows(self, s: SupplyRow) -> list[FlowKey]:
        """The flows of a Supply row's commodity leaving its origin."""
        return [(k, r) for k, r in self._of_commodity.get(s.commodity, []) if self.origin(r) == s.origin]

    def capacity_flows(self, c: CapacityRow) -> list[tuple[FlowKey, int]]:
        """The flows through a Capacities row's element, of its cargo class (every class when blank), each
        with how many times a tonne passes the element."""
        out = []
        for r, n in self._through.get(c.element, {}).items():
            out += [((k, r), n) for k in self._on_route.get(r, []) if c.cargo_class in (None, self.cargo_class[k])]
        return out

    def matches(self, k: str, selector: str | None) -> bool:
        """A commodity filter (Policies, Surcharges, Observations): blank takes every commodity; else
        commodity ids and/or cargo classes, comma separated (a name that is a commodity id is that commodity)."""
        if selector is None:
            return True
        names = [n.strip() for n in selector.split(",")]
        return k in names or any(n == self.cargo_class[k] for n in names if n not in self.cargo_class)

    def filter_flows(self, selector: str | None) -> list[FlowKey]:
        """The flows of a commodity filter, in flow order."""
        def work() -> Any:
            takes = {k: self.matches(k, selector) for k in self.cargo_class}
            return [f for f in self.flows if takes[f[0]]]

        return self._memo("filter", selector, work)

    def scope_flows(self, scope: str, target: str, selector: str | None) -> list[FlowKey]:
        """The flows of a commodity filter through target of scope, in flow order."""
        through = self._routes_in(scope).get(target, set())
        return [f for f in self.filter_flows(selector) if f[1] in through]

    def policy_flows(self, p: RuleLimit) -> tuple[list[FlowKey], list[FlowKey]]:
        """(the flows a rule counts, every flow of its commodity filter)."""
        return self.scope_flows(p.scope, p.target, p.commodity), self.filter_flows(p.commodity)

    def _policy_limits(self, rules: list[dict[str, Any]], calibration_rules: bool) -> list[RuleLimit]:
        """One limit per Policies row and target, in sheet order; a '*' target is every name of its
        scope some enabled route passes, in the order the routes first pass them. A calibration rule
        counts only with calibration_rules."""
        out = []
        for p in rules:
            if p.get("calibration") is True and not calibration_rules:
                continue
            targets = [p["target"]] if p["target"] != "*" else list(dict.fromkeys(
                name for r in self.path for name in self.names_in(r, p["scope"])))
            out += [RuleLimit(p["rule"], target, PolicyKind(p["kind"]), Scope(p["scope"]), p["commodity"] or None,
                              p["value"], p[ROW])
                    for target in targets]
        return out

    @cached_property
    def _of_commodity(self) -> dict[str, list[FlowKey]]:
        """commodity -> its flows, in flow order."""
        out: dict[str, list[FlowKey]] = {}
        for k, r in self.flows:
            out.setdefault(k, []).append((k, r))
        return out

    @cached_property
    def _to_market(self) -> dict[tuple[str, str], list[FlowKey]]:
        """(commodity, market) -> the flows of the commodity to the market, in flow order."""
        out: dict[tuple[str, str], list[FlowKey]] = {}
        for k, r in self.flows:
            out.setdefault((k, self.market(r)), []).append((k, r))
        return out

    @cached_property
    def _on_route(self) -> dict[str, list[str]]:
        """route -> the commodities flowing on it, in flow order."""
        out: dict[str, list[str]] = {}
        for k, r in self.flows:
            out.setdefault(r, []).append(k)
        return out

    @cached_property
    def _through(self) -> dict[str, dict[str, int]]:
        """element -> {route: how many times it passes the element}, for every node and leg."""
        out: dict[str, dict[str, int]] = {}
        for r in self.path:
            for e in (*self.path[r], *self.legs(r)):
                out.setdefault(e, {}).setdefault(r, 0)
                out[e][r] += 1
        return out

    def _routes_in(self, scope: str) -> dict[str, set[str]]:
        """name -> the routes passing it, for one scope."""
        def work() -> Any:
            out: dict[str, set[str]] = {}
            for r in self.path:
                for name in self.names_in(r, scope):
                    out.setdefault(name, set()).add(r)
            return out

        return self._memo("scope", scope, work)

    # ------------------------------------------------------------------ what a tonne costs and emits
    def days(self, r: str) -> float:
        """Days a tonne spends on route r: dwell at each node, plus transit on each leg."""
        return self._memo("days", r, lambda: sum(self.dwell_days[n] for n in self.path[r])
                          + sum(self.transit_days[leg] for leg in self.legs(r)))

    def co2_t_per_t(self, r: str) -> float:
        """Tonnes of CO2e a tonne emits on route r: at each node pass, plus on each leg."""
        return self._memo("co2", r, lambda: sum(self.node_co2_t_per_t[n] for n in self.path[r])
                          + sum(self.leg_co2_t_per_t[leg] for leg in self.legs(r)))

    def cost_parts(self, k: str, r: str) -> dict[str, float]:
        """USD per tonne of commodity k on route r, part by part (total_cost's docstring in
        model.lp.statement.costs)."""
        cls, value = self.cargo_class[k], self.value_usd_per_t[k]
        paid = [s for s in self.surcharges_on(r) if self.matches(k, s["commodity"] or None)]
        return {
            "transport": self._memo("transport", (r, cls), lambda: sum(
                self.tariff.get((leg, cls), self.leg_cost_usd_per_t[leg]) for leg in self.legs(r))),
            "handling": self._memo("handling", (r, cls), lambda: sum(
                self.tariff.get((n, cls), self.handling_usd_per_t[n]) for n in self.path[r])),
            "time": value * self.rate[k] / 365 * self.days(r),
            "risk": value / 100 * self._memo("risk", r, lambda: sum(
                self.risk_premium_pct.get(c, 0.0) for c in self.countries(r))),
            "surcharge": sum(s["usd_per_t"] for s in paid if s.get("source") != CALIBRATION_SOURCE),
            "carbon": self.carbon_price_usd_per_t_co2 * self.co2_t_per_t(r),
            "premium": sum(s["usd_per_t"] for s in paid if s.get("source") == CALIBRATION_SOURCE),
        }

    def surcharges_on(self, r: str) -> list[dict[str, Any]]:
        """The Surcharges rows whose target route r passes, in sheet order."""
        return self._memo("surcharges", r, lambda: [
            s for s in self.surcharges if self.in_scope(r, s["scope"], s["target"])])

    def cost_usd_per_t(self, k: str, r: str) -> float:
        """USD per tonne of k on r: the sum of its parts."""
        return sum(self.cost_parts(k, r).values())
