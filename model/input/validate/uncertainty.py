"""The Uncertainty sheet: each row gives the numbers its distribution reads, and only those.

Which cells a row's input names is checked when corridor uncertainty reads it (model.analysis.uncertainty:
the sweep grammar lives above this layer); the numbers are checked here, with the rest of the input.
"""

from __future__ import annotations

import difflib
import math
from statistics import NormalDist
from typing import Any

from model.errors import WARNING, Problem, number_text
from model.input.data import CELL_ADDRESS, ROW, CorridorData, present
from model.input.schema import NUM, SETTINGS_BY_KEY, SHEETS_BY_NAME, Distribution, VaryAs

# Per distribution: the numbers it needs, and the ones it may take (normal and lognormal: a cut to low..high)
NUMBERS_NEEDED = {Distribution.UNIFORM: ("low", "high"), Distribution.TRIANGULAR: ("low", "mode", "high"),
                  Distribution.NORMAL: ("mode", "spread"), Distribution.LOGNORMAL: ("mode", "spread")}
NUMBERS_READ = {Distribution.UNIFORM: ("low", "high"), Distribution.TRIANGULAR: ("low", "mode", "high"),
                Distribution.NORMAL: ("low", "mode", "high", "spread"),
                Distribution.LOGNORMAL: ("low", "mode", "high", "spread")}
UNCERTAINTY_NUMBERS = ("low", "high", "mode", "spread")
EDGE = 1e-12  # a unit draw is kept this far inside (0, 1): the normal's quantile at 0 or 1 is infinite
DISTRIBUTION_WORDS = {
    Distribution.UNIFORM: "uniform from low to high",
    Distribution.TRIANGULAR: "triangular from low to high, most likely at mode",
    Distribution.NORMAL: "normal with mean mode and standard deviation spread (cut to low..high where given)",
    Distribution.LOGNORMAL: "lognormal, most likely at mode, spread the standard deviation of its logarithm (cut to "
                            "low..high where given)"}


def check_uncertainty(data: CorridorData) -> list[Problem]:
    """Each Uncertainty row: its distribution's numbers there (NUMBERS_NEEDED), no number it would not read
    (NUMBERS_READ: one left over would be ignored, which a planner would not expect), low below high, mode
    within them, a lognormal's mode and cut above 0."""
    table = data.tables.get("Uncertainty")
    if table is None or table.empty:
        return []
    problems = []
    # cells that could not be read (text, '0,6875'): said by model.input.read, blank here but not blank to the planner
    unread = {(p.row, p.column) for p in data.problems if p.sheet == "Uncertainty"}
    for rec in table.to_dict("records"):
        kind = rec.get("distribution")
        if kind not in tuple(Distribution):
            continue  # blank or not a choice: reported where the cell was read
        dist = Distribution(kind)
        where: dict[str, Any] = {"sheet": "Uncertainty", "row": int(rec[ROW]), "key": str(rec.get("input") or "")}
        given = {n: float(rec[n]) for n in UNCERTAINTY_NUMBERS if present(rec.get(n))}
        if any((where["row"], n) in unread for n in UNCERTAINTY_NUMBERS):  # what it needs is judged once it reads
            continue
        for name in NUMBERS_NEEDED[dist]:
            if name not in given:
                problems.append(Problem(f"a {dist} distribution needs {name}, which is blank",
                                        f"Give {name}: the distribution is {DISTRIBUTION_WORDS[dist]}.", column=name,
                                        **where))
        for name in set(given) - set(NUMBERS_READ[dist]):
            problems.append(Problem(f"a {dist} distribution does not read {name}, found {number_text(given[name])}",
                                    f"Clear the cell (the distribution is {DISTRIBUTION_WORDS[dist]}), or choose "
                                    f"one that reads {name}.", column=name, **where))
        low, high, mode = given.get("low"), given.get("high"), given.get("mode")
        if low is not None and high is not None and not low < high:
            problems.append(Problem(f"high must be above low ({number_text(low)}), found {number_text(high)}",
                                    "Give the lowest plausible value as low and the highest as high.", column="high",
                                    **where))
        elif mode is not None and dist == Distribution.TRIANGULAR and low is not None and high is not None \
                and not low <= mode <= high:
            problems.append(Problem(f"mode must lie from low ({number_text(low)}) to high ({number_text(high)}), "
                                    f"found {number_text(mode)}", "Give the most likely value within the range.",
                                    column="mode", **where))
        if "spread" in given and given["spread"] <= 0 and "spread" in NUMBERS_READ[dist]:
            problems.append(Problem(f"spread must be above 0, found {number_text(given['spread'])}",
                                    "Give the standard deviation (normal) or that of the logarithm (lognormal); "
                                    "for a fixed value, leave the input off the sheet.", column="spread", **where))
        if dist == Distribution.LOGNORMAL:
            for name in ("mode", "low", "high"):
                if name in given and given[name] <= 0 and not (name == "low" and given[name] == 0):
                    problems.append(Problem(f"a lognormal value is above 0, so {name} must be too, found "
                                            f"{number_text(given[name])}", "Give a positive value, or choose the "
                                            "normal distribution.", column=name, **where))
        problems += _beyond_bounds(str(rec.get("input") or ""), rec.get("as") == VaryAs.FACTOR, dist, given, where)
        if dist in (Distribution.NORMAL, Distribution.LOGNORMAL) and mode is not None and (
                (low is not None and mode < low) or (high is not None and mode > high)):
            problems.append(Problem(f"mode ({number_text(mode)}) lies outside the cut low..high "
                                    f"({number_text(low) if low is not None else '-'} to "
                                    f"{number_text(high) if high is not None else '-'})",
                                    "Give a cut that contains the mode, or clear low and high.", column="mode",
                                    **where))
    return problems + _lone_rows(table.to_dict("records"))


