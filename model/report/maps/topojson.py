"""TopoJSON to clipped, simplified country rings: the steps behind build_basemap.py.

Pure Python and only used when the base layer is rebuilt (and by the tests); the renderers
read the finished basemap.json and never import this module.

TopoJSON in brief (https://github.com/topojson/topojson-specification): `arcs` is a list of
polylines shared between geometries; in a quantized topology each arc's first position is
absolute and the rest are deltas from the previous one, all integers, and a position
(qx, qy) means (qx * scale_x + translate_x, qy * scale_y + translate_y) in lon, lat degrees.
A polygon is a list of rings, a ring a list of arc indices; index ~i (that is -i - 1) means
arc i walked backwards. Consecutive arcs of a ring share their joining point.
"""

from __future__ import annotations

Point = tuple[float, float]
Ring = list[Point]


def decode_arcs(topology: dict) -> list[list[Point]]:
    """Every arc as absolute (lon, lat) points: deltas summed, then the quantize transform applied."""
    transform = topology.get("transform")
    if transform is None:  # not quantized: positions are already absolute degrees
        return [[(float(p[0]), float(p[1])) for p in arc] for arc in topology["arcs"]]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    arcs = []
    for arc in topology["arcs"]:
        qx = qy = 0
        points = []
        for p in arc:
            qx += p[0]
            qy += p[1]
            points.append((qx * sx + tx, qy * sy + ty))
        arcs.append(points)
    return arcs


def ring_from_arcs(indices: list[int], arcs: list[list[Point]]) -> Ring:
    """One ring stitched from arc indices (~i = arc i reversed), the shared joints kept once."""
    ring: Ring = []
    for i in indices:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def geometry_rings(geometry: dict, arcs: list[list[Point]]) -> list[Ring]:
    """All rings (outer boundaries and holes alike) of a Polygon or MultiPolygon geometry."""
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["arcs"]]
    elif kind == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        return []
    return [ring_from_arcs(ring, arcs) for polygon in polygons for ring in polygon]


def simplify(points: list[Point], tolerance_deg: float) -> list[Point]:
    """Douglas-Peucker: keep the ends and every point farther than tolerance_deg from the kept line."""
    if len(points) <= 2 or tolerance_deg <= 0:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length_sq = dx * dx + dy * dy
        worst, worst_at = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length_sq == 0:  # a closed arc: distance to its single end point
                dist_sq = (px - ax) ** 2 + (py - ay) ** 2
            else:
                cross = dx * (py - ay) - dy * (px - ax)
                dist_sq = cross * cross / length_sq
            if dist_sq > worst:
                worst, worst_at = dist_sq, i
        if worst_at >= 0 and worst > tolerance_deg * tolerance_deg:
            keep[worst_at] = True
            stack.append((first, worst_at))
            stack.append((worst_at, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


def clip_ring(ring: Ring, box: tuple[float, float, float, float]) -> Ring:
    """Sutherland-Hodgman: the part of a closed ring inside box = (lon_min, lat_min, lon_max, lat_max).

    A ring that leaves the box comes back along the box's edge, so a country cut by the
    box is still one closed, fillable ring. The result is closed (first point repeated),
    or empty when nothing is inside.
    """
    lon_min, lat_min, lon_max, lat_max = box
    points = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else list(ring)
    # (axis, bound, keep the side >= bound?) for the box's four edges
    for axis, bound, keep_above in ((0, lon_min, True), (0, lon_max, False), (1, lat_min, True), (1, lat_max, False)):
        if not points:  # clipped away
            break
        out: Ring = []
        prev = points[-1]
        for cur in points:
            cur_in = cur[axis] >= bound if keep_above else cur[axis] <= bound
            prev_in = prev[axis] >= bound if keep_above else prev[axis] <= bound
            if cur_in != prev_in:
                out.append(_crossing(prev, cur, axis, bound))
            if cur_in:
                out.append(cur)
            prev = cur
        points = out
    return points + [points[0]] if points else []


def _crossing(a: Point, b: Point, axis: int, bound: float) -> Point:
    """Where segment a-b crosses the line coordinate[axis] = bound."""
    t = (bound - a[axis]) / (b[axis] - a[axis])
    other = 1 - axis
    value = a[other] + t * (b[other] - a[other])
    return (bound, value) if axis == 0 else (value, bound)


def ring_area_deg2(ring: Ring) -> float:
    """Absolute shoelace area in square degrees (a size filter, not a true area)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def countries_in_box(topology: dict, box: tuple[float, float, float, float], tolerance_deg: float = 0.0,
                     min_area_deg2: float = 0.0, decimals: int = 2, object_name: str = "countries") -> list[dict]:
    """Each country of the topology that shows inside box, as {"name", "id", "rings"}.

    Steps: decode the arcs; simplify each arc once (so two neighbours keep one shared,
    gap-free border); stitch rings; clip them to box; round to `decimals`; drop rings with
    fewer than 3 distinct points or an area below min_area_deg2 (islets). Each ring is a flat
    list [lon0, lat0, lon1, lat1, ...], closed (the first point repeated at the end).
    """
    arcs = [simplify(arc, tolerance_deg) for arc in decode_arcs(topology)]
    out = []
    for geometry in topology["objects"][object_name]["geometries"]:
        rings = []
        for ring in geometry_rings(geometry, arcs):
            clipped = clip_ring(ring, box)
            rounded = _dedupe([(round(x, decimals), round(y, decimals)) for x, y in clipped])
            if len(set(rounded)) < 3 or ring_area_deg2(rounded) < max(min_area_deg2, 1e-12):
                continue
            rings.append([c for point in rounded for c in point])
        if rings:
            props = geometry.get("properties") or {}
            out.append({"name": str(props.get("name", "")), "id": str(geometry.get("id", "")), "rings": rings})
    return out


def _dedupe(points: list[Point]) -> list[Point]:
    """Consecutive repeats removed (rounding makes them)."""
    out: list[Point] = []
    for p in points:
        if not out or p != out[-1]:
            out.append(p)
    return out
