"""Where a leg is drawn: a sea leg along the shipping lanes, a land leg straight from node to node.

A ship from Novorossiysk to India sails through the Bosporus, Suez and Bab-el-Mandeb; a straight
line would cross Iraq and Iran. Sea lanes come from `searoute` (Apache-2.0, offline: it ships a
network of lanes built from the Eurostat/ORNL global shipping lanes, and finds the shortest path on
it). Its first call loads the network (the slow part); each lane is then kept.

Both renderers draw what layout.lay_out gives, so the PNG and the report page show one geometry.

The lanes between the shipped cases' ports are shipped too (lanes.json, written by
`python -m model.report.maps.lanes`, with the searoute version that found them): a map of the base case
then needs neither searoute's import nor its searches. A test keeps the file equal to
what searoute finds; with another searoute version installed, the file is not used.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from model.input.schema import Mode

SEA_MODES = (Mode.SEA, Mode.FERRY)  # the Legs sheet's modes drawn along sea lanes

Point = tuple[float, float]
LANES_FILE = Path(__file__).with_name("lanes.json")  # the lanes between the shipped cases' ports


def _key(start: Point, end: Point) -> str:
    return f"{start[0]!r},{start[1]!r}>{end[0]!r},{end[1]!r}"


def _searoute_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("searoute")
    except PackageNotFoundError:
        return None


# A module-level cache of immutable data (tests/test_architecture.py, MODULE_CACHES): lanes.json ships with
# the package and the searoute it names is the one installed, so this is the same for every run.
@lru_cache(maxsize=1)
def shipped_lanes() -> dict[str, tuple[Point, ...]]:
    """The lanes of lanes.json by their ends (start < end), if the searoute installed is the one that
    found them; else none."""
    try:
        data = json.loads(LANES_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if data.get("searoute") != _searoute_version():
        return {}
    return {k: tuple((float(x), float(y)) for x, y in v) for k, v in data.get("lanes", {}).items()}


def is_sea(mode: object) -> bool:
    """Whether a leg of this mode (a Legs row's, "" or None if not known) is drawn along the sea lanes."""
    return str(mode or "").strip().lower() in SEA_MODES


class SeaLanes:
    """The sea lanes of the map being drawn (one picture: a map, or the panels of a comparison), each
    found once. They are keyed by the run's ports, so they go with the map, not kept by the process."""

    def __init__(self) -> None:
        self._lanes: dict[tuple[Point, Point], tuple[Point, ...]] = {}

    def lane(self, start: Point, end: Point) -> tuple[Point, ...]:
        """(lon, lat) points from start to end along the shipping lanes: the start node, the lane
        from the lane network's nearest point to it to the nearest point to end, and the end node.
        The lane is found for the pair in one order and reversed for the other, so that both directions
        of a stretch are drawn on one line. Straight (the two nodes) when no lane joins them."""
        if end < start:
            return self.lane(end, start)[::-1]
        if (start, end) not in self._lanes:
            known = shipped_lanes().get(_key(start, end))
            self._lanes[(start, end)] = known if known is not None else found_lane(start, end)
        return self._lanes[(start, end)]

    def leg_points(self, mode: str, start: Point, end: Point) -> tuple[Point, ...]:
        """The (lon, lat) points a leg of mode is drawn through, start and end its nodes' (lon, lat)."""
        return self.lane(start, end) if is_sea(mode) else (start, end)


def found_lane(start: Point, end: Point) -> tuple[Point, ...]:
    """The lane from start to end as searoute finds it (SeaLanes.lane, without the shipped lanes)."""
    import networkx  # searoute's graph library, for its "no path" error
    import searoute  # slow to import with its lane network: only when a sea leg is drawn

    try:
        # A*: the same lane, found faster (benchmarks/README.md)
        lane = searoute.searoute(list(start), list(end), algorithm="astar")["geometry"]["coordinates"]
    except networkx.NetworkXException:  # no lane joins them (e.g. a lake and the ocean): draw it straight
        return (start, end)
    points = [start, *((float(lon), float(lat)) for lon, lat in lane), end]
    return simplified(tuple(p for i, p in enumerate(points) if i == 0 or p != points[i - 1]))


LANE_TOLERANCE_DEG = 0.02  # a lane's points closer than this to the line through their neighbours are left out


def simplified(points: tuple[Point, ...], tolerance: float = LANE_TOLERANCE_DEG) -> tuple[Point, ...]:
    """The points of a line with those that lie within tolerance degrees of the chord between the
    points kept on either side left out (Douglas-Peucker): searoute's lanes hold a point every few
    kilometres, far finer than a map's pixel (about 0.1 degree), and each is a segment to paint."""
    if len(points) < 3:
        return points
    keep, stack = {0, len(points) - 1}, [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        (x0, y0), (x1, y1) = points[i], points[j]
        dx, dy = x1 - x0, y1 - y0
        norm = (dx * dx + dy * dy) ** 0.5
        far, at = -1.0, -1
        for k in range(i + 1, j):
            x, y = points[k]
            d = abs(dy * (x - x0) - dx * (y - y0)) / norm if norm else ((x - x0) ** 2 + (y - y0) ** 2) ** 0.5
            if d > far:
                far, at = d, k
        if far > tolerance:
            keep.add(at)
            stack += [(i, at), (at, j)]
    return tuple(points[k] for k in sorted(keep))


def sea_pairs(input_path) -> set[tuple[Point, Point]]:
    """The (start, end) of every sea leg of an input whose nodes have coordinates, start < end."""
    from model.input.read import read_input

    t = read_input(input_path).tables
    at = {n: (lon, lat) for n, lat, lon in t["Nodes"][["node", "lat", "lon"]].itertuples(index=False)
          if lat == lat and lon == lon}
    legs = t["Legs"][["from", "to", "mode"]].itertuples(index=False)
    return {(min(at[a], at[b]), max(at[a], at[b])) for a, b, mode in legs
            if is_sea(mode) and a in at and b in at}


def write_shipped(inputs) -> Path:
    """Find the lanes of every sea leg of the inputs and write them to lanes.json."""
    pairs = sorted(set().union(*(sea_pairs(p) for p in inputs)))
    lanes = {_key(a, b): [list(p) for p in found_lane(a, b)] for a, b in pairs}
    body = ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in lanes.items())  # a lane a line
    text = f'{{"searoute": {json.dumps(_searoute_version())}, "lanes": {{\n{body}\n}}}}\n'
    LANES_FILE.write_text(text, encoding="utf-8")
    return LANES_FILE


if __name__ == "__main__":  # python -m model.report.maps.lanes [INPUT ...]: the shipped cases by default
    import sys

    top = Path(__file__).resolve().parents[3]
    print(write_shipped(sys.argv[1:] or [top / "inputs" / "base_case.xlsx", top / "inputs" / "plan_case.xlsx"]))
