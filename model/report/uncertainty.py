"""What corridor uncertainty writes and says: the workbook (what was drawn, each quantity's 5/50/95% values
with a histogram as a native Excel chart, the probability each corridor and route is used with its sampling
error, and the draws themselves) and the lines on the terminal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from model.analysis.uncertainty.figures import GAP
from model.analysis.uncertainty.tables import FOCUS
from model.input.schema import Scope
from model.report.books import workbook_with_about
from model.report.cells import put, save_workbook, sheet, style_header
from model.report.output import Outputs

BINS = 20  # bars of a histogram


def histogram(values: pd.Series) -> pd.DataFrame:
    """BINS equal bins from the least to the most value (numpy's edges), with the draws in each."""
    v = values.dropna().to_numpy(dtype=float)
    counts, edges = np.histogram(v, bins=BINS)
    return pd.DataFrame({"from": edges[:-1], "to": edges[1:], "draws": counts})


def write_uncertainty(outputs: Outputs, path: Path, about: pd.DataFrame, summary: pd.DataFrame, used: pd.DataFrame,
                      draws: pd.DataFrame, y: pd.DataFrame, used_note: str, drivers: pd.DataFrame,
                      switching: pd.DataFrame | None) -> Path:
    """Uncertainty workbook: About (what was drawn, how), Summary (each quantity's spread), Histograms (one
    chart per quantity that varies), Used (corridors and routes), Drivers (model.analysis.uncertainty.drivers),
    Switching (the focus's switching values, where computed), Draws (one row per draw)."""
    wb = workbook_with_about(outputs.kind, "About", about)
    sheet(wb, "Summary", summary, "Each quantity over the draws with an optimum: the 5%, 50% (median) and 95% "
                                  "values, the mean and standard deviation, the least and the most. Resource cost "
                                  "is what is paid and what time, risk and carbon cost; a bottleneck's value is what "
                                  "one more unit of its limit saves a year (0 in a draw where it does not bind).")
    hist = wb.create_sheet("Histograms")
    put(hist, 1, 1, "How the draws spread: for each quantity that varies, the draws in each of "
                    f"{BINS} equal bins from its least to its most value.").font = Font(italic=True)
    row = 3
    for quantity in y.columns:
        column = y[quantity].dropna()
        if not len(column) or column.max() - column.min() <= 1e-9 * max(1.0, abs(column.max())):
            continue
        table = histogram(column)
        put(hist, row, 1, quantity).font = Font(bold=True)
        for j, name in enumerate(table.columns, start=1):
            put(hist, row + 1, j, name)
        style_header(hist, row + 1)
        for i, rec in enumerate(table.itertuples(index=False), start=row + 2):
            for j, v in enumerate(rec, start=1):
                put(hist, i, j, float(v) if j < 3 else int(v)).number_format = "#,##0.00" if j < 3 else "0"
        chart = BarChart()
        chart.title = quantity
        chart.add_data(Reference(hist, min_col=3, min_row=row + 1, max_row=row + 1 + BINS), titles_from_data=True)
        chart.set_categories(Reference(hist, min_col=1, min_row=row + 2, max_row=row + 1 + BINS))
        chart.x_axis.title = "from (the bin's least value)"
        chart.y_axis.title = "draws"
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.legend = None
        chart.gapWidth = 10
        chart.height, chart.width = 7.5, 16
        hist.add_chart(chart, f"E{row}")
        row += max(BINS + 3, 16)
    hist.column_dimensions["A"].width = hist.column_dimensions["B"].width = 18
    sheet(wb, "Used", used, used_note)
    sheet(wb, "Drivers", drivers, "What drives each quantity's spread, by the measure the measure column names (the "
                                  "documentation's Drivers page): each varied input, a correlation group as one.")
    if switching is not None:
        sheet(wb, "Switching", switching, "Each varied input alone, the others at their base: the value at which the "
                                          "focus's first route starts to carry cargo, and whether it lies inside "
                                          "the input's range (low..high, or the least and most drawn).")
    sheet(wb, "Draws", draws, "One row per draw: u: the unit draw of each dimension (a correlation group, or an input "
                              "on its own), each input's value drawn (x base: a factor of each cell's base value), "
                              "whether it was solved, and what it gave.")
    save_workbook(wb, outputs.claim(path))
    return Path(path)


def uncertainty_text(summary: pd.DataFrame, used: pd.DataFrame, draws: int, solved: int, seconds: float, out: Path,
                     points_file: Path, drivers: pd.DataFrame, switching: pd.DataFrame | None, pngs: list[Path]) -> str:
    """The run in a few lines: draws solved and time, the resource cost's and the focus's 5-95% ranges with
    what drives each most, the corridors used in some draws but not all, the switching values inside their
    input's range, and where the workbook and charts are."""
    lines = [f"{draws:,} draws, {solved:,} solved, {seconds:.2f} s" + (f" ({draws / seconds:,.0f} draws/s)"
                                                                       if seconds else "")]
    if solved < draws:
        lines.append(f"{draws - solved:,} draw(s) without an optimum: the figures below are over the {solved:,} "
                     "with one (the Draws sheet gives each one's status).")
    by = summary.set_index("quantity")
    for quantity, what, scale, unit in (("resource_cost_usd", "Resource cost", 1e6, "million USD/yr"),
                                        (GAP, "Focus gap to break-even", 1.0, "USD/t")):
        if quantity in by.index and by.loc[quantity, "draws"]:
            r = by.loc[quantity]
            lines.append(f"{what}: {r['p5'] / scale:,.2f} to {r['p95'] / scale:,.2f} {unit} (5-95%), median "
                         f"{r['p50'] / scale:,.2f}" + most_driven_by(drivers, quantity))
    for quantity in [q for q in by.index if q.endswith(FOCUS)]:
        r = by.loc[quantity]
        lines.append(f"Tonnes {quantity.removesuffix('_t')}: {r['p5'] / 1e6:,.2f} to {r['p95'] / 1e6:,.2f} Mt/yr "
                     f"(5-95%)")
    corridors = used[(used["kind"] == Scope.CORRIDOR) & (used["draws_used"] > 0) & (used["draws_used"] < used["draws"])]
    for rec in corridors.itertuples(index=False):
        lines.append(f"Corridor {rec.name}: used in {rec.probability_used:.1%} of draws (+- {rec.sampling_error:.1%})")
    if switching is not None:
        for rec in switching[switching["in_range"] == "inside"].itertuples(index=False):
            lines.append(f"Switches inside its range: {rec.input} at {rec.switching_value:,.6g}"
                         f"{' (x base)' if rec.of != 'value' else ''}, where {rec.route} starts")
    lines.append(f"\nWorkbook: {out}\nDrivers: {', '.join(str(p) for p in pngs)}\nDraws (for --resume): {points_file}")
    return "\n".join(lines)


def most_driven_by(drivers: pd.DataFrame, quantity: str) -> str:
    """'; most by X' naming the input with the largest total index (Sobol') or change per standard deviation
    of the quantity, or '' when nothing drives it."""
    mine = drivers[drivers["quantity"] == quantity]
    size = mine["total"] if "total" in mine.columns else mine.get("change_per_sd", pd.Series(dtype=float)).abs()
    if not len(mine) or not size.notna().any() or not size.max() > 0:
        return ""
    return f"; most by {mine.loc[size.idxmax(), 'input']}"
