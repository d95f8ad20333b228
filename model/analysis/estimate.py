r"""corridor calibrate --estimate: the dispersion of each cargo class (the Dispersions sheet, $1/\theta$
of the route-choice logit, model.lp.choice) fitted to what moved.

The least-cost LP is solved once and its choice program read once (model.lp.choice.program); each
evaluation solves that program again with the dispersions tried (model.lp.choice.choice_of_lp, as
model.lp.choice.allocate does). The fit is by weighted least squares on the Observations' fit rows (role
fit; the test rows are held out, and predicted): each row's residual is
$r_o = (\text{modelled}_o - \text{observed}_o) / \text{tolerance}_o$, the row's tolerance the Fit
sheet scores it by, so a row weighs $1/\text{tolerance}_o^2$. Not maximum likelihood: the observations
are tonnes through a target summed over many shipments, stated with a tolerance, not counts of
choices; a multinomial likelihood would count every tonne as an independent choice and give
standard errors too small by the square root of the tonnes (a thousand times for a million
tonnes). The residuals are those of a likelihood with normal errors of scale s x tolerance, s
estimated.

The parameters are $\ln d_k$ per cargo class k ($d_k$ in USD/t), so that a dispersion stays above 0;
the search (scipy.optimize.least_squares, trust region reflective) starts from the input's
dispersions and from every class at each of STARTS, and keeps the best end (the sum of squares of a
choice allocation under capacities and rules has local minima); it is held within LOWEST_USD_PER_T and
HIGHEST_USD_PER_T. The Jacobian J is by differences of STEP in $\ln d$ (forward in the search,
central at the optimum). At the optimum

$$
\operatorname{cov}(\ln d) = s^2 (J^\top W J)^{-1}, \qquad s^2 = \frac{r^\top W r}{n - p},
$$

with W the weights above (folded into r and J), n the informative fit rows and p the classes
estimated; a standard error in USD/t is $d_k$ times that of $\ln d_k$ (the delta method), and the
correlations are those of cov. A class whose dispersion moves no fit observation (at the start, a tenth
of it or ten times it: PROBES) is not identified: held at its start for the solves, no figure written.
Nor is one written for a class that ends on a bound, or on a flat fit (no observation changes with it
near the estimate: s^2 and J both near 0 would give a standard error near 0 for a figure the
observations do not tell); the Estimation sheet says which and why.

What is not estimated: the premiums (the Surcharges rows calibrate wrote, and any of the input's) and
the calibration rules are held as the input has them; an observation the model's rows hold within its
band whatever the costs (an identity, model.lp.reach, as the Fit sheet and calibrate find them, the
calibration rules' observations among them) identifies neither a premium nor a dispersion and is not
counted.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from model.analysis.calibrate import fit_rows, own_rows, with_rows
from model.errors import ERROR, InputError, NoSolutionError, Problem
from model.input.data import CorridorData
from model.input.scenarios import apply_scenarios
from model.input.schema import Allocation, Role
from model.input.validate import validate
from model.input.validate.choice import dispersions
from model.lp.choice import NoConvergence, choice_of_lp
from model.lp.choice.program import LPTables, read_program
from model.lp.highs import Solution
from model.lp.solve import solve_plan
from model.network import Network, Observation
from model.network.build import build_network
from model.plan import Plan
from model.results.fit import FitAnalyses, inside, modelled, weighted_error, within
from model.results.tables import flow_tonnes
from model.steps import load_one_year, observed, solve

START_USD_PER_T = 10.0  # where a class without a Dispersions row starts
LOWEST_USD_PER_T = 0.1  # routes 1 USD/t apart split e^-10 (0.005%): the least-cost allocation for any purpose
HIGHEST_USD_PER_T = 1000.0  # routes 1,000 USD/t apart split 73 / 27: no route's cost would matter
STEP = 0.02  # the central difference's step in ln(dispersion)
MOVES = 1e-3  # tolerances per unit of ln(dispersion): below, a class does not move an observation
XTOL, FTOL = 1e-4, 1e-6  # of least_squares: a step below 0.01% of a dispersion, a sum of squares settled
MAX_EVALUATIONS = 60  # of the residuals (each a choice solve; a Jacobian is two a class more)
STARTS = (1.0, 30.0)  # USD/t, every class alike: where the search starts too, besides the input's dispersions
PROBES = (1.0, 0.1, 10.0)  # times the start: where each class is looked at for the observations it moves
ESTIMATE_SOURCE = "corridor calibrate --estimate"


@dataclass
class Score:
    """k of n within tolerance and the weighted error, under least cost and under choice."""

    count: int
    within_least_cost: int
    within_choice: int
    error_least_cost: float
    error_choice: float


@dataclass
class Estimation:
    classes: pd.DataFrame  # the Estimation sheet: a row per cargo class
    fit: pd.DataFrame  # the EstimationFit sheet: a row per observation, least cost beside choice
    data: CorridorData  # the input with the estimated Dispersions rows
    written: pd.DataFrame  # the Dispersions rows written
    fit_score: Score  # the informative fit rows
    test_score: Score  # the informative test rows (out of sample)
    identities: list[str]  # fit rows that identify nothing
    held: str  # what was held as the input has it, not estimated (the premiums, the calibration rules), in words


def estimate(path: Path, scenario: str | None = None, year: int | None = None,
             today: date | None = None) -> Estimation:
    """Estimate the dispersions of the input (with --scenario applied; of a plan, its --year)."""
    given, net, _ = load_one_year(path, scenario, year)
    fitted = fit_rows(path, net)
    data = given.copy(settings=given.settings.replace(allocation=Allocation.LEAST_COST))
    plan = Plan.of_one(data, net)
    sol = solve(plan, ranging=False)
    found = observed(plan, sol).get(None) or FitAnalyses()
    identity = {o.observation: o.observation in found.ranges and inside(o, *found.ranges[o.observation])
                for o in net.observations}
    counted = [i for i, o in enumerate(net.observations) if o in fitted and not identity[o.observation]]
    if not counted:
        raise InputError(str(path), [Problem(
            "has no informative fit observations: every fit row is held within its band by the model's rows whatever "
            "the costs (an identity), so no observation can tell a dispersion", "Add fit observations of targets "
            "whose tonnes depend on route choice (a corridor, a port, a leg shared by competing routes).",
            sheet="Observations", column="role")])
    classes = _classes(data)
    start = {c: float(np.clip(dispersions(data).get(c, START_USD_PER_T), LOWEST_USD_PER_T * 1.01,
                              HIGHEST_USD_PER_T / 1.01)) for c in classes}
    obs = net.observations
    scale = np.array([max(o.tolerance_t, 1.0) for o in obs])
    target = np.array([o.observed_t for o in obs])

    allocation = _allocation(plan, sol, start)

    def tonnes(log_d: dict[str, float]) -> np.ndarray:
        return _choice_tonnes(allocation, net, {c: math.exp(v) for c, v in log_d.items()})

    def jacobian(log_d: dict[str, float], which: list[str], at: np.ndarray | None = None) -> np.ndarray:
        """Tolerances per unit of ln d: central differences, or forward ones from the tonnes at log_d."""
        cols = [(tonnes({**log_d, c: log_d[c] + STEP}) - (at if at is not None else tonnes(
            {**log_d, c: log_d[c] - STEP}))) / (STEP if at is not None else 2 * STEP) / scale for c in which]
        return np.column_stack(cols) if cols else np.zeros((len(obs), 0))

    moves = {c: set[str]() for c in classes}
    for probe in PROBES:
        at = {c: math.log(float(np.clip(v * probe, LOWEST_USD_PER_T, HIGHEST_USD_PER_T))) for c, v in start.items()}
        J = jacobian(at, classes)[counted]
        for k, c in enumerate(classes):
            moves[c] |= {obs[counted[i]].observation for i in np.flatnonzero(np.abs(J[:, k]) > MOVES)}
    free = [c for c in classes if moves[c]]
    held = {c: math.log(v) for c, v in start.items()}

    def full(x: np.ndarray) -> dict[str, float]:
        return {**held, **dict(zip(free, map(float, x), strict=True))}

    def residuals(x: np.ndarray) -> np.ndarray:
        return ((tonnes(full(x)) - target) / scale)[counted]

    x = np.array([held[c] for c in free])
    cov, active = np.zeros((0, 0)), np.zeros(0, dtype=int)
    if free:  # from the input's dispersions and from STARTS: the sum of squares has local minima; the best end kept
        ends = [least_squares(residuals, x0, jac=lambda v: jacobian(full(v), free, tonnes(full(v)))[counted],
                              method="trf", bounds=(math.log(LOWEST_USD_PER_T), math.log(HIGHEST_USD_PER_T)),
                              xtol=XTOL, ftol=FTOL, max_nfev=MAX_EVALUATIONS)
                for x0 in [x, *(np.full(len(free), math.log(v)) for v in STARTS)]]
        best = min(ends, key=lambda e: float(e.cost))
        x, active = best.x, best.active_mask
        J = jacobian(full(x), free)[counted]
        cov = _covariance(residuals(x), J)
        flat = np.abs(J).max(axis=0, initial=0.0) < MOVES  # no observation changes with it near the estimate:
        cov[flat, :] = cov[:, flat] = np.nan  # s^2 and J both near 0, their quotient no standard error
    estimated = {c: math.exp(v) for c, v in full(x).items()}
    classes_table = _classes_table(classes, free, start, estimated, cov, active, moves)
    least_cost = _least_cost_tonnes(net, sol, found)
    chosen = _choice_tonnes(allocation, net, estimated)
    chosen = _in_their_worlds(data, obs, chosen, estimated)
    fit = _fit_table(obs, least_cost, chosen, identity, fitted, free, moves)
    written = classes_table.loc[classes_table["written"].eq(True),
                                ["cargo_class", "dispersion_usd_per_t", "standard_error_usd_per_t"]].assign(
        source=f"{ESTIMATE_SOURCE} {(today or date.today()).isoformat()}")
    out = _with_dispersions(given, written)
    est = Estimation(classes_table, fit, out, written.reset_index(drop=True),
                     _score(fit[fit["counted"].eq(COUNTED_FIT)]), _score(fit[fit["counted"].eq(COUNTED_TEST)]),
                     [o.observation for o in fitted if identity[o.observation]], held_in_words(given))
    said = [*score_lines(est), est.held]
    classes_table = classes_table.assign(**_by_class(classes_table["cargo_class"], fit))
    est.classes = pd.concat([classes_table, pd.DataFrame({"cargo_class": [EVERY_CLASS] * len(said), "status": said})],
                            ignore_index=True)
    return est


def held_in_words(data: CorridorData) -> str:
    """What the estimate holds as the input has it: the premiums (Surcharges rows, calibrate's and the
    others) and the calibration rules."""
    mine = own_rows(data)
    cal, rules = int(mine["Surcharges"].sum()), int(mine["Policies"].sum())
    return (f"Premiums held as the input has them, not re-estimated: {cal} Surcharges rows written by corridor "
            f"calibrate and {len(mine['Surcharges']) - cal} others; {rules} calibration rules kept.")


COUNTED_FIT, COUNTED_TEST = "fit", "test (held out)"
EVERY_CLASS = "(every class)"  # the Estimation sheet's rows below the classes: the scores, what was held
IDENTITY = "identity: not counted (held within its band whatever the costs)"
ESTIMATION_FIT_COLUMNS = ["observation", "role", "observed_in", "scope", "target", "commodity", "observed_t",
                          "tolerance_t", "least_cost_t", "choice_t", "within_tolerance_least_cost",
                          "within_tolerance_choice", "counted", "moved_by"]


def _classes(data: CorridorData) -> list[str]:
    """The cargo classes of the commodities the Demand sheet asks for, in the Commodities sheet's order."""
    demanded = set(data.tables["Demand"]["commodity"].dropna())
    commodities = data.tables["Commodities"]
    return list(dict.fromkeys(str(c) for k, c in zip(commodities["commodity"], commodities["cargo_class"],
                                                     strict=True) if k in demanded))


