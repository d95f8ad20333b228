"""Hand the Pyomo model to HiGHS and bring back primal and dual values.

The model is compiled by Pyomo's LinearStandardFormCompiler (a sparse matrix
with one row per constraint and its sense) and passed to a highspy.Highs
object that we keep: later analyses (ranging, IIS, in-place re-solves) work
on the same live HiGHS model, with the row and column maps kept here.
"""

from __future__ import annotations

import contextlib
import operator
import os
import sys
import time
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import highspy
import numpy as np

from model.errors import InputError, Problem

if TYPE_CHECKING:
    import pyomo.environ as pyo

INF = highspy.kHighsInf


@dataclass
class Solution:
    """The outcome of one solve: status, objective, primal and dual values by component."""

    status: str  # HiGHS model status in words, e.g. "Optimal"
    optimal: bool
    objective_usd: float
    values: dict[str, dict] = field(default_factory=dict)  # var name -> index -> value
    reduced_costs: dict[str, dict] = field(default_factory=dict)  # var name -> index -> USD/t
    duals: dict[str, dict] = field(default_factory=dict)  # constraint name -> index -> d objective / d rhs
    senses: dict[str, dict] = field(default_factory=dict)  # constraint name -> index -> 1 (<=), -1 (>=), 0 (=)
    solver: str = ""
    method: str = ""
    seconds: float = 0.0  # HiGHS's own run time
    highs: highspy.Highs | None = None  # the live model, for ranging and re-solves
    rows: list = field(default_factory=list)  # (constraint name, index, sense) of each HiGHS row
    columns: list = field(default_factory=list)  # (variable name, index) of each HiGHS column
    # HiGHS ranging (simplex basis needed): (low, high) of each cost and each row bound over which
    # the basis, so the allocation (costs) or the dual value (bounds), stays the same.
    cost_ranges: dict[str, dict] = field(default_factory=dict)  # var name -> index -> (low, high) USD/t
    bound_ranges: dict[str, dict] = field(default_factory=dict)  # constraint -> index -> (low, high)
    rhs: dict[str, dict] = field(default_factory=dict)  # constraint -> index -> the row's active bound
    col_pos: dict[str, dict] = field(default_factory=dict)  # var name -> index -> HiGHS column
    row_pos: dict[str, dict] = field(default_factory=dict)  # constraint name -> index -> HiGHS row

    def value(self, var: str, index) -> float:
        return self.values.get(var, {}).get(index, 0.0)

    def dual(self, con: str, index) -> float:
        return self.duals.get(con, {}).get(index, 0.0)

    def cost_range(self, var: str, index) -> tuple[float, float]:
        return self.cost_ranges.get(var, {}).get(index, (float("nan"), float("nan")))

    def bound_range(self, con: str, index) -> tuple[float, float]:
        return self.bound_ranges.get(con, {}).get(index, (float("nan"), float("nan")))

    def headroom(self, con: str, index) -> float:
        """How far the row can be relaxed (a <= bound raised, a >= bound lowered) with its
        dual value unchanged; nan without ranging."""
        sense = self.senses.get(con, {}).get(index, 0)
        lo, hi = self.bound_range(con, index)
        rhs = self.rhs.get(con, {}).get(index, float("nan"))
        return hi - rhs if sense == 1 else rhs - lo if sense == -1 else float("nan")

    def relaxation_value(self, con: str, index) -> float:
        """USD a year saved if the constraint allowed one more unit (a <= row's bound
        raised by one, a >= row's lowered by one). Independent of how Pyomo arranged
        the terms of the row; 0 for a constraint that is not a row (skipped)."""
        sense = self.senses.get(con, {}).get(index, 0)
        return -sense * self.dual(con, index) + 0.0


@contextlib.contextmanager
def _quiet_stdout(quiet: bool):
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


def _name(component_data) -> tuple[str, object]:
    """(component name, index); a component of case block i of a plan is named 'name@i'."""
    name = component_data.parent_component().local_name
    block = component_data.parent_block()
    if block.parent_block() is not None:
        name = f"{name}@{block.index()}"
    return name, component_data.index()


