"""The corridor map as PNG bytes, drawn by matplotlib's object-oriented API on the Agg canvas
(matplotlib.figure.Figure and FigureCanvasAgg: no pyplot, no screen), from the one layout
(model.report.maps.layout) the report page draws too.

draw_map(map_data, software) -> bytes: one case, 1600 x 1000 px (taller when the legend needs it).
draw_panels(panels, title, software) -> bytes: one small map per case, on one frame and one width
scale. `software` goes into the PNG's Software text, the mark model.report.output recognises.
"""

from __future__ import annotations

import io
import math
import textwrap

import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath
from PIL import Image, PngImagePlugin

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

DPI = 150
PX_PER_PT = DPI / 72
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
VA = {"top": "top", "center": "center", "bottom": "bottom"}


class _Page:
    """A figure width x height px, placed in pixels from its top left (y down)."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)

    def text(self, x: float, y: float, words: str, size_pt: float, colour: str = "#000000", style: str = "regular",
             ha: str = "left", va: str = "top", linespacing: float | None = None, halo=None) -> None:
        effects = [patheffects.withStroke(linewidth=halo[0], foreground=halo[1])] if halo else None
        self.fig.text(x / self.width, 1 - y / self.height, words, fontsize=size_pt, color=colour, ha=ha, va=va,
                      weight="bold" if style == "bold" else "normal", style="italic" if style == "italic" else "normal",
                      linespacing=linespacing, path_effects=effects)

    def axes(self, left: float, top: float, width: float, height: float, p: MapLayout):
        """Axes over the rectangle (px from the top left) showing the map's frame, y down."""
        ax = self.fig.add_axes((left / self.width, 1 - (top + height) / self.height, width / self.width,
                                height / self.height))
        ax.set_xlim(0, p.frame.width)
        ax.set_ylim(p.frame.height, 0)
        ax.set_facecolor(SEA)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor(SPINE_COLOUR)
            spine.set_linewidth(SPINE_PT)
        return ax

    def png(self, software: str) -> bytes:
        """The picture as an RGB PNG with the Software mark (zlib level 3: about as small, faster)."""
        self.canvas.draw()
        image = Image.frombuffer("RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        info = PngImagePlugin.PngInfo()
        info.add_text("Software", software)
        out = io.BytesIO()
        image.convert("RGB").save(out, format="png", pnginfo=info, compress_level=3)
        return out.getvalue()

    def line(self, x0: float, x1: float, y: float, **style) -> None:
        self.fig.add_artist(Line2D([x0 / self.width, x1 / self.width], [1 - y / self.height] * 2,
                                   transform=self.fig.transFigure, **style))

    def marker(self, x: float, y: float, **style) -> None:
        self.fig.add_artist(Line2D([x / self.width], [1 - y / self.height], linestyle="",
                                   transform=self.fig.transFigure, **style))


class _Dry:
    """A page that only measures: the legend's end, before the figure's height is known."""

    height = FIG_H_PX

    def text(self, *args, **kwargs) -> None:
        pass

    line = marker = text


def draw_map(map_data: dict, software: str) -> bytes:
    """The map of map_data (model.report.maps.data.map_data) as a PNG 1600 px wide and 1000 px high, or
    higher when the legend needs it (it is never cut). Nodes without coordinates, and legs touching
    them, are left out and named on the map's foot."""
    p = lay_out(map_data)
    left, bottom, width, height = MAP_BOX
    pt = width * FIG_W_PX / p.frame.width / PX_PER_PT  # points per map unit
    legend_end = _legend(_Dry(), map_data, p, pt, top=0.125 * FIG_H_PX, gap=0.025 * FIG_H_PX)
    page = _Page(FIG_W_PX, max(FIG_H_PX, math.ceil(legend_end + 4)))
    ax = page.axes(left * FIG_W_PX, (1 - bottom - height) * FIG_H_PX, width * FIG_W_PX, height * FIG_H_PX, p)
    _base(ax, p)
    _legs(ax, p, pt)
    _nodes(ax, p, pt)
    _labels(ax, p, pt)
    title = map_data.get("title", "")
    page.text(0.008 * FIG_W_PX, 0.025 * FIG_H_PX, title, max(8.0, min(13.0, 13.0 * 92 / max(len(title), 1))),
              style="bold")  # a long title in a smaller font, on one line
    page.text(0.008 * FIG_W_PX, 0.072 * FIG_H_PX, map_data.get("subtitle", ""), 8.5, colour="#444444")
    _legend(page, map_data, p, pt, top=0.125 * FIG_H_PX, gap=0.025 * FIG_H_PX)
    foot = FOOT + (("  Not drawn, no coordinates: " + ", ".join(p.unplaced)) if p.unplaced else "")
    ax.text(0.005, 0.005, foot, transform=ax.transAxes, fontsize=5.5, color="#555555", va="bottom",
            path_effects=[patheffects.withStroke(linewidth=2, foreground=SEA)])
    return page.png(software)


def draw_panels(panels: list[dict], title: str, software: str) -> bytes:
    """One map per case (each a map_data with a "panel" name and a "headline"), in rows of up to
    four, on one frame and one line-width scale, so that a line twice as wide carries twice the
    tonnes in every panel; in the panels after the first, a leg that carries the same tonnes as in
    the first is faded, so what changed stands out. A shared legend on the right; 1600 px wide."""
    columns = min(4, max(1, len(panels)))
    rows = -(-len(panels) // columns)
    map_w = 292  # px; each panel's map, MAP_ASPECT wide for high
    map_h, head, gap, top = map_w / MAP_ASPECT, 54, 12, 64
    corridors = {c["corridor"] for d in panels for c in d["corridors"]}
    lines = sum(_wrap(c).count("\n") + 1 for c in corridors)  # a long name takes two lines or more
    legend = 4 * 7.5 * 1.5 * PX_PER_PT + (lines + 10) * 1.55 * 7 * PX_PER_PT + 16
    height = int(max(top + rows * (head + map_h + gap), (top + legend) / (1 - 4 * 0.025)))
    page = _Page(FIG_W_PX, height)
    placed = [(n["lon"], n["lat"]) for d in panels for n in d["nodes"] if n["lat"] is not None
              and n["lon"] is not None and any(n["id"] in (leg["from"], leg["to"]) for leg in d["legs"])]
    frame = frame_around(placed)
    max_t = max((leg["tonnes_t"] for d in panels for leg in d["legs"]), default=0.0)
    first = {(leg["leg"], leg["corridor"]): leg["tonnes_t"] for leg in panels[0]["legs"]} if panels else {}
    pt = map_w / PX_PER_PT / frame.width
    layouts = []
    for k, d in enumerate(panels):
        p = lay_out(d, frame=frame, max_t=max_t, labelled=False)
        layouts.append(p)
        row, col = divmod(k, columns)
        x0, y0 = 8 + col * (map_w + 12), top + row * (head + map_h + gap) + head
        ax = page.axes(x0, y0, map_w, map_h, p)
        _base(ax, p)
        _legs(ax, p, pt, faded=None if k == 0 else {id(s) for s in p.segments if not _changed(s.leg, first)})
        _nodes(ax, p, pt, small=True)
        page.text(x0, y0 - 36, _cut(d.get("panel", ""), 30), 8, style="bold", va="bottom")
        page.text(x0, y0 - 3, "\n".join(_cut(line, 40) for line in d.get("headline", "").split("\n")), 6.5,
                  colour="#444444", va="bottom", linespacing=1.2)
    page.text(0.005 * FIG_W_PX, 12, title, 12, style="bold")
    page.text(0.005 * FIG_W_PX, 38, "Same frame and line widths in every panel; after the first, legs that carry "
              "the same tonnes as in it are faded.", 7, colour="#444444")
    shown: dict[str, dict] = {}
    for d in panels:
        for c in d["corridors"]:
            if c["corridor"] not in shown or c["tonnes_t"] > shown[c["corridor"]]["tonnes_t"]:
                shown[c["corridor"]] = c
    merged = {"corridors": sorted(shown.values(), key=lambda c: -c["tonnes_t"]), "full": []}
    any_layout = layouts[0] if layouts else lay_out({"nodes": [], "legs": [], "corridors": []}, frame=frame)
    _legend(page, merged, any_layout, pt, top=top, left=1220, tonnes=False,
            drawn={s.leg["corridor"] for p in layouts for s in p.segments})
    return page.png(software)


def _changed(leg: dict, first: dict) -> bool:
    """Whether a leg's tonnes differ from the first panel's on the same leg and corridor (by more than
    1% or 1,000 t)."""
    before = first.get((leg["leg"], leg["corridor"]), 0.0)
    return abs(leg["tonnes_t"] - before) > max(0.01 * max(leg["tonnes_t"], before), 1000.0)


def _base(ax, p: MapLayout) -> None:
    """The land and its borders (the axes' face is the sea)."""
    paths = []
    for _, rings in p.countries:
        codes = []
        for ring in rings:
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 1)
        paths.append(MplPath(np.concatenate(rings) if rings else np.zeros((0, 2)), codes))
    ax.add_collection(PathCollection(paths, facecolors=LAND, edgecolors=BORDER, linewidths=BORDER_PT, zorder=1),
                      autolim=False)


def _legs(ax, p: MapLayout, pt: float, faded: set | None = None) -> None:
    """The legs, full ones over a dashed red band; the segments in faded (by id) drawn pale."""
    faded = faded or set()
    full = [s for s in p.segments if s.leg["full"]]
    if full:
        ax.add_collection(LineCollection([s.points for s in full],
                                         colors=[to_rgba(FULL_COLOUR, 0.3 if id(s) in faded else 1.0) for s in full],
                                         linewidths=[(s.width + 3) * pt for s in full], linestyles=(0, FULL_DASH),
                                         capstyle="butt", joinstyle="round", zorder=2), autolim=False)
    colours = [to_rgba(s.colour, 0.22 if id(s) in faded else 0.92) for s in p.segments]
    ax.add_collection(LineCollection([s.points for s in p.segments], colors=colours,
                                     linewidths=[s.width * pt for s in p.segments], capstyle="butt",
                                     joinstyle="round", zorder=3), autolim=False)


def _nodes(ax, p: MapLayout, pt: float, small: bool = False) -> None:
    for n, x, y in p.nodes:
        marker, face, edge, _ = NODE_STYLE.get(n["kind"], OTHER_NODE)
        r = dot_radius(n["kind"]) * (0.6 if small else 1.0)
        ax.plot([x], [y], marker=marker, markersize=2 * r * pt * (0.8 if marker == "D" else 1), markerfacecolor=face,
                markeredgecolor=edge, markeredgewidth=0.6 * (0.6 if small else 1.0),
                alpha=1.0 if n["tonnes_t"] > 0 else 0.45, zorder=5)
        if n["full"]:
            ax.plot([x], [y], marker="o", markersize=2 * (r + 4) * pt, markerfacecolor="none",
                    markeredgecolor=FULL_COLOUR, markeredgewidth=1.2 if small else 1.6, zorder=6)


def _labels(ax, p: MapLayout, pt: float) -> None:
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for lab in p.labels:
        if lab.leader:
            ax.add_line(Line2D([lab.leader[0], lab.x], [lab.leader[1], lab.y], color="#444444", linewidth=0.5,
                               zorder=4))
        ax.text(lab.x, lab.y, lab.text, fontsize=LABEL_SIZE * pt, ha={"start": "left", "end": "right"}.get(lab.align,
                "center"), va={"top": "top", "bottom": "bottom"}.get(lab.baseline, "center"),
                color="#777777" if lab.muted else "#111111", style="italic" if lab.muted else "normal",
                path_effects=halo, zorder=7)


# A legend key, drawn by _key: ("line", colour, width pt, ends reach out half the width),
# ("dash", colour, width pt), ("marker", shape, size pt, face, edge, edge pt) or ("none",).
NO_KEY = ("none",)


def _legend(page, map_data: dict, p: MapLayout, pt: float, top: float, left: float = 0.715 * FIG_W_PX,
            tonnes: bool = True, drawn: set | None = None, gap: float | None = None) -> float:
    """Corridors (with Mt/yr), the width scale, node kinds and full capacities, stacked in the right
    panel from (left, top) px, sections gap px apart (2.5% of the page's height by default); long
    names wrapped, never cut. Returns the y (px) where the legend ends."""
    drawn = {s.leg["corridor"] for s in p.segments} if drawn is None else drawn
    shown = [c for c in map_data["corridors"] if c["corridor"] in drawn or (tonnes and c["tonnes_t"] > 0)]
    corridors = [("line", c["colour"], 5.0, True) for c in shown]
    corridor_text = [_wrap(f"{c['corridor']}  {c['tonnes_t'] / 1e6:.2f}" if tonnes else c["corridor"]) for c in shown]
    samples = width_samples(p.max_t)
    widths = [("line", "#555555", line_width(t, p.max_t) * pt, False) for t in samples]
    styles = [NODE_STYLE[k] for k in NODE_STYLE if any(n["kind"] == k for n, _, _ in p.nodes)]
    if any(n["kind"] not in NODE_STYLE for n, _, _ in p.nodes):
        styles.append(OTHER_NODE)
    node_keys = [("marker", marker, 6.0, face, "#222222" if face == "#ffffff" else edge, 1.0)
                 for marker, face, edge, _ in styles]
    ring, dash = ("marker", "o", 8.0, None, FULL_COLOUR, 1.6), ("dash", FULL_COLOUR, 3.0)
    full_keys, full_text = [], []
    for f in map_data["full"]:
        full_keys.append(ring if f["kind"] == "node" else dash)
        cls = "" if f["cargo_class"] in ("all", "") else f" ({f['cargo_class']})"
        full_text.append(f"{_wrap(f['name'] + cls)}\n{f['used_t'] / 1e6:.2f} of {f['capacity_t'] / 1e6:.2f} "
                         "Mt/yr used")
    if not tonnes:  # panels: the marks explained once
        full_keys, full_text = [ring, dash], ["a full node (binding capacity)", "a full leg"]
    elif not full_keys:
        full_keys, full_text = [NO_KEY], ["none"]
    sections = [("Corridor  (Mt/yr)" if tonnes else "Corridor", corridors, corridor_text),
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
            _key(page, key, x + 2, x + 2 + 2.6 * em, y + lines * 1.2 * em / 2)
            page.text(x + 3.4 * em, y, words, 7, linespacing=1.2)
            y += (lines * 1.2 + 0.35) * em
        y += 0.025 * page.height if gap is None else gap
    if tonnes:
        page.text(x + 0.002 * FIG_W_PX, y + 0.005 * FIG_H_PX, READING, 6.5, colour="#444444", linespacing=1.4)
        y += 0.005 * FIG_H_PX + (READING.count("\n") + 1) * 1.4 * 6.5 * PX_PER_PT
    return y


def _key(page, key: tuple, x0: float, x1: float, y: float) -> None:
    """A legend key from x0 to x1 (a marker at the middle) at height y, in pixels."""
    if key[0] == "line":
        _, colour, width_pt, reach = key
        page.line(x0, x1, y, color=colour, linewidth=width_pt, solid_capstyle="projecting" if reach else "butt")
    elif key[0] == "dash":
        _, colour, width_pt = key
        page.line(x0, x1, y, color=colour, linewidth=width_pt, linestyle=(0, FULL_DASH), dash_capstyle="butt")
    elif key[0] == "marker":
        _, shape, size_pt, face, edge, edge_pt = key
        page.marker((x0 + x1) / 2, y, marker=shape, markersize=size_pt, markerfacecolor=face or "none",
                    markeredgecolor=edge, markeredgewidth=edge_pt)


def _wrap(text: str, width: int = LEGEND_CHARS) -> str:
    """A legend text on lines of at most width characters (at word breaks; a longer word on its own)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