def _allocation(plan: Plan, sol: Solution, dispersion: dict[str, float]) -> Callable[[dict[str, float]], Solution]:
    """model.lp.choice.allocate on the solved LP, its program read once (at these dispersions) and each
    call's dispersions put in its groups' theta, the one place the program holds them: what allocate
    gives, without reading the LP again for each evaluation."""
    lp = LPTables.of_highs(sol.highs.getLp())  # type: ignore[union-attr]  # solve() keeps HiGHS
    program = read_program(plan, sol.columns, sol.rows, lp, sol.x, dispersion)  # type: ignore[arg-type]  # solved

    def allocation(tried: dict[str, float]) -> Solution:
        theta = np.array([1.0 / tried[c] for c in program.group_class])
        at = dataclasses.replace(program, problem=dataclasses.replace(program.problem, theta=theta))
        return choice_of_lp(at, sol, lp, tried, time.perf_counter())

    return allocation


def _choice_tonnes(allocation: Callable[[dict[str, float]], Solution], net: Network,
                   dispersion: dict[str, float]) -> np.ndarray:
    """Each observation's tonnes under the choice allocation with these dispersions (USD/t by class)."""
    try:
        choice = allocation(dispersion)
    except NoConvergence as e:
        tried = ", ".join(f"{c} {v:,.3g}" for c, v in dispersion.items())
        raise NoSolutionError(f"The choice allocation did not converge at the dispersions tried ({tried} USD/t): "
                              f"{e}. A row may hold a route at a figure no logit split reaches: solve with allocation "
                              "least_cost to see which rows bind.") from None
    x = flow_tonnes(net, choice.view())
    return modelled(net, np.where(x > 1e-6, x, 0.0))


