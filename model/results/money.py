"""Money in its kinds: the one place that splits what the model minimises into what a reader may call
a cost and what they may not.

The objective of a period is
    resource cost  = transport + handling + time + risk + surcharges paid + carbon + investment:
                     what is paid, and what time, risk and carbon cost (the economic figure);
  + calibration premiums  (the implied premiums corridor calibrate wrote: behaviour, never money);
  + unmet-demand penalty  (unmet tonnes x unmet_penalty_usd_per_t, a price chosen in Settings).
Every statement of what something costs (the console, the Summary and its brief, compare, stress,
sweep, frontier, explain, the report page) reads the resource cost from here, shows the premiums
apart, and gives unmet demand in tonnes with its penalty named as the price it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from model.network.costs import COST_PARTS, RESOURCE_PARTS, CostPart

# Labels of the Summary rows of the kinds (read back from a written workbook by the brief and the page).
RESOURCE_LABEL = "resource cost"
PREMIUMS_LABEL = COST_PARTS[CostPart.PREMIUM.word][0]
PENALTY_LABEL = "unmet demand penalty"
UNMET_LABEL = "unmet demand"
INVESTMENT_LABEL = "investment cost"
PENALTY_SETTING = "unmet_penalty_usd_per_t"
# A dual at least this share of the penalty, with demand unmet, is the penalty's, not a cost saved:
# a capacity between stranded cargo and its market is worth the penalty less the route's cost.
PENALTY_SHARE = 0.5


@dataclass(frozen=True)
class Money:
    """One period's objective in its kinds (USD/yr); parts_usd: COST_PARTS -> USD/yr."""

    parts_usd: dict[str, float] = field(default_factory=dict)
    investment_usd: float = 0.0
    unmet_t: float = 0.0
    penalty_usd_per_t: float | None = None  # None: demand is hard

    @property
    def resource_usd(self) -> float:
        """What is paid and what time, risk and carbon cost: every part but the premiums, plus investment."""
        return sum(self.parts_usd.get(p, 0.0) for p in RESOURCE_PARTS) + self.investment_usd

    @property
    def premiums_usd(self) -> float:
        return self.parts_usd.get(CostPart.PREMIUM.word, 0.0)

    @property
    def penalty_usd(self) -> float:
        return (self.penalty_usd_per_t or 0.0) * self.unmet_t

    @property
    def objective_usd(self) -> float:
        """What the model minimises: resource cost + premiums + penalty."""
        return self.resource_usd + self.premiums_usd + self.penalty_usd

    @classmethod
    def of_point(cls, point, penalty_usd_per_t: float | None = None) -> Money:
        """From a live model's point (model.lp.live.LivePoint, not imported: results import no solver;
        a sweep's or stress test's); a figure the point does not hold (no optimum) counts 0."""
        parts = {part: point.part_usd(part) or 0.0 for part in COST_PARTS}
        return cls(parts, point.investment_cost_usd or 0.0, point.unmet_t or 0.0, penalty_usd_per_t)

    @classmethod
    def of_items(cls, items: dict) -> Money:
        """From the Summary sheet's items (as written, or read back from a result workbook)."""
        parts = {part: _num(items.get(label, 0.0)) for part, (label, _) in COST_PARTS.items()}
        penalty = items.get(PENALTY_SETTING)
        return cls(parts, _num(items.get(INVESTMENT_LABEL, 0.0)), _num(items.get(UNMET_LABEL, 0.0)),
                   float(penalty) if isinstance(penalty, (int, float)) else None)

    def text(self) -> str:
        """'Resource cost 8,897.4 million USD/yr (transport ..., carbon 0.0); calibration premiums -197.8
        (behaviour, not paid); unmet 0.00 Mt': the console's and the brief's first figure."""
        shown = [(p, self.parts_usd.get(p, 0.0)) for p in RESOURCE_PARTS
                 if p != CostPart.SURCHARGE.word or abs(self.parts_usd.get(p, 0.0)) > 0.5]
        if abs(self.investment_usd) > 0.5:
            shown.append(("investment", self.investment_usd))
        out = (f"Resource cost {_m(self.resource_usd)} million USD/yr ("
               + ", ".join(f"{name} {_m(v)}" for name, v in shown) + ")")
        if abs(self.premiums_usd) > 0.5:
            out += f"; calibration premiums {_m(self.premiums_usd)} (behaviour, not paid)"
        return out + "; " + self.unmet_text()

    def unmet_text(self) -> str:
        """'unmet 0.00 Mt', or with a penalty 'unmet 53.29 Mt (priced at 1,000 USD/t, the penalty chosen in
        Settings: 53,290.0 million USD/yr of the objective, not a cost)'."""
        out = f"unmet {mt_words(self.unmet_t)}"
        if self.unmet_t > 0.5 and self.penalty_usd_per_t:
            out += (f" (priced at {self.penalty_usd_per_t:,.0f} USD/t, the penalty chosen in Settings: "
                    f"{_m(self.penalty_usd)} million USD/yr of the objective, not a cost)")
        return out


