"""Several years and scenarios in one LP: the cases of a plan.

A workbook without a Periods sheet, solved without --robust, is one case: the
single-period model. With a Periods sheet, each
listed year is a case; with --robust, each scenario is one too (crossed with
the years). Every case has its own data (the year's rows, the scenario's
overrides) and its own Network; the investments (Build) are shared by all of
them, and the objective weighs each case's annual cost by

    factor(case) = probability(scenario) * weight(year) / (1 + discount_rate) ** (year - first year)

so a plan of one year and one scenario has factor 1 and is the single-period model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from model.errors import InputError, Problem, short_list
from model.input.data import ROW, CorridorData, records, row_key, scenario_names
from model.input.schema import SHEETS_BY_NAME, YEAR_SHEETS
from model.network import Network

BASE = "base"  # the scenario name of the case with no robust scenario applied


@dataclass(frozen=True)
class Period:
    year: int | None  # None: the one period of a workbook without a Periods sheet
    weight: float  # calendar years the modelled year stands for
    discount: float  # 1 / (1 + rate) ** (year - first year)

    @property
    def label(self) -> str:
        return "all" if self.year is None else str(self.year)

    @property
    def index(self) -> int:
        """The year as a Pyomo index (0 for the one period)."""
        return 0 if self.year is None else self.year


@dataclass
class Case:
    scenario: str  # BASE or a Scenarios name
    probability: float
    period: Period
    data: CorridorData
    net: Network

    @property
    def factor(self) -> float:
        """What one USD of this case's annual cost weighs in the objective."""
        return self.probability * self.period.weight * self.period.discount


@dataclass
class Plan:
    data: CorridorData  # the workbook, with any --scenario applied
    periods: list[Period]
    cases: list[Case]
    scenarios: list[str] = field(default_factory=lambda: [BASE])
    worst_case_weight: float = 0.0

    @classmethod
    def of_one(cls, data: CorridorData, net: Network) -> Plan:
        """The single-period model of data as a plan of one case."""
        period = Period(None, 1.0, 1.0)
        return cls(data, [period], [Case(BASE, 1.0, period, data, net)])

    @property
    def options(self):
        from model.network.build import investment_options

        return investment_options(self.data)

    @property
    def single(self) -> bool:
        """One case of one period without a Periods sheet: the single-period model."""
        return len(self.cases) == 1 and self.periods[0].year is None

    @property
    def robust(self) -> bool:
        return len(self.scenarios) > 1

    @property
    def multi_year(self) -> bool:
        return self.periods[0].year is not None


def periods(data: CorridorData) -> list[Period]:
    """The planned years, in order, with their weights and discount factors."""
    df = data.tables["Periods"]
    if not len(df):
        return [Period(None, 1.0, 1.0)]
    rate = data.settings.discount_rate or 0.0
    years = sorted((int(y), float(1.0 if w is None or w != w else w))
                   for y, w in zip(df["year"], df["weight"], strict=True))
    first = years[0][0]
    return [Period(y, w, 1.0 / (1.0 + rate) ** (y - first)) for y, w in years]


def for_year(data: CorridorData, year: int | None) -> CorridorData:
    """The data of one year: on each sheet with a year column, the rows for that year, and the
    blank-year rows whose key has no row for that year. Without a year: the blank-year rows."""
    out = data.copy()
    for name in YEAR_SHEETS:
        df = data.tables[name]
        if "year" not in df.columns or df["year"].isna().all():
            continue
        key = [k for k in SHEETS_BY_NAME[name].key if k != "year"]
        this = df[df["year"] == year] if year is not None else df.iloc[0:0]
        generic = df[df["year"].isna()]
        if len(this):
            replaced = set(this[key].astype(str).itertuples(index=False, name=None))
            keep = [tuple(r) not in replaced for r in generic[key].astype(str).itertuples(index=False, name=None)]
            generic = generic[keep]
        out.tables[name] = pd.concat([generic, this]).sort_values(ROW, kind="stable").reset_index(drop=True)
    return out


def one_year(data: CorridorData, year: int) -> CorridorData:
    """One year of a plan as a single-year case, what the single-year tools (sweep, stress,
    calibrate, explain) take: the year's rows (for_year), the year cells blank and no Periods rows,
    so that the case (and a workbook written from it) is a valid workbook of one year; an option
    not in service by that year (first_year + lead time) is left out, as the plan leaves it out."""
    out = for_year(data, year)
    for name in YEAR_SHEETS:
        if "year" in out.tables[name].columns:
            out.tables[name] = out.tables[name].assign(year=float("nan"))
    out.tables["Periods"] = out.tables["Periods"].iloc[0:0]
    from model.network.build import investment_options

    options = out.tables["Investments"]
    if len(options):
        late = [o.in_service_from is not None and o.in_service_from > year for o in investment_options(out)]
        out.tables["Investments"] = options[[not x for x in late]].reset_index(drop=True)
    return out


