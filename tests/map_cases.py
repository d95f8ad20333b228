"""Helpers for the map and report tests: a tiny hand-made case shaped like the model's tables (its
tonnes worked out by hand in test_map_tables.py; names carry <, & and quotes on purpose), and checks
shared by several test files."""

from __future__ import annotations

import dataclasses
import math
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from model.report.maps.data import MapData, ReportData, map_data, report_data
from model.report.maps.png import MAP_BOX
from model.results.maps import map_tables

NORTH = 'North <&> "rail"'
SOUTH = "South 'sea' & co"
GHOST = "Ghost"
ORIGIN_NAME = 'Alpha "oil" <field> & co'


def tiny_tables(with_ghost: bool = True) -> dict:
    """Routes N1 (A>B>M2) and N2 (A>B>P>M1) in NORTH share leg A>B; S1 (A>P>M1) in SOUTH shares
    leg P>M1 with N2; S2 (A>M2) carries nothing; G1 (A>X>M1) in GHOST passes X, which has no
    coordinates."""
    nodes = pd.DataFrame([
        ("A", ORIGIN_NAME, "KZ", "origin", 47.1, 51.9),
        ("B", "Border B", "KZ", "border", 45.25, 82.48),
        ("P", "Port P / second name", "GE", "port", 42.15, 41.67),
        ("M1", "Market: West", "TR", "market", 41.0, 29.0),
        ("M2", "Market: East", "CN", "market", 34.3, 108.9),
        ("X", "Nowhere hub", "XX", "hub", math.nan, math.nan),
    ], columns=["node", "name", "country", "kind", "lat", "lon"])
    paths = {"N1": ("A", "B", "M2"), "N2": ("A", "B", "P", "M1"), "S1": ("A", "P", "M1"), "S2": ("A", "M2"),
             "G1": ("A", "X", "M1")}
    flows = pd.DataFrame([
        ("wheat", "N1", NORTH, 60.0, 20.0),
        ("coal", "N1", NORTH, 40.0, 25.0),
        ("wheat", "N2", NORTH, 50.0, 30.0),
        ("wheat", "S1", SOUTH, 30.0, 12.0),
        ("coal", "S1", SOUTH, 0.0, 99.0),  # unused: must not count
        ("wheat", "S2", SOUTH, 0.0, 99.0),  # unused, and its leg A>M2 carries nothing else: no entry
        ("wheat", "G1", GHOST, 10.0, 50.0),
    ], columns=["commodity", "route", "corridor", "tonnes_t", "cost_usd_per_t"])
    capacity = pd.DataFrame([
        ("B", "all", 200.0, 0.0, 150.0, 0.75, 0.0, False),
        ("P>M1", "all", 80.0, 0.0, 80.0, 1.0, 3.0, True),
        ("P>M1", "container", 10.0, 0.0, 0.0, 0.0, 0.0, False),
    ], columns=["element", "cargo_class", "capacity_t", "added_t", "used_t", "utilisation",
                "shadow_price_usd_per_t", "binding"])
    corridors = pd.DataFrame([
        ("All commodities", NORTH, 150.0, 150 / 190),
        ("All commodities", SOUTH, 30.0, 30 / 190),
        ("All commodities", GHOST, 10.0, 10 / 190),
        ("wheat", NORTH, 110.0, 110 / 150),
        ("coal", NORTH, 40.0, 40 / 150),
        ("wheat", SOUTH, 30.0, 1.0),
    ], columns=["commodity", "corridor", "tonnes_t", "share"])
    if not with_ghost:
        paths.pop("G1")
        flows = flows[flows["route"] != "G1"]
        corridors = corridors[corridors["corridor"] != GHOST]
    return {"nodes": nodes, "paths": paths, "flows": flows, "capacity": capacity, "corridors": corridors}


def tiny_map_tables(with_ghost: bool = True):
    t = tiny_tables(with_ghost)
    return map_tables(t["nodes"], t["paths"], t["flows"], t["capacity"], t["corridors"],
                      title='Tiny <case> & "test"', subtitle="190 t & more <b>")


