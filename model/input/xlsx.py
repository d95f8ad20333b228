"""An xlsx workbook -> raw sheets, read with calamine (Rust), after the checks of model.input.raw
(password-protected and Excel 97 files, zip bombs, XML with entities or a DTD). What calamine does
not report (formulas without a saved value, merged ranges, error values) is read from each sheet's
XML with defusedxml (model.input.raw.scan_sheet_xml)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl.utils.cell import column_index_from_string

import model.input.raw as raw
from model.errors import InputError, Problem
from model.input.raw import RawSheet, blank, check_container, scan_sheet_xml, xml_bomb


def read_xlsx(path: Path, wanted=None) -> list[RawSheet]:
    """Every worksheet of a workbook, read with calamine (Rust): every cell the sheet's XML holds,
    whatever range its <dimension> records (tools other than Excel leave it stale). What calamine
    does not report is read from the sheet's XML (scan_sheet_xml): formulas without a saved
    value, merged ranges and error values (#N/A reads as its text, as Excel shows it). wanted(name):
    whether a sheet's cells are read (a planner's own sheets are only named, for the warning)."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    check_container(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        parts = _sheet_parts(path)
    except (CalamineError, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _unreadable(path, exc) from None
    sheets, cells = [], 0
    try:
        with zipfile.ZipFile(path) as archive:
            for meta in wb.sheets_metadata:
                if meta.typ != SheetTypeEnum.WorkSheet:
                    continue  # a chart sheet holds no table
                part = parts.get(meta.name)
                hidden = meta.visible != SheetVisibleEnum.Visible
                if wanted is not None and not wanted(meta.name):
                    sheets.append(RawSheet.of_rows(meta.name, [], [], hidden=hidden))
                    continue
                # calamine holds a sheet as one dense grid from A1 to its last cell: a stray value at
                # XFD1048576 would ask for more memory than any machine has, and abort the process. Such a
                # sheet, and one holding an error value calamine does not know (#SPILL!, #GETTING_DATA), is read with
                # openpyxl instead, cell by cell as it was before calamine.
                xml = archive.read(part) if part else None  # the sheet's XML, read once for both scans
                values = None
                if xml is None or not _sparse(xml):
                    try:
                        ws = wb.get_sheet_by_name(meta.name)
                        values = ws.to_python(skip_empty_area=False) if ws.end else []
                    except CalamineError:
                        if xml is None:
                            raise
                if values is None:
                    values = _openpyxl_rows(path, meta.name)
                height, width = len(values), max(map(len, values), default=0)
                if height > raw.MAX_ROWS or cells + height * width > raw.MAX_CELLS:
                    from openpyxl.utils import get_column_letter

                    raise InputError(str(path), [Problem(
                        f"is refused: more than {raw.MAX_ROWS:,} rows or {raw.MAX_CELLS:,} cells (its cells reach "
                        f"row {height:,} and column {get_column_letter(max(1, width))})",
                        "If a stray value sits far past the table, delete it (Ctrl+End in Excel goes to the last "
                        "cell); else split the case, or use a folder of CSV files.", sheet=meta.name)])
                cells += height * width
                unsaved, merged, errors = scan_sheet_xml(archive, part, xml) if part else ([], [], [])
                _put(values, errors)
                sheets.append(_raw_sheet(meta.name, values, hidden, unsaved, merged))
    except (CalamineError, ValueError) as exc:
        raise _unreadable(path, exc) from None
    finally:
        wb.close()
    return sheets


def _unreadable(path: Path, exc: Exception) -> InputError:
    """The error for a workbook calamine (or its archive) could not read: an XML bomb named as one."""
    bomb = xml_bomb(exc)
    return InputError(str(path), [bomb or Problem(
        f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc})",
        "Save the file as an Excel workbook (.xlsx), or pass a folder of CSV files, one per sheet.")])


def _sparse(xml: bytes) -> bool:
    """Whether calamine's dense grid of a sheet would be far larger than the cells it holds: over a
    million places and twenty times the cells (a stray note at XFD3000 under a table of 1,000 cells: 49M places,
    which calamine would fill in minutes and gigabytes; benchmarks/README.md), or over MAX_CELLS."""
    places, present = _extent_cells(xml)
    return places > raw.MAX_CELLS or places > max(1_000_000, 20 * present)


