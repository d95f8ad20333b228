"""Hand the LP to HiGHS and bring back primal and dual values, and HiGHS's own ranging.

The highspy.Highs object is kept in the Solution: later analyses (ranging, the irreducible
infeasible subset, in-place re-solves) work on the same live model. Values are kept as HiGHS's
arrays with a map from each family's index to its position (model.lp.names), read through a
View of one case: a plan's case as if it had been solved alone.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np

from model.errors import InputError, Problem
from model.lp.families import INVESTMENT_FAMILIES
from model.lp.names import ColKey, RowKey, positions

if TYPE_CHECKING:
    from model.lp.arrays import ArrayLP
    from model.lp.choice import ChoiceInfo
    from model.lp.mip import MipInfo
    from model.progress import Phases

NAN = float("nan")
OptionValue = bool | int | float | str  # a HiGHS option's value, as --solver-option gives it (typed_option)

# From this many columns HiGHS's presolve is switched off. On this model's path-flow LPs it
# removes little and costs several times the solve itself, in time and in memory (the figures:
# benchmarks/README.md, "Figures behind choices in the code"). Below it, HiGHS's defaults (its
# presolve costs nothing there). Dual simplex at every size: it leaves the basis that duals and
# ranging need. --solver-option overrides either choice.
PRESOLVE_OFF_FROM_COLUMNS = 50_000


class ByIndex(Mapping[Any, Any]):
    """The values of one family by its index, read from an array of all columns (or rows),
    divided by scale: one shared index -> position map per family instead of a dict of Python
    floats per quantity. A 2-column array gives (low, high) pairs."""

    __slots__ = ("pos", "arr", "scale")

    def __init__(self, pos: Mapping[Any, int], arr: np.ndarray, scale: float = 1.0):
        self.pos, self.arr, self.scale = pos, arr, scale

    def _at(self, j: int) -> Any:  # a float, or a (low, high) pair from a 2-column array
        v = self.arr[j]
        if self.arr.ndim == 2:
            return (float(v[0]) / self.scale, float(v[1]) / self.scale)
        return v.item() / self.scale if self.scale != 1.0 else v.item()

    def __getitem__(self, key: Any) -> Any:
        return self._at(self.pos[key])

    def get(self, key: Any, default: Any = None) -> Any:
        j = self.pos.get(key)
        return default if j is None else self._at(j)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.pos)

    def __len__(self) -> int:
        return len(self.pos)

    def gather(self, idx: np.ndarray) -> np.ndarray:
        """The values at positions idx of the array, divided by the scale."""
        out = self.arr[idx]
        return out / self.scale if self.scale != 1.0 else out

    def items(self) -> Iterator[tuple[Any, Any]]:  # type: ignore[override]  # a generator, not a view
        arr = self.arr.tolist()
        if self.arr.ndim == 2:
            return ((k, (arr[j][0] / self.scale, arr[j][1] / self.scale)) for k, j in self.pos.items())
        return ((k, arr[j] / self.scale) for k, j in self.pos.items())


DENSE_BASIS_ROWS = 2000  # up to this many rows in the basis, its duals are solved dense with numpy (duals_for)

@dataclass
class Solution:
    """The outcome of one solve: status, objective, and HiGHS's arrays with the keys of their
    entries. Read a case's values through view()."""

    status: str  # HiGHS model status in words, e.g. "Optimal"
    optimal: bool
    objective_usd: float
    solver: str = ""
    method: str = ""
    seconds: float = 0.0  # HiGHS's own run time
    highs: highspy.Highs | None = None  # the live model, for ranging and re-solves
    rows: list[RowKey] = field(default_factory=list)
    columns: Sequence[ColKey] = field(default_factory=list)  # ColKey of each column (model.lp.names.ColumnKeys)
    x: np.ndarray | None = None  # column values
    rc: np.ndarray | None = None  # reduced costs
    y: np.ndarray | None = None  # row duals
    active: np.ndarray | None = None  # each row's active bound (the upper of a <= row, the lower of a >=)
    senses: np.ndarray | None = None  # 1 (<=), -1 (>=), 0 (=) per row
    # HiGHS ranging (simplex basis needed): (low, high) of each cost and each row bound over which
    # the basis, so the allocation (costs) or the dual value (bounds), stays the same.
    cost_ranges: np.ndarray | None = None  # columns x 2
    bound_ranges: np.ndarray | None = None  # rows x 2
    col_pos: dict[tuple[str, int | None], Mapping[Any, int]] = field(default_factory=dict)  # -> index -> column
    row_pos: dict[tuple[str, int | None], Mapping[Any, int]] = field(default_factory=dict)  # -> index -> row
    mip: MipInfo | None = None  # model.lp.mip.MipInfo when the model has integer decisions
    # the row duals of the resource cost alone (model.lp.kinds): what one more unit of a row saves in
    # what is paid, and what time, risk and carbon cost; None where the basis could not give them
    resource_y: np.ndarray | None = None
    # (resource, premium) per column (model.lp.kinds.resource_costs), kept by set_resource_duals for the
    # decisions taken the other way (model.lp.mip), which price their allocations with them
    resource_c: tuple[np.ndarray, np.ndarray] | None = None
    # the route-choice allocation's own facts (model.lp.choice.ChoiceInfo) when x is the logit's, not the LP's
    choice: ChoiceInfo | None = None

    def duals_for(self, cost: np.ndarray) -> np.ndarray | None:
        """The row duals the optimal basis gives for another cost vector over the columns: y with
        A_B^T y = c_B over the basic columns and y = 0 on the basic rows, as HiGHS's own duals are (its
        reduced costs c - A^T y vanish on basic columns); within the basis's ranges, the marginal change
        of that cost. HiGHS's own duals where the costs differ on nonbasic columns only; else solved from
        the basis statuses, dense with numpy for a small basis and with scipy.sparse for a large one
        (HiGHS's own basis solves need its factorisation, which interior point with crossover leaves
        unbuilt). None when the live model has no basis, or its basis does not give this solution's own
        duals (checked)."""
        import warnings

        h = self.highs
        if h is None or self.y is None or not h.getInfo().basis_validity:
            return None
        lp = h.getLp()
        own = np.asarray(lp.col_cost_, dtype=float)
        if len(own) != len(cost):
            return None
        differ = np.flatnonzero(own != cost)
        basis = h.getBasis()
        basic = highspy.HighsBasisStatus.kBasic
        col_status = basis.col_status  # a copy of the whole list at each access: taken once
        if not any(col_status[j] == basic for j in differ):
            # the costs differ on nonbasic columns only (or nowhere): A_B^T y = c_B is the same system, and
            # HiGHS's own duals are its answer
            return np.array(self.y, dtype=float)
        cols = np.flatnonzero(np.fromiter((s == basic for s in col_status), bool, lp.num_col_))
        rows = np.flatnonzero(~np.fromiter((s == basic for s in basis.row_status), bool, lp.num_row_))
        if len(cols) != len(rows) or lp.a_matrix_.format_ != highspy.MatrixFormat.kColwise:
            return None
        start, index, value = (np.asarray(v) for v in (lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_))
        if len(rows) <= DENSE_BASIS_ROWS:  # a small basis (the shipped cases): numpy, without importing scipy.sparse
            entries = np.concatenate([np.arange(start[j], start[j + 1]) for j in cols] or [np.zeros(0, int)])
            at = np.full(lp.num_row_, -1)
            at[rows] = np.arange(len(rows))
            r, c = at[index[entries]], np.repeat(np.arange(len(cols)), np.diff(start)[cols])
            # A_B transposed: only the basic columns' entries, on the nonbasic rows
            m = np.zeros((len(cols), len(rows)))
            m[c[r >= 0], r[r >= 0]] = value[entries][r >= 0]

            def basis_solve(b: np.ndarray) -> np.ndarray:
                try:
                    return np.linalg.solve(m, b)
                except np.linalg.LinAlgError:  # singular: fails the check below
                    return np.full(len(b), np.nan)
        else:
            from scipy.sparse import csc_matrix
            from scipy.sparse.linalg import spsolve

            m = csc_matrix((value, index, start), shape=(lp.num_row_, lp.num_col_))[rows][:, cols].T.tocsc()

            def basis_solve(b: np.ndarray) -> np.ndarray:
                return np.atleast_1d(spsolve(m, b))

        def solve(c: np.ndarray) -> np.ndarray:
            y = np.zeros(lp.num_row_)
            if len(rows):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # a singular basis fails the check below
                    y[rows] = basis_solve(np.asarray(c, dtype=float)[cols])
            return y

        if not np.allclose(solve(own), self.y, rtol=1e-7, atol=1e-7):
            return None
        return solve(cost)

    def view(self, case: int | None = None, factor: float = 1.0, year: int | None = None,
             build_factor: float = 1.0) -> View:
        """The solution of one case as if it had been solved alone: its own columns and rows by
        family, the duals, reduced costs and cost ranges divided by the case's objective factor
        (so they are USD per tonne in that year's money), and Build as the capacity in service in
        its year (year given for a plan; its reduced cost divided by build_factor)."""
        return View(self, case, factor, year, build_factor)

    def row_of(self, family: str, index: Any, case: int | None = None) -> int | None:
        """The HiGHS row of a family's row, or None if the row was not made."""
        pos = self.row_pos.get((family, case))
        return None if pos is None else pos.get(index)

    def col_of(self, family: str, index: Any, case: int | None = None) -> int | None:
        pos = self.col_pos.get((family, case))
        return None if pos is None else pos.get(index)


