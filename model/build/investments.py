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
    m.options_of = {c.row: [o.option for o in net.options_of(c)] for c in net.capacity_rows}
