"""Diversification rules and commitments from the Policies sheet, over the Shipped totals of their
commodity filters (families Shipped, ShippedTotal, PolicyLimit of model.lp.families)."""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from model.lp.families import CO2_ROW, INFEASIBLE, POLICY_LIMIT, SHARE_ROW, SHIPPED, SHIPPED_TOTAL, SKIP


def shipped_total(m: pyo.Block, key: str) -> Any:
    """sum_{(k,r) in FLOWS: k matches filter f} Flow[k,r] = Shipped[f]."""
    return sum(m.Flow[f] for f in m.shipped_flows[key]) == m.Shipped[key]


def policy_limit(m: pyo.Block, rule: str, target: str) -> Any:
    """S <= value * Shipped[f] (max_share), S >= value * Shipped[f] (min_share), S <= value (max_t),
    S >= value (min_t), with S = sum_{(k,r) in FLOWS: k matches the rule's filter, r passes its target} Flow[k,r]; and
    sum co2_t_per_t[k,r] * Flow[k,r] over the same flows <= value (max_co2_t, t CO2e/yr)."""
    p = m.policy[rule, target]
    selected, total = m.policy_flows[rule, target]
    form = POLICY_LIMIT.form(p, len(selected), len(total))
    if form == SKIP:
        return pyo.Constraint.Skip
    if form == INFEASIBLE:
        return pyo.Constraint.Infeasible  # a tonnage minimum nothing can count toward: validation reports it first
    if form == CO2_ROW:
        return sum(m.co2_t_per_t[f] * m.Flow[f] for f in selected) <= p.value
    s = sum(m.Flow[f] for f in selected)
    if form == SHARE_ROW:
        # written as sign * (S - value * T) <= 0, the orientation of the assembled row
        return POLICY_LIMIT.sign(p) * (s - p.value * m.Shipped[p.filter_key]) <= 0
    return s <= p.value if p.is_max else s >= p.value


def add_policies(m: pyo.Block) -> None:
    """POLICY_LIMITS from the Policies sheet (a '*' target: one per name its scope's enabled routes pass),
    the flows each counts worked out from the paths (m.tables), Shipped and the rules over them."""
    t = m.tables
    m.POLICY_LIMITS = pyo.Set(dimen=2, initialize=[(p.rule, p.target) for p in t.policy_limits],
                              ordered=True, doc="(rule, target) pairs; a '*' target gives one per name")
    m.policy = {(p.rule, p.target): p for p in t.policy_limits}
    m.policy_flows = {(p.rule, p.target): t.policy_flows(p) for p in t.policy_limits}
    m.shipped_flows = {}
    for p in t.policy_limits:
        if p.is_share and m.policy_flows[p.rule, p.target][1]:
            m.shipped_flows.setdefault(p.filter_key, m.policy_flows[p.rule, p.target][1])
    m.SHARE_FILTERS = pyo.Set(initialize=list(m.shipped_flows), ordered=True,
                              doc="commodity filters of the share rules ('*': every commodity)")
    if any(p.is_co2 for p in t.policy_limits):  # the CO2e of a tonne of each flow, for the CO2e caps (max_co2_t)
        m.co2_t_per_t = pyo.Param(m.FLOWS, initialize={(k, r): t.co2_t_per_t(r) for k, r in t.flows},
                                  doc="CO2e emitted by a tonne of k on route r, t CO2e/t")
    m.Shipped = pyo.Var(m.SHARE_FILTERS, domain=pyo.NonNegativeReals, doc=SHIPPED.summary())
    m.shipped_total = pyo.Constraint(m.SHARE_FILTERS, rule=shipped_total, doc=SHIPPED_TOTAL.summary())
    m.policy_limit = pyo.Constraint(m.POLICY_LIMITS, rule=policy_limit, doc=POLICY_LIMIT.summary())
