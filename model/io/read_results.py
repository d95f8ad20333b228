"""A result workbook read back: each sheet as a DataFrame with the column names of model.results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.io.cells import header
from model.io.maps.sheet import MAP_SHEET, map_blocks
from model.io.workbook import SHEET_NOTES


def read_result_workbook(path: Path, fix: str) -> dict[str, pd.DataFrame]:
    """read_results(path), or an InputError with fix (what to pass instead) when the file cannot
    be read as a result workbook."""
    import zipfile

    from openpyxl.utils.exceptions import InvalidFileException

    from model.errors import InputError, Problem
    from model.io.raw import check_container

    try:
        if zipfile.is_zipfile(path):
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
        frames = {name: pd.read_excel(book, sheet_name=name, skiprows=0 if name not in SHEET_NOTES else 2)
                  for name in book.sheet_names if name in COLUMNS and name != "Summary"}
        if "Summary" in book.sheet_names:
            frames["Summary"] = _figures(pd.read_excel(book, sheet_name="Summary", header=None))
        if MAP_SHEET in book.sheet_names:
            out.update(map_blocks(pd.read_excel(book, sheet_name=MAP_SHEET, header=None)))
    for name, columns in COLUMNS.items():
        if name not in frames:
            continue
        df = frames[name]
        labels = {header(c): c for c in columns}
        df = df.rename(columns=labels)
        if name == "Corridors":  # the table ends at the first blank row; the pivot below is for reading
            blank = df.index[df.isna().all(axis=1)]
            df = df.loc[: blank[0] - 1] if len(blank) else df
            df = df[[c for c in ["scenario", "year"] + columns if c in df.columns]]
        out[name] = df
    return out




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
    return table.dropna(subset=["item"]).reset_index(drop=True)
