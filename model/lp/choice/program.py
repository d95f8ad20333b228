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
from typing import TYPE_CHECKING, Any

import numpy as np

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
from model.lp.highs import floats
from model.lp.names import ColumnKeys, RowKey, positions
from model.plan import Plan

if TYPE_CHECKING:  # imported where a program is read: scipy.sparse is not loaded at a least-cost run's start
    from scipy import sparse

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
        from scipy import sparse

        a = lp.a_matrix_
        # highspy hands each array over as a Python list (tens of bytes an entry): one at a time, so that
        # only one list is alive at once
        start = np.asarray(a.start_)
        index = np.asarray(a.index_, dtype=np.int32)
        value = floats(a.value_)
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
    build = _Groups()
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
                if d.row not in demand:
                    continue
                a, b = net.demand_span.get(d.row, (0, 0))
                cols = np.arange(first + a, first + b)
                if d.row in unmet:
                    cols = np.append(cols, unmet[d.row])
                build.add(cols, cols, lp.cost[cols] / factor, float(lp.row_lower[demand[d.row]]),
                          (demand[d.row],), classes[d.commodity], factor)
        else:
            season_first = col_pos[(SEASON_FLOW.name, key)].start  # type: ignore[attr-defined]  # a Span
            order = {s: season_first + n * p for p, s in enumerate(net.seasons.share)}
            season_rows = row_pos.get((SEASON_DEMAND.name, key), {})
            for sd in net.seasons.demands:
                if (sd.row, sd.season) not in season_rows or sd.annual_row not in demand:
                    continue
                a, b = net.demand_span.get(sd.annual_row, (0, 0))
                cols = np.arange(order[sd.season] + a, order[sd.season] + b)
                year = np.arange(first + a, first + b)  # the season's tonnes carry the year's flow cost, and are
                cost = lp.cost[year] / factor  # a part of the year's flow
                also = year
                if sd.annual_row in unmet:  # not delivering in this season: a part of the year's Unmet
                    u = unmet[sd.annual_row]
                    cols, also, cost = np.append(cols, -1), np.append(year, u), np.append(cost, lp.cost[u] / factor)
                i = season_rows[(sd.row, sd.season)]
                d = net.demand_by_row[sd.annual_row]
                build.add(cols, also, cost, float(lp.row_upper[i]), (demand[sd.annual_row], i),
                          classes[d.commodity], factor)
    missing = sorted({c for c in build.group_class if c not in dispersion})
    if missing:
        raise ChoiceInputError(", ".join(missing))
    S = build.matrix(n_lp)
    # a share rule's total: shipped_total reads Shipped - sum(flows) = 0, so Shipped is the sum of its flows'
    S = _with_shipped(S, lp, col_pos, row_pos)
    choice_lp = S.getnnz(axis=1) > 0
    fixed = np.where(choice_lp, 0.0, x_lp)
    return _dual(lp, rows, S, fixed, build, dispersion, plan, keys)


class _Groups:
    """The choice columns, group by group (each group's columns one run), and the LP columns they make up."""

    def __init__(self) -> None:
        self.lp_cols: list[np.ndarray] = []  # per group: the LP column of each choice column (-1: none)
        self.also: list[np.ndarray] = []  # per group: another LP column each is a part of (-1: none)
        self.cost: list[np.ndarray] = []
        self.sizes: list[int] = []
        self.group_total: list[float] = []
        self.group_rows: list[tuple[int, ...]] = []
        self.group_class: list[str] = []
        self.group_factor: list[float] = []

    def add(self, cols: np.ndarray, also: np.ndarray, cost: np.ndarray, total: float, rows: tuple[int, ...],
            cargo_class: str, factor: float) -> None:
        self.lp_cols.append(cols)
        self.also.append(np.where(also == cols, -1, also))
        self.cost.append(np.asarray(cost, dtype=float))
        self.sizes.append(len(cols))
        self.group_total.append(total)
        self.group_rows.append(rows)
        self.group_class.append(cargo_class)
        self.group_factor.append(factor)

    def matrix(self, n_lp: int) -> sparse.csr_matrix:
        from scipy import sparse
        """S: LP columns x choice columns, a 1 where a choice column is (a part of) an LP column."""
        if not self.sizes:
            return sparse.csr_matrix((n_lp, 0))
        lp_cols, also = np.concatenate(self.lp_cols), np.concatenate(self.also)
        choice = np.arange(len(lp_cols))
        rows = np.concatenate([lp_cols[lp_cols >= 0], also[also >= 0]])
        cols = np.concatenate([choice[lp_cols >= 0], choice[also >= 0]])
        return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_lp, len(lp_cols)))


