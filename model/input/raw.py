"""Files -> raw sheets: a folder of CSV files (here) or an xlsx workbook (model.input.xlsx), unparsed.

Both readers give the same raw form (header cells and the data by column with each row's number),
so a workbook and its CSV twin parse identically (model.input.read). Hostile files (zip bombs, XML
with entities, oversized sheets) are refused here, before anything is parsed.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError, Problem


@dataclass
class RawSheet:
    """A sheet as found: its name in the file, header cells, and its data (the rows below the
    header) by column, each column's cells in row order, with each row's number in the file."""

    name: str
    header: list
    columns: list  # one sequence of cells per column, as wide as the widest row
    numbers: list | np.ndarray = field(default_factory=list)  # the row number of each data row
    header_row: int = 1
    hidden: bool = False  # a workbook sheet hidden (or very hidden) in Excel
    file: str = ""  # the CSV file it came from, e.g. "Nodes.csv"; blank for a workbook sheet
    unsaved_formulas: list[tuple[str, str]] = field(default_factory=list)  # (cell ref, formula)
    merged: list[str] = field(default_factory=list)  # merged ranges, e.g. "A5:A7"

    @classmethod
    def of_rows(cls, name: str, header: list, rows: list[tuple[int, list]], **kw) -> RawSheet:
        """From the header and data rows (row number, cells), each made as wide as the widest
        (blank cells added at the end)."""
        width = max([len(header)] + [len(v) for _, v in rows])
        if len(header) != width:
            header = list(header) + [None] * (width - len(header))
        if any(len(v) != width for _, v in rows):  # zip below would cut every row to the shortest
            rows = [(n, list(v) + [None] * (width - len(v))) for n, v in rows]
        columns = [list(c) for c in zip(*(v for _, v in rows), strict=True)] if rows and width else \
            [[] for _ in range(width)]
        return cls(name, header, columns, [n for n, _ in rows], **kw)

    @property
    def rows(self) -> list[tuple[int, list]]:
        """The data rows: (row number, cells)."""
        return list(zip(list(self.numbers), map(list, zip(*self.columns, strict=True)), strict=True)) \
            if self.columns else [(n, []) for n in self.numbers]


def csv_files(folder: Path) -> list[Path]:
    """The CSV files of a folder in name order, whatever the case of their extension (Nodes.CSV
    too: a glob for '*.csv' would pass it over without a word on a case-sensitive file system)."""
    return sorted(f for f in folder.iterdir() if f.suffix.lower() == ".csv" and f.is_file())


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, or of a CSV folder's files in name order."""
    h = hashlib.sha256()
    if path.is_dir():
        for f in csv_files(path):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    else:
        h.update(path.read_bytes())
    return h.hexdigest()



# ---------------------------------------------------------------- raw readers

# Limits that keep a malformed or hostile file from exhausting the machine.
MAX_UNCOMPRESSED_BYTES = 512 * 2**20  # all parts of an xlsx, uncompressed
MAX_ZIP_ENTRIES = 10_000
MAX_ROWS = 2_000_000  # per sheet
MAX_CELLS = 50_000_000  # per file


PROLOG_BYTES = 4096  # an XML part's declaration and DTD, if any, come first


# An OLE compound file (Excel 97-2003's .xls, and what Excel writes for an .xlsx encrypted with a
# password) starts with these eight bytes instead of a zip's "PK".
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# A directory entry of a compound file: 128 bytes, the name in UTF-16LE with its terminator first,
# the name's length in bytes at 0x40, the object type at 0x42 (2 = stream).
_DIR_ENTRY, _STREAM = 128, 2
_ENCRYPTED_PACKAGE = "EncryptedPackage\0".encode("utf-16-le")


def _is_encrypted_package(path: Path) -> bool:
    """True when an OLE compound file holds a stream named EncryptedPackage: an Office document
    encrypted with a password (MS-OFFCRYPTO), here an .xlsx. Directory entries sit at multiples of
    128 bytes (the 512-byte header, then whole sectors of 512 or 4096 bytes), so the file is read in
    aligned chunks and a hit counts only at an entry's start with the entry's length and type: text
    that happens to spell the name elsewhere does not. (A full parse of the sector chains, as the
    olefile package does, would find the same entry; this needs no dependency.)"""
    length = len(_ENCRYPTED_PACKAGE).to_bytes(2, "little")
    with open(path, "rb") as f:
        while chunk := f.read(2**20):  # a multiple of 128, so no entry straddles two chunks
            at = chunk.find(_ENCRYPTED_PACKAGE)
            while at >= 0:
                if at % _DIR_ENTRY == 0 and chunk[at + 0x40:at + 0x42] == length and \
                        chunk[at + 0x42:at + 0x43] == bytes([_STREAM]):
                    return True
                at = chunk.find(_ENCRYPTED_PACKAGE, at + 1)
    return False


