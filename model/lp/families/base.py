"""What every family shares: the Family base, the case being assembled (CaseLP), the input cell
(Cell) and what a changed cell does to the LP (Bound, Coefficient, ColumnBounds, ColumnCost,
or Structural)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

import numpy as np

from model.input.data import CorridorData
from model.input.settings import Settings
from model.lp.arrays import LPArrays
from model.network import Network

EQ, LE, GE = 0, 1, -1  # row senses: =, <=, >=


# ---------------------------------------------------------------------- what a changed cell does

class Bound(NamedTuple):
    """Set the active bound of a row (the upper of a <= row, the lower of a >=, both of an =)."""

    family: str
    index: Any
    value: float


class Coefficient(NamedTuple):
    """Set the coefficient of column (col_family, col_index) in row (family, index)."""

    family: str
    index: Any
    col_family: str
    col_index: Any
    value: float


class ColumnBounds(NamedTuple):
    family: str
    index: Any
    lower: float
    upper: float


class ColumnCost(NamedTuple):
    family: str
    index: Any
    value: float


# What a changed cell does to the LP in place (Family.changes).
Change = Bound | Coefficient | ColumnBounds | ColumnCost


class Structural(Exception):
    """The change alters which rows or columns exist; rebuild instead of updating in place."""


@dataclass(frozen=True)
class Cell:
    """One numeric input cell: its sheet, the row number in the file, key, column, value."""

    sheet: str
    row: int
    key: str
    column: str
    base: float

    @property
    def label(self) -> str:
        return f"{self.sheet}[{self.key}].{self.column}"

    @property
    def input(self) -> tuple[str, str]:
        """(sheet, column) as the families' inputs name it; a setting is (Settings, its key)."""
        return (self.sheet, self.key) if self.sheet == "Settings" else (self.sheet, self.column)


# ---------------------------------------------------------------------- one case being assembled

@dataclass
class CaseLP:
    """What the families need to emit one case's columns and rows."""

    arrays: LPArrays
    net: Network
    settings: Settings
    case: int | None  # position in the plan's cases; None for the single-period model
    factor: float  # what one USD of this case's annual cost weighs in the objective
    build_col: Callable[[str], int]  # option -> the column of its capacity in service in this case
    first: int = 0  # column of the case's first Flow
    season_first: int = 0  # column of the case's first SeasonFlow (with seasons: model.lp.families.seasons)
    unmet: dict[int, int] = field(default_factory=dict)  # demand row -> its Unmet column
    shipped: dict[str, int] = field(default_factory=dict)  # commodity filter -> its Shipped column
    cost_columns: list[int] = field(default_factory=list)  # columns of the case's annual cost terms
    band_miss: dict[tuple[str, str], int] = field(default_factory=dict)  # (observation, side) -> its column
    # The case's input (its sheets as read, in data.tables): a family whose rows come straight from an
    # input sheet reads them here, with no new field on the network.
    data: CorridorData | None = None

    def row(self, family: Family, index: Any, sense: int, cols: np.ndarray | Sequence[int],
            vals: np.ndarray | Sequence[float], rhs: float) -> None:
        self.arrays.add_row(family.name, index, sense, cols, vals, rhs, self.case)


class Family:
    """A family of columns or rows (see the module docstring)."""

    name: ClassVar[str]
    inputs: ClassVar[tuple[tuple[str, str], ...]] = ()  # (sheet, column) that change it
    # What the rest of the code reads from here rather than keeping a list of families by hand:
    # planner_facing: its rows are rows of the input workbook a planner can name and change (the
    #   infeasibility explanation names only these; the others merely define columns);
    # bottleneck: a row whose shadow price the Bottlenecks sheet reports, and which the live model and
    #   the frontier list, by its label, when it binds;
    # sheet: the result sheet that shows its rows' (or columns') values and duals.
    planner_facing: ClassVar[bool] = False
    bottleneck: ClassVar[bool] = False
    sheet: ClassVar[str | None] = None
    # limit_unit: the unit of a row's limit as the Bottlenecks sheet states it (a year's tonnes, or a season's).
    limit_unit: ClassVar[str] = "t/yr"

    @classmethod
    def summary(cls) -> str:
        """The first line of the docstring (the Pyomo component's doc)."""
        return (cls.__doc__ or "").strip().splitlines()[0]

    def emit(self, c: CaseLP) -> None:
        raise NotImplementedError

    def label(self, net: Network, index: Any) -> str:
        """One of its rows or columns in words: how a binding row reads (the infeasibility
        explanation, the live model's and the frontier's binding rows, explain, sweep tables)."""
        raise NotImplementedError

    def input_row(self, index: Any) -> int | None:
        """The input row a row of the family stands for (the Bottlenecks sheet's input_row): its index,
        or the index's first part, where that is a row number."""
        first = index[0] if isinstance(index, tuple) and index else index
        return first if isinstance(first, int) else None

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list[Change]:
        """What setting `cell` to `value` changes in this family's rows or columns (in place), or
        raise Structural. Only called for a cell of `inputs`. A change to a row that does not exist
        is nothing (the row's presence never depends on the value unless Structural is raised); a
        change to a column that does not exist is structural."""
        return []


def share_text(value: float) -> str:
    return f"{value * 100:g}%"


def tonnes_text(value: float) -> str:
    return f"{value:,.0f} t"
