"""The map of a solved case as tables: its nodes (with coordinates, tonnes through them and how full
they are) and its used legs (one row per leg and corridor: tonnes, the tonne-weighted cost per tonne
of the routes using it, how full the leg is), with the corridor totals and capacity rows of the same
case. The result workbook's Map sheet holds the first two (model.report.maps.sheet), the Corridors and
Capacity sheets the others, so a result workbook alone is enough to redraw the map.

A plan (several years, robust scenarios) is mapped in one case: the base scenario in its last year,
named in the title.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.input.schema import Allocation
from model.plan import BASE, Plan
from model.results.seasons import CAPACITY_ROW
from model.results.tables import ALL

MAP_NODE_COLUMNS = ["node", "name", "country", "kind", "lat", "lon", "tonnes_t", "utilisation", "full"]
# mode last: a Map sheet written before it had the column still reads (its legs drawn straight).
MAP_LEG_COLUMNS = ["leg", "from", "to", "corridor", "tonnes_t", "cost_usd_per_t", "utilisation", "full", "mode"]
CASE_KEYS = ("scenario", "year")  # the columns that pick one case out of a plan's tables


@dataclass
class MapTables:
    """One case's map: what model.report.maps draws and the Map sheet holds."""

    title: str
    subtitle: str
    nodes: pd.DataFrame  # MAP_NODE_COLUMNS, every node of the input
    legs: pd.DataFrame  # MAP_LEG_COLUMNS, one row per used (leg, corridor), most tonnes first
    corridors: pd.DataFrame  # corridor, tonnes_t, share: the case's all-commodity rows, most tonnes first
    capacity: pd.DataFrame  # the case's Capacity rows (element, cargo_class, capacity_t, ..., binding)
    case: dict = field(default_factory=dict)  # {"scenario": ..., "year": ...} of the case shown in a plan
    headline: str = ""  # "121.53 Mt/yr shipped\n8,699.6 million USD/yr": a comparison panel's heading (not kept)

    @property
    def unplaced(self) -> list[str]:
        """'ID (name)' of each node on a used leg, or carrying cargo, without both lat and lon."""
        used = set(self.legs["from"]) | set(self.legs["to"])
        n = self.nodes
        rows = n[(n["node"].isin(used) | (n["tonnes_t"] > 0)) & (n["lat"].isna() | n["lon"].isna())]
        listed = set(n["node"])
        return ([_named(r.node, r.name) for r in rows.itertuples(index=False)]
                + sorted(used - listed))

    @property
    def placed(self) -> bool:
        """Whether any node on a used leg has coordinates (else there is nothing to draw)."""
        n = self.nodes[self.nodes["node"].isin(set(self.legs["from"]) | set(self.legs["to"]))]
        return bool((n["lat"].notna() & n["lon"].notna()).any())

    def about(self) -> list[tuple[str, object]]:
        """(item, value) rows that say what the map shows (the Map sheet's head)."""
        return [("title", self.title), ("subtitle", self.subtitle), *self.case.items()]

    @classmethod
    def from_sheets(cls, sheets: dict[str, pd.DataFrame]) -> MapTables | None:
        """The map of a result workbook read back (model.report.read_results: its "Map", "Map nodes" and
        "Map legs" tables, the Corridors and Capacity sheets), or None without a Map sheet."""
        if "Map nodes" not in sheets:
            return None
        about = {str(k): v for k, v in zip(sheets["Map"]["item"], sheets["Map"]["value"], strict=True)}
        case = {k: about[k] for k in CASE_KEYS if k in about}
        corridors = case_rows(sheets["Corridors"], case)
        corridors = corridors[corridors["commodity"] == ALL][["corridor", "tonnes_t", "share"]]
        seasons = case_rows(sheets["Seasons"], case) if "Seasons" in sheets else pd.DataFrame()
        return cls(_text(about.get("title")), _text(about.get("subtitle")), sheets["Map nodes"],
                   sheets["Map legs"], corridors.reset_index(drop=True),
                   with_seasons(case_rows(sheets["Capacity"], case), seasons).reset_index(drop=True), case)


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _named(node, name) -> str:
    return f"{node} ({name})" if isinstance(name, str) and name and name != node else str(node)


