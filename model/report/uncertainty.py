"""What corridor uncertainty writes and says: the workbook (what was drawn, each quantity's 5/50/95% values
with a histogram as a native Excel chart, the probability each corridor and route is used with its sampling
error, and the draws themselves) and the lines on the terminal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model.analysis.uncertainty.drivers import moved_most_by
from model.analysis.uncertainty.figures import CUT, GAP
from model.analysis.uncertainty.focus import FOCUS, FOCUS_KIND, OWN, part_of, words
from model.analysis.uncertainty.switching import ALONE_IN_GROUP, OF_FACTOR, OF_VALUE
from model.input.schema import Scope
from model.report.output import Outputs
from model.report.result_book import BOLD, CM, NOTE, Cells, ResultBook, wo_table
from model.results.brief import figure_text

BINS = 20  # bars of a histogram
# A run with --recalibrate, said wherever the run is described (the workbook's About and Switching sheets, its page):
# the draws each recalibrated, while the switching values are searched on one calibration, the base values'.
RECALIBRATED = "each draw recalibrated first to the calibration's observations"
SWITCHING_CALIBRATION = ("With --recalibrate the switching values are not recalibrated at each value searched: they "
                         "are computed on the input recalibrated once, at the base value of every input, its "
                         "premiums then held.")


def page_path(workbook: Path) -> Path:
    """<workbook>.html beside the uncertainty workbook: its page (model.report.uncertainty_page)."""
    return Path(workbook).with_suffix(".html")


def histogram(values: pd.Series) -> pd.DataFrame:
    """BINS equal bins from the least to the most value (numpy's edges), with the draws in each."""
    v = values.dropna().to_numpy(dtype=float)
    counts, edges = np.histogram(v, bins=BINS)
    return pd.DataFrame({"from": edges[:-1], "to": edges[1:], "draws": counts})


def write_uncertainty(outputs: Outputs, path: Path, about: pd.DataFrame, summary: pd.DataFrame, used: pd.DataFrame,
                      draws: pd.DataFrame, y: pd.DataFrame, used_note: str, drivers: pd.DataFrame,
                      switching: pd.DataFrame | None, recalibrated: bool = False) -> Path:
    """Uncertainty workbook, written with XlsxWriter's constant_memory mode (model.report.result_book: rows
    streamed to the file, so memory stays flat in the draws): About (what was drawn, how), Summary (each
    quantity's spread), Histograms (a native chart per quantity that varies), Used (corridors and routes),
    Drivers (model.analysis.uncertainty.drivers), Switching (the focus's switching values, where computed),
    Draws (one row per draw). recalibrated: a run with --recalibrate (its Switching note says on which
    calibration the switching values are: SWITCHING_CALIBRATION)."""
    wb = ResultBook(outputs.claim(path), outputs.kind)
    try:
        wo_table(wb, "About", about, labels=False)[0].width(2, 80)
        wo_table(wb, "Summary", summary, "Each quantity over the draws with an optimum: the 5%, 50% (median) and "
                                         "95% values, the mean and standard deviation, the least and the most. "
                                         "Resource cost is what is paid and what time, risk and carbon cost; a "
                                         "bottleneck's value is what one more unit of its limit saves a year (0 in a "
                                         "draw where it does not bind).")
        _histograms(wb, y)
        wo_table(wb, "Used", used, used_note)
        wo_table(wb, "Drivers", drivers, "What drives each quantity's spread, by the measure the measure column "
                                         "names (the documentation's Drivers page): each varied input, a "
                                         "correlation group as one.")
        if switching is not None:
            wo_table(wb, "Switching", switching, "Each varied input alone, the others at their base: the value at "
                                                 "which the focus's first route starts to carry cargo, and whether it "
                                                 "lies inside the input's range (low..high, or the least and most "
                                                 "drawn); moved says alone, or alone though its correlation group "
                                                 "moves together in the draws. Then each group moved together: the "
                                                 "group's quantile u (0..1) at which the route starts, and each of its "
                                                 "rows' values there (at switch)."
                                                 + (" " + SWITCHING_CALIBRATION if recalibrated else ""))
        wo_table(wb, "Draws", draws, "One row per draw: u: the unit draw of each dimension (a correlation group, or "
                                     "an input on its own), each input's value drawn (x base: a factor of each "
                                     "cell's base value), whether it was solved, and what it gave.")
        wb.save()
    except BaseException:
        wb.discard()
        raise
    return Path(path)


def _histograms(wb: ResultBook, y: pd.DataFrame) -> None:
    """For each quantity that varies: its name, the BINS bins with their draws, and a column chart of them."""
    ws = wb.create_sheet("Histograms")
    cells = Cells(ws)
    ws.append([cells.styled(f"How the draws spread: for each quantity that varies, the draws in each of {BINS} "
                            "equal bins from its least to its most value.", style=NOTE)])
    ws.width(1, 18)
    ws.width(2, 18)
    for quantity in y.columns:
        column = y[quantity].dropna()
        if not len(column) or column.max() - column.min() <= 1e-9 * max(1.0, abs(column.max())):
            continue
        table = histogram(column)
        ws.append([])
        top = ws.rows + 1  # the quantity's title, as Excel numbers the row
        ws.append([cells.styled(quantity, style=BOLD)])
        ws.append(cells.header(list(table.columns)))
        ws.table(table, ["#,##0.00", "#,##0.00", "0"])
        chart = wb.add_chart("column")
        chart.set_title({"name": quantity})
        chart.add_series({"values": ws.range(3, top + 2, top + 1 + BINS),
                          "categories": ws.range(1, top + 2, top + 1 + BINS), "gap": 10})
        chart.set_x_axis({"name": "from (the bin's least value)", "num_format": "#,##0.00"})
        chart.set_y_axis({"name": "draws"})
        chart.set_legend({"none": True})
        chart.set_size({"width": round(16 * CM), "height": round(7.5 * CM)})
        ws.ws.insert_chart(f"E{top}", chart)  # 7.5 cm: within the rows of its table


def uncertainty_text(summary: pd.DataFrame, used: pd.DataFrame, draws: int, solved: int, seconds: float, out: Path,
                     points_file: Path, drivers: pd.DataFrame, switching: pd.DataFrame | None, pngs: list[Path]) -> str:
    """The run in a few lines: draws solved and time, the resource cost's and the focus's 5-95% ranges with
    what drives each most, the corridors used in some draws but not all, the switching values inside their
    input's range, and where the workbook, its page and charts are."""
    lines = [f"{draws:,} draws, {solved:,} solved, {seconds:.2f} s" + (f" ({draws / seconds:,.0f} draws/s)"
                                                                       if seconds else "")]
    if solved < draws:
        lines.append(f"{draws - solved:,} draw(s) without an optimum: the figures below are over the {solved:,} "
                     "with one (the Draws sheet gives each one's status).")
    by = summary.set_index("quantity")
    for quantity, what, scale, unit in (("resource_cost_usd", "Resource cost", 1e6, "million USD/yr"),
                                        (GAP, "Focus gap to break-even", 1.0, "USD/t"),
                                        *[(q, q[:1].upper() + q[1:].removesuffix("_usd_per_t"), 1.0, "USD/t")
                                          for q in by.index if q.startswith(CUT)]):  # --cuts: each port's
        if quantity in by.index and by.loc[quantity, "draws"]:
            r = by.loc[quantity]
            lines.append(f"{what}: {r['p5'] / scale:,.2f} to {r['p95'] / scale:,.2f} {unit} (5-95%), median "
                         f"{r['p50'] / scale:,.2f}" + moved_most_by(drivers, quantity))
    carried = used[used["kind"] == FOCUS_KIND].set_index("name")
    for quantity in [q for q in by.index if q.endswith(FOCUS)]:  # each part of the focus's tonnes (focus.py)
        r, what = by.loc[quantity], words(quantity)
        share = (f"; {'supplied' if part_of(quantity) == OWN else 'carries cargo'} in "
                 f"{carried.loc[what, 'probability_used']:.1%} of draws" if what in carried.index else "")
        lines.append(f"Tonnes {what} (focus): {figure_text(r['p5'] / 1e6, 2)} to {figure_text(r['p95'] / 1e6, 2)} "
                     f"Mt/yr (5-95%){share}")
    corridors = used[(used["kind"] == Scope.CORRIDOR) & (used["draws_used"] > 0) & (used["draws_used"] < used["draws"])]
    for rec in corridors.itertuples(index=False):
        lines.append(f"Corridor {rec.name}: used in {rec.probability_used:.1%} of draws (+- {rec.sampling_error:.1%})")
    if switching is not None:
        for rec in switching[switching["in_range"] == "inside"].itertuples(index=False):
            at = (" (x base)" if rec.of == OF_FACTOR else "" if rec.of == OF_VALUE else
                  f" of its quantile ({rec.at_switch})")  # a group moved together
            alone = ", moved alone (its group moves together)" if rec.moved == ALONE_IN_GROUP else ""
            lines.append(f"Switches inside its range: {rec.input} at {rec.switching_value:,.6g}{at}, where {rec.route} "
                         f"starts{alone}")
    lines.append(f"\nWorkbook: {out}\nPage: {page_path(out)}\nDrivers: {', '.join(str(p) for p in pngs)}\n"
                 f"Draws (for --resume): {points_file}")
    return "\n".join(lines)
