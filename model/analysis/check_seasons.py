"""corridor check's seasonal rows (model.analysis.check): from the Seasons result sheet's tonnes of each
route in each season, recomputed against the input: the seasons of a flow add to its year, each
seasonal capacity holds (built capacity x the season's share added), each season's demand holds,
and the sheet's own tonnes through each capacity are the flows'."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import pandas as pd

from model.input.data import CorridorData
from model.input.seasons import season_table
from model.results.seasons import CAPACITY_ROW, FLOW_ROW


def check_season_rows(data: CorridorData, flows: pd.DataFrame, sheet: pd.DataFrame | None,
                      elements: Callable[[str], list[str]], cls: dict[str, str], origin: dict[str, str],
                      market: dict[str, str], built: dict, rel: float, unlisted_t: float = 0.0) -> list[str]:
    """Every seasonal row recomputed from the Seasons sheet's flow rows, each within rel (relative, at least
    rel t); [] when all hold (or the input has no seasons). unlisted_t: the tonnes of the routes a choice
    result does not list (model.results.choice.SHOWN_T), which a seasonal capacity's use counts and the
    flow rows do not."""
    seasons = season_table(data)
    if seasons is None or sheet is None:  # a missing sheet is named by corridor check (UNCHECKED_WITHOUT)
        return []
    errors = []
    rows = sheet[sheet["what"] == FLOW_ROW]
    by_season: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    total: dict[tuple[str, str], float] = defaultdict(float)
    for s, k, r, t in rows[["season", "commodity", "route", "tonnes_t"]].itertuples(index=False):
        if s not in seasons.share:
            errors.append(f"Seasons: season {s} is not on the Seasons sheet of the input")
            continue
        by_season[s].append((k, r, float(t)))
        total[k, r] += float(t)
    year = {(k, r): float(t) for k, r, t in flows[["commodity", "route", "tonnes_t"]].itertuples(index=False)}
    for key in set(year) | set(total):
        if abs(year.get(key, 0.0) - total.get(key, 0.0)) > rel * max(1.0, year.get(key, 0.0)):
            errors.append(f"Seasons: {key[0]} on {key[1]} {total.get(key, 0.0)} t over the seasons, Flows gives "
                          f"{year.get(key, 0.0)} t")
    reported = {(int(row), s): float(t) for row, s, t in
                sheet[sheet["what"] == CAPACITY_ROW][["input_row", "season", "tonnes_t"]].itertuples(index=False)}
    for lim in seasons.limits:
        used = sum(t * elements(r).count(lim.element) for k, r, t in by_season[lim.season]
                   if lim.cargo_class is None or cls[k] == lim.cargo_class)
        limit = lim.capacity_t + lim.share * built.get((lim.element, lim.cargo_class), 0.0)
        if used > limit + rel * max(1.0, limit):
            errors.append(f"Capacities row {lim.row} ({lim.element}) in season {lim.season}: {used} t > capacity "
                          f"{limit}")
        if (lim.row, lim.season) in reported and \
                abs(reported[lim.row, lim.season] - used) > rel * max(1.0, used) + unlisted_t:
            errors.append(f"Seasons: Capacities row {lim.row} in season {lim.season} used "
                          f"{reported[lim.row, lim.season]} t, the flows give {used}")
    annual = {rec["_row"]: rec for rec in data.tables["Demand"].to_dict("records")}
    for d in seasons.demands:
        rec = annual[d.annual_row]
        got = sum(t for k, r, t in by_season[d.season] if k == rec["commodity"] and market[r] == rec["market"]
                  and (rec["origin"] is None or rec["origin"] != rec["origin"] or origin[r] == rec["origin"]))
        if got > d.demand_t + rel * max(1.0, d.demand_t):
            errors.append(f"Demand row {d.row} in season {d.season}: delivered {got} t > {d.demand_t}")
    return errors
