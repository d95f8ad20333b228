"""The Uncertainty sheet: each row gives the numbers its distribution reads, and only those.

Which cells a row's input names is checked when corridor uncertainty reads it (model.analysis.uncertainty:
the sweep grammar lives above this layer); the numbers are checked here, with the rest of the input.
"""

from __future__ import annotations

from typing import Any

from model.errors import Problem, number_text
from model.input.data import ROW, CorridorData, present
from model.input.schema import Distribution

# Per distribution: the numbers it needs, and the ones it may take (normal and lognormal: a cut to low..high)
NUMBERS_NEEDED = {Distribution.UNIFORM: ("low", "high"), Distribution.TRIANGULAR: ("low", "mode", "high"),
                  Distribution.NORMAL: ("mode", "spread"), Distribution.LOGNORMAL: ("mode", "spread")}
NUMBERS_READ = {Distribution.UNIFORM: ("low", "high"), Distribution.TRIANGULAR: ("low", "mode", "high"),
                Distribution.NORMAL: ("low", "mode", "high", "spread"),
                Distribution.LOGNORMAL: ("low", "mode", "high", "spread")}
UNCERTAINTY_NUMBERS = ("low", "high", "mode", "spread")
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
    for rec in table.to_dict("records"):
        kind = rec.get("distribution")
        if kind not in tuple(Distribution):
            continue  # blank or not a choice: reported where the cell was read
        dist = Distribution(kind)
        where: dict[str, Any] = {"sheet": "Uncertainty", "row": int(rec[ROW]), "key": str(rec.get("input") or "")}
        given = {n: float(rec[n]) for n in UNCERTAINTY_NUMBERS if present(rec.get(n))}
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
        if dist in (Distribution.NORMAL, Distribution.LOGNORMAL) and mode is not None and (
                (low is not None and mode < low) or (high is not None and mode > high)):
            problems.append(Problem(f"mode ({number_text(mode)}) lies outside the cut low..high "
                                    f"({number_text(low) if low is not None else '-'} to "
                                    f"{number_text(high) if high is not None else '-'})",
                                    "Give a cut that contains the mode, or clear low and high.", column="mode",
                                    **where))
    return problems
