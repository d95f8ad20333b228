"""Checks of the routes: paths that are chains of legs from an origin to a market, and what no
route uses or uses twice."""

from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd

from model.errors import WARNING, Problem, short_list
from model.input.data import ROW, CorridorData
from model.input.data import present as _present
from model.input.schema import NodeKind, class_list, leg_id, path_nodes
from model.input.validate.base import _key, _records, _unknown, _Where
from model.network.routes import PathTable, path_table


def check_routes(data: CorridorData) -> list[Problem]:
    """A path starts at an origin, ends at a market, and each step is a leg."""
    t = data.tables
    problems: list[Problem] = []
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
                    if kinds[steps[0]] != NodeKind.ORIGIN:
                        problems.append(Problem(
                            f"path starts at '{steps[0]}', a {kinds[steps[0]]}; a route must start at an origin",
                            "Start the path at a node of kind 'origin'.", column="path", **where))
                    if kinds[steps[-1]] != NodeKind.MARKET:
                        problems.append(Problem(
                            f"path ends at '{steps[-1]}', a {kinds[steps[-1]]}; a route must end at a market",
                            "End the path at a node of kind 'market'.", column="path", **where))
                    for a, b in zip(steps, steps[1:], strict=False):
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


def _paths(data: CorridorData) -> tuple[PathTable, set[str], set[tuple[str, str]]]:
    """(the paths of the Routes sheet as arrays, the nodes they pass, the (from, to) steps they
    take), made once for the checks that read them and for the network (model.network.routes)."""
    routes = data.tables["Routes"]
    hit = data.derived.paths
    if hit is None or hit[0] is not routes:
        table = path_table(data, routes)
        hit = data.derived.paths = (routes, (table, set(table.nodes), table.step_pairs()))
    return hit[1]


def _routes_all_sound(data: CorridorData, kinds: dict, leg_pairs: set, classes: set) -> bool:
    """True when check_routes would find nothing: every path has two or more named nodes, all on
    the Nodes sheet, starts at an origin, ends at a market and steps along legs, and every cargo
    class listed exists. Checked on whole columns of the parsed paths instead of row by row with
    messages."""
    table, nodes, pairs = _paths(data)
    if (table.length < 2).any() or "" in nodes:
        return False
    if not nodes <= kinds.keys():
        return False
    kind = np.array([kinds[n] for n in table.nodes], dtype=object)
    if len(table.length) and ((kind[table.first] != NodeKind.ORIGIN).any()
                              or (kind[table.last] != NodeKind.MARKET).any()):
        return False
    if not pairs <= leg_pairs:
        return False
    listed = set(chain.from_iterable(class_list(c) or () for c in set(data.tables["Routes"]["cargo_classes"].tolist())
                                     if _present(c)))
    return listed <= classes


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
    for rec in _records(data, "Nodes"):  # a charge below 0 is a subsidy; said, as a minus typed by mistake would be
        if _present(rec["handling_usd_per_t"]) and rec["handling_usd_per_t"] < 0:
            problems.append(Problem(
                f"{rec['handling_usd_per_t']:g} USD/t is below 0, so the node pays {-rec['handling_usd_per_t']:g} USD "
                "for every tonne handled (a subsidy)", "If you meant a charge, enter it without the minus sign.",
                sheet="Nodes", row=rec[ROW], key=rec["node"], column="handling_usd_per_t", severity=WARNING))
    legs = [leg_id(a, b) for a, b in t["Legs"][["from", "to"]].itertuples(index=False)]
    unused = [leg for leg in legs if leg not in used_legs]
    if unused:
        problems.append(Problem(f"{len(unused)} leg(s) on no route: {short_list(unused)}",
                                "They do no harm; delete them or add routes over them.",
                                sheet="Legs", severity=WARNING))
    carried: set[str] | None = set()
    r = t["Routes"]
    paths = r["path"].to_numpy(dtype=object)
    on = (r["enabled"].to_numpy(dtype=object) != False) & pd.notna(paths) & (paths != "")  # noqa: E712
    for classes in map(class_list, dict.fromkeys(r["cargo_classes"].to_numpy(dtype=object)[on].tolist())):
        if classes is None:
            carried = None
            break
        carried |= classes  # type: ignore[operator]  # not None: the loop ends at the first None
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
    problems: list[Problem] = []
    if not _paths(data)[0].revisits():
        return problems  # the common case, on the parsed paths' arrays
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


