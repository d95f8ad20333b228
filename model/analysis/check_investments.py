"""corridor check, investments: each option's built capacity within its limits, whole where the
input says it is built whole or in modules, and its cost recomputed from the input (the annualised
cost per tonne, plus the fixed cost in a year anything is in service). Independent of the model's
code, like model.analysis.check: it reads the raw Investments sheet and the written result."""

from __future__ import annotations

import pandas as pd

_REL = 1e-6  # as corridor check's relative tolerance


def _num(v, default: float = 0.0) -> float:
    return default if v is None or v != v else float(v)


def investment_check(options: pd.DataFrame, investments: pd.DataFrame | None) -> tuple[list[str], dict, float]:
    """(violations, capacity added per (element, class), the yearly cost of what is built) for the
    rows of a result's Investments sheet (one year's) against the input's Investments sheet."""
    errors: list[str] = []
    added: dict[tuple, float] = {}
    cost = 0.0
    if investments is None or not len(investments):
        return errors, added, cost
    limits = options.set_index("option")
    for rec in investments.itertuples(index=False):
        if rec.option not in limits.index:
            errors.append(f"Investments: option {rec.option} is not on the input's Investments sheet")
            continue
        opt = limits.loc[rec.option]
        most, built = float(opt["max_added_t"]), float(rec.built_t)
        tol = _REL * max(1.0, most)
        if built < -tol or built > most + tol:
            errors.append(f"Investments: {rec.option} built {built} t outside [0, {most}]")
        module = most if opt.get("lumpy") is True else _num(opt.get("module_t"))
        if module > 0:
            steps = built / module
            if abs(steps - round(steps)) > _REL * max(1.0, steps):
                what = "built whole (lumpy)" if opt.get("lumpy") is True else f"built in modules of {module} t"
                errors.append(f"Investments: {rec.option} is {what}, but {built} t is {steps:.6g} of them, "
                              "not a whole number")
        key = (opt["element"], opt["cargo_class"] if opt["cargo_class"] == opt["cargo_class"] else None)
        added[key] = added.get(key, 0.0) + built
        cost += built * float(opt["annualised_cost_usd_per_t"]) + (
            _num(opt.get("fixed_cost_usd_per_yr")) if built > tol else 0.0)
    return errors, added, cost
