"""The workbooks of the analyses: sweeps, exact breakpoints, stress tests and scenario comparisons,
each with a first sheet saying what was run, its tables and native Excel charts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from model.report.cells import bar_axes, new_workbook, put, save_workbook, sheet, style_header, write_table
from model.report.console import watched_columns
from model.report.maps.palette import series_colours
from model.report.output import Outputs
from model.results.summary import Provenance


def about_table(provenance: Provenance, items: list[tuple[str, object]]) -> pd.DataFrame:
    """The first sheet of an analysis workbook: what was run (items), from which input, by which
    version and when."""
    rows = provenance.rows()
    return pd.DataFrame([(k, v) for k, v, _ in rows[:2]] + list(items) + [(k, v) for k, v, _ in rows[2:]],
                        columns=["item", "value"])

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


def _workbook_with_about(kind: str, title: str, about: pd.DataFrame) -> Workbook:
    """A new workbook of corridor `kind` whose first sheet says what was run (item, value)."""
    wb = new_workbook(kind)
    ws = wb.create_sheet(title)
    write_table(ws, about, labels=False)
    style_header(ws)
    ws.column_dimensions["B"].width = 80
    return wb


def write_sweep(outputs: Outputs, path: Path, about: pd.DataFrame, points: pd.DataFrame, routes: pd.DataFrame,
                params: list[str]) -> Path:
    """Sweep workbook: what was swept, one row per point, routes per point; charts of the
    objective and corridor shares (one parameter) or a heat map table (two)."""
    wb = _workbook_with_about(outputs.kind, "Sweep", about)
    pts = sheet(wb, "Points", points, "One row per point: parameter values, status, resource cost (what is paid, and "
                                       "what time, risk and carbon cost), the objective and its parts (USD/yr), "
                                       "CO2e (t/yr), tonnes and shares by corridor and country, binding constraints.")
    n = len(points)
    if len(params) == 1 and n > 1:
        cols = list(points.columns)
        x = cols.index(params[0]) + 1
        charts = wb.create_sheet("Charts", 1)
        _line_chart(pts, charts, "Resource cost (USD/yr)", x, [cols.index("resource_cost_usd") + 1], 4, 3 + n, "USD/yr",
                    "A1")
        shares = [cols.index(c) + 1 for c in cols
                  if c.endswith(" share") and not c.startswith("via ") and points[c].max() > 0.005]
        _line_chart(pts, charts, "Corridor shares of shipped tonnes", x, shares, 4, 3 + n, "share", "A24",
                    percent=True)
        watched = [cols.index(c) + 1 for c in watched_columns(points)]
        if watched:  # the tonnes through what is swept, and through the focus
            _line_chart(pts, charts, "Tonnes through what is swept (t/yr)", x, watched, 4, 3 + n, "t/yr", "A47")
    elif len(params) == 2 and n > 1:
        heat = points.pivot_table(index=params[0], columns=params[1], values="resource_cost_usd")
        hm = wb.create_sheet("Heat map", 1)
        put(hm, 1, 1, f"Resource cost (USD/yr): rows {params[0]}, columns {params[1]}").font = Font(bold=True)
        table = heat.reset_index()
        table.columns = [str(c) for c in table.columns]
        write_table(hm, table, start_row=3, labels=False)
        last_col = get_column_letter(len(table.columns))
        hm.conditional_formatting.add(f"B4:{last_col}{3 + len(table)}",
                                      ColorScaleRule(start_type="min", start_color="63BE7B", mid_type="percentile",
                                                     mid_value=50, mid_color="FFEB84", end_type="max",
                                                     end_color="F8696B"))
        for row in hm.iter_rows(min_row=4, min_col=2):
            for cell in row:
                cell.number_format = '#,##0,,"M"'
    if len(routes):
        sheet(wb, "Routes", routes, "Tonnes per route at each point (routes with tonnes only).")
    save_workbook(wb, outputs.claim(path))
    return Path(path)


def write_exact(outputs: Outputs, path: Path, about: pd.DataFrame, breakpoints: pd.DataFrame,
                segments: pd.DataFrame, param: str) -> Path:
    wb = _workbook_with_about(outputs.kind, "Sweep", about)
    bp = sheet(wb, "Breakpoints", breakpoints.rename(columns={"value": param}),
                "The optimal cost is linear between these values of the parameter (exact, not sampled).")
    _line_chart(bp, bp, "Objective (USD/yr), exact", 1, [2], 4, 3 + len(breakpoints), "USD/yr", "F3")
    sheet(wb, "Segments", segments, "On each segment the allocation is fixed (cost parameter) or changes "
                                     "linearly (capacity or limit); tonnes at the segment's midpoint.")
    save_workbook(wb, outputs.claim(path))
    return Path(path)


def write_stress(outputs: Outputs, path: Path, about: pd.DataFrame, table: pd.DataFrame) -> Path:
    wb = _workbook_with_about(outputs.kind, "About", about)
    st = sheet(wb, "Stress", table, "Each element or corridor closed in turn: those that leave no allocation first, "
                                     "with why; the rest ranked by stranded tonnes, then by "
                                     "the resource cost increase (what is paid, and what time, risk and carbon "
                                     "cost); stranded tonnes are counted in tonnes, their penalty (a price chosen in "
                                     "Settings or by --penalty, not a cost) apart in penalty_usd.")
    failed = int((table["status"] != "Optimal").sum()) if "status" in table.columns else 0  # first, with no cost
    n = min(15, len(table) - failed)
    if n:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Resource cost increase of each closure (top 15 that leave an allocation)"
        cols = list(table.columns)
        first = 4 + failed
        chart.add_data(Reference(st, min_col=cols.index("cost_increase_usd") + 1, min_row=first, max_row=first + n - 1))
        named = cols.index("name" if "name" in cols else "closed")  # the closed element's name
        chart.set_categories(Reference(st, min_col=named + 1, min_row=first, max_row=first + n - 1))
        bar_axes(chart)
        chart.y_axis.numFmt = '#,##0,,"M"'
        chart.y_axis.title = "USD/yr"
        chart.legend = None
        st.add_chart(chart, f"{get_column_letter(len(cols) + 2)}3")
    save_workbook(wb, outputs.claim(path))
    return Path(path)


def write_compare(outputs: Outputs, path: Path, table: pd.DataFrame, about: pd.DataFrame) -> Path:
    """Comparison workbook: metrics side by side with deltas against the base, and charts."""
    wb = new_workbook(outputs.kind)
    ws = wb.create_sheet("Comparison")
    put(ws, 1, 1, "Each scenario against the base case; deltas on the right. Costs USD/yr, tonnes t/yr, "
                   "shares and utilisation as %.").font = Font(italic=True)
    for j, col in enumerate(table.columns, start=1):
        put(ws, 3, j, col)
    for i, rec in enumerate(table.itertuples(index=False), start=4):
        unit = rec[1]
        fmt = {"USD/yr": "#,##0", "t/yr": "#,##0", "USD/t": "#,##0.00", "share": "0.0%", "t CO2e/yr": "#,##0",
               "kg CO2e/t": "#,##0.0"}.get(unit)
        for j, v in enumerate(rec, start=1):
            cell = put(ws, i, j, v)
            if j > 2 and fmt and isinstance(v, float):
                cell.number_format = fmt
    style_header(ws, 3)
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
        bar_axes(chart)
        # the PNG chart's colours, none repeated
        for series, colour in zip(chart.series, series_colours(len(chart.series)), strict=True):
            series.graphicalProperties.solidFill = colour[1:]
        chart.height, chart.width = 14, 24
        ws.add_chart(chart, f"{get_column_letter(len(table.columns) + 2)}3")
    sc = sheet(wb, "Scenarios", about, "What each scenario overrides; a scenario without an optimum says why.")
    sc.column_dimensions["C"].width = 100
    save_workbook(wb, outputs.claim(path))
    return Path(path)


def write_frontier(outputs: Outputs, path: Path, about: pd.DataFrame, table: pd.DataFrame, target: str) -> Path:
    """Frontier workbook: what was asked, one row per extra cost, and the target against the extra cost."""
    wb = _workbook_with_about(outputs.kind, "Frontier", about)
    pts = sheet(wb, "Points", table, f"For each allowance on the objective over the least cost: the most (or least) "
                                     f"tonnes of {target}, the cheapest allocation that reaches it, its resource cost "
                                     "(what is paid, and what time, risk and carbon cost) and how much more that is "
                                     "than at least cost, its calibration premiums (behaviour, not money) and unmet-"
                                     "demand penalty (a price chosen in Settings) apart, tonnes by corridor, and what "
                                     "one more USD of allowance buys in tonnes.")
    cols = list(table.columns)
    if len(table) > 1:
        y = next(c for c in cols if c.startswith("target_t"))
        _line_chart(pts, pts, f"Tonnes of {target} against the extra resource cost",
                    cols.index("extra_cost_of_least_cost") + 1, [cols.index(y) + 1], 4, 3 + len(table), "t",
                    f"{get_column_letter(len(cols) + 2)}3")
    save_workbook(wb, outputs.claim(path))
    return Path(path)
