"""Checks of the sheets and the references between them: duplicate keys, bounds, ids that name
nothing, amounts, the Policies grammar (Policies, Surcharges, Observations), demand rows,
investment options."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from model.errors import WARNING, Problem, number_text, short_list
from model.input.data import ROW, SEASON, CorridorData, records
from model.input.data import present as _present
from model.input.read import number_fix
from model.input.schema import NUM, SETTINGS, SHEETS, SHEETS_BY_NAME, NodeKind, PolicyKind, Refers, Role, Scope, leg_id
from model.input.seasons import SHARE_TOLERANCE, season_table
from model.input.validate.base import _key, _records, _unknown, _Where
from model.network.names import Names, did_you_mean, parse_focus


def check_duplicate_keys(data: CorridorData) -> list[Problem]:
    """No two rows of a sheet share a key (a Legs pair, a node id, ...)."""
    problems = []
    for name, df in data.tables.items():
        sheet = SHEETS_BY_NAME[name]
        if not sheet.key or not df[list(sheet.key)].duplicated().any():
            continue  # pandas counts blank keys as equal too, so it finds every duplicate we would
        first: dict[tuple, int] = {}
        for rec in _records(data, name):
            key = tuple(rec[k] if _present(rec[k]) else None for k in sheet.key)
            if all(v is None for v in key):
                continue
            if key in first:
                names = [k for k, v in zip(sheet.key, key, strict=True) if k not in ("year", SEASON) or v is not None]
                problems.append(Problem(
                    f"duplicate of row {first[key]}: {' and '.join(names)} must be unique",
                    "Delete one of the two rows or merge them.", sheet=name, row=rec[ROW],
                    key=_key(name, rec) or None))
            else:
                first[key] = rec[ROW]
    return problems


def check_bounds(data: CorridorData) -> list[Problem]:
    """Every number within its column's bounds. A cell read from the file is checked as it is parsed
    (and left blank if out of bounds); this finds the ones a scenario's multiplier made, such as a
    demand times 1e12, before they reach the solver as a number it takes for infinity."""
    problems = []
    for name, df in data.tables.items():
        for col in SHEETS_BY_NAME[name].columns:
            if col.type != NUM or (col.min is None and col.max is None) or not len(df):
                continue
            values = df[col.name].to_numpy(dtype=float)
            low = -math.inf if col.min is None else col.min
            high = math.inf if col.max is None else col.max
            for i in np.flatnonzero((values < low) | (values > high)):  # NaN (blank) is neither
                rec = records(df.iloc[[i]])[0]
                bound = f">= {number_text(low)}" if values[i] < low else f"<= {number_text(high)}"
                problems.append(Problem(f"must be {bound}, found {number_text(values[i])}", number_fix(col),
                                        column=col.name, **_Where(name, rec)))
    for spec in SETTINGS:
        value = getattr(data.settings, spec.key)
        if spec.type != NUM or value is None:
            continue
        if spec.min is not None and value < spec.min or spec.max is not None and value > spec.max:
            bound = f">= {number_text(spec.min)}" if spec.min is not None and value < spec.min else \
                f"<= {number_text(spec.max)}"  # type: ignore[arg-type]  # the bound it broke
            problems.append(Problem(f"{spec.key} must be {bound}, found {number_text(value)}",
                                    f"Type a number ({spec.unit}), or leave it blank for the default.",
                                    sheet="Settings", row=data.setting_rows.get(spec.key), key=spec.key,
                                    column="value"))
    return problems


def check_references(data: CorridorData) -> list[Problem]:
    """Every id names something that exists: countries, nodes, legs, commodities, classes. Which
    columns name what is the schema's (Column.refers); `checks` below says how each kind is checked."""
    t = data.tables
    problems = []
    countries = set(t["Countries"]["country"].dropna())
    words = Names.of(data)  # a value that is a name is answered with its code
    nodes = t["Nodes"].dropna(subset=["node"]).set_index("node")
    node_ids = set(nodes.index)
    kinds = nodes["kind"].to_dict()
    leg_ids = {leg_id(a, b) for a, b in t["Legs"][["from", "to"]].itertuples(index=False)
               if _present(a) and _present(b)}
    commodities = set(t["Commodities"]["commodity"].dropna())
    seasons = set(t["Seasons"]["season"].dropna()) if "Seasons" in t else set()
    classes = set(t["Commodities"]["cargo_class"].dropna())
    elements = node_ids | leg_ids

    def node_of_kind(want: str):
        def check(sheet: str, rec: dict, col: str) -> Problem | None:
            v = rec[col]
            if v not in node_ids:
                return _unknown("node", v, [n for n in node_ids if kinds.get(n) == want], sheet, rec, col,
                                f"Name a node of kind '{want}' from the Nodes sheet.", words.node)
            if kinds.get(v) != want:
                return Problem(f"node '{v}' is of kind '{kinds.get(v)}', expected a node of kind '{want}'",
                               f"Name {'an' if want == NodeKind.ORIGIN else 'a'} {want} node, or change the "
                               "node's kind on the Nodes sheet.", sheet=sheet, row=rec[ROW], key=_key(sheet, rec),
                               column=col)
            return None
        return check

    def one_of(what: str, known, fix, name=None):
        def check(sheet: str, rec: dict, col: str) -> Problem | None:
            if rec[col] in known:
                return None
            return _unknown(what, rec[col], known, sheet, rec, col, fix, name)
        return check

    # How each kind of reference a schema Column declares (Column.refers) is checked.
    checks = {"country": one_of("country", countries, "Add the country to the Countries sheet or correct the code.",
                                words.country),
              "node": one_of("node", node_ids, "Add the node to the Nodes sheet or correct the id.", words.node),
              "element": one_of("node or leg", elements,
                                "Name a node id, or a leg as FROM>TO exactly as on the Legs sheet."),
              "cargo_class": one_of("cargo class", classes,
                                    f"Use a class from the Commodities sheet: {short_list(sorted(classes))}."),
              "commodity": one_of("commodity", commodities, "Add it to the Commodities sheet or correct the id.",
                                  words.commodity),
              "origin": node_of_kind(NodeKind.ORIGIN), "market": node_of_kind(NodeKind.MARKET),
              SEASON: one_of("season", seasons, "Name a season of the Seasons sheet"
                             + (f" ({short_list(sorted(seasons))})" if seasons else " (add the sheet, with the "
                                "seasons and their shares of the year)") + ", or leave it blank for the whole year.")}
    for sheet in SHEETS:
        cols = [c for c in sheet.columns if c.refers and (c.refers != Refers.COUNTRY or countries)]
        if not cols or sheet.name not in t:
            continue
        for rec in _records(data, sheet.name):
            for col in cols:
                if _present(rec[col.name]):
                    problem = checks[col.refers](sheet.name, rec, col.name)  # type: ignore[index]  # cols have refers
                    if problem is not None:
                        problems.append(problem)
            if sheet.name == "Legs" and _present(rec["from"]) and rec["from"] == rec["to"]:
                problems.append(Problem("a leg must join two different nodes", "Correct 'from' or 'to'.",
                                        sheet="Legs", row=rec[ROW], key=_key("Legs", rec)))
    return problems