def _with_shipped(S: sparse.csr_matrix, lp: LPTables, col_pos: dict[tuple[str, int | None], Any],
                  row_pos: dict[tuple[str, int | None], Any]) -> sparse.csr_matrix:
    from scipy import sparse
    """S with each share rule's Shipped column written as the sum its shipped_total row defines:
    Shipped_j = -sum_k A[i, k] / A[i, j] x_k over the row's other columns, all rows at once."""
    pairs = [(i, col_pos.get((SHIPPED.name, key), {})[index]) for (family, key), pos in row_pos.items()
             if family == SHIPPED_TOTAL.name for index, i in pos.items()]
    if not pairs:
        return S
    row_of, col_of = (np.array(v, dtype=np.int64) for v in zip(*pairs, strict=True))
    part = lp.A[row_of].tocoo()
    own = np.asarray(lp.A[row_of, col_of]).ravel()
    others = part.col != col_of[part.row]
    n_lp = S.shape[0]
    define = sparse.csr_matrix((-part.data[others] / own[part.row[others]], (col_of[part.row[others]],
                                                                             part.col[others])), shape=(n_lp, n_lp))
    # a Shipped column summing another is written once that one is: as many passes as such links go deep
    nested = define[:, col_of].nnz > 0
    written = S
    for _ in range(len(pairs) if nested else 1):
        written = (S + define @ written).tocsr()
    return written


def _dual(lp: LPTables, rows: list[RowKey], S: sparse.csr_matrix, fixed: np.ndarray, build: _Groups,
          dispersion: dict[str, float], plan: Plan, keys: list[int | None]) -> ChoiceProgram:
    from scipy import sparse
    case_factor = {k: (c.factor if k is not None else 1.0) for k, c in zip(keys, plan.cases, strict=True)}
    row_factor = np.array([case_factor.get(r.case, 1.0) for r in rows])
    keep = np.array([r.family not in DEFINING_ROWS for r in rows], dtype=bool)
    kept_rows = lp.A[keep]
    A = kept_rows @ S
    shift = kept_rows @ fixed
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
    row_of = np.repeat(np.arange(B.shape[0]), np.diff(B.indptr))
    negative = np.bincount(row_of[B.data < 0], minlength=B.shape[0]) > 0
    positive = np.bincount(row_of[B.data > 0], minlength=B.shape[0]) > 0
    closing = ((b <= 0) & ~negative & ~free) | (free & (b == 0) & ~(positive & negative))
    kept[B[closing].indices] = False
    sizes = np.array(build.sizes, dtype=np.int64)
    groups = np.repeat(np.arange(len(sizes)), sizes)
    counts = np.bincount(groups[kept], minlength=len(sizes))
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    columns = np.flatnonzero(kept)  # the groups' columns are in group order
    B = B[~closing] if kept.all() else B[~closing][:, columns].tocsr()
    choice_cost = np.concatenate(build.cost) if build.cost else np.zeros(0)
    problem = DualProblem(B, b[~closing], free[~closing], choice_cost[columns],
                          np.array([1.0 / dispersion[c] for c in build.group_class]), start,
                          np.asarray(build.group_total))
    return ChoiceProgram(problem, S if kept.all() else S[:, columns].tocsr(), fixed, dual_rows[~closing],
                         sign[~closing], row_factor, build.group_rows, build.group_class, kept,
                         np.repeat(np.asarray(build.group_factor), counts))
