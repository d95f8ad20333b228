"""Safe reading and writing: hostile files refused, outputs never half-written, no formula injection."""

from __future__ import annotations

import shutil
import zipfile

import pytest
from cases import nodes, transport_case, write_case
from openpyxl import load_workbook

import model.input.raw
from model.cli import main

pytestmark = pytest.mark.slow  # every writer end to end: left out of the fast loop


def rewrite_part(xlsx, part, transform, out):
    """Copy a workbook, changing one XML part of it."""
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, transform(data) if info.filename == part else data)
    return out


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10))
          + b"]>")


def test_zip_bomb_is_refused(tmp_path, monkeypatch, capsys):
    # A part that unpacks to 64 MiB of zeros (a few tens of KiB compressed), against a limit lowered
    # to 16 MiB so the test stays fast; the check reads the sizes before anything is unpacked.
    monkeypatch.setattr(model.input.raw, "MAX_UNCOMPRESSED_BYTES", 16 * 2**20)
    case = write_case(tmp_path, transport_case(), xlsx=True)
    bomb = tmp_path / "bomb.xlsx"
    shutil.copy(case, bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/media/zeros.bin", "w") as f:
        chunk = bytes(2**20)
        for _ in range(64):
            f.write(chunk)
    assert bomb.stat().st_size < 2**20
    assert main(["solve", str(bomb), "-o", str(tmp_path / "r.xlsx")]) == 2
    assert "a possible zip bomb" in capsys.readouterr().err
    assert not (tmp_path / "r.xlsx").exists()


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_xml_entity_bomb_is_refused(tmp_path, capsys, part):
    case = write_case(tmp_path, transport_case(), xlsx=True)

    def inject(data):
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return LAUGHS + body.replace(b"</sheetData>", b"<row r='99'><c r='A99' t='inlineStr'><is><t>&lol9;</t>"
                                     b"</is></c></row></sheetData>")

    bomb = rewrite_part(case, part, inject, tmp_path / "laughs.xlsx")
    assert main(["validate", str(bomb)]) == 2
    err = capsys.readouterr().err
    assert "declares entities or a DTD" in err and "a possible XML bomb" in err


def test_zip_that_is_not_a_workbook(tmp_path, capsys):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    assert main(["validate", str(path)]) == 2
    assert "is a zip archive but not an Excel workbook" in capsys.readouterr().err


def test_other_file_types_are_refused(tmp_path, capsys):
    path = tmp_path / "case.ods"
    path.write_bytes(b"PK\x03\x04")
    assert main(["validate", str(path)]) == 2
    assert "expected an Excel workbook (.xlsx) or a folder of CSV files" in capsys.readouterr().err


def test_row_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(model.input.raw, "MAX_ROWS", 5)
    many = [{"node": f"N{i}", "country": "XX", "kind": "hub"} for i in range(10)]
    case = write_case(tmp_path, transport_case(Nodes=transport_case()["Nodes"] + many))
    assert main(["validate", str(case)]) == 2
    assert "rows, above the limit of 5" in capsys.readouterr().err


def test_text_from_the_input_is_never_written_as_a_formula(tmp_path):
    evil = '=HYPERLINK("http://example.invalid","click")'
    tables = transport_case(
        Nodes=nodes(("A", "origin", {"name": evil}), ("R", "hub"), ("M", "market")),
        Routes=[{"route": "RAIL", "corridor": "=1+1", "path": "A>M"},
                {"route": "ROAD", "corridor": "@SUM(A1)", "path": "A>R>M"}])
    case = write_case(tmp_path, tables, settings={"scenario_name": "=cmd|' /C calc'!A0"}, xlsx=True)
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out)]) == 0
    wb = load_workbook(out)  # formulas would come back with data_type "f"
    formulas = [(ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    texts = {c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"=1+1", "@SUM(A1)", "=cmd|' /C calc'!A0"} <= texts


def test_interrupted_write_leaves_the_previous_result(tmp_path, monkeypatch, capsys):
    case = write_case(tmp_path, transport_case())
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out)]) == 0
    previous = out.read_bytes()

    def crash(self):
        with open(self.filename, "wb") as f:
            f.write(b"half a workbook")
        raise KeyboardInterrupt  # the planner pressed Ctrl-C, or the machine went down mid-write

    import xlsxwriter

    monkeypatch.setattr(xlsxwriter.Workbook, "close", crash)  # the result workbook's writer (ResultBook)
    assert main(["solve", str(case), "-o", str(out)]) == 130
    assert "Interrupted; no output was written." in capsys.readouterr().err
    assert out.read_bytes() == previous
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_output_that_is_a_folder(tmp_path, capsys):
    case = write_case(tmp_path, transport_case())
    folder = tmp_path / "taken.xlsx"
    folder.mkdir()
    assert main(["solve", str(case), "-o", str(folder)]) == 1
    assert "it is a folder" in capsys.readouterr().err


