"""The headlines with their ranges, for the brief of `corridor solve --uncertainty N`: the input's Uncertainty
sheet drawn N times (a Latin hypercube), each draw solved on the live model as `corridor uncertainty` solves it,
and for the resource cost, the focus's tonnes (in their parts: through it to other markets, and a country's own
market) and the cut each of the focus's ports needs before a route
through it unused at the draw carries cargo (figures.DrawReport's ports), the median and the 5-95% range
(brief.range_lines) and the input that drives it most (drivers.main_driver)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from model.analysis.params import focus_of
from model.analysis.responses import focus_ports
from model.analysis.sweep import live_model, solve_point, stream_sweep
from model.analysis.uncertainty.design import Method, check_draws, make_design, range_warnings, read_inputs
from model.analysis.uncertainty.drivers import drivers, main_driver, moved_most_by
from model.analysis.uncertainty.figures import CUT, DrawReport
from model.analysis.uncertainty.focus import FOCUS, cargo_words, part_of
from model.analysis.uncertainty.tables import DrawTally, summary
from model.errors import InputError, Problem
from model.input.schema import Allocation
from model.results.brief import range_lines, range_unit
from model.results.summary import RANGE_COLUMNS
from model.results.tables import TOL_T

RESOURCE = "resource_cost_usd"


def port_names(data, net, focus: tuple[str, str] | None) -> tuple[tuple[str, str], ...]:
    """(code, name) of each port of the focus (model.analysis.responses.focus_ports: a country's ports, or
    those a corridor's routes pass), for DrawReport's ports; none without a focus."""
    from model.plan import Plan

    return () if focus is None else tuple((p.code, p.label) for p in focus_ports(Plan.of_one(data, net), *focus))


@dataclass(frozen=True)
class HeadlineRanges:
    """Each headline's range: lines, (headline, its range in words) for the brief and the console; table, the same
    figures one row a headline (model.results.summary.RANGE_COLUMNS: the result's Ranges sheet, the page's "How
    sure"); drawn, what was drawn, in words; warnings, the Uncertainty sheet's slips a run warns of
    (design.range_warnings), as corridor uncertainty does."""
    lines: list[tuple[str, str]]
    table: pd.DataFrame
    drawn: str
    warnings: tuple[Problem, ...] = ()


def headline_ranges(src: Path, draws: int, seed: int = 0, scenario: str | None = None,
                    allocation: str | None = None, recalibrate: bool = False) -> HeadlineRanges:
    """Each headline's range over `draws` draws of the Uncertainty sheet (HeadlineRanges); InputError (exit 2) for
    an input without an Uncertainty sheet or a number of draws below 2. recalibrate: each draw recalibrated first
    (uncertainty --recalibrate)."""
    from model.steps import load_one_year

    if draws < 2:
        raise InputError("--uncertainty", [Problem(
            f"{draws} draws: a range needs at least 2 (its 5% and 95% values)",
            "Give the number of draws, e.g. --uncertainty 200.")])
    data, net, _ = load_one_year(src, scenario, None, allocation)
    inputs = read_inputs(data, load_one_year(src, None, None, allocation)[0] if data.overrides else None)  # none: said
    design = make_design(inputs, draws, Method.LHS, seed)
    check_draws(inputs, design, str(data.source))
    watch = focus_of(net, data.settings.focus)
    least_cost = (allocation or data.settings.allocation or Allocation.LEAST_COST) == Allocation.LEAST_COST
    # under route choice each draw is the logit's split (the solve before checked its dispersions) and no cut is
    # reported: every route carries some cargo
    ports = port_names(data, net, watch) if least_cost else ()
    report = DrawReport(watch, ports)
    sweep = dataclasses.replace(design.sweep(src, inputs, scenario, None, report),
                                allocation=None if least_cost else Allocation.CHOICE, recalibrate=recalibrate)
    live = live_model(src, scenario=scenario, allocation=sweep.allocation, recalibrate=recalibrate)
    tally = DrawTally(len(sweep.points), watch)  # what the ranges need of each draw, not its point
    stream_sweep(sweep, tally, progress=False, live=live)
    y = tally.quantities()
    wanted = [q for q in y.columns if q == RESOURCE or q.endswith(FOCUS) or q.startswith(CUT)]
    y = y[wanted]
    base = _base_case(sweep, live, watch)
    driving = drivers(design.problem, design.U, y, design.method,
                      pd.DataFrame({v.text: design.X[v.text] for v in inputs if not v.group}), seed)
    table = summary(y).assign(base=[base.get(q, math.nan) for q in wanted])
    lines = [range_lines(table.iloc[[i]], int(n))[0] for i, n in enumerate(table["draws"])]  # each its own draws
    rows = []
    for q, line, rec in zip(wanted, lines, table.to_dict("records"), strict=True):
        _, divisor, unit, _ = range_unit(q)
        top = main_driver(driving, q)
        solved = y[q].dropna()
        rows.append({"headline": line.split(": ", 1)[0], "unit": unit, "median": rec["p50"] / divisor,
                     "p5": rec["p5"] / divisor, "p95": rec["p95"] / divisor, "base": rec["base"] / divisor,
                     "draws": rec["draws"],
                     "probability": (solved > TOL_T).mean() if part_of(q) and len(solved) else None,
                     "moved_most_by": "" if top is None else top.words,  # as the brief says it
                     "change_per_sd": None if top is None else top.change_per_sd})
    dimensions = len(design.problem["names"])
    plural = {"inputs": "s" if len(inputs) != 1 else "", "dimensions": "s" if dimensions != 1 else ""}
    drawn = (f"{draws:,} Latin hypercube draws (seed {seed}) of the {len(inputs)} input{plural['inputs']} of the "
             f"Uncertainty sheet ({dimensions} dimension{plural['dimensions']}: a correlation group moves as one), "
             "each across its plausible range; " + ("recalibrated at each draw" if recalibrate else "not recalibrated"))
    return HeadlineRanges([(line.split(": ", 1)[0], line.split(": ", 1)[1] + _carries(y[q]) + _charge(q, ports)
                            + moved_most_by(driving, q)) for q, line in zip(wanted, lines, strict=True)],
                          pd.DataFrame(rows, columns=RANGE_COLUMNS), drawn, tuple(range_warnings(inputs)))


def _base_case(sweep, live, watch: tuple[str, str] | None) -> dict[str, float]:
    """Each quantity of the base case's own answer: every input at its base value (no cell changed), solved and
    reported as a draw is (on the same live model; with --recalibrate, recalibrated: the base case's own
    calibration), beside each range, whose draws need not straddle it (a range lopsided about the base)."""
    point = solve_point(live, dataclasses.replace(sweep, params=[], draws=[()]), ())
    tally = DrawTally(1, watch)
    tally(0, point)
    return tally.quantities().iloc[0].to_dict()


def _charge(quantity: str, ports: tuple[tuple[str, str], ...]) -> str:
    """For a port's cut, the charge it cuts: '; a cut in the port's bulk handling charge,
    Nodes[GWD].handling_usd_per_t (cargo with a Tariffs row there pays that row instead)'; nothing else."""
    code = next((c for c, name in ports if quantity == f"{CUT}{name}_usd_per_t"), None)
    return "" if code is None else (f"; a cut in the port's bulk handling charge, Nodes[{code}].handling_usd_per_t "
                                    "(cargo with a Tariffs row there pays that row instead)")


def _carries(tonnes: pd.Series) -> str:
    """For a part of the focus's tonnes (above TOL_T; focus.py), the share of the draws in which it has some, in
    words that say which part: '; a route through it to another market carries cargo in 59% of the draws', or
    "; its own market's cargo moves in 100% of the draws"; nothing for another quantity."""
    part = part_of(str(tonnes.name))
    solved = tonnes.dropna()
    if part is None or not len(solved):
        return ""
    return f"; {cargo_words(str(tonnes.name))} in {(solved > TOL_T).mean():.0%} of the draws"
