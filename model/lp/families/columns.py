"""The column families of a case and of a plan: Flow, Unmet, Shipped, Worst and BandMiss (Build and
the integer decisions of investments: model.lp.families.investments)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.input.settings import Settings
from model.lp.arrays import INF, LPArrays
from model.lp.families.base import CaseLP, Cell, Change, ColumnCost, Family
from model.network import Network
from model.network.costs import FlowCosts

if TYPE_CHECKING:
    from model.plan import Plan


class Flow(Family):
    r"""Tonnes per year of commodity k on route r.

    **Sets.** $K$ commodities; $R$ enabled routes; $F \subseteq K \times R$ the flows: $(k, r)$ where
    $r$ carries $k$'s cargo class, starts at an origin allowed for $k$ (its Supply rows, any origin
    without) and serves a demand row of $k$.
    **Parameters** (per tonne of $k$ on $r$, input sheets in brackets): $t_{kr}$ transport, the legs'
    `cost_usd_per_t` (Legs; a class tariff, Tariffs, where given); $h_{kr}$ handling, the nodes'
    `handling_usd_per_t` (Nodes, or Tariffs); $v_k$ `value_usd_per_t` (Commodities); $\rho_k$
    `carrying_cost_rate` (Commodities; blank: Settings); $d_r$ transit plus dwell days (Legs, Nodes); $p_r$ the
    `risk_premium_pct` of the route's distinct countries, summed (Countries); $s_{kr}$ the Surcharges
    rows whose target $r$ passes and whose filter takes $k$; $\pi$ `carbon_price_usd_per_t_co2`
    (Settings); $e_{kr}$ the tonnes of CO2e a tonne emits on $r$ (model.network.emissions); $q_{kr}$ the
    calibration premiums (the Surcharges rows corridor calibrate wrote).

    $$
    \mathrm{Flow}_{kr} \ge 0 \qquad (k, r) \in F
    $$

    $$
    c_{kr} = t_{kr} + h_{kr} + \frac{v_k \, \rho_k \, d_r}{365} + \frac{v_k \, p_r}{100} + s_{kr}
           + \pi \, e_{kr} + q_{kr} \qquad \text{USD/t}
    $$

    Each flow's cost $c_{kr}$ (transport, handling, time, risk, surcharge, carbon, premium: the parts
    every table reports) enters the objective times the case's factor in a plan. The premiums are
    behaviour, not money: the resource cost leaves them out. model.network.costs.FlowCosts computes
    $c$, and which flows an input cell enters, for the assembly, the live model and the result tables.
    """

    name = "Flow"
    inputs = FlowCosts.inputs()  # what a changed cell does: FlowCosts.effect, applied by the live model

    def emit(self, c: CaseLP) -> None:
        c.first = c.arrays.add_columns(self.name, c.net.flows, c.factor * c.net.cost_total, 0.0, INF, c.case)
        c.cost_columns += range(c.first, c.first + len(c.net.flows))

    def label(self, net: Network, index: Any) -> str:
        k, r = index
        return f"{k} on route {r}"


class Unmet(Family):
    r"""Demanded tonnes per year not delivered, at the penalty.

    **Sets.** $D$ the demand rows (Demand). **Parameters.** $u$ `unmet_penalty_usd_per_t` (Settings).

    $$
    \mathrm{Unmet}_d \ge 0 \qquad d \in D, \text{ only when } u \text{ is given; cost } u \text{ USD/t}
    $$

    Without a penalty every demand must be met and a shortage is infeasible; with one, a tonne that
    cannot be delivered, or costs more than $u$ to deliver, is counted here instead.
    """

    name = "Unmet"
    inputs = (("Settings", "unmet_penalty_usd_per_t"),)

    def emit(self, c: CaseLP) -> None:
        penalty = c.settings.unmet_penalty_usd_per_t
        if penalty is None:
            return
        for d in c.net.demand_rows:
            c.unmet[d.row] = j = c.arrays.add_column(self.name, d.row, c.factor * penalty, 0.0, INF, c.case)
            c.cost_columns.append(j)

    def label(self, net: Network, index: Any) -> str:
        return f"undelivered tonnes of Demand row {index}"

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list[Change]:
        return [ColumnCost(self.name, d.row, value) for d in net.demand_rows]


class Shipped(Family):
    r"""Tonnes a year shipped of each share rule's commodity filter, over all routes.

    **Sets.** $\Phi$ the commodity filters of the share rules (Policies, kinds `max_share` and
    `min_share`) that some flow matches; `*` is every commodity.

    $$
    \mathrm{Shipped}_f \ge 0 \qquad f \in \Phi, \text{ cost } 0
    $$

    Defined by the row shipped_total; the $T$ of every share rule of the filter.
    """

    name = "Shipped"

    def emit(self, c: CaseLP) -> None:
        for p in c.net.policy_limits:
            if p.is_share and p.filter_key not in c.shipped and len(c.net.policy_index(p)[1]):
                c.shipped[p.filter_key] = c.arrays.add_column(self.name, p.filter_key, 0.0, 0.0, INF, c.case)

    def label(self, net: Network, index: Any) -> str:
        return f"the tonnes shipped of {'every commodity' if index == '*' else index}"


class Worst(Family):
    r"""The worst scenario's discounted cost in a robust plan, USD.

    **Parameters.** $w$ `worst_case_weight` (Settings).

    $$
    \mathrm{Worst} \in \mathbb{R}, \text{ cost } w \qquad \text{only when } w > 0
    $$

    Held above every scenario's discounted cost by the worst_case rows, so the objective adds $w$ times
    the worst of them to the expected cost.
    """

    name = "Worst"

    def emit_plan(self, a: LPArrays, plan: Plan) -> int | None:
        if plan.worst_case_weight <= 0:
            return None
        return a.add_column(self.name, None, plan.worst_case_weight, -INF, INF)

    def label(self, net: Network, index: Any) -> str:
        return "the worst scenario's cost"


class BandMiss(Family):
    r"""Tonnes by which an observation falls short of its band, or exceeds it, while calibrating.

    **Sets.** $O$ the observations being calibrated (Observations; corridor calibrate only: no column
    in any other solve). **Parameters.** $b$ the band penalty, USD/t (model.analysis.calibrate).

    $$
    \mathrm{BandMiss}_{o,\text{short}} \ge 0, \quad \mathrm{BandMiss}_{o,\text{excess}} \ge 0
    \qquad o \in O, \text{ cost } b
    $$

    So a band gives way only where it cannot hold together with the others and the model's limits.
    """

    name = "BandMiss"

    def emit(self, c: CaseLP) -> None:
        penalty = c.factor * c.net.band_penalty_usd_per_t
        for o in c.net.bands:
            for side in ("short", "excess"):
                c.band_miss[(o.observation, side)] = j = c.arrays.add_column(
                    self.name, (o.observation, side), penalty, 0.0, INF, c.case)
                c.cost_columns.append(j)

    def label(self, net: Network, index: Any) -> str:
        o, side = index
        return f"tonnes by which observation {o} falls {'short of' if side == 'short' else 'above'} its band"
