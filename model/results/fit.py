"""How well a solve reproduces what moved: the Fit sheet (each observation of the Observations sheet
against the modelled tonnes through its target) and its summary figures.

modelled_t[o] = sum of the tonnes of the flows of o's commodities through o's target (the Policies
grammar), error_t = modelled_t - observed_t, within tolerance when |error_t| <= tolerance_t (the
larger of the row's tolerance_t and tolerance_pct of observed_t). The weighted absolute percentage
error is sum |error_t| / sum observed_t (NODUS's measure of fit): each observation weighs what moved.

Identification (model.lp.reach): least_t and most_t are the least and the most the target can carry
over every allocation that meets the model's rows, whatever the costs; where both lie inside the band
(observed_t +- tolerance_t) the observation is an identity of the constraints: within tolerance by
construction, it tells nothing about costs and the fit score leaves it out. The fit score counts the
fit rows (role fit) that are not identities; the test rows (role test: held out of calibration) are
predicted, each on the solve of its scenario (or of the case), and scored apart, out of sample, with
the same weighted error over the test rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.input.schema import Blank, Role
from model.network import Network

FIT_COLUMNS = ["observation", "role", "observed_in", "applies_to", "scope", "target", "commodity", "observed_t",
               "modelled_t", "error_t", "error_pct", "tolerance_t", "within_tolerance", "least_t", "most_t", "identity",
               "source", "input_row"]
# The Fit sheet's note on how it scores, after its figures (model.report.workbook).
SCORE_NOTE = ("least_t and most_t: the least and the most the target can carry over every allocation that meets the "
              "model's rows, whatever the costs; identity TRUE: both lie within tolerance, so the observation is "
              "reproduced by construction, tells nothing about costs and is not counted in the fit score. The fit "
              "score counts the fit rows that are not identities; the test rows (held out of calibration, below the "
              "fit rows) are predicted, each on the solve of the scenario it was observed in (observed_in; blank: "
              "the case), and scored apart. Weighted error = sum |modelled_t - observed_t| / sum observed_t over "
              "the rows counted.")


@dataclass(frozen=True)
class FitAnalyses:
    """What was solved beside a case's optimum for its Fit sheet (model.steps.analyse): {observation:
    (least_t, most_t)} (model.lp.reach), and {observation: modelled t} of the test rows observed in a
    scenario, each solved under its scenario (nan: no optimum there)."""

    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    predicted: dict[str, float] = field(default_factory=dict)


@dataclass
class FitSummary:
    count: int = 0  # informative fit rows (role fit, not identities)
    within: int = 0
    wape: float = float("nan")  # weighted absolute percentage error of the rows counted, a share
    misses: list[str] = field(default_factory=list)  # the three largest misses, in words
    identities: int = 0  # fit rows within tolerance by construction, not counted
    tested: int = 0  # informative test rows (out of sample)
    predicted: int = 0  # of them, within tolerance
    test_wape: float = float("nan")  # their weighted absolute error (of those with a prediction)
    test_identities: int = 0  # test rows within tolerance by construction, not counted
    unpredicted: list[str] = field(default_factory=list)  # test rows whose scenario has no optimum
    ranged: bool = True  # the ranges were worked out (model.steps.analyse); without, no row is known an identity

    def text(self) -> str:
        if not self.count and not self.tested and not self.identities and not self.test_identities:
            return ""
        ids = f"; {self.identities} identities not counted" if self.identities else ""
        which = "informative observations" if self.ranged else "observations (identities not worked out)"
        fit = (f"{self.within} of {self.count} {which} within tolerance{ids}; weighted absolute "
               f"error {self.wape:.1%}" + (f"; largest misses: {'; '.join(self.misses)}" if self.misses else ""))
        return fit + (f"; {self.test_text()}" if self.tested or self.test_identities else "")

    def test_text(self) -> str:
        """'predicted out of sample: 1 of 2, weighted error 12.5%', with the test identities not counted and
        the rows not predicted (their scenario has no optimum)."""
        error = f"weighted error {self.test_wape:.1%}" if self.test_wape == self.test_wape else "no weighted error"
        return (f"predicted out of sample: {self.predicted} of {self.tested}, {error}"
                + (f" ({self.test_identities} test identities not counted)" if self.test_identities else "")
                + (f"; not predicted, their scenario has no optimum: {', '.join(self.unpredicted)}"
                   if self.unpredicted else ""))


def modelled(net: Network, x: np.ndarray, observations=None) -> np.ndarray:
    """Modelled tonnes through each observation's target (x: tonnes of every flow, in flow order)."""
    obs = net.observations if observations is None else observations
    return np.array([float(x[net.scope_index(o.scope, o.target, o.commodity)[0]].sum()) for o in obs], dtype=float)


