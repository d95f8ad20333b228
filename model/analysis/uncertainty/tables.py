"""The tables of an uncertainty run, from its draws solved (model.analysis.sweep's points): the outputs Y (one
column per reported quantity, one row per draw), each quantity's 5/50/95% values and mean, and the probability
each corridor and each route is used, with its sampling error."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from model.analysis.sweep import Sweep, points_table
from model.analysis.uncertainty.figures import GAP, VALUE
from model.lp.live import LivePoint
from model.results.tables import TOL_T

FOCUS = "(focus)_t"  # how points_table ends the name of the focus's tonnes (model.analysis.params.watched_tonnes)
QUANTILES = (0.05, 0.5, 0.95)
SAMPLING_ERROR = ("sampling error = sqrt(p (1 - p) / n), n the draws with an optimum: the standard error of a share "
                  "of independent draws; a Latin hypercube's is no larger for a share that moves one way with each "
                  "input, and Saltelli's design reuses its draws, so there it is a guide")


def quantities(sweep: Sweep, results: list[LivePoint], net, focus: str | None) -> pd.DataFrame:
    """Y: per draw (rows in draw order), the resource cost (USD/yr), tonnes by corridor and by country (t/yr), the
    focus's tonnes and its gap to break-even (USD/t), and each bottleneck's value (USD per unit of its limit: 0
    in a draw where it does not bind). A draw without an optimum is a row of NaN."""
    points = points_table(sweep, results, net, focus)
    corridors = [c for c in points.columns if c.endswith("_t") and f"{c[:-2]} share" in points.columns
                 and not c.startswith("via ")]
    countries = [c for c in points.columns if c.startswith("via ") and c.endswith("_t")]
    focus_t = [c for c in points.columns if c.endswith(FOCUS)]
    y = points[["resource_cost_usd", *corridors, *countries, *focus_t]].copy()
    solved = np.array([r.solved for r in results], dtype=bool)
    figures = pd.DataFrame([r.figures or {} for r in results], index=y.index)
    if GAP in figures.columns:
        y[GAP] = figures[GAP]
    values = sorted(c for c in figures.columns if c.startswith(VALUE))
    for c in values:
        y[c] = figures[c].where(~solved | figures[c].notna(), 0.0)  # not binding in a draw: worth 0 there
    return y.where(pd.Series(solved, index=y.index), np.nan, axis=0).astype(float)


def unit_of(quantity: str) -> str:
    if quantity.startswith(VALUE):
        return "USD per unit of the limit a year (t, or a share)"
    if quantity.endswith("_usd_per_t"):
        return "USD/t"
    return "USD/yr" if quantity.endswith("_usd") else "t/yr"


def summary(y: pd.DataFrame) -> pd.DataFrame:
    """Per quantity: the draws with a value, the 5%, 50% and 95% values, the mean, the standard deviation, the
    least and the most."""
    rows = []
    for quantity in y.columns:
        v = y[quantity].dropna().to_numpy(dtype=float)
        q = np.quantile(v, QUANTILES) if len(v) else [math.nan] * len(QUANTILES)
        rows.append({"quantity": quantity, "unit": unit_of(quantity), "draws": len(v), "p5": q[0], "p50": q[1],
                     "p95": q[2], "mean": v.mean() if len(v) else math.nan,
                     "standard_deviation": v.std(ddof=1) if len(v) > 1 else math.nan,
                     "min": v.min() if len(v) else math.nan, "max": v.max() if len(v) else math.nan})
    return pd.DataFrame(rows)


def used(results: list[LivePoint], net) -> pd.DataFrame:
    """The probability each corridor and each route carries cargo (above TOL_T tonnes) over the draws with an
    optimum, with its sampling error (SAMPLING_ERROR); every corridor of the network, and every route used in
    any draw (one never used has probability 0)."""
    solved = [r for r in results if r.solved]
    n = len(solved)
    rows = []
    corridors = sorted(dict.fromkeys(net.routes.corridors)) if net is not None else \
        sorted({c for r in solved for c in r.corridor or {}})
    for c in corridors:
        hits = sum(1 for r in solved if (r.corridor or {}).get(c, 0.0) > TOL_T)
        rows.append({"kind": "corridor", "name": c, "corridor": c, "draws_used": hits})
    routes = sorted({route for r in solved for route, t in (r.route or {}).items() if t > TOL_T})
    for route in routes:
        hits = sum(1 for r in solved if (r.route or {}).get(route, 0.0) > TOL_T)
        corridor = net.routes[route].corridor if net is not None and route in net.routes else ""
        rows.append({"kind": "route", "name": route, "corridor": corridor, "draws_used": hits})
    table = pd.DataFrame(rows, columns=["kind", "name", "corridor", "draws_used"])
    p = table["draws_used"] / n if n else np.nan
    table["draws"] = n
    table["probability_used"] = p
    table["sampling_error"] = np.sqrt(p * (1 - p) / n) if n else np.nan
    return table
