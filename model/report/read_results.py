"""A result workbook read back: each sheet as a DataFrame with the column names of model.results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.report.cells import header
from model.report.maps.sheet import MAP_SHEET, map_blocks
from model.report.workbook import SHEET_NOTES
from model.results.choice import CHOICE_COLUMNS


def read_result_workbook(path: Path, fix: str) -> dict[str, pd.DataFrame]:
    """read_results(path), or an InputError with fix (what to pass instead) when the file cannot
    be read as a result workbook."""
    import zipfile

    from openpyxl.utils.exceptions import InvalidFileException

    from model.errors import InputError, Problem
    from model.input.raw import check_container

    try:
        if Path(path).is_file():
            with open(path, "rb") as f:
                zipped = f.read(2) == b"PK"  # a zip archive, whole or cut short
            if zipped:
                check_container(Path(path), fix)  # the input's guards: zip bombs, damaged parts, XML bombs
        return read_results(Path(path))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:
        raise InputError(str(path), [Problem(f"cannot be read as a result workbook ({exc})", fix)]) from None


def read_results(path: Path) -> dict[str, pd.DataFrame]:
    """A result workbook read back: each sheet as a DataFrame with the column names of
    model.results (headers carry units; the note row above the header is skipped); the Map sheet as
    "Map" (item, value), "Map nodes" and "Map legs" (model.results.maps)."""
    from model.results.tables import COLUMNS

    out = {}
    with pd.ExcelFile(path, engine="openpyxl") as book:  # the workbook opened once, each sheet read once
        frames = {name: _text_as_written(pd.read_excel(book, sheet_name=name,
                                                       skiprows=0 if name not in SHEET_NOTES else 2))
                  for name in book.sheet_names if name in COLUMNS and name != "Summary"}
        for name, df in frames.items():  # the Excel row of the table's first row, for messages
            df.attrs["first_row"] = 2 if name not in SHEET_NOTES else 4
        if "Summary" in book.sheet_names:
            frames["Summary"] = _figures(_text_as_written(pd.read_excel(book, sheet_name="Summary", header=None)))
        if MAP_SHEET in book.sheet_names:
            out.update(map_blocks(_text_as_written(pd.read_excel(book, sheet_name=MAP_SHEET, header=None))))
    for name, columns in COLUMNS.items():
        if name not in frames:
            continue
        df = frames[name]
        labels = {header(c): c for c in [*columns, *(CHOICE_COLUMNS if name in ("Flows", "Routes") else [])]}
        df = df.rename(columns=labels)
        df.attrs = dict(frames[name].attrs)
        if name == "Corridors":  # the table ends at the first blank row; the pivot below is for reading
            blank = df.index[df.isna().all(axis=1)]
            df = df.loc[: blank[0] - 1] if len(blank) else df
            df = df[[c for c in ["scenario", "year"] + columns if c in df.columns]]
        out[name] = df
    return out




def _text_as_written(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells as they were written: a workbook escapes a control character as _xHHHH_ (a carriage
    return as _x000D_, a literal '_x0041_' as '_x005F_x0041_'), as Excel reads it; openpyxl leaves
    the escapes in the text it reads (model.report.result_book.ResultBook writes them)."""
    from openpyxl.utils.escape import unescape

    df.columns = [unescape(c) if isinstance(c, str) else c for c in df.columns]
    for j, c in enumerate(df.columns):
        column = df.iloc[:, j]
        if not pd.api.types.is_numeric_dtype(column.dtype) and column.map(lambda v: isinstance(v, str)
                                                                          and "_x" in v).any():
            df[c] = column.map(lambda v: unescape(v) if isinstance(v, str) else v)
    return df


def _figures(sheet: pd.DataFrame) -> pd.DataFrame:
    """The Summary's table of figures (item, value, unit), below the brief that heads the sheet."""
    first = sheet.iloc[:, 0].astype(str).str.strip().eq("item")
    if sheet.shape[1] > 1:
        first &= sheet.iloc[:, 1].astype(str).str.strip().eq("value")
    if not first.any():
        return pd.DataFrame(columns=["item", "value", "unit"])
    start = int(first.to_numpy().nonzero()[0][0])
    table = sheet.iloc[start + 1:, :3].copy()
    table.columns = ["item", "value", "unit"][: table.shape[1]]
    table = table.dropna(subset=["item"])
    rows = [int(i) + 1 for i in table.index]  # the Excel row of each figure, for messages
    table = table.reset_index(drop=True)
    table.attrs["rows"] = rows
    return table


# What a command needs of a column of a result workbook read back.
TEXT, NUMBER, BLANK_OR_NUMBER = "text", "a number", "a number or blank"
_RESULT_FIX = "Write the result again with corridor solve (a result workbook is not meant to be edited by hand)"


