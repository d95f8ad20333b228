"""The cost of a tonne: FlowCosts, the one object that computes it (for the assembly through
Network.cost_array, the live model and the result tables), with the functions of its parts. The
formula is the Flow family's docstring (model.lp.families.columns.Flow), the formulation's one
statement of it; the parts, in the order every table reports them, are COST_PARTS."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np

from model.input.allocation import CALIBRATION_SOURCE  # such a Surcharges row is an implied premium
from model.network.emissions import DEFAULT_CO2E_G_PER_TKM
from model.network.types import CostParts, FlowKey

if TYPE_CHECKING:
    from model.network import Network

DAYS_PER_YEAR = 365.0
# A figure per tonne: one number, or one per flow or route (the same kind in, the same kind out).
PerTonne = TypeVar("PerTonne", float, np.ndarray)

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


def time_usd_per_t(value_usd_per_t: PerTonne, carrying_cost_rate: PerTonne, days: PerTonne) -> PerTonne:
    """Carrying cost of the cargo's value over its days in transit and dwell (USD/t)."""
    return (value_usd_per_t * carrying_cost_rate / DAYS_PER_YEAR) * days


def risk_usd_per_t(value_usd_per_t: PerTonne, risk_pct: PerTonne) -> PerTonne:
    """Risk and insurance premium: risk_pct (summed over the route's distinct countries) of the
    cargo's value (USD/t)."""
    return (value_usd_per_t / 100.0) * risk_pct


def carbon_usd_per_t(carbon_price_usd_per_t_co2: float, co2_t_per_t: PerTonne) -> PerTonne:
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
        base, other = np.vstack(per_class[0]), {}  # type: np.ndarray, dict[int, tuple[np.ndarray, np.ndarray]]
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


def surcharges_usd_per_t(net: Network, premium: bool) -> np.ndarray:
    """USD/t of each flow, in flow order: the Surcharges rows whose scope takes it, either those paid
    (premium False) or the calibration premiums (True: the rows corridor calibrate wrote)."""
    out = np.zeros(len(net.flows))
    for s in net.surcharges:  # added to the flows through its target
        if s.premium == premium:
            out[net.scope_index(s.scope, s.target, s.commodity)[0]] += s.usd_per_t
    return out


# The input cells a tonne's cost reads, and the field of FlowCosts each enters (a tariff on a
# node: handling; a Surcharges row corridor calibrate wrote: premium).
COST_INPUTS = {("Legs", "cost_usd_per_t"): "transport", ("Nodes", "handling_usd_per_t"): "handling",
               ("Legs", "transit_days"): "days", ("Nodes", "dwell_days"): "days",
               ("Commodities", "value_usd_per_t"): "value", ("Commodities", "carrying_cost_rate"): "rate",
               ("Countries", "risk_premium_pct"): "risk_pct",
               ("Tariffs", "cost_usd_per_t"): "transport", ("Surcharges", "usd_per_t"): "surcharge",
               ("Legs", "distance_km"): "co2", ("Legs", "co2_g_per_tkm"): "co2", ("Nodes", "co2_kg_per_t"): "co2"}
COST_SETTINGS = {"carrying_cost_rate": "rate", "carbon_price_usd_per_t_co2": "price"}


