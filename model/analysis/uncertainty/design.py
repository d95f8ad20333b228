"""The Uncertainty sheet read as the inputs varied, and the draws of them: a Latin hypercube (scipy's qmc) or
Saltelli's design on a Sobol' sequence (SALib), on the unit cube of the dimensions, each value its
distribution's quantile (scipy.stats ppf) at the draw.

A dimension is a correlation group (every row of one group takes the same unit draw: each is at the same
quantile of its own distribution, comonotone) or a row without a group. The unit draws U are what the
drivers' indices read (SALib's problem has bounds [0, 1] for each dimension); X holds each row's value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from model.analysis.params import Param, find_cells, invalid_values
from model.analysis.sweep import Sweep
from model.errors import WARNING, InputError, Problem, number_text
from model.input.data import ROW, CorridorData, present
from model.input.schema import Distribution, VaryAs
from model.input.validate.uncertainty import EDGE
from model.lp.families import Cell

MAX_DRAWS = 1_000_000  # points of one run


class Method(StrEnum):
    """--method: how the unit cube is filled."""

    LHS = "lhs"  # Latin hypercube: each dimension's range cut into --draws equal slices, one draw in each
    SOBOL = "sobol"  # Saltelli's design on a Sobol' sequence: --draws x (dimensions + 2) points, for Sobol' indices


@dataclass(frozen=True)
class UncertainInput:
    """One row of the Uncertainty sheet: the cells it moves, how (a value or a factor of each cell's base),
    and the distribution of the drawn number."""

    text: str  # the input as written, Legs[ATY>ULG].cost_usd_per_t
    row: int  # the sheet's row, as Excel shows it
    cells: tuple[Cell, ...]
    factor: bool
    distribution: Distribution
    low: float | None
    high: float | None
    mode: float | None
    spread: float | None
    group: str | None
    source: str

    @property
    def dimension(self) -> str:
        """The name of the dimension it is drawn on: its group's, else its own input."""
        return f"group {self.group}" if self.group else self.text

    def frozen(self):
        """The scipy distribution (before any cut)."""
        if self.distribution == Distribution.UNIFORM:
            return stats.uniform(loc=self.low, scale=self.high - self.low)
        if self.distribution == Distribution.TRIANGULAR:
            width = self.high - self.low
            return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)
        if self.distribution == Distribution.NORMAL:
            return stats.norm(loc=self.mode, scale=self.spread)
        # lognormal: most likely at mode = exp(mu - s^2), so mu = ln(mode) + s^2
        s = float(self.spread)
        return stats.lognorm(s=s, scale=math.exp(math.log(float(self.mode)) + s * s))

    def values(self, u: np.ndarray) -> np.ndarray:
        """The values at unit draws u: the quantiles of the distribution, cut to low..high where given (a normal
        or lognormal: the quantile of F(low) + u (F(high) - F(low)), so the cut keeps the shape)."""
        dist = self.frozen()
        u = np.clip(u, EDGE, 1 - EDGE)
        if self.distribution in (Distribution.NORMAL, Distribution.LOGNORMAL):
            lo = dist.cdf(self.low) if self.low is not None else 0.0
            hi = dist.cdf(self.high) if self.high is not None else 1.0
            u = lo + u * (hi - lo)
        return np.asarray(dist.ppf(u), dtype=float)

    def span(self, drawn: pd.DataFrame | None = None) -> tuple[float, float]:
        """The range a switching value is judged inside or outside of: low..high where the row gives both, else
        the least and the most drawn (drawn: Design.X), or without draws its quantiles at EDGE and 1 - EDGE."""
        if self.low is not None and self.high is not None:
            return self.low, self.high
        ends = drawn[self.text].to_numpy(dtype=float) if drawn is not None else self.values(np.array([0.0, 1.0]))
        return float(ends.min()), float(ends.max())

    @property
    def param(self) -> Param:
        """The row as a sweep's parameter (its values are the draws, held by the sweep)."""
        return Param(self.text, list(self.cells), [], self.factor)


def _num(rec: dict, name: str) -> float | None:
    return float(rec[name]) if present(rec.get(name)) else None


