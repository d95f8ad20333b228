"""corridor sweep: the grid solved (or one parameter's exact breakpoints found) by model.analysis.sweep,
then its workbook and charts written (model.report), all or none through the output guard."""

from __future__ import annotations

import time
from pathlib import Path

from model.analysis.sweep import live_model, make_sweep, named_sweep, points_table, run_sweep, tonnes_by_route
from model.errors import InputError, Problem
from model.input.schema import Allocation


def case_about(scenario: str | None, year: int | None, allocation: str = Allocation.LEAST_COST
               ) -> list[tuple[str, object]]:
    """The About sheet's lines saying which case a single-year tool worked on, and under choice its allocation."""
    about: list[tuple[str, object]] = [("scenario", scenario or "base case")]
    about += [("year of the plan", year)] if year is not None else []
    return about + ([("allocation", "choice: each point's tonnes are the logit's split on its LP (model.lp.choice)")]
                    if allocation == Allocation.CHOICE else [])


def sweep_to_workbook(src: Path, assignments: list[str], name: str | None, output: Path, exact: bool = False,
                      workers: int = 1, dask: str | None = None, resume: bool = False, progress: bool = True,
                      force: bool = False, keep_decisions: bool = False, scenario: str | None = None,
                      year: int | None = None, allocation: str | None = None):
    """corridor sweep: solve the grid (or find the exact breakpoints of one parameter), write the
    workbook and its PNG charts (all or none, through the output guard); returns (warnings, the text
    to print)."""
    from model.analysis.parametric import exact_sweep
    from model.report import console
    from model.report.books import about_table, write_exact, write_sweep
    from model.report.charts import exact_png, sweep_pngs
    from model.report.output import Outputs, mark
    from model.results.summary import Provenance
    from model.steps import load_one_year

    with Outputs("exact" if exact else "sweep", [src], force) as outputs:
        outputs.check(output)
        data, net, warnings = load_one_year(src, scenario, year, allocation)
        if assignments and name:
            raise InputError("--name", [Problem("give either --set or --name, not both", "Drop one of them.")])
        if exact and data.settings.allocation == Allocation.CHOICE:  # a logit moves smoothly: no breakpoints
            raise InputError("--exact", [Problem(
                "finds the least-cost allocation's breakpoints, and allocation choice (the logit split) moves smoothly "
                "with every cost: it has none", "Sweep a grid of points instead (--set PARAM=start:stop:points), or "
                "give --allocation least_cost.")])
        assignments = assignments or (named_sweep(data, name) if name else [])
        sweep = make_sweep(src, data, assignments, exact=exact, keep_decisions=keep_decisions, scenario=scenario,
                           year=year, allocation=allocation)
        provenance = Provenance.of(src, data.sha256)
        about = case_about(scenario, year, data.settings.allocation)
        for p in sweep.params:
            about.append((p.text, f"{len(p.cells)} cell(s): " + ", ".join(c.label for c in p.cells[:10])
                          + (" ..." if len(p.cells) > 10 else "")))
            about.append((f"{p.text} values",
                          ("x base: " if p.multiplier else "") + ", ".join(f"{v:g}" for v in p.values)))
        start = time.perf_counter()
        if exact:
            ex = exact_sweep(live_model(src, keep_decisions=keep_decisions, scenario=scenario, year=year,
                                        allocation=allocation), sweep)
            seconds = time.perf_counter() - start
            about += [("breakpoints", int(ex.breakpoints["breakpoint"].sum())), ("solves", ex.solves),
                      ("seconds", round(seconds, 3))]
            write_exact(outputs, output, about_table(provenance, about), ex.breakpoints, ex.segments, ex.param)
            png = exact_png(outputs, ex.breakpoints, ex.param, output.with_suffix(""), ex.segments)
            low, high = sweep.params[0].values
            return warnings, console.exact_text(ex, low, high, seconds, output, png)
        points_file = output.with_suffix(".points.jsonl")
        outputs.check(points_file)
        results = run_sweep(sweep, points_file=points_file, resume=resume, workers=workers, dask=dask,
                            progress=progress, writer=mark(outputs.kind))
        seconds = time.perf_counter() - start
        points = points_table(sweep, results, net, data.settings.focus)
        about += [("points", len(points)), ("solved", int((points["status"] == "Optimal").sum())),
                  ("rebuilt (structure changed)", int(points["rebuilt"].sum())), ("workers", dask or workers),
                  ("seconds", round(seconds, 3)),
                  ("points per second", round(len(points) / seconds, 1) if seconds else None)]
        names = [p.text + (" (x base)" if p.multiplier else "") for p in sweep.params]
        write_sweep(outputs, output, about_table(provenance, about), points, tonnes_by_route(sweep, results), names)
        pngs = sweep_pngs(outputs, points, names, output.with_suffix(""))
    return warnings, console.sweep_text(points, seconds, output, pngs, points_file)
