"""One-off: rebuild basemap.json (coastlines and borders) from Natural Earth via npm's world-atlas.

Not run at run time. Run it by hand when the region or the detail should change:

    python -m model.report.maps.build_basemap                     # npm pack world-atlas@2.0.2 into a temp folder
    python -m model.report.maps.build_basemap --topojson countries-50m.json   # or a file already unpacked

then update PROVENANCE.md if a figure there changed. Needs npm (for the first form) and
nothing beyond the standard library.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

from model.report.maps.topojson import countries_in_box

PACKAGE = "world-atlas@2.0.2"
MEMBER = "package/countries-50m.json"  # Natural Earth 4.1.0 admin-0 countries, 1:50m
BOX = (-20.0, -15.0, 145.0, 70.0)  # lon_min, lat_min, lon_max, lat_max: the model's markets and a margin
TOLERANCE_DEG = 0.03  # Douglas-Peucker, per shared arc; about 0.3 px at the PNG's scale
MIN_AREA_DEG2 = 0.02  # islets smaller than about 15 km x 15 km are dropped
DECIMALS = 2  # 0.01 degree is about 1 km
OUT = Path(__file__).with_name("basemap.json")


def fetch_topojson(workdir: Path) -> tuple[dict, str]:
    """`npm pack` the package into workdir; its countries file and the tarball's SHA-256."""
    name = subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    tarball = workdir / name
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    with tarfile.open(tarball) as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{PACKAGE}'s tarball {name} has no file {MEMBER}: the package's layout changed")
        topology = json.load(member)
    return topology, digest


def build(topology: dict, source: str) -> dict:
    countries = countries_in_box(topology, BOX, TOLERANCE_DEG, MIN_AREA_DEG2, DECIMALS)
    countries.sort(key=lambda c: c["name"])
    return {
        "source": source,
        "licence": "Natural Earth: public domain. world-atlas packaging: ISC, Copyright 2013-2019 Michael Bostock.",
        "box_lon_lat": list(BOX),
        "ring_format": "flat [lon0, lat0, lon1, lat1, ...], closed; "
                       "draw all rings of a country as one path, even-odd fill",
        "countries": countries,
    }


def rebuild(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topojson", type=Path, help="an unpacked countries-50m.json instead of npm pack")
    parser.add_argument("-o", "--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.topojson:
        topology = json.loads(args.topojson.read_text(encoding="utf-8"))
        source = f"{PACKAGE} {MEMBER} (from {args.topojson.name})"
    else:
        with tempfile.TemporaryDirectory() as tmp:
            topology, digest = fetch_topojson(Path(tmp))
        source = f"npm {PACKAGE}, {MEMBER}, tarball SHA-256 {digest}"
    data = build(topology, source)
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    points = sum(len(r) // 2 for c in data["countries"] for r in c["rings"])
    print(f"{args.out}: {len(data['countries'])} countries, {points} points, {args.out.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    rebuild()
