"""The input schema: one declarative description per sheet.

Reading (model.input.read), validation (model.input.validate), the blank template
(model.report.input_workbook) and the documentation's input reference (docs/hooks.py) all come from the
objects below. Units are in the column
names: t = metric tonnes, amounts per year, money in USD.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from model.errors import number_text


# The words of the input, each spelled once: a member is the string the workbook holds (StrEnum),
# so reading, messages and the result sheets keep their text.
class NodeKind(StrEnum):
    """Nodes sheet, kind."""

    ORIGIN = "origin"
    BORDER = "border"
    PORT = "port"
    HUB = "hub"
    MARKET = "market"


class Mode(StrEnum):
    """Legs sheet, mode."""

    RAIL = "rail"
    ROAD = "road"
    SEA = "sea"
    PIPELINE = "pipeline"
    FERRY = "ferry"


class PolicyKind(StrEnum):
    """Policies sheet, kind: a cap or a floor, on a share of the shipped tonnes, on tonnes or on CO2e."""

    MAX_SHARE = "max_share"
    MIN_SHARE = "min_share"
    MAX_T = "max_t"
    MIN_T = "min_t"
    MAX_CO2_T = "max_co2_t"

    @property
    def is_share(self) -> bool:
        """A share of the shipped tonnes of its commodity filter (0..1), not tonnes."""
        return self in (PolicyKind.MAX_SHARE, PolicyKind.MIN_SHARE)

    @property
    def is_co2(self) -> bool:
        """A cap on the CO2e of the flows through the target, in t CO2e/yr."""
        return self is PolicyKind.MAX_CO2_T

    @property
    def is_max(self) -> bool:
        return self in (PolicyKind.MAX_SHARE, PolicyKind.MAX_T, PolicyKind.MAX_CO2_T)


class Scope(StrEnum):
    """Policies, Observations and Stress sheets, scope: what a rule's target names."""

    CORRIDOR = "corridor"
    COUNTRY = "country"
    ROUTE = "route"
    NODE = "node"
    LEG = "leg"


class Role(StrEnum):
    """Observations sheet, role: what an observation is for (blank = fit)."""

    FIT = "fit"  # calibration fits it, and the fit score counts it
    TEST = "test"  # held out: calibration never reads it; predicted, and reported apart (out of sample)


class Allocation(StrEnum):
    """Settings, allocation: how cargo is split over its routes (model.lp.choice)."""

    LEAST_COST = "least_cost"  # the LP: each tonne on its cheapest route (the default view)
    CHOICE = "choice"  # a logit in generalised cost with the Dispersions sheet's dispersion, under the same rows


class Distribution(StrEnum):
    """Uncertainty sheet, distribution: how a varied input is drawn (model.analysis.uncertainty)."""

    UNIFORM = "uniform"  # any value from low to high equally likely
    TRIANGULAR = "triangular"  # from low to high, most likely at mode
    NORMAL = "normal"  # mean mode, standard deviation spread (cut to low..high where given)
    LOGNORMAL = "lognormal"  # most likely at mode, spread the standard deviation of its logarithm (cut likewise)


class VaryAs(StrEnum):
    """Uncertainty sheet, as: what the drawn number is."""

    VALUE = "value"  # the cell's value itself
    FACTOR = "factor"  # a multiplier of each cell's base value (as a sweep's *)


class Blank(StrEnum):
    """A filter left blank, as the result sheets write it (and read it back)."""

    ALL = "all"  # commodity or cargo class: every one
    ANY = "any"  # origin: any


class Refers(StrEnum):
    """What an id column names, so that validation checks it is there (Column.refers)."""

    COUNTRY = "country"  # a country of the Countries sheet (checked only when the sheet has rows)
    NODE = "node"
    ELEMENT = "element"  # a node, or a leg FROM>TO
    CARGO_CLASS = "cargo_class"
    COMMODITY = "commodity"
    ORIGIN = "origin"  # a node of kind origin
    MARKET = "market"  # a node of kind market
    SEASON = "season"  # a season of the Seasons sheet


# Column types
STR, NUM, BOOL, ENUM = "text", "number", "boolean", "choice"

