"""corridor check of a route-choice result (allocation choice, model.lp.choice), recomputed from the input and
the result's tonnes and tolls, without model.lp.choice: within every demand row (every demand row and
season, with seasons) the tonnes of any two used routes stand in the ratio exp(-(g1 - g2) / dispersion)
of their generalised costs g = cost + the tolls of the rows they pass; a toll is positive only on a
full row. The tolls are the shadow prices the result writes: the Capacity sheet's (the Seasons sheet's
capacity rows with seasons), the Policies sheet's savings and the Supply sheet's values.

A choice result lists on its Flows sheet only the routes carrying more than half a tonne
(model.results.choice.SHOWN_T); every route's tonnes are on the Routes sheet, which the rows and the
totals are checked from (whole_flows)."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import pandas as pd

from model.input.data import CorridorData
from model.input.schema import Allocation, Blank, PolicyKind
from model.input.seasons import annual_rows, season_table
from model.input.validate.choice import dispersions
from model.results.choice import ALLOCATION_LABEL, CHOICE_COLUMNS, DISPERSION_LABEL, SHOWN_T
from model.results.seasons import CAPACITY_ROW, FLOW_ROW

TOLL_T = 1e-6  # a toll (USD/t) above this is positive
SPLIT_USD = 1e-5  # how far (USD/t, relative to the cost) dispersion x ln(tonnes) + g may differ between routes
FULL = 1e-6  # relative: a row is full within this


def is_choice(sheets: dict[str, pd.DataFrame]) -> bool:
    """Whether the result's Summary says it is a choice allocation."""
    s = sheets.get("Summary")
    if s is None or not {"item", "value"} <= set(s.columns):
        return False
    item = dict(zip(s["item"].astype(str), s["value"], strict=True)).get(ALLOCATION_LABEL)
    return isinstance(item, str) and item.startswith(Allocation.CHOICE)


def whole_flows(sheets: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, list[str]]:
    """(every route's tonnes: the Routes sheet's rows that carry any, problems): the Flows sheet lists the
    routes over SHOWN_T, each with the tonnes the Routes sheet gives it, and no other. Needs the Routes sheet."""
    listed, routes = sheets["Flows"], sheets["Routes"]
    moved = routes[pd.to_numeric(routes["tonnes_t"], errors="coerce").fillna(0) > 0].reset_index(drop=True)
    errors = []
    same = [c for c in ("tonnes_t", *CHOICE_COLUMNS[:3]) if c in listed.columns and c in moved.columns]
    whole = {(k, r): t for k, r, t in moved[["commodity", "route", "tonnes_t"]].itertuples(index=False)}
    shown = {(k, r): t for k, r, t in listed[["commodity", "route", "tonnes_t"]].itertuples(index=False)}
    on_routes = {(k, r): v for k, r, *v in moved[["commodity", "route", *same]].itertuples(index=False)}
    for k, r, *v in listed[["commodity", "route", *same]].itertuples(index=False):
        for column, a, b in zip(same[1:], v[1:], on_routes.get((k, r), v)[1:], strict=True):
            if not abs(a - b) <= 1e-9 * max(1.0, abs(b)):  # a nan (a closed route's) fails it too
                errors.append(f"Flows: {k} on {r} {column} {a}, the Routes sheet gives {b}")
    for key in sorted(set(whole) | set(shown)):
        t, s = whole.get(key, 0.0), shown.get(key)
        if s is None and t > SHOWN_T:
            errors.append(f"Flows: {key[0]} on {key[1]} carries {t} t on the Routes sheet and is not listed (every "
                          f"route over {SHOWN_T} t is)")
        elif s is not None and abs(s - t) > 1e-9 * max(1.0, t):
            errors.append(f"Flows: {key[0]} on {key[1]} {s} t, the Routes sheet gives {t} t")
    return moved, errors


