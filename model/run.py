"""One case end to end: load -> build -> solve -> results, and infeasibility in words."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pyomo.environ as pyo

from model.build import build_model
from model.errors import NoSolutionError, Problem, short_list
from model.inputs import CorridorData
from model.network import Network
from model.results import Results, collect
from model.solve import Solution, solve
from model.validate import load

# Penalty used only to find out which demand cannot be met: far above any freight cost,
# small enough to keep the LP well scaled.
ELASTIC_PENALTY_USD_PER_T = 1.0e5


@dataclass
class Run:
    data: CorridorData
    net: Network
    model: pyo.ConcreteModel
    solution: Solution
    results: Results
    warnings: list[Problem]


def solve_case(path: str | Path, verbose: bool = False, options: dict | None = None) -> Run:
    """Solve a workbook or CSV folder; raise InputError or NoSolutionError with the reason."""
    data, net, warnings = load(path)
    m = build_model(data, net)
    sol = solve(m, verbose=verbose, options=options)
    if not sol.optimal:
        raise NoSolutionError(explain_no_solution(data, net, sol, verbose))
    return Run(data, net, m, sol, collect(data, net, sol, input_name=Path(path).name), warnings)


def explain_no_solution(data: CorridorData, net: Network, sol: Solution, verbose: bool = False) -> str:
    """Why there is no optimum, in the planner's rows."""
    status = sol.status
    if "unbounded" in status.lower() and "infeasible" not in status.lower():
        return (f"HiGHS reports the model as {status}: some cost can fall without limit. Check for negative "
                "costs; every cost should be >= 0.")
    if "infeasible" not in status.lower():
        return f"HiGHS stopped without an optimum (status: {status}). Run again with --verbose to see its log."
    lines = [f"No allocation satisfies every constraint (HiGHS: {status})."]
    if data.settings.get("unmet_penalty_usd_per_t") is not None:
        lines.append("Even with unmet demand allowed, the minimum commitments (Supply min_t, Policies min_t / "
                     "min_share) cannot all be met within the capacities and the other rules.")
        lines.append(_minimums(net))
        return "\n".join(lines)
    elastic = dataclasses.replace(data, settings={**data.settings,
                                                  "unmet_penalty_usd_per_t": ELASTIC_PENALTY_USD_PER_T})
    m = build_model(elastic, net)
    esol = solve(m, verbose=verbose)
    if not esol.optimal:
        lines.append("Even if demand could go unmet, the minimum commitments conflict with the capacities or "
                     "rules.")
        lines.append(_minimums(net))
        return "\n".join(lines)
    res = collect(elastic, net, esol)
    short = res.demand[res.demand["unmet_t"] > 1e-6]
    lines.append("The least undelivered tonnes, by demand row:")
    for rec in short.itertuples(index=False):
        lines.append(f"  Demand row {rec.input_row} ({rec.commodity}, from {rec.origin} to {rec.market}): "
                     f"{rec.unmet_t:,.0f} t of {rec.demand_t:,.0f} t cannot be delivered.")
    caps = res.capacity[res.capacity["shadow_price_usd_per_t"] > 1e-6]
    if len(caps):
        lines.append("Full capacities that hold them back: " + short_list(
            f"{c.element} (Capacities row {c.input_row}: {c.capacity_t:,.0f} t)" for c in caps.itertuples()))
    pols = res.policies[res.policies["saving_per_t_relaxed_usd"] > 1e-6]
    if len(pols):
        lines.append("Binding policy rules: " + short_list(
            f"{p.rule} ({p.kind} {p.value:g} on {p.scope} {p.target}, Policies row {p.input_row})"
            for p in pols.itertuples()))
    sup = res.supply[res.supply["value_of_more_supply_usd_per_t"] > 1e-6]
    if len(sup):
        lines.append("Exhausted supply: " + short_list(
            f"{s.commodity} from {s.origin} (Supply row {s.input_row}: {s.max_t:,.0f} t)" for s in sup.itertuples()))
    lines.append("Fix: raise those capacities or limits, lower the demand, or set unmet_penalty_usd_per_t in "
                 "Settings to solve with undelivered tonnes.")
    return "\n".join(lines)


def _minimums(net: Network) -> str:
    mins = [f"Supply row {s.row} ({s.commodity} from {s.origin}: at least {s.min_t:,.0f} t)"
            for s in net.supply_rows if s.min_t > 0]
    mins += [f"Policies row {p.row} ({p.rule}: {p.kind} {p.value:g} on {p.scope} {p.target})"
             for p in net.policy_limits if not p.is_max]
    return "Minimum commitments: " + (short_list(mins) if mins else "none") + "."
