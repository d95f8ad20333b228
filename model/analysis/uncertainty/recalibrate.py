"""corridor uncertainty --recalibrate: each draw recalibrated first, as `corridor calibrate` would recalibrate the
input with the draw's values (model.analysis.calibrate), then solved, on one live model instead of a calibrate()
a draw.

The live model is built once from the input without an earlier calibration's rows (calibrate's
without_calibration) with every fit observation's band as rows of the LP (families ObservationBand and
BandMiss, widened by calibrate's WIDEN, as implied_premiums sets them). At each draw, its cells applied:

1. the bands at their widened bounds, the miss columns at the band penalty (the draw's: at least ten times its
   dearest flow): the solve gives each observation's premium, the dual of its band's binding side, and whether
   it is relaxed (its miss above a millionth of it);
2. the bands free, the miss columns fixed at 0, and each premium p not relaxed (|p| > 1e-6) added to the cost
   of the flows its Surcharges row would price (FlowCosts.effect of that row: the premium part), as
   -(p + sign(p) NUDGE): the solve says which observations the costs alone hold within their band;
3. each observation not relaxed and not held by costs kept by its band at [low_t, high_t], the miss columns
   still 0: calibrate's two rules CAL_<observation>_MIN and _MAX (with the setting calibration_rules on, as the
   calibrated input reads them). The solve is the draw's point.

The point reports, beyond a sweep's, each fit observation's premium (PREMIUM: NaN where relaxed) and how many
observations the draw holds by rules (RULES). An identity (model.lp.reach: its band holds whatever the costs)
needs no case of its own: its widened band has slack at every allocation, so its dual is 0 and costs alone
hold it: no surcharge, no rule, as calibrate, which leaves it out. Between draws (the exact method of a port's
cut, model.analysis.uncertainty.switching) the model holds the draw's calibration: apply() sets the cells over
it. Least cost only (under route choice the calibration is the dispersions) and without integer decisions.
"""

from __future__ import annotations

import dataclasses
import time

import highspy
import numpy as np

from model.analysis.calibrate import MIN_BAND_PENALTY_USD_PER_T, NUDGE_USD_PER_T, WIDEN, fit_rows, without_calibration
from model.errors import InputError, Problem
from model.input.allocation import CALIBRATION_SOURCE
from model.input.data import ROW, CorridorData
from model.input.schema import Allocation
from model.lp.families import BAND_MISS, OBSERVATION_BAND, Cell
from model.lp.families.base import tonnes_text
from model.lp.highs import Solution, floats
from model.lp.live import LiveModel, LivePoint
from model.network import Network, Observation
from model.network.costs import FlowCosts

PREMIUM = "premium "  # a fit observation's column: 'premium <observation>_usd_per_t', its implied premium
RULES = "observations held by calibration rules"  # of the draw: each two rules, CAL_<observation>_MIN and _MAX
OPTIMAL = highspy.HighsModelStatus.kOptimal


def refused(allocation: str | None, sol_mip) -> Problem | None:
    """Why a case in this allocation (with the integer decisions of its solve, sol_mip) cannot be recalibrated per
    draw, or None."""
    if allocation == Allocation.CHOICE:
        return Problem("is not built with allocation choice: under route choice the calibration is the "
                       "dispersions (corridor calibrate --estimate), not premiums, and re-estimating them at "
                       "every draw would take minutes a draw",
                       "Leave out --recalibrate, or run the draws with --allocation least_cost.")
    if sol_mip is not None and len(sol_mip.columns):
        return Problem("is not built for a case with options built whole, in modules or with a fixed cost: "
                       "a premium is a dual, which integer decisions do not have",
                       "Leave out --recalibrate, or solve a scenario without such options.")
    return None


def cell_value(data: CorridorData, cell: Cell) -> float:
    """What the cell holds in data (NaN: blank)."""
    if cell.sheet == "Settings":
        value = getattr(data.settings, cell.key)
        return float("nan") if value is None else float(value)
    table = data.tables[cell.sheet]
    return float(table.loc[table[ROW] == cell.row, cell.column].iloc[0])