def check_choice(inp: Any, data: CorridorData, sheets: dict[str, pd.DataFrame], flows: pd.DataFrame) -> list[str]:
    """The logit's split within each demand row, and its tolls only on full rows (flows: every route's tonnes,
    whole_flows; inp: model.analysis.check's reading of the input)."""
    dispersion = dispersions(data)
    errors = _dispersions_as_recorded(sheets, dispersion)
    seasons = season_table(data)
    route_toll, full = _tolls(inp, data, sheets, flows)
    errors += full
    season_toll, full = _season_tolls(sheets) if seasons is not None else ({}, [])
    errors += full
    origin = {r: p[0] for r, p in inp.path.items()}
    market = {r: p[-1] for r, p in inp.path.items()}
    tonnes: dict[tuple[str | None, str, str], float] = {}  # (season, commodity, route) -> t
    if seasons is None:
        tonnes = {(None, k, r): float(t)
                  for k, r, t in flows[["commodity", "route", "tonnes_t"]].itertuples(index=False)}
    elif "Seasons" in sheets:  # each season's split is its own: the Seasons sheet's flows (those listed)
        rows = sheets["Seasons"][sheets["Seasons"]["what"] == FLOW_ROW]
        tonnes = {(s, k, r): float(t) for s, k, r, t in rows[["season", "commodity", "route", "tonnes_t"]]
                  .itertuples(index=False)}
    unmet = {}
    if seasons is None and "Demand" in sheets:
        unmet = dict(zip(sheets["Demand"]["input_row"], sheets["Demand"]["unmet_t"].fillna(0), strict=True))
    penalty = data.settings.unmet_penalty_usd_per_t
    # the share and the generalised cost each route is written with (the Routes sheet's, as flows holds them)
    columns = [c for c in ("share_of_demand", "generalised_cost_usd_per_t") if c in flows.columns]
    written = {(k, r): dict(zip(columns, v, strict=True))
               for k, r, *v in flows[["commodity", "route", *columns]].itertuples(index=False)}
    whole = {(k, r): float(t) for k, r, t in flows[["commodity", "route", "tonnes_t"]].itertuples(index=False)}
    empty = _empty_routes(sheets)
    for rec in annual_rows(data.tables["Demand"]).to_dict("records"):
        cls = inp.cls[rec["commodity"]]
        if cls not in dispersion:
            errors.append(f"Demand row {rec['_row']}: cargo class {cls} has no dispersion on the Dispersions sheet")
            continue
        d = dispersion[cls]
        for season in [None] if seasons is None else list(seasons.share):
            group = []  # (what, tonnes, generalised cost)
            for (s, k, r), t in tonnes.items():
                if s != season or t <= 0 or k != rec["commodity"] or market[r] != rec["market"] or (
                        rec["origin"] is not None and origin[r] != rec["origin"]):
                    continue
                cost = sum(inp.cost_parts(k, r)[0].values())
                g = cost + route_toll(k, r) + sum(toll * inp.elements(r).count(e)
                                                  for (at, e, c), toll in season_toll.items()
                                                  if at == season and (c is None or c == cls))
                group.append((f"route {r}", t, g, cost))
                if season is None:
                    errors += _written(written.get((k, r), {}), k, r, t / rec["demand_t"], g)
                elif (k, r) in written:  # a year's share; the generalised cost is its seasons' average
                    errors += _written({"share_of_demand": written[k, r].get("share_of_demand")}, k, r,
                                       whole.get((k, r), 0.0) / rec["demand_t"], g)
            for k, r in empty:  # an open route the logit gives tonnes to carries them, as the used ones do
                if k != rec["commodity"] or market[r] != rec["market"] or (
                        rec["origin"] is not None and origin[r] != rec["origin"]) or _closed(inp, data, sheets, k, r,
                                                                                            season):
                    continue
                cost = sum(inp.cost_parts(k, r)[0].values())
                g = cost + route_toll(k, r) + sum(toll * inp.elements(r).count(e)
                                                  for (at, e, c), toll in season_toll.items()
                                                  if at == season and (c is None or c == cls))
                group.append((f"route {r}", 0.0, g, cost))
            if penalty and seasons is None:  # not delivering is an alternative, taken or not
                group.append(("unmet demand", float(unmet.get(rec["_row"], 0.0)), penalty, penalty))
            errors += _split(rec["_row"], season, d, group)
    return errors


