"""N-1 stress test: close each port, border crossing, leg or corridor in turn.

A closure sets the upper bound of every flow through the element (or on the corridor's
routes) to zero in the live HiGHS model and re-solves from the base basis. Demand that can
no longer be delivered is stranded at a penalty (the input's, or --penalty when demand is
hard), so every closure has an answer: the stranded tonnes by commodity, the change in resource
cost (model.results.money: what is paid, and what time, risk and carbon cost; the penalty is a
price chosen, shown apart), and where the cargo moved.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from model.analysis.sweep import live_model
from model.input.schema import PolicyKind, Scope
from model.lp.live_choice import NOT_CONVERGED
from model.progress import live_line, show_progress
from model.results.investments import amount_text
from model.results.money import Money

DEFAULT_PENALTY_USD_PER_T = 1000.0


def _closures(live, mode: str, kinds: set[str]) -> list[tuple[str, str, np.ndarray]]:
    """(name, kind, HiGHS columns to close) for every element or corridor."""
    net = live.net
    kind_of = net.node_kind
    passing: dict[str, list[int]] = {}
    for j, (_, r) in zip(live.flow_cols.tolist(), net.flows, strict=True):
        route = net.routes[r]
        names = [route.corridor] if mode == "corridors" else list(route.elements)
        for name in names:
            passing.setdefault(name, []).append(j)
    out = []
    for name, cols in passing.items():
        if mode == "corridors":
            kind = "corridor"
        elif ">" in name:
            kind = "leg"
        else:
            kind = kind_of.get(name, "")
        if mode == "corridors" or kind + "s" in kinds:
            out.append((name, kind, np.array(sorted(set(cols)), dtype=np.int32)))
    return sorted(out, key=lambda x: x[0])


def closure_in_words(data, name: str, kind: str) -> str:
    """Why closing an element or corridor leaves no allocation, in the workbook's rows, as corridor
    solve says it (model.analysis.infeasible): the case solved again with the closure written as a rule that
    nothing may pass it (a Policies row max_t 0), so that a minimum rule through it is named."""
    from model.analysis.calibrate import with_rows
    from model.analysis.infeasible import explain_no_solution
    from model.lp.solve import solve_plan
    from model.network.build import build_network
    from model.plan import Plan

    scope = Scope(kind) if kind in (Scope.CORRIDOR, Scope.LEG) else Scope.NODE
    policies = data.tables["Policies"]
    row = int(policies["_row"].max()) + 1 if len(policies) else 2  # the row with_rows gives the closure
    closed = with_rows(data, "Policies", pd.DataFrame([{
        "rule": f"CLOSED {name}", "kind": PolicyKind.MAX_T, "scope": scope, "target": name, "commodity": None,
        "value": 0.0, "calibration": False, "note": "corridor stress: the closure"}]))
    net = build_network(closed)
    sol = solve_plan(Plan.of_one(closed, net), ranging=False)
    if sol.optimal:  # cannot happen when the live model found none; say so rather than guess
        return "No allocation in the live model, but one when solved from the data: report this with the input."
    text = explain_no_solution(closed, net, sol)
    return re.sub(rf"Policies row {row} \(CLOSED {re.escape(name)}\)[^;\n]*", "the closure", text)  # not a workbook row


def calibration_rules(data) -> list[str]:
    """The rules of the Policies sheet marked calibration, when the setting calibration_rules holds them."""
    if not data.settings.calibration_rules:
        return []
    p = data.tables["Policies"]
    return sorted(set(p.loc[p["calibration"].eq(True), "rule"])) if len(p) else []


def _rules_off_note(held: list[str]) -> str:
    """The one line that says a closure was solved with the calibration rules off, and why."""
    return (f"calibration rule {', '.join(held)} cannot hold with this closed: solved with calibration_rules off "
            "(as the shipped closing scenarios are), its figures against the base case solved so too")


def _without_calibration(live) -> tuple:
    """The case of the live model with the setting calibration_rules off: its own live model and base point."""
    from model.lp.live import LiveModel
    from model.network.build import build_network
    from model.plan import Plan
    from model.steps import solve

    data = live.data.copy(settings=live.data.settings.replace(calibration_rules=False))
    net = build_network(data)
    off = LiveModel(data, net, solve(Plan.of_one(data, net)), live.keep_decisions)
    return off, off.solve()


def _solve_closed(live, cols: np.ndarray):
    """The live model solved with the flows of the columns closed (bounds 0), then opened again."""
    h = live.h
    h.changeColsBounds(len(cols), cols, np.zeros(len(cols)), np.zeros(len(cols)))
    try:
        return live.solve()
    finally:
        h.changeColsBounds(len(cols), cols, np.zeros(len(cols)), np.full(len(cols), h.inf))


def stress_test(input_path: Path, mode: str = "elements", kinds: set[str] | None = None,
                penalty: float = DEFAULT_PENALTY_USD_PER_T, progress: bool = True,
                keep_decisions: bool = False, scenario: str | None = None,
                year: int | None = None, allocation: str | None = None) -> tuple[pd.DataFrame, dict]:
    """One row per closure, ranked by stranded tonnes then cost increase; and the base point.
    The cost increase is the resource cost's (model.results.money): stranded tonnes cost nothing
    paid, they are counted in tonnes, and at the penalty apart (penalty_usd, a price chosen).
    With integer decisions each closure re-solves them (a MIP), or keeps the base solve's."""
    from tqdm import tqdm

    kinds = kinds or {"ports", "borders"}
    with live_line("solving the base case", progress):  # seconds with integer decisions, before the bar
        live = live_model(input_path, penalty=penalty, keep_decisions=keep_decisions, scenario=scenario, year=year,
                          allocation=allocation)
    base = live.solve()
    base_cost = Money.of_point(base).resource_usd
    rows = []
    uncalibrated = None  # (live model, base point) with the calibration rules off, built when a closure needs it
    closures = _closures(live, mode, kinds)
    if not closures:  # nothing of these kinds on the network: said, not an empty table
        from model.errors import InputError, Problem

        raise InputError("--elements", [Problem(
            f"the input has no {' or '.join(sorted(kinds))} to close",
            "Name kinds it has with --elements (a comma list of ports, borders, hubs, legs), or close each "
            "corridor in turn with --corridors.")])
    for name, kind, cols in tqdm(closures, unit="closure", disable=not show_progress(progress), desc="stress"):
        r, note = _solve_closed(live, cols), None
        if r.status.startswith(NOT_CONVERGED):  # the LP has an optimum, the logit on it did not converge
            rows.append({"closed": name, "kind": kind, "status": NOT_CONVERGED, "reason": r.status})
            continue
        if not r.solved:  # no allocation even with stranded tonnes: a minimum rule, say which
            reason = closure_in_words(live.data, name, kind)
            held = [rule for rule in calibration_rules(live.data) if f"({rule})" in reason]
            if held:  # a calibration rule on what was closed: re-solved without them, as the closing scenarios are
                uncalibrated = uncalibrated or _without_calibration(live)
                off, point_base = uncalibrated  # the same closure's columns in the model without the rules
                r = _solve_closed(off, next(c for n, _, c in _closures(off, mode, kinds) if n == name))
                note = _rules_off_note(held)
            if not r.solved and held:  # another rule forbids it too: why, in the case without calibration rules
                reason += "\nWith calibration_rules off as well: " + closure_in_words(off.data, name, kind)
            if not r.solved:
                rows.append({"closed": name, "kind": kind, "status": r.status, "reason": reason})
                continue
        else:
            point_base = base
        money, point_cost = Money.of_point(r), Money.of_point(point_base).resource_usd
        increase = money.resource_usd - point_cost
        moved = {c: t - point_base.corridor.get(c, 0.0) for c, t in r.corridor.items()}
        gains = sorted(((c, t) for c, t in moved.items() if t > 1e3), key=lambda x: -x[1])[:3]
        row = {"closed": name, "kind": kind, "status": r.status,
               "stranded_t": r.unmet_t - point_base.unmet_t,
               "cost_increase_usd": increase,
               "cost_increase_pct": increase / point_cost if point_cost else float("nan"),
               "penalty_usd": r.unmet_penalty_usd - point_base.unmet_penalty_usd,
               "premiums_change_usd": money.premiums_usd - Money.of_point(point_base).premiums_usd,
               "tonnes_rerouted_t": sum(t for t in moved.values() if t > 0),
               "moved_to": ", ".join(f"{c} +{t / 1e6:,.2f} Mt" for c, t in gains)}
        if r.built is not None:
            row["built"] = "; ".join(f"{o} {amount_text(t)}" for o, t in r.built.items()) or "nothing"
        for k, t in (r.unmet_by_commodity or {}).items():
            row[f"stranded {k}_t"] = t - (point_base.unmet_by_commodity or {}).get(k, 0.0)
        if note:
            row["reason"] = note
        rows.append(row)
    df = pd.DataFrame(rows)
    if len(df):  # the ranking's columns, blank when no closure leaves an allocation (was a KeyError)
        df = df.reindex(columns=[*df.columns, *(c for c in ("stranded_t", "cost_increase_usd") if c not in df)])
        # what was closed in words, beside its code (a corridor is its own name)
        df.insert(1, "name", [c if mode == "corridors" else live.net.names.element(c) for c in df["closed"]])
        df["_failed"] = df["status"] != "Optimal"
        df = df.sort_values(["_failed", "stranded_t", "cost_increase_usd"], ascending=False, kind="stable",
                            na_position="first").drop(columns="_failed").reset_index(drop=True)
        if "reason" in df.columns:  # the reason last, after the figures
            df = df[[c for c in df.columns if c != "reason"] + ["reason"]]
        df.insert(0, "rank", range(1, len(df) + 1))
    off_cost = {"base_cost_rules_off_usd": Money.of_point(uncalibrated[1]).resource_usd} \
        if uncalibrated else {}  # the base of the closures solved with the calibration rules off
    return df, {"base_cost_usd": base_cost, **off_cost, "penalty_usd_per_t": penalty, "closures": len(closures),
                "allocation": live.data.settings.allocation,
                **({"integer decisions": base.integer_decisions} if base.integer_decisions is not None else {})}
