"""The cut each port's handling charge needs before a route through it, unused at a live model's point, carries
cargo (corridor uncertainty --cuts: each draw, each port of the focus): read off the point's optimal basis and
confirmed by one solve, with the exact parametric search (switching.port_cut) where the basis does not settle it.

Lowering the charge by t lowers the cost of each Flow column through the port by t times the passes of its route
(FlowCosts.effect; a season's columns cost nothing, their year's Flow carries the cost): c(t) = c - t d. While a
basis B stays optimal its duals are y(t) = y - t w, with B^T w = d_B (one solve with B^T, HiGHS's
getBasisTransposeSolve), every reduced cost is r_j(t) = r_j - t (d_j - A_j^T w), and its primal point, so the
routes used, does not move. B stays optimal for t in [0, t*]: t* is the least t at which a nonbasic column's
reduced cost or a nonbasic row's dual leaves its optimal sign (the ratio test of parametric cost analysis), so no
unused route starts before t*. One solve at t* + EPS from B confirms the cut: if its basis is optimal back to t*
(the same ratio test, downward) and carries cargo on an unused route of the port, the cut is t*. If it carries
none (the basis changed among the routes already used, or a degenerate step), the test repeats from its basis,
up to STEPS times. The exact search decides instead where the basis cannot: t* = 0 (the point lies on a tie,
several dual solutions), a solve without an optimum, a basis not optimal back to the last t* (two breakpoints
closer than EPS), STEPS used up, or decisions re-solved as integers (there is no basis).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import highspy
import numpy as np

from model.analysis.params import find_cells
from model.analysis.uncertainty.switching import CUT_SPAN, STRETCHES, cell_limits, port_cut
from model.input.data import ROW
from model.lp.families import Cell
from model.lp.highs import floats
from model.network.costs import FlowCosts
from model.results.tables import TOL_T

EPS = 1e-3  # USD/t past a basis's last cut, where it is confirmed: far above HiGHS's dual feasibility tolerance
# (1e-7) for a column that passes the port once, far below the 0.01 USD/t to which a cut is given
STEPS = 4  # bases stepped through before the exact search takes over
RATE = 1e-9  # a rate (per USD/t) below this is round-off of the solve with B^T: the value does not move
TINY = 1e-9  # a basis's reach below this (USD/t) is a tie at the point itself
PRIMAL = 4  # HiGHS's simplex_strategy for the primal simplex
HANDLING = "handling_usd_per_t"  # the Nodes column a port's cut moves
LOWER, UPPER, ZERO, FIXED, BASIC = range(5)  # where a variable stands (_standing)


def port_cuts(live, ports: list[str], route_tonnes: dict[str, float] | None) -> dict[str, float]:
    """For each port (code), the cut (USD/t) its handling charge needs before a route through it, unused at the
    live model's point (route_tonnes: that point's tonnes by route; HiGHS holds its optimum), carries cargo:
    switching.port_cut's figure (NaN as there), read off the point's basis. Leaves the live model moved."""
    held = dict(getattr(live, "applied", {}))  # none applied yet: the model is its base (a rebuilt draw's own)
    if live.mip is not None and not live.keep_decisions:
        return {port: port_cut(live, port, route_tonnes) for port in ports}
    start = _Vertex.read(live)
    plans = []
    for port in ports:  # every port's reach from the point's basis first: HiGHS holds its factor only until moved
        cell = _charge(live, port)
        d = _fall(live, cell)
        plans.append((port, cell, d, start.reach(live, d)))
    cuts = {}
    strategy = live.h.getOptionValue("simplex_strategy")[1]
    for port, cell, d, reach in plans:
        try:  # primal simplex: only costs change, so the basis stays feasible and a pivot or two restores it (the
            # dual simplex took some hundred degenerate ones: benchmarks/README.md, issue 26, cuts)
            live.h.setOptionValue("simplex_strategy", PRIMAL)
            cut = _stepped(live, port, cell, d, reach, held, route_tonnes or {})
        finally:
            live.h.setOptionValue("simplex_strategy", strategy)
        if cut is None:  # the exact search, from the point as the draw set it (port_cut reads what is applied)
            live.apply(held)
            cut = port_cut(live, port, route_tonnes)
        cuts[port] = cut
    return cuts


def _stepped(live, port: str, cell: Cell, d: np.ndarray, reach: float, held: dict[Cell, float],
             route_tonnes: dict[str, float]) -> float | None:
    """The cut by the bases stepped through from the point's (optimal up to reach), or None for the exact search
    to decide. Each solve starts from the basis HiGHS holds, factored: any basis is feasible whatever the costs,
    and the one solved confirms the cut by its own optimality, wherever it started from."""
    through = {r for r, passes in zip(live.net.routes, live.net.route_passes(port).tolist(), strict=True) if passes}
    idle = np.fromiter((r in through and route_tonnes.get(r, 0.0) <= TOL_T for r in live.route_names), dtype=bool,
                       count=len(live.route_names))
    if not idle.any():
        return math.nan  # every route through the port carries cargo: none is left to start
    charge = held.get(cell, cell.base)
    farthest = min(CUT_SPAN * 2 ** STRETCHES, charge - cell_limits([cell], False)[0])  # as far as port_cut searches
    if reach <= TINY:
        return None
    for _ in range(STEPS):
        if reach > farthest:
            return math.nan  # no unused route starts within the search
        live.apply({**held, cell: charge - (reach + EPS)})
        live.h.run()
        if live.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        vertex = _Vertex.read(live)
        if reach + EPS - vertex.reach(live, -d) > reach + TINY * max(1.0, reach):
            return None  # a basis between: two breakpoints closer than EPS
        x = vertex.x
        tonnes = np.bincount(live.route_of_col, np.where(live.is_flow & (x > 1e-9), x, 0.0), len(live.route_names))
        if (tonnes[idle] > TOL_T).any():
            return reach
        reach = reach + EPS + vertex.reach(live, d)
    return None


def _charge(live, port: str) -> Cell:
    """The port's handling charge, the cell find_cells names Nodes[port].handling_usd_per_t, looked up by its code
    (find_cells reads names too, at a cost paid at every draw); find_cells's own error for a port the data lacks."""
    nodes = live.data.tables["Nodes"]
    at = np.flatnonzero(nodes["node"].to_numpy() == port)
    charge = float(nodes[HANDLING].iat[at[0]]) if len(at) == 1 else math.nan
    if charge != charge:  # no such port, or a blank charge
        return find_cells(f"Nodes[{port}].{HANDLING}", live.data)[0]  # said, exit 2
    return Cell("Nodes", int(nodes[ROW].iat[at[0]]), port, HANDLING, charge)