def _written(got: dict, k: str, r: str, share: float, g: float) -> list[str]:
    """A route's written share of its demand row and generalised cost against the tonnes and the costs and tolls."""
    errors = []
    if got.get("share_of_demand") is not None and not abs(got["share_of_demand"] - share) <= 1e-9 + 1e-9 * share:
        errors.append(f"Routes: {k} on {r} share of its demand row {got['share_of_demand']}, its tonnes give {share}")
    if got.get("generalised_cost_usd_per_t") is not None and not abs(got["generalised_cost_usd_per_t"] - g) <= \
            SPLIT_USD * max(1.0, abs(g)):
        errors.append(f"Routes: {k} on {r} generalised cost {got['generalised_cost_usd_per_t']} USD/t, its cost and "
                      f"the tolls of the rows it passes give {g}")
    return errors


def _split(row: int, season: str | None, d: float, group: list) -> list[str]:
    """The tonnes of a demand row's routes against the logit: d ln x + g the same for each."""
    ref = max(group, key=lambda x: x[1], default=None)
    if len(group) < 2 or ref is None or ref[1] <= 0:
        return []
    where = f"Demand row {row}" + (f" in season {season}" if season else "")
    total = sum(t for _, t, _, _ in group)
    for what, t, g, cost in group:
        if t <= 0:  # left empty: wrong where the logit would give it more than a round-off
            wrong = ref[1] * math.exp(min(-(g - ref[2]) / d, 700.0)) > FULL * max(1.0, total)
        else:
            wrong = abs(d * math.log(t / ref[1]) + g - ref[2]) > SPLIT_USD * max(1.0, abs(g), abs(ref[2]))
        if wrong:
            want = math.exp(-(g - ref[2]) / d)
            return [f"{where}: {what} carries {t:,.6g} t against {ref[1]:,.6g} t on {ref[0]} (ratio {t / ref[1]:.6g}); "
                    f"their generalised costs {g:,.4f} and {ref[2]:,.4f} USD/t (cost {cost:,.4f} and "
                    f"{ref[3]:,.4f}, the rest tolls) with dispersion {d:g} USD/t give a ratio of "
                    f"exp(-({g:,.4f} - {ref[2]:,.4f}) / {d:g}) = {want:.6g}"]
    return []


def _empty_routes(sheets: dict[str, pd.DataFrame]) -> list[tuple[str, str]]:
    """(commodity, route) of the Routes sheet's rows that carry nothing (every route a commodity may take is listed)."""
    routes = sheets.get("Routes")
    if routes is None:
        return []
    tonnes = pd.to_numeric(routes["tonnes_t"], errors="coerce")
    return [(k, r) for k, r in routes.loc[tonnes == 0, ["commodity", "route"]].itertuples(index=False)]