def compile_model(m: pyo.ConcreteModel):
    """Pyomo's standard-form compilation of the model: (HighsLp, rows, columns). Rows name the
    Pyomo constraint (component name, index, sense 1 for <=, -1 for >=, 0 for =) of each HiGHS
    row; columns the variable (component name, index) of each column."""
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    info = LinearStandardFormCompiler().write(m, mixed_form=True, set_sense=None)
    n_cols = len(info.columns)
    A = info.A.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = info.c.toarray()[0] if info.c.shape[0] else np.zeros(n_cols)
    lp.col_lower_ = np.array([-INF if v.lb is None else v.lb for v in info.columns], dtype=float)
    lp.col_upper_ = np.array([INF if v.ub is None else v.ub for v in info.columns], dtype=float)
    rhs = np.asarray(info.rhs, dtype=float)
    sense = np.array([r.bound_type for r in info.rows], dtype=int)
    lp.row_lower_ = np.where(sense <= 0, rhs, -INF)
    lp.row_upper_ = np.where(sense >= 0, rhs, INF)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    lp.offset_ = float(np.sum(info.c_offset)) if np.size(info.c_offset) else 0.0
    rows = [(*_name(r.constraint), r.bound_type) for r in info.rows]
    columns = [_name(v) for v in info.columns]
    return lp, rows, columns


# From this many columns HiGHS's presolve is switched off. On this model's path-flow LPs it
# removes little and costs several times the solve itself, in time and in memory: at 1M flows
# dual simplex takes 15.5 s and 750 MB with presolve, 6.8 s and 230 MB without (interior point
# with crossover: 81 s); at 100k, 0.8 s against 0.2 s. Below it, HiGHS's defaults (its presolve
# costs nothing there). Dual simplex at every size: it leaves the basis that duals and ranging
# need. See benchmarks/README.md; --solver-option overrides either choice.
PRESOLVE_OFF_FROM_COLUMNS = 50_000


def load_highs(lp, verbose: bool = False, options: dict | None = None) -> highspy.Highs:
    """A new highspy.Highs holding the LP, with the user's options (--solver-option) applied over
    the defaults chosen by size."""
    with _quiet_stdout(not verbose):
        h = highspy.Highs()
    h.setOptionValue("output_flag", bool(verbose))
    chosen = {"presolve": "off"} if lp.num_col_ >= PRESOLVE_OFF_FROM_COLUMNS else {}
    for key, value in {**chosen, **(options or {})}.items():
        try:
            status = h.setOptionValue(key, value)
        except Exception:  # highspy raises on a value of the wrong type
            status = None
        if status != highspy.HighsStatus.kOk:
            raise InputError("--solver-option", [Problem(
                f"HiGHS does not accept option {key}={value!r}",
                "See the HiGHS options list (e.g. solver=ipm, presolve=off, time_limit=60).")])
    h.passModel(lp)
    return h


def to_highs(m: pyo.ConcreteModel, verbose: bool = False, options: dict | None = None):
    """Compile the Pyomo model and load it into a new highspy.Highs: (highs, rows, columns)."""
    lp, rows, columns = compile_model(m)
    return load_highs(lp, verbose, options), rows, columns


def solve(m: pyo.ConcreteModel, verbose: bool = False, options: dict | None = None,
          ranging: bool = True) -> Solution:
    """Solve the Pyomo model with HiGHS (compiled by Pyomo); see solve_lp."""
    return solve_lp(*compile_model(m), verbose=verbose, options=options, ranging=ranging)


