"""Why a model has no optimum, in the workbook's rows: HiGHS's irreducible infeasible subset named
by each row's label (model.lp.families), then the least undelivered tonnes from an elastic
re-solve, and what holds them back."""

from __future__ import annotations

import dataclasses

import highspy
import numpy as np
import pandas as pd

from model.errors import NoSolutionError, SolverStoppedError, short_list
from model.input.data import CorridorData
from model.input.schema import PolicyKind
from model.lp.families import CAPACITY_LIMIT, PLANNER_ROWS, POLICY_LIMIT, SUPPLY_MAX, UNMET, label
from model.lp.frontier import FrontierModel, Target
from model.lp.highs import Solution
from model.lp.solve import solve_plan
from model.network import Network
from model.network.build import build_network
from model.plan import Plan
from model.results.investments import amount_text
from model.results.tables import collect

# Penalty used only to find out which demand cannot be met: far above any freight cost (ten times
# the dearest route, at least this), small enough to keep the LP well scaled.
ELASTIC_PENALTY_USD_PER_T = 1.0e5
IIS_STRATEGY = 6  # HiGHS: form an infeasible set from the whole LP (2), then reduce it to an IIS (4)


def whole_steps_in_words(net: Network, sol: Solution) -> str:
    """No optimum with integer decisions, although capacity in any amount has one. (Build only relaxes
    capacity rows, so whole steps can always cover what divisible capacity needs: what stops branch
    and bound is a limit, such as a time limit, not infeasibility.)"""
    names = ", ".join(f"{o.option} (Investments row {o.row})" for o in net.options if o.integer)
    assert sol.mip is not None  # called for a MIP whose branch and bound stopped
    return (f"HiGHS's branch and bound stopped without an optimum (status: {sol.status}) on the options built "
            f"whole, in modules or with a fixed cost: {names}. With capacity in any amount the model's objective "
            "(resource cost, calibration premiums and unmet tonnes at the penalty chosen in Settings) would be "
            f"{sol.mip.relaxation_usd:,.0f} USD. Give HiGHS more time (--solver-option time_limit=600) or accept a "
            "looser gap (--solver-option mip_rel_gap=0.01).")


def explain_no_solution(data: CorridorData, net: Network, sol: Solution, verbose: bool = False) -> str:
    """Why there is no optimum, in the planner's rows."""
    status = sol.status
    if sol.mip is not None and sol.mip.relaxation_usd == sol.mip.relaxation_usd:  # the LP relaxation solved
        return whole_steps_in_words(net, sol)
    if "unbounded" in status.lower() and "infeasible" not in status.lower():
        return (f"HiGHS reports the model as {status}: some cost can fall without limit. Check for negative "
                "costs; every cost should be >= 0.")
    if "infeasible" not in status.lower():
        return stopped_in_words(status)
    rule = minimum_rule_in_words(data, net, verbose)
    if rule:
        return rule
    lines = [f"No allocation satisfies every constraint (HiGHS: {status})."]
    conflict = conflicting_rows(net, sol)
    if conflict:
        lines.append("These rows of the workbook cannot all hold at once; relaxing any one of them removes "
                     "this conflict:")
        lines += [f"  {text}" for text in conflict]
    if not data.settings.hard_demand:
        lines.append("Even with unmet demand allowed, the minimum commitments (Supply min_t, Policies min_t / "
                     "min_share) cannot all be met within the capacities and the other rules.")
        lines.append(_minimums(net))
        return "\n".join(lines)
    penalty = max(ELASTIC_PENALTY_USD_PER_T, 10.0 * float(net.cost_total.max(initial=0.0)))
    elastic = data.copy(settings=data.settings.replace(unmet_penalty_usd_per_t=penalty))
    esol = solve_plan(Plan.of_one(elastic, net), verbose, ranging=False)
    if not esol.optimal:
        lines.append("Even if demand could go unmet, the minimum commitments conflict with the capacities or "
                     "rules.")
        lines.append(_minimums(net))
        return "\n".join(lines)
    res = collect(elastic, net, esol.view())
    short = res.demand[res.demand["unmet_t"] > 1e-6]
    lines.append("The least undelivered tonnes, by demand row:")
    for rec in short.to_dict("records"):  # cargo, from and to: the names (model.network.names)
        lines.append(f"  Demand row {rec['input_row']} ({rec['cargo']}, from {rec['from']} to {rec['to']}): "
                     f"{rec['unmet_t']:,.0f} t of {rec['demand_t']:,.0f} t cannot be delivered.")
    held = holding_back(esol)

    def holds(row: tuple) -> bool:  # no answer from the elastic solve (None): every row counts
        return held is None or row in held

    caps = res.capacity[(res.capacity["shadow_price_usd_per_t"] > 1e-6)
                        & res.capacity["input_row"].map(lambda r: holds((CAPACITY_LIMIT.name, r)))]
    if len(caps):
        lines.append("Full capacities that hold them back: " + short_list(
            f"{c.name} (Capacities row {c.input_row}: {c.capacity_t:,.0f} t)" for c in caps.itertuples()))
    pols = res.policies[(res.policies["saving_usd_per_t"] > 1e-6) & pd.Series(
        [holds((POLICY_LIMIT.name, (p.rule, p.target))) for p in res.policies.itertuples()], index=res.policies.index,
        dtype=bool)]
    if len(pols):
        lines.append("Binding policy rules: " + short_list(
            f"{p.rule} ({p.kind} {p.value:g} on {p.applies_to}, Policies row {p.input_row})"
            for p in pols.itertuples()))
    sup = res.supply[(res.supply["value_of_more_supply_usd_per_t"] > 1e-6)
                     & res.supply["input_row"].map(lambda r: holds((SUPPLY_MAX.name, r)))]
    if len(sup):
        lines.append("Exhausted supply: " + short_list(
            f"{s['cargo']} from {s['from']} (Supply row {s['input_row']}: {s['max_t']:,.0f} t)"
            for s in sup.to_dict("records")))
    lines.append("Fix: raise those capacities or limits, lower the demand, or set unmet_penalty_usd_per_t in "
                 "Settings to solve with undelivered tonnes.")
    return "\n".join(lines)


