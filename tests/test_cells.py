"""The result workbook's tables go through openpyxl's public API only, and read back as written:
values, types, number formats, text kept as text, notes, frozen header."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from model.report.cells import figure, header, number_format
from model.report.result_book import ResultBook, wo_table

MODEL = Path(__file__).resolve().parent.parent / "model"
PRIVATE = {"_rows", "_writer", "_style", "_values_to_row", "_write_rows", "_get_writer", "_cells", "_sheets"}


def private_uses(tree: ast.AST) -> list[str]:
    """Imports of openpyxl's private modules (a dotted part starting with '_') and uses of the
    private attributes its writers keep (ws._rows, ws._writer, cell._style, ...)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "openpyxl":
            found += [node.module] if any(p.startswith("_") for p in node.module.split(".")) else []
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "openpyxl"
                      and any(p.startswith("_") for p in a.name.split("."))]
        elif isinstance(node, ast.Attribute) and node.attr in PRIVATE:
            found.append(node.attr)
        elif isinstance(node, ast.Constant) and node.value in PRIVATE:  # getattr(ws, "_rows", None)
            found.append(node.value)
    return found


def test_no_module_drives_openpyxls_private_internals():
    # cells.py streamed rows through openpyxl.worksheet._writer, ws._rows and cell._style: any
    # release could change them under an open pin. Only the public API, under a pinned range.
    uses = {str(p.relative_to(MODEL)): private_uses(ast.parse(p.read_text())) for p in MODEL.rglob("*.py")}
    assert {p: u for p, u in uses.items() if u} == {}
    assert private_uses(ast.parse("from openpyxl.worksheet._writer import WorksheetWriter\nws._rows.send(1)")) \
        == ["openpyxl.worksheet._writer", "_rows"]  # the check sees what it looks for


def test_a_table_reads_back_as_written(tmp_path):
    # As model.report.read_results reads it: pandas through openpyxl, escapes undone (_text_as_written).
    from model.report.read_results import _text_as_written

    df = pd.DataFrame({
        "route": ["A-B", "=1+1", "=", "  padded ", "a & b < c > d", "line\r\nbreak", "", None, "#N/A", "x" * 40000],
        "cost_usd_per_t": [1.5, -0.0, 1e-300, 123456789.123456789, math.nan, math.inf, 3, 2**60, 0.1 + 0.2, -7.25],
        "share": [0.5, None, 1, 0, 1.0, 2.5e-7, math.nan, 0.333333333333, 1e20, -math.inf],
        "used": [True, False, None, True, False, True, False, True, None, False],
        "count": np.arange(10, dtype=np.int64),
        "mixed": [1, "two", 3.0, True, None, pd.NA, np.float64(4.5), "=SUM(A1)", math.nan, pd.Timestamp("2026-01-01")],
        # XlsxWriter writes a text framed by <r> and </r> as raw XML, and escapes _xHHHH_ as Excel does
        "odd": ["<r><t>y</t></r>", "<r>oops</r>", "<r>", "_x0041_", "_x005F_", "tab\there", "\u00e9\u4e2d", "a_x", "_x",
                "<r></r>"],
    })
    df["used"] = df["used"].astype(object)
    for note in (None, "A note."):
        wb = ResultBook(tmp_path / "t.xlsx", "solve")
        ws, cells = wo_table(wb, "Table", df, note)
        ws.append(cells.row(["after", 1.0], [None, "#,##0"]))  # a row appended after the table follows it
        wb.save()
        sheet = load_workbook(tmp_path / "t.xlsx")["Table"]
        read = _text_as_written(pd.read_excel(tmp_path / "t.xlsx", sheet_name="Table", header=None, engine="openpyxl"))
        head = 3 if note else 1
        assert sheet.freeze_panes == f"A{head + 1}" and (sheet["A1"].value == note if note else True)
        assert [c.value for c in sheet[head]] == [header(c) for c in df.columns]
        assert sheet.cell(row=head, column=2).comment is not None  # the column's note, on hover
        for i, values in enumerate(df.itertuples(index=False), start=head + 1):
            for j, (column, v) in enumerate(zip(df.columns, values, strict=True), start=1):
                cell, got, want = sheet.cell(row=i, column=j), read.iat[i - 1, j - 1], figure(v)
                want = want[:32767] if isinstance(want, str) else want
                if want is None or want == "":
                    assert cell.value is None and pd.isna(got), (i, column, v)
                    continue
                if want == "#N/A":  # pandas reads this text as missing, whoever wrote it
                    assert cell.value == want and pd.isna(got)
                    continue
                assert got == want and type(got) is type(want) or (isinstance(want, float) and got == want), \
                    (i, column, v, got)
                if isinstance(want, str):
                    assert cell.data_type in ("s", "inlineStr")  # text stays text: no formula, no error value
                elif isinstance(want, (int, float)) and not isinstance(want, bool) and number_format(column):
                    assert cell.number_format == number_format(column)
        after = head + len(df) + 1
        assert [sheet.cell(row=after, column=j).value for j in (1, 2)] == ["after", 1]
        assert sheet.cell(row=after, column=2).number_format == "#,##0"


def test_a_table_longer_than_a_sheet_holds_is_refused_not_cut(tmp_path, monkeypatch):
    # XlsxWriter leaves out the cells past row 1,048,576 without a word (include_zero_flows at
    # millions of flows, or routes_sheet_rows at its maximum with the note above the table).
    import pytest

    import model.report.cells
    import model.report.result_book
    from model.errors import OutputError

    monkeypatch.setattr(model.report.cells, "EXCEL_ROWS", 10)  # a sheet of 10 rows: note, blank, header, 7 rows
    wb = ResultBook(tmp_path / "t.xlsx", "solve")
    wo_table(wb, "Flows", pd.DataFrame({"tonnes_t": np.arange(7.0)}), "note")  # fits
    with pytest.raises(OutputError) as refused:
        wo_table(wb, "Routes", pd.DataFrame({"tonnes_t": np.arange(8.0)}), "note")
    assert str(refused.value) == ("The Routes sheet of the result would need 11 rows; an Excel sheet holds at most 10 "
                                  "rows. " + model.report.result_book.TOO_LONG["Routes"])
    wb.discard()


def test_bar_charts_have_the_largest_bar_on_top_and_values_in_million_tonnes(base_result_file):
    # XlsxWriter's bar chart calls its vertical (category) axis y: set as openpyxl's x, the values
    # were reversed and the categories given the Mt format.
    wb = load_workbook(base_result_file)
    charts = [chart for name in ("Summary", "Corridors") for chart in wb[name]._charts]  # openpyxl's read charts
    assert len(charts) == 3
    for chart in charts:
        assert chart.x_axis.scaling.orientation == "maxMin" and chart.y_axis.scaling.orientation == "minMax"
        assert chart.y_axis.numFmt.formatCode in ("#,##0", '#,##0,,"Mt"')
        assert "Mt/yr" in str(chart.y_axis.title.tx.rich.p[0].r[0].t)