def _least_cost_tonnes(net: Network, sol: Solution, found: FitAnalyses) -> np.ndarray:
    """Each observation's tonnes under least cost: the case's solve, or a test row's scenario's (observed())."""
    x = flow_tonnes(net, sol.view())
    got = modelled(net, np.where(x > 1e-6, x, 0.0))
    return np.array([found.predicted.get(o.observation, float("nan")) if o.scenario else g
                     for o, g in zip(net.observations, got, strict=True)])


def _in_their_worlds(data: CorridorData, obs: list[Observation], chosen: np.ndarray,
                     dispersion: dict[str, float]) -> np.ndarray:
    """chosen, with each row observed in a scenario predicted under choice on the data with that scenario
    applied (its least-cost LP solved, then allocated; nan where it has no optimum)."""
    chosen = chosen.copy()
    for name in dict.fromkeys(o.scenario for o in obs if o.scenario):
        sdata, _ = apply_scenarios(data, name)
        snet = build_network(sdata)
        splan = Plan.of_one(sdata, snet)
        ssol = solve_plan(splan, ranging=False)
        # a class the scenario alone demands has no estimate: its own Dispersions row, or the start
        tried = {**dict.fromkeys(_classes(sdata), START_USD_PER_T), **dispersions(sdata), **dispersion}
        got = (_choice_tonnes(_allocation(splan, ssol, tried), snet, tried) if ssol.optimal
               else np.full(len(snet.observations), np.nan))
        there = dict(zip((o.observation for o in snet.observations), got, strict=True))
        for i, o in enumerate(obs):
            if o.scenario == name:
                chosen[i] = there.get(o.observation, float("nan"))
    return chosen


