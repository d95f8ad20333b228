"""The objective: the annual cost of moving the cargo, plus undelivered tonnes."""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from model.input.data import CorridorData
from model.lp.families import WORST, WORST_CASE
from model.lp.statement.investments import fixed_costs


def total_cost(m: pyo.Block) -> Any:
    """Least annual cost of delivering the demand.

    min  sum_{(k,r) in FLOWS} cost_usd_per_t[k,r] * Flow[k,r]  +  unmet_penalty_usd_per_t * sum_d Unmet[d]
         + sum_{o in OPTIONS} annualised_cost_usd_per_t[o] * Build[o]
         + sum_{o with a fixed cost} fixed_cost_usd_per_yr[o] * Opened[o]
         + band_penalty_usd_per_t * sum_{o, side} BandMiss[o, side]      (when calibrating)
    cost_usd_per_t[k,r]: the Flow family's cost (model.lp.families.columns.Flow, where its formula is), worked
    out here from the sheets by model.lp.statement.tables (Tables.cost_parts), apart from model.network.costs.
    Units: USD per year.
    """
    shipping = sum(m.cost_usd_per_t[f] * m.Flow[f] for f in m.FLOWS)
    building = sum(m.annualised_cost_usd_per_t[o] * m.Build[o] for o in m.OPTIONS) + fixed_costs(m)
    return shipping + building + _penalties(m)


def _penalties(m: pyo.Block) -> Any:
    """unmet_penalty_usd_per_t * sum_d Unmet[d] (when a penalty is set) + band_penalty_usd_per_t *
    sum of BandMiss (when calibrating)."""
    out = 0
    if m.has_unmet:
        out = out + m.unmet_penalty_usd_per_t * sum(m.Unmet[d] for d in m.DEMANDS)
    if m.has_bands:
        out = out + m.band_penalty_usd_per_t * sum(m.BandMiss[o, side] for o in m.BANDS for side in ("short", "excess"))
    return out


def annual_cost(b: pyo.Block) -> Any:
    """One case's cost of moving the cargo in its year (USD/yr), before investments:
    sum_{(k,r)} cost_usd_per_t[k,r] * Flow[k,r] + unmet_penalty_usd_per_t * sum_d Unmet[d]."""
    return sum(b.cost_usd_per_t[f] * b.Flow[f] for f in b.FLOWS) + _penalties(b)


def add_cost_params(m: pyo.Block, data: CorridorData) -> None:
    t = m.tables
    m.cost_usd_per_t = pyo.Param(m.FLOWS, initialize={(k, r): t.cost_usd_per_t(k, r) for k, r in t.flows},
                                 doc="Cost of one tonne of k on route r, USD/t (model.lp.statement.tables)")
    if m.has_unmet:
        m.unmet_penalty_usd_per_t = pyo.Param(initialize=t.unmet_penalty_usd_per_t,
                                              doc="Cost of an undelivered tonne, USD/t")


def add_costs(m: pyo.Block, data: CorridorData) -> None:
    add_cost_params(m, data)
    m.total_cost = pyo.Objective(rule=total_cost, sense=pyo.minimize, doc=total_cost.__doc__.splitlines()[0])  # type: ignore[union-attr]  # it has one


def plan_cost(m: pyo.Block) -> Any:
    """Least expected, discounted cost of a plan of several years and/or scenarios.

    min  sum_{cases i} factor[i] * annual_cost[i]
         + sum_y weight[y] * discount[y] * (sum_o annualised_cost_usd_per_t[o] * Build[o, y]
                                             + sum_{o with a fixed cost} fixed_cost_usd_per_yr[o] * Opened[o, y])
         + worst_case_weight * Worst
    factor[i] = probability(scenario of i) * weight(year of i) * discount(year of i),
    discount[y] = 1 / (1 + discount_rate) ** (y - first year); probabilities add up to 1.
    Worst >= each scenario's discounted cost (worst_case rows), only when worst_case_weight > 0.
    Units: USD (discounted to the first year).
    """
    plan = m.plan
    cases = sum(c.factor * m.case[i].annual_cost for i, c in enumerate(plan.cases))
    return cases + sum(m.building[y] for y in m.YEARS) + (
        plan.worst_case_weight * m.Worst if plan.worst_case_weight > 0 else 0)


def add_plan_costs(m: pyo.Block) -> None:
    plan = m.plan
    factor = {p.index: p.weight * p.discount for p in plan.periods}

    def building(m: pyo.Block, y: int) -> Any:
        """Discounted cost of the capacity in service in year y, USD (its fixed costs included)."""
        return factor[y] * sum(m.annualised_cost_usd_per_t[o] * m.Build[o, y] for o in m.OPTIONS) + sum(
            m.fixed_cost_usd_per_yr[k] * m.Opened[k] for k in m.OPENING if k[1] == y)

    m.building = pyo.Expression(m.YEARS, rule=building, doc=building.__doc__)
    if plan.worst_case_weight > 0:
        m.Worst = pyo.Var(doc=WORST.summary())
        m.SCENARIOS = pyo.Set(initialize=plan.scenarios, ordered=True)

        def worst_case(m: pyo.Block, s: str) -> Any:
            """Worst >= sum over the years of scenario s: weight * discount * (annual cost + building)."""
            mine = [(i, c) for i, c in enumerate(plan.cases) if c.scenario == s]
            return m.Worst >= sum(c.period.weight * c.period.discount * m.case[i].annual_cost for i, c in mine) \
                + sum(m.building[y] for y in m.YEARS)

        m.worst_case = pyo.Constraint(m.SCENARIOS, rule=worst_case, doc=WORST_CASE.summary())
    m.total_cost = pyo.Objective(rule=plan_cost, sense=pyo.minimize, doc=plan_cost.__doc__.splitlines()[0])  # type: ignore[union-attr]  # it has one
