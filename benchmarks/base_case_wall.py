"""The base case end to end, as a planner runs it: wall time of `corridor solve` on the shipped
workbook, imports and start-up included, over several runs; beside it the time of importing the
libraries alone and the phases the command itself reports. Not part of the test suite.

Run: python benchmarks/base_case_wall.py [RUNS]   (from the top folder; default 10 runs)
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = "import numpy, pandas, openpyxl, highspy"


def wall(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return seconds, done.stdout


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    with tempfile.TemporaryDirectory() as d:
        out = str(Path(d) / "base.xlsx")
        solve = [sys.executable, "-m", "model.cli", "solve", "inputs/base_case.xlsx", "-o", out]
        totals, phases = [], []
        for _ in range(runs):
            seconds, stdout = wall(solve)
            totals.append(seconds)
            line = re.search(r"Result workbook: .*\((.*)\)", stdout)
            phases.append(line.group(1) if line else "")
    imports = [wall([sys.executable, "-c", IMPORTS])[0] for _ in range(runs)]
    bare = [wall([sys.executable, "-c", "pass"])[0] for _ in range(runs)]

    def row(name: str, xs: list[float]) -> str:
        return f"{name:<52}{min(xs):>8.2f}{statistics.median(xs):>8.2f}{max(xs):>8.2f}"

    print(f"{f'{runs} runs, seconds of wall time':<52}{'min':>8}{'median':>8}{'max':>8}")
    print(row("corridor solve inputs/base_case.xlsx", totals))
    print(row(f"python -c '{IMPORTS}'", imports))
    print(row("python -c pass", bare))
    print("phases of the median run, as the command reports them:",
          phases[sorted(range(runs), key=totals.__getitem__)[runs // 2]])


if __name__ == "__main__":
    main()
