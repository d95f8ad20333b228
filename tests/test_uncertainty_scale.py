"""Uncertainty runs at scale: what a worker raises reaches the planner as it would serially, a worker that dies is
said with the way to go on, and the parent keeps a few hundred bytes a draw, not the draw's point, however the
draws are run."""

from __future__ import annotations

import os
import pickle
import re
import signal
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cases import legs, transport_case, write_case

from model.analysis.params import focus_of
from model.analysis.sweep import run_sweep, stream_sweep
from model.analysis.uncertainty.design import make_design, read_inputs
from model.analysis.uncertainty.figures import DrawReport
from model.analysis.uncertainty.tables import DrawTally, quantities, used
from model.errors import CorridorError, InputError, NoSolutionError, Problem, SolverStoppedError
from model.pipeline import load_one_year as load

ROAD = "Legs[R>M].cost_usd_per_t"


def case_tables(**changes) -> dict:
    """100 t A -> M: rail A>M at 10 USD/t, road A>R>M at 3 + R>M, R>M uniform on [2, 22] (the road is used below 7),
    and A>M's capacity 70 t, so the rail's bottleneck has a value in some draws."""
    tables = transport_case(Legs=legs(("A", "M", 10, 1), ("A", "R", 3, 1), ("R", "M", 12, 1)),
                            Uncertainty=[{"input": ROAD, "distribution": "uniform", "low": 2, "high": 22}],
                            Capacities=[{"element": "A>M", "capacity_t": 70}])
    tables.update(changes)
    return tables


def uncertainty_sweep(case: Path, draws: int, reported=None):
    data, net, _ = load(case)
    inputs = read_inputs(data)
    design = make_design(inputs, draws, seed=3)
    watch = focus_of(net, data.settings.focus)
    return design.sweep(case, inputs, reported=reported or DrawReport(watch)), net, watch


def test_every_error_of_the_model_crosses_a_process_whole():
    # A worker process or a Dask worker sends what it raised back pickled: each error class must come back with its
    # message, its problems and its exit code (an InputError did not unpickle: its constructor takes two arguments).
    problems = [Problem("must be >= 0, found -50", "Enter a non-negative capacity.", sheet="Legs", row=7,
                        key="KHO>KSG", column="capacity_t")]
    for error in (InputError("case.xlsx", problems), NoSolutionError("infeasible: demand M cannot be met"),
                  SolverStoppedError("stopped by time_limit"), CorridorError("a worker stopped")):
        back = pickle.loads(pickle.dumps(error))
        assert (type(back), str(back), back.exit_code) == (type(error), str(error), error.exit_code)
        assert getattr(back, "problems", None) == getattr(error, "problems", None)


def test_an_error_met_in_a_worker_is_the_message_met_serially(tmp_path):
    from distributed import LocalCluster

    # The workbook saved again as the run starts, each worker reading it: with a mode the model does not know (an
    # InputError, exit 2), or with room for 20 t of the 100 (A>M and R>M hold 10 t each: no optimum, exit 3).
    teleport = [*legs(("A", "M", 10, 1), ("A", "R", 3, 1)),
                {"from": "R", "to": "M", "mode": "teleport", "cost_usd_per_t": 12, "transit_days": 1}]
    tight = [{"element": "A>M", "capacity_t": 10}, {"element": "R>M", "capacity_t": 10}]
    cases = [(case_tables(Legs=teleport), InputError, "case.xlsx: 1 problem\n  Legs, row 4 (R>M), mode: expected"),
             (case_tables(Capacities=tight), NoSolutionError, "The base case of the sweep has no optimum.")]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        for n, (changed, error, said) in enumerate(cases):
            folder = tmp_path / str(n)
            case = write_case(folder, case_tables(), {"focus": "corridor Road"}, xlsx=True)  # Dask takes one file
            sweep, _, _ = uncertainty_sweep(case, 8)
            write_case(folder, changed, {"focus": "corridor Road"}, xlsx=True)
            with pytest.raises(error) as serial:
                run_sweep(sweep, progress=False)
            assert said in str(serial.value), serial.value
            with pytest.raises(error) as workers:
                run_sweep(sweep, workers=2, progress=False)
            with pytest.raises(error) as dask:
                run_sweep(sweep, dask=cluster.scheduler_address, progress=False)
            for way in (workers, dask):  # on Dask: the input's own name, not the copy the worker was sent
                assert (str(way.value), way.value.exit_code) == (str(serial.value), error.exit_code)


@dataclass(frozen=True)
class DieOnce:
    """Sweep.reported that kills its worker process at the first draw it reports, once (a marker file says it did),
    as the kernel's out-of-memory killer or a planner's kill would; else DrawReport's figures."""

    marker: str
    report: DrawReport

    def __call__(self, live, point):
        if not os.path.exists(self.marker):
            Path(self.marker).touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return self.report(live, point)