def banded(data: CorridorData, fitted: list[Observation]) -> Network:
    """The network of data (without calibration) with the fit observations' bands, widened as
    calibrate's implied_premiums widens them, at calibrate's band penalty."""
    from model.network.build import build_network

    net = build_network(data)
    net.bands = [dataclasses.replace(o, tolerance_t=o.tolerance_t + WIDEN * max(1.0, o.observed_t)) for o in fitted]
    net.band_penalty_usd_per_t = penalty(np.asarray(net.cost_total, dtype=float))
    return net


def penalty(flow_costs: np.ndarray) -> float:
    """The band penalty of calibrate (implied_premiums): at least ten times the dearest flow."""
    return max(MIN_BAND_PENALTY_USD_PER_T, 10.0 * float(np.abs(flow_costs).max(initial=0)))


def recalibrating_model(path, keep_decisions: bool = False, scenario: str | None = None, year: int | None = None,
                        allocation: str | None = None) -> RecalibratedModel:
    """The live model of the input (--scenario, --year, --allocation as live_model) that recalibrates each
    draw; with a scenario, the draws recalibrate the base year (a model of the input without it) and the
    scenario's model holds that calibration. InputError (exit 2) for an input without fit observations (the
    Observations sheet named), under route choice, or with integer decisions."""
    from model.steps import load_one_year

    data, net, _ = load_one_year(path, scenario, year, allocation)
    why = refused(data.settings.allocation, None)
    if why is not None:
        raise InputError("--recalibrate", [why])
    fitted = fit_rows(path, net)  # none: said, naming the Observations sheet
    calibrator = None
    if scenario:
        calibrator = _built(load_one_year(path, None, year, allocation)[0], fitted, keep_decisions)
    return _built(data, fitted, keep_decisions, calibrator)


def _built(data: CorridorData, fitted: list[Observation], keep_decisions: bool,
           calibrator: RecalibratedModel | None = None, rebuilt: bool = False) -> RecalibratedModel:
    """The model of data without its calibration (NoSolutionError without an optimum: from steps.solve, which
    says why, or, rebuilt for a point, in one line)."""
    from model.errors import NoSolutionError
    from model.lp.solve import solve_plan
    from model.plan import Plan
    from model.steps import solve

    data = without_calibration(data)[0]
    net = banded(data, fitted)
    plan = Plan.of_one(data, net)
    sol = solve_plan(plan, ranging=False) if rebuilt else solve(plan, ranging=False)
    if not sol.optimal:
        raise NoSolutionError(sol.status)
    why = refused(data.settings.allocation, sol.mip)
    if why is not None:
        raise InputError("--recalibrate", [why])
    return RecalibratedModel(data, net, sol, fitted, keep_decisions, calibrator)


