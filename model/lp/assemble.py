"""The LP of a plan assembled as arrays for HiGHS, family by family (model.lp.families): the
default builder. model/lp/statement/ states the same LP in Pyomo, and tests/test_lp.py holds the
two identical (every column's cost and bounds, every row's sense, bounds and coefficients)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from model.lp.arrays import ArrayLP, LPArrays
from model.lp.families import (
    BUILD,
    BUILD_GROWS,
    BUILD_IN_MODULES,
    BUILD_NEEDS_OPENING,
    CASE_FAMILIES,
    MODULES,
    OPENED,
    WORST,
    WORST_CASE,
    CaseLP,
)
from model.lp.names import ColumnKeys, RowKey
from model.network import Option
from model.plan import Case, Plan


def emit_case(a: LPArrays, case: Case, position: int | None, build_col: Callable[[str], int]) -> CaseLP:
    """One case's columns and rows, in the order of CASE_FAMILIES."""
    c = CaseLP(a, case.net, case.data.settings, position, case.factor if position is not None else 1.0, build_col,
               data=case.data)
    for family in CASE_FAMILIES:
        family.emit(c)
    return c


def build_lp(plan: Plan) -> tuple[ArrayLP, list[RowKey], ColumnKeys]:
    """(HighsLp, row keys, column keys) of a plan (model.plan.Plan): the single-period model for a
    plan of one case without years, else one block of columns and rows per case, linked by the
    Build columns they share (and the worst-case rows of a robust plan)."""
    a = LPArrays()
    options = plan.options
    if plan.single:
        build_col = BUILD.single(a, options, plan.data.settings.allow_investments)
        emit_case(a, plan.cases[0], None, build_col)
        build = {o.option: build_col(o.option) for o in options}
        emit_decisions(a, options, build, lambda key: 1.0)
    else:
        build = BUILD.plan(a, plan)
        factor = {p.index: p.weight * p.discount for p in plan.periods}
        opened = emit_decisions(a, options, build, lambda key: factor[key[1]])
        BUILD_GROWS.emit_plan(a, plan, build)
        cases = [emit_case(a, case, i, lambda o, y=case.period.index: build[(o, y)])  # type: ignore[misc]  # y: the case's year, bound
                 for i, case in enumerate(plan.cases)]
        WORST_CASE.emit_plan(a, plan, WORST.emit_plan(a, plan), cases, [*build.values(), *opened.values()])
    return a.highs_lp(), a.rows, a.columns


def emit_decisions(a: LPArrays, options: list[Option], build: dict[Any, int],
                   factor: Callable[[Any], float]) -> dict[Any, int]:
    """The integer decisions of the options built in whole steps or with a fixed cost, and the rows
    that tie them to Build; returns the Opened columns (key -> column)."""
    modules = MODULES.emit(a, options, build)
    opened = OPENED.emit(a, options, build, factor)
    BUILD_IN_MODULES.emit(a, options, build, modules)
    BUILD_NEEDS_OPENING.emit(a, options, build, opened)
    return opened
