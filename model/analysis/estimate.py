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

A class the fit identifies alone (a standard error below its estimate, inside the bounds) keeps its own
dispersion; the others share one pooled dispersion (POOLED: the Dispersions row with a blank cargo_class),
fitted again jointly with the classes identified alone; a pool that is not identified either is said and
not written. A parameter J cannot tell apart from another (in J's null space) has no standard error.

What is not estimated: the input is read as the choice allocation reads it (model.input.allocation), so
the least-cost fit's premiums and calibration rules are left out, and the planner's own Surcharges rows
held; an observation the model's rows hold within its band whatever the costs (an identity,
model.lp.reach, as the Fit sheet and calibrate find them) identifies nothing and is not counted. Least
cost is scored as the input has it, calibration and all.
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

from model.analysis.calibrate import fit_rows, with_rows
from model.analysis.estimate_tables import (
    COUNTED_FIT,
    COUNTED_TEST,
    ESTIMATED,
    EVERY_CLASS,
    HIGHEST_USD_PER_T,
    LOWEST_USD_PER_T,
    POOLED,
    Fit,
    Score,
    by_class,
    class_rows,
    observation_rows,
    score,
    score_lines,
    status_of,
)
from model.errors import ERROR, InputError, NoSolutionError, Problem
from model.input.allocation import for_allocation, least_cost_fit
from model.input.data import CorridorData
from model.input.scenarios import apply_scenarios
from model.input.schema import Allocation
from model.input.validate import validate
from model.input.validate.choice import demanded_classes, dispersions
from model.lp.choice import NoConvergence, choice_of_lp, program_of
from model.lp.highs import Solution
from model.lp.solve import solve_plan
from model.network import Network, Observation
from model.network.build import build_network
from model.plan import Plan
from model.results.fit import FitAnalyses, inside, modelled
from model.results.tables import flow_tonnes
from model.steps import load_one_year, observed, solve

