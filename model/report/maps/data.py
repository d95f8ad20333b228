"""A case's map tables (model.results.maps.MapTables) -> the map data (frozen dataclasses) both renderers draw, and the
report's figures, charts and bottlenecks from the result's sheets."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import pandas as pd

from model.input.data import records
from model.input.schema import Blank
from model.network.names import names_in
from model.report.maps.layout import short_label
from model.report.maps.palette import corridor_colour, corridor_colours
from model.results.brief import brief_of
from model.results.maps import MapTables, case_rows
from model.results.responses import RESPONSE_COLUMNS, ResponseRow
from model.results.summary import RANGE_COLUMNS, RANGES_DRAWN_LABEL, UNIT_FORMATS
from model.results.tables import ALL


@dataclass(frozen=True)
class MapNode:
    """A node of the map: its short name (label) for the map, tonnes through it, the share of its
    capacity used (None without capacity) and whether that capacity is full (binding)."""
    id: str
    name: str
    label: str
    country: str
    kind: str
    lat: float | None
    lon: float | None
    tonnes_t: float
    utilisation: float | None
    full: bool

    @property
    def lon_lat(self) -> tuple[float, float]:
        """A placed node's (lon, lat): only for a node with both (model.report.maps.layout draws no other)."""
        assert self.lon is not None and self.lat is not None, self.id
        return self.lon, self.lat


@dataclass(frozen=True)
class MapLeg:
    """One used (leg, corridor): leg is "FROM>TO", start and end its nodes' ids; mode "" if not known.
    A sea or ferry leg is drawn along the sea lanes."""
    leg: str
    start: str
    end: str
    corridor: str
    tonnes_t: float
    cost_usd_per_t: float
    utilisation: float | None
    full: bool
    mode: str


@dataclass(frozen=True)
class MapCorridor:
    """A corridor's tonnes, share and colour ("#rrggbb")."""
    corridor: str
    tonnes_t: float
    share: float
    colour: str


@dataclass(frozen=True)
class FullCapacity:
    """A binding capacity row: element a node id or "FROM>TO", kind "node" or "leg", name in words; season
    that of a seasonal row (its capacity and use in that season's tonnes), "" for the year's."""
    element: str
    kind: str
    name: str
    cargo_class: str
    capacity_t: float
    used_t: float
    shadow_price_usd_per_t: float
    season: str = ""


@dataclass(frozen=True)
class MapData:
    """A case's map, what both renderers draw: the nodes, one MapLeg per used (leg, corridor), the
    corridors (most tonnes first), the binding capacity rows and, as "ID (name)", each node on a used
    leg without coordinates (unplaced). A comparison's panel has its name (panel) and headline."""
    title: str
    subtitle: str
    nodes: tuple[MapNode, ...]
    legs: tuple[MapLeg, ...]
    corridors: tuple[MapCorridor, ...]
    full: tuple[FullCapacity, ...]
    unplaced: tuple[str, ...]
    panel: str = ""
    headline: str = ""


@dataclass(frozen=True)
class ReportBrief:
    """The Summary's one-page brief (model.results.brief): provenance as (item, value) pairs."""
    title: str
    headline: tuple[str, ...]
    bottlenecks: tuple[str, ...]
    focus: str
    provenance: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SummaryRow:
    """A Summary sheet's row, its value formatted as the workbook shows it."""
    item: str
    value: str
    unit: str


@dataclass(frozen=True)
class CommodityTonnes:
    corridor: str
    commodity: str  # its name
    tonnes_t: float


@dataclass(frozen=True)
class Bottleneck:
    """A Bottlenecks sheet's row."""
    rank: str
    kind: str
    name: str
    in_words: str


@dataclass(frozen=True)
class CurvePoint:
    """A Responses sheet's curve row: the focus's tonnes with the port's (or ports') handling cut."""
    ports: str  # by name
    cut_usd_per_t: float
    tonnes_t: float


@dataclass(frozen=True)
class Diversion:
    """A Responses sheet's diversion row: a corridor's change per USD/t cut at a port."""
    port: str  # by name
    corridor: str
    change_t_per_usd_per_t: float
    via_focus_t_per_usd_per_t: float


