"""Where the time goes, from 1k to 1M flow variables: read, build, hand-off, HiGHS, extract, write.

For each size a synthetic case (`corridor generate`) is written to a temporary folder, then one
process per size times each phase of `corridor solve` and records its peak memory; beside it,
bare highspy solves the LP we hand HiGHS, written with HiGHS's own writer from inside the run and
read in a fresh process, and ranges it (the reference for the solver's own time). Not part of
the test suite.

With --allocation choice the plan is solved as `corridor solve` does under allocation choice (the
generated cases carry a Dispersions sheet): the LP, then the logit on its rows (model.lp.choice), and
the table gives the choice step beside HiGHS's own solve, its Newton steps and the whole run's peak.

Run: python benchmarks/scale.py [SIZES...] [--years Y] [--scenarios S] [--builder fast|pyomo]
                                [--allocation least_cost|choice]
     e.g. python benchmarks/scale.py 1000 10000 100000
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PHASES = ("read", "build", "hand-off", "HiGHS", "extract", "write")


def measure(case: str, out: str, robust: str | None = None, builder: str = "fast", mps: str | None = None,
            allocation: str = "least_cost") -> dict:
    """Run in a child process: time every phase of one solve, as corridor solve runs it (without
    garbage-collection passes, as model.pipeline.run does); the LP handed to HiGHS is written to
    mps (Highs.writeModel, outside the clocks) for the bare solve. allocation choice: the plan's
    Settings say so, and the choice step (model.steps.allocated) is timed after HiGHS."""
    import gc

    gc.disable()
    times = {}
    t = time.perf_counter()
    import numpy as np

    import model.lp.highs
    from model.lp.highs import load_highs, solve_lp
    from model.pipeline import analyse, tabulate
    from model.pipeline import load as load_plan
    from model.report.workbook import write_results

    times["imports"] = time.perf_counter() - t
    t = time.perf_counter()
    plan, _ = load_plan(case, robust=robust)
    plan.data.settings = plan.data.settings.replace(allocation=allocation)
    times["read"] = time.perf_counter() - t
    t = time.perf_counter()
    if builder == "pyomo":
        from model.lp.statement.compile import build_and_compile

        lp, rows, columns = build_and_compile(plan)
    else:
        from model.lp.assemble import build_lp

        lp, rows, columns = build_lp(plan)
    for case in plan.cases:
        case.net.forget_indexes()  # as model.lp.solve does: the build's memberships are let go
    times["build"] = time.perf_counter() - t
    t = time.perf_counter()
    h = load_highs(lp)
    bounds = (np.array(lp.row_lower_, dtype=float), np.array(lp.row_upper_, dtype=float))
    del lp  # as model.lp.solve does: HiGHS holds the LP now
    times["hand-off"] = time.perf_counter() - t
    if mps:
        h.writeModel(mps)
    marks = {}

    def clock(name):  # solve_lp's phases: 'solving' starts HiGHS, 'results' ends it
        marks[name] = time.perf_counter()

    ranging = model.lp.highs.read_ranging

    def timed_ranging(sol):
        start = time.perf_counter()
        try:
            return ranging(sol)
        finally:
            times["ranging"] = time.perf_counter() - start

    model.lp.highs.read_ranging = timed_ranging
    sol = solve_lp(h, rows, columns, bounds, phases=clock)
    times["HiGHS"] = sol.seconds
    t0 = marks["results"]
    steps = None
    if allocation == "choice":  # as model.steps.solve does, before HiGHS is let go
        from model.steps import allocated

        t = time.perf_counter()
        sol = allocated(plan, sol)
        times["choice"] = time.perf_counter() - t
        t0 += times["choice"]  # extract: what follows the choice step
        steps = sol.choice.steps
        times["peak by choice MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if plan.single and sol.mip is None:  # as corridor solve does (model.pipeline.run, keep_solver=False)
        del h
        sol.highs = None
    results = tabulate(plan, sol, analyse(plan, sol))
    times["extract"] = time.perf_counter() - t0
    t = time.perf_counter()
    if out:
        write_results(results, Path(out))
    times["write"] = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    info = {"flows": sum(len(c.net.flows) for c in plan.cases), "rows": len(rows), "cols": len(columns),
            "status": sol.status, "method": sol.method, "steps": steps}
    return {**info, "times": times, "peak_mb": peak_mb}


# Bare HiGHS on the LP we hand it, in a fresh process: its solve and its ranging, with the
# settings corridor solve chose (presolve off from PRESOLVE_OFF_FROM_COLUMNS columns).
BARE = """
import sys, time, resource, highspy
h = highspy.Highs(); h.setOptionValue("output_flag", False)
h.readModel(sys.argv[1])
if h.getNumCol() >= int(sys.argv[2]): h.setOptionValue("presolve", "off")
t = time.perf_counter(); h.run(); run = time.perf_counter() - t
t = time.perf_counter(); h.getRanging(); ranging = time.perf_counter() - t
print(run, ranging, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def bare_highs(mps: str) -> tuple[float, float, float]:
    """(solve, ranging, peak MB) of bare HiGHS on the written LP."""
    from model.lp.highs import PRESOLVE_OFF_FROM_COLUMNS

    done = subprocess.run([sys.executable, "-c", BARE, mps, str(PRESOLVE_OFF_FROM_COLUMNS)], capture_output=True,
                          text=True, check=True)
    run, ranging, mb = map(float, done.stdout.strip().splitlines()[-1].split())
    return run, ranging, mb


def main() -> None:
    import argparse

    from model.commands.generate import write_case

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000], help="flow variables per case")
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--scenarios", type=int, default=0, help="solved as a robust plan over all of them")
    ap.add_argument("--builder", choices=("fast", "pyomo"), default="fast")
    ap.add_argument("--allocation", choices=("least_cost", "choice"), default="least_cost")
    ap.add_argument("--no-write", action="store_true", help="choice: leave the result workbook unwritten (under choice "
                    "every flow carries tonnes, and the Flows sheet has a row for each)")
    args = ap.parse_args()
    if args.allocation == "choice":
        return choice_table(args)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"builder {args.builder}")
    head = f"{'flows':>10}{'rows':>9}" + "".join(f"{p:>10}" for p in PHASES) + f"{'bare HiGHS':>11}{'ratio':>8}" \
        + f"{'overhead':>9}{'peak MB':>9}{'ranging':>9}{'bare rng':>9}{'vs s+r':>8}{'bare MB':>8}  method"
    print(head)
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as d:
            case = write_case(Path(d) / "case", n, years=args.years, scenarios=args.scenarios)
            robust = "all" if args.scenarios else None
            mps = str(Path(d) / "lp.mps")
            r = child(case, d, robust, args.builder, mps)
            if r is None:
                continue
            bare, bare_ranging, bare_mb = bare_highs(mps)
        t = r["times"]
        t["bare HiGHS"] = bare
        ours = sum(t[p] for p in PHASES)
        overhead = ours - t["HiGHS"]
        print(f"{r['flows']:>10,}{r['rows']:>9,}" + "".join(f"{t[p]:>10.2f}" for p in PHASES)
              + f"{bare:>11.2f}{ours / bare:>8.1f}{overhead / t['HiGHS']:>9.1f}{r['peak_mb']:>9,.0f}"
              + f"{t.get('ranging', float('nan')):>9.2f}{bare_ranging:>9.2f}{ours / (bare + bare_ranging):>8.1f}"
              + f"{bare_mb:>8,.0f}  {r['method']}", flush=True)
    print("Seconds per phase; ratio = (read + build + hand-off + HiGHS + extract + write) / bare HiGHS solve;\n"
          "overhead = everything but HiGHS, over HiGHS's own time. extract includes HiGHS ranging (ranging; and, for\n"
          "a robust plan, the base-only plan and its re-solve for the value of the stochastic solution). Bare HiGHS:\n"
          "the LP we hand HiGHS, written with Highs.writeModel in the run and solved in a fresh process (bare rng:\n"
          "its ranging; vs s+r = our total over bare solve + bare ranging; bare MB: that process's peak).")


