"""One colour per corridor for every picture: the map (PNG and page), the result's Corridors chart,
and the sweep, compare and frontier charts.

The project's corridors have fixed colours (CORRIDOR_COLOURS: families share a hue, Russia blues,
China oranges, Pakistan's ports pinks and greens), chosen so that any two differ by at least
MIN_DELTA_E (CIE76 colour difference in CIELAB; about 2.3 is the least a reader notices side by side,
and thin lines on a map need much more) and each stands out from the land, the sea and the red of
full capacities. Any other name gets the first colour of an endless, fixed sequence of hues
(EXTRA_COLOURS, then the golden-angle sequence) that keeps the same distance from every colour
already given, so no two series of one picture share a colour however many there are.
"""

from __future__ import annotations

import colorsys
import math
from itertools import count

MIN_DELTA_E = 28.0  # least CIE76 difference between two corridors' colours (tested)
CORRIDOR_COLOURS = {
    "Russia: CPC pipeline": "#1f4e9c",
    "Russia: Black Sea": "#5490d4",
    "Russia: Baltic": "#29bce0",
    "Russia: Caspian (Makhachkala)": "#078888",
    "Russia: rail (Russian market)": "#305f7e",
    "China: rail": "#e07b00",
    "China: pipeline": "#9c5a1a",
    "China: Lianyungang": "#e0af29",
    "China-Europe rail": "#c9a26b",
    "Middle Corridor": "#2e9e48",
    "Iran": "#6f3894",
    "Afghanistan (Termez)": "#8a8f2b",
    "Central Asia (Saryagash)": "#8d6e63",
    "Central Asia (Bolashak)": "#da7b6c",
    "Karachi via KKH": "#c2185b",
    "Karachi via Afghanistan": "#da6ca0",
    "Karachi via Trans-Afghan railway": "#da6cda",
    "Gwadar via KKH": "#066b42",
    "Gwadar via Afghanistan": "#3bceba",
    "Gwadar via Trans-Afghan railway": "#a0cd7a",
}
FULL_COLOUR = "#d62728"  # a full (binding) capacity: kept for that
LAND, BORDER, SEA = "#e8e6e1", "#a8a49c", "#dcebf5"  # the base layer's fill, borders and sea
BACKDROP = (LAND, SEA, "#ffffff", FULL_COLOUR)  # what a corridor's colour must stand out from
EXTRA_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2", "#edc948", "#ff9da7",
                 "#17becf", "#bcbd22", "#7f7f7f", "#393b79")  # tried first for other names (Tableau's)


def lab(colour: str) -> tuple[float, float, float]:
    """'#rrggbb' -> CIELAB (L*, a*, b*), sRGB with the D65 white."""
    linear = []
    for i in (1, 3, 5):
        c = int(colour[i:i + 2], 16) / 255
        linear.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = linear
    xyz = ((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
           (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)
    fx, fy, fz = (t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference of two '#rrggbb' colours."""
    return math.dist(lab(a), lab(b))


def _candidates():
    """Other names' colours, in a fixed order without end: EXTRA_COLOURS, then hues 137.5 degrees
    apart (the golden angle) at three lightnesses in turn."""
    yield from EXTRA_COLOURS
    for k in count():
        r, g, b = colorsys.hls_to_rgb((k * 137.508 / 360) % 1.0, (0.35, 0.5, 0.62)[k % 3], 0.7)
        yield f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def _next_colour(used: list[str], apart: dict[tuple[str, str], float]) -> str:
    """The first candidate at least MIN_DELTA_E from every used colour and the backdrop (the bar
    lowered by steps when a picture has used up the room, never to a colour already given).
    apart: the colour differences worked out so far for this picture, kept by its caller."""
    def far_enough(colour: str, other: str, least: float) -> bool:
        if (colour, other) not in apart:
            apart[(colour, other)] = delta_e(colour, other)
        return apart[(colour, other)] >= least

    least = MIN_DELTA_E
    while True:
        for k, c in enumerate(_candidates()):
            if k > 400:
                break
            if c not in used and all(far_enough(c, u, least) for u in used) and \
                    all(far_enough(c, u, least / 2) for u in BACKDROP):
                return c
        least *= 0.8


def corridor_colours(corridors) -> dict[str, str]:
    """A colour for each corridor of one picture, no two alike: the palette's own, then, for the
    other names in sorted order (the same corridors get the same colours every run), the next
    colour far enough from all given."""
    out = {c: CORRIDOR_COLOURS[c] for c in corridors if c in CORRIDOR_COLOURS}
    used = list(out.values())
    apart: dict[tuple[str, str], float] = {}
    for c in sorted(set(corridors) - set(out)):
        out[c] = _next_colour(used, apart)
        used.append(out[c])
    return out


def corridor_colour(corridor: str) -> str:
    """The corridor's colour when it is drawn alone (its palette colour, else the first free one)."""
    return corridor_colours([corridor])[corridor]


def series_colours(n: int) -> list[str]:
    """n colours, no two alike, for series that are not corridors (the scenarios of a comparison)."""
    used: list[str] = []
    apart: dict[tuple[str, str], float] = {}
    for _ in range(n):
        used.append(_next_colour(used, apart))
    return used