def fit_table(net: Network, x: np.ndarray, found: FitAnalyses | None = None) -> pd.DataFrame:
    """The Fit sheet of one case (no rows without observations): the fit rows, then the test rows;
    found: the ranges and predictions of the analyses (without: least_t, most_t and the predictions
    under scenarios nan)."""
    got = modelled(net, x)
    ranges, predicted = (found.ranges, found.predicted) if found else ({}, {})
    rows = []
    for o, m in zip(net.observations, got, strict=True):
        m = m if abs(m) > 1e-6 else 0.0
        if o.scenario:  # the case's own solve says nothing about another world: its scenario's, or nan
            m = predicted.get(o.observation, float("nan"))
        error = m - o.observed_t
        least, most = ranges.get(o.observation, (float("nan"), float("nan")))
        rows.append({"observation": o.observation, "role": o.role, "observed_in": o.scenario or "",
                     "applies_to": net.names.target(o.scope, o.target),
                     "scope": o.scope, "target": o.target,
                     "commodity": o.commodity or Blank.ALL, "observed_t": o.observed_t, "modelled_t": m,
                     "error_t": error,
                     "error_pct": error / o.observed_t if o.observed_t else float("nan"), "tolerance_t": o.tolerance_t,
                     "within_tolerance": within(o, m),
                     "least_t": least, "most_t": most, "identity": inside(o, least, most),
                     "source": o.source, "input_row": o.row})
    table = pd.DataFrame(rows, columns=FIT_COLUMNS)
    return table.sort_values("role", key=lambda r: r.eq(Role.TEST), kind="stable").reset_index(drop=True)


def within(o, modelled_t: float) -> bool:
    """|modelled_t - observed_t| within the observation's tolerance (False for nan: not predicted)."""
    return bool(abs(modelled_t - o.observed_t) <= o.tolerance_t * (1 + 1e-9) + 1e-6)


def inside(o, least: float, most: float) -> bool:
    """Both ends of what the target can carry lie within the observation's band: an identity (False
    when the range is not known)."""
    slack = 1e-6 * max(1.0, o.observed_t)
    return bool(o.low_t - slack <= least and most <= o.high_t + slack)


def fit_summary(fit: pd.DataFrame) -> FitSummary:
    if not len(fit):
        return FitSummary()
    role = fit["role"] if "role" in fit.columns else pd.Series(Role.FIT, index=fit.index)
    identity = fit["identity"].astype(bool) if "identity" in fit.columns else pd.Series(False, index=fit.index)
    counted, test = fit[role.ne(Role.TEST) & ~identity], fit[role.eq(Role.TEST) & ~identity]
    worst = counted.assign(size=counted["error_t"].abs()).sort_values("size", ascending=False, kind="stable")
    misses = [miss_in_words(rec) for rec in worst[~worst["within_tolerance"]].head(3).itertuples(index=False)]
    return FitSummary(len(counted), int(counted["within_tolerance"].sum()), weighted_error(counted), misses,
                      int((role.ne(Role.TEST) & identity).sum()), len(test), int(test["within_tolerance"].sum()),
                      weighted_error(test), int((role.eq(Role.TEST) & identity).sum()),
                      list(dict.fromkeys(test.loc[test["modelled_t"].isna(), "observation"])),
                      bool(fit["least_t"].notna().any()) if "least_t" in fit.columns else False)


def weighted_error(rows: pd.DataFrame) -> float:
    """rows (error_t, observed_t): sum |error_t| / sum observed_t over the rows with a modelled figure
    (nan without observed tonnes)."""
    observed = rows.loc[rows["error_t"].notna(), "observed_t"].abs().sum()
    return float(rows["error_t"].abs().sum() / observed) if observed else float("nan")


def miss_in_words(rec) -> str:
    """'8, corridor China: rail (non-oil): 4.34 Mt modelled against 12.60 Mt observed (-66%)', the target in
    names (applies_to, model.network.names)."""
    what = rec.applies_to + ("" if rec.commodity == Blank.ALL else f" ({rec.commodity})")
    pct = f" ({rec.error_pct:+.0%})" if rec.error_pct == rec.error_pct else ""
    return f"{rec.observation}, {what}: {_mt(rec.modelled_t)} modelled against {_mt(rec.observed_t)} observed{pct}"


def _mt(t: float) -> str:
    return f"{t / 1e6:,.2f} Mt"
