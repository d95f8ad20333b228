"""The row families: the rows of one case (demand, supply, capacity, shipped totals, policy rules)
and the row a robust plan's cases share (worst_case); the investment rows are in
model.lp.families.investments."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np

from model.errors import number_text
from model.lp.arrays import LPArrays
from model.lp.families.base import (EQ, GE, LE, Bound, CaseLP, Cell, Change, Coefficient, Family, Structural, share_text,
                                    tonnes_text)
from model.lp.families.columns import Flow, Shipped
from model.network import Network, RuleLimit as Limit
from model.input.settings import Settings

if TYPE_CHECKING:
    from model.plan import Plan

class DemandBalance(Family):
    r"""Every demand row is met by its flows, or counted as unmet.

    **Sets.** $D$ the demand rows (Demand); $F_d$ the flows serving $d$: $k$ is $d$'s commodity, $r$
    ends at $d$'s market and starts at $d$'s origin (any origin when blank).
    **Parameters.** $\mathit{demand\_t}_d$ (Demand).

    $$
    \sum_{(k,r) \in F_d} \mathrm{Flow}_{kr} + \mathrm{Unmet}_d = \mathit{demand\_t}_d \qquad d \in D
    $$

    Tonnes per year on both sides; Unmet only when a penalty is set. The dual is the marginal cost of
    one more tonne of demand at the market (the Demand sheet).
    """

    name = "demand_balance"
    sheet = "Demand"
    planner_facing = True
    inputs = (("Demand", "demand_t"),)

    def emit(self, c: CaseLP) -> None:
        for d in c.net.demand_rows:
            cols = c.net.demand_index(d.row) + c.first
            if d.row in c.unmet:
                cols = np.append(cols, c.unmet[d.row])
            if len(cols):
                c.row(self, d.row, EQ, cols, np.ones(len(cols)), d.demand_t)

    def label(self, net: Network, index: Any) -> str:
        d = net.demand_by_row[index]
        words = net.names
        return (f"Demand row {d.row}: {tonnes_text(d.demand_t)} of {words.cargo(d.commodity)} from "
                f"{words.place(d.origin) if d.origin else 'any origin'} to {words.place(d.market)} must be delivered")

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list[Change]:
        return [Bound(self.name, cell.row, value)]


class SupplyMax(Family):
    r"""An origin exports at most what it can supply.

    **Sets.** $S$ the supply rows (Supply); $F_s$ the flows of $s$'s commodity leaving $s$'s origin.
    **Parameters.** $\mathit{max\_t}_s$ (Supply).

    $$
    \sum_{(k,r) \in F_s} \mathrm{Flow}_{kr} \le \mathit{max\_t}_s \qquad s \in S,\ F_s \ne \emptyset
    $$

    Tonnes per year on both sides. Its shadow price is the value of more supply (Supply sheet, and the
    Bottlenecks sheet where it binds).
    """

    name = "supply_max"
    sheet = "Supply"
    planner_facing = True
    bottleneck = True
    inputs = (("Supply", "max_t"),)

    def emit(self, c: CaseLP) -> None:
        for s in c.net.supply_rows:
            cols = c.net.supply_index(s) + c.first
            if len(cols):
                c.row(self, s.row, LE, cols, np.ones(len(cols)), s.max_t)

    def label(self, net: Network, index: Any) -> str:
        s = net.supply_by_row[index]
        return (f"Supply row {s.row}: {net.names.cargo(s.commodity)} from {net.names.place(s.origin)}, "
                f"at most {tonnes_text(s.max_t)}")

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list[Change]:
        return [Bound(self.name, cell.row, value)]


class SupplyMin(Family):
    r"""An origin exports at least its committed minimum.

    **Sets and parameters** as supply_max, with $\mathit{min\_t}_s$ (Supply).

    $$
    \sum_{(k,r) \in F_s} \mathrm{Flow}_{kr} \ge \mathit{min\_t}_s \qquad s \in S,\ \mathit{min\_t}_s > 0
    $$

    Tonnes per year on both sides; a minimum of 0 is no row. Its shadow price is the cost of the
    commitment.
    """

    name = "supply_min"
    sheet = "Supply"
    planner_facing = True
    bottleneck = True
    inputs = (("Supply", "min_t"),)

    def emit(self, c: CaseLP) -> None:
        for s in c.net.supply_rows:
            if self.present(s.min_t):
                cols = c.net.supply_index(s) + c.first
                c.row(self, s.row, GE, cols, np.ones(len(cols)), s.min_t)

    @staticmethod
    def present(min_t: float) -> bool:
        """A minimum of 0 is no row."""
        return min_t > 0

    def label(self, net: Network, index: Any) -> str:
        s = net.supply_by_row[index]
        return (f"Supply row {s.row}: {net.names.cargo(s.commodity)} from {net.names.place(s.origin)}, "
                f"at least {tonnes_text(s.min_t)}")

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list[Change]:
        if self.present(value) != self.present(net.supply_by_row[cell.row].min_t):
            raise Structural(cell.label)
        return [Bound(self.name, cell.row, value)] if self.present(value) else []


class CapacityLimit(Family):
    r"""Throughput of a port, crossing or leg stays within its capacity, plus what is built.

    **Sets.** $C$ the capacity rows (Capacities); $e(c)$ the row's node or leg and $\kappa(c)$ its
    cargo classes (blank: every class); $F_c$ the flows $(k, r)$ with $r$ passing $e(c)$ and $k$ of a
    class in $\kappa(c)$; $B_c$ the investment options adding to $c$ (Investments).
    **Parameters.** $\mathit{capacity\_t}_c$ (Capacities); $n_{re}$ how often route $r$ passes element
    $e$ (1 on any ordinary path).

    $$
    \sum_{(k,r) \in F_c} n_{r e(c)} \, \mathrm{Flow}_{kr} - \sum_{o \in B_c} \mathrm{Build}_o
    \le \mathit{capacity\_t}_c \qquad c \in C,\ F_c \ne \emptyset
    $$

    Tonnes per year on both sides; in a plan $\mathrm{Build}_o$ is $\mathrm{Build}_{o,y}$, the capacity
    in service that year. Its shadow price is what one more tonne of capacity saves a year (Capacity
    and Bottlenecks sheets).
    """

    name = "capacity_limit"
    sheet = "Capacity"
    planner_facing = True
    bottleneck = True
    inputs = (("Capacities", "capacity_t"),)

    def emit(self, c: CaseLP) -> None:
        users = c.net.capacity_index()
        for cap in c.net.capacity_rows:
            idx, passes = users[cap.row]
            if not len(idx):
                continue
            builds = [c.build_col(o.option) for o in c.net.options_of(cap)]
            c.row(self, cap.row, LE, np.concatenate([idx + c.first, np.array(builds, dtype=np.int64)]),
                  np.concatenate([passes, np.full(len(builds), -1.0)]), cap.capacity_t)

    def label(self, net: Network, index: Any) -> str:
        cap = net.capacity_by_row[index]
        cls = f" ({cap.cargo_class} cargo)" if cap.cargo_class else ""
        return (f"Capacities row {cap.row}: {net.names.element(cap.element)}{cls} handles at most "
                f"{tonnes_text(cap.capacity_t)}")

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list[Change]:
        return [Bound(self.name, cell.row, value)]


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


class ObservationBand(Family):
    r"""An observation held within its band while calibrating (corridor calibrate).

    **Sets.** $O$ the observations being calibrated; $F_o$ the flows of $o$'s commodities through its
    target (the Policies grammar). **Parameters.** $\mathit{observed\_t}_o$ and $\tau_o$, the larger of
    `tolerance_t` and `tolerance_pct` of it (Observations).

    $$
    \begin{aligned}
    \textstyle\sum_{(k,r) \in F_o} \mathrm{Flow}_{kr} + \mathrm{BandMiss}_{o,\text{short}} &\ge \mathit{observed\_t}_o - \tau_o && (o, \text{low}) \\
    \textstyle\sum_{(k,r) \in F_o} \mathrm{Flow}_{kr} - \mathrm{BandMiss}_{o,\text{excess}} &\le \mathit{observed\_t}_o + \tau_o && (o, \text{high})
    \end{aligned}
    $$

    Tonnes per year on both sides. The dual of the binding side is the observation's implied premium
    (USD/t), shown on the Fit sheet.
    """

    name = "observation_band"
    sheet = "Fit"  # not planner_facing: BandMiss lets every band give way, so no band makes the model infeasible

    def emit(self, c: CaseLP) -> None:
        for o in c.net.bands:
            selected = c.net.scope_index(o.scope, o.target, o.commodity)[0] + c.first
            for side, sense, miss, sign, bound in (("low", GE, "short", 1.0, o.low_t),
                                                   ("high", LE, "excess", -1.0, o.high_t)):
                c.row(self, (o.observation, side), sense, np.append(selected, c.band_miss[(o.observation, miss)]),
                      np.append(np.ones(len(selected)), sign), bound)

    def label(self, net: Network, index: Any) -> str:
        o = next(b for b in net.bands if b.observation == index[0])
        return (f"Observations row {o.row} ({o.observation}): {'at least' if index[1] == 'low' else 'at most'} "
                f"{tonnes_text(o.low_t if index[1] == 'low' else o.high_t)} of {net.names.cargoes(o.commodity)} "
                f"through {net.names.target(o.scope, o.target)}")


# ---------------------------------------------------------------------- rows shared by a plan's cases

class WorstCase(Family):
    r"""Worst is at least each scenario's weighted, discounted cost.

    **Sets.** $\Sigma$ the scenarios of the plan; $Y$ its years. **Parameters.** $\omega_y$ the weight
    and $\delta_y = (1 + \mathit{discount\_rate})^{-(y - y_0)}$ the discount of year $y$ (Periods,
    Settings); $A_{sy}$ the annual cost of scenario $s$ in year $y$ (the cost columns of its case) and
    $I_y$ the cost of the capacity in service in $y$ (Build, Opened).

    $$
    \sum_{y \in Y} \omega_y \, \delta_y \, (A_{sy} + I_y) - \mathrm{Worst} \le 0 \qquad s \in \Sigma
    $$

    Only when `worst_case_weight` > 0. USD on both sides.
    """

    name = "worst_case"

    def emit_plan(self, a: LPArrays, plan: Plan, worst: int | None, cases: list[CaseLP], shared: list[int]) -> None:
        """As Pyomo writes Worst >= cost_s: cost_s - Worst <= 0. A case's annual cost terms carry its
        factor (probability x weight x discount) in the objective; here weight x discount only."""
        if worst is None:
            return
        for s in plan.scenarios:
            cols, vals = [worst], [-1.0]
            for case, c in zip(plan.cases, cases, strict=True):
                if case.scenario != s:
                    continue
                scale = case.period.weight * case.period.discount / (case.factor or 1.0)
                cols += c.cost_columns
                vals += [a.cost[j] * scale for j in c.cost_columns]
            for j in shared:  # the investments' costs (Build, and Opened's fixed costs), the same in every scenario
                cols.append(j)
                vals.append(a.cost[j])
            a.add_row(self.name, s, LE, cols, vals, 0.0)

    def label(self, net: Network, index: Any) -> str:
        return f"the worst scenario's cost is at least scenario {index}'s"