# Upper bounds on numbers no planner could mean. Every numeric column has one, so that a typo of
# a few digits, or a value such as 1e20 or 1e308 (which HiGHS takes for infinity), is reported at
# its cell instead of ending as a solver status that names no row. Each is far above any real
# figure, and below HiGHS's infinity (1e20) with room for sums of many rows.
MAX_USD_PER_T = 1e6  # costs per tonne: legs, tariffs, handling, annualised investment (real: < 1,000)
MAX_VALUE_USD_PER_T = 1e7  # cargo value (copper ~9,000, refined metals < 100,000; gold flies, not modelled)
MAX_T = 1e10  # tonnes per year: capacities, supply, demand, tonnage rules, investments (all seaborne trade ~1.2e10)
MAX_DAYS = 3650.0  # transit and dwell: ten years
MAX_KM = 40_000.0  # a leg's length: once round the Earth
# value of time per year: 0.6-2.1 % of value a day in transit (Hummels & Schaur 2013) is 2.19-7.67 a year
MAX_CARRYING_COST_RATE = 10.0
MIN_DISPERSION_USD_PER_T = 0.01  # a route-choice dispersion: below a cent the logit is the least-cost allocation
FIRST_YEAR, LAST_YEAR = 1900.0, 2200.0  # years, as on the Periods sheet
MAX_YEARS = 100.0  # how many calendar years a modelled year stands for
MAX_LEAD_YEARS = 50.0  # from the start of work to service
MAX_USD_PER_YR = 1e12  # a yearly amount: an option's fixed cost (the largest projects cost a few bn a year)
MAX_MULTIPLIER = 1e6  # a scenario's multiplier of a cell (the cell it makes is checked against its own bound)
MAX_PENALTY_USD_PER_T = 1e7  # unmet_penalty_usd_per_t: above any cargo value, so stranding never pays
MAX_G_PER_TKM = 10_000.0  # a leg's CO2e intensity (real: 5 by sea to ~1,500 by air freight)
MAX_KG_PER_T = 1_000.0  # CO2e of handling a tonne at a node (real: a few kg)
MAX_USD_PER_T_CO2 = 100_000.0  # a carbon price (real: 0 to a few hundred USD per t CO2e)


@dataclass(frozen=True)
class Column:
    """One column of an input sheet."""

    name: str
    type: str = STR
    required: bool = False
    unit: str = ""
    default: object = None
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    ref: str = ""  # what the value must name, in words, e.g. "a node on the Nodes sheet"
    refers: Refers | None = None  # what validation checks it names; None = not checked there
    description: str = ""


