"""Where the time goes, from 1k to 1M flow variables: read, build, hand-off, HiGHS, extract, write.

For each size a synthetic case (`corridor generate`) is written to a temporary folder, then one
process per size times each phase of `corridor solve` and records its peak memory; beside it,
bare highspy solves the same LP from the compiled matrix (the reference for the solver's own
time). Not part of the test suite.

Run: python benchmarks/scale.py [SIZES...] [--years Y] [--scenarios S] [--builder fast|pyomo]
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


def measure(case: str, out: str, robust: str | None = None, builder: str = "fast") -> dict:
    """Run in a child process: time every phase of one solve, as corridor solve runs it (without
    garbage-collection passes, as model.pipeline.run does)."""
    import gc

    gc.disable()
    times = {}
    t = time.perf_counter()
    import highspy
    import numpy as np

    from model.io.workbook import write_results
    from model.lp.highs import PRESOLVE_OFF_FROM_COLUMNS, load_highs, solve_lp
    from model.pipeline import load as load_plan
    from model.pipeline import tabulate

    times["imports"] = time.perf_counter() - t
    t = time.perf_counter()
    plan, _ = load_plan(case, robust=robust)
    times["read"] = time.perf_counter() - t
    t = time.perf_counter()
    if builder == "pyomo":
        from model.lp.statement.compile import build_and_compile

        lp, rows, columns = build_and_compile(plan)
    else:
        from model.lp.assemble import build_lp

        lp, rows, columns = build_lp(plan)
    times["build"] = time.perf_counter() - t
    t = time.perf_counter()
    h = load_highs(lp)
    bounds = (np.array(lp.row_lower_, dtype=float), np.array(lp.row_upper_, dtype=float))
    del lp  # as model.lp.solve does: HiGHS holds the LP now
    times["hand-off"] = time.perf_counter() - t
    marks = {}

    def clock(name):  # solve_lp's phases: 'solving' starts HiGHS, 'results' ends it
        marks[name] = time.perf_counter()

    sol = solve_lp(h, rows, columns, bounds, phases=clock)
    times["HiGHS"] = sol.seconds
    t0 = marks["results"]
    results = tabulate(plan, sol)
    times["extract"] = time.perf_counter() - t0
    t = time.perf_counter()
    write_results(results, Path(out))
    times["write"] = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ours, before the bare solve
    del results
    info = {"flows": sum(len(c.net.flows) for c in plan.cases), "rows": len(rows), "cols": len(columns),
            "status": sol.status, "method": sol.method}
    lp = sol.highs.getLp()  # the same LP, for bare HiGHS from a fresh start
    del sol, h, plan

    bare = highspy.Highs()
    bare.setOptionValue("output_flag", False)
    for key, value in (("presolve", "off"),) if lp.num_col_ >= PRESOLVE_OFF_FROM_COLUMNS else ():
        bare.setOptionValue(key, value)  # the settings corridor solve chose
    bare.passModel(lp)
    t = time.perf_counter()
    bare.run()
    times["bare HiGHS"] = time.perf_counter() - t
    return {**info, "times": times, "peak_mb": peak_mb}


def main() -> None:
    import argparse

    from model.analysis.generate import write_case

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000], help="flow variables per case")
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--scenarios", type=int, default=0, help="solved as a robust plan over all of them")
    ap.add_argument("--builder", choices=("fast", "pyomo"), default="fast")
    args = ap.parse_args()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"builder {args.builder}")
    head = f"{'flows':>10}{'rows':>9}" + "".join(f"{p:>10}" for p in PHASES) + f"{'bare HiGHS':>11}{'ratio':>8}" \
        + f"{'overhead':>9}{'peak MB':>9}  method"
    print(head)
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as d:
            case = write_case(Path(d) / "case", n, years=args.years, scenarios=args.scenarios)
            robust = "all" if args.scenarios else None
            code = ("import json, sys; sys.path.insert(0, %r); from benchmarks.scale import measure; "
                    "print(json.dumps(measure(%r, %r, %r, %r)))" % (
                        str(Path(__file__).resolve().parent.parent), str(case), str(Path(d) / "out.xlsx"), robust,
                        args.builder))
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if done.returncode:
                print(f"{n:>10}  failed: {done.stderr.strip().splitlines()[-1]}")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
        t = r["times"]
        ours = sum(t[p] for p in PHASES)
        overhead = ours - t["HiGHS"]
        print(f"{r['flows']:>10,}{r['rows']:>9,}" + "".join(f"{t[p]:>10.2f}" for p in PHASES)
              + f"{t['bare HiGHS']:>11.2f}{ours / t['bare HiGHS']:>8.1f}{overhead / t['HiGHS']:>9.1f}"
              + f"{r['peak_mb']:>9,.0f}  {r['method']}", flush=True)
    print("Seconds per phase; ratio = (read + build + hand-off + HiGHS + extract + write) / bare HiGHS solve;\n"
          "overhead = everything but HiGHS, over HiGHS's own time. extract includes HiGHS ranging (and, for a\n"
          "robust plan, the base-only plan and its re-solve for the value of the stochastic solution).")


if __name__ == "__main__":
    main()
