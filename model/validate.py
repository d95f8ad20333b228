"""Cross-sheet checks: check_*(data) -> list[Problem], every problem at once.

Cells that could not be read are already reported by inputs.py and hold None;
the checks here skip them rather than report them twice.
"""

from __future__ import annotations

import difflib
import math
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from itertools import chain

import numpy as np

from model.data import ROW, CorridorData, present as _present, records, row_key
from model.errors import ERROR, WARNING, Problem, number_text, short_list
from model.io.read import number_fix
from model.network import Network, supply_origins
from model.schema import NUM, SETTINGS, SHEETS_BY_NAME, class_list, leg_id, path_nodes


def _records(data: CorridorData, sheet: str) -> list[dict]:
    """The rows of a sheet as dicts, made once per table (several checks read the same sheet)."""
    df = data.tables[sheet]
    cache = data.__dict__.setdefault("_records_cache", {})
    hit = cache.get(sheet)
    if hit is None or hit[0] is not df:
        hit = cache[sheet] = (df, records(df))
    return hit[1]


def _key(sheet: str, rec: dict) -> str:
    return row_key(SHEETS_BY_NAME[sheet], rec)


class _Where(Mapping):
    """The sheet, row and key of a record, for Problem(..., **where); the key is worked out only
    when a problem is reported."""

    def __init__(self, sheet: str, rec: dict):
        self.sheet, self.rec = sheet, rec

    def __iter__(self):
        return iter(("sheet", "row", "key"))

    def __len__(self) -> int:
        return 3

    def __getitem__(self, name):
        if name == "sheet":
            return self.sheet
        if name == "row":
            return self.rec[ROW]
        if name == "key":
            return _key(self.sheet, self.rec) or None
        raise KeyError(name)


# Letters of other scripts that look like Latin ones (Cyrillic, with Kazakh's Ү and Һ, and Greek),
# and the characters a reader cannot see or tell from a space. An id typed with one of them looks
# right on screen and matches nothing: the message shows the character and suggests the id it
# was meant to be.
_LOOKALIKE = str.maketrans(
    "АВЕКМНОРСТХУЅІЈԚԜҮҺаеорсухѕіјһԁԛԝӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧορνικαυ",
    "ABEKMHOPCTXYSIJQWYHaeopcyxsijhdqwlABEZHIKMNOPTYXopvikau")
_INVISIBLE = {"\u200b": "zero-width space", "\u200c": "zero-width non-joiner", "\u200d": "zero-width joiner",
              "\u2060": "word joiner", "\ufeff": "byte order mark", "\u00ad": "soft hyphen",
              "\u200e": "left-to-right mark", "\u200f": "right-to-left mark"}


def _hidden(ch: str) -> bool:
    """A character that shows as nothing, or as a space without being one."""
    return ch in _INVISIBLE or unicodedata.category(ch) in ("Cf", "Cc") or \
        (unicodedata.category(ch) == "Zs" and ch != " ")


def _odd_characters(text: str) -> str:
    """' (contains Cyrillic А, U+0410)' or ' (contains an invisible zero-width space, U+200B)': what a
    reader of text cannot see; '' when it has nothing of the kind."""
    found = []
    for ch in dict.fromkeys(text):
        if ch.translate(_LOOKALIKE) != ch:
            found.append(f"{unicodedata.name(ch).split()[0].title()} {ch}, U+{ord(ch):04X}")
        elif _hidden(ch):
            name = _INVISIBLE.get(ch) or unicodedata.name(ch, "control character").lower()
            found.append(f"{'an invisible' if unicodedata.category(ch) != 'Zs' else 'a'} {name}, U+{ord(ch):04X}")
    return f" (contains {' and '.join(found)})" if found else ""


def _shown(text: str) -> str:
    """Text as a message quotes it: characters that show as nothing or as a space written as \\u200b."""
    return "".join(f"\\u{ord(ch):04x}" if _hidden(ch) else ch for ch in text)


def _skeleton(text: str) -> str:
    """What an id looks like to a reader: look-alike letters read as Latin, without invisible
    characters or spaces of any kind, and case ignored."""
    return "".join(ch for ch in text if ch != " " and not _hidden(ch)).translate(_LOOKALIKE).casefold()