@dataclass(frozen=True)
class Sheet:
    """One input sheet: its columns and which of them identify a row."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str
    required: bool = False
    free_columns: bool = False  # Sources: any columns, copied through

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class Setting:
    """One key of the Settings sheet."""

    key: str
    type: str
    unit: str
    default: object
    min: float | None
    description: str
    max: float | None = None


SETTINGS = (
    Setting("scenario_name", STR, "", None, None,
            "Name of the case, shown in the result workbook (default: the input file name)."),
    Setting("carrying_cost_rate", NUM, "per year", 0.08, 0.0,
            "Capital cost of cargo value tied up in transit and dwell time, as a fraction per year (the value of "
            "time; a commodity's own rate on the Commodities sheet replaces it).", max=MAX_CARRYING_COST_RATE),
    Setting("allow_investments", BOOL, "", True, None,
            "TRUE: the model may build the options of the Investments sheet. FALSE: it may not, and the "
            "Investments sheet of the result still shows what each option would be worth."),
    Setting("unmet_penalty_usd_per_t", NUM, "USD/t", None, 0.0,
            "Cost of each demanded tonne not delivered. Blank: demand is hard and the model is "
            "infeasible if it cannot be met.", max=MAX_PENALTY_USD_PER_T),
    Setting("include_zero_flows", BOOL, "", False, None,
            "TRUE: the Flows sheet lists every commodity and route the model may use, with 0 t where unused. "
            "FALSE: only the flows used."),
    Setting("routes_sheet_rows", NUM, "rows", 2000, 1.0,
            "Most rows on the Routes sheet: the routes used, then the unused ones closest to being used.",
            max=1048575.0),
    Setting("routes_csv", BOOL, "", False, None,
            "TRUE: also write every route, used or not, to <result>_routes.csv beside the result workbook "
            "(for cases with more routes than the Routes sheet holds)."),
    Setting("discount_rate", NUM, "per year", 0.0, 0.0,
            "With a Periods sheet: the rate that discounts each year's cost to the first year.", max=1.0),
    Setting("calibration_rules", BOOL, "", True, None,
            "TRUE: the calibration rules of the Policies sheet hold. FALSE: they are off (for a scenario that closes a "
            "corridor an observation went through)."),
    Setting("worst_case_weight", NUM, "", 0.0, 0.0,
            "For corridor solve --robust: weight on the worst scenario's cost added to the expected cost "
            "(0 = expected cost only).", max=10.0),
    Setting("carbon_price_usd_per_t_co2", NUM, "USD/t CO2e", 0.0, 0.0,
            "Price of a tonne of CO2e emitted, added to the cost of every tonne of cargo as its carbon cost "
            "(reported as its own part of the cost). Above 0, every leg an enabled route uses needs distance_km.",
            max=MAX_USD_PER_T_CO2),
    Setting("allocation", STR, "", "least_cost", None,
            "least_cost: every tonne on its cheapest route (the LP). choice: each demand row's tonnes split over its "
            "routes by a logit in generalised cost, with the dispersion of the Dispersions sheet, under the same "
            "capacities and rules (corridor solve --allocation choice asks for it once)."),
    Setting("focus", STR, "", None, None,
            "The corridor or country the Summary's brief reports on first, written 'country PK' (or "
            "'country Pakistan') or 'corridor Middle Corridor', codes or names, case aside: its tonnes, or, if it "
            "carries none, how far its nearest route is from being used."),
)
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}

_id: dict[str, Any] = {"type": STR, "required": True}  # an id column's Column arguments

# The optional year column of the sheets that may change by year (with a Periods sheet).
YEAR_SHEETS = ("Legs", "Tariffs", "Capacities", "Supply", "Demand", "Policies", "Surcharges", "Observations")


def _season(what: str, others: str) -> Column:
    return Column("season", ref="a season on the Seasons sheet", refers=Refers.SEASON,
                  description="The season the row applies to; blank = the whole year. A row with a season gives the "
                              f"{what} in that season alone, in tonnes in the season (not a yearly rate). {others}")


def _year(what: str) -> Column:
    return Column("year", NUM, unit="year", min=FIRST_YEAR, max=LAST_YEAR, ref="a year on the Periods sheet",
                  description=f"The year the row applies to; blank = every year. A row with a year replaces the "
                              f"blank-year row of the same {what} in that year.")

SHEETS: tuple[Sheet, ...] = (
    Sheet("Settings", (
        Column("key", **_id, description="Setting name: " + ", ".join(s.key for s in SETTINGS) + "."),
        Column("value", description="Setting value (the documentation's Input page gives each key)."),
        Column("unit", description="Unit of the value (information only)."),
        Column("meaning", description="What the setting does (information only)."),
    ), key=("key",), description="Model-wide settings."),
    Sheet("Countries", (
        Column("country", **_id, description="Country code used on the Nodes sheet (e.g. KZ)."),
        Column("name", description="Country name."),
        Column("risk_premium_pct", NUM, unit="% of cargo value", default=0.0, min=0.0, max=100.0,
               description="Risk and insurance premium charged once on each route passing the country."),
    ), key=("country",), description="Countries that routes pass through."),
    Sheet("Nodes", (
        Column("node", **_id, description="Node id, used in paths, capacities and tariffs."),
        Column("name", description="Node name."),
        Column("country", **_id, ref="a country on the Countries sheet", refers=Refers.COUNTRY,
               description="Country the node lies in."),
        Column("kind", ENUM, required=True, choices=tuple(NodeKind),
               description="origin (production region), border, port, hub or market."),
        Column("lat", NUM, unit="degrees", min=-90.0, max=90.0, description="Latitude (for maps)."),
        Column("lon", NUM, unit="degrees", min=-180.0, max=180.0, description="Longitude (for maps)."),
        Column("handling_usd_per_t", NUM, unit="USD/t", default=0.0, min=-MAX_USD_PER_T, max=MAX_USD_PER_T,
               description="Handling or border cost per tonne passing the node; negative: a subsidy per tonne (as "
                           "the Sweeps sheet's gwadar_discount asks)."),
        Column("dwell_days", NUM, unit="days", default=0.0, min=0.0, max=MAX_DAYS,
               description="Average time cargo waits at the node."),
        Column("co2_kg_per_t", NUM, unit="kg CO2e/t", default=0.0, min=0.0, max=MAX_KG_PER_T,
               description="Greenhouse gases of handling a tonne at the node, counted at each pass like the "
                           "handling cost."),
    ), key=("node",), description="Production regions, border crossings, ports, hubs and markets.",
        required=True),
    Sheet("Legs", (
        Column("from", **_id, ref="a node on the Nodes sheet", refers=Refers.NODE, description="Start node."),
        Column("to", **_id, ref="a node on the Nodes sheet", refers=Refers.NODE, description="End node."),
        Column("mode", ENUM, required=True, choices=tuple(Mode), description="Transport mode."),
        Column("distance_km", NUM, unit="km", min=0.0, max=MAX_KM,
               description="Length, for the leg's CO2e (distance x co2_g_per_tkm); required on the legs of enabled "
                           "routes when emissions are priced or capped."),
        Column("cost_usd_per_t", NUM, required=True, unit="USD/t", min=0.0, max=MAX_USD_PER_T,
               description="Freight cost per tonne on the leg (all cargo classes unless a tariff overrides)."),
        Column("transit_days", NUM, required=True, unit="days", min=0.0, max=MAX_DAYS,
               description="Time in transit on the leg."),
        Column("co2_g_per_tkm", NUM, unit="g CO2e/tkm", min=0.0, max=MAX_G_PER_TKM,
               description="Well-to-wheel greenhouse gases per tonne-km on the leg; blank = the default for its mode "
                           "(the documentation's Emissions page and the Sources sheet give them and their sources)."),
        _year("leg"),
    ), key=("from", "to", "year"), description="Directed links between nodes; (from, to) is unique (per year).",
        required=True),
    Sheet("Tariffs", (
        Column("element", **_id, ref="a node id or a leg written FROM>TO", refers=Refers.ELEMENT,
               description="Node or leg whose cost this row replaces for one cargo class."),
        Column("cargo_class", **_id, ref="a cargo class on the Commodities sheet", refers=Refers.CARGO_CLASS,
               description="Cargo class the tariff applies to."),
        Column("cost_usd_per_t", NUM, required=True, unit="USD/t", min=0.0, max=MAX_USD_PER_T,
               description="Class-specific cost replacing the leg's cost or the node's handling cost."),
        _year("element and class"),
    ), key=("element", "cargo_class", "year"),
        description="Class-specific costs replacing a leg's or a node's default."),
    Sheet("Commodities", (
        Column("commodity", **_id, description="Commodity id."),
        Column("name", description="Commodity name."),
        Column("cargo_class", **_id,
               description="Free label such as container, dry_bulk, liquid_bulk, breakbulk."),
        Column("value_usd_per_t", NUM, unit="USD/t", default=0.0, min=0.0, max=MAX_VALUE_USD_PER_T,
               description="Cargo value, for the carrying cost of transit time and the risk premium."),
        Column("carrying_cost_rate", NUM, unit="per year", min=0.0, max=MAX_CARRYING_COST_RATE,
               description="This commodity's value of time, as a fraction of its value per year; blank = the "
                           "Settings value."),
    ), key=("commodity",), description="What is shipped.", required=True),
    Sheet("Routes", (
        Column("route", **_id, description="Route id."),
        Column("corridor", **_id, description="Corridor the route belongs to (free label)."),
        Column("path", **_id, ref="nodes joined by '>', each consecutive pair a leg",
               description="Node sequence A>B>C: first node an origin, last a market."),
        Column("cargo_classes", description="Comma list of cargo classes the route carries; blank = all."),
        Column("enabled", BOOL, default=True, description="FALSE switches the route off."),
    ), key=("route",), description="Paths from an origin to a market, grouped into corridors.",
        required=True),
    Sheet("Capacities", (
        Column("element", **_id, ref="a node id or a leg written FROM>TO", refers=Refers.ELEMENT,
               description="Node or leg whose annual throughput is limited."),
        Column("cargo_class", ref="a cargo class on the Commodities sheet", refers=Refers.CARGO_CLASS,
               description="Cargo class limited by this row; blank = all classes."),
        Column("capacity_t", NUM, required=True, unit="t/yr", min=0.0, max=MAX_T,
               description="Annual throughput limit for the classes of the row."),
        _season("throughput limit (0: closed then)", "A season without a row of its own gets the annual figure "
                "times its share."),
        _year("element and class"),
    ), key=("element", "cargo_class", "season", "year"),
        description="Annual throughput limits; several rows per element are allowed."),
    Sheet("Supply", (
        Column("commodity", **_id, ref="a commodity on the Commodities sheet", refers=Refers.COMMODITY,
               description="Commodity."),
        Column("origin", **_id, ref="an origin node", refers=Refers.ORIGIN, description="Origin node."),
        Column("max_t", NUM, required=True, unit="t/yr", min=0.0, max=MAX_T,
               description="Most the origin can export per year. A commodity with Supply rows ships only "
                           "from the origins listed."),
        Column("min_t", NUM, unit="t/yr", default=0.0, min=0.0, max=MAX_T,
               description="Least the origin must export per year."),
        _year("commodity and origin"),
    ), key=("commodity", "origin", "year"),
        description="Export limits per origin. A commodity with Supply rows ships only from the origins "
                    "listed; a commodity without any ships from any origin without limit."),
    Sheet("Demand", (
        Column("commodity", **_id, ref="a commodity on the Commodities sheet", refers=Refers.COMMODITY,
               description="Commodity."),
        Column("origin", ref="an origin node", refers=Refers.ORIGIN,
               description="Origin that must supply it; blank = any origin."),
        Column("market", **_id, ref="a market node", refers=Refers.MARKET, description="Market."),
        Column("demand_t", NUM, required=True, unit="t/yr", min=0.0, max=MAX_T,
               description="Tonnes per year that must reach the market."),
        _season("demand (a harvest peak)", "It needs the annual row of its commodity, origin and market; the seasons "
                "without a row of their own share the rest of the annual figure by their shares."),
        _year("commodity, origin and market"),
    ), key=("commodity", "origin", "market", "season", "year"), description="Tonnes that must reach each market.",
        required=True),
    Sheet("Policies", (
        Column("rule", **_id, description="Rule id."),
        Column("kind", ENUM, required=True, choices=tuple(PolicyKind),
               description="max_share / min_share (of shipped tonnes), max_t / min_t (tonnes) or max_co2_t (tonnes "
                           "of CO2e emitted by the cargo through the target)."),
        Column("scope", ENUM, required=True, choices=tuple(Scope),
               description="What the target names: corridor, country, route, node or leg."),
        Column("target", **_id, ref="a name in the scope, or * for each one separately",
               description="The corridor, country, route, node or leg (FROM>TO); * = each one."),
        Column("commodity", ref="commodity ids or cargo classes, comma separated",
               description="Cargo the rule counts: commodity ids and/or cargo classes, comma separated; "
                           "blank = all."),
        Column("value", NUM, required=True, unit="share 0-1, t/yr or t CO2e/yr", min=0.0, max=MAX_T,
               description="The share (0 to 1), the tonnes per year, or the tonnes of CO2e per year (max_co2_t)."),
        _year("rule"),
        Column("calibration", BOOL, default=False,
               description="TRUE: a rule corridor calibrate keeps to hold an observation within its band where costs "
                           "alone cannot; off when the setting calibration_rules is FALSE."),
        Column("note", description="What the rule is for, and where it comes from."),
    ), key=("rule", "year"), description="Diversification rules and commitments."),
    Sheet("Surcharges", (
        Column("scope", ENUM, required=True, choices=tuple(Scope),
               description="What the target names: corridor, country, route, node or leg."),
        Column("target", **_id, ref="a name in the scope",
               description="The corridor, country, route, node or leg (FROM>TO) whose flows pay the surcharge."),
        Column("commodity", ref="commodity ids or cargo classes, comma separated",
               description="Cargo that pays it: commodity ids and/or cargo classes, comma separated; blank = all."),
        _year("scope, target and commodity"),
        Column("usd_per_t", NUM, required=True, unit="USD/t", min=-MAX_USD_PER_T, max=MAX_USD_PER_T,
               description="Added to the cost of every tonne through the target (negative: an advantage), reported as "
                           "its own part of the cost (a security premium, a transit fee, an implied premium)."),
        Column("source", description="Where the figure comes from."),
        Column("note", description="What the surcharge stands for."),
    ), key=("scope", "target", "commodity", "year"),
        description="Per-tonne costs or advantages on the flows through a target."),
    Sheet("Observations", (
        Column("observation", **_id, description="Observation id."),
        Column("scope", ENUM, required=True, choices=tuple(Scope),
               description="What the target names: corridor, country, route, node or leg."),
        Column("target", **_id, ref="a name in the scope (not *)",
               description="The corridor, country, route, node or leg (FROM>TO) the observed tonnes went through."),
        Column("commodity", ref="commodity ids or cargo classes, comma separated",
               description="Cargo the observation counts: commodity ids and/or cargo classes; blank = all."),
        _year("observation"),
        Column("observed_t", NUM, required=True, unit="t/yr", min=0.0, max=MAX_T,
               description="Tonnes that moved through the target in the year."),
        Column("tolerance_pct", NUM, unit="%", min=0.0, max=100.0,
               description="Within tolerance when the modelled tonnes are this percentage of observed_t or less away "
                           "(the larger of this and tolerance_t counts)."),
        Column("tolerance_t", NUM, unit="t/yr", min=0.0, max=MAX_T,
               description="Within tolerance when the modelled tonnes are this many tonnes or less away."),
        Column("source", description="Where the figure comes from."),
        Column("note", description="What the figure counts (Kazakh cargo or transit, a destination or a route)."),
        Column("role", ENUM, default=Role.FIT, choices=tuple(Role),
               description="fit: calibration fits it and the fit score counts it; test: held out, never read by "
                           "calibration, predicted and reported apart (out of sample)."),
        Column("scenario", ref="a scenario of the Scenarios sheet (combine with +)",
               description="The world the figure was observed in, as a scenario of the Scenarios sheet (e.g. the "
                           "2025 events); blank = the case itself. Only on test rows: calibration fits the case."),
    ), key=("observation", "year"),
        description="What moved in the base year, for the Fit sheet and corridor calibrate."),
    Sheet("Seasons", (
        Column("season", **_id, description="Season id, used in the season column of Capacities and Demand."),
        Column("share", NUM, required=True, unit="share of the year", min=0.0, max=1.0,
               description="The fraction of the year the season lasts (> 0); the shares sum to 1."),
        Column("months", description="The months it covers, e.g. Dec-Mar (information only)."),
        Column("note", description="What the season stands for."),
    ), key=("season",), description="Optional: the seasons of the year (a pass closed in winter, a harvest peak). "
        "Without it (or with no rows) the model is annual, as before."),
    Sheet("Dispersions", (
        Column("cargo_class", ref="a cargo class on the Commodities sheet", refers=Refers.CARGO_CLASS,
               description="Cargo class the dispersion applies to; blank: the pooled dispersion of every class "
                           "without a row of its own (at most one blank row)."),
        Column("dispersion_usd_per_t", NUM, required=True, unit="USD/t", min=MIN_DISPERSION_USD_PER_T,
               max=MAX_USD_PER_T,
               description="For allocation choice: the cost difference that makes one route e (2.72) times as likely "
                           "as another for this class (1/theta of the logit). Small: nearly least cost; large: "
                           "spread over the routes."),
        Column("standard_error_usd_per_t", NUM, unit="USD/t", min=0.0, max=MAX_USD_PER_T,
               description="Its standard error, as corridor calibrate --estimate wrote it (information only)."),
        Column("source", description="Where the figure comes from (a Sources id, or corridor calibrate --estimate)."),
    ), key=("cargo_class",), description="Optional: the route-choice dispersion of each cargo class, for allocation "
        "choice (corridor calibrate --estimate estimates it from the Observations)."),
    Sheet("Periods", (
        Column("year", NUM, required=True, unit="year", min=FIRST_YEAR, max=LAST_YEAR,
               description="A modelled year; flows are chosen for each year listed."),
        Column("weight", NUM, unit="years", default=1.0, min=0.0, max=MAX_YEARS,
               description="How many calendar years this modelled year stands for (e.g. 5 for 2030 standing for "
                           "2030-2034)."),
        Column("description", description="What the year represents."),
    ), key=("year",), description="Optional: the years planned. Without it the model is one year, as before."),
    Sheet("Investments", (
        Column("option", **_id, description="Investment option id."),
        Column("element", **_id, ref="a node id or a leg written FROM>TO", refers=Refers.ELEMENT,
               description="The port, crossing or leg whose capacity the option adds to."),
        Column("cargo_class", ref="a cargo class on the Commodities sheet", refers=Refers.CARGO_CLASS,
               description="The capacity row it adds to: the element's row for this class; blank = its all-class row."),
        Column("max_added_t", NUM, required=True, unit="t/yr", min=0.0, max=MAX_T,
               description="Most annual capacity the option can add."),
        Column("annualised_cost_usd_per_t", NUM, required=True, unit="USD/t", min=0.0, max=MAX_USD_PER_T,
               description="Capital recovery of the capex plus fixed operating cost, per tonne of annual capacity "
                           "added, per year."),
        Column("lumpy", BOOL, default=False,
               description="TRUE: built whole (max_added_t) or not at all, like a terminal; FALSE: any amount up to "
                           "max_added_t (or whole modules, with module_t)."),
        Column("module_t", NUM, unit="t/yr", min=0.0, max=MAX_T,
               description="Capacity comes in whole modules of this size (a berth, a vessel); blank = any amount. "
                           "At most max_added_t in all."),
        Column("fixed_cost_usd_per_yr", NUM, unit="USD/yr", min=0.0, max=MAX_USD_PER_YR, default=0.0,
               description="Paid each year the option has any capacity in service, however much (staff, "
                           "concession, maintenance), on top of the annualised cost per tonne."),
        Column("first_year", NUM, unit="year", min=FIRST_YEAR, max=LAST_YEAR,
               description="First year work can start; blank = the first period. With a Periods sheet the "
                           "capacity is in service from first_year + lead_time_years (no effect in one period)."),
        Column("lead_time_years", NUM, unit="years", min=0.0, max=MAX_LEAD_YEARS, default=0.0,
               description="Years from the start of work to service (no effect in one period)."),
        Column("note", description="What the option is, and where its figures come from."),
    ), key=("option",), description="Capacity that the model may add, at an annualised cost."),
    Sheet("Scenarios", (
        Column("scenario", **_id, description="Scenario name, for --scenario NAME (combine with +: a+b)."),
        Column("sheet", **_id, description="The sheet whose cells this row overrides."),
        Column("key", **_id, ref="a row key of that sheet; comma-separated parts, * for any, a leg as FROM>TO",
               description="The row(s): their key, or a pattern for several rows."),
        Column("column", **_id, description="The column to override."),
        Column("value", description="The new value (any type the column takes); or leave blank and give a "
                                    "multiplier."),
        Column("multiplier", NUM, max=MAX_MULTIPLIER, description="Multiplies the numeric cell(s) instead of a value."),
        Column("probability", NUM, min=0.0, max=1.0, description="The scenario's probability (for a robust plan)."),
        Column("description", description="What the scenario represents."),
    ), key=("scenario", "sheet", "key", "column"), description="Named scenarios: overrides of input cells."),
    Sheet("Sweeps", (
        Column("name", **_id, description="Sweep name, for corridor sweep INPUT --name NAME."),
        Column("param", **_id, ref="an input cell written Sheet[KEY].column",
               description="The cell(s) to vary, e.g. Legs[*>GWD].cost_usd_per_t or Capacities[DOS].capacity_t."),
        Column("spec", **_id, description="start:stop:points (0:200:5 is 0, 50, ..., 200), start:stop:by=step, a "
               "list a,b,c, or a multiplier *0.5:1.5:11."),
        Column("description", description="What the sweep asks."),
    ), key=("name", "param"), description="Named sweeps; the rows of one name form a grid."),
    Sheet("Uncertainty", (
        Column("input", **_id, ref="an input cell written Sheet[KEY].column",
               description="The cell(s) to vary, as a sweep names them: Legs[ATY>ULG].cost_usd_per_t, or a group "
                           "such as Legs[*>GWD].cost_usd_per_t (every matching cell, each by the same draw)."),
        Column("as", ENUM, default=VaryAs.VALUE, choices=tuple(VaryAs),
               description="value: the draw is the cell's value; factor: the draw multiplies each cell's base value "
                           "(1 = unchanged), for a group of cells with different values."),
        Column("distribution", ENUM, required=True, choices=tuple(Distribution),
               description="uniform (low, high), triangular (low, mode, high), normal (mean mode, standard deviation "
                           "spread) or lognormal (most likely mode, spread the standard deviation of its logarithm); "
                           "normal and lognormal are cut to low..high where given."),
        Column("low", NUM, min=-MAX_T, max=MAX_T, description="The lowest value drawn (uniform, triangular; "
                                                              "optional cut for normal and lognormal)."),
        Column("high", NUM, min=-MAX_T, max=MAX_T, description="The highest value drawn; above low."),
        Column("mode", NUM, min=-MAX_T, max=MAX_T,
               description="The most likely value (triangular, lognormal; > 0 for lognormal), or the mean (normal)."),
        Column("spread", NUM, min=0.0, max=MAX_T,
               description="normal: the standard deviation, in the value's unit; lognormal: the standard deviation "
                           "of its natural logarithm (0.2 is about +-20 %). > 0."),
        Column("group", description="A correlation group: the rows of one group move together, each at the same "
                                    "quantile of its own distribution (drawn from one uniform: comonotone). Blank: "
                                    "the row is drawn on its own."),
        Column("source", description="Where the range comes from (a Sources id)."),
    ), key=("input",), description="Optional: the inputs corridor uncertainty draws, each from its distribution, "
        "by Latin hypercube or Sobol' design; each draw is solved and the results' spread reported."),
    Sheet("Calibration", (), key=(), description="Written by corridor calibrate: each observation's implied premium "
          "and how it is held; information only, any columns, copied to the output.", free_columns=True),
    Sheet("Estimation", (), key=(), description="Written by corridor calibrate --estimate: each cargo class's "
          "estimated dispersion, its standard error and correlations; information only, any columns, copied to the "
          "output.", free_columns=True),
    Sheet("EstimationFit", (), key=(), description="Written by corridor calibrate --estimate: each observation "
          "under least cost beside choice at the estimate; information only, any columns, copied to the output.",
          free_columns=True),
    Sheet("Sources", (
        Column("confidence", description="How sure the figure is: H official, M official via the press, L a single "
                                         "or informal source, E an estimate of this case (give it low and high)."),
        Column("low", NUM, description="The lowest plausible value, in the unit of the row's value (optional; an E "
                                       "row should have it)."),
        Column("high", NUM, description="The highest plausible value, in the same unit; not below low."),
    ), key=(), description="Where the figures come from; any other columns too; copied to the output.",
        free_columns=True),
)
SHEETS_BY_NAME = {s.name: s for s in SHEETS}
# The sheets that describe runs, not the case: no scenario, sweep or uncertainty draw changes their cells.
RUN_SHEETS = ("Scenarios", "Sweeps", "Uncertainty")


def leg_id(a: str, b: str) -> str:
    """The id of the leg from a to b, as written in Tariffs, Capacities and Policies."""
    return f"{a}>{b}"


def path_nodes(path) -> tuple[str, ...]:
    """The nodes of a route's path 'A > B>C' -> ('A', 'B', 'C'), node ids interned. Read row by row
    only where validation names a row at fault; the routes of a case are read in whole columns
    (model.network.routes.PathTable)."""
    return tuple(map(sys.intern, map(str.strip, str(path).split(">"))))


def class_list(text) -> frozenset[str] | None:
    """A route's cargo_classes 'container, dry_bulk' -> a set; blank -> None (every class)."""
    if text is None or text != text or not str(text).strip():  # text != text: NaN
        return None
    return frozenset(c.strip() for c in str(text).split(",") if c.strip())