def mt_words(t: float, of: str = "") -> str:
    """Tonnes in words: million tonnes from 0.1 Mt up, else tonnes (of CO2e: of=' CO2e')."""
    t = t + 0.0  # no "-0"
    return f"{t / 1e6:,.2f} Mt{of}" if abs(t) >= 1e5 else f"{t:,.0f} t{of}"


# brief.py has its own _num and _m, different on purpose: there a missing item is NaN (shown as
# missing, tested with x == x) and a minus is U+2212 (the brief is typeset in the workbook and page);
# here a missing part counts 0 and the minus is ASCII, as this text reaches the console.
def _num(value) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return 0.0
    return out if out == out else 0.0


def _m(usd: float) -> str:
    return f"{usd / 1e6 + 0.0:,.1f}"


def set_by_penalty(value_usd_per_t: float, penalty_usd_per_t, unmet_t: float) -> bool:
    """A dual (what one more tonne of a limit is worth) is set by the unmet-demand penalty when demand
    goes unmet and the value is of the penalty's order: it delivers a stranded tonne (worth the
    penalty, less its route's cost) rather than saving a cost."""
    try:
        penalty = float(penalty_usd_per_t)
    except (TypeError, ValueError):
        return False
    return (unmet_t > 0.5 and math.isfinite(penalty) and penalty > 0
            and value_usd_per_t >= PENALTY_SHARE * penalty)


def penalty_words(penalty_usd_per_t: float) -> str:
    """How a value set by the penalty is named: never as a saving."""
    return (f"set by the unmet-demand penalty of {float(penalty_usd_per_t):,.0f} USD/t chosen in Settings "
            "(it delivers a stranded tonne), not a cost saved")


def plan_money_text(plan_sheet, means: str) -> str | None:
    """A plan's money in its kinds, over its years (the Plan sheet: each year's and scenario's row
    weighted by its probability, the years it stands for and its discount factor, as the objective
    weighs them): 'Resource cost X million USD (means); calibration premiums Y (behaviour, not
    paid); unmet Z Mt'. None for a Plan sheet written before the kinds were kept apart."""
    if plan_sheet is None or "resource_cost_usd" not in plan_sheet.columns:
        return None
    weight = 1.0
    for column in ("probability", "weight_years", "discount_factor"):
        if column in plan_sheet.columns:
            weight = weight * plan_sheet[column].astype(float)
    resource = float((weight * plan_sheet["resource_cost_usd"].astype(float)).sum())
    premiums = float((weight * plan_sheet["premium_usd"].astype(float)).sum()) if "premium_usd" in plan_sheet else 0.0
    years = plan_sheet["weight_years"].astype(float) if "weight_years" in plan_sheet.columns else 1.0
    chance = plan_sheet["probability"].astype(float) if "probability" in plan_sheet.columns else 1.0
    unmet = float((chance * years * plan_sheet["unmet_t"].astype(float)).sum())
    means = means.split(", plus ")[0]  # the worst scenario's weight is the objective's, not money
    return (f"Resource cost {_m(resource)} million USD ({means}); calibration premiums {_m(premiums)} (behaviour, "
            f"not paid); unmet {mt_words(unmet)} over the plan")