def _lone_rows(records: list[dict]) -> list[Problem]:
    """Warnings for a correlation group that is likely a slip: a group of a single row is drawn on its own, as a
    row without a group (a typo, afghan_raod, makes one); a row without a group whose numbers are those of a group's
    rows was likely meant to be in it (a blank group cell)."""
    groups: dict[str, list[dict]] = {}
    for rec in records:
        if present(rec.get("group")):
            groups.setdefault(str(rec["group"]).strip(), []).append(rec)
    problems = []

    def numbers(rec: dict) -> tuple:
        return (rec.get("as"), rec.get("distribution"), *(rec.get(n) if present(rec.get(n)) else None
                                                          for n in UNCERTAINTY_NUMBERS))

    for name, rows in groups.items():
        if len(rows) == 1:
            others = difflib.get_close_matches(name, [g for g in groups if g != name], n=1)
            problems.append(Problem(
                f"group '{name}' has this row only, so it is drawn on its own, as a row without a group",
                (f"Did you mean '{others[0]}'? " if others else "") + "Give the rows that move together the same "
                "group name, or clear the cell.", sheet="Uncertainty", row=int(rows[0][ROW]),
                key=str(rows[0].get("input") or ""), column="group", severity=WARNING))
    for rec in records:
        if present(rec.get("group")):
            continue
        alike = next((g for g, rows in groups.items() if len(rows) > 1 and all(numbers(r) == numbers(rec)
                                                                               for r in rows)), None)
        if alike is not None:
            problems.append(Problem(
                f"has no group, and the same distribution and numbers as the rows of group '{alike}', so it is "
                "drawn on its own while they move together",
                f"If it moves with them, give group {alike}; if it is drawn on its own as meant, leave the cell blank.",
                sheet="Uncertainty", row=int(rec[ROW]), key=str(rec.get("input") or ""), column="group",
                severity=WARNING))
    return problems


