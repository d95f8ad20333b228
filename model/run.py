"""One case end to end: load -> build -> solve -> results, and infeasibility in words."""

from __future__ import annotations

import dataclasses
import gc
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import NoSolutionError, Problem, short_list
from model.inputs import CorridorData
from model.network import Network
from model.plan import BASE, Plan
from model.results import Results, collect, collect_plan
from model.progress import NoPhases
from model.solve import Solution, load_highs, solve_lp
from model.validate import load_plan

# Penalty used only to find out which demand cannot be met: far above any freight cost,
# small enough to keep the LP well scaled.
ELASTIC_PENALTY_USD_PER_T = 1.0e5


@dataclass
class Run:
    data: CorridorData
    net: Network
    model: object  # the Pyomo model when built with builder='pyomo', else None
    solution: Solution
    results: Results
    warnings: list[Problem]


def solve_case(path: str | Path, verbose: bool = False, options: dict | None = None,
               scenario: str | None = None, robust: str | None = None, builder: str = "fast",
               phases=None) -> Run:
    """Solve a workbook or CSV folder (with a scenario applied, if named; as a robust plan over the
    scenarios of `robust`, 'a,b', if given); raise InputError or NoSolutionError with the reason.
    A workbook with a Periods sheet, or a robust plan, is solved as one LP over all its cases.
    builder: 'fast' assembles the LP as arrays (model.fastlp), 'pyomo' builds the Pyomo model of
    model/build/ and compiles it; both give the identical LP (tests/test_fastlp.py)."""
    enabled = gc.isenabled()
    gc.disable()  # millions of small objects and no cycles: the collector's passes only cost time
    try:
        return _solve_case(path, verbose, options, scenario, robust, builder, phases)
    finally:
        if enabled:
            gc.enable()


def _solve_case(path, verbose, options, scenario, robust, builder, phases) -> Run:
    phases = phases or NoPhases()
    phases("reading")
    plan, warnings = load_plan(path, scenario, robust)
    if not plan.single:
        run = solve_plan(plan, path, warnings, verbose, options, builder, phases)
    else:
        data, net = plan.data, plan.cases[0].net
        m, sol = solve_plan_lp(plan, verbose, options, builder=builder, phases=phases)
        if not sol.optimal:
            raise NoSolutionError(explain_no_solution(data, net, sol, verbose))
        run = Run(data, net, m, sol, collect(data, net, sol, input_name=Path(path).name), warnings)
    phases("writing")
    summary = run.results.summary
    at = summary.index[summary["item"] == "solve time"]
    row = pd.DataFrame([("run time by phase", phases.text(), "")], columns=summary.columns)
    run.results.summary = pd.concat([summary.loc[: at[0]], row, summary.loc[at[0] + 1:]], ignore_index=True) \
        if len(at) else pd.concat([summary, row], ignore_index=True)
    return run


def solve_plan_lp(plan: Plan, verbose: bool = False, options: dict | None = None, ranging: bool = True,
                  builder: str = "fast", phases=None) -> tuple[object, Solution]:
    """(Pyomo model or None, Solution) of a plan's LP, built by the fast path or by Pyomo."""
    phases = phases or NoPhases()
    phases("building")
    if builder == "pyomo":
        from model.build import build_model, build_plan
        from model.solve import compile_model

        m = build_model(plan.data, plan.cases[0].net) if plan.single else build_plan(plan)
        lp, rows, columns = compile_model(m)
    else:
        from model.fastlp import build_lp

        m = None
        lp, rows, columns = build_lp(plan)
    h = load_highs(lp, verbose, options)
    bounds = (np.array(lp.row_lower_, dtype=float), np.array(lp.row_upper_, dtype=float))
    del lp  # HiGHS holds its own copy now: free ours before it solves (about 150 MB at 1M flows)
    return m, solve_lp(None, rows, columns, ranging=ranging, phases=phases, highs=h, row_bounds=bounds)


def single_plan(data: CorridorData, net: Network) -> Plan:
    from model.plan import Case, Period

    period = Period(None, 1.0, 1.0)
    return Plan(data, [period], [Case(BASE, 1.0, period, data, net)])


def solve_plan(plan: Plan, path, warnings, verbose: bool = False, options: dict | None = None,
               builder: str = "fast", phases=None) -> Run:
    """Solve a plan of several years and/or scenarios as one LP. For a robust plan, also solve
    the plan for the base case alone, fix its investments, and re-solve every scenario: the
    value of the stochastic solution is what planning for the base case alone would cost more."""
    m, sol = solve_plan_lp(plan, verbose, options, builder=builder, phases=phases)
    if not sol.optimal:
        raise NoSolutionError(_plan_no_solution(plan, sol, verbose))
    robust, extra = None, []
    if plan.robust:
        robust, extra = value_of_stochastic_solution(plan, m, sol, verbose, options)
    results = collect_plan(plan, sol, input_name=Path(path).name, robust=robust, extra_summary=extra)
    return Run(plan.data, plan.cases[0].net, m, sol, results, warnings)


def _plan_no_solution(plan: Plan, sol: Solution, verbose: bool) -> str:
    """Why a plan has no optimum: the first case that has none on its own, explained in its rows."""
    for case in plan.cases:
        one = Plan(plan.data, [case.period], [dataclasses.replace(case, probability=1.0)], [case.scenario])
        _, csol = solve_plan_lp(one, verbose, ranging=False)
        if not csol.optimal:
            where = " ".join(w for w in (f"scenario {case.scenario}" if plan.robust else "",
                                         f"year {case.period.year}" if plan.multi_year else "") if w)
            _, single = solve_plan_lp(single_plan(case.data, case.net), verbose, ranging=False)
            return f"In {where}: " + explain_no_solution(case.data, case.net, single, verbose)
    return (f"HiGHS stopped without an optimum for the plan as a whole (status: {sol.status}), though every year "
            "and scenario has one alone. Check the Investments first_year and lead times, and run with --verbose.")