def test_control_characters_in_input_text(tmp_path):
    # Found by the mutation test: a control character in a CSV cell cannot be stored in a worksheet.
    tables = transport_case(Nodes=nodes(("A", "origin", {"name": "Ekibastuz\x01\x1f"}), ("R", "hub"), ("M", "market")))
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(write_case(tmp_path, tables)), "-o", str(out)]) == 0
    assert out.exists()


def test_result_file_gets_the_usual_permissions(tmp_path):
    # Written through a private temporary file, the result still gets the mode of any new file
    # (0666 less the umask), not owner-only: colleagues on a shared drive can open it.
    import os

    case = write_case(tmp_path, transport_case())
    out = tmp_path / "r.xlsx"
    umask = os.umask(0o022)
    try:
        assert main(["solve", str(case), "-o", str(out)]) == 0
    finally:
        os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o644


# ---------------------------------------------------------------- every sheet read whole

DEMAND_PART = "xl/worksheets/sheet10.xml"  # the base case's Demand sheet: header and 44 rows, A1:E45


def with_dimension(ref):
    """A sheet part whose <dimension> records `ref` instead of the range the rows fill, as some
    tools other than Excel leave it."""
    import re

    def transform(data):
        new, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="%s"/>' % ref.encode(), data)
        assert n == 1
        return new
    return transform


@pytest.mark.parametrize("ref", ["A1:F20", "A1:B45", "A1:XFD1048576"],
                         ids=["too few rows", "too few columns", "far too large"])
def test_a_stale_sheet_dimension_does_not_hide_rows(tmp_path, base_run, ref):
    # openpyxl's read-only reader stops at a sheet's recorded dimension; with A1:F20 the Demand sheet
    # lost 22 of its 41 rows and the solve shipped fewer tonnes than demanded, without a word.
    from conftest import BASE_XLSX

    from model import pipeline

    stale = rewrite_part(BASE_XLSX, DEMAND_PART, with_dimension(ref), tmp_path / "stale.xlsx")
    run = pipeline.run(stale)
    assert len(run.data.tables["Demand"]) == 44
    assert run.data.tables["Demand"]["demand_t"].sum() == pytest.approx(126.9179e6, rel=1e-9)
    assert run.results.summary.shipped_t == pytest.approx(126.9179e6, rel=1e-9)
    assert run.solution.objective_usd == pytest.approx(base_run.solution.objective_usd, rel=1e-9)


def test_formulas_and_merged_cells_beyond_a_stale_dimension_are_found(tmp_path, capsys):
    from conftest import BASE_XLSX
    from corpus import broken_copy

    def edit(wb):
        wb["Demand"]["D30"] = "=D29*2"  # no saved value: openpyxl does not compute formulas
        wb["Demand"].merge_cells("C35:C36")
    broken = broken_copy(BASE_XLSX, tmp_path, edit)
    stale = rewrite_part(broken, DEMAND_PART, with_dimension("A1:E20"), tmp_path / "stale.xlsx")
    assert main(["validate", str(stale)]) == 2
    err = capsys.readouterr().err
    assert ("Demand, row 30 (copper, MEU), demand_t: cell D30 holds the formula =D29*2 but no saved value"
            in err)
    assert "Demand, row 35: cells C35:C36 are merged" in err


# ---------------------------------------------------------------- files that are not what their name says

