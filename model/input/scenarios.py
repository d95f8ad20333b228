"""Named scenarios: rows of overrides on the Scenarios sheet, applied to a copy of the data.

Each row names a scenario, a sheet, a row key (the same KEY grammar as sweeps: comma-separated
parts with * patterns, a leg written FROM>TO, Settings by setting name), a column, and either
a value (any type the column takes) or a multiplier of a numeric cell. Scenarios compose:
'russia_closed+high_grain' applies the first, then the second.
"""

from __future__ import annotations

import difflib

from model.errors import InputError, Problem
from model.input.data import ROW, CorridorData, match_rows, scenario_names
from model.input.data import records as table_rows
from model.input.read import parse_cell, parse_number
from model.input.schema import BOOL, ENUM, NUM, RUN_SHEETS, SETTINGS_BY_KEY, SHEETS_BY_NAME, STR, Column

OVERRIDABLE = [s for s in SHEETS_BY_NAME.values() if not s.free_columns and s.name not in RUN_SHEETS]


def _row_problem(rec: dict, column: str, message: str, fix: str) -> Problem:
    return Problem(message, fix, sheet="Scenarios", row=rec[ROW],
                   key=f"{rec.get('scenario')}, {rec.get('sheet')}[{rec.get('key')}].{rec.get('column')}",
                   column=column)


def _target(rec: dict, data: CorridorData):
    """(sheet, column spec, matched records or None for Settings) of one override row; or a Problem."""
    sheet = next((s for s in OVERRIDABLE if s.name.lower() == str(rec["sheet"]).strip().lower()), None)
    if sheet is None:
        close = difflib.get_close_matches(str(rec["sheet"]), [s.name for s in OVERRIDABLE], n=1)
        return _row_problem(rec, "sheet", f"unknown sheet '{rec['sheet']}'" + (
            f". Did you mean '{close[0]}'?" if close else ""), "Name a sheet of the model: " + ", ".join(
            s.name for s in OVERRIDABLE) + ".")
    column = str(rec["column"]).strip().lower()
    if sheet.name == "Settings":
        spec = SETTINGS_BY_KEY.get(str(rec["key"]).strip().lower())
        if spec is None or column != "value":
            return _row_problem(rec, "key", f"'{rec['key']}' is not a setting (or the column is not 'value')",
                                "Known settings: " + ", ".join(SETTINGS_BY_KEY) + "; the column is 'value'.")
        return sheet, Column("value", spec.type, unit=spec.unit, min=spec.min, max=spec.max), None
    col = next((c for c in sheet.columns if c.name == column), None)
    if col is None:
        close = difflib.get_close_matches(column, sheet.names, n=1)
        return _row_problem(rec, "column", f"{sheet.name} has no column '{rec['column']}'" + (
            f". Did you mean '{close[0]}'?" if close else ""), f"Columns: {', '.join(sheet.names)}.")
    if col.name in sheet.key:
        return _row_problem(rec, "column", f"'{col.name}' identifies {sheet.name} rows and cannot be overridden",
                            "Override another column, or edit the sheet itself.")
    try:
        records = match_rows(sheet, str(rec["key"]), data.tables[sheet.name], f"{sheet.name}[{rec['key']}]")
    except InputError as exc:
        p = exc.problems[0]
        return _row_problem(rec, "key", p.message.split(": ", 1)[-1], p.fix)
    return sheet, col, records


def _new_value(rec: dict, col: Column, old):
    """The cell's value under the override (raises ValueError saying what is wrong)."""
    has_value = rec.get("value") not in (None, "")
    has_mult = rec.get("multiplier") is not None and rec.get("multiplier") == rec.get("multiplier")
    if has_value == has_mult:
        raise ValueError("give either a value or a multiplier (exactly one)")
    if has_mult:
        if col.type != NUM:
            raise ValueError(f"a multiplier applies to numbers; {col.name} holds "
                             f"{'TRUE/FALSE' if col.type == BOOL else 'text'}")
        if old is None or old != old:
            raise ValueError("the cell is blank, so there is nothing to multiply")
        return float(old) * float(rec["multiplier"])
    if col.type in (NUM, BOOL, ENUM) or col.type == STR:
        value = rec["value"]
        if col.type == NUM:
            number = parse_number(value, col.unit)
            return parse_cell(col, number)
        return parse_cell(col, value)
    return rec["value"]


