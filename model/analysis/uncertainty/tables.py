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
# the kinds of quantity, in the order of Y's columns; within those of SORTED_KINDS by name, the others as they come
RESOURCE_COST, CORRIDOR_T, COUNTRY_T, FOCUS_T, GAP_KIND, CUT_KIND, VALUE_KIND, PREMIUM_KIND = range(8)
SORTED_KINDS = (CORRIDOR_T, COUNTRY_T, VALUE_KIND)
ZERO_KINDS = (CORRIDOR_T, COUNTRY_T, VALUE_KIND)  # 0 in a draw with an optimum whose point does not name it
SAMPLING_ERROR = ("sampling error = sqrt(p (1 - p) / n), n the draws with an optimum: the standard error of a share "
                  "of independent draws; a Latin hypercube's is no larger for a share that moves one way with each "
                  "input, and Saltelli's design reuses its draws, so there it is a guide. low_95 to high_95: Wilson's "
                  "95% interval of the share (scipy), which stays honest at 0% and 100%, where the sampling error "
                  "reads 0 (none in 200 draws: up to 1.9%)")


class DrawTally:
    """What the tables of an uncertainty run keep of each draw, given the draws one at a time in any order (as
    model.analysis.sweep.stream_sweep's keep: tally(i, point); a draw given again replaces it): its status and
    whether it was rebuilt, its quantities (a row of floats, a column for each quantity as it first appears) and
    whether each corridor and route carries cargo (a bit each); not the draw's point, so that a run keeps some
    hundred bytes a draw where a point is some kB (benchmarks/README.md, issue 26, scale).
    focus: model.analysis.params.focus_of's, or None."""

    def __init__(self, draws: int, focus: tuple[str, str] | None):
        self.focus = focus
        self.given = np.zeros(draws, dtype=bool)
        self.solved = np.zeros(draws, dtype=bool)
        self.rebuilt = np.zeros(draws, dtype=bool)
        self.status = np.zeros(draws, dtype=np.int16)  # a status's number in status_names
        self.status_names: dict[str, int] = {}
        self.columns: dict[tuple[int, str], int] = {}  # (kind of quantity, its name) -> its column of y
        self.y = np.full((draws, 8), np.nan)
        self.carriers: dict[tuple[str, str], int] = {}  # (Scope, corridor or route) -> its column of carries
        self.carries = np.zeros((draws, 8), dtype=bool)
        self.corridors: dict[str, None] = {}  # every corridor of a point, in order
        self.parts: dict[str, None] = {}  # every part of the focus's tonnes a point reported (focus.py), in order

    @classmethod
    def of(cls, results: list[LivePoint], focus: tuple[str, str] | None) -> DrawTally:
        """The tally of points held in a list, in draw order."""
        tally = cls(len(results), focus)
        for i, r in enumerate(results):
            tally(i, r)
        return tally

    def __call__(self, i: int, r: LivePoint) -> None:
        self.given[i], self.solved[i], self.rebuilt[i] = True, r.solved, r.rebuilt
        self.status[i] = self.status_names.setdefault(r.status, len(self.status_names))
        self.y[i], self.carries[i] = np.nan, False
        if not r.solved:
            return
        self._put(i, RESOURCE_COST, "resource_cost_usd", Money.of_point(r).resource_usd)
        for c, t in (r.corridor or {}).items():
            self.corridors[c] = None
            self._put(i, CORRIDOR_T, f"{c}_t", t)
            self._carry(i, Scope.CORRIDOR, c, t)
        for c, t in (r.country or {}).items():
            self._put(i, COUNTRY_T, f"via {c}_t", t)
        for c, v in (r.figures or {}).items():  # a cut: NaN where no route of the port starts
            kind = GAP_KIND if c == GAP else CUT_KIND if c.startswith(CUT) else VALUE_KIND if c.startswith(VALUE) \
                else PREMIUM_KIND if c.startswith(PREMIUM) or c == RULES \
                else FOCUS_T if c.endswith(FOCUS) else None
            if kind == FOCUS_T:  # the focus's tonnes in their parts, as the draw reported them: never the two
                self.parts[c] = None  # together, which read as transit what is the country's own cargo
                self._carry(i, FOCUS_KIND, c, v)
                if self.focus is None:  # counted for used(), not a quantity
                    continue
            if kind is not None:
                self._put(i, kind, c, v)
        for route, t in (r.route or {}).items():
            self._carry(i, Scope.ROUTE, route, t)

    def _put(self, i: int, kind: int, name: str, value: float) -> None:
        j = self.columns.setdefault((kind, name), len(self.columns))
        if j == self.y.shape[1]:  # a quantity not seen before: room for as many more
            self.y = np.hstack([self.y, np.full_like(self.y, np.nan)])
        self.y[i, j] = value

    def _carry(self, i: int, scope: str, name: str, tonnes: float) -> None:
        if tonnes > TOL_T:
            j = self.carriers.setdefault((scope, name), len(self.carriers))
            if j == self.carries.shape[1]:
                self.carries = np.hstack([self.carries, np.zeros_like(self.carries)])
            self.carries[i, j] = True

    def statuses(self) -> list[str]:
        """Each draw's status, in draw order."""
        names = list(self.status_names)
        return [names[k] for k in self.status.tolist()]

    def quantities(self) -> pd.DataFrame:
        """Y: per draw (rows in draw order), the resource cost (USD/yr: what is paid and what time, risk and carbon
        cost), tonnes by corridor ('<corridor>_t') and by country ('via <country>_t'), the focus's tonnes in their
        parts (model.analysis.uncertainty.focus: through it to other markets, and a country's own market) and its gap
        to break-even (USD/t), the cut each port asked needs (USD/t: NaN where none of its routes starts), each
        bottleneck's value (USD per unit of its limit: 0 in a draw where it does not bind), and with --recalibrate
        each fit observation's implied premium (USD/t, NaN: relaxed) and how many observations calibration rules
        hold. A draw without an optimum is a row of NaN."""
        if not self.given.all():  # the runner hands every draw on: one missing would be a row of NaN said as such
            raise ValueError(f"draws {np.flatnonzero(~self.given)[:5].tolist()} were never tallied")
        order = sorted(self.columns, key=lambda k: (k[0], k[1] if k[0] in SORTED_KINDS else "", self.columns[k]))
        y = self.y[:, [self.columns[k] for k in order]]
        zero = np.array([j for j, k in enumerate(order) if k[0] in ZERO_KINDS], dtype=np.int64)  # absent: none
        block = y[np.ix_(self.solved, zero)]
        y[np.ix_(self.solved, zero)] = np.where(np.isnan(block), 0.0, block)
        return pd.DataFrame(y, columns=[name for _, name in order])

    def used(self, net) -> pd.DataFrame:
        """The probability each corridor and each route carries cargo (above TOL_T tonnes) over the draws with an
        optimum, with its sampling error (SAMPLING_ERROR); every corridor of the network, every route used in
        any draw (one never used has probability 0), and the focus's parts (kind FOCUS_KIND: a route through it to
        another market, and a country's own market, each on its own)."""
        n = int(self.solved.sum())
        hits = self.carries[self.solved].sum(axis=0)
        rows = []
        corridors = sorted(dict.fromkeys(net.routes.corridors)) if net is not None else sorted(self.corridors)
        for c in corridors:
            j = self.carriers.get((Scope.CORRIDOR, c))
            rows.append({"kind": Scope.CORRIDOR, "name": c, "corridor": c,
                         "draws_used": 0 if j is None else int(hits[j])})
        routes = sorted(name for (scope, name), j in self.carriers.items() if scope == Scope.ROUTE and hits[j])
        for route in routes:
            corridor = net.routes[route].corridor if net is not None and route in net.routes else ""
            rows.append({"kind": Scope.ROUTE, "name": route, "corridor": corridor,
                         "draws_used": int(hits[self.carriers[(Scope.ROUTE, route)]])})
        for part in self.parts:  # the focus's parts (focus.py): to other markets, and its own market, apart
            j = self.carriers.get((FOCUS_KIND, part))
            rows.append({"kind": FOCUS_KIND, "name": words(part), "corridor": "",
                         "draws_used": 0 if j is None else int(hits[j])})
        table = pd.DataFrame(rows, columns=["kind", "name", "corridor", "draws_used"])
        p = table["draws_used"] / n if n else np.nan
        table["draws"] = n
        table["probability_used"] = p
        table["sampling_error"] = np.sqrt(p * (1 - p) / n) if n else np.nan
        table["low_95"], table["high_95"] = wilson(table["draws_used"], n)
        return table


def quantities(results: list[LivePoint], focus: tuple[str, str] | None) -> pd.DataFrame:
    """DrawTally.quantities of points held in a list."""
    return DrawTally.of(results, focus).quantities()


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
    """DrawTally.used of points held in a list."""
    return DrawTally.of(results, None).used(net)


def wilson(hits: pd.Series, n: int) -> tuple[list[float], list[float]]:
    """Wilson's 95% interval of each share hits / n (scipy.stats.binomtest): unlike p +- its standard error, not of
    width 0 at 0 or n hits (0 of 200: 0 to 1.9%); NaN without draws."""
    from scipy.stats import binomtest

    cis = [binomtest(int(k), n).proportion_ci(0.95, method="wilson") if n else None for k in hits]
    return ([math.nan if c is None else float(c.low) for c in cis],
            [math.nan if c is None else float(c.high) for c in cis])
