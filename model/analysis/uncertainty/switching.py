"""Switching values: for each input the Uncertainty sheet varies, one at a time and the others at
their base, the value at which the focus's first route starts to be used (the focus: Settings, a
country or corridor; its first route: the first of its routes that carries nothing at base to carry
cargo as the input moves away from its base value, nearest first), and whether that value lies
inside the input's range. A focus that carries nothing at base starts to carry cargo there; Pakistan,
carrying containers by Karachi, takes its first tonnes by Gwadar there.

Found by the exact parametric method (model.analysis.parametric.exact_sweep): the optimal cost is
piecewise linear in one cost or limit, the allocation is fixed between two breakpoints, so the routes
used are read once on each segment and the switch is the breakpoint where a new route of the focus
starts (or stops) carrying cargo. Every breakpoint of the range is found, so a switch is never stepped
over as a grid would. When the range holds none, the search goes on outside it, on adjacent stretches
each twice as wide as the last, within what the cells may hold, up to STRETCHES of them on each side.
The values are those of the least-cost allocation (the live model's LP): under route choice every
route carries some cargo, so none starts to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.analysis.parametric import exact_sweep
from model.analysis.params import Param, find_cells, focus_of, parse_param
from model.analysis.uncertainty.design import UncertainInput
from model.errors import InputError, NoSolutionError, Problem, short_list
from model.input.schema import SETTINGS_BY_KEY, SHEETS_BY_NAME, Distribution, Scope
from model.lp.families import Cell
from model.lp.live import Structural
from model.results.tables import TOL_T

OF_VALUE, OF_FACTOR, OF_QUANTILE = "value", "factor of base", "quantile of the group"  # what a switching value is
ALONE = "alone"  # a row moved on its own, the others at their base
ALONE_IN_GROUP = "alone (its group moves together)"  # a grouped row moved alone: a state the draws never visit
STRETCHES = 6  # stretches searched on each side of a range without a switch: 1 + 2 + ... + 32 = 63 widths of the range
CUT_SPAN = 128.0  # USD/t below a port's charge searched first for its cut, then outward as switching values are:
# the base case's cuts lie at 50-150 USD/t, and of 32 to 256 this range was the fastest on both networks
# (the figures: docs/user-guide/uncertainty.md)


@dataclass
class _Held(Param):
    """A parameter moved with other cells held at their values: a draw's (its live model is the base model
    with those cells changed, and exact_sweep sets the model to the base with the parameter's cells)."""

    held: dict[Cell, float] = field(default_factory=dict)

    def cell_values(self, value: float) -> dict[Cell, float]:
        return {**self.held, **super().cell_values(value)}


@dataclass
class _Group(Param):
    """A correlation group moved together by its quantile u: each row at the value it takes at u, low + u (high -
    low) (a uniform row's quantile, affine in u as the exact method needs; beyond 0..1 the same line)."""

    rows: list[UncertainInput] = field(default_factory=list)

    def cell_values(self, value: float) -> dict[Cell, float]:
        return {c: x for v in self.rows for c, x in v.param.cell_values(_at(v, value)).items()}


def _at(v: UncertainInput, u: float) -> float:
    """A uniform row's value at its quantile u."""
    return float(v.low) + u * (float(v.high) - float(v.low))  # type: ignore[arg-type]  # a uniform row has both


@dataclass
class _OneParameter:
    """What exact_sweep reads of a sweep: its one parameter."""

    params: list[Param]


def switching_values(live, inputs: list[UncertainInput], drawn: pd.DataFrame | None = None,
                     focus: str | None = None) -> pd.DataFrame:
    """One row per Uncertainty row (design.UncertainInput), moved alone over its span (low..high, or the least and
    the most drawn: drawn is Design.X), then one per correlation group, its rows moved together (_together): the
    value at which the focus's first route starts to be used (the
    switch nearest the input's base value), whether it is inside or outside [low, high], on which side
    of it that route carries cargo and its name, any other switch in what was searched, the solves it
    took, and a note when there is none or the exact method cannot find it. live: a LiveModel
    (model.analysis.sweep.live_model) or the input's path; focus: 'country PK' or 'corridor
    Trans-Afghan', the Settings' if not given. The live model is left at its base."""
    if isinstance(live, (str, Path)):
        from model.analysis.sweep import live_model

        live = live_model(Path(live))
    focus = live.data.settings.focus if focus is None else focus
    watch = focus_of(live.net, focus)
    if watch is None:
        raise InputError("Settings", [Problem(
            f"focus: '{focus or ''}' names no country or corridor of the network, and switching values are where "
            "the focus's first route starts to be used",
            "Set focus to 'country CODE' or 'corridor NAME', e.g. country PK.")])
    scope, key = watch
    routes = {r for r in live.net.routes if (key in live.net.countries_of[r] if scope == Scope.COUNTRY
                                              else live.net.routes[r].corridor == key)}
    try:
        base = live.solve_point({})
        idle = routes - {r for r, t in (base.route or {}).items() if t > TOL_T}  # the focus's routes unused at base
        rows = [{**_one(live, v.text, *v.span(drawn), v.factor, idle),
                 "moved": ALONE_IN_GROUP if v.group else ALONE, "at_switch": ""} for v in inputs]
        groups: dict[str, list[UncertainInput]] = {}
        for v in inputs:
            if v.group:
                groups.setdefault(v.group, []).append(v)
        return pd.DataFrame(rows + [_together(live, name, members, idle) for name, members in groups.items()])
    finally:
        live.apply({})


