"""Investment options: capacity the model may add to a Capacities row, at an annualised cost, in any
amount, in whole steps (Modules, an integer) or with a fixed cost paid if anything is built
(Opened, 0 or 1). The families of model.lp.families.investments hold the maths."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyomo.environ as pyo

from model.lp.families import BUILD, BUILD_GROWS, BUILD_IN_MODULES, BUILD_NEEDS_OPENING, MODULES, OPENED, available
from model.lp.statement.capacity import options_of
from model.network.build import investment_options  # the Investments sheet's rows, as options

if TYPE_CHECKING:
    from model.input.data import CorridorData
    from model.network import Option
    from model.plan import Plan


def build_bounds(m: pyo.Block, o: str) -> tuple[float, float]:
    """0 <= Build[o] <= max_added_t[o]; 0 when allow_investments is FALSE."""
    return (0.0, m.max_added_t[o] if m.allow_investments else 0.0)


def add_investments(m: pyo.Block, data: CorridorData) -> None:
    options = investment_options(data)
    m.allow_investments = data.settings.allow_investments
    m.OPTIONS = pyo.Set(initialize=[o.option for o in options], ordered=True,
                        doc="Investment options, by id on the Investments sheet")
    m.max_added_t = pyo.Param(m.OPTIONS, initialize={o.option: o.max_added_t for o in options},
                              doc="Most capacity an option can add, t/yr")
    m.annualised_cost_usd_per_t = pyo.Param(
        m.OPTIONS, initialize={o.option: o.annualised_cost_usd_per_t for o in options},
        doc="Annualised cost of a tonne of annual capacity, USD/t per year")
    m.Build = pyo.Var(m.OPTIONS, bounds=build_bounds, doc=BUILD.summary())
    m.in_service = {o: m.Build[o] for o in m.OPTIONS}
    m.options_of = options_of(options, m.tables.capacities)
    _add_decisions(m, options, list(m.OPTIONS), {o.option: 1.0 for o in options})


def build_in_modules(m: pyo.Block, *key: Any) -> Any:
    """Build[o] - unit_t[o] * Modules[o] = 0 (in a plan, for each (o, y))."""
    k = _key(key)
    return m.Build[k] - m.unit_t[key[0]] * m.Modules[k] == 0


def build_needs_opening(m: pyo.Block, *key: Any) -> Any:
    """Build[o] - max_added_t[o] * Opened[o] <= 0 (in a plan, for each (o, y))."""
    k = _key(key)
    return m.Build[k] - m.max_added_t[key[0]] * m.Opened[k] <= 0


def _add_decisions(m: pyo.Block, options: list[Option], keys: list[Any], factor: dict[Any, float]) -> None:
    """Modules (whole steps) for the options built whole or in modules, Opened (0 or 1) for those with
    a fixed cost, over the Build keys given (options, or (option, year) pairs), and the rows that tie
    them to Build. factor: key -> what a USD of that key's year weighs (the fixed cost's weight)."""
    by_id = {o.option: o for o in options}
    opt = {k: by_id[k[0] if isinstance(k, tuple) else k] for k in keys}

    def upper(k: Any, most: float) -> float:
        return most if m.Build[k].ub > 0 else 0.0

    m.unit_t = pyo.Param([o.option for o in options if o.whole],
                         initialize={o.option: o.unit_t for o in options if o.whole},
                         doc="Size of one whole step, t/yr")
    dimen = 2 if keys and isinstance(keys[0], tuple) else 1
    m.STEPPED = pyo.Set(initialize=[k for k in keys if opt[k].whole], dimen=dimen, ordered=True,
                        doc="Options (by year in a plan) built in whole steps")
    m.OPENING = pyo.Set(initialize=[k for k in keys if opt[k].opens], dimen=dimen, ordered=True,
                        doc="Options (by year in a plan) with a fixed cost")
    m.Modules = pyo.Var(m.STEPPED, domain=pyo.NonNegativeIntegers, doc=MODULES.summary(),
                        bounds=lambda m, *k: (0, upper(_key(k), opt[_key(k)].max_units)))
    m.Opened = pyo.Var(m.OPENING, domain=pyo.NonNegativeIntegers, doc=OPENED.summary(),
                       bounds=lambda m, *k: (0, upper(_key(k), 1)))
    m.fixed_cost_usd_per_yr = {k: factor[k] * opt[k].fixed_cost_usd_per_yr for k in m.OPENING}
    m.build_in_modules = pyo.Constraint(m.STEPPED, rule=build_in_modules, doc=BUILD_IN_MODULES.summary())
    m.build_needs_opening = pyo.Constraint(m.OPENING, rule=build_needs_opening, doc=BUILD_NEEDS_OPENING.summary())


def _key(k: tuple[Any, ...]) -> Any:
    """A Pyomo index as the Build key: the option alone, or (option, year)."""
    return k[0] if len(k) == 1 else tuple(k)


def fixed_costs(m: pyo.Block) -> Any:
    """sum_{o opened} fixed_cost_usd_per_yr[o] * Opened[o] (weighted and discounted by year in a plan)."""
    return sum(m.fixed_cost_usd_per_yr[k] * m.Opened[k] for k in m.OPENING)


def build_grows(m: pyo.Block, o: str, y: int) -> Any:
    """Build[o, y] - Build[o, previous year] >= 0."""
    if y == m.YEARS.first():
        return pyo.Constraint.Skip
    return m.Build[o, y] - m.Build[o, m.YEARS.prev(y)] >= 0


def add_plan_investments(m: pyo.Block, plan: Plan) -> None:
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

    by_id = {o.option: o for o in options}
    period = {p.index: p for p in plan.periods}

    def bounds(m: pyo.Block, o: str, y: int) -> tuple[float, float]:
        return (0.0, m.max_added_t[o] if m.allow_investments and available(plan, by_id[o], period[y]) else 0.0)

    m.Build = pyo.Var(m.OPTIONS, m.YEARS, bounds=bounds, doc=BUILD.summary())
    m.build_grows = pyo.Constraint(m.OPTIONS, m.YEARS, rule=build_grows, doc=BUILD_GROWS.summary())
    _add_decisions(m, options, [(o, y) for o in m.OPTIONS for y in m.YEARS],
                   {(o.option, p.index): p.weight * p.discount for o in options for p in plan.periods})
