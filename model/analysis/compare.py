"""Solve the base case and named scenarios, and set them side by side with deltas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from model.errors import CorridorError
from model.input.schema import Allocation, Blank
from model.network.costs import RESOURCE_PARTS
from model.network.names import beside
from model.plan import BASE
from model.results.maps import map_of
from model.results.money import PENALTY_LABEL, RESOURCE_LABEL
from model.results.summary import AVERAGE_LABEL, PART_LABELS
from model.results.tables import ALL
from model.steps import Run, solve_case

NETWORK_ROWS = ("corridor:", "via ")  # a row for every corridor and country, at zero too (Pakistan's 0 is an answer)


def compare(path: Path, scenarios: list[str], maps: dict | None = None,
            progress: bool = True, allocation: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(comparison table: metric, unit, base, each scenario, then each delta; scenarios table). maps:
    filled with each solved case's map (model.results.maps), if given. allocation: --allocation, every
    case's. When no case has an optimum, the base case's error is raised, as corridor solve would give
    it (nothing to compare)."""
    from model.progress import Phases, show_progress

    runs: dict[str, Run | None] = {}
    about: list[dict[str, str]] = []
    failures: dict[str, CorridorError] = {}
    names = [BASE] + scenarios
    phases = Phases(live=show_progress(progress))  # a plan's cases take seconds each: say which one runs
    for i, name in enumerate(names, start=1):
        phases(f"solving {name} ({i} of {len(names)})")
        try:
            runs[name] = solved = solve_case(path, scenario=None if name == BASE else name, keep_solver=False,
                                             allocation=allocation)
            if maps is not None:
                maps[name] = map_of(solved.plan, solved.results)
            about.append({"scenario": name, "status": "Optimal",
                          "overrides": "; ".join(solved.data.overrides) or "none",
                          **({"allocation": "choice (the logit split)"}  # said only where it is not least cost
                             if solved.data.settings.allocation == Allocation.CHOICE else {})})
        except CorridorError as exc:  # an infeasible scenario is an answer, not a failure
            runs[name], failures[name] = None, exc
            status = {"InputError": "Invalid input", "NoSolutionError": "No optimum"}.get(type(exc).__name__, "Failed")
            about.append({"scenario": name, "status": status,
                          "overrides": str(exc).replace("\n", " ")})
    phases.done()
    if len(failures) == len(names):
        raise failures[BASE]
    metrics: dict[tuple[str, str], dict[str, float]] = {}

    def put(metric, unit, name, value):
        metrics.setdefault((metric, unit), {})[name] = value

    for name, solved in runs.items():  # type: ignore[assignment]  # None skipped just below
        if solved is None:
            continue
        for metric, unit, value in run_metrics(solved.results):
            put(metric, unit, name, value)
        years = [f" {p.year}" for p in solved.plan.periods if p.year is not None] or [""]
        for corridor in dict.fromkeys(solved.data.tables["Routes"]["corridor"].dropna()):  # those carrying nothing
            for year in years:
                for metric, unit in ((f"corridor: {corridor}{year}", "t/yr"), (f"share: {corridor}{year}", "share")):
                    metrics.setdefault((metric, unit), {}).setdefault(name, 0.0)
    rows = []
    for (metric, unit), values in metrics.items():  # every corridor and country kept, carrying nothing or not
        if unit != "share" and not metric.startswith(NETWORK_ROWS) and all(
                abs(values.get(n, 0.0) or 0.0) < 1e-9 for n in names):
            continue
        row: dict[str, Any] = {"metric": metric, "unit": unit}
        default = 0.0 if metric.startswith(("corridor:", "share:", "via ", "built:")) else float("nan")
        for n in names:
            row[n] = values.get(n, default) if runs[n] is not None else float("nan")
        for n in names[1:]:
            row[f"{n} - base"] = row[n] - row[BASE]
        rows.append(row)
    table = pd.DataFrame(rows)
    groups = ("built:", "corridor:", "share:", "via ", "utilisation:")
    table["_group"] = [next((k + 1 for k, g in enumerate(groups) if m.startswith(g)), 0) for m in table["metric"]]
    table["_size"] = -table[names].abs().max(axis=1, skipna=True).fillna(0)
    first = table[table["_group"] == 0]
    rest = table[table["_group"] > 0].sort_values(["_group", "_size"], kind="stable")
    table = pd.concat([first, rest]).drop(columns=["_group", "_size"]).reset_index(drop=True)
    # Utilisation rows only where some scenario uses the element at 90% or more: the bottlenecks
    util = table["metric"].str.startswith("utilisation:")
    busy = table[names].max(axis=1, skipna=True) >= 0.9
    return table[~util | busy].reset_index(drop=True), pd.DataFrame(about)