def year_problem(years: list[int], year: int | None) -> Problem | None:
    """Why --year does not fit the workbook (a plan without --year, a year not planned, --year on a
    workbook of one year); None when it fits."""
    listed = ", ".join(str(y) for y in years)
    if not years and year is not None:
        return Problem(f"--year {year} is given, but this workbook has no Periods sheet: it is one year already",
                       "Leave out --year.")
    if years and year is None:
        return Problem(f"this workbook is a plan of {len(years)} years ({listed}, Periods sheet) and this command "
                       "works on one year", f"Add --year {years[0]} (or {' or '.join(str(y) for y in years[1:])})"
                       f" to take that year of the plan.")
    if years and year not in years:
        return Problem(f"--year {year} is not a year of the plan (Periods sheet: {listed})",
                       f"Give one of {listed}.")
    return None


def check_years(data: CorridorData) -> list[Problem]:
    """Years name a Periods row; Periods years are whole numbers; a first_year is one too."""
    problems = []
    years = {int(y) for y in data.tables["Periods"]["year"].dropna() if float(y).is_integer()}
    for rec in records(data.tables["Periods"]):
        y = rec["year"]
        if y is not None and y == y and not float(y).is_integer():
            problems.append(Problem(f"year {y:g} is not a whole number", "Write the calendar year, e.g. 2030.",
                                    sheet="Periods", row=rec[ROW], key=f"{y:g}", column="year"))
    listed = ", ".join(str(y) for y in sorted(years))
    for name in YEAR_SHEETS:
        df = data.tables[name]
        if "year" not in df.columns:
            continue
        for rec in records(df):
            y = rec["year"]
            if y is None or y != y:
                continue
            if not years:
                problems.append(Problem(
                    f"year {y:g} is given, but there is no Periods sheet (or it is empty), so the model has no years",
                    "Add a Periods sheet listing the years to plan (year, weight), or clear the year cell.",
                    sheet=name, row=rec[ROW], key=row_key(SHEETS_BY_NAME[name], rec) or None, column="year"))
            elif not float(y).is_integer() or int(y) not in years:
                problems.append(Problem(
                    f"year {y:g} is not on the Periods sheet ({listed})",
                    "Use one of the years on the Periods sheet, or add the year there.",
                    sheet=name, row=rec[ROW], key=row_key(SHEETS_BY_NAME[name], rec) or None, column="year"))
    for rec in records(data.tables["Investments"]):
        y = rec["first_year"]
        if y is not None and y == y and not float(y).is_integer():
            problems.append(Problem(f"first_year {y:g} is not a whole number", "Write the calendar year, e.g. 2028.",
                                    sheet="Investments", row=rec[ROW], key=rec["option"], column="first_year"))
    return problems


def robust_scenarios(data: CorridorData, spec: str) -> list[tuple[str, float]]:
    """(name, probability) of each scenario of --robust A,B,... plus the base case, which takes the
    probability the others leave; InputError when a probability is missing, conflicting or too large."""
    known = scenario_names(data)
    rows = data.tables["Scenarios"]
    if spec.strip().lower() == "all":
        with_p = set(rows.loc[rows["probability"].fillna(0) > 0, "scenario"])
        spec = ",".join(n for n in known if n in with_p)
    names = [n.strip() for n in spec.split(",") if n.strip()]
    problems, out = [], []
    for name in names:
        if name == BASE:
            continue
        if "+" in name:
            problems.append(Problem(f"'{name}': a robust plan takes single scenarios, each with its probability",
                                    "Define the combination as its own scenario on the Scenarios sheet (with its "
                                    "rows and a probability) and name that."))
            continue
        if name not in known:
            problems.append(Problem(f"no scenario named '{name}' on the Scenarios sheet",
                                    f"Scenarios: {short_list(known) or 'none'}."))
            continue
        probs = set(rows.loc[rows["scenario"] == name, "probability"].dropna())
        first_row = int(rows.loc[rows.index[rows["scenario"] == name][0], ROW])
        if not probs:
            problems.append(Problem(f"scenario '{name}' has no probability",
                                    "Give the scenario's probability (0 to 1) in the probability column of its "
                                    "rows.", sheet="Scenarios", row=first_row, key=name, column="probability"))
        elif len(probs) > 1:
            problems.append(Problem(f"scenario '{name}' has different probabilities on its rows "
                                    f"({', '.join(f'{p:g}' for p in sorted(probs))})",
                                    "Give the same probability on every row of the scenario (or on one only).",
                                    sheet="Scenarios", row=first_row, key=name, column="probability"))
        elif min(probs) <= 0:
            problems.append(Problem(f"scenario '{name}' has probability 0, so it would not count in the plan",
                                    "Give it a probability above 0, or leave it out of --robust.",
                                    sheet="Scenarios", row=first_row, key=name, column="probability"))
        else:
            out.append((name, float(probs.pop())))
    if not out and not problems:
        problems.append(Problem("--robust needs at least one scenario besides the base case",
                                f"Name scenarios from the Scenarios sheet: {short_list(known) or 'none'}."))
    total = sum(p for _, p in out)
    if not problems and total > 1 + 1e-9:
        problems.append(Problem(f"the probabilities add up to {total:g}, more than 1 "
                                f"({', '.join(f'{n} {p:g}' for n, p in out)})",
                                "Lower them so that they add up to at most 1; the base case takes what is left.",
                                sheet="Scenarios", column="probability"))
    if problems:
        raise InputError("--robust", problems)
    base = max(0.0, 1.0 - total)
    return ([(BASE, base)] if base > 1e-12 else []) + out