def holding_back(esol: Solution) -> set | None:
    """The rows (family, index) of the elastic solve that hold undelivered tonnes back: those with a
    dual when only undelivered tonnes count (every flow free, each unmet tonne 1). A capacity or a
    supply limit that is full only because it is cheap (its dual in the elastic solve a freight
    saving) has none: relaxing it delivers nothing more. None when that solve gives no answer: then
    no row is left out."""
    h = esol.highs
    assert h is not None, "the elastic solve's own model"
    n = h.getNumCol()
    cost = np.zeros(n)
    cost[np.fromiter(esol.col_pos.get((UNMET.name, None), {}).values(), dtype=np.int64)] = 1.0
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    y = np.asarray(h.getSolution().row_dual, dtype=float)
    return {(key.family, key.index) for key, v in zip(esol.rows, y.tolist(), strict=True) if abs(v) > 1e-9}


def minimum_rule_in_words(data: CorridorData, net: Network, verbose: bool = False) -> str | None:
    """When one minimum rule (min_share or min_t) alone makes the case infeasible: what its target
    can carry at most with every other row as it is, and the fix (lower the rule, or relieve what
    holds the target back). None when no single minimum rule is the cause."""
    policies = data.tables["Policies"]
    for rule in dict.fromkeys(p.rule for p in net.policy_limits if p.kind in (PolicyKind.MIN_SHARE, PolicyKind.MIN_T)):
        without = data.copy(tables={**data.tables, "Policies": policies[policies["rule"] != rule]})
        wnet = build_network(without)
        wsol = solve_plan(Plan.of_one(without, wnet), verbose, ranging=False)
        if not wsol.optimal:
            continue
        lines = ["No allocation satisfies every constraint: rule " + rule + " asks more than its target can carry."]
        for p in (q for q in net.policy_limits if q.rule == rule):
            best = FrontierModel(Plan.of_one(without, wnet), wsol, Target(p.scope, p.target, p.commodity, True))
            r = best.point(1e18)  # no limit on cost: the most the target can carry at all
            if r.target is None:
                continue
            most, total = r.target, r.shipped_t
            goods = net.names.cargoes(p.commodity)
            asked = f"{p.value:.1%} of {goods}" if p.is_share else f"{p.value:,.0f} t of {goods}"
            can = f"{most / total:.1%} of the shipped tonnes" if p.is_share and total else f"{most:,.0f} t"
            lines.append(f"  Policies row {p.row} ({rule}): at least {asked} through "
                         f"{net.names.target(p.scope, p.target)}; "
                         f"with every other row of the workbook as it is, at most {amount_text(most)} "
                         + (f"({can}) " if p.is_share else "") + "can go through it.")
            held = r.limited_by
            if held:
                lines.append("  What holds it back: " + short_list(held))
            lines.append(f"Fix: lower the rule to at most {can.split(' of ')[0] if p.is_share else f'{most:,.0f} t'}"
                         f" (Policies row {p.row}, value), or raise the capacities and limits that hold it back.")
        return "\n".join(lines)
    return None


# What HiGHS's other statuses mean for a planner, and what to check.
_LIMIT = ("it stopped at a limit set with --solver-option before it found the optimum",
          "Raise the limit (or leave the option out), or make the case smaller.")
