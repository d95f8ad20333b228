"""The rows of a network: routes, cost parts, and the demand, supply, capacity, investment and
policy rows the LP is built from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from model.input.schema import PolicyKind, Role, Scope, leg_id

FlowKey = tuple[str, str]  # (commodity, route)


class Route:
    """One enabled route: its path, corridor and the cargo classes it carries. Slotted, with its
    legs computed once and leg ids shared between routes: a large case has hundreds of
    thousands of routes."""

    __slots__ = ("route", "corridor", "nodes", "classes", "legs")

    def __init__(self, route: str, corridor: str, nodes: tuple[str, ...], classes: frozenset[str] | None,
                 leg_ids: dict[tuple[str, str], str] | None = None):
        self.route, self.corridor, self.nodes, self.classes = route, corridor, nodes, classes
        legs: tuple[str | None, ...] = tuple(map(leg_ids.get, zip(nodes, nodes[1:], strict=False))) \
            if leg_ids is not None else (None,)
        if None in legs:  # a step that is not a leg of the data (only before validation)
            legs = tuple(leg_id(a, b) for a, b in zip(nodes, nodes[1:], strict=False))
        self.legs: tuple[str, ...] = legs  # type: ignore[assignment]  # no None left: replaced just above

    @property
    def elements(self) -> dict[str, int]:
        """Nodes and legs the route passes, with how many times it passes each."""
        out: dict[str, int] = {}
        for e in self.nodes + self.legs:
            out[e] = out.get(e, 0) + 1
        return out

    @property
    def origin(self) -> str:
        return self.nodes[0]

    @property
    def market(self) -> str:
        return self.nodes[-1]

    def carries(self, cargo_class: str) -> bool:
        return self.classes is None or cargo_class in self.classes


class CostParts(NamedTuple):
    """USD per tonne on one route for one commodity, in the parts the results report
    (model.network.costs.COST_PARTS, in that order)."""

    transport: float
    handling: float
    time: float
    risk: float
    surcharge: float
    carbon: float
    premium: float = 0.0  # calibration premiums: behaviour, not money

    @property
    def total(self) -> float:
        return sum(self)


@dataclass(frozen=True)
class DemandRow:
    row: int
    commodity: str
    origin: str | None
    market: str
    demand_t: float


@dataclass(frozen=True)
class SupplyRow:
    row: int
    commodity: str
    origin: str
    min_t: float
    max_t: float


@dataclass(frozen=True)
class CapacityRow:
    row: int
    element: str
    cargo_class: str | None
    capacity_t: float


@dataclass(frozen=True)
class Option:
    """Capacity the model may add to one Capacities row, at an annualised cost per tonne."""

    option: str
    element: str
    cargo_class: str | None
    max_added_t: float
    annualised_cost_usd_per_t: float
    row: int
    in_service_from: float | None = None  # first_year + lead_time_years; None: from the first period
    lumpy: bool = False  # built whole (max_added_t) or not at all
    module_t: float | None = None  # capacity in whole modules of this size
    fixed_cost_usd_per_yr: float = 0.0  # paid each year anything is in service

    @property
    def unit_t(self) -> float | None:
        """The size of one whole step of capacity: max_added_t for a lumpy option, module_t for a
        modular one, None for an option built in any amount."""
        return self.max_added_t if self.lumpy else self.module_t

    @property
    def max_units(self) -> int:
        """How many whole steps can be built: 1 for a lumpy option, the modules that fit within
        max_added_t for a modular one."""
        if self.unit_t is None or self.unit_t <= 0:
            return 0
        return 1 if self.lumpy else int(self.max_added_t / self.unit_t + 1e-9)

    @property
    def whole(self) -> bool:
        """Built in whole steps (an integer decision)."""
        return self.unit_t is not None and self.unit_t > 0

    @property
    def opens(self) -> bool:
        """Has a fixed cost, paid if anything is built (a yes/no decision)."""
        return self.fixed_cost_usd_per_yr > 0

    @property
    def integer(self) -> bool:
        return self.whole or self.opens


@dataclass(frozen=True)
class RuleLimit:
    """One constraint of a policy rule: a rule with target '*' gives one per target."""

    rule: str
    target: str
    kind: PolicyKind
    scope: Scope
    commodity: str | None
    value: float
    row: int

    @property
    def is_share(self) -> bool:
        return self.kind.is_share

    @property
    def is_co2(self) -> bool:
        """A cap on the CO2e of the flows through the target (max_co2_t), in t CO2e/yr."""
        return self.kind.is_co2

    @property
    def is_max(self) -> bool:
        return self.kind.is_max

    @property
    def filter_key(self) -> str:
        """The commodity filter as the index of the Shipped variable of share rules ('*': all)."""
        return self.commodity or "*"


@dataclass(frozen=True)
class Observation:
    """What moved in the base year through a target (an Observations row, in the Policies grammar),
    and the band around it that counts as reproduced."""

    observation: str
    scope: Scope
    target: str
    commodity: str | None
    observed_t: float
    tolerance_t: float  # half the band: the larger of tolerance_t and tolerance_pct of observed_t
    source: str | None
    row: int
    role: Role = Role.FIT  # test: held out of calibration and of the fit score, predicted (out of sample)
    scenario: str | None = None  # the scenario of the Scenarios sheet it was observed in; None: the case itself

    @property
    def low_t(self) -> float:
        return max(0.0, self.observed_t - self.tolerance_t)

    @property
    def high_t(self) -> float:
        return self.observed_t + self.tolerance_t


@dataclass(frozen=True)
class Surcharge:
    """A cost per tonne added to every flow through a target (a Surcharges row, in the Policies grammar)."""

    scope: Scope
    target: str
    commodity: str | None
    usd_per_t: float
    row: int
    premium: bool = False  # written by corridor calibrate (source CALIBRATION_SOURCE): an implied premium
