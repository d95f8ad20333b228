"""What corridor calibrate --estimate prints (model.analysis.estimate): each cargo class's dispersion
with its standard error and correlations, the fit and the held-out rows under least cost beside
choice, and what was not estimated. (Beside model.report.console, which is at its length.)"""

from __future__ import annotations

import math

from model.analysis.estimate import Estimation
from model.analysis.estimate_tables import EVERY_CLASS, score_lines


def estimation_text(est: Estimation, out) -> str:
    c = est.classes[est.classes["cargo_class"].ne(EVERY_CLASS)]
    lines = ["Route-choice dispersions, by weighted least squares on the informative fit rows (weights 1/tolerance^2; "
             "standard errors from the Jacobian, cov = s^2 (J'WJ)^-1).", est.held, "",
             f"{'cargo class':<14}{'USD/t':>10}{'SE':>10}  {'observations':<24}{'within: least cost':>19}"
             f"{'choice':>8}  status"]
    for rec in c.itertuples(index=False):
        lines.append(f"{rec.cargo_class[:13]:<14}{_number(rec.dispersion_usd_per_t):>10}"
                     f"{_number(rec.standard_error_usd_per_t):>10}  {(rec.observations or '-')[:23]:<24}"
                     f"{rec.within_least_cost:>19}{rec.within_choice:>8}  {rec.status}")
    pairs = [(a, b, c.set_index("cargo_class").at[a, f"correlation_{b}"])
             for i, a in enumerate(c["cargo_class"]) for b in c["cargo_class"][i + 1:]
             if f"correlation_{b}" in c.columns and f"correlation_{a}" in c.columns]
    shown = [f"{a}-{b} {r:+.2f}" for a, b, r in pairs if r == r]
    if shown:
        lines += ["", "Correlations of the estimates: " + ", ".join(shown) + "."]
    lines += ["", *score_lines(est.fit_score, est.test_score)]
    if est.identities:
        lines.append("Identities, held within their bands whatever the costs: they identify neither a premium nor a "
                     f"dispersion and are not counted: {', '.join(est.identities)}.")
    lines += ["", f"Input with the estimated Dispersions rows ({len(est.written)}): {out} (sheets Estimation and "
              "EstimationFit; allocation stays as the input sets it)"]
    return "\n".join(lines)


def _number(v: float) -> str:
    return "-" if v != v or math.isinf(v) else f"{v:,.2f}"
