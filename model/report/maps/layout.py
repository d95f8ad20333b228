"""Where everything goes, in map units, shared by the PNG and the HTML so both show one map.

`lay_out(map_data)` projects the base layer, the nodes and the used legs into one frame
(MAP_WIDTH units wide, y down), sets each line's width and side-by-side offset, and places
the labels. The renderers only paint what the layout says.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from model.report.maps.lanes import SeaLanes, is_sea
from model.report.maps.palette import corridor_colour

if TYPE_CHECKING:
    from model.report.maps.data import MapCorridor, MapData, MapLeg, MapNode

BASEMAP = Path(__file__).with_name("basemap.json")
STANDARD_PARALLEL_DEG = 40.0  # equirectangular projection true to scale at 40 N
MAP_WIDTH = 1000.0  # map units; 1 unit is about 1.1 px in the PNG and in the page's SVG
MAP_ASPECT = 1.3  # width / height of the map area in both renderers
PAD_DEG = 4.0  # margin around the drawn nodes
WIDTH_MIN, WIDTH_MAX = 1.4, 15.0  # line width in map units for the least and most tonnes
LINE_GAP = 0.8  # space between side-by-side corridor lines on a shared leg
LABEL_SIZE = 14.0  # label font size in map units
DOT_MARGIN = 5.0  # map units a label keeps clear of other dots
CHAR_WIDTH = 0.64  # average character width as a share of the font size (DejaVu Sans; wider than most)
DOT_SIZE = {"market": 5.5, "origin": 5.0, "port": 4.5}  # radius in map units; other kinds 3
LABELLED_KINDS = ("origin", "port", "market")
# A node's fill and its legend text, by kind, in both renderers (any other kind: OTHER_NODE_LEGEND).
NODE_LEGEND = {"origin": ("#222222", "Origin (Kazakh producers)"), "port": ("#ffffff", "Port"),
              "market": ("#5d4037", "Market")}
OTHER_NODE_LEGEND = ("#777777", "Border crossing, hub, other")

def project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular with a standard parallel: (x, y) in degrees of latitude, y up."""
    return lon * math.cos(math.radians(STANDARD_PARALLEL_DEG)), lat