def child(case: Path, d: str, robust: str | None, builder: str, mps: str | None,
          allocation: str = "least_cost", write: bool = True) -> dict | None:
    """measure() in a fresh process (its peak memory its own); None, said, if it failed."""
    code = ("import json, sys; sys.path.insert(0, {!r}); from benchmarks.scale import measure; "
            "print(json.dumps(measure({!r}, {!r}, {!r}, {!r}, {!r}, {!r})))".format(
                str(Path(__file__).resolve().parent.parent), str(case), str(Path(d) / "out.xlsx") if write else "",
                robust, builder, mps, allocation))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        print(f"{allocation}: failed: {done.stderr.strip().splitlines()[-1]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def choice_table(args) -> None:
    """Each size solved twice in fresh processes, least cost and choice: the choice step against
    HiGHS's own solve and against the whole run, and both runs' peak memory."""
    from model.commands.generate import write_case

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"builder {args.builder}; allocation choice against least_cost")
    print(f"{'flows':>10}{'rows':>7}{'HiGHS':>8}{'choice':>8}{'choice/HiGHS':>13}{'steps':>6}{'LP run':>8}"
          f"{'choice run':>11}{'its write':>10}{'LP MB':>8}{'choice MB':>10}{'by choice':>10}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as d:
            case = write_case(Path(d) / "case", n, years=args.years, scenarios=args.scenarios)
            robust = "all" if args.scenarios else None
            lp = child(case, d, robust, args.builder, None, write=not args.no_write)
            ch = child(case, d, robust, args.builder, None, "choice", write=not args.no_write)
        if lp is None or ch is None:
            continue
        t = ch["times"]
        runs = [sum(r["times"][p] for p in (*PHASES, "choice") if p in r["times"]) for r in (lp, ch)]
        print(f"{ch['flows']:>10,}{ch['rows']:>7,}{t['HiGHS']:>8.2f}{t['choice']:>8.2f}"
              f"{t['choice'] / t['HiGHS']:>13.1f}{ch['steps']:>6}{runs[0]:>8.2f}{runs[1]:>11.2f}{t['write']:>10.2f}"
              f"{lp['peak_mb']:>8,.0f}{ch['peak_mb']:>10,.0f}{t['peak by choice MB']:>10,.0f}", flush=True)
    print("Seconds. HiGHS: its solve in the choice run (ranging not included); choice: reading the program off\n"
          "HiGHS's LP, the projected Newton steps on the dual and writing the Solution (model.steps.allocated);\n"
          "LP run / choice run: read + build + hand-off + HiGHS (+ choice) + extract + write of corridor solve\n"
          "(the map not drawn; with --no-write no workbook either); its write: the choice run's workbook;\n"
          "MB: each run's peak resident memory, in its own process; by choice: the choice run's peak up to the end\n"
          "of the choice step (what follows is the result tables, a row for every flow with tonnes).")


if __name__ == "__main__":
    main()
