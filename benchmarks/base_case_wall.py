"""The base case end to end, as a planner runs it: wall time of `corridor solve` on the shipped
workbook, imports and start-up included, over several runs; beside it the time of importing the
libraries alone and the phases the command itself reports. Not part of the test suite.

Python caches each module's compiled bytecode in __pycache__ the first time it imports it, unless
PYTHONDONTWRITEBYTECODE is set. pip compiles the libraries when it installs them, but an editable
install (the README's `pip install -e .`) leaves our own package to be compiled on first use: a
planner's second and later runs load it compiled. A machine that sets the variable (this
workplace's does) compiles our ~60 modules on every run: 0.02-0.03 s of importing them, measured
on 2026-11-27. So the solve is timed both ways, in the environment as it is and with bytecode
cached (the variable removed, after one run that writes the cache), and once more without the
map (--no-map), which shows what the map costs against issue 16's aim of 0.7 s.

Run: python benchmarks/base_case_wall.py [RUNS]   (from the top folder; default 10 runs)
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = "import numpy, pandas, openpyxl, highspy"
CACHED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(args: list[str], env: dict | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return seconds, done.stdout


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rows, median_phases = [], {}
    with tempfile.TemporaryDirectory() as d:
        out = str(Path(d) / "base.xlsx")
        solve = [sys.executable, "-m", "model.cli", "solve", "inputs/base_case.xlsx", "-o", out, "--force"]
        wall(solve, CACHED)  # writes model/__pycache__ (ignored by git)
        setting = os.environ.get("PYTHONDONTWRITEBYTECODE")
        kinds = [(f"corridor solve (PYTHONDONTWRITEBYTECODE={setting or 'unset'})", solve, None),
                 ("corridor solve, bytecode cached", solve, CACHED),
                 ("corridor solve --no-map, bytecode cached", solve + ["--no-map"], CACHED)]
        times = {name: [] for name, _, _ in kinds}
        phases = {name: [] for name, _, _ in kinds}
        for _ in range(runs):  # the kinds in turn, so that the machine's drift touches each alike
            for name, args, env in kinds:
                seconds, stdout = wall(args, env)
                times[name].append(seconds)
                line = re.search(r"Result workbook: .*\((.*)\)", stdout)
                phases[name].append(line.group(1) if line else "")
        for name, totals in times.items():
            rows.append((name, totals))
            median_phases[name] = phases[name][sorted(range(runs), key=totals.__getitem__)[runs // 2]]
    rows.append((f"python -c '{IMPORTS}'", [wall([sys.executable, "-c", IMPORTS])[0] for _ in range(runs)]))
    rows.append(("python -c pass", [wall([sys.executable, "-c", "pass"])[0] for _ in range(runs)]))

    print(f"{f'{runs} runs, seconds of wall time':<52}{'min':>8}{'median':>8}{'max':>8}")
    for name, xs in rows:
        print(f"{name:<52}{min(xs):>8.2f}{statistics.median(xs):>8.2f}{max(xs):>8.2f}")
    print("phases of each solve's median run, as the command reports them:")
    for name, text in median_phases.items():
        print(f"  {name}: {text}")


if __name__ == "__main__":
    main()
