"""Reading on whole columns gives what reading cell by cell gave: the same raw sheets from calamine
as from openpyxl (every shipped workbook, the corpus, awkward cells), the same typed columns from
the column pass as from the one-pass loop (any cells), and the same tables and problems on a case
of a million flows, valid and broken."""

from __future__ import annotations

import datetime
import shutil

import pandas as pd
import pytest
from conftest import BASE_CSV, BASE_XLSX, ROOT
from corpus import shared_copy
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from test_corpus import CASES

import model.input.read
from model.input.columns import _by_cell, as_column, typed_column
from model.input.raw import RawSheet, blank, scan_sheet_xml
from model.input.read import parse_cell, read_input
from model.input.schema import BOOL, ENUM, NUM, SHEETS, STR, Column
from model.input.validate import validate
from model.input.xlsx import read_xlsx


def openpyxl_sheets(path) -> list[RawSheet]:
    """The workbook reader before calamine (openpyxl's read-only mode, its dimension forgotten)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        ws.reset_dimensions()
        rows, header, header_row = [], None, 1
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            values = list(values)
            if header is None:
                if all(blank(v) for v in values):
                    continue
                header, header_row = values, number
                continue
            rows.append((number, values))
        header = header or []
        width = max([len(header)] + [len(v) for _, v in rows])
        for values in [header] + [v for _, v in rows]:
            values.extend([None] * (width - len(values)))
        raw = RawSheet.of_rows(ws.title, header, rows, header_row=header_row, hidden=ws.sheet_state != "visible")
        raw.unsaved_formulas, raw.merged, _ = scan_sheet_xml(wb._archive, ws._worksheet_path)
        sheets.append(raw)
    wb.close()
    return sheets


def _trimmed(raw: RawSheet):
    """A sheet as both readers must agree on it: names, header, rows without trailing blank ones
    (openpyxl yields the empty rows a style leaves), each row without trailing blank cells."""
    def cut(values):
        values = list(values)
        while values and blank(values[-1]):
            values.pop()
        return values

    rows = [(n, cut(v)) for n, v in raw.rows]
    while rows and not rows[-1][1]:
        rows.pop()
    return (raw.name, raw.hidden, raw.header_row, cut(raw.header), rows, raw.unsaved_formulas, raw.merged)


def assert_same_sheets(path):
    ours, theirs = read_xlsx(path), openpyxl_sheets(path)
    assert [_trimmed(r) for r in ours] == [_trimmed(r) for r in theirs]


@pytest.mark.parametrize("workbook", ["base_case.xlsx", "plan_case.xlsx"])
def test_every_shipped_workbook_reads_as_openpyxl_read_it(workbook):
    assert_same_sheets(ROOT / "inputs" / workbook)


@pytest.mark.slow  # 93 workbooks, each read by two readers
@pytest.mark.heavy  # the shipped workbooks' test above keeps the comparison in the README's pytest
@pytest.mark.parametrize("name, edit", [c[:2] for c in CASES], ids=[c[0] for c in CASES])
def test_every_broken_copy_reads_as_openpyxl_read_it(corpus_copies, name, edit):
    assert_same_sheets(shared_copy(BASE_XLSX, corpus_copies, name, edit))


def test_awkward_cells_read_as_openpyxl_read_them(tmp_path):
    # Whole numbers, dates, error values (#N/A from a lookup, also past the last value), booleans,
    # padded text, a formula without a saved value, a merged range and a stale dimension.
    wb = Workbook()
    ws = wb.active
    ws.title = "Legs"
    ws.append(["from", "to", "mode", "cost_usd_per_t", "transit_days", "note"])
    ws.append(["A", "B", "rail", 5, 1.5, True])
    ws.append(["A", "C", " sea ", "#N/A", datetime.datetime(2024, 1, 2), datetime.date(2024, 3, 4)])
    ws.append([None, None, None, None, None, None])
    ws.append(["B", "C", "road", "=D2*2", 3, "#DIV/0!"])
    ws["H9"] = "#REF!"
    ws.merge_cells("A7:B7")
    wb.create_sheet("Hidden").sheet_state = "hidden"
    path = tmp_path / "awkward.xlsx"
    wb.save(path)
    assert_same_sheets(path)
    legs = {r.name: r for r in read_xlsx(path)}["Legs"]
    assert [v for _, v in legs.rows][1][3] == "#N/A"


# ---------------------------------------------------------------- the column pass and the cell loop

COLUMNS = [c for sheet in SHEETS for c in sheet.columns]
CELL = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", " ", "  5 ", "1,250,000", "50%", "2 %", "1e3", "nan", "inf", "-0", "1_000", "0x10",
                     "TRUE", " yes", "No", "off", "rail", " Sea", "PORT", "A>B", "\u00a012", "12\u200b", "١٢"]),
    st.text(max_size=6))


def assert_same_column(col: Column, values: list):
    """Every cell types to the same value whichever pass takes it: a cell one pass leaves to the cell
    parser (model.input.read.parse_cell) parses to what the other pass took."""
    def final(typed, left):
        out = typed.tolist()
        for i in left.tolist():
            if blank(values[i]):
                out[i] = ("blank", col.default)
            else:
                try:
                    out[i] = parse_cell(col, values[i])
                except ValueError as exc:
                    out[i] = ("refused", str(exc))
        return [("nan",) if isinstance(v, float) and v != v else v for v in out]

    fast, slow = typed_column(col, as_column(values)), _by_cell(col, as_column(values))
    assert final(*fast) == final(*slow)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from([NUM, STR, BOOL, ENUM]), cells=st.lists(CELL, max_size=12), text=st.booleans())
@pytest.mark.slow
def test_the_column_pass_takes_what_the_cell_loop_takes(kind, cells, text):
    col = {NUM: Column("x", NUM, min=0.0, max=1e6), STR: Column("x"), BOOL: Column("x", BOOL),
           ENUM: Column("x", ENUM, choices=("rail", "sea", "port"))}[kind]
    if text:  # a CSV column: text only
        cells = ["" if v is None else str(v) for v in cells]
    assert_same_column(col, cells)


def test_the_column_pass_on_every_column_of_the_shipped_cases():
    for path in (BASE_CSV, BASE_XLSX, ROOT / "inputs" / "plan_case.xlsx"):
        data_raw = {r.name: r for r in (model.input.read.read_raw(path))}
        for sheet in SHEETS:
            raw = data_raw.get(sheet.name)
            if raw is None or sheet.free_columns:
                continue
            header = [str(h).strip() if h is not None else "" for h in raw.header]
            for col in sheet.columns:
                if col.name in header:
                    assert_same_column(col, list(raw.columns[header.index(col.name)]))


# ---------------------------------------------------------------- a million flows

@pytest.fixture(scope="session")  # not module: an xdist worker that runs another file in between would make it again
def million(tmp_path_factory):
    from model.commands.generate import write_case

    return write_case(tmp_path_factory.mktemp("million") / "case", 1_000_000)


def _read_both(path, monkeypatch):
    """(tables and problems read with the column pass, the same read with the cell loop)."""
    def read():
        data = read_input(path)
        return data, validate(data)

    fast = read()
    with monkeypatch.context() as m:
        m.setattr(model.input.read, "typed_column", _by_cell)
        slow = read()
    return fast, slow


def assert_same_reading(fast, slow):
    (a, pa), (b, pb) = fast, slow
    assert a.tables.keys() == b.tables.keys()
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_dtype=False)
    assert a.settings == b.settings
    assert pa == pb


@pytest.mark.slow
@pytest.mark.heavy
def test_a_million_flows_read_without_a_problem(million):
    # The valid case read with the column pass: every route, no problem. That the cell loop reads
    # the same million cells alike is the next test's comparison (all but four cells are these);
    # comparing both passes on this copy too read the million twice more for nothing new.
    data = read_input(million)
    assert len(data.tables["Routes"]) == 500_000 and validate(data) == []


@pytest.mark.slow
@pytest.mark.heavy
def test_a_million_flows_with_faults_give_the_same_problems(million, tmp_path, monkeypatch):
    broken = tmp_path / "broken"
    shutil.copytree(million, broken)
    routes = pd.read_csv(broken / "Routes.csv", dtype=str, keep_default_na=False)
    routes.loc[7, "path"] = "O00>B000>PXXX>M00"  # an unknown node
    routes.loc[250_000, "route"] = ""  # a blank id
    routes.loc[499_999, "path"] = routes.loc[499_999, "path"] + ">M01"  # ends at a market, then goes on
    routes.to_csv(broken / "Routes.csv", index=False)
    legs = pd.read_csv(broken / "Legs.csv", dtype=str, keep_default_na=False)
    legs.loc[3, "cost_usd_per_t"] = "1,0"  # a decimal comma in a USD column
    legs.to_csv(broken / "Legs.csv", index=False)
    fast, slow = _read_both(broken, monkeypatch)
    assert_same_reading(fast, slow)
    assert [str(p) for p in fast[1]] == [
        "Legs, row 5 (O00>B003), cost_usd_per_t: expected a number, found text '1,0'. Type a number in USD/t, at "
        "least 0 and at most 1,000,000.",
        "Routes, row 250002, route: is blank; a value is required. Enter route: route id.",
        "Routes, row 9 (O00-B030-P029-M00), path: unknown node 'PXXX'. Add the node to the Nodes sheet or correct "
        "the path.",
        "Routes, row 500001 (O09-B028-P046-M19), path: step M19>M01 of the path is not a leg. Add a row from=M19, "
        "to=M01 to the Legs sheet, or correct the path."]


@pytest.mark.slow
@pytest.mark.heavy
def test_a_sheet_calamine_cannot_hold_is_read_cell_by_cell(tmp_path):
    """calamine holds a sheet as one dense grid from A1 to its last cell and knows only the seven
    classic error values: a stray value at XFD1048576 asked for 500 GB and aborted the process
    (SIGABRT, no message), and '#SPILL!' in a planner's own notes sheet made the whole workbook
    unreadable. Such sheets are read with openpyxl, as before calamine; run in a child process, so
    that an abort fails this test instead of ending the suite."""
    import subprocess
    import sys

    from openpyxl import load_workbook

    far = tmp_path / "far.xlsx"
    wb = load_workbook(BASE_XLSX)
    wb.create_sheet("Scratch")["XFD1048576"] = "a note in the last cell"
    wb.save(far)
    spill = tmp_path / "spill.xlsx"
    wb = load_workbook(BASE_XLSX)
    cell = wb.create_sheet("Scratch")["B2"]
    cell.value, cell.data_type = "#SPILL!", "e"
    wb.save(spill)
    for path in (far, spill):
        done = subprocess.run([sys.executable, "-m", "model.cli", "validate", str(path)], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "sheet 'Scratch' is not part of the model and is ignored" in done.stderr
        assert "valid." in done.stdout
    assert [r.name for r in read_xlsx(spill)][-1] == "Scratch"
    assert read_xlsx(spill)[-1].header[1] == "#SPILL!"  # when it is read (as a model sheet would be)
    for path in (far, spill):  # the same faults on a model sheet: read, and the stray cells reported
        wb = load_workbook(path)
        del wb["Sweeps"]  # an optional sheet of the base case, replaced by the faulty one
        wb["Scratch"].title = "Sweeps"
        wb.save(path)
        done = subprocess.run([sys.executable, "-m", "model.cli", "validate", str(path)], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 2 and "Sweeps" in done.stderr and "Traceback" not in done.stderr, done.stderr
        if path == far:
            assert "(its cells reach row 1,048,576 and column XFD). If a stray value sits far past the table, " \
                   "delete it" in done.stderr, done.stderr


def test_whole_numbers_on_the_free_sheets_read_as_whole_numbers():
    # calamine gives 2026.0 where openpyxl gave 2026: a Sources year would be written back as '2026.0'.
    sources = read_input(ROOT / "inputs" / "plan_case.xlsx").sources.set_index("id")
    assert not any(type(v) is float for v in sources["year"])  # text ('2023-24') or whole numbers
    assert sources.loc["S51", "year"] == 2026 and type(sources.loc["S51", "year"]) is int


@pytest.mark.parametrize("workbook", ["base_case.xlsx", "plan_case.xlsx"])
@pytest.mark.slow
def test_the_openpyxl_fallback_reads_every_sheet_as_calamine_does(workbook, monkeypatch):
    # Every sheet forced through the fallback (as a sheet with a stray far cell goes): the same tables
    # and problems. Its rows end at their last cell; before they were padded, a short row cut every
    # row of its sheet to its width (22 capacities lost, exit 0).
    import model.input.xlsx

    path = ROOT / "inputs" / workbook
    usual = read_input(path)
    monkeypatch.setattr(model.input.xlsx, "_sparse", lambda xml: True)
    forced = read_input(path)
    assert set(forced.tables) == set(usual.tables)
    for name, table in usual.tables.items():
        pd.testing.assert_frame_equal(forced.tables[name], table, obj=name)
    pd.testing.assert_frame_equal(forced.sources, usual.sources)
    assert [str(p) for p in forced.problems] == [str(p) for p in usual.problems]


@pytest.mark.slow
def test_a_far_note_on_a_model_sheet_loses_no_row(tmp_path):
    # A note at Z40000 on Capacities (the sheet goes to openpyxl): every capacity still read, and the
    # note's row reported, not the sheet silently emptied.
    from openpyxl import load_workbook

    path = tmp_path / "far.xlsx"
    wb = load_workbook(BASE_XLSX)
    wb["Capacities"]["Z40000"] = "a note"
    wb.save(path)
    data = read_input(path)
    assert len(data.tables["Capacities"]) == len(read_input(BASE_XLSX).tables["Capacities"]) + 1
    assert data.tables["Capacities"]["capacity_t"].notna().sum() == 26
