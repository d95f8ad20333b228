"""Result workbooks (model.report.workbook, model.report.maps.sheet), written by XlsxWriter in
constant_memory mode through its public API: each row goes to the file as it is written, so memory
stays flat in the rows; native charts, comments and the map's picture. Measured (benchmarks/README.md,
issue 23: workbooks): XlsxWriter writes the result workbook in less CPU time than openpyxl's
write-only cells; the XML the rows were once streamed as, through openpyxl's private worksheet
writer, is gone with the internals it needed.

Still by hand, and why: _write (every cell of a ResultBook) writes a text framed by '<r>' and '</r>'
as rich text in three runs, because XlsxWriter in constant_memory mode passes such a text into the
sheet as raw XML (a name could change what is shown or corrupt the workbook); XlsxWriter escapes a
carriage return or a literal '_x0041_' as Excel does (_xHHHH_), which openpyxl leaves in the text it
reads, so model.report.read_results undoes it (_text_as_written); and a table longer or wider than a
sheet holds is refused (fits), where XlsxWriter would leave out the cells past the edge."""

from __future__ import annotations

import contextlib

import pandas as pd

from model.report import cells as grid
from model.report.cells import figure, header, number_format, safe
from model.report.notes import result_note

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

    def create_sheet(self, title: str) -> ResultSheet:
        self.sheetnames.append(title)
        return ResultSheet(self, self.book.add_worksheet(title))

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

    __slots__ = ("format", "note", "value")

    def __init__(self, value, format=None, note: str | None = None):
        self.value, self.format, self.note = value, format, note


class ResultSheet:
    """A sheet of a ResultBook, written a row at a time (append, table), in order; rows and columns
    numbered as Excel counts them (1 = the first)."""

    def __init__(self, book: ResultBook, ws):
        self.book, self.ws, self.title, self.rows = book, ws, ws.get_name(), 0

    def append(self, values) -> None:
        r, ws = self.rows, self.ws
        if r >= grid.EXCEL_ROWS or len(values) > grid.EXCEL_COLUMNS:
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
        for start in range(0, len(df), ROWS_AT_ONCE):  # as Python values a block at a time: flat in the rows
            block = df.iloc[start:start + ROWS_AT_ONCE]
            for values in zip(*(block[c].tolist() for c in block.columns), strict=True):
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


ROWS_AT_ONCE = 1000  # rows of a table turned into Python values at once (a whole table's were a Python object a cell)

# What makes a result sheet long, and what a planner can do about it.
TOO_LONG = {"Flows": "Set include_zero_flows to FALSE on the Settings sheet (only the flows used are listed).",
            "Routes": "Lower routes_sheet_rows on the Settings sheet (the note and the header take 3 rows); set "
                      "routes_csv to TRUE for every route in a CSV file beside the workbook."}


def fits(title: str, rows: int, columns: int) -> None:
    """OutputError unless a sheet of `rows` rows and `columns` columns fits in Excel's grid."""
    if rows > grid.EXCEL_ROWS or columns > grid.EXCEL_COLUMNS:
        from model.errors import OutputError

        size = f"{rows:,} rows" if rows > grid.EXCEL_ROWS else f"{columns:,} columns"
        most = f"{grid.EXCEL_ROWS:,} rows" if rows > grid.EXCEL_ROWS else f"{grid.EXCEL_COLUMNS:,} columns"
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

    def __init__(self, ws: ResultSheet):
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


def widths(ws: ResultSheet, df: pd.DataFrame, labels: list[str]) -> None:
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
