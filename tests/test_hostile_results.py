"""Hostile and hand-edited result workbooks through corridor map, report and check: each is refused
with one clear message (the sheet, row, column and value at fault, or the damage), exit code 2, no
traceback and no file written; check never confirms what it did not check."""

from __future__ import annotations

import shutil
import struct
import zipfile

import pytest
from cases import transport_case, write_case
from openpyxl import load_workbook

import model.input.raw
from model.cli import main

pytestmark = pytest.mark.slow  # hostile workbooks through map, report and check: left out of the fast loop

PLACES = {"A": (47.1, 51.9), "R": (45.0, 60.0), "M": (41.0, 69.0)}


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """(input, result) of the transport case: 100 t A->M, rail A>M 60 t at 2 USD/t, road 40 t at 5."""
    folder = tmp_path_factory.mktemp("hostile")
    tables = transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}])
    for n in tables["Nodes"]:
        n["lat"], n["lon"] = PLACES[n["node"]]
    tables["Legs"] = [{**leg, "distance_km": 100} for leg in tables["Legs"]]
    case = write_case(folder / "in", tables, xlsx=True)
    result = folder / "result.xlsx"
    assert main(["solve", str(case), "-o", str(result), "--no-map"]) == 0
    return case, result


def sheet_part(path, name: str) -> str:
    """The zip part of a sheet, e.g. xl/worksheets/sheet5.xml."""
    from model.input.xlsx import _sheet_parts

    return _sheet_parts(path)[name]


def rewrite(src, out, part, data: bytes, method=zipfile.ZIP_DEFLATED):
    """A copy of the workbook src with one part's bytes replaced."""
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out, "w", method) as b:
        for info in a.infolist():
            b.writestr(info.filename, data if info.filename == part else a.read(info.filename))
    return out


def lie_about_size(path, part: str, declared: int) -> None:
    """Make the archive's two headers of a part declare `declared` bytes uncompressed, whatever it holds."""
    blob = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
    struct.pack_into("<I", blob, info.header_offset + 22, declared)  # local header: uncompressed size
    name = part.encode()
    at = blob.find(b"PK\x01\x02")
    while at >= 0:  # the central directory's entry of the part: uncompressed size at +24
        if blob[at + 46:at + 46 + len(name)] == name:
            struct.pack_into("<I", blob, at + 24, declared)
        at = blob.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(blob))


