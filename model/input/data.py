"""The input as the model holds it: every sheet typed and defaulted, each row with its place in the
file. Readers (model.input.read) make it; validation, scenarios, plans and the network read it; nothing
writes back into it (scenarios and sweeps work on copies)."""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

import pandas as pd

from model.errors import InputError, Problem
from model.input.schema import Sheet
from model.input.settings import Settings

ROW = "_row"  # column holding each row's number in the file, for messages
# An input cell's address, Sheet[KEY].column (a sweep's parameter, an Uncertainty row's input): sheet, key, column
CELL_ADDRESS = re.compile(r"^\s*([A-Za-z_]+)\s*\[(.*)\]\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")  # co2_g_per_tkm: a digit
SEASON = "season"  # the key column of Capacities and Demand naming a season: left out of a KEY, it is blank


@dataclass
class Derived:
    """What checks and the network work out from the tables, kept with the data while the table it
    was made from is the same object (each entry: (that table, the value))."""

    records: dict[str, tuple] = field(default_factory=dict)  # sheet -> its rows as dicts (validation)
    paths: tuple | None = None  # Routes: (PathTable, nodes passed, steps taken), for validation
    path_table: tuple | None = None  # Routes: the PathTable (validation, the network of each case)


@dataclass(frozen=True)
class LeftOut:
    """How many rows of the least-cost fit allocation choice left out (model.input.allocation)."""

    premiums: int
    rules: int

    def text(self) -> str:
        """The sentence the Summary and the console say it in."""
        return (f"under route choice the {self.premiums} calibration premiums and {self.rules} calibration rules of "
                "the least-cost fit are left out (the Dispersions sheet is the choice allocation's calibration)")


@dataclass
class CorridorData:
    """Everything the model needs, typed and defaulted, with each row's place in the file."""

    source: Path
    sha256: str
    settings: Settings
    tables: dict[str, pd.DataFrame]
    sources: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)  # warnings found while reading
    scenario: str | None = None  # the scenarios applied, 'a+b'
    overrides: list[str] = field(default_factory=list)  # what they changed, in words
    notes: dict[str, pd.DataFrame] = field(default_factory=dict)  # other sheets of any columns (Calibration)
    setting_rows: dict[str, int] = field(default_factory=dict)  # setting key -> its row on the Settings sheet
    derived: Derived = field(default_factory=Derived, repr=False, compare=False)
    left_out: LeftOut | None = None  # allocation choice: the least-cost fit's rows left out (model.input.allocation)

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def scenario_name(self) -> str:
        return self.settings.scenario_name or self.source.stem

    def copy(self, tables: dict[str, pd.DataFrame] | None = None, deep: bool = False, **changes) -> CorridorData:
        """A copy with its own dict of tables (each table copied too with deep), and any field changed."""
        out = copy.copy(self)
        out.tables = {k: (v.copy() if deep else v) for k, v in self.tables.items()} if tables is None else tables
        out.derived = Derived(path_table=self.derived.path_table)  # its own rows; the same Routes, the same paths
        for name, value in changes.items():
            setattr(out, name, value)
        return out


def records(df: pd.DataFrame) -> list[dict]:
    """The rows of a table as dicts of plain Python values, as df.to_dict("records") gives them,
    built column by column, faster than to_dict, which converts value by value."""
    names = list(df.columns)
    return [dict(zip(names, values, strict=True))
            for values in zip(*(df[c].tolist() for c in names), strict=True)] if len(df) else []


def present(v) -> bool:
    """A cell holds a value: not None, not NaN, not empty text."""
    return v is not None and v == v and v != ""  # v == v: not NaN


def key_text(value) -> str:
    """A key part as written: a year 2030.0 as 2030."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_key(sheet: Sheet, record: dict) -> str:
    """How a row is named in messages: its key values, a leg as FROM>TO."""
    if sheet.name == "Legs":
        return f"{record.get('from') or '?'}>{record.get('to') or '?'}"
    return ", ".join(key_text(record[k]) for k in sheet.key if present(record.get(k)))


def match_rows(sheet, key: str, df, text: str) -> list[dict]:
    """The records of a sheet whose key matches KEY (parts comma separated, * and ? patterns;
    a Legs key written FROM>TO); InputError naming `text` when none does."""
    if sheet.name == "Legs":
        parts = [p.strip() for p in key.split(">")]
        if len(parts) != 2:
            raise _bad_key(text, "a Legs key is written FROM>TO", "Write for example Legs[KHI>MPG] or Legs[*>GWD].")
    else:
        parts = [p.strip() for p in key.split(",")]
        if len(parts) > len(sheet.key):
            raise _bad_key(text, f"{sheet.name} rows are keyed by {', '.join(sheet.key)}: at most {len(sheet.key)} "
                       "parts", f"Write {sheet.name}[" + ",".join(sheet.key) + "].")
    rows = records(df)
    # a key may name fewer parts than the sheet has: those left out match anything, but a season left out
    # is the annual row (Capacities[TOR] is TOR's annual capacity, as before seasons; TOR,,winter its winter)
    pattern = [*parts, *("" if k == SEASON else None for k in sheet.key[len(parts):])]
    found = [rec for rec in rows
             if all(p is None or _match(rec.get(k), p) for k, p in zip(sheet.key, pattern, strict=False))]
    if not found:
        keys = [row_key(sheet, rec) for rec in rows]
        close = difflib.get_close_matches(key, keys, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise _bad_key(text, f"no {sheet.name} row matches '{key}'{hint}",
                       f"Keys are written as on the sheet ({', '.join(k for k in sheet.key if k != 'year')}), with * "
                       "for any.")
    return found


def _match(value, pattern: str) -> bool:
    text = "" if value is None or value != value else str(value)
    return fnmatchcase(text, pattern) if pattern != "" else text == ""


def _bad_key(text: str, message: str, fix: str) -> InputError:
    return InputError("--set", [Problem(f"'{text}': {message}", fix)])


def scenario_names(data: CorridorData) -> list[str]:
    """The scenarios of the Scenarios sheet, in the order they first appear."""
    return list(dict.fromkeys(data.tables["Scenarios"]["scenario"].dropna()))
