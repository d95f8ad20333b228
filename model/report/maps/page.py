"""The report as one self-contained HTML page, from the Jinja2 templates in templates/ (package data):
report.html.j2 the page, report.css.j2 and report.js its style sheet and script, inline, so that
nothing is fetched. The environment autoescapes every value the templates write; this module
only works out what they show (path data, sizes, the legend's and the charts' rows) and never
builds markup. The map is the PNG's (model.report.maps.layout): same projection, base layer,
widths, offsets and labels. The two bar charts are SVG rectangles laid out here by hand: a charting
library would be inlined in every page (the page fetches nothing) for two lines of arithmetic a bar."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

import jinja2

from model.report.maps.data import (
    CommodityTonnes,
    Diversion,
    HeadlineRange,
    MapCorridor,
    MapLeg,
    MapNode,
    ReportBrief,
    ReportData,
)
from model.report.maps.layout import (
    LABEL_SIZE,
    MAP_ASPECT,
    NODE_LEGEND,
    OTHER_NODE_LEGEND,
    dot_radius,
    lay_out,
    line_width,
    width_key_text,
    width_samples,
)
from model.report.maps.palette import BORDER, FULL_COLOUR, LAND, SEA, corridor_colour, series_colours
from model.results.brief import RANGE_UNITS, base_text, figure_text

NODE_KEYS = (*((kind, text) for kind, (_, text) in NODE_LEGEND.items()), ("other", OTHER_NODE_LEGEND[1]))
HEX = re.compile(r"#[0-9a-fA-F]{6}")
BAR_W, ROW_H = 380, 24  # a chart's longest bar and a row's height, px
BASELINE = {"top": 0.8, "bottom": -0.25}  # a label's baseline below its anchor, in font sizes (middle: 0.35)


# A module-level cache of immutable data (tests/test_architecture.py, MODULE_CACHES): the templates ship
# with the package, so their compiled environment is the same for every run.
@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates' environment: autoescape on for every template (the style sheet and script hold
    no data), undefined names an error, block tags leave no blank lines."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("model.report.maps", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = format  # {{ x|fmt('.1f') }}: Python's format spec
    env.filters["mt"] = mt_text  # tonnes as Mt, two decimals (a small figure: two significant digits)
    return env


def mt_text(tonnes: float) -> str:
    """Tonnes as the page shows them, in Mt with two decimals, a small figure with two significant digits
    (brief.figure_text: 1,900 t is 0.0019 Mt, not 0.00)."""
    return figure_text(tonnes / 1e6, 2)


def render_html(report: ReportData, generator: str) -> str:
    """The report page for report (model.report.maps.data.report_data); generator goes into the page's
    <meta name="generator">, the mark model.report.output recognises.

    Each used (leg, corridor) is one <path class="leg" data-corridor=... data-leg=...>; nodes without
    coordinates are left out and named in the page's notes."""
    p = lay_out(report)
    colours = {c.corridor: _colour(c) for c in report.corridors}
    brief = report.brief
    if brief and report.ranges:  # the ranges have their own block beside the headline ("How sure")
        ranged = tuple(f"{r.headline}: " for r in report.ranges)
        brief = replace(brief, headline=tuple(line for line in brief.headline if not line.startswith(ranged)))
    return environment().get_template("report.html.j2").render(
        generator=generator, title=report.title, subtitle=report.subtitle,
        map_aspect=f"{MAP_ASPECT:g}",  # the map column never taller than the window
        brief=_brief(brief), map=_map(p, colours), legend=_legend(report, p, colours),
        bars=_bars(report.corridors, colours), stacked=_stacked(report.by_commodity, report.corridors),
        bottlenecks=report.bottlenecks, summary=report.summary, notes=_notes(p, brief),
        responses=_responses(report), how_sure=how_sure(report.ranges, report.ranges_drawn))


def _colour(corridor: MapCorridor) -> str:
    c = corridor.colour or ""
    return c if HEX.fullmatch(c) else corridor_colour(corridor.corridor)


def _brief(brief: ReportBrief | None) -> dict | None:
    """The Summary's one-page brief: the headline figures, the corridor or country of interest, and
    the three largest bottlenecks in words."""
    if not brief:
        return None
    return {"headline": brief.headline, "focus": brief.focus or "", "bottlenecks": brief.bottlenecks}


def how_sure(ranges: tuple[HeadlineRange, ...], drawn: str) -> dict | None:
    """The "How sure" block (solve --uncertainty N; corridor uncertainty's page too): each headline with its
    median, 5-95% range, draws and the input that moves it most, and what was drawn. None without ranges."""
    if not ranges:
        return None
    decimals = {unit: d for _, _, unit, d in RANGE_UNITS}
    rows = []
    for r in ranges:
        d = decimals.get(r.unit, 3)
        def shown(v: float | None, d: int = d) -> str:
            return "" if v is None else figure_text(v, d)
        rows.append({"headline": r.headline, "unit": r.unit, "median": shown(r.median),
                     "range": "" if r.p5 is None or r.p95 is None else f"{shown(r.p5)} to {shown(r.p95)}",
                     "base": "" if r.base is None or r.p5 is None or r.p95 is None
                     else base_text(r.base, r.p5, r.p95, d),
                     "draws": r.draws,
                     "carries": "" if r.probability is None else f"{r.probability:.0%} of the draws",
                     "driver": r.moved_most_by})  # with its figure, as the console says it (drivers.main_driver)
    return {"rows": rows, "drawn": drawn, "carries": any(r["carries"] for r in rows),
            "base": any(r["base"] for r in rows)}


