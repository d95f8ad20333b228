"""An xlsx workbook -> raw sheets, read with calamine (Rust), after the checks of model.io.raw
(password-protected and Excel 97 files, zip bombs, XML with entities or a DTD). What calamine does
not report (formulas without a saved value, merged ranges, error values) is read from each sheet's
XML with defusedxml (model.io.raw.scan_sheet_xml)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import model.io.raw as raw
from model.errors import InputError, Problem
from model.io.raw import RawSheet, blank, check_container, scan_sheet_xml, xml_bomb


def read_xlsx(path: Path) -> list[RawSheet]:
    """Every worksheet of a workbook, read with calamine (Rust): every cell the sheet's XML holds,
    whatever range its <dimension> records (tools other than Excel leave it stale). What calamine
    does not report is read from the sheet's XML (scan_sheet_xml): formulas without a saved
    value, merged ranges and error values (#N/A reads as its text, as Excel shows it)."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    check_container(path)
    fix = "Save the file as an Excel workbook (.xlsx), or pass a folder of CSV files, one per sheet."
    try:
        wb = CalamineWorkbook.from_path(str(path))
        parts = _sheet_parts(path)
    except (CalamineError, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        bomb = xml_bomb(exc)
        if bomb:
            raise InputError(str(path), [bomb]) from None
        raise InputError(str(path), [Problem(
            f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc})", fix)]) from None
    sheets, cells = [], 0
    try:
        with zipfile.ZipFile(path) as archive:
            for meta in wb.sheets_metadata:
                if meta.typ != SheetTypeEnum.WorkSheet:
                    continue  # a chart sheet holds no table
                ws = wb.get_sheet_by_name(meta.name)
                end = ws.end
                height, width = (end[0] + 1, end[1] + 1) if end else (0, 0)
                if height > raw.MAX_ROWS or cells + height * width > raw.MAX_CELLS:
                    raise InputError(str(path), [Problem(
                        f"is refused: more than {raw.MAX_ROWS:,} rows or {raw.MAX_CELLS:,} cells",
                        "Split the case, or use a folder of CSV files.", sheet=meta.name)])
                cells += height * width
                values = ws.to_python(skip_empty_area=False) if end else []
                part = parts.get(meta.name)
                unsaved, merged, errors = scan_sheet_xml(archive, part) if part else ([], [], [])
                for ref, text in errors:
                    _put(values, ref, text)
                sheets.append(_raw_sheet(meta.name, values, meta.visible != SheetVisibleEnum.Visible,
                                         unsaved, merged))
    except (CalamineError, ValueError) as exc:
        bomb = xml_bomb(exc)
        if bomb is None:
            raise InputError(str(path), [Problem(
                f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc})", fix)]) from None
        raise InputError(str(path), [bomb]) from None
    finally:
        wb.close()
    return sheets


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


def _put(values: list[list], ref: str, text: str) -> None:
    """Set the cell at ref ('B7') of rows read from A1 (an error value calamine reads as empty)."""
    letters = ref.rstrip("0123456789")
    row = int(ref[len(letters):]) - 1
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    width = max([col] + [len(r) for r in values])
    while len(values) <= row:  # an error value past calamine's range (which ends at its last value)
        values.append([""] * width)
    for r in values:
        r.extend([""] * (width - len(r)))
    values[row][col - 1] = text


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