def check_amounts(data: CorridorData) -> list[Problem]:
    """Supply minimum at most the maximum; shares within [0, 1]."""
    problems = []
    for rec in _records(data, "Supply"):
        lo, hi = rec["min_t"], rec["max_t"]
        if _present(lo) and _present(hi) and lo > hi:
            problems.append(Problem(f"min_t {lo:,.0f} is above max_t {hi:,.0f}",
                                    "Lower min_t or raise max_t.", sheet="Supply", row=rec[ROW],
                                    key=_key("Supply", rec), column="min_t"))
    for rec in _records(data, "Policies"):
        if _present(rec["kind"]) and PolicyKind(rec["kind"]).is_share and _present(rec["value"]) and rec["value"] > 1:
            problems.append(Problem(f"a share must be between 0 and 1, found {rec['value']:g}",
                                    f"Write {rec['value'] / 100:g} for {rec['value']:g}%, or use kind "
                                    f"'{rec['kind'].replace('share', 't')}' for tonnes.",
                                    sheet="Policies", row=rec[ROW], key=_key("Policies", rec), column="value"))
    return problems


def check_policies(data: CorridorData) -> list[Problem]:
    """On the sheets of the Policies grammar (Policies, Surcharges, Observations): a target exists in
    its scope ('*', each one, only on the Policies sheet); a commodity filter names commodities or
    classes; an observation gives a tolerance."""
    t = data.tables
    problems = []
    routes = t["Routes"]
    known = {  # each scope's names, made when a row first names that scope (500k routes on a large case)
        "corridor": lambda: set(routes["corridor"].dropna()),
        "route": lambda: set(routes["route"].dropna()),
        "node": lambda: set(t["Nodes"]["node"].dropna()),
        "country": lambda: set(t["Nodes"]["country"].dropna()) | set(t["Countries"]["country"].dropna()),
        "leg": lambda: {leg_id(a, b) for a, b in t["Legs"][["from", "to"]].itertuples(index=False)},
    }
    names = _Lazy(known)
    words = Names.of(data)  # a target that is a name is answered with its code
    selectors = set(t["Commodities"]["commodity"].dropna()) | set(t["Commodities"]["cargo_class"].dropna())
    for sheet in ("Policies", "Surcharges", "Observations"):
        each = sheet == "Policies"
        for rec in _records(data, sheet):
            scope, target = rec["scope"], rec["target"]
            if _present(scope) and target == "*" and not each:
                one = "a surcharge" if sheet == "Surcharges" else "an observation"
                problems.append(Problem(
                    f"target '*' (each {scope}) is not allowed here: {one} names one {scope}",
                    f"Give one row per {scope}, each naming it.", sheet=sheet, row=rec[ROW],
                    key=_key(sheet, rec) or None, column="target"))
            elif _present(scope) and _present(target) and target != "*" and target not in names[scope]:
                problems.append(_unknown(scope, target, names[scope], sheet, rec, "target",
                                         f"Name a {scope} that exists" + (f", or * for each {scope} separately."
                                                                           if each else "."),
                                         {"node": words.node, "country": words.country}.get(scope)))
            if _present(rec["commodity"]):
                for name in (n.strip() for n in str(rec["commodity"]).split(",")):
                    if name not in selectors:
                        problems.append(_unknown("commodity or cargo class", name, selectors, sheet, rec,
                                                 "commodity", "Name commodity ids or cargo classes (comma separated), "
                                                 "or leave blank for all."))
    scenarios = set(t["Scenarios"]["scenario"].dropna()) if "Scenarios" in t else set()
    for rec in _records(data, "Observations"):
        problems += _observed_in(rec, scenarios)
        if not _present(rec["tolerance_pct"]) and not _present(rec["tolerance_t"]) and _present(rec["observed_t"]):
            problems.append(Problem(
                "no tolerance: give tolerance_pct or tolerance_t (or both: the larger counts)",
                "Write how far the model may be from the observed tonnes and still reproduce them, e.g. "
                "tolerance_pct 15 for ±15%, or tolerance_t 200000 for ±0.2 Mt.", sheet="Observations",
                row=rec[ROW], key=_key("Observations", rec) or None, column="tolerance_pct"))
    return problems