def _covariance(r: np.ndarray, J: np.ndarray) -> np.ndarray:
    """cov(ln d) = s^2 (J'J)^-1, s^2 = r'r / (n - p) (the weights folded into r and J); nan where J'J is
    singular or there are no degrees of freedom left."""
    n, p = J.shape
    JTJ = J.T @ J
    if n <= p or np.linalg.matrix_rank(JTJ, tol=1e-12 * max(1.0, float(np.abs(JTJ).max()))) < p:
        return np.full((p, p), np.nan)
    return float(r @ r) / (n - p) * np.linalg.inv(JTJ)


def _classes_table(classes: list[str], free: list[str], start: dict[str, float], estimated: dict[str, float],
                   cov: np.ndarray, active: np.ndarray, moves: dict[str, set[str]]) -> pd.DataFrame:
    se_log = np.sqrt(np.diag(cov)) if len(free) else np.zeros(0)
    rows = []
    for c in classes:
        row: dict = {"cargo_class": c, "start_usd_per_t": start[c]}
        if c not in free:
            rows.append({**row, "dispersion_usd_per_t": float("nan"), "standard_error_usd_per_t": float("nan"),
                         "status": f"not identified: no fit observation moves it (held at {start[c]:,.2f} USD/t for "
                                   "the solves; no figure written)", "observations": "", "written": False})
            continue
        k = free.index(c)
        d, se = estimated[c], estimated[c] * se_log[k]
        status = ("at the lower bound: the observations ask for the least-cost split (no estimate below "
                  f"{LOWEST_USD_PER_T} USD/t; no figure written)" if active[k] < 0 else
                  f"at the upper bound ({HIGHEST_USD_PER_T:,.0f} USD/t): the observations ask for a split the costs "
                  "do not shape (no figure written)" if active[k] > 0 else
                  "not determined: the observations it moves do not change near the estimate (a flat fit, such as "
                  "the least-cost split; its standard error cannot be worked out; no figure written)" if se != se else
                  "weakly identified: its standard error is larger than the estimate (the observations hardly tell it)"
                  if se > d else "estimated")
        row |= {"dispersion_usd_per_t": d, "standard_error_usd_per_t": se, "status": status,
                "observations": ", ".join(sorted(moves[c])), "written": bool(active[k] == 0 and se == se)}
        for j, other in enumerate(free):
            row[f"correlation_{other}"] = cov[k, j] / (se_log[k] * se_log[j]) if se_log[k] * se_log[j] > 0 else \
                float("nan")
        rows.append(row)
    order = ["cargo_class", "dispersion_usd_per_t", "standard_error_usd_per_t", "status", "written", "observations",
             "start_usd_per_t", *[f"correlation_{c}" for c in free]]
    return pd.DataFrame(rows).reindex(columns=order)


