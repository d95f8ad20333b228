"""How well a solve reproduces what moved: the Fit sheet (each observation of the Observations sheet
against the modelled tonnes through its target) and its summary figures.

modelled_t[o] = sum of the tonnes of the flows of o's commodities through o's target (the Policies
grammar), error_t = modelled_t - observed_t, within tolerance when |error_t| <= tolerance_t (the
larger of the row's tolerance_t and tolerance_pct of observed_t). The weighted absolute percentage
error is sum |error_t| / sum observed_t (NODUS's measure of fit): each observation weighs what moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.input.schema import Blank
from model.network import Network

FIT_COLUMNS = ["observation", "applies_to", "scope", "target", "commodity", "observed_t", "modelled_t", "error_t",
               "error_pct", "tolerance_t", "within_tolerance", "source", "input_row"]


@dataclass
class FitSummary:
    count: int = 0
    within: int = 0
    wape: float = float("nan")  # weighted absolute percentage error, a share
    misses: list[str] = field(default_factory=list)  # the three largest misses, in words

    def text(self) -> str:
        if not self.count:
            return ""
        return (f"{self.within} of {self.count} observations within tolerance; weighted absolute error "
                f"{self.wape:.1%}" + (f"; largest misses: {'; '.join(self.misses)}" if self.misses else ""))


def modelled(net: Network, x: np.ndarray, observations=None) -> np.ndarray:
    """Modelled tonnes through each observation's target (x: tonnes of every flow, in flow order)."""
    obs = net.observations if observations is None else observations
    return np.array([float(x[net.scope_index(o.scope, o.target, o.commodity)[0]].sum()) for o in obs], dtype=float)


def fit_table(net: Network, x: np.ndarray) -> pd.DataFrame:
    """The Fit sheet of one case (no rows without observations)."""
    got = modelled(net, x)
    rows = []
    for o, m in zip(net.observations, got, strict=True):
        m = m if abs(m) > 1e-6 else 0.0
        error = m - o.observed_t
        rows.append({"observation": o.observation, "applies_to": net.names.target(o.scope, o.target),
                     "scope": o.scope, "target": o.target,
                     "commodity": o.commodity or Blank.ALL, "observed_t": o.observed_t, "modelled_t": m,
                     "error_t": error,
                     "error_pct": error / o.observed_t if o.observed_t else float("nan"), "tolerance_t": o.tolerance_t,
                     "within_tolerance": bool(abs(error) <= o.tolerance_t * (1 + 1e-9) + 1e-6),
                     "source": o.source, "input_row": o.row})
    return pd.DataFrame(rows, columns=FIT_COLUMNS)


def fit_summary(fit: pd.DataFrame) -> FitSummary:
    if not len(fit):
        return FitSummary()
    observed = fit["observed_t"].abs().sum()
    worst = fit.assign(size=fit["error_t"].abs()).sort_values("size", ascending=False, kind="stable")
    misses = [miss_in_words(rec) for rec in worst[~worst["within_tolerance"]].head(3).itertuples(index=False)]
    return FitSummary(len(fit), int(fit["within_tolerance"].sum()),
                      float(fit["error_t"].abs().sum() / observed) if observed else float("nan"), misses)


def miss_in_words(rec) -> str:
    """'8, corridor China: rail (non-oil): 4.34 Mt modelled against 12.60 Mt observed (-66%)', the target in
    names (applies_to, model.network.names)."""
    what = rec.applies_to + ("" if rec.commodity == Blank.ALL else f" ({rec.commodity})")
    pct = f" ({rec.error_pct:+.0%})" if rec.error_pct == rec.error_pct else ""
    return f"{rec.observation}, {what}: {_mt(rec.modelled_t)} modelled against {_mt(rec.observed_t)} observed{pct}"


def _mt(t: float) -> str:
    return f"{t / 1e6:,.2f} Mt"