def solve_lp(lp, rows: list, columns: list, verbose: bool = False, options: dict | None = None,
             ranging: bool = True, phases=None, highs: highspy.Highs | None = None,
             row_bounds: tuple[np.ndarray, np.ndarray] | None = None) -> Solution:
    """Solve the LP with HiGHS; read the solution only when HiGHS reports an optimum.
    With ranging (and a simplex basis), also HiGHS's cost and bound ranging. phases (model.progress)
    is told when HiGHS starts and when it is done. highs: the LP already loaded (load_highs); then lp
    may be None if row_bounds gives its (row_lower_, row_upper_)."""
    h = highs if highs is not None else load_highs(lp, verbose, options)
    if phases is not None:
        phases("solving")
    start = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - start
    if phases is not None:
        phases("results")
    status = h.getModelStatus()
    solver = f"HiGHS {h.version()}"
    sol = Solution(status=h.modelStatusToString(status), optimal=status == highspy.HighsModelStatus.kOptimal,
                   objective_usd=float("nan"), solver=solver, method=_method(h), seconds=seconds, highs=h,
                   rows=rows, columns=columns)
    if not sol.optimal:
        return sol
    sol.objective_usd = h.getInfo().objective_function_value
    s = h.getSolution()
    sol.col_pos = _positions(columns)
    sol.row_pos = _positions(rows)
    _views(sol.col_pos, np.asarray(s.col_value, dtype=float), sol.values)
    _views(sol.col_pos, np.asarray(s.col_dual, dtype=float), sol.reduced_costs)
    lo, up = row_bounds or (np.asarray(lp.row_lower_, dtype=float), np.asarray(lp.row_upper_, dtype=float))
    sense = np.fromiter((r[2] for r in rows), dtype=np.int8, count=len(rows))
    _views(sol.row_pos, np.asarray(s.row_dual, dtype=float), sol.duals)
    _views(sol.row_pos, sense, sol.senses)
    _views(sol.row_pos, np.where(sense == 1, up, lo), sol.rhs)
    if ranging:
        read_ranging(sol)
    return sol


class ByIndex(Mapping):
    """The values of one variable or constraint by its index, read from an array of all columns
    (or rows): one shared index -> position map per component instead of a dict of Python
    floats per quantity. A 2-column array gives (low, high) pairs."""

    __slots__ = ("pos", "arr")

    def __init__(self, pos: dict, arr: np.ndarray):
        self.pos, self.arr = pos, arr

    def _at(self, j: int):
        v = self.arr[j]
        return (float(v[0]), float(v[1])) if self.arr.ndim == 2 else v.item()

    def __getitem__(self, key):
        return self._at(self.pos[key])

    def get(self, key, default=None):
        j = self.pos.get(key)
        return default if j is None else self._at(j)

    def __iter__(self):
        return iter(self.pos)

    def __len__(self) -> int:
        return len(self.pos)

    def items(self):
        arr = self.arr.tolist()
        return ((k, tuple(arr[j]) if self.arr.ndim == 2 else arr[j]) for k, j in self.pos.items())


class Names(Sequence):
    """The (name, index) of each column, kept as blocks: add_block(name, keys) stands for
    (name, k) for every k of keys without a tuple each, so a million flows cost no memory here.
    Reads as the list of tuples it stands for (iteration, [j], len, index)."""

    def __init__(self):
        self._starts: list[int] = []
        self._blocks: list[tuple[str, Sequence]] = []
        self._len = 0

    def add(self, name: str, index) -> int:
        return self.add_block(name, (index,))

    def add_block(self, name: str, keys: Sequence) -> int:
        """Append (name, k) for each k of keys; returns the position of the first."""
        start = self._len
        if keys:
            self._starts.append(start)
            self._blocks.append((name, keys))
            self._len += len(keys)
        return start

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self[i] for i in range(*j.indices(self._len))]
        if j < 0:
            j += self._len
        if not 0 <= j < self._len:
            raise IndexError(j)
        b = bisect_right(self._starts, j) - 1
        name, keys = self._blocks[b]
        return name, keys[j - self._starts[b]]

    def __iter__(self):
        for name, keys in self._blocks:
            for k in keys:
                yield name, k

    def index(self, entry, start: int = 0, stop: int | None = None) -> int:
        name, key = entry
        for first, (n, keys) in zip(self._starts, self._blocks):
            if n == name and key in keys:
                return first + list(keys).index(key)
        raise ValueError(f"{entry!r} is not a column")

    def runs(self):
        """(name, start, keys) for each block, in order."""
        return ((name, start, keys) for start, (name, keys) in zip(self._starts, self._blocks))


