"""corridor uncertainty: the inputs of the Uncertainty sheet drawn (model.analysis.uncertainty.design), each
draw solved as a point of a sweep (model.analysis.sweep: the live model, local processes or Dask, a resumable
journal), the spread of what it gives tabulated, and the workbook written (model.report), all or none."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pandas as pd

from model.analysis.params import focus_of
from model.analysis.sweep import live_model, stream_sweep
from model.analysis.uncertainty.design import (
    Design,
    Method,
    UncertainInput,
    check_draws,
    make_design,
    range_warnings,
    read_inputs,
)
from model.analysis.uncertainty.drivers import drivers
from model.analysis.uncertainty.figures import CUT, GAP, DrawReport
from model.analysis.uncertainty.focus import FOCUS
from model.analysis.uncertainty.ranges import port_names
from model.analysis.uncertainty.recalibrate import refused
from model.analysis.uncertainty.switching import switching_values
from model.analysis.uncertainty.tables import SAMPLING_ERROR, DrawTally, summary
from model.errors import InputError, Problem
from model.input.schema import Allocation
from model.input.validate.choice import missing_dispersions


def uncertainty_to_workbook(src: Path, output: Path, draws: int = 1000, method: str = Method.LHS, seed: int = 0,
                            recalibrate: bool = False, allocation: str | None = None, scenario: str | None = None,
                            year: int | None = None, workers: int = 1, dask: str | None = None, resume: bool = False,
                            progress: bool = True, force: bool = False, keep_decisions: bool = False,
                            cuts: bool = False):
    """corridor uncertainty: draw, solve each draw, write the workbook (all or none, through the output guard);
    returns (warnings, the text to print). cuts: each draw also reports the cut each port of the focus
    needs before a route through it unused at the draw carries cargo (least cost; a solve or two a port a draw).
    recalibrate: each draw recalibrated first (model.analysis.uncertainty.recalibrate), least cost only."""
    from model.analysis.uncertainty.design import dimension_labels
    from model.commands.sweep import case_about
    from model.report.books import about_table
    from model.report.charts import tornado_png
    from model.report.output import Outputs, mark
    from model.report.uncertainty import (
        RECALIBRATED,
        SWITCHING_CALIBRATION,
        page_path,
        uncertainty_text,
        write_uncertainty,
    )
    from model.report.uncertainty_page import write_uncertainty_page
    from model.results.summary import Provenance
    from model.steps import load_one_year

    with Outputs("uncertainty", [src], force) as outputs:
        outputs.check(output)
        data, net, warnings = load_one_year(src, scenario, year)
        chosen = allocation or data.settings.allocation or Allocation.LEAST_COST
        choice = chosen == Allocation.CHOICE
        if recalibrate and (why := refused(chosen, None)) is not None:  # least cost only
            raise InputError("--recalibrate", [why])
        if choice:  # each draw's logit split (the Settings' own is validated with the input)
            lacking = missing_dispersions(data, {})
            if lacking:
                raise InputError("--allocation", lacking)
        inputs = read_inputs(data, load_one_year(src, None, year)[0] if data.overrides else None)  # the scenario's
        warnings = warnings + range_warnings(inputs)
        design = make_design(inputs, draws, Method(method), seed)
        check_draws(inputs, design, str(data.source))
        focus = data.settings.focus
        ports = port_names(data, net, focus_of(net, focus)) if cuts and not choice else ()
        if cuts and not ports:  # asked for, and there is none to give: said, not left out without a word
            raise InputError("--cuts", [cuts_refused(choice, focus)])
        sweep = design.sweep(src, inputs, scenario, year, DrawReport(focus_of(net, focus), ports),
                             keep_decisions)
        # under route choice each draw's point is the logit's on the draw's LP, as a sweep's (model.lp.live_choice)
        sweep = dataclasses.replace(sweep, allocation=chosen if choice else None, recalibrate=recalibrate)
        points_file = output.with_suffix(".points.jsonl")
        outputs.check(points_file)
        outputs.check(page_path(output))
        start = time.perf_counter()
        # one live model: the draws' where they are solved in this process, then the switching values'
        live = live_model(src, keep_decisions=keep_decisions, scenario=scenario, year=year, allocation=sweep.allocation,
                          recalibrate=recalibrate)
        tally = DrawTally(len(sweep.points), focus_of(net, focus))  # what the tables need of each draw, not its point
        stream_sweep(sweep, tally, points_file=points_file, resume=resume, workers=workers, dask=dask,
                     progress=progress, live=live, writer=mark(outputs.kind))
        seconds = time.perf_counter() - start
        y = tally.quantities()
        table, probability = summary(y), tally.used(net)
        solved, drawn = int(tally.solved.sum()), len(tally.given)
        driving = drivers(design.problem, design.U, y, design.method,
                          pd.DataFrame({v.text: design.X[v.text] for v in inputs if not v.group}), seed)
        if recalibrate:  # the switching values on the input recalibrated at the base values, its premiums held
            live.recalibrated_point({})
        switching, unswitched = switches(live, inputs, design, chosen)
        headline = [q for q in y.columns if q in ("resource_cost_usd", GAP) or q.endswith(FOCUS) or q.startswith(CUT)]
        tornadoes = [tornado_png(outputs, driving, q, output.with_name(f"{output.stem}_drivers_{slug(q)}"))
                     for q in headline if y[q].nunique() > 1]  # a figure that does not vary has no drivers to draw
        about = case_about(scenario, year) + [("allocation", chosen),
            ("method", f"{design.method}: " + ("Latin hypercube (scipy.stats.qmc, scrambled)"
                                               if design.method == Method.LHS else
                                               "Saltelli's design on a scrambled Sobol' sequence (SALib), "
                                               f"{draws:,} x ({len(design.problem['names'])} dimensions + 2)")),
            ("seed", seed), ("draws", drawn), ("solved", solved),
            *([("recalibrated", RECALIBRATED + ", as corridor calibrate would recalibrate the input with its values"
                + ("; the base year recalibrated, the scenario solved with that calibration" if scenario else ""))]
              if recalibrate else []),
            ("without an optimum", drawn - solved),
            ("rebuilt (structure changed)", int(tally.rebuilt.sum())),
            ("dimensions", ", ".join(design.problem["names"])),
            *[(f"input {v.text}", varied_text(v)) for v in inputs],
            ("workers", dask or workers), ("seconds", round(seconds, 3)),
            ("switching values", unswitched or "the focus's, each input alone, each correlation group together "
                                                "(Switching sheet)" + (". " + SWITCHING_CALIBRATION if recalibrate
                                                                       else ""))]
        write_uncertainty(outputs, output, about_table(Provenance.of(src, data.sha256), about), table, probability,
                          draws_table(design, inputs, tally, y), y, "Corridors and routes: the share of the draws "
                          "(with an optimum) in which each carries cargo, and each part of the focus's tonnes: "
                          "through it to other markets, and a country's own market; " + SAMPLING_ERROR + ".",
                          driving, switching, recalibrate)
        write_uncertainty_page(outputs, page_path(output), f"Uncertainty: {Path(src).name}",
                               f"{drawn:,} draws ({design.method}, seed {seed}), {solved:,} solved; "
                               f"allocation {chosen}" + ("; recalibrated at each draw" if recalibrate else ""),
                               headline, table, probability, driving, switching, unswitched,
                               [(v.text, varied_text(v)) for v in inputs], tornadoes, recalibrate,
                               dimension_labels(inputs, data))
    return warnings, uncertainty_text(table, probability, drawn, solved, seconds, output, points_file,
                                      driving, switching, tornadoes)


def cuts_refused(choice: bool, focus: str | None) -> Problem:
    """Why --cuts has no port to give a cut for: route choice, no focus, or a focus that has no port."""
    if choice:
        return Problem("is least cost only: under route choice every route carries some cargo, so none starts at a "
                       "cut", "Leave out --cuts, or run the draws with --allocation least_cost.")
    if not focus:
        return Problem("gives the cut each port of the focus needs, and the Settings name no focus",
                       "Set focus on the Settings sheet to a country or a corridor with ports (e.g. PK), or leave out "
                       "--cuts.")
    return Problem(f"gives the cut each port of the focus needs, and the focus ({focus}) has no port: no Nodes row "
                   "of kind port in the country, or on its corridor's routes", "Set focus on the Settings sheet to a "
                   "country or a corridor with ports, or leave out --cuts.")


def slug(quantity: str) -> str:
    """A quantity's name as part of a file name: 'through country PK (focus)_t' -> 'through_country_PK_focus_t'."""
    return re.sub(r"[^A-Za-z0-9-]+", "_", quantity).strip("_")


