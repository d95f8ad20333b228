"""The value of the stochastic solution of a robust plan: what planning for the base case alone
would cost more, in expectation, than the plan robust to the scenarios."""

from __future__ import annotations

import dataclasses
from typing import Any

import highspy
import numpy as np
import pandas as pd

from model.lp.families import BUILD, INVESTMENT_FAMILIES, OPENED
from model.lp.highs import Solution, option
from model.lp.solve import solve_plan
from model.network.build import build_network
from model.plan import BASE, Case, Plan, for_year


def case_costs(plan: Plan, sol: Solution, x) -> dict[str, float]:
    """Each scenario's discounted cost (years weighted and discounted, investments included) for the
    column values x of the plan's LP."""
    lp_cost = sol.highs.getLp().col_cost_  # type: ignore[union-attr]  # the robust solve's live model
    by_case = [0.0] * len(plan.cases)
    building = {p.index: 0.0 for p in plan.periods}
    costs = {BUILD.name: {o.option: o.annualised_cost_usd_per_t for o in plan.options},
             OPENED.name: {o.option: o.fixed_cost_usd_per_yr for o in plan.options}}
    for j, key in enumerate(sol.columns):
        if key.case is not None:
            by_case[key.case] += lp_cost[j] * x[j]
        elif key.family in costs:
            building[key.index[1]] += costs[key.family][key.index[0]] * x[j]
    out: dict[str, float] = {}
    for i, case in enumerate(plan.cases):
        per = case.period
        out[case.scenario] = out.get(case.scenario, 0.0) + by_case[i] / case.probability \
            + per.weight * per.discount * building[per.index]
    return out


def value_of_stochastic_solution(plan: Plan, sol: Solution, verbose: bool = False, options: dict | None = None):
    """(Robust sheet, Summary items): each scenario's probability and cost under the robust plan and
    under the plan made for the base case alone (its investments fixed, flows re-optimised per
    scenario); the expected costs and their difference, the value of the stochastic solution."""
    h = sol.highs
    assert h is not None, "the value of the stochastic solution re-solves the robust solve's own model"
    robust_x = list(h.getSolution().col_value)
    robust_cost = case_costs(plan, sol, robust_x)
    # the shared decisions: capacity added, and with whole steps or fixed costs their integer columns
    build_cols = [j for j, key in enumerate(sol.columns) if key.family in INVESTMENT_FAMILIES and key.case is None]
    bounds = []
    if build_cols:
        got = h.getCols(len(build_cols), np.asarray(build_cols, dtype=np.int32))
        bounds = list(zip(build_cols, got[3], got[4], strict=True))  # (status, count, costs, lower, upper, nnz)
    if not any(up > 0 for _, _, up in bounds):
        # nothing can be built: the plan for the base case alone is the robust plan
        base_build: dict[tuple[str, tuple[str, int]], float]  # (family, (option, year)) -> value
        fixed_ok, fixed_cost, fixed_objective, base_build = True, robust_cost, sol.objective_usd, {}
    else:
        base_cases = [dataclasses.replace(c, probability=1.0) for c in plan.cases if c.scenario == BASE]
        if not base_cases:  # the base case has probability 0 in the plan: build its cases anyway
            base_cases = [Case(BASE, 1.0, p, for_year(plan.data, p.year), build_network(for_year(plan.data, p.year)))
                          for p in plan.periods]
        bsol = solve_plan(Plan(plan.data, plan.periods, base_cases, [BASE]), verbose, options, ranging=False)
        # keyed (option, year); a base plan of one period is the single-period model, keyed by option
        base_build = {}
        if bsol.optimal:
            for j, key in enumerate(bsol.columns):
                if key.family in INVESTMENT_FAMILIES and key.case is None:
                    index = key.index if isinstance(key.index, tuple) else (key.index, 0)
                    base_build[(key.family, index)] = float(bsol.x[j])  # type: ignore[index]  # optimal: x read
        # Fix the robust LP's investments at the base plan's and re-solve from the robust basis with
        # the dual simplex (only bounds change); then restore the bounds and the solver.
        for j, _, _ in bounds:
            v = base_build.get((sol.columns[j].family, sol.columns[j].index), 0.0)
            h.changeColBounds(j, v, v)
        solver = option(h, "solver")
        h.setOptionValue("solver", "simplex")
        h.run()
        h.setOptionValue("solver", solver)
        fixed_ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        fixed_cost = case_costs(plan, sol, list(h.getSolution().col_value)) if fixed_ok else {}
        fixed_objective = h.getInfo().objective_function_value if fixed_ok else float("nan")
        for j, lo, up in bounds:
            h.changeColBounds(j, lo, up)
    probability = dict.fromkeys(plan.scenarios, 0.0)
    for c in plan.cases:
        probability[c.scenario] = c.probability
    rows: list[dict[str, Any]] = [{"scenario": s, "probability": probability[s],
             "robust_plan_cost_usd_total": robust_cost[s],
             "base_only_plan_cost_usd_total": fixed_cost.get(s, float("nan")),
             "difference_usd_total": fixed_cost.get(s, float("nan")) - robust_cost[s]} for s in plan.scenarios]
    table = pd.DataFrame(rows)
    expected = sum(r["probability"] * r["robust_plan_cost_usd_total"] for r in rows)
    vss = fixed_objective - sol.objective_usd
    built = {o: v for (family, (o, _)), v in base_build.items() if family == BUILD.name and v > 1e-6}
    items = [("expected objective (robust plan)", expected, "USD"),
             ("worst scenario objective (robust plan)", max(robust_cost.values()), "USD"),
             ("objective with the base-only plan", fixed_objective if fixed_ok else
              "infeasible: the base-only plan cannot serve every scenario", "USD"),
             ("value of the stochastic solution", vss if fixed_ok else "unbounded (base-only plan infeasible)",
              "USD"),
             ("base-only plan builds", ", ".join(f"{o} {v / 1e6:,.2f} Mt" for o, v in built.items()) or "nothing", "")]
    return table, items
