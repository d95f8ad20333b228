"""The LP stated in Pyomo: the readable algebra of model.lp.families.

build_model(data, net) is the single-period model; build_plan(plan) one block per case of a plan,
linked by the investments Build[o, y] they share. Each module adds its own components: flows.py
(Flow, Unmet, demand and supply rows), investments.py (Build), capacity.py, policies.py (Shipped
and the rules), costs.py (the objective). Each component is named as its family and carries its
family's first docstring line as doc; the maths are the family's docstring. The statement reads the
input tables (m.tables: model.lp.statement.tables), not the Network (model.network) the assembled LP
is built from: which flows exist, which of them each row counts and what a tonne costs are worked
out again from the sheets, so that tests/test_lp.py, holding the two LPs identical, checks the
Network's memberships and cost formula against the maths. From the Network it takes only the
observation bands corridor calibrate sets on it (net.bands), which are no sheet.
`corridor solve --builder pyomo` solves through this statement (model.lp.statement.compile).
"""

from __future__ import annotations

import pyomo.environ as pyo

from model.input.data import CorridorData
from model.lp.statement.capacity import add_capacity, options_of
from model.lp.statement.costs import add_cost_params, add_costs, add_plan_costs, annual_cost
from model.lp.statement.flows import add_flows
from model.lp.statement.investments import add_investments, add_plan_investments
from model.lp.statement.observations import add_bands
from model.lp.statement.policies import add_policies
from model.lp.statement.seasons import add_seasons
from model.lp.statement.tables import Tables
from model.network import Network
from model.network.build import investment_options
from model.plan import Plan


def build_model(data: CorridorData, net: Network) -> pyo.ConcreteModel:
    """The single-period corridor allocation LP for validated data (net: only its observation bands)."""
    m = pyo.ConcreteModel(name=data.scenario_name)
    m.tables = Tables(data)
    add_flows(m, data)
    add_investments(m, data)
    add_capacity(m)
    add_policies(m)
    add_bands(m, net.bands, net.band_penalty_usd_per_t)
    add_seasons(m, data)
    add_costs(m, data)
    return m


def build_plan(plan: Plan) -> pyo.ConcreteModel:
    """The LP of a plan of several years and/or scenarios (model.plan): one block per case
    (m.case[i], with the single-period flows, capacity and policy rows of that case's data),
    linked by the investments Build[o, y] that all cases share."""
    m = pyo.ConcreteModel(name=plan.data.scenario_name)
    m.plan = plan
    add_plan_investments(m, plan)

    def case(b: pyo.Block, i: int) -> None:
        c = plan.cases[i]
        b.tables = Tables(c.data)
        add_flows(b, c.data)
        b.in_service = {o: m.Build[o, c.period.index] for o in m.OPTIONS}
        b.options_of = options_of(investment_options(c.data), b.tables.capacities)
        add_capacity(b)
        add_policies(b)
        add_bands(b, c.net.bands, c.net.band_penalty_usd_per_t)
        add_seasons(b, c.data)
        add_cost_params(b, c.data)
        b.annual_cost = pyo.Expression(rule=annual_cost, doc=annual_cost.__doc__.splitlines()[0])  # type: ignore[union-attr]  # it has one

    m.case = pyo.Block(range(len(plan.cases)), rule=case, doc="One block per (scenario, year) of the plan")
    add_plan_costs(m)
    return m