def test_a_worker_that_dies_is_said_and_the_journal_resumes(tmp_path):
    case = write_case(tmp_path, case_tables(), {"focus": "corridor Road"})
    whole, net, watch = uncertainty_sweep(case, 40)
    expected = quantities(run_sweep(whole, progress=False), watch)
    sweep, _, _ = uncertainty_sweep(case, 40, DieOnce(str(tmp_path / "died"), DrawReport(watch)))
    journal = tmp_path / "u.points.jsonl"
    with pytest.raises(CorridorError) as stopped:
        run_sweep(sweep, points_file=journal, workers=2, progress=False)
    said = str(stopped.value)  # how many were solved before the pool saw the death depends on the other worker
    assert re.fullmatch(r"--workers: a worker process stopped before it sent its points back \(killed, or out of "
                        rf"memory\)\. The \d+ points solved so far are in {re.escape(str(journal))}: run the same "
                        r"command again with --resume to go on, with fewer workers if memory ran out\.", said), said
    assert stopped.value.exit_code == 1
    tally = DrawTally(40, watch)
    stream_sweep(sweep, tally, points_file=journal, resume=True, workers=2, progress=False)
    pd.testing.assert_frame_equal(tally.quantities(), expected)


@pytest.mark.slow  # a Dask worker restarted by its nanny
def test_on_dask_a_chunk_whose_worker_dies_is_solved_by_another(tmp_path):
    from distributed import LocalCluster

    case = write_case(tmp_path, case_tables(), {"focus": "corridor Road"}, xlsx=True)
    whole, net, watch = uncertainty_sweep(case, 40)
    expected = quantities(run_sweep(whole, progress=False), watch)
    sweep, _, _ = uncertainty_sweep(case, 40, DieOnce(str(tmp_path / "died"), DrawReport(watch)))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        found = quantities(run_sweep(sweep, dask=cluster.scheduler_address, progress=False), watch)
    assert (tmp_path / "died").exists()  # a worker did die
    pd.testing.assert_frame_equal(found, expected)


def test_the_tally_is_the_tables_of_the_points_in_any_order(tmp_path):
    # Workers finish out of order, and a journal may hold a point twice (the later wins, as resume reads it):
    # the tables are those of the points in draw order.
    case = write_case(tmp_path, case_tables(), {"focus": "corridor Road"})
    sweep, net, watch = uncertainty_sweep(case, 30)
    points = run_sweep(sweep, progress=False)
    tally = DrawTally(30, watch)
    tally(4, points[9])  # a stale record of draw 4, overwritten below
    for i in reversed(range(30)):
        tally(i, points[i])
    y = tally.quantities()
    # Rail at 10 and 70 t: the road (3 + R>M) carries 100 t where R>M < 7, else the 30 t the rail cannot.
    road = np.where(np.array(sweep.points)[:, 0] + 3 < 10, 100.0, 30.0)
    assert y["Road_t"].to_numpy() == pytest.approx(road)
    pd.testing.assert_frame_equal(y, quantities(points, watch))
    pd.testing.assert_frame_equal(tally.used(net), used(points, net))
    assert list(tally.statuses()) == [p.status for p in points]


def retained_bytes(sweep, watch, **how) -> int:
    """The most memory the run's own process held (tracemalloc) while it ran the draws into a tally."""
    tally = DrawTally(len(sweep.draws), watch)
    tracemalloc.start()
    try:
        stream_sweep(sweep, tally, progress=False, **how)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("how", [{}, {"workers": 2}], ids=["serial", "2 workers"])
def test_the_run_keeps_a_few_hundred_bytes_a_draw(tmp_path, how):
    # 1,000 draws more may add what the run keeps of each (the tally's row of floats and bits, the runner's list of
    # what is left to do: some 100 bytes) and nothing of the draws' points, which the runner hands on one at a time
    # (a point is some kB).
    case = write_case(tmp_path, case_tables(), {"focus": "corridor Road"})
    few, _, watch = uncertainty_sweep(case, 200)
    many, _, _ = uncertainty_sweep(case, 1200)
    retained_bytes(few, watch, **how)  # the first run imports what the runner needs: not a draw's
    grown = retained_bytes(many, watch, **how) - retained_bytes(few, watch, **how)
    assert grown < 500 * 1000, f"{grown / 1000:.0f} bytes a draw"  # they were 1,700 to 2,000


def written_peak(path: Path, rows: int) -> int:
    """The most memory writing a sheet of `rows` rows x 10 numbers took (tracemalloc), the table made before."""
    from model.report.result_book import ResultBook, wo_table

    table = pd.DataFrame(np.random.default_rng(0).random((rows, 10)), columns=[f"q{j}_t" for j in range(10)])
    book = ResultBook(path, "uncertainty")
    tracemalloc.start()
    try:
        wo_table(book, "Draws", table, "One row per draw.")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        book.save()


def test_a_sheet_of_many_draws_is_written_in_memory_flat_in_its_rows(tmp_path):
    # The Draws sheet has a row per draw: written row by row (XlsxWriter's constant memory), its numbers made Python
    # values a block of rows at a time. 4,000 rows more of 10 numbers were 40,000 Python floats more at once (32
    # bytes each with the list's slot); now a block's, whatever the rows.
    written_peak(tmp_path / "warm.xlsx", 100)  # the first sheet's formats and imports
    grown = written_peak(tmp_path / "many.xlsx", 5_000) - written_peak(tmp_path / "few.xlsx", 1_000)
    assert grown < 4000 * 10 * 4, f"{grown / 4000 / 10:.1f} bytes a number"