class View:
    """One case's values by family: values[family][index] and the accessors below, as a solve of
    that case alone would give them."""

    def __init__(self, sol: Solution, case: int | None, factor: float, year: int | None, build_factor: float):
        self.solution = sol
        self.status, self.optimal, self.objective_usd = sol.status, sol.optimal, sol.objective_usd
        self.solver, self.method, self.seconds = sol.solver, sol.method, sol.seconds
        self.mip = sol.mip  # model.lp.mip.MipInfo, with integer decisions
        factor = factor or 1.0
        self.values, self.reduced_costs, self.cost_ranges = {}, {}, {}
        self.duals, self.senses, self.rhs, self.bound_ranges = {}, {}, {}, {}
        self.resource_duals: dict[str, ByIndex] = {}  # as duals, of the resource cost alone (Solution.resource_y)
        if not sol.optimal:
            return
        for (family, c), pos in sol.col_pos.items():
            if c == case:
                self.values[family] = ByIndex(pos, sol.x)  # type: ignore[arg-type]  # optimal: read
                self.reduced_costs[family] = ByIndex(pos, sol.rc, factor)  # type: ignore[arg-type]  # optimal: read
                if sol.cost_ranges is not None:
                    self.cost_ranges[family] = ByIndex(pos, sol.cost_ranges, factor)
        for (family, c), pos in sol.row_pos.items():
            if c == case:
                self.duals[family] = ByIndex(pos, sol.y, factor)  # type: ignore[arg-type]  # optimal: read
                if sol.resource_y is not None:
                    self.resource_duals[family] = ByIndex(pos, sol.resource_y, factor)
                self.senses[family] = ByIndex(pos, sol.senses)  # type: ignore[arg-type]  # optimal: read
                self.rhs[family] = ByIndex(pos, sol.active)  # type: ignore[arg-type]  # optimal: read
                if sol.bound_ranges is not None:
                    self.bound_ranges[family] = ByIndex(pos, sol.bound_ranges)
        for family in INVESTMENT_FAMILIES:
            shared = sol.col_pos.get((family, None))
            if year is not None and shared is not None:  # a plan: Build[o, y] in service in this case's year
                mine = {o: j for (o, yy), j in shared.items() if yy == year}
                self.values[family] = ByIndex(mine, sol.x)  # type: ignore[arg-type]  # optimal: read
                self.reduced_costs[family] = ByIndex(mine, sol.rc, build_factor or 1.0)  # type: ignore[arg-type]  # optimal: read

    def value(self, family: str, index: Any) -> float:
        return self.values.get(family, {}).get(index, 0.0)

    def dual(self, family: str, index: Any) -> float:
        return self.duals.get(family, {}).get(index, 0.0)

    def bound_range(self, family: str, index: Any) -> tuple[float, float]:
        return self.bound_ranges.get(family, {}).get(index, (NAN, NAN))

    def headroom(self, family: str, index: Any) -> float:
        """How far the row can be relaxed (a <= bound raised, a >= bound lowered) with its dual
        value unchanged; nan without ranging."""
        sense = self.senses.get(family, {}).get(index, 0)
        lo, hi = self.bound_range(family, index)
        rhs = self.rhs.get(family, {}).get(index, NAN)
        return hi - rhs if sense == 1 else rhs - lo if sense == -1 else NAN

    def relaxation_value(self, family: str, index: Any) -> float:
        """USD a year saved if the row allowed one more unit (a <= row's bound raised by one, a >=
        row's lowered by one); 0 for a row that was not made."""
        sense = self.senses.get(family, {}).get(index, 0)
        return -sense * self.dual(family, index) + 0.0

    def resource_relaxation_value(self, family: str, index: Any) -> float:
        """As relaxation_value, in resource cost alone (model.results.money): nan where not known."""
        if family not in self.resource_duals:
            return NAN
        sense = self.senses.get(family, {}).get(index, 0)
        return -sense * self.resource_duals[family].get(index, 0.0) + 0.0