def phrase(description: str) -> str:
    """'Tonnes that must reach each market.' -> 'tonnes that must reach each market', to quote
    a description inside a sentence."""
    text = description.rstrip(".")
    return text[:1].lower() + text[1:]


def column_note(col: Column) -> str:
    """A one-paragraph description of a column: meaning, unit, type, default, bounds."""
    parts = [col.description]
    if col.unit:
        parts.append(f"Unit: {col.unit}.")
    if col.choices:
        parts.append("One of: " + ", ".join(col.choices) + ".")
    elif col.type != STR:
        parts.append(f"Type: {col.type}.")
    if col.ref:
        parts.append(f"Must name {col.ref}.")
    if col.required:
        parts.append("Required.")
    elif col.default is not None:
        parts.append(f"Default: {col.default}.")
    bounds = []
    if col.min is not None:
        bounds.append(f">= {number_text(col.min)}")
    if col.max is not None:
        bounds.append(f"<= {number_text(col.max)}")
    if bounds:
        parts.append("Must be " + " and ".join(bounds) + ".")
    return " ".join(p for p in parts if p)


def bounds_text(low: float | None, high: float | None) -> str:
    """'0 to 10,000,000,000', '>= 0', '<= 1,000,000' or '' for the input reference (docs/hooks.py)."""
    if low is not None and high is not None:
        return f"{number_text(low)} to {number_text(high)}"
    if low is not None:
        return f">= {number_text(low)}"
    return f"<= {number_text(high)}" if high is not None else ""
