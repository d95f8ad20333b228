"""The corridor map as PNG bytes, painted with Pillow and numpy (model.report.maps.raster), not
matplotlib: the same picture drawn on matplotlib's Agg canvas made every base-case solve slower by
more than the map's budget allows (measured: docs/developer/renderers.md). The picture is the one
matplotlib drew (sizes in points at 150 dpi, the same frame, fonts and placement).

draw_map(map_data, software) -> bytes: one case, 1600 x 1000 px. draw_panels(panels, title,
software) -> bytes: one small map per case, on one frame and one width scale. `software` goes into
the PNG's Software text, the mark model.report.output recognises.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import ImageDraw

from model.input.schema import Blank
from model.report.maps.data import FullCapacity, MapCorridor, MapData, MapLeg
from model.report.maps.lanes import SeaLanes
from model.report.maps.layout import (
    LABEL_SIZE,
    MAP_ASPECT,
    NODE_LEGEND,
    OTHER_NODE_LEGEND,
    MapLayout,
    dot_radius,
    frame_around,
    lay_out,
    line_width,
    width_key_text,
    width_samples,
)
from model.report.maps.palette import BORDER, FULL_COLOUR, LAND, SEA
from model.report.maps.raster import DPI, PX_PER_PT, Canvas, png_bytes, polygon_layer, put_text

FIG_W_PX, FIG_H_PX = 1600, 1000
MAP_BOX = (0.006, 0.012, 0.70, 0.862)  # left, bottom, width, height as fractions of the picture (aspect 1.3)
NODE_STYLE = {  # kind -> (marker, face, edge, legend text)
    kind: (marker, NODE_LEGEND[kind][0], edge, NODE_LEGEND[kind][1])
    for kind, marker, edge in (("origin", "o", "white"), ("port", "D", "#222222"), ("market", "s", "white"))}
OTHER_NODE = ("o", OTHER_NODE_LEGEND[0], "white", OTHER_NODE_LEGEND[1])
READING = ("How to read: each line is one leg of the routes used at least\n"
           "cost, from node to node; its colour is the corridor and its width\n"
           "the tonnes. Corridors sharing a leg run side by side. Grey\n"
           "italic names are ports the solution does not use.")
FOOT = ("Sea legs follow the shipping lanes (searoute); land legs join their nodes straight (not the track). "
        "Base map: Natural Earth (public domain).")
LEGEND_CHARS = 44  # a legend line's characters at most (7 pt: what the 456 px right of the map hold)
FULL_DASH = (2.0, 1.5)  # a full leg's band: dashes and gaps in line widths
BORDER_PT, SPINE_PT, SPINE_COLOUR = 0.35, 0.6, "#888888"


@dataclass
class _Axes:
    """A map's place on the picture: its rectangle (left, top, width, height) in pixels, y down, as
    matplotlib placed its axes, and the map's frame width and height in map units."""
    left: float
    top: float
    width: float
    height: float
    frame_w: float
    frame_h: float

    @property
    def box(self) -> tuple[int, int, int, int]:
        """The whole pixels the map covers (x0, y0, x1, y1), its edges snapped as matplotlib snaps them."""
        return (math.floor(self.left + 0.5), math.floor(self.top + 0.5), math.floor(self.left + self.width + 0.5),
                math.floor(self.top + self.height + 0.5))

    @property
    def sx(self) -> float:
        return self.width / self.frame_w

    @property
    def sy(self) -> float:
        return self.height / self.frame_h

    def at(self, x: float, y: float) -> tuple[float, float]:
        return self.left + x * self.sx, self.top + y * self.sy

    @property
    def pt(self) -> float:
        """Points per map unit (sizes in map units drawn as matplotlib drew them)."""
        return self.sx / PX_PER_PT


