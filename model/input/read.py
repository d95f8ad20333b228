"""Raw sheets -> CorridorData: every cell typed and checked as the schema says.

One typed parser, driven by model.input.schema, for both readers of model.input.raw. A cell that cannot
be read is reported (sheet, row, key, column, what was found, what was expected, the fix) and
left as None; cross-sheet checks are model.input.validate's job.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from model.errors import WARNING, InputError, Problem, number_text
from model.input.columns import FALSE_WORDS, TRUE_WORDS, as_column, blank_rows, typed_column
from model.input.data import ROW, CorridorData, records, row_key
from model.input.raw import RawSheet, blank, file_sha256, read_csv_folder
from model.input.schema import BOOL, ENUM, NUM, SETTINGS_BY_KEY, SHEETS, SHEETS_BY_NAME, Column, Sheet, phrase
from model.input.settings import Settings
from model.input.xlsx import read_xlsx

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(value, unit: str = "") -> float:
    """A number from a cell: Excel numbers, numeric text, '1,234,567', '50%'.

    A percent sign is read by the column's unit: in a share column (0-1) '50%' is
    0.5; in a percent column '2%' is 2. Raises ValueError with what was expected.
    """
    if isinstance(value, bool):
        raise ValueError("expected a number, found a TRUE/FALSE value")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace("\u00a0", " ")
        percent = text.endswith("%")
        if percent:
            text = text[:-1].strip()
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        elif re.fullmatch(r"[+-]?\d{1,3}( \d{3})+(\.\d+)?", text):
            text = text.replace(" ", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"expected a number, found text '{value}'") from None
        if percent:
            if "share" in unit:
                number /= 100.0
            elif "%" not in unit:
                raise ValueError(
                    f"found '{value}' with a percent sign in a column measured in {unit or 'plain numbers'}")
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"expected a finite number, found {value}")
    return number


def parse_cell(col: Column, value):
    """The typed value of a cell, or raise ValueError saying what was expected."""
    if col.type == NUM:
        number = parse_number(value, col.unit)
        if col.min is not None and number < col.min:
            raise ValueError(f"must be >= {number_text(col.min)}, found {number_text(number)}")
        if col.max is not None and number > col.max:
            raise ValueError(f"must be <= {number_text(col.max)}, found {number_text(number)}")
        return number
    if col.type == BOOL:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if isinstance(value, (int, float)):
            text = f"{value:g}"
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(f"expected TRUE or FALSE, found '{value}'")
    text = cell_text(value)
    if col.type == ENUM:
        low = text.lower()
        if low not in col.choices:
            raise ValueError(f"expected one of {', '.join(col.choices)}, found '{text}'")
        return low
    return text


def cell_text(value) -> str:
    """Cell text; a whole number typed into an id column reads as '12', not '12.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _norm(name) -> str:
    return re.sub(r"[\s_]+", "", str(name or "")).lower()



# ---------------------------------------------------------------- sheet parsing

