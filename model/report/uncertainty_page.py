"""corridor uncertainty's page: a small self-contained HTML file beside its workbook, in the solve page's style
(the same Jinja2 environment, style sheet and "How sure" block: model.report.maps.page), with the workbook's
figures: each headline's range with what drives it, what was varied, each quantity's 5/50/95% values, the
probability each corridor, route and part of the focus carries cargo, the tornado charts (the PNGs written beside
it, inlined as data: URIs, so that the page fetches nothing) and the switching values. Written through the
command's Outputs, all or none with the workbook."""

from __future__ import annotations

import base64
import math
import numbers
from pathlib import Path

import pandas as pd

from model.analysis.uncertainty.drivers import main_driver
from model.analysis.uncertainty.focus import FOCUS_KIND, part_of, words
from model.report.cells import header
from model.report.maps.data import HeadlineRange
from model.report.maps.page import environment, how_sure
from model.report.output import Outputs, mark
from model.report.uncertainty import RECALIBRATED, SWITCHING_CALIBRATION
from model.results.brief import figure_text, range_unit


def write_uncertainty_page(outputs: Outputs, path: Path, title: str, subtitle: str, headline: list[str],
                           summary: pd.DataFrame, used: pd.DataFrame, drivers: pd.DataFrame,
                           switching: pd.DataFrame | None, switching_note: str, varied: list[tuple[str, str]],
                           pngs: list[Path], recalibrated: bool = False, labels: dict[str, str] | None = None) -> Path:
    """The page, to path (claimed through outputs): headline, the quantities of summary (model.analysis.uncertainty
    .tables.summary) in the How sure block; varied, (input, its distribution in words) per Uncertainty row; pngs,
    the tornado charts written (claimed) in this block; switching_note, why there are no switching values;
    recalibrated: a run with --recalibrate, said with what was drawn and beside the switching values; labels,
    each input or group as a reader reads it (design.dimension_labels), for the drivers."""
    ranges = tuple(_range(summary, used, drivers, q, labels or {}) for q in headline if q in set(summary["quantity"]))
    drawn = (f"{len(varied)} input{'s' if len(varied) != 1 else ''} of the Uncertainty sheet, each across its range"
             + (f"; {RECALIBRATED}" if recalibrated else ""))
    charts = [{"name": p.name, "src": "data:image/png;base64," + base64.b64encode(
        outputs.staged(p).read_bytes()).decode("ascii")} for p in pngs]
    probability = used.assign(probability=used["probability_used"].map(_percent),
                              sampling_error=used["sampling_error"].map(_percent),
                              interval_95=[f"{_percent(a)} to {_percent(b)}" for a, b in zip(used["low_95"],
                                                                                              used["high_95"],
                                                                                              strict=True)])
    page = environment().get_template("uncertainty.html.j2").render(
        generator=mark(outputs.kind), title=title, subtitle=subtitle, map_aspect="1",
        how_sure=how_sure(ranges, drawn), varied=varied,
        quantiles=_table(summary), used=_table(probability[["kind", "name", "corridor", "draws_used", "draws",
                                                            "probability", "sampling_error", "interval_95"]]),
        charts=charts, switching=None if switching is None else _table(switching), switching_note=switching_note,
        switching_calibration=SWITCHING_CALIBRATION if recalibrated else "")
    outputs.claim(path).write_text(page, encoding="utf-8")
    return Path(path)


def _range(summary: pd.DataFrame, used: pd.DataFrame, drivers: pd.DataFrame, quantity: str,
           labels: dict[str, str]) -> HeadlineRange:
    """A quantity's row of the How sure block: its label, unit and figures as the brief shows them, the share of
    draws with cargo for a part of the focus (the Used table's), and its main driver (drivers.main_driver)."""
    label, divisor, unit, _ = range_unit(quantity)
    r = summary.set_index("quantity").loc[quantity]
    carried = used[(used["kind"] == FOCUS_KIND) & (used["name"] == words(quantity))]["probability_used"]
    top = main_driver(drivers, quantity)
    return HeadlineRange(headline=label, unit=unit, median=_value(r["p50"], divisor), p5=_value(r["p5"], divisor),
                         p95=_value(r["p95"], divisor), draws=int(r["draws"]),
                         probability=float(carried.iloc[0]) if part_of(quantity) and len(carried) else None,
                         moved_most_by="" if top is None else top.words.replace(top.input, labels.get(top.input,
                                                                                                     top.input), 1),
                         change_per_sd=None if top is None else top.change_per_sd)


def _value(v, divisor: float) -> float | None:
    return None if v is None or v != v else float(v) / divisor


def _percent(p) -> str:
    return "" if p is None or p != p else f"{p:.1%}"


def _table(df: pd.DataFrame) -> dict:
    """A table for the page: headers with their units (model.report.cells.header), each value as text (numbers
    with thousands separators, at most 4 significant decimals) and whether it is a number (right-aligned)."""
    rows = [[_cell(v) for v in rec] for rec in df.itertuples(index=False)]
    return {"columns": [header(str(c)) for c in df.columns], "rows": rows}


def _cell(v) -> tuple[str, bool]:
    if isinstance(v, bool) or v is None or (isinstance(v, float) and math.isnan(v)):
        return ("" if v is None or v != v else str(v)), False
    if isinstance(v, numbers.Real):
        x = float(v)
        return (f"{int(x):,}" if x.is_integer() and abs(x) < 1e15 else figure_text(x, 2 if abs(x) >= 1 else 4)), True
    return str(v), False