def _observed_in(rec: dict, scenarios: set) -> list[Problem]:
    """An Observations row's scenario: each part (a+b) a scenario of the Scenarios sheet, and only on a
    test row (calibration fits the case itself, not a scenario of it)."""
    name = rec.get("scenario")
    if not _present(name):
        return []
    for part in str(name).split("+"):
        if part.strip() not in scenarios:
            return [_unknown("scenario", part.strip(), scenarios, "Observations", rec, "scenario",
                             "Name a scenario of the Scenarios sheet (combine with +), or leave it blank for the "
                             "case itself.")]
    if rec.get("role") != Role.TEST:
        return [Problem(f"a fit row cannot name a scenario (found '{name}'): calibration fits the case itself, "
                        "not the world of a scenario", "Set role to test (the row is then predicted under the "
                        "scenario and reported out of sample), or leave scenario blank.", sheet="Observations",
                        row=rec[ROW], key=_key("Observations", rec) or None, column="scenario")]
    return []


class _Lazy(dict):
    """A dict whose value for a key is made by its function when first read."""

    def __init__(self, make: dict):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make[key]()
        return value


def check_demand(data: CorridorData) -> list[Problem]:
    """No tonne counted twice: rows of one commodity and market all name an origin, or none."""
    problems = []
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for rec in _records(data, "Demand"):
        groups[(rec["commodity"], rec["market"])].append(rec)
    for (k, m), recs in groups.items():
        named = [r for r in recs if _present(r["origin"])]
        if named and len(named) < len(recs):
            blank = [r for r in recs if not _present(r["origin"])]
            problems.append(Problem(
                f"demand for {k} at {m} is given both for any origin ({_rows(blank)}) "
                f"and for named origins ({_rows(named)}), so a tonne could count twice",
                "Either name the origin on every row for this commodity and market, or on none.",
                sheet="Demand", row=blank[0][ROW], key=_key("Demand", blank[0]), column="origin"))

    return problems