class RecalibratedModel(LiveModel):
    """A live model whose draws are recalibrated (recalibrated_point); fitted: the fit observations
    (unwidened; net.bands holds them widened); calibrator: the base year's model, which recalibrates each draw
    for this scenario's (None: this model recalibrates itself). _calibration: what the model holds over the
    cells applied, None (the bands at their widened bounds: the premium solve) or (surcharge per flow, kept
    per observation); written: the surcharge each observation's Surcharges row holds (0: none)."""

    def __init__(self, data: CorridorData, net: Network, sol: Solution, fitted: list[Observation],
                 keep_decisions: bool = False, calibrator: RecalibratedModel | None = None):
        self._calibration: tuple[np.ndarray, np.ndarray] | None = None
        super().__init__(data, net, sol, keep_decisions)
        self.fitted, self.calibrator = fitted, calibrator
        self.low_rows = np.array([sol.row_of(OBSERVATION_BAND.name, (o.observation, "low")) for o in fitted],
                                 dtype=np.int64)
        self.high_rows = np.array([sol.row_of(OBSERVATION_BAND.name, (o.observation, "high")) for o in fitted],
                                  dtype=np.int64)
        self.miss_cols = np.array([[sol.col_of(BAND_MISS.name, (o.observation, side)) for side in ("short", "excess")]
                                   for o in fitted], dtype=np.int64).reshape(len(fitted), 2)
        self.low_t = np.array([o.low_t for o in fitted], dtype=float)
        self.high_t = np.array([o.high_t for o in fitted], dtype=float)
        self.slack_t = np.array([1e-6 * max(1.0, o.observed_t) for o in fitted], dtype=float)  # calibrate's
        # the flows each observation's Surcharges row prices (the code that prices such a row), which its band counts
        self.priced = [FlowCosts.effect(net, ("Surcharges", "usd_per_t"), {
            "scope": o.scope, "target": o.target, "commodity": o.commodity, "source": CALIBRATION_SOURCE})[1]
            for o in fitted]
        self.written = np.zeros(len(fitted))
        for rows, at_least in ((self.low_rows, True), (self.high_rows, False)):  # a band kept as rules: bound unwidened
            self.row_labels.update({int(i): (
                f"calibration rule CAL_{o.observation}_{'MIN' if at_least else 'MAX'} (Observations row {o.row}): "
                f"{'at least' if at_least else 'at most'} {tonnes_text(o.low_t if at_least else o.high_t)} of "
                f"{net.names.cargoes(o.commodity)} through {net.names.target(o.scope, o.target)}")
                for i, o in zip(rows.tolist(), fitted, strict=True)})  # binding only where kept

    def _push(self, cost: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray, lower: np.ndarray,
              upper: np.ndarray, coef: dict[tuple[int, int], float]) -> None:
        """The cells' arrays (LiveModel.apply) with the calibration held set over them, handed to HiGHS."""
        if self._calibration is None:  # the premium solve: the bands on, missed at the draw's penalty
            cost[self.miss_cols] = penalty(cost[self.flow_cols])
        else:
            surcharge, kept = self._calibration
            cost[self.flow_cols] += surcharge
            self._flow_costs = self._flow_costs._replace(premium=self._flow_costs.premium + surcharge)
            lower[self.low_rows] = np.where(kept, self.low_t, -np.inf)
            upper[self.high_rows] = np.where(kept, self.high_t, np.inf)
            col_upper[self.miss_cols] = 0.0
        super()._push(cost, col_lower, col_upper, lower, upper, coef)

    def _hold(self, written: np.ndarray, kept: np.ndarray) -> None:
        """Hold the calibration of these surcharges (one an observation, on the flows its row prices) and rules."""
        surcharge = np.zeros(len(self.flow_cols))
        for k in np.flatnonzero(written).tolist():
            surcharge[self.priced[k]] += written[k]
        self.written, self._calibration = written, (surcharge, kept & bool(self.data.settings.calibration_rules))

    def _run(self, basis) -> highspy.HighsModelStatus:
        """Solve from basis, HiGHS's other state cleared (as LiveModel.solve: a function of the draw alone)."""
        self.h.clearSolver()
        self.h.setBasis(basis)
        self.h.run()
        return self.h.getModelStatus()

    def _recalibrate(self, values: dict[Cell, float]) -> tuple[highspy.HighsModelStatus, np.ndarray, np.ndarray]:
        """The module's three solves at these cells: (the status of the last, premium and relaxed per
        observation); the calibration is held (_hold) and HiGHS holds the last solve."""
        h, n = self.h, len(self.fitted)
        self._calibration = None
        self.apply(values)
        status = self._run(self.base_basis)
        if status != OPTIMAL:
            return status, np.full(n, np.nan), np.ones(n, dtype=bool)
        s = h.getSolution()
        x, y = floats(s.col_value), floats(s.row_dual)
        premium = y[self.low_rows] + y[self.high_rows] + 0.0
        relaxed = x[self.miss_cols].sum(axis=1) > self.slack_t
        self._hold(np.where(~relaxed & (np.abs(premium) > 1e-6), -(premium + np.sign(premium) * NUDGE_USD_PER_T), 0.0),
                   np.zeros(n, dtype=bool))
        self.apply(self.applied)
        status = self._run(h.getBasis())
        if status == OPTIMAL and self.data.settings.calibration_rules:
            x = floats(h.getSolution().col_value)[self.flow_cols]
            tonnes = np.where(x > 1e-6, x, 0.0)
            by_costs = np.array([tonnes[idx].sum() for idx in self.priced])
            kept = ~relaxed & ~((self.low_t - self.slack_t <= by_costs) & (by_costs <= self.high_t + self.slack_t))
            if kept.any():
                self._hold(self.written, kept)
                self.apply(self.applied)
                status = self._run(h.getBasis())
        return status, premium, relaxed

    def recalibrated_point(self, values: dict[Cell, float], factors: dict[Cell, float] | None = None) -> LivePoint:
        """The draw's point on the input with these cells changed, recalibrated (the module's three solves, on the
        base year's model with a scenario, whose calibration this model then holds for a fourth), with the
        premiums and the observations held by rules in its figures. factors: the factor of each cell drawn as one
        (Sweep.factors), which the base year's model applies to its own value of the cell (_base_year)."""
        start = time.perf_counter()
        source = self.calibrator or self
        status, premium, relaxed = source._recalibrate(values if source is self else self._base_year(values, factors))
        if status == OPTIMAL and source is not self:
            self._hold(source.written, source._calibration[1])  # type: ignore[index]  # held by _recalibrate
            self.apply(values)
            status = self._run(self.base_basis)
        seconds = time.perf_counter() - start
        if status != OPTIMAL:
            return LivePoint(self.h.modelStatusToString(status), seconds)
        s = self.h.getSolution()
        point = self.point(floats(s.col_value), floats(s.row_dual), self.h.modelStatusToString(status), seconds)
        figures = {PREMIUM + o.observation + "_usd_per_t": float("nan") if gone else float(p)
                   for o, p, gone in zip(self.fitted, premium, relaxed, strict=True)}
        return dataclasses.replace(point, figures={**figures, RULES: float(source._calibration[1].sum())})  # type: ignore[index]

    def _base_year(self, values: dict[Cell, float], factors: dict[Cell, float] | None) -> dict[Cell, float]:
        """The cells as the base year's model (the calibrator) takes them: a cell the scenario changed, with the
        base year's own value as its base and, drawn as a factor, that value times the factor (the scenario's
        value times it is this model's); a value drawn, as drawn. Every other cell as it is."""
        out = {}
        for c, v in values.items():
            base = cell_value(self.calibrator.data, c)  # type: ignore[union-attr]  # called with a calibrator
            if base == c.base or (base != base and c.base != c.base):
                out[c] = v
            else:
                out[Cell(c.sheet, c.row, c.key, c.column, base)] = base * factors[c] if factors and c in factors else v
        return out

    def rebuilt(self, values: dict[Cell, float],
                factors: dict[Cell, float] | None = None) -> tuple[LivePoint, RecalibratedModel | None]:
        """The point of cells that change the model's structure: recalibrated on models built from the data with
        them written (the base year's too, with a scenario), and the model that solved it (None: no optimum)."""
        from model.analysis.params import with_values
        from model.errors import NoSolutionError

        try:
            calibrator = None if self.calibrator is None else _built(
                with_values(self.calibrator.data, self._base_year(values, factors)), self.fitted, self.keep_decisions,
                rebuilt=True)
            model = _built(with_values(self.data, values), self.fitted, self.keep_decisions, calibrator, rebuilt=True)
        except NoSolutionError as exc:
            return LivePoint(str(exc)), None
        return model.recalibrated_point({}), model
