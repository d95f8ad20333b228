"""Sweep throughput on the base case against bare HiGHS re-solves of the same LP.

Prints points per second for `corridor sweep` serially and with worker processes, and the
time of the same re-solves done with bare highspy calls (the same cost vectors pushed with
changeColsCost, the same starting basis, then run): the ratio is our overhead per point.
Not part of the test suite.  Run: python benchmarks/sweep_throughput.py [POINTS] [--flows N]
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np

from model.analysis.sweep import live_model, make_sweep, run_sweep
from model.pipeline import load_one_year as load

BASE = Path(__file__).resolve().parent.parent / "inputs" / "base_case.xlsx"


def main(points: int = 400, flows: int | None = None) -> None:
    if flows:  # a synthetic case: two legs that many routes share
        import tempfile

        from model.commands.generate import write_case

        case = write_case(Path(tempfile.mkdtemp()) / "case", flows)
        legs = ("O00>B000", "B000>P000")
    else:
        case, legs = BASE, ("RUB>NVR", "DOS>MCN")
    run_benchmark(case, legs, points)


def run_benchmark(BASE: Path, legs: tuple[str, str], points: int) -> None:
    steps = int(round(points ** 0.5))
    assignments = [f"Legs[{leg}].cost_usd_per_t=*0.5:1.5:{steps}" for leg in legs]
    data, _, _ = load(BASE)
    sweep = make_sweep(BASE, data, assignments)
    n = len(sweep.points)
    live = live_model(BASE)

    start = time.perf_counter()
    results = run_sweep(sweep, progress=False, live=live)
    serial = time.perf_counter() - start
    solver_time = sum(r.solve_seconds or 0.0 for r in results)

    # Bare HiGHS: the same cost vectors, precomputed; only the HiGHS calls are timed.
    vectors = []
    for point in sweep.points:
        live.apply(sweep.cell_values(point))
        vectors.append(live.current_costs.copy())
    h, basis = live.h, live.base_basis
    idx = np.arange(len(vectors[0]), dtype=np.int32)
    start = time.perf_counter()
    for c in vectors:
        h.changeColsCost(len(idx), idx, c)
        h.setBasis(basis)
        h.run()
        h.getSolution()
    bare = time.perf_counter() - start

    rows = [("bare HiGHS re-solves", bare, 1.0),
            ("corridor sweep, serial (live model)", serial, serial / bare)]
    for workers in (2,):
        start = time.perf_counter()
        run_sweep(sweep, workers=workers, progress=False)
        t = time.perf_counter() - start
        rows.append((f"corridor sweep, {workers} processes (incl. start-up)", t, t / bare))

    print(f"{BASE.name}: {len(live.columns)} columns, {len(live.rows)} rows; {n} points "
          f"({steps} x {steps} grid of two leg costs)")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'':44}{'seconds':>9}{'points/s':>10}{'ms/point':>10}{'ratio':>8}")
    for name, t, ratio in rows:
        print(f"{name:44}{t:9.3f}{n / t:10.0f}{1000 * t / n:10.2f}{ratio:8.2f}")
    print(f"HiGHS's own run time inside the serial sweep: {solver_time:.3f} s "
          f"({1000 * solver_time / n:.2f} ms/point)")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("points", nargs="?", type=int, default=400)
    ap.add_argument("--flows", type=int, help="a synthetic case of about this many flows instead of the base case")
    a = ap.parse_args()
    main(a.points, a.flows)
