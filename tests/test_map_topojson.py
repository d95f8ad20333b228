"""The base layer: the TopoJSON steps behind basemap.json on a tiny topology worked by hand, and the
shipped file against its provenance."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from model.report.maps.build_basemap import PACKAGE
from model.report.maps.layout import BASEMAP
from model.report.maps.topojson import clip_ring, countries_in_box, decode_arcs, ring_from_arcs, simplify

# Quantized: real = q * scale + translate = (qx * 0.5 + 10, qy * 0.25 + 20); arcs delta-encoded.
# Two countries side by side share arc 0 (the border x = 12); an island lies far away.
TINY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
    "arcs": [
        [[4, 0], [0, 4]],                              # q (4,0) (4,4)             -> (12,20) (12,21)
        [[4, 4], [-4, 0], [0, -4], [4, 0]],            # q (4,4) (0,4) (0,0) (4,0) -> (12,21) (10,21) (10,20) (12,20)
        [[4, 0], [4, 0], [0, 4], [-4, 0]],             # q (4,0) (8,0) (8,4) (4,4) -> (12,20) (14,20) (14,21) (12,21)
        [[100, 100], [2, 0], [0, 2], [-2, 0], [0, -2]],  # (60,45) (61,45) (61,45.5) (60,45.5) (60,45)
    ],
    "objects": {"countries": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "id": "1", "properties": {"name": "Left"}, "arcs": [[0, 1]]},
        {"type": "Polygon", "id": "2", "properties": {"name": "Right"}, "arcs": [[2, -1]]},  # -1 = ~0: arc 0 backwards
        {"type": "MultiPolygon", "id": "3", "properties": {"name": "Island"}, "arcs": [[[3]]]},
    ]}},
}


def test_arcs_are_delta_decoded_then_transformed():
    arcs = decode_arcs(TINY)
    assert arcs[0] == [(12, 20), (12, 21)]
    assert arcs[1] == [(12, 21), (10, 21), (10, 20), (12, 20)]
    assert arcs[3] == [(60, 45), (61, 45), (61, 45.5), (60, 45.5), (60, 45)]


def test_rings_join_arcs_once_and_walk_negative_indices_backwards():
    arcs = decode_arcs(TINY)
    # arc 2 then arc 0 reversed, (12,21) -> (12,20); the joint (12,21) is kept once.
    assert ring_from_arcs([2, ~0], arcs) == [(12, 20), (14, 20), (14, 21), (12, 21), (12, 20)]


def test_clip_keeps_the_inside_and_closes_along_the_box():
    # The square (12,20)-(14,21) cut at lon 13: its left half, closed along lon = 13.
    ring = [(12, 20), (14, 20), (14, 21), (12, 21), (12, 20)]
    assert clip_ring(ring, (11, 19, 13, 30)) == [(12, 20), (13, 20), (13, 21), (12, 21), (12, 20)]
    assert clip_ring(ring, (20, 19, 30, 30)) == []  # wholly outside


def test_simplify_drops_points_within_tolerance_only():
    assert simplify([(0, 0), (1, 0.01), (2, 0)], 0.1) == [(0, 0), (2, 0)]
    assert simplify([(0, 0), (1, 0.5), (2, 0)], 0.1) == [(0, 0), (1, 0.5), (2, 0)]


def test_countries_in_box_clip_round_and_drop_what_is_outside():
    # Box lon 11..13: Left keeps x 11..12 (cut at lon 11), Right keeps x 12..13, the island is outside.
    out = countries_in_box(TINY, (11, 19, 13, 30))
    assert out == [
        {"name": "Left", "id": "1", "rings": [[11.0, 20.0, 12.0, 20.0, 12.0, 21.0, 11.0, 21.0, 11.0, 20.0]]},
        {"name": "Right", "id": "2", "rings": [[12.0, 20.0, 13.0, 20.0, 13.0, 21.0, 12.0, 21.0, 12.0, 20.0]]},
    ]
    # An area floor of 0.6 square degrees drops the island (0.5) but keeps the 2-square-degree countries.
    kept = countries_in_box(TINY, (0, 0, 100, 100), min_area_deg2=0.6)
    assert [c["name"] for c in kept] == ["Left", "Right"]


def test_shipped_basemap_is_compact_and_covers_the_region():
    assert BASEMAP.stat().st_size < 500 * 1024
    data = json.loads(BASEMAP.read_text())
    lon_min, lat_min, lon_max, lat_max = data["box_lon_lat"]
    assert (lon_min, lon_max) == pytest.approx((-20, 145)) and lat_min <= -5 and lat_max >= 65
    names = {c["name"] for c in data["countries"]}
    assert {"Kazakhstan", "Pakistan", "China", "Kenya", "Netherlands", "Singapore", "Iran"} <= names
    for c in data["countries"]:
        for ring in c["rings"]:
            assert all(lon_min <= x <= lon_max for x in ring[0::2]) and all(lat_min <= y <= lat_max for y in ring[1::2])
            assert ring[:2] == ring[-2:]  # closed


def test_the_shipped_basemap_is_the_one_its_provenance_describes():
    text = (BASEMAP.parent / "PROVENANCE.md").read_text()
    data = BASEMAP.read_bytes()
    assert f"`basemap.json`, {len(data):,} bytes, SHA-256 `{hashlib.sha256(data).hexdigest()}`" in text
    points = sum(len(r) // 2 for c in json.loads(data)["countries"] for r in c["rings"])
    assert f"{len(json.loads(data)['countries'])} countries, {points:,} points" in text


def test_rebuilding_the_basemap_gives_the_same_file(tmp_path):
    # Needs npm with world-atlas@2.0.2 in its cache (no network is used): skipped elsewhere.
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    probe = subprocess.run(["npm", "pack", PACKAGE, "--offline", "--silent", "--dry-run"], cwd=tmp_path,
                           capture_output=True, text=True, env={**os.environ, "npm_config_offline": "true"})
    if probe.returncode != 0:
        pytest.skip(f"{PACKAGE} is not in npm's cache")
    out = tmp_path / "basemap.json"
    subprocess.run([sys.executable, "-m", "model.report.maps.build_basemap", "-o", str(out)], check=True,
                   capture_output=True, env={**os.environ, "npm_config_offline": "true"}, timeout=120)
    assert out.read_bytes() == BASEMAP.read_bytes()
