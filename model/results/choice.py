"""The result tables of a route-choice allocation (Settings allocation = choice, model.lp.choice): what
the least-cost tables say in LP terms, said in the logit's.

Under choice every route of a demand row carries its share, a logit in generalised cost (its cost plus
the tolls of the full rows it passes: the rows' shadow prices, sol.y). A route's columns on the Routes
and Flows sheets are therefore its share of its demand row, its tolls, its generalised cost and how far
that is above the cheapest route of its row; HiGHS's reduced costs, break-even costs and cost ranges
are of the least-cost LP and are not written (there is no basis of the logit to range).

The rule for small flows, stated once (SHOWN_T): the logit gives every open route some tonnes, most of
them a few grams. A route carrying under half a tonne a year is not listed on the Flows sheet, on the
Seasons sheet's flow rows or drawn on the map; its tonnes stay in every total (demand delivered,
capacity used, corridors, countries, CO2e, the Summary), and the Routes sheet lists it with its
tonnes. The Summary says how many routes and tonnes that is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.input.data import CorridorData
from model.input.schema import Allocation, PolicyKind
from model.input.validate.choice import dispersions
from model.network import Network

SHOWN_T = 0.5  # a route carrying less than this (t/yr) under choice is in the totals, not listed (see above)
ALLOCATION_LABEL = "allocation"  # the Summary item corridor check reads to know a choice result (its value
# begins with Allocation.CHOICE)
LEAST_COST_LABEL = "least-cost objective"
DISPERSION_LABEL = "dispersion"  # 'dispersion dry_bulk', USD/t
SE_SUFFIX = " standard error"
UNLISTED_LABEL = "routes under 0.5 t"
LEFT_OUT_LABEL = "least-cost calibration"  # what of the least-cost fit choice left out (model.input.allocation)

# The LP's analyst columns of the Routes sheet, and the choice's in their place.
LP_ROUTE_COLUMNS = ["reduced_cost_usd_per_t", "break_even_cost_usd_per_t", "cost_range_low_usd_per_t",
                    "cost_range_high_usd_per_t"]
CHOICE_COLUMNS = ["share_of_demand", "tolls_usd_per_t", "generalised_cost_usd_per_t", "above_cheapest_usd_per_t"]


@dataclass(frozen=True)
class ChoiceFacts:
    """What the Summary says of a choice allocation: the dispersions (and their standard errors, where the
    Dispersions sheet gives them), how the solve went, the least-cost objective beside the choice's cost,
    and the small routes left off the lists (SHOWN_T)."""

    dispersion: dict[str, float]
    standard_error: dict[str, float] = field(default_factory=dict)
    steps: int = 0
    seconds: float = 0.0
    violation_t: float = 0.0
    least_cost_usd: float = float("nan")
    unlisted_routes: int = 0
    unlisted_t: float = 0.0
    left_out: str = ""  # model.input.allocation.LeftOut.text(): the least-cost fit's rows left out

    def rows(self, plan: bool = False) -> list[tuple[str, object, str]]:
        """The Summary's rows (item, value, unit); of a plan, the objective is over its years (USD)."""
        rows: list[tuple[str, object, str]] = [
            (ALLOCATION_LABEL, f"{Allocation.CHOICE}: each demand row's tonnes split over its routes by a logit in "
                               "generalised cost (cost plus the tolls of full rows), under the same rows", "")]
        for cls, d in self.dispersion.items():
            rows.append((f"{DISPERSION_LABEL} {cls}", d, "USD/t"))
            if cls in self.standard_error:
                rows.append((f"{DISPERSION_LABEL} {cls}{SE_SUFFIX}", self.standard_error[cls], "USD/t"))
        rows += [(LEAST_COST_LABEL, self.least_cost_usd, "USD" if plan else "USD/yr"),
                 ("choice Newton steps", self.steps, ""), ("choice solve time", self.seconds, "s"),
                 ("choice largest row violation", self.violation_t, "t/yr"),
                 (UNLISTED_LABEL, f"{self.unlisted_routes:,} routes carry {self.unlisted_t:,.2f} t in all: counted in "
                                  "every total, not listed on Flows or drawn on the map (the Routes sheet has them)",
                  "")]
        return rows + ([(LEFT_OUT_LABEL, self.left_out, "")] if self.left_out else [])


    def text(self, objective_usd: float, plan: bool = False) -> str:
        """The console's and the brief's line on the allocation (objective_usd: the choice allocation's; of a
        plan, over its years)."""
        return allocation_text(self.dispersion, self.standard_error, objective_usd, self.least_cost_usd, self.steps,
                               self.seconds, "USD" if plan else "USD/yr", self.left_out)


