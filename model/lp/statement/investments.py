"""Investment options: capacity the model may add to a Capacities row, at an annualised cost
(families Build and BuildGrows of model.lp.families, where the maths are)."""

from __future__ import annotations

import pyomo.environ as pyo

from model.lp.families import BUILD, BUILD_GROWS


def build_bounds(m, o):
    """0 <= Build[o] <= max_added_t[o]; 0 when allow_investments is FALSE."""
    return (0.0, m.max_added_t[o] if m.allow_investments else 0.0)


def add_investments(m, data) -> None:
    net = m.net
    m.allow_investments = data.settings.allow_investments
    m.OPTIONS = pyo.Set(initialize=[o.option for o in net.options], ordered=True,
                        doc="Investment options, by id on the Investments sheet")
    m.max_added_t = pyo.Param(m.OPTIONS, initialize={o.option: o.max_added_t for o in net.options},
                              doc="Most capacity an option can add, t/yr")
    m.annualised_cost_usd_per_t = pyo.Param(
        m.OPTIONS, initialize={o.option: o.annualised_cost_usd_per_t for o in net.options},
        doc="Annualised cost of a tonne of annual capacity, USD/t per year")
    m.Build = pyo.Var(m.OPTIONS, bounds=build_bounds, doc=BUILD.summary())
    m.in_service = {o: m.Build[o] for o in m.OPTIONS}
    m.options_of = {c.row: [o.option for o in net.options_of(c)] for c in net.capacity_rows}


def build_grows(m, o, y):
    """Build[o, y] - Build[o, previous year] >= 0."""
    if y == m.YEARS.first():
        return pyo.Constraint.Skip
    return m.Build[o, y] - m.Build[o, m.YEARS.prev(y)] >= 0


def add_plan_investments(m, plan) -> None:
    """Investments shared by every case of a plan: Build[o, y] is the capacity option o has in
    service in year y (t/yr), 0 before the option can be in service (first_year + lead time);
    in a plan without years, y is the one period (index 0)."""
    options = plan.options
    m.allow_investments = plan.data.settings.allow_investments
    m.OPTIONS = pyo.Set(initialize=[o.option for o in options], ordered=True,
                        doc="Investment options, by id on the Investments sheet")
    m.YEARS = pyo.Set(initialize=[p.index for p in plan.periods], ordered=True, doc="Planned years")
    m.max_added_t = pyo.Param(m.OPTIONS, initialize={o.option: o.max_added_t for o in options})
    m.annualised_cost_usd_per_t = pyo.Param(
        m.OPTIONS, initialize={o.option: o.annualised_cost_usd_per_t for o in options})
    start = {o.option: o.in_service_from for o in options}

    def bounds(m, o, y):
        available = not plan.multi_year or start[o] is None or y >= start[o]
        return (0.0, m.max_added_t[o] if m.allow_investments and available else 0.0)

    m.Build = pyo.Var(m.OPTIONS, m.YEARS, bounds=bounds, doc=BUILD.summary())
    m.build_grows = pyo.Constraint(m.OPTIONS, m.YEARS, rule=build_grows, doc=BUILD_GROWS.summary())
