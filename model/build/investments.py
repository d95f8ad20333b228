"""Investment options: capacity the model may add to a Capacities row, at an annualised cost."""

from __future__ import annotations

import pyomo.environ as pyo


def build_bounds(m, o):
    """0 <= Build[o] <= max_added_t[o] (t/yr of annual capacity added); 0 when the setting
    allow_investments is FALSE (the option's reduced cost then still says what it would be worth)."""
    return (0.0, m.max_added_t[o] if m.allow_investments else 0.0)


def add_investments(m, data) -> None:
    net = m.net
    m.allow_investments = data.settings.get("allow_investments", True) is not False
    m.OPTIONS = pyo.Set(initialize=[o.option for o in net.options], ordered=True,
                        doc="Investment options, by id on the Investments sheet")
    m.max_added_t = pyo.Param(m.OPTIONS, initialize={o.option: o.max_added_t for o in net.options},
                              doc="Most capacity an option can add, t/yr")
    m.annualised_cost_usd_per_t = pyo.Param(
        m.OPTIONS, initialize={o.option: o.annualised_cost_usd_per_t for o in net.options},
        doc="Annualised cost of a tonne of annual capacity, USD/t per year")
    m.Build = pyo.Var(m.OPTIONS, bounds=build_bounds, doc="Annual capacity added by option o, t/yr")
    m.in_service = {o: m.Build[o] for o in m.OPTIONS}
    m.options_of = {c.row: [o.option for o in net.options_of(c)] for c in net.capacity_rows}


def add_plan_investments(m, plan) -> None:
    """Investments shared by every case of a plan: Build[o, y] is the capacity option o has in
    service in year y (t/yr); it never shrinks, and it is 0 before the option can be in service.

      0 <= Build[o, y] <= max_added_t[o]      (0 if y < first_year[o] + lead_time_years[o],
                                              or when allow_investments is FALSE)
      Build[o, y] >= Build[o, y-1]            for each year after the first (build_grows)
    In a plan without years, y is the one period (index 0)."""
    options = plan.options
    m.allow_investments = plan.data.settings.get("allow_investments", True) is not False
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

    m.Build = pyo.Var(m.OPTIONS, m.YEARS, bounds=bounds, doc="Annual capacity of option o in service in year y, t/yr")

    def build_grows(m, o, y):
        """Capacity once built stays: Build[o, y] >= Build[o, previous year]."""
        if y == m.YEARS.first():
            return pyo.Constraint.Skip
        return m.Build[o, y] - m.Build[o, m.YEARS.prev(y)] >= 0

    m.build_grows = pyo.Constraint(m.OPTIONS, m.YEARS, rule=build_grows, doc=build_grows.__doc__)
