"""The Pyomo statement compiled into the LP HiGHS takes: Pyomo's LinearStandardFormCompiler gives a
sparse matrix with one row per constraint and its sense; each row and column is keyed as the
assembled LP keys it (model.lp.names), so the two can be compared entry by entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from model.lp.names import ColKey, RowKey

if TYPE_CHECKING:
    import highspy

    from model.plan import Plan


def _key(component_data: Any) -> tuple[str, object, int | None]:
    """(component name, index, case): the case is the plan block's index, None at the top."""
    block = component_data.parent_block()
    case = block.index() if block.parent_block() is not None else None
    return component_data.parent_component().local_name, component_data.index(), case


def compile_model(m: Any) -> tuple[highspy.HighsLp, list[RowKey], list[ColKey]]:
    """(HighsLp, row keys, column keys) of a Pyomo model of model.lp.statement."""
    import highspy
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    info = LinearStandardFormCompiler().write(m, mixed_form=True, set_sense=None)
    n_cols = len(info.columns)
    matrix = info.A.tocsc()
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = info.c.toarray()[0] if info.c.shape[0] else np.zeros(n_cols)
    lp.col_lower_ = np.array([-inf if v.lb is None else v.lb for v in info.columns], dtype=float)
    lp.col_upper_ = np.array([inf if v.ub is None else v.ub for v in info.columns], dtype=float)
    rhs = np.asarray(info.rhs, dtype=float)
    sense = np.array([r.bound_type for r in info.rows], dtype=int)
    lp.row_lower_ = np.where(sense <= 0, rhs, -inf)
    lp.row_upper_ = np.where(sense >= 0, rhs, inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    lp.offset_ = float(np.sum(info.c_offset)) if np.size(info.c_offset) else 0.0
    integer = [j for j, v in enumerate(info.columns) if v.is_integer()]
    if integer:
        kinds = [highspy.HighsVarType.kContinuous] * n_cols
        for j in integer:
            kinds[j] = highspy.HighsVarType.kInteger
        lp.integrality_ = kinds
    rows = [RowKey(*_key(r.constraint), r.bound_type) for r in info.rows]
    columns = [ColKey(*_key(v)) for v in info.columns]
    return lp, rows, columns


def build_and_compile(plan: Plan) -> tuple[highspy.HighsLp, list[RowKey], list[ColKey]]:
    """The plan's LP through the Pyomo statement: (HighsLp, row keys, column keys)."""
    from model.lp.statement import build_model, build_plan

    return compile_model(build_model(plan.data, plan.cases[0].net) if plan.single else build_plan(plan))
