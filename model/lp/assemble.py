"""The LP of a plan assembled as arrays for HiGHS, family by family (model.lp.families): the
default builder. model/lp/statement/ states the same LP in Pyomo, and tests/test_lp.py holds the
two identical (every column's cost and bounds, every row's sense, bounds and coefficients)."""

from __future__ import annotations

from model.lp.arrays import LPArrays
from model.lp.families import BUILD, BUILD_GROWS, CASE_FAMILIES, WORST, WORST_CASE, CaseLP
from model.lp.names import Names, RowKey


def emit_case(a: LPArrays, case, position: int | None, build_col) -> CaseLP:
    """One case's columns and rows, in the order of CASE_FAMILIES."""
    c = CaseLP(a, case.net, case.data.settings, position, case.factor if position is not None else 1.0, build_col)
    for family in CASE_FAMILIES:
        family.emit(c)
    return c


def build_lp(plan) -> tuple[object, list[RowKey], Names]:
    """(HighsLp, row keys, column keys) of a plan (model.plan.Plan): the single-period model for a
    plan of one case without years, else one block of columns and rows per case, linked by the
    Build columns they share (and the worst-case rows of a robust plan)."""
    a = LPArrays()
    if plan.single:
        build_col = BUILD.single(a, plan.options, plan.data.settings.allow_investments)
        emit_case(a, plan.cases[0], None, build_col)
        for o in plan.options:
            build_col(o.option)
    else:
        build = BUILD.plan(a, plan)
        BUILD_GROWS.emit_plan(a, plan, build)
        cases = [emit_case(a, case, i, lambda o, y=case.period.index: build[(o, y)])
                 for i, case in enumerate(plan.cases)]
        WORST_CASE.emit_plan(a, plan, WORST.emit_plan(a, plan), cases, build)
    return a.highs_lp(), a.rows, a.columns
