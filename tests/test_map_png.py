"""The map as a PNG: its size, that it is drawn (not blank), marked as corridor's, with land, sea and
every corridor's colour; a node without coordinates is left out and named; comparison panels."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from map_cases import NORTH, SOUTH, distinct_colours, map_area_colours, tiny_map_data
from PIL import Image

from model.report.maps.data import FullCapacity
from model.report.maps.palette import LAND, SEA
from model.report.maps.png import draw_map, draw_panels
from model.report.output import written_by


def rgb(hex_colour: str) -> tuple:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def line_colours(colour: str) -> list[tuple]:
    """A leg's colour as the map shows it: itself (where lines overlap), and at 0.92 opacity over land
    and over sea."""
    c = rgb(colour)
    return [c] + [tuple(round(0.92 * a + 0.08 * b) for a, b in zip(c, rgb(under), strict=True))
                  for under in (LAND, SEA)]


def test_png_is_1600_by_1000_drawn_and_marked(tmp_path):
    png = draw_map(tiny_map_data(with_ghost=False), "corridor-model:solve")
    with Image.open(io.BytesIO(png)) as im:
        assert im.size == (1600, 1000) and im.format == "PNG"
    # Base layer, sea, corridor lines, text with anti-aliasing: thousands of colours; a blank or
    # single-colour canvas has a handful.
    assert distinct_colours(png) > 500
    (tmp_path / "m.png").write_bytes(png)
    assert written_by(tmp_path / "m.png") == "solve"


def test_map_shows_land_sea_and_each_corridor():
    data = tiny_map_data(with_ghost=False)
    colours = map_area_colours(draw_map(data, "corridor-model:map"))
    total = sum(colours.values())
    # Caspian-to-China land and the Mediterranean, Arabian Sea and Indian Ocean: each a good share (sea
    # about 10%: the frame no longer reaches past the base layer's top, 70 N, where blank sea showed).
    assert colours.get(rgb(LAND), 0) > 0.2 * total and colours.get(rgb(SEA), 0) > 0.08 * total
    for c in data.corridors:
        # Lines are drawn at 0.92 opacity: over land their colour blends a little with it.
        near = sum(n for col, n in colours.items()
                   if max(abs(a - b) for a, b in zip(col, rgb(c.colour), strict=True)) <= 12)
        assert near > 100, c


def test_a_node_without_coordinates_is_left_out_and_the_rest_drawn():
    data = tiny_map_data()  # X ("Nowhere hub") has no lat/lon; route G1 (GHOST) runs A>X>M1
    assert data.unplaced == ("X (Nowhere hub)",)
    png = draw_map(data, "corridor-model:solve")
    assert distinct_colours(png) > 500
    colours = map_area_colours(png)
    ghost = next(c.colour for c in data.corridors if c.corridor == "Ghost")
    assert sum(n for col, n in colours.items() if col == rgb(ghost)) == 0  # both its legs touch X


@pytest.mark.slow
def test_panels_share_one_frame_and_fade_what_did_not_change():
    # Three cases of the tiny map at 100,000 times its tonnes (a change must exceed 1% and 1,000 t to
    # count); in the third, SOUTH carries three times as much.
    panels = []
    for name, factor in (("base", 1), ("same", 1), ("moved", 3)):
        d = tiny_map_data(with_ghost=False)
        legs = tuple(replace(leg, tonnes_t=leg.tonnes_t * 1e5 * (factor if leg.corridor == SOUTH else 1))
                     for leg in d.legs)
        panels.append(replace(d, legs=legs, panel=name, headline="19 Mt shipped"))
    png = draw_panels(panels, "Each scenario", "corridor-model:compare")
    with Image.open(io.BytesIO(png)) as im:
        assert im.size[0] == 1600 and 400 < im.size[1] < 500  # one row of three panels and the legend
        image = im.convert("RGB")

    def count(x0: int, colour: str) -> int:
        """Pixels of a line drawn in the colour (within 12 of each channel of the colour, or of it at
        0.92 opacity over land or sea) in the panel starting at x0 (292 px wide). A faded line (0.22)
        is none of these."""
        crop = image.crop((x0, 0, x0 + 292, image.size[1])).getcolors(maxcolors=1 << 24)
        return sum(n for n, col in crop if any(max(abs(a - b) for a, b in zip(col, drawn, strict=True)) <= 12
                                               for drawn in line_colours(colour)))

    colour = {c.corridor: c.colour for c in panels[0].corridors}
    # Panels from x = 8, 304 px apart. NORTH is the same in all three: drawn in the first, faded after.
    north = [count(x, colour[NORTH]) for x in (8, 312, 616)]
    assert north[0] > 100 and north[1] == north[2] == 0
    # SOUTH: drawn in the first, faded in the second, drawn (wider) in the third.
    south = [count(x, colour[SOUTH]) for x in (8, 312, 616)]
    assert south[0] > 20 and south[1] == 0 and south[2] > south[0]


def test_the_panels_legend_is_never_cut_off():
    # One row of two panels but 13 corridors (the base case's compare against one scenario): the
    # legend runs taller than the panels; the picture grows to hold its last key, the full leg's red
    # dash (FULL_COLOUR), with a margin below it. Before, it was cut off at 638 px.
    from model.report.maps.palette import FULL_COLOUR

    panels = []
    for name in ("base", "other"):
        d = tiny_map_data(with_ghost=False)
        extra = tuple(replace(d.corridors[0], corridor=f"Corridor {i}", tonnes_t=1e6) for i in range(11))
        panels.append(replace(d, corridors=d.corridors + extra,
                              legs=d.legs + tuple(replace(d.legs[0], corridor=c.corridor) for c in extra),
                              panel=name, headline="19 Mt shipped"))
    assert len({c.corridor for c in panels[0].corridors}) >= 13
    with Image.open(io.BytesIO(draw_panels(panels, "Each scenario", "corridor-model:compare"))) as im:
        image = im.convert("RGB")
    legend = np.asarray(image.crop((1200, 0, 1600, image.size[1])))
    red = np.flatnonzero((np.abs(legend.astype(int) - rgb(FULL_COLOUR)).max(axis=2) <= 12).any(axis=1))
    assert len(red) and red.max() < image.size[1] - 10, (image.size, red.max() if len(red) else None)


def test_the_maps_legend_wraps_long_names_and_the_picture_grows_to_hold_it(monkeypatch):
    # A full leg named "Atyrau / Tengiz oil region to Ust-Luga / St Petersburg (Baltic)" was cut to
    # "...Ust-Luga / St…"; twenty corridors and eight full capacities ran off the foot of the picture.
    from model.report.maps import png as png_module

    written = []
    real = png_module.put_text
    monkeypatch.setattr(png_module, "put_text", lambda draw, x, y, words, size_pt, **style: (
        written.append((y, words, size_pt, style.get("linespacing"))), real(draw, x, y, words, size_pt, **style)))
    data = tiny_map_data(with_ghost=False)
    long_name = "Atyrau / Tengiz oil region to Ust-Luga / St Petersburg (Baltic)"
    corridors = data.corridors + tuple(replace(data.corridors[0], corridor=f"Corridor number {i} with a long name, {i}")
                                       for i in range(20))
    data = replace(data, corridors=corridors,
                   legs=data.legs + tuple(replace(data.legs[0], corridor=c.corridor) for c in corridors[2:]),
                   full=tuple(FullCapacity(element=f"A>B{i}", kind="leg", name=f"{long_name} {i}", cargo_class="all",
                                           capacity_t=1e7, used_t=1e7, shadow_price_usd_per_t=1.0) for i in range(8)))
    with Image.open(io.BytesIO(draw_map(data, "corridor-model:solve"))) as im:
        height = im.size[1]
    texts = [w for _, w, _, _ in written]
    assert not any("…" in t for t in texts)
    for i in range(8):
        assert any(" ".join(t.split()).startswith(f"{long_name} {i}") for t in texts), i
    assert height > 1000
    for y, words, size_pt, spacing in written:  # every text's last line above the foot of the picture
        assert y + (words.count("\n") + 1) * (spacing or 1.2) * size_pt * 150 / 72 <= height, words


def test_a_capacity_full_in_one_season_is_named_with_its_season_in_the_legend(monkeypatch):
    # A seasonal row's capacity and use are that season's tonnes: "in winter", "Mt used", not "Mt/yr used".
    from model.report.maps import png as png_module

    written = []
    real = png_module.put_text
    monkeypatch.setattr(png_module, "put_text", lambda draw, x, y, words, size_pt, **style: (
        written.append(words), real(draw, x, y, words, size_pt, **style)))
    data = replace(tiny_map_data(with_ghost=False), full=(
        FullCapacity(element="CPT", kind="node", name="CPC terminal", cargo_class="all", capacity_t=13.3e6,
                     used_t=13.3e6, shadow_price_usd_per_t=922.0, season="winter"),))
    draw_map(data, "corridor-model:solve")
    assert any(" ".join(w.split()) == "CPC terminal in winter 13.30 of 13.30 Mt used" for w in written), written