def tiny_map_data(with_ghost: bool = True) -> MapData:
    return map_data(tiny_map_tables(with_ghost))


def tiny_sheets(with_ghost: bool = True) -> dict[str, pd.DataFrame]:
    """The sheets the report reads besides the map: Summary, Corridors, Bottlenecks."""
    summary = pd.DataFrame([("scenario", 'Tiny <case> & "test"', ""), ("resource cost", 4_560_000_000.0, "USD/yr"),
                            ("objective", 4_560_000_000.0, "USD/yr"),
                            ("transport cost", 4e9, "USD/yr"), ("handling cost", 5.6e8, "USD/yr"),
                            ("shipped", 190.0, "t/yr"), ("average resource cost", 24.0, "USD/t"),
                            ("input file", "tiny <case>.xlsx", "")],
                           columns=["item", "value", "unit"])
    bottlenecks = pd.DataFrame([(1, "capacity", "P>M1", "One more tonne <a> & \"b\" saves 3 USD", 3.0)],
                               columns=["rank", "kind", "name", "in_words", "saving_usd_per_t"])
    return {"Summary": summary, "Corridors": tiny_tables(with_ghost)["corridors"], "Bottlenecks": bottlenecks}


def tiny_report_data(with_ghost: bool = True) -> ReportData:
    return report_data(tiny_map_data(with_ghost), tiny_sheets(with_ghost))


def assert_labels_apart(p) -> None:
    """No two placed labels overlap and each lies inside the frame (estimated extents)."""
    boxes = [lab.box for lab in p.labels]
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[2] <= p.frame.width and a[1] >= 0 and a[3] <= p.frame.height, p.labels[i]
        for b in boxes[i + 1:]:
            assert min(a[2], b[2]) <= max(a[0], b[0]) or min(a[3], b[3]) <= max(a[1], b[1]), (a, b)


class Elements(HTMLParser):
    """Every start tag with its (unescaped) attributes, and the page's text."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str | Path) -> Elements:
    """A page's text, or the page at a path, parsed."""
    e = Elements()
    e.feed(page.read_text(encoding="utf-8") if isinstance(page, Path) else page)
    return e


def legs_of(e: Elements) -> list[dict]:
    """The attributes of each <path class="leg">."""
    return [a for t, a in e.tags if t == "path" and "leg" in a.get("class", "").split()]


def distinct_colours(png) -> int:
    """How many colours a PNG (bytes or a path) holds: thousands for a drawn map, a handful for a blank one."""
    with Image.open(_file(png)) as im:
        return len(im.convert("RGB").getcolors(maxcolors=1 << 24))


def map_area_colours(png) -> dict[tuple, int]:
    """Pixel count of each colour inside the PNG map's axes (legend and titles left out)."""
    with Image.open(_file(png)) as im:
        w, h = im.size
        left, bottom, width, height = MAP_BOX
        box = (int(left * w) + 3, int((1 - bottom - height) * h) + 3,  # 3 px inside the frame's edge
               int((left + width) * w) - 3, int((1 - bottom) * h) - 3)
        return {c: n for n, c in im.convert("RGB").crop(box).getcolors(maxcolors=1 << 24)}


def _file(png):
    import io

    return io.BytesIO(png) if isinstance(png, bytes) else png


def assert_same_data(got, want, where: str = "data") -> None:
    """Map data (model.report.maps.data's dataclasses) equal, numbers to 1e-11 (a result workbook keeps
    12 significant digits: model.report.cells.figure)."""
    if dataclasses.is_dataclass(want):
        assert type(got) is type(want), where
        for f in dataclasses.fields(want):
            assert_same_data(getattr(got, f.name), getattr(want, f.name), f"{where}.{f.name}")
    elif isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same_data(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and not isinstance(got, bool):
        assert got == pytest.approx(want, rel=1e-11), where
    else:
        assert got == want, where
