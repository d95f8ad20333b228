"""A solved case -> tidy DataFrames, one per concept, with units in the column names.

collect(data, net, view) reads one case's solution (model.lp.highs.View) and never writes back
into the network or the data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.input.data import CorridorData
from model.input.schema import Blank, PolicyKind
from model.lp.families import BUILD, CAPACITY_LIMIT, DEMAND_BALANCE, FLOW, POLICY_LIMIT, SUPPLY_MAX, SUPPLY_MIN, UNMET
from model.lp.highs import ByIndex, View
from model.lp.mip import Difference, MipInfo
from model.lp.names import Span
from model.network import Network
from model.network.costs import COST_PARTS, CostPart
from model.network.names import ARROW
from model.results.bottlenecks import BOTTLENECK_COLUMNS, bottleneck_table
from model.results.choice import SHOWN_T, choice_bottlenecks, choice_routes, facts_of, flow_columns
from model.results.emissions import EMISSIONS_COLUMNS, emissions_table
from model.results.fit import FIT_COLUMNS, FitAnalyses, fit_summary, fit_table
from model.results.investments import INVESTMENT_COLUMNS, decisions_of, investment_table
from model.results.responses import RESPONSE_COLUMNS
from model.results.seasons import (
    SEASON_COLUMNS,
    annual_capacity_value,
    annual_demand_value,
    season_reduced_costs,
    seasonal_allowance,
    seasons_line,
    seasons_sheet,
)
from model.results.summary import RANGE_COLUMNS, Provenance, Summary

TOL_T = 1e-6  # tonnes below this are reported as zero
ALL = "All commodities"

# The columns of each output sheet, in order; units are in the names.
PART_COLUMNS = [f"{part}_usd_per_t" for part in COST_PARTS]
# On each sheet the columns a reader needs come first (names, tonnes, costs); the codes and the
# analyst's columns (reduced costs, ranges, input rows) follow, each explained in its header's note.
ROUTE_COLUMNS = ["cargo", "from", "to", "corridor", "via", "tonnes_t", "resource_cost_usd_per_t", "resource_cost_usd",
                 "cost_usd_per_t", "cost_usd", "transit_days",
                 "co2e_kg_per_t", "co2e_t", *PART_COLUMNS, "commodity", "origin", "market", "route", "countries",
                 "market_country", "reduced_cost_usd_per_t", "break_even_cost_usd_per_t", "cost_range_low_usd_per_t",
                 "cost_range_high_usd_per_t"]
FLOW_COLUMNS = ROUTE_COLUMNS[:ROUTE_COLUMNS.index("countries") + 1]
COLUMNS = {
    "Summary": ["item", "value", "unit"],
    "Flows": FLOW_COLUMNS,
    "Corridors": ["commodity", "corridor", "tonnes_t", "share"],
    "Countries": ["name", "tonnes_t", "share_of_shipped", "country"],
    "Capacity": ["name", "cargo_class", "capacity_t", "added_t", "used_t", "utilisation", "shadow_price_usd_per_t",
                 "binding", "element", "valid_from_t", "valid_to_t", "input_row"],
    "Investments": INVESTMENT_COLUMNS,
    "Routes": ROUTE_COLUMNS,
    "Demand": ["cargo", "from", "to", "demand_t", "delivered_t", "unmet_t", "marginal_cost_usd_per_t", "commodity",
               "origin", "market", "valid_from_t", "valid_to_t", "input_row"],
    "Supply": ["cargo", "from", "min_t", "max_t", "shipped_t", "value_of_more_supply_usd_per_t",
               "cost_of_minimum_usd_per_t", "commodity", "origin", "input_row"],
    "Policies": ["rule", "applies_to", "cargo", "kind", "commodity", "value", "measured_in", "shipped_t",
                 "share_of_shipped", "co2e_t", "bound_t", "slack_t", "binding", "saving_usd_per_t", "scope", "target",
                 "valid_for_more_t", "input_row"],
    "Plan": ["scenario", "year", "probability", "weight_years", "discount_factor", "resource_cost_usd",
             *[column for _, column in COST_PARTS.values()], "unmet_penalty_usd", "investment_cost_usd",
             "annual_cost_usd", "weighted_cost_usd_total", "shipped_t", "unmet_t", "co2e_t"],
    "Robust": ["scenario", "probability", "robust_plan_cost_usd_total", "base_only_plan_cost_usd_total",
               "difference_usd_total"],
    "Bottlenecks": BOTTLENECK_COLUMNS,
    "Fit": FIT_COLUMNS,
    "Emissions": EMISSIONS_COLUMNS,
    "Seasons": SEASON_COLUMNS,
    "Responses": RESPONSE_COLUMNS,
    "Ranges": RANGE_COLUMNS,
}
# What a policy rule's value, bound and slack measure, by kind.
MEASURED_IN = {PolicyKind.MAX_SHARE: "share of shipped tonnes", PolicyKind.MIN_SHARE: "share of shipped tonnes",
               PolicyKind.MAX_T: "t/yr", PolicyKind.MIN_T: "t/yr", PolicyKind.MAX_CO2_T: "t CO2e/yr"}


def _clean(x: float, scale: float = 1.0) -> float:
    """Solver round-off (|x| below 1e-9 of the scale) reported as 0."""
    return 0.0 if abs(x) <= 1e-9 * max(1.0, abs(scale)) else float(x)


@dataclass
class Results:
    summary: Summary
    flows: pd.DataFrame
    corridors: pd.DataFrame
    countries: pd.DataFrame
    capacity: pd.DataFrame
    routes: pd.DataFrame
    demand: pd.DataFrame
    supply: pd.DataFrame
    policies: pd.DataFrame
    sources: pd.DataFrame
    bottlenecks: pd.DataFrame
    investments: pd.DataFrame
    fit: pd.DataFrame = field(default_factory=pd.DataFrame)  # the Fit sheet (rows only with observations)
    emissions: pd.DataFrame = field(default_factory=pd.DataFrame)  # CO2e by corridor, country, commodity, route
    plan: dict[str, pd.DataFrame] | None = None  # a plan's own sheets (Plan, Robust), after the Summary
    seasons: pd.DataFrame = field(default_factory=pd.DataFrame)  # the Seasons sheet (rows only with seasons)
    responses: pd.DataFrame = field(default_factory=pd.DataFrame)  # a choice allocation's (model.results.responses)
    ranges: pd.DataFrame = field(default_factory=pd.DataFrame)  # solve --uncertainty N's (summary.RANGE_COLUMNS)
    routes_sheet_rows: int = 2000  # the most rows the Routes sheet holds (setting routes_sheet_rows)
    routes_csv: bool = False  # also every route to <result>_routes.csv (setting routes_csv)

    def season_lines(self) -> list[str]:
        """The console's line on the seasonal capacities that bind, if any (model.results.seasons.seasons_line)."""
        line = seasons_line(self.seasons, toll=self.summary.choice is not None)
        return [line] if line else []

    def summary_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.summary.rows(), columns=COLUMNS["Summary"])

    def timed(self, phases: str) -> Results:
        """These results with the run time by phase in their Summary (as the pipeline writes them): a
        new Results sharing the tables; these are left as they are."""
        return dataclasses.replace(self, summary=dataclasses.replace(self.summary, phases=phases))

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Output sheets in the order a reader opens them."""
        return {"Summary": self.summary_table(), **(self.plan or {}), **({"Fit": self.fit} if len(self.fit) else {}),
                **({"Responses": self.responses} if len(self.responses) else {}),
                **({"Ranges": self.ranges} if len(self.ranges) else {}),
                "Bottlenecks": self.bottlenecks, "Flows": self.flows, "Corridors": self.corridors,
                "Countries": self.countries, "Emissions": self.emissions, "Capacity": self.capacity,
                **({"Seasons": self.seasons} if len(self.seasons) else {}), "Routes": self.routes,
                "Demand": self.demand, "Supply": self.supply, "Policies": self.policies,
                **({"Investments": self.investments} if len(self.investments) else {}),
                "Sources": self.sources}


def flow_tonnes(net: Network, sol: View) -> np.ndarray:
    """The solver's tonnes of every flow, in flow order (as solved: not rounded to 0)."""
    return _column(sol.values.get(FLOW.name, {}), net.flows, 0.0)