def run_metrics(r) -> list[tuple[str, str, float]]:
    """(metric, unit, value) of one result: costs, tonnes and shares by corridor and country,
    utilisation of capacities, capacity built. A plan's metrics are per year ('... 2030')."""
    out = []
    s = r.summary
    if r.plan:
        out.append(("objective", "USD", s.objective_usd))
        for rec in r.plan["Plan"].to_dict("records"):
            if rec.get("scenario", "base") != "base" and "scenario" in rec:
                continue
            year = f" {rec['year']}" if "year" in rec else ""
            # money in its kinds (model.results.money): resource cost, then the penalty apart
            out += [(f"{RESOURCE_LABEL}{year}", "USD/yr", rec["resource_cost_usd"]),
                    (f"shipped{year}", "t/yr", rec["shipped_t"]),
                    (f"unmet demand{year}", "t/yr", rec["unmet_t"]),
                    (f"{PENALTY_LABEL}{year}", "USD/yr", rec["unmet_penalty_usd"]),
                    (f"CO2e{year}", "t CO2e/yr", rec["co2e_t"])]
    else:
        m = s.money  # money in its kinds (model.results.money): the objective last, as their sum
        out += [(RESOURCE_LABEL, "USD/yr", m.resource_usd),
                *[(PART_LABELS[part], "USD/yr", s.parts_usd.get(part, 0.0)) for part in RESOURCE_PARTS],
                (PART_LABELS["premium"], "USD/yr", m.premiums_usd),
                ("shipped", "t/yr", s.shipped_t), ("unmet demand", "t/yr", s.unmet_t),
                (PENALTY_LABEL, "USD/yr", s.unmet_penalty_usd), ("objective", "USD/yr", s.objective_usd),
                (AVERAGE_LABEL, "USD/t", s.average_usd_per_t), ("CO2e", "t CO2e/yr", s.co2e_t),
                ("average CO2e", "kg CO2e/t", s.co2e_kg_per_t)]

    def each(df: pd.DataFrame):
        """(suffix, rows) per year of a plan's table (the base scenario of a robust plan)."""
        if "scenario" in df.columns:
            df = df[df["scenario"] == BASE]
        if "year" not in df.columns:
            return [("", df)]
        return [(f" {y}", sub) for y, sub in df.groupby("year", sort=True)]

    for year, c in each(r.corridors[r.corridors["commodity"] == ALL]):
        out += [(f"corridor: {rec.corridor}{year}", "t/yr", rec.tonnes_t) for rec in c.itertuples(index=False)]
        out += [(f"share: {rec.corridor}{year}", "share", rec.share) for rec in c.itertuples(index=False)]
    for year, c in each(r.countries):
        out += [(f"via {beside(rec.country, rec.name)}{year}", "t/yr", rec.tonnes_t)
                for rec in c.itertuples(index=False)]
    for year, c in each(r.capacity):
        for rec in c.itertuples(index=False):
            label = beside(rec.element, rec.name) + ("" if rec.cargo_class == Blank.ALL else f" ({rec.cargo_class})")
            out.append((f"utilisation: {label}{year}", "share", rec.utilisation))
    if len(r.investments):
        for year, c in each(r.investments):
            out += [(f"built: {rec.option}{year}", "t/yr", rec.built_t) for rec in c.itertuples(index=False)]
    return out