def read_inputs(data: CorridorData, before: CorridorData | None = None) -> list[UncertainInput]:
    """The Uncertainty sheet's rows, each with the cells its input names (the sweep grammar); InputError naming
    the row for an input that names no cell, or a cell that two rows would both move. before: with a scenario
    (data.overrides), the input before it (load_one_year without --scenario), so that a row drawing a cell the
    scenario changes as a value is refused (scenario_problems): each draw would undo the scenario."""
    if data.overrides and before is None:  # a caller that forgot: the draws would silently undo the scenario
        raise ValueError("read_inputs of a scenario's input needs the input before the scenario (before=)")
    table = data.tables.get("Uncertainty")
    if table is None or table.empty:
        raise InputError("Uncertainty", [Problem(
            "the input has no Uncertainty sheet, or it has no rows, so there is nothing to draw",
            "Add an Uncertainty sheet: one row per input to vary (input, distribution, low, high, ...); corridor "
            "template writes a blank one with the notes of each column.")])
    inputs, problems = [], []
    owner: dict[Cell, int] = {}
    for rec in table.to_dict("records"):
        text, row = str(rec["input"]).strip(), int(rec[ROW])
        where: dict[str, Any] = {"sheet": "Uncertainty", "row": row, "key": text, "column": "input"}
        try:
            cells = find_cells(text, data)
        except InputError as exc:
            problems += [Problem(p.message, p.fix, **where) for p in exc.problems]
            continue
        for c in cells:
            if c in owner:
                problems.append(Problem(f"moves {c.label}, which row {owner[c]} moves too", "Vary each cell on one "
                                        "row only: narrow one of the two inputs, or drop one row.", **where))
                break
            owner[c] = row
        inputs.append(UncertainInput(text, row, tuple(cells), rec.get("as") == VaryAs.FACTOR,
                             Distribution(rec["distribution"]), _num(rec, "low"), _num(rec, "high"),
                             _num(rec, "mode"), _num(rec, "spread"),
                             str(rec["group"]).strip() if present(rec.get("group")) else None,
                             str(rec["source"]) if present(rec.get("source")) else ""))
    if before is not None and data.overrides:
        problems += scenario_problems(inputs, data, before)
    if problems:
        raise InputError(str(data.source), problems)
    return inputs


def scenario_problems(inputs: list[UncertainInput], data: CorridorData, before: CorridorData) -> list[Problem]:
    """A row drawing as a value a cell the scenario changed (its value in data differs from before's): each draw
    sets the cell to the value drawn, so the scenario's change would be undone without a word (CPC halved by
    cpc_half drawn back to 56-72.5 Mt). A factor multiplies the scenario's value, so it composes with it."""
    problems = []
    for v in inputs:
        if v.factor:
            continue
        was = {(c.sheet, c.row, c.key, c.column): c.base for c in find_cells(v.text, before)}
        for c in v.cells:
            old = was.get((c.sheet, c.row, c.key, c.column))
            if old is not None and not (old == c.base or (math.isnan(old) and math.isnan(c.base))):
                problems.append(Problem(
                    f"draws {c.label} as a value, which scenario {data.scenario} changes (from "
                    f"{'blank' if math.isnan(old) else number_text(old)} to "
                    f"{'blank' if math.isnan(c.base) else number_text(c.base)}), so each draw would undo the scenario",
                    "Give the row as a factor of the cell (as factor, low and high as multiples of its value), so "
                    "that each draw moves the scenario's value; or run without --scenario.",
                    sheet="Uncertainty", row=v.row, key=v.text, column="as"))
                break
    return problems


def range_warnings(inputs: list[UncertainInput]) -> list[Problem]:
    """Warnings for a row drawn as value whose cells' base values lie outside its low..high: every draw moves them
    away from the input's own value, as a range of factors (0.69 to 1.5) typed on a row left as value does."""
    problems = []
    for v in inputs:
        if v.factor or v.low is None or v.high is None:
            continue
        outside = [c for c in v.cells if not v.low <= c.base <= v.high]
        if outside:
            c = outside[0]
            problems.append(Problem(
                f"the base value of {c.label}, {number_text(c.base)}"
                + (f" (and {len(outside) - 1} more cell(s))" if len(outside) > 1 else "")
                + f", lies outside low..high ({number_text(v.low)} to {number_text(v.high)}), so every draw moves it "
                "there", "If low and high are factors of the base value (1 = unchanged), set as to factor; else "
                "check the range against the base value.", sheet="Uncertainty", row=v.row, key=v.text, column="as",
                severity=WARNING))
    return problems


@dataclass
class Design:
    """The draws: SALib's problem (one name per dimension, bounds [0, 1]), the unit draws U (draws x
    dimensions), and X, each row's value at each draw (draws x inputs, named by their inputs)."""

    problem: dict
    U: np.ndarray
    X: pd.DataFrame
    method: Method
    seed: int

    def sweep(self, input_path: Path, inputs: list[UncertainInput], scenario: str | None = None,
              year: int | None = None, reported=None, keep_decisions: bool = False) -> Sweep:
        """The draws as a sweep whose points they are (model.analysis.sweep: serial, processes, Dask, journal);
        reported: Sweep.reported."""
        params = [v.param for v in inputs]
        draws = [tuple(r) for r in self.X.to_numpy(dtype=float).tolist()]
        return Sweep(Path(input_path), params, keep_decisions, scenario, year, draws=draws, reported=reported)


