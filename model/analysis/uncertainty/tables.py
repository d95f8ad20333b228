"""The tables of an uncertainty run, from its draws solved (model.analysis.sweep's points): the outputs Y (one
column per reported quantity, one row per draw), each quantity's 5/50/95% values and mean, and the probability
each corridor and each route is used, with its sampling error."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from model.analysis.uncertainty.figures import CUT, GAP, VALUE
from model.analysis.uncertainty.focus import FOCUS, FOCUS_KIND, words
from model.analysis.uncertainty.recalibrate import PREMIUM, RULES
from model.input.schema import Scope
from model.lp.live import LivePoint
from model.results.money import Money
from model.results.tables import TOL_T

QUANTILES = (0.05, 0.5, 0.95)
SAMPLING_ERROR = ("sampling error = sqrt(p (1 - p) / n), n the draws with an optimum: the standard error of a share "
                  "of independent draws; a Latin hypercube's is no larger for a share that moves one way with each "
                  "input, and Saltelli's design reuses its draws, so there it is a guide")


def quantities(results: list[LivePoint], focus: tuple[str, str] | None) -> pd.DataFrame:
    """Y: per draw (rows in draw order), the resource cost (USD/yr: what is paid and what time, risk and carbon
    cost), tonnes by corridor ('<corridor>_t') and by country ('via <country>_t'), the focus's tonnes in their parts
    (model.analysis.uncertainty.focus: through it to other markets, and a country's own market) and its gap to
    break-even (USD/t), the cut each port asked needs (USD/t: NaN where none of its routes starts), and each
    bottleneck's value (USD per unit of its limit: 0 in a draw where it does not bind); with --recalibrate, each
    fit observation's implied premium (USD/t, NaN: relaxed) and how many observations calibration rules hold.
    focus: model.analysis.params.focus_of's, or None for no focus figures (the parts are as the draws' DrawReport,
    given the same focus, reported them). A draw without an optimum is a row of NaN."""
    solved = [r for r in results if r.solved]
    corridors = sorted({c for r in solved for c in r.corridor or {}})
    countries = sorted({c for r in solved for c in r.country or {}})
    values = sorted({c for r in solved for c in r.figures or {} if c.startswith(VALUE)})
    rows: list[dict[str, float]] = []
    for r in results:
        if not r.solved:
            rows.append({})
            continue
        row = {"resource_cost_usd": Money.of_point(r).resource_usd,
               **{f"{c}_t": (r.corridor or {}).get(c, 0.0) for c in corridors},
               **{f"via {c}_t": (r.country or {}).get(c, 0.0) for c in countries}}
        figures = r.figures or {}
        # the focus's tonnes in their parts (focus.py: to other markets, and a country's own market), as the draw
        # reported them: never the two together, which read as transit what is the country's own cargo
        if focus is not None:
            row.update({c: v for c, v in figures.items() if c.endswith(FOCUS)})
        if GAP in figures:
            row[GAP] = figures[GAP]
        row.update({c: v for c, v in figures.items() if c.startswith(CUT)})  # NaN: no route of the port starts
        row.update({c: figures.get(c, 0.0) for c in values})  # not binding in a draw: worth 0 there
        row.update({c: v for c, v in figures.items() if c.startswith(PREMIUM) or c == RULES})  # --recalibrate
        rows.append(row)
    columns = list(dict.fromkeys(c for row in rows for c in row))
    return pd.DataFrame(rows, columns=columns, dtype=float)


def unit_of(quantity: str) -> str:
    if quantity == RULES:
        return "observations"
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
    optimum, with its sampling error (SAMPLING_ERROR); every corridor of the network, every route used in
    any draw (one never used has probability 0), and the focus's parts (kind FOCUS_KIND: a route through it to
    another market, and a country's own market, each on its own)."""
    solved = [r for r in results if r.solved]
    n = len(solved)
    rows = []
    corridors = sorted(dict.fromkeys(net.routes.corridors)) if net is not None else \
        sorted({c for r in solved for c in r.corridor or {}})
    for c in corridors:
        hits = sum(1 for r in solved if (r.corridor or {}).get(c, 0.0) > TOL_T)
        rows.append({"kind": Scope.CORRIDOR, "name": c, "corridor": c, "draws_used": hits})
    routes = sorted({route for r in solved for route, t in (r.route or {}).items() if t > TOL_T})
    for route in routes:
        hits = sum(1 for r in solved if (r.route or {}).get(route, 0.0) > TOL_T)
        corridor = net.routes[route].corridor if net is not None and route in net.routes else ""
        rows.append({"kind": Scope.ROUTE, "name": route, "corridor": corridor, "draws_used": hits})
    # the focus's parts (focus.py): a route through it to another market, and its own market, each on its own
    for part in dict.fromkeys(c for r in solved for c in r.figures or {} if c.endswith(FOCUS)):
        hits = sum(1 for r in solved if (r.figures or {}).get(part, 0.0) > TOL_T)
        rows.append({"kind": FOCUS_KIND, "name": words(part), "corridor": "", "draws_used": hits})
    table = pd.DataFrame(rows, columns=["kind", "name", "corridor", "draws_used"])
    p = table["draws_used"] / n if n else np.nan
    table["draws"] = n
    table["probability_used"] = p
    table["sampling_error"] = np.sqrt(p * (1 - p) / n) if n else np.nan
    return table
