"""A small raster painter for the map's PNG, on Pillow and numpy alone: written by hand because
matplotlib's import and drawing cost every solve more than the map may (the measurement and the
reason: docs/developer/renderers.md).

Canvas holds the picture as an array of RGB pixels. Lines and markers are painted straight into it
with exact sub-pixel edges: each pixel near a shape gets the share of it the shape covers, worked
out from its centre's distance to the shape's edges (a box filter, as an antialiasing renderer
does), so a line 1.6 px wide looks 1.6 px wide at any angle. The base layer's polygons are filled
by Pillow on a layer SUPERSAMPLE times larger and shrunk onto the canvas (antialiased coasts).
Text is Pillow's, with DejaVu Sans, the font matplotlib ships (found without importing it), laid out
as matplotlib lays out text: the same alignment on the ink's box, the same line spacing, a halo.
Sizes are in pixels; points convert at DPI.
"""

from __future__ import annotations

import importlib.util
import io
import math
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

DPI = 150
PX_PER_PT = DPI / 72
TYPO_EM = (1556 / 2048, 492 / 2048, 410 / 2048)  # DejaVu Sans's ascender, descender and line gap (OS/2), in em
SUPERSAMPLE = 3  # the base layer is filled at 3x and shrunk: 10 levels of edge coverage, 2 px borders
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "italic": "DejaVuSans-Oblique.ttf"}
SYSTEM_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu",
                    "/Library/Fonts", "C:/Windows/Fonts")


def rgb(colour: str) -> tuple[int, int, int]:
    """'#rrggbb' (or a name Pillow knows) -> (r, g, b)."""
    if colour.startswith("#") and len(colour) == 7:
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
    from PIL import ImageColor

    return ImageColor.getrgb(colour)[:3]