def _fit_table(obs: list[Observation], least_cost: np.ndarray, chosen: np.ndarray, identity: dict[str, bool],
               fitted: list[Observation], free: list[str], moves: dict[str, set[str]]) -> pd.DataFrame:
    rows = []
    for o, lc, ch in zip(obs, least_cost, chosen, strict=True):
        counted = (IDENTITY if identity[o.observation] else COUNTED_TEST if o.role == Role.TEST
                   else COUNTED_FIT if o in fitted else "")
        rows.append({"observation": o.observation, "role": o.role, "observed_in": o.scenario or "", "scope": o.scope,
                     "target": o.target, "commodity": o.commodity or "", "observed_t": o.observed_t,
                     "tolerance_t": o.tolerance_t, "least_cost_t": lc, "choice_t": ch,
                     "within_tolerance_least_cost": within(o, lc), "within_tolerance_choice": within(o, ch),
                     "counted": counted, "moved_by": ", ".join(c for c in free if o.observation in moves[c])})
    return pd.DataFrame(rows, columns=ESTIMATION_FIT_COLUMNS)


def _by_class(classes: pd.Series, fit: pd.DataFrame) -> dict[str, list]:
    """Each class's score on the informative fit rows it moves: 'k of n' within tolerance and the weighted
    error, under least cost and under choice (blank for a class that moves none)."""
    counted = fit[fit["counted"].eq(COUNTED_FIT)]
    scores = [_score(counted[counted["moved_by"].str.split(", ").map(lambda m, c=c: c in m)]) for c in classes]
    return {"within_least_cost": [f"{s.within_least_cost} of {s.count}" if s.count else "" for s in scores],
            "within_choice": [f"{s.within_choice} of {s.count}" if s.count else "" for s in scores],
            "weighted_error_least_cost": [s.error_least_cost for s in scores],
            "weighted_error_choice": [s.error_choice for s in scores]}


def _score(rows: pd.DataFrame) -> Score:
    def error(column: str) -> float:
        return weighted_error(pd.DataFrame({"error_t": rows[column] - rows["observed_t"],
                                            "observed_t": rows["observed_t"]}))

    return Score(len(rows), int(rows["within_tolerance_least_cost"].sum()), int(rows["within_tolerance_choice"].sum()),
                 error("least_cost_t"), error("choice_t"))


def _with_dispersions(data: CorridorData, written: pd.DataFrame) -> CorridorData:
    """The input with the estimated Dispersions rows in place of its own rows of those classes; refused
    (InputError) if the result would not validate."""
    table = data.tables["Dispersions"]
    tables = dict(data.tables)
    tables["Dispersions"] = table.loc[~table["cargo_class"].isin(written["cargo_class"])].reset_index(drop=True)
    out = with_rows(data.copy(tables=tables), "Dispersions", written)
    problems = [p for p in validate(out) if p.severity == ERROR]
    if problems:
        raise InputError(str(data.source), problems)
    return out


def score_lines(est: Estimation) -> list[str]:
    """The fit in and out of sample, least cost beside choice, in words."""
    def line(what: str, s: Score) -> str:
        def pct(v: float) -> str:
            return f"{v:.1%}" if v == v else "no weighted error"

        return (f"{what}: {s.count} rows; within tolerance {s.within_least_cost} of {s.count} under least cost, "
                f"{s.within_choice} under choice; weighted error {pct(s.error_least_cost)} under least cost, "
                f"{pct(s.error_choice)} under choice")

    lines = [line("Fit (informative fit rows)", est.fit_score)]
    if est.test_score.count:
        lines.append(line("Out of sample (informative test rows)", est.test_score))
    return lines