def _map(p, colours: dict) -> dict:
    """The map's SVG in map units: the base layer, each used (leg, corridor) as a line (id legN, with its
    tooltip), full legs' bands, the nodes and the labels."""
    names = {n.id: n.name for n, _, _ in p.nodes}
    legs = [{"id": f"leg{i}", "d": _line(s), "stroke": colours.get(s.leg.corridor, s.colour), "width": s.width,
             "hit_width": max(s.width, 9), "corridor": s.leg.corridor, "leg": s.leg.leg,
             "tip": _tip(s.leg, names)} for i, s in enumerate(p.segments)]
    full = [{"d": _line(s), "width": s.width + 4, "corridor": s.leg.corridor} for s in p.segments if s.leg.full]
    countries = [(name, "".join("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in ring.tolist()) + "Z" for ring in rings))
                 for name, rings in p.countries]
    labels = [{"text": lab.text, "x": lab.x, "y": lab.y,
               "text_y": lab.y + BASELINE.get(lab.baseline, 0.35) * LABEL_SIZE, "align": lab.align, "muted": lab.muted,
               "leader": lab.leader} for lab in p.labels]
    return {"frame": p.frame, "sea": SEA, "land": LAND, "border": BORDER, "full_colour": FULL_COLOUR,
            "countries": countries, "full": full, "legs": legs, "nodes": [_node(n, x, y) for n, x, y in p.nodes],
            "labels": labels, "label_size": LABEL_SIZE}


def _node(n: MapNode, x: float, y: float) -> dict:
    """A node's dot (circle; square for a market, diamond for a port), its name on hover, a red ring when full."""
    fill = NODE_LEGEND.get(n.kind, OTHER_NODE_LEGEND)[0]
    return {"kind": n.kind, "x": x, "y": y, "r": dot_radius(n.kind), "fill": fill,
            "edge": "#222" if fill == "#ffffff" else "#fff", "idle": n.tonnes_t <= 0, "full": n.full,
            "title": f"{n.name}: {mt_text(n.tonnes_t)} Mt/yr{_util_text(n)}"}


def _line(s) -> str:
    """A segment's points as an SVG path: the PNG's line (a sea leg along its lane)."""
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in s.points.tolist())


def _util_text(node: MapNode) -> str:
    if node.utilisation is None:
        return ""
    return f"; capacity {node.utilisation:.0%} used" + (" (full)" if node.full else "")


def _tip(leg: MapLeg, names: dict[str, str]) -> str:
    util = ("no capacity limit on this leg" if leg.utilisation is None
            else f"{leg.utilisation:.0%} of the leg's capacity used" + (" - FULL" if leg.full else ""))
    return "\n".join([leg.corridor,
                      f"{names.get(leg.start, leg.start)} \u2192 {names.get(leg.end, leg.end)}",
                      f"{mt_text(leg.tonnes_t)} Mt/yr on this leg",
                      f"{leg.cost_usd_per_t:.2f} USD/t average route resource cost",
                      util])


def _legend(data: ReportData, p, colours: dict) -> dict:
    """The corridors drawn or carrying tonnes (in their order), the width scale, the node kinds and the
    full capacities."""
    drawn = {s.leg.corridor for s in p.segments}
    corridors = [{"corridor": c.corridor, "colour": colours[c.corridor], "tonnes_t": c.tonnes_t}
                 for c in data.corridors if c.corridor in drawn or c.tonnes_t > 0]
    widths = [{"width": line_width(t, p.max_t) * 0.9, "text": width_key_text(t)} for t in width_samples(p.max_t)]
    return {"corridors": corridors, "widths": widths, "kinds": NODE_KEYS, "full": data.full}


def _bars(corridors: tuple[MapCorridor, ...], colours: dict) -> dict | None:
    """Horizontal bars, one per corridor with tonnes, in the legend's order and colours."""
    rows = [c for c in corridors if c.tonnes_t > 0]
    if not rows:
        return None
    top = max(c.tonnes_t for c in rows)
    label_w = 16 + 7.4 * max(len(c.corridor) for c in rows)  # 13 px text, about 7.4 px a character
    # The chart's width is its viewBox's and its CSS max-width: 1 unit = 1 px at most.
    return {"label_w": label_w, "width": label_w + BAR_W + 150, "height": ROW_H * len(rows) + 8, "bar_h": ROW_H - 6,
            "rows": [{"corridor": c.corridor, "y": 4 + i * ROW_H, "w": max(BAR_W * c.tonnes_t / top, 1.5),
                      "colour": colours[c.corridor], "tonnes_t": c.tonnes_t, "share": c.share}
                     for i, c in enumerate(rows)]}


def _stacked(rows: tuple[CommodityTonnes, ...], corridors: tuple[MapCorridor, ...]) -> dict | None:
    """Each corridor's tonnes as one bar in parts by commodity, with a key; a part's tonnes on hover."""
    order = [c.corridor for c in corridors if any(r.corridor == c.corridor for r in rows)]
    if not order:
        return None
    totals = {k: sum(r.tonnes_t for r in rows if r.commodity == k) for k in {r.commodity for r in rows}}
    kinds = sorted(totals, key=lambda k: (-totals[k], k))
    shade = dict(zip(kinds, series_colours(len(kinds)), strict=True))  # no two commodities alike, however many
    top = max(sum(r.tonnes_t for r in rows if r.corridor == c) for c in order)
    label_w = 16 + 7.4 * max(len(c) for c in order)
    bars = []
    for i, corridor in enumerate(order):
        x, parts = label_w, []
        for k in kinds:
            t = sum(r.tonnes_t for r in rows if r.corridor == corridor and r.commodity == k)
            if t <= 0:
                continue
            parts.append({"commodity": k, "x": x, "w": BAR_W * t / top, "colour": shade[k], "tonnes_t": t})
            x += BAR_W * t / top
        bars.append({"corridor": corridor, "y": 4 + i * ROW_H, "parts": parts})
    return {"key": [(k, shade[k]) for k in kinds], "label_w": label_w, "width": label_w + BAR_W + 20,
            "height": ROW_H * len(order) + 8, "bar_h": ROW_H - 6, "rows": bars}


CURVE_W, CURVE_H, CURVE_LEFT, CURVE_TOP, CURVE_BOTTOM = 420, 220, 64, 26, 34  # the response curve's plot, margins, px


def _responses(report: ReportData) -> dict | None:
    """Under route choice, the focus's tonnes against the cut at its ports: one line per port (and the
    ports together), as SVG polylines laid out here like the bars; the same figures as a table (cut by
    port), and each port's diversion by corridor (the ten largest changes)."""
    points = report.curve
    if not points:
        return None
    names = list(dict.fromkeys(p.ports for p in points))
    cuts = sorted({p.cut_usd_per_t for p in points})
    top_t = max(max(p.tonnes_t for p in points), 1.0)
    top_cut = max(cuts[-1], 1.0)
    def x(cut: float) -> float:
        return CURVE_LEFT + CURVE_W * cut / top_cut
    def y(t: float) -> float:
        return CURVE_TOP + CURVE_H * (1 - t / top_t)
    colours = dict(zip(names, series_colours(len(names)), strict=True))
    lines = [{"ports": n, "colour": colours[n], "points": " ".join(f"{x(p.cut_usd_per_t):.1f},{y(p.tonnes_t):.1f}"
                                                                    for p in points if p.ports == n)}
             for n in names]
    ticks_x = [{"x": x(c), "text": f"{c:g}"} for c in cuts[:: max(1, len(cuts) // 5)]]
    ticks_y = [{"y": y(top_t * k / 4), "text": f"{top_t * k / 4 / 1e6:.2f}"} for k in range(5)]
    at = {(p.ports, p.cut_usd_per_t): p.tonnes_t for p in points}
    table = [{"cut": c, "tonnes": [at.get((n, c)) for n in names]} for c in cuts]
    diversion: dict[str, list[Diversion]] = {}
    for d in report.diversion:
        diversion.setdefault(d.port, []).append(d)
    return {"width": CURVE_LEFT + CURVE_W + 16, "height": CURVE_TOP + CURVE_H + CURVE_BOTTOM, "left": CURVE_LEFT,
            "right": CURVE_LEFT + CURVE_W, "top": CURVE_TOP, "bottom": CURVE_TOP + CURVE_H, "lines": lines,
            "ticks_x": ticks_x, "ticks_y": ticks_y, "names": names, "table": table,
            "diversion": [(port, [d for d in rows if abs(d.change_t_per_usd_per_t) >= 0.05][:10])
                          for port, rows in diversion.items()]}


def _notes(p, brief: ReportBrief | None) -> list[str]:
    provenance = "; ".join(f"{k}: {v}" for k, v in (brief.provenance if brief else ()))
    notes = ([f"Made from {provenance}."] if provenance else []) + [
        "Sea legs follow the shipping lanes (searoute); land legs join their nodes straight: they show which legs "
        "carry cargo, not the track.",
        "Line tooltips give the tonne-weighted average resource cost (calibration premiums left out) of the "
        "whole routes using the leg.",
        "Base map: Natural Earth (public domain), via the world-atlas package."]
    if p.unplaced:
        notes.append("Not drawn, no coordinates: " + ", ".join(p.unplaced) + ".")
    return notes