class _Page:
    """A canvas, and the legend's keys and the text to put over it once the shapes are painted."""

    def __init__(self, width: int, height: int):
        self.canvas = Canvas(width, height)
        self.keys: list[tuple] = []
        self.words: list[tuple] = []

    def grow(self, height: int) -> None:
        """Make the page height px high; only before a shape is painted (the legend is laid out first,
        and the page grows to hold it)."""
        self.canvas = Canvas(self.canvas.width, height)

    def key(self, key: tuple, x0: float, x1: float, y: float) -> None:
        self.keys.append((key, x0, x1, y))

    def text(self, x: float, y: float, words: str, size_pt: float, **style) -> None:
        self.words.append((x, y, words, size_pt, style))

    def png(self, software: str) -> bytes:
        for key in self.keys:
            _key(self.canvas, *key)
        picture = self.canvas.picture()
        draw = ImageDraw.Draw(picture)
        for x, y, words, size_pt, style in self.words:
            put_text(draw, x, y, words, size_pt, **style)
        return png_bytes(picture, software)


def draw_map(map_data: MapData, software: str) -> bytes:
    """The map of map_data (model.report.maps.data.map_data) as a PNG 1600 px wide and 1000 px high, or
    higher when the legend needs it (it is never cut). Nodes without coordinates, and legs touching
    them, are left out and named on the map's foot."""
    p = lay_out(map_data)
    left, bottom, width, height = MAP_BOX
    ax = _Axes(left * FIG_W_PX, (1 - bottom - height) * FIG_H_PX, width * FIG_W_PX, height * FIG_H_PX,
               p.frame.width, p.frame.height)
    page = _Page(FIG_W_PX, FIG_H_PX)
    legend_end = _legend(page, map_data.corridors, map_data.full, p, ax.pt, top=0.125 * FIG_H_PX, gap=0.025 * FIG_H_PX)
    if legend_end + 4 > FIG_H_PX:  # 1000 px unless the legend needs more
        page.grow(math.ceil(legend_end + 4))
    page.canvas.paste(ax.box, _base(p, ax))
    _legs(page.canvas, p, ax)
    _leaders(page.canvas, p, ax)
    _nodes(page.canvas, p, ax)
    _spines(page.canvas, ax)
    _labels(page, p, ax)
    title = map_data.title
    page.text(0.008 * FIG_W_PX, 0.025 * FIG_H_PX, title, max(8.0, min(13.0, 13.0 * 92 / max(len(title), 1))),
              style="bold")  # a long title in a smaller font, on one line
    page.text(0.008 * FIG_W_PX, 0.072 * FIG_H_PX, map_data.subtitle, 8.5, colour="#444444")
    foot = FOOT + (("  Not drawn, no coordinates: " + ", ".join(p.unplaced)) if p.unplaced else "")
    page.text(ax.left + 0.005 * ax.width, ax.top + 0.995 * ax.height, foot, 5.5, colour="#555555",
              va="bottom", halo=(2.0, SEA))
    return page.png(software)


