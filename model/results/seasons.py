"""The Seasons result sheet (only where the input has seasons): each seasonal capacity row's use,
slack and shadow price, then the tonnes of each route and commodity in each season.

One sheet, not columns on Flows and Bottlenecks: the seasons are a number the input chooses, so per
season columns would change the Flows sheet's columns from one workbook to the next (and corridor
check reads them by name); the binding seasonal rows are on the Bottlenecks sheet too, by their label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from model.input.schema import Blank
from model.lp.families import BUILD, SEASON_CAPACITY, SEASON_DEMAND, SEASON_FLOW
from model.lp.highs import View
from model.network import Network

SEASON_COLUMNS = ["season", "share", "what", "name", "cargo", "tonnes_t", "capacity_t", "added_t", "slack_t",
                  "shadow_price_usd_per_t", "binding", "commodity", "route", "element", "cargo_class", "input_row"]
CAPACITY_ROW, FLOW_ROW = "capacity", "flow"  # the two kinds of row of the sheet (column what)


def seasons_sheet(net: Network, sol: View, tol_t: float = 1e-6, listed: np.ndarray | None = None) -> pd.DataFrame:
    """The Seasons sheet of one case; no rows without seasons. listed: per flow, whether the Flows sheet lists
    it (route choice: model.results.choice.SHOWN_T); the flow rows are those of the flows listed."""
    seasons = net.seasons
    if seasons is None:
        return pd.DataFrame(columns=SEASON_COLUMNS)
    flows = list(net.flows)
    values: Mapping[Any, float] = sol.values.get(SEASON_FLOW.name, {})
    tonnes = {s: np.array([values.get((k, r, s), 0.0) for k, r in flows]) for s in seasons.share}
    rows: list[dict[str, Any]] = []
    for lim, (idx, passes) in zip(seasons.limits, net.throughput_index(seasons.limits), strict=True):
        if not len(idx):
            continue
        used = float(passes @ tonnes[lim.season][idx])
        options = net.options_of(lim)  # type: ignore[arg-type]  # a limit has the element and class of a row
        added = lim.share * float(sum(sol.value(BUILD.name, o.option) for o in options))
        slack = lim.capacity_t + added - used
        rows.append({"season": lim.season, "share": lim.share, "what": CAPACITY_ROW,
                     "name": net.names.element(lim.element),
                     "tonnes_t": used if abs(used) > tol_t else 0.0, "capacity_t": lim.capacity_t, "added_t": added,
                     "slack_t": slack if abs(slack) > tol_t else 0.0,
                     "shadow_price_usd_per_t": sol.relaxation_value(SEASON_CAPACITY.name, (lim.row, lim.season)) + 0.0,
                     "binding": abs(slack) <= 1e-6 * max(1.0, lim.capacity_t + added), "element": lim.element,
                     "cargo_class": lim.cargo_class or Blank.ALL, "input_row": lim.row})
    rows.sort(key=lambda r: -abs(r["shadow_price_usd_per_t"]))
    for s, share in seasons.share.items():
        for i, ((k, r), t) in enumerate(zip(flows, tonnes[s].tolist(), strict=True)):
            if t > tol_t and (listed is None or listed[i]):
                rows.append({"season": s, "share": share, "what": FLOW_ROW, "name": net.names.path(net.routes[r].nodes),
                             "cargo": net.names.cargo(k), "tonnes_t": t, "commodity": k, "route": r})
    return pd.DataFrame(rows, columns=SEASON_COLUMNS)


def season_reduced_costs(net: Network, sol: View) -> np.ndarray:
    """Per flow, in flow order: the least reduced cost of its seasons' columns (0 without seasons). A route
    comes into use through its Flow and one season's SeasonFlow at once (season_split ties them), so its
    reduced cost is the sum of the two; HiGHS may leave the whole gap on the season's column, and the
    Flow's alone then reads 0 for a route far from use."""
    seasons = net.seasons
    if seasons is None or not len(net.flows):
        return np.zeros(len(net.flows))
    rcs: Mapping[Any, float] = sol.reduced_costs.get(SEASON_FLOW.name, {})
    flows = list(net.flows)
    return np.min([[rcs.get((k, r, s), 0.0) for k, r in flows] for s in seasons.share], axis=0)