def _parse_sheet(sheet: Sheet, raw: RawSheet, problems: list[Problem]) -> pd.DataFrame:
    header = [str(h).strip() if not blank(h) else "" for h in raw.header]
    wanted = {c.name.lower(): c for c in sheet.columns}
    positions: dict[str, int] = {}
    for i, h in enumerate(header):
        if not h:
            continue
        col = wanted.get(h.lower())
        if col is None:
            if not sheet.free_columns:
                problems.append(Problem(
                    f"unknown column '{h}' is ignored", f"Expected columns: {', '.join(sheet.names)}.",
                    sheet=raw.name, row=raw.header_row, severity=WARNING))
            continue
        if col.name in positions:
            problems.append(Problem(
                f"column '{h}' appears twice (columns {positions[col.name] + 1} and {i + 1})",
                "Delete or rename one of them.", sheet=raw.name, row=raw.header_row))
            continue
        positions[col.name] = i
    for ref in raw.merged:
        first, _, last = ref.partition(":")
        problems.append(Problem(
            f"cells {ref} are merged; every row of a table needs its own values",
            "Unmerge them (Home > Merge & Center > Unmerge Cells) and fill in each row.",
            sheet=raw.name, row=coordinate_from_string(first)[1]))
    unsaved = {}
    for ref, formula in raw.unsaved_formulas:
        letter, number = coordinate_from_string(ref)
        unsaved[(number, column_index_from_string(letter) - 1)] = (ref, formula)
    for col in sheet.columns:
        if col.required and col.name not in positions:
            problems.append(Problem(
                f"required column '{col.name}' is missing",
                f"Add a header cell '{col.name}' in row {raw.header_row} ({phrase(col.description)})",
                sheet=raw.name, column=col.name))

    cells = [as_column(c) for c in raw.columns]
    keep = np.flatnonzero(~blank_rows(cells, len(raw.numbers)))  # rows blank in every cell are left out
    numbers = np.asarray(raw.numbers, dtype=np.int64)[keep]
    cells = [c[keep] for c in cells]
    found: list[tuple[int, int, Problem]] = []  # (row index, column order, problem): reported row by row
    keys: dict[int, _LazyKey] = {}

    def key_of(i: int) -> str | None:  # the row's key, worked out only if the row has a problem
        if i not in keys:
            keys[i] = _LazyKey(sheet, {name: (cells[p][i] if p < len(cells) else None)
                                       for name, p in positions.items()})
        return str(keys[i]) or None

    columns: dict[str, object] = {}
    unsaved_at = {}
    if unsaved:
        index_of = {n: i for i, n in enumerate(numbers.tolist())}
        unsaved_at = {(index_of[n], p): what for (n, p), what in unsaved.items() if n in index_of}
    for order, col in enumerate(sheet.columns):
        if col.name not in positions:
            columns[col.name] = [col.default] * len(numbers)
            continue
        p = positions[col.name]
        values = cells[p] if p < len(cells) else as_column([None] * len(numbers))
        out, slow = typed_column(col, values)
        slow = slow.tolist()
        if unsaved_at:
            slow = sorted(set(slow) | {i for i, q in unsaved_at if q == p})  # type: ignore[assignment]  # positions, a list
        for i in slow:  # every cell the column pass did not take, one at a time, with its message
            number, value = int(numbers[i]), values[i]
            if (i, p) in unsaved_at:
                ref, formula = unsaved_at[(i, p)]
                found.append((i, order, Problem(
                    f"cell {ref} holds the formula {formula} but no saved value: the file was last saved by a "
                    "program that does not store computed values",
                    "Open the file in Excel or LibreOffice and save it, or type the value into the cell.",
                    sheet=raw.name, row=number, key=key_of(i), column=col.name)))
                typed = None
            elif blank(value):
                if col.required:
                    found.append((i, order, Problem(
                        "is blank; a value is required", blank_fix(col),
                        sheet=raw.name, row=number, key=key_of(i), column=col.name)))
                typed = col.default
            else:
                try:
                    typed = parse_cell(col, value)
                except ValueError as exc:
                    found.append((i, order, Problem(
                        str(exc), number_fix(col), sheet=raw.name, row=number, key=key_of(i), column=col.name)))
                    typed = None
            out[i] = math.nan if typed is None and col.type == NUM else typed
        columns[col.name] = out
    found.sort(key=lambda item: item[:2])
    problems.extend(problem for _, _, problem in found)
    return typed_frame(sheet, numbers, columns)


class _LazyKey:
    """A row's key as messages name it, computed when first shown."""

    __slots__ = ("sheet", "cells")

    def __init__(self, sheet: Sheet, cells: dict):
        self.sheet, self.cells = sheet, cells

    def __str__(self) -> str:
        return row_key(self.sheet, {name: cell_text(v) for name, v in self.cells.items() if not blank(v)})


def typed_frame(sheet: Sheet, numbers, columns: Mapping[str, Any]) -> pd.DataFrame:
    """Numbers as float (NaN when blank without default); text, choices and booleans as
    Python objects with None when blank. (pandas would otherwise infer a string dtype
    whose missing value is NaN, which is truthy.)"""
    data: dict[str, Any] = {ROW: np.asarray(numbers, dtype=np.int64)}
    for col in sheet.columns:
        values = columns[col.name]
        if col.type == NUM:
            data[col.name] = values if isinstance(values, np.ndarray) else \
                np.array([math.nan if v is None else v for v in values], dtype=float)
        else:
            data[col.name] = pd.Series(as_column(values), dtype=object)
    return pd.DataFrame(data)