def _fall(live, cell: Cell) -> np.ndarray:
    """How much each column's cost falls per USD/t cut of a port's handling charge: the passes of its route (the
    Nodes row's node is all FlowCosts.effect reads of it)."""
    part, flows, times = FlowCosts.effect(live.net, cell.input, {"node": cell.key})
    d = np.zeros(len(live.base_cost))
    d[live.flow_cols[flows]] = times
    return d


@dataclass(frozen=True)
class _Vertex:
    """The optimal basis HiGHS holds just after a solve: its primal point, reduced costs and duals, its basic
    variables, and where each column and row stands (_standing), read off the point and the bounds it was solved
    with (reading HiGHS's statuses one by one is the slow way: benchmarks/README.md)."""

    basic: np.ndarray  # HiGHS's basic variables: a column's index, or -1 - a row's
    x: np.ndarray
    r: np.ndarray
    y: np.ndarray
    col_status: np.ndarray
    row_status: np.ndarray

    @classmethod
    def read(cls, live) -> _Vertex:
        h = live.h
        solution = h.getSolution()
        basic = np.asarray(h.getBasicVariables()[1], dtype=np.int64)
        x, activity = floats(solution.col_value), floats(solution.row_value)
        col_bounds = getattr(live, "current_col_bounds", (live.base_col_lower, live.base_col_upper))
        row_bounds = getattr(live, "current_bounds", (live.base_row_lower, live.base_row_upper))
        return cls(basic, x, floats(solution.col_dual), floats(solution.row_dual),
                   _standing(x, col_bounds[0], col_bounds[1], basic[basic >= 0]),
                   _standing(activity, row_bounds[0], row_bounds[1], -1 - basic[basic < 0]))

    def reach(self, live, d: np.ndarray) -> float:
        """The least t >= 0 at which this basis stops being optimal with the costs c - t d (inf: it never does);
        HiGHS must still hold this basis's factor (nothing changed since its solve)."""
        columns = self.basic >= 0
        d_basic = np.where(columns, d[np.where(columns, self.basic, 0)], 0.0)
        status, w = live.h.getBasisTransposeSolve(d_basic)
        if status != highspy.HighsStatus.kOk:
            raise RuntimeError(f"HiGHS could not solve with the basis's transpose ({status})")  # a bug, not input
        w = np.asarray(w, dtype=float)
        rows = np.flatnonzero(w)
        rho = d.copy()  # each reduced cost's fall per USD/t
        if len(rows):  # less A's rows where w is not 0, times w
            _, starts, index, value = live.h.getRowsEntries(len(rows), rows.astype(np.int32))
            per_row = np.diff(np.append(starts, len(index))).astype(np.int64)
            rho -= np.bincount(index, value * np.repeat(w[rows], per_row), len(d))
        return float(min(_ratios(self.r, rho, self.col_status), _ratios(self.y, w, self.row_status)))


def _standing(value: np.ndarray, lower: np.ndarray, upper: np.ndarray, basic: np.ndarray) -> np.ndarray:
    """Where each variable stands: BASIC, FIXED (lower = upper: its reduced cost or dual may take either sign),
    ZERO (free, nonbasic), else LOWER or UPPER, whichever bound it is at."""
    status = np.where(np.isfinite(lower) & (~np.isfinite(upper) | (value - lower <= upper - value)), LOWER, UPPER)
    status[~np.isfinite(lower) & ~np.isfinite(upper)] = ZERO
    status[lower == upper] = FIXED
    status[basic] = BASIC
    return status


def _ratios(value: np.ndarray, rate: np.ndarray, status: np.ndarray) -> float:
    """The least t >= 0 at which a nonbasic value - t rate (a reduced cost or a row's dual) leaves its optimal
    sign: >= 0 at the lower bound, <= 0 at the upper, 0 when free (any sign when fixed); inf if none does."""
    leaves = ((status == LOWER) & (rate > RATE)) | ((status == UPPER) & (rate < -RATE))
    zero = (status == ZERO) & (np.abs(rate) > RATE)
    t = np.concatenate([np.maximum(value[leaves] / rate[leaves], 0.0), np.zeros(int(zero.sum()))])
    return float(t.min()) if len(t) else math.inf