def cell_bounds(text: str) -> tuple[str, float | None, float | None] | None:
    """The column an input names (Sheet[KEY].column, or a setting) and the least and the most its cells take (the
    schema's bounds, as the workbook is read); None when it names no numeric column (said when the run reads it)."""
    found = CELL_ADDRESS.match(text)
    if not found:
        return None
    sheet_name, key, column = found.groups()
    if sheet_name.lower() == "settings":
        spec = SETTINGS_BY_KEY.get(key.strip().lower())
        return (f"Settings[{spec.key}].value", spec.min, spec.max) if spec and spec.type == NUM else None
    sheet = next((s for s in SHEETS_BY_NAME.values() if s.name.lower() == sheet_name.lower()), None)
    col = next((c for c in sheet.columns if c.name == column.lower()), None) if sheet else None
    return (f"{sheet.name}.{col.name}", col.min, col.max) if sheet and col and col.type == NUM else None


def reach(dist: Distribution, given: dict[str, float]) -> tuple[float | None, float | None]:
    """The least and the most a row's distribution gives (its quantiles at EDGE and 1 - EDGE, cut to low..high: what
    corridor uncertainty can draw, whatever the number of draws); None where a number it needs is missing or bad
    (said by check_uncertainty)."""
    low, high, mode, spread = given.get("low"), given.get("high"), given.get("mode"), given.get("spread")
    if dist in (Distribution.UNIFORM, Distribution.TRIANGULAR):
        return low, high
    if mode is None or spread is None or spread <= 0 or (dist == Distribution.LOGNORMAL and mode <= 0):
        return None, None
    z = NormalDist().inv_cdf(EDGE)  # about -7.03
    if dist == Distribution.NORMAL:
        ends = mode + spread * z, mode - spread * z
    else:  # lognormal, most likely at mode: mu = ln(mode) + spread^2
        mu = math.log(mode) + spread * spread
        ends = math.exp(mu + spread * z), math.exp(mu - spread * z)
    return (max(ends[0], low) if low is not None else ends[0]), (min(ends[1], high) if high is not None else ends[1])


def _beyond_bounds(text: str, factor: bool, dist: Distribution, given: dict[str, float], where: dict) -> list[Problem]:
    """Every value the row's distribution can give (reach) is one its cells take, whatever the number of draws. A
    factor is judged where that needs no base value: below 0, the cells of a column that takes no negative value
    would be (the rest is judged with the bases when the run reads the row: design.check_draws)."""
    bounds = cell_bounds(text)
    if bounds is None:
        return []
    column, least, most = bounds
    if factor:  # a factor's cells are factor x base, base within the bounds: only a negative factor is sure to fail
        least, most = (0.0 if least is not None and least >= 0 else None), None
    lowest, highest = reach(dist, given)
    subject = f"{'a factor of ' if factor else ''}{column}"
    what = f"the drawn number is {subject}"
    problems = []
    if least is not None and lowest is not None and lowest < least:
        if "low" not in given:  # a normal without low: its tail reaches any value below
            problems.append(Problem(
                f"a {dist} distribution without low has no floor: its tail reaches {number_text(round(lowest, 2))}, "
                f"below {number_text(least)}, the least {subject} takes (whether a run draws there depends on its "
                "number of draws)",
                f"Give low (e.g. {number_text(least)}) to cut the distribution there"
                + (", or use lognormal (always above 0) for a number that cannot fall below 0." if least == 0 and
                   dist == Distribution.NORMAL else "."), column="low", **where))
        else:
            problems.append(Problem(f"low must be >= {number_text(least)} ({what}), found {number_text(lowest)}",
                                    f"Give low of at least {number_text(least)}.", column="low", **where))
    if most is not None and highest is not None and highest > most:
        if "high" not in given:
            problems.append(Problem(
                f"a {dist} distribution without high has no ceiling: its tail reaches {number_text(round(highest, 2))}"
                f", above {number_text(most)}, the most {subject} takes (whether a run draws there depends on its "
                f"number of draws)", f"Give high (e.g. {number_text(most)}) to cut the distribution "
                "there.", column="high", **where))
        else:
            problems.append(Problem(f"high must be <= {number_text(most)} ({what}), found {number_text(highest)}",
                                    f"Give high of at most {number_text(most)}.", column="high", **where))
    return problems
