"""The objective: the annual cost of moving the cargo, plus undelivered tonnes."""

from __future__ import annotations

import pyomo.environ as pyo

from model.inputs import CorridorData


def total_cost(m):
    """Least annual cost of delivering the demand.

    min  sum_{(k,r) in FLOWS} cost_usd_per_t[k,r] * Flow[k,r]  +  unmet_penalty_usd_per_t * sum_d Unmet[d]
         + sum_{o in OPTIONS} annualised_cost_usd_per_t[o] * Build[o]
    cost_usd_per_t[k,r] = transport + handling + time + risk (network.CostParts):
      transport = sum over legs of the leg cost (class tariff where given)
      handling  = sum over nodes of the handling cost (class tariff where given)
      time      = value_k * carrying_cost_rate * (transit days + dwell days) / 365
      risk      = value_k * sum over the route's distinct countries of risk_premium_pct / 100
    Units: USD per year.
    """
    shipping = sum(m.cost_usd_per_t[f] * m.Flow[f] for f in m.FLOWS)
    building = sum(m.annualised_cost_usd_per_t[o] * m.Build[o] for o in m.OPTIONS)
    if m.has_unmet:
        return shipping + building + m.unmet_penalty_usd_per_t * sum(m.Unmet[d] for d in m.DEMANDS)
    return shipping + building


def add_costs(m, data: CorridorData) -> None:
    net = m.net
    m.cost_usd_per_t = pyo.Param(m.FLOWS, initialize={f: net.cost[f].total for f in net.flows},
                                 doc="Cost of one tonne of k on route r, USD/t")
    if m.has_unmet:
        m.unmet_penalty_usd_per_t = pyo.Param(initialize=data.settings["unmet_penalty_usd_per_t"],
                                              doc="Cost of an undelivered tonne, USD/t")
    m.total_cost = pyo.Objective(rule=total_cost, sense=pyo.minimize, doc=total_cost.__doc__.splitlines()[0])
