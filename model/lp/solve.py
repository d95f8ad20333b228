"""A plan's LP built (by the families, or through the Pyomo statement), handed to HiGHS and solved:
as an LP, or, when options are built in whole steps or with a fixed cost and may be built, as a
MIP whose duals come from the LP with its decisions fixed (model.lp.mip)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from model.lp.highs import OptionValue, Solution, load_highs, solve_lp
from model.lp.mip import CONTINUOUS, free_decisions, integer_columns, set_integrality, solve_mip
from model.plan import Plan
from model.progress import NoPhases, Phases

if TYPE_CHECKING:
    import highspy

    from model.lp.arrays import ArrayLP
    from model.lp.names import ColKey


def solve_plan(plan: Plan, verbose: bool = False, options: dict[str, OptionValue] | None = None, ranging: bool = True,
               builder: str = "fast", phases: Phases | None = None) -> Solution:
    """The Solution of a plan's LP (model.plan.Plan). builder 'fast' assembles it as arrays
    (model.lp.assemble), 'pyomo' states it in Pyomo and compiles it (model.lp.statement): the same
    LP (tests/test_lp.py)."""
    phases = phases or NoPhases()
    phases("building")
    lp: ArrayLP | highspy.HighsLp
    columns: Sequence[ColKey]
    if builder == "pyomo":
        from model.lp.statement.compile import build_and_compile

        lp, rows, columns = build_and_compile(plan)
    else:
        from model.lp.assemble import build_lp

        lp, rows, columns = build_lp(plan)
    for case in plan.cases:
        case.net.forget_indexes()  # memberships, cost parts: no longer needed, and large at 1M flows
    integer = integer_columns(lp)
    decide = free_decisions(lp, integer)
    h = load_highs(lp, verbose, options)
    bounds = (np.array(lp.row_lower_, dtype=float), np.array(lp.row_upper_, dtype=float))
    del lp  # HiGHS holds its own copy now: free ours before it solves
    if decide:
        return solve_mip(h, rows, columns, bounds, integer, ranging=ranging, phases=phases)
    set_integrality(h, integer, CONTINUOUS)  # every decision is held (nothing may be built): an LP
    return solve_lp(h, rows, columns, bounds, ranging=ranging, phases=phases)