def dimensions(inputs: list[UncertainInput]) -> list[str]:
    """The dimensions in the order of the sheet: each group at its first row, each ungrouped row."""
    return list(dict.fromkeys(v.dimension for v in inputs))


def dimension_labels(inputs: list[UncertainInput], data: CorridorData) -> dict[str, str]:
    """Each dimension (an input, or 'group <name>') as a reader reads it: a group with its rows, 'group china_rail
    (8 rows)'; an input whose cells are one node, leg or country with its name beside it,
    'Capacities[CPT].capacity_t: CPC marine terminal (Novorossiysk)'; else the input as written."""
    from model.network.names import Names

    names = Names.of(data)
    out: dict[str, str] = {}
    for v in inputs:
        if v.group:
            rows = sum(w.group == v.group for w in inputs)
            out[v.dimension] = f"{v.dimension} ({rows} row{'s' if rows != 1 else ''})"
            continue
        keys = {c.key for c in v.cells}
        key = keys.pop() if len(keys) == 1 and v.cells[0].sheet != "Settings" else None
        name = None if key is None else names.country.get(key) if v.cells[0].sheet == "Countries" \
            else names.element(key)
        out[v.text] = f"{v.text}: {name}" if name and name != key else v.text
    return out


def make_design(inputs: list[UncertainInput], draws: int, method: Method = Method.LHS, seed: int = 0) -> Design:
    """The design of `draws` draws (with sobol, draws x (dimensions + 2): Saltelli's, first-order and total
    indices), each row's value its distribution's quantile at its dimension's unit draw."""
    names = dimensions(inputs)
    k = len(names)
    problem = {"num_vars": k, "names": names, "bounds": [[0.0, 1.0]] * k}
    if method == Method.SOBOL and (draws < 2 or draws & (draws - 1)):
        below = 1 << max(1, draws.bit_length() - 1)
        raise InputError("--draws", [Problem(
            f"with --method sobol the draws are a power of 2 (the Sobol' sequence's balance holds only then), "
            f"found {draws:,}", f"Give --draws {below:,} or {below * 2:,}: the run solves draws x (dimensions + "
            f"2) = {below * (k + 2):,} or {below * 2 * (k + 2):,} points.")])
    if not 1 <= draws * ((k + 2) if method == Method.SOBOL else 1) <= MAX_DRAWS:
        raise InputError("--draws", [Problem(f"must give 1 to {MAX_DRAWS:,} points, found {draws:,} draws",
                                             "Give fewer draws, e.g. --draws 1000.")])
    if method == Method.SOBOL:
        from SALib.sample import sobol

        U = sobol.sample(dict(problem), draws, calc_second_order=False, scramble=True, seed=seed)  # it marks its copy
    else:
        U = qmc.LatinHypercube(d=k, scramble=True, seed=np.random.default_rng(seed)).random(draws)
    column = {name: j for j, name in enumerate(names)}
    X = pd.DataFrame({v.text: v.values(U[:, column[v.dimension]]) for v in inputs})
    return Design(problem, U, X, method, seed)


def check_draws(inputs: list[UncertainInput], design: Design, source: str = "Uncertainty") -> None:
    """Every value the rows can draw is one the workbook could hold (a cost not below 0, a share within 0..1):
    InputError from `source` (the input's name) naming the row, the least or the most it can draw and the cut that
    would keep it in, before anything is solved. What a row can draw is its distribution's reach (its quantiles at
    EDGE and 1 - EDGE, where a unit draw is kept), not the extremes of these draws, so that the verdict does not
    depend on the number of draws (a cell's value is monotone in the draw); validation judges the same reach
    against the column's bounds (model.input.validate.uncertainty), this against the cells' base values."""
    problems = []
    for v in inputs:
        for value in v.values(np.array([0.0, 1.0])):
            why = invalid_values(v.param.cell_values(float(value)), advice=False)
            if why is not None:
                shown = float(f"{value:.4g}")  # as a planner reads it, where that is still out of bounds
                why = invalid_values(v.param.cell_values(shown), advice=False) or why
                problems.append(Problem(
                    f"its tail reaches {number_text(shown)}{' (x base)' if v.factor else ''} (whether a run draws "
                    f"there depends on its number of draws), and then {why}",
                    "Cut the distribution to the values the cells take with low and high (normal, lognormal), or "
                    "narrow its range.", sheet="Uncertainty", row=v.row, key=v.text, column="distribution"))
                break
    if problems:
        raise InputError(source, problems)
