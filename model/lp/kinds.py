"""The LP's objective by kind of money (model.results.money): per column, the calibration premiums
and the non-resource terms (the unmet-demand penalty, calibration's band misses, the weight on the
worst scenario), so that what is paid, and what time, risk and carbon cost (the resource cost) can
be read apart from the objective: at a point (the frontier) or at the margin (the resource duals)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.lp.families import BAND_MISS, FLOW, UNMET, WORST
from model.network.costs import surcharges_usd_per_t
from model.plan import Plan

if TYPE_CHECKING:
    from model.lp.highs import Solution

NOT_RESOURCE = (UNMET.name, BAND_MISS.name, WORST.name)  # column families whose whole cost is not resource cost


def premiums_and_penalties(plan: Plan, sol: Solution, cost: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(premium, penalty) per column of the solved LP, in its objective's units: each flow's
    calibration premiums times its case's factor, and the whole cost of the columns of NOT_RESOURCE
    (cost: the objective's coefficients, when the caller has them already)."""
    cost = np.asarray(sol.highs.getLp().col_cost_, dtype=float) if cost is None else cost  # type: ignore[union-attr]  # a solve's HiGHS, still held
    premium = np.zeros(len(cost))
    for i, case in enumerate(plan.cases):
        if not any(s.premium for s in case.net.surcharges):
            continue
        pos = sol.col_pos.get((FLOW.name, None if plan.single else i), {})
        cols = np.array([pos[f] for f in case.net.flows], dtype=np.int64)
        if len(cols):  # the premium part alone (model.network.costs), not every part of every flow
            premium[cols] = case.factor * surcharges_usd_per_t(case.net, premium=True)
    other = np.array([j for (family, _), pos in sol.col_pos.items() if family in NOT_RESOURCE for j in pos.values()],
                     dtype=np.int64)  # by family, not by walking every column's key
    penalty = np.zeros(len(cost))
    penalty[other] = cost[other]
    return premium, penalty


def resource_costs(plan: Plan, sol: Solution) -> tuple[np.ndarray, np.ndarray]:
    """(resource, premium) per column of the solved LP, in the objective's units: the resource cost is
    the objective's coefficient less the premiums and the penalty (premiums_and_penalties). Priced
    with it, an allocation x costs resource @ x: what is paid, and what time, risk and carbon cost."""
    cost = np.asarray(sol.highs.getLp().col_cost_, dtype=float)  # type: ignore[union-attr]  # a solve's HiGHS, still held
    premium, penalty = premiums_and_penalties(plan, sol, cost)
    for case in plan.cases:  # the memberships the premiums needed: let go again, as the solve did
        case.net.forget_indexes()
    return cost - premium - penalty, premium


def unmet_weights(plan: Plan, sol: Solution) -> np.ndarray:
    """Per column, the tonnes of unmet demand one unit of it stands for: 1 on each unmet column of a
    single year (tonnes a year); in a plan, its case's probability times the calendar years its
    modelled year stands for (expected tonnes over the plan's years); 0 on every other column."""
    weights = np.zeros(len(sol.columns))
    for i, case in enumerate(plan.cases):
        cols = list(sol.col_pos.get((UNMET.name, None if plan.single else i), {}).values())
        weights[np.asarray(cols, dtype=np.int64)] = case.probability * case.period.weight
    return weights


def set_resource_duals(plan: Plan, sol: Solution) -> None:
    """Fill sol.resource_y, the row duals of the resource cost alone, from the optimal basis (left
    None where the basis does not give the solution's own duals: then no resource value is stated)."""
    if sol.highs is None or not sol.optimal:
        return
    sol.resource_c = resource_costs(plan, sol)
    sol.resource_y = sol.duals_for(sol.resource_c[0])
