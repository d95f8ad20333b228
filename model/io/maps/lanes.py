"""Where a leg is drawn: a sea leg along the shipping lanes, a land leg straight from node to node.

A ship from Novorossiysk to India sails through the Bosporus, Suez and Bab-el-Mandeb; a straight
line would cross Iraq and Iran. Sea lanes come from `searoute` (Apache-2.0, offline: it ships a
network of lanes built from the Eurostat/ORNL global shipping lanes, and finds the shortest path on
it). Its first call loads the network (about 0.4 s); each lane then takes milliseconds, and is kept.

Both renderers draw what layout.lay_out gives, so the PNG and the report page show one geometry.
"""

from __future__ import annotations

from functools import lru_cache

SEA_MODES = ("sea", "ferry")  # the Legs sheet's modes drawn along sea lanes

Point = tuple[float, float]


def is_sea(leg: dict) -> bool:
    return str(leg.get("mode") or "").strip().lower() in SEA_MODES


@lru_cache(maxsize=4096)
def sea_lane(start: Point, end: Point) -> tuple[Point, ...]:
    """(lon, lat) points from start to end along the shipping lanes: the start node, the lane
    from the lane network's nearest point to it to the nearest point to end, and the end node.
    The lane is found for the pair in one order and reversed for the other, so that both directions
    of a stretch are drawn on one line. Straight (the two nodes) when no lane joins them."""
    if end < start:
        return sea_lane(end, start)[::-1]
    import networkx  # searoute's graph library, for its "no path" error
    import searoute  # about 0.4 s to import with its lane network: only when a sea leg is drawn

    try:
        lane = searoute.searoute(list(start), list(end))["geometry"]["coordinates"]
    except networkx.NetworkXException:  # no lane joins them (e.g. a lake and the ocean): draw it straight
        return (start, end)
    points = [start, *((float(lon), float(lat)) for lon, lat in lane), end]
    return tuple(p for i, p in enumerate(points) if i == 0 or p != points[i - 1])


def leg_points(leg: dict, start: Point, end: Point) -> tuple[Point, ...]:
    """The (lon, lat) points a leg is drawn through, start and end its nodes' (lon, lat)."""
    return sea_lane(start, end) if is_sea(leg) else (start, end)