def number_fix(col: Column) -> str:
    """The fix for a cell that cannot be read as its column says: what to type, with the bounds."""
    if col.choices:
        return f"Choose one of: {', '.join(col.choices)}."
    if col.type == NUM:
        bounds = []
        if col.min is not None:
            bounds.append(f"at least {number_text(col.min)}")
        if col.max is not None:
            bounds.append(f"at most {number_text(col.max)}")
        unit = f" in {col.unit}" if col.unit else ""
        return f"Type a number{unit}" + (f", {' and '.join(bounds)}" if bounds else "") + "."
    if col.type == BOOL:
        return "Type TRUE or FALSE."
    return ""


def _parse_settings(df: pd.DataFrame, raw_name: str, problems: list[Problem]) -> tuple[Settings, dict[str, int]]:
    """The typed settings, and the row of each setting given (its first row, whose value is used),
    for later messages."""
    settings: dict[str, object] = {}
    seen: dict[str, int] = {}
    given = {str(r.get("key") or "").strip().lower(): r[ROW] for r in records(df)}
    for rec in records(df):
        key = (rec.get("key") or "").strip()
        if not key:
            continue
        spec = SETTINGS_BY_KEY.get(key.lower())
        if spec is None:
            close = [k for k in SETTINGS_BY_KEY if k.startswith(key.lower())][:1] \
                or difflib.get_close_matches(key.lower(), list(SETTINGS_BY_KEY), n=1, cutoff=0.75)
            if close and close[0] not in given:  # a typo of a setting left at its default: a different model
                problems.append(Problem(
                    f"unknown setting '{key}': did you mean '{close[0]}'? As it stands '{close[0]}' keeps its "
                    "default and this row is ignored",
                    f"Spell the key '{close[0]}'.", sheet=raw_name, row=rec[ROW], key=key, column="key"))
                continue
            problems.append(Problem(
                f"unknown setting '{key}' is ignored",
                (f"Did you mean '{close[0]}' (given on its own row)? " if close else "")
                + f"Known settings: {', '.join(SETTINGS_BY_KEY)}.",
                sheet=raw_name, row=rec[ROW], key=key, column="key", severity=WARNING))
            continue
        if spec.key in seen:
            problems.append(Problem(
                f"setting '{spec.key}' is given twice (also row {seen[spec.key]})", "Keep one of the two rows.",
                sheet=raw_name, row=rec[ROW], key=key, column="key"))
            continue
        seen[spec.key] = rec[ROW]
        value = rec.get("value")
        if blank(value):
            continue
        if spec.type == NUM:
            try:
                rate = spec.unit == "per year"  # a rate: a percent typed as a whole number is the likely slip
                number = parse_number(value, spec.unit if rate else "")
                if spec.min is not None and number < spec.min:
                    raise ValueError(f"must be >= {number_text(spec.min)}, found {number_text(number)}")
                if spec.max is not None and number > spec.max:
                    hint = f" (write {number_text(number / 100)} for {number_text(number)}%)" if rate else ""
                    raise ValueError(f"must be <= {number_text(spec.max)}, found {number_text(number)}{hint}")
            except ValueError as exc:
                problems.append(Problem(str(exc), f"Type a number ({spec.unit}), or leave it blank for the default.",
                                        sheet=raw_name, row=rec[ROW], key=key, column="value"))
                continue
            settings[spec.key] = number
        elif spec.type == BOOL:
            try:
                settings[spec.key] = parse_cell(Column("value", BOOL), value)
            except ValueError as exc:
                problems.append(Problem(str(exc), "Type TRUE or FALSE.", sheet=raw_name, row=rec[ROW], key=key,
                                        column="value"))
        else:
            settings[spec.key] = cell_text(value)
    return Settings.from_values(settings), seen


def _two_sources(sheet: Sheet, found: list[RawSheet]) -> Problem:
    """Two sheets (or CSV files) whose names both read as one model sheet: an error, since taking
    either one would silently drop the other (a hidden stale copy as much as a visible one)."""
    names = [r.file or f"'{r.name}'" + (" (hidden)" if r.hidden else "") for r in found]
    what = "files" if all(r.file for r in found) else "sheets"
    fix = f"Delete or rename {'one' if len(found) == 2 else 'all but one'} of them"
    if any(r.hidden for r in found):
        fix += " (to see a hidden sheet, right-click any sheet tab and choose Unhide)"
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    return Problem(f"{len(found)} {what} are read as '{sheet.name}': {listed}; the model will not "
                   "guess which one holds the data", fix, sheet=sheet.name)