def draw_panels(panels: list[MapData], title: str, software: str) -> bytes:
    """One map per case (each a MapData with its panel name and headline), in rows of up to
    four, on one frame and one line-width scale, so that a line twice as wide carries twice the
    tonnes in every panel; in the panels after the first, a leg that carries the same tonnes as in
    the first is faded, so what changed stands out. A shared legend on the right; 1600 px wide."""
    columns = min(4, max(1, len(panels)))
    rows = -(-len(panels) // columns)
    map_w = 292  # px; each panel's map, MAP_ASPECT wide for high
    map_h, head, gap, top = map_w / MAP_ASPECT, 54, 12, 64.0
    corridors = {c.corridor for d in panels for c in d.corridors}
    # The legend fits: four section titles (7.5 pt x 1.5), a row of 7 pt x 1.55 per key (the corridors,
    # at most 3 widths, 5 node kinds and the 2 full marks) and a gap of 2.5% of the height per section.
    lines = sum(_wrap(c).count("\n") + 1 for c in corridors)  # a long name takes two lines or more
    legend = 4 * 7.5 * 1.5 * PX_PER_PT + (lines + 10) * 1.55 * 7 * PX_PER_PT + 16
    tall = max(top + rows * (head + map_h + gap), (top + legend) / (1 - 4 * 0.025))
    height = int(tall)  # whole pixels: matplotlib cut the fraction off the top
    lift = tall - height
    top -= lift
    page = _Page(FIG_W_PX, height)
    placed = [(n.lon, n.lat) for d in panels for n in d.nodes if n.lat is not None
              and n.lon is not None and any(n.id in (leg.start, leg.end) for leg in d.legs)]
    frame = frame_around(placed)
    max_t = max((leg.tonnes_t for d in panels for leg in d.legs), default=0.0)
    first = {(leg.leg, leg.corridor): leg.tonnes_t for leg in panels[0].legs} if panels else {}
    layouts, bases, lanes = [], {}, SeaLanes()
    for k, d in enumerate(panels):
        p = lay_out(d, frame=frame, max_t=max_t, labelled=False, lanes=lanes)
        layouts.append(p)
        row, col = divmod(k, columns)
        x0, y0 = 8 + col * (map_w + 12), top + row * (head + map_h + gap) + head
        ax = _Axes(x0, y0, map_w, map_h, frame.width, frame.height)
        shift = (ax.left - ax.box[0], ax.top - ax.box[1])  # one frame: one base layer per row of panels
        if shift not in bases:
            bases[shift] = _base(p, ax)
        page.canvas.paste(ax.box, bases[shift])
        _legs(page.canvas, p, ax, faded=None if k == 0 else {id(s) for s in p.segments if not _changed(s.leg, first)})
        _nodes(page.canvas, p, ax, small=True)
        _spines(page.canvas, ax)
        page.text(x0, y0 - 36, _cut(d.panel, 30), 8, style="bold", va="bottom")
        page.text(x0, y0 - 3, "\n".join(_cut(line, 40) for line in d.headline.split("\n")), 6.5,
                  colour="#444444", va="bottom", linespacing=1.2)
    page.text(0.005 * FIG_W_PX, 12 - lift, title, 12, style="bold")
    page.text(0.005 * FIG_W_PX, 38 - lift, "Same frame and line widths in every panel; after the first, legs that "
              "carry the same tonnes as in it are faded.", 7, colour="#444444")
    shown: dict[str, MapCorridor] = {}
    for d in panels:
        for c in d.corridors:
            if c.corridor not in shown or c.tonnes_t > shown[c.corridor].tonnes_t:
                shown[c.corridor] = c
    merged = sorted(shown.values(), key=lambda c: -c.tonnes_t)
    any_layout = layouts[0] if layouts else lay_out(MapData("", "", (), (), (), (), ()), frame=frame)
    _legend(page, merged, (), any_layout, map_w / DPI * 72 / frame.width, top=top, left=1220, tonnes=False,
            drawn={s.leg.corridor for p in layouts for s in p.segments})
    return page.png(software)


def _changed(leg: MapLeg, first: dict[tuple[str, str], float]) -> bool:
    """Whether a leg's tonnes differ from the first panel's on the same leg and corridor (by more than
    1% or 1,000 t)."""
    before = first.get((leg.leg, leg.corridor), 0.0)
    return abs(leg.tonnes_t - before) > max(0.01 * max(leg.tonnes_t, before), 1000.0)


def _base(p: MapLayout, ax: _Axes) -> np.ndarray:
    """The sea, the land and the borders of the axes' box, as pixels."""
    x0, y0, x1, y1 = ax.box
    scale, shift = np.array([ax.sx, ax.sy]), np.array([ax.left - x0, ax.top - y0])
    rings = [r * scale + shift for _, country in p.countries for r in country]
    return polygon_layer((x1 - x0, y1 - y0), SEA, rings, LAND, BORDER, BORDER_PT * PX_PER_PT)


def _spines(canvas: Canvas, ax: _Axes) -> None:
    """The map's grey frame: a line along each edge of its box, snapped as matplotlib snaps it."""
    x0, y0, x1, y1 = ax.left, ax.top, ax.left + ax.width, ax.top + ax.height
    w = SPINE_PT * PX_PER_PT
    for a, b, c, d in ((x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)):
        canvas.bar(a, b, c, d, w, SPINE_COLOUR, snap=True, reach=w / 2)


def _legs(canvas: Canvas, p: MapLayout, ax: _Axes, faded: set | None = None) -> None:
    """The legs, full ones over a dashed red band; the segments in faded (by id) drawn pale."""
    faded = faded or set()
    for s in p.segments:
        if s.leg.full:
            w = (s.width + 3) * ax.sx
            canvas.polyline(_px(s, ax), w, FULL_COLOUR, 0.3 if id(s) in faded else 1.0, clip=ax.box,
                            dash=(FULL_DASH[0] * w, FULL_DASH[1] * w))
    for s in p.segments:
        canvas.polyline(_px(s, ax), s.width * ax.sx, s.colour, 0.22 if id(s) in faded else 0.92, clip=ax.box)


def _px(s, ax: _Axes) -> np.ndarray:
    """A segment's points in pixels."""
    return s.points * (ax.sx, ax.sy) + (ax.left, ax.top)


def _nodes(canvas: Canvas, p: MapLayout, ax: _Axes, small: bool = False) -> None:
    for n, x, y in p.nodes:
        marker, face, edge, _ = NODE_STYLE.get(n.kind, OTHER_NODE)
        r = dot_radius(n.kind) * (0.6 if small else 1.0)
        cx, cy = ax.at(x, y)
        canvas.marker(marker, cx, cy, 2 * r * ax.sx * (0.8 if marker == "D" else 1), face, edge,
                      0.6 * (0.6 if small else 1.0) * PX_PER_PT, alpha=1.0 if n.tonnes_t > 0 else 0.45, clip=ax.box)
        if n.full:
            canvas.marker("o", cx, cy, 2 * (r + 4) * ax.sx, None, FULL_COLOUR, (1.2 if small else 1.6) * PX_PER_PT,
                          clip=ax.box)


def _leaders(canvas: Canvas, p: MapLayout, ax: _Axes) -> None:
    for lab in p.labels:
        if lab.leader:
            canvas.bar(*ax.at(*lab.leader), *ax.at(lab.x, lab.y), 0.5 * PX_PER_PT, "#444444", clip=ax.box)


def _labels(page: _Page, p: MapLayout, ax: _Axes) -> None:
    for lab in p.labels:
        page.text(*ax.at(lab.x, lab.y), lab.text, LABEL_SIZE * ax.pt, colour="#777777" if lab.muted else "#111111",
                  style="italic" if lab.muted else "regular", ha={"start": "left", "end": "right"}.get(lab.align,
                  "center"), va={"top": "top", "bottom": "bottom"}.get(lab.baseline, "center"), halo=(2.2, "white"))


# A legend key, drawn by _key: ("line", colour, width pt, ends reach out half the width),
# ("dash", colour, width pt), ("marker", shape, size pt, face, edge, edge pt) or ("none",).
NO_KEY = ("none",)


def _legend(page: _Page, listed: Sequence[MapCorridor], full: Sequence[FullCapacity], p: MapLayout, pt: float,
            top: float, left: float = 0.715 * FIG_W_PX, tonnes: bool = True, drawn: set | None = None,
            gap: float | None = None) -> float:
    """The corridors listed (with Mt/yr), the width scale, node kinds and the full capacities, stacked
    in the right panel from (left, top) px, sections gap px apart (2.5% of the page's height by default); long
    names wrapped, never cut. Returns the y (px) where the legend ends."""
    drawn = {s.leg.corridor for s in p.segments} if drawn is None else drawn
    shown = [c for c in listed if c.corridor in drawn or (tonnes and c.tonnes_t > 0)]
    corridors = [("line", c.colour, 5.0, True) for c in shown]
    corridor_text = [_wrap(f"{c.corridor}  {c.tonnes_t / 1e6:.2f}" if tonnes else c.corridor) for c in shown]
    samples = width_samples(p.max_t)
    widths = [("line", "#555555", line_width(t, p.max_t) * pt, False) for t in samples]
    styles = [NODE_STYLE[k] for k in NODE_STYLE if any(n.kind == k for n, _, _ in p.nodes)]
    if any(n.kind not in NODE_STYLE for n, _, _ in p.nodes):
        styles.append(OTHER_NODE)
    node_keys = [("marker", marker, 6.0, face, "#222222" if face == "#ffffff" else edge, 1.0)
                 for marker, face, edge, _ in styles]
    ring, dash = ("marker", "o", 8.0, None, FULL_COLOUR, 1.6), ("dash", FULL_COLOUR, 3.0)
    full_keys: list[tuple] = []
    full_text: list[str] = []
    for f in full:
        full_keys.append(ring if f.kind == "node" else dash)
        cls = "" if f.cargo_class in (Blank.ALL, "") else f" ({f.cargo_class})"
        when = f" in {f.season}" if f.season else ""  # a season's row: that season's tonnes
        full_text.append(f"{_wrap(f.name + cls + when)}\n{f.used_t / 1e6:.2f} of {f.capacity_t / 1e6:.2f} "
                         + ("Mt used" if f.season else "Mt/yr used"))
    if not tonnes:  # panels: the marks explained once
        full_keys, full_text = [ring, dash], ["a full node (binding capacity)", "a full leg"]
    elif not full_keys:
        full_keys, full_text = [NO_KEY], ["none"]
    sections: list[tuple[str, list, list[str]]] = [
        ("Corridor  (Mt/yr)" if tonnes else "Corridor", corridors, corridor_text),
                ("Line width: tonnes (square-root scale)", widths, [width_key_text(t) for t in samples]),
                ("Nodes", node_keys, [words for *_, words in styles]),
                ("Full capacity (binding)", full_keys, full_text)]
    # Rows of 7 pt text, keys 2.6 font sizes long, as a matplotlib legend with labelspacing 0.35 sets them.
    em, x, y = 7 * PX_PER_PT, left, top
    for title, keys, texts in sections:
        if not keys:
            continue
        page.text(x, y, title, 7.5, style="bold")
        y += 7.5 * 1.5 * PX_PER_PT
        for key, words in zip(keys, texts, strict=True):
            lines = words.count("\n") + 1
            page.key(key, x + 2, x + 2 + 2.6 * em, y + lines * 1.2 * em / 2)
            page.text(x + 3.4 * em, y, words, 7, linespacing=1.2)
            y += (lines * 1.2 + 0.35) * em
        y += 0.025 * page.canvas.height if gap is None else gap
    if tonnes:
        page.text(x + 0.002 * FIG_W_PX, y + 0.005 * FIG_H_PX, READING, 6.5, colour="#444444", linespacing=1.4)
        y += 0.005 * FIG_H_PX + (READING.count("\n") + 1) * 1.4 * 6.5 * PX_PER_PT
    return y


def _key(canvas: Canvas, key: tuple, x0: float, x1: float, y: float) -> None:
    """A legend key from x0 to x1 (a marker at the middle) at height y, in pixels."""
    if key[0] == "line":
        _, colour, width_pt, reach = key
        w = width_pt * PX_PER_PT
        canvas.bar(x0, y, x1, y, w, colour, snap=True, reach=w / 2 if reach else 0.0)
    elif key[0] == "dash":
        _, colour, width_pt = key
        w = width_pt * PX_PER_PT
        canvas.bar(x0, y, x1, y, w, colour, dash=(FULL_DASH[0] * w, FULL_DASH[1] * w), snap=True)
    elif key[0] == "marker":
        _, shape, size_pt, face, edge, edge_pt = key
        canvas.marker(shape, (x0 + x1) / 2, y, size_pt * PX_PER_PT, face, edge, edge_pt * PX_PER_PT)


def _wrap(text: str, width: int = LEGEND_CHARS) -> str:
    """A legend text on lines of at most width characters (at word breaks; a longer word on its own)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
