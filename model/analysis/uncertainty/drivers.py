"""What drives each reported quantity's spread over the draws of the Uncertainty sheet.

With Sobol' draws (SALib's sequence, blocks of k + 2 rows: A, A with each column of B, B) the
variance-based indices of Saltelli (2010) and Jansen, computed by SALib.analyze.sobol: first-order
S1_i = Var(E[Y | X_i]) / Var(Y), the share of the variance input i explains alone, and total
ST_i = E[Var(Y | X_~i)] / Var(Y), its share with every interaction it takes part in, each with a
bootstrap confidence interval. With fewer draws (a Latin hypercube) those estimates are noise, so
the table gives instead Spearman's rank correlation of each input with the quantity (scipy) and
the change per standard deviation: the least-squares fit y = b0 + sum_i b_i x_i, b_i sd(x_i) in
the quantity's unit (the standardised coefficient b_i sd(x_i) / sd(y) beside it, and the fit's R^2,
which says how far a straight line describes the quantity at all). The fit is made only from more draws than
its unknowns (the inputs that vary, and b0): with fewer it passes through every draw whatever y is.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError, Problem
from model.results.brief import figure_text, range_unit

SOBOL = "sobol"  # --method sobol: Sobol' draws, variance-based indices; any other method: rank correlations
CONF_LEVEL = 0.95  # the confidence level of the Sobol' indices' intervals (SALib's bootstrap)
RESAMPLES = 100  # bootstrap resamples of those intervals
SOBOL_MEASURE = ("Sobol' first-order and total indices (share of the variance; SALib, {n:,} base draws, "
                 "95% confidence half-widths)")
RANK_MEASURE = ("Spearman rank correlation, and the change per standard deviation of the input from a linear fit "
                "({n:,} draws)")
# What an input must reach to be named as what moves a quantity most: a total Sobol' index of MIN_SHARE (a fifth of
# the variance), or a rank correlation of MIN_RANK in size (moderate; 0.4 explains 16% of the ranks' variance: the
# walkthrough's 0.32 beside 0.30 and -0.11 named one input of several that each move it a little). A linear fit's
# change per standard deviation is quoted only from a fit with R^2 of MIN_SHARE, and with its R^2. Below: NO_SINGLE.
MIN_SHARE = 0.2
MIN_RANK = 0.4
NO_SINGLE = "no single input moves it much"


@dataclass(frozen=True)
class MainDriver:
    """What moves a quantity most, as every output says it (console, Summary, Ranges sheet, page): input, the
    input's name, "" when none reaches MIN_SHARE (Sobol') or MIN_RANK; words, the input and its figure ('group
    china_rail (+21.0 USD/t per standard deviation, linear fit R² 0.85; rank correlation +0.91)') or NO_SINGLE with the
    largest figure; change_per_sd, in the quantity's unit (brief.range_unit), only from a fit whose R^2 the words
    state, else None."""
    input: str
    words: str
    change_per_sd: float | None


def main_driver(driving: pd.DataFrame, quantity: str) -> MainDriver | None:
    """The input that moves `quantity` most by the measure honest for the draws (a drivers() table): the largest
    total Sobol' index, or the largest absolute rank correlation; named only when it reaches MIN_SHARE or MIN_RANK
    (MainDriver). None when the table has no figure for it (a quantity the same in every draw)."""
    mine = driving[driving["quantity"] == quantity]
    sobol = "total" in mine.columns
    size = (mine["total"] if sobol else mine["rank_correlation"].abs() if "rank_correlation" in mine.columns
            else pd.Series(dtype=float)).astype(float)
    if not size.notna().any():
        return None
    top = mine.loc[size.idxmax()]
    if sobol:
        figure, size = f"total Sobol' index {figure_text(float(top['total']), 2)}", float(top["total"])
    else:
        rho = float(top["rank_correlation"])
        figure, size = f"rank correlation {'+' if rho >= 0 else ''}{figure_text(rho, 2)}", abs(rho)
    if size < (MIN_SHARE if sobol else MIN_RANK):
        return MainDriver("", f"{NO_SINGLE} (largest: {top['input']}, {figure})", None)
    r2 = float(top.get("fit_r2", np.nan))
    if sobol or not r2 >= MIN_SHARE:
        return MainDriver(str(top["input"]), f"{top['input']} ({figure})", None)
    _, divisor, unit, decimals = range_unit(quantity)
    change = float(top["change_per_sd"]) / divisor
    return MainDriver(str(top["input"]), f"{top['input']} ({'+' if change >= 0 else ''}{figure_text(change, decimals)} "
                      f"{unit} per standard deviation, linear fit R² {r2:.2f}; {figure})", change)


def drivers(problem: dict, draws: np.ndarray, outputs: pd.DataFrame, method: str,
            values: pd.DataFrame | None = None, seed: int = 0) -> pd.DataFrame:
    """One row per quantity (a column of `outputs`) and input (a name of `problem`): how much the
    input drives the quantity, by the measure the `measure` column names.

    problem: SALib's {"num_vars", "names", "bounds"}; draws: the unit draws (n x k), one row per
    row of outputs; method: "sobol" for the rows of SALib.sample.sobol.sample(problem, N,
    calc_second_order=False), anything else for other draws (Latin hypercube); values: the inputs'
    values at each draw (one column per name it holds), for the change per standard deviation of
    the input's own value (an input it does not hold, a correlation group say, and every input
    without it: per standard deviation of the unit draw, the same for a uniform input; `per_sd_of`
    says which). Columns of outputs that are not numbers (a status) are not quantities. seed: the
    Sobol' bootstrap's, so a seed gives the same table. A draw with no value of a quantity (no
    optimum) is left out of that quantity's figures, and `draws` says how many were used; a quantity
    that does not vary has no drivers, and `note` says so."""
    names = list(problem["names"])
    u = np.asarray(draws, dtype=float)
    k = len(names)
    if u.ndim != 2 or u.shape[1] != k or len(u) != len(outputs):
        raise InputError("--draws", [Problem(
            f"{u.shape} unit draws for {k} inputs and {len(outputs)} outputs: one row of draws per output row "
            "and one column per input were expected", "Pass the draws the outputs were solved at.")])
    sobol = str(method) == SOBOL
    if sobol and len(u) % (k + 2):
        raise InputError("--method", [Problem(
            f"{len(u)} Sobol' draws for {k} inputs: SALib's sequence without second-order indices has N x {k + 2} "
            "rows", "Draw with SALib.sample.sobol.sample(problem, N, calc_second_order=False).")])
    given = values if values is not None else pd.DataFrame(index=outputs.index)
    held = [name in given.columns for name in names]
    x = np.column_stack([given[name].to_numpy(dtype=float) if h else u[:, i]
                         for i, (name, h) in enumerate(zip(names, held, strict=True))])
    rows = []
    for quantity in outputs.select_dtypes(include=["number", "bool"]).columns:
        y = np.asarray(outputs[quantity], dtype=float)
        found = _sobol(problem, y, seed) if sobol else _ranks(x, y)
        for i, name in enumerate(names):
            rows.append({"quantity": quantity, "input": name, **{c: v[i] for c, v in found["by_input"].items()},
                         **({} if sobol else {"per_sd_of": "value" if held[i] else "unit draw"}),
                         **{c: v for c, v in found.items() if c != "by_input"}})
    table = pd.DataFrame(rows, columns=None if rows else ["quantity", "input"])
    n = len(u) // (k + 2) if sobol else len(u)
    table.insert(2, "measure", (SOBOL_MEASURE if sobol else RANK_MEASURE).format(n=n))
    return table


def moved_most_by(driving: pd.DataFrame, quantity: str) -> str:
    """'; moved most by X (its figure)' or '; no single input moves it much (...)' (main_driver), for a line of the
    console or the brief; '' for a quantity the same in every draw."""
    top = main_driver(driving, quantity)
    return "" if top is None else f"; {'moved most by ' if top.input else ''}{top.words}"


def _sobol(problem: dict, y: np.ndarray, seed: int) -> dict:
    """SALib's first-order and total indices of y, whole blocks (A, AB_1..AB_k, B) with a missing
    value left out (the estimators pair each block's rows)."""
    from SALib.analyze import sobol

    k = problem["num_vars"]
    blocks = y.reshape(-1, k + 2)
    whole = np.isfinite(blocks).all(axis=1)
    kept = blocks[whole].ravel()
    nan = np.full(k, np.nan)
    out: dict[str, Any] = {"by_input": {"first_order": nan, "first_order_conf": nan, "total": nan, "total_conf": nan},
           "draws": int(whole.sum() * (k + 2)), "note": _missing(len(blocks) - int(whole.sum()), "base draw")}
    if whole.sum() < 2 or _flat(kept):
        out["note"] = _flat_note(kept, out["note"])
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a bootstrap resample with no variance: its interval NaN
        warnings.filterwarnings("ignore", "Constant values encountered", UserWarning)  # A and B alike: index 0
        s = sobol.analyze(problem, kept, calc_second_order=False, num_resamples=RESAMPLES, conf_level=CONF_LEVEL,
                          print_to_console=False, seed=seed + 1)  # SALib takes a seed of 0 for none (`if seed:`)
    out["by_input"] = {"first_order": s["S1"], "first_order_conf": s["S1_conf"], "total": s["ST"],
                       "total_conf": s["ST_conf"]}
    return out


def _ranks(x: np.ndarray, y: np.ndarray) -> dict:
    """Spearman's rank correlation of each column of x with y, and the least-squares change per
    standard deviation of each column (in y's unit), its standardised coefficient and R^2."""
    from scipy.stats import spearmanr

    ok = np.isfinite(y) & np.isfinite(x).all(axis=1)
    x, y = x[ok], y[ok]
    k = x.shape[1]
    nan = np.full(k, np.nan)
    out: dict[str, Any] = {"by_input": {"rank_correlation": nan, "change_per_sd": nan, "standardised_coefficient": nan},
           "fit_r2": np.nan, "draws": int(ok.sum()), "note": _missing(int((~ok).sum()), "draw")}
    if len(y) < 3 or _flat(y):
        out["note"] = _flat_note(y, out["note"])
        return out
    sd_x, sd_y = x.std(axis=0, ddof=1), y.std(ddof=1)
    varies = sd_x > 0
    rho = np.full(k, np.nan)
    for i in np.flatnonzero(varies):
        rho[i] = spearmanr(x[:, i], y).statistic
    out["by_input"]["rank_correlation"] = rho
    unknowns = int(varies.sum()) + 1  # the fit's coefficients: one an input that varies, and the constant
    if len(y) <= unknowns:  # a line through every draw whatever y is (R^2 = 1): its coefficients say nothing
        out["note"] = "; ".join(filter(None, [
            f"{len(y):,} draws cannot fit a straight line in {unknowns - 1:,} inputs (it needs at least "
            f"{unknowns + 1:,}): no change per standard deviation; give more --draws", out["note"]]))
        return out
    z = (x[:, varies] - x[:, varies].mean(axis=0)) / sd_x[varies]  # each input in its standard deviations
    design = np.column_stack([np.ones(len(y)), z])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    change = np.full(k, np.nan)
    change[varies] = coef[1:]
    fitted = design @ coef
    out["by_input"] = {"rank_correlation": rho, "change_per_sd": change, "standardised_coefficient": change / sd_y}
    out["fit_r2"] = float(1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum())
    return out


def _flat(y: np.ndarray) -> bool:
    return len(y) == 0 or float(np.ptp(y)) <= 1e-12 * max(1.0, float(np.abs(y).max()))


def _flat_note(y: np.ndarray, note: str) -> str:
    said = (f"the same in every draw ({y[0]:,.6g}): nothing drives it" if len(y) and _flat(y) else
            "too few draws with a value to say what drives it")
    return "; ".join(filter(None, [said, note]))


def _missing(count: int, what: str) -> str:
    return f"{count:,} {what}{'s' if count != 1 else ''} with no value (no optimum) left out" if count else ""
