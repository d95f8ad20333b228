"""A case's map tables (model.results.maps.MapTables) -> the plain dict both renderers draw, and the
report's figures, charts and bottlenecks from the result's sheets."""

from __future__ import annotations

import math

import pandas as pd

from model.input.data import records
from model.input.schema import Blank
from model.network.names import names_in
from model.report.maps.layout import short_label
from model.report.maps.palette import corridor_colour, corridor_colours
from model.results.brief import brief_of
from model.results.maps import MapTables, case_rows
from model.results.summary import UNIT_FORMATS
from model.results.tables import ALL


def map_data(tables: MapTables, colours: dict[str, str] | None = None) -> dict:
    """The map as plain data (JSON-ready: str, float, bool, None, lists, dicts):

    {"title", "subtitle": str,
     "nodes": [{"id", "name", "label" (short name), "country", "kind", "lat", "lon" (float or None),
                "tonnes_t", "utilisation" (None without capacity), "full" (bool)}],
     "legs": [{"leg" ("FROM>TO"), "from", "to", "corridor", "tonnes_t", "cost_usd_per_t",
               "utilisation" (None without capacity), "full", "mode" ("" if not known)}]  -- one per used
               (leg, corridor); a sea or ferry leg is drawn along the sea lanes,
     "corridors": [{"corridor", "tonnes_t", "share", "colour" ("#rrggbb")}], most tonnes first,
     "full": [{"element", "kind" ("node" or "leg"), "name" (in words), "cargo_class", "capacity_t",
               "used_t", "shadow_price_usd_per_t"}]  -- the binding capacity rows,
     "unplaced": ["ID (name)" of each node on a used leg without coordinates]}

    colours: corridor -> colour, to share colours between maps (palette.corridor_colours by default).
    """
    nodes = []
    for r in tables.nodes.itertuples(index=False):
        name = _text(r.name, str(r.node))
        nodes.append({"id": str(r.node), "name": name, "label": short_label(name), "country": _text(r.country, ""),
                      "kind": _text(r.kind, ""), "lat": _number(r.lat), "lon": _number(r.lon),
                      "tonnes_t": _number(r.tonnes_t) or 0.0, "utilisation": _number(r.utilisation),
                      "full": _flag(r.full)})
    legs = [{"leg": str(r["leg"]), "from": str(r["from"]), "to": str(r["to"]), "corridor": str(r["corridor"]),
             "tonnes_t": float(r["tonnes_t"]), "cost_usd_per_t": float(r["cost_usd_per_t"]),
             "utilisation": _number(r["utilisation"]), "full": _flag(r["full"]), "mode": _text(r.get("mode"), "")}
            for r in records(tables.legs)]
    corridors = [{"corridor": str(r.corridor), "tonnes_t": float(r.tonnes_t), "share": float(r.share)}
                 for r in tables.corridors.itertuples(index=False)]
    listed = {c["corridor"] for c in corridors}
    for leg in legs:  # a corridor on the map but missing from the totals still gets a colour and a legend line
        if leg["corridor"] not in listed:
            listed.add(leg["corridor"])
            corridors.append({"corridor": leg["corridor"], "tonnes_t": 0.0, "share": 0.0})
    colours = colours or corridor_colours(listed)
    for c in corridors:
        c["colour"] = colours.get(c["corridor"]) or corridor_colour(c["corridor"])
    names = {n["id"]: n["name"] for n in nodes}
    full = []
    cap = tables.capacity
    for r in (cap[cap["binding"].map(_flag)] if len(cap) else cap).itertuples(index=False):
        element = str(r.element)
        if ">" in element:
            a, b = element.split(">", 1)
            kind, name = "leg", f"{names.get(a, a)} to {names.get(b, b)}"
        else:
            kind, name = "node", names.get(element, element)
        full.append({"element": element, "kind": kind, "name": name, "cargo_class": _text(r.cargo_class, Blank.ALL),
                     "capacity_t": (_number(r.capacity_t) or 0.0) + (_number(getattr(r, "added_t", 0)) or 0.0),
                     "used_t": _number(r.used_t) or 0.0,
                     "shadow_price_usd_per_t": _number(r.shadow_price_usd_per_t) or 0.0})
    return {"title": tables.title, "subtitle": tables.subtitle, "nodes": nodes, "legs": legs,
            "corridors": corridors, "full": full, "unplaced": tables.unplaced}


def report_data(data: dict, sheets: dict[str, pd.DataFrame], case: dict | None = None) -> dict:
    """map_data plus what the report shows beside the map, from the result's sheets (as
    model.results.tables.Results.sheets() gives them, or model.report.read_results reads them back):

    "brief": {"title", "headline": [str], "bottlenecks": [str], "focus": str, "provenance": [[item, value]]}
        the Summary's one-page brief (model.results.brief);
    "summary": [{"item", "value", "unit"}] the Summary sheet's rows, each value formatted as text;
    "by_commodity": [{"corridor", "commodity", "tonnes_t"}] tonnes by corridor and commodity;
    "bottlenecks": [{"rank", "kind", "name", "in_words"}] the Bottlenecks sheet's rows.
    A plan's sheets are cut to the case the map shows (case: scenario and year)."""
    case = case or {}
    summary = [{"item": _text(r.item, ""), "value": _value(r.value, _text(r.unit, "")), "unit": _text(r.unit, "")}
               for r in sheets["Summary"].itertuples(index=False) if _text(r.item, "")]
    c = case_rows(sheets["Corridors"], case)
    cargo = names_in(sheets.get("Routes"))  # the commodity's name, for the key
    by_commodity = [{"corridor": str(r.corridor), "commodity": cargo.get(str(r.commodity), str(r.commodity)),
                     "tonnes_t": float(r.tonnes_t)}
                    for r in c[c["commodity"] != ALL].itertuples(index=False) if float(r.tonnes_t) > 0]
    b = case_rows(sheets.get("Bottlenecks", pd.DataFrame(columns=["rank", "kind", "name", "in_words"])), case)
    bottlenecks = [{"rank": _text(r.rank, ""), "kind": _text(r.kind, ""), "name": _text(r.name, ""),
                    "in_words": _text(r.in_words, "")} for r in b.itertuples(index=False)]
    brief = brief_of(sheets)
    return {**data, "brief": {"title": brief.title, "headline": list(brief.headline),
                              "bottlenecks": list(brief.bottlenecks), "focus": brief.focus,
                              "provenance": [[str(k), str(v)] for k, v in brief.provenance]},
            "summary": summary, "by_commodity": by_commodity, "bottlenecks": bottlenecks}


def _value(value, unit: str) -> str:
    """A Summary value as the workbook shows it (its number format by unit)."""
    x = _number(value) if not isinstance(value, bool) else None
    if x is not None and unit in UNIT_FORMATS:
        return UNIT_FORMATS[unit][1].format(x)
    return _text(value, "")


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _text(value, default: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value) if _number(value) is not None or isinstance(value, bool) else False