@dataclass(frozen=True)
class HeadlineRange:
    """A Ranges sheet's row (corridor solve --uncertainty N): a headline's median and 5-95% range in its unit
    over the draws that gave it a value; for the focus's tonnes the share of the draws with cargo (probability);
    the input that moves it most and by how much per standard deviation (in the unit); the base case's own value.
    None: no value."""
    headline: str
    unit: str
    median: float | None
    p5: float | None
    p95: float | None
    draws: int
    probability: float | None
    moved_most_by: str
    change_per_sd: float | None
    base: float | None = None  # the base case's own value (every input at its base), beside the range


@dataclass(frozen=True)
class ReportData(MapData):
    """The map and what the report shows beside it (report_data)."""
    brief: ReportBrief | None = None
    summary: tuple[SummaryRow, ...] = ()
    by_commodity: tuple[CommodityTonnes, ...] = ()
    bottlenecks: tuple[Bottleneck, ...] = ()
    curve: tuple[CurvePoint, ...] = ()  # under route choice: the Responses sheet's
    diversion: tuple[Diversion, ...] = ()
    ranges: tuple[HeadlineRange, ...] = ()  # solve --uncertainty N: the Ranges sheet's
    ranges_drawn: str = ""  # what those draws varied (the Summary's 'ranges drawn over')

    @classmethod
    def of(cls, data: MapData, brief: ReportBrief | None = None, summary: tuple[SummaryRow, ...] = (),
           by_commodity: tuple[CommodityTonnes, ...] = (), bottlenecks: tuple[Bottleneck, ...] = (),
           curve: tuple[CurvePoint, ...] = (), diversion: tuple[Diversion, ...] = (),
           ranges: tuple[HeadlineRange, ...] = (), ranges_drawn: str = "") -> ReportData:
        """data's map (a MapData's fields) with what the report shows beside it."""
        return cls(**{f.name: getattr(data, f.name) for f in fields(MapData)}, brief=brief, summary=summary,
                   by_commodity=by_commodity, bottlenecks=bottlenecks, curve=curve, diversion=diversion,
                   ranges=ranges, ranges_drawn=ranges_drawn)


def map_data(tables: MapTables, colours: dict[str, str] | None = None) -> MapData:
    """The map of a case's tables (MapData): a corridor on the map but missing from the totals still
    gets a colour and a legend line; full lists the binding capacity rows.

    colours: corridor -> colour, to share colours between maps (palette.corridor_colours by default).
    """
    nodes = []
    for r in tables.nodes.itertuples(index=False):
        name = _text(r.name, str(r.node))
        nodes.append(MapNode(id=str(r.node), name=name, label=short_label(name), country=_text(r.country, ""),
                             kind=_text(r.kind, ""), lat=_number(r.lat), lon=_number(r.lon),
                             tonnes_t=_number(r.tonnes_t) or 0.0, utilisation=_number(r.utilisation),
                             full=_flag(r.full)))
    legs = [MapLeg(leg=str(r["leg"]), start=str(r["from"]), end=str(r["to"]), corridor=str(r["corridor"]),
                   tonnes_t=float(r["tonnes_t"]), cost_usd_per_t=float(r["cost_usd_per_t"]),
                   utilisation=_number(r["utilisation"]), full=_flag(r["full"]), mode=_text(r.get("mode"), ""))
            for r in records(tables.legs)]
    totals = [(str(r.corridor), float(r.tonnes_t), float(r.share)) for r in tables.corridors.itertuples(index=False)]
    listed = {c for c, _, _ in totals}
    for leg in legs:  # a corridor on the map but missing from the totals still gets a colour and a legend line
        if leg.corridor not in listed:
            listed.add(leg.corridor)
            totals.append((leg.corridor, 0.0, 0.0))
    colours = colours or corridor_colours(listed)
    corridors = tuple(MapCorridor(c, t, share, colours.get(c) or corridor_colour(c)) for c, t, share in totals)
    names = {n.id: n.name for n in nodes}
    full = []
    cap = tables.capacity
    for r in (cap[cap["binding"].map(_flag)] if len(cap) else cap).itertuples(index=False):
        element = str(r.element)
        if ">" in element:
            a, b = element.split(">", 1)
            kind, name = "leg", f"{names.get(a, a)} to {names.get(b, b)}"
        else:
            kind, name = "node", names.get(element, element)
        full.append(FullCapacity(element=element, kind=kind, name=name, cargo_class=_text(r.cargo_class, Blank.ALL),
                                 capacity_t=(_number(r.capacity_t) or 0.0) + (_number(getattr(r, "added_t", 0)) or 0.0),
                                 used_t=_number(r.used_t) or 0.0,
                                 shadow_price_usd_per_t=_number(r.shadow_price_usd_per_t) or 0.0,
                                 season=_text(getattr(r, "season", None), "")))
    return MapData(title=tables.title, subtitle=tables.subtitle, nodes=tuple(nodes), legs=tuple(legs),
                   corridors=corridors, full=tuple(full), unplaced=tuple(tables.unplaced))


