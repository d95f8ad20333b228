"""A plan's LP built (by the families, or through the Pyomo statement), handed to HiGHS and solved."""

from __future__ import annotations

import numpy as np

from model.lp.highs import Solution, load_highs, solve_lp
from model.progress import NoPhases


def solve_plan(plan, verbose: bool = False, options: dict | None = None, ranging: bool = True,
               builder: str = "fast", phases=None) -> Solution:
    """The Solution of a plan's LP (model.plan.Plan). builder 'fast' assembles it as arrays
    (model.lp.assemble), 'pyomo' states it in Pyomo and compiles it (model.lp.statement): the same
    LP (tests/test_lp.py)."""
    phases = phases or NoPhases()
    phases("building")
    if builder == "pyomo":
        from model.lp.statement.compile import build_and_compile

        lp, rows, columns = build_and_compile(plan)
    else:
        from model.lp.assemble import build_lp

        lp, rows, columns = build_lp(plan)
    h = load_highs(lp, verbose, options)
    bounds = (np.array(lp.row_lower_, dtype=float), np.array(lp.row_upper_, dtype=float))
    del lp  # HiGHS holds its own copy now: free ours before it solves (about 150 MB at 1M flows)
    return solve_lp(h, rows, columns, bounds, ranging=ranging, phases=phases)
