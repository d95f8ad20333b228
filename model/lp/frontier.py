"""The frontier's model: the solved model of a plan with the row cost_within added and the objective
turned to a target (tonnes, or CO2e, of a commodity filter through a scope's target), and each point
solved twice, for the best target and then for the cheapest allocation that reaches it. corridor
frontier (model.analysis.frontier) sweeps it; the infeasibility text (model.analysis.infeasible) asks it what
a minimum rule's target can carry at most."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from model.lp.families import BOTTLENECK_ROWS, FLOW, label
from model.lp.highs import Solution
from model.lp.kinds import premiums_and_penalties
from model.lp.mip import INTEGER, set_integrality
from model.plan import Plan

SLACK_REL = 1e-9  # cost_within holds C* (1 + SLACK_REL) + D: at D = 0 the optimum itself, within round-off
# The largest bound HiGHS is given, after its bounds are scaled by a power of two (user_bound_scale):
# see FrontierModel.bound_scale.
MAX_SCALED_BOUND = 1e6


@dataclass(frozen=True)
class FrontierPoint:
    """One point of the frontier: the best target within the least cost + extra_cost_usd, and the
    cheapest allocation that reaches it. target None: no optimum (status says why); the
    allocation's figures (cost_usd ... corridor) None: its second solve found none."""

    extra_cost_usd: float
    status: str
    target: float | None = None  # the best target, 0 within round-off (t/yr, or t CO2e/yr)
    raw_target: float | None = None  # as solved: the exact method's tangents must meet the points they are drawn at
    slope: float | None = None  # dS*/dD (nan with integer decisions)
    limited_by: tuple[str, ...] = ()  # the workbook's rows that hold the target back at its best
    cost_usd: float | None = None
    extra_cost_used_usd: float | None = None
    shipped_t: float | None = None
    resource_cost_usd: float | None = None
    premiums_usd: float | None = None
    penalty_usd: float | None = None
    corridor: dict[str, float] | None = None  # tonnes by corridor
    binding: tuple[str, ...] = ()  # the rows at their bound in the allocation


@dataclass(frozen=True)
class Target:
    """What the frontier maximises or minimises: tonnes (or, co2, tonnes of CO2e) of a commodity
    filter through a scope's target (the Policies grammar); scope None: every flow."""

    scope: str | None
    name: str | None
    commodity: str | None
    maximise: bool
    co2: bool = False
    words: str = ""  # the target in words, names for codes ('country Pakistan (Phosphate fertiliser)')

    @property
    def text(self) -> str:
        where = (self.words or (f"{self.scope} {self.name}" if self.scope else "")
                 + (f" ({self.commodity})" if self.commodity else "")).strip()
        if not self.co2:
            return where
        return "CO2e" + ((" through " if self.scope else " ") + where if where else "")

    @property
    def unit(self) -> str:
        return "t CO2e" if self.co2 else "t"


