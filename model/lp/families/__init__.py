r"""Every family of columns and rows of the LP, declared once: the one statement of the model.

A family is one class below. Its docstring is the formulation of that family (a one-line summary,
then Markdown: its sets, parameters and row or column in $$ maths, and what it means); the
formulation document (docs/formulation.md) is generated from the docstrings of CASE_FAMILIES and
INVESTMENT_FAMILIES' classes and of the others in FAMILIES. The objective is the sum, over the
column families, of each column's cost (stated in its family) times the column:

$$
\min \sum_{\text{columns } j} c_j \, x_j
$$

with, in a plan, a case's annual costs weighted by the case's factor (probability x year weight x
discount) and the investments' by the year's weight x discount.

Besides the maths a family declares: `name`, its Pyomo component name (model/lp/statement/
states the same family as algebra, and tests/test_lp.py holds the two identical); `emit`, its
columns or rows for one case from the network; `label`, one of its rows or columns in words (how
a binding row reads: explain, the infeasibility text, the live model, the frontier, sweep
tables); `planner_facing`, `bottleneck` and `sheet` (what the rest of the code reads:
PLANNER_ROWS, BOTTLENECK_ROWS); `inputs`, the input columns that change its costs, bounds or
coefficients, and `changes`, how (the live model applies exactly that, and tests/test_live.py
checks every such cell against a fresh build).

The single-period model is one case; a plan (model.plan) is one case per (scenario, year),
whose columns and rows carry the case's position, linked by the Build columns they share.

To add a family: docs/developer/adding-a-family.md.
"""

from __future__ import annotations

from model.lp.families.base import (
    EQ,
    GE,
    LE,
    Bound,
    CaseLP,
    Cell,
    Coefficient,
    ColumnBounds,
    ColumnCost,
    Family,
    Structural,
)
from model.lp.families.columns import BandMiss, Flow, Shipped, Unmet, Worst
from model.lp.families.investments import (
    Build,
    BuildGrows,
    BuildInModules,
    BuildNeedsOpening,
    Modules,
    Opened,
    available,
)
from model.lp.families.policies import CO2_ROW, INFEASIBLE, SHARE_ROW, SKIP, TONNES_ROW, PolicyLimit, ShippedTotal
from model.lp.families.rows import CapacityLimit, DemandBalance, ObservationBand, SupplyMax, SupplyMin, WorstCase
from model.lp.families.seasons import SeasonCapacity, SeasonDemand, SeasonFlow, SeasonSplit
from model.lp.names import ColKey, RowKey
from model.network import Network

__all__ = ["EQ", "GE", "LE", "CO2_ROW", "INFEASIBLE", "SHARE_ROW", "SKIP", "TONNES_ROW", "Bound", "CaseLP", "Cell",
           "Coefficient", "ColumnBounds", "ColumnCost", "Family", "Structural", "FAMILIES",
           "CASE_FAMILIES", "NO_LP_EFFECT", "PLANNER_ROWS", "BOTTLENECK_ROWS", "INVESTMENT_FAMILIES", "available",
           "label"]

FLOW, UNMET, SHIPPED, BUILD, WORST = Flow(), Unmet(), Shipped(), Build(), Worst()
DEMAND_BALANCE, SUPPLY_MAX, SUPPLY_MIN = DemandBalance(), SupplyMax(), SupplyMin()
CAPACITY_LIMIT, SHIPPED_TOTAL, POLICY_LIMIT = CapacityLimit(), ShippedTotal(), PolicyLimit()
BUILD_GROWS, WORST_CASE = BuildGrows(), WorstCase()
MODULES, OPENED, BUILD_IN_MODULES, BUILD_NEEDS_OPENING = Modules(), Opened(), BuildInModules(), BuildNeedsOpening()
BAND_MISS, OBSERVATION_BAND = BandMiss(), ObservationBand()
SEASON_FLOW, SEASON_SPLIT = SeasonFlow(), SeasonSplit()
SEASON_CAPACITY, SEASON_DEMAND = SeasonCapacity(), SeasonDemand()

# Emitted in this order for each case: the order of the case's columns and rows in the LP (the
# Build columns a capacity row needs are made when it first asks, in the single-period model).
CASE_FAMILIES = (FLOW, UNMET, DEMAND_BALANCE, SUPPLY_MAX, SUPPLY_MIN, CAPACITY_LIMIT, SHIPPED, SHIPPED_TOTAL,
                 POLICY_LIMIT, BAND_MISS, OBSERVATION_BAND, SEASON_FLOW, SEASON_SPLIT, SEASON_CAPACITY, SEASON_DEMAND)
FAMILIES: dict[str, Family] = {f.name: f for f in (FLOW, UNMET, SHIPPED, BUILD, WORST, BAND_MISS, DEMAND_BALANCE,
                                                    SUPPLY_MAX, SUPPLY_MIN, CAPACITY_LIMIT, SHIPPED_TOTAL, POLICY_LIMIT,
                                                    OBSERVATION_BAND, BUILD_GROWS, WORST_CASE, MODULES, OPENED,
                                                    BUILD_IN_MODULES, BUILD_NEEDS_OPENING, SEASON_FLOW, SEASON_SPLIT,
                                                    SEASON_CAPACITY, SEASON_DEMAND)}
# Read from the families' declarations (Family.planner_facing, Family.bottleneck), never listed by hand:
# the families whose rows a planner can name and change, and those whose binding rows are bottlenecks.
PLANNER_ROWS = frozenset(f.name for f in FAMILIES.values() if f.planner_facing)
BOTTLENECK_ROWS = frozenset(f.name for f in FAMILIES.values() if f.bottleneck)
# The columns of the investment decisions, shared by a plan's cases (a robust plan's first stage).
INVESTMENT_FAMILIES = (BUILD.name, MODULES.name, OPENED.name)
# Numeric input columns that change nothing in the LP (information, or plan-only settings that the
# single-period model does not read). tests/test_live.py holds every numeric column to be declared
# by a family above or listed here.
NO_LP_EFFECT = (("Nodes", "lat"), ("Nodes", "lon"), ("Investments", "first_year"),
                ("Investments", "lead_time_years"), ("Settings", "routes_sheet_rows"),
                ("Settings", "discount_rate"), ("Settings", "worst_case_weight"),
                # observations change the LP only while calibrating (model.analysis.calibrate builds it anew)
                ("Observations", "observed_t"), ("Observations", "tolerance_pct"), ("Observations", "tolerance_t"),
                # the route-choice dispersions change the choice allocation, read off the LP (model.lp.choice)
                ("Dispersions", "dispersion_usd_per_t"), ("Dispersions", "standard_error_usd_per_t"))


def label(key: ColKey | RowKey, net: Network) -> str:
    """A row or column (a RowKey or ColKey of model.lp.names) in words, from its case's network."""
    return FAMILIES[key.family].label(net, key.index)
