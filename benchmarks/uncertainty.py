"""corridor uncertainty on the base case: the time of 1,000 draws (issue 26's target: within 30 s on the
2-core machine) and the peak memory.

The shipped base case with the base year's Uncertainty sheet (inputs/base_year_uncalibrated/Uncertainty.csv,
the Sources ranges) beside it, as a CSV folder in a temporary directory. Prints the time to draw, to solve
every draw (the live model built first, as the command does), to tabulate, and the whole command (with the
drivers, the switching values, the workbook and the charts); then the peak resident memory of the process.
With --recalibrate each draw is recalibrated first (issue 26's target: 1,000 draws within 120 s); with --cuts
each draw also reports the cut each port of the focus needs (corridor uncertainty --cuts).
Not part of the test suite. Run: python benchmarks/uncertainty.py [DRAWS] [--workers N] [--recalibrate] [--cuts]
"""

from __future__ import annotations

import argparse
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "inputs"


def main(draws: int = 1000, workers: int = 1, recalibrate: bool = False, cuts: bool = False) -> None:
    from model.analysis.params import focus_of
    from model.analysis.sweep import run_sweep
    from model.analysis.uncertainty.design import check_draws, make_design, read_inputs
    from model.analysis.uncertainty.figures import DrawReport
    from model.analysis.uncertainty.ranges import port_names
    from model.analysis.uncertainty.tables import quantities, summary, used
    from model.commands.uncertainty import uncertainty_to_workbook
    from model.pipeline import load_one_year

    folder = Path(tempfile.mkdtemp())
    case = folder / "base_case"
    shutil.copytree(HERE / "base_case", case)
    shutil.copy(HERE / "base_year_uncalibrated" / "Uncertainty.csv", case / "Uncertainty.csv")
    data, net, _ = load_one_year(case)
    start = time.perf_counter()
    inputs = read_inputs(data)
    design = make_design(inputs, draws)
    check_draws(inputs, design)
    watch = focus_of(net, data.settings.focus)
    sweep = design.sweep(case, inputs, reported=DrawReport(watch, port_names(data, net, watch) if cuts else ()))
    sweep.recalibrate = recalibrate
    drawn = time.perf_counter() - start
    start = time.perf_counter()
    results = run_sweep(sweep, progress=False, workers=workers)
    solved = time.perf_counter() - start
    start = time.perf_counter()
    y = quantities(results, focus_of(net, data.settings.focus))
    summary(y), used(results, net)
    tabulated = time.perf_counter() - start
    start = time.perf_counter()
    uncertainty_to_workbook(case, folder / "u.xlsx", draws, workers=workers, progress=False, recalibrate=recalibrate,
                            cuts=cuts)
    command = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{platform.processor() or platform.machine()}, {len(inputs)} inputs in "
          f"{design.problem['num_vars']} dimensions, {draws:,} draws, {workers} worker(s)"
          + (", each recalibrated" if recalibrate else "") + (", with each port's cut (--cuts)" if cuts else ""))
    print(f"draw:                   {drawn:8.2f} s")
    print(f"solve every draw:       {solved:8.2f} s  ({draws / solved:,.0f} draws/s; the live model built first)")
    print(f"tabulate:               {tabulated:8.2f} s")
    print(f"the command, workbook:  {command:8.2f} s  (the input read again, the draws' journal, drivers, switching "
          "values, workbook and charts)")
    print(f"peak memory:            {peak:8.0f} MB" + (f" (largest worker {children:,.0f} MB)" if children else ""))
    shutil.rmtree(folder)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("draws", nargs="?", type=int, default=1000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--recalibrate", action="store_true")
    p.add_argument("--cuts", action="store_true")
    a = p.parse_args()
    main(a.draws, a.workers, a.recalibrate, a.cuts)
