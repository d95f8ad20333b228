"""An independent check of a result: every constraint, cost, share, CO2e and map tonnes recomputed.

Works from the input tables and the written tables only, and deliberately does
not use model.network, the Pyomo model or the solver: costs, memberships and
limits are worked out again from the raw sheets, so an error anywhere in the
chain from workbook to result shows up here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.analysis.check_choice import check_choice, is_choice, whole_flows
from model.analysis.check_investments import investment_check
from model.analysis.check_seasons import check_season_rows
from model.input.allocation import CALIBRATION_SOURCE
from model.input.data import CorridorData
from model.input.raw import file_sha256
from model.input.schema import Allocation, Blank, PolicyKind, Scope
from model.input.seasons import annual_rows, season_table
from model.network.costs import COST_PARTS, CostPart
from model.network.emissions import DEFAULT_CO2E_G_PER_TKM
from model.plan import BASE
from model.report.read_results import BLANK_OR_NUMBER, NUMBER, TEXT, result_problems
from model.results.summary import CO2E_LABEL, INPUT_SHA_LABEL, OBJECTIVE_LABEL, PART_LABELS, SHIPPED_LABEL
from model.results.tables import ALL, PART_COLUMNS

REL = 1e-6


def _close(a: float, b: float, scale: float | None = None) -> bool:
    """a within REL of b, relative to scale, and never to less than b itself (a scale below the figures compared,
    an observation of 0 t, would hold them to their round-off)."""
    scale = max(1.0, abs(b), 0.0 if scale is None else abs(scale))
    return abs(a - b) <= REL * scale


def _classes(text):
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return None
    return {c.strip() for c in str(text).split(",")}


def _opt(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v in ("", *Blank) else v


@dataclass
class _Inputs:
    """The raw sheets, indexed for recomputation."""

    data: CorridorData

    def __post_init__(self):
        t = self.data.tables
        self.routes = t["Routes"].set_index("route")
        self.path = {r: [n.strip() for n in p.split(">")] for r, p in self.routes["path"].items()}
        self.nodes = t["Nodes"].set_index("node")
        # Column dicts for the per-flow look-ups below (a .loc per value costs 30 µs).
        self.country_of = self.nodes["country"].to_dict()
        self.handling = self.nodes["handling_usd_per_t"].to_dict()
        self.dwell = self.nodes["dwell_days"].to_dict()
        self.corridor = self.routes["corridor"].to_dict()
        self.enabled = self.routes["enabled"].to_dict()
        self.route_classes = self.routes["cargo_classes"].to_dict()
        com = t["Commodities"].set_index("commodity")
        self.cls = com["cargo_class"].to_dict()
        self.value = com["value_usd_per_t"].fillna(0).to_dict()
        self.legs = {f"{a}>{b}": (c, d) for a, b, c, d in
                     t["Legs"][["from", "to", "cost_usd_per_t", "transit_days"]].itertuples(index=False)}
        self.tariff = {(e, c): v for e, c, v in
                       t["Tariffs"][["element", "cargo_class", "cost_usd_per_t"]].itertuples(index=False)}
        self.risk = t["Countries"].set_index("country")["risk_premium_pct"].fillna(0).to_dict()
        rate = self.data.settings.carrying_cost_rate  # a commodity's own rate, else this
        self.rate = {k: rate if _opt(r) is None else r for k, r in
                     com.reindex(columns=["carrying_cost_rate"])["carrying_cost_rate"].items()}
        self.surcharges = t["Surcharges"].to_dict("records") if "Surcharges" in t else []
        # CO2e of a tonne on each leg and at each node pass, t CO2e per t: distance x intensity (the mode's
        # default where blank; nothing without a distance), and kg per tonne handled / 1000.
        legs = t["Legs"].reindex(columns=["from", "to", "mode", "distance_km", "co2_g_per_tkm"])
        self.leg_co2 = {f"{a}>{b}": _num(km) * (DEFAULT_CO2E_G_PER_TKM[m] if _opt(g) is None else g) / 1e6
                        for a, b, m, km, g in legs.itertuples(index=False)}
        self.node_co2 = {n: _num(v) / 1000 for n, v in self.nodes.reindex(columns=["co2_kg_per_t"])
                         ["co2_kg_per_t"].items()}
        self.price = self.data.settings.carbon_price_usd_per_t_co2 or 0.0
        self._co2: dict[str, float] = {}

    def co2(self, r) -> float:
        """Tonnes of CO2e a tonne emits on route r: its legs and every pass of its nodes."""
        if r not in self._co2:
            self._co2[r] = (sum(self.leg_co2[leg] for leg in self.leg_ids(r))
                            + sum(self.node_co2[n] for n in self.path[r]))
        return self._co2[r]

    def leg_ids(self, r):
        p = self.path[r]
        return [f"{a}>{b}" for a, b in zip(p, p[1:], strict=False)]

    def elements(self, r):
        return self.path[r] + self.leg_ids(r)

    def countries(self, r):
        return list(dict.fromkeys(self.country_of[n] for n in self.path[r]))

    def cost_parts(self, k, r):
        cls, p = self.cls[k], self.path[r]
        transport = sum(self.tariff.get((leg, cls), self.legs[leg][0]) for leg in self.leg_ids(r))
        handling = sum(self.tariff.get((n, cls), _num(self.handling[n])) for n in p)
        days = sum(self.legs[leg][1] for leg in self.leg_ids(r)) + sum(_num(self.dwell[n]) for n in p)
        time = self.value[k] * self.rate[k] * days / 365
        risk = self.value[k] * sum(self.risk.get(c, 0) for c in self.countries(r)) / 100
        paid = [rec for rec in self.surcharges
                if self.matches(k, rec["commodity"]) and self.passes(r, rec["scope"], rec["target"])]
        surcharge = sum(rec["usd_per_t"] for rec in paid if rec.get("source") != CALIBRATION_SOURCE)
        premium = sum(rec["usd_per_t"] for rec in paid if rec.get("source") == CALIBRATION_SOURCE)
        return {"transport": transport, "handling": handling, "time": time, "risk": risk,
                "surcharge": surcharge, "carbon": self.price * self.co2(r), "premium": premium}, days

    def matches(self, k, selector):
        if _opt(selector) is None:
            return True
        names = [s.strip() for s in str(selector).split(",")]
        return k in names or self.cls[k] in [n for n in names if n not in self.cls]

    def passes(self, r, scope, target):
        if scope == Scope.CORRIDOR:
            return self.corridor[r] == target
        if scope == Scope.COUNTRY:
            return target in self.countries(r)
        if scope == Scope.ROUTE:
            return r == target
        return target in self.elements(r)


def _num(v) -> float:
    return 0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def check_flows(inp: _Inputs, flows: pd.DataFrame) -> list[str]:
    """Flows on enabled routes that carry the class, at the cost the inputs give."""
    errors = []
    for f in flows.itertuples(index=False):
        where = f"Flows: {f.commodity} on {f.route}"
        if f.route not in inp.path:
            errors.append(f"{where}: no such route in the input")
            continue
        if f.tonnes_t < -REL:
            errors.append(f"{where}: negative tonnes {f.tonnes_t}")
        if inp.enabled[f.route] is False:
            errors.append(f"{where}: the route is disabled")
        allowed = _classes(inp.route_classes[f.route])
        if allowed is not None and inp.cls[f.commodity] not in allowed:
            errors.append(f"{where}: the route does not carry {inp.cls[f.commodity]}")
        parts, days = inp.cost_parts(f.commodity, f.route)
        for name, expect in parts.items():
            if not _close(getattr(f, f"{name}_usd_per_t"), expect):
                errors.append(f"{where}: {name} {getattr(f, f'{name}_usd_per_t')} USD/t, inputs give {expect}")
        total = sum(parts.values())
        if not _close(f.cost_usd_per_t, total):
            errors.append(f"{where}: cost {f.cost_usd_per_t} USD/t, inputs give {total}")
        if not _close(f.cost_usd, total * f.tonnes_t):
            errors.append(f"{where}: cost {f.cost_usd} USD is not cost per t x tonnes ({total * f.tonnes_t})")
        resource = total - parts.get(CostPart.PREMIUM.word, 0.0)  # the money figure: the premiums are behaviour
        got = getattr(f, "resource_cost_usd_per_t", None)  # a result written before the column: nothing to check
        if got is not None and not _close(got, resource):
            errors.append(f"{where}: resource cost {got} USD/t, inputs give {resource} (cost less premiums)")
        got = getattr(f, "resource_cost_usd", None)
        if got is not None and not _close(got, resource * f.tonnes_t):
            errors.append(f"{where}: resource cost {got} USD is not resource cost per t x tonnes "
                          f"({resource * f.tonnes_t})")
        if not _close(f.transit_days, days):
            errors.append(f"{where}: transit {f.transit_days} days, inputs give {days}")
        co2 = inp.co2(f.route)
        if not _close(f.co2e_kg_per_t, co2 * 1000):
            errors.append(f"{where}: CO2e {f.co2e_kg_per_t} kg/t, inputs give {co2 * 1000}")
        if not _close(f.co2e_t, co2 * f.tonnes_t):
            errors.append(f"{where}: CO2e {f.co2e_t} t is not CO2e per t x tonnes ({co2 * f.tonnes_t})")
    return errors


def check_constraints(inp: _Inputs, flows: pd.DataFrame, demand: pd.DataFrame | None,
                      investments: pd.DataFrame | None = None) -> list[str]:
    """Demand, supply, capacity and policy rows, recomputed from the flows."""
    t, errors = inp.data.tables, []
    origin = {r: p[0] for r, p in inp.path.items()}
    market = {r: p[-1] for r, p in inp.path.items()}
    f_list = [f for f in flows.itertuples(index=False) if f.route in inp.path]
    unmet = {}
    if demand is not None:
        unmet = dict(zip(demand["input_row"], demand["unmet_t"].fillna(0), strict=True))
        if inp.data.settings.hard_demand and any(u > REL for u in unmet.values()):
            errors.append("Demand: unmet tonnes reported, but demand is hard (no penalty set)")
    for rec in annual_rows(t["Demand"]).to_dict("records"):
        got = sum(f.tonnes_t for f in f_list if f.commodity == rec["commodity"] and market[f.route] == rec["market"]
                  and (rec["origin"] is None or origin[f.route] == rec["origin"]))
        if not _close(got + unmet.get(rec["_row"], 0.0), rec["demand_t"]):
            errors.append(f"Demand row {rec['_row']}: delivered {got} + unmet {unmet.get(rec['_row'], 0.0)} "
                          f"!= demand {rec['demand_t']}")
    supplied = defaultdict(set)
    for rec in t["Supply"].to_dict("records"):
        supplied[rec["commodity"]].add(rec["origin"])
        got = sum(f.tonnes_t for f in f_list if f.commodity == rec["commodity"] and origin[f.route] == rec["origin"])
        if got > rec["max_t"] + REL * max(1, rec["max_t"]) or got < _num(rec["min_t"]) - REL * max(1, rec["max_t"]):
            errors.append(f"Supply row {rec['_row']}: shipped {got} outside [{rec['min_t']}, {rec['max_t']}]")
    for f in f_list:
        if f.commodity in supplied and origin[f.route] not in supplied[f.commodity]:
            errors.append(f"Flows: {f.commodity} ships from {origin[f.route]}, which has no Supply row for it")
    problems, built, _ = investment_check(inp.data.tables["Investments"], investments)
    errors += problems
    # with seasons the capacities hold per season (check_season_rows), not over the year
    for rec in ([] if len(t["Seasons"]) else annual_rows(t["Capacities"]).to_dict("records")):
        got = sum(f.tonnes_t * inp.elements(f.route).count(rec["element"]) for f in f_list
                  if rec["cargo_class"] is None or inp.cls[f.commodity] == rec["cargo_class"])
        limit = rec["capacity_t"] + built.get((rec["element"], rec["cargo_class"]), 0.0)
        if got > limit + REL * max(1, limit):
            errors.append(f"Capacities row {rec['_row']} ({rec['element']}): {got} t > capacity {limit}")
    enabled = [r for r in inp.path if inp.enabled[r] is not False]
    for rec in t["Policies"].to_dict("records"):
        if rec.get("calibration") is True and not inp.data.settings.calibration_rules:
            continue  # a calibration rule, switched off
        for target, s, total, co2 in _policy_totals(inp, rec, f_list, enabled):
            if rec["kind"] == PolicyKind.MAX_CO2_T:
                if co2 > rec["value"] + REL * max(1, rec["value"]):
                    errors.append(f"Policies row {rec['_row']} ({rec['rule']}, {target}): {co2} t CO2e against "
                                  f"the cap {rec['value']}")
                continue
            bound = rec["value"] * total if PolicyKind(rec["kind"]).is_share else rec["value"]
            ok = s <= bound + REL * max(1, total) if PolicyKind(rec["kind"]).is_max \
                else s >= bound - REL * max(1, total)
            if not ok:
                errors.append(f"Policies row {rec['_row']} ({rec['rule']}, {target}): {s} t against bound {bound}")
    return errors


def _policy_totals(inp: _Inputs, rec: dict, f_list, enabled):
    """(target, selected tonnes, total tonnes of the rule's commodities, CO2e of the selected tonnes) for
    each target of a rule."""
    scope = rec["scope"]
    if rec["target"] == "*":
        targets = set()
        for r in enabled:
            targets |= {"corridor": {inp.corridor[r]}, "country": set(inp.countries(r)),
                        "route": {r}, "node": set(inp.path[r]), "leg": set(inp.leg_ids(r))}[scope]
    else:
        targets = {rec["target"]}
    sel = [f for f in f_list if inp.matches(f.commodity, rec["commodity"])]
    total = sum(f.tonnes_t for f in sel)
    for target in sorted(targets):
        through = [f for f in sel if inp.passes(f.route, scope, target)]
        yield target, sum(f.tonnes_t for f in through), total, sum(f.tonnes_t * inp.co2(f.route) for f in through)


def _check_map(inp: _Inputs, flows: pd.DataFrame, sheets: dict[str, pd.DataFrame], shipped: float) -> list[str]:
    """The Map sheet's legs and nodes agree with the flows and the input's paths: a leg (FROM>TO, in a
    corridor) carries every flow whose path steps from FROM to TO (each time it does); a node, every
    flow whose path passes it (once per route). A leg the flows do not use must not be drawn."""
    errors: list[str] = []
    legs, nodes = sheets.get("Map legs"), sheets.get("Map nodes")
    if legs is None and nodes is None:
        return errors
    on_leg: defaultdict[Any, float] = defaultdict(float)
    through: defaultdict[Any, float] = defaultdict(float)
    for f in flows.itertuples(index=False):
        if f.tonnes_t <= 0 or f.route not in inp.path:
            continue
        for leg in inp.leg_ids(f.route):
            on_leg[(leg, inp.corridor[f.route])] += f.tonnes_t
        for n in dict.fromkeys(inp.path[f.route]):
            through[n] += f.tonnes_t
    if legs is not None:
        drawn = {(rec.leg, rec.corridor): rec.tonnes_t for rec in legs.itertuples(index=False)}
        for key in sorted(set(drawn) | set(on_leg)):
            if not _close(drawn.get(key, 0.0), on_leg.get(key, 0.0), shipped):
                errors.append(f"Map: leg {key[0]} ({key[1]}) {drawn.get(key, 0.0)} t, flows give "
                              f"{on_leg.get(key, 0.0)}")
    if nodes is not None:
        for rec in nodes.itertuples(index=False):
            if not _close(rec.tonnes_t, through.get(rec.node, 0.0), shipped):
                errors.append(f"Map: node {rec.node} {rec.tonnes_t} t, flows give {through.get(rec.node, 0.0)}")
    return errors


def check_tables(inp: _Inputs, sheets: dict[str, pd.DataFrame], listed: pd.DataFrame | None = None) -> list[str]:
    """The summary tables agree with the flows: corridors, countries, capacity, policies, summary; the map
    with the flows listed (a choice result's larger ones: model.results.choice.SHOWN_T)."""
    errors = []
    flows = sheets["Flows"]
    shipped = flows["tonnes_t"].sum()
    if "Corridors" in sheets:
        c = sheets["Corridors"]
        expect = flows.groupby("corridor")["tonnes_t"].sum()
        got = c[c["commodity"] == ALL].set_index("corridor")["tonnes_t"]
        for name in set(expect.index) | set(got.index):
            if not _close(got.get(name, 0.0), expect.get(name, 0.0), shipped):
                errors.append(f"Corridors: {name} {got.get(name, 0.0)} t, flows give {expect.get(name, 0.0)}")
        for k, block in c.groupby("commodity"):
            if len(block) and not _close(block["share"].sum(), 1.0):
                errors.append(f"Corridors: shares of {k} add up to {block['share'].sum()}, not 1")
    if "Countries" in sheets:
        through: defaultdict[Any, float] = defaultdict(float)
        for f in flows.itertuples(index=False):
            for country in inp.countries(f.route):
                through[country] += f.tonnes_t
        for rec in sheets["Countries"].itertuples(index=False):
            if not _close(rec.tonnes_t, through.get(rec.country, 0.0), shipped):
                errors.append(f"Countries: {rec.country} {rec.tonnes_t} t, flows give {through.get(rec.country, 0.0)}")
    if "Capacity" in sheets:
        seasons = season_table(inp.data)
        for rec in sheets["Capacity"].itertuples(index=False):
            cls = _opt(rec.cargo_class)
            used = sum(f.tonnes_t * inp.elements(f.route).count(rec.element) for f in flows.itertuples(index=False)
                       if cls is None or inp.cls[f.commodity] == cls)
            added = getattr(rec, "added_t", 0.0) or 0.0
            total = rec.capacity_t + added
            if not _close(rec.used_t, used, total):
                errors.append(f"Capacity: {rec.element} used {rec.used_t} t, flows give {used}")
            if seasons is not None:  # used against what its seasons allow (model.results.seasons.seasonal_allowance)
                total = sum(x.capacity_t + x.share * added for x in seasons.limits if x.annual_row == rec.input_row)
            if total and not _close(rec.utilisation, used / total):
                errors.append(f"Capacity: {rec.element} utilisation {rec.utilisation}, flows give {used / total}")
    errors += _check_map(inp, flows if listed is None else listed, sheets, shipped)
    if "Fit" in sheets:
        observations = {rec["observation"]: rec for rec in inp.data.tables["Observations"].to_dict("records")}
        for rec in sheets["Fit"].itertuples(index=False):
            o = observations.get(rec.observation)
            if o is None:
                errors.append(f"Fit: observation {rec.observation} is not on the Observations sheet")
                continue
            got = sum(f.tonnes_t for f in flows.itertuples(index=False)
                      if inp.matches(f.commodity, o["commodity"]) and inp.passes(f.route, o["scope"], o["target"]))
            if _opt(getattr(rec, "observed_in", None)) is not None:
                continue  # predicted (and ranged) under the scenario it was observed in: not from these flows
            if not _close(rec.modelled_t, got, max(1.0, o["observed_t"])):
                errors.append(f"Fit: observation {rec.observation} modelled {rec.modelled_t} t, flows give {got}")
            least, most = getattr(rec, "least_t", float("nan")), getattr(rec, "most_t", float("nan"))
            slack = 1e-6 * max(1.0, o["observed_t"])
            if least == least and most == most and not least - slack <= got <= most + slack:
                errors.append(f"Fit: observation {rec.observation}: the flows give {got} t, outside the least "
                              f"{least} t and the most {most} t its target can carry")
            if not _close(rec.observed_t, o["observed_t"]):
                errors.append(f"Fit: observation {rec.observation} observed {rec.observed_t} t, the input says "
                              f"{o['observed_t']}")
    if "Summary" in sheets:
        s = sheets["Summary"].set_index("item")["value"]
        penalty = inp.data.settings.unmet_penalty_usd_per_t or 0.0
        unmet = sheets["Demand"]["unmet_t"].sum() if "Demand" in sheets else 0.0
        _, _, building = investment_check(inp.data.tables["Investments"], sheets.get("Investments"))
        objective = flows["cost_usd"].sum() + penalty * unmet + building
        if not _close(float(s[OBJECTIVE_LABEL]), objective):
            errors.append(f"Summary: objective {s[OBJECTIVE_LABEL]} USD, flows give {objective}")
        if not _close(float(s[SHIPPED_LABEL]), shipped):
            errors.append(f"Summary: shipped {s[SHIPPED_LABEL]} t, flows give {shipped}")
        for part, item in PART_LABELS.items():
            expect = (flows[f"{part}_usd_per_t"] * flows["tonnes_t"]).sum()
            if not _close(float(s[item]), expect, objective):
                errors.append(f"Summary: {item} {s[item]} USD, flows give {expect}")
        co2e = sum(f.tonnes_t * inp.co2(f.route) for f in flows.itertuples(index=False))
        if CO2E_LABEL in s and not _close(float(s[CO2E_LABEL]), co2e):
            errors.append(f"Summary: {CO2E_LABEL} {s[CO2E_LABEL]} t, the inputs and flows give {co2e}")
    if "Emissions" in sheets:  # a choice result writes a route row for the routes it lists (listed) alone
        errors += _check_emissions(inp, flows, sheets["Emissions"], None if listed is None else set(listed["route"]))
    return errors


def _check_emissions(inp: _Inputs, flows: pd.DataFrame, sheet: pd.DataFrame, routes: set | None = None) -> list[str]:
    """Each row of the Emissions sheet (total, corridor, country, commodity, route) against the CO2e
    the inputs give the written flows; routes: the routes that have a row, where not every one used does."""
    expect: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for f in flows.itertuples(index=False):
        co2 = f.tonnes_t * inp.co2(f.route)
        for key in [("total", "all cargo"), ("corridor", f.corridor), ("commodity", f.commodity),
                    ("route", f.route), *[("country", c) for c in inp.countries(f.route)]]:
            expect[key][0] += f.tonnes_t
            expect[key][1] += co2
    errors = []
    code = "code" if "code" in sheet.columns else "name"  # the names are for readers; the codes key the rows
    written = {(rec["by"], str(rec[code])): rec for rec in sheet.to_dict("records")}
    for key in set(expect) | set(written):
        t, co2 = expect.get(key, (0.0, 0.0))
        rec = written.get(key)
        if rec is None:
            if (co2 > REL or t > REL) and (routes is None or key[0] != Scope.ROUTE or key[1] in routes):
                errors.append(f"Emissions: no row for {key[0]} {key[1]}, whose flows emit {co2} t CO2e")
            continue
        if not _close(rec["co2e_t"], co2, expect[("total", "all cargo")][1]):
            errors.append(f"Emissions: {key[0]} {key[1]} {rec['co2e_t']} t CO2e, the inputs and flows give {co2}")
        if t > 0 and not _close(rec["co2e_kg_per_t"], co2 * 1000 / t):
            errors.append(f"Emissions: {key[0]} {key[1]} {rec['co2e_kg_per_t']} kg CO2e/t, the inputs and flows give "
                          f"{co2 * 1000 / t}")
    return errors


def check_results(data: CorridorData, sheets: dict[str, pd.DataFrame], choice: bool | None = None) -> list[str]:
    """Every violation or mismatch in the result tables, in words; [] when all hold. choice: whether it is a
    route-choice result (None: as its Summary says), whose rows are checked from every route's tonnes (the
    Routes sheet: its Flows sheet lists the larger routes alone) and its split and tolls by check_choice."""
    inp = _Inputs(data)
    listed = flows = sheets["Flows"]
    found: list[str] = []
    if is_choice(sheets) if choice is None else choice:
        if "Routes" not in sheets:
            return [NOT_CHECKED + f"the Routes sheet is missing: {UNCHECKED_WITHOUT['Routes']}"] + check_flows(inp,
                                                                                                          listed)
        flows, found = whole_flows(sheets)
        delivered = pd.to_numeric(sheets["Demand"]["delivered_t"], errors="coerce").sum() if "Demand" in sheets \
            and "delivered_t" in sheets["Demand"].columns else 0.0
        if flows["tonnes_t"].sum() < delivered - REL * max(1.0, delivered):  # cut at routes_sheet_rows
            return [NOT_CHECKED + f"the Routes sheet holds {flows['tonnes_t'].sum()} t of the {delivered} t delivered "
                    "(cut at the setting routes_sheet_rows): a route-choice result's rows and split are checked "
                    "from every route's tonnes; raise routes_sheet_rows and solve again"] + check_flows(inp, listed)
    whole = {**sheets, "Flows": flows}
    constraints = check_constraints(inp, flows, sheets.get("Demand"), sheets.get("Investments"))
    origin, market = {r: p[0] for r, p in inp.path.items()}, {r: p[-1] for r, p in inp.path.items()}
    seasonal = check_season_rows(data, listed, sheets.get("Seasons"), inp.elements, inp.cls, origin, market,
                                 investment_check(data.tables["Investments"], sheets.get("Investments"))[1], REL,
                                 float(flows["tonnes_t"].sum() - listed["tonnes_t"].sum()))
    return (found + check_flows(inp, flows) + constraints + seasonal + check_tables(inp, whole, listed)
            + (check_choice(inp, data, whole, flows) if flows is not listed else []))


YEAR_KEYS = {"Legs": ("from", "to"), "Tariffs": ("element", "cargo_class"),
             "Capacities": ("element", "cargo_class", "season"),
             "Supply": ("commodity", "origin"), "Demand": ("commodity", "origin", "market", "season"),
             "Policies": ("rule",),
             "Surcharges": ("scope", "target", "commodity"), "Observations": ("observation",)}


def _year_rows(data: CorridorData, year: int) -> CorridorData:
    """The input of one year, read again from the raw sheets: a row with the year, else the row
    without one of the same key."""
    out = data.copy()
    for name, key in YEAR_KEYS.items():
        df = data.tables[name]
        if "year" not in df.columns:
            continue
        keys = [tuple(str(v) for v in rec) for rec in df[list(key)].itertuples(index=False)]
        dated = {k for k, y in zip(keys, df["year"], strict=True) if y == year}
        keep = [y == year or ((y is None or y != y) and k not in dated) for k, y in zip(keys, df["year"], strict=True)]
        out.tables[name] = df.loc[pd.Series(keep, index=df.index, dtype=bool)].reset_index(drop=True)
    return out


def _year_is(df: pd.DataFrame, year: int) -> pd.Series:
    """Rows of the year (a year read back from a workbook may be 2030, 2030.0 or '2030')."""
    return pd.to_numeric(df["year"], errors="coerce") == year


def check_plan(data: CorridorData, sheets: dict[str, pd.DataFrame], choice: bool | None = None
               ) -> tuple[list[str], list[str]]:
    """(violations, notes) of a plan's result: each case (each scenario of a robust plan, with that
    scenario applied to the input; each year, against that year's input rows) checked as a one-year
    result; investments never shrink and serve only from their first year plus lead time; the
    objective is the (probability-weighted) sum of the cases' weighted, discounted costs."""
    from model.input.scenarios import apply_scenarios

    plan = sheets["Plan"]
    if "scenario" not in plan.columns:
        errors, total = _check_years(data, sheets, {}, choice)
        return errors + _check_objective(sheets, total), []
    notes: list[str]
    errors, notes, expected = [], [], 0.0
    for name in dict.fromkeys(plan["scenario"].dropna().astype(str)):
        sdata = data if name == BASE else apply_scenarios(data, name)[0]
        part = {n: (df[df["scenario"].astype(str) == name].drop(columns=["scenario"]) if "scenario" in df.columns
                    else df) for n, df in sheets.items()}
        found, total = _check_years(sdata, part, {"scenario": name}, choice)
        errors += [f"scenario {name}: {e}" for e in found]
        probability = pd.to_numeric(part["Plan"]["probability"], errors="coerce").iloc[0] if len(part["Plan"]) else 0
        expected += float(probability) * total
    if data.settings.worst_case_weight:
        errors.append(NOT_CHECKED + "the objective of a robust plan that weighs its worst scenario "
                     "(worst_case_weight): each scenario's costs are checked, their weighted sum is not")
    else:
        errors += _check_objective(sheets, expected)
    return errors, notes


def _check_objective(sheets: dict[str, pd.DataFrame], total: float) -> list[str]:
    if "Summary" not in sheets:
        return []
    s = sheets["Summary"].set_index("item")["value"]
    if not _close(float(s[OBJECTIVE_LABEL]), total):
        return [f"Summary: objective {s[OBJECTIVE_LABEL]} USD, the cases' weighted, discounted costs give {total}"]
    return []


def _mapped(sheets: dict[str, pd.DataFrame], case: dict) -> bool:
    """Whether the Map sheet shows this case (scenario and year): its tables are checked against it alone."""
    about = sheets["Map"].set_index("item")["value"] if "Map" in sheets else pd.Series(dtype=object)
    for key, value in case.items():
        shown = about.get(key)
        shown = BASE if key == "scenario" and (shown is None or shown != shown) else shown
        if key == "year":
            shown = pd.to_numeric(pd.Series([shown]), errors="coerce").iloc[0]
        if shown != value:
            return False
    return True


def _check_years(data: CorridorData, sheets: dict[str, pd.DataFrame], case: dict, choice: bool | None = None
                 ) -> tuple[list[str], float]:
    """(violations, weighted and discounted cost) of one scenario of a plan: each year's tables (or
    the one year's, without a Periods sheet) checked as a one-year result against its input rows."""
    errors = []
    plan = sheets["Plan"]
    periods = data.tables["Periods"].sort_values("year") if "year" in plan.columns else pd.DataFrame()
    years = [int(y) for y in periods["year"]] if len(periods) else [None]
    rate = data.settings.discount_rate or 0.0
    weights: dict[int | None, float] = dict(zip(years, periods["weight"].fillna(1.0), strict=True)) if len(periods) \
        else {None: 1.0}
    total = 0.0
    for y in years:
        row = plan[_year_is(plan, y)] if y is not None else plan
        if not len(row):
            errors.append(f"Plan: no row for {y}")
            continue
        r = row.iloc[0]
        # the map shows one case: its tables are checked against that case alone
        mapped = _mapped(sheets, {**case, **({"year": y} if y is not None else {})})
        skip = {"Summary", "Plan", "Robust"} | (set() if mapped else {"Map legs", "Map nodes"})
        part = {n: (df[_year_is(df, y)].drop(columns=["year"]) if y is not None and "year" in df.columns else df)
                for n, df in sheets.items() if n not in skip}
        part["Summary"] = pd.DataFrame({"item": [OBJECTIVE_LABEL, SHIPPED_LABEL, CO2E_LABEL, *PART_LABELS.values()],
                                        "value": [r["annual_cost_usd"], r["shipped_t"], r["co2e_t"],
                                                  *[r[column] for _, column in COST_PARTS.values()]]})
        found = check_results(_year_rows(data, y) if y is not None else data, part,
                              is_choice(sheets) if choice is None else choice)
        errors += [f"{y}: {e}" for e in found] if y is not None else found
        total += weights[y] / (1 + rate) ** ((y - years[0]) if y is not None else 0) * r["annual_cost_usd"]  # type: ignore[operator]  # years: ints
    inv = sheets.get("Investments")
    if inv is not None and len(inv) and "year" in inv.columns and years != [None]:
        opts = data.tables["Investments"].set_index("option")
        for o, block in inv.groupby("option"):
            built = dict(zip(pd.to_numeric(block["year"]).astype(int), block["built_t"], strict=True))
            first, lead = opts.loc[o, "first_year"], opts.loc[o, "lead_time_years"]
            start = None if first is None or first != first else first + (0 if lead != lead or lead is None else lead)
            for a, b in zip(years, years[1:], strict=False):
                if built.get(b, 0.0) < built.get(a, 0.0) - REL * max(1.0, built.get(a, 0.0)):
                    errors.append(f"Investments: {o} falls from {built.get(a)} t in {a} to {built.get(b)} t in {b}")
            for y in years:
                if start is not None and y < start and built.get(y, 0.0) > REL:
                    errors.append(f"Investments: {o} has {built[y]} t in service in {y}, before {start:g}")
    return errors, total


# A line of corridor check's findings that names a check it could not run (never confirmed as holding).
NOT_CHECKED = "not checked: "
# The sheets check reads (beyond Flows, without which there is nothing to check), what is not checked
# without each, and the columns it reads of each.
_T, _N, _B = TEXT, NUMBER, BLANK_OR_NUMBER
NEEDS = {
    "Flows": {"commodity": _T, "route": _T, "corridor": _T, "tonnes_t": _N, "cost_usd_per_t": _N, "cost_usd": _N,
              "transit_days": _N, "co2e_kg_per_t": _N, "co2e_t": _N, **dict.fromkeys(PART_COLUMNS, _N)},
    "Summary": {"item": _T, "value": _T},
    "Demand": {"input_row": _N, "unmet_t": _B},
    "Investments": {"option": _T, "built_t": _N},
    "Corridors": {"commodity": _T, "corridor": _T, "tonnes_t": _N, "share": _N},
    "Countries": {"country": _T, "tonnes_t": _N},
    "Capacity": {"element": _T, "cargo_class": _T, "capacity_t": _N, "added_t": _B, "used_t": _N, "utilisation": _B},
    "Emissions": {"by": _T, "code": _T, "co2e_t": _N, "co2e_kg_per_t": _B},
    "Map legs": {"leg": _T, "corridor": _T, "tonnes_t": _N},
    "Map nodes": {"node": _T, "tonnes_t": _N},
}
UNCHECKED_WITHOUT = {
    "Summary": "the objective, its cost parts, the tonnes shipped and the CO2e; and which scenario the result was "
               "solved with (none is applied unless --scenario names it)",
    "Demand": "unmet demand (each demand row is checked as if nothing were unmet)",
    "Investments": "what is built (each capacity is checked without additions)",
    "Corridors": "the corridor totals and shares", "Countries": "the tonnes through each country",
    "Capacity": "the capacity used and its utilisation", "Emissions": "CO2e by corridor, country, commodity and route",
    "Map legs": "the map's tonnes on legs and at nodes", "Map nodes": "the map's tonnes on legs and at nodes",
    "Fit": "the fit to the observations", "Seasons": "the seasonal capacities and demands",
    "Routes": "a route-choice result's rows and logit split (its Flows sheet lists only the routes over 0.5 t)",
}


def _needs(data: CorridorData, sheets: dict[str, pd.DataFrame]) -> dict[str, dict[str, str]]:
    """NEEDS for this result: a plan's Plan sheet and year column, the Fit sheet of an input with observations,
    the Investments sheet of an input with options."""
    needs = dict(NEEDS)
    if not len(data.tables["Investments"]):  # written only when the input offers options
        del needs["Investments"]
    if len(data.tables["Observations"]):
        needs["Fit"] = {"observation": _T, "modelled_t": _N, "observed_t": _N}
    if len(data.tables["Seasons"]):
        needs["Seasons"] = {"season": _T, "what": _T, "commodity": _T, "route": _T, "tonnes_t": _N, "input_row": _B}
    if is_choice(sheets):  # its rows are checked from every route's tonnes (model.analysis.check_choice)
        needs["Routes"] = needs["Flows"]
    plan = sheets.get("Plan")
    if plan is not None:
        needs["Plan"] = {"annual_cost_usd": _N, "shipped_t": _N, "co2e_t": _N,
                         **{column: _N for _, column in COST_PARTS.values()},
                         **({"year": _N} if "year" in plan.columns else {}),
                         **({"probability": _N} if "scenario" in plan.columns else {})}
        if "year" in plan.columns:
            needs["Flows"] = {**needs["Flows"], "year": _N}
    return needs


def _summary_problems(sheets: dict[str, pd.DataFrame]) -> list:
    """The Summary's figures check reads: each present, each a number."""
    from model.errors import Problem

    s = sheets.get("Summary")
    if s is None or not {"item", "value"} <= set(s.columns):
        return []
    items = [OBJECTIVE_LABEL] + ([] if "Plan" in sheets else [SHIPPED_LABEL, *PART_LABELS.values()])
    at = {str(item): i for i, item in enumerate(s["item"])}
    rows = s.attrs.get("rows") or list(range(len(s)))
    problems = []
    for item in items + [CO2E_LABEL]:
        if item not in at:
            if item != CO2E_LABEL:
                problems.append(Problem(f"the figure '{item}' is missing from the column item", "Write the result "
                                        "again with corridor solve.", sheet="Summary"))
            continue
        v = s["value"].iloc[at[item]]
        x = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0] if not isinstance(v, bool) else float("nan")
        if not math.isfinite(x):
            problems.append(Problem(f"'{item}': expected a number, found {v!r}", "Enter the number the result had, "
                                    "or write the result again with corridor solve.", sheet="Summary",
                                    row=rows[at[item]], column="value"))
    return problems


def _recorded(sheets: dict[str, pd.DataFrame]) -> dict:
    """What the result's Summary records of how it was made: the input file, its SHA-256, the
    scenarios applied (None for none); {} without a Summary."""
    if "Summary" not in sheets:
        return {}
    s = {k: v for k, v in zip(sheets["Summary"]["item"].astype(str), sheets["Summary"]["value"], strict=True)
         if v is not None and v == v and str(v).strip()}  # blank figures are not recorded
    applied = s.get("scenario overrides")
    applied = None if applied is None or str(applied).startswith("none") else str(applied)
    return {"input": s.get("input file"), "sha": s.get(INPUT_SHA_LABEL), "scenario": applied}


def _scenario_text(spec: str | None) -> str:
    return f"scenario {spec}" if spec else "no scenario"


def _which_scenario(recorded: dict, option: str | None, result_path) -> str | None:
    """The scenario(s) to apply: those the result records, or --scenario (which must agree)."""
    from model.errors import InputError, Problem

    if not recorded:
        return option
    spec = recorded["scenario"]
    names = [n.strip() for n in (option or "").split("+") if n.strip()]
    if option is not None and names != [n.strip() for n in (spec or "").split("+") if n.strip()]:
        raise InputError(str(result_path), [Problem(
            f"was solved with {_scenario_text(spec)} (its Summary sheet, scenario overrides), not with --scenario "
            f"{option}", "Leave out --scenario (corridor check applies the scenario the result records), or check "
            f"the result of corridor solve --scenario {option}.")])
    return spec


def _same_case(data: CorridorData, sheets: dict, input_path, result_path, recorded: dict, sha: str | None) -> None:
    """(sha: the input's SHA-256, where the result records one.) InputError when the result cannot have
    been made from this input (with its scenario): it
    records another input file; its flows name routes or commodities the input does not have; its
    Capacity sheet, elements; it builds options the input does not offer or allow; it holds
    scenarios the input does not have; or it is a plan of years and the input plans none."""
    from model.errors import InputError, Problem, short_list
    from model.input.scenarios import scenario_names

    made_from = recorded.get("input")
    flows = sheets["Flows"]
    t = data.tables
    routes = set(t["Routes"]["route"].dropna())
    commodities = set(t["Commodities"]["commodity"].dropna())
    unknown = sorted(set(flows["route"].dropna()) - routes) + sorted(set(flows["commodity"].dropna()) - commodities)
    elements = set(t["Nodes"]["node"].dropna()) | {f"{a}>{b}" for a, b in zip(t["Legs"]["from"], t["Legs"]["to"],
                                                                              strict=True)}
    strange = sorted(set(sheets["Capacity"]["element"].dropna().astype(str)) - elements) \
        if "Capacity" in sheets and "element" in sheets["Capacity"].columns else []
    plan = sheets.get("Plan", pd.DataFrame())
    held = set(plan["scenario"].dropna().astype(str)) - {BASE} if "scenario" in plan.columns else set()
    missing = sorted(held - set(scenario_names(data)))
    inv = sheets.get("Investments")
    built = []
    if inv is not None and {"option", "built_t"} <= set(inv.columns):
        built = sorted(set(inv.loc[pd.to_numeric(inv["built_t"], errors="coerce").fillna(0) > REL, "option"]
                           .dropna().astype(str)))
    offered = set(t["Investments"]["option"].dropna().astype(str))
    other_file = (made_from and recorded.get("sha") and recorded["sha"] != sha
                  and str(made_from) != Path(input_path).name)
    why = (f"it records {made_from} as its input (Summary: input file and input SHA-256), and {input_path} is "
           "another file" if other_file
           else f"its flows name routes or commodities that {input_path} does not have ({short_list(unknown)})"
           if unknown
           else f"its Capacity sheet names elements that {input_path} does not have ({short_list(strange)})"
           if strange
           else f"it holds scenarios that {input_path} does not have on its Scenarios sheet ({short_list(missing)})"
           if missing
           else f"it builds options that {input_path} does not offer on its Investments sheet "
                f"({short_list(sorted(set(built) - offered))})" if set(built) - offered
           else f"it builds {short_list(built)}, and {input_path} with {_scenario_text(recorded.get('scenario'))} "
                "allows no investment (Settings: allow_investments is FALSE)"
           if built and not data.settings.allow_investments
           else f"it is a plan of several years, and {input_path} has no Periods sheet"
           if "year" in plan.columns and not len(t["Periods"]) else None)
    if why:
        source = (f" (it was made from {made_from}" + (f" with scenario {recorded['scenario']})"
                                                         if recorded.get("scenario") else ")") if made_from else "")
        raise InputError(str(result_path), [Problem(
            f"was not made from this input{source}: {why}",
            "Pass the input it was made from, or solve this input again and check that result.")])


# How to mend a workbook given as a result that corridor solve did not write (read here and by
# model.commands.check, which reads the workbook).
NOT_A_RESULT_FIX = "Pass a workbook written by 'corridor solve'."

def check_sheets(input_path: Path, result_path: Path, sheets: dict[str, pd.DataFrame], scenario: str | None = None,
                 allocation: str | None = None) -> tuple[list[str], list[str], bool]:
    """(violations, notes, whether a Map sheet was checked) for a result workbook's sheets (read by
    model.commands.check) against the input it claims to solve, with the scenario(s) the result records
    applied (scenario: --scenario, which must agree with them; allocation: --allocation, as solved). A
    check that cannot be run is a violation starting with NOT_CHECKED."""
    from model.errors import InputError, Problem
    from model.steps import load

    fix = NOT_A_RESULT_FIX
    if "Flows" not in sheets:
        raise InputError(str(result_path), [Problem("has no Flows sheet; it is not a result workbook", fix)])
    summary_problems = _summary_problems(sheets)  # read once: the recorded case and the refusals below use it
    recorded = _recorded(sheets) if not summary_problems else {}
    spec = _which_scenario(recorded, scenario, result_path)
    try:
        plan, _ = load(input_path, scenario=spec, allocation=allocation)
    except InputError as exc:
        if exc.source != "--scenario":
            raise
        made_from = f" (it was made from {recorded['input']})" if recorded.get("input") else ""
        raise InputError(str(result_path), [Problem(
            f"was not made from this input{made_from}: it was solved with scenario {spec}, and {input_path} has "
            f"no such scenario on its Scenarios sheet ({'; '.join(p.message for p in exc.problems)})",
            "Pass the input it was made from, or solve this input again and check that result.")]) from None
    data = plan.data
    notes = []
    sha = file_sha256(Path(input_path)) if recorded.get("sha") else None  # hashed once, for the note and _same_case
    if sha and recorded["sha"] != sha:
        notes.append("The result was computed from a different version of the input (SHA-256 differs); "
                     "the checks below are against the input as it is now.")
    if spec:
        notes.append(f"Checked with {_scenario_text(spec)} applied to the input, as the result was solved.")
    problems, missing = result_problems(sheets, _needs(data, sheets))
    mapped = "Map legs" not in missing  # without a Map sheet there is no map to check: the confirmation says so
    missing = [name for name in missing if not name.startswith("Map")]
    if problems or "Flows" in missing:  # what check reads must be there, and numbers where it reads numbers
        raise InputError(str(result_path), problems + summary_problems)
    if summary_problems:
        raise InputError(str(result_path), summary_problems)
    if "Plan" not in sheets and any(c in sheets["Flows"].columns for c in ("year", "scenario")):
        raise InputError(str(result_path), [Problem(
            "the Plan sheet is missing, and the Flows sheet holds several years or scenarios: without it the plan "
            "cannot be checked", "Write the result again with corridor solve.", sheet="Plan")])
    unchecked = [NOT_CHECKED + f"the {name.split()[0]} sheet is missing: {UNCHECKED_WITHOUT[name]}"
                 for name in dict.fromkeys(missing) if name != "Map nodes" or "Map legs" not in missing]
    _same_case(data, sheets, input_path, result_path, recorded, sha)
    # --allocation checks the result as that allocation (a least-cost result checked as choice must fail the
    # logit's split); without it, as its Summary says it was solved
    choice = None if allocation is None else allocation == Allocation.CHOICE
    if choice is not None and choice != is_choice(sheets):
        notes.append(f"The result's Summary says it was solved with another allocation; checked as {allocation}, "
                     "as --allocation asks.")
    if "Plan" in sheets:
        errors, more = check_plan(data, sheets, choice)
        return unchecked + errors, notes + more, mapped
    return unchecked + check_results(data, sheets, choice), notes, mapped
