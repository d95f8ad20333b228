"""Grid sweeps over input cells: serial, on local processes, or on a Dask cluster.

Every point is solved by a LiveModel (model/lp/live.py): the cells are changed in the live HiGHS
model and it re-solves from the base basis; a point that would change the model's structure
is rebuilt from the data instead, and the table says so. Points are appended to a JSONL file
as they finish, so an interrupted sweep keeps what it computed and --resume continues it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import tempfile
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from model.analysis.journal import ends_a_line, read_points
from model.analysis.params import Param, focus_of, invalid_values, parse_param, watched_tonnes, with_values
from model.analysis.pool import on_dask, on_processes
from model.errors import InputError, NoSolutionError, Problem, short_list
from model.network.costs import COST_PARTS
from model.progress import show_progress
from model.results.investments import amount_text
from model.results.money import Money

if TYPE_CHECKING:
    from collections.abc import Callable

    from model.lp.live import LiveModel, LivePoint

_WORKER: dict[tuple, tuple] = {}  # per process: sweep signature -> (Sweep, LiveModel)
MAX_POINTS = 1_000_000  # points of one grid


@dataclass
class Sweep:
    input_path: Path
    params: list[Param]
    keep_decisions: bool = False  # integer decisions kept at the base solve's, instead of re-solved per point
    scenario: str | None = None  # --scenario applied to the input
    year: int | None = None  # --year: the year of a plan swept
    allocation: str | None = None  # --allocation: the Settings value replaced (model.steps.with_allocation)
    draws: list[tuple[float, ...]] | None = None  # the points themselves, one value per parameter (an uncertainty
    # run's draws: model.analysis.uncertainty), instead of the grid of the parameters' values
    reported: Callable[[LiveModel, LivePoint], LivePoint] | None = None  # each solved point as the run reports it,
    # from the model that solved it (an uncertainty run: figures read off its duals, or its route-choice allocation);
    # a picklable callable, for worker processes, whose repr is part of the signature
    recalibrate: bool = False  # each point recalibrated first (model.analysis.uncertainty.recalibrate)

    @property
    def points(self) -> list[tuple[float, ...]]:
        if self.draws is not None:
            return list(self.draws)
        return list(itertools.product(*[p.values for p in self.params]))

    def cell_values(self, point) -> dict:
        values = {}
        for p, v in zip(self.params, point, strict=True):
            values.update(p.cell_values(v))
        return values

    def factors(self, point) -> dict:
        """The factor each cell of a multiplying parameter takes at the point: what a model whose cells hold
        other values (a recalibrated scenario's base year) multiplies its own by."""
        return {c: v for p, v in zip(self.params, point, strict=True) if p.multiplier for c in p.cells}

    @property
    def definition(self) -> str:
        """What the sweep is, in words: the input and each parameter with its values (the journal's head)."""
        if self.draws is not None:
            return (f"{self.input_path.name}; {len(self.draws):,} draws of " + short_list([p.text for p in self.params])
                    + ("; each recalibrated" if self.recalibrate else ""))
        return "; ".join([self.input_path.name] + [f"{p.text}{' (x base)' if p.multiplier else ''} = "
                                                   + short_list([f"{v:g}" for v in p.values]) for p in self.params]
                         + (["decisions kept"] if self.keep_decisions else []))

    @property
    def signature(self) -> str:
        """Identifies the sweep: the input's content and the parameters with their values."""
        from model.input.raw import file_sha256

        text = json.dumps([file_sha256(self.input_path)] + [[p.text, p.values, p.multiplier] for p in self.params]
                          + ([["keep_decisions"]] if self.keep_decisions else [])
                          + ([["draws", self.draws]] if self.draws is not None else [])
                          + ([["reported", repr(self.reported)]] if self.reported is not None else [])
                          + ([["case", self.scenario, self.year]] if self.scenario or self.year is not None else [])
                          + ([["allocation", self.allocation]] if self.allocation else [])
                          + ([["recalibrate"]] if self.recalibrate else []))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def named_sweep(data, name: str) -> list[str]:
    """The --set assignments of a named sweep on the Sweeps sheet."""
    df = data.tables.get("Sweeps")
    rows = [] if df is None else df[df["name"] == name].to_dict("records")
    if not rows:
        names = [] if df is None else sorted(set(df["name"].dropna()))
        raise InputError("--name", [Problem(f"no sweep named '{name}' on the Sweeps sheet",
                                            f"Named sweeps: {', '.join(names) or 'none'}.")])
    return [f"{r['param']}={r['spec']}" for r in rows]


def make_sweep(input_path: Path, data, assignments: list[str], exact: bool = False,
               keep_decisions: bool = False, scenario: str | None = None, year: int | None = None,
               allocation: str | None = None) -> Sweep:
    params = [parse_param(a, data, exact=exact) for a in assignments]
    if not params:
        raise InputError("--set", [Problem("no parameter to sweep", "Give --set PARAM=SPEC, or --name NAME.")])
    size = math.prod(len(p.values) for p in params)
    if size > MAX_POINTS:
        raise InputError("--set", [Problem(f"the grid has {size:,} points, more than {MAX_POINTS:,}",
                                           "Use fewer steps, or fewer parameters at once.")])
    return Sweep(Path(input_path), params, keep_decisions, scenario, year, allocation)


# ---------------------------------------------------------------------- solving points

def live_model(input_path: Path, penalty: float | None = None, keep_decisions: bool = False,
               scenario: str | None = None, year: int | None = None, allocation: str | None = None,
               recalibrate: bool = False):
    """A LiveModel of the input, with --scenario applied and of one --year of a plan (load_one_year),
    in the allocation of --allocation (else the Settings sheet's: the live model re-runs a choice at each point),
    with a penalty on unmet demand, if given and the input sets none, for stress tests; with integer
    decisions, re-solved at each point or kept (keep_decisions); recalibrate: one that recalibrates each point
    (model.analysis.uncertainty.recalibrate)."""
    from model.lp.live import LiveModel
    from model.plan import Plan
    from model.steps import load_one_year, solve

    if recalibrate:
        from model.analysis.uncertainty.recalibrate import recalibrating_model

        return recalibrating_model(input_path, keep_decisions, scenario, year, allocation)
    data, net, _ = load_one_year(input_path, scenario, year, allocation)
    if penalty is not None and data.settings.hard_demand:
        data = data.copy(settings=data.settings.replace(unmet_penalty_usd_per_t=penalty))
    try:
        sol = solve(Plan.of_one(data, net))
    except NoSolutionError as exc:
        raise NoSolutionError("The base case of the sweep has no optimum. " + str(exc)) from None
    return LiveModel(data, net, sol, keep_decisions)


def solve_point(live, sweep: Sweep, point) -> LivePoint:
    """One point: in place when possible, else rebuilt from the changed data."""
    from model.lp.live import LivePoint, Structural

    values = sweep.cell_values(point)
    invalid = invalid_values(values)
    if invalid:  # not an input the workbook could hold: said for this point, and not solved
        return LivePoint("Invalid input", invalid_input=invalid, rebuilt=False, seconds=0.0)
    start = time.perf_counter()
    factors = sweep.factors(point) if sweep.recalibrate else None  # for the base year's own cells
    try:
        point = live.solve_point(values) if factors is None else live.recalibrated_point(values, factors)
        out, model = replace(point, rebuilt=False), live
    except Structural:
        out, model = _rebuild_point(live, values, factors)
        out = replace(out, rebuilt=True)
    if sweep.reported is not None and out.solved:
        out = sweep.reported(model, out)
    return replace(out, seconds=time.perf_counter() - start)


def _rebuild_point(live, values, recalibrate: dict | None = None) -> tuple[LivePoint, LiveModel | None]:
    """The point solved from the changed data, and the model that solved it (None without an optimum);
    recalibrate: the point's factors (Sweep.factors), to recalibrate it first (RecalibratedModel.rebuilt)."""
    from model.lp.live import LiveModel, LivePoint
    from model.lp.solve import solve_plan
    from model.network.build import build_network
    from model.plan import Plan

    if recalibrate is not None:
        return live.rebuilt(values, recalibrate)
    data = with_values(live.data, values)
    net = build_network(data)
    sol = solve_plan(Plan.of_one(data, net), ranging=False)
    if not sol.optimal:
        return LivePoint(sol.status), None
    if live.keep_decisions and live.mip is not None and sol.mip is not None:
        # the base solve's decisions, by column key (the same options, so the same decision columns)
        base = dict(zip((live.columns[j] for j in live.mip.columns), live.mip.values, strict=True))
        sol.mip.values = [base.get(sol.columns[j], 0.0) for j in sol.mip.columns]  # type: ignore[assignment]  # np.clip takes a list
    model = LiveModel(data, net, sol, live.keep_decisions)
    return model.solve(), model


def _chunk_worker(input_path: str, sweep: Sweep, signature: str, chunk: list[tuple[int, tuple]]) -> list[tuple]:
    """Solve some points, (i, point) each, in a worker process: the sweep travels without its points (its
    parameters' cells; each chunk carries its own points); the model is built once per process, from the input at
    input_path."""
    key = (input_path, signature)
    if key not in _WORKER:
        _WORKER.clear()
        _WORKER[key] = (replace(sweep, input_path=Path(input_path)), live_model(
            Path(input_path), keep_decisions=sweep.keep_decisions, scenario=sweep.scenario, year=sweep.year,
            allocation=sweep.allocation, recalibrate=sweep.recalibrate))
    sweep, live = _WORKER[key]
    return [(i, solve_point(live, sweep, point)) for i, point in chunk]


def _dask_worker(workbook: bytes, name: str, sweep: Sweep, signature: str, chunk: list[tuple[int, tuple]]) -> list:
    """A Dask task: the input travels as bytes (name: the input's own path); each worker process keeps its model.
    An InputError names the input, not the copy the worker was sent."""
    digest = hashlib.sha256(workbook).hexdigest()
    path = Path(tempfile.gettempdir()) / f"corridor-{digest[:16]}{Path(name).suffix or '.xlsx'}"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(workbook)
        os.replace(tmp, path)
    try:
        return _chunk_worker(str(path), sweep, signature, chunk)
    except InputError as exc:
        raise (InputError(name, exc.problems) if exc.source == str(path) else exc) from None


def run_sweep(sweep: Sweep, points_file: Path | None = None, resume: bool = False,
              workers: int = 1, dask: str | None = None, progress: bool = True, live=None,
              writer: str | None = None) -> list[LivePoint]:
    """Solve every point; return one LivePoint per point in grid order (stream_sweep, each point kept)."""
    done: dict[int, LivePoint] = {}
    stream_sweep(sweep, done.__setitem__, points_file, resume, workers, dask, progress, live, writer)
    return [done[i] for i in range(len(sweep.points))]


def stream_sweep(sweep: Sweep, keep: Callable[[int, LivePoint], None], points_file: Path | None = None,
                 resume: bool = False, workers: int = 1, dask: str | None = None, progress: bool = True,
                 live=None, writer: str | None = None) -> None:
    """Solve every point, serially, on `workers` local processes or on the Dask cluster at `dask`, and hand each to
    keep(i, point) as it is solved or read back from the journal (--resume; a point read twice: the later), in no
    set order; hold none of them, so that what a run keeps of its points is what keep keeps (an uncertainty run:
    model.analysis.uncertainty.tables.DrawTally). points_file: the journal, every point whole as it is solved; writer:
    the mark of the command that writes it (model.report.output.mark), on its head line, which is how the output guard
    knows whose journal it is (a sweep's and an uncertainty run's heads are alike otherwise)."""
    from tqdm import tqdm

    if not 1 <= workers <= 256:
        raise InputError("--workers", [Problem(f"must be 1 to 256 processes, found {workers}",
                                               "Give the number of processes to run, e.g. --workers 2.")])
    points = sweep.points
    if dask and sweep.input_path.is_dir():
        raise InputError(str(sweep.input_path), [Problem(
            "--dask sends the input to the cluster as one file, and this is a folder of CSV files",
            f"Convert it first: corridor convert {sweep.input_path} -o case.xlsx, then sweep case.xlsx.")])
    done: set[int] = set()  # the points given to keep
    if points_file is not None:
        for i, point in read_points(points_file, sweep) if resume else ():
            keep(i, point)
            done.add(i)
        if not resume or not points_file.exists():
            points_file.parent.mkdir(parents=True, exist_ok=True)
            head = json.dumps({**({"generator": writer} if writer else {}), "sweep": sweep.signature,
                               "definition": sweep.definition})
            points_file.write_text(head + "\n", encoding="utf-8")
    todo = [i for i in range(len(points)) if i not in done]
    bar = tqdm(total=len(points), initial=len(done), unit="point", disable=not show_progress(progress), desc="sweep",
               smoothing=0.1)
    sink = points_file.open("a", encoding="utf-8") if points_file is not None else None
    if sink is not None and not ends_a_line(points_file):  # type: ignore[arg-type]  # a sink: a file
        sink.write("\n")  # end the line the interruption cut short, so the next record stands alone

    signature = sweep.signature

    def record(i: int, result: LivePoint) -> None:
        keep(i, result)
        done.add(i)
        if sink is not None:  # whose point it is, and the point
            # the point's fields as they are (json writes a tuple as a list): asdict's deep copy of every route's
            # tonnes was most of the journal's time (benchmarks/README.md, issue 26, scale)
            whole = {f.name: getattr(result, f.name) for f in fields(result)}
            sink.write(json.dumps({"i": i, "sweep": signature, "result": whole}) + "\n")
            sink.flush()
        bar.update(1)

    # what a worker that died leaves: the points kept, and how to go on
    def on() -> str:
        kept = f"The {len(done):,} points solved so far are in {points_file}: run the same command again with " \
               "--resume to go on" if points_file is not None else "Run again"
        return kept + ", with fewer workers if memory ran out."

    light = replace(sweep, draws=None)  # what a worker needs of the sweep: each chunk carries its own points
    try:
        if dask:
            from distributed import Client

            with Client(dask, timeout="30s") as client:
                blob = client.scatter(sweep.input_path.read_bytes(), broadcast=True)
                on_dask(client, _dask_worker, (blob, str(sweep.input_path), light, signature),
                        [(i, points[i]) for i in todo], record, on)
        elif workers > 1:
            on_processes(workers, _chunk_worker, (str(sweep.input_path), light, signature),
                         [(i, points[i]) for i in todo], record, on)
        else:
            live = live or live_model(sweep.input_path, keep_decisions=sweep.keep_decisions, scenario=sweep.scenario,
                                      year=sweep.year, allocation=sweep.allocation, recalibrate=sweep.recalibrate)
            for i in todo:
                record(i, solve_point(live, sweep, points[i]))
    finally:
        bar.close()
        if sink is not None:
            sink.close()


# ---------------------------------------------------------------------- tables

def points_table(sweep: Sweep, results: list[LivePoint], net=None, focus: str | None = None) -> pd.DataFrame:
    """One row per point: parameter values, status, objective and parts, the tonnes through what is
    swept and through the focus (given the network, params.watched_tonnes), tonnes and shares by
    corridor and country, and the binding constraints."""
    nan = float("nan")
    corridors = sorted({c for r in results for c in r.corridor or {}})
    countries = sorted({c for r in results for c in r.country or {}})
    watch = focus_of(net, focus) if net is not None else None
    invalid = any(r.invalid_input is not None for r in results)  # the column only where a point was not solved
    rows = []
    for point, r in zip(sweep.points, results, strict=True):
        row: dict[str, object] = {p.text + (" (x base)" if p.multiplier else ""): v
                                  for p, v in zip(sweep.params, point, strict=True)}
        row.update({"status": r.status, "rebuilt": r.rebuilt})
        if r.integer_decisions is not None:
            row["integer_decisions"] = r.integer_decisions
        # money in its kinds (model.results.money): the resource cost first, the objective beside it
        row["resource_cost_usd"] = Money.of_point(r).resource_usd if r.solved else nan
        figures = {"objective_usd": r.objective_usd,
                   **{f"{part}_usd": r.part_usd(part) for part in COST_PARTS},
                   "unmet_penalty_usd": r.unmet_penalty_usd, "shipped_t": r.shipped_t, "unmet_t": r.unmet_t,
                   "co2e_t": r.co2e_t}
        for key, value in figures.items():
            row[key] = nan if value is None else value
        if net is not None:
            watched = watched_tonnes(sweep.params, net.routes, watch, r)
            row.update({c: t if r.route is not None else nan for c, t in watched.items()})
        shipped = r.shipped_t or nan
        by_corridor = {c: nan if r.corridor is None else r.corridor.get(c, 0.0) for c in corridors}
        row.update({f"{c}_t": t for c, t in by_corridor.items()})
        row.update({f"{c} share": t / shipped if shipped == shipped else nan for c, t in by_corridor.items()})
        by_country = {c: nan if r.country is None else r.country.get(c, 0.0) for c in countries}
        row.update({f"via {c}_t": t for c, t in by_country.items()})
        row.update({f"via {c} share": t / shipped if shipped == shipped else nan for c, t in by_country.items()})
        if r.built is not None:
            row["investment_cost_usd"] = nan if r.investment_cost_usd is None else r.investment_cost_usd
            row["built"] = "; ".join(f"{o} {amount_text(t)}" for o, t in r.built.items()) or "nothing"
        row["binding"] = "; ".join(r.binding or ())
        if invalid:
            row["invalid_input"] = r.invalid_input or ""
        rows.append(row)
    return pd.DataFrame(rows)


def tonnes_by_route(sweep: Sweep, results: list[LivePoint]) -> pd.DataFrame:
    """Tonnes per route at each point (routes with tonnes only), long format."""
    rows = []
    for n, (point, r) in enumerate(zip(sweep.points, results, strict=True), start=1):
        for route, t in (r.route or {}).items():
            if t > 1e-6:
                rows.append({"point": n, **{p.text: v for p, v in zip(sweep.params, point, strict=True)},
                             "route": route, "tonnes_t": t})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- corridor sweep
