"""The column families of a case and of a plan: Flow, Unmet, Shipped, Worst and BandMiss (Build and
the integer decisions of investments: model.lp.families.investments)."""

from __future__ import annotations

from model.lp.arrays import INF, LPArrays
from model.lp.families.base import Cell, CaseLP, ColumnCost, Family
from model.network import Network
from model.network.costs import FlowCosts
from model.input.settings import Settings

class Flow(Family):
    """Tonnes per year of commodity k on route r.

    Flow[k,r] >= 0 for each commodity k and enabled route r that carries k's cargo class, starts
    at an origin allowed for k and serves a demand row of k. Cost per tonne (USD/t):
    transport + handling + time + risk + surcharge + carbon + premium (model.network.costs), times the case's
    factor in a plan; carbon = carbon_price_usd_per_t_co2 * co2_t_per_t[k,r] (model.network.emissions).
    """

    name = "Flow"
    inputs = FlowCosts.inputs()  # what a changed cell does: FlowCosts.effect, applied by the live model

    def emit(self, c: CaseLP) -> None:
        c.first = c.arrays.add_columns(self.name, c.net.flows, c.factor * c.net.cost_total, 0.0, INF, c.case)
        c.cost_columns += range(c.first, c.first + len(c.net.flows))

    def label(self, net: Network, index) -> str:
        k, r = index
        return f"{k} on route {r}"


class Unmet(Family):
    """Demanded tonnes per year not delivered, at the penalty.

    Unmet[d] >= 0 for each demand row d, only when the setting unmet_penalty_usd_per_t is given;
    cost unmet_penalty_usd_per_t (USD/t), times the case's factor in a plan.
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

    def label(self, net: Network, index) -> str:
        return f"undelivered tonnes of Demand row {index}"

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list:
        return [ColumnCost(self.name, d.row, value) for d in net.demand_rows]


class Shipped(Family):
    """Tonnes a year shipped of each share rule's commodity filter, over all routes.

    Shipped[f] >= 0 for each commodity filter f of a share rule that some flow matches ('*': every
    commodity); defined by the row shipped_total[f]. Cost 0.
    """

    name = "Shipped"

    def emit(self, c: CaseLP) -> None:
        for p in c.net.policy_limits:
            if p.is_share and p.filter_key not in c.shipped and len(c.net.policy_index(p)[1]):
                c.shipped[p.filter_key] = c.arrays.add_column(self.name, p.filter_key, 0.0, 0.0, INF, c.case)

    def label(self, net: Network, index) -> str:
        return f"the tonnes shipped of {'every commodity' if index == '*' else index}"


class Worst(Family):
    """The worst scenario's discounted cost in a robust plan, USD (free; only when
    worst_case_weight > 0, with cost worst_case_weight)."""

    name = "Worst"

    def emit_plan(self, a: LPArrays, plan) -> int | None:
        if plan.worst_case_weight <= 0:
            return None
        return a.add_column(self.name, None, plan.worst_case_weight, -INF, INF)

    def label(self, net: Network, index) -> str:
        return "the worst scenario's cost"


class BandMiss(Family):
    """Tonnes by which an observation falls short of its band, or exceeds it, while calibrating.

    BandMiss[o, short], BandMiss[o, excess] >= 0 for each observation o held within its band
    (corridor calibrate only: no column in any other solve); cost band_penalty_usd_per_t (USD/t),
    so a band gives way only where it cannot hold together with the others and the model's limits.
    """

    name = "BandMiss"

    def emit(self, c: CaseLP) -> None:
        penalty = c.factor * c.net.band_penalty_usd_per_t
        for o in c.net.bands:
            for side in ("short", "excess"):
                c.band_miss[(o.observation, side)] = j = c.arrays.add_column(
                    self.name, (o.observation, side), penalty, 0.0, INF, c.case)
                c.cost_columns.append(j)

    def label(self, net: Network, index) -> str:
        o, side = index
        return f"tonnes by which observation {o} falls {'short of' if side == 'short' else 'above'} its band"
