r"""The route-choice allocation: each demand row's tonnes split over its routes by a multinomial logit in
generalised cost, under the same rows as the least-cost LP.

Least cost puts a market's cargo on its one cheapest route, so the allocation jumps when two routes'
costs cross. The freight models that ministries and development banks use (random-utility route and
mode choice; the entropy models of spatial interaction, Wilson 1970) split it instead: a route is
chosen with probability $e^{-\theta c_r} / \sum_i e^{-\theta c_i}$, where $1/\theta$ (the dispersion,
USD/t, per cargo class) is the cost difference that makes one route $e$ times as likely as another:
what the model's costs leave out (a shipper's own rates, reliability, habit) spread over the routes.
With capacities, supplies and policies the same split is the optimum of the entropy-regularised program

$$
\min \sum_j c_j x_j + \sum_j \frac{1}{\theta_j} x_j (\ln x_j - 1)
$$

under the LP's own rows (Evans 1973; Fisk 1980), whose multipliers are tolls: a full capacity's toll is
what diverts the cargo it cannot take, as its shadow price does in the LP. As $\theta \to \infty$ the
program becomes the LP and its optimum the least-cost allocation. model.lp.choice.program reads the
program off the solved LP; model.lp.choice.dual solves it.

Why the smooth dual and Newton (measured: docs/choice.md, benchmarks/choice_solvers.py): the program has
one column per flow (up to a million) but one multiplier per row (a few hundred), and the columns for
given tolls are the logit in closed form. An exponential-cone interior-point solver (Clarabel) takes
every column as a cone and factorises a system of that size at each of its iterations; HiGHS on an outer
approximation needs several tangent columns a flow for a stated error bound. The dual's Newton steps
factorise a dense matrix of the rows alone.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.lp.choice.dual import NoConvergence, solve_dual
from model.lp.choice.program import ChoiceInputError, ChoiceProgram, LPTables, read_program
from model.lp.families import SHIPPED, SHIPPED_TOTAL
from model.lp.highs import Solution
from model.plan import Plan

if TYPE_CHECKING:
    import highspy

__all__ = ["ChoiceInfo", "ChoiceInputError", "NoConvergence", "allocate", "choice_of_lp", "program_of"]


@dataclass(frozen=True)
class ChoiceInfo:
    """How the choice allocation was reached, for the Summary and the check."""

    dispersion: dict[str, float]  # USD/t per cargo class
    steps: int  # Newton steps
    seconds: float
    violation_t: float  # the largest row violation left, tonnes
    least_cost_usd: float  # the least-cost LP's objective on the same case, for comparison
    generalised: np.ndarray  # per LP column: cost plus tolls, USD/t in the year's money (nan off the choice columns)


def allocate(plan: Plan, sol: Solution, dispersion: dict[str, float]) -> Solution:
    """The choice allocation of a plan whose least-cost LP is solved (sol, optimal, its HiGHS held):
    a Solution like it, with the logit's tonnes (x), the tolls as row duals (y, in the LP's sign and
    money), each column's generalised cost above its group's cheapest as its reduced cost, no ranging
    (the LP's alone), and sol.choice. What is built is the least-cost solution's."""
    start = time.perf_counter()
    lp, program = program_of(plan, sol, sol.highs, sol.x, dispersion)  # type: ignore[arg-type]  # an optimal solve's
    return choice_of_lp(program, sol, lp, dispersion, start)


def program_of(plan: Plan, sol: Solution, h: highspy.Highs, x: np.ndarray,
               dispersion: dict[str, float]) -> tuple[LPTables, ChoiceProgram]:
    """(the LP as HiGHS h holds it now, the choice program read off it) for a plan solved as sol (its columns
    and rows), what is built held at x: what allocate, a live point, the responses and the estimate read."""
    lp = LPTables.of_highs(h.getLp())
    return lp, read_program(plan, sol.columns, sol.rows, lp, x, dispersion)  # type: ignore[arg-type]  # solved


def _defined_row_duals(sol: Solution, lp: LPTables, y: np.ndarray) -> None:
    """A share rule's total (shipped_total: Shipped - its flows = 0) is written as a sum in the program, not a row of
    it: its dual is set, as the LP's is, to what leaves its Shipped column no reduced cost (c_j = sum_i A_ij y_i),
    so that a flow's terms over its rows add up to its tolls (explain reads them)."""
    A = lp.A.tocsc()
    for (family, key), pos in sol.row_pos.items():
        if family != SHIPPED_TOTAL.name:
            continue
        shipped = sol.col_pos.get((SHIPPED.name, key), {})
        for index, i in pos.items():
            j = shipped.get(index)
            if j is None:
                continue
            rows, values = A.indices[A.indptr[j]:A.indptr[j + 1]], A.data[A.indptr[j]:A.indptr[j + 1]]
            own = rows == i
            if own.any():
                y[i] = (lp.cost[j] - values[~own] @ y[rows[~own]]) / values[own][0]


def choice_of_lp(program: ChoiceProgram, sol: Solution, lp: LPTables, dispersion: dict[str, float],
                 start: float) -> Solution:
    """The Solution of a read program, started from the LP's duals."""
    p = program.problem
    y_lp = np.asarray(sol.y, dtype=float)
    rows = np.maximum(program.dual_rows, 0)
    mu0 = np.where(program.dual_rows >= 0, -program.dual_sign * y_lp[rows] / program.factor[rows], 0.0)
    found = solve_dual(p, mu0)
    x_choice = np.zeros(program.S.shape[1])
    x_choice[:] = found.x
    x = program.S @ x_choice + program.fixed
    y = np.zeros(len(lp.row_lower))
    real = program.dual_rows >= 0
    at = program.dual_rows[real]
    np.add.at(y, at, -(program.dual_sign * found.mu)[real] * program.factor[at])
    generalised = p.cost + p.B.T @ found.mu  # USD/t in the year's money, per choice column
    # each demand row's dual: what a tonne of it costs, split as its tonnes are (tolls included)
    spent, tonnes = np.zeros(len(y)), np.zeros(len(y))
    sizes = np.diff(p.start)
    group = np.repeat(np.arange(len(sizes)), sizes)
    by_group = np.bincount(group, weights=generalised * found.x, minlength=len(sizes))
    for g, lp_rows in enumerate(program.group_rows):
        for i in lp_rows:
            spent[i] += by_group[g]
            tonnes[i] += p.total[g]
    demand = tonnes > 0
    y[demand] = spent[demand] / tonnes[demand] * program.factor[demand]
    _defined_row_duals(sol, lp, y)
    lowest = np.full(len(sizes), np.inf)
    np.minimum.at(lowest, group, generalised)
    gap = generalised - lowest[group]
    counts = program.S @ np.ones(len(gap))
    on_choice = counts > 0
    rc = np.array(sol.rc, dtype=float) if sol.rc is not None else np.zeros(len(x))
    rc[on_choice] = (program.S @ (gap * program.column_factor))[on_choice] / counts[on_choice]
    general = np.full(len(x), np.nan)
    general[on_choice] = (program.S @ generalised)[on_choice] / counts[on_choice]
    info = ChoiceInfo(dict(dispersion), found.steps, time.perf_counter() - start, found.violation,
                      sol.objective_usd, general)
    return dataclasses.replace(sol, x=x, y=y, rc=rc, objective_usd=float(lp.cost @ x), cost_ranges=None,
                               bound_ranges=None, resource_y=None, method=f"logit (projected Newton on the dual, "
                               f"{found.steps} steps)", choice=info)