def _closed(inp: Any, data: CorridorData, sheets: dict[str, pd.DataFrame], k: str, r: str, season: str | None) -> bool:
    """Whether a limit of 0 holds route r shut to commodity k (in the season): a capacity of 0 on an element it
    passes (the year's or the season's), a max rule of 0 it counts under, or a supply of 0 at its origin (or an
    origin off a Supply sheet that lists the commodity). The logit gives such a route nothing."""
    cls, elements = inp.cls[k], set(inp.elements(r))
    rows = [sheets["Capacity"]] if "Capacity" in sheets else []
    if season is not None and "Seasons" in sheets:
        s = sheets["Seasons"]
        rows.append(s[(s["what"] == CAPACITY_ROW) & (s["season"] == season)])
    for rec in (rec for sheet in rows for rec in sheet.to_dict("records")):
        c = rec["cargo_class"]
        if rec["element"] in elements and (c in (None, Blank.ALL) or c != c or c == cls) and \
                float(rec["capacity_t"] or 0.0) + float(rec.get("added_t") or 0.0) <= 0:
            return True
    for p in data.tables["Policies"].to_dict("records"):
        kind = PolicyKind(p["kind"])
        if not (kind.is_max or kind == PolicyKind.MAX_CO2_T) or p["value"] > 0 or not inp.matches(k, p["commodity"]):
            continue
        if (str(p["target"]) == "*" or inp.passes(r, p["scope"], p["target"])) and \
                (kind != PolicyKind.MAX_CO2_T or inp.co2(r) > 0):
            return True
    supply = data.tables["Supply"]
    limits = dict(zip(supply.loc[supply["commodity"] == k, "origin"], supply.loc[supply["commodity"] == k, "max_t"],
                      strict=True))
    return bool(limits) and not limits.get(inp.path[r][0], 0.0) > 0


def _dispersions_as_recorded(sheets: dict[str, pd.DataFrame], dispersion: dict[str, float]) -> list[str]:
    s = sheets["Summary"]
    items = dict(zip(s["item"].astype(str), s["value"], strict=True))
    errors = []
    for cls, d in dispersion.items():
        got = items.get(f"{DISPERSION_LABEL} {cls}")
        if got is not None and not abs(float(got) - d) <= 1e-9 * max(1.0, d):
            errors.append(f"Summary: dispersion of {cls} {got} USD/t, the Dispersions sheet gives {d}")
    return errors


