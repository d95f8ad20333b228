"""Throughput limits of ports, border crossings and legs."""

from __future__ import annotations

import pyomo.environ as pyo


def capacity_limit(m, c):
    """Throughput of a port, crossing or leg stays within its capacity, plus what is built.

    sum_{(k,r): r passes e(c), class(k) in classes(c)} passes[r,e] * Flow[k,r]
        <= capacity_t[c] + sum_{o in OPTIONS adding to c} Build[o]
    for c in CAPACITIES (rows of the Capacities sheet; blank class = every class).
    In a plan of several years, Build[o] is Build[o, year]: the capacity in service that year.
    passes[r,e] is how often route r passes element e (1 on any ordinary path).
    Units: tonnes per year on both sides.
    """
    users = m.capacity_users[c]
    if not users:
        return pyo.Constraint.Skip
    added = sum(m.in_service[o] for o in m.options_of[c])
    return sum(passes * m.Flow[f] for f, passes in users) - added <= m.capacity_t[c]


def add_capacity(m) -> None:
    net = m.net
    m.CAPACITIES = pyo.Set(initialize=[c.row for c in net.capacity_rows], ordered=True,
                           doc="Capacity rows, by their row number on the Capacities sheet")
    m.capacity_t = pyo.Param(m.CAPACITIES, initialize={c.row: c.capacity_t for c in net.capacity_rows},
                             doc="Annual throughput limit, t/yr")
    m.capacity_users = net.capacity_users()
    m.capacity_limit = pyo.Constraint(m.CAPACITIES, rule=capacity_limit,
                                      doc=capacity_limit.__doc__.splitlines()[0])
