"""The cost of a tonne: the one statement of it.

A tonne of commodity k on route r costs transport + handling + time + risk + surcharge + carbon (USD/t):
  transport = sum over the route's legs of the leg's cost (the class tariff where given)
  handling  = sum over the route's nodes of the handling cost (the class tariff where given)
  time      = value_k * carrying_cost_rate * (transit days + dwell days) / 365
  risk      = value_k * sum over the route's distinct countries of risk_premium_pct / 100
  surcharge = sum of usd_per_t over the Surcharges rows whose target the route passes and whose
              commodity filter takes k (a security premium, a transit fee, an implied premium)
  carbon    = carbon_price_usd_per_t_co2 * co2_t_per_t[r] (the CO2e of a tonne on r, model.network.emissions)
Transport and handling are sums of input cells (model.network.build); the functions below give
the others, for build_network and for the live model that re-prices flows when a cell changes.
"""

from __future__ import annotations

import numpy as np

DAYS_PER_YEAR = 365.0

# The parts of a tonne's cost, in the order every table reports them, with how a sheet says them:
# part -> (label of its yearly total on the Summary, its column on the Plan sheet).
COST_PARTS = {"transport": ("transport cost", "transport_cost_usd"),
              "handling": ("handling cost", "handling_cost_usd"),
              "time": ("time (carrying) cost", "time_cost_usd"),
              "risk": ("risk premium", "risk_premium_usd"),
              "surcharge": ("surcharges", "surcharge_cost_usd"),
              "carbon": ("carbon cost", "carbon_cost_usd")}


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


def flow_cost_parts(net) -> np.ndarray:
    """flows x parts (COST_PARTS), USD/t, in flow order, of a model.network.Network: transport and
    handling of the flow's cargo class on its route (net.class_costs), time and risk of its
    commodity's value, the surcharges whose scope takes it (in Surcharges order), and carbon."""
    n, route = len(net.flows), net.flow_route
    out = np.zeros((n, len(COST_PARTS)))
    if not n:
        return out
    value, at = net.flow_value(), list(COST_PARTS).index
    out[:, at("transport")] = net.class_costs[net.flow_class_code, 0, route]
    out[:, at("handling")] = net.class_costs[net.flow_class_code, 1, route]
    out[:, at("time")] = time_usd_per_t(value, net.carrying_cost_rate, net.route_days[route])
    out[:, at("risk")] = risk_usd_per_t(value, net.route_risk_pct[route])
    for s in net.surcharges:  # added to the flows through its target
        out[net.scope_index(s.scope, s.target, s.commodity)[0], at("surcharge")] += s.usd_per_t
    out[:, at("carbon")] = carbon_usd_per_t(net.carbon_price_usd_per_t_co2, net.route_co2_t_per_t[route])
    return out
