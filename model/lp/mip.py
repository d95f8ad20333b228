"""A model with integer investment decisions (options built whole, in modules, or with a fixed cost):
solved by HiGHS's branch and bound, with the duals a planner reads taken from the LP with the
decisions fixed.

Three solves on the same HiGHS model:
1. the LP relaxation (every decision divisible): its objective is a bound no whole-step plan can
   beat, and the difference is what building in whole steps costs (stated in resource cost:
   other_decision_costs prices the relaxation's allocation as it prices each decision taken the
   other way);
2. the mixed-integer program: the decisions, HiGHS's best bound and the gap between them;
3. the LP with the decisions fixed at the MIP's: flows, duals, reduced costs and ranging, as a
   planner reads them for the network those decisions build (a MIP has no duals of its own).
The HiGHS model is left as solve 3 left it (decisions fixed, integrality off), which is what the
live model of sweeps and stress tests re-solves when the decisions are kept; MipInfo holds the
decisions' own bounds, to re-solve the MIP instead.

What a decision costs is said in resource cost (model.lp.kinds: what is paid, and what time, risk
and carbon cost), not as the objective's difference, which also counts calibration premiums
(behaviour, not money) and unmet tonnes at the penalty chosen in Settings: Difference keeps the
three apart.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import highspy
import numpy as np

from model.lp.highs import NAN, Solution, solve_lp
from model.lp.kinds import resource_costs, unmet_weights

if TYPE_CHECKING:
    from model.lp.arrays import ArrayLP
    from model.lp.names import ColKey, RowKey
    from model.plan import Plan
    from model.progress import Phases

CONTINUOUS, INTEGER = highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger


@dataclass(frozen=True)
class Difference:
    """One allocation against the solution chosen (another minus the chosen), in the objective's
    units: its resource cost, the calibration premiums, the objective (which adds the premiums and
    the unmet-demand penalty to the resource cost) and the unmet tonnes (model.lp.kinds.unmet_weights)."""

    resource_usd: float
    premiums_usd: float
    objective_usd: float
    unmet_t: float


@dataclass
class MipInfo:
    """What the integer decisions cost and how sure the answer is."""

    relaxation_usd: float  # the LP relaxation's objective: the objective if every option were divisible
    relaxation_x: np.ndarray | None = None  # its allocation (column values), priced by other_decision_costs
    # the chosen solution against the relaxation (what building in whole steps costs) and the
    # relaxation's resource cost: in the copy other_decision_costs returns
    whole_steps: Difference | None = None
    relaxation_resource_usd: float = NAN
    bound_usd: float = NAN  # HiGHS's best bound on the MIP's optimum
    gap: float = NAN  # (objective - bound) / objective, as HiGHS reports it
    nodes: int = 0  # branch-and-bound nodes
    status: str = ""  # the MIP's status in words
    columns: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # the integer columns
    lower: np.ndarray = field(default_factory=lambda: np.zeros(0))  # their own bounds (before fixing)
    upper: np.ndarray = field(default_factory=lambda: np.zeros(0))
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the decisions (whole numbers)

    @property
    def feasible(self) -> bool:
        return len(self.values) == len(self.columns) and self.status == "Optimal"


def integer_columns(lp: ArrayLP | highspy.HighsLp) -> np.ndarray:
    """The columns of a HighsLp that take whole values."""
    kinds = list(lp.integrality_)
    return np.array([j for j, kind in enumerate(kinds) if kind == INTEGER], dtype=np.int64)


def free_decisions(lp: ArrayLP | highspy.HighsLp, integer: np.ndarray) -> bool:
    """Whether any integer column can take more than one value (else the model is an LP)."""
    lo, up = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
    return bool(len(integer) and (up[integer] > lo[integer]).any())


def set_integrality(h: highspy.Highs, columns: np.ndarray, kind: highspy.HighsVarType) -> None:
    if len(columns):
        h.changeColsIntegrality(len(columns), columns.astype(np.int32), np.full(len(columns), kind))


def solve_mip(h: highspy.Highs, rows: list[RowKey], columns: Sequence[ColKey],
              row_bounds: tuple[np.ndarray, np.ndarray], integer: np.ndarray, ranging: bool = True,
              phases: Phases | None = None) -> Solution:
    """The three solves above; the Solution is solve 3's (or the first that has no optimum), with
    .mip set. Its objective is the fixed LP's (the MIP's flows re-optimised for its decisions, so
    never above the MIP's own)."""
    lp = h.getLp()
    lower = np.asarray(lp.col_lower_, dtype=float)[integer]
    upper = np.asarray(lp.col_upper_, dtype=float)[integer]
    set_integrality(h, integer, CONTINUOUS)
    relaxed = solve_lp(h, rows, columns, row_bounds, ranging=False, phases=phases)
    info = MipInfo(relaxation_usd=relaxed.objective_usd, relaxation_x=relaxed.x, columns=integer, lower=lower,
                   upper=upper, status=relaxed.status)
    relaxed.mip = info
    if not relaxed.optimal:  # no allocation even with divisible capacity: explained as an LP
        return relaxed
    basis = h.getBasis()
    set_integrality(h, integer, INTEGER)
    start = time.perf_counter()
    h.run()
    seconds = relaxed.seconds + time.perf_counter() - start
    status = h.getModelStatus()
    info.status = h.modelStatusToString(status)
    hinfo = h.getInfo()
    info.nodes = int(hinfo.mip_node_count)
    if status != highspy.HighsModelStatus.kOptimal:
        return Solution(status=info.status, optimal=False, objective_usd=NAN, solver=relaxed.solver,
                        method="branch and bound", seconds=seconds, highs=h, rows=rows, columns=columns, mip=info)
    mip_objective = hinfo.objective_function_value
    info.bound_usd = float(hinfo.mip_dual_bound)
    info.values = np.round(np.asarray(h.getSolution().col_value, dtype=float)[integer])
    set_integrality(h, integer, CONTINUOUS)
    h.changeColsBounds(len(integer), integer.astype(np.int32), info.values, info.values)
    h.setBasis(basis)
    sol = solve_lp(h, rows, columns, row_bounds, ranging=ranging, phases=phases)
    sol.mip = info
    sol.seconds += seconds
    if sol.optimal:
        info.gap = max(0.0, (sol.objective_usd - info.bound_usd) / max(1.0, abs(sol.objective_usd)))
        sol.method = f"branch and bound ({info.nodes} nodes); duals from {sol.method} with the decisions fixed"
        if sol.objective_usd > mip_objective + 1e-6 * max(1.0, abs(mip_objective)):
            raise RuntimeError("MIP: the LP with the decisions fixed costs more than the MIP")  # a bug, not input
    return sol


