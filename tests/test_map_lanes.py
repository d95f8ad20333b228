"""Sea legs are drawn along the shipping lanes (through the straits and Suez), not straight over
land; land legs stay straight; the PNG and the report page draw the same line."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from map_cases import legs_of, parse
from matplotlib.path import Path as Shape

from model.report.maps.data import ReportData, map_data
from model.report.maps.layout import lay_out, load_basemap
from model.report.maps.page import render_html
from model.results.maps import map_tables

NVR, MSA, MPG, TRZ = (37.8, 44.7), (72.95, 18.95), (55.1, 25.0), (71.4, 42.9)
# Where a lane may cross the 1:50m base layer's land: the Turkish Straits and the Suez Canal (the
# coast closes them at this scale).
PASSAGES = {"Turkish Straits": (26.0, 40.0, 29.3, 41.4), "Suez Canal": (32.2, 29.8, 32.8, 31.4)}


def ships_to_india() -> dict:
    """Novorossiysk to South Asia and the Persian Gulf by sea; Taraz to Novorossiysk by rail."""
    nodes = pd.DataFrame([("NVR", "Novorossiysk", "RU", "port", NVR[1], NVR[0]),
                          ("MSA", "Market: South Asia", "IN", "market", MSA[1], MSA[0]),
                          ("MPG", "Market: Persian Gulf", "AE", "market", MPG[1], MPG[0]),
                          ("TRZ", "Taraz", "KZ", "origin", TRZ[1], TRZ[0])],
                         columns=["node", "name", "country", "kind", "lat", "lon"])
    paths = {"R1": ("TRZ", "NVR", "MSA"), "R2": ("TRZ", "NVR", "MPG")}
    flows = pd.DataFrame([("R1", "Russia: Black Sea", 100.0, 50.0), ("R2", "Iran", 40.0, 60.0)],
                         columns=["route", "corridor", "tonnes_t", "cost_usd_per_t"])
    corridors = pd.DataFrame([("All commodities", "Russia: Black Sea", 100.0, 100 / 140),
                              ("All commodities", "Iran", 40.0, 40 / 140)],
                             columns=["commodity", "corridor", "tonnes_t", "share"])
    capacity = pd.DataFrame(columns=["element", "cargo_class", "capacity_t", "added_t", "used_t", "utilisation",
                                     "shadow_price_usd_per_t", "binding"])
    modes = {"TRZ>NVR": "rail", "NVR>MSA": "sea", "NVR>MPG": "sea"}
    return map_data(map_tables(nodes, paths, flows, capacity, corridors, "t", "s", modes=modes))


def lon_lat(p, points: np.ndarray) -> np.ndarray:
    """Map units back to (lon, lat) degrees."""
    f = p.frame
    x = points[:, 0] / f.scale + f.x_min
    y = f.y_max - points[:, 1] / f.scale
    return np.column_stack([x / math.cos(math.radians(40.0)), y])


def along(points: np.ndarray, step_deg: float = 0.05) -> np.ndarray:
    """Points every step_deg along a line."""
    out = [points[-1]]
    for a, b in zip(points[:-1], points[1:], strict=True):
        n = max(1, int(np.hypot(*(b - a)) / step_deg))
        out += [a + (b - a) * t for t in np.arange(n) / n]
    return np.array(out)


def on_land(points: np.ndarray) -> np.ndarray:
    rings = [Shape(np.asarray(r).reshape(-1, 2)) for c in load_basemap()["countries"] for r in c["rings"]]
    return np.any([r.contains_points(points) for r in rings], axis=0)


def in_passage(point) -> bool:
    return any(x0 <= point[0] <= x1 and y0 <= point[1] <= y1 for x0, y0, x1, y1 in PASSAGES.values())


@pytest.fixture(scope="module")
def drawn():
    data = ships_to_india()
    return data, lay_out(data)


@pytest.mark.parametrize("leg", ["NVR>MSA", "NVR>MPG"])
def test_a_sea_leg_keeps_to_the_sea_but_for_the_straits_and_suez(drawn, leg):
    data, p = drawn
    s = next(s for s in p.segments if s.leg.leg == leg)
    line = lon_lat(p, s.points)
    assert line[0] == pytest.approx(NVR, abs=0.5) and line[-1] == pytest.approx({"NVR>MSA": MSA, "NVR>MPG": MPG}[leg],
                                                                                abs=0.5)
    inner = along(line)
    inner = inner[(np.hypot(*(inner - line[0]).T) > 0.5) & (np.hypot(*(inner - line[-1]).T) > 0.5)]  # off the quays
    wet = ~on_land(inner) | np.array([in_passage(q) for q in inner])
    assert wet.all(), inner[~wet][:5]
    # Through Suez: within half a degree of Port Said and of Suez; the straight line crossed Iraq and Iran.
    for place in ((32.3, 31.3), (32.55, 29.95)):
        assert np.hypot(*(inner - place).T).min() < 0.5
    straight = along(np.array([line[0], line[-1]]))
    assert on_land(straight).mean() > 0.5


def test_a_sea_leg_to_the_gulf_passes_hormuz(drawn):
    _, p = drawn
    line = lon_lat(p, next(s for s in p.segments if s.leg.leg == "NVR>MPG").points)
    assert np.hypot(*(along(line) - (56.4, 26.4)).T).min() < 0.6


def test_a_land_leg_stays_straight_and_both_renderers_draw_one_geometry(drawn):
    data, p = drawn
    rail = next(s for s in p.segments if s.leg.leg == "TRZ>NVR")
    assert len(rail.points) == 2
    page = parse(render_html(ReportData.of(data), "corridor-model:test"))
    paths = {(a["data-leg"], a["data-corridor"]): a["d"] for a in legs_of(page)}
    for s in p.segments:
        assert paths[(s.leg.leg, s.leg.corridor)] == "M" + "L".join(f"{x:.1f},{y:.1f}"
                                                                           for x, y in s.points.tolist())
    assert paths[("NVR>MSA", "Russia: Black Sea")].count("L") > 20


def test_the_png_paints_the_lane_through_the_red_sea_not_the_line_over_iraq(drawn):
    import io

    from PIL import Image

    from model.report.maps.palette import LAND
    from model.report.maps.png import FIG_H_PX, FIG_W_PX, MAP_BOX, draw_map

    data, p = drawn
    with Image.open(io.BytesIO(draw_map(data, "corridor-model:test"))) as im:
        pixels = np.asarray(im.convert("RGB")).astype(int)
    left, bottom, width, height = MAP_BOX
    sx = width * FIG_W_PX / p.frame.width

    def pixel(lon, lat):
        x, y = p.frame.xy(lon, lat)
        return pixels[round((1 - bottom - height) * FIG_H_PX + y * sx), round(left * FIG_W_PX + x * sx)]

    s = next(s for s in p.segments if s.leg.leg == "NVR>MSA")
    line = lon_lat(p, s.points)
    red_sea = line[np.argmin(np.hypot(*(line - (38.5, 20.0)).T))]  # the lane's point nearest mid Red Sea
    # Both sea legs sail the Red Sea: the thinner, drawn on top, shows there.
    colours = [np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) for c in {x.colour for x in p.segments}]
    assert min(np.abs(pixel(*red_sea) - c).max() for c in colours) < 30
    assert np.abs(pixel(44.0, 33.0) - [int(LAND[i:i + 2], 16) for i in (1, 3, 5)]).max() < 10  # Iraq: bare land


def test_a_bent_line_is_painted_once_where_its_pieces_meet():
    from model.report.maps.raster import Canvas

    c = Canvas(60, 60)
    c.polyline([(5, 30), (30, 30), (30, 5)], 8, "#000000", alpha=0.5)
    # Half black over white: 127/128 everywhere inside; where the pieces overlap at the bend, not darker.
    assert c.pixels.min() >= 126 and (c.pixels[:, :, 0] < 130).sum() > 300


@pytest.mark.slow
def test_the_shipped_lanes_are_what_searoute_finds_for_every_sea_leg_of_the_shipped_cases():
    # lanes.json spares a map of the base case searoute's import and searches; it must hold a lane for
    # every sea leg of the shipped cases, each the lane searoute finds now (else a map of the base case
    # would be drawn along another line than a case with one node moved).
    from conftest import ROOT

    from model.report.maps import lanes

    shipped = lanes.shipped_lanes()
    assert shipped, ("lanes.json is not used: written with another searoute version? Run python -m "
                     "model.report.maps.lanes")
    pairs = set().union(*(lanes.sea_pairs(ROOT / "inputs" / name) for name in ("base_case.xlsx", "plan_case.xlsx")))
    assert {lanes._key(a, b) for a, b in pairs} == set(shipped)
    for a, b in pairs:
        assert np.allclose(shipped[lanes._key(a, b)], lanes.found_lane(a, b), rtol=0, atol=1e-9), (a, b)