class Canvas:
    """width x height RGB pixels on a background; paint shapes, then picture() for the text."""

    def __init__(self, width: int, height: int, background: str = "white"):
        self.width, self.height = width, height
        self.pixels = np.empty((height, width, 3), dtype=np.uint8)
        self.pixels[:] = rgb(background)

    def paste(self, box: tuple[int, int, int, int], pixels: np.ndarray) -> None:
        """Copy an array of pixels (as polygon_layer gives) into box (x0, y0, x1, y1)."""
        self.pixels[box[1]:box[3], box[0]:box[2]] = pixels

    def bar(self, x1: float, y1: float, x2: float, y2: float, width: float, colour: str, alpha: float = 1.0,
            clip: tuple[float, float, float, float] | None = None, dash: tuple[float, float] | None = None,
            snap: bool = False, reach: float = 0.0) -> None:
        """A straight line from (x1, y1) to (x2, y2), width px wide, with square (butt) ends, in colour
        at alpha; dash=(on, off) in px for a dashed line starting with a dash. clip: paint only inside
        (x0, y0, x1, y1). snap: a level or upright line has its ends moved as matplotlib snaps them
        (to whole pixels, or pixel centres for a line an odd number of pixels wide), so that its
        edges are crisp; reach: the ends then drawn that much further out (a projecting cap)."""
        if snap and (x1 == x2 or y1 == y2):
            x1, y1, x2, y2 = (_snapped(v, width) for v in (x1, y1, x2, y2))
        if reach:
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            ux, uy = (x2 - x1) / length * reach, (y2 - y1) / length * reach
            x1, y1, x2, y2 = x1 - ux, y1 - uy, x2 + ux, y2 + uy
        length = math.hypot(x2 - x1, y2 - y1)
        if length <= 0 or width <= 0:
            return
        if dash is None:
            self._bar(x1, y1, x2, y2, width, rgb(colour), alpha, clip)
            return
        on, off = dash
        tx, ty = (x2 - x1) / length, (y2 - y1) / length
        start = 0.0
        while start < length:
            end = min(start + on, length)
            self._bar(x1 + tx * start, y1 + ty * start, x1 + tx * end, y1 + ty * end, width, rgb(colour), alpha, clip)
            start = end + off

    def polyline(self, points, width: float, colour: str, alpha: float = 1.0,
                 clip: tuple[float, float, float, float] | None = None,
                 dash: tuple[float, float] | None = None) -> None:
        """A line through points ((x, y) px), width px wide, square (butt) ends and round bends, in
        colour at alpha, each pixel painted once (where two pieces overlap at a bend, the more covered
        counts); dash=(on, off) px along the whole line. Two points: bar()."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if dash is not None:
            for piece in _dashes(pts, *dash):
                self.polyline(piece, width, colour, alpha, clip)
            return
        px, py = pts[:, 0], pts[:, 1]
        if len(pts) == 2:
            self.bar(px[0], py[0], px[1], py[1], width, colour, alpha, clip)
            return
        if len(pts) < 2 or width <= 0:
            return
        last = len(pts) - 2
        parts = [self._cover(px[i], py[i], px[i + 1], py[i + 1], width, butt_start=i == 0, butt_end=i == last)
                 for i in range(len(pts) - 1)]
        parts = [p for p in parts if p is not None]
        if not parts:
            return
        xs, ys, cover = (np.concatenate([p[k].ravel() for p in parts]) for k in range(3))
        keep = (xs >= 0) & (xs < self.width) & (ys >= 0) & (ys < self.height) & (cover > 0)
        xs, ys, cover = xs[keep], ys[keep], cover[keep]
        key = ys.astype(np.int64) * self.width + xs.astype(np.int64)
        order = np.lexsort((-cover, key))  # by pixel, the most covered first
        _, first = np.unique(key[order], return_index=True)
        pick = order[first]
        self._blend(xs[pick], ys[pick], cover[pick] * alpha, rgb(colour), clip)

    def _bar(self, x1, y1, x2, y2, width, colour, alpha, clip) -> None:
        part = self._cover(x1, y1, x2, y2, width)
        if part is not None:
            xs, ys, cover = part
            self._blend(xs, ys, cover * alpha, colour, clip)

    def _cover(self, x1, y1, x2, y2, width, butt_start: bool = True, butt_end: bool = True):
        """(xs, ys, cover) of the pixels near the line from (x1, y1) to (x2, y2) width px wide: each
        pixel's covered share. A butt end stops square at its point; the other ends are round (a
        polyline's bends). None for a line of no length."""
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        if length <= 0:
            return None
        steep = abs(dy) > abs(dx)
        if steep:  # walk the rows: swap x and y, paint, and swap back
            x1, y1, x2, y2, dx, dy = y1, x1, y2, x2, dy, dx
        reach = width / 2 + 1.0
        lo, hi = math.floor(min(x1, x2) - reach), math.ceil(max(x1, x2) + reach)
        cols = np.arange(lo, hi + 1, dtype=np.float64)
        half = reach * length / abs(dx) + 1.0  # how far from the centre line a touched pixel can be, across
        centre = y1 + (cols + 0.5 - x1) * (dy / dx)
        k = np.arange(math.ceil(2 * half) + 1, dtype=np.float64)
        ys = np.floor(centre - half)[:, None] + k[None, :]  # (columns, k): candidate pixel rows
        xs = np.broadcast_to(cols[:, None], ys.shape)
        px, py = xs + 0.5 - x1, ys + 0.5 - y1  # from the start to each pixel's centre
        along = (px * dx + py * dy) / length
        across = np.abs(px * -dy + py * dx) / length
        if not butt_start:  # a round end: beyond it, the distance to its point
            across = np.where(along < 0, np.hypot(across, along), across)
        if not butt_end:
            across = np.where(along > length, np.hypot(across, along - length), across)
        cover = np.clip(width / 2 + 0.5 - across, 0.0, min(width, 1.0))
        if butt_start and butt_end:
            cover *= np.clip(np.minimum(along, length - along) + 0.5, 0.0, 1.0)
        elif butt_start:
            cover *= np.clip(along + 0.5, 0.0, 1.0)
        elif butt_end:
            cover *= np.clip(length - along + 0.5, 0.0, 1.0)
        if steep:
            xs, ys = ys, xs
        return xs, ys, cover

    def marker(self, shape: str, x: float, y: float, size: float, face: str | None, edge: str | None,
               edge_px: float, alpha: float = 1.0, clip: tuple[float, float, float, float] | None = None) -> None:
        """A marker as matplotlib draws it: "o" a circle size px across, "s" a square size px a side,
        "D" that square turned 45 degrees; filled with face (None: not), outlined edge_px wide in edge
        (centred on the outline), the whole at alpha. As matplotlib does, the centre is moved to the
        nearest pixel corner and a square's sides are snapped (crisp)."""
        x, y = math.floor(x + 0.5), math.floor(y + 0.5)
        reach = size * 0.75 + edge_px + 2
        xs, ys = np.meshgrid(np.arange(math.floor(x - reach), math.ceil(x + reach) + 1, dtype=np.float64),
                             np.arange(math.floor(y - reach), math.ceil(y + reach) + 1, dtype=np.float64))
        h = size / 2
        if shape == "s":
            low, high = _snapped(-h, edge_px), _snapped(h, edge_px)
            x, y, h = x + (low + high) / 2, y + (low + high) / 2, (high - low) / 2
        u, v = xs + 0.5 - x, ys + 0.5 - y
        if shape == "s":
            qx, qy = np.abs(u) - h, np.abs(v) - h
            inside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0)) + np.minimum(np.maximum(qx, qy), 0)
        elif shape == "D":
            inside = (np.abs(u) + np.abs(v) - h * math.sqrt(2)) / math.sqrt(2)
        else:
            inside = np.hypot(u, v) - h  # signed distance to the outline: negative inside
        if face is not None:
            self._blend(xs, ys, np.clip(0.5 - inside, 0.0, 1.0) * alpha, rgb(face), clip)
        if edge is not None and edge_px > 0:
            ring = np.clip(edge_px / 2 + 0.5 - np.abs(inside), 0.0, min(edge_px, 1.0))
            self._blend(xs, ys, ring * alpha, rgb(edge), clip)

    def _blend(self, xs: np.ndarray, ys: np.ndarray, cover: np.ndarray, colour: tuple, clip) -> None:
        """Mix colour into the pixels (xs, ys) by cover (0..1 each); outside the clip box or the canvas
        nothing is painted."""
        x0, y0, x1, y1 = clip or (0, 0, self.width, self.height)
        keep = (cover > 0.002) & (xs >= max(x0, 0)) & (xs < min(x1, self.width)) & (ys >= max(y0, 0)) & \
            (ys < min(y1, self.height))
        if not keep.any():
            return
        cols, rows, share = xs[keep].astype(np.intp), ys[keep].astype(np.intp), cover[keep][:, None]
        old = self.pixels[rows, cols].astype(np.float32)
        self.pixels[rows, cols] = (old + (np.asarray(colour, dtype=np.float32) - old) * share + 0.5).astype(np.uint8)

    def picture(self) -> Image.Image:
        return Image.fromarray(self.pixels, "RGB")