def other_decision_costs(plan: Plan, sol: Solution) -> tuple[dict[str, Difference | None], MipInfo | None]:
    """For each option with an integer decision: what deciding it the other way would change, the
    rest re-optimised (a MIP each): an option built, not built at all; an option not built, built
    (at least one whole step, or opened, by the last period: the MIP chooses how much and when).
    Each re-solved allocation is priced with the resource cost (model.lp.kinds) against the chosen
    solution's, beside the objective's difference and the unmet tonnes; so is the LP relaxation's,
    returned with them as a copy of sol.mip with whole_steps and relaxation_resource_usd (sol is
    left as solved). None where the other way is not possible (nothing may be built) or has no
    allocation. Solved on a copy of the model: sol's HiGHS model is not touched."""
    from model.lp.families import MODULES, OPENED
    from model.lp.highs import load_highs

    info = sol.mip
    if info is None or not info.feasible or not sol.optimal:
        return {}, info
    (resource, premium), unmet = sol.resource_c or resource_costs(plan, sol), unmet_weights(plan, sol)
    chosen = np.asarray(sol.x, dtype=float)

    def against_chosen(x: np.ndarray, objective_usd: float) -> Difference:
        dx = x - chosen
        return Difference(float(resource @ dx), float(premium @ dx), objective_usd - sol.objective_usd,
                          float(unmet @ dx))

    if info.relaxation_x is not None:  # the chosen solution against the relaxation: what whole steps cost
        relaxed = against_chosen(np.asarray(info.relaxation_x, dtype=float), info.relaxation_usd)
        info = replace(info, whole_steps=Difference(-relaxed.resource_usd, -relaxed.premiums_usd,
                                                     -relaxed.objective_usd, -relaxed.unmet_t),
                       relaxation_resource_usd=float(resource @ info.relaxation_x))
    lp = sol.highs.getLp()  # type: ignore[union-attr]  # an optimal solve's live model
    lower, upper = np.array(lp.col_lower_, dtype=float), np.array(lp.col_upper_, dtype=float)
    lower[info.columns], upper[info.columns] = info.lower, info.upper
    decided = dict(zip(info.columns.tolist(), info.values.tolist(), strict=True))
    h = load_highs(lp)
    set_integrality(h, info.columns, INTEGER)
    h.changeColsBounds(len(lower), np.arange(len(lower), dtype=np.int32), lower, upper)
    out: dict[str, Difference | None] = {}
    for o in plan.options:
        cols = {family: sorted(((key.index[1] if isinstance(key.index, tuple) else 0), j)
                               for j, key in enumerate(sol.columns) if key.family == family and key.case is None
                               and (key.index[0] if isinstance(key.index, tuple) else key.index) == o.option)
                for family in (MODULES.name, OPENED.name)}
        mine = [j for family in cols.values() for _, j in family]
        if not mine:
            continue
        lo, up = lower[mine].copy(), upper[mine].copy()
        if any(decided[j] > 0.5 for j in mine):  # built: not at all
            new_lo, new_up = np.zeros(len(mine)), np.zeros(len(mine))
        else:  # not built: at least one step (or opened) by the last period
            last = (cols[MODULES.name] or cols[OPENED.name])[-1][1]
            if upper[last] < 1:
                out[o.option] = None
                continue
            new_lo, new_up = lo.copy(), up.copy()
            new_lo[mine.index(last)] = 1.0
        idx = np.asarray(mine, dtype=np.int32)
        h.changeColsBounds(len(idx), idx, new_lo, new_up)
        h.run()
        out[o.option] = None
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            x = np.asarray(h.getSolution().col_value, dtype=float)
            out[o.option] = against_chosen(x, h.getInfo().objective_function_value)
        h.changeColsBounds(len(idx), idx, lo, up)
    return out, info
