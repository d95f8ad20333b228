"""The logit allocation's program read off the LP as HiGHS holds it, and its solution written back
as a Solution the result tables read like the least-cost one.

The LP's columns fall in three kinds here. The choice columns are what cargo chooses among: each
flow (each flow in each season, with a Seasons sheet) and, where an unmet penalty is set, not
delivering at that cost; they are grouped by demand row (by demand row and season), each group's
total fixed at its tonnes. The columns the families define as sums of others (a flow's year from
its seasons, season_split; a share rule's total, shipped_total; a demand row's unmet tonnes from
its seasons') are written as those sums. The rest (what is built) is held at the least-cost
solution's value, so a row that holds only them drops out. Every other row of the LP stays, in the
choice columns: the capacities, supplies, policies and calibration rules are the same rows.
Reading the program from the LP, not from the sheets, is what lets the live model of a sweep re-use
it: a changed cell changes the LP, and the next choice solve reads the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from model.lp.choice.dual import DualProblem
from model.lp.families import (
    DEMAND_BALANCE,
    FLOW,
    SEASON_DEMAND,
    SEASON_FLOW,
    SEASON_SPLIT,
    SHIPPED,
    SHIPPED_TOTAL,
    UNMET,
    WORST_CASE,
)
from model.lp.names import ColumnKeys, RowKey, positions
from model.plan import Plan

# rows that the choice columns' groups meet exactly, or that define a column now written as a sum
DEFINING_ROWS = frozenset({DEMAND_BALANCE.name, SEASON_DEMAND.name, SEASON_SPLIT.name, SHIPPED_TOTAL.name,
                           WORST_CASE.name})


class ChoiceInputError(Exception):
    """A cargo class without a dispersion (what to add is in the message)."""


@dataclass
class LPTables:
    """The LP as arrays: what HiGHS holds (h.getLp()) or what was assembled."""

    A: sparse.csr_matrix
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray

    @classmethod
    def of_highs(cls, lp: Any) -> LPTables:  # a highspy.HighsLp
        import highspy

        a = lp.a_matrix_
        start, index, value = (np.asarray(v) for v in (a.start_, a.index_, a.value_))
        shape = (lp.num_row_, lp.num_col_)
        if a.format_ == highspy.MatrixFormat.kColwise:
            matrix = sparse.csc_matrix((value, index, start), shape=shape).tocsr()
        else:
            matrix = sparse.csr_matrix((value, index, start), shape=shape)
        return cls(matrix, *(np.asarray(v, dtype=float) for v in (lp.col_cost_, lp.col_lower_, lp.col_upper_,
                                                                   lp.row_lower_, lp.row_upper_)))


@dataclass
class ChoiceProgram:
    """The dual problem and how to write its solution back onto the LP's columns and rows."""

    problem: DualProblem
    S: sparse.csr_matrix  # LP columns x choice columns: x_LP = S x + fixed
    fixed: np.ndarray  # LP column values held (what is built), 0 elsewhere
    dual_rows: np.ndarray  # per dual row: the LP row it comes from
    dual_sign: np.ndarray  # +1 for a <= or = row, -1 for a >= row turned round
    factor: np.ndarray  # per LP row: its case's objective factor (1 in a single-period model)
    group_rows: list[tuple[int, ...]]  # per group: the LP demand rows it is part of
    group_class: list[str]  # per group: its cargo class
    kept: np.ndarray  # per choice column (in group order) kept in the problem (False: held at 0 by a row)
    column_factor: np.ndarray  # per choice column: its case's objective factor


