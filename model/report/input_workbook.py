"""Input workbooks: the blank template, and a case's tables written as a workbook (convert,
generate, the plan case) or as a folder of CSV files, one per sheet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from model.errors import OutputError, number_text
from model.input.csv_cells import write_csv
from model.input.schema import BOOL, ENUM, NUM, SETTINGS, SHEETS, column_note
from model.report.cells import EXCEL_ROWS, append, new_workbook, style_header, write_table
from model.report.output import Outputs, writing

SOURCES_HEADER = ["id", "item", "value", "year", "source", "confidence", "used_for"]


def write_input_workbook(tables: dict[str, pd.DataFrame], path: Path, settings: dict | None = None,
                         kind: str = "convert", inputs=(), force: bool = False, outputs: Outputs | None = None) -> Path:
    """An input workbook: every sheet of the schema with a note on each header (meaning and
    unit) and drop-down lists for the choice columns; with the given rows (tables by sheet, the
    sheets of any columns such as Sources included), or blank (template). Written by corridor
    `kind` through the output guard (model.report.output), never over inputs; into the caller's
    Outputs if given (which holds the file from its check, and whose kind it is)."""
    kind = outputs.kind if outputs is not None else kind
    wb = new_workbook(kind)
    for sheet in SHEETS:
        if sheet.free_columns and sheet.name != "Sources" and not len(tables.get(sheet.name, pd.DataFrame()).columns):
            continue  # a sheet of any columns other than Sources is written only when it has something
        ws = wb.create_sheet(sheet.name)
        if sheet.name == "Settings":
            append(ws, ["key", "value", "unit", "meaning"])
            given = settings or {}
            for s in SETTINGS:
                append(ws, [s.key, given.get(s.key, s.default), s.unit, s.description])
            ws.column_dimensions["A"].width = 28
            ws.column_dimensions["B"].width = 30
            ws.column_dimensions["D"].width = 90
            style_header(ws)
            continue
        if sheet.free_columns:
            df = tables.get(sheet.name, pd.DataFrame())
            write_table(ws, df if len(df.columns) else pd.DataFrame(columns=SOURCES_HEADER), labels=False)
            style_header(ws)
            continue
        df = tables.get(sheet.name, pd.DataFrame(columns=sheet.names))
        df = df[[c for c in sheet.names if c in df.columns]] if len(df.columns) else pd.DataFrame(
            columns=sheet.names)
        for c in sheet.names:
            if c not in df.columns:
                df[c] = None
        df = df[sheet.names]
        write_table(ws, df, labels=False)
        style_header(ws)
        for j, col in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=j)
            cell.comment = Comment(column_note(col), "corridor-model", width=320, height=160)
            dv = _validation(sheet.name, col)
            if dv is not None:  # every row a planner may add, not only the rows written
                letter = get_column_letter(j)
                dv.add(f"{letter}2:{letter}{EXCEL_ROWS}")
                ws.add_data_validation(dv)
    with writing(outputs, kind, inputs, force) as out:
        wb.save(out.claim(Path(path)))
    return Path(path)




# Columns whose value must be an id listed on another sheet: a drop-down of that sheet's column.
ID_LISTS = {("Nodes", "country"): ("Countries", "A"), ("Legs", "from"): ("Nodes", "A"), ("Legs", "to"): ("Nodes", "A"),
            ("Supply", "commodity"): ("Commodities", "A"), ("Supply", "origin"): ("Nodes", "A"),
            ("Demand", "commodity"): ("Commodities", "A"), ("Demand", "origin"): ("Nodes", "A"),
            ("Demand", "market"): ("Nodes", "A")}


def _validation(sheet: str, col) -> DataValidation | None:
    """The data validation of one column of an input sheet: a drop-down of its choices, of TRUE and
    FALSE, or of the ids of the sheet it refers to; a number within its bounds."""
    where = {"allow_blank": True, "showErrorMessage": True, "errorTitle": f"{sheet}.{col.name}"}
    choices = col.choices if col.type == ENUM else ("TRUE", "FALSE") if col.type == BOOL else ()
    if choices:
        return DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                              error="Choose one of: " + ", ".join(choices), **where)
    if (sheet, col.name) in ID_LISTS:
        other, letter = ID_LISTS[(sheet, col.name)]
        return DataValidation(type="list", formula1=f"{other}!${letter}$2:${letter}$10000",
                              error=f"Choose an id of the {other} sheet (add it there first).", **where)
    if col.type == NUM and (col.min is not None or col.max is not None):
        low = col.min if col.min is not None else -1e15
        high = col.max if col.max is not None else 1e15
        unit = f" {col.unit}" if col.unit else ""
        return DataValidation(type="decimal", operator="between", formula1=f"{low:.15g}", formula2=f"{high:.15g}",
                              error=f"Type a number from {number_text(low)} to {number_text(high)}{unit}.", **where)
    return None


def write_csv_folder(tables: dict[str, pd.DataFrame], folder: Path, settings: dict | None = None,
                     kind: str = "convert", inputs=(), force: bool = False) -> Path:
    """A case as a folder of CSV files, one per sheet (Settings as key, value rows), all or none,
    through the output guard: never into an input folder, never over an existing file (a CSV file
    cannot say who wrote it) unless force."""
    folder = Path(folder)
    tables = dict(tables)
    if settings:
        tables["Settings"] = pd.DataFrame({"key": list(settings), "value": list(settings.values())})
    tables = {name: df for name, df in tables.items() if len(df.columns)}  # an empty Sources: no file
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"cannot write the CSV files into {folder}: it is a file. Give a folder with -o, or a "
                          "path ending in .xlsx for a workbook.")
    with Outputs(kind, inputs, force) as outputs:
        for name in tables:  # every file checked before any is written
            outputs.check(folder / f"{name}.csv")
        for name, df in tables.items():
            write_csv(df, outputs.claim(folder / f"{name}.csv"))
    return folder


def convert(src: Path, out: Path, force: bool = False) -> Path:
    """A workbook as a folder of CSV files, or a CSV folder as a workbook (out ending in .xlsx)."""
    from model.errors import ERROR, InputError
    from model.input.read import read_input

    data = read_input(src)
    if any(p.severity == ERROR for p in data.problems):
        raise InputError(str(src), data.problems)
    write = write_input_workbook if out.suffix.lower() == ".xlsx" else write_csv_folder
    return write(input_tables(data), out, settings=data.settings.given(), kind="convert", inputs=[src], force=force)


def input_tables(data) -> dict[str, pd.DataFrame]:
    """Every sheet of the data as it would be written back: the typed tables without their row
    numbers, and the sheets of any columns (Sources, Calibration)."""
    from model.input.data import ROW

    return {**{name: df.drop(columns=[ROW]) for name, df in data.tables.items()}, "Sources": data.sources,
            **data.notes}


def write_template(path: Path, force: bool = False) -> Path:
    """A blank input workbook; never over an existing file (not even an earlier template) unless force."""
    if Path(path).exists() and not force:
        raise OutputError(f"{path} exists; the template never overwrites a file. Choose another path, or add "
                          "--force.")
    return write_input_workbook({}, Path(path), kind="template", force=force)
