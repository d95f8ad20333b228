"""The LP's objective by kind of money (model.results.money): per column, the calibration premiums
and the non-resource terms (the unmet-demand penalty, calibration's band misses, the weight on the
worst scenario), so that what is paid, and what time, risk and carbon cost (the resource cost) can
be read apart from the objective: at a point (the frontier) or at the margin (the resource duals)."""

from __future__ import annotations

import numpy as np

from model.lp.families import BAND_MISS, FLOW, UNMET, WORST
from model.network.costs import COST_PARTS
from model.plan import Plan

NOT_RESOURCE = (UNMET.name, BAND_MISS.name, WORST.name)  # column families whose whole cost is not resource cost


def premiums_and_penalties(plan: Plan, sol) -> tuple[np.ndarray, np.ndarray]:
    """(premium, penalty) per column of the solved LP, in its objective's units: each flow's
    calibration premiums times its case's factor, and the whole cost of the columns of NOT_RESOURCE."""
    cost = np.asarray(sol.highs.getLp().col_cost_, dtype=float)
    premium = np.zeros(len(cost))
    at = list(COST_PARTS).index("premium")
    for i, case in enumerate(plan.cases):
        pos = sol.col_pos.get((FLOW.name, None if plan.single else i), {})
        cols = np.array([pos[f] for f in case.net.flows], dtype=np.int64)
        if len(cols):
            premium[cols] = case.factor * case.net.cost_array[:, at]
    other = np.array([j for j, k in enumerate(sol.columns) if k.family in NOT_RESOURCE], dtype=np.int64)
    penalty = np.zeros(len(cost))
    penalty[other] = cost[other]
    return premium, penalty


def set_resource_duals(plan: Plan, sol) -> None:
    """Fill sol.resource_y, the row duals of the resource cost alone, from the optimal basis (left
    None where the basis does not give the solution's own duals: then no resource value is stated)."""
    if sol.highs is None or not sol.optimal:
        return
    premium, penalty = premiums_and_penalties(plan, sol)
    cost = np.asarray(sol.highs.getLp().col_cost_, dtype=float)
    sol.resource_y = sol.duals_for(cost - premium - penalty)
