"""The tables corridor calibrate --estimate writes (model.analysis.estimate): the Estimation sheet (a row per
cargo class, and the pooled dispersion's), the EstimationFit sheet (each observation under least cost beside
choice), the scores, and each estimate's status in words."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.input.schema import Role
from model.network import Observation
from model.results.fit import weighted_error, within

LOWEST_USD_PER_T = 0.1  # routes 1 USD/t apart split e^-10 (0.005%): the least-cost allocation for any purpose
HIGHEST_USD_PER_T = 1000.0  # routes 1,000 USD/t apart split 73 / 27: no route's cost would matter


@dataclass
class Score:
    """k of n within tolerance and the weighted error, under least cost and under choice."""

    count: int
    within_least_cost: int
    within_choice: int
    error_least_cost: float
    error_choice: float


@dataclass
class Fit:
    """A least-squares fit's parameters (a class, or POOLED), their estimates and standard errors (USD/t),
    the covariance of their logs, where each ended against the bounds (-1 low, 1 high, 0 inside), and every
    class's dispersion at the end (USD/t; the classes fitted)."""

    names: list[str]
    value: np.ndarray
    se: np.ndarray
    cov: np.ndarray
    active: np.ndarray
    dispersion: dict[str, float]


COUNTED_FIT, COUNTED_TEST = "fit", "test (held out)"
POOLED = "(pooled)"  # the pooled dispersion's parameter and row: the blank cargo_class of the Dispersions sheet
ESTIMATED = "estimated"
EVERY_CLASS = "(every class)"  # the Estimation sheet's rows below the classes: the scores, what was held
IDENTITY = "identity: not counted (held within its band whatever the costs)"
ESTIMATION_FIT_COLUMNS = ["observation", "role", "observed_in", "scope", "target", "commodity", "observed_t",
                          "tolerance_t", "least_cost_t", "choice_t", "within_tolerance_least_cost",
                          "within_tolerance_choice", "counted", "moved_by"]


def status_of(fit: Fit, name: str) -> tuple[str, bool]:
    """A parameter's status in words, and whether its figure is written (inside the bounds, a standard error)."""
    k = fit.names.index(name)
    d, se, active = fit.value[k], fit.se[k], fit.active[k]
    status = ("at the lower bound: the observations ask for the least-cost split (no estimate below "
              f"{LOWEST_USD_PER_T} USD/t; no figure written)" if active < 0 else
              f"at the upper bound ({HIGHEST_USD_PER_T:,.0f} USD/t): the observations ask for a split the costs "
              "do not shape (no figure written)" if active > 0 else
              "not determined: the observations it moves do not change near the estimate (a flat fit, such as the "
              "least-cost split), or only as another's do; its standard error cannot be worked out; no figure "
              "written" if se != se else
              "weakly identified: its standard error is larger than the estimate (the observations hardly tell it)"
              if se > d else ESTIMATED)
    return status, bool(active == 0 and se == se)


def class_rows(classes: list[str], start: dict[str, float], moves: dict[str, set[str]], each: Fit,
                   pooled: Fit | None, pool: list[str]) -> pd.DataFrame:
    """A row per class (its own estimate, or the pooled one it shares) and, with a pool, the POOLED row."""
    final = pooled if pooled is not None and status_of(pooled, POOLED)[1] else each
    rows = []

    def figures(fit: Fit, name: str) -> dict:
        k = fit.names.index(name)
        return {"dispersion_usd_per_t": fit.value[k], "standard_error_usd_per_t": fit.se[k],
                **{f"correlation_{other}": fit.cov[k, j] / math.sqrt(fit.cov[k, k] * fit.cov[j, j])
                   if fit.cov[k, k] * fit.cov[j, j] > 0 else float("nan") for j, other in enumerate(fit.names)}}

    for c in classes:
        row: dict = {"cargo_class": c, "start_usd_per_t": start[c], "observations": ", ".join(sorted(moves[c]))}
        alone = "" if c not in each.names else f" (alone: {status_of(each, c)[0]})"
        if c in final.names:
            status, written = status_of(final, c)
            rows.append({**row, **figures(final, c), "status": status, "written": written})
        elif final is pooled and c in pool:
            rows.append({**row, **{k: v for k, v in figures(pooled, POOLED).items() if k[:12] != "correlation_"},
                         "status": f"pooled: not identified alone{alone}; shares the pooled dispersion (the "
                                   "blank cargo_class row)", "written": False})
        else:
            rows.append({**row, "dispersion_usd_per_t": float("nan"), "standard_error_usd_per_t": float("nan"),
                         "status": f"not identified: no fit observation moves it{alone} (held at {start[c]:,.2f} "
                                   "USD/t for the solves; no figure written)", "written": False})
    if pooled is not None:
        status, written = status_of(pooled, POOLED)
        rows.append({"cargo_class": POOLED, **figures(pooled, POOLED), "written": written,
                     "status": f"pooled dispersion of {', '.join(pool)} (the blank cargo_class row): {status}",
                     "observations": ", ".join(sorted(set().union(*(moves[c] for c in pool))))})
    order = ["cargo_class", "dispersion_usd_per_t", "standard_error_usd_per_t", "status", "written", "observations",
             "start_usd_per_t", *[f"correlation_{c}" for c in final.names]]
    return pd.DataFrame(rows).reindex(columns=order)


def observation_rows(obs: list[Observation], least_cost: np.ndarray, chosen: np.ndarray, identity: dict[str, bool],
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


def by_class(classes: pd.Series, fit: pd.DataFrame) -> dict[str, list]:
    """Each class's score on the informative fit rows it moves: 'k of n' within tolerance and the weighted
    error, under least cost and under choice (blank for a class that moves none)."""
    counted = fit[fit["counted"].eq(COUNTED_FIT)]
    scores = [score(counted[counted["moved_by"].str.split(", ").map(lambda m, c=c: c in m)]) for c in classes]
    return {"within_least_cost": [f"{s.within_least_cost} of {s.count}" if s.count else "" for s in scores],
            "within_choice": [f"{s.within_choice} of {s.count}" if s.count else "" for s in scores],
            "weighted_error_least_cost": [s.error_least_cost for s in scores],
            "weighted_error_choice": [s.error_choice for s in scores]}


def score(rows: pd.DataFrame) -> Score:
    def error(column: str) -> float:
        return weighted_error(pd.DataFrame({"error_t": rows[column] - rows["observed_t"],
                                            "observed_t": rows["observed_t"]}))

    return Score(len(rows), int(rows["within_tolerance_least_cost"].sum()), int(rows["within_tolerance_choice"].sum()),
                 error("least_cost_t"), error("choice_t"))


def score_lines(fit: Score, test: Score) -> list[str]:
    """The fit in and out of sample, least cost beside choice, in words."""
    def line(what: str, s: Score) -> str:
        def pct(v: float) -> str:
            return f"{v:.1%}" if v == v else "no weighted error"

        return (f"{what}: {s.count} rows; within tolerance {s.within_least_cost} of {s.count} under least cost, "
                f"{s.within_choice} under choice; weighted error {pct(s.error_least_cost)} under least cost, "
                f"{pct(s.error_choice)} under choice")

    lines = [line("Fit (informative fit rows)", fit)]
    if test.count:
        lines.append(line("Out of sample (informative test rows)", test))
    return lines