def _check_ole(path: Path) -> None:
    """An OLE compound file with an .xlsx name: a password-protected workbook, or an old .xls."""
    with open(path, "rb") as f:
        if f.read(len(OLE_MAGIC)) != OLE_MAGIC:
            return
    if _is_encrypted_package(path):
        raise InputError(str(path), [Problem(
            "is protected with a password: Excel saved it encrypted, and an encrypted workbook cannot be read",
            "Remove the password in Excel: open the file, choose File > Info > Protect Workbook > Encrypt with "
            "Password, clear the password, click OK and save (or save an unprotected copy for the model).")])
    raise InputError(str(path), [Problem(
        "is an Excel 97-2003 workbook (the older .xls format) saved with an .xlsx name",
        "Open it in Excel and save it as an Excel Workbook (.xlsx): File > Save As > Excel Workbook.")])


def check_container(path: Path, fix: str | None = None) -> None:
    """A real xlsx is a zip with a workbook part; refuse zip bombs before opening it (fix: what to pass
    instead, when the file is not a workbook at all)."""
    fix = fix or "Save the file as an Excel workbook (.xlsx) in Excel or LibreOffice, or pass a folder of CSV files."
    _check_ole(path)
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as f:
            if f.read(4) == b"PK\x03\x04":  # a zip's start without its end: cut short (a copy or download broken off)
                raise _damaged(path, "it begins as a zip archive but its directory, at the end, is missing")
        raise InputError(str(path), [Problem("is not an Excel workbook: an .xlsx file is a zip archive, and "
                                             "this file is not one", fix)])
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(str(path), [Problem(f"is a damaged zip archive ({exc})", fix)]) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise InputError(str(path), [Problem("is a zip archive but not an Excel workbook (no xl/workbook.xml)",
                                             fix)])
    size = sum(i.file_size for i in infos)
    if len(infos) > MAX_ZIP_ENTRIES or size > MAX_UNCOMPRESSED_BYTES:
        raise _bomb(path, size, len(infos))
    # What the headers declare may lie: every part is inflated here, in chunks, counting what actually
    # comes out and stopping at the limit, and its size and CRC-32 are compared with what the archive
    # declares (a damaged or forged part is refused before any reader inflates it whole).
    # A DTD or entity declaration sits in an XML part's prolog, before the root element. Excel never
    # writes one; refuse it whichever XML parser openpyxl uses (lxml does not expand entities, the
    # standard library would).
    total = 0
    with open(path, "rb") as f:
        for info in infos:
            head, total = _inflate(path, f, info, total, len(infos))
            if info.filename.endswith((".xml", ".rels")) and (b"<!DOCTYPE" in head or b"<!ENTITY" in head):
                raise InputError(str(path), [Problem(  # '<' in text is always escaped
                    f"is refused: its XML part {info.filename} declares entities or a DTD, which workbooks "
                    "saved by Excel never do (a possible XML bomb)", "Open it in Excel and save it again as "
                    ".xlsx.")])


CHUNK_BYTES = 2**20  # what one step of the guard inflates at most


def _bomb(path: Path, size: int, parts: int, counted: bool = False) -> InputError:
    """The refusal of an archive of size bytes unpacked (counted: as far as the guard inflated it)."""
    return InputError(str(path), [Problem(
        f"is refused: it unpacks to {'more than ' if counted else ''}{size / 2**20:,.0f} MiB in {parts:,} parts, "
        "above the limit of "
        f"{MAX_UNCOMPRESSED_BYTES / 2**20:,.0f} MiB and {MAX_ZIP_ENTRIES:,} parts (a possible zip bomb)",
        "For a very large case, use a folder of CSV files.")])


def _damaged(path: Path, what: str) -> InputError:
    return InputError(str(path), [Problem(
        f"is a damaged file: {what}; it was cut short or changed after it was written",
        "Open it in Excel (which offers to repair it) and save it again, or copy the file again from where it came "
        "from; a result workbook can be written again with corridor solve.")])