def read_raw(path: Path) -> list[RawSheet]:
    """The sheets of a workbook or CSV folder, unparsed."""
    if not path.exists():
        raise InputError(str(path), [Problem(
            "no such file or folder", "Check the path, or run 'corridor template PATH' to start a new workbook.")])
    if path.is_dir():
        return read_csv_folder(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        model_sheets = {_norm(s.name) for s in SHEETS}
        return read_xlsx(path, wanted=lambda name: _norm(name) in model_sheets)  # others are only named
    raise InputError(str(path), [Problem(
        f"is a '{path.suffix}' file; expected an Excel workbook (.xlsx) or a folder of CSV files",
        "Save the workbook as .xlsx in Excel (File > Save As > Excel Workbook).")])


def read_input(path: str | Path) -> CorridorData:
    """Read and type every sheet, collecting every reading problem in data.problems.

    A cell that cannot be read is reported and left as None. Raises InputError only
    when the file itself cannot be opened. Cross-sheet checks are model.input.validate's job.
    """
    path = Path(path)
    raws = read_raw(path)
    problems: list[Problem] = []
    by_norm: dict[str, list[RawSheet]] = {}
    for raw in raws:
        by_norm.setdefault(_norm(raw.name), []).append(raw)
    matched: dict[str, RawSheet] = {}
    used: set[int] = set()  # ids of the raw sheets matched
    for sheet in SHEETS:
        found = by_norm.get(_norm(sheet.name), [])
        if not found:
            if sheet.required:
                problems.append(Problem(
                    f"required sheet '{sheet.name}' is missing",
                    f"Add a sheet named '{sheet.name}' ({phrase(sheet.description)}); 'corridor template' writes "
                    "one with its headers."))
            continue
        used.update(id(r) for r in found)
        raw = next((r for r in found if not r.hidden), found[0])  # read on, for the other messages
        if len(found) > 1:
            problems.append(_two_sources(sheet, found))
        elif raw.name != sheet.name:
            problems.append(Problem(
                f"sheet '{raw.name}' is read as '{sheet.name}'", f"Rename it to '{sheet.name}'.",
                sheet=raw.name, severity=WARNING))
        matched[sheet.name] = raw
    for raw in raws:
        if id(raw) not in used:
            problems.append(_unknown_sheet(raw.name, matched))

    tables = {}
    for sheet in SHEETS:
        if sheet.free_columns:
            continue
        raw = matched.get(sheet.name) or RawSheet(sheet.name, sheet.names, [[] for _ in sheet.names])
        tables[sheet.name] = _parse_sheet(sheet, raw, problems)
        if sheet.required and sheet.name in matched and tables[sheet.name].empty:
            problems.append(Problem(
                f"sheet has no rows; the model needs at least one ({phrase(sheet.description)})",
                f"Fill in the {sheet.name} sheet below its header row.", sheet=raw.name))
    settings_raw = matched.get("Settings")
    settings_table = tables.pop("Settings")
    settings, setting_rows = _parse_settings(settings_table, settings_raw.name if settings_raw else "Settings",
                                             problems)

    free = {sheet.name: _free_sheet(matched[sheet.name]) for sheet in SHEETS
            if sheet.free_columns and sheet.name in matched}
    if "Sources" in free:
        _check_sources(matched["Sources"], free["Sources"], problems)
    return CorridorData(path, file_sha256(path), settings, tables, free.pop("Sources", pd.DataFrame()), problems,
                        notes=free, setting_rows=setting_rows)


# The optional sheets whose absence changes the allocation (a missing Capacities sheet: no capacity
# at all). The others change what is reported or what can be asked (Observations: the fit;
# Scenarios, Sweeps: named runs, refused by name when missing; Calibration, Sources: notes).
SHAPES_THE_SOLVE = ("Settings", "Countries", "Tariffs", "Capacities", "Supply", "Policies", "Surcharges", "Periods",
                    "Investments", "Seasons")


def _unknown_sheet(name: str, matched: dict) -> Problem:
    """A sheet that is no model sheet. Named like a missing sheet that shapes the solve (a rename,
    a typo: 'Capacity' for 'Capacities'), it is an error: ignoring it would solve the model without
    that sheet, a silently different answer. Otherwise a warning, with the nearest name if any."""
    names = {_norm(s.name): s.name for s in SHEETS}
    close = [names[c] for c in difflib.get_close_matches(_norm(name), list(names), n=1, cutoff=0.75)]
    if close and close[0] not in matched and close[0] in SHAPES_THE_SOLVE:
        return Problem(
            f"sheet '{name}' is not a sheet of the model, but its name is close to '{close[0]}', which is "
            f"missing: as it stands the model would be solved without any {close[0]}",
            f"Rename the sheet to '{close[0]}' (or, if it is a sheet of your own, give it a name no model "
            "sheet is close to).", sheet=name)
    known = f"Known sheets: {', '.join(s.name for s in SHEETS)}."
    also = "" if not close else f"Did you mean '{close[0]}' (read from its own sheet)? " if close[0] in matched else \
        f"If it is the '{close[0]}' sheet, rename it to '{close[0]}'. "
    return Problem(f"sheet '{name}' is not part of the model and is ignored", also + known, sheet=name,
                   severity=WARNING)


def _whole(v):
    return int(v) if type(v) is float and v.is_integer() and abs(v) < 2 ** 53 else v


def _free_sheet(raw: RawSheet) -> pd.DataFrame:
    """A sheet of any columns (Sources, Calibration), as found; blank rows left out. A whole number
    reads as an int (calamine gives every number as a float: a year 2026 would be written back,
    and converted to CSV, as '2026.0')."""
    cols = [cell_text(h) if not blank(h) else f"column {i + 1}" for i, h in enumerate(raw.header)]
    rows = [[None if blank(v) else _whole(v) for v in r[: len(cols)]] for _, r in raw.rows
            if not all(blank(v) for v in r)]
    return pd.DataFrame(rows, columns=cols) if cols else pd.DataFrame()


def _check_sources(raw: RawSheet, df: pd.DataFrame, problems: list[Problem]) -> None:
    """The Sources sheet's declared columns (the others are free): low and high typed as numbers in df
    (a cell that is not one reported, left blank), low <= high, and a warning for an estimate (E in its
    confidence) without its range, which the uncertainty analyses draw from."""
    spec = SHEETS_BY_NAME["Sources"]
    numeric = [c for c in spec.columns if c.type == NUM]
    low, high = (c.name for c in numeric)
    rows = [n for n, r in raw.rows if not all(blank(v) for v in r)]  # df's rows, as _free_sheet keeps them
    named = {str(c).strip().lower(): c for c in df.columns}
    for col in numeric:
        if col.name in named and named[col.name] != col.name:
            df.rename(columns={named[col.name]: col.name}, inplace=True)
    typed: dict[str, list[float | None]] = {col.name: [] for col in numeric if col.name in df.columns}
    for i, rec in enumerate(df.to_dict("records")):
        key = None if blank(rec.get("id")) else cell_text(rec["id"])
        for col in numeric:
            value = rec.get(col.name)
            rec[col.name] = None
            if not blank(value):
                try:
                    rec[col.name] = parse_cell(col, value)
                except ValueError as exc:
                    problems.append(Problem(str(exc), number_fix(col), column=col.name, sheet=raw.name,
                                            row=rows[i], key=key))
            if col.name in typed:
                typed[col.name].append(rec[col.name])
        if rec.get(low) is not None and rec.get(high) is not None and rec[low] > rec[high]:
            problems.append(Problem(f"low {number_text(rec[low])} is above high {number_text(rec[high])}",
                                    "Swap them: low is the lowest plausible value, high the highest.",
                                    column=low, sheet=raw.name, row=rows[i], key=key))
        conf = rec.get(named.get("confidence", "confidence"))
        if not blank(conf) and re.search(r"\bE\b", str(conf).upper()) and (rec.get(low) is None or
                                                                          rec.get(high) is None):
            problems.append(Problem(
                f"an estimate (confidence '{cell_text(conf)}') without its range: low or high is blank",
                "Give the lowest and highest plausible value in low and high (the uncertainty analyses draw "
                "from them).", column=low if rec.get(low) is None else high, severity=WARNING, sheet=raw.name,
                row=rows[i], key=key))
    for name, values in typed.items():
        df[name] = pd.Series(values, index=df.index, dtype=object)


def blank_fix(col: Column) -> str:
    """What to enter in a blank required cell: the column named, then its description as the schema writes it (a
    description is a noun phrase, a clause or a list of choices: 'Enter the ' before it read 'Enter the the
    cell(s)', 'Enter the a modelled year')."""
    return f"Enter {col.name}: {phrase(col.description)}."