def switches(live, inputs: list[UncertainInput], design: Design, allocation: str) -> tuple[pd.DataFrame | None, str]:
    """The focus's switching values (model.analysis.uncertainty.switching), each Uncertainty row alone over its
    range (low..high where the row gives both, else the least and the most drawn: UncertainInput.span), then each
    correlation group moved together, or None and why not."""
    if allocation != Allocation.LEAST_COST:
        return None, "not computed: they are the least-cost allocation's (under route choice every route carries some)"
    if focus_of(live.net, live.data.settings.focus) is None:
        return None, "not computed: the Settings name no focus (a country or corridor) to switch"
    return switching_values(live, inputs, design.X), ""


def varied_text(v: UncertainInput) -> str:
    """An input's row in words: its distribution, what the number is, its group and source."""
    numbers = ", ".join(f"{n} {x:g}" for n, x in (("low", v.low), ("mode", v.mode), ("high", v.high),
                                                   ("spread", v.spread)) if x is not None)
    return (f"{v.distribution} ({numbers}), {'a factor of each cell' if v.factor else 'the value'}; "
            f"{len(v.cells)} cell(s)" + (f"; group {v.group}" if v.group else "")
            + (f"; {v.source}" if v.source else ""))


def draws_table(design: Design, inputs: list[UncertainInput], tally: DrawTally, y: pd.DataFrame) -> pd.DataFrame:
    """One row per draw: the unit draws, the values drawn, status, and the quantities."""
    u = pd.DataFrame(design.U, columns=[f"u: {n}" for n in design.problem["names"]])
    x = design.X.rename(columns={v.text: v.text + (" (x base)" if v.factor else "") for v in inputs})
    status = pd.DataFrame({"status": tally.statuses(), "rebuilt": tally.rebuilt})
    return pd.concat([pd.DataFrame({"draw": range(1, len(status) + 1)}), u, x, status, y.reset_index(drop=True)],
                     axis=1)
