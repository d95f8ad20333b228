"""The LP as it is assembled: columns (costs, bounds, keys) and rows (row-wise non-zeros, bounds,
keys) in typed arrays, handed to HiGHS as a HighsLp."""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from model.lp.names import ColumnKeys, RowKey

if TYPE_CHECKING:
    import highspy

INF = float("inf")


class LPArrays:
    """Columns and rows as they are added. Typed arrays, not lists: 4 and 8 bytes per non-zero
    instead of a Python object each."""

    def __init__(self) -> None:
        self.cost = array("d")
        self.col_lower = array("d")
        self.col_upper = array("d")
        self.columns = ColumnKeys()
        self.start = array("i", [0])
        self.index = array("i")
        self.value = array("d")
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.rows: list[RowKey] = []
        self.integer: list[int] = []  # columns that take whole values (a MIP when any)

    # ------------------------------------------------------------------ columns
    def add_column(self, family: str, index: Hashable, cost: float, lower: float, upper: float,
                   case: int | None = None) -> int:
        self.cost.append(cost)
        self.col_lower.append(lower)
        self.col_upper.append(upper)
        return self.columns.add(family, index, case)

    def add_columns(self, family: str, indices: Sequence[Any], cost: np.ndarray, lower: float, upper: float,
                    case: int | None = None) -> int:
        """A block of columns with one key each; returns the position of the first."""
        n = len(indices)
        self.cost.frombytes(np.asarray(cost, dtype=np.float64).tobytes())
        self.col_lower.frombytes(np.full(n, lower, dtype=np.float64).tobytes())
        self.col_upper.frombytes(np.full(n, upper, dtype=np.float64).tobytes())
        return self.columns.add_block(family, indices, case)

    # ------------------------------------------------------------------ rows
    def add_row(self, family: str, index: Hashable, sense: int, cols: np.ndarray | Sequence[int],
                vals: np.ndarray | Sequence[float], rhs: float, case: int | None = None) -> None:
        """One row: sense 1 (<= rhs), -1 (>= rhs) or 0 (= rhs)."""
        if isinstance(cols, np.ndarray):
            self.index.frombytes(cols.astype(np.int32).tobytes())
            self.value.frombytes(np.asarray(vals, dtype=np.float64).tobytes())
        else:
            self.index.extend(cols)
            self.value.extend(vals)
        self.start.append(len(self.index))
        self.row_lower.append(rhs if sense <= 0 else -INF)
        self.row_upper.append(rhs if sense >= 0 else INF)
        self.rows.append(RowKey(family, index, case, sense))

    def highs_lp(self) -> ArrayLP:
        """The LP of what was added (row-wise matrix), as arrays HiGHS takes in one call."""
        import highspy

        integrality: list[highspy.HighsVarType] = []
        if self.integer:
            integrality = [highspy.HighsVarType.kContinuous] * len(self.columns)
            for j in self.integer:
                integrality[j] = highspy.HighsVarType.kInteger
        return ArrayLP(np.frombuffer(self.cost, dtype=float), np.frombuffer(self.col_lower, dtype=float),
                       np.frombuffer(self.col_upper, dtype=float), np.asarray(self.row_lower, dtype=float),
                       np.asarray(self.row_upper, dtype=float), np.frombuffer(self.start, dtype=np.int32),
                       np.frombuffer(self.index, dtype=np.int32), np.frombuffer(self.value, dtype=float),
                       integrality)


class ArrayLP:
    """An LP as numpy arrays under a HighsLp's field names (num_col_, col_cost_, a_matrix_.start_,
    integrality_, ...: what the model and the tests read of an LP), passed to HiGHS in one call
    (pass_to). Filling a highspy.HighsLp field by field costs a copy through Python objects per
    field (at a million columns, the figure is in benchmarks/README.md)."""

    def __init__(self, cost: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray, row_lower: np.ndarray,
                 row_upper: np.ndarray, start: np.ndarray, index: np.ndarray, value: np.ndarray,
                 integrality: list[highspy.HighsVarType]):
        import highspy

        self.num_col_, self.num_row_ = len(cost), len(row_lower)
        self.col_cost_, self.col_lower_, self.col_upper_ = cost, col_lower, col_upper
        self.row_lower_, self.row_upper_ = row_lower, row_upper
        self.a_matrix_ = _RowwiseMatrix(highspy.MatrixFormat.kRowwise, start, index, value)
        self.integrality_ = integrality

    def pass_to(self, h: highspy.Highs) -> object:
        """h.passModel of this LP (minimise, row-wise), with its integrality if any column is integer."""
        import highspy

        a = self.a_matrix_
        kinds = np.array([int(k) for k in self.integrality_], dtype=np.int32) if self.integrality_ else \
            np.zeros(self.num_col_, dtype=np.int32)
        return h.passModel(self.num_col_, self.num_row_, len(a.index_), int(a.format_),
                           int(highspy.ObjSense.kMinimize), 0.0, self.col_cost_, self.col_lower_, self.col_upper_,
                           self.row_lower_, self.row_upper_, a.start_, a.index_, a.value_, kinds)


class _RowwiseMatrix:
    __slots__ = ("format_", "start_", "index_", "value_")

    def __init__(self, format_: highspy.MatrixFormat, start: np.ndarray, index: np.ndarray, value: np.ndarray):
        self.format_, self.start_, self.index_, self.value_ = format_, start, index, value
