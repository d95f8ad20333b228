"""`corridor`: parse the arguments, call the pipeline or an analysis, print what it says, and map
errors to exit codes: 0 solved (or valid, or checked); 2 bad input; 3 infeasible or unbounded;
1 anything else (a solve stopped by a limit; for check: violations found)."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
import traceback
from pathlib import Path

from model import __version__
from model.errors import CorridorError
from model.input.schema import Allocation
from model.report.output import command, default_output, default_output_help

DEFAULT_INPUT = Path("inputs/base_case.xlsx")
STRESSED, PENALTY = "ports,borders", 1000.0  # corridor stress's defaults (not in its default output name)


def _output(args, kind: str, *parts) -> Path:  # -o, else outputs/<input>[_<parts>][_<allocation>]_<kind>.xlsx
    """The workbook a command writes. A name that does not end in .xlsx is refused: the file would
    be a workbook under another name (x.csv), which Excel opens only after a warning, if at all."""
    from model.errors import OutputError

    if args.output is not None and args.output.suffix.lower() != ".xlsx":
        raise OutputError(f"the output {args.output} would be an Excel workbook, but its name ends in "
                          f"'{args.output.suffix or '(nothing)'}'. End the name in .xlsx.")
    return args.output or default_output(args.input, kind, *parts, getattr(args, "allocation", None))


def _case(args) -> tuple:  # the scenario and year of the name: russia_closed_2030_stress keeps its own files
    return args.scenario, args.year and str(args.year)


def _warn(source, warnings) -> None:
    from model.report.console import warnings_text

    if warnings:
        print(warnings_text(str(source), warnings), file=sys.stderr)


def cmd_solve(args) -> str:
    from model.lp.options import solver_options
    from model.pipeline import run
    from model.progress import Phases
    from model.report import console

    out = _output(args, "result", args.scenario, args.robust and f"robust {args.robust}")
    start = time.perf_counter()
    phases = Phases(live=sys.stderr.isatty() and not args.verbose)
    try:
        solved = run(args.input, out, scenario=args.scenario, robust=args.robust, verbose=args.verbose,
                     options=solver_options(args.solver_option), builder=args.builder, phases=phases, force=args.force,
                     draw_map=not args.no_map, html=args.html, keep_solver=False, allocation=args.allocation,
                     uncertainty=args.uncertainty, recalibrate=args.recalibrate)
    finally:
        phases.done()  # erase the live line (before an error is printed)
    _warn(args.input, solved.warnings)
    return (console.solve_text(solved.results) + f"\n\nResult workbook: {out}  ({time.perf_counter() - start:.2f} s: "
            f"{phases.text()})" + "".join(f"\nBeside it: {p}" for p in solved.written)
            + "".join(f"\nRemoved: {p} (an earlier run's, not made this time)" for p in solved.removed))


def cmd_validate(args) -> str:
    from model.report.console import validate_text
    from model.steps import load

    plan, warnings = load(args.input)
    _warn(args.input, warnings)
    return validate_text(args.input, plan, warnings)


def cmd_explain(args) -> str:
    from model.analysis.explain import explain_route
    from model.pipeline import run

    solved = run(args.input, scenario=args.scenario, allocation=args.allocation)
    return "\n\n".join(textwrap.fill(p, 100) for p in explain_route(solved, args.route, args.commodity, args.year))


def cmd_sweep(args) -> str:
    from model.commands.sweep import sweep_to_workbook

    out = _output(args, "exact" if args.exact else "sweep", *_case(args), args.name,
                  *[s.partition("=")[0] for s in args.set])
    warnings, text = sweep_to_workbook(args.input, args.set, args.name, out, args.exact, args.workers, args.dask,
                                       args.resume, not args.no_progress, args.force, args.keep_decisions,
                                       args.scenario, args.year, args.allocation)
    _warn(args.input, warnings)
    return text


def cmd_uncertainty(args) -> str:
    from model.commands.uncertainty import uncertainty_to_workbook

    out = _output(args, "uncertainty", *_case(args), args.method, f"{args.draws} draws", f"seed {args.seed}",
                  args.recalibrate and "recalibrated", args.cuts and "cuts", args.keep_decisions and "decisions kept")
    warnings, text = uncertainty_to_workbook(args.input, out, args.draws, args.method, args.seed, args.recalibrate,
                                             args.allocation, args.scenario, args.year, args.workers, args.dask,
                                             args.resume, not args.no_progress, args.force, args.keep_decisions,
                                             args.cuts)
    _warn(args.input, warnings)
    return text


def cmd_stress(args) -> str:
    from model.commands.stress import stress_to_workbook

    out = _output(args, "stress", *_case(args), "corridors" if args.corridors else args.elements != STRESSED
                  and args.elements, args.penalty != PENALTY and f"penalty {args.penalty:g}")
    return stress_to_workbook(args.input, out, "corridors" if args.corridors else "elements", args.elements,
                              args.penalty, not args.no_progress, args.force, args.keep_decisions, args.scenario,
                              args.year, args.allocation)


def cmd_frontier(args) -> str:
    from model.commands.frontier import frontier_to_workbook

    maximise = args.maximise is not None
    target = args.maximise if maximise else args.minimise
    out = _output(args, "frontier", args.scenario, ("max " if maximise else "min ") + target)
    warnings, text = frontier_to_workbook(args.input, target, maximise, args.cost_within, out, args.exact,
                                          args.scenario, args.force, args.allocation)
    _warn(args.input, warnings)
    return text


def cmd_compare(args) -> str:
    from model.commands.compare import compare_to_workbook

    return compare_to_workbook(args.input, args.scenarios, _output(args, "compare", args.scenarios), args.force,
                               args.allocation)


def cmd_map(args) -> str:  # corridor map, and corridor report (args.command)
    from model.report.maps import files

    draw = files.report_from_result if args.command == "report" else files.map_from_result
    warnings, text = draw(args.input, args.output, args.force)
    _warn(args.input, warnings)
    return text


def cmd_calibrate(args) -> str:
    from model.commands.calibrate import calibrate_to_workbook, estimate_to_workbook

    write = estimate_to_workbook if args.estimate else calibrate_to_workbook  # --estimate: the dispersions
    return write(args.input, _output(args, "estimated" if args.estimate else "calibrated", *_case(args)), args.force,
                 args.scenario, args.year)


def cmd_check(args) -> tuple[str, int]:
    from model.commands.check import check_result
    from model.report import console

    violations, notes, mapped = check_result(args.input, args.result, args.scenario, args.allocation)
    return console.check_text(args.result, args.input, violations, notes, mapped), 1 if violations else 0


def cmd_generate(args) -> str:
    from model.commands.generate import write_case
    from model.report import console

    out = write_case(args.output, args.flows, args.seed, args.years, args.scenarios, args.force)
    return console.generate_text(out, args.flows, args.years, args.scenarios)


def cmd_template(args) -> str:
    from model.report.input_workbook import write_template

    out = write_template(args.path, force=args.force)
    return f"Template written: {out} (every sheet with its headers; hover a header for its meaning and unit)."


def cmd_convert(args) -> str:
    from model.report.input_workbook import convert

    convert(args.input, args.output, args.force)
    return f"Converted {args.input} -> {args.output}"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="corridor", description=(
        "Least-cost allocation of Kazakhstan's export cargo across trade corridors. "
        "Exit codes: 0 solved, 2 bad input, 3 infeasible or unbounded, 1 other errors (a solve stopped by a "
        "limit such as time_limit included)."))
    p.add_argument("--version", action="version", version=f"corridor-model {__version__}")
    p.add_argument("--debug", action="store_true", help="show the Python traceback of internal errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def command(name, func, help, input_help="workbook (.xlsx) or folder of CSV files", output=None, progress=False,
                case=None, allocation=False):
        c = sub.add_parser(name, help=help)
        if allocation:  # the Settings value replaced for this run, alike for all (model.steps.with_allocation)
            c.add_argument("--allocation", choices=[a.value for a in Allocation], help="least_cost (every tonne on "
                           "its cheapest route) or choice (the logit split); default: the Settings sheet's allocation")
        if case:  # a command that solves: --scenario (and "year": --year), alike for all (pipeline.load_one_year)
            c.add_argument("--scenario", help="a scenario from the Scenarios sheet; combine with +, e.g. a+b")
        if case == "year":
            c.add_argument("--year", type=int, help="of a plan (a Periods sheet): the year to take, as a single year")
        if input_help:
            c.add_argument("input", type=Path, help=input_help)
        if output:
            c.add_argument("-o", "--output", type=Path, help=f"{output} (default {default_output_help(name)})")
            c.add_argument("--force", action="store_true", help="replace an existing file that corridor did not write")
        if progress:
            c.add_argument("--no-progress", action="store_true", help="no progress bar")
            c.add_argument("--keep-decisions", action="store_true", help="with options built whole or in modules: "
                           "keep the base solve's decisions at every point (an LP) instead of re-solving them (a MIP)")
        c.set_defaults(func=func)
        return c

    s = command("solve", cmd_solve, "solve a workbook (default inputs/base_case.xlsx) and write the result workbook",
                None, "result workbook", case="plan", allocation=True)
    s.add_argument("input", nargs="?", type=Path, default=DEFAULT_INPUT, help="workbook (.xlsx) or folder of CSV files")
    s.add_argument("--verbose", action="store_true", help="show HiGHS's log")
    s.add_argument("--robust", metavar="A,B,...", help="one plan robust to these scenarios (or all with a probability)")
    s.add_argument("--solver-option", action="append", default=[], metavar="KEY=VALUE",
                   help="a HiGHS option, e.g. solver=ipm or presolve=on (repeatable)")
    s.add_argument("--builder", choices=("fast", "pyomo"), default="fast", help="assemble the LP, or state it in Pyomo")
    s.add_argument("--no-map", action="store_true", help="no map picture (saves about half a second; the Map sheet "
                   "keeps its tables for corridor map)")
    s.add_argument("--html", action="store_true", help="also write the report page, <result>.html")
    s.add_argument("--uncertainty", type=int, default=0, metavar="N", help="after the solve, N draws of the input's "
                   "Uncertainty sheet (seed 0): each headline's median and 5-95%% range in the brief")
    s.add_argument("--recalibrate", action="store_true", help="with --uncertainty: recalibrate each draw first")
    command("validate", cmd_validate, "check a workbook and report every problem at once")
    e = command("explain", cmd_explain, "why a route is (not) used, and what it takes", case="plan", allocation=True)
    e.add_argument("--route", required=True, help="a route id from the Routes sheet")
    e.add_argument("--commodity", help="one commodity (default: every commodity the route may carry)")
    e.add_argument("--year", type=int, help="with a Periods sheet: the year to explain (default the first)")
    w = command("sweep", cmd_sweep, "re-solve over a grid of input values, or find exact breakpoints",
                output="sweep workbook", progress=True, case="year", allocation=True)
    w.add_argument("--set", action="append", default=[], metavar="PARAM=SPEC",
                   help="SPEC: start:stop:points, start:stop:by=step, a list a,b,c, or * multipliers, e.g. "
                   "Legs[*>GWD].cost_usd_per_t=*0.5:1:11 (11 multipliers); repeat for a grid")
    w.add_argument("--name", help="a named sweep from the Sweeps sheet")
    w.add_argument("--workers", type=int, default=1, help="local processes (default 1)")
    w.add_argument("--dask", metavar="ADDRESS", help="a Dask distributed scheduler, e.g. tcp://10.0.0.5:8786")
    w.add_argument("--resume", action="store_true", help="continue an interrupted sweep")
    w.add_argument("--exact", action="store_true", help="every breakpoint of one parameter in a range: "
                   "--set PARAM=start:stop, no number of points")
    u = command("uncertainty", cmd_uncertainty, "draw the inputs of the Uncertainty sheet, solve each draw, and "
                "report each figure's range", output="uncertainty workbook", progress=True, case="year")
    u.add_argument("--draws", type=int, default=1000, help="draws (default 1000); with --method sobol the base "
                   "draws, a power of 2, and the run solves draws x (inputs + 2)")
    u.add_argument("--method", choices=("lhs", "sobol"), default="lhs", help="Latin hypercube (default), or "
                   "Saltelli's design on a Sobol' sequence for Sobol' indices")
    u.add_argument("--seed", type=int, default=0, help="the draws' seed (default 0): the same seed, the same table")
    u.add_argument("--recalibrate", action="store_true", help="recalibrate each draw first, as corridor "
                   "calibrate would with the draw's values (least cost)")
    u.add_argument("--allocation", choices=("least_cost", "choice"), help="each draw's allocation (default: the "
                   "Settings'): least cost, or the route-choice split")
    u.add_argument("--workers", type=int, default=1, help="local processes (default 1)")
    u.add_argument("--dask", metavar="ADDRESS", help="a Dask distributed scheduler, e.g. tcp://10.0.0.5:8786")
    u.add_argument("--resume", action="store_true", help="continue an interrupted run")
    u.add_argument("--cuts", action="store_true", help="also the cut each port of the focus needs before "
                   "its first unused route carries cargo, per draw (least cost; some solves a port a draw, so slower)")
    n1 = command("stress", cmd_stress, "N-1: close each port, border, leg or corridor in turn",
                 output="stress workbook", progress=True, case="year", allocation=True)
    n1.add_argument("--elements", default=STRESSED, help="kinds to close: ports,borders,hubs,legs")
    n1.add_argument("--corridors", action="store_true", help="close each corridor instead")
    n1.add_argument("--penalty", type=float, default=PENALTY,
                    help="USD/t for stranded tonnes when the input sets none (default 1000)")
    f = command("frontier", cmd_frontier, "the most (or least) tonnes a target can carry for each extra cost accepted",
                output="frontier workbook", case="plan", allocation=True)
    goal = f.add_mutually_exclusive_group(required=True)
    goal.add_argument("--maximise", metavar="TARGET", help='e.g. "country PK", "corridor Middle Corridor: grain"')
    goal.add_argument("--minimise", metavar="TARGET", help='e.g. "country RU: dry_bulk,grain,metals,container"')
    f.add_argument("--cost-within", default="0:5%:11", help="extra cost: start:stop:steps, a list, in USD or %% "
                   "of the least cost (default 0:5%%:11)")
    f.add_argument("--exact", action="store_true", help="every breakpoint between start and stop (start:stop)")
    cp = command("compare", cmd_compare, "solve the base case and scenarios side by side", output="comparison workbook",
                 allocation=True)
    cp.add_argument("--scenarios", help="comma list of scenarios (each may combine with +), or all (default)")
    for name, func, what, default in (("map", cmd_map, "draw the map of a result workbook again", "<result>_map.png"),
                                      ("report", cmd_map, "write the HTML report of a result workbook",
                                       "<result>.html")):
        r = command(name, func, what, "a result workbook written by corridor solve")
        r.add_argument("-o", "--output", type=Path, help=f"the file to write (default {default} beside it)")
        r.add_argument("--force", action="store_true", help="replace an existing file that corridor did not write")
    command("calibrate", cmd_calibrate, "hold each observation within its band: implied premiums, a calibrated input",
            output="calibrated input workbook", case="year").add_argument("--estimate", action="store_true", help=(
                "instead, estimate each cargo class's route-choice dispersion from the fit observations "
                "(Dispersions rows with standard errors; default output outputs/<input>_estimated.xlsx)"))
    k = command("check", cmd_check, "recompute every constraint, cost, share, CO2e and map tonnes of a result workbook",
                "the input workbook or CSV folder", allocation=True)
    k.add_argument("result", type=Path, help="the result workbook written by 'corridor solve'")
    k.add_argument("--scenario", help="the scenario the result was solved with (default: the one its Summary records)")
    g = command("generate", cmd_generate, "write a synthetic case of a given size (for benchmarks)", None)
    g.add_argument("--flows", type=int, required=True, help="about how many flow variables")
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.add_argument("--years", type=int, default=1, help="planned years (a Periods sheet when 2 or more)")
    g.add_argument("--scenarios", type=int, default=0, help="scenarios with probabilities, for solve --robust all")
    g.add_argument("-o", "--output", type=Path, required=True, help="a folder for CSV files, or a .xlsx path")
    g.add_argument("--force", action="store_true", help="replace existing files")
    t = command("template", cmd_template, "write a blank input workbook with notes on every header", None)
    t.add_argument("path", type=Path, help="the workbook to create (.xlsx)")
    t.add_argument("--force", action="store_true", help="overwrite an existing file")
    c = command("convert", cmd_convert, "convert between a workbook and a folder of CSV files")
    c.add_argument("-o", "--output", type=Path, required=True, help="a .xlsx path, or a folder for CSV files")
    c.add_argument("--force", action="store_true", help="replace existing files")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if not getattr(args, "func", None):
        p.print_help()
        return 1
    with command() as running:  # what this command writes, for what Ctrl-C says (model.report.output)
        try:
            said = args.func(args)
            text, code = said if isinstance(said, tuple) else (said, 0)
            print(text)
            return code
        except CorridorError as exc:
            print(str(exc), file=sys.stderr)
            return exc.exit_code
        except KeyboardInterrupt:  # every output is complete or absent (model.report.output): say which
            from model.report.console import interrupted_text

            print(interrupted_text(running.committed), file=sys.stderr)
            return 130
        except BrokenPipeError:  # output piped to a program that stopped reading (| head)
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 -- stays open: it is stdout until the process ends
            return 0
        except Exception as exc:  # a bug: say so plainly, keep the traceback for --debug
            if args.debug:
                traceback.print_exc()
            print(f"corridor: internal error ({type(exc).__name__}: {exc}). This is a bug in corridor-model, not in "
                  "your input; please report it with the input file. Run with --debug for details.", file=sys.stderr)
            return 1


def entry() -> None:
    """The `corridor` command: main(), then leave without tearing the interpreter down. Every
    output is written and closed by then; freeing pandas, numpy and every table object one by one
    only delays the prompt (benchmarks/README.md has the figure)."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, KeyboardInterrupt):  # stdout piped to a program that stopped reading
        pass
    os._exit(code)


if __name__ == "__main__":
    entry()