def _tolls(inp: Any, data: CorridorData, sheets: dict[str, pd.DataFrame], flows: pd.DataFrame):
    """(toll(commodity, route) in USD/t from the annual rows' shadow prices, problems): each toll on a full row."""
    errors: list[str] = []
    f_list = list(flows[["commodity", "route", "tonnes_t"]].itertuples(index=False))
    caps = []  # (element, class or None, toll); with seasons, the seasons' rows toll instead (_season_tolls)
    annual = "Capacity" in sheets and season_table(data) is None
    for rec in (sheets["Capacity"].to_dict("records") if annual else []):
        toll = float(rec["shadow_price_usd_per_t"] or 0.0)
        cls = None if rec["cargo_class"] in (None, Blank.ALL) or rec["cargo_class"] != rec["cargo_class"] \
            else rec["cargo_class"]
        if abs(toll) <= TOLL_T:
            continue
        caps.append((rec["element"], cls, toll))
        used = sum(t * inp.elements(r).count(rec["element"]) for k, r, t in f_list if cls is None or inp.cls[k] == cls)
        total = float(rec["capacity_t"]) + float(rec.get("added_t") or 0.0)
        if toll < 0 or used < total - FULL * max(1.0, total):
            errors.append(f"Capacity: {rec['element']} has a toll (shadow price) of {toll} USD/t, but it is "
                          + ("negative" if toll < 0 else f"not full ({used} t of {total})"))
    rules = []  # (rule record, target, toll)
    given = {(p["rule"], str(p["target"])): p for p in data.tables["Policies"].to_dict("records")}
    for rec in (sheets["Policies"].to_dict("records") if "Policies" in sheets else []):
        toll = float(rec["saving_usd_per_t"] or 0.0)
        if abs(toll) <= TOLL_T:
            continue
        p = given.get((rec["rule"], str(rec["target"]))) or given.get((rec["rule"], "*"))
        if p is None:
            errors.append(f"Policies: rule {rec['rule']} has a toll of {toll} USD/t and is not on the input's sheet")
            continue
        rules.append((p, str(rec["target"]), toll))
        sel = [(k, r, t) for k, r, t in f_list if inp.matches(k, p["commodity"])]
        through = [(k, r, t) for k, r, t in sel if inp.passes(r, p["scope"], rec["target"])]
        kind = PolicyKind(p["kind"])
        s = sum(t * inp.co2(r) for k, r, t in through) if kind == PolicyKind.MAX_CO2_T else sum(t for *_, t in through)
        total = sum(t for *_, t in sel)
        bound = p["value"] * total if kind.is_share else p["value"]
        if toll < 0 or abs(s - bound) > FULL * max(1.0, total, abs(bound)):
            errors.append(f"Policies: rule {p['rule']} ({rec['target']}) has a toll of {toll} USD/t, but it "
                          + ("is negative" if toll < 0 else f"does not bind ({s} against its bound {bound})"))
    supply = []  # (commodity, origin, toll)
    for rec in (sheets["Supply"].to_dict("records") if "Supply" in sheets else []):
        shipped = sum(t for k, r, t in f_list if k == rec["commodity"] and inp.path[r][0] == rec["origin"])
        for column, limit, sign in (("value_of_more_supply_usd_per_t", rec["max_t"], 1.0),
                                    ("cost_of_minimum_usd_per_t", rec["min_t"], -1.0)):
            toll = float(rec.get(column) or 0.0)
            if abs(toll) <= TOLL_T:
                continue
            supply.append((rec["commodity"], rec["origin"], sign * toll))
            if toll < 0 or abs(shipped - float(limit)) > FULL * max(1.0, float(limit)):
                errors.append(f"Supply: {rec['commodity']} from {rec['origin']} has a toll of {toll} USD/t "
                              f"({column}), but " + ("it is negative" if toll < 0 else
                                                     f"it ships {shipped} t, not its limit {limit}"))

    def route_toll(k: str, r: str) -> float:
        out = sum(t * inp.elements(r).count(e) for e, c, t in caps if c is None or inp.cls[k] == c)
        for p, target, t in rules:
            if not inp.matches(k, p["commodity"]):
                continue
            kind, inside = PolicyKind(p["kind"]), float(inp.passes(r, p["scope"], target))
            a = (inside * inp.co2(r) if kind == PolicyKind.MAX_CO2_T else inside - p["value"] if kind.is_share
                 else inside)
            out += (t if kind.is_max or kind == PolicyKind.MAX_CO2_T else -t) * a
        return out + sum(t for c, o, t in supply if c == k and inp.path[r][0] == o)

    return route_toll, errors


def _season_tolls(sheets: dict[str, pd.DataFrame]) -> tuple[dict[tuple[str, str, str | None], float], list[str]]:
    """((season, element, class or None) -> the toll of its seasonal capacity (the Seasons sheet), problems):
    each toll on a full season's row."""
    sheet = sheets.get("Seasons")
    errors: list[str] = []
    if sheet is None:
        return {}, errors
    out: dict[tuple[str, str, str | None], float] = defaultdict(float)
    for rec in sheet[sheet["what"] == CAPACITY_ROW].to_dict("records"):
        cls = None if rec["cargo_class"] in (None, Blank.ALL) or rec["cargo_class"] != rec["cargo_class"] \
            else rec["cargo_class"]
        toll = float(rec["shadow_price_usd_per_t"] or 0.0)
        out[(rec["season"], rec["element"], cls)] += toll
        limit = float(rec["capacity_t"]) + float(rec.get("added_t") or 0.0)
        if toll < -TOLL_T or (toll > TOLL_T and abs(float(rec["slack_t"] or 0.0)) > FULL * max(1.0, limit)):
            errors.append(f"Seasons: {rec['element']} in season {rec['season']} has a toll (shadow price) of {toll} "
                          "USD/t, but it is " + ("negative" if toll < 0 else f"not full (slack {rec['slack_t']} t)"))
    return out, errors