def allocation_text(dispersion: dict[str, float], se: dict[str, float], objective_usd: float, least_cost_usd: float,
                    steps: object, seconds: object, unit: str = "USD/yr", left_out: str = "") -> str:
    """'Allocation: route choice ...': the dispersions (with standard errors where known) and what the
    allocation costs in the model's objective beside the least-cost allocation's."""
    each = ", ".join(f"{cls} {d:,.2f}" + (f" (standard error {se[cls]:,.2f})" if cls in se else "")
                     for cls, d in dispersion.items())
    more = objective_usd - least_cost_usd
    return (f"Allocation: route choice, each demand row's tonnes split over its routes by a logit in generalised cost "
            f"(cost plus the tolls of full rows); dispersion in USD/t {each}. It costs {objective_usd / 1e6:,.1f} "
            f"million {unit} in the model's objective against {least_cost_usd / 1e6:,.1f} for the least-cost "
            f"allocation ({more / 1e6:+,.1f}); {steps} Newton steps, {_seconds(seconds)} s"
            + (f"; {left_out}" if left_out else ""))


def _seconds(value: object) -> str:
    try:
        return f"{float(value):.2f}"  # type: ignore[arg-type]  # a number, or text read back
    except (TypeError, ValueError):
        return str(value)


def allocation_of_items(items: dict) -> str:
    """allocation_text from a Summary's items (as written, or read back); '' under least cost."""
    if not str(items.get(ALLOCATION_LABEL, "")).startswith(Allocation.CHOICE):
        return ""
    head = f"{DISPERSION_LABEL} "
    dispersion = {str(k)[len(head):]: float(v) for k, v in items.items()
                  if str(k).startswith(head) and not str(k).endswith(SE_SUFFIX)}
    se = {str(k)[len(head):-len(SE_SUFFIX)]: float(v) for k, v in items.items()
          if str(k).startswith(head) and str(k).endswith(SE_SUFFIX)}
    return allocation_text(dispersion, se, float(items.get("objective", math.nan)),
                           float(items.get(LEAST_COST_LABEL, math.nan)),
                           items.get("choice Newton steps", ""), items.get("choice solve time", ""),
                           "USD" if "objective means" in items else "USD/yr", str(items.get(LEFT_OUT_LABEL) or ""))


# How a bottleneck stands when its toll is positive, by kind (model.results.bottlenecks)
_TOLL_STATE = {"capacity": "is full", "policy": "binds", "supply": "is at its limit"}


def choice_bottlenecks(table: pd.DataFrame, policies: pd.DataFrame | None = None,
                       supply: pd.DataFrame | None = None) -> pd.DataFrame:
    """The Bottlenecks sheet of a choice allocation: each row's shadow price is its toll, said as one (a floor's,
    a min rule's or a supply minimum's, as the credit it is); there is no basis to range, so no 'holds for up to'."""
    out = table.copy()
    floor = _floors(out, policies, supply)
    out["in_words"] = [f"{name} ({limit}) {_TOLL_STATE.get(kind, 'binds')}: " + (
                       f"a tonne through it is credited {toll:,.2f} USD/t in generalised cost (a negative toll), the "
                       "price at which the logit draws to it the cargo the floor requires." if low else
                       f"a tonne through it pays a toll of {toll:,.2f} USD/t in generalised cost, the price at which "
                       "the logit sends the cargo it cannot take to other routes.") +
                       " Under route choice there is no ranging: the toll is of this limit alone."
                       for (kind, name, limit, toll), low in zip(out[["kind", "name", "limit", "saving_usd_per_t"]]
                                                                 .itertuples(index=False), floor, strict=True)]
    out["valid_for_more_t"] = math.nan
    out["set_by"] = TOLL_SET_BY
    return out


TOLL_SET_BY = "toll (route choice)"