# Module-level caches of immutable data (tests/test_architecture.py, MODULE_CACHES): the base layer ships
# with the package (basemap.json), the same for every run.
@lru_cache(maxsize=1)
def load_basemap() -> dict:
    """The shipped coastlines and borders (see PROVENANCE.md)."""
    return json.loads(BASEMAP.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _projected_countries() -> list[tuple[str, list[np.ndarray], np.ndarray]]:
    """Each country's rings projected once: (name, [array (n, 2) of projected x, y], its bounding
    box x0, y0, x1, y1)."""
    out = []
    scale = math.cos(math.radians(STANDARD_PARALLEL_DEG))
    west, east = load_basemap()["box_lon_lat"][0], load_basemap()["box_lon_lat"][2]
    for c in load_basemap()["countries"]:
        rings = [_unwrapped(np.asarray(r, dtype=float).reshape(-1, 2), west, east) * (scale, 1.0) for r in c["rings"]]
        stacked = np.concatenate(rings)
        out.append((c["name"], rings, np.concatenate([stacked.min(axis=0), stacked.max(axis=0)])))
    return out


def _unwrapped(ring: np.ndarray, west: float, east: float) -> np.ndarray:
    """A ring (lon, lat) without the detours its clipping made of a crossing of the antimeridian: a
    run of points on the box's west edge between two on its east edge (Russia's Chukotka, clipped to
    the box) joined the two edges by lines right across the map, filling a band of land over the
    Atlantic, Europe and Siberia north of 65 N. The run is dropped: the ring follows the east edge."""
    on_west, on_east = ring[:, 0] == west, ring[:, 0] == east
    keep = np.ones(len(ring), dtype=bool)
    i = 0
    while i < len(ring):
        if on_west[i]:
            j = i
            while j + 1 < len(ring) and on_west[j + 1]:
                j += 1
            if i > 0 and j + 1 < len(ring) and on_east[i - 1] and on_east[j + 1]:
                keep[i:j + 1] = False
            i = j + 1
        else:
            i += 1
    return ring[keep]


@dataclass(frozen=True)
class Frame:
    """Projected (x, y) -> map units: x to the right, y down, MAP_WIDTH wide."""
    x_min: float
    y_max: float
    scale: float  # map units per projected degree
    width: float
    height: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = project(lon, lat)
        return (x - self.x_min) * self.scale, (self.y_max - y) * self.scale

    def countries(self) -> list[tuple[str, list[np.ndarray]]]:
        """The base layer's countries that show in the frame, each ring an array (n, 2) of map units."""
        x1, y0 = self.x_min + self.width / self.scale, self.y_max - self.height / self.scale
        out = []
        for name, rings, (bx0, by0, bx1, by1) in _projected_countries():
            if bx1 < self.x_min or bx0 > x1 or by1 < y0 or by0 > self.y_max:
                continue
            out.append((name, [(r - (self.x_min, self.y_max)) * (self.scale, -self.scale) for r in rings]))
        return out


def frame_around(points: list[tuple[float, float]]) -> Frame:
    """The frame of aspect MAP_ASPECT holding every (lon, lat) with a PAD_DEG margin, kept
    inside the base layer's box (the whole box when there are no points)."""
    lon_min, lat_min, lon_max, lat_max = load_basemap()["box_lon_lat"]
    if points:
        lon_min = max(lon_min, min(p[0] for p in points) - PAD_DEG)
        lon_max = min(lon_max, max(p[0] for p in points) + PAD_DEG)
        lat_min = max(lat_min, min(p[1] for p in points) - PAD_DEG)
        lat_max = min(lat_max, max(p[1] for p in points) + PAD_DEG)
    (x0, y0), (x1, y1) = project(lon_min, lat_min), project(lon_max, lat_max)
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    if w / h < MAP_ASPECT:  # widen about the centre
        x0, w = x0 - (h * MAP_ASPECT - w) / 2, h * MAP_ASPECT
    else:  # heighten about the centre
        y0, h = y0 - (w / MAP_ASPECT - h) / 2, w / MAP_ASPECT
    (bx0, by0), (bx1, by1) = (project(*xy) for xy in np.reshape(load_basemap()["box_lon_lat"], (2, 2)))
    x0 = min(max(x0, bx0), bx1 - w) if w <= bx1 - bx0 else x0  # slid back inside the base layer where it fits
    y0 = min(max(y0, by0), by1 - h) if h <= by1 - by0 else y0
    scale = MAP_WIDTH / w
    return Frame(x_min=x0, y_max=y0 + h, scale=scale, width=MAP_WIDTH, height=MAP_WIDTH / MAP_ASPECT)


def line_width(tonnes_t: float, max_t: float) -> float:
    """WIDTH_MIN + (WIDTH_MAX - WIDTH_MIN) * sqrt(tonnes / most tonnes on a leg), in map units."""
    if max_t <= 0:
        return WIDTH_MIN
    return WIDTH_MIN + (WIDTH_MAX - WIDTH_MIN) * math.sqrt(max(tonnes_t, 0.0) / max_t)


def width_samples(max_t: float) -> list[float]:
    """Two or three round tonnages up to max_t for the width legend."""
    if max_t <= 0:
        return []
    top = 10 ** math.floor(math.log10(max_t))
    top = max(m * top for m in (1, 2, 5) if m * top <= max_t)
    return sorted({top, top / 10, top / 100} - {0})[-3:] if top >= 1 else [max_t]


def short_label(name: str) -> str:
    """The name without what a map label can spare: a 'Market: ' prefix, brackets, a second
    name after ' / ', and the lower-case words after the proper name; a lone acronym keeps
    the last word. 'Market: East Africa (Mombasa/Dar es Salaam)' -> 'East Africa',
    'Aktau / Kuryk ports' -> 'Aktau', 'Ekibastuz coal basin' -> 'Ekibastuz',
    'CPC marine terminal (Novorossiysk)' -> 'CPC terminal'."""
    text = name.removeprefix("Market: ")
    for cut in (" (", " / "):
        text = text.split(cut)[0]
    words = text.split()
    proper = []
    for w in words:
        if not w[:1].isupper() and not w[:1].isdigit():
            break
        proper.append(w)
    if len(proper) == 1 and proper[0].isupper() and len(words) > 1:
        proper.append(words[-1])
    return " ".join(proper or words).strip() or name


@dataclass
class Segment:
    """One leg in one corridor as drawn: a line through points (an array (n, 2) of map units, from
    the leg's start to its end: two for a land leg, the sea lane's for a sea leg), width wide."""
    leg: MapLeg
    points: np.ndarray
    width: float
    colour: str

    @property
    def x1(self) -> float:
        return float(self.points[0, 0])

    @property
    def y1(self) -> float:
        return float(self.points[0, 1])

    @property
    def x2(self) -> float:
        return float(self.points[-1, 0])

    @property
    def y2(self) -> float:
        return float(self.points[-1, 1])

    def pieces(self) -> np.ndarray:
        """Its straight pieces as rows (x, y, dx, dy, length)."""
        start, step = self.points[:-1], np.diff(self.points, axis=0)
        return np.column_stack([start, step, np.hypot(step[:, 0], step[:, 1])])


@dataclass
class Label:
    text: str
    x: float  # anchor point of the text
    y: float
    align: str  # "start", "middle" or "end"
    baseline: str  # "top", "middle" or "bottom" of the text at y
    muted: bool
    leader: tuple[float, float] | None = None  # the dot's centre, when the label stands off it
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # estimated extent (x0, y0, x1, y1)


@dataclass
class MapLayout:
    frame: Frame
    countries: list[tuple[str, list[np.ndarray]]]  # the base layer in map units (Frame.countries)
    segments: list[Segment]
    nodes: list[tuple[MapNode, float, float]]  # (node, x, y) of each node drawn
    labels: list[Label]
    max_t: float
    unplaced: list[str] = field(default_factory=list)  # nodes not drawn for want of coordinates


def _has_coords(node: MapNode | None) -> bool:
    return node is not None and node.lat is not None and node.lon is not None


def lay_out(map_data: MapData, frame: Frame | None = None, max_t: float | None = None,
            labelled: bool = True, lanes: SeaLanes | None = None) -> MapLayout:
    """Everything both renderers draw, in map units. Nodes without coordinates and the legs that
    touch them are left out (map_data.unplaced names them). frame and max_t: a shared frame and
    width scale (the panels of a comparison); labelled=False places no labels; lanes: the sea lanes
    of the picture (shared by its panels), found afresh for this map by default."""
    nodes = {n.id: n for n in map_data.nodes}
    legs = map_data.legs
    used_ids = {n for leg in legs for n in (leg.start, leg.end)}
    shown = [n for n in nodes.values() if _has_coords(n) and (n.id in used_ids or n.kind in LABELLED_KINDS)]
    drawable = [leg for leg in legs if _has_coords(nodes.get(leg.start)) and _has_coords(nodes.get(leg.end))]
    tracks = _tracks(drawable, nodes, lanes or SeaLanes())
    frame = frame or frame_around([n.lon_lat for n in shown] + [p for t in tracks.values() for p in t])
    if max_t is None:
        max_t = max((leg.tonnes_t for leg in drawable), default=0.0)
    segments = _segments(drawable, tracks, frame, max_t, {c.corridor: c for c in map_data.corridors})
    points = [(n, *frame.xy(*n.lon_lat)) for n in shown]
    labels = _labels(points, segments, frame) if labelled else []
    return MapLayout(frame, frame.countries(), segments, points, labels, max_t, list(map_data.unplaced))


def _tracks(legs: list[MapLeg], nodes: dict[str, MapNode], lanes: SeaLanes) -> dict[tuple[str, str], tuple]:
    """(a, b) -> the (lon, lat) points of the stretch from a to b (a < b), for each stretch of the legs:
    a sea leg's along the sea lanes (model.report.maps.lanes), a land leg's straight. A stretch used by sea
    and by land is drawn along the sea lane."""
    out: dict[tuple[str, str], tuple] = {}
    for leg in sorted(legs, key=lambda leg: not is_sea(leg.mode)):
        a, b = sorted((leg.start, leg.end))
        if (a, b) not in out:
            out[(a, b)] = lanes.leg_points(leg.mode, nodes[a].lon_lat, nodes[b].lon_lat)
    return out


def _segments(legs: list[MapLeg], tracks: dict, frame: Frame, max_t: float,
              corridors: dict[str, MapCorridor]) -> list[Segment]:
    """One line per (leg, corridor) along its stretch's track; corridors sharing a stretch (either
    direction) side by side, in the legend's order, the band centred on the track."""
    order = {name: i for i, name in enumerate(corridors)}
    stretches: dict[tuple[str, ...], list[MapLeg]] = {}
    for leg in legs:
        stretches.setdefault(tuple(sorted((leg.start, leg.end))), []).append(leg)
    out = []
    for (a, b), group in stretches.items():
        group.sort(key=lambda leg: (order.get(leg.corridor, len(order)), leg.corridor, leg.leg))
        track = np.array([frame.xy(lon, lat) for lon, lat in tracks[(a, b)]])  # from a to b
        normals = offset_normals(track)
        widths = [line_width(leg.tonnes_t, max_t) for leg in group]
        offset = -(sum(widths) + LINE_GAP * (len(group) - 1)) / 2
        for leg, w in zip(group, widths, strict=True):
            shift = offset + w / 2
            offset += w + LINE_GAP
            points = track + normals * shift
            known = corridors.get(leg.corridor)
            colour = (known.colour if known else "") or corridor_colour(leg.corridor)
            out.append(Segment(leg, points if leg.start == a else points[::-1].copy(), w, colour))
    out.sort(key=lambda s: -s.width)  # thick first, so thin lines stay on top
    return out


def offset_normals(track: np.ndarray) -> np.ndarray:
    """For each point of a line (an array (n, 2)), the vector to add, times d, to move it d to the
    left of the line (y down: to the line's right on screen) with the pieces kept parallel: the unit
    normal of its pieces at the ends, the mitred mean of the two pieces' normals at a bend (at most
    twice as long, so a sharp turn does not shoot out)."""
    step = np.diff(track, axis=0)
    length = np.hypot(step[:, 0], step[:, 1])
    length[length == 0] = 1.0
    piece = np.column_stack([-step[:, 1], step[:, 0]]) / length[:, None]  # each piece's unit normal
    normals = np.vstack([piece[:1], (piece[:-1] + piece[1:]) / 2, piece[-1:]])
    size = np.hypot(normals[:, 0], normals[:, 1])
    size[size < 1e-9] = 1.0
    scale = 1.0 / np.maximum(size, 0.5)  # a mitre: the mean normal's length is cos(half the turn)
    return normals / size[:, None] * scale[:, None]


def dot_radius(kind: str) -> float:
    return DOT_SIZE.get(kind, 3.0)


def _labels(points: list[tuple[MapNode, float, float]], segments: list[Segment], frame: Frame) -> list[Label]:
    """Greedy placement: markets, origins, full elements, ports, in that order (busiest first).
    Each label takes, of 32 spots on four rings around its dot (near ones first, the far ones with a
    leader line), the one that overlaps no label placed before it, covers least of the other dots
    and then least line; it must stay inside the frame. A port or other label that cannot avoid a
    dot or a label is left out; a market or an origin takes the spot that overlaps least."""
    rank = {"market": 0, "origin": 1, "port": 3}
    todo = [(i, n, x, y) for i, (n, x, y) in enumerate(points) if n.kind in LABELLED_KINDS or n.full]
    todo.sort(key=lambda p: (2 if p[1].full and p[1].kind not in ("market", "origin")
                             else rank.get(p[1].kind, 4), -p[1].tonnes_t))
    m = DOT_MARGIN  # a label keeps this far from other dots, so it reads as its own dot's
    boxes = [(x - dot_radius(n.kind) - m, y - dot_radius(n.kind) - m, x + dot_radius(n.kind) + m,
              y + dot_radius(n.kind) + m) for n, x, y in points]
    lines = np.vstack([s.pieces() * (1, 1, 1, 1, s.width) for s in segments] or [np.zeros((0, 5))])
    labels: list[Label] = []
    h = LABEL_SIZE * 1.1
    for own, n, x, y in todo:
        text = n.label or short_label(n.name)
        w = label_width(text, italic=n.tonnes_t <= 0)
        spots = []
        for r in (dot_radius(n.kind) + 2.5, dot_radius(n.kind) + 14, dot_radius(n.kind) + 28,
                  dot_radius(n.kind) + 44):
            d = r * 0.75
            spots += [  # (anchor x, anchor y, align, baseline, box)
                (x + r, y, "start", "middle", (x + r, y - h / 2, x + r + w, y + h / 2)),
                (x - r, y, "end", "middle", (x - r - w, y - h / 2, x - r, y + h / 2)),
                (x, y - r, "middle", "bottom", (x - w / 2, y - r - h, x + w / 2, y - r)),
                (x, y + r, "middle", "top", (x - w / 2, y + r, x + w / 2, y + r + h)),
                (x + d, y - d, "start", "bottom", (x + d, y - d - h, x + d + w, y - d)),
                (x - d, y - d, "end", "bottom", (x - d - w, y - d - h, x - d, y - d)),
                (x + d, y + d, "start", "top", (x + d, y + d, x + d + w, y + d + h)),
                (x - d, y + d, "end", "top", (x - d - w, y + d, x - d, y + d + h)),
            ]
        inside = [s for s in spots if s[4][0] >= 2 and s[4][1] >= 2 and s[4][2] <= frame.width - 2
                  and s[4][3] <= frame.height - 2] or spots
        candidates = np.array([s[4] for s in inside])
        others = np.array([b for j, b in enumerate(boxes) if j != own]).reshape(-1, 4)
        covered = _overlaps(candidates, others)
        on_label = _overlaps(candidates, np.array([lab.box for lab in labels]).reshape(-1, 4))
        score = on_label * 1e6 + covered * 50 + _line_cover(candidates, lines) + np.arange(len(inside)) * 20
        i = min(range(len(inside)), key=lambda k: (score[k], covered[k], k))
        if covered[i] > 0 and n.kind not in ("market", "origin"):
            continue
        ax, ay, align, baseline, box = inside[i]
        boxes.append(box)
        far = math.hypot(ax - x, ay - y) > dot_radius(n.kind) + 5
        labels.append(Label(text, ax, ay, align, baseline, muted=n.tonnes_t <= 0, leader=(x, y) if far else None,
                            box=box))
    return labels


def label_width(text: str, italic: bool = False) -> float:
    """A label's width in map units: the estimate of CHAR_WIDTH a character, or the width DejaVu Sans
    (the PNG's font) gives it if wider (an italic name is wider than its upright estimate)."""
    from model.report.maps.raster import font

    estimate = LABEL_SIZE * CHAR_WIDTH * len(text)
    f = font(100.0, "italic" if italic else "regular")
    return max(estimate, f.getlength(text) / 100 * LABEL_SIZE) if hasattr(f, "getlength") else estimate


def _line_cover(boxes: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """For each box (x0, y0, x1, y1), the length of every line (x, y, dx, dy, length x width)
    inside it, times its width, summed (Liang-Barsky clipping, all boxes and lines at once)."""
    if not len(lines) or not len(boxes):
        return np.zeros(len(boxes))
    x0, y0, dx, dy, weight = lines.T
    p = np.stack([-dx, dx, -dy, dy])[:, None, :]  # (4, 1, lines)
    q = np.stack([x0 - boxes[:, 0:1], boxes[:, 2:3] - x0, y0 - boxes[:, 1:2], boxes[:, 3:4] - y0])  # (4, boxes, lines)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = q / p
    t0 = np.maximum(0.0, np.where(p < 0, t, -np.inf).max(axis=0))
    t1 = np.minimum(1.0, np.where(p > 0, t, np.inf).min(axis=0))
    outside = ((p == 0) & (q < 0)).any(axis=0)  # parallel to an edge and beyond it
    share = np.where(outside, 0.0, np.clip(t1 - t0, 0.0, None))
    return share @ weight


def _overlaps(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """For each box, the area it shares with the others (x0, y0, x1, y1), summed."""
    if not len(others):
        return np.zeros(len(boxes))
    w = np.minimum(boxes[:, None, 2], others[None, :, 2]) - np.maximum(boxes[:, None, 0], others[None, :, 0])
    h = np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(boxes[:, None, 1], others[None, :, 1])
    return (np.clip(w, 0.0, None) * np.clip(h, 0.0, None)).sum(axis=1)


def width_key_text(t: float) -> str:
    """A line-width key's tonnes: '5 Mt/yr', '500 kt/yr'."""
    return f"{t / 1e6:g} Mt/yr" if t >= 1e6 else f"{t / 1e3:g} kt/yr"
