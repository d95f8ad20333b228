"""Throughput limits of ports, border crossings and legs (family CapacityLimit of
model.lp.families, where the maths are)."""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from model.lp.families import CAPACITY_LIMIT


def capacity_limit(m: pyo.Block, c: int) -> Any:
    """sum_{(k,r) through e(c), of its classes} passes[r,e] * Flow[k,r] - sum_{o adding to c} Build[o]
    <= capacity_t[c]."""
    users = m.capacity_users[c]
    if not users:
        return pyo.Constraint.Skip
    added = sum(m.in_service[o] for o in m.options_of[c])
    return sum(passes * m.Flow[f] for f, passes in users) - added <= m.capacity_t[c]


def add_capacity(m: pyo.Block) -> None:
    net = m.net
    m.CAPACITIES = pyo.Set(initialize=[c.row for c in net.capacity_rows], ordered=True,
                           doc="Capacity rows, by their row number on the Capacities sheet")
    m.capacity_t = pyo.Param(m.CAPACITIES, initialize={c.row: c.capacity_t for c in net.capacity_rows},
                             doc="Annual throughput limit, t/yr")
    m.capacity_users = net.capacity_users()
    m.capacity_limit = pyo.Constraint(m.CAPACITIES, rule=capacity_limit, doc=CAPACITY_LIMIT.summary())