def _inflate(path: Path, f, info: zipfile.ZipInfo, total: int, parts: int) -> tuple[bytes, int]:
    """Inflate one part of the archive open as f, from its local header, CHUNK_BYTES at a time:
    (its first PROLOG_BYTES, the bytes inflated so far in all parts). InputError when the total
    passes MAX_UNCOMPRESSED_BYTES (counted as it inflates, whatever the headers say) or when the
    part is not what the archive declares (its size, its CRC-32, a stream that does not end)."""
    import struct
    import zlib

    name = info.filename
    if info.flag_bits & 0x1:
        raise InputError(str(path), [Problem(f"is refused: its part {name} is encrypted, which an Excel workbook "
                                             "never is", "Open it in Excel and save it again as .xlsx.")])
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InputError(str(path), [Problem(f"is refused: its part {name} is compressed with method "
                                             f"{info.compress_type}, which Excel never uses",
                                             "Open it in Excel and save it again as .xlsx.")])
    f.seek(info.header_offset)
    local = f.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise _damaged(path, f"the part {name} is not where the archive's directory says")
    n, e = struct.unpack("<HH", local[26:30])
    f.seek(info.header_offset + 30 + n + e)
    left = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    crc, size, head, pending = 0, 0, b"", b""
    try:
        while left or pending:
            if not pending:
                pending = f.read(min(left, CHUNK_BYTES))
                if not pending:
                    raise _damaged(path, f"the part {name} ends before its declared length")
                left -= len(pending)
            if inflater is None:
                out, pending = pending, b""
            else:
                out = inflater.decompress(pending, CHUNK_BYTES)
                pending = inflater.unconsumed_tail
            size += len(out)
            total += len(out)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise _bomb(path, MAX_UNCOMPRESSED_BYTES, parts, counted=True)
            if size > info.file_size:
                raise _damaged(path, f"the part {name} unpacks to more than the {info.file_size:,} bytes it declares")
            crc = zlib.crc32(out, crc)
            if len(head) < PROLOG_BYTES:
                head += out[:PROLOG_BYTES - len(head)]
            if inflater is not None and inflater.eof:
                break
    except zlib.error as exc:
        raise _damaged(path, f"the part {name} cannot be unpacked ({exc})") from None
    if (inflater is not None and not inflater.eof) or size != info.file_size or crc != info.CRC:
        raise _damaged(path, f"the part {name} fails its checksum (CRC-32)")
    return head, total


# A cell formula <f>, <f t="shared" ...> or <x:f>, a merged range, or an error value (t="e", such as
# #N/A); not <formula1> of a data validation.
_FORMULA_OR_MERGE = re.compile(rb'<(?:\w+:)?(?:f|mergeCell)[\s>/]|\st="e"')


def scan_sheet_xml(archive: zipfile.ZipFile, part: str, data: bytes | None = None
                   ) -> tuple[list[tuple[str, str]], list[str], list]:
    """Formula cells with no saved value (ref, formula), merged ranges and error values (ref,
    text such as '#N/A') of one sheet, streamed from the sheet's XML with defusedxml (data: that
    XML, if the caller has read it already)."""
    from defusedxml.ElementTree import iterparse

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    unsaved: list[tuple[str, str]] = []
    merged: list[str] = []
    errors: list[Any] = []
    if data is None:
        with archive.open(part) as src:
            data = src.read()
    if not _FORMULA_OR_MERGE.search(data):
        return unsaved, merged, errors  # no formula, merged cell or error value: nothing to parse for
    with io.BytesIO(data) as src:  # the XML already read, not decompressed again
        for _, el in iterparse(src):
            tag = el.tag
            if tag == ns + "c":
                f, v = el.find(ns + "f"), el.find(ns + "v")
                if f is not None and (v is None or not v.text):
                    unsaved.append((el.get("r"), "=" + (f.text or "")))
                elif el.get("t") == "e" and v is not None and v.text:
                    errors.append((el.get("r"), v.text))
                el.clear()
            elif tag == ns + "row":
                el.clear()
            elif tag == ns + "mergeCell":
                merged.append(el.get("ref"))
    return unsaved, merged, errors


def xml_bomb(exc: BaseException | None) -> Problem | None:
    """The problem to report if defusedxml refused the XML (openpyxl wraps its exception)."""
    from defusedxml import DefusedXmlException

    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return Problem(f"is refused: its XML declares entities or a DTD ({type(exc).__name__}), which "
                           "workbooks saved by Excel never do (a possible XML bomb)",
                           "Open it in Excel and save it again as .xlsx.")
        exc = exc.__cause__ or exc.__context__
    return None