def check_scenarios(data: CorridorData) -> list[Problem]:
    """Every bad override row, like any other input problem."""
    problems = []
    bad_cells = {(p.sheet.lower(), p.row, p.column) for p in data.problems if p.sheet and p.row is not None}
    unreadable = {row for sheet, row, column in bad_cells  # already reported; blank here, but not blank
                  if sheet == "scenarios" and column in ("value", "multiplier")}
    for rec in table_rows(data.tables["Scenarios"]):
        if rec[ROW] in unreadable:
            continue
        target = _target(rec, data)
        if isinstance(target, Problem):
            problems.append(target)
            continue
        sheet, col, records = target
        olds = [getattr(data.settings, SETTINGS_BY_KEY[str(rec["key"]).strip().lower()].key)] if records is None else \
            [r[col.name] for r in records]
        rows = [None] * len(olds) if records is None else [r[ROW] for r in records]
        single = rec.get("multiplier") is None or rec.get("multiplier") != rec.get("multiplier")
        for old, row in list(zip(olds, rows, strict=True))[:1 if single else None]:
            if row is not None and (sheet.name.lower(), row, col.name) in bad_cells:
                continue  # the cell could not be read: reported at its own sheet, not as blank here
            try:
                _new_value(rec, col, old)
            except ValueError as exc:
                column = "multiplier" if "multiplier" in str(exc) or "multiply" in str(exc) else "value"
                problems.append(_row_problem(rec, column, str(exc),
                                             "Fix the value, or use a value instead of a multiplier."))
                break
    return problems


def unknown_scenarios(names: list[str], known: list[str]) -> list[tuple[str, str]]:
    """(name, ". Did you mean 'x'?" or "") of each name that is not a scenario of the sheet."""
    return [(n, f". Did you mean '{c[0]}'?" if (c := difflib.get_close_matches(n, known, n=1)) else "")
            for n in dict.fromkeys(names) if n not in known]


def apply_scenarios(data: CorridorData, spec: str) -> tuple[CorridorData, list[str]]:
    """A copy of the data with the scenarios of 'a+b' applied in order; and the overrides in words."""
    names = [n.strip() for n in spec.split("+") if n.strip()]
    known = scenario_names(data)
    unknown = unknown_scenarios(names, known) if names else [(spec, "")]
    if unknown:
        raise InputError("--scenario", [Problem(f"no scenario named '{n}' on the Scenarios sheet{mean}",
                                                f"Scenarios: {', '.join(known) or 'none'}; combine them with +.")
                                        for n, mean in unknown])
    out = data.copy(deep=True)
    applied = []
    rows = table_rows(data.tables["Scenarios"])
    for name in names:
        for rec in (r for r in rows if r["scenario"] == name):
            sheet, col, records = _target(rec, out)
            how = f"= {rec['value']}" if rec.get("value") not in (None, "") else f"x {rec['multiplier']:g}"
            if records is None:
                key = SETTINGS_BY_KEY[str(rec["key"]).strip().lower()].key
                out.settings = out.settings.replace(**{key: _new_value(rec, col, getattr(out.settings, key))})
                applied.append(f"{name}: Settings[{key}].value {how}")
                continue
            df = out.tables[sheet.name]
            for r in records:
                mask = df[ROW] == r[ROW]
                df.loc[mask, col.name] = _new_value(rec, col, df.loc[mask, col.name].iloc[0])
            applied.append(f"{name}: {sheet.name}[{rec['key']}].{col.name} {how} ({len(records)} row"
                           f"{'s' if len(records) != 1 else ''})")
    out.scenario = "+".join(names)
    out.overrides = applied
    return out, applied