def route_costs(net: Network, sol: View, tonnes: np.ndarray | None = None) -> pd.DataFrame:
    """Every (route, commodity) the model may use: cost per tonne and its parts, tonnes, reduced cost.
    tonnes: flow_tonnes(net, sol), if already gathered. Route facts are taken per flow from one
    array per route attribute (a million flows, half a million routes)."""
    flows = net.flows
    parts = net.cost_array
    tonnes = flow_tonnes(net, sol) if tonnes is None else tonnes
    used = tonnes > TOL_T
    tonnes = np.where(used, tonnes, 0.0)
    total = net.cost_total
    rcs: Mapping[Any, Any] = sol.reduced_costs.get(FLOW.name, {})
    ranges: Mapping[Any, Any] = sol.cost_ranges.get(FLOW.name, {})
    idx = _positions_of(rcs, flows)  # rc and ranges share one position map when read from HiGHS
    rc = _column(rcs, flows, 0.0, idx) + season_reduced_costs(net, sol)
    rc = np.where(np.abs(rc) <= 1e-9 * np.maximum(1.0, np.abs(total)), 0.0, rc)
    same = getattr(ranges, "pos", None) is getattr(rcs, "pos", False)
    low_high = _column(ranges, flows, (float("nan"), float("nan")), idx if same else None).reshape(len(flows), 2)
    at = net.flow_route

    def per_route(values) -> np.ndarray:
        out = np.empty(len(net.routes), dtype=object)
        out[:] = list(values)
        return out[at]

    routes, names = net.routes, net.names
    node = np.array(routes.table.nodes, dtype=object)  # each node once: its id and its words
    place = [names.place(n) for n in routes.table.nodes]
    origin, market = routes.origin_code[at], routes.market_code[at]
    commodities = np.array(list(net.commodity_class), dtype=object)
    table = pd.DataFrame({
        "cargo": np.array([names.cargo(k) for k in commodities], dtype=object)[net.flow_commodity],
        "from": np.asarray(place, dtype=object)[origin], "to": np.asarray(place, dtype=object)[market],
        "via": per_route(routes.node_words(place, ARROW)),
        "commodity": commodities[net.flow_commodity],
        "origin": node[origin], "market": node[market],
        "route": per_route(routes.ids), "corridor": per_route(routes.corridors),
        "tonnes_t": tonnes, "cost_usd_per_t": total,
        # money in its kinds (model.results.money): the resource cost is the model's cost less the premiums
        "resource_cost_usd_per_t": total - parts[:, CostPart.PREMIUM],
        "resource_cost_usd": (total - parts[:, CostPart.PREMIUM]) * tonnes,
        **{column: parts[:, j] for j, column in enumerate(PART_COLUMNS)}, "cost_usd": total * tonnes,
        "co2e_kg_per_t": net.co2_t_per_t * 1000.0, "co2e_t": net.co2_t_per_t * tonnes,
        "transit_days": net.route_days[at],
        "countries": net.countries_of.each("-".join)[at],
        "market_country": routes.market_countries(net.node_country)[at],  # own market or transit (results.brief)
        "reduced_cost_usd_per_t": rc, "break_even_cost_usd_per_t": np.where(used, np.nan, low_high[:, 0]),
        "cost_range_low_usd_per_t": low_high[:, 0], "cost_range_high_usd_per_t": low_high[:, 1],
    }, columns=ROUTE_COLUMNS)
    choice = sol.solution.choice  # route choice: shares and generalised costs, no LP ranging (model.results.choice)
    if choice is None or not hasattr(rcs, "pos"):
        return table
    return choice_routes(table, net, _column(ByIndex(rcs.pos, choice.generalised), flows, np.nan, idx))