def with_seasons(capacity: pd.DataFrame, seasons: pd.DataFrame) -> pd.DataFrame:
    """A case's Capacity rows and, for an element none of whose rows binds over the year, each of its seasonal
    capacity rows (the Seasons sheet, model.results.seasons) that the console calls full (seasons_line: it
    binds with room open, and a tonne more there would save a cent or more), with its season: a capacity full
    in one season only is full on the map, in that season's tonnes (the year's row alone showed the CPC, full
    in the winter of cpc_strike_2025 at 922 USD/t, 76% used and not full). A season closed (capacity 0) is
    closed, not full: the console says so apart."""
    if not len(seasons) or "what" not in seasons.columns:
        return capacity
    # With seasons the Capacity sheet's row binds when one open season is full; on the map a row is full only
    # when every season it allows is (its seasons' rows, below, say which one is)
    full = capacity["binding"].map(_flag) & (pd.to_numeric(capacity["utilisation"], errors="coerce") >= 1 - 1e-6)
    capacity = capacity.assign(binding=full)
    rows = seasons[seasons["what"] == CAPACITY_ROW]
    room = rows["capacity_t"].astype(float) + rows["added_t"].astype(float).fillna(0.0)
    annual = set(capacity.loc[capacity["binding"].map(_flag), "element"]) if len(capacity) else set()
    saves = pd.to_numeric(rows["shadow_price_usd_per_t"], errors="coerce").abs().round(2) > 0
    keep = rows["binding"].map(_flag) & (room > 0) & saves & ~rows["element"].isin(annual)
    rows, room = rows[keep], room[keep]
    if not len(rows):
        return capacity
    found = rows.assign(used_t=rows["tonnes_t"], utilisation=rows["tonnes_t"].astype(float) / room, binding=True)
    return pd.concat([capacity, found[[c for c in [*capacity.columns, "season"] if c in found.columns]]],
                     ignore_index=True)


def case_rows(df: pd.DataFrame, case: dict) -> pd.DataFrame:
    """The rows of a plan's table that belong to the case (all rows of a single case's table)."""
    mask = np.ones(len(df), dtype=bool)
    for key, value in case.items():
        if key in df.columns:
            mask &= (df[key] == value).to_numpy()
    return df[mask].drop(columns=[k for k in case if k in df.columns])


def map_tables(nodes: pd.DataFrame, paths: dict[str, tuple[str, ...]], flows: pd.DataFrame,
               capacity: pd.DataFrame, corridors: pd.DataFrame, title: str, subtitle: str,
               case: dict | None = None, modes: dict[str, str] | None = None) -> MapTables:
    """The map of one case. nodes: the Nodes sheet (node, name, country, kind, lat, lon); paths:
    route -> its nodes; flows: the Flows rows of the case (route, corridor, tonnes_t, cost_usd_per_t);
    capacity: its Capacity rows; corridors: its Corridors rows (the all-commodity rows are used);
    modes: "FROM>TO" -> the leg's mode on the Legs sheet (a sea leg is drawn along the sea lanes).

    A leg's tonnes add every flow whose route has FROM and TO next to each other, over commodities
    (twice for a route that runs the leg twice); a node's tonnes add every flow whose route passes
    it (once per route)."""
    used = flows[flows["tonnes_t"] > 0]
    steps = [(r, a, b) for r in dict.fromkeys(used["route"]) for a, b in zip(paths[r], paths[r][1:], strict=False)]
    steps = pd.DataFrame(steps, columns=["route", "from", "to"])
    if "premium_usd_per_t" in used.columns:  # the resource cost of a tonne (model.results.money): not the premiums
        used = used.assign(cost_usd_per_t=used["cost_usd_per_t"] - used["premium_usd_per_t"])
    on = used[["route", "corridor", "tonnes_t", "cost_usd_per_t"]].merge(steps, on="route")
    on["cost_usd"] = on["tonnes_t"] * on["cost_usd_per_t"]
    legs = on.groupby(["from", "to", "corridor"], sort=False)[["tonnes_t", "cost_usd"]].sum().reset_index()
    legs["leg"] = legs["from"] + ">" + legs["to"]
    legs["cost_usd_per_t"] = legs["cost_usd"] / legs["tonnes_t"]
    util, full = _fullness(capacity)
    legs["utilisation"] = legs["leg"].map(util)
    legs["full"] = [bool(full.get(e, False)) for e in legs["leg"]]
    legs["mode"] = [str((modes or {}).get(e, "")) for e in legs["leg"]]
    legs = legs.sort_values(["tonnes_t", "leg", "corridor"], ascending=[False, True, True], kind="stable")

    passes = pd.DataFrame([(r, n) for r in dict.fromkeys(used["route"]) for n in dict.fromkeys(paths[r])],
                          columns=["route", "node"])
    through = used[["route", "tonnes_t"]].merge(passes, on="route").groupby("node")["tonnes_t"].sum()
    table = nodes[["node", "name", "country", "kind", "lat", "lon"]].copy()
    table["name"] = table["name"].where(table["name"].notna() & (table["name"].astype(str) != ""), table["node"])
    table["tonnes_t"] = table["node"].map(through).fillna(0.0)
    table["utilisation"] = table["node"].map(util)
    table["full"] = [bool(full.get(n, False)) for n in table["node"]]

    totals = corridors[corridors["commodity"] == ALL][["corridor", "tonnes_t", "share"]]
    return MapTables(title, subtitle, table.reset_index(drop=True), legs[MAP_LEG_COLUMNS].reset_index(drop=True),
                     totals.sort_values("tonnes_t", ascending=False, kind="stable").reset_index(drop=True),
                     capacity.reset_index(drop=True), dict(case or {}))


