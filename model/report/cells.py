"""Cells and tables in workbooks: units in headers, number formats by unit, safe values (no
formula injection, no control characters), styled headers, widths. The analyses' workbooks and input
workbooks (model.report.books, input_workbook) are written here through openpyxl's public API
(Workbook, styles, charts), under the range pyproject.toml pins; result workbooks through XlsxWriter
(model.report.result_book)."""

from __future__ import annotations

import math

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from model.input.schema import SHEETS

EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # what an Excel sheet holds
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")

# Column-name suffix -> (unit shown in the header, number format)
_UNITS = (
    ("_t_per_usd_per_t", "t/yr per USD/t", "#,##0.00"),  # a response: tonnes a year per USD/t of a cost
    ("_usd_per_t", "USD/t", "#,##0.00"),
    ("_usd_per_yr", "USD/yr", "#,##0"),
    ("_usd_per_unit", "USD per unit", "#,##0.00"),
    ("_kg_per_t", "kg/t", "#,##0.0"),
    ("_usd_total", "USD", "#,##0"),
    ("_years", "years", "0.##"),
    ("_usd", "USD/yr", "#,##0"),
    ("_t_total", "t", "#,##0"),
    ("_t", "t/yr", "#,##0"),
    ("_days", "days", "0.0"),
    ("_pct", "%", "0.00"),
)
_PERCENT = ("share", "utilisation", "share_of_shipped", "share_of_co2e", "cost_increase_pct", "probability",
            "extra_cost_of_least_cost", "target_share", "share_of_demand")
# A column ending in _pct holds a share (0.39 for 39%, shown 39.0%), as every share a result holds; except
# the input columns of that name, which hold the percentage itself (tolerance_pct 15 for 15%).
_PERCENT_NUMBERS = frozenset(c.name for s in SHEETS for c in s.columns if c.name.endswith("_pct"))


def header(column: str) -> str:
    """'cost_usd_per_t' -> 'cost (USD/t)', 'share' -> 'share (%)': the unit in the header.
    A swept parameter (Sheet[KEY].column) keeps its name."""
    if "[" in column:
        return column
    if column in _PERCENT or column.endswith(" share"):
        return _words(column.removesuffix("_pct")) + " (%)"
    for suffix, unit, _ in _UNITS:
        if column.endswith(suffix):
            return _words(column[: -len(suffix)]) + f" ({unit})"
    return _words(column)


def _words(name: str) -> str:
    """A column name's words as a reader writes them: 'extra_cost' -> 'extra cost', 'usd' -> 'USD'. A name already
    in words (with a space: 'u: group afghan_road', 'value of CAL_19_MAX') keeps its underscores, which are part
    of the names it quotes, as the other sheets write them."""
    if " " in name:
        return name
    return " ".join("USD" if w == "usd" else w for w in name.split("_"))


def number_format(column: str) -> str | None:
    if column == "discount_factor":
        return "0.0000"
    if column in _PERCENT or column.endswith(" share") or (column.endswith("_pct") and column not in _PERCENT_NUMBERS):
        return "0.0%"
    for suffix, _, fmt in _UNITS:
        if column.endswith(suffix):
            return fmt
    return None



def new_workbook(kind: str) -> Workbook:
    """An empty openpyxl workbook marked as written by corridor `kind` (model.report.output recognises
    it); a result workbook is a ResultBook."""
    from model.report.output import WRITER, mark

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = WRITER
    wb.properties.keywords = mark(kind)
    return wb


def save_workbook(wb: Workbook, path) -> None:
    """Save a workbook corridor wrote, listing its sheets in a document property, so that a sheet a
    planner adds later is recognised (model.report.output.added_sheets) and never lost without a word."""
    import json

    from openpyxl.packaging.custom import StringProperty

    from model.report.output import SHEETS_PROPERTY

    wb.custom_doc_props.append(StringProperty(name=SHEETS_PROPERTY, value=json.dumps(wb.sheetnames)))
    wb.save(path)


def style_header(ws, row: int = 1) -> None:
    for cell in ws[row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


SIGNIFICANT_DIGITS = 12  # of a figure written: the solver's round-off (0.8999999999999999) left out


def figure(value):
    """A result's cell value (safe), a number to SIGNIFICANT_DIGITS: 0.8999999999999999 is written
    0.9, 150000.0000001528 150000. (An input workbook's numbers are written as they are.)"""
    value = safe(value)
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}") if isinstance(value, float) else value


def safe(value):
    """A plain cell value: NaN and pandas' missing values become empty cells; control
    characters that a worksheet cannot hold (from CSV input) are dropped."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # no limit (inf) or not applicable (nan): an empty cell
    if value is not None and not isinstance(value, (str, int, float, bool)):
        try:
            if pd.isna(value):
                return None
        except (TypeError, ValueError):
            pass
        return str(value)
    return value


def kept_text(cell):
    """A cell whose value is text stays text: openpyxl stores text that starts with '=' as a formula
    (formula injection: a route named '=HYPERLINK(...)' would run in Excel) and text like '#N/A' as
    an error value. corridor writes neither formulas nor error values, so every text cell is
    written as a string; every writer of cells (put, Cells) goes through this."""
    if isinstance(cell.value, str) and cell.data_type in ("f", "e"):
        cell.data_type = "s"
    return cell


def put(ws, row: int, column: int, value):
    """Write one cell; text stays text (kept_text)."""
    return kept_text(ws.cell(row=row, column=column, value=safe(value)))


def append(ws, values) -> None:
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(row=1, column=1).value is not None else 1
    for j, v in enumerate(values, start=1):
        put(ws, row, j, v)


def write_table(ws, df: pd.DataFrame, start_row: int = 1, start_col: int = 1, labels: bool = True) -> None:
    """A table with a styled header, number formats by column unit, and set widths."""
    for j, col in enumerate(df.columns):
        put(ws, start_row, start_col + j, header(col) if labels else col)
    formats = [number_format(c) for c in df.columns]
    for i, values in enumerate(df.itertuples(index=False), start=start_row + 1):
        for j, v in enumerate(values):
            cell = put(ws, i, start_col + j, figure(v) if labels else v)
            if formats[j] and isinstance(v, (int, float)) and not isinstance(v, bool):
                cell.number_format = formats[j]
    for j, col in enumerate(df.columns):
        letter = get_column_letter(start_col + j)
        width = max([len(str(ws.cell(row=start_row, column=start_col + j).value))]
                    + [len(f"{v:,.2f}") if isinstance(v, float) else len(str(v)) for v in df[col].head(200)])
        ws.column_dimensions[letter].width = min(max(10, width + 2), 60)


def sheet(wb: Workbook, title: str, df: pd.DataFrame, note: str | None = None):
    ws = wb.create_sheet(title)
    start = 1
    if note:
        put(ws, 1, 1, note).font = Font(italic=True)
        start = 3
    write_table(ws, df, start_row=start)
    style_header(ws, start)
    return ws


def bar_axes(chart: BarChart) -> None:
    """Largest bar on top, values in million tonnes, room for long corridor names."""
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.numFmt = '#,##0,,"Mt"'
    chart.y_axis.title = "Mt/yr"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.height, chart.width = 10, 22
