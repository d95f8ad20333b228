"""`corridor`: solve, validate, template, convert. Thin: parse, call, map errors to exit codes.

Exit codes: 0 solved (or valid, or checked); 2 bad input; 3 infeasible or unbounded;
1 anything else (for check: violations found).
"""

from __future__ import annotations

import argparse
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
    out = Path(args.output) if args.output else _default_output(src)
    options = dict(_parse_option(o) for o in args.solver_option)
    start = time.perf_counter()
    run = solve_case(src, verbose=args.verbose, options=options)
    _print_warnings(str(src), run.warnings)
    write_results(run.results, out, input_path=src)
    print(summary_text(run.results))
    print(f"\nResult workbook: {out}  ({time.perf_counter() - start:.2f} s)")
    return 0


def summary_text(results) -> str:
    """The short summary printed after a solve."""
    s = results.summary.set_index("item")["value"]
    lines = [
        f"Scenario {s['scenario']}: {s['status']}",
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
            lines.append(f"{name:<28}{rec.capacity_t / 1e6:>10,.2f}{rec.shadow_price_usd_per_t:>14,.2f}")
    else:
        lines.append("No capacity is binding.")
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
    s.add_argument("--solver-option", action="append", default=[], metavar="KEY=VALUE",
                   help="a HiGHS option, e.g. solver=ipm (repeatable)")
    s.set_defaults(func=cmd_solve)

    v = sub.add_parser("validate", help="check a workbook and report every problem at once")
    v.add_argument("input", help="workbook (.xlsx) or folder of CSV files")
    v.set_defaults(func=cmd_validate)

    e = sub.add_parser("explain", help="why a route is (not) used, and what it would take")
    e.add_argument("input", help="workbook (.xlsx) or folder of CSV files")
    e.add_argument("--route", required=True, help="a route id from the Routes sheet")
    e.add_argument("--commodity", help="one commodity (default: every commodity the route may carry)")
    e.set_defaults(func=cmd_explain)

    k = sub.add_parser("check", help="recompute every constraint, cost and share of a result workbook")
    k.add_argument("input", help="the input workbook or CSV folder")
    k.add_argument("result", help="the result workbook written by 'corridor solve'")
    k.set_defaults(func=cmd_check)

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
    except Exception as exc:  # a bug: say so plainly, keep the traceback for --debug
        if args.debug:
            traceback.print_exc()
        print(f"corridor: internal error ({type(exc).__name__}: {exc}). This is a bug in corridor-model, not in "
              "your input; please report it with the input file. Run with --debug for details.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
