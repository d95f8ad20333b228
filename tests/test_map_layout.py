"""The layout both renderers paint: side-by-side lines, widths, labels, and the vectorised line
cover the label placement scores with (checked against the plain Liang-Barsky clip of each line)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from map_cases import NORTH, SOUTH, assert_labels_apart, tiny_map_data

from model.report.maps.data import MapCorridor, MapData, MapLeg, MapNode
from model.report.maps.layout import (
    LINE_GAP,
    MAP_ASPECT,
    _line_cover,
    frame_around,
    lay_out,
    line_width,
    short_label,
    width_samples,
)


def test_corridors_sharing_a_leg_are_drawn_side_by_side():
    p = lay_out(tiny_map_data(with_ghost=False))
    north = next(s for s in p.segments if s.leg.leg == "P>M1" and s.leg.corridor == NORTH)
    south = next(s for s in p.segments if s.leg.leg == "P>M1" and s.leg.corridor == SOUTH)
    # Parallel lines whose centres lie (w_north + w_south) / 2 + LINE_GAP apart, so neither hides the other.
    dx, dy = north.x2 - north.x1, north.y2 - north.y1
    gap = abs((south.x1 - north.x1) * dy - (south.y1 - north.y1) * dx) / math.hypot(dx, dy)
    assert gap == pytest.approx((north.width + south.width) / 2 + LINE_GAP)
    assert (south.x2 - south.x1, south.y2 - south.y1) == pytest.approx((dx, dy))


def test_width_grows_with_the_square_root_of_tonnes():
    # From WIDTH_MIN at 0 t to WIDTH_MAX at the most: a quarter of the tonnes is half the extra width.
    lo, hi, quarter = line_width(0, 100), line_width(100, 100), line_width(25, 100)
    assert quarter - lo == pytest.approx((hi - lo) / 2)
    assert width_samples(56e6) == [5e5, 5e6, 5e7]


def test_labels_do_not_overlap_and_stay_in_the_frame():
    p = lay_out(tiny_map_data(with_ghost=False))
    assert {lab.text for lab in p.labels} == {"Alpha", "Port P", "West", "East"}
    assert_labels_apart(p)


def test_origins_and_markets_crowded_together_still_get_labels_apart():
    # Temirtau and Atyrau's labels overlapped once the sea lanes moved the frame: an origin or a market
    # took its least-bad spot even on top of another label. Eight origins within a degree of each other,
    # and four markets far away to set the scale.
    origins = tuple(MapNode(id=f"O{k}", name=f"Origin number {k}", label=f"Origin number {k}", country="KZ",
                            kind="origin", lat=48.0 + 0.3 * (k % 3), lon=70.0 + 0.35 * (k // 3), tonnes_t=1e6,
                            utilisation=None, full=False) for k in range(8))
    markets = tuple(MapNode(id=f"M{k}", name=f"Market {k}", label=f"Market {k}", country="XX", kind="market",
                            lat=lat, lon=lon, tonnes_t=1e6, utilisation=None, full=False)
                    for k, (lat, lon) in enumerate([(52.0, 5.0), (1.3, 103.8), (34.3, 108.9), (-4.0, 39.7)]))
    legs = tuple(MapLeg(leg=f"O{k}>M{k % 4}", start=f"O{k}", end=f"M{k % 4}", corridor="C", tonnes_t=1e6,
                        cost_usd_per_t=1.0, utilisation=None, full=False, mode="rail") for k in range(8))
    p = lay_out(MapData(title="", subtitle="", nodes=origins + markets, legs=legs,
                        corridors=(MapCorridor(corridor="C", tonnes_t=8e6, share=1.0, colour="#1f4e9c"),),
                        full=(), unplaced=()))
    assert {lab.text for lab in p.labels} >= {o.label for o in origins}
    assert_labels_apart(p)


def test_a_shared_frame_and_scale_are_kept_and_labels_can_be_left_out():
    data = tiny_map_data(with_ghost=False)
    frame = frame_around([(20.0, 30.0), (120.0, 60.0)])
    p = lay_out(data, frame=frame, max_t=1000.0, labelled=False)
    assert p.frame is frame and p.labels == [] and p.max_t == 1000.0
    assert frame.width / frame.height == pytest.approx(MAP_ASPECT)
    # 150 t on A>B against a scale of 1000 t: narrower than when A>B's 150 t are the most.
    ab = next(s for s in p.segments if s.leg.leg == "A>B")
    assert ab.width == pytest.approx(line_width(150, 1000))
    assert ab.width < line_width(150, 150)


def test_the_base_layer_is_only_what_shows_in_the_frame():
    around_caspian = lay_out(tiny_map_data(with_ghost=False), frame=frame_around([(45.0, 38.0), (55.0, 45.0)]))
    names = {name for name, _ in around_caspian.countries}
    assert {"Kazakhstan", "Azerbaijan", "Turkmenistan"} <= names and "China" not in names and "Kenya" not in names


def clip_length(x0, y0, dx, dy, box) -> float:
    """The length of one line inside box, clipped edge by edge (Liang-Barsky)."""
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return 0.0
            continue
        t = q / p
        t0, t1 = (max(t0, t), t1) if p < 0 else (t0, min(t1, t))
        if t0 > t1:
            return 0.0
    return (t1 - t0) * math.hypot(dx, dy)


def test_the_line_cover_is_each_lines_clipped_length_times_its_width():
    rng = np.random.default_rng(7)
    lines = rng.uniform(-20, 120, (40, 4))
    lines[:5, 3] = 0.0  # horizontal lines: parallel to two edges
    lines[5:10, 2] = 0.0  # vertical ones
    widths = rng.uniform(1, 5, 40)
    boxes = np.sort(rng.uniform(0, 100, (25, 2, 2)), axis=1).transpose(0, 2, 1).reshape(25, 4)[:, [0, 2, 1, 3]]
    weight = np.hypot(lines[:, 2], lines[:, 3]) * widths
    got = _line_cover(boxes, np.column_stack([lines, weight]))
    want = [sum(clip_length(*ln, box) * w for ln, w in zip(lines, widths, strict=True)) for box in boxes]
    assert got == pytest.approx(want)
    # A line through the middle of a 10 x 10 box covers 10 of its length there.
    assert _line_cover(np.array([[0.0, 0.0, 10.0, 10.0]]), np.array([[-5.0, 5.0, 20.0, 0.0, 20.0]])) == \
        pytest.approx([10.0])


def test_short_labels():
    assert short_label("Market: East Africa (Mombasa/Dar es Salaam)") == "East Africa"
    assert short_label("Ekibastuz coal basin") == "Ekibastuz"
    assert short_label("CPC marine terminal (Novorossiysk)") == "CPC terminal"
    assert short_label("Bandar Abbas (Shahid Rajaee)") == "Bandar Abbas"


def test_the_base_layer_has_no_band_of_land_across_the_far_north():
    # Russia's ring, clipped to the box, crossed the antimeridian by two lines right across the map:
    # the Norwegian Sea was painted as land from 65 to 69 N once a frame (widened
    # by the sea lanes) reached that far north.
    from matplotlib.path import Path as Shape

    from model.report.maps.layout import _projected_countries, project

    rings = [r for _, country, _ in _projected_countries() for r in country]
    seas = [project(-5.0, 67.0), project(3.0, 66.0), project(-15.0, 68.0)]  # the Norwegian Sea
    assert not any(Shape(r).contains_point(sea) for r in rings for sea in seas)
    assert any(Shape(r).contains_point(project(60.0, 66.0)) for r in rings)  # the Urals are still land