def report_data(data: MapData, sheets: dict[str, pd.DataFrame], case: dict | None = None) -> ReportData:
    """data plus what the report shows beside the map, from the result's sheets (as
    model.results.tables.Results.sheets() gives them, or model.report.read_results reads them back):
    the Summary's one-page brief (model.results.brief), the Summary sheet's rows (each value formatted
    as text), tonnes by corridor and commodity, the Bottlenecks sheet's rows, and with solve --uncertainty N the
    Ranges sheet's rows and what they were drawn over.
    A plan's sheets are cut to the case the map shows (case: scenario and year)."""
    case = case or {}
    summary = tuple(SummaryRow(item=_text(r.item, ""), value=_value(r.value, _text(r.unit, "")),
                               unit=_text(r.unit, ""))
                    for r in sheets["Summary"].itertuples(index=False) if _text(r.item, ""))
    c = case_rows(sheets["Corridors"], case)
    cargo = names_in(sheets.get("Routes"))  # the commodity's name, for the key
    by_commodity = tuple(CommodityTonnes(corridor=str(r.corridor),
                                         commodity=cargo.get(str(r.commodity), str(r.commodity)),
                                         tonnes_t=float(r.tonnes_t))
                         for r in c[c["commodity"] != ALL].itertuples(index=False) if float(r.tonnes_t) > 0)
    b = case_rows(sheets.get("Bottlenecks", pd.DataFrame(columns=["rank", "kind", "name", "in_words"])), case)
    bottlenecks = tuple(Bottleneck(rank=_text(r.rank, ""), kind=_text(r.kind, ""), name=_text(r.name, ""),
                                   in_words=_text(r.in_words, "")) for r in b.itertuples(index=False))
    brief = brief_of(sheets)
    r = sheets.get("Responses", pd.DataFrame(columns=RESPONSE_COLUMNS))
    what = r["what"].astype(str)
    curve = tuple(CurvePoint(ports=_text(p.name, ""), cut_usd_per_t=float(p.cut_usd_per_t), tonnes_t=float(p.tonnes_t))
                  for p in r[what == ResponseRow.CURVE].itertuples(index=False) if _number(p.tonnes_t) is not None)
    diversion = tuple(Diversion(port=_text(d.name, ""), corridor=_text(d.corridor, ""),
                                change_t_per_usd_per_t=_number(d.change_t_per_usd_per_t) or 0.0,
                                via_focus_t_per_usd_per_t=_number(d.via_focus_t_per_usd_per_t) or 0.0)
                      for d in r[what == ResponseRow.DIVERSION].itertuples(index=False))
    items = dict(zip(sheets["Summary"]["item"], sheets["Summary"]["value"], strict=True))
    ranges = tuple(HeadlineRange(headline=_text(g.headline, ""), unit=_text(g.unit, ""), median=_number(g.median),
                                 p5=_number(g.p5), p95=_number(g.p95), draws=int(_number(g.draws) or 0),
                                 probability=_number(g.probability), moved_most_by=_text(g.moved_most_by, ""),
                                 change_per_sd=_number(g.change_per_sd), base=_number(getattr(g, "base", None)))
                   for g in sheets.get("Ranges", pd.DataFrame(columns=RANGE_COLUMNS)).itertuples(index=False))
    return ReportData.of(data,
                         brief=ReportBrief(title=brief.title, headline=tuple(brief.headline),
                                     bottlenecks=tuple(brief.bottlenecks), focus=brief.focus,
                                     provenance=tuple((str(k), str(v)) for k, v in brief.provenance)),
                         summary=summary, by_commodity=by_commodity, bottlenecks=bottlenecks, curve=curve,
                         diversion=diversion, ranges=ranges,
                         ranges_drawn=_text(items.get(RANGES_DRAWN_LABEL), ""))


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
