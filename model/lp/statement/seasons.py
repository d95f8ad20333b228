"""The seasons (families SeasonFlow, SeasonSplit, SeasonCapacity, SeasonDemand of model.lp.families,
where the maths are): stated only with a Seasons sheet that has rows."""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from model.input.data import CorridorData
from model.input.seasons import season_table
from model.lp.families import SEASON_CAPACITY, SEASON_DEMAND, SEASON_FLOW, SEASON_SPLIT
from model.lp.statement.capacity import options_of
from model.network.build import investment_options


def season_split(m: pyo.Block, k: str, r: str) -> Any:
    """sum_s SeasonFlow[k,r,s] - Flow[k,r] = 0."""
    return sum(m.SeasonFlow[k, r, s] for s in m.SEASONS) - m.Flow[k, r] == 0


def season_capacity(m: pyo.Block, row: int, s: str) -> Any:
    """sum_{(k,r) through element, of its classes} passes * SeasonFlow[k,r,s] - share[s] * sum_o Build[o]
    <= the season's capacity."""
    lim = m.season_limit[row, s]
    users = m.tables.capacity_flows(lim)
    if not users:
        return pyo.Constraint.Skip
    added = sum(m.in_service[o] for o in m.season_options[row])
    return sum(n * m.SeasonFlow[k, r, s] for (k, r), n in users) - m.season_share[s] * added <= lim.capacity_t


def season_demand(m: pyo.Block, row: int, s: str) -> Any:
    """sum_{(k,r) serving the annual Demand row} SeasonFlow[k,r,s] <= the season's demand."""
    d = m.season_demand_of[row, s]
    serving = m.tables.demand_flows(m.demand[d.annual_row])
    if not serving:
        return pyo.Constraint.Skip
    return sum(m.SeasonFlow[k, r, s] for k, r in serving) <= d.demand_t


def add_seasons(m: pyo.Block, data: CorridorData) -> None:
    """SEASONS and the seasonal columns and rows, when the case has seasons (after add_flows and the investments)."""
    seasons = season_table(data)
    if seasons is None:
        return
    m.SEASONS = pyo.Set(initialize=list(seasons.share), ordered=True, doc="Seasons, in the order of the Seasons sheet")
    m.season_share = pyo.Param(m.SEASONS, initialize=seasons.share, doc="Fraction of the year")
    m.SeasonFlow = pyo.Var(m.FLOWS, m.SEASONS, domain=pyo.NonNegativeReals, doc=SEASON_FLOW.summary())
    m.season_split = pyo.Constraint(m.FLOWS, rule=season_split, doc=SEASON_SPLIT.summary())
    m.season_limit = {(x.row, x.season): x for x in seasons.limits}
    m.season_options = options_of(investment_options(data), seasons.limits)  # type: ignore[arg-type]  # limits
    m.SEASON_LIMITS = pyo.Set(dimen=2, initialize=list(m.season_limit), ordered=True,
                              doc="(Capacities row, season): the season's own row, or the annual row x share")
    m.season_capacity = pyo.Constraint(m.SEASON_LIMITS, rule=season_capacity, doc=SEASON_CAPACITY.summary())
    m.season_demand_of = {(d.row, d.season): d for d in seasons.demands}
    m.SEASON_DEMANDS = pyo.Set(dimen=2, initialize=list(m.season_demand_of), ordered=True,
                               doc="(Demand row, season): the season's own row, or the annual row's rest by shares")
    m.season_demand = pyo.Constraint(m.SEASON_DEMANDS, rule=season_demand, doc=SEASON_DEMAND.summary())