def compound_file(path, streams):
    """A minimal OLE compound file (MS-CFB, version 3, 512-byte sectors) holding empty streams of the
    given names: the container Excel writes for a workbook encrypted with a password (streams
    EncryptionInfo and EncryptedPackage) or for an Excel 97-2003 workbook (stream Workbook).
    Sector 0 is the FAT, sector 1 the directory."""
    free, end, fat_sector, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    u16 = lambda v: v.to_bytes(2, "little")  # noqa: E731
    u32 = lambda v: v.to_bytes(4, "little")  # noqa: E731
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + u16(0x3E) + u16(3) + u16(0xFFFE) + u16(9)
              + u16(6) + bytes(6) + u32(0) + u32(1) + u32(1) + u32(0) + u32(4096) + u32(end) + u32(0)
              + u32(end) + u32(0) + u32(0) + b"".join(u32(free) for _ in range(108)))
    assert len(header) == 512
    fat = u32(fat_sector) + u32(end) + b"".join(u32(free) for _ in range(126))

    def entry(name, kind, child=none, right=none):
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + u16(len(encoded)) + bytes([kind, 1]) + u32(none) + u32(right)
                + u32(child) + bytes(16) + u32(0) + bytes(16) + u32(end) + bytes(8))

    # Root's child is the first stream; the others hang off it as right siblings (names sorted as
    # MS-CFB compares them: shorter first).
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    entries = [entry("Root Entry", 5, child=1 if names else none)]
    entries += [entry(n, 2, right=i + 2 if i + 1 < len(names) else none) for i, n in enumerate(names)]
    directory = b"".join(entries).ljust(512, b"\0")
    path.write_bytes(header + fat + directory)
    return path


def test_a_workbook_protected_with_a_password(tmp_path, capsys):
    path = compound_file(tmp_path / "case.xlsx", ["EncryptionInfo", "EncryptedPackage"])
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{path}: 1 problem\n  is protected with a password: Excel saved it encrypted, and an encrypted workbook "
        "cannot be read. Remove the password in Excel: open the file, choose File > Info > Protect Workbook > "
        "Encrypt with Password, clear the password, click OK and save (or save an unprotected copy for the "
        "model).\n")


def test_an_excel_97_workbook_with_an_xlsx_name(tmp_path, capsys):
    path = compound_file(tmp_path / "case.xlsx", ["Workbook"])
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{path}: 1 problem\n  is an Excel 97-2003 workbook (the older .xls format) saved with an .xlsx name. "
        "Open it in Excel and save it as an Excel Workbook (.xlsx): File > Save As > Excel Workbook.\n")


def test_the_stream_name_counts_only_as_a_directory_entry(tmp_path, capsys):
    # 'EncryptedPackage' spelled in a workbook's text, off an entry's start, is not a password.
    path = compound_file(tmp_path / "case.xlsx", ["Workbook"])
    path.write_bytes(path.read_bytes() + b"\0" * 130 + "EncryptedPackage\0".encode("utf-16-le") + bytes(200))
    assert main(["validate", str(path)]) == 2
    assert "is an Excel 97-2003 workbook" in capsys.readouterr().err


def test_a_last_column_blank_in_every_row_is_kept(tmp_path):
    # Read without its dimension, a row ends at its last cell; the Sources table, copied as it is,
    # needs as many cells in each row as its header has names.
    from conftest import BASE_XLSX
    from corpus import broken_copy

    from model.input.read import read_input

    def edit(wb):
        ws = wb["Sources"]
        ws.cell(row=1, column=ws.max_column + 1, value="reviewed_by")
    data = read_input(broken_copy(BASE_XLSX, tmp_path, edit))
    assert data.sources.columns[-1] == "reviewed_by"
    assert len(data.sources) == len(read_input(BASE_XLSX).sources) and data.sources["reviewed_by"].isna().all()


HOSTILE = {"corridor": ["=1+1", "@SUM(A1)"], "option": "=2+3", "name": "-2+3", "scenario": "@cmd"}