def _extent_cells(data: bytes) -> tuple[int, int]:
    """(Rows x columns from A1 to a sheet's last cell, cells present), from its XML: the last <row>'s number (rows
    are in order), or a larger row any cell names, times the widest column any cell names (regexes
    over the bytes; a sheet of the model has columns A-Z only, so the search for two-letter columns
    usually finds nothing)."""
    import re

    last = data.rfind(b"<row ")
    found = re.search(rb'\br="(\d+)"', data[last:last + 200]) if last >= 0 else None
    rows = int(found.group(1)) if found else 0
    # a cell may name a row past the last <row> (a malformed file: XFD1048576 inside row 2): any
    # reference with more digits than the last row's number is such a cell
    far = re.findall(rb'<c r="[A-Z]{1,3}(\d{%d,})"' % (len(str(rows)) + 1), data)
    rows = max([rows] + [int(n) for n in far])
    cols = max([26] + [column_index_from_string(letters.decode()) for letters in
                       set(re.findall(rb'<c r="([A-Z]{2,3})\d', data))])
    return rows * cols, data.count(b"<c ")


def _openpyxl_rows(path: Path, name: str) -> list[list]:
    """One sheet's rows from A1, as calamine gives them ('' for an empty cell), read with openpyxl's
    read-only mode, its recorded dimension forgotten: only the cells present are visited."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[name]
        ws.reset_dimensions()
        rows = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    while rows and all(v == "" for v in rows[-1]):
        rows.pop()
    return rows  # each ends at its last cell: RawSheet.of_rows pads them, once their size is known to be allowed


def _raw_sheet(name: str, values: list[list], hidden: bool, unsaved, merged) -> RawSheet:
    """A sheet's rows (from A1, as wide as the widest) as a RawSheet: the header is the first row
    that is not blank; a date reads as the datetime openpyxl gave; '' (calamine's empty cell) as None."""
    header, header_row = None, 1
    rows = []
    for number, row in enumerate(values, start=1):
        row = [None if v == "" else _dated(v) for v in row]
        if header is None:
            if all(blank(v) for v in row):
                continue  # leading blank rows before the header
            header, header_row = row, number
            continue
        rows.append((number, row))
    raw = RawSheet.of_rows(name, header or [], rows, header_row=header_row, hidden=hidden)
    raw.unsaved_formulas, raw.merged = unsaved, merged
    return raw


def _dated(v):
    import datetime

    if type(v) is datetime.date:
        return datetime.datetime(v.year, v.month, v.day)
    return v


def _put(values: list[list], errors: list[tuple[str, str]]) -> None:
    """Set each error value (ref such as 'B7', text) in the rows read from A1, where calamine read
    it as empty; a row it falls past the end of (or a row past calamine's range, which ends at its
    last value) is lengthened. Rows are left uneven: RawSheet.of_rows makes them one width."""
    for ref, text in errors:
        letters = ref.rstrip("0123456789")
        row, col = int(ref[len(letters):]) - 1, column_index_from_string(letters.upper()) - 1
        if len(values) <= row:
            values.extend([] for _ in range(row + 1 - len(values)))
        cells = values[row]
        if len(cells) <= col:
            cells.extend([""] * (col + 1 - len(cells)))
        cells[col] = text


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its XML part in the archive (xl/worksheets/sheet1.xml), from the workbook's
    sheet list and relationships, parsed with defusedxml."""
    from defusedxml.ElementTree import fromstring

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    with zipfile.ZipFile(path) as z:
        book = fromstring(z.read("xl/workbook.xml"))
        try:
            rels = fromstring(z.read("xl/_rels/workbook.xml.rels"))
        except KeyError:
            return {}
    target = {r.get("Id"): r.get("Target") for r in rels.iter(pkg + "Relationship")}
    out = {}
    for sheet in book.iter(main + "sheet"):
        t = target.get(sheet.get(rel + "id"))
        if t:
            out[sheet.get("name")] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    return out
