"""The Investments sheet: what to build, what it costs, what its capacity is worth, and for an
option built whole, in modules or with a fixed cost, what deciding it the other way would cost.
What a decision costs is said in resource cost (what is paid, and what time, risk and carbon cost:
model.lp.mip.Difference), with the objective's change, which also counts calibration premiums
(behaviour) and unmet tonnes at the penalty chosen in Settings, beside it where the two differ.

With integer decisions the capacity values and reduced costs are those of the LP with the
decisions fixed (model.lp.mip): a terminal not built has no shadow price of its own, so its sheet
row gives instead the exact cost of building it (a MIP re-solved with it forced), and one built
the cost of doing without it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from model.input.data import CorridorData
from model.input.schema import Allocation, Blank
from model.input.settings import Settings
from model.lp.families import BUILD, CAPACITY_LIMIT, MODULES, OPENED
from model.lp.highs import View
from model.lp.mip import Difference
from model.network import Network, Option
from model.results.money import mt_words
from model.results.seasons import added_capacity_value

INVESTMENT_COLUMNS = ["option", "adds_to", "cargo_class", "decision", "built_t", "modules_built", "cost_usd",
                      "other_decision_usd", "other_decision_objective_usd", "other_decision_unmet_t", "max_added_t",
                      "lumpy", "module_t", "annualised_cost_usd_per_t",
                      "fixed_cost_usd_per_yr", "utilisation", "capacity_value_usd_per_t", "reduced_cost_usd_per_t",
                      "element", "input_row"]
# In a plan these columns are the whole plan's (discounted USD, tonnes over its years): named as totals.
PLAN_TOTALS = {"other_decision_usd": "other_decision_usd_total",
               "other_decision_objective_usd": "other_decision_objective_usd_total",
               "other_decision_unmet_t": "other_decision_unmet_t_total"}


def least_cost_decisions(settings: Settings | None) -> list[str]:
    """Under allocation choice, the sentence that says what is built was decided by the least-cost solve
    (model.steps.allocated), for the Investments sheet and the console; none under least cost."""
    if settings is None or settings.allocation != Allocation.CHOICE:
        return []
    return ["Allocation choice: what is built is the least-cost solution's decision (every tonne on its cheapest "
            "route); the tonnes and tolls on the other sheets are the logit's split on the network so built."]


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
                     other: dict[str, Difference | None] | None = None) -> pd.DataFrame:
    """One row per option. other: option -> what deciding it the other way changes
    (model.lp.mip.other_decision_costs), for the options with integer decisions: its resource cost
    (other_decision_usd), the objective and the unmet tonnes."""
    other = other or {}
    shadow = {c.row: sol.relaxation_value(CAPACITY_LIMIT.name, c.row) for c in net.capacity_rows}
    rows = []
    for o in net.options:
        built = _clean(sol.value(BUILD.name, o.option), o.max_added_t)
        opened = sol.value(OPENED.name, o.option) > 0.5
        rc = _clean(sol.reduced_costs.get(BUILD.name, {}).get(o.option, 0.0), o.annualised_cost_usd_per_t)  # type: ignore[call-overload]  # {}: no Build columns
        value = sum(shadow[c.row] for c in net.capacity_rows if o in net.options_of(c)) + added_capacity_value(
            net, sol, o.element, o.cargo_class)  # with seasons: what a tonne built saves in each season, x its share
        mine = capacity[(capacity["element"] == o.element) & (capacity["cargo_class"] == (o.cargo_class or Blank.ALL))]
        use = mine["utilisation"].iloc[0] if len(mine) else None
        modules = sol.value(MODULES.name, o.option) if o.whole else float("nan")
        cost = built * o.annualised_cost_usd_per_t + (o.fixed_cost_usd_per_yr if opened else 0.0)
        rows.append({"option": o.option, "adds_to": net.names.element(o.element), "element": o.element,
                     "cargo_class": o.cargo_class or Blank.ALL,
                     "decision": decision_text(o, built, data.settings.allow_investments, rc),
                     "built_t": built, "modules_built": round(modules) if modules == modules else math.nan,
                     "cost_usd": cost, **_other(other.get(o.option), o.option in other),
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


def _other(d: Difference | None, known: bool) -> dict:
    """The Investments sheet's columns of a decision taken the other way."""
    if not known:
        return dict.fromkeys(("other_decision_usd", "other_decision_objective_usd", "other_decision_unmet_t"),
                             math.nan)
    if d is None:
        return {"other_decision_usd": "not possible", "other_decision_objective_usd": "not possible",
                "other_decision_unmet_t": math.nan}
    return {"other_decision_usd": _clean(d.resource_usd), "other_decision_objective_usd": _clean(d.objective_usd),
            "other_decision_unmet_t": _clean(d.unmet_t)}


