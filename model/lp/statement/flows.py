"""Flows, unmet demand, and the demand and supply rows (families Flow, Unmet, DemandBalance,
SupplyMax, SupplyMin of model.lp.families, where their maths are)."""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from model.input.data import CorridorData
from model.lp.families import DEMAND_BALANCE, FLOW, SUPPLY_MAX, SUPPLY_MIN, UNMET


def demand_balance(m: pyo.Block, d: int) -> Any:
    """sum_{(k,r) in FLOWS: k = commodity[d], r ends at market[d] (and starts at origin[d], if given)}
    Flow[k,r] + Unmet[d] = demand_t[d]."""
    serving = m.tables.demand_flows(m.demand[d])
    if not serving and not m.has_unmet:
        return pyo.Constraint.Skip  # nothing can serve it (validation reports it first)
    unmet = m.Unmet[d] if m.has_unmet else 0
    return sum(m.Flow[f] for f in serving) + unmet == m.demand_t[d]


def supply_max(m: pyo.Block, s: int) -> Any:
    """sum_{(k,r) in FLOWS: k = commodity[s], r starts at origin[s]} Flow[k,r] <= max_t[s]."""
    leaving = m.tables.supply_flows(m.supply[s])
    if not leaving:
        return pyo.Constraint.Skip
    return sum(m.Flow[f] for f in leaving) <= m.supply_max_t[s]


def supply_min(m: pyo.Block, s: int) -> Any:
    """sum_{(k,r) in FLOWS: k = commodity[s], r starts at origin[s]} Flow[k,r] >= min_t[s], for min_t > 0."""
    if not SUPPLY_MIN.present(m.supply_min_t[s]):
        return pyo.Constraint.Skip
    return sum(m.Flow[f] for f in m.tables.supply_flows(m.supply[s])) >= m.supply_min_t[s]


def add_flows(m: pyo.Block, data: CorridorData) -> None:
    """FLOWS, DEMANDS, SUPPLIES from the sheets (m.tables: model.lp.statement.tables); Flow, Unmet and the
    demand and supply rows over them."""
    t = m.tables
    m.FLOWS = pyo.Set(dimen=2, initialize=t.flows, ordered=True,
                      doc="(commodity, route) pairs: an enabled route from a Demand row's origin (any, when blank) "
                          "to its market, carrying the commodity's class, from an origin it may leave (Supply)")
    m.DEMANDS = pyo.Set(initialize=[d.row for d in t.demand], ordered=True,
                        doc="Demand rows, by their row number on the Demand sheet")
    m.SUPPLIES = pyo.Set(initialize=[s.row for s in t.supply], ordered=True,
                         doc="Supply rows, by their row number on the Supply sheet")
    m.demand = {d.row: d for d in t.demand}
    m.supply = {s.row: s for s in t.supply}

    m.demand_t = pyo.Param(m.DEMANDS, initialize={d.row: d.demand_t for d in t.demand},
                           doc="Tonnes per year that must reach the market")
    m.supply_max_t = pyo.Param(m.SUPPLIES, initialize={s.row: s.max_t for s in t.supply},
                               doc="Most an origin can export, t/yr")
    m.supply_min_t = pyo.Param(m.SUPPLIES, initialize={s.row: s.min_t for s in t.supply},
                               doc="Least an origin must export, t/yr")

    m.Flow = pyo.Var(m.FLOWS, domain=pyo.NonNegativeReals, doc=FLOW.summary())
    m.has_unmet = t.unmet_penalty_usd_per_t is not None
    if m.has_unmet:
        m.Unmet = pyo.Var(m.DEMANDS, domain=pyo.NonNegativeReals, doc=UNMET.summary())

    m.demand_balance = pyo.Constraint(m.DEMANDS, rule=demand_balance, doc=DEMAND_BALANCE.summary())
    m.supply_max = pyo.Constraint(m.SUPPLIES, rule=supply_max, doc=SUPPLY_MAX.summary())
    m.supply_min = pyo.Constraint(m.SUPPLIES, rule=supply_min, doc=SUPPLY_MIN.summary())