def _dashes(points: np.ndarray, on: float, off: float) -> list[np.ndarray]:
    """The dashes of a line through points: pieces on px long, off px apart, from its start."""
    step = np.hypot(*np.diff(points, axis=0).T)
    at = np.concatenate([[0.0], np.cumsum(step)])
    out, start = [], 0.0
    while start < at[-1] and on > 0:
        end = min(start + on, at[-1])
        inside = (at > start) & (at < end)
        xs = np.interp([start, *at[inside], end], at, points[:, 0])
        ys = np.interp([start, *at[inside], end], at, points[:, 1])
        out.append(np.column_stack([xs, ys]))
        start = end + off
    return out


def _snapped(v: float, width: float) -> float:
    """A coordinate as matplotlib's Agg snaps a level or upright path's vertices: to the nearest
    whole pixel, plus half a pixel when the line is an odd number of pixels wide."""
    return math.floor(v + 0.5) + (0.5 if round(width) % 2 else 0.0)


def polygon_layer(size: tuple[int, int], background: str, rings: list[np.ndarray], fill: str, edge: str,
                  edge_px: float) -> np.ndarray:
    """The base layer: an array (height, width, 3) of pixels of background, each ring (an array (n, 2)
    of its pixels) filled with fill, then outlined edge_px wide in edge. Rings are filled one by one
    (no holes): the base layer's countries tile the land, so a hole in one country is another
    country's land."""
    s = SUPERSAMPLE
    layer = Image.new("RGB", (size[0] * s, size[1] * s), background)
    draw = ImageDraw.Draw(layer)
    # Pillow cuts vertices to whole pixels and fills the pixels on the outline too: at 3x, within a
    # sixth of a pixel of the true outline after shrinking.
    flat = [(r * s).ravel().tolist() for r in rings if len(r) >= 3]
    for points in flat:
        draw.polygon(points, fill=fill)
    line = max(1, round(edge_px * s))
    for points in flat:
        draw.line(points, fill=edge, width=line)
    return np.asarray(layer.reduce(s))


def points_to_px(points: float) -> float:
    return points * PX_PER_PT


# Module-level caches of immutable data (tests/test_architecture.py, MODULE_CACHES): the font files are
# the installed matplotlib's or the system's, and the sizes and styles the renderer's own constants.
@lru_cache(maxsize=1)
def font_dir() -> Path | None:
    """The folder of DejaVu Sans: matplotlib's bundled copy (found without importing matplotlib),
    else the system's; None when there is neither."""
    places = []
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None:
        places += [Path(p) / "mpl-data" / "fonts" / "ttf" for p in spec.submodule_search_locations or []]
    places += [Path(p) for p in SYSTEM_FONT_DIRS]
    return next((p for p in places if (p / FONT_FILES["regular"]).is_file()), None)