def read_program(plan: Plan, columns: ColumnKeys, rows: list[RowKey], lp: LPTables, x_lp: np.ndarray,
                 dispersion: dict[str, float]) -> ChoiceProgram:
    """The choice program of a plan's LP. dispersion: USD/t per cargo class (1 / theta)."""
    col_pos, row_pos = positions(columns), positions(rows)
    n_lp = len(lp.cost)
    entries: list[tuple[int, int]] = []  # (LP column, choice column) of S
    group_cols: list[list[int]] = []  # per group, its choice columns
    group_total: list[float] = []
    group_rows: list[tuple[int, ...]] = []
    group_class: list[str] = []
    group_factor: list[float] = []
    choice_cost: list[float] = []
    defined: set[int] = set()
    keys: list[int | None] = [None] if plan.single else list(range(len(plan.cases)))
    for key, case in zip(keys, plan.cases, strict=True):
        net, factor = case.net, (case.factor if key is not None else 1.0)
        flow = col_pos.get((FLOW.name, key))
        if flow is None:
            continue
        first = flow.start  # type: ignore[attr-defined]  # a Span: the flows' columns are one run
        n = len(net.flows)
        unmet = col_pos.get((UNMET.name, key), {})
        demand = row_pos.get((DEMAND_BALANCE.name, key), {})
        classes = net.commodity_class
        if net.seasons is None:
            for d in net.demand_rows:
                a, b = net.demand_span.get(d.row, (0, 0))
                cols = list(range(first + a, first + b)) + ([unmet[d.row]] if d.row in unmet else [])
                if d.row not in demand:
                    continue
                total = float(lp.row_lower[demand[d.row]])
                _group(group_cols, entries, choice_cost, cols, lp.cost, factor)
                group_total.append(total)
                group_rows.append((demand[d.row],))
                group_class.append(classes[d.commodity])
                group_factor.append(factor)
        else:
            season_first = col_pos[(SEASON_FLOW.name, key)].start  # type: ignore[attr-defined]  # a Span
            order = {s: season_first + n * p for p, s in enumerate(net.seasons.share)}
            defined.update(range(first, first + n))
            season_rows = row_pos.get((SEASON_DEMAND.name, key), {})
            for sd in net.seasons.demands:
                if (sd.row, sd.season) not in season_rows or sd.annual_row not in demand:
                    continue
                a, b = net.demand_span.get(sd.annual_row, (0, 0))
                cols = list(range(order[sd.season] + a, order[sd.season] + b))
                i = season_rows[(sd.row, sd.season)]
                start = len(choice_cost)
                _group(group_cols, entries, choice_cost, cols, np.zeros(n_lp), factor)
                for j, c in enumerate(cols):  # the season's tonnes carry the year's flow cost
                    f = c - order[sd.season] + first
                    choice_cost[start + j] = lp.cost[f] / factor
                    entries.append((f, start + j))
                if sd.annual_row in unmet:  # not delivering in this season: a part of the year's Unmet
                    u = unmet[sd.annual_row]
                    defined.add(u)
                    entries.append((u, len(choice_cost)))
                    group_cols[-1].append(len(choice_cost))
                    choice_cost.append(lp.cost[u] / factor)
                group_total.append(float(lp.row_upper[i]))
                group_rows.append((demand[sd.annual_row], i))
                d = net.demand_by_row[sd.annual_row]
                group_class.append(classes[d.commodity])
                group_factor.append(factor)
    missing = sorted({c for c in group_class if c not in dispersion})
    if missing:
        raise ChoiceInputError(", ".join(missing))
    n_choice = len(choice_cost)
    S = sparse.csr_matrix((np.ones(len(entries)), ([e[0] for e in entries], [e[1] for e in entries])),
                          shape=(n_lp, n_choice))
    # a share rule's total: shipped_total reads Shipped - sum(flows) = 0, so Shipped is the sum of its flows'
    for (family, key), pos in row_pos.items():
        if family != SHIPPED_TOTAL.name:
            continue
        shipped = col_pos.get((SHIPPED.name, key), {})
        for index, i in pos.items():
            j = shipped[index]
            row = lp.A.getrow(i)
            others = row.indices != j
            coef = sparse.csr_matrix((-row.data[others] / row[0, j], (np.zeros(others.sum(), dtype=int),
                                                                        row.indices[others])), shape=(1, n_lp))
            S = S.tolil()
            S[j] = coef @ S
            S = S.tocsr()
            defined.add(j)
    choice_lp = np.zeros(n_lp, dtype=bool)
    choice_lp[np.unique(S.nonzero()[0])] = True
    fixed = np.where(choice_lp, 0.0, x_lp)
    return _dual(lp, rows, S, fixed, group_cols, group_total, group_rows, group_class, group_factor,
                 np.asarray(choice_cost), dispersion, plan, keys)