class FrontierModel:
    """The solved model of a plan (sol: its Solution, whose HiGHS model it takes over), with the row
    cost_within added and the objective turned to the target."""

    def __init__(self, plan: Plan, sol: Solution, target: Target):
        self.plan, self.sol, self.target = plan, sol, target
        h = sol.highs
        assert h is not None, "the frontier takes over the solve's own HiGHS model (sol.highs)"
        self.h: highspy.Highs = h
        lp = h.getLp()
        self.cost = np.array(lp.col_cost_, dtype=float)
        self.optimum = float(sol.objective_usd)
        self.n = n = len(self.cost)
        self.mip = sol.mip if sol.mip is not None and len(sol.mip.columns) else None
        if self.mip is not None:  # the decisions free again, and whole: each point is a MIP
            j = self.mip.columns
            h.changeColsBounds(len(j), j.astype(np.int32), self.mip.lower, self.mip.upper)
            set_integrality(h, j, INTEGER)
        self.coef, self.shipped_coef, self.corridor_of, self.weight = self._coefficients()
        self.premium, self.penalty = premiums_and_penalties(plan, sol, self.cost)  # model.lp.kinds
        x0 = np.asarray(h.getSolution().col_value, dtype=float)  # the least-cost solution's resource cost
        self.resource_at_optimum = float((self.cost - self.premium - self.penalty) @ x0)
        self.senses = np.array([r.sense for r in sol.rows], dtype=np.int8)
        self.row_lower = np.asarray(lp.row_lower_, dtype=float)
        self.row_upper = np.asarray(lp.row_upper_, dtype=float)
        self.scale_t = float(self.shipped_coef @ np.asarray(h.getSolution().col_value, dtype=float))
        nz = np.flatnonzero(self.cost)
        h.addRow(-highspy.kHighsInf, self._rhs(0.0), len(nz), nz.astype(np.int32), self.cost[nz])
        self.cost_row = h.getNumRow() - 1
        sel = np.flatnonzero(self.coef)
        h.addRow(-highspy.kHighsInf, highspy.kHighsInf, len(sel), sel.astype(np.int32), self.coef[sel])
        self.target_row = h.getNumRow() - 1
        h.setOptionValue("user_bound_scale", self.bound_scale(extra=abs(self.optimum)))
        self.sign = -1.0 if target.maximise else 1.0  # HiGHS minimises sign * S
        self.all_cols = np.arange(n, dtype=np.int32)
        self.solves = 0

    def bound_scale(self, extra: float) -> int:
        """The power of two by which HiGHS scales every bound (its option user_bound_scale) so that
        none exceeds MAX_SCALED_BOUND, cost_within's up to an extra cost of `extra` included.

        cost_within is the whole cost, about 9e9 USD on the base case. HiGHS holds each row within an
        absolute 1e-7, but in a basis that holds this row a round-off of 9e9 times machine epsilon
        reaches every tonne: HiGHS then found supply rows 6e-7 t over, and called points of the
        frontier infeasible (at 157 M USD of extra cost on a variant of the base year, where every
        neighbouring point solved), whose every point is feasible by construction (the optimum is).
        Scaled (by 2^-15 on the base case) the bounds are at most 1e6, the tolerance is 1e-7 of the
        scaled units (a hundredth of a tonne, or of a USD, on the base case), and a power of two
        scales and unscales every value exactly."""
        bounds = [abs(self.optimum) + extra, *np.abs(self.row_lower), *np.abs(self.row_upper)]
        largest = max((b for b in bounds if np.isfinite(b)), default=1.0)
        return -max(0, math.ceil(math.log2(largest / MAX_SCALED_BOUND))) if largest > MAX_SCALED_BOUND else 0

    def _rhs(self, extra: float) -> float:
        return self.optimum + SLACK_REL * abs(self.optimum) + extra

    def _coefficients(self) -> tuple[np.ndarray, np.ndarray, dict[int, str], dict[int | None, float]]:
        """Per column: the target's coefficient, the coefficient of the shipped tonnes of the
        target's commodities, and the corridor of each flow column; weights of the plan's cases."""
        t = self.target
        coef, shipped = np.zeros(self.n), np.zeros(self.n)
        corridor_of: dict[int, str] = {}
        weight: dict[int | None, float] = {}
        for i, case in enumerate(self.plan.cases):
            key = None if self.plan.single else i
            net = case.net
            w = 1.0 if self.plan.single else case.probability * case.period.weight
            weight[key] = w
            pos = self.sol.col_pos.get((FLOW.name, key), {})
            cols = np.array([pos[f] for f in net.flows], dtype=np.int64)
            if t.scope is None:
                selected = total = net.filter_index(t.commodity)
            else:
                selected, total = net.scope_index(t.scope, t.name, t.commodity)  # type: ignore[arg-type]  # a scope names its target
            coef[cols[selected]] = w * (net.co2_t_per_t[selected] if t.co2 else 1.0)
            shipped[cols[total]] = w * (net.co2_t_per_t[total] if t.co2 else 1.0)
            for f, j in zip(net.flows, cols.tolist(), strict=True):
                corridor_of[j] = net.routes[f[1]].corridor
        return coef, shipped, corridor_of, weight

    def _run(self) -> bool:
        """Solve from scratch: a warm start from the previous point would make a point's answer depend on
        the points before it (and on near-degenerate frontiers, HiGHS's dual simplex warm-started from
        a far point can stop short, reporting infeasibility)."""
        self.h.clearSolver()
        self.h.run()
        self.solves += 1
        return self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal

    def point(self, extra: float) -> FrontierPoint:
        """The best target within C* + extra, and the cheapest allocation that reaches it."""
        h = self.h
        h.changeRowBounds(self.cost_row, -highspy.kHighsInf, self._rhs(extra))
        h.changeColsCost(self.n, self.all_cols, self.sign * self.coef)
        if not self._run():
            return FrontierPoint(extra, h.modelStatusToString(h.getModelStatus()))
        best = raw = self.sign * h.getInfo().objective_function_value
        limited_by = self._limits()
        if abs(best) <= 1e-6 * max(1.0, self.scale_t):
            best = 0.0  # round-off of the slack SLACK_REL leaves at D = 0
        slope = self._slope()
        # Stage 2: the target held at its best (within round-off), the least cost.
        hold = best - 1e-9 * max(1.0, abs(best)) if self.target.maximise else best + 1e-9 * max(1.0, abs(best))
        h.changeRowBounds(self.target_row, *((hold, highspy.kHighsInf) if self.target.maximise
                                             else (-highspy.kHighsInf, hold)))
        h.changeColsCost(self.n, self.all_cols, self.cost)
        ok = self._run()
        # raw_target: as solved, for the exact method, whose tangents must meet the points they are drawn at
        # (with the target at D = 0 rounded to 0 a breakpoint came out 130 USD late, at 150,001.61 t for 150,000)
        status = h.modelStatusToString(h.getModelStatus())  # before the bound is freed, which clears it
        summary = self._summary(np.asarray(h.getSolution().col_value, dtype=float)) if ok else {}
        h.changeRowBounds(self.target_row, -highspy.kHighsInf, highspy.kHighsInf)
        return FrontierPoint(extra, status, best, raw, slope, tuple(limited_by), **summary)

    def _limits(self) -> list[str]:
        """The rows of the workbook whose duals hold the target back at its best (an LP only)."""
        if self.mip is not None:
            return []
        y = np.asarray(self.h.getSolution().row_dual, dtype=float)[: len(self.sol.rows)]
        out = []
        for i in np.flatnonzero(np.abs(y) > 1e-9).tolist():
            key = self.sol.rows[i]
            if key.family in BOTTLENECK_ROWS:
                out.append(label(key, self.plan.cases[key.case or 0].net))
        return sorted(set(out))

    def _slope(self) -> float:
        """dS*/dD: the dual of cost_within in the target problem (0 with integer decisions, where S*
        is a step function and is only sampled)."""
        if self.mip is not None:
            return float("nan")
        return self.sign * float(h_dual(self.h, self.cost_row))

    def _summary(self, x: np.ndarray) -> dict[str, Any]:
        cost = float(self.cost @ x)
        flows = np.array(sorted(self.corridor_of), dtype=np.int64)
        tonnes: dict[str, float] = {}
        for j, v in zip(flows.tolist(), x[flows].tolist(), strict=True):
            if v > 1e-6:
                case = self.sol.columns[j].case
                c = self.corridor_of[j]
                tonnes[c] = tonnes.get(c, 0.0) + v * self.weight[case]
        shipped = float(self.shipped_coef @ x)
        binding = []
        act = np.asarray(self.h.getSolution().row_value, dtype=float)[: len(self.sol.rows)]
        at = np.where(self.senses == 1, self.row_upper, self.row_lower)
        for i in np.flatnonzero(np.abs(act - at) <= 1e-7 * np.maximum(1.0, np.abs(at))).tolist():
            key = self.sol.rows[i]
            if key.family in BOTTLENECK_ROWS and self.senses[i] != 0:
                binding.append(label(key, self.plan.cases[key.case or 0].net))
        premiums, penalty = float(self.premium @ x), float(self.penalty @ x)
        return {"cost_usd": cost, "extra_cost_used_usd": cost - self.optimum, "shipped_t": shipped,
                "resource_cost_usd": cost - premiums - penalty, "premiums_usd": premiums, "penalty_usd": penalty,
                "corridor": tonnes, "binding": tuple(sorted(set(binding)))}


def h_dual(h: highspy.Highs, row: int) -> float:
    return float(np.asarray(h.getSolution().row_dual, dtype=float)[row])