def _floors(table: pd.DataFrame, policies: pd.DataFrame | None, supply: pd.DataFrame | None) -> list[bool]:
    """Per Bottlenecks row: whether it is a floor (a min_t or min_share rule, a supply's minimum), whose toll
    credits the tonnes through it."""
    rule_max = {} if policies is None else {r: PolicyKind(k).is_max for r, k in zip(policies["input_row"],
                                                                                   policies["kind"], strict=True)}
    minimum = {} if supply is None else {r: (float(lo or 0.0), float(hi or 0.0)) for r, lo, hi in zip(
        supply["input_row"], supply["cost_of_minimum_usd_per_t"], supply["value_of_more_supply_usd_per_t"],
        strict=True)}
    out = []
    for kind, row, toll in table[["kind", "input_row", "saving_usd_per_t"]].itertuples(index=False):
        if kind == "policy":
            out.append(not rule_max.get(row, True))
        elif kind == "supply" and row in minimum:
            lo, hi = minimum[row]
            out.append(lo > 0 and abs(toll - lo) < abs(toll - hi))
        else:
            out.append(False)
    return out


def focus_share(routes: pd.DataFrame, passes: pd.Series) -> str:
    """Under choice, the focus's largest share of a demand row in words ('' when none carries any)."""
    mine = routes[passes & (routes["tonnes_t"] > 0)]
    if not len(mine):
        return ""
    top = mine.sort_values("share_of_demand", ascending=False, kind="stable").iloc[0]
    return (f" Its largest share: route {top['route']} carries {top['share_of_demand']:.1%} of the {top['cargo']} "
            f"from {top['from']} to {top['to']} ({top['tonnes_t']:,.0f} t), at a generalised cost of "
            f"{top['generalised_cost_usd_per_t']:,.2f} USD/t ({top['above_cheapest_usd_per_t']:,.2f} above the "
            "cheapest route of that demand).")


def facts_of(data: CorridorData, sol, routes: pd.DataFrame) -> ChoiceFacts | None:
    """The ChoiceFacts of a solve (sol: a View; None under least cost)."""
    info = sol.solution.choice
    if info is None:
        return None
    se = {c: v for c, v in dispersions(data, "standard_error_usd_per_t").items() if c in info.dispersion}
    small = routes["tonnes_t"].to_numpy()
    small = small[(small > 0) & (small <= SHOWN_T)]  # as collect() lists them
    return ChoiceFacts(dict(info.dispersion), se, info.steps, info.seconds, info.violation_t, info.least_cost_usd,
                       len(small), float(small.sum()), data.left_out.text() if data.left_out else "")


def choice_routes(routes: pd.DataFrame, net: Network, generalised: np.ndarray) -> pd.DataFrame:
    """The Routes table of a choice allocation (routes: route_costs' table, in flow order; generalised: each
    flow's cost plus tolls, USD/t): the LP's analyst columns replaced by the share of the route's demand
    row, its tolls, its generalised cost and how far that is above its row's cheapest route."""
    n = len(routes)
    demand_t, lowest = np.full(n, np.nan), np.full(n, np.nan)
    by_row = net.demand_by_row
    for row, (a, b) in net.demand_span.items():
        if b > a:
            demand_t[a:b] = by_row[row].demand_t
            lowest[a:b] = np.nanmin(generalised[a:b]) if np.isfinite(generalised[a:b]).any() else np.nan
    tonnes = routes["tonnes_t"].to_numpy()
    out = routes.drop(columns=LP_ROUTE_COLUMNS)
    out.insert(out.columns.get_loc("tonnes_t") + 1, "share_of_demand",
               np.where(demand_t > 0, tonnes / np.where(demand_t > 0, demand_t, 1.0), np.nan))
    at = out.columns.get_loc("cost_usd") + 1
    out.insert(at, "tolls_usd_per_t", generalised - routes["cost_usd_per_t"].to_numpy())
    out.insert(at + 1, "generalised_cost_usd_per_t", generalised)
    out["above_cheapest_usd_per_t"] = generalised - lowest
    return out


def flow_columns(routes: pd.DataFrame) -> list[str]:
    """The Flows sheet's columns of a choice allocation: the Routes sheet's up to the countries, with the
    share and the generalised cost."""
    columns = list(routes.columns)
    return columns[:columns.index("countries") + 1]
