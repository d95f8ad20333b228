"""Cells and tables in openpyxl worksheets: units in headers, number formats by unit, safe values
(no formula injection, no control characters), styled headers, widths; in normal and write-only
workbooks."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter, create_temporary_file

from model.report.notes import result_note
from model.input.schema import SHEETS

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
INPUT_FILL = PatternFill("solid", fgColor="DDEBF7")

# Column-name suffix -> (unit shown in the header, number format)
_UNITS = (
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
            "extra_cost_of_least_cost", "target_share")
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
    """A column name's words as a reader writes them: 'extra_cost' -> 'extra cost', 'usd' -> 'USD'."""
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



def new_workbook(kind: str, write_only: bool = False) -> Workbook:
    """An empty workbook marked as written by corridor `kind` (model.report.output recognises it)."""
    from model.report.output import WRITER, mark

    wb = Workbook(write_only=write_only)
    if not write_only:
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
_FIGURE = f"%.{SIGNIFICANT_DIGITS}g"


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
    written as a string; every writer of cells (put, Cells, the streamed rows) goes through this
    or its twin in _column_xml."""
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


class Cells:
    """Cells for a write-only sheet: a styled cell per number format (styles copied from one
    prototype each, the costly look-up done once), text that starts with '=' kept as text."""

    def __init__(self, ws):
        self.ws = ws
        self.styles: dict = {}

    def styled(self, value, number_format: str | None = None, font=None, fill=None, alignment=None):
        cell = kept_text(WriteOnlyCell(self.ws, value=safe(value)))
        key = (number_format, id(font), id(fill), id(alignment))
        style = self.styles.get(key)
        if style is None:
            if number_format:
                cell.number_format = number_format
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            if alignment is not None:
                cell.alignment = alignment
            self.styles[key] = copy.copy(cell._style)
        else:
            cell._style = copy.copy(style)
        return cell

    def row(self, values, formats) -> list:
        out = []
        for v, fmt in zip(values, formats, strict=True):
            v = figure(v)
            if fmt and isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(self.styled(v, fmt))
            elif isinstance(v, str):
                out.append(self.styled(v))  # text kept as text (kept_text)
            else:
                out.append(v)
        return out

    def header(self, names, notes=None) -> list:
        """Header cells; a note, where given, as the cell's comment (hover to read it)."""
        out = [self.styled(n, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGN) for n in names]
        for cell, note in zip(out, notes or [], strict=False):
            if note:
                cell.comment = Comment(note, "corridor")
                cell.comment.width, cell.comment.height = 300, 120
        return out


HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")


def widths(ws, df: pd.DataFrame, labels: list[str]) -> None:
    for j, col in enumerate(df.columns):
        head = df[col].head(200)
        width = max([len(str(labels[j]))] + [len(f"{v:,.2f}") if isinstance(v, float) else len(str(v)) for v in head])
        ws.column_dimensions[get_column_letter(j + 1)].width = min(max(10, width + 2), 60)


def wo_table(wb: Workbook, title: str, df: pd.DataFrame, note: str | None = None, labels: bool = True):
    """A write-only sheet: the note (if any), a blank row, the styled header, the rows with number
    formats by column unit; widths from the first 200 rows; the header frozen."""
    ws = wb.create_sheet(title)
    cells = Cells(ws)
    names = [header(c) if labels else str(c) for c in df.columns]
    widths(ws, df, names)
    ws.freeze_panes = "A4" if note else "A2"
    own_stream(ws)
    if note:
        ws.append([cells.styled(note, font=NOTE_FONT)])
        ws.append([])
    ws.append(cells.header(names, [result_note(title, c) if labels else None for c in df.columns]))
    rows = Rows(ws, cells, [number_format(c) for c in df.columns])
    for at in range(0, len(df), Rows.BLOCK):
        rows.send(df.iloc[at:at + Rows.BLOCK])
    return ws, cells