START_USD_PER_T = 10.0  # where a class without a Dispersions row starts
SINGULAR = 1e-6  # a singular value of J below this share of the largest: a direction the observations do not tell
STEP = 0.02  # the central difference's step in ln(dispersion)
MOVES = 1e-3  # tolerances per unit of ln(dispersion): below, a class does not move an observation
XTOL, FTOL = 1e-4, 1e-6  # of least_squares: a step below 0.01% of a dispersion, a sum of squares settled
MAX_EVALUATIONS = 60  # of the residuals (each a choice solve; a Jacobian is two a class more)
STARTS = (1.0, 30.0)  # USD/t, every class alike: where the search starts too, besides the input's dispersions
PROBES = (1.0, 0.1, 10.0)  # times the start: where each class is looked at for the observations it moves
ESTIMATE_SOURCE = "corridor calibrate --estimate"


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
    given, _, _ = load_one_year(path, scenario, year)
    if given.left_out is not None:  # allocation choice on the Settings sheet: the rows it left out, for the output
        every, _, _ = load_one_year(path, scenario, year, Allocation.LEAST_COST)
        given = every.copy(settings=given.settings)
    # the choice allocation's view of the input (model.input.allocation): without the least-cost fit's
    # premiums and calibration rules, its LP solved under least cost and then allocated by the logit
    chosen_view = for_allocation(given.copy(settings=given.settings.replace(allocation=Allocation.CHOICE)))
    data = chosen_view.copy(settings=given.settings.replace(allocation=Allocation.LEAST_COST))
    net = build_network(data)
    fitted = fit_rows(path, net)
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
    classes = demanded_classes(data)
    start = {c: float(np.clip(dispersions(data).get(c, START_USD_PER_T), LOWEST_USD_PER_T * 1.01,
                              HIGHEST_USD_PER_T / 1.01)) for c in classes}
    obs = net.observations
    scale = np.array([max(o.tolerance_t, 1.0) for o in obs])
    target = np.array([o.observed_t for o in obs])
    allocation = _allocation(plan, sol, start)
    held = {c: math.log(v) for c, v in start.items()}

    def tonnes(log_d: dict[str, float]) -> np.ndarray:
        return _choice_tonnes(allocation, net, {c: math.exp(v) for c, v in log_d.items()})

    def jacobian(log_d: dict[str, float], which: list[list[str]], at: np.ndarray | None = None) -> np.ndarray:
        """Tolerances per unit of ln d of each group of classes (moved together): central differences, or
        forward ones from the tonnes at log_d."""
        def moved(group: list[str], by: float) -> dict[str, float]:
            return {**log_d, **{c: log_d[c] + by for c in group}}

        cols = [(tonnes(moved(g, STEP)) - (at if at is not None else tonnes(moved(g, -STEP))))
                / (STEP if at is not None else 2 * STEP) / scale for g in which]
        return np.column_stack(cols) if cols else np.zeros((len(obs), 0))

    moves = {c: set[str]() for c in classes}
    for probe in PROBES:
        at = {c: math.log(float(np.clip(v * probe, LOWEST_USD_PER_T, HIGHEST_USD_PER_T))) for c, v in start.items()}
        J = jacobian(at, [[c] for c in classes])[counted]
        for k, c in enumerate(classes):
            moves[c] |= {obs[counted[i]].observation for i in np.flatnonzero(np.abs(J[:, k]) > MOVES)}

    def fit(params: list[tuple[str, list[str]]]) -> Fit:
        """Weighted least squares in ln d of each parameter (a class's own, or the pooled one its classes
        share), every other class held at its start; from the start and from STARTS, the best end kept."""
        groups = [g for _, g in params]

        def full(x: np.ndarray) -> dict[str, float]:
            return {**held, **{c: float(v) for g, v in zip(groups, x, strict=True) for c in g}}

        def residuals(x: np.ndarray) -> np.ndarray:
            return ((tonnes(full(x)) - target) / scale)[counted]

        x0 = np.array([float(np.mean([held[c] for c in g])) for g in groups])
        ends = [least_squares(residuals, x, jac=lambda v: jacobian(full(v), groups, tonnes(full(v)))[counted],
                              method="trf", bounds=(math.log(LOWEST_USD_PER_T), math.log(HIGHEST_USD_PER_T)),
                              xtol=XTOL, ftol=FTOL, max_nfev=MAX_EVALUATIONS)
                for x in [x0, *(np.full(len(groups), math.log(v)) for v in STARTS)]]
        best = min(ends, key=lambda e: float(e.cost))
        J = jacobian(full(best.x), groups)[counted]
        cov = _covariance(residuals(best.x), J)
        flat = np.abs(J).max(axis=0, initial=0.0) < MOVES  # no observation changes with it near the estimate:
        cov[flat, :] = cov[:, flat] = np.nan  # s^2 and J both near 0, their quotient no standard error
        return Fit([n for n, _ in params], np.exp(best.x), np.exp(best.x) * np.sqrt(np.diag(cov)), cov,
                   best.active_mask, {c: math.exp(v) for c, v in full(best.x).items()})

    free = [c for c in classes if moves[c]]
    each = fit([(c, [c]) for c in free]) if free else Fit([], np.zeros(0), np.zeros(0), np.zeros((0, 0)),
                                                         np.zeros(0, dtype=int), {})
    alone = [c for c in free if status_of(each, c)[0] == ESTIMATED]
    pool = [c for c in classes if c not in alone]
    pooled = fit([*((c, [c]) for c in alone), (POOLED, pool)]) if any(moves[c] for c in pool) else None
    final = pooled if pooled is not None and status_of(pooled, POOLED)[1] else each  # a pool not identified: none
    estimated = {**{c: math.exp(v) for c, v in held.items()}, **final.dispersion}
    classes_table = class_rows(classes, start, moves, each, pooled, pool)
    pool = pool if final is pooled else []
    least_cost = _as_given(given) if any(m.any() for m in least_cost_fit(given).values()) else \
        _least_cost_tonnes(net, sol, found)  # least cost as the input has it, calibration and all
    chosen = _choice_tonnes(allocation, net, estimated)
    chosen = _in_their_worlds(data, obs, chosen, estimated)
    fit_table = observation_rows(obs, least_cost, chosen, identity, fitted, free, moves)
    written = classes_table.loc[classes_table["written"].eq(True),
                                ["cargo_class", "dispersion_usd_per_t", "standard_error_usd_per_t"]].assign(
        source=f"{ESTIMATE_SOURCE} {(today or date.today()).isoformat()}")
    written["cargo_class"] = written["cargo_class"].where(written["cargo_class"].ne(POOLED), None)
    out = _with_dispersions(given, written, pool)
    est = Estimation(classes_table, fit_table, out, written.reset_index(drop=True),
                     score(fit_table[fit_table["counted"].eq(COUNTED_FIT)]),
                     score(fit_table[fit_table["counted"].eq(COUNTED_TEST)]),
                     [o.observation for o in fitted if identity[o.observation]], held_in_words(given))
    said = [*score_lines(est.fit_score, est.test_score), est.held]
    classes_table = classes_table.assign(**by_class(classes_table["cargo_class"], fit_table))
    est.classes = pd.concat([classes_table, pd.DataFrame({"cargo_class": [EVERY_CLASS] * len(said), "status": said})],
                            ignore_index=True)
    return est


