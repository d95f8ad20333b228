"""The column families of a case and of a plan: Flow, Unmet, Shipped, Worst and BandMiss (Build and
the integer decisions of investments: model.lp.families.investments)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from model.lp.arrays import INF, LPArrays
from model.lp.families.base import Cell, CaseLP, ColumnCost, Family
from model.network import Network
from model.network.costs import CALIBRATION_SOURCE, CostPart, carbon_usd_per_t, risk_usd_per_t, time_usd_per_t
from model.network.emissions import DEFAULT_CO2E_G_PER_TKM
from model.input.settings import Settings

class FlowCosts(NamedTuple):
    """What a flow's cost per tonne is made of, per flow (arrays in flow order), the rate and the
    carbon price; co2 is the tonnes of CO2e a tonne of each flow emits."""

    transport: np.ndarray
    handling: np.ndarray
    days: np.ndarray
    risk_pct: np.ndarray
    value: np.ndarray
    rate: float
    surcharge: np.ndarray
    co2: np.ndarray
    price: float
    premium: np.ndarray  # the calibration premiums (Surcharges rows corridor calibrate wrote)

    def parts(self) -> dict[str, np.ndarray]:
        """USD per tonne of each flow by part (COST_PARTS): the cost formula of model.network.costs."""
        return {"transport": self.transport, "handling": self.handling,
                "time": time_usd_per_t(self.value, self.rate, self.days), "risk": risk_usd_per_t(self.value, self.risk_pct),
                "surcharge": self.surcharge, "carbon": carbon_usd_per_t(self.price, self.co2),
                "premium": self.premium}

    def total(self) -> np.ndarray:
        total = np.zeros(len(self.transport))
        for values in self.parts().values():
            total = total + values
        return total


class Flow(Family):
    """Tonnes per year of commodity k on route r.

    Flow[k,r] >= 0 for each commodity k and enabled route r that carries k's cargo class, starts
    at an origin allowed for k and serves a demand row of k. Cost per tonne (USD/t):
    transport + handling + time + risk + surcharge + carbon + premium (model.network.costs), times the case's
    factor in a plan; carbon = carbon_price_usd_per_t_co2 * co2_t_per_t[k,r] (model.network.emissions).
    """

    name = "Flow"
    inputs = (("Legs", "cost_usd_per_t"), ("Legs", "transit_days"), ("Nodes", "handling_usd_per_t"),
              ("Nodes", "dwell_days"), ("Tariffs", "cost_usd_per_t"), ("Commodities", "value_usd_per_t"),
              ("Countries", "risk_premium_pct"), ("Settings", "carrying_cost_rate"), ("Surcharges", "usd_per_t"),
              ("Legs", "distance_km"), ("Legs", "co2_g_per_tkm"), ("Nodes", "co2_kg_per_t"),
              ("Settings", "carbon_price_usd_per_t_co2"))

    def emit(self, c: CaseLP) -> None:
        c.first = c.arrays.add_columns(self.name, c.net.flows, c.factor * c.net.cost_total, 0.0, INF, c.case)
        c.cost_columns += range(c.first, c.first + len(c.net.flows))

    def label(self, net: Network, index) -> str:
        k, r = index
        return f"{k} on route {r}"

    @staticmethod
    def base_costs(net: Network, settings: Settings) -> FlowCosts:
        return FlowCosts(net.cost_array[:, CostPart.TRANSPORT].copy(), net.cost_array[:, CostPart.HANDLING].copy(),
                         net.flow_days(), net.flow_risk_pct(), net.flow_value(), settings.carrying_cost_rate,
                         net.cost_array[:, CostPart.SURCHARGE].copy(), net.co2_t_per_t.copy(),
                         settings.carbon_price_usd_per_t_co2 or 0.0, net.cost_array[:, CostPart.PREMIUM].copy())

    # The part of FlowCosts each input cell of `inputs` enters (a tariff on a node: handling).
    PART = {("Legs", "cost_usd_per_t"): "transport", ("Nodes", "handling_usd_per_t"): "handling",
            ("Legs", "transit_days"): "days", ("Nodes", "dwell_days"): "days",
            ("Commodities", "value_usd_per_t"): "value", ("Countries", "risk_premium_pct"): "risk_pct",
            ("Tariffs", "cost_usd_per_t"): "transport", ("Surcharges", "usd_per_t"): "surcharge",
            ("Legs", "distance_km"): "co2", ("Legs", "co2_g_per_tkm"): "co2", ("Nodes", "co2_kg_per_t"): "co2"}
    SETTING = {"carrying_cost_rate": "rate", "carbon_price_usd_per_t_co2": "price"}

    @staticmethod
    def effect(net: Network, cell: Cell, rec: dict | None) -> tuple[str, np.ndarray, np.ndarray]:
        """What a cell of `inputs` (on input row rec; None for a setting) enters: (the part of
        FlowCosts, the flows whose cost it enters, how many times each). Worked out once per cell."""
        sheet, column = cell.input
        if sheet == "Settings":
            return Flow.SETTING[column], np.zeros(0, dtype=np.int64), np.zeros(0)
        part = Flow.PART[(sheet, column)]
        if sheet in ("Legs", "Nodes", "Tariffs"):
            element = f"{rec['from']}>{rec['to']}" if sheet == "Legs" else rec["node"] if sheet == "Nodes" \
                else rec["element"]
            if sheet == "Tariffs" and ">" not in element:
                part = "handling"
            per_flow = net.route_passes(element)[net.flow_route].astype(float)
            if part == "co2":  # t CO2e per t per unit of the cell: distance x intensity / 1e6, or kg / 1000
                per_flow *= Flow.co2_per_unit(column, rec)
            if sheet == "Tariffs":
                per_flow[net.flow_class() != rec["cargo_class"]] = 0.0
            elif column in ("cost_usd_per_t", "handling_usd_per_t"):
                # a class with a tariff on this element pays the tariff, not this cost
                replaced = [c for e, c in net.tariffs if e == element]
                if replaced:
                    per_flow[np.isin(net.flow_class(), replaced)] = 0.0
            idx = np.flatnonzero(per_flow)
            return part, idx, per_flow[idx]
        if sheet == "Surcharges":
            idx = net.scope_index(rec["scope"], rec["target"], rec["commodity"] or None)[0]
            return "premium" if rec.get("source") == CALIBRATION_SOURCE else part, idx, np.ones(len(idx))
        if sheet == "Commodities":
            codes = {k: i for i, k in enumerate(net.commodity_class)}
            idx = np.flatnonzero(net.flow_commodity == codes.get(rec["commodity"], -1))
        else:  # Countries: a country's premium is charged once on each route passing it
            idx = net.scope_index("country", rec["country"], None)[0]
        return part, idx, np.ones(len(idx))

    @staticmethod
    def co2_per_unit(column: str, rec: dict) -> float:
        """Tonnes of CO2e per tonne per unit of a cell that enters a flow's CO2e (model.network.emissions):
        a km of a leg emits its intensity; a g/tkm on a leg, its distance (0 when blank); a kg at a node, 1/1000."""
        if column == "co2_kg_per_t":
            return 1e-3
        if column == "distance_km":
            g = rec.get("co2_g_per_tkm")
            return (DEFAULT_CO2E_G_PER_TKM[rec["mode"]] if g is None or g != g else g) / 1e6
        km = rec.get("distance_km")
        return 0.0 if km is None or km != km else km / 1e6

    @staticmethod
    def shifted(costs: FlowCosts, effect: tuple[str, np.ndarray, np.ndarray], base: float, value: float) -> FlowCosts:
        """The flow costs with a cell whose effect is given moved from its base value to value."""
        part, idx, times = effect
        if part in ("rate", "price"):
            return costs._replace(**{part: value})
        arr = getattr(costs, part).copy()
        if part == "value":
            arr[idx] = value
        else:
            arr[idx] += times * (value - base)
        return costs._replace(**{part: arr})


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
