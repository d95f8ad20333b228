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