def _suggestion(value: str, known) -> str | None:
    """The known id that value was meant to be: one that looks the same (differs only in case,
    look-alike letters or invisible characters), else the closest spelling."""
    names = sorted(str(k) for k in known)
    looks = _skeleton(value)
    same = [k for k in names if _skeleton(k) == looks]
    if same:
        return same[0]
    close = difflib.get_close_matches(value, names, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown(what: str, value: str, known, sheet: str, rec: dict, column: str, fix: str) -> Problem:
    """'unknown node 'АTY' (contains Cyrillic А, U+0410). Did you mean 'ATY'?', for every reference
    column (nodes, countries, legs, elements, classes, commodities, path steps, policy targets)."""
    value = str(value)
    close = _suggestion(value, known)
    hint = f" Did you mean '{_shown(close)}'{_odd_characters(close)}?" if close else ""
    return Problem(f"unknown {what} '{_shown(value)}'{_odd_characters(value)}.{hint}", fix, sheet=sheet,
                   row=rec[ROW], key=_shown(_key(sheet, rec)) or None, column=column)


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
                names = [k for k, v in zip(sheet.key, key) if k != "year" or v is not None]
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
                f"<= {number_text(spec.max)}"
            problems.append(Problem(f"{spec.key} must be {bound}, found {number_text(value)}",
                                    f"Type a number ({spec.unit}), or leave it blank for the default.",
                                    sheet="Settings", column="value"))
    return problems


def check_references(data: CorridorData) -> list[Problem]:
    """Every id names something that exists: countries, nodes, legs, commodities, classes."""
    t = data.tables
    problems = []
    countries = set(t["Countries"]["country"].dropna())
    nodes = t["Nodes"].dropna(subset=["node"]).set_index("node")
    node_ids = set(nodes.index)
    kinds = nodes["kind"].to_dict()
    leg_ids = {leg_id(a, b) for a, b in t["Legs"][["from", "to"]].itertuples(index=False)
               if _present(a) and _present(b)}
    commodities = set(t["Commodities"]["commodity"].dropna())
    classes = set(t["Commodities"]["cargo_class"].dropna())
    elements = node_ids | leg_ids

    if countries:
        for rec in _records(data, "Nodes"):
            if _present(rec["country"]) and rec["country"] not in countries:
                problems.append(_unknown("country", rec["country"], countries, "Nodes", rec, "country",
                                         "Add the country to the Countries sheet or correct the code."))
    for rec in _records(data, "Legs"):
        for col in ("from", "to"):
            if _present(rec[col]) and rec[col] not in node_ids:
                problems.append(_unknown("node", rec[col], node_ids, "Legs", rec, col,
                                         "Add the node to the Nodes sheet or correct the id."))
        if _present(rec["from"]) and rec["from"] == rec["to"]:
            problems.append(Problem("a leg must join two different nodes", "Correct 'from' or 'to'.",
                                    sheet="Legs", row=rec[ROW], key=_key("Legs", rec)))
    for sheet in ("Tariffs", "Capacities", "Investments"):
        for rec in _records(data, sheet):
            if _present(rec["element"]) and rec["element"] not in elements:
                problems.append(_unknown("node or leg", rec["element"], elements, sheet, rec, "element",
                                         "Name a node id, or a leg as FROM>TO exactly as on the Legs sheet."))
            if _present(rec["cargo_class"]) and rec["cargo_class"] not in classes:
                problems.append(_unknown("cargo class", rec["cargo_class"], classes, sheet, rec, "cargo_class",
                                         f"Use a class from the Commodities sheet: {short_list(sorted(classes))}."))
    for sheet, kind_col in (("Supply", "origin"), ("Demand", "origin"), ("Demand", "market")):
        want = "origin" if kind_col == "origin" else "market"
        for rec in _records(data, sheet):
            v = rec[kind_col]
            if not _present(v):
                continue
            if v not in node_ids:
                problems.append(_unknown("node", v, [n for n in node_ids if kinds.get(n) == want], sheet, rec,
                                         kind_col, f"Name a node of kind '{want}' from the Nodes sheet."))
            elif kinds.get(v) != want:
                problems.append(Problem(f"node '{v}' is of kind '{kinds.get(v)}', expected a node of kind '{want}'",
                                        f"Name {'an' if want == 'origin' else 'a'} {want} node, or change the "
                                        "node's kind on the Nodes sheet.",
                                        sheet=sheet, row=rec[ROW], key=_key(sheet, rec), column=kind_col))
    for sheet in ("Supply", "Demand"):
        for rec in _records(data, sheet):
            if _present(rec["commodity"]) and rec["commodity"] not in commodities:
                problems.append(_unknown("commodity", rec["commodity"], commodities, sheet, rec, "commodity",
                                         "Add it to the Commodities sheet or correct the id."))
    return problems


def check_routes(data: CorridorData) -> list[Problem]:
    """A path starts at an origin, ends at a market, and each step is a leg."""
    t = data.tables
    problems = []
    nodes = t["Nodes"].dropna(subset=["node"]).set_index("node")
    kinds = nodes["kind"].to_dict()
    leg_pairs = set(t["Legs"][["from", "to"]].itertuples(index=False, name=None))
    classes = set(t["Commodities"]["cargo_class"].dropna())
    if _routes_all_sound(data, kinds, leg_pairs, classes):
        return problems  # the common case, checked on whole columns; else every row with its messages
    for rec in _records(data, "Routes"):
        where = _Where("Routes", rec)
        path = rec["path"]
        if _present(path):
            steps = path_nodes(path)
            if len(steps) < 2 or any(not s for s in steps):
                problems.append(Problem(f"path '{path}' must list at least two nodes joined by '>'",
                                        "Write the path as ORIGIN>...>MARKET, e.g. PAV>DOS>MCN.", column="path",
                                        **where))
            else:
                missing = [s for s in steps if s not in kinds]
                for s in missing:
                    problems.append(_unknown("node", s, kinds, "Routes", rec, "path",
                                             "Add the node to the Nodes sheet or correct the path."))
                if not missing:
                    if kinds[steps[0]] != "origin":
                        problems.append(Problem(
                            f"path starts at '{steps[0]}', a {kinds[steps[0]]}; a route must start at an origin",
                            "Start the path at a node of kind 'origin'.", column="path", **where))
                    if kinds[steps[-1]] != "market":
                        problems.append(Problem(
                            f"path ends at '{steps[-1]}', a {kinds[steps[-1]]}; a route must end at a market",
                            "End the path at a node of kind 'market'.", column="path", **where))
                    for a, b in zip(steps, steps[1:]):
                        if (a, b) not in leg_pairs:
                            problems.append(Problem(
                                f"step {a}>{b} of the path is not a leg",
                                f"Add a row from={a}, to={b} to the Legs sheet, or correct the path.",
                                column="path", **where))
        cls = rec["cargo_classes"]
        if _present(cls):
            for c in sorted(class_list(cls) or ()):
                if c not in classes:
                    problems.append(_unknown("cargo class", c, classes, "Routes", rec, "cargo_classes",
                                             "List classes from the Commodities sheet, separated by commas, "
                                             "or leave blank for all."))
    return problems


def _paths(data: CorridorData) -> tuple[list[tuple[str, ...]], set[str], set[tuple[str, str]]]:
    """(the parsed paths of the Routes sheet, the nodes they pass, the (from, to) steps they take),
    made once for the checks that read them (kept with the rows as dicts, and dropped with them)."""
    routes = data.tables["Routes"]
    cache = data.__dict__.setdefault("_records_cache", {})
    hit = cache.get("_paths")
    if hit is None or hit[0] is not routes:
        paths = [path_nodes(p) for p in routes["path"].tolist() if _present(p)]
        hit = cache["_paths"] = (routes, (paths, set(chain.from_iterable(paths)),
                                          set(chain.from_iterable(zip(steps, steps[1:]) for steps in paths))))
    return hit[1]


def _routes_all_sound(data: CorridorData, kinds: dict, leg_pairs: set, classes: set) -> bool:
    """True when check_routes would find nothing: every path has two or more named nodes, all on
    the Nodes sheet, starts at an origin, ends at a market and steps along legs, and every cargo
    class listed exists. One pass over sets instead of one per row with its messages."""
    paths, nodes, pairs = _paths(data)
    if any(len(steps) < 2 or not all(steps) for steps in paths):
        return False
    if not nodes <= kinds.keys():
        return False
    if any(kinds[steps[0]] != "origin" or kinds[steps[-1]] != "market" for steps in paths):
        return False
    if not pairs <= leg_pairs:
        return False
    listed = set(chain.from_iterable(class_list(c) or () for c in set(data.tables["Routes"]["cargo_classes"].tolist())
                                     if _present(c)))
    return listed <= classes


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
        if _present(rec["kind"]) and rec["kind"].endswith("share") and _present(rec["value"]) and rec["value"] > 1:
            problems.append(Problem(f"a share must be between 0 and 1, found {rec['value']:g}",
                                    f"Write {rec['value'] / 100:g} for {rec['value']:g}%, or use kind "
                                    f"'{rec['kind'].replace('share', 't')}' for tonnes.",
                                    sheet="Policies", row=rec[ROW], key=_key("Policies", rec), column="value"))
    return problems


def check_policies(data: CorridorData) -> list[Problem]:
    """A rule's target exists in its scope; its commodity filter names a commodity or class."""
    t = data.tables
    problems = []
    routes = t["Routes"]
    names = {
        "corridor": set(routes["corridor"].dropna()),
        "route": set(routes["route"].dropna()),
        "node": set(t["Nodes"]["node"].dropna()),
        "country": set(t["Nodes"]["country"].dropna()) | set(t["Countries"]["country"].dropna()),
        "leg": {leg_id(a, b) for a, b in t["Legs"][["from", "to"]].itertuples(index=False)},
    }
    selectors = set(t["Commodities"]["commodity"].dropna()) | set(t["Commodities"]["cargo_class"].dropna())
    for rec in _records(data, "Policies"):
        scope, target = rec["scope"], rec["target"]
        if _present(scope) and _present(target) and target != "*" and target not in names[scope]:
            problems.append(_unknown(scope, target, names[scope], "Policies", rec, "target",
                                     f"Name a {scope} that exists, or * for each {scope} separately."))
        if _present(rec["commodity"]):
            for name in (n.strip() for n in str(rec["commodity"]).split(",")):
                if name not in selectors:
                    problems.append(_unknown("commodity or cargo class", name, selectors, "Policies", rec,
                                             "commodity", "Name commodity ids or cargo classes (comma separated), "
                                             "or leave blank for all."))
    return problems


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


def _rows(recs: list[dict]) -> str:
    return ("row " if len(recs) == 1 else "rows ") + short_list(r[ROW] for r in recs)


def check_usage(data: CorridorData) -> list[Problem]:
    """Warnings: nodes and legs no route uses, capacities no enabled route passes."""
    t = data.tables
    problems = []
    _, used_nodes, used_pairs = _paths(data)  # disabled routes count: a scenario may enable them
    used_legs = {leg_id(a, b) for a, b in used_pairs}
    unused = [n for n in t["Nodes"]["node"].dropna() if n not in used_nodes]
    if unused:
        problems.append(Problem(f"{len(unused)} node(s) on no route: {short_list(unused)}",
                                "They do no harm; delete them or add routes through them.",
                                sheet="Nodes", severity=WARNING))
    legs = [leg_id(a, b) for a, b in t["Legs"][["from", "to"]].itertuples(index=False)]
    unused = [leg for leg in legs if leg not in used_legs]
    if unused:
        problems.append(Problem(f"{len(unused)} leg(s) on no route: {short_list(unused)}",
                                "They do no harm; delete them or add routes over them.",
                                sheet="Legs", severity=WARNING))
    carried: set | None = set()
    for rec in _records(data, "Routes"):
        if rec["enabled"] is False or not _present(rec["path"]):
            continue
        classes = class_list(rec["cargo_classes"])
        if classes is None:
            carried = None
            break
        carried |= classes
    if carried is not None:
        for rec in _records(data, "Commodities"):
            if _present(rec["cargo_class"]) and rec["cargo_class"] not in carried:
                problems.append(Problem(
                    f"no enabled route carries cargo class '{rec['cargo_class']}'",
                    "Add the class to a route's cargo_classes, or leave cargo_classes blank for all classes.",
                    sheet="Commodities", row=rec[ROW], key=rec["commodity"], column="cargo_class",
                    severity=WARNING))
    for rec in _records(data, "Capacities"):
        e = rec["element"]
        if _present(e) and e not in used_nodes and e not in used_legs:
            problems.append(Problem(f"no route passes '{e}', so this capacity limits nothing",
                                    "Check the element id, or add a route through it.", sheet="Capacities",
                                    row=rec[ROW], key=_key("Capacities", rec), column="element",
                                    severity=WARNING))
    return problems


def check_revisits(data: CorridorData) -> list[Problem]:
    """Warnings: a path that passes a node more than once (KOS>RUB>NVR>RUB>MEU). The model can
    cost it (a node's handling and capacity count at each pass), so it is not refused: cargo may
    really pass a crossing twice, and a copy of the node to avoid the warning would make its
    capacity count once. But it is most often a slip in a long path, so it is named."""
    problems = []
    if all(len(set(steps)) == len(steps) for steps in _paths(data)[0]):
        return problems  # the common case, in one pass over the parsed paths
    for rec in _records(data, "Routes"):
        if not _present(rec["path"]):
            continue
        steps = path_nodes(rec["path"])
        if len(set(steps)) == len(steps):
            continue
        for node in dict.fromkeys(s for s in steps if steps.count(s) > 1):
            at = [i + 1 for i, s in enumerate(steps) if s == node]
            times = "twice" if len(at) == 2 else f"{len(at)} times"
            problems.append(Problem(
                f"path passes {node} {times} (nodes {', '.join(map(str, at[:-1]))} and {at[-1]} of the path); "
                f"{node}'s handling cost and capacity count at each pass",
                f"If the cargo does not pass {node} {times}, correct the path; if it does, nothing needs doing.",
                column="path", severity=WARNING, **_Where("Routes", rec)))
    return problems


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


def check_commitments(data: CorridorData, net: Network) -> list[Problem]:
    """Every demand row has a flow that can serve it; every minimum (supply min_t,
    policy min_t) has a flow that can count toward it."""
    problems = _unservable_demand(data, net)
    for srow in net.supply_rows:
        if srow.min_t > 0 and not len(net.supply_index(srow)):
            problems.append(Problem(
                f"min_t {srow.min_t:,.0f} t cannot be shipped: no demand row takes {srow.commodity} from "
                f"{srow.origin} over an enabled route",
                "Lower min_t to 0, or add demand and a route for this commodity from this origin.",
                sheet="Supply", row=srow.row, key=f"{srow.commodity}, {srow.origin}", column="min_t"))
    reported = set()
    for p in net.policy_limits:
        if p.kind == "min_t" and p.value > 0 and not len(net.policy_index(p)[0]) and p.rule not in reported:
            reported.add(p.rule)
            problems.append(Problem(
                f"requires {p.value:,.0f} t through {p.scope} '{p.target}', but no flow of "
                f"{p.commodity or 'any commodity'} can pass it",
                "Check the target and commodity, or add a route through the target that serves a demand row.",
                sheet="Policies", row=p.row, key=p.rule, column="target"))
    return problems


def _unservable_demand(data: CorridorData, net: Network) -> list[Problem]:
    hard = data.settings.hard_demand
    origins_of = supply_origins(net.supply_rows)
    problems = []
    for d in net.demand_rows:
        if d.demand_t <= 0 or len(net.demand_index(d.row)):
            continue
        cls = net.commodity_class[d.commodity]
        to_market = [r for r in net.routes.values() if r.market == d.market]
        from_origin = [r for r in to_market if not d.origin or r.origin == d.origin]
        carrying = [r for r in from_origin if r.carries(cls)]
        if not to_market:
            why = f"no enabled route ends at {d.market}"
        elif not from_origin:
            why = f"no enabled route runs from {d.origin} to {d.market}"
        elif not carrying:
            why = (f"the routes from {d.origin or 'any origin'} to {d.market} "
                   f"({short_list(r.route for r in from_origin)}) do not carry cargo class '{cls}'")
        else:
            why = (f"{d.commodity} may ship only from the origins on the Supply sheet "
                   f"({short_list(sorted(origins_of.get(d.commodity, ())))}), and no enabled route carrying "
                   f"'{cls}' runs from them to {d.market}")
        problems.append(Problem(
            f"no route can serve this demand: {why}",
            "Add or enable a route, add the class to a route's cargo_classes, or set unmet_penalty_usd_per_t "
            "in Settings to allow undelivered tonnes." if hard else
            "These tonnes will be reported as unmet; add or enable a route to serve them.",
            sheet="Demand", row=d.row, key=", ".join(x for x in (d.commodity, d.origin, d.market) if x),
            severity=ERROR if hard else WARNING))
    return problems


CHECKS = (check_bounds, check_duplicate_keys, check_references, check_routes, check_amounts, check_policies)
# Checks that assume the references above hold.
DEEP_CHECKS = (check_demand, check_usage, check_revisits, check_investments)


def validate(data: CorridorData) -> list[Problem]:
    """Every problem with the data, errors and warnings, reading problems included."""
    problems = list(data.problems)
    for check in CHECKS:
        problems += check(data)
    if not any(p.severity == ERROR for p in problems):
        for check in DEEP_CHECKS:
            problems += check(data)
    data.__dict__.pop("_records_cache", None)  # large cases: do not keep the rows as dicts
    return problems