def result_problems(sheets: dict[str, pd.DataFrame], needs: dict[str, dict[str, str]]) -> tuple[list, list[str]]:
    """(problems, sheets missing) of a result workbook read back, for the sheets a command needs and
    the columns it reads of each (column -> TEXT, NUMBER or BLANK_OR_NUMBER): a column missing (a
    renamed header), a number column holding text, a blank or a value that is not finite, each with
    its sheet, row, column and value. The number columns of each sheet are made numeric in place."""
    import math

    from model.errors import Problem, short_list

    problems, missing = [], []
    for name, columns in needs.items():
        df = sheets.get(name)
        if df is None:
            missing.append(name)
            continue
        first, sheet = df.attrs.get("first_row", 2), df.attrs.get("sheet", name)
        rows = df.attrs.get("rows") or range(first, first + len(df))
        absent = [c for c in columns if c not in df.columns]
        if absent:
            problems.append(Problem(
                f"the column{'s' if len(absent) > 1 else ''} {short_list(repr(header(c)) for c in absent)} "
                f"{'are' if len(absent) > 1 else 'is'} missing (a header renamed or deleted)",
                f"Restore the header{'s' if len(absent) > 1 else ''} as written, or {_RESULT_FIX[0].lower()}"
                f"{_RESULT_FIX[1:]}.", sheet=sheet, row=max(1, first - 1)))
        for c, kind in columns.items():
            if c in absent or kind == TEXT:
                continue
            values = pd.to_numeric(df[c].where(~df[c].map(lambda v: isinstance(v, bool)), "bool"),
                                   errors="coerce").astype(float)
            bad = [i for i, (v, x) in enumerate(zip(df[c], values, strict=True)) if not math.isfinite(x)
                   and not (kind == BLANK_OR_NUMBER and (v is None or (isinstance(v, float) and math.isnan(v))
                                                          or (isinstance(v, str) and not v.strip())))]
            for i in bad[:5]:
                v = df[c].iloc[i]
                found = "a blank cell" if v is None or (isinstance(v, float) and math.isnan(v)) else repr(v)
                problems.append(Problem(f"expected {kind}, found {found}", f"Enter the number the result had, or "
                                        f"{_RESULT_FIX[0].lower()}{_RESULT_FIX[1:]}.", sheet=sheet, row=rows[i],
                                        column=header(c)))
            if len(bad) > 5:
                problems.append(Problem(f"{len(bad) - 5} more cell(s) that are not numbers", _RESULT_FIX, sheet=sheet,
                                        column=header(c)))
            if not bad and not pd.api.types.is_numeric_dtype(df[c]):
                df[c] = values
    return problems, missing


def map_problems(sheets: dict[str, pd.DataFrame], report: bool) -> list:
    """What corridor map (and, report=True, corridor report) read of a result workbook, checked: the
    Map sheet's two tables, the Corridors and Capacity sheets (and the Summary), each column read
    and each number; a latitude outside [-90, 90] or a longitude outside [-180, 180] is refused."""
    from model.errors import Problem

    T, N, B = TEXT, NUMBER, BLANK_OR_NUMBER
    needs = {"Map nodes": {"node": T, "lat": B, "lon": B, "tonnes_t": N, "utilisation": B},
             "Map legs": {"leg": T, "from": T, "to": T, "corridor": T, "tonnes_t": N, "cost_usd_per_t": N,
                          "utilisation": B},
             "Corridors": {"commodity": T, "corridor": T, "tonnes_t": N, "share": N},
             "Capacity": {"element": T, "capacity_t": B, "added_t": B, "used_t": B, "shadow_price_usd_per_t": B,
                          "binding": T}}
    if report:
        needs["Summary"] = {"item": T, "value": T, "unit": T}
    if report and "Responses" in sheets:  # under route choice: the brief's line and the page's block read it
        needs["Responses"] = {"what": T, "name": T, "corridor": T, "cut_usd_per_t": B, "tonnes_t": B,
                              "change_t_per_usd_per_t": B, "via_focus_t_per_usd_per_t": B}
    if report and "Ranges" in sheets:  # solve --uncertainty N: the page's "How sure" reads it
        needs["Ranges"] = {"headline": T, "unit": T, "median": B, "p5": B, "p95": B, "draws": N, "probability": B,
                           "moved_most_by": T, "change_per_sd": B}
    problems, missing = result_problems(sheets, needs)
    for name in dict.fromkeys("Map" if n.startswith("Map") else n for n in missing):
        problems.append(Problem(f"the {name} sheet is missing; the {'report' if report else 'map'} is drawn from it",
                                "Write the result again with corridor solve (or restore the sheet).", sheet=name))
    nodes = sheets.get("Map nodes")
    if nodes is not None and not problems:
        first = nodes.attrs.get("first_row", 2)
        for column, limit in (("lat", 90), ("lon", 180)):
            for i, v in enumerate(nodes[column]):
                if v == v and abs(v) > limit:
                    problems.append(Problem(
                        f"{column} {v:g} is outside [-{limit}, {limit}] degrees", "Enter the node's "
                        f"{'latitude' if column == 'lat' else 'longitude'} in degrees (it is the Nodes sheet's, "
                        "in the input), or write the result again with corridor solve.", sheet=MAP_SHEET,
                        row=first + i, key=str(nodes["node"].iloc[i]), column=header(column)))
    return problems