def check_seasons(data: CorridorData) -> list[Problem]:
    """The seasons' shares sum to 1, each above 0; a seasonal Demand row has an annual row of its
    commodity, origin and market, and the seasonal rows of one annual row sum to no more than it (to
    exactly it where every season has its own row)."""
    seasons = season_table(data)
    if seasons is None:
        return []
    problems = [Problem("a season's share of the year must be above 0, found 0", "Give the season its share of the "
                        "year (e.g. 0.25 for three months), or delete the row.", sheet="Seasons", row=rec[ROW],
                        key=rec["season"], column="share") for rec in _records(data, "Seasons") if rec["share"] == 0]
    total = sum(seasons.share.values())
    if abs(total - 1) > SHARE_TOLERANCE:
        problems.append(Problem(
            f"the seasons' shares sum to {total:g}, expected 1 (the seasons cover the year once)",
            "Correct the shares so that they sum to 1 (e.g. 0.5 and 0.5, or 0.42 and 0.58 for 5 and 7 months).",
            sheet="Seasons", column="share"))
    for rec in seasons.orphans:
        problems.append(Problem(
            f"season '{rec['season']}' demand of {number_text(rec['demand_t'])} t has no annual Demand row of the same "
            "commodity, origin and market", "Add the annual row (season blank) with the year's tonnes; the "
            "seasonal row says how many of them fall in the season.", sheet="Demand", row=rec[ROW],
            key=_key("Demand", rec), column="season"))
    for rec, given in seasons.excess:
        problems.append(Problem(
            f"the seasonal rows of this demand sum to {number_text(given)} t, but the annual figure is "
            f"{number_text(rec['demand_t'])} t (expected: at most the annual figure, and equal to it when every season "
            "has its own row)", "Raise demand_t here to the year's total, or lower the seasonal rows.",
            sheet="Demand", row=rec[ROW], key=_key("Demand", rec), column="demand_t"))
    return problems


def _rows(recs: list[dict]) -> str:
    return ("row " if len(recs) == 1 else "rows ") + short_list(r[ROW] for r in recs)


