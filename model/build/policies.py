"""Diversification rules and commitments from the Policies sheet."""

from __future__ import annotations

import pyomo.environ as pyo

def shipped_total(m, key):
    """Shipped[f] = sum of Flow[k, r] over every route r and every k matching commodity filter f:
    the tonnes a share rule with that filter takes its share of (the T of policy_limit). One
    column and one row per filter rather than every flow of the filter in every share row: a
    rule with target '*' over ten corridors would otherwise repeat all flows ten times."""
    return sum(m.Flow[f] for f in m.shipped_flows[key]) == m.Shipped[key]


def policy_limit(m, rule, target):
    """A share or tonnage limit on what passes a corridor, country, route, node or leg.

    With S = sum of Flow[k,r] over r in the rule's scope target and k matching its
    commodity filter, and T = Shipped[filter] (every Flow[k,r] of the same filter, shipped_total):
      max_share:  S <= value * T        min_share:  S >= value * T
      max_t:      S <= value            min_t:      S >= value
    for each (rule, target) in POLICY_LIMITS ('*' gives one target per name).
    Units: tonnes per year on both sides (value is a share 0-1 for share rules).
    """
    p = m.policy[rule, target]
    selected, total = m.policy_flows[rule, target]
    s = sum(m.Flow[f] for f in selected)
    if p.is_share and not total:
        return pyo.Constraint.Skip  # no flow of the filter at all: any share holds
    bound = p.value * m.Shipped[p.filter_key] if p.is_share else p.value
    if not selected:
        if p.is_max or (p.is_share and p.value == 0) or (not p.is_share and p.value <= 0):
            return pyo.Constraint.Skip  # nothing selected: the rule holds whatever is shipped
        if not p.is_share:
            return pyo.Constraint.Infeasible  # validation reports this case before the solve
    return s <= bound if p.is_max else s >= bound


def add_policies(m) -> None:
    net = m.net
    m.POLICY_LIMITS = pyo.Set(dimen=2, initialize=[(p.rule, p.target) for p in net.policy_limits],
                              ordered=True, doc="(rule, target) pairs; a '*' target gives one per name")
    m.policy = {(p.rule, p.target): p for p in net.policy_limits}
    m.policy_flows = {(p.rule, p.target): net.policy_flows(p) for p in net.policy_limits}
    m.shipped_flows = {}
    for p in net.policy_limits:
        if p.is_share and m.policy_flows[p.rule, p.target][1]:
            m.shipped_flows.setdefault(p.filter_key, m.policy_flows[p.rule, p.target][1])
    m.SHARE_FILTERS = pyo.Set(initialize=list(m.shipped_flows), ordered=True,
                              doc="commodity filters of the share rules ('*': every commodity)")
    m.Shipped = pyo.Var(m.SHARE_FILTERS, domain=pyo.NonNegativeReals,
                        doc="tonnes a year shipped of each share rule's commodity filter, over all routes")
    m.shipped_total = pyo.Constraint(m.SHARE_FILTERS, rule=shipped_total, doc=shipped_total.__doc__.splitlines()[0])
    m.policy_limit = pyo.Constraint(m.POLICY_LIMITS, rule=policy_limit, doc=policy_limit.__doc__.splitlines()[0])