def _column(values, keys: Sequence[Any], default, idx: np.ndarray | None = None) -> np.ndarray:
    """values[k] for each key, as an array: gathered straight from the solver's array when values
    is a model.lp.highs.ByIndex over it (at idx, if the positions of the keys are known), else
    looked up one by one."""
    pos = getattr(values, "pos", None)
    if pos is not None and idx is None:
        idx = _positions_of(values, keys)
    if idx is not None and pos is not None:
        return values.gather(idx)
    return np.array([values.get(k, default) for k in keys], dtype=float)


def _positions_of(values, keys: Sequence[Any]) -> np.ndarray | None:
    """Positions of keys in a ByIndex's array, or None if it is not one or lacks a key."""
    pos = getattr(values, "pos", None)
    if pos is None or len(pos) < len(keys):
        return None
    if isinstance(pos, Span) and pos.holds_in_order(keys):  # the flows' own run of columns
        return np.arange(pos.start, pos.stop)
    try:
        return np.fromiter((pos[k] for k in keys), dtype=np.int64, count=len(keys))
    except KeyError:
        return None


def _shares(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Tonnes and share by `by`, for all commodities and for each commodity."""
    out = []
    total = df.groupby(by, sort=False)["tonnes_t"].sum()
    all_t = df["tonnes_t"].sum()
    for name, t in total.sort_values(ascending=False).items():
        out.append({"commodity": ALL, by: name, "tonnes_t": t, "share": t / all_t if all_t else 0.0})
    for k, sub in df.groupby("commodity", sort=False):
        k_t = sub["tonnes_t"].sum()
        for name, t in sub.groupby(by, sort=False)["tonnes_t"].sum().sort_values(ascending=False).items():
            if t > TOL_T:
                out.append({"commodity": k, by: name, "tonnes_t": t, "share": t / k_t if k_t else 0.0})
    return pd.DataFrame(out, columns=["commodity", by, "tonnes_t", "share"])  # by: corridor (COLUMNS)


def collect(data: CorridorData, net: Network, sol: View, input_name: str | None = None,
            other: dict[str, Difference | None] | None = None, mip: MipInfo | None = None,
            found: FitAnalyses | None = None) -> Results:
    """Every output table of one optimal solve (of one case of a plan, through its view). other:
    what deciding each integer option the other way would cost, and mip the solve's MipInfo priced
    against the LP relaxation (model.lp.mip.other_decision_costs; else the view's own); found: what
    the analyses found of the observations (model.results.fit.FitAnalyses)."""
    x = flow_tonnes(net, sol)  # the sums below gather from it by position
    routes = route_costs(net, sol, x)
    choice = sol.solution.choice is not None  # the flows under SHOWN_T are in the totals, not listed
    columns = flow_columns(routes) if choice else FLOW_COLUMNS
    listed = routes["tonnes_t"] > (SHOWN_T if choice else TOL_T)
    flows = routes[columns] if data.settings.include_zero_flows else routes.loc[listed, columns]
    flows = flows.reset_index(drop=True).sort_values(["commodity", "tonnes_t"], ascending=[True, False], kind="stable")
    moved = routes.loc[routes["tonnes_t"] > TOL_T, columns] if choice else flows  # every tonne, for the totals

    corridors = _shares(moved, "corridor")
    names = data.tables["Countries"].set_index("country")["name"].to_dict()
    through = [{"commodity": k, "country": c, "tonnes_t": t}
               for k, r, t in moved[["commodity", "route", "tonnes_t"]].itertuples(index=False)
               for c in net.countries_of[r]]
    countries = pd.DataFrame(through, columns=["commodity", "country", "tonnes_t"])
    shipped = moved["tonnes_t"].sum()
    # every country of the Countries sheet, those no cargo crosses at 0 t (a reader looks for Pakistan)
    tonnes = countries.groupby("country", sort=False)["tonnes_t"].sum()
    tonnes = tonnes.reindex(list(dict.fromkeys([*tonnes.index, *names])), fill_value=0.0)
    countries = tonnes.sort_values(ascending=False, kind="stable").rename_axis("country").reset_index()
    countries.insert(1, "name", [names.get(c) or c for c in countries["country"]])
    countries = countries[["name", "tonnes_t", "country"]]
    countries.insert(2, "share_of_shipped", countries["tonnes_t"] / shipped if shipped else 0.0)

    cap_rows = []
    users = net.capacity_index()
    seasons = seasons_sheet(net, sol, TOL_T, listed.to_numpy() if choice else None)
    for c in net.capacity_rows:
        idx, passes = users[c.row]
        used = float(passes @ x[idx])
        added = _clean(sum(sol.value(BUILD.name, o.option) for o in net.options_of(c)), c.capacity_t)
        total = c.capacity_t + added
        slack = total - used
        cap_rows.append({
            "name": net.names.element(c.element), "element": c.element, "cargo_class": c.cargo_class or Blank.ALL,
            "capacity_t": c.capacity_t,
            "added_t": added, "used_t": _clean(used, total), "utilisation": used / total if total else None,
            "shadow_price_usd_per_t": _clean(sol.relaxation_value(CAPACITY_LIMIT.name, c.row)
                                             + annual_capacity_value(net, sol, c.row)),
            "binding": abs(slack) <= 1e-6 * max(1.0, total), "input_row": c.row,
        })
        if net.seasons is not None:  # its seasons' rows hold it: full when one of them is, used against them all
            allowed, full = seasonal_allowance(net, seasons, c.row, added)
            cap_rows[-1].update(utilisation=used / allowed if allowed else None, binding=full,
                                valid_from_t=float("nan"), valid_to_t=float("nan"))  # no one row's range
        elif cap_rows[-1]["binding"]:
            cap_rows[-1]["valid_from_t"], cap_rows[-1]["valid_to_t"] = sol.bound_range(CAPACITY_LIMIT.name, c.row)
        else:  # spare capacity: its value (0) holds for any capacity down to what is used
            cap_rows[-1]["valid_from_t"], cap_rows[-1]["valid_to_t"] = used, float("inf")
    capacity = pd.DataFrame(cap_rows, columns=COLUMNS["Capacity"])
    capacity = capacity.sort_values("shadow_price_usd_per_t", ascending=False, kind="stable")

    dem_rows = []
    for d in net.demand_rows:
        delivered = float(x[net.demand_index(d.row)].sum())
        unmet = sol.value(UNMET.name, d.row)
        dem_rows.append({"cargo": net.names.cargo(d.commodity),
                         "from": net.names.place(d.origin) if d.origin else "any origin",
                         "to": net.names.place(d.market), "commodity": d.commodity, "origin": d.origin or Blank.ANY,
                         "market": d.market,
                         "demand_t": d.demand_t, "delivered_t": _clean(delivered, d.demand_t),
                         "unmet_t": _clean(unmet, d.demand_t),
                         "marginal_cost_usd_per_t": _clean(sol.dual(DEMAND_BALANCE.name, d.row)
                                                           + annual_demand_value(net, sol, d.row)),
                         "input_row": d.row})
        dem_rows[-1]["valid_from_t"], dem_rows[-1]["valid_to_t"] = sol.bound_range(DEMAND_BALANCE.name, d.row) \
            if net.seasons is None else (float("nan"), float("nan"))  # with seasons: the seasons' rows' range
    demand = pd.DataFrame(dem_rows, columns=COLUMNS["Demand"])

    sup_rows = []
    for s in net.supply_rows:
        shipped_s = float(x[net.supply_index(s)].sum())
        sup_rows.append({"cargo": net.names.cargo(s.commodity), "from": net.names.place(s.origin),
                         "commodity": s.commodity, "origin": s.origin, "min_t": s.min_t, "max_t": s.max_t,
                         "shipped_t": _clean(shipped_s, s.max_t),
                         "value_of_more_supply_usd_per_t": _clean(sol.relaxation_value(SUPPLY_MAX.name, s.row)),
                         "cost_of_minimum_usd_per_t": _clean(sol.relaxation_value(SUPPLY_MIN.name, s.row)),
                         "input_row": s.row})
    supply = pd.DataFrame(sup_rows, columns=COLUMNS["Supply"])

    pol_rows = []
    totals: dict[int, float] = {}  # id of a policy's total flow array -> its tonnes (shared by '*' targets)
    co2 = net.co2_t_per_t
    for p in net.policy_limits:
        selected, total = net.policy_index(p)  # type: ignore[assignment]  # total: a float above, flows here
        s_t = float(x[selected].sum())
        co2_t = float(co2[selected] @ x[selected])
        if id(total) not in totals:
            totals[id(total)] = float(x[total].sum())  # type: ignore[call-overload]  # the flows' positions
        t_t = totals[id(total)]
        measured = co2_t if p.is_co2 else s_t  # what the rule bounds: tonnes, or tonnes of CO2e
        scale = max(t_t, co2_t) if p.is_co2 else t_t
        bound = p.value * t_t if p.is_share else p.value
        slack = bound - measured if p.is_max else measured - bound
        pol_rows.append({
            "rule": p.rule, "applies_to": net.names.target(p.scope, p.target), "cargo": net.names.cargoes(p.commodity),
            "kind": p.kind, "scope": p.scope,
            "target": p.target,
            "commodity": p.commodity or Blank.ALL, "value": p.value, "measured_in": MEASURED_IN[p.kind],
            "shipped_t": _clean(s_t, t_t), "share_of_shipped": s_t / t_t if t_t else 0.0, "co2e_t": co2_t,
            "bound_t": bound, "slack_t": _clean(slack, scale), "binding": abs(slack) <= 1e-6 * max(1.0, scale),
            "saving_usd_per_t": _clean(sol.relaxation_value(POLICY_LIMIT.name, (p.rule, p.target))),
            "valid_for_more_t": (sol.headroom(POLICY_LIMIT.name, (p.rule, p.target))
                                 if abs(slack) <= 1e-6 * max(1.0, scale) else float("inf")),
            "input_row": p.row,
        })
    policies = pd.DataFrame(pol_rows, columns=COLUMNS["Policies"])

    investments = investment_table(data, net, sol, capacity, other)
    parts = {name: float((moved[f"{name}_usd_per_t"] * moved["tonnes_t"]).sum()) for name in COST_PARTS}
    unmet_t = float(demand["unmet_t"].sum())
    co2e_t = float(moved["co2e_t"].sum())
    summary = Summary(
        scenario=data.scenario_name, applied=data.scenario, overrides=list(data.overrides), status=sol.status,
        objective_usd=sol.objective_usd, parts_usd=parts,
        unmet_penalty_usd=(data.settings.unmet_penalty_usd_per_t or 0.0) * unmet_t,
        investment_usd=float(investments["cost_usd"].sum()), shipped_t=float(shipped), unmet_t=unmet_t,
        co2e_t=co2e_t, co2e_leaves_out=net.legs_without_distance,
        flow_variables=len(net.flows), solver=sol.solver, method=sol.method, solve_seconds=sol.seconds,
        provenance=Provenance.of(input_name or data.source, data.sha256), settings=data.settings,
        decisions=decisions_of(sol.mip if mip is None else mip, investments, other, "USD/yr",
                               data.settings.unmet_penalty_usd_per_t), choice=facts_of(data, sol, routes))
    fit = fit_table(net, np.where(x > TOL_T, x, 0.0), found)
    summary.fit = fit_summary(fit)
    bottlenecks = bottleneck_table(sol, capacity, policies, supply, data.settings.unmet_penalty_usd_per_t, unmet_t,
                                   net)
    bottlenecks = choice_bottlenecks(bottlenecks, policies, supply) if choice else bottlenecks  # tolls, not LP savings
    return Results(summary, flows.reset_index(drop=True), corridors, countries, capacity.reset_index(drop=True),
                   routes, demand, supply, policies, data.sources, bottlenecks, investments, fit,
                   emissions_table(moved, net, flows if choice else None),
                   routes_sheet_rows=data.settings.routes_sheet_rows, routes_csv=data.settings.routes_csv,
                   seasons=seasons)
