"""Whole columns of a raw sheet typed at once: the cells a column operation (numpy, pandas) reads
exactly as the cell-by-cell parser would (model.input.read.parse_cell), and the positions of every
other cell, left to that parser and its messages.

A column of text (every CSV column) is typed with one operation per rule: blank, a number
within bounds, a listed choice, TRUE/FALSE. A column of mixed cells (a workbook's numbers, text
and booleans) takes the one-pass loop below, cell by cell but without messages. Either way what
a cell reads as is unchanged, and a cell that fails any rule is reported as before.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from model.input.raw import blank
from model.input.schema import BOOL, ENUM, NUM, Column

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "off"})
_BOOLEAN = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}
_NUMERIC = (float, int, str)  # the cells float() may read; a bool is refused with its message


def as_column(values) -> np.ndarray:
    """A column's cells as a one-dimensional object array."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def blank_rows(columns: list[np.ndarray], n: int) -> np.ndarray:
    """Rows blank in every cell (None, NaN, empty or white-space text), column by column over the
    rows still blank: a sheet whose first column is filled costs one column."""
    out = np.ones(n, dtype=bool)
    for values in columns:
        at = np.flatnonzero(out)
        if not len(at):
            break
        out[at] = blank_cells(values[at])
    return out


def blank_cells(values: np.ndarray) -> np.ndarray:
    """Which cells of a column are blank, as raw.blank says."""
    if _types(values) <= {str}:
        return (values == "") | np.fromiter(map(str.isspace, values), dtype=bool, count=len(values))
    return np.fromiter(map(blank, values), dtype=bool, count=len(values))


def typed_column(col: Column, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(typed values, positions left to the cell parser): float64 for a number column (NaN where
    left), objects for the others (None where left)."""
    types = _types(values)
    if col.type == NUM:
        return _numbers(col, values, types)
    if not types <= {str}:
        return _by_cell(col, values)
    text = as_column(list(map(str.strip, values)))
    if col.type == ENUM:
        return _mapped(as_column(list(map(str.lower, text))), {c: str(c) for c in col.choices})
    if col.type == BOOL:
        return _mapped(as_column(list(map(str.lower, text))), _BOOLEAN)
    left = np.flatnonzero(text == "")
    sample = text[:1000]
    if len(sample) and len(set(sample)) < 0.5 * len(sample):  # a corridor named on 500k rows: one str each
        codes, uniques = pd.factorize(text)
        text = as_column(list(uniques))[codes]
    text[left] = None
    return text, left


def _types(values: np.ndarray) -> set:
    return set(map(type, values))


def _mapped(words: np.ndarray, meaning: dict) -> tuple[np.ndarray, np.ndarray]:
    """Each word's meaning (a choice, TRUE or FALSE); the words without one are left."""
    found = pd.Series(words, dtype=object).map(meaning)
    left = np.flatnonzero(found.isna().to_numpy())
    out = as_column(found.tolist())
    out[left] = None
    return out, left


def _numbers(col: Column, values: np.ndarray, types: set) -> tuple[np.ndarray, np.ndarray]:
    """Numbers within the column's bounds, read by float() as the cell parser reads them first."""
    n = len(values)
    take = np.ones(n, dtype=bool)
    if not types <= set(_NUMERIC):
        take = np.fromiter(map(_NUMERIC.__contains__, map(type, values)), dtype=bool, count=n)
    if str in types:
        take &= values != ""
    at = np.flatnonzero(take)
    try:
        x = values[at].astype(float)
    except (ValueError, TypeError):  # some text is not a plain number: leave it (pandas finds which)
        at = at[pd.to_numeric(pd.Series(values[at], dtype=object), errors="coerce").notna().to_numpy()]
        try:
            x = values[at].astype(float)
        except (ValueError, TypeError):
            return _by_cell(col, values)
    low = -math.inf if col.min is None else col.min
    high = math.inf if col.max is None else col.max
    ok = (x >= low) & (x <= high) & ~np.isinf(x)  # NaN fails the bounds
    out = np.full(n, np.nan)
    out[at[ok]] = x[ok]
    left = np.ones(n, dtype=bool)
    left[at[ok]] = False
    return out, np.flatnonzero(left)


def _by_cell(col: Column, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A column of mixed cells (a workbook's): one pass that takes the common cells (a finite
    number within bounds, a plain word, TRUE/FALSE, a listed choice) and leaves every other cell,
    blanks included, to the cell parser with its messages."""
    out: list = [None] * len(values)
    slow: list[int] = []
    kind, low_bound, high_bound = col.type, col.min, col.max
    if kind == NUM:
        low_bound = -math.inf if low_bound is None else low_bound
        high_bound = math.inf if high_bound is None else high_bound
        for i, v in enumerate(values):
            t = type(v)
            if t is float or t is int or t is str:
                try:
                    number = float(v)
                except ValueError:
                    slow.append(i)
                    continue
                if low_bound <= number <= high_bound and not math.isinf(number):  # NaN fails the bounds
                    out[i] = number
                    continue
            slow.append(i)
        return np.array([math.nan if v is None else v for v in out], dtype=float), np.array(slow, dtype=np.int64)
    for i, v in enumerate(values):
        if kind == BOOL and type(v) is bool:
            out[i] = v
        elif type(v) is not str or not (text := v.strip()):
            slow.append(i)
        elif kind in (BOOL, ENUM):
            low = text.lower()
            if kind == BOOL and low in _BOOLEAN:
                out[i] = _BOOLEAN[low]
            elif kind == ENUM and low in col.choices:
                out[i] = low
            else:
                slow.append(i)
        else:
            out[i] = text
    return as_column(out), np.array(slow, dtype=np.int64)
