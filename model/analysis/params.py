"""Input cells addressed by name, for sweeps: Sheet[KEY].column = SPEC.

KEY names the row by its key columns, comma separated, with * and ? patterns; a Legs key is
written FROM>TO (Legs[*>GWD]); trailing key parts may be left out (Capacities[DOS] is every
Capacities row of DOS, whatever its class); an empty part matches a blank cell
(Demand[wheat,,MAF]). Settings are Settings[key].value. SPEC is start:stop:points (that
many values, both ends included: 0:200:5 is 0, 50, 100, 150, 200), start:stop:by=step (0:200:by=50, the
same), a list a,b,c, or a multiplier of each cell's base value, *0.5:1.5:11 or *0.9,1,1.1.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.errors import InputError, Problem
from model.input.data import CELL_ADDRESS, ROW, CorridorData, match_rows, row_key
from model.input.schema import NUM, RUN_SHEETS, SETTINGS_BY_KEY, SHEETS_BY_NAME, Scope
from model.lp.families import Cell
from model.network.emissions import DEFAULT_CO2E_G_PER_TKM
from model.network.names import Names, parse_focus

if TYPE_CHECKING:
    from model.lp.live import LivePoint

MAX_STEPS = 100_000  # values of one parameter


@dataclass
class Param:
    """A swept parameter: the cells it changes together and the values it takes."""

    text: str
    cells: list[Cell]
    values: list[float]
    multiplier: bool

    @property
    def elements(self) -> list[str]:
        """The nodes and legs whose cells the parameter changes (a port's charge, a leg's cost, an
        element's capacity, tariff or surcharge): what a planner watches the tonnes of."""
        out = []
        for c in self.cells:
            parts = [p.strip() for p in c.key.split(",")]
            if c.sheet in ("Nodes", "Legs"):
                out.append(c.key)
            elif c.sheet in ("Capacities", "Tariffs"):
                out.append(parts[0])
            elif c.sheet == "Surcharges" and parts[0] in (Scope.NODE, Scope.LEG) and len(parts) > 1:
                out.append(parts[1])
        return list(dict.fromkeys(out))

    def cell_values(self, value: float) -> dict[Cell, float]:
        """What each cell holds when the parameter takes `value`."""
        return {c: c.base * value if self.multiplier else value for c in self.cells}


def _bad(text: str, message: str, fix: str) -> InputError:
    return InputError("--set", [Problem(f"'{text}': {message}", fix)])


def find_cells(text: str, data: CorridorData) -> list[Cell]:
    """The numeric input cells that `Sheet[KEY].column` names."""
    m = CELL_ADDRESS.match(text)
    if not m:
        raise _bad(text, "is not of the form Sheet[KEY].column",
                   "Write for example Legs[GWD>MPG].cost_usd_per_t or Capacities[DOS].capacity_t.")
    sheet_name, key, column = m.group(1), m.group(2).strip(), m.group(3)
    sheet = next((s for s in SHEETS_BY_NAME.values() if s.name.lower() == sheet_name.lower()), None)
    if sheet is None or sheet.free_columns or sheet.name in RUN_SHEETS:
        raise _bad(text, f"unknown sheet '{sheet_name}'", "Name a sheet of the model: " + ", ".join(
            s.name for s in SHEETS_BY_NAME.values() if not s.free_columns and s.name not in RUN_SHEETS) + ".")
    if sheet.name == "Settings":
        spec = SETTINGS_BY_KEY.get(key.lower())
        if spec is None or spec.type != NUM or column != "value":
            raise _bad(text, "is not a numeric setting", "Use Settings[carrying_cost_rate].value or "
                       "Settings[unmet_penalty_usd_per_t].value.")
        value = getattr(data.settings, spec.key)
        if value is None:
            raise _bad(text, f"setting {spec.key} is blank, so there is no base value to vary",
                       "Give it a value in the Settings sheet first.")
        return [Cell("Settings", 0, spec.key, "value", float(value))]
    col = next((c for c in sheet.columns if c.name == column.lower()), None)
    if col is None or col.type != NUM:
        numeric = [c.name for c in sheet.columns if c.type == NUM]
        close = [c for c in numeric if c.startswith(column.lower())] or difflib.get_close_matches(column, numeric, n=1)
        raise _bad(text, f"'{column}' is not a numeric column of {sheet.name}"
                   + (f"; did you mean '{close[0]}'?" if close else ""),
                   f"Numeric columns of {sheet.name}: {', '.join(numeric)}.")
    matched = match_rows(sheet, codes_for_names(sheet, key, data), data.tables[sheet.name], text)
    cells = []
    for rec in matched:
        base = rec[col.name]
        if (sheet.name, col.name) == ("Legs", "co2_g_per_tkm") and (base is None or base != base):
            base = DEFAULT_CO2E_G_PER_TKM[rec["mode"]]  # a blank intensity is its mode's default
        cells.append(Cell(sheet.name, int(rec[ROW]), row_key(sheet, rec), col.name,
                          float(base) if base == base and base is not None else float("nan")))
    missing = [c for c in cells if c.base != c.base]
    if missing:
        raise _bad(text, f"{missing[0].label} is blank, so there is no base value", "Fill in the cell first.")
    return cells


# What a key column of a sheet refers to, for a key part written as a name (Nodes[Gwadar port])
_KEY_REFERS = {"node": "node", "from": "node", "to": "node", "origin": "node", "market": "node", "element": "element",
               "commodity": "commodity", "country": "country"}


def codes_for_names(sheet, key: str, data: CorridorData) -> str:
    """KEY with each part that is the name of a node, a leg (its nodes' names, FROM > TO), a commodity
    or a country read as its code, case aside: Nodes[Gwadar port] is Nodes[GWD], Demand[Wheat and
    flour,,Afghanistan (Mazar/Kabul)] is Demand[wheat,,MAF]. A part that is a code of its column, a
    pattern (* or ?) or names nothing is left as written."""
    names = Names.of(data)
    table = data.tables[sheet.name]
    sep = ">" if sheet.name == "Legs" else ","
    parts = key.split(sep)
    for i, (column, part) in enumerate(zip(sheet.key, parts, strict=False)):
        refers, part = _KEY_REFERS.get(column), part.strip()
        if refers is None or not part or any(ch in part for ch in "*?") or part in set(table[column].astype(str)):
            continue
        if refers == "element":
            legs = [e for e in table[column].astype(str) if ">" in e]
            code = names.resolve("node", part, names.node) or names.resolve("leg", part, legs)
        else:
            code = names.resolve(refers, part, getattr(names, refers))
        parts[i] = code or parts[i]
    return sep.join(parts)


GRID_FORMS = (f"start:stop:points (that many evenly spaced values, both ends included, 2 to {MAX_STEPS:,}), "
              "start:stop:by=step, a list a,b,c, or any of these led by * for multipliers of each cell's base value")
GRID_EXAMPLE = ("For example =0:200:5 or =0:200:by=50 (both 0, 50, 100, 150, 200), =0,8,16, or =*0.5:1.5:11; a range "
                "start:stop alone is for --exact.")


def parse_spec(text: str, spec: str, exact: bool = False) -> tuple[list[float], bool]:
    """(values, multiplier) of a SPEC: start:stop:points (points evenly spaced, both ends included;
    0:200:5 is 0, 50, 100, 150, 200), start:stop:by=step (the same, by its step), or a list; led by
    * for multipliers. With exact, the range start:stop only: every breakpoint in it is found."""
    s = spec.strip()
    multiplier = s.startswith("*")
    if multiplier:
        s = s[1:]
    star = "*" if multiplier else ""
    parts = [p.strip() for p in s.split(":")] if ":" in s else []
    if exact:
        try:
            low, high = (float(p) for p in parts) if len(parts) == 2 else (float("nan"),) * 2
        except ValueError:
            low = high = float("nan")
        if len(parts) == 3:
            raise _bad(f"{text}={spec}", f"--exact finds every breakpoint between start and stop, so it takes no "
                       f"number of points (':{parts[2]}')", f"Give the range alone: ={star}{parts[0]}:{parts[1]}.")
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise _bad(f"{text}={spec}", "with --exact the values are a range start:stop of finite numbers, start < "
                       "stop (or *start:stop for multipliers)", "For example =100:200 or =*0.5:1.5.")
        return [low, high], multiplier
    try:
        if ":" in s:
            if len(parts) != 3:
                raise ValueError
            low, high = float(parts[0]), float(parts[1])
            if parts[2].lower().startswith("by="):
                step = float(parts[2][3:])
                count = (high - low) / step + 1 if step else float("nan")
                if not math.isfinite(count) or count < 2 or abs(count - round(count)) > 1e-9 * count:
                    raise _bad(f"{text}={spec}", f"steps of {parts[2][3:]} from {parts[0]} do not reach {parts[1]} "
                               "in a whole number of steps", f"Give a step that divides stop - start, or the number "
                               f"of points: ={star}{parts[0]}:{parts[1]}:11.")
                points: float = round(count)
            else:
                points = float(parts[2])
                if points != int(points):
                    raise ValueError
            if not (math.isfinite(low) and math.isfinite(high)) or not 2 <= points <= MAX_STEPS:
                raise ValueError
            return list(np.linspace(low, high, int(points))), multiplier
        values = [float(p) for p in s.split(",") if p.strip()]
        if not values or len(values) > MAX_STEPS or not all(map(math.isfinite, values)):
            raise ValueError
        return values, multiplier
    except ValueError:
        raise _bad(f"{text}={spec}", f"the values must be {GRID_FORMS}", GRID_EXAMPLE) from None


def parse_param(assignment: str, data: CorridorData, exact: bool = False) -> Param:
    """'Legs[*>GWD].cost_usd_per_t=*0.5:1:6' -> Param."""
    text, sep, spec = assignment.partition("=")
    if not sep:
        raise _bad(assignment, "has no '='", "Write PARAM=SPEC, for example Capacities[DOS].capacity_t=*1:2:5.")
    values, multiplier = parse_spec(text.strip(), spec, exact)
    return Param(text.strip(), find_cells(text.strip(), data), values, multiplier)


def invalid_values(values: dict[Cell, float], advice: bool = True) -> str | None:
    """Why these cell values are not an input the workbook could hold, in words, each cell read by
    the rule that reads the workbook (model.input.read.parse_cell: the schema's bounds); None when every
    one could be typed in. A sweep does not solve such a point: it says this instead (advice: with what a sweep
    could vary instead)."""
    from model.input.read import parse_cell
    from model.input.schema import Column

    for cell, value in values.items():
        if cell.sheet == "Settings":
            spec = SETTINGS_BY_KEY[cell.key]
            col = Column("value", spec.type, unit=spec.unit, min=spec.min, max=spec.max)
            where = f"Settings[{cell.key}]"
        else:
            col = next(c for c in SHEETS_BY_NAME[cell.sheet].columns if c.name == cell.column)
            where = f"{cell.sheet} row {cell.row} ({cell.key}), {cell.column}"
        try:
            parse_cell(col, value)
        except ValueError as exc:
            fix = ("a discount or subsidy per tonne is a Surcharges row with a negative usd_per_t, which a sweep can "
                   "vary" if value < 0 and "usd" in col.name else "keep the sweep within what the cell takes")
            return f"{where}: {exc}, which the workbook does not take" + (f"; {fix}" if advice else "")
    return None


def with_values(data: CorridorData, values: dict[Cell, float]) -> CorridorData:
    """A copy of the data with the given cells changed (the input itself is untouched)."""
    out = data.copy(deep=True)
    for cell, value in values.items():
        if cell.sheet == "Settings":
            out.settings = out.settings.replace(**{cell.key: value})
        else:
            df = out.tables[cell.sheet]
            df.loc[df[ROW] == cell.row, cell.column] = value
    return out


def focus_of(net, focus: str | None) -> tuple[str, str] | None:
    """(scope, the country's code or the corridor's name) of the setting focus, given by its code or its
    name as validation and the brief read it (model.network.names.parse_focus); None if it names none.
    Worked out once for a sweep, not at every point."""
    scope, key, _ = parse_focus(focus or "", net.names.country, dict.fromkeys(net.routes.corridors))
    return (scope, key) if scope and key else None


def watched_tonnes(params: list[Param], routes: dict, focus: tuple[str, str] | None,
                   result: LivePoint) -> dict[str, float]:
    """Tonnes a year through what each parameter changes ('through GWD_t'; a route passing several
    of its elements counted once) and through the focus of the Settings ('through country PK (focus)_t'), at
    one solved point (its route, country and corridor tonnes). routes: the network's routes; focus: focus_of's."""
    out = {}
    tonnes = result.route or {}
    for p in params:
        names = set(p.elements)
        if names:
            shown = list(p.elements)
            label = ", ".join(shown) if len(shown) <= 3 else f"{shown[0]} and {len(shown) - 1} more"
            out[f"through {label}_t"] = sum(t for r, t in tonnes.items()
                                            if r in routes and names & set(routes[r].elements))
    if focus:
        scope, key = focus
        by_scope = result.country if scope == Scope.COUNTRY else result.corridor  # FOCUS_SCOPES
        out[f"through {scope} {key} (focus)_t"] = (by_scope or {}).get(key, 0.0)
    return out
