"""Solve the base case and named scenarios, and set them side by side with deltas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.errors import CorridorError
from model.results import ALL
from model.run import solve_case

BASE = "base"


def compare(path: Path, scenarios: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(comparison table: metric, unit, base, each scenario, then each delta; scenarios table)."""
    runs, about = {}, []
    for name in [BASE] + scenarios:
        try:
            run = solve_case(path, scenario=None if name == BASE else name)
            runs[name] = run
            about.append({"scenario": name, "status": "Optimal",
                          "overrides": "; ".join(run.data.overrides) or "none"})
        except CorridorError as exc:  # an infeasible scenario is an answer, not a failure
            runs[name] = None
            about.append({"scenario": name, "status": type(exc).__name__.replace("Error", ""),
                          "overrides": str(exc).replace("\n", " ")})
    metrics: dict[tuple[str, str], dict[str, float]] = {}

    def put(metric, unit, name, value):
        metrics.setdefault((metric, unit), {})[name] = value

    for name, run in runs.items():
        if run is None:
            continue
        r = run.results
        s = r.summary.set_index("item")["value"]
        for item, unit in (("objective", "USD/yr"), ("transport cost", "USD/yr"), ("handling cost", "USD/yr"),
                           ("time (carrying) cost", "USD/yr"), ("risk premium", "USD/yr"),
                           ("unmet demand penalty", "USD/yr"), ("shipped", "t/yr"), ("unmet demand", "t/yr"),
                           ("average cost", "USD/t")):
            put(item, unit, name, float(s[item]))
        c = r.corridors[r.corridors["commodity"] == ALL]
        for rec in c.itertuples(index=False):
            put(f"corridor: {rec.corridor}", "t/yr", name, rec.tonnes_t)
        for rec in c.itertuples(index=False):
            put(f"share: {rec.corridor}", "share", name, rec.share)
        for rec in r.countries.itertuples(index=False):
            put(f"via {rec.country}", "t/yr", name, rec.tonnes_t)
        for rec in r.capacity.itertuples(index=False):
            label = rec.element + ("" if rec.cargo_class == "all" else f" ({rec.cargo_class})")
            put(f"utilisation: {label}", "share", name, rec.utilisation)
    names = list(runs)
    rows = []
    for (metric, unit), values in metrics.items():
        if unit != "share" and all(abs(values.get(n, 0.0) or 0.0) < 1e-9 for n in names):
            continue
        row = {"metric": metric, "unit": unit}
        default = 0.0 if metric.startswith(("corridor:", "share:", "via ")) else float("nan")
        for n in names:
            row[n] = values.get(n, default) if runs[n] is not None else float("nan")
        for n in names[1:]:
            row[f"{n} - base"] = row[n] - row[BASE]
        rows.append(row)
    table = pd.DataFrame(rows)
    groups = ("corridor:", "share:", "via ", "utilisation:")
    table["_group"] = [next((k + 1 for k, g in enumerate(groups) if m.startswith(g)), 0) for m in table["metric"]]
    table["_size"] = -table[names].abs().max(axis=1, skipna=True).fillna(0)
    first = table[table["_group"] == 0]
    rest = table[table["_group"] > 0].sort_values(["_group", "_size"], kind="stable")
    table = pd.concat([first, rest]).drop(columns=["_group", "_size"]).reset_index(drop=True)
    # Utilisation rows only where some scenario uses the element at 90% or more: the bottlenecks
    util = table["metric"].str.startswith("utilisation:")
    busy = table[names].max(axis=1, skipna=True) >= 0.9
    return table[~util | busy].reset_index(drop=True), pd.DataFrame(about)
