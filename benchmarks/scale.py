"""Where the time goes, from 1k to 1M flow variables: read, build, hand-off, HiGHS, extract, write.

For each size a synthetic case (`corridor generate`) is written to a temporary folder, then one
process per size times each phase of `corridor solve` and records its peak memory; beside it,
bare highspy solves the same LP from the compiled matrix (the reference for the solver's own
time). Not part of the test suite.

Run: python benchmarks/scale.py [SIZES...]     e.g. python benchmarks/scale.py 1000 10000 100000
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


def measure(case: str, out: str) -> dict:
    """Run in a child process: time every phase of one solve."""
    times = {}
    t = time.perf_counter()
    from model.build import build_model
    from model.report import write_results
    from model.results import collect
    from model.solve import Solution, read_ranging, to_highs
    from model.validate import load

    times["imports"] = time.perf_counter() - t
    t = time.perf_counter()
    data, net, _ = load(case)
    times["read"] = time.perf_counter() - t
    t = time.perf_counter()
    m = build_model(data, net)
    times["build"] = time.perf_counter() - t
    t = time.perf_counter()
    h, rows, columns = to_highs(m)
    times["hand-off"] = time.perf_counter() - t
    t = time.perf_counter()
    h.run()
    times["HiGHS"] = time.perf_counter() - t
    status = h.modelStatusToString(h.getModelStatus())
    t = time.perf_counter()
    sol = Solution(status, status == "Optimal", h.getInfo().objective_function_value, highs=h, rows=rows,
                   columns=columns)
    s = h.getSolution()
    for (var, index), x, rc in zip(columns, s.col_value, s.col_dual):
        sol.values.setdefault(var, {})[index] = x
        sol.reduced_costs.setdefault(var, {})[index] = rc
    lp = h.getLp()
    for (con, index, sense), y, lo, up in zip(rows, s.row_dual, lp.row_lower_, lp.row_upper_):
        sol.duals.setdefault(con, {})[index] = y
        sol.senses.setdefault(con, {})[index] = sense
        sol.rhs.setdefault(con, {})[index] = float(up if sense == 1 else lo)
    read_ranging(sol)
    results = collect(data, net, sol)
    times["extract"] = time.perf_counter() - t
    t = time.perf_counter()
    write_results(results, Path(out))
    times["write"] = time.perf_counter() - t

    import highspy

    bare = highspy.Highs()
    bare.setOptionValue("output_flag", False)
    bare.passModel(lp)
    t = time.perf_counter()
    bare.run()
    times["bare HiGHS"] = time.perf_counter() - t
    return {"flows": len(net.flows), "rows": len(rows), "status": status, "times": times,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(sizes: list[int]) -> None:
    from model.generate import write_case

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    head = f"{'flows':>9}{'rows':>8}" + "".join(f"{p:>10}" for p in PHASES) + f"{'bare HiGHS':>11}{'ratio':>8}" \
        + f"{'peak MB':>9}"
    print(head)
    for n in sizes:
        with tempfile.TemporaryDirectory() as d:
            case = write_case(Path(d) / "case", n)
            code = ("import json, sys; sys.path.insert(0, %r); from benchmarks.scale import measure; "
                    "print(json.dumps(measure(%r, %r)))" % (str(Path(__file__).resolve().parent.parent),
                                                           str(case), str(Path(d) / "out.xlsx")))
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if done.returncode:
                print(f"{n:>9}  failed: {done.stderr.strip().splitlines()[-1]}")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
        t = r["times"]
        ours = sum(t[p] for p in PHASES)
        print(f"{r['flows']:>9,}{r['rows']:>8,}" + "".join(f"{t[p]:>10.2f}" for p in PHASES)
              + f"{t['bare HiGHS']:>11.2f}{ours / t['bare HiGHS']:>8.1f}{r['peak_mb']:>9,.0f}")
    print("Seconds per phase; ratio = (read + build + hand-off + HiGHS + extract + write) / bare HiGHS solve.")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