def port_cut(live, port: str, route_tonnes: dict[str, float] | None) -> float:
    """The cut (USD/t) the port's handling charge needs before a route through it, unused at the live model's
    point (route_tonnes: that point's tonnes by route), carries cargo: today's charge less the charge at the
    switch nearest below it, by the exact parametric method on the model as it stands (a draw: the cells it
    changed held). NaN when every route through the port carries cargo, when none starts within the search
    (CUT_SPAN below the charge, then outward as switching values search), or the exact method cannot run."""
    text = f"Nodes[{port}].handling_usd_per_t"
    held = dict(getattr(live, "applied", {}))  # none applied yet: the model is its base (a rebuilt draw's own)
    cell = find_cells(text, live.data)[0]  # a port the data lacks: said, exit 2
    charge = held.get(cell, cell.base)
    idle = {r for r, route in live.net.routes.items()
            if port in route.nodes and (route_tonnes or {}).get(r, 0.0) <= TOL_T}
    row = _one(live, text, charge - CUT_SPAN, charge, False, idle, held)
    return charge - row["switching_value"] if row["route_used"] == "below" else math.nan


def _one(live, text: str, low: float, high: float, factor: bool, idle: set[str],
         held: dict[Cell, float] | None = None) -> dict[str, Any]:
    """The switching value of the input (text, in the sweep grammar) over [low, high] (with factor, multipliers of
    each cell's base value), the search going outward from there; held: cells kept at these values."""
    row: dict[str, Any] = {
        "input": text, "low": low, "high": high, "of": OF_FACTOR if factor else OF_VALUE,
        "switching_value": math.nan, "in_range": "", "route_used": "", "route": "", "other_switches": "",
        "solves": 0, "note": ""}
    star = "*" if factor else ""
    if not idle:
        row["note"] = "every route of the focus carries cargo at base: none is left to start"
        return row
    if not low < high:
        row["note"] = f"its range is a single value ({low:g}): nothing to vary"
        return row
    spec = f"{star}{float(low)!r}:{float(high)!r}"  # float: a table's numpy number spells itself np.float64(..)
    param = parse_param(f"{text}={spec}", live.data, exact=True)  # a bad name: said, exit 2
    base = 1.0 if factor else sum(c.base for c in param.cells) / len(param.cells)
    floor, ceiling = cell_limits(param.cells, factor)
    width = high - low
    rounds = [[(low, high)]]
    for j in range(STRETCHES):  # outward, below and above, each twice as wide as the last
        below = (max(floor, low - width * (2 ** (j + 1) - 1)), low - width * (2 ** j - 1))
        above = (high + width * (2 ** j - 1), min(ceiling, high + width * (2 ** (j + 1) - 1)))
        rounds.append([s for s in (below, above) if s[0] < s[1]])
    segments: list[tuple[float, float, tuple[str, ...]]] = []  # (from, to, the idle routes used), sorted
    searched: list[tuple[float, float]] = []
    for stretches in rounds:
        for a, b in stretches:
            if searched and not _touches(searched, a, b):
                continue  # beyond a stretch that could not be solved: the search on that side has stopped
            try:
                found, solves = _segments(live, _Held(param.text, param.cells, [a, b], factor, held or {}), idle)
            except (InputError, NoSolutionError, Structural) as exc:
                if (a, b) == (low, high):
                    row["note"] = f"the exact method cannot find it: {_said(exc)}"
                    return row
                continue  # outside the range: the search stops on this side
            row["solves"] += solves
            searched.append((a, b))
            segments += found
        segments.sort()
        switches = _switches(segments)
        if switches:
            value, used_above, started = min(switches, key=lambda sw: (abs(sw[0] - base), sw[0]))
            row.update(switching_value=value, in_range="inside" if low <= value <= high else "outside",
                       route_used="above" if used_above else "below", route=short_list(list(started)),
                       other_switches=", ".join(f"{t:,.6g}" for t, _, _ in switches if t != value))
            return row
    lo, hi = min(a for a, _ in searched), max(b for _, b in searched)
    span = f"from {lo:,.6g} to {hi:,.6g}" + (" times the base values" if factor else "")
    row["note"] = _no_switch(idle, segments, span + f" (the range and up to {2 ** STRETCHES - 1} times its width "
                             "either side, within what the cells may hold)")
    return row


