"""The cost of a tonne: the one statement of it.

A tonne of commodity k on route r costs transport + handling + time + risk + surcharge + carbon (USD/t):
  transport = sum over the route's legs of the leg's cost (the class tariff where given)
  handling  = sum over the route's nodes of the handling cost (the class tariff where given)
  time      = value_k * carrying_cost_rate * (transit days + dwell days) / 365
  risk      = value_k * sum over the route's distinct countries of risk_premium_pct / 100
  surcharge = sum of usd_per_t over the Surcharges rows whose target the route passes and whose
              commodity filter takes k (a security premium, a transit fee), calibration's aside:
  carbon    = carbon_price_usd_per_t_co2 * co2_t_per_t[r] (the CO2e of a tonne on r, model.network.emissions)
  premium   = the same sum over the Surcharges rows corridor calibrate wrote (source CALIBRATION_SOURCE):
              implied premiums, behaviour and not money, so never in the resource cost (RESOURCE_PARTS)
Transport and handling are sums of input cells (model.network.build); the functions below give
the others, for build_network and for the live model that re-prices flows when a cell changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

DAYS_PER_YEAR = 365.0

class CostPart(IntEnum):
    """The parts of a tonne's cost, in the order every table reports them: a member is its column
    of the flows x parts arrays (flow_cost_parts, Network.cost_array), its word how sheets say it."""

    TRANSPORT = 0
    HANDLING = 1
    TIME = 2
    RISK = 3
    SURCHARGE = 4
    CARBON = 5
    PREMIUM = 6

    @property
    def word(self) -> str:
        """'transport': the part in the result sheets' columns (transport_usd_per_t) and in text."""
        return self.name.lower()


# How a sheet says each part: its word -> (label of its yearly total on the Summary, its column on
# the Plan sheet), in CostPart order.
COST_PARTS = {CostPart.TRANSPORT.word: ("transport cost", "transport_cost_usd"),
              CostPart.HANDLING.word: ("handling cost", "handling_cost_usd"),
              CostPart.TIME.word: ("time (carrying) cost", "time_cost_usd"),
              CostPart.RISK.word: ("risk premium", "risk_premium_usd"),
              CostPart.SURCHARGE.word: ("surcharges", "surcharge_cost_usd"),
              CostPart.CARBON.word: ("carbon cost", "carbon_cost_usd"),
              CostPart.PREMIUM.word: ("calibration premiums (behaviour, not paid)", "premium_usd")}
# The parts that are resource cost (what is paid, and what time, risk and carbon cost): every part
# but the calibration premiums, which are behaviour (model.results.money keeps the kinds apart).
RESOURCE_PARTS = tuple(part.word for part in CostPart if part is not CostPart.PREMIUM)
# The source corridor calibrate writes on its Surcharges rows: such a row is an implied premium.
CALIBRATION_SOURCE = "corridor calibrate"


def time_usd_per_t(value_usd_per_t, carrying_cost_rate: float, days):
    """Carrying cost of the cargo's value over its days in transit and dwell (USD/t)."""
    return (value_usd_per_t * carrying_cost_rate / DAYS_PER_YEAR) * days


def risk_usd_per_t(value_usd_per_t, risk_pct):
    """Risk and insurance premium: risk_pct (summed over the route's distinct countries) of the
    cargo's value (USD/t)."""
    return (value_usd_per_t / 100.0) * risk_pct


def carbon_usd_per_t(carbon_price_usd_per_t_co2: float, co2_t_per_t):
    """Carbon cost of a tonne of cargo: the price of the CO2e it emits (USD/t)."""
    return carbon_price_usd_per_t_co2 * co2_t_per_t


def cargo_classes(commodity_class: dict[str, str]) -> list[str]:
    """The cargo classes of the commodities, in commodity order of first use: the order of the class
    codes (RouteCosts, Network.flow_class_code)."""
    return list(dict.fromkeys(commodity_class.values()))


@dataclass(frozen=True)
class RouteCosts:
    """Transport and handling (USD/t) of a tonne on each route, by cargo class, the class tariffs
    applied: `base` (transport, handling) x route is the first class's (cargo_classes order); each
    other class keeps only the routes where its costs differ from those, a tariff on one of their
    elements (a route not kept has that class's sums exactly: they are the same bits)."""

    base: np.ndarray
    other: dict[int, tuple[np.ndarray, np.ndarray]]  # class code -> (routes ascending, 2 x len(routes))

    @classmethod
    def of(cls, per_class: list[tuple[np.ndarray, np.ndarray]]) -> RouteCosts:
        """From (transport, handling) per route of each class, in class-code order."""
        if not per_class:
            return cls(np.zeros((2, 0)), {})
        base, other = np.vstack(per_class[0]), {}
        for code, (transport, handling) in enumerate(per_class[1:], start=1):
            bits = np.vstack([transport, handling]).view(np.int64) != base.view(np.int64)  # -0.0 and NaN too
            differ = np.flatnonzero(bits[0] | bits[1])
            if len(differ):
                other[code] = (differ, np.vstack([transport[differ], handling[differ]]))
        return cls(base, other)

    def of_flows(self, flow_class: np.ndarray, flow_route: np.ndarray) -> np.ndarray:
        """(transport, handling) x flow, for flows of these class codes on these routes."""
        out = self.base[:, flow_route]
        for code, (routes, values) in self.other.items():
            flows = np.flatnonzero(flow_class == code)
            at = np.minimum(np.searchsorted(routes, flow_route[flows]), len(routes) - 1)
            hit = routes[at] == flow_route[flows]
            out[:, flows[hit]] = values[:, at[hit]]
        return out


def surcharges_usd_per_t(net, premium: bool) -> np.ndarray:
    """USD/t of each flow, in flow order: the Surcharges rows whose scope takes it, either those paid
    (premium False) or the calibration premiums (True: the rows corridor calibrate wrote)."""
    out = np.zeros(len(net.flows))
    for s in net.surcharges:  # added to the flows through its target
        if s.premium == premium:
            out[net.scope_index(s.scope, s.target, s.commodity)[0]] += s.usd_per_t
    return out


def flow_cost_parts(net) -> np.ndarray:
    """flows x parts (COST_PARTS), USD/t, in flow order, of a model.network.Network: transport and
    handling of the flow's cargo class on its route (net.route_costs), time and risk of its
    commodity's value, the surcharges whose scope takes it (in Surcharges order), carbon, and the
    calibration premiums (the Surcharges rows corridor calibrate wrote)."""
    n, route = len(net.flows), net.flow_route
    out = np.zeros((n, len(CostPart)))
    if not n:
        return out
    value = net.flow_value()
    out[:, CostPart.TRANSPORT], out[:, CostPart.HANDLING] = net.route_costs.of_flows(net.flow_class_code, route)
    out[:, CostPart.TIME] = time_usd_per_t(value, net.carrying_cost_rate, net.route_days[route])
    out[:, CostPart.RISK] = risk_usd_per_t(value, net.route_risk_pct[route])
    out[:, CostPart.SURCHARGE] = surcharges_usd_per_t(net, premium=False)
    out[:, CostPart.PREMIUM] = surcharges_usd_per_t(net, premium=True)
    out[:, CostPart.CARBON] = carbon_usd_per_t(net.carbon_price_usd_per_t_co2, net.route_co2_t_per_t[route])
    return out
