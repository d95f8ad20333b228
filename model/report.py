"""DataFrames -> workbooks: the result workbook, the blank template, input workbooks.

Every workbook is written to a temporary file in the target folder and renamed
into place, so a failure never leaves a half-written file, and a file is never
written over the input it was read from.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from model.errors import OutputError
from model.results import ALL, Results
from model.schema import BOOL, ENUM, SETTINGS, SHEETS, column_note

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
INPUT_FILL = PatternFill("solid", fgColor="DDEBF7")

# Column-name suffix -> (unit shown in the header, number format)
_UNITS = (
    ("_usd_per_t", "USD/t", "#,##0.00"),
    ("_usd_total", "USD", "#,##0"),
    ("_years", "years", "0.##"),
    ("_usd", "USD/yr", "#,##0"),
    ("_t", "t/yr", "#,##0"),
    ("_days", "days", "0.0"),
    ("_pct", "%", "0.00"),
)
_PERCENT = ("share", "utilisation", "share_of_shipped", "cost_increase_pct", "probability")

SHEET_NOTES = {
    "Plan": "Each year (and scenario) of the plan: its cost in that year, and that cost weighted by the years it "
            "stands for and discounted to the first year. The objective adds the weighted costs (times each "
            "scenario's probability). Shadow prices, reduced costs and marginal costs on the other sheets are per "
            "tonne in that year's money.",
    "Robust": "Each scenario's weighted, discounted cost under the robust plan (investments chosen for all "
              "scenarios at once) and under the plan made for the base case alone (its investments fixed, flows "
              "re-optimised in each scenario). The expected difference is the value of the stochastic solution.",
    "Bottlenecks": "Binding capacities, policy rules and supply limits, ranked by what one more tonne would save "
                   "a year, with how far that value holds (HiGHS ranging).",
    "Flows": "Tonnes per year of each commodity on each route used, with the cost per tonne in its four parts.",
    "Corridors": "Tonnes and share by corridor, for all commodities and per commodity.",
    "Countries": "Tonnes passing through each country. Shares add to more than 100%: a route crosses several.",
    "Capacity": "Shadow price: what one more tonne of annual capacity would save per year (USD/t); it holds "
                "while capacity stays between valid from and valid to.",
    "Routes": "Every route and commodity it may carry. Reduced cost: how much cheaper per tonne the route must "
              "become before it is used; break-even cost: the cost per tonne at which it starts to be used. The "
              "allocation stays the same while the route's cost stays within its cost range.",
    "Demand": "Marginal cost: what one more tonne of demand at the market would cost (USD/t).",
    "Supply": "Value of more supply: what one more tonne of export allowance would save (USD/t).",
    "Investments": "Capacity the model chose to add (in a plan: in service in each year). Utilisation: of the "
                   "capacity row it adds to, built capacity included. Capacity value: what a tonne of added capacity saves a year "
                   "(the shadow price of the capacity it adds to). Reduced cost: for an option not built, how much "
                   "its annualised cost must fall before it is built; for one built to its limit, minus what one "
                   "more tonne of allowance would save.",
    "Policies": "Saving per tonne relaxed: what allowing one more tonne through the rule's target (or one less "
                "required) would save per year.",
}


def header(column: str) -> str:
    """'cost_usd_per_t' -> 'cost (USD/t)', 'share' -> 'share (%)': the unit in the header.
    A swept parameter (Sheet[KEY].column) keeps its name."""
    if "[" in column:
        return column
    if column in _PERCENT or column.endswith(" share"):
        return column.replace("_", " ") + " (%)"
    for suffix, unit, _ in _UNITS:
        if column.endswith(suffix):
            return column[: -len(suffix)].replace("_", " ") + f" ({unit})"
    return column.replace("_", " ")


def _number_format(column: str) -> str | None:
    if column == "discount_factor":
        return "0.0000"
    if column in _PERCENT or column.endswith(" share"):
        return "0.0%"
    for suffix, _, fmt in _UNITS:
        if column.endswith(suffix):
            return fmt
    return None


@contextlib.contextmanager
def atomic_path(target: Path, forbidden: Path | None = None):
    """Yield a temporary path beside target; rename it to target only on success."""
    target = Path(target)
    if forbidden is not None and target.resolve() == Path(forbidden).resolve():
        raise OutputError(f"the output {target} is the input file; the input is never overwritten. "
                          "Choose another output path with -o.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write in {target.parent}: {exc.strerror}. Choose another folder with -o.") from None
    try:
        yield Path(tmp)
        # mkstemp makes the file readable by its owner only; give it the mode any new file gets
        # (the umask's), so colleagues on a shared drive can open the result.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except PermissionError:
        raise OutputError(f"cannot write {target}: permission denied. If the file is open in Excel, close it and "
                          "run again, or choose another path with -o.") from None
    except IsADirectoryError:
        raise OutputError(f"cannot write {target}: it is a folder. Give a file name ending in .xlsx with -o.") \
            from None
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}. Choose another path with -o.") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _style_header(ws, row: int = 1) -> None:
    for cell in ws[row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _safe(value):
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


def _put(ws, row: int, column: int, value):
    """Write one cell. Text from the input that starts with '=' stays text: openpyxl would
    otherwise store it as a formula (formula injection into the result workbook)."""
    cell = ws.cell(row=row, column=column, value=_safe(value))
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
    return cell


def _append(ws, values) -> None:
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(row=1, column=1).value is not None else 1
    for j, v in enumerate(values, start=1):
        _put(ws, row, j, v)


def _write_table(ws, df: pd.DataFrame, start_row: int = 1, start_col: int = 1, labels: bool = True) -> None:
    """A table with a styled header, number formats by column unit, and set widths."""
    for j, col in enumerate(df.columns):
        _put(ws, start_row, start_col + j, header(col) if labels else col)
    formats = [_number_format(c) for c in df.columns]
    for i, values in enumerate(df.itertuples(index=False), start=start_row + 1):
        for j, v in enumerate(values):
            cell = _put(ws, i, start_col + j, v)
            if formats[j] and isinstance(v, (int, float)) and not isinstance(v, bool):
                cell.number_format = formats[j]
    for j, col in enumerate(df.columns):
        letter = get_column_letter(start_col + j)
        width = max([len(str(ws.cell(row=start_row, column=start_col + j).value))]
                    + [len(f"{v:,.2f}") if isinstance(v, float) else len(str(v)) for v in df[col].head(200)])
        ws.column_dimensions[letter].width = min(max(10, width + 2), 60)


def _sheet(wb: Workbook, title: str, df: pd.DataFrame, note: str | None = None):
    ws = wb.create_sheet(title)
    start = 1
    if note:
        _put(ws, 1, 1, note).font = Font(italic=True)
        start = 3
    _write_table(ws, df, start_row=start)
    _style_header(ws, start)
    return ws


class _Cells:
    """Cells for a write-only sheet: a styled cell per number format (styles copied from one
    prototype each, the costly look-up done once), text that starts with '=' kept as text."""

    def __init__(self, ws):
        self.ws = ws
        self.styles: dict = {}

    def styled(self, value, number_format: str | None = None, font=None, fill=None, alignment=None):
        cell = WriteOnlyCell(self.ws, value=_safe(value))
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
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
        for v, fmt in zip(values, formats):
            v = _safe(v)
            if fmt and isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(self.styled(v, fmt))
            elif isinstance(v, str) and v.startswith("="):
                out.append(self.styled(v))
            else:
                out.append(v)
        return out

    def header(self, names) -> list:
        return [self.styled(n, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGN) for n in names]


HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")


def _widths(ws, df: pd.DataFrame, labels: list[str]) -> None:
    for j, col in enumerate(df.columns):
        head = df[col].head(200)
        width = max([len(str(labels[j]))] + [len(f"{v:,.2f}") if isinstance(v, float) else len(str(v)) for v in head])
        ws.column_dimensions[get_column_letter(j + 1)].width = min(max(10, width + 2), 60)


def _wo_table(wb: Workbook, title: str, df: pd.DataFrame, note: str | None = None, labels: bool = True):
    """A write-only sheet: the note (if any), a blank row, the styled header, the rows with number
    formats by column unit; widths from the first 200 rows; the header frozen."""
    ws = wb.create_sheet(title)
    cells = _Cells(ws)
    names = [header(c) if labels else str(c) for c in df.columns]
    _widths(ws, df, names)
    ws.freeze_panes = "A4" if note else "A2"
    if note:
        ws.append([cells.styled(note, font=NOTE_FONT)])
        ws.append([])
    ws.append(cells.header(names))
    formats = [_number_format(c) for c in df.columns]
    for values in df.itertuples(index=False, name=None):
        ws.append(cells.row(values, formats))
    return ws, cells


NOTE_FONT = Font(italic=True)


def _summary_sheet(wb: Workbook, summary: pd.DataFrame) -> None:
    ws = wb.create_sheet("Summary")
    cells = _Cells(ws)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 68
    ws.column_dimensions["C"].width = 10
    ws.freeze_panes = "A2"
    ws.append(cells.header(["item", "value", "unit"]))
    fmt = {"USD/yr": "#,##0", "USD": "#,##0", "t/yr": "#,##0", "USD/t": "#,##0.00", "s": "0.000",
           "per year": "0.00%"}
    right = Alignment(horizontal="right")
    for item, value, unit in summary.itertuples(index=False):
        if unit in fmt and isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.append([item, cells.styled(value, fmt[unit], alignment=right), unit])
        else:
            ws.append(cells.row([item, value, unit], [None] * 3))


def _corridor_pivot(results: Results) -> tuple[pd.DataFrame, str]:
    """Tonnes by corridor (rows) and commodity, or by year for a plan (base scenario)."""
    c = results.corridors
    if "scenario" in c.columns:
        c = c[c["scenario"] == c["scenario"].iloc[0]] if len(c) else c
    if "year" in c.columns:
        overall = c[c["commodity"] == ALL]
        pivot = overall.pivot_table(index="corridor", columns="year", values="tonnes_t", aggfunc="sum", fill_value=0.0)
        order = overall.groupby("corridor")["tonnes_t"].sum().sort_values(ascending=False).index
        return pivot.reindex(order).fillna(0.0), "Tonnes per year by corridor and year (t/yr)"
    overall = c[c["commodity"] == ALL]
    pivot = (c[c["commodity"] != ALL].pivot_table(index="corridor", columns="commodity", values="tonnes_t",
                                                   aggfunc="sum", fill_value=0.0)
             .reindex(overall["corridor"]).fillna(0.0))
    return pivot, "Tonnes per year by corridor and commodity (t/yr)"


def _corridors_sheet(wb: Workbook, results: Results) -> None:
    """The Corridors table; below it, tonnes by corridor and commodity (or year); to the right,
    bar charts of tonnes by corridor, all commodities, and stacked by commodity (clustered by
    year for a plan)."""
    ws, cells = _wo_table(wb, "Corridors", results.corridors, SHEET_NOTES.get("Corridors"))
    pivot, title = _corridor_pivot(results)
    n = len(pivot)
    if n == 0:
        return
    first = 4  # the table's header is row 3 (after the note); data from row 4
    top = first + len(results.corridors) + 3
    ws.append([])
    ws.append([])
    ws.append([cells.styled(title, font=Font(bold=True))])
    table = pivot.reset_index()
    ws.append(cells.header([str(col) for col in table.columns]))
    for values in table.itertuples(index=False, name=None):
        ws.append(cells.row(values, [None] + ["#,##0"] * (len(values) - 1)))
    anchor = get_column_letter(max(len(table.columns), len(results.corridors.columns)) + 2)
    plan = "year" in results.corridors.columns
    if not plan:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Tonnes by corridor, all commodities"
        chart.add_data(Reference(ws, min_col=3, min_row=first - 1, max_row=first + n - 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=first, max_row=first + n - 1))
        _bar_axes(chart)
        chart.legend = None
        ws.add_chart(chart, f"{anchor}3")
    stacked = BarChart()
    stacked.type = "bar"
    if not plan:
        stacked.grouping = "stacked"
        stacked.overlap = 100
    stacked.title = "Tonnes by corridor and year" if plan else "Tonnes by corridor and commodity"
    stacked.add_data(Reference(ws, min_col=2, max_col=1 + pivot.shape[1], min_row=top, max_row=top + n),
                     titles_from_data=True)
    stacked.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=top + n))
    _bar_axes(stacked)
    stacked.legend.position = "b"
    ws.add_chart(stacked, f"{anchor}{3 if plan else 24}")


def _bar_axes(chart: BarChart) -> None:
    """Largest bar on top, values in million tonnes, room for long corridor names."""
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.numFmt = '#,##0,,"Mt"'
    chart.y_axis.title = "Mt/yr"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.height, chart.width = 10, 22


def write_results(results: Results, path: Path, input_path: Path | None = None) -> Path:
    """The result workbook a planner opens and forwards, written in openpyxl's write-only mode
    (rows streamed to the file, memory flat in the number of rows). A Routes table longer than
    the setting routes_sheet_rows is cut there; with routes_csv, every route goes to
    <result>_routes.csv beside it."""
    path = Path(path)
    if input_path is not None and path.resolve() == Path(input_path).resolve():
        raise OutputError(f"the output {path} is the input file; the input is never overwritten. "
                          "Choose another output path with -o.")
    routes, routes_note = results.routes, SHEET_NOTES["Routes"]
    csv = path.with_name(path.stem + "_routes.csv")
    if results.routes_csv:
        with atomic_path(csv, forbidden=input_path) as tmp:
            routes.to_csv(tmp, index=False)
    if len(routes) > results.routes_sheet_rows:
        used = routes["tonnes_t"] > 0
        # The used routes in their order, then the unused ones by reduced cost (stable): only the
        # positions are sorted, and only the rows kept are copied (a million routes, a few thousand kept).
        rc = routes["reduced_cost_usd_per_t"].to_numpy()
        unused = np.flatnonzero(~used.to_numpy())
        keep = np.concatenate([np.flatnonzero(used.to_numpy()), unused[np.argsort(rc[unused], kind="stable")]])
        routes = routes.iloc[keep[: results.routes_sheet_rows]]
        where = (f"Every route is in {csv.name}, beside this workbook." if results.routes_csv else
                 "For every route, set routes_csv to TRUE in Settings (or raise routes_sheet_rows).")
        routes_note = (f"{len(routes):,} of {len(results.routes):,} routes: the ones used, then the unused ones "
                       f"closest to being used (lowest reduced cost). {where} " + routes_note)
    wb = Workbook(write_only=True)
    try:
        _summary_sheet(wb, results.summary)
        for name, df in results.sheets().items():
            if name == "Summary":
                continue
            if name == "Sources":
                if len(df.columns):
                    _wo_table(wb, "Sources", df, labels=False)
                else:
                    wb.create_sheet("Sources")
            elif name == "Corridors":
                _corridors_sheet(wb, results)
            elif name == "Routes":
                _wo_table(wb, name, routes, routes_note)
            else:
                _wo_table(wb, name, df, SHEET_NOTES.get(name))
        with atomic_path(path, forbidden=input_path) as tmp:
            wb.save(tmp)
    except BaseException:
        _discard(wb)
        raise
    return path


def _discard(wb: Workbook) -> None:
    """Close the streams of a write-only workbook that will not be saved, quietly: left to the
    garbage collector, each would print an lxml error on closing half-written XML."""
    for ws in wb.worksheets:
        for stream in (getattr(ws, "_rows", None), getattr(getattr(ws, "_writer", None), "xf", None)):
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.close()


def write_input_workbook(tables: dict[str, pd.DataFrame], path: Path, settings: dict | None = None,
                         sources: pd.DataFrame | None = None, forbidden: Path | None = None) -> Path:
    """An input workbook: every sheet of the schema with a note on each header (meaning and
    unit) and drop-down lists for the choice columns; with the given rows, or blank (template)."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        if sheet.name == "Settings":
            _append(ws, ["key", "value", "unit", "meaning"])
            given = settings or {}
            for s in SETTINGS:
                _append(ws, [s.key, given.get(s.key, s.default), s.unit, s.description])
            ws.column_dimensions["A"].width = 28
            ws.column_dimensions["B"].width = 30
            ws.column_dimensions["D"].width = 90
            _style_header(ws)
            continue
        if sheet.free_columns:
            df = sources if sources is not None and len(sources.columns) else pd.DataFrame(
                columns=["id", "item", "value", "year", "source", "confidence", "used_for"])
            _write_table(ws, df, labels=False)
            _style_header(ws)
            continue
        df = tables.get(sheet.name, pd.DataFrame(columns=sheet.names))
        df = df[[c for c in sheet.names if c in df.columns]] if len(df.columns) else pd.DataFrame(
            columns=sheet.names)
        for c in sheet.names:
            if c not in df.columns:
                df[c] = None
        df = df[sheet.names]
        _write_table(ws, df, labels=False)
        _style_header(ws)
        last = max(len(df) + 1, 500)
        for j, col in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=j)
            cell.comment = Comment(column_note(col), "corridor-model", width=320, height=160)
            letter = get_column_letter(j)
            choices = col.choices if col.type == ENUM else ("TRUE", "FALSE") if col.type == BOOL else ()
            if choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                    showErrorMessage=True, errorTitle=f"{sheet.name}.{col.name}",
                                    error="Choose one of: " + ", ".join(choices))
                dv.add(f"{letter}2:{letter}{last}")
                ws.add_data_validation(dv)
    with atomic_path(path, forbidden=forbidden) as tmp:
        wb.save(tmp)
    return Path(path)