_NUMBERS = ("the numbers of the case are of such different sizes that the solver cannot work with them "
            "(a cost, capacity or demand many orders of magnitude above the others)",
            "Check the largest and the smallest costs, capacities, demands and policy values, and run again with "
            "--verbose to see HiGHS's log.")
STOPPED = {
    "Time limit reached": _LIMIT, "Iteration limit reached": _LIMIT, "Solution limit reached": _LIMIT,
    "Bound on objective reached": _LIMIT, "Target for objective reached": _LIMIT,
    "Memory limit reached": ("it ran out of the memory it was allowed",
                             "Close other programs, use a machine with more memory, or make the case smaller."),
    "Interrupted by user": ("it was interrupted", "Run again."),
    "Interrupted by HiGHS": ("it was interrupted", "Run again."),
    "Empty": ("it was left with nothing to solve: no demand that a route can serve, or numbers so large (1e20 or "
              "more) that HiGHS reads them as infinite",
              "Check that enabled routes serve the Demand rows, and the largest costs, capacities and demands."),
}


def no_optimum_proved(sol: Solution) -> bool:
    """HiGHS proved the case has no optimum (infeasible or unbounded), rather than stopping before it
    knew (a limit, memory, an interruption, numerical trouble; or branch and bound stopped after the
    relaxation solved, which whole steps can always match: see whole_steps_in_words)."""
    if sol.mip is not None and sol.mip.relaxation_usd == sol.mip.relaxation_usd:
        return False
    status = sol.status.lower()
    return "infeasible" in status or "unbounded" in status


def stopped_in_words(status: str) -> str:
    """What a HiGHS status other than optimal, infeasible or unbounded means, and what to check."""
    what, fix = STOPPED.get(status, _NUMBERS)
    return f"HiGHS stopped without an optimum ({status}): {what}. {fix}"


def no_optimum(plan: Plan, sol: Solution, verbose: bool = False) -> NoSolutionError | SolverStoppedError:
    """The error of a solve without an optimum, explained in the workbook's rows (which re-solves the
    case, or each case of a plan, to find out why): NoSolutionError (exit 3) when HiGHS proved there
    is none, SolverStoppedError (exit 1) when it stopped before it knew."""
    error = NoSolutionError if no_optimum_proved(sol) else SolverStoppedError
    if plan.single:
        return error(explain_no_solution(plan.data, plan.cases[0].net, sol, verbose))
    return error(explain_plan_no_solution(plan, sol, verbose))


def explain_plan_no_solution(plan: Plan, sol: Solution, verbose: bool = False) -> str:
    """Why a plan has no optimum: the first case that has none on its own, explained in its rows."""
    if sol.mip is not None and sol.mip.relaxation_usd == sol.mip.relaxation_usd:
        return whole_steps_in_words(plan.cases[0].net, sol)
    for case in plan.cases:
        one = Plan(plan.data, [case.period], [dataclasses.replace(case, probability=1.0)], [case.scenario])
        if not solve_plan(one, verbose, ranging=False).optimal:
            where = " ".join(w for w in (f"scenario {case.scenario}" if plan.robust else "",
                                         f"year {case.period.year}" if plan.multi_year else "") if w)
            single = solve_plan(Plan.of_one(case.data, case.net), verbose, ranging=False)
            return f"In {where}: " + explain_no_solution(case.data, case.net, single, verbose)
    return (f"HiGHS stopped without an optimum for the plan as a whole (status: {sol.status}), though every year "
            "and scenario has one alone. Check the Investments first_year and lead times, and run with --verbose.")


def conflicting_rows(net: Network, sol: Solution) -> list[str]:
    """An irreducible infeasible subset of the constraints, in the workbook's rows.

    HiGHS's getIis with its default strategy returns an empty set on LPs; the whole-LP
    strategy reduced to an irreducible set names the rows."""
    h = sol.highs
    if h is None:
        return []
    h.setOptionValue("iis_strategy", IIS_STRATEGY)
    status, iis = h.getIis()
    if status != highspy.HighsStatus.kOk or not iis.valid_:
        return []
    return [label(sol.rows[i], net) for i in iis.row_index_ if sol.rows[i].family in PLANNER_ROWS]


def _minimums(net: Network) -> str:
    words = net.names
    mins = [f"Supply row {s.row} ({words.cargo(s.commodity)} from {words.place(s.origin)}: at least {s.min_t:,.0f} t)"
            for s in net.supply_rows if s.min_t > 0]
    mins += [f"Policies row {p.row} ({p.rule}: {p.kind} {p.value:g} on {words.target(p.scope, p.target)})"
             for p in net.policy_limits if not p.is_max]
    return "Minimum commitments: " + (short_list(mins) if mins else "none") + "."