@cache
def font(size_px: float, style: str = "regular") -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans of size_px (em) in style (regular, bold, italic; regular if the style's file is
    missing); Pillow's own font if DejaVu Sans is nowhere."""
    folder = font_dir()
    if folder is not None:
        for name in (FONT_FILES.get(style, FONT_FILES["regular"]), FONT_FILES["regular"]):
            if (folder / name).is_file():
                try:
                    return ImageFont.truetype(str(folder / name), size_px, layout_engine=ImageFont.Layout.BASIC)
                except TypeError:  # Pillow < 10.1: whole pixels only
                    return ImageFont.truetype(str(folder / name), round(size_px), layout_engine=ImageFont.Layout.BASIC)
    try:
        return ImageFont.load_default(size_px)
    except TypeError:  # Pillow < 10.1: one bitmap size
        return ImageFont.load_default()


def put_text(draw: ImageDraw.ImageDraw, x: float, y: float, words: str, size_pt: float, colour: str = "#000000",
         style: str = "regular", ha: str = "left", va: str = "top", linespacing: float | None = None,
         halo: tuple[float, str] | None = None) -> None:
    """Text at (x, y) px as matplotlib's fig.text places it: ha (left, center, right) and va (top,
    center, bottom) align the box of the lines (see _lay_out_text), each line aligned as ha says;
    halo=(width in pt, colour) strokes round the letters."""
    f = font(round(points_to_px(size_pt), 2), style)
    if not isinstance(f, ImageFont.FreeTypeFont):  # Pillow's bitmap font: no anchors, no halo
        draw.multiline_text((x, y), words, fill=colour, font=f)
        return
    lines, width, height = _lay_out_text(f, words, linespacing)
    left = x - {"left": 0.0, "center": width / 2, "right": width}.get(ha, 0.0)
    top = y - {"top": 0.0, "center": height / 2, "bottom": height}.get(va, 0.0)
    stroke_width, stroke_fill = (points_to_px(halo[0]) / 2, halo[1]) if halo else (0.0, None)
    for line, ink_left, line_width, baseline in lines:
        if not line:
            continue
        shift = {"left": 0.0, "center": (width - line_width) / 2, "right": width - line_width}.get(ha, 0.0)
        at = (round(left + shift - ink_left), round(top + baseline))  # whole pixels, as matplotlib sets text
        try:
            draw.text(at, line, fill=colour, font=f, anchor="ls", stroke_width=stroke_width, stroke_fill=stroke_fill)
        except TypeError:  # an older Pillow: a halo of whole pixels
            draw.text(at, line, fill=colour, font=f, anchor="ls", stroke_width=round(stroke_width),
                      stroke_fill=stroke_fill)


def _lay_out_text(f: ImageFont.FreeTypeFont, words: str, linespacing: float | None) -> tuple[list, float, float]:
    """matplotlib's (3.11) text layout: [(line, ink left, ink width, baseline below the top)], the
    box's width and height. With a linespacing, each line is linespacing em high, its ink centred
    in it; without ("normal"), a line reaches at least the font's ascender and descender, plus half
    the line gap each way when there are several lines."""
    size = f.size
    rows = words.split("\n")
    least_up, least_down, gap = (m * size for m in TYPO_EM)
    gap = gap if len(rows) > 1 else 0.0
    lines, y, width = [], 0.0, 0.0
    for line in rows:
        left, top, right, bottom = f.getbbox(line, anchor="ls") if line else (0, 0, 0, 0)
        up, down = -top, bottom  # the ink above and below the baseline
        if linespacing is None:
            up, down = max(up, least_up) + gap / 2, max(down, least_down) + gap / 2
        else:
            leading = linespacing * size - (up + down)
            up, down = up + leading / 2, down + leading / 2
        y += up
        lines.append((line, left, right - left, y))
        width = max(width, right - left)
        y += down
    return lines, width, y


def png_bytes(picture: Image.Image, software: str) -> bytes:
    """The picture as an RGB PNG with the Software mark (zlib level 3: about as small as the
    default, faster)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", software)
    out = io.BytesIO()
    picture.convert("RGB").save(out, format="png", pnginfo=info, compress_level=3)
    return out.getvalue()