def read_results(path: Path) -> dict[str, pd.DataFrame]:
    """A result workbook read back: each sheet as a DataFrame with the column names of
    model.results (headers carry units; the note row above the header is skipped)."""
    from model.results import COLUMNS

    out = {}
    with pd.ExcelFile(path, engine="openpyxl") as book:  # the workbook opened once, each sheet read once
        frames = {name: pd.read_excel(book, sheet_name=name, skiprows=0 if name not in SHEET_NOTES else 2)
                  for name in book.sheet_names if name in COLUMNS}
    for name, columns in COLUMNS.items():
        if name not in frames:
            continue
        df = frames[name]
        labels = {header(c): c for c in columns}
        df = df.rename(columns=labels)
        if name == "Corridors":  # the table ends at the first blank row; the pivot below is for reading
            blank = df.index[df.isna().all(axis=1)]
            df = df.loc[: blank[0] - 1] if len(blank) else df
            df = df[[c for c in ["scenario", "year"] + columns if c in df.columns]]
        out[name] = df
    return out


def _line_chart(data, target, title: str, x_col: int, y_cols: list[int], first: int, last: int, y_title: str,
                anchor: str, percent: bool = False) -> None:
    """A line chart on `target` of columns of `data` (rows first..last, header on the row above)."""
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = y_title
    chart.y_axis.numFmt = "0%" if percent else '#,##0,,"M"'
    chart.x_axis.title = str(data.cell(row=first - 1, column=x_col).value)
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    for col in y_cols:
        chart.add_data(Reference(data, min_col=col, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(data, min_col=x_col, min_row=first, max_row=last))
    chart.height, chart.width = 11, 24
    target.add_chart(chart, anchor)


def _workbook_with_about(title: str, about: pd.DataFrame) -> Workbook:
    """A new workbook whose first sheet says what was run (item, value)."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet(title)
    _write_table(ws, about, labels=False)
    _style_header(ws)
    ws.column_dimensions["B"].width = 80
    return wb


def write_sweep(path: Path, about: pd.DataFrame, points: pd.DataFrame, routes: pd.DataFrame,
                params: list[str]) -> Path:
    """Sweep workbook: what was swept, one row per point, routes per point; charts of the
    objective and corridor shares (one parameter) or a heat map table (two)."""
    wb = _workbook_with_about("Sweep", about)
    pts = _sheet(wb, "Points", points, "One row per point: parameter values, status, cost and its parts (USD/yr), "
                                       "tonnes and shares by corridor and country, binding constraints.")
    n = len(points)
    if len(params) == 1 and n > 1:
        cols = list(points.columns)
        x = cols.index(params[0]) + 1
        charts = wb.create_sheet("Charts", 1)
        _line_chart(pts, charts, "Total cost (USD/yr)", x, [cols.index("objective_usd") + 1], 4, 3 + n, "USD/yr", "A1")
        shares = [cols.index(c) + 1 for c in cols
                  if c.endswith(" share") and not c.startswith("via ") and points[c].max() > 0.005]
        _line_chart(pts, charts, "Corridor shares of shipped tonnes", x, shares, 4, 3 + n, "share", "A24",
                    percent=True)
    elif len(params) == 2 and n > 1:
        heat = points.pivot_table(index=params[0], columns=params[1], values="objective_usd")
        hm = wb.create_sheet("Heat map", 1)
        _put(hm, 1, 1, f"Total cost (USD/yr): rows {params[0]}, columns {params[1]}").font = Font(bold=True)
        table = heat.reset_index()
        table.columns = [str(c) for c in table.columns]
        _write_table(hm, table, start_row=3, labels=False)
        last_col = get_column_letter(len(table.columns))
        hm.conditional_formatting.add(f"B4:{last_col}{3 + len(table)}",
                                      ColorScaleRule(start_type="min", start_color="63BE7B", mid_type="percentile",
                                                     mid_value=50, mid_color="FFEB84", end_type="max",
                                                     end_color="F8696B"))
        for row in hm.iter_rows(min_row=4, min_col=2):
            for cell in row:
                cell.number_format = '#,##0,,"M"'
    if len(routes):
        _sheet(wb, "Routes", routes, "Tonnes per route at each point (routes with tonnes only).")
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def write_exact(path: Path, about: pd.DataFrame, breakpoints: pd.DataFrame, segments: pd.DataFrame,
                param: str) -> Path:
    wb = _workbook_with_about("Sweep", about)
    bp = _sheet(wb, "Breakpoints", breakpoints.rename(columns={"value": param}),
                "The optimal cost is linear between these values of the parameter (exact, not sampled).")
    _line_chart(bp, bp, "Total cost (USD/yr), exact", 1, [2], 4, 3 + len(breakpoints), "USD/yr", "F3")
    _sheet(wb, "Segments", segments, "On each segment the allocation is fixed (cost parameter) or changes "
                                     "linearly (capacity or limit); tonnes at the segment's midpoint.")
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def write_stress(path: Path, about: pd.DataFrame, table: pd.DataFrame) -> Path:
    wb = _workbook_with_about("About", about)
    st = _sheet(wb, "Stress", table, "Each element or corridor closed in turn, ranked by stranded tonnes, then by "
                                     "the cost increase (stranded tonnes counted at the penalty).")
    n = min(15, len(table))
    if n:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Cost increase of each closure (top 15)"
        cols = list(table.columns)
        chart.add_data(Reference(st, min_col=cols.index("cost_increase_usd") + 1, min_row=3, max_row=3 + n),
                       titles_from_data=True)
        chart.set_categories(Reference(st, min_col=cols.index("closed") + 1, min_row=4, max_row=3 + n))
        _bar_axes(chart)
        chart.y_axis.numFmt = '#,##0,,"M"'
        chart.y_axis.title = "USD/yr"
        chart.legend = None
        st.add_chart(chart, f"{get_column_letter(len(cols) + 2)}3")
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def write_compare(path: Path, table: pd.DataFrame, about: pd.DataFrame) -> Path:
    """Comparison workbook: metrics side by side with deltas against the base, and charts."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet("Comparison")
    _put(ws, 1, 1, "Each scenario against the base case; deltas on the right. Costs USD/yr, tonnes t/yr, "
                   "shares and utilisation as %.").font = Font(italic=True)
    for j, col in enumerate(table.columns, start=1):
        _put(ws, 3, j, col)
    for i, rec in enumerate(table.itertuples(index=False), start=4):
        unit = rec[1]
        fmt = {"USD/yr": "#,##0", "t/yr": "#,##0", "USD/t": "#,##0.00", "share": "0.0%"}.get(unit)
        for j, v in enumerate(rec, start=1):
            cell = _put(ws, i, j, v)
            if j > 2 and fmt and isinstance(v, float):
                cell.number_format = fmt
    _style_header(ws, 3)
    ws.column_dimensions["A"].width = 40
    for j in range(3, len(table.columns) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 16
    names = [c for c in table.columns[2:] if not c.endswith(" - base")]
    corridor_rows = [i for i, m in enumerate(table["metric"], start=4) if m.startswith("corridor:")]
    if corridor_rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Tonnes by corridor in each scenario"
        for j, _ in enumerate(names, start=3):
            chart.add_data(Reference(ws, min_col=j, min_row=3, max_row=3), titles_from_data=True)
            chart.series[-1].val.numRef.f = (f"'Comparison'!${get_column_letter(j)}${corridor_rows[0]}:"
                                             f"${get_column_letter(j)}${corridor_rows[-1]}")
        chart.set_categories(Reference(ws, min_col=1, min_row=corridor_rows[0], max_row=corridor_rows[-1]))
        _bar_axes(chart)
        chart.height, chart.width = 14, 24
        ws.add_chart(chart, f"{get_column_letter(len(table.columns) + 2)}3")
    sc = _sheet(wb, "Scenarios", about, "What each scenario overrides; a scenario without an optimum says why.")
    sc.column_dimensions["C"].width = 100
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)