def seasonal_allowance(net: Network, sheet: pd.DataFrame, row: int, added: float) -> tuple[float, bool]:
    """(tonnes its seasons allow over the year, whether one season that is open is full at a value) of a
    Capacities row where seasons state it, read off the Seasons sheet's capacity rows (seasons_sheet): the
    Capacity sheet's utilisation and binding (a closed season is not full)."""
    assert net.seasons is not None
    lims = [x for x in net.seasons.limits if x.annual_row == row]
    mine = {(x.row, x.season) for x in lims}
    caps = sheet[sheet["what"] == CAPACITY_ROW] if len(sheet) else sheet
    # full, and worth something: seasons share a year's tonnes at will where nothing prices them, and a season
    # filled at no value is one vertex of many
    full = any(b and c + a > 0 and v > 1e-9 for r, s, b, c, a, v in
               caps[["input_row", "season", "binding", "capacity_t", "added_t", "shadow_price_usd_per_t"]].itertuples(
                   index=False) if (r, s) in mine)
    return sum(x.capacity_t + x.share * added for x in lims), full


def annual_capacity_value(net: Network, sol: View, row: int) -> float:
    """What one more tonne a year of a Capacities row saves where seasons state it: its seasons without
    a row of their own grow by their shares (sum over them of share x the season's shadow price)."""
    if net.seasons is None:
        return 0.0
    return sum(x.share * sol.relaxation_value(SEASON_CAPACITY.name, (x.row, x.season))
               for x in net.seasons.limits if x.annual_row == row and not x.own)


def annual_demand_value(net: Network, sol: View, row: int) -> float:
    """What one more tonne a year of a Demand row costs in its seasons: the seasons without a row of their
    own take it by their shares (the sum of share / their shares' sum x each one's marginal cost), added to
    the annual row's own (demand_balance) dual."""
    if net.seasons is None:
        return 0.0
    free = [x for x in net.seasons.demands if x.annual_row == row and not x.own]
    total = sum(net.seasons.share[x.season] for x in free)
    return sum(net.seasons.share[x.season] / total * sol.dual(SEASON_DEMAND.name, (x.row, x.season))
               for x in free) if total else 0.0


def added_capacity_value(net: Network, sol: View, element: str, cargo_class: str | None) -> float:
    """What one more tonne of capacity built at an element (and class) saves in the seasons: it adds its
    share in every season (sum of share x the season's shadow price)."""
    if net.seasons is None:
        return 0.0
    return sum(x.share * sol.relaxation_value(SEASON_CAPACITY.name, (x.row, x.season))
               for x in net.seasons.limits if x.element == element and x.cargo_class == cargo_class)


def seasons_line(sheet: pd.DataFrame | None, most: int = 3, toll: bool = False) -> str:
    """The brief's and the console's one line on the seasonal capacities that bind: the closed ones first,
    then the full ones by what one more tonne there would save, the seasons of one element with the same
    value together; '' when none binds (or there are no seasons). toll: a route-choice result, whose
    shadow prices are tolls (model.results.choice), said as such."""
    if sheet is None or not len(sheet) or not set(SEASON_COLUMNS[:11]) <= set(sheet.columns):
        return ""  # a result workbook edited by hand (the brief reads it back) says nothing of its seasons
    number = {c: pd.to_numeric(sheet[c], errors="coerce").fillna(0.0) for c in
              ("capacity_t", "added_t", "shadow_price_usd_per_t")}
    caps = sheet.assign(**number)
    caps = caps[(caps["what"] == CAPACITY_ROW) & caps["binding"].isin([True, 1, "TRUE", "True"])]
    groups: dict[tuple[str, bool, float], list[str]] = {}  # (name, closed, value to the cent) -> its seasons
    for rec in caps.to_dict("records"):
        closed = float(rec["capacity_t"]) + float(rec["added_t"]) == 0
        saves = round(float(rec["shadow_price_usd_per_t"]), 2)
        if closed or saves > 0:
            groups.setdefault((str(rec["name"]), closed, saves), []).append(str(rec["season"]))
    words = []
    for (name, closed, saves), seasons in sorted(groups.items(), key=lambda g: (not g[0][1], -g[0][2])):
        when = " and ".join(seasons)
        value = f"its toll then {saves:,.2f} USD/t" if toll else f"a tonne more then would save {saves:,.2f} USD"
        words.append(f"{name}: closed in {when}" + (f" (a tonne of capacity then would save {saves:,.2f} USD)"
                                                    if saves > 0 else "") if closed else
                     f"{name}: full in {when} ({value})")
    if not words:
        return ""
    more = f"; and {len(words) - most} more (Seasons sheet)" if len(words) > most else ""
    return "Seasons: " + "; ".join(words[:most]) + more
