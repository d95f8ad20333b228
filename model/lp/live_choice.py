"""The allocation of a live model's point (model.lp.live): the LP's own, or with allocation choice the
logit's, re-run on the LP as HiGHS holds it at that point.

A sweep or stress point changes cells in HiGHS and re-solves the LP from the base basis; under choice
the logit is then solved on that same LP (model.lp.choice: read_program reads the program off HiGHS's
current LP, choice_of_lp solves its dual from the base point's tolls), so a changed capacity, cost or
closure reaches the choice as it reaches the LP, with no second solver and no rebuild. A
Dispersions cell changes no LP cell (model.lp.families.NO_LP_EFFECT) but the choice: the point's
dispersions are the base ones with the swept cells' values (at()).
"""

from __future__ import annotations

import dataclasses
import time

import highspy
import numpy as np

from model.input.data import CorridorData
from model.input.schema import Allocation
from model.input.validate.choice import dispersions
from model.lp.choice import NoConvergence, choice_of_lp, program_of
from model.lp.families import Cell
from model.lp.highs import Solution
from model.network import Network
from model.plan import Plan

DISPERSION = ("Dispersions", "dispersion_usd_per_t")  # the cell that changes the choice and no LP cell
NOT_CONVERGED = "Choice not converged"  # a point's status when the logit did not reach the rows' tolerance


class LiveAllocation:
    """The allocation of each point of a live model of (data, net) whose base solve is sol."""

    def __init__(self, data: CorridorData, net: Network, sol: Solution):
        self.choice = data.settings.allocation == Allocation.CHOICE
        self.plan = Plan.of_one(data, net)
        self.solution = sol
        self.base = dispersions(data) if self.choice else {}
        self.dispersion = dict(self.base)

    def at(self, values: dict[Cell, float]) -> None:
        """The point's dispersions: the base ones, each swept Dispersions cell (keyed by cargo class) set."""
        self.dispersion = dict(self.base)
        for cell, value in values.items():
            if (cell.sheet, cell.column) == DISPERSION:
                self.dispersion[cell.key] = float(value)

    def __call__(self, h: highspy.Highs, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of the point: the LP's as solved (least cost), or the logit's tonnes and tolls on HiGHS's
        current LP (choice; the LP's x holds what is built). Raises NoConvergence when the logit does not
        converge."""
        if not self.choice:
            return x, y
        start = time.perf_counter()
        lp, program = program_of(self.plan, self.solution, h, x, self.dispersion)
        # the dual started from the base point's tolls (the solve's choice), not the point's LP duals: a point near
        # the base takes fewer Newton steps (docs/user-guide/choice-commands.md has the figure)
        lp_solution = dataclasses.replace(self.solution, x=x, y=self.solution.y, rc=None,
                                          objective_usd=float(lp.cost @ x))
        found = choice_of_lp(program, lp_solution, lp, self.dispersion, start)
        return found.x, found.y  # type: ignore[return-value]  # choice_of_lp sets both


__all__ = ["DISPERSION", "NOT_CONVERGED", "LiveAllocation", "NoConvergence"]  # NoConvergence: model.lp.choice's