def held_in_words(data: CorridorData) -> str:
    """What the estimate leaves out and holds: the least-cost fit's premiums and calibration rules are left
    out, as under any choice allocation (model.input.allocation); the other Surcharges rows held."""
    mine = least_cost_fit(data)
    cal, rules = int(mine["Surcharges"].sum()), int(mine["Policies"].sum())
    return (f"Left out, as under route choice: the least-cost fit's {cal} calibration premiums (Surcharges rows "
            f"written by corridor calibrate) and {rules} calibration rules; held as the input has them: "
            f"{len(mine['Surcharges']) - cal} other Surcharges rows.")


def _allocation(plan: Plan, sol: Solution, dispersion: dict[str, float]) -> Callable[[dict[str, float]], Solution]:
    """model.lp.choice.allocate on the solved LP, its program read once (at these dispersions) and each
    call's dispersions put in its groups' theta, the one place the program holds them: what allocate
    gives, without reading the LP again for each evaluation."""
    lp, program = program_of(plan, sol, sol.highs, sol.x, dispersion)  # type: ignore[arg-type]  # solve() keeps HiGHS

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


def _as_given(given: CorridorData) -> np.ndarray:
    """Each observation's tonnes under least cost as the input has it, with its calibration premiums and
    rules (the least-cost fit the choice allocation is set beside)."""
    data = given.copy(settings=given.settings.replace(allocation=Allocation.LEAST_COST))
    plan = Plan.of_one(data, build_network(data))
    sol = solve(plan, ranging=False)
    return _least_cost_tonnes(plan.cases[0].net, sol, observed(plan, sol).get(None) or FitAnalyses())


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
        tried = {**dict.fromkeys(demanded_classes(sdata), START_USD_PER_T), **dispersions(sdata), **dispersion}
        got = (_choice_tonnes(_allocation(splan, ssol, tried), snet, tried) if ssol.optimal
               else np.full(len(snet.observations), np.nan))
        there = dict(zip((o.observation for o in snet.observations), got, strict=True))
        for i, o in enumerate(obs):
            if o.scenario == name:
                chosen[i] = there.get(o.observation, float("nan"))
    return chosen


def _covariance(r: np.ndarray, J: np.ndarray) -> np.ndarray:
    """cov(ln d) = s^2 (J'J)^+, s^2 = r'r / (n - rank J) (the weights folded into r and J); nan for a parameter
    the observations tell only together with others (it has a part in the null space of J: SINGULAR) and all nan
    without degrees of freedom left."""
    n, p = J.shape
    if not p:
        return np.zeros((0, 0))
    _, sv, vt = np.linalg.svd(J)
    rank = int((sv > SINGULAR * max(float(sv.max(initial=0.0)), 1e-300)).sum())
    if n <= rank or rank == 0:
        return np.full((p, p), np.nan)
    cov = float(r @ r) / (n - rank) * np.linalg.pinv(J.T @ J)
    apart = np.abs(vt[rank:]).max(axis=0, initial=0.0) > 1e-6  # a part of it the observations do not tell
    cov[apart, :] = cov[:, apart] = np.nan
    return cov


def _with_dispersions(data: CorridorData, written: pd.DataFrame, pool: list[str]) -> CorridorData:
    """The input with the estimated Dispersions rows in place of its own rows of those classes (a pooled row,
    cargo_class blank, in place of its blank row and of the rows of the classes pooled: pool); refused
    (InputError) if the result would not validate."""
    table = data.tables["Dispersions"]
    tables = dict(data.tables)
    named = table["cargo_class"].map(lambda c: isinstance(c, str) and bool(c.strip()))
    replaced = table["cargo_class"].isin([*written["cargo_class"].dropna(), *pool]) | (
        ~named & written["cargo_class"].isna().any())
    tables["Dispersions"] = table.loc[~replaced].reset_index(drop=True)
    out = with_rows(data.copy(tables=tables), "Dispersions", written)
    problems = [p for p in validate(out) if p.severity == ERROR]
    if problems:
        raise InputError(str(data.source), problems)
    return out
