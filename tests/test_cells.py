"""The result workbook's data rows, written as XML text a block at a time (model.report.cells.Rows),
are the rows openpyxl writes for the same values cell by cell: same cells, types, styles, text."""

from __future__ import annotations

import math
import zipfile

import numpy as np
import pandas as pd
from lxml import etree

from model.report.cells import NOTE_FONT, Cells, header, new_workbook, number_format, wo_table


def _by_openpyxl(wb, title, df, note):
    """wo_table as it was: every value through Cells.row and ws.append."""
    ws = wb.create_sheet(title)
    cells = Cells(ws)
    ws.freeze_panes = "A4" if note else "A2"
    if note:
        ws.append([cells.styled(note, font=NOTE_FONT)])
        ws.append([])
    ws.append(cells.header([header(c) for c in df.columns]))
    formats = [number_format(c) for c in df.columns]
    for values in df.itertuples(index=False, name=None):
        ws.append(cells.row(values, formats))
    return ws


def _sheet_data(path, n):
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read(f"xl/worksheets/sheet{n}.xml"))
    data = root.find("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheetData")
    return etree.tostring(data, method="c14n")


def test_rows_written_as_text_are_the_rows_openpyxl_writes(tmp_path):
    df = pd.DataFrame({
        "route": ["A-B", "=1+1", "=", "  padded ", "a & b < c > d", "line\r\nbreak", "", None, "#N/A", "x" * 40000],
        "cost_usd_per_t": [1.5, -0.0, 1e-300, 123456789.123456789, math.nan, math.inf, 3, 2**60, 0.1 + 0.2, -7.25],
        "share": [0.5, None, 1, 0, 1.0, 2.5e-7, math.nan, 0.333333333333, 1e20, -math.inf],
        "used": [True, False, None, True, False, True, False, True, None, False],
        "count": np.arange(10, dtype=np.int64),
        "mixed": [1, "two", 3.0, True, None, pd.NA, np.float64(4.5), "=SUM(A1)", math.nan, pd.Timestamp("2026-01-01")],
    })
    df["used"] = df["used"].astype(object)
    for note in (None, "A note."):
        wb = new_workbook("solve", write_only=True)
        wo_table(wb, "Fast", df, note)
        _by_openpyxl(wb, "Slow", df, note)
        ws, cells = wo_table(wb, "Then", df.head(3), note)
        ws.append(cells.row(["after", 1.0], [None, "#,##0"]))  # rows appended after the block are numbered on
        wb.save(tmp_path / "t.xlsx")
        assert _sheet_data(tmp_path / "t.xlsx", 1) == _sheet_data(tmp_path / "t.xlsx", 2)
        then = _sheet_data(tmp_path / "t.xlsx", 3).decode()
        first = 4 if note else 2  # the first data row
        assert f'<row r="{first + 2}">' in then and f'<row r="{first + 3}"><c xmlns="" r="A{first + 3}"' in then


def test_a_table_longer_than_one_block(tmp_path, monkeypatch):
    from model.report.cells import Rows

    monkeypatch.setattr(Rows, "BLOCK", 7)
    df = pd.DataFrame({"corridor": [f"c{i}" for i in range(30)], "tonnes_t": np.arange(30) * 1.5})
    wb = new_workbook("solve", write_only=True)
    wo_table(wb, "Fast", df, "note")
    _by_openpyxl(wb, "Slow", df, "note")
    wb.save(tmp_path / "t.xlsx")
    assert _sheet_data(tmp_path / "t.xlsx", 1) == _sheet_data(tmp_path / "t.xlsx", 2)