def hostile_case(folder):
    """The two-route case with every name a planner types beginning with what a spreadsheet runs."""
    tables = transport_case(
        Nodes=nodes(("A", "origin", {"name": '=HYPERLINK("http://example.invalid","click")'}), ("R", "hub"),
                    ("M", "market", {"name": HOSTILE["name"]})),
        Routes=[{"route": "RAIL", "corridor": HOSTILE["corridor"][0], "path": "A>M"},
                {"route": "ROAD", "corridor": HOSTILE["corridor"][1], "path": "A>R>M"}],
        Capacities=[{"element": "A>M", "capacity_t": 60}],
        Investments=[{"option": HOSTILE["option"], "element": "A>M", "max_added_t": 40,
                      "annualised_cost_usd_per_t": 1.0, "lumpy": True}],
        Scenarios=[{"scenario": HOSTILE["scenario"], "sheet": "Legs", "key": "A>M", "column": "cost_usd_per_t",
                    "multiplier": 2}])
    return write_case(folder, tables, settings={"allow_investments": "TRUE", "routes_csv": "TRUE"}, xlsx=True)


@pytest.mark.heavy  # every writer end to end
def test_no_workbook_or_csv_file_corridor_writes_holds_text_a_spreadsheet_runs(tmp_path, capsys):
    # Every writer escapes text: xlsx cells are written as strings (never formulas), CSV cells that begin
    # with = + - @ get a ' (OWASP). The Summary's brief begins lines with option ids and names.
    case = hostile_case(tmp_path / "in")
    out = tmp_path / "out"
    for args in (["solve", "-o", "r.xlsx"], ["solve", "--scenario", HOSTILE["scenario"], "-o", "s.xlsx"],
                 ["compare", "-o", "c.xlsx"], ["stress", "--corridors", "--no-progress", "-o", "n.xlsx"],
                 ["sweep", "--set", "Legs[A>M].cost_usd_per_t=1:3:3", "--no-progress", "-o", "w.xlsx"],
                 ["frontier", "--maximise", f"corridor {HOSTILE['corridor'][1]}", "--cost-within", "0:300:3", "-o",
                  "f.xlsx"]):
        args[-1] = str(out / args[-1])
        assert main([args[0], str(case), *args[1:]]) == 0, capsys.readouterr().err
    (out / "csv").mkdir()
    assert main(["convert", str(case), "-o", str(out / "csv" / "case")]) == 0
    books = sorted(out.rglob("*.xlsx"))
    assert len(books) == 6
    texts = set()
    for book in books:
        wb = load_workbook(book)  # a formula comes back with data_type "f"
        assert [(book.name, ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row
                if c.data_type == "f"] == []
        texts |= {c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {HOSTILE["option"], HOSTILE["name"], *HOSTILE["corridor"]} <= {t.split(" ")[0] for t in texts}
    csvs = sorted(out.rglob("*.csv"))
    assert any(f.name == "r_routes.csv" for f in csvs) and any(f.name == "Investments.csv" for f in csvs)
    import csv

    for f in csvs:
        with f.open(encoding="utf-8") as handle:
            cells = [c for row in csv.reader(handle) for c in row]
        assert [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not _number(c))] == [], f.name


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_convert_keeps_escaped_text_and_negative_numbers_through_csv(tmp_path):
    # xlsx -> csv -> xlsx gives the same input: the ' before text a spreadsheet would run is removed on
    # reading, text that itself begins with ' before such a character survives, and -5 stays a number.
    from model.input.read import read_input

    tables = transport_case(Nodes=nodes(("A", "origin", {"lat": 40, "lon": -5}), ("R", "hub"), ("M", "market")),
                            Routes=[{"route": "RAIL", "corridor": "=1+1", "path": "A>M"},
                                    {"route": "ROAD", "corridor": "'=quoted", "path": "A>R>M"}])
    case = write_case(tmp_path, tables, xlsx=True)
    assert main(["convert", str(case), "-o", str(tmp_path / "csv")]) == 0
    assert "'=1+1" in (tmp_path / "csv" / "Routes.csv").read_text(encoding="utf-8")
    assert main(["convert", str(tmp_path / "csv"), "-o", str(tmp_path / "again.xlsx")]) == 0
    a, b = read_input(case), read_input(tmp_path / "again.xlsx")
    assert list(b.tables["Routes"]["corridor"]) == ["=1+1", "'=quoted"]
    assert b.tables["Nodes"]["lon"].iloc[0] == -5
    for name in a.tables:
        assert a.tables[name].drop(columns="_row").equals(b.tables[name].drop(columns="_row")), name
