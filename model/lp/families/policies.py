"""The policy families: what a commodity filter ships (shipped_total) and the rules of the Policies
sheet (policy_limit), each in the form its kind and its flows give it (RowForm)."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np

from model.errors import number_text
from model.input.settings import Settings
from model.lp.families.base import (
    EQ,
    GE,
    LE,
    Bound,
    CaseLP,
    Cell,
    Change,
    Coefficient,
    Family,
    Structural,
    share_text,
    tonnes_text,
)
from model.lp.families.columns import Flow, Shipped
from model.network import Network
from model.network import RuleLimit as Limit

if TYPE_CHECKING:
    pass


class ShippedTotal(Family):
    r"""Shipped[f] is the tonnes shipped of commodity filter f, over all routes.

    **Sets.** $\Phi$ as for Shipped; $F_f$ the flows whose commodity matches $f$.

    $$
    \sum_{(k,r) \in F_f} \mathrm{Flow}_{kr} - \mathrm{Shipped}_f = 0 \qquad f \in \Phi
    $$

    The $T$ of a share rule (policy_limit): one column and one row per filter rather than every flow of
    the filter in every share row (a rule with target `*` over ten corridors would otherwise repeat all
    flows ten times). Tonnes per year on both sides.
    """

    name = "shipped_total"

    def emit(self, c: CaseLP) -> None:
        done = set()
        for p in c.net.policy_limits:
            key = p.filter_key
            if p.is_share and key in c.shipped and key not in done:
                done.add(key)
                total = c.net.policy_index(p)[1]
                c.row(self, key, EQ, np.append(total + c.first, c.shipped[key]),
                      np.append(np.ones(len(total)), -1.0), 0.0)

    def label(self, net: Network, index: Any) -> str:
        return f"the total of {'every commodity' if index == '*' else index} shipped, which share rules bound"


class RowForm(Enum):
    """How a policy limit is written, from its kind, value and how many flows it selects."""

    SKIP = "skip"
    INFEASIBLE = "infeasible"
    SHARE_ROW = "share"
    TONNES_ROW = "tonnes"
    CO2_ROW = "co2"


SKIP, INFEASIBLE, SHARE_ROW, TONNES_ROW, CO2_ROW = RowForm  # the members under their short names


class PolicyLimit(Family):
    r"""A share, tonnage or CO2e limit on what passes a corridor, country, route, node or leg.

    **Sets.** $P$ the (rule, target) pairs of the Policies sheet (`*` gives one target per name in the
    scope); $F_p$ the flows through $p$'s target whose commodity matches its filter $f(p)$.
    **Parameters.** $\mathit{value}_p$ (Policies: a share 0-1, tonnes a year, or t CO2e a year);
    $e_{kr}$ the CO2e of a tonne (as for Flow). With $S_p = \sum_{(k,r) \in F_p} \mathrm{Flow}_{kr}$
    and $T_p = \mathrm{Shipped}_{f(p)}$:

    $$
    \begin{aligned}
    \text{max\_share:}\quad & S_p - \mathit{value}_p \, T_p \le 0 &
    \text{min\_share:}\quad & \mathit{value}_p \, T_p - S_p \le 0 \\
    \text{max\_t:}\quad & S_p \le \mathit{value}_p &
    \text{min\_t:}\quad & S_p \ge \mathit{value}_p \\
    \text{max\_co2\_t:}\quad & \textstyle\sum_{(k,r) \in F_p} e_{kr} \, \mathrm{Flow}_{kr} \le \mathit{value}_p
    \end{aligned}
    $$

    No row where the rule cannot bind (form() gives SKIP). A binding rule's shadow price is what
    relaxing it by one tonne (of cargo, or of CO2e) saves a year (Policies and Bottlenecks sheets).
    """

    name = "policy_limit"
    sheet = "Policies"
    planner_facing = True
    bottleneck = True
    inputs = (("Policies", "value"),)

    @staticmethod
    def form(p: Limit, selected: int, total: int, value: float | None = None) -> RowForm:
        """SKIP (the rule holds whatever is shipped), INFEASIBLE (a tonnage minimum no flow can
        count toward: validation reports it first), SHARE_ROW, TONNES_ROW or CO2_ROW."""
        value = p.value if value is None else value
        if p.is_co2:
            return CO2_ROW if selected else SKIP  # a cap on what nothing emits holds
        if p.is_share and not total:
            return SKIP  # no flow of the filter at all: any share holds
        if not selected:
            if p.is_max or (p.is_share and value == 0) or (not p.is_share and value <= 0):
                return SKIP  # nothing selected: the rule holds whatever is shipped
            if not p.is_share:
                return INFEASIBLE
        return SHARE_ROW if p.is_share else TONNES_ROW

    @staticmethod
    def sign(p: Limit) -> float:
        """+1 for a maximum, -1 for a minimum: the row is sign * (S - value T) <= 0."""
        return 1.0 if p.is_max else -1.0

    def emit(self, c: CaseLP) -> None:
        for p in c.net.policy_limits:
            selected, total = c.net.policy_index(p)
            form = self.form(p, len(selected), len(total))
            if form == SKIP:
                continue
            if form == INFEASIBLE:
                raise ValueError(f"policy {p.rule} on {p.target} selects no flow")  # validation reports it first
            if form == SHARE_ROW:
                sign = self.sign(p)
                c.row(self, (p.rule, p.target), LE, np.append(selected + c.first, c.shipped[p.filter_key]),
                      np.append(np.full(len(selected), sign), -sign * p.value), 0.0)
            elif form == CO2_ROW:
                c.row(self, (p.rule, p.target), LE, selected + c.first, c.net.co2_t_per_t[selected], p.value)
            else:
                c.row(self, (p.rule, p.target), LE if p.is_max else GE, selected + c.first,
                      np.ones(len(selected)), p.value)

    def label(self, net: Network, index: Any) -> str:
        p = net.policy_by_key[index]
        if p.is_co2:
            return (f"Policies row {p.row} ({p.rule}): at most {number_text(p.value)} t CO2e a year from "
                    f"{net.names.cargoes(p.commodity)} through {net.names.target(p.scope, p.target)}")
        if p.is_share:
            what = f"{'at most' if p.is_max else 'at least'} {share_text(p.value)} of"
        else:
            what = f"{'at most' if p.is_max else 'at least'} {tonnes_text(p.value)} of"
        return (f"Policies row {p.row} ({p.rule}): {what} {net.names.cargoes(p.commodity)} through "
                f"{net.names.target(p.scope, p.target)}"
                + (" (share of all shipped)" if p.is_share else ""))

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list[Change]:
        out: list[Change] = []
        for p in (q for q in net.policy_limits if q.row == cell.row):
            selected, total = net.policy_index(p)
            form = self.form(p, len(selected), len(total))
            if self.form(p, len(selected), len(total), value) != form:
                raise Structural(cell.label)
            if form == SHARE_ROW:
                out.append(Coefficient(self.name, (p.rule, p.target), Shipped.name, p.filter_key,
                                       -self.sign(p) * value))
            elif form in (TONNES_ROW, CO2_ROW):
                out.append(Bound(self.name, (p.rule, p.target), value))
        return out

    def co2_changes(self, net: Network, before: np.ndarray, after: np.ndarray) -> list[Coefficient]:
        """The coefficients of the CO2e caps (max_co2_t) when the CO2e per tonne of the flows moves
        from `before` to `after` (arrays in flow order): a Coefficient for each flow of a cap whose
        CO2e changed. Its rows exist or not whatever the CO2e (form() depends on the flows selected)."""
        out = []
        moved = after != before
        for p in (q for q in net.policy_limits if q.is_co2):
            selected = net.policy_index(p)[0]
            for i in selected[moved[selected]].tolist():
                out.append(Coefficient(self.name, (p.rule, p.target), Flow.name, net.flows[i], float(after[i])))
        return out
