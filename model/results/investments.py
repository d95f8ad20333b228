"""The Investments sheet: what to build, what it costs, what its capacity is worth, and for an
option built whole, in modules or with a fixed cost, what deciding it the other way would cost.

With integer decisions the capacity values and reduced costs are those of the LP with the
decisions fixed (model.lp.mip): a terminal not built has no shadow price of its own, so its sheet
row gives instead the exact cost of building it (a MIP re-solved with it forced), and one built
the cost of doing without it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from model.data import CorridorData
from model.lp.families import BUILD, CAPACITY_LIMIT, MODULES, OPENED
from model.lp.highs import View
from model.network import Network, Option

INVESTMENT_COLUMNS = ["option", "adds_to", "cargo_class", "decision", "built_t", "modules_built", "cost_usd",
                      "other_decision_usd", "max_added_t", "lumpy", "module_t", "annualised_cost_usd_per_t",
                      "fixed_cost_usd_per_yr", "utilisation", "capacity_value_usd_per_t", "reduced_cost_usd_per_t",
                      "element", "input_row"]


def _clean(x: float, scale: float = 1.0) -> float:
    return 0.0 if abs(x) <= 1e-9 * max(1.0, abs(scale)) else float(x)


def amount_text(t: float) -> str:
    """Tonnes a year in words: Mt from 10,000 t, else t."""
    return f"{t / 1e6:,.2f} Mt" if t >= 1e4 else f"{t:,.0f} t"


def money_text(usd: float, unit: str = "USD/yr") -> str:
    """'12.3 M USD/yr' from 100,000 USD, else '1,234 USD/yr' (unit USD/yr or USD)."""
    return f"{usd / 1e6:,.1f} M {unit}" if abs(usd) >= 1e5 else f"{usd:,.0f} {unit}"


def steps_text(o: Option, built_t: float) -> str:
    """How an option is built, in words: 'whole (3.00 Mt)', '2 modules of 0.50 Mt', '1.20 Mt'."""
    mt = amount_text(built_t)
    if o.lumpy:
        return f"whole ({mt})"
    if o.module_t:
        n = round(built_t / o.module_t)
        return f"{n} module{'s' if n != 1 else ''} of {amount_text(o.module_t)} ({mt})"
    return mt


def decision_text(o: Option, built_t: float, allowed: bool, reduced_cost: float) -> str:
    if not allowed:
        return "would pay (not allowed)" if reduced_cost < -1e-9 else "would not pay"
    if built_t <= 1e-6:
        return "do not build"
    if o.integer:
        return "build " + steps_text(o, built_t) + (" (fixed cost paid)" if o.opens else "")
    if built_t >= o.max_added_t - 1e-6 * max(1.0, o.max_added_t):
        return "build to the limit"
    return f"build {amount_text(built_t)}"


def investment_table(data: CorridorData, net: Network, sol: View, capacity: pd.DataFrame,
                     other: dict[str, float | None] | None = None) -> pd.DataFrame:
    """One row per option. other: option -> the objective's rise if decided the other way
    (model.lp.mip.other_decision_costs), for the options with integer decisions."""
    other = other or {}
    shadow = {c.row: sol.relaxation_value(CAPACITY_LIMIT.name, c.row) for c in net.capacity_rows}
    rows = []
    for o in net.options:
        built = _clean(sol.value(BUILD.name, o.option), o.max_added_t)
        opened = sol.value(OPENED.name, o.option) > 0.5
        rc = _clean(sol.reduced_costs.get(BUILD.name, {}).get(o.option, 0.0), o.annualised_cost_usd_per_t)
        value = sum(shadow[c.row] for c in net.capacity_rows if o in net.options_of(c))
        mine = capacity[(capacity["element"] == o.element) & (capacity["cargo_class"] == (o.cargo_class or "all"))]
        use = mine["utilisation"].iloc[0] if len(mine) else None
        modules = sol.value(MODULES.name, o.option) if o.whole else float("nan")
        cost = built * o.annualised_cost_usd_per_t + (o.fixed_cost_usd_per_yr if opened else 0.0)
        rows.append({"option": o.option, "adds_to": net.names.element(o.element), "element": o.element,
                     "cargo_class": o.cargo_class or "all",
                     "decision": decision_text(o, built, data.settings.allow_investments, rc),
                     "built_t": built, "modules_built": round(modules) if modules == modules else math.nan,
                     "cost_usd": cost, "other_decision_usd": _other(other.get(o.option), o.option in other),
                     "max_added_t": o.max_added_t, "lumpy": o.lumpy,
                     "module_t": o.module_t if o.module_t else math.nan,
                     "annualised_cost_usd_per_t": o.annualised_cost_usd_per_t,
                     "fixed_cost_usd_per_yr": o.fixed_cost_usd_per_yr, "utilisation": use,
                     "capacity_value_usd_per_t": _clean(value),
                     # with integer decisions the LP's reduced cost of Build is that of the fixed LP: not
                     # what the option is worth (other_decision_usd is)
                     "reduced_cost_usd_per_t": math.nan if o.integer and sol.mip is not None else rc,
                     "input_row": o.row})
    return pd.DataFrame(rows, columns=INVESTMENT_COLUMNS)


def _other(value: float | None, known: bool):
    if not known:
        return math.nan
    return "not possible" if value is None else _clean(value)


@dataclass
class Decisions:
    """The integer decisions of a solve (options built whole, in modules or with a fixed cost): what
    building in whole steps costs against divisible capacity, how sure the answer is, and each
    decision with the cost of taking it the other way."""

    count: int = 0
    objective_usd: float = math.nan
    relaxation_usd: float = math.nan  # the LP relaxation: every option divisible
    bound_usd: float = math.nan
    gap: float = math.nan
    unit: str = "USD/yr"
    decisions: list[tuple[str, str]] = field(default_factory=list)  # (option, decision and its alternative)

    @property
    def whole_steps_cost_usd(self) -> float:
        return self.objective_usd - self.relaxation_usd

    def rows(self) -> list[tuple[str, object, str]]:
        if not self.count:
            return []
        return [("integer decisions", f"{self.count} option{'s' if self.count != 1 else ''} built whole, in modules "
                 "or with a fixed cost: a mixed-integer program (HiGHS branch and bound)", ""),
                ("cost with divisible capacity (LP relaxation)", self.relaxation_usd, self.unit),
                ("what building in whole steps costs", self.whole_steps_cost_usd, self.unit),
                ("best bound (MIP)", self.bound_usd, self.unit), ("MIP gap", self.gap, "share"),
                ("shadow prices and reduced costs", "from the LP with the build decisions fixed at the MIP's: what "
                 "one more tonne is worth for the network these decisions build", ""),
                *[(f"decision {o}", text, "") for o, text in self.decisions]]

    def text(self) -> str:
        """One line for the console."""
        return (f"Integer decisions: {self.count} (MIP gap {self.gap:.2%}); with divisible capacity the cost would be "
                f"{money_text(self.relaxation_usd, self.unit)}, so building in whole steps costs "
                f"{money_text(self.whole_steps_cost_usd, self.unit)}")


def decisions_of(mip, objective_usd: float, investments: pd.DataFrame, unit: str) -> Decisions:
    """The Decisions of a solve with integer decisions (mip: model.lp.mip.MipInfo, or None)."""
    if mip is None:
        return Decisions()
    integer = investments[investments["modules_built"].notna() | (investments["fixed_cost_usd_per_yr"] > 0)]
    integer = integer.drop_duplicates("option", keep="last")  # a plan: the option's last year
    lines = []
    for rec in integer.itertuples(index=False):
        other = rec.other_decision_usd
        if isinstance(other, str):
            then = "; the other way is not possible"
        elif other != other:
            then = ""
        else:
            then = (f"; {'doing without it' if rec.built_t > 1e-6 else 'building it'} would cost "
                    f"{money_text(other, unit)} more")
        lines.append((rec.option, rec.decision + then))
    return Decisions(len(integer), objective_usd, mip.relaxation_usd, mip.bound_usd, mip.gap, unit, lines)
