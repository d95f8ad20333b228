"""The corridor map as PNG bytes (matplotlib's Agg canvas: no screen, no pyplot state), imported
only when a map is drawn: matplotlib takes about 0.3 s to import.

draw_map(map_data, software) -> bytes: one case, 1600 x 1000 px. draw_panels(panels, title,
software) -> bytes: one small map per case, on one frame and one width scale. `software` goes into
the PNG's Software text, the mark model.io.output recognises.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath
from PIL import Image, PngImagePlugin

from model.io.maps.layout import (
    BORDER,
    FULL_COLOUR,
    LABEL_SIZE,
    LAND,
    SEA,
    dot_radius,
    frame_around,
    lay_out,
    line_width,
    width_samples,
)

DPI = 150
FIG_W_IN, FIG_H_IN = 1600 / DPI, 1000 / DPI
MAP_BOX = (0.006, 0.012, 0.70, 0.862)  # left, bottom, width, height as fractions of the figure (aspect 1.3)
NODE_STYLE = {  # kind -> (marker, face, edge, legend text)
    "origin": ("o", "#222222", "white", "Origin (Kazakh producers)"),
    "port": ("D", "white", "#222222", "Port"),
    "market": ("s", "#5d4037", "white", "Market"),
}
OTHER_NODE = ("o", "#777777", "white", "Border crossing, hub, other")
READING = ("How to read: each line is one leg of the routes used at least\n"
           "cost, from node to node; its colour is the corridor and its width\n"
           "the tonnes. Corridors sharing a leg run side by side. Grey\n"
           "italic names are ports the solution does not use.")
FOOT = "Lines join nodes straight (not the track or sea lane). Base map: Natural Earth (public domain)."


def draw_map(map_data: dict, software: str) -> bytes:
    """The map of map_data (model.io.maps.data.map_data) as a PNG of 1600 x 1000 px. Nodes without
    coordinates, and legs touching them, are left out and named on the map's foot."""
    p = lay_out(map_data)
    fig = Figure(figsize=(FIG_W_IN, FIG_H_IN), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes(MAP_BOX)
    pt = MAP_BOX[2] * FIG_W_IN * 72 / p.frame.width  # points per map unit
    _base(ax, p)
    _legs(ax, p, pt)
    _nodes(ax, p, pt)
    _labels(ax, p, pt)
    title = map_data.get("title", "")
    fig.text(0.008, 0.975, title, fontsize=max(8.0, min(13.0, 13.0 * 92 / max(len(title), 1))), weight="bold",
             va="top")  # a long title in a smaller font, on one line
    fig.text(0.008, 0.928, map_data.get("subtitle", ""), fontsize=8.5, color="#444444", va="top")
    _legend(fig, map_data, p, pt, top=0.875)
    foot = FOOT + (("  Not drawn, no coordinates: " + ", ".join(p.unplaced)) if p.unplaced else "")
    ax.text(0.005, 0.005, foot, transform=ax.transAxes, fontsize=5.5, color="#555555", va="bottom",
            path_effects=[patheffects.withStroke(linewidth=2, foreground=SEA)])
    return _png(canvas, software)


def draw_panels(panels: list[dict], title: str, software: str) -> bytes:
    """One map per case (each a map_data with a "panel" name and a "headline"), in rows of up to
    four, on one frame and one line-width scale, so that a line twice as wide carries twice the
    tonnes in every panel; in the panels after the first, a leg that carries the same tonnes as in
    the first is faded, so what changed stands out. A shared legend on the right; 1600 px wide."""
    columns = min(4, max(1, len(panels)))
    rows = -(-len(panels) // columns)
    map_w = 292  # px; each panel's map, MAP_ASPECT wide for high
    map_h, head, gap, top = map_w / 1.3, 54, 12, 64
    corridors = {c["corridor"] for d in panels for c in d["corridors"]}
    height = max(top + rows * (head + map_h + gap), top + 200 + 17 * (len(corridors) + 9))  # the legend fits
    fig = Figure(figsize=(FIG_W_IN, height / DPI), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    placed = [(n["lon"], n["lat"]) for d in panels for n in d["nodes"] if n["lat"] is not None
              and n["lon"] is not None and any(n["id"] in (leg["from"], leg["to"]) for leg in d["legs"])]
    frame = frame_around(placed)
    max_t = max((leg["tonnes_t"] for d in panels for leg in d["legs"]), default=0.0)
    first = {(leg["leg"], leg["corridor"]): leg["tonnes_t"] for leg in panels[0]["legs"]} if panels else {}
    layouts = []
    for k, d in enumerate(panels):
        p = lay_out(d, frame=frame, max_t=max_t, labelled=False)
        layouts.append(p)
        row, col = divmod(k, columns)
        x0, y0 = 8 + col * (map_w + 12), height - top - row * (head + map_h + gap) - head - map_h
        ax = fig.add_axes((x0 / 1600, y0 / height, map_w / 1600, map_h / height))
        pt = map_w / DPI * 72 / p.frame.width
        _base(ax, p)
        _legs(ax, p, pt, faded=None if k == 0 else {id(s) for s in p.segments if not _changed(s.leg, first)})
        _nodes(ax, p, pt, small=True)
        fig.text(x0 / 1600, (y0 + map_h + 36) / height, _cut(d.get("panel", ""), 30), fontsize=8, weight="bold",
                 va="bottom")
        fig.text(x0 / 1600, (y0 + map_h + 3) / height, "\n".join(_cut(line, 40) for line in
                 d.get("headline", "").split("\n")), fontsize=6.5, color="#444444", va="bottom", linespacing=1.2)
    fig.text(0.005, 1 - 12 / height, title, fontsize=12, weight="bold", va="top")
    fig.text(0.005, 1 - 38 / height, "Same frame and line widths in every panel; after the first, legs that carry "
             "the same tonnes as in it are faded.", fontsize=7, color="#444444", va="top")
    shown: dict[str, dict] = {}
    for d in panels:
        for c in d["corridors"]:
            if c["corridor"] not in shown or c["tonnes_t"] > shown[c["corridor"]]["tonnes_t"]:
                shown[c["corridor"]] = c
    merged = {"corridors": sorted(shown.values(), key=lambda c: -c["tonnes_t"]), "full": []}
    any_layout = layouts[0] if layouts else lay_out({"nodes": [], "legs": [], "corridors": []}, frame=frame)
    _legend(fig, merged, any_layout, map_w / DPI * 72 / frame.width, top=1 - top / height, left=1220 / 1600,
            tonnes=False, drawn={s.leg["corridor"] for p in layouts for s in p.segments})
    return _png(canvas, software)


def _changed(leg: dict, first: dict) -> bool:
    """Whether a leg's tonnes differ from the first panel's on the same leg and corridor (by more than
    1% or 1,000 t)."""
    before = first.get((leg["leg"], leg["corridor"]), 0.0)
    return abs(leg["tonnes_t"] - before) > max(0.01 * max(leg["tonnes_t"], before), 1000.0)


def _png(canvas: FigureCanvasAgg, software: str) -> bytes:
    """The canvas as an RGB PNG with the Software mark (zlib level 3: as small as the default, faster)."""
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", software)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="png", pnginfo=info, compress_level=3)
    return out.getvalue()


def _base(ax, p) -> None:
    ax.set_xlim(0, p.frame.width)
    ax.set_ylim(p.frame.height, 0)
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#888888")
        spine.set_linewidth(0.6)
    paths = []
    for _, rings in p.countries:
        codes = []
        for ring in rings:
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 1)
        paths.append(MplPath(_stack(rings), codes))
    ax.add_collection(PathCollection(paths, facecolors=LAND, edgecolors=BORDER, linewidths=0.35, zorder=1),
                      autolim=False)


def _stack(rings):
    return np.concatenate(rings) if rings else np.zeros((0, 2))


def _legs(ax, p, pt: float, faded: set | None = None) -> None:
    """The legs, full ones over a dashed red band; the segments in faded (by id) drawn pale."""
    faded = faded or set()
    full = [s for s in p.segments if s.leg["full"]]
    if full:
        ax.add_collection(LineCollection([[(s.x1, s.y1), (s.x2, s.y2)] for s in full],
                                         colors=[to_rgba(FULL_COLOUR, 0.3 if id(s) in faded else 1.0) for s in full],
                                         linewidths=[(s.width + 3) * pt for s in full], linestyles=(0, (2, 1.5)),
                                         capstyle="butt", zorder=2), autolim=False)
    colours = [to_rgba(s.colour, 0.22 if id(s) in faded else 0.92) for s in p.segments]
    ax.add_collection(LineCollection([[(s.x1, s.y1), (s.x2, s.y2)] for s in p.segments], colors=colours,
                                     linewidths=[s.width * pt for s in p.segments], capstyle="butt", zorder=3),
                      autolim=False)


def _nodes(ax, p, pt: float, small: bool = False) -> None:
    for n, x, y in p.nodes:
        marker, face, edge, _ = NODE_STYLE.get(n["kind"], OTHER_NODE)
        r = dot_radius(n["kind"]) * (0.6 if small else 1.0)
        alpha = 1.0 if n["tonnes_t"] > 0 else 0.45
        ax.plot([x], [y], marker=marker, markersize=2 * r * pt * (0.8 if marker == "D" else 1), markerfacecolor=face,
                markeredgecolor=edge, markeredgewidth=0.6 * (0.6 if small else 1.0), alpha=alpha, zorder=5)
        if n["full"]:
            ax.plot([x], [y], marker="o", markersize=2 * (r + 4) * pt, markerfacecolor="none",
                    markeredgecolor=FULL_COLOUR, markeredgewidth=1.2 if small else 1.6, zorder=6)


def _labels(ax, p, pt: float) -> None:
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for lab in p.labels:
        if lab.leader:
            ax.add_line(Line2D([lab.leader[0], lab.x], [lab.leader[1], lab.y], color="#444444", linewidth=0.5,
                               zorder=4))
        ax.text(lab.x, lab.y, lab.text, fontsize=LABEL_SIZE * pt, ha={"start": "left", "end": "right"}.get(lab.align,
                "center"), va={"top": "top", "bottom": "bottom"}.get(lab.baseline, "center"),
                color="#777777" if lab.muted else "#111111", style="italic" if lab.muted else "normal",
                path_effects=halo, zorder=7)


def _legend(fig, map_data: dict, p, pt: float, top: float, left: float = 0.715, tonnes: bool = True,
            drawn: set | None = None) -> None:
    """Corridors (with Mt/yr), the width scale, node kinds and full capacities, stacked in the right panel."""
    drawn = {s.leg["corridor"] for s in p.segments} if drawn is None else drawn
    shown = [c for c in map_data["corridors"] if c["corridor"] in drawn or (tonnes and c["tonnes_t"] > 0)]
    corridors = [Line2D([], [], color=c["colour"], linewidth=5) for c in shown]
    corridor_text = [f"{c['corridor']}  {c['tonnes_t'] / 1e6:.2f}" if tonnes else c["corridor"] for c in shown]
    samples = width_samples(p.max_t)
    widths = [Line2D([], [], color="#555555", linewidth=line_width(t, p.max_t) * pt, solid_capstyle="butt")
              for t in samples]
    styles = [NODE_STYLE[k] for k in NODE_STYLE if any(n["kind"] == k for n, _, _ in p.nodes)]
    if any(n["kind"] not in NODE_STYLE for n, _, _ in p.nodes):
        styles.append(OTHER_NODE)
    node_handles = [Line2D([], [], linestyle="", marker=marker, markersize=6, markerfacecolor=face,
                           markeredgecolor="#222222" if face == "white" else edge) for marker, face, edge, _ in styles]
    ring = Line2D([], [], linestyle="", marker="o", markersize=8, markerfacecolor="none", markeredgecolor=FULL_COLOUR,
                  markeredgewidth=1.6)
    dash = Line2D([], [], color=FULL_COLOUR, linestyle=(0, (2, 1.5)), linewidth=3)
    full_handles, full_text = [], []
    for f in map_data["full"]:
        full_handles.append(ring if f["kind"] == "node" else dash)
        cls = "" if f["cargo_class"] in ("all", "") else f" ({f['cargo_class']})"
        full_text.append(f"{_cut(f['name'] + cls, 44)}\n{f['used_t'] / 1e6:.2f} of {f['capacity_t'] / 1e6:.2f} "
                         "Mt/yr used")
    if not tonnes:  # panels: the marks explained once
        full_handles, full_text = [ring, dash], ["a full node (binding capacity)", "a full leg"]
    elif not full_handles:
        full_handles, full_text = [Line2D([], [], linestyle="")], ["none"]
    sections = [("Corridor  (Mt/yr)" if tonnes else "Corridor", corridors, corridor_text),
                ("Line width: tonnes (square-root scale)", widths, [_tonnes(t) for t in samples]),
                ("Nodes", node_handles, [text for *_, text in styles]),
                ("Full capacity (binding)", full_handles, full_text)]
    # Drawn key by key (fig.legend's layout passes cost as much as the whole map): rows of 7 pt text,
    # keys 2.6 font sizes long, as a legend with labelspacing 0.35 would set them.
    px, width, height = DPI / 72, fig.bbox.width, fig.bbox.height
    x, y = left * width, top * height
    for title, handles, texts in sections:
        if not handles:
            continue
        fig.text(x / width, y / height, title, fontsize=7.5, weight="bold", va="top")
        y -= 7.5 * 1.5 * px
        for handle, text in zip(handles, texts):
            lines = text.count("\n") + 1
            _key(fig, handle, x + 2, x + 2 + 2.6 * 7 * px, y - lines * 1.2 * 7 * px / 2)
            fig.text((x + 3.4 * 7 * px) / width, y / height, text, fontsize=7, va="top", linespacing=1.2)
            y -= (lines * 1.2 + 0.35) * 7 * px
        y -= 0.025 * height
    if tonnes:
        fig.text(x / width + 0.002, y / height - 0.005, READING, fontsize=6.5, color="#444444", va="top",
                 linespacing=1.4)


def _key(fig, handle: Line2D, x0: float, x1: float, y: float) -> None:
    """A legend key: handle's style drawn from x0 to x1 (a marker at the middle) at height y, in pixels."""
    key = Line2D([], [])
    key.update_from(handle)
    xs = [(x0 + x1) / 2] if handle.get_linestyle() in ("None", "", " ") else [x0, x1]
    key.set_data([v / fig.bbox.width for v in xs], [y / fig.bbox.height] * len(xs))
    key.set_transform(fig.transFigure)
    fig.add_artist(key)


def _tonnes(t: float) -> str:
    return f"{t / 1e6:g} Mt/yr" if t >= 1e6 else f"{t / 1e3:g} kt/yr"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