def run(args, capsys) -> tuple[int, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out + out.err


def assert_refused(code, text, expected: str, written=()):
    assert code == 2, text
    assert expected in text, text
    assert "internal error" not in text and "Traceback" not in text and "holds against" not in text, text
    for path in written:
        assert not path.exists(), path


# --------------------------------------------------------------- the container: one guard for every file

def bomb_in_a_sheet(result, out, sheet="Flows"):
    """A sheet whose XML is padded with 64 MiB of blanks (64 KiB compressed); the headers tell the truth."""
    part = sheet_part(result, sheet)
    with zipfile.ZipFile(result) as z:
        xml = z.read(part)
    return rewrite(result, out, part, xml.replace(b"</worksheet>", b" " * 64 * 2**20 + b"</worksheet>"))


def bomb_that_lies(result, out, sheet="Flows"):
    """As bomb_in_a_sheet, but the headers declare the sheet's first size: a reader trusting them inflates it all."""
    part = sheet_part(result, sheet)
    with zipfile.ZipFile(result) as z:
        size = z.getinfo(part).file_size
    bomb_in_a_sheet(result, out, sheet)
    lie_about_size(out, part, size)
    return out


def flipped_byte(result, out, sheet="Flows"):
    """One byte in the middle of a sheet's compressed data changed."""
    shutil.copy(result, out)
    blob = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as z:
        info = z.getinfo(sheet_part(out, sheet))
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    blob[at] ^= 0xFF
    out.write_bytes(bytes(blob))
    return out


def cut_short(result, out, sheet=None):
    """The first half of the file only (a copy broken off)."""
    data = result.read_bytes()
    out.write_bytes(data[:len(data) // 2])
    return out


CONTAINERS = [
    (bomb_in_a_sheet, "a possible zip bomb"),
    (cut_short, "is a damaged file: it begins as a zip archive but its directory, at the end, is missing"),
    (bomb_that_lies, "is a damaged file: the part xl/worksheets/"),
    (flipped_byte, "is a damaged file: the part xl/worksheets/"),
]


@pytest.mark.parametrize("make, expected", CONTAINERS, ids=[m.__name__ for m, _ in CONTAINERS])
@pytest.mark.parametrize("command", ["map", "report", "check"])
def test_a_hostile_container_is_refused_by_every_command(solved, tmp_path, capsys, monkeypatch, make, expected,
                                                         command):
    # The guard counts what actually inflates, against a limit lowered to 16 MiB to keep the test small.
    monkeypatch.setattr(model.input.raw, "MAX_UNCOMPRESSED_BYTES", 16 * 2**20)
    case, result = solved
    bad = make(result, tmp_path / "bad.xlsx")
    args = ["check", str(case), str(bad)] if command == "check" else [command, str(bad)]
    assert_refused(*run(args, capsys), expected, [tmp_path / "bad_map.png", tmp_path / "bad.html"])


@pytest.mark.parametrize("make, expected", CONTAINERS[1:], ids=[m.__name__ for m, _ in CONTAINERS[1:]])
def test_a_damaged_input_is_named_as_one(solved, tmp_path, capsys, make, expected):
    case, _ = solved
    assert_refused(*run(["validate", str(make(case, tmp_path / "bad.xlsx", "Legs"))], capsys), expected)


# --------------------------------------------------------------- hand-edited result workbooks

def cell(sheet: str, row: int, column: int, value):
    """A tampering: one cell of a sheet set to value (row and column as Excel counts them)."""
    def change(wb):
        wb[sheet].cell(row, column).value = value
    change.__name__ = f"{sheet}_{row}_{column}_{value!r}"
    return change


def deleted(*sheets: str):
    def change(wb):
        for name in sheets:
            del wb[name]
    change.__name__ = "without_" + "_".join(s.replace(" ", "") for s in sheets)
    return change


def node_row(wb) -> int:
    """The Excel row of the first node of the Map sheet (below its title and header)."""
    ws = wb["Map"]
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Nodes of the map") + 2


def map_cell(column: int, value):
    def change(wb):
        wb["Map"].cell(node_row(wb), column).value = value
    change.__name__ = f"map_node_{column}_{value!r}"
    return change


def header_swapped(a: str, b: str):
    """Two headers of the Map sheet's nodes table swapped (their columns left as they were)."""
    def change(wb):
        ws, row = wb["Map"], node_row(wb) - 1
        cells = {ws.cell(row, j).value: ws.cell(row, j) for j in range(1, ws.max_column + 1)}
        cells[a].value, cells[b].value = b, a
    change.__name__ = f"swapped_{a}_{b}"
    return change


def tampered(result, out, change):
    wb = load_workbook(result)
    change(wb)
    wb.save(out)
    return out


# Flows: note in row 1, header in row 3, the first flow in row 4; tonnes in column F (6).
# Map nodes: node, name, country, kind, lat (5), lon (6), tonnes (7).
MAP_REPORT = [
    (deleted("Corridors"), "Corridors: the Corridors sheet is missing; the {what} is drawn from it"),
    (deleted("Capacity"), "Capacity: the Capacity sheet is missing; the {what} is drawn from it"),
    (map_cell(7, "lots"), "Map, row {row}, tonnes (t/yr): expected a number, found 'lots'"),
    (map_cell(5, 4711), "Map, row {row} (A), lat: lat 4711 is outside [-90, 90] degrees"),
    (map_cell(5, 1e308), "Map, row {row} (A), lat: lat 1e+308 is outside [-90, 90] degrees"),
    (map_cell(6, -181), "Map, row {row} (A), lon: lon -181 is outside [-180, 180] degrees"),
    (header_swapped("lat", "lon"), "Map, row {header}: the columns 'lat', 'lon' are missing"),
]


@pytest.mark.parametrize("change, expected", MAP_REPORT, ids=[c.__name__ for c, _ in MAP_REPORT])
@pytest.mark.parametrize("command", ["map", "report"])
def test_a_hand_edited_result_is_refused_by_map_and_report(solved, tmp_path, capsys, change, expected, command):
    _, result = solved
    bad = tampered(result, tmp_path / "bad.xlsx", change)
    row = node_row(load_workbook(bad))
    expected = expected.format(what=command, row=row, header=row - 1)
    assert_refused(*run([command, str(bad)], capsys), expected, [tmp_path / "bad_map.png", tmp_path / "bad.html"])


def test_report_needs_the_summary(solved, tmp_path, capsys):
    _, result = solved
    bad = tampered(result, tmp_path / "bad.xlsx", deleted("Summary"))
    assert_refused(*run(["report", str(bad)], capsys), "Summary: the Summary sheet is missing; the report is drawn "
                   "from it", [tmp_path / "bad.html"])


CHECK_REFUSED = [
    (cell("Flows", 4, 6, "lots"), "Flows, row 4, tonnes (t/yr): expected a number, found 'lots'"),
    (cell("Flows", 3, 6, "tons"), "Flows, row 3: the column 'tonnes (t/yr)' is missing (a header renamed or deleted)"),
    (cell("Corridors", 3, 4, "part (%)"), "Corridors, row 3: the column 'share (%)' is missing"),
    (deleted("Flows"), "has no Flows sheet; it is not a result workbook"),
]


@pytest.mark.parametrize("change, expected", CHECK_REFUSED, ids=[c.__name__ for c, _ in CHECK_REFUSED])
def test_a_hand_edited_result_is_refused_by_check(solved, tmp_path, capsys, change, expected):
    case, result = solved
    bad = tampered(result, tmp_path / "bad.xlsx", change)
    assert_refused(*run(["check", str(case), str(bad)], capsys), expected)


@pytest.mark.parametrize("sheets", [("Corridors",), ("Summary",),
                                    ("Summary", "Corridors", "Countries", "Emissions", "Capacity", "Demand")])
def test_check_never_confirms_what_it_did_not_check(solved, tmp_path, capsys, sheets):
    # Each sheet deleted is named as a check not run; the result is not said to hold, exit 1.
    case, result = solved
    bad = tampered(result, tmp_path / "bad.xlsx", deleted(*sheets))
    code, text = run(["check", str(case), str(bad)], capsys)
    assert code == 1, text
    assert f"{len(sheets)} check(s) could not be run, so the result is not confirmed" in text
    for name in sheets:
        assert f"  the {name} sheet is missing: " in text
    assert "every constraint" not in text and "internal error" not in text


def test_check_without_a_map_sheet_says_the_map_was_not_checked(solved, tmp_path, capsys):
    case, result = solved
    bad = tampered(result, tmp_path / "bad.xlsx", deleted("Map"))
    code, text = run(["check", str(case), str(bad)], capsys)
    assert code == 0, text
    assert f"{bad}: every constraint, cost, share and CO2e recomputed from the flows holds against {case}; it has " \
           "no Map sheet, so no map tonnes were checked." in text
    assert "map tonnes recomputed" not in text


def test_the_writer_mark_is_read_without_inflating_the_part(solved, tmp_path, monkeypatch):
    # written_by (which every command asks of an existing output, and check of its input) reads the
    # first 64 KiB of docProps/core.xml: a part padded to 64 MiB is never inflated whole.
    from model.report.output import written_by

    _, result = solved
    with zipfile.ZipFile(result) as z:
        core = z.read("docProps/core.xml")
    padded = rewrite(result, tmp_path / "padded.xlsx", "docProps/core.xml", core + b" " * 64 * 2**20)
    inflated = []
    real_read = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = real_read(self, n)
        inflated.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    assert written_by(padded) == "solve"
    assert sum(inflated) <= 2**16
