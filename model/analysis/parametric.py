"""Exact parametric analysis of one cost or limit parameter over [start, stop].

The optimal cost z(t) of an LP is piecewise linear in a parameter t that moves costs (concave)
or right-hand sides (convex) affinely. Solving at both ends gives z and its slope there
(envelope theorem: dz/dt = sum_j dc_j/dt x_j + sum_i y_i db_i/dt). Where the two tangents
cross, z is solved again: if it lies on the tangents, that point is the only breakpoint
between them; if not, both halves are searched the same way. Every breakpoint is found,
exactly, with about two solves per breakpoint instead of a fine grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.analysis.params import focus_of, invalid_values, watched_tonnes
from model.errors import InputError, NoSolutionError, Problem

TANGENT_REL = 1e-9


@dataclass
class Exact:
    param: str
    breakpoints: pd.DataFrame  # t, objective
    segments: pd.DataFrame  # from, to, slope, corridor tonnes at the midpoint, binding
    solves: int = 0
    points: list = field(default_factory=list)  # the solved point (LivePoint) at each segment's midpoint


def exact_sweep(live, sweep) -> Exact:
    if len(sweep.params) != 1:
        raise InputError("--exact", [Problem("exact analysis takes one parameter", "Give a single --set.")])
    p = sweep.params[0]
    if p.cells[0].sheet == "Policies" and any(
            lim.is_share for lim in live.net.policy_limits if lim.row in {c.row for c in p.cells}):
        raise InputError("--exact", [Problem(
            f"'{p.text}' is a share: it changes matrix coefficients, so the optimal cost is not piecewise linear "
            "in it", "Use a grid sweep for share rules.")])
    if p.cells[0].sheet == "Investments" and p.cells[0].column in ("max_added_t", "module_t") and any(
            live.net.option_by_id[c.key].integer for c in p.cells):
        raise InputError("--exact", [Problem(
            f"'{p.text}' sizes an option built in whole steps or with a fixed cost: it changes matrix coefficients, "
            "so the optimal cost is not piecewise linear in it", "Use a grid sweep for it.")])
    if live.mip is not None and not live.keep_decisions:
        raise InputError("--exact", [Problem(
            "this case has options built whole, in modules or with a fixed cost; with their decisions re-solved at "
            "each point the optimal cost jumps where a decision changes, and the exact method needs it piecewise "
            "linear", "Run a grid sweep (without --exact), or add --keep-decisions to find the breakpoints with "
            "the base solve's build decisions kept.")])
    start, stop = p.values
    for end in (start, stop):  # the cost is linear in the cells, so a range valid at both ends is valid inside
        invalid = invalid_values(p.cell_values(end))
        if invalid:
            raise InputError("--set", [Problem(f"'{p.text}' at {end:g}: {invalid}",
                                               "Give a range the cell takes (every point of it is solved).")])
    solves = [0]

    def evaluate(t: float):
        values = p.cell_values(t)
        result = live.solve_point(values)
        solves[0] += 1
        if not result.solved:
            raise NoSolutionError(f"At {p.text} = {t:g} the model has no optimum ({result.status}); choose a "
                                  "range in which it solves.")
        x, y = live.last_x.copy(), live.last_y.copy()
        rc = np.asarray(live.h.getSolution().col_dual, dtype=float)
        c0, (lo0, up0) = live.current_costs.copy(), (live.current_bounds[0].copy(), live.current_bounds[1].copy())
        cup0 = live.current_col_bounds[1].copy()
        live.apply(p.cell_values(t + 1.0))  # every parameter moves the data affinely: the difference is exact
        c1, (lo1, up1) = live.current_costs, live.current_bounds
        senses = np.array([key.sense for key in live.rows])
        with np.errstate(invalid="ignore"):  # infinite bounds stay infinite: no change
            db = np.where(senses == 1, up1 - up0, lo1 - lo0)
            du = live.current_col_bounds[1] - cup0
        db = np.where(np.isfinite(db), db, 0.0)
        # a column held at its upper bound (an investment built to its limit) gains its reduced cost
        at_upper = (np.abs(x - cup0) <= 1e-9 * np.maximum(1.0, np.abs(cup0))) & (rc < 0) & np.isfinite(du)
        slope = float((c1 - c0) @ x + y @ db + rc[at_upper] @ du[at_upper])
        live.apply(values)
        return result.objective_usd, slope, result

    evaluations, found = breakpoints(evaluate, start, stop)
    knots = sorted({start, stop, *found})
    bps = pd.DataFrame({"value": knots, "objective_usd": [_value_at(evaluations, t) for t in knots],
                        "breakpoint": [start < t < stop for t in knots]})
    segments, points, watch = [], [], focus_of(live.net, live.data.settings.focus)
    for a, b in zip(knots, knots[1:], strict=False):
        mid = (a + b) / 2
        fm, gm, rm = evaluate(mid)
        seg = {"from": a, "to": b, "slope_usd_per_unit": gm, "objective_at_from_usd": _value_at(evaluations, a),
               "objective_at_to_usd": _value_at(evaluations, b)}
        seg.update(watched_tonnes(sweep.params, live.net.routes, watch, rm))
        seg.update({f"{c}_t": v for c, v in rm.corridor.items()})
        seg["binding"] = "; ".join(rm.binding)
        segments.append(seg)
        points.append(rm)
    return Exact(p.text + (" (x base)" if p.multiplier else ""), bps, pd.DataFrame(segments), solves[0], points)


def breakpoints(evaluate, start: float, stop: float) -> tuple[dict, list[float]]:
    """Every breakpoint in (start, stop) of a piecewise linear function, convex or concave, given
    evaluate(t) -> (value, slope, anything): solved at both ends, then where the tangents cross,
    halving where they do not meet the function. Returns ({t: evaluate(t)}, the breakpoints)."""
    evaluations = {start: evaluate(start), stop: evaluate(stop)}
    found = []
    stack = [(start, stop)]
    while stack:
        a, b = stack.pop()
        fa, ga, _ = evaluations[a]
        fb, gb, _ = evaluations[b]
        scale = max(1.0, abs(fa), abs(fb))
        if abs(ga - gb) * (b - a) <= TANGENT_REL * scale:
            continue  # one line from a to b
        t = (fb - fa + ga * a - gb * b) / (ga - gb)  # where the tangents at a and b cross
        if not a < t < b:
            t = (a + b) / 2
        ft, gt, rt = evaluate(t)
        evaluations[t] = (ft, gt, rt)
        if (abs(ft - (fa + ga * (t - a))) <= TANGENT_REL * scale
                and abs(ft - (fb + gb * (t - b))) <= TANGENT_REL * scale):
            found.append(t)
        else:
            stack += [(a, t), (t, b)]
    return evaluations, found


def _value_at(evaluations: dict, t: float) -> float:
    return evaluations[t][0]
