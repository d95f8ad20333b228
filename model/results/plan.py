"""The results of a plan of several years and/or scenarios: every case's tables, led by its
scenario (robust plans) and year (plans with a Periods sheet), and the Plan sheet of each case's
annual cost and its weight in the objective."""

from __future__ import annotations

import dataclasses

import pandas as pd

from model.lp.families import BUILD, OPENED, UNMET
from model.lp.highs import Solution, View
from model.network.costs import COST_PARTS
from model.plan import Case, Plan
from model.results.choice import ChoiceFacts
from model.results.fit import FitAnalyses, fit_summary
from model.results.investments import PLAN_TOTALS, decisions_of
from model.results.summary import Summary
from model.results.tables import COLUMNS, Results, collect, flow_tonnes

PLAN_SHEETS = ("flows", "corridors", "countries", "emissions", "capacity", "routes", "demand", "supply", "policies",
               "bottlenecks", "investments", "fit", "seasons")


def case_view(sol: Solution, i: int, case: Case) -> View:
    """Case i's solution as if it had been solved alone: its duals, reduced costs and cost ranges
    per tonne in that year's money, Build as the capacity in service in its year, and as objective
    its annual cost, investments in service included."""
    per = case.period
    view = sol.view(i, case.factor, year=per.index, build_factor=per.weight * per.discount)
    if sol.optimal:
        shipping = float(case.net.cost_total @ flow_tonnes(case.net, view))
        unmet = (case.data.settings.unmet_penalty_usd_per_t or 0.0) * sum(
            v for _, v in view.values.get(UNMET.name, {}).items())
        costs = {o.option: o.annualised_cost_usd_per_t for o in case.net.options}
        fixed = {o.option: o.fixed_cost_usd_per_yr for o in case.net.options}
        building = sum(costs[o] * x for o, x in view.values.get(BUILD.name, {}).items()) + sum(
            fixed[o] * x for o, x in view.values.get(OPENED.name, {}).items())
        view.objective_usd = shipping + unmet + building
    return view


def _lead(plan: Plan, case: Case) -> dict[str, object]:
    """The columns that lead every sheet of a plan: scenario (robust plans), year (with Periods)."""
    out: dict[str, object] = {}
    if plan.robust:
        out["scenario"] = case.scenario
    if plan.multi_year:
        out["year"] = case.period.year
    return out


def collect_plan(plan: Plan, sol: Solution, input_name: str | None = None, robust: pd.DataFrame | None = None,
                 robust_items: list | None = None, other: dict | None = None, mip=None,
                 found: dict[int, FitAnalyses] | None = None) -> Results:
    """The results of a plan (model.plan): each sheet holds every case's rows; a Plan sheet gives
    each case's annual cost and its weight in the objective; robust: the Robust sheet and its
    Summary items (model.analysis.robust); other and mip: as collect takes them; found: each case's
    FitAnalyses, by its position."""
    per_case = [collect(case.data, case.net, case_view(sol, i, case), input_name, other, mip, (found or {}).get(i))
                for i, case in enumerate(plan.cases)]
    tables = {}
    for name in PLAN_SHEETS:
        parts = []
        for case, res in zip(plan.cases, per_case, strict=True):
            df = getattr(res, name).copy()
            for j, (col, value) in enumerate(_lead(plan, case).items()):
                df.insert(j, col, value)
            parts.append(df)
        tables[name] = pd.concat(parts, ignore_index=True)
    # a decision taken the other way changes the whole plan: discounted USD and tonnes over its years, not a year's
    if plan.multi_year:
        tables["investments"] = tables["investments"].rename(columns=PLAN_TOTALS)
    rows = []
    for case, res in zip(plan.cases, per_case, strict=True):
        s = res.summary
        rows.append({"scenario": case.scenario, "year": case.period.year, "probability": case.probability,
                     "weight_years": case.period.weight, "discount_factor": case.period.discount,
                     "resource_cost_usd": s.money.resource_usd,
                     **{column: s.parts_usd.get(part, 0.0) for part, (_, column) in COST_PARTS.items()},
                     "unmet_penalty_usd": s.unmet_penalty_usd, "investment_cost_usd": s.investment_usd,
                     "annual_cost_usd": s.objective_usd,
                     "weighted_cost_usd_total": case.period.weight * case.period.discount * s.objective_usd,
                     "shipped_t": s.shipped_t, "unmet_t": s.unmet_t, "co2e_t": s.co2e_t})
    plan_sheet = pd.DataFrame(rows, columns=COLUMNS["Plan"])
    if not plan.robust:
        plan_sheet = plan_sheet.drop(columns=["scenario", "probability"])
    if not plan.multi_year:
        plan_sheet = plan_sheet.drop(columns=["year", "weight_years", "discount_factor"])
    first, data, settings = per_case[0].summary, plan.data, plan.data.settings
    last = plan.periods[-1]
    means = ("expected, " if plan.robust else "") + (
        f"over {plan.periods[0].year}-{last.year + last.weight - 1:g}, discounted to {plan.periods[0].year} at "  # type: ignore[operator]  # multi_year: every period has its year
        f"{settings.discount_rate or 0:.1%}" if plan.multi_year else "of one year") + (
        f", plus {plan.worst_case_weight:g} x the worst scenario's objective" if plan.worst_case_weight else "")
    scenarios = ", ".join(f"{c} ({p:.0%})" for c, p in dict.fromkeys((cs.scenario, cs.probability)
                                                                     for cs in plan.cases))
    summary = Summary(
        scenario=data.scenario_name, applied=data.scenario, overrides=list(data.overrides), status=sol.status,
        objective_usd=sol.objective_usd, flow_variables=sum(len(c.net.flows) for c in plan.cases),
        solver=first.solver, method=first.method, solve_seconds=first.solve_seconds, provenance=first.provenance,
        settings=settings, plan=True, objective_means=means,
        years=", ".join(p.label for p in plan.periods) if plan.multi_year else "one",
        robust_scenarios=scenarios if plan.robust else "none", robust=list(robust_items or []),
        fit=fit_summary(tables["fit"]),
        decisions=decisions_of(sol.mip if mip is None else mip, tables["investments"], other, "USD",
                               settings.unmet_penalty_usd_per_t, plan=plan.multi_year),
        co2e_leaves_out=tuple(dict.fromkeys(leg for c in plan.cases for leg in c.net.legs_without_distance)),
        choice=_choice(per_case))
    sheets = {"Plan": plan_sheet}
    if robust is not None:
        sheets["Robust"] = robust
    return Results(summary, tables["flows"], tables["corridors"], tables["countries"], tables["capacity"],
                   tables["routes"], tables["demand"], tables["supply"], tables["policies"], data.sources,
                   tables["bottlenecks"], tables["investments"], tables["fit"], tables["emissions"], sheets,
                   routes_sheet_rows=settings.routes_sheet_rows, routes_csv=settings.routes_csv,
                   seasons=tables["seasons"])


def _choice(per_case: list[Results]) -> ChoiceFacts | None:
    """A plan's route-choice facts (model.results.choice): the first case's, with the small routes of every case."""
    facts = [r.summary.choice for r in per_case if r.summary.choice is not None]
    if not facts:
        return None
    return dataclasses.replace(facts[0], unlisted_routes=sum(f.unlisted_routes for f in facts),
                               unlisted_t=sum(f.unlisted_t for f in facts))