class FlowCosts(NamedTuple):
    """The cost of a tonne of each flow, the one object the assembly (through Network.cost_array and
    cost_total), the live model (model.lp.live) and the result tables read: what it is made of, per
    flow (arrays in flow order: the carrying cost rate too, its commodity's own or the Settings rate), and the
    carbon price; co2 is the tonnes of CO2e
    a tonne of each flow emits. `effect` says which flows an input cell enters and how, `shifted` the
    costs with a cell moved (the live model's re-pricing)."""

    transport: np.ndarray
    handling: np.ndarray
    days: np.ndarray
    risk_pct: np.ndarray
    value: np.ndarray
    rate: np.ndarray
    surcharge: np.ndarray
    co2: np.ndarray
    price: float
    premium: np.ndarray  # the calibration premiums (Surcharges rows corridor calibrate wrote)

    @classmethod
    def of(cls, net: Network) -> FlowCosts:
        """Of a model.network.Network: transport and handling of the flow's cargo class on its route
        (net.route_costs), the days and risk of its route, its commodity's value, the surcharges whose
        scope takes it (in Surcharges order), its CO2e, and the calibration premiums."""
        n, route = len(net.flows), net.flow_route
        if not n:
            empty = np.zeros(0)
            return cls(empty, empty, empty, empty, empty, empty, empty, empty,
                       net.carbon_price_usd_per_t_co2, empty)
        transport, handling = net.route_costs.of_flows(net.flow_class_code, route)
        return cls(transport, handling, net.route_days[route], net.route_risk_pct[route], net.flow_value(),
                   net.flow_rate(), surcharges_usd_per_t(net, premium=False), net.co2_t_per_t,
                   net.carbon_price_usd_per_t_co2, surcharges_usd_per_t(net, premium=True))

    def parts(self) -> dict[str, np.ndarray]:
        """USD per tonne of each flow by part (COST_PARTS): the formula of the module docstring."""
        return {"transport": self.transport, "handling": self.handling,
                "time": time_usd_per_t(self.value, self.rate, self.days),
                "risk": risk_usd_per_t(self.value, self.risk_pct),
                "surcharge": self.surcharge, "carbon": carbon_usd_per_t(self.price, self.co2),
                "premium": self.premium}

    def array(self) -> np.ndarray:
        """flows x parts (COST_PARTS), USD/t."""
        out = np.zeros((len(self.transport), len(COST_PARTS)))
        if len(self.transport):
            for at, values in enumerate(self.parts().values()):
                out[:, at] = values
        return out

    def total(self) -> np.ndarray:
        total = np.zeros(len(self.transport))
        for values in self.parts().values():
            total = total + values
        return total

    @classmethod
    def inputs(cls) -> tuple[tuple[str, str], ...]:
        """(sheet, column) of every input cell a tonne's cost reads; a setting is (Settings, its key)."""
        return tuple(COST_INPUTS) + tuple(("Settings", key) for key in COST_SETTINGS)

    @staticmethod
    def effect(net: Network, where: tuple[str, str], rec: dict[str, Any] | None) -> tuple[str, np.ndarray, np.ndarray]:
        """What the input cell at where = (sheet, column) (on input row rec; None for a setting)
        enters: (the field of FlowCosts, the flows whose cost it enters, how many times each)."""
        sheet, column = where
        if sheet == "Settings":
            if column == "carrying_cost_rate":  # the rate of the commodities without their own
                own = [i for i, k in enumerate(net.commodity_class) if k in net.own_rate]
                idx = np.flatnonzero(~np.isin(net.flow_commodity, own))
                return "rate", idx, np.ones(len(idx))
            return COST_SETTINGS[column], np.zeros(0, dtype=np.int64), np.zeros(0)
        part = COST_INPUTS[(sheet, column)]
        assert rec is not None  # every sheet but Settings has its row
        if sheet in ("Legs", "Nodes", "Tariffs"):
            element = f"{rec['from']}>{rec['to']}" if sheet == "Legs" else rec["node"] if sheet == "Nodes" \
                else rec["element"]
            if sheet == "Tariffs" and ">" not in element:
                part = "handling"
            per_flow = net.route_passes(element)[net.flow_route].astype(float)
            if part == "co2":  # t CO2e per t per unit of the cell: distance x intensity / 1e6, or kg / 1000
                per_flow *= FlowCosts.co2_per_unit(column, rec)
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
    def co2_per_unit(column: str, rec: dict[str, Any]) -> float:
        """Tonnes of CO2e per tonne per unit of a cell that enters a flow's CO2e (model.network.emissions):
        a km of a leg emits its intensity; a g/tkm on a leg, its distance (0 when blank); a kg at a node, 1/1000."""
        if column == "co2_kg_per_t":
            return 1e-3
        if column == "distance_km":
            g = rec.get("co2_g_per_tkm")
            return (DEFAULT_CO2E_G_PER_TKM[rec["mode"]] if g is None or g != g else g) / 1e6
        km = rec.get("distance_km")
        return 0.0 if km is None or km != km else km / 1e6

    def shifted(self, effect: tuple[str, np.ndarray, np.ndarray], base: float, value: float) -> FlowCosts:
        """These costs with a cell whose effect is given moved from its base value to value."""
        part, idx, times = effect
        if part == "price":
            return self._replace(price=value)
        arr = getattr(self, part).copy()
        if part in ("value", "rate"):  # a commodity's value or rate, or the Settings rate: set, not added
            arr[idx] = value
        else:
            arr[idx] += times * (value - base)
        return self._replace(**{part: arr})


def flow_cost_parts(net: Network) -> np.ndarray:
    """flows x parts (COST_PARTS), USD/t, in flow order, of a model.network.Network (FlowCosts)."""
    return FlowCosts.of(net).array()


class CostView(Mapping[FlowKey, CostParts]):
    """net.cost[f] -> CostParts of flow f, from the network's cost array."""

    __slots__ = ("net",)

    def __init__(self, net: Network):
        self.net = net

    def __getitem__(self, f: FlowKey) -> CostParts:
        return CostParts(*self.net.cost_array[self.net.flow_index[f]].tolist())

    def __iter__(self) -> Iterator[FlowKey]:
        return iter(self.net.flows)

    def __len__(self) -> int:
        return len(self.net.flows)
