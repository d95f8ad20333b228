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


def solve_case(path: str | Path, verbose: bool = False, options: dict | None = None,
               scenario: str | None = None) -> Run:
    """Solve a workbook or CSV folder (with a scenario applied, if named); raise InputError or
    NoSolutionError with the reason."""
    data, net, warnings = load(path, scenario)
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
    conflict = conflicting_rows(net, sol)
    if conflict:
        lines.append("These rows of the workbook cannot all hold at once; relaxing any one of them removes "
                     "this conflict:")
        lines += [f"  {text}" for text in conflict]
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
        origin = "any origin" if rec.origin == "any" else rec.origin
        lines.append(f"  Demand row {rec.input_row} ({rec.commodity}, from {origin} to {rec.market}): "
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


IIS_STRATEGY = 6  # HiGHS: form an infeasible set from the whole LP (2), then reduce it to an IIS (4)


def conflicting_rows(net: Network, sol: Solution) -> list[str]:
    """An irreducible infeasible subset of the constraints, in the workbook's rows.

    HiGHS's getIis with its default strategy returns an empty set on LPs; the whole-LP
    strategy reduced to an irreducible set names the rows."""
    import highspy

    h = sol.highs
    if h is None:
        return []
    h.setOptionValue("iis_strategy", IIS_STRATEGY)
    status, iis = h.getIis()
    if status != highspy.HighsStatus.kOk or not iis.valid_:
        return []
    demand = {d.row: d for d in net.demand_rows}
    supply = {s.row: s for s in net.supply_rows}
    capacity = {c.row: c for c in net.capacity_rows}
    policy = {(p.rule, p.target): p for p in net.policy_limits}
    out = []
    for i in iis.row_index_:
        con, index, _ = sol.rows[i]
        if con == "demand_balance":
            d = demand[index]
            out.append(f"Demand row {d.row}: {d.demand_t:,.0f} t of {d.commodity} from {d.origin or 'any origin'} "
                       f"to {d.market} must be delivered")
        elif con in ("supply_max", "supply_min"):
            s = supply[index]
            limit = f"at most {s.max_t:,.0f} t" if con == "supply_max" else f"at least {s.min_t:,.0f} t"
            out.append(f"Supply row {s.row}: {s.commodity} from {s.origin}, {limit}")
        elif con == "capacity_limit":
            c = capacity[index]
            cls = f" ({c.cargo_class} cargo)" if c.cargo_class else ""
            out.append(f"Capacities row {c.row}: {c.element}{cls} handles at most {c.capacity_t:,.0f} t")
        elif con == "policy_limit":
            p = policy[index]
            what = {"max_share": "at most {:.0%} of", "min_share": "at least {:.0%} of",
                    "max_t": "at most {:,.0f} t of", "min_t": "at least {:,.0f} t of"}[p.kind].format(p.value)
            goods = p.commodity or "all cargo"
            out.append(f"Policies row {p.row} ({p.rule}): {what} {goods} through {p.scope} {p.target}"
                       + (" (share of all shipped)" if p.is_share else ""))
    return out


def _minimums(net: Network) -> str:
    mins = [f"Supply row {s.row} ({s.commodity} from {s.origin}: at least {s.min_t:,.0f} t)"
            for s in net.supply_rows if s.min_t > 0]
    mins += [f"Policies row {p.row} ({p.rule}: {p.kind} {p.value:g} on {p.scope} {p.target})"
             for p in net.policy_limits if not p.is_max]
    return "Minimum commitments: " + (short_list(mins) if mins else "none") + "."