def change_text(d: Difference, unit: str, penalty_usd_per_t: float | None, plan: bool, would: bool = True) -> str:
    """What a change costs, in words: 'would cost 119.4 M USD/yr more in resource cost', or 'would save
    ...'; where demand met differs, the tonnes (with the penalty named as the price chosen in
    Settings it is); where the objective's change prints otherwise, that too, with what it counts
    beyond the resource cost (model.lp.mip.Difference)."""
    cost, save = ("would cost", "would save") if would else ("costs", "saves")
    words = (f"{cost} {money_text(max(d.resource_usd, 0.0) + 0.0, unit)} more" if d.resource_usd >= -0.5
             else f"{save} {money_text(-d.resource_usd, unit)}") + " in resource cost"
    unmet = abs(d.unmet_t) >= 0.5
    if unmet:
        over = " over the plan's years" if plan else ""
        leave, deliver = ("leave", "deliver") if would else ("leaves", "delivers")
        words += (f" and {leave} {mt_words(d.unmet_t)} more demand unmet{over}" if d.unmet_t > 0
                  else f" and {deliver} {mt_words(-d.unmet_t)} of demand otherwise unmet{over}")
        if penalty_usd_per_t:
            words += f" (priced at {penalty_usd_per_t:,.0f} USD/t, the penalty chosen in Settings, not a cost)"
    if money_text(d.objective_usd, unit) != money_text(d.resource_usd, unit):
        counts = [*(["calibration premiums (behaviour, not paid)"] if abs(d.premiums_usd) >= 0.5 else []),
                  *(["unmet tonnes at the penalty"] if unmet and penalty_usd_per_t else [])]
        words += (f"; the model's objective, which also counts {' and '.join(counts) or 'terms beyond it'}, "
                  f"{'rises' if d.objective_usd >= 0 else 'falls'} by {money_text(abs(d.objective_usd), unit)}")
    return words


@dataclass
class Decisions:
    """The integer decisions of a solve (options built whole, in modules or with a fixed cost): what
    building in whole steps costs against divisible capacity (in resource cost, the objective's
    figures beside it, labelled), how sure the answer is, and each decision with the cost of taking
    it the other way."""

    count: int = 0
    relaxation_usd: float = math.nan  # the LP relaxation's objective: every option divisible
    relaxation_resource_usd: float = math.nan  # its resource cost
    whole_steps: Difference | None = None  # the solution chosen against the relaxation
    bound_usd: float = math.nan  # on the objective
    gap: float = math.nan
    unit: str = "USD/yr"
    penalty_usd_per_t: float | None = None  # the unmet-demand penalty chosen in Settings
    plan: bool = False  # several years: unmet tonnes over the plan's years
    decisions: list[tuple[str, str]] = field(default_factory=list)  # (option, decision and its alternative)

    @property
    def whole_steps_cost_usd(self) -> float:
        """What building in whole steps costs in resource cost."""
        return self.whole_steps.resource_usd if self.whole_steps is not None else math.nan

    def rows(self) -> list[tuple[str, object, str]]:
        if not self.count:
            return []
        steps = self.whole_steps or Difference(math.nan, math.nan, math.nan, math.nan)
        return [("integer decisions", f"{self.count} option{'s' if self.count != 1 else ''} built whole, in modules "
                 "or with a fixed cost: a mixed-integer program (HiGHS branch and bound)", ""),
                ("resource cost with divisible capacity (LP relaxation)", self.relaxation_resource_usd, self.unit),
                ("what building in whole steps costs (resource cost)", steps.resource_usd, self.unit),
                ("unmet demand more than with divisible capacity", steps.unmet_t,
                 "t over the plan's years" if self.plan else "t/yr"),
                ("objective with divisible capacity (LP relaxation)", self.relaxation_usd, self.unit),
                ("what building in whole steps adds to the objective", steps.objective_usd, self.unit),
                ("best bound on the objective (MIP)", self.bound_usd, self.unit), ("MIP gap", self.gap, "share"),
                ("shadow prices and reduced costs", "from the LP with the build decisions fixed at the MIP's: what "
                 "one more tonne is worth for the network these decisions build", ""),
                *[(f"decision {o}", text, "") for o, text in self.decisions]]

    def text(self) -> str:
        """One line for the console."""
        out = (f"Integer decisions: {self.count} (MIP gap {self.gap:.2%}); with divisible capacity the resource cost "
               f"would be {money_text(self.relaxation_resource_usd, self.unit)}")
        if self.whole_steps is None:
            return out
        return out + ", so building in whole steps " + change_text(self.whole_steps, self.unit, self.penalty_usd_per_t,
                                                                   self.plan, would=False)


def decisions_of(mip, investments: pd.DataFrame, other: dict[str, Difference | None] | None, unit: str,
                 penalty_usd_per_t: float | None, plan: bool = False) -> Decisions:
    """The Decisions of a solve with integer decisions (mip: model.lp.mip.MipInfo, or None; other:
    model.lp.mip.other_decision_costs)."""
    if mip is None:
        return Decisions()
    other = other or {}
    integer = investments[investments["modules_built"].notna() | (investments["fixed_cost_usd_per_yr"] > 0)]
    integer = integer.drop_duplicates("option", keep="last")  # a plan: the option's last year
    lines = []
    for rec in integer.itertuples(index=False):
        if rec.option not in other:
            then = ""
        elif other[rec.option] is None:
            then = "; the other way is not possible"
        else:
            then = (f"; {'doing without it' if rec.built_t > 1e-6 else 'building it'} "
                    + change_text(other[rec.option], unit, penalty_usd_per_t, plan))  # type: ignore[arg-type]  # not None: above
        lines.append((rec.option, rec.decision + then))
    return Decisions(len(integer), mip.relaxation_usd, mip.relaxation_resource_usd, mip.whole_steps, mip.bound_usd,
                     mip.gap, unit, penalty_usd_per_t, plan, lines)