class Span(Mapping):
    """index -> position for a component whose indexes are keys, at positions start, start + 1, ...:
    the dict is made only when an index is looked up. A million flows read by position
    (results.py) need no dict of a million keys."""

    __slots__ = ("keys_", "start", "_dict")

    def __init__(self, keys: Sequence, start: int):
        self.keys_, self.start, self._dict = keys, start, None

    @property
    def stop(self) -> int:
        return self.start + len(self.keys_)

    def _map(self) -> dict:
        if self._dict is None:
            self._dict = {k: self.start + i for i, k in enumerate(self.keys_)}
        return self._dict

    def __getitem__(self, key) -> int:
        return self._map()[key]

    def get(self, key, default=None):
        return self._map().get(key, default)

    def __contains__(self, key) -> bool:
        return key in self._map()

    def __iter__(self):
        return iter(self.keys_)

    def __len__(self) -> int:
        return len(self.keys_)

    def holds_in_order(self, keys: Sequence) -> bool:
        """True when the indexes are these very objects, in this order."""
        return keys is self.keys_ or (len(keys) == len(self.keys_) and all(map(operator.is_, self.keys_, keys)))


def _positions(names: Sequence) -> dict[str, Mapping]:
    """name -> {index: position} for (name, index, ...) entries in order: a Span for a name whose
    entries are one run of positions, else a dict."""
    blocks = names.runs() if isinstance(names, Names) else (
        (entry[0], j, (entry[1],)) for j, entry in enumerate(names))
    runs: dict[str, list[list]] = {}  # name -> [start, keys, keys is a list of our own]
    for name, start, keys in blocks:
        parts = runs.setdefault(name, [])
        last = parts[-1] if parts else None
        if last is not None and last[0] + len(last[1]) == start:  # the run goes on
            if not last[2]:
                last[1], last[2] = list(last[1]), True
            last[1].extend(keys)
        else:
            parts.append([start, keys, False])
    out: dict[str, Mapping] = {}
    for name, parts in runs.items():
        if len(parts) == 1:
            out[name] = Span(parts[0][1], parts[0][0])
        else:
            out[name] = {k: start + i for start, keys, _ in parts for i, k in enumerate(keys)}
    return out


def _views(positions: dict[str, dict], arr: np.ndarray, into: dict) -> None:
    for name, pos in positions.items():
        into[name] = ByIndex(pos, arr)


def read_ranging(sol: Solution) -> bool:
    """Fill sol.cost_ranges and sol.bound_ranges from HiGHS's ranging; False without a basis.

    For a column: [low, high] of its cost over which the optimal basis (the allocation) stays;
    for an unused column low is its break-even cost. For a row: [low, high] of its bound (the
    upper bound of a <= row, the lower of a >=, the right-hand side of an =) over which its
    dual value stays the same."""
    h = sol.highs
    if not h.getBasis().valid:
        return False
    status, rg = h.getRanging()
    if status != highspy.HighsStatus.kOk:
        return False
    cols = np.column_stack([np.asarray(rg.col_cost_dn.value_, dtype=float),
                            np.asarray(rg.col_cost_up.value_, dtype=float)])
    _views(sol.col_pos or _positions(sol.columns), cols, sol.cost_ranges)
    rows = np.column_stack([np.asarray(rg.row_bound_dn.value_, dtype=float),
                            np.asarray(rg.row_bound_up.value_, dtype=float)])
    _views(sol.row_pos or _positions(sol.rows), rows, sol.bound_ranges)
    return True


def _method(h: highspy.Highs) -> str:
    """Which algorithm HiGHS actually ran, from its iteration counts."""
    info = h.getInfo()
    if info.ipm_iteration_count > 0:
        return "interior point" + (" with crossover" if info.crossover_iteration_count > 0 else "")
    if info.simplex_iteration_count > 0:
        # simplex_strategy: 0 choose (dual), 1-3 dual variants, 4 primal
        method = "primal simplex" if _option(h, "simplex_strategy") == 4 else "dual simplex"
        return method + (" (presolve off)" if _option(h, "presolve") == "off" else "")
    return "presolve (no iterations)"


def _option(h: highspy.Highs, name: str):
    """An option's value; highspy returns (status, value) in some versions."""
    value = h.getOptionValue(name)
    return value[1] if isinstance(value, tuple) else value
