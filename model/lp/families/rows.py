"""The row families: the rows of one case (demand, supply, capacity, observation bands) and the row a
robust plan's cases share (worst_case); the policy rules and shipped totals are in
model.lp.families.policies, the investment rows in model.lp.families.investments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from model.input.settings import Settings
from model.lp.arrays import LPArrays
from model.lp.families.base import EQ, GE, LE, Bound, CaseLP, Cell, Change, Family, Structural, tonnes_text
from model.network import Network

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
    and Bottlenecks sheets). With seasons (a Seasons sheet) these rows are stated per season instead
    (season_capacity), of which an annual row is the default.
    """

    name = "capacity_limit"
    sheet = "Capacity"
    planner_facing = True
    bottleneck = True
    inputs = (("Capacities", "capacity_t"),)

    def emit(self, c: CaseLP) -> None:
        if c.net.seasons is not None:
            return  # stated per season (season_capacity): an annual row beside them would make their duals degenerate
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




class ObservationBand(Family):
    r"""An observation held within its band while calibrating (corridor calibrate).

    **Sets.** $O$ the observations being calibrated; $F_o$ the flows of $o$'s commodities through its
    target (the Policies grammar). **Parameters.** $\mathit{observed\_t}_o$ and $\tau_o$, the larger of
    `tolerance_t` and `tolerance_pct` of it (Observations).

    $$
    \begin{aligned}
    \textstyle\sum_{(k,r) \in F_o} \mathrm{Flow}_{kr} + \mathrm{BandMiss}_{o,\text{short}}
        &\ge \mathit{observed\_t}_o - \tau_o && (o, \text{low}) \\
    \textstyle\sum_{(k,r) \in F_o} \mathrm{Flow}_{kr} - \mathrm{BandMiss}_{o,\text{excess}}
        &\le \mathit{observed\_t}_o + \tau_o && (o, \text{high})
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