@contextlib.contextmanager
def quiet_stdout(quiet: bool) -> Iterator[None]:
    """Silence the C library's stdout: highspy prints its banner while constructing,
    before output_flag can be set (ERGO-Code/HiGHS issue #2749)."""
    if not quiet:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def typed_option(value: str) -> OptionValue:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value.lower() == "true" if value.lower() in ("true", "false") else value


def load_highs(lp: ArrayLP | highspy.HighsLp, verbose: bool = False,
               options: dict[str, OptionValue] | None = None) -> highspy.Highs:
    """A new highspy.Highs holding the LP, with the user's options (--solver-option) applied over
    the defaults chosen by size."""
    with quiet_stdout(not verbose):
        h = highspy.Highs()
    h.setOptionValue("output_flag", bool(verbose))
    chosen: dict[str, OptionValue] = {"presolve": "off"} if lp.num_col_ >= PRESOLVE_OFF_FROM_COLUMNS else {}
    for key, value in {**chosen, **(options or {})}.items():
        try:
            status = h.setOptionValue(key, value)
        except Exception:  # highspy raises on a value of the wrong type
            status = None
        if status != highspy.HighsStatus.kOk:
            raise InputError("--solver-option", [Problem(
                f"HiGHS does not accept option {key}={value!r}",
                "See the HiGHS options list (e.g. solver=ipm, presolve=off, time_limit=60).")])
    if hasattr(lp, "pass_to"):  # model.lp.arrays.ArrayLP: its arrays in one call
        lp.pass_to(h)
    else:
        h.passModel(lp)
    return h


