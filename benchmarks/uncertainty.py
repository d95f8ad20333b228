"""corridor uncertainty on the base case: the time of 1,000 draws (issue 26's target: within 30 s on the
2-core machine), and how the memory goes with the draws (10,000 draws on a Dask LocalCluster: flat in the draws).

The shipped base case with the base year's Uncertainty sheet (inputs/base_year_uncalibrated/Uncertainty.csv,
the Sources ranges) beside it, as a CSV folder in a temporary directory (with --dask, converted to a workbook:
Dask takes one file). Prints the time to draw, to solve every draw into the tables' tally (the live model built
first, as the command does), to tabulate, and the whole command (with the drivers, the switching values, the
workbook and the charts; left out with --solve-only); then the peak resident memory of this process after the
solves and after the command, and of each worker process (a pool's: the largest; Dask's: each worker's own).
"Flat in the draws" is the peak at 1,000 draws against the peak at 10,000, each run in a fresh process.
With --recalibrate each draw is recalibrated first (issue 26's target: 1,000 draws within 120 s); with --cuts
each draw also reports the cut each port of the focus needs (corridor uncertainty --cuts).
Not part of the test suite. Run: python benchmarks/uncertainty.py [DRAWS] [--workers N | --dask] [--solve-only]
[--recalibrate] [--cuts]
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


def peak_mb() -> float:
    """This process's peak resident memory so far, MB (ru_maxrss: kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(draws: int = 1000, workers: int = 1, dask: bool = False, command: bool = True, recalibrate: bool = False,
         cuts: bool = False) -> None:
    from model.analysis.params import focus_of
    from model.analysis.sweep import live_model, stream_sweep
    from model.analysis.uncertainty.design import check_draws, make_design, read_inputs
    from model.analysis.uncertainty.figures import DrawReport
    from model.analysis.uncertainty.ranges import port_names
    from model.analysis.uncertainty.tables import DrawTally, summary
    from model.commands.uncertainty import uncertainty_to_workbook
    from model.pipeline import load_one_year
    from model.report.input_workbook import convert

    folder = Path(tempfile.mkdtemp())
    case = folder / "base_case"
    shutil.copytree(HERE / "base_case", case)
    shutil.copy(HERE / "base_year_uncalibrated" / "Uncertainty.csv", case / "Uncertainty.csv")
    cluster = address = None
    if dask:  # two worker processes of one thread each: the machine's two cores
        from distributed import LocalCluster

        case = convert(case, folder / "base_case.xlsx")
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
        address = cluster.scheduler_address
    data, net, _ = load_one_year(case)
    start = time.perf_counter()
    inputs = read_inputs(data)
    design = make_design(inputs, draws)
    check_draws(inputs, design)
    focus = focus_of(net, data.settings.focus)
    sweep = design.sweep(case, inputs, reported=DrawReport(focus, port_names(data, net, focus) if cuts else ()))
    sweep.recalibrate = recalibrate
    drawn = time.perf_counter() - start
    start = time.perf_counter()
    live = live_model(case, recalibrate=recalibrate)
    tally = DrawTally(draws, focus)
    stream_sweep(sweep, tally, progress=False, workers=workers, dask=address, live=live)
    solved = time.perf_counter() - start
    solved_peak = peak_mb()
    start = time.perf_counter()
    summary(tally.quantities()), tally.used(net)
    tabulated = time.perf_counter() - start
    whole = None
    if command:
        start = time.perf_counter()
        uncertainty_to_workbook(case, folder / "u.xlsx", draws, workers=workers, dask=address, progress=False,
                                recalibrate=recalibrate, cuts=cuts)
        whole = time.perf_counter() - start
    peak = peak_mb()
    if cluster is not None:
        from distributed import Client

        with Client(address) as client:  # each worker's own peak (ru_maxrss in the worker's process)
            held = sorted(client.run(peak_mb).values())
        cluster.close()
        workers_said = "Dask workers " + ", ".join(f"{mb:,.0f}" for mb in held) + " MB"
    else:
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        workers_said = f"largest worker {children:,.0f} MB" if children else ""
    print(f"{platform.processor() or platform.machine()}, {len(inputs)} inputs in "
          f"{design.problem['num_vars']} dimensions, {draws:,} draws, "
          + ("a Dask LocalCluster (2 workers, 1 thread each)" if dask else f"{workers} worker(s)")
          + (", each recalibrated" if recalibrate else "") + (", with each port's cut (--cuts)" if cuts else ""))
    print(f"draw:                   {drawn:8.2f} s")
    print(f"solve every draw:       {solved:8.2f} s  ({draws / solved:,.0f} draws/s; the live model built first)")
    print(f"tabulate:               {tabulated:8.2f} s")
    if whole is not None:
        print(f"the command, workbook:  {whole:8.2f} s  (the input read again, the draws' journal, drivers, "
              "switching values, workbook and charts)")
    print(f"peak memory:            {solved_peak:8.0f} MB after the solves, {peak:,.0f} MB at the end"
          + (f" ({workers_said})" if workers_said else ""))
    shutil.rmtree(folder)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("draws", nargs="?", type=int, default=1000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--dask", action="store_true", help="on a Dask LocalCluster of 2 workers, 1 thread each")
    p.add_argument("--solve-only", action="store_true", help="leave out the whole command (workbook, drivers)")
    p.add_argument("--recalibrate", action="store_true", help="each draw recalibrated first")
    p.add_argument("--cuts", action="store_true", help="each draw also reports each focus port's cut")
    a = p.parse_args()
    main(a.draws, a.workers, a.dask, not a.solve_only, a.recalibrate, a.cuts)
