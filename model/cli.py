"""`corridor`: solve, validate, template, convert. Thin: parse, call, map errors to exit codes.

Exit codes: 0 solved (or valid, or checked); 2 bad input; 3 infeasible or unbounded;
1 anything else (for check: violations found).
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
import traceback
from pathlib import Path

from model import __version__
from model.errors import CorridorError, InputError, OutputError, Problem, format_problems

DEFAULT_INPUT = Path("inputs/base_case.xlsx")
DEFAULT_OUTPUT_DIR = Path("outputs")


def _default_output(input_path: Path) -> Path:
    return DEFAULT_OUTPUT_DIR / f"{input_path.stem}_result.xlsx"


def _print_warnings(source: str, warnings) -> None:
    if warnings:
        print(format_problems(source, warnings), file=sys.stderr)


def _parse_option(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise InputError("--solver-option", [Problem(
            f"'{text}' is not of the form KEY=VALUE", "Write for example --solver-option solver=ipm.")])
    for cast in (int, float):
        try:
            return key.strip(), cast(value)
        except ValueError:
            pass
    low = value.strip().lower()
    if low in ("true", "false"):
        return key.strip(), low == "true"
    return key.strip(), value.strip()


def cmd_solve(args) -> int:
    from model.report import write_results
    from model.run import solve_case

    src = Path(args.input)
    if args.input == str(DEFAULT_INPUT) and not src.exists():
        raise InputError(str(src), [Problem(
            f"no such file in {Path.cwd()}: without an INPUT, corridor solve solves the shipped base case, "
            "inputs/base_case.xlsx, relative to the current folder",
            "Run it from the top folder of the repository, or give a workbook: corridor solve PATH.")])
    out = Path(args.output) if args.output else _default_output(src)
    options = dict(_parse_option(o) for o in args.solver_option)
    from model.progress import Phases

    start = time.perf_counter()
    phases = Phases(live=sys.stderr.isatty() and not args.verbose)
    try:
        run = solve_case(src, verbose=args.verbose, options=options, scenario=args.scenario, robust=args.robust,
                         builder=args.builder, phases=phases)
    except BaseException:
        phases.done()  # erase the live line before the error is printed
        raise
    if (args.scenario or args.robust) and not args.output:
        tag = "_".join(x for x in (args.scenario and args.scenario.replace("+", "_"),
                                   args.robust and "robust") if x)
        out = DEFAULT_OUTPUT_DIR / f"{src.stem}_{tag}_result.xlsx"
    write_results(run.results, out, input_path=src)
    phases.done()
    _print_warnings(str(src), run.warnings)
    print(summary_text(run.results))
    print(f"\nResult workbook: {out}  ({time.perf_counter() - start:.2f} s: {phases.text()})")
    return 0


def plan_text(results) -> str:
    """The short summary of a plan of several years and/or scenarios."""
    s = results.summary.set_index("item")["value"]
    lines = [f"Scenario {s['scenario']}" + ("" if s["scenario overrides"].startswith("none") else
                                           f", with {s['scenario overrides']}") + f": {s['status']}",
             f"Objective {s['objective'] / 1e6:,.1f} million USD: {s['objective means']}"]
    if "value of the stochastic solution" in s:
        vss = s["value of the stochastic solution"]
        lines.append(f"Robust over {s['robust scenarios']}; value of the stochastic solution: " +
                     (f"{vss / 1e6:,.1f} million USD" if isinstance(vss, float) else str(vss)) +
                     f" (the base-only plan builds {s['base-only plan builds']})")
    plan = results.plan["Plan"]
    heads = [("scenario", 16), ("year", 6), ("M USD/yr", 12), ("shipped Mt", 12), ("unmet Mt", 10)]
    heads = [(h, w) for h, w in heads if h not in ("scenario", "year") or h in plan.columns]
    lines += ["", "".join(f"{h:>{w}}" for h, w in heads)]
    for rec in plan.to_dict("records"):
        cells = [c for c in (rec.get("scenario"), rec.get("year")) if c is not None] + [
            f"{rec['annual_cost_usd'] / 1e6:,.1f}", f"{rec['shipped_t'] / 1e6:,.2f}", f"{rec['unmet_t'] / 1e6:,.2f}"]
        lines.append("".join(f"{c:>{w}}" for c, (_, w) in zip(cells, heads)))
    inv = results.investments
    if "scenario" in inv.columns and len(inv):  # investments are shared by the scenarios: show them once
        inv = inv[inv["scenario"] == inv["scenario"].iloc[0]]
    built = inv[inv["built_t"] > 0] if len(inv) else inv
    lines.append("")
    if len(built):
        lines.append("Capacity in service" + (" (shared by every scenario)" if "scenario" in inv.columns else "") + ":")
        for rec in built.to_dict("records"):
            when = f"in {rec['year']}" if "year" in rec else ""
            lines.append(f"  {rec['option']:<26}{when:>10}{rec['built_t'] / 1e6:>10,.2f} Mt/yr")
    else:
        lines.append("No capacity is built.")
    return "\n".join(lines)


def summary_text(results) -> str:
    """The short summary printed after a solve."""
    if results.plan:
        return plan_text(results)
    s = results.summary.set_index("item")["value"]
    lines = [
        f"Scenario {s['scenario']}" + ("" if s["scenario overrides"].startswith("none") else
                                      f", with {s['scenario overrides']}") + f": {s['status']}",
        f"Total cost {s['objective'] / 1e6:,.1f} million USD/yr "
        f"(transport {s['transport cost'] / 1e6:,.1f}, handling {s['handling cost'] / 1e6:,.1f}, "
        f"time {s['time (carrying) cost'] / 1e6:,.1f}, risk {s['risk premium'] / 1e6:,.1f})",
        f"Shipped {s['shipped'] / 1e6:,.2f} Mt/yr; unmet {s['unmet demand'] / 1e6:,.2f} Mt/yr; "
        f"average {s['average cost']:,.2f} USD/t",
        "",
        f"{'Corridor':<28}{'Mt/yr':>10}{'share':>9}",
    ]
    c = results.corridors
    for rec in c[c["commodity"] == "All commodities"].itertuples(index=False):
        lines.append(f"{rec.corridor:<28}{rec.tonnes_t / 1e6:>10,.2f}{rec.share:>9.1%}")
    cap = results.capacity[results.capacity["binding"]]
    lines.append("")
    if len(cap):
        lines.append(f"{'Binding capacity':<28}{'Mt/yr':>10}{'saves USD/t':>14}")
        for rec in cap.itertuples(index=False):
            name = rec.element + ("" if rec.cargo_class == "all" else f" [{rec.cargo_class}]")
            lines.append(f"{name:<28}{(rec.capacity_t + rec.added_t) / 1e6:>10,.2f}"
                         f"{rec.shadow_price_usd_per_t:>14,.2f}" + (f"  ({rec.added_t / 1e6:,.2f} Mt built)"
                                                                  if rec.added_t > 0 else ""))
    else:
        lines.append("No capacity is binding.")
    inv = results.investments
    if len(inv) and (inv["built_t"] > 0).any():
        lines.append("")
        lines.append(f"{'Investment':<28}{'Mt/yr':>10}{'M USD/yr':>14}")
        for rec in inv[inv["built_t"] > 0].itertuples(index=False):
            lines.append(f"{rec.option:<28}{rec.built_t / 1e6:>10,.2f}{rec.cost_usd / 1e6:>14,.1f}")
    pol = results.policies[results.policies["binding"]]
    if len(pol):
        lines.append("")
        lines.append(f"{'Binding policy rule':<28}{'share':>10}{'saves USD/t':>14}")
        for rec in pol.itertuples(index=False):
            lines.append(f"{rec.rule + ' ' + rec.target:<28}{rec.share_of_shipped:>10.1%}"
                         f"{rec.saving_per_t_relaxed_usd:>14,.2f}")
    return "\n".join(lines)


def cmd_validate(args) -> int:
    from model.validate import load

    src = Path(args.input)
    data, net, warnings = load(src)
    _print_warnings(str(src), warnings)
    print(f"{src}: valid. {len(net.routes)} enabled routes, {len(net.flows)} flow variables, "
          f"{len(net.demand_rows)} demand rows, {len(net.capacity_rows)} capacities, "
          f"{len(net.policy_limits)} policy limits; {len(warnings)} warning(s).")
    return 0


def cmd_explain(args) -> int:
    from model.explain import explain_route
    from model.run import solve_case

    run = solve_case(Path(args.input))
    for paragraph in explain_route(run, args.route, args.commodity):
        print(textwrap.fill(paragraph, width=100))
        print()
    return 0


def cmd_compare(args) -> int:
    from model.charts import compare_png
    from model.compare import compare
    from model.inputs import read_input
    from model.report import write_compare
    from model.scenarios import scenario_names

    src = Path(args.input)
    known = scenario_names(read_input(src))
    wanted = known if args.scenarios in (None, "all") else [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if not wanted:
        raise InputError(str(src), [Problem("the Scenarios sheet names no scenario",
                                            "Add override rows to the Scenarios sheet, or pass --scenarios.")])
    table, about = compare(src, wanted)
    out = Path(args.output) if args.output else DEFAULT_OUTPUT_DIR / f"{src.stem}_compare.xlsx"
    write_compare(out, table, about)
    png = compare_png(table, out.with_suffix(""))
    names = ["base"] + wanted
    print(f"{'':26}" + "".join(f"{n[:17]:>18}" for n in names))
    plan = not table[table["metric"] == "objective"].empty and \
        table.loc[table["metric"] == "objective", "unit"].iloc[0] == "USD"
    lines = [("objective", "total cost (M USD)" if plan else "total cost (M USD/yr)")]
    lines += [(m, f"{m} (M USD/yr)" if m.startswith("cost") else f"{m} (Mt/yr)") for m in table["metric"]
              if plan and m.startswith(("cost ", "unmet demand "))] if plan else \
        [("shipped", "shipped (Mt/yr)"), ("unmet demand", "stranded (Mt/yr)")]
    for metric, label in lines:
        row = table[table["metric"] == metric]
        if len(row):
            print(f"{label:26}" + "".join(f"{row.iloc[0][n] / 1e6:>18,.1f}" for n in names))
    bad = about[about["status"] != "Optimal"]
    for rec in bad.itertuples(index=False):
        print(f"{rec.scenario}: {rec.status} (see the Scenarios sheet of the workbook)")
    print(f"\nWorkbook: {out}\nChart: {png}")
    return 0


def cmd_check(args) -> int:
    from model.check import check_files

    violations, notes = check_files(Path(args.input), Path(args.result))
    for note in notes:
        print(note)
    if violations:
        print(f"{args.result}: {len(violations)} violation(s) beyond tolerance (relative 1e-6):")
        for v in violations[:200]:
            print(f"  {v}")
        if len(violations) > 200:
            print(f"  (+{len(violations) - 200} more)")
        return 1
    print(f"{args.result}: every constraint, cost and share recomputed from the flows holds against {args.input}.")
    return 0


def _about(items: list[tuple[str, object]]):
    import pandas as pd

    return pd.DataFrame(items, columns=["item", "value"])


def cmd_sweep(args) -> int:
    import datetime as dt

    from model.charts import exact_png, sweep_pngs
    from model.inputs import file_sha256
    from model.report import write_exact, write_sweep
    from model.sweep import make_sweep, named_sweep, points_table, route_table, run_sweep
    from model.validate import load

    src = Path(args.input)
    data, _, warnings = load(src)
    _print_warnings(str(src), warnings)
    if args.set and args.name:
        raise InputError("--name", [Problem("give either --set or --name, not both", "Drop one of them.")])
    assignments = args.set or (named_sweep(data, args.name) if args.name else [])
    sweep = make_sweep(src, data, assignments, exact=args.exact)
    kind = "exact" if args.exact else "sweep"
    out = Path(args.output) if args.output else DEFAULT_OUTPUT_DIR / f"{src.stem}_{kind}.xlsx"
    about = [("input file", str(src)), ("input SHA-256", file_sha256(src))]
    for p in sweep.params:
        about.append((p.text, f"{len(p.cells)} cell(s): " + ", ".join(c.label for c in p.cells[:10])
                      + (" ..." if len(p.cells) > 10 else "")))
        about.append((f"{p.text} values", ("x base: " if p.multiplier else "") + ", ".join(f"{v:g}" for v in p.values)))
    start = time.perf_counter()
    if args.exact:
        from model.parametric import exact_sweep
        from model.sweep import live_model

        ex = exact_sweep(live_model(src), sweep)
        seconds = time.perf_counter() - start
        about += [("breakpoints", int(ex.breakpoints["breakpoint"].sum())), ("solves", ex.solves),
                  ("seconds", round(seconds, 3)), ("run at (UTC)", dt.datetime.now(dt.timezone.utc).isoformat())]
        write_exact(out, _about(about), ex.breakpoints, ex.segments, ex.param)
        png = exact_png(ex.breakpoints, ex.param, out.with_suffix(""))
        print(f"{ex.param}: {int(ex.breakpoints['breakpoint'].sum())} breakpoints in [{sweep.params[0].values[0]:g}, "
              f"{sweep.params[0].values[1]:g}], {ex.solves} solves, {seconds:.2f} s")
        for rec in ex.breakpoints.itertuples(index=False):
            print(f"  {rec.value:>16,.6g}  total cost {rec.objective_usd / 1e6:,.3f} million USD/yr")
        print(f"\nWorkbook: {out}\nChart: {png}")
        return 0
    points_file = out.with_suffix(".points.jsonl")
    results = run_sweep(sweep, assignments, points_file=points_file, resume=args.resume, workers=args.workers,
                        dask=args.dask, progress=not args.no_progress)
    seconds = time.perf_counter() - start
    points = points_table(sweep, results)
    solved = int((points["status"] == "Optimal").sum())
    rebuilt = int(points["rebuilt"].sum())
    about += [("points", len(points)), ("solved", solved), ("rebuilt (structure changed)", rebuilt),
              ("workers", args.dask or args.workers), ("seconds", round(seconds, 3)),
              ("points per second", round(len(points) / seconds, 1) if seconds else None),
              ("run at (UTC)", dt.datetime.now(dt.timezone.utc).isoformat())]
    names = [p.text + (" (x base)" if p.multiplier else "") for p in sweep.params]
    write_sweep(out, _about(about), points, route_table(sweep, results), names)
    pngs = sweep_pngs(points, names, out.with_suffix(""))
    ok = points[points["status"] == "Optimal"]
    print(f"{len(points)} points, {solved} solved, {rebuilt} rebuilt, {seconds:.2f} s "
          f"({len(points) / seconds:,.0f} points/s)")
    if len(ok):
        print(f"Total cost from {ok['objective_usd'].min() / 1e6:,.1f} to {ok['objective_usd'].max() / 1e6:,.1f} "
              "million USD/yr")
    if rebuilt:
        print(f"{rebuilt} point(s) changed the model's structure and were rebuilt from the data.")
    print(f"\nWorkbook: {out}\nCharts: {', '.join(str(p) for p in pngs)}\nPoints (for --resume): {points_file}")
    return 0


def cmd_stress(args) -> int:
    import datetime as dt

    from model.charts import stress_png
    from model.inputs import file_sha256
    from model.report import write_stress
    from model.stress import stress_test

    src = Path(args.input)
    mode = "corridors" if args.corridors else "elements"
    kinds = {k.strip() for k in args.elements.split(",")}
    bad = kinds - {"ports", "borders", "hubs", "legs"}
    if bad:
        raise InputError("--elements", [Problem(f"unknown kind(s) {', '.join(sorted(bad))}",
                                                "Use a comma list of ports, borders, hubs, legs.")])
    start = time.perf_counter()
    table, meta = stress_test(src, mode, kinds, args.penalty, progress=not args.no_progress)
    out = Path(args.output) if args.output else DEFAULT_OUTPUT_DIR / f"{src.stem}_stress.xlsx"
    about = _about([("input file", str(src)), ("input SHA-256", file_sha256(src)),
                    ("closed in turn", "each corridor" if args.corridors else ", ".join(sorted(kinds))),
                    ("stranded tonnes cost", f"{meta['penalty_usd_per_t']:,.0f} USD/t"),
                    ("base cost (USD/yr)", meta["base_cost_usd"]), ("closures", meta["closures"]),
                    ("seconds", round(time.perf_counter() - start, 3)),
                    ("run at (UTC)", dt.datetime.now(dt.timezone.utc).isoformat())])
    write_stress(out, about, table)
    png = stress_png(table, out.with_suffix(""))
    print(f"{'Closed':<26}{'stranded Mt':>12}{'cost +M USD/yr':>16}  cargo moved to")
    for rec in table.head(15).itertuples(index=False):
        print(f"{rec.closed:<26}{rec.stranded_t / 1e6:>12,.2f}{rec.cost_increase_usd / 1e6:>16,.1f}  {rec.moved_to}")
    print(f"\nWorkbook: {out}\nChart: {png}")
    return 0


def cmd_generate(args) -> int:
    from model.generate import write_case

    if args.flows < 100:
        raise InputError("--flows", [Problem(f"{args.flows} is too few; the smallest case has 400 flows",
                                             "Ask for 1000 or more.")])
    if args.years < 1 or args.scenarios < 0:
        raise InputError("--years/--scenarios", [Problem("--years must be at least 1 and --scenarios at least 0",
                                                         "For example --years 3 --scenarios 4.")])
    out = write_case(Path(args.output), args.flows, args.seed, args.years, args.scenarios)
    cases = args.years * (args.scenarios + 1)
    print(f"Synthetic case with about {args.flows:,} flow variables per year and scenario"
          + (f" ({cases} cases, about {args.flows * cases:,} in a robust plan)" if cases > 1 else "")
          + f" written: {out}" + ("\nSolve the robust plan with: corridor solve PATH --robust all"
                                  if args.scenarios else ""))
    return 0


def cmd_template(args) -> int:
    from model.report import write_input_workbook

    out = Path(args.path)
    if out.exists() and not args.force:
        raise OutputError(f"{out} exists; the template never overwrites a file. Choose another path, or add "
                          "--force.")
    write_input_workbook({}, out)
    print(f"Template written: {out} (every sheet with its headers; hover a header for its meaning and unit).")
    return 0


def cmd_convert(args) -> int:
    from model.inputs import ROW, read_input
    from model.report import atomic_path, write_input_workbook

    src, out = Path(args.input), Path(args.output)
    data = read_input(src)
    errors = [p for p in data.problems if p.severity == "error"]
    if errors:
        raise InputError(str(src), data.problems)
    tables = {name: df.drop(columns=[ROW]) for name, df in data.tables.items()}
    settings = {k: v for k, v in data.settings.items() if v is not None}
    if out.suffix.lower() == ".xlsx":
        write_input_workbook(tables, out, settings=settings, sources=data.sources, forbidden=src)
    else:
        out.mkdir(parents=True, exist_ok=True)
        import pandas as pd

        tables["Settings"] = pd.DataFrame({"key": list(settings), "value": list(settings.values())})
        if len(data.sources.columns):
            tables["Sources"] = data.sources
        for name, df in tables.items():
            with atomic_path(out / f"{name}.csv", forbidden=src / f"{name}.csv" if src.is_dir() else None) as tmp:
                df.to_csv(tmp, index=False)
    print(f"Converted {src} -> {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="corridor", description=(
        "Least-cost allocation of Kazakhstan's export cargo across trade corridors. "
        "Exit codes: 0 solved, 2 bad input, 3 infeasible or unbounded, 1 other errors."))
    p.add_argument("--version", action="version", version=f"corridor-model {__version__}")
    p.add_argument("--debug", action="store_true", help="show the Python traceback of internal errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("solve", help="solve a workbook (default inputs/base_case.xlsx) and write the result workbook")
    s.add_argument("input", nargs="?", default=str(DEFAULT_INPUT), help="workbook (.xlsx) or folder of CSV files")
    s.add_argument("-o", "--output", help="result workbook (default outputs/<input>_result.xlsx)")
    s.add_argument("--verbose", action="store_true", help="show HiGHS's log")
    s.add_argument("--scenario", help="a scenario from the Scenarios sheet; combine with +, e.g. a+b")
    s.add_argument("--robust", metavar="A,B,...",
                   help="one plan robust to these scenarios, or 'all' with a probability (probabilities from "
                        "the Scenarios sheet; the base case takes the rest): shared investments, flows per scenario")
    s.add_argument("--solver-option", action="append", default=[], metavar="KEY=VALUE",
                   help="a HiGHS option, e.g. solver=ipm or presolve=on (repeatable); by default dual simplex, "
                        "with presolve off from 50,000 columns")
    s.add_argument("--builder", choices=("fast", "pyomo"), default="fast",
                   help="build the LP as arrays (fast, default) or through the Pyomo model (the same LP, slower)")
    s.set_defaults(func=cmd_solve)

    v = sub.add_parser("validate", help="check a workbook and report every problem at once")
    v.add_argument("input", help="workbook (.xlsx) or folder of CSV files")
    v.set_defaults(func=cmd_validate)

    e = sub.add_parser("explain", help="why a route is (not) used, and what it would take")
    e.add_argument("input", help="workbook (.xlsx) or folder of CSV files")
    e.add_argument("--route", required=True, help="a route id from the Routes sheet")
    e.add_argument("--commodity", help="one commodity (default: every commodity the route may carry)")
    e.set_defaults(func=cmd_explain)

    w = sub.add_parser("sweep", help="re-solve over a grid of input values, or find exact breakpoints")
    w.add_argument("input", help="workbook (.xlsx) or folder of CSV files")
    w.add_argument("--set", action="append", default=[], metavar="PARAM=SPEC",
                   help="e.g. Legs[*>GWD].cost_usd_per_t=*0.5:1:11 (repeat for a grid)")
    w.add_argument("--name", help="a named sweep from the Sweeps sheet")
    w.add_argument("-o", "--output", help="sweep workbook (default outputs/<input>_sweep.xlsx)")
    w.add_argument("--workers", type=int, default=1, help="local processes (default 1)")
    w.add_argument("--dask", metavar="ADDRESS", help="a Dask distributed scheduler, e.g. tcp://10.0.0.5:8786")
    w.add_argument("--resume", action="store_true", help="continue an interrupted sweep")
    w.add_argument("--exact", action="store_true", help="every breakpoint of one parameter in start:stop")
    w.add_argument("--no-progress", action="store_true", help="no progress bar")
    w.set_defaults(func=cmd_sweep)

    n1 = sub.add_parser("stress", help="N-1: close each port, border, leg or corridor in turn")
    n1.add_argument("input", help="workbook (.xlsx) or folder of CSV files")
    n1.add_argument("--elements", default="ports,borders", help="kinds to close: ports,borders,hubs,legs")
    n1.add_argument("--corridors", action="store_true", help="close each corridor instead")
    n1.add_argument("--penalty", type=float, default=1000.0,
                    help="USD/t for stranded tonnes when the input sets none (default 1000)")
    n1.add_argument("-o", "--output", help="stress workbook (default outputs/<input>_stress.xlsx)")
    n1.add_argument("--no-progress", action="store_true", help="no progress bar")
    n1.set_defaults(func=cmd_stress)

    cp = sub.add_parser("compare", help="solve the base case and scenarios side by side")
    cp.add_argument("input", help="workbook (.xlsx) or folder of CSV files")
    cp.add_argument("--scenarios", help="comma list of scenarios (each may combine with +), or all (default)")
    cp.add_argument("-o", "--output", help="comparison workbook (default outputs/<input>_compare.xlsx)")
    cp.set_defaults(func=cmd_compare)

    k = sub.add_parser("check", help="recompute every constraint, cost and share of a result workbook")
    k.add_argument("input", help="the input workbook or CSV folder")
    k.add_argument("result", help="the result workbook written by 'corridor solve'")
    k.set_defaults(func=cmd_check)

    g = sub.add_parser("generate", help="write a synthetic case of a given size (for benchmarks)")
    g.add_argument("--flows", type=int, required=True, help="about how many flow variables")
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.add_argument("--years", type=int, default=1, help="planned years (a Periods sheet when 2 or more)")
    g.add_argument("--scenarios", type=int, default=0, help="scenarios with probabilities, for solve --robust all")
    g.add_argument("-o", "--output", required=True, help="a folder for CSV files, or a .xlsx path")
    g.set_defaults(func=cmd_generate)

    t = sub.add_parser("template", help="write a blank input workbook with notes on every header")
    t.add_argument("path", help="the workbook to create (.xlsx)")
    t.add_argument("--force", action="store_true", help="overwrite an existing file")
    t.set_defaults(func=cmd_template)

    c = sub.add_parser("convert", help="convert between a workbook and a folder of CSV files")
    c.add_argument("input", help="workbook (.xlsx) or folder of CSV files")
    c.add_argument("-o", "--output", required=True, help="a .xlsx path, or a folder for CSV files")
    c.set_defaults(func=cmd_convert)
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if not getattr(args, "func", None):
        p.print_help()
        return 1
    try:
        return args.func(args)
    except CorridorError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted; no output was written.", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped to a program that stopped reading (| head)
        sys.stdout = open(os.devnull, "w")
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
    only delays the prompt (about 0.2 s of a 1.5 s solve of the base case)."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # stdout piped to a program that stopped reading
        pass
    os._exit(code)


if __name__ == "__main__":
    entry()