def case_costs(plan: Plan, sol: Solution, x) -> dict[str, float]:
    """Each scenario's discounted cost (years weighted and discounted, investments included) for the
    column values x of the plan's LP."""
    lp_cost = sol.highs.getLp().col_cost_
    by_case = [0.0] * len(plan.cases)
    building = {p.index: 0.0 for p in plan.periods}
    costs = {o.option: o.annualised_cost_usd_per_t for o in plan.options}
    for j, (name, index) in enumerate(sol.columns):
        if "@" in name:
            by_case[int(name.rsplit("@", 1)[1])] += lp_cost[j] * x[j]
        elif name == "Build":
            building[index[1]] += costs[index[0]] * x[j]
    out: dict[str, float] = {}
    for i, case in enumerate(plan.cases):
        per = case.period
        out[case.scenario] = out.get(case.scenario, 0.0) + by_case[i] / case.probability \
            + per.weight * per.discount * building[per.index]
    return out


def value_of_stochastic_solution(plan: Plan, m, sol: Solution, verbose: bool, options: dict | None):
    """(Robust sheet, Summary items): each scenario's probability and cost under the robust plan and
    under the plan made for the base case alone (its investments fixed, flows re-optimised per
    scenario); the expected costs and their difference, the value of the stochastic solution."""
    import highspy

    h = sol.highs
    robust_x = list(h.getSolution().col_value)
    robust_cost = case_costs(plan, sol, robust_x)
    build_cols = [j for j, (name, _) in enumerate(sol.columns) if name == "Build"]
    bounds = []
    if build_cols:
        got = h.getCols(len(build_cols), np.asarray(build_cols, dtype=np.int32))
        bounds = list(zip(build_cols, got[3], got[4]))  # (status, count, costs, lower, upper, nnz)
    if not any(up > 0 for _, _, up in bounds):
        # nothing can be built: the plan for the base case alone is the robust plan
        fixed_ok, fixed_cost, fixed_objective, base_build = True, robust_cost, sol.objective_usd, {}
    else:
        base_data = plan.data
        base_cases = [dataclasses.replace(c, probability=1.0) for c in plan.cases if c.scenario == BASE]
        if not base_cases:  # the base case has probability 0 in the plan: build its cases anyway
            from model.network import build_network
            from model.plan import Case, for_year

            base_cases = [Case(BASE, 1.0, p, for_year(base_data, p.year),
                               build_network(for_year(base_data, p.year))) for p in plan.periods]
        base_plan = Plan(plan.data, plan.periods, base_cases, [BASE])
        _, bsol = solve_plan_lp(base_plan, verbose, options, ranging=False)
        # keyed (option, year); a base plan of one period is the single-period model, keyed by option
        base_build = {k if isinstance(k, tuple) else (k, 0): v
                      for k, v in (bsol.values.get("Build", {}) if bsol.optimal else {}).items()}
        # Fix the robust LP's investments at the base plan's and re-solve from the robust basis with
        # the dual simplex (only bounds change); then restore the bounds and the solver.
        for j, _, _ in bounds:
            v = base_build.get(sol.columns[j][1], 0.0)
            h.changeColBounds(j, v, v)
        solver = h.getOptionValue("solver")
        h.setOptionValue("solver", "simplex")
        h.run()
        h.setOptionValue("solver", solver[1] if isinstance(solver, tuple) else solver)
        fixed_ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        fixed_cost = case_costs(plan, sol, list(h.getSolution().col_value)) if fixed_ok else {}
        fixed_objective = h.getInfo().objective_function_value if fixed_ok else float("nan")
        for j, lo, up in bounds:
            h.changeColBounds(j, lo, up)
    probability = dict.fromkeys(plan.scenarios, 0.0)
    for c in plan.cases:
        probability[c.scenario] = c.probability
    rows = [{"scenario": s, "probability": probability[s], "robust_plan_cost_usd_total": robust_cost[s],
             "base_only_plan_cost_usd_total": fixed_cost.get(s, float("nan")),
             "difference_usd_total": fixed_cost.get(s, float("nan")) - robust_cost[s]} for s in plan.scenarios]
    table = pd.DataFrame(rows)
    expected = sum(r["probability"] * r["robust_plan_cost_usd_total"] for r in rows)
    vss = fixed_objective - sol.objective_usd
    built = {o: v for (o, _), v in base_build.items() if v > 1e-6}
    items = [("expected cost (robust plan)", expected, "USD"),
             ("worst scenario cost (robust plan)", max(robust_cost.values()), "USD"),
             ("objective with the base-only plan", fixed_objective if fixed_ok else
              "infeasible: the base-only plan cannot serve every scenario", "USD"),
             ("value of the stochastic solution", vss if fixed_ok else "unbounded (base-only plan infeasible)",
              "USD"),
             ("base-only plan builds", ", ".join(f"{o} {v / 1e6:,.2f} Mt" for o, v in built.items()) or "nothing", "")]
    return table, items


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
    _, esol = solve_plan_lp(single_plan(elastic, net), verbose, ranging=False)
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
