"""Cells and tables in workbooks: units in headers, number formats by unit, safe values (no
formula injection, no control characters), styled headers, widths.

Result workbooks (ResultBook, Sheet, Cells, wo_table) are written by XlsxWriter in constant_memory
mode, through its public API: each row goes to the file as it is written, so memory stays flat in
the rows. The analyses' workbooks and input workbooks (model.report.books, input_workbook) use
openpyxl's public API (Workbook, styles, charts), under the range pyproject.toml pins. Measured
(benchmarks/README.md, issue 23: workbooks): XlsxWriter writes the result workbook in about half the
CPU time of openpyxl's write-only cells; the XML the rows were once streamed as, through openpyxl's
private worksheet writer, is gone with the internals it needed.

Still by hand, and why: _write (every cell of a ResultBook) writes a text framed by '<r>' and '</r>' as rich text in three
runs, because XlsxWriter in constant_memory mode passes such a text into the sheet as raw XML (a name
could change what is shown or corrupt the workbook); XlsxWriter escapes a carriage return or a
literal '_x0041_' as Excel does (_xHHHH_), which openpyxl leaves in the text it reads, so
model.report.read_results undoes it (_text_as_written)."""

from __future__ import annotations

import contextlib
import math

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

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


# Result workbooks (model.report.workbook, model.report.maps.sheet) are written with XlsxWriter in
# constant_memory mode: each row goes to the file as it is written. Styles are XlsxWriter format
# properties, one Format per distinct style (ResultBook.format).
NOTE = (("italic", True),)
BOLD = (("bold", True),)
TITLE = (("bold", True), ("font_size", 14))
RIGHT = (("align", "right"),)
HEADER = (("bold", True), ("font_color", "#FFFFFF"), ("bg_color", "#1F4E78"), ("pattern", 1), ("text_wrap", True),
          ("valign", "vcenter"))
CM = 96 / 2.54  # pixels per centimetre: an openpyxl chart's size (cm) as XlsxWriter's (px)


class ResultBook:
    """A result workbook written by XlsxWriter in constant_memory mode, marked as written by
    corridor `kind` (model.report.output recognises it); save lists its sheets in a document
    property, as save_workbook does."""

    def __init__(self, path, kind: str):
        import xlsxwriter

        from model.report.output import WRITER, mark

        # text is written as text: never read as a formula, a number or a link
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                                    "strings_to_numbers": False, "strings_to_urls": False})
        self.book.set_properties({"author": WRITER, "keywords": mark(kind)})
        self.sheetnames: list[str] = []
        self.formats: dict = {}

    def format(self, number_format: str | None = None, style: tuple = ()):
        key = (number_format, style)
        if key not in self.formats:
            self.formats[key] = self.book.add_format(dict(style, **({"num_format": number_format}
                                                                  if number_format else {})))
        return self.formats[key]

    def create_sheet(self, title: str) -> Sheet:
        self.sheetnames.append(title)
        return Sheet(self, self.book.add_worksheet(title))

    def add_chart(self, kind: str, subtype: str | None = None):
        return self.book.add_chart({"type": kind, **({"subtype": subtype} if subtype else {})})

    def save(self) -> None:
        import json

        from model.report.output import SHEETS_PROPERTY

        self.book.set_custom_property(SHEETS_PROPERTY, json.dumps(self.sheetnames))
        self.book.close()

    def discard(self) -> None:
        """Close a workbook that will not be kept (the output guard removes its file), quietly."""
        with contextlib.suppress(Exception):
            self.book.close()


class Styled:
    """A cell's value with its Format and, for a header, its note (a comment)."""

    __slots__ = ("value", "format", "note")

    def __init__(self, value, format=None, note: str | None = None):
        self.value, self.format, self.note = value, format, note


class Sheet:
    """A sheet of a ResultBook, written a row at a time (append, table), in order; rows and columns
    numbered as Excel counts them (1 = the first)."""

    def __init__(self, book: ResultBook, ws):
        self.book, self.ws, self.title, self.rows = book, ws, ws.get_name(), 0

    def append(self, values) -> None:
        r, ws = self.rows, self.ws
        if r >= EXCEL_ROWS or len(values) > EXCEL_COLUMNS:
            fits(self.title, r + 1, len(values))
        for c, v in enumerate(values):
            if type(v) is Styled:
                if v.note:
                    ws.write_comment(r, c, v.note, {"author": "corridor", "width": 300, "height": 120})
                _write(ws, r, c, v.value, v.format)
            else:
                _write(ws, r, c, v, None)
        self.rows += 1

    def table(self, df: pd.DataFrame, formats: list[str | None]) -> None:
        """A table's rows, each value as Cells.row gives it (a figure, a number in its column's
        format), written straight through: no Styled per cell. A table longer or wider than a sheet
        holds is refused (XlsxWriter would leave out the cells past the edge without a word)."""
        fits(self.title, self.rows + len(df), len(df.columns))
        ws, r = self.ws, self.rows
        fmts = [self.book.format(f) if f else None for f in formats]
        for values in zip(*(df[c].tolist() for c in df.columns), strict=True):
            for c, v in enumerate(values):
                v = figure(v)
                _write(ws, r, c, v, None if v is None or isinstance(v, (str, bool)) else fmts[c])
            r += 1
        self.rows = r

    def width(self, column: int, width: float) -> None:
        """Column `column` (1 = A) `width` characters wide."""
        self.ws.set_column(column - 1, column - 1, width)

    def freeze(self, row: int) -> None:
        """Rows above `row` frozen (the header stays in view)."""
        self.ws.freeze_panes(row - 1, 0)

    def range(self, min_col: int, min_row: int, max_row: int, max_col: int | None = None) -> list:
        """A chart's reference to cells of this sheet (Excel's numbering, as openpyxl's Reference)."""
        return [self.title, min_row - 1, min_col - 1, max_row - 1, (max_col or min_col) - 1]


EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # what an Excel sheet holds
# What makes a result sheet long, and what a planner can do about it.
TOO_LONG = {"Flows": "Set include_zero_flows to FALSE on the Settings sheet (only the flows used are listed).",
            "Routes": "Lower routes_sheet_rows on the Settings sheet (the note and the header take 3 rows); set "
                      "routes_csv to TRUE for every route in a CSV file beside the workbook."}


def fits(title: str, rows: int, columns: int) -> None:
    """OutputError unless a sheet of `rows` rows and `columns` columns fits in Excel's grid."""
    if rows > EXCEL_ROWS or columns > EXCEL_COLUMNS:
        from model.errors import OutputError

        size = f"{rows:,} rows" if rows > EXCEL_ROWS else f"{columns:,} columns"
        most = f"{EXCEL_ROWS:,} rows" if rows > EXCEL_ROWS else f"{EXCEL_COLUMNS:,} columns"
        raise OutputError(f"The {title} sheet of the result would need {size}; an Excel sheet holds at most {most}. "
                          + TOO_LONG.get(title, "Split the case into smaller ones."))


def _write(ws, r: int, c: int, v, fmt) -> None:
    """One value into an XlsxWriter worksheet: nothing for None (a blank with a format), a boolean, a
    number, or text, always as text."""
    if v is None:
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif v is True or v is False:
        ws.write_boolean(r, c, v, fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, v, fmt)
    elif v.startswith("<r>") and v.endswith("</r>"):  # XlsxWriter would write it as raw XML: as text, in runs
        ws.write_rich_string(r, c, v[:1], v[1:2], v[2:], *([fmt] if fmt else []))
    elif v:
        ws.write_string(r, c, v, fmt)


class Cells:
    """Cells for a result sheet: a number with its format, a styled header or note; text always
    text (ResultBook writes no formulas)."""

    def __init__(self, ws: Sheet):
        self.ws = ws

    def styled(self, value, number_format: str | None = None, style: tuple = ()) -> Styled:
        return Styled(safe(value), self.ws.book.format(number_format, style) if number_format or style else None)

    def row(self, values, formats) -> list:
        out = []
        book = self.ws.book
        for v, fmt in zip(values, formats, strict=True):
            v = figure(v)
            if fmt and isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(Styled(v, book.format(fmt)))
            else:
                out.append(v)
        return out

    def header(self, names, notes=None) -> list:
        """Header cells; a note, where given, as the cell's comment (hover to read it)."""
        out = [self.styled(n, style=HEADER) for n in names]
        for cell, note in zip(out, notes or [], strict=False):
            cell.note = note or None
        return out


def widths(ws: Sheet, df: pd.DataFrame, labels: list[str]) -> None:
    for j, col in enumerate(df.columns):
        head = df[col].head(200)
        width = max([len(str(labels[j]))] + [len(f"{v:,.2f}") if isinstance(v, float) else len(str(v)) for v in head])
        ws.width(j + 1, min(max(10, width + 2), 60))


def wo_table(wb: ResultBook, title: str, df: pd.DataFrame, note: str | None = None, labels: bool = True):
    """A result sheet: the note (if any), a blank row, the styled header, the rows with number
    formats by column unit; widths from the first 200 rows; the header frozen."""
    ws = wb.create_sheet(title)
    cells = Cells(ws)
    names = [header(c) if labels else str(c) for c in df.columns]
    widths(ws, df, names)
    ws.freeze(4 if note else 2)
    if note:
        ws.append([cells.styled(note, style=NOTE)])
        ws.append([])
    ws.append(cells.header(names, [result_note(title, c) if labels else None for c in df.columns]))
    ws.table(df, [number_format(c) for c in df.columns])
    return ws, cells


def chart_axes(chart, height: float = 10, width: float = 22) -> None:
    """bar_axes for a ResultBook's chart: largest bar on top, values in million tonnes, room for long
    corridor names; height and width in cm. (In XlsxWriter's bar chart the y axis is the categories'.)"""
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"num_format": '#,##0,,"Mt"', "name": "Mt/yr"})
    chart.set_size({"width": round(width * CM), "height": round(height * CM)})




def bar_axes(chart: BarChart) -> None:
    """Largest bar on top, values in million tonnes, room for long corridor names."""
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.numFmt = '#,##0,,"Mt"'
    chart.y_axis.title = "Mt/yr"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.height, chart.width = 10, 22
