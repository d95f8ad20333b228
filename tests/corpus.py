"""Broken workbooks built from the valid base case, one fault each, as a planner would make it."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from pathlib import Path

from openpyxl import load_workbook


def _col(ws, name):
    for cell in ws[1]:
        if cell.value == name:
            return cell.column
    raise KeyError(name)


def set_cell(sheet, row, column, value):
    def edit(wb):
        ws = wb[sheet]
        ws.cell(row=row, column=_col(ws, column)).value = value  # value=None in cell() would be ignored
    return edit


def append_row(sheet, values: dict):
    def edit(wb):
        ws = wb[sheet]
        row = ws.max_row + 1
        for name, v in values.items():
            ws.cell(row=row, column=_col(ws, name), value=v)
    return edit


def copy_row(sheet, row):
    def edit(wb):
        ws = wb[sheet]
        ws.append([c.value for c in ws[row]])
    return edit


def delete_sheet(sheet):
    def edit(wb):
        del wb[sheet]
    return edit


def duplicate_sheet(sheet, title, hidden=False):
    """A copy of a sheet under another title, e.g. a stale copy someone hid instead of deleting."""
    def edit(wb):
        copy = wb.copy_worksheet(wb[sheet])
        copy.title = title
        if hidden:
            copy.sheet_state = "hidden"
    return edit


def delete_column(sheet, column):
    def edit(wb):
        ws = wb[sheet]
        ws.delete_cols(_col(ws, column))
    return edit


def rename_header(sheet, column, new):
    def edit(wb):
        ws = wb[sheet]
        ws.cell(row=1, column=_col(ws, column), value=new)
    return edit


def delete_rows(sheet):
    def edit(wb):
        ws = wb[sheet]
        ws.delete_rows(2, ws.max_row)
    return edit


def merge(sheet, cells):
    def edit(wb):
        wb[sheet].merge_cells(cells)
    return edit


def formula(sheet, cell, text):
    """A formula with no saved value, as a program that does not compute formulas saves it."""
    def edit(wb):
        wb[sheet][cell] = text
    return edit


@functools.cache
def _pickled(base: Path) -> bytes:
    return pickle.dumps(load_workbook(base))


def broken_copy(base: Path, folder: Path, edit, name: str = "broken.xlsx") -> Path:
    # The base workbook is parsed once per process and each copy unpickled from it: the same
    # workbook (saved, it is the same file but for its timestamp) in a sixth of load_workbook's time,
    # which the corpus paid about 300 times (test_corpus, test_reading, test_safety).
    wb = pickle.loads(_pickled(Path(base)))
    edit(wb)
    out = folder / name
    wb.save(out)
    return out


def shared_copy(base: Path, folder: Path, case: str, edit) -> Path:
    """The broken copy of a corpus case in a folder shared by the session (conftest's corpus_copies):
    made by the first test that asks for it, then only read. test_corpus solves each copy and
    test_reading reads it with two readers; saving it (openpyxl) is most of what either costs. A copy
    is written under a name of its own and renamed into place, so that a test on another worker
    never reads half a file."""
    out = folder / f"{hashlib.sha1(case.encode()).hexdigest()[:16]}.xlsx"
    if not out.exists():
        part = broken_copy(base, folder, edit, f"{out.stem}.{os.getpid()}.part")
        os.replace(part, out)
    return out


def edits(*steps):
    """Several edits as one fault, e.g. a carbon price set and a leg's distance left blank."""
    def edit(wb):
        for step in steps:
            step(wb)
    return edit
