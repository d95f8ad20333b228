"""The data path end to end, as `corridor solve` runs it: the steps of model.steps (load -> solve ->
analyse -> tabulate), then write() puts the tables in the result workbook with its map and report
page, every file through the command's Outputs. run() is all of it. The steps are re-exported here
(pipeline.load, pipeline.solve, ...) for the tests and scripts that call them by the pipeline's name.
"""

from __future__ import annotations

from pathlib import Path

from model.progress import NoPhases, collector_paused
from model.report.output import Outputs
from model.results.tables import Results
from model.steps import Analyses, Run, analyse, load, load_one_year, solve, solve_case, tabulate  # noqa: F401  the steps, re-exported


def write(results: Results, outputs: Outputs, output: str | Path, tables, draw_map: bool, html: bool,
          phases) -> tuple[Results, list[Path]]:
    """The result workbook (model.report.workbook) with its Map sheet of tables (the map,
    model.results.maps), the map PNG beside it (unless draw_map is False) and the report page (html),
    all into the command's Outputs. Returns the results as written (their Summary with the run time
    by phase) and the files beside the workbook."""
    from model.report.maps.files import (
        MAP_WRITERS,
        REPORT_WRITERS,
        map_png_path,
        report_path,
        write_map_png,
        write_report,
    )
    from model.report.maps.sheet import MapSheet
    from model.report.workbook import write_results

    output, beside, picture, png = Path(output), [], None, map_png_path(Path(output))
    if draw_map:
        phases("map")
        picture = write_map_png(outputs, tables, png)
        beside += [png] if picture else []
    if picture is None:  # no map this run: an earlier run's map beside the workbook goes (model.report.output)
        outputs.retire(png, also=MAP_WRITERS)
    sheet = MapSheet(tables, picture, png.name if picture else None,
                     "" if draw_map else "The picture was not drawn (corridor solve --no-map).")
    phases("writing")
    results = results.timed(phases.text())
    write_results(results, output, outputs=outputs, map_sheet=sheet)
    if html:
        phases("report")
        beside.append(write_report(outputs, tables, results.sheets(), report_path(output)))
    else:
        outputs.retire(report_path(output), also=REPORT_WRITERS)
    return results, beside

def run(path: str | Path, output: str | Path | None = None, scenario: str | None = None, robust: str | None = None,
        verbose: bool = False, options: dict | None = None, builder: str = "fast", phases=None,
        force: bool = False, draw_map: bool = True, html: bool = False, keep_solver: bool = True,
        allocation: str | None = None, uncertainty: int = 0, recalibrate: bool = False) -> Run:
    """A workbook or CSV folder end to end, as corridor solve runs it: its steps (model.steps.solve_case:
    load, with a scenario applied if named, as a robust plan over the scenarios of `robust`, 'a,b', if
    given, --allocation replacing the Settings value if given; solve; analyse; tabulate), and write the
    result workbook with its map (draw_map: the PNG too; html: the report page) if an output is given
    (each file checked by the output guard before anything else is done). Raises InputError,
    NoSolutionError or OutputError with the reason. keep_solver=False: HiGHS is let go once the
    solution and its ranging are read, before the tables are made, when nothing after needs it
    (solve(); Run.solution.highs is then None). The garbage collector is paused throughout
    (model.progress.collector_paused). uncertainty: N draws of the input's Uncertainty sheet after the solve,
    each headline's range in the Summary's brief (model.analysis.uncertainty.ranges); recalibrate: each draw
    recalibrated first."""
    from model.report.maps.files import MAP_WRITERS, REPORT_WRITERS, map_png_path, map_warnings, report_path
    from model.report.workbook import RESULT
    from model.results.maps import map_of

    phases = phases or NoPhases()
    with Outputs(RESULT, [path], force) as outputs, collector_paused():  # its files held until written or given up
        if output is not None:
            outputs.check(Path(output))
            if draw_map:
                outputs.check(map_png_path(Path(output)), also=MAP_WRITERS)
            if html:
                outputs.check(report_path(Path(output)), also=REPORT_WRITERS)
        if recalibrate and not uncertainty:  # nothing to recalibrate: said before the solve
            from model.errors import InputError, Problem

            raise InputError("--recalibrate", [Problem(
                "recalibrates the draws of --uncertainty N, and no draws were asked for",
                "Add --uncertainty N (e.g. --uncertainty 200), or leave out --recalibrate (corridor calibrate "
                "recalibrates the input itself).")])
        solved = solve_case(path, scenario, robust, verbose, options, builder, phases, keep_solver, allocation)
        plan, sol, results, warnings = solved.plan, solved.solution, solved.results, solved.warnings
        if uncertainty:
            results, slips = _with_ranges(results, Path(path), uncertainty, scenario, robust, allocation, phases,
                                          recalibrate)
            warnings = warnings + slips
        written: list[Path] = []
        if output is None:
            phases("writing")
            results = results.timed(phases.text())
        else:
            tables = map_of(plan, results)
            warnings = warnings + (map_warnings(tables) if draw_map or html else [])
            results, written = write(results, outputs, output, tables, draw_map, html, phases)
    return Run(plan, sol, results, warnings, written, outputs.removed)


def _with_ranges(results: Results, path: Path, draws: int, scenario: str | None, robust: str | None,
                 allocation: str | None, phases, recalibrate: bool = False) -> tuple[Results, list]:
    """The results with each headline's range over `draws` draws of the Uncertainty sheet in their Summary, and the
    warnings of the sheet's slips (as corridor uncertainty gives them)."""
    import dataclasses

    from model.analysis.uncertainty.ranges import headline_ranges
    from model.errors import InputError, Problem

    if robust or results.plan:
        raise InputError("--uncertainty", [Problem(
            "ranges are drawn for one year's solve, and this is "
            + ("a robust plan" if robust else "a plan over years"),
            "Leave out --robust, or solve one year (--scenario year_YYYY) with --uncertainty.")])
    phases("uncertainty")
    ranges = headline_ranges(path, draws, 0, scenario, allocation, recalibrate)
    return dataclasses.replace(results, summary=dataclasses.replace(results.summary, ranges=tuple(ranges.lines),
                                                                    ranges_drawn=ranges.drawn),
                               ranges=ranges.table), list(ranges.warnings)