def _group(group_cols: list[list[int]], entries: list[tuple[int, int]], choice_cost: list[float], cols: list[int],
           cost: np.ndarray, factor: float) -> None:
    """A group of LP columns that are themselves choice columns."""
    start = len(choice_cost)
    group_cols.append(list(range(start, start + len(cols))))
    for j, c in enumerate(cols):
        entries.append((c, start + j))
        choice_cost.append(float(cost[c]) / factor)


def _dual(lp: LPTables, rows: list[RowKey], S: sparse.csr_matrix, fixed: np.ndarray, group_cols: list[list[int]],
          group_total: list[float], group_rows: list[tuple[int, ...]], group_class: list[str],
          group_factor: list[float], choice_cost: np.ndarray, dispersion: dict[str, float], plan: Plan,
          keys: list[int | None]) -> ChoiceProgram:
    case_factor = {k: (c.factor if k is not None else 1.0) for k, c in zip(keys, plan.cases, strict=True)}
    row_factor = np.array([case_factor.get(r.case, 1.0) for r in rows])
    keep = np.array([r.family not in DEFINING_ROWS for r in rows], dtype=bool)
    A = lp.A[keep] @ S
    shift = lp.A[keep] @ fixed
    lower, upper = lp.row_lower[keep] - shift, lp.row_upper[keep] - shift
    lp_row = np.flatnonzero(keep)
    # a column's own bounds on a choice or defined column, where not [0, inf), are rows too
    bounded = np.flatnonzero((S.getnnz(axis=1) > 0) & ((lp.col_lower != 0) | np.isfinite(lp.col_upper)))
    if len(bounded):
        A = sparse.vstack([A, S[bounded]]).tocsr()
        lower = np.concatenate([lower, lp.col_lower[bounded]])
        upper = np.concatenate([upper, lp.col_upper[bounded]])
        lp_row = np.concatenate([lp_row, np.full(len(bounded), -1)])
    used = A.getnnz(axis=1) > 0
    A, lower, upper, lp_row = A[used], lower[used], upper[used], lp_row[used]
    # each row once as <= (sign +1), a >= row turned round (-1), an equality row free
    equal = lower == upper
    le = np.flatnonzero(np.isfinite(upper) & ~equal)
    ge = np.flatnonzero(np.isfinite(lower) & ~equal)
    eq = np.flatnonzero(equal)
    B = sparse.vstack([A[le], -A[ge], A[eq]]).tocsr()
    b = np.concatenate([upper[le], -lower[ge], upper[eq]])
    free = np.concatenate([np.zeros(len(le) + len(ge), dtype=bool), np.ones(len(eq), dtype=bool)])
    dual_rows = np.concatenate([lp_row[le], lp_row[ge], lp_row[eq]])
    sign = np.concatenate([np.ones(len(le)), -np.ones(len(ge)), np.ones(len(eq))])
    # columns a row holds at 0 (a closed season, a capacity of 0, a max share of 0) leave the program:
    # their toll would have to be infinite
    kept = np.ones(B.shape[1], dtype=bool)
    closing = (b <= 0) & (np.asarray((B < 0).sum(axis=1)).ravel() == 0)
    one_sign = (np.asarray((B > 0).sum(axis=1)).ravel() == 0) | (np.asarray((B < 0).sum(axis=1)).ravel() == 0)
    closing = (closing & ~free) | (free & (b == 0) & one_sign)
    kept[np.unique(B[closing].indices)] = False
    order = np.concatenate([np.asarray(g, dtype=np.int64) for g in group_cols]) if group_cols else np.zeros(0, int)
    sizes = np.array([len(g) for g in group_cols], dtype=np.int64)
    in_order = kept[order]
    groups = np.repeat(np.arange(len(sizes)), sizes)
    counts = np.bincount(groups[in_order], minlength=len(sizes))
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    columns = order[in_order]
    B = B[~closing][:, columns].tocsr()
    problem = DualProblem(B, b[~closing], free[~closing], choice_cost[columns],
                          np.array([1.0 / dispersion[c] for c in group_class]), start, np.asarray(group_total))
    return ChoiceProgram(problem, S[:, columns].tocsr(), fixed, dual_rows[~closing], sign[~closing], row_factor,
                         group_rows, group_class, kept, np.repeat(np.asarray(group_factor), counts))