def _fullness(capacity: pd.DataFrame) -> tuple[dict, dict]:
    """element -> highest utilisation over its capacity rows; element -> whether any row binds."""
    if not len(capacity):
        return {}, {}
    by = capacity.assign(binding=capacity["binding"].map(_flag)).groupby("element")
    return by["utilisation"].max().dropna().to_dict(), by["binding"].any().to_dict()


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def shown_case(plan: Plan) -> dict:
    """The case a plan's map shows: the base scenario (robust plans) in the last year (with Periods)."""
    case: dict = {}
    if plan.robust:
        case["scenario"] = BASE
    if plan.multi_year:
        case["year"] = plan.periods[-1].year
    return case


def map_of(plan: Plan, results) -> MapTables:
    """The map of a solved plan's results (model.results.tables.Results): the one case of a single
    solve, or shown_case() of a plan, titled with the scenario, the input file and the case."""
    case = shown_case(plan)
    chosen = next(c for c in plan.cases if c.scenario == case.get("scenario", c.scenario)
                  and c.period.year == case.get("year", c.period.year))
    s = results.summary
    title = s.scenario + (f", with {s.applied}" if s.applied else "")
    if plan.multi_year or plan.robust:
        where = " in ".join(w for w in ("the base scenario" if plan.robust else "",
                                        str(case["year"]) if "year" in case else "") if w)
        title += f": {where}" + (f" (the last of {len(plan.periods)} planned years)" if plan.multi_year else "")
    shipped, cost, unmet = _figures(results, case)
    source = s.provenance.input_file if s.provenance else ""
    unmet_text = f"; {unmet / 1e6:,.2f} Mt/yr unmet" if unmet > 0 else ""
    how = "by route choice" if chosen.data.settings.allocation == Allocation.CHOICE else "at least cost"
    subtitle = (f"{source}: " if source else "") + (f"{shipped / 1e6:,.2f} Mt/yr shipped {how}, "
                                                    f"{cost / 1e6:,.1f} million USD/yr of resource cost{unmet_text}")
    flows = case_rows(results.flows, case)
    routes = chosen.net.routes  # only the routes that carry tonnes are drawn: their paths alone
    paths = {r: routes[r].nodes for r in dict.fromkeys(flows.loc[flows["tonnes_t"] > 0, "route"])}
    leg_rows = chosen.data.tables["Legs"]
    modes = dict(zip(leg_rows["from"].astype(str) + ">" + leg_rows["to"].astype(str), leg_rows["mode"].astype(str),
                     strict=True))
    capacity = with_seasons(case_rows(results.capacity, case), case_rows(results.seasons, case))
    out = map_tables(chosen.data.tables["Nodes"], paths, flows,
                     capacity, case_rows(results.corridors, case), title, subtitle, case,
                     modes)
    out.headline = (f"{shipped / 1e6:,.2f} Mt/yr shipped" + (f", {unmet / 1e6:,.2f} unmet" if unmet > 0 else "")
                    + f"\n{cost / 1e6:,.1f} million USD/yr of resource cost")
    return out


def _figures(results, case: dict) -> tuple[float, float, float]:
    """(shipped t/yr, resource cost USD/yr, unmet t/yr) of the case shown (model.results.money: the
    premiums and the penalty are not a cost)."""
    if not case:
        s = results.summary
        return s.shipped_t, s.money.resource_usd, s.unmet_t
    row = case_rows(results.plan["Plan"], case).iloc[0]
    return float(row["shipped_t"]), float(row["resource_cost_usd"]), float(row["unmet_t"])