def check_investments(data: CorridorData) -> list[Problem]:
    """An option adds to a capacity row of its element and class; warn when there is none."""
    caps = {(e, c if _present(c) else None) for e, c in
            data.tables["Capacities"][["element", "cargo_class"]].itertuples(index=False)}
    problems = []
    for rec in _records(data, "Investments"):
        cls = rec["cargo_class"] if _present(rec["cargo_class"]) else None
        if _present(rec["element"]) and (rec["element"], cls) not in caps:
            problems.append(Problem(
                f"no Capacities row for {rec['element']} ({cls or 'all classes'}): without a limit there, added "
                "capacity relieves nothing", "Add a Capacities row for this element and class, or correct the option.",
                sheet="Investments", row=rec[ROW], key=rec["option"], column="element", severity=WARNING))
    return problems




def check_modules(data: CorridorData) -> list[Problem]:
    """Whole steps that can be built: an option is lumpy or modular, not both, and its module is no
    larger than the option."""
    return [p for rec in _records(data, "Investments") for p in _whole_steps(rec)]


def _whole_steps(rec: dict[str, Any]) -> list[Problem]:
    """The lumpy and module_t cells of one Investments row, against its max_added_t."""
    module, most = rec.get("module_t"), rec.get("max_added_t")  # type: Any, Any
    if not _present(module) or most is None:
        return []
    where: dict[str, Any] = {"sheet": "Investments", "row": rec[ROW], "key": rec["option"], "column": "module_t"}
    if rec.get("lumpy") is True:
        return [Problem(f"lumpy is TRUE, so the option is built whole ({number_text(most)} t) or not at all, and "
                        f"module_t {number_text(module)} would split it",
                        "Clear module_t to build it whole, or set lumpy to FALSE to build it in modules.", **where)]
    if module <= 0:
        return [Problem(f"must be more than 0, found {number_text(module)}",
                        "Type the size of one module in t/yr, or leave the cell blank to build any amount.", **where)]
    if module > most * (1 + 1e-9):
        return [Problem(f"a module of {number_text(module)} t is more than the option can add (max_added_t "
                        f"{number_text(most)} t), so not one module could be built",
                        "Lower module_t, or raise max_added_t to a whole number of modules.", **where)]
    count = int(most / module + 1e-9)
    if abs(most - count * module) > 1e-9 * max(1.0, most):
        return [Problem(f"max_added_t {number_text(most)} t is not a whole number of modules of {number_text(module)} "
                        f"t: at most {count} modules ({number_text(count * module)} t) can be built",
                        "Make max_added_t a multiple of module_t if more was meant.", severity=WARNING, **where)]
    return []


def check_focus(data: CorridorData) -> list[Problem]:
    """The setting focus names a corridor of the Routes sheet or a country of the Countries sheet, by
    its code or its name (model.network.names.parse_focus)."""
    focus = data.settings.focus
    if not focus:
        return []
    names = Names.of(data)
    countries = names.choices("country", data.tables["Countries"]["country"].dropna())
    corridors = set(data.tables["Routes"]["corridor"].dropna())
    scope, code, name = parse_focus(focus, countries, corridors)
    where: dict[str, Any] = {"sheet": "Settings", "row": data.setting_rows.get("focus"), "key": "focus",
                             "column": "value"}
    if not scope:
        return [Problem(f"'{focus}' is not a corridor or a country to report on",
                        "Write 'country' and a country's code or name (e.g. country Pakistan), or 'corridor' and a "
                        "corridor name (e.g. corridor Middle Corridor).", **where)]
    if code is None:
        mean = did_you_mean(name, countries if scope == Scope.COUNTRY else {c: c for c in corridors})
        sheet = "Routes" if scope == Scope.CORRIDOR else "Countries"
        return [Problem(f"{scope} '{name}' is not on the {sheet} sheet{mean}",
                        f"Name a {scope} of that sheet (by its code or its name), or clear the setting.", **where)]
    return []