class Rows:
    """The data rows of a write-only sheet, written as XML text a block at a time instead of one
    openpyxl cell object per value (about 20 us a cell: a second for the 50,000 cells of a Routes
    sheet). Each value is written as openpyxl writes it (Cells.row): the same types, number
    formats, inline strings, error codes, and text that starts with '=' kept as text; the
    sheet's other rows still go through openpyxl. tests/test_cells.py holds the two identical."""

    BLOCK = 2000  # rows rendered at once (about 1 kB of XML each)

    def __init__(self, ws, cells: Cells, formats: list[str | None]):
        self.ws, self.formats = ws, formats
        self.styles: dict[str | None, int] = {fmt: cells.styled(0.0, fmt).style_id for fmt in set(formats) if fmt}

    def send(self, df: pd.DataFrame) -> None:
        self.ws._rows.send(self)  # asks for the first row number, then takes the block's XML
        first = self.first  # type: ignore[attr-defined]  # set by openpyxl's row writer through send()
        columns = [_column_xml(get_column_letter(j + 1), df[c].tolist(), first, self.styles.get(fmt))
                   for j, (c, fmt) in enumerate(zip(df.columns, self.formats, strict=True))]
        rows = zip(*columns, strict=True) if columns else [()] * len(df)
        xml = "".join(f'<row r="{first + i}">{"".join(cs)}</row>' for i, cs in enumerate(rows))
        self.ws._rows.send((len(df), xml))


_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _column_xml(letter: str, values: list, first: int, style: int | None) -> list[str]:
    """The cells of one column as XML text ('' for an empty cell), as openpyxl writes each value
    (Cells.row, then openpyxl's cell writer: '%.16g' for numbers, inline strings; text always text,
    as kept_text)."""
    s = f' s="{style}"' if style is not None else ""
    out = []
    for r, v in enumerate(values, start=first):
        if type(v) is float or isinstance(v, np.floating):  # most cells: a figure, to SIGNIFICANT_DIGITS at once
            out.append(f'<c r="{letter}{r}"{s} t="n"><v>{_FIGURE % v}</v></c>' if math.isfinite(v) else "")
            continue
        v = figure(v)
        if v is None:
            out.append("")
        elif v is True or v is False:
            out.append(f'<c r="{letter}{r}" t="b"><v>{int(v)}</v></c>')
        elif isinstance(v, (int, float)):
            out.append(f'<c r="{letter}{r}"{s} t="n"><v>{f"{v:.16g}"}</v></c>')
        elif v == "":
            out.append(f'<c r="{letter}{r}" t="inlineStr"/>')
        else:
            v = v[:32767]
            space = ' xml:space="preserve"' if v != v.strip() else ""
            out.append(f'<c r="{letter}{r}" t="inlineStr"><is><t{space}>{v.translate(_ESCAPE)}</t></is></c>')
    return out


def own_stream(ws) -> None:
    """Before a write-only sheet's first row (and after its widths and frozen panes, which the
    sheet's top records): its writer, on a file this module can also write to, and its stream
    of rows, which also takes Rows blocks."""
    ws._writer = _Writer(ws)
    ws._writer.write_top()
    ws._rows = _stream(ws)
    next(ws._rows)


class _Writer(WorksheetWriter):
    """openpyxl's worksheet writer, writing through a file object that a Rows block can write its
    XML to directly, between two flushes of openpyxl's own XML; openpyxl is handed the file's
    path once it is closed, as it expects."""

    def __init__(self, ws):
        self.path = create_temporary_file()
        self.file = open(self.path, "wb")
        super().__init__(ws, out=self.file)

    def close(self):
        super().close()
        self.file.close()
        self.out = self.path


def _stream(ws):
    """openpyxl's WriteOnlyWorksheet._write_rows, which also takes a Rows block: the block is told
    the number of its first row, then gives (rows, XML), written as it is into the sheet's file."""
    writer = ws._writer
    xf = writer.xf.send(True)
    with xf.element("sheetData"):
        row_idx = 1
        try:
            while True:
                row = (yield)
                if isinstance(row, Rows):
                    row.first = row_idx
                    count, xml = yield
                    xf.flush()  # openpyxl's XML so far, then the block's
                    writer.file.write(xml.encode("utf-8"))
                    row_idx += count
                else:
                    writer.write_row(xf, ws._values_to_row(row, row_idx), row_idx)
                    row_idx += 1
        except GeneratorExit:
            pass
    writer.xf.send(None)


NOTE_FONT = Font(italic=True)


def bar_axes(chart: BarChart) -> None:
    """Largest bar on top, values in million tonnes, room for long corridor names."""
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.numFmt = '#,##0,,"Mt"'
    chart.y_axis.title = "Mt/yr"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.height, chart.width = 10, 22