def _no_switch(idle: set[str], segments: list, searched: str) -> str:
    """The note of an input or group that switches nothing, the same words for both: whether the focus's routes
    unused at base carry cargo everywhere searched or nowhere ('none ... anywhere', never 'none ... at every')."""
    unused = f"{len(idle):,} route{'s' if len(idle) != 1 else ''}"
    carries = "some carry cargo everywhere" if any(s[2] for s in segments) else "none carries cargo anywhere"
    return f"no switch: of the focus's {unused} unused at base, {carries} {searched}"


def _together(live, group: str, members: list[UncertainInput], idle: set[str]) -> dict[str, Any]:
    """The switching value of a correlation group moved together (the state its draws visit): the group's common
    quantile u in 0..1 at which the focus's first route starts to be used (the switch nearest the members' mean
    quantile at base), each member's value there (at_switch), or a note."""
    rows = ", ".join(str(v.row) for v in members)
    row: dict[str, Any] = {
        "input": f"group {group}", "low": 0.0, "high": 1.0, "of": OF_QUANTILE, "switching_value": math.nan,
        "in_range": "", "route_used": "", "route": "", "other_switches": "", "solves": 0, "note": "",
        "moved": f"together (rows {rows})", "at_switch": ""}
    if not idle:
        row["note"] = "every route of the focus carries cargo at base: none is left to start"
        return row
    curved = [v for v in members if v.distribution != Distribution.UNIFORM]
    if curved:
        row["note"] = (f"not computed: row {curved[0].row} is {curved[0].distribution}, so the group's cells do not "
                       "move in a straight line as its quantile moves, and the exact method needs them to")
        return row
    cells = [c for v in members for c in v.cells]
    try:
        segments, row["solves"] = _segments(live, _Group(row["input"], cells, [0.0, 1.0], False, members), idle)
    except (InputError, NoSolutionError, Structural) as exc:
        row["note"] = f"the exact method cannot find it: {_said(exc)}"
        return row
    switches = _switches(sorted(segments))
    if not switches:
        row["note"] = _no_switch(idle, segments, "from quantile 0 to 1 of the group (its rows moved together)")
        return row
    at_base = float(np.mean([_base_quantile(v) for v in members]))
    u, used_above, started = min(switches, key=lambda sw: (abs(sw[0] - at_base), sw[0]))
    row.update(switching_value=u, in_range="inside", route_used="above" if used_above else "below",
               route=short_list(list(started)), other_switches=", ".join(f"{t:,.6g}" for t, _, _ in switches if t != u),
               at_switch="; ".join(f"{v.text} {_at(v, u):,.6g}{' (x base)' if v.factor else ''}" for v in members))
    return row


def _base_quantile(v: UncertainInput) -> float:
    """Where a uniform row's base value (1 for a factor, else its cells' mean) lies on its range, as a quantile."""
    base = 1.0 if v.factor else sum(c.base for c in v.cells) / len(v.cells)
    return (base - float(v.low)) / (float(v.high) - float(v.low))  # type: ignore[arg-type]  # a uniform row's


def _segments(live, param: Param, idle: set[str]) -> tuple[list[tuple[float, float, tuple[str, ...]]], int]:
    """The exact method's segments over the parameter's values (from, to, the idle routes used there), and the
    solves they took."""
    exact = exact_sweep(live, _OneParameter([param]))
    return [(s["from"], s["to"], tuple(sorted(r for r, t in (point.route or {}).items() if t > TOL_T and r in idle)))
            for s, point in zip(exact.segments.to_dict("records"), exact.points, strict=True)], exact.solves


def _switches(segments: list[tuple[float, float, tuple[str, ...]]]) -> list[tuple[float, bool, tuple[str, ...]]]:
    """Where the idle routes go from none used to some, or back, between sorted segments: (the value, whether they
    are used above it, the routes that are)."""
    return [(s[1], bool(n[2]), n[2] or s[2]) for s, n in zip(segments, segments[1:], strict=False)
            if bool(s[2]) != bool(n[2])]


def _touches(searched: list[tuple[float, float]], a: float, b: float) -> bool:
    """Whether [a, b] adjoins what has been searched (so the segments stay one unbroken stretch)."""
    return any(b == lo or a == hi for lo, hi in searched)


def cell_limits(cells: list[Cell], factor: bool) -> tuple[float, float]:
    """The values (or factors of each cell's base) every cell may hold, from the schema's bounds."""
    low, high = -math.inf, math.inf
    for cell in cells:
        if cell.sheet == "Settings":
            spec = SETTINGS_BY_KEY[cell.key]
            lo, hi = spec.min, spec.max
        else:
            col = next(c for c in SHEETS_BY_NAME[cell.sheet].columns if c.name == cell.column)
            lo, hi = col.min, col.max
        lo = -math.inf if lo is None else lo
        hi = math.inf if hi is None else hi
        if factor and cell.base:
            lo, hi = sorted((lo / cell.base, hi / cell.base))
        elif factor:
            lo, hi = -math.inf, math.inf  # a zero base stays zero whatever the factor
        low, high = max(low, lo), min(high, hi)
    return low, high


def _said(exc: Exception) -> str:
    if isinstance(exc, InputError):
        return "; ".join(str(p) for p in exc.problems)
    return str(exc)
