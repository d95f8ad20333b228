"""The LP as it is assembled: columns (costs, bounds, keys) and rows (row-wise non-zeros, bounds,
keys) in typed arrays, handed to HiGHS as a HighsLp."""

from __future__ import annotations

from array import array

import numpy as np

from model.lp.names import Names, RowKey

INF = float("inf")


class LPArrays:
    """Columns and rows as they are added. Typed arrays, not lists: 4 and 8 bytes per non-zero
    instead of a Python object each."""

    def __init__(self):
        self.cost = array("d")
        self.col_lower = array("d")
        self.col_upper = array("d")
        self.columns = Names()
        self.start = array("i", [0])
        self.index = array("i")
        self.value = array("d")
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.rows: list[RowKey] = []
        self.integer: list[int] = []  # columns that take whole values (a MIP when any)

    # ------------------------------------------------------------------ columns
    def add_column(self, family: str, index, cost: float, lower: float, upper: float,
                   case: int | None = None) -> int:
        self.cost.append(cost)
        self.col_lower.append(lower)
        self.col_upper.append(upper)
        return self.columns.add(family, index, case)

    def add_columns(self, family: str, indices, cost: np.ndarray, lower: float, upper: float,
                    case: int | None = None) -> int:
        """A block of columns with one key each; returns the position of the first."""
        n = len(indices)
        self.cost.frombytes(np.asarray(cost, dtype=np.float64).tobytes())
        self.col_lower.frombytes(np.full(n, lower, dtype=np.float64).tobytes())
        self.col_upper.frombytes(np.full(n, upper, dtype=np.float64).tobytes())
        return self.columns.add_block(family, indices, case)

    # ------------------------------------------------------------------ rows
    def add_row(self, family: str, index, sense: int, cols, vals, rhs: float, case: int | None = None) -> None:
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

    def highs_lp(self):
        """The HighsLp of what was added (row-wise matrix)."""
        import highspy

        lp = highspy.HighsLp()
        lp.num_col_ = len(self.columns)
        lp.num_row_ = len(self.rows)
        lp.col_cost_ = np.frombuffer(self.cost, dtype=float)
        lp.col_lower_ = np.frombuffer(self.col_lower, dtype=float)
        lp.col_upper_ = np.frombuffer(self.col_upper, dtype=float)
        lp.row_lower_ = np.asarray(self.row_lower, dtype=float)
        lp.row_upper_ = np.asarray(self.row_upper, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.frombuffer(self.start, dtype=np.int32)
        lp.a_matrix_.index_ = np.frombuffer(self.index, dtype=np.int32)
        lp.a_matrix_.value_ = np.frombuffer(self.value, dtype=float)
        if self.integer:
            kinds = [highspy.HighsVarType.kContinuous] * len(self.columns)
            for j in self.integer:
                kinds[j] = highspy.HighsVarType.kInteger
            lp.integrality_ = kinds
        return lp