def solve_lp(h: highspy.Highs, rows: list[RowKey], columns: Sequence[ColKey],
             row_bounds: tuple[np.ndarray, np.ndarray], ranging: bool = True, phases: Phases | None = None) -> Solution:
    """Run HiGHS on the loaded LP; read the solution only when HiGHS reports an optimum. With
    ranging (and a simplex basis), also HiGHS's cost and bound ranging. row_bounds: the LP's
    (row_lower, row_upper), for the active bound of each row. phases (model.progress) is told
    when HiGHS starts and when it is done."""
    if phases is not None:
        phases("solving")
    start = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - start
    if phases is not None:
        phases("results")
    status = h.getModelStatus()
    sol = Solution(status=h.modelStatusToString(status), optimal=status == highspy.HighsModelStatus.kOptimal,
                   objective_usd=NAN, solver=f"HiGHS {h.version()}", method=_method(h), seconds=seconds,
                   highs=h, rows=rows, columns=columns)
    if not sol.optimal:
        return sol
    sol.objective_usd = h.getInfo().objective_function_value
    s = h.getSolution()
    sol.x, sol.rc, sol.y = floats(s.col_value), floats(s.col_dual), floats(s.row_dual)
    del s  # highspy's copy of the solution, not held while HiGHS ranges
    sol.senses = np.fromiter((r.sense for r in rows), dtype=np.int8, count=len(rows))
    lo, up = row_bounds
    sol.active = np.where(sol.senses == 1, up, lo)
    sol.col_pos = positions(columns)
    sol.row_pos = positions(rows)
    if ranging:
        read_ranging(sol)
    return sol


def floats(values: list[float]) -> np.ndarray:
    """A list highspy hands back (col_value, row_dual, ...) as a float array: np.fromiter with its
    length, faster than np.array on a list (benchmarks/README.md), which a sweep pays at every point."""
    return np.fromiter(values, dtype=float, count=len(values))


def read_ranging(sol: Solution) -> bool:
    """Fill sol.cost_ranges and sol.bound_ranges from HiGHS's ranging; False without a basis.

    For a column: [low, high] of its cost over which the optimal basis (the allocation) stays;
    for an unused column low is its break-even cost. For a row: [low, high] of its bound (the
    upper bound of a <= row, the lower of a >=, the right-hand side of an =) over which its
    dual value stays the same."""
    h = sol.highs
    if not h.getBasis().valid:  # type: ignore[union-attr]  # just solved: its live model
        return False
    status, rg = h.getRanging()  # type: ignore[union-attr]
    if status != highspy.HighsStatus.kOk:
        return False
    sol.cost_ranges = np.column_stack([np.asarray(rg.col_cost_dn.value_, dtype=float),
                                       np.asarray(rg.col_cost_up.value_, dtype=float)])
    sol.bound_ranges = np.column_stack([np.asarray(rg.row_bound_dn.value_, dtype=float),
                                        np.asarray(rg.row_bound_up.value_, dtype=float)])
    return True


def _method(h: highspy.Highs) -> str:
    """Which algorithm HiGHS actually ran, from its iteration counts."""
    info = h.getInfo()
    if info.ipm_iteration_count > 0:
        return "interior point" + (" with crossover" if info.crossover_iteration_count > 0 else "")
    if info.simplex_iteration_count > 0:
        # simplex_strategy: 0 choose (dual), 1-3 dual variants, 4 primal
        method = "primal simplex" if option(h, "simplex_strategy") == 4 else "dual simplex"
        return method + (" (presolve off)" if option(h, "presolve") == "off" else "")
    return "presolve (no iterations)"


def option(h: highspy.Highs, name: str) -> Any:  # a bool, int, float or str, as HiGHS holds it
    """An option's value; highspy returns (status, value) in some versions."""
    value = h.getOptionValue(name)
    return value[1] if isinstance(value, tuple) else value
