"""Throughput limits of ports, border crossings and legs (family CapacityLimit of
model.lp.families, where the maths are)."""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from model.lp.families import CAPACITY_LIMIT
from model.network.types import CapacityRow, Option


def capacity_limit(m: pyo.Block, c: int) -> Any:
    """sum_{(k,r) in FLOWS: r passes element[c], k of class[c] (any, when blank)} passes[r, element[c]] * Flow[k,r]
    - sum_{o adding to c} Build[o] <= capacity_t[c]."""
    users = m.tables.capacity_flows(m.capacity[c])
    if not users or m.tables.seasonal:  # with seasons: stated per season (model.lp.statement.seasons)
        return pyo.Constraint.Skip
    added = sum(m.in_service[o] for o in m.options_of[c])
    return sum(passes * m.Flow[f] for f, passes in users) - added <= m.capacity_t[c]


def add_capacity(m: pyo.Block) -> None:
    rows = m.tables.capacities
    m.CAPACITIES = pyo.Set(initialize=[c.row for c in rows], ordered=True,
                           doc="Capacity rows, by their row number on the Capacities sheet")
    m.capacity = {c.row: c for c in rows}
    m.capacity_t = pyo.Param(m.CAPACITIES, initialize={c.row: c.capacity_t for c in rows},
                             doc="Annual throughput limit, t/yr")
    m.capacity_limit = pyo.Constraint(m.CAPACITIES, rule=capacity_limit, doc=CAPACITY_LIMIT.summary())


def options_of(options: list[Option], capacities: list[CapacityRow]) -> dict[int, list[str]]:
    """Capacities row -> the ids of the Investments options that add to it: the same element and cargo class."""
    return {c.row: [o.option for o in options if o.element == c.element and o.cargo_class == c.cargo_class]
            for c in capacities}
