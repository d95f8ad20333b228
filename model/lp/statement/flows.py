"""Flows, unmet demand, and the demand and supply rows (families Flow, Unmet, DemandBalance,
SupplyMax, SupplyMin of model.lp.families, where their maths are)."""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from model.input.data import CorridorData
from model.lp.families import DEMAND_BALANCE, FLOW, SUPPLY_MAX, SUPPLY_MIN, UNMET


def demand_balance(m: pyo.Block, d: int) -> Any:
    """sum_{(k,r) serving d} Flow[k,r] + Unmet[d] = demand_t[d]."""
    delivered = sum(m.Flow[f] for f in m.net.flows_of_demand(d))
    unmet = m.Unmet[d] if m.has_unmet else 0
    if not m.net.flows_of_demand(d) and not m.has_unmet:
        return pyo.Constraint.Skip  # nothing can serve it (validation reports it first)
    return delivered + unmet == m.demand_t[d]


def supply_max(m: pyo.Block, s: int) -> Any:
    """sum_{r leaving origin(s)} Flow[commodity(s), r] <= max_t[s]."""
    flows = m.net.flows_of_supply(m.supply[s])
    if not flows:
        return pyo.Constraint.Skip
    return sum(m.Flow[f] for f in flows) <= m.supply_max_t[s]


def supply_min(m: pyo.Block, s: int) -> Any:
    """sum_{r leaving origin(s)} Flow[commodity(s), r] >= min_t[s], for min_t > 0."""
    if not SUPPLY_MIN.present(m.supply_min_t[s]):
        return pyo.Constraint.Skip
    return sum(m.Flow[f] for f in m.net.flows_of_supply(m.supply[s])) >= m.supply_min_t[s]


def add_flows(m: pyo.Block, data: CorridorData) -> None:
    net = m.net
    m.FLOWS = pyo.Set(dimen=2, initialize=net.flows, ordered=True,
                      doc="(commodity, route) pairs: the route carries the commodity's class and serves its demand")
    m.DEMANDS = pyo.Set(initialize=[d.row for d in net.demand_rows], ordered=True,
                        doc="Demand rows, by their row number on the Demand sheet")
    m.SUPPLIES = pyo.Set(initialize=[s.row for s in net.supply_rows], ordered=True,
                         doc="Supply rows, by their row number on the Supply sheet")
    m.supply = {s.row: s for s in net.supply_rows}

    m.demand_t = pyo.Param(m.DEMANDS, initialize={d.row: d.demand_t for d in net.demand_rows},
                           doc="Tonnes per year that must reach the market")
    m.supply_max_t = pyo.Param(m.SUPPLIES, initialize={s.row: s.max_t for s in net.supply_rows},
                               doc="Most an origin can export, t/yr")
    m.supply_min_t = pyo.Param(m.SUPPLIES, initialize={s.row: s.min_t for s in net.supply_rows},
                               doc="Least an origin must export, t/yr")

    m.Flow = pyo.Var(m.FLOWS, domain=pyo.NonNegativeReals, doc=FLOW.summary())
    m.has_unmet = data.settings.unmet_penalty_usd_per_t is not None
    if m.has_unmet:
        m.Unmet = pyo.Var(m.DEMANDS, domain=pyo.NonNegativeReals, doc=UNMET.summary())

    m.demand_balance = pyo.Constraint(m.DEMANDS, rule=demand_balance, doc=DEMAND_BALANCE.summary())
    m.supply_max = pyo.Constraint(m.SUPPLIES, rule=supply_max, doc=SUPPLY_MAX.summary())
    m.supply_min = pyo.Constraint(m.SUPPLIES, rule=supply_min, doc=SUPPLY_MIN.summary())