# What a CSV file saved by European Excel (its list separator) or as "Text (Tab delimited)" uses.
_OTHER_SEPARATORS = {";": "semicolons (;)", "\t": "tabs"}
_CSV_FIX = ("In Excel, save it as 'CSV UTF-8 (Comma delimited)' (File > Save As), or pass the workbook itself; "
            "if Excel still writes semicolons (the list separator of Windows' region settings), write the folder "
            "with 'corridor convert WORKBOOK.xlsx -o FOLDER'")


def _separator(f: Path) -> str | None:
    """The separator of a CSV file's header line when it is not a comma: ';' or a tab, whichever the
    line holds more of than commas (header cells are column names, which hold neither)."""
    with open(f, "rb") as src:
        head = src.read(65536).decode("utf-8-sig", errors="replace")
    line = next((line for line in head.splitlines() if line.strip()), "")
    counts = {sep: line.count(sep) for sep in _OTHER_SEPARATORS}
    sep = max(counts, key=counts.get)  # type: ignore[arg-type]  # every key has a count
    return sep if counts[sep] > line.count(",") else None


def _csv_problem(f: Path, exc: Exception) -> Problem:
    """A CSV file pandas cannot read, in the planner's words."""
    if isinstance(exc, UnicodeDecodeError):
        data = f.read_bytes()  # pandas counts the position within its buffer: find it in the file
        try:
            data.decode("utf-8-sig")
            return Problem(f"{f.name} cannot be read as UTF-8 text ({exc})", "Save it as UTF-8 CSV")
        except UnicodeDecodeError as whole:
            at = whole.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, at) + 1
        return Problem(f"{f.name} is not UTF-8 text: line {line:,} holds the byte 0x{data[at]:02X}, which UTF-8 "
                       "does not allow there; the file was saved in another encoding",
                       "In Excel, save it as 'CSV UTF-8 (Comma delimited)' (File > Save As); in a text editor, save it "
                       "with the encoding UTF-8")
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if m:
        return Problem(f"{f.name}, line {m.group(2)} has {m.group(3)} cells where the first line has {m.group(1)}",
                       "Put a value holding a comma in double quotes (\"Almaty, KZ\"), or remove the extra cells")
    return Problem(f"{f.name} cannot be read as CSV ({exc})", "Save it as UTF-8 CSV with commas between columns")


def read_csv_folder(path: Path) -> list[RawSheet]:
    """Every CSV file of the folder; every file that cannot be read is reported, all at once."""
    files = csv_files(path)
    if not files:
        raise InputError(str(path), [Problem(
            "the folder holds no .csv files",
            "Put one CSV per sheet in the folder, named after the sheet (Nodes.csv, Legs.csv, ...).")])
    sheets, problems = [], []
    for f in files:
        sep = _separator(f)
        if sep is not None:
            problems.append(Problem(f"{f.name} is separated by {_OTHER_SEPARATORS[sep]}, not commas", _CSV_FIX))
            continue
        try:
            frame = pd.read_csv(f, header=None, dtype=str, keep_default_na=False, nrows=MAX_ROWS + 2,
                                skip_blank_lines=False, encoding="utf-8-sig")
        except pd.errors.EmptyDataError:
            sheets.append(RawSheet(f.stem, [], [], file=f.name))
            continue
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            problems.append(_csv_problem(f, exc))
            continue
        if len(frame) > MAX_ROWS:
            problems.append(Problem(f"{f.name} is refused: {len(frame):,} rows, above the limit of {MAX_ROWS:,}",
                                    "Split the case into smaller files."))
            continue
        if b"'" in f.read_bytes():  # only a file with a ' can hold an escaped cell (one pass in C, not per cell)
            frame = _csv_texts(frame)
        header = frame.iloc[0].tolist() if len(frame) else []
        columns = [frame[c].to_numpy(dtype=object)[1:] for c in frame.columns] if len(frame) else []
        sheets.append(RawSheet(f.stem, header, columns, np.arange(2, len(frame) + 1), file=f.name))
    if problems:
        raise InputError(str(path), problems)
    return sheets


def _csv_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """The cells as the text they stand for: the ' that corridor's CSV writer puts before text a
    spreadsheet would run (model.report.cells.csv_text) removed (only columns that have one are looked at)."""
    from model.input.csv_cells import from_csv_text

    for c in frame.columns:
        if frame[c].str.startswith("'").any():
            frame[c] = frame[c].map(from_csv_text)
    return frame


def blank(v) -> bool:
    """An empty cell: None, blank text or NaN."""
    return v is None or (isinstance(v, str) and v.strip() == "") or (isinstance(v, float) and math.isnan(v))
