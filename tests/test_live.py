"""The live model (model.lp.live) edits the LP in place exactly as a fresh build of the changed data
would build it: for every kind of numeric input cell a sweep or a scenario can change, the edited
HiGHS model has the same costs, bounds and matrix as the LP assembled from scratch. A cell that
changes which rows or columns exist is refused as Structural (and rebuilt by the sweep)."""

from __future__ import annotations

import numpy as np
import pytest
from lpforms import assert_identical, canonical, random_case

from model.analysis.params import find_cells, with_values
from model.input.schema import NUM, RUN_SHEETS, SETTINGS, SHEETS
from model.lp.assemble import build_lp
from model.lp.families import FAMILIES, NO_LP_EFFECT, Structural
from model.lp.live import LiveModel
from model.lp.solve import solve_plan
from model.network.build import build_network
from model.pipeline import load_one_year
from model.plan import Plan

# Every numeric input cell of the single-period model: non-key number columns of the sheets a
# sweep or scenario can change, and the numeric settings.
CELL_KINDS = [(s.name, c.name) for s in SHEETS if s.name not in ("Settings", "Periods", *RUN_SHEETS)
              and not s.free_columns for c in s.columns if c.type == NUM and c.name not in s.key]
CELL_KINDS += [("Settings", s.key) for s in SETTINGS if s.type == NUM]


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """A random case with every family: unmet demand at a penalty, supply minimums, investments,
    share rules with commodity filters and a tonnage cap, class tariffs."""
    return random_case(tmp_path_factory.mktemp("live"), seed=3)


def live_of(path) -> LiveModel:
    data, net, _ = load_one_year(path)
    return LiveModel(data, net, solve_plan(Plan.of_one(data, net)))


def fresh(data):
    return canonical(*build_lp(Plan.of_one(data, build_network(data))))


def edited(live: LiveModel):
    return canonical(live.h.getLp(), live.rows, live.columns)


def a_cell(data, sheet: str, column: str):
    """The first cell of the kind with a positive value (a setting by its key)."""
    if sheet == "Settings":
        return find_cells(f"Settings[{column}].value", data)[0]
    df = data.tables[sheet]
    rows = df[df[column].fillna(0) > 0]
    assert len(rows), f"the test case has no {sheet}.{column} value to change"
    key_cols = [k for k in next(s for s in SHEETS if s.name == sheet).key if k != "year"]
    rec = rows.iloc[0]
    key = f"{rec['from']}>{rec['to']}" if sheet == "Legs" else ",".join(str(rec[k]) if rec[k] == rec[k] and
                                                                         rec[k] is not None else "" for k in key_cols)
    return next(c for c in find_cells(f"{sheet}[{key}].{column}", data) if c.row == rec["_row"])


def tariffed_leg(live: LiveModel) -> str:
    net = live.net
    for element, cls in sorted(net.tariffs):
        if ">" not in element:
            continue
        classes = set(net.flow_class()[net.route_passes(element)[net.flow_route] > 0])
        if cls in classes and len(classes) > 1:
            return element
    raise AssertionError("the test case has no leg with a class tariff and other classes on it")


def test_every_numeric_column_is_declared_by_a_family_or_has_no_effect():
    declared = {where for f in FAMILIES.values() for where in f.inputs}
    for kind in CELL_KINDS:
        assert kind in declared or kind in NO_LP_EFFECT, (
            f"{kind}: declare it in the inputs of the family it changes (model/lp/families), or list it in "
            "NO_LP_EFFECT")


@pytest.mark.slow  # 33 kinds, each a MIP solve and four LPs; the fast loop keeps the two-cell test below
@pytest.mark.heavy  # and so does the README's pytest
@pytest.mark.parametrize("sheet, column", CELL_KINDS)
def test_an_edited_cell_gives_the_lp_a_fresh_build_gives(case, sheet, column):
    live = live_of(case)
    if (sheet, column) == ("Supply", "min_t"):
        cell = next(c for c in find_cells("Supply[*].min_t", live.data) if c.base > 0)
    elif (sheet, column) == ("Legs", "cost_usd_per_t"):
        # a leg where one class pays a tariff instead of the leg's cost and another class pays the cost
        cell = find_cells(f"Legs[{tariffed_leg(live)}].cost_usd_per_t", live.data)[0]
    else:
        cell = a_cell(live.data, sheet, column)
    value = cell.base * 1.37 + (0.01 if cell.base < 1 else 7.0)
    if sheet == "Policies":
        value = min(value, 0.9) if live.data.tables["Policies"].set_index("_row").loc[cell.row, "kind"].endswith(
            "share") else value
    if sheet == "Settings" and column in ("routes_sheet_rows",):
        value = float(int(value))
    live.apply({cell: value})
    assert_identical(edited(live), fresh(with_values(live.data, {cell: value})))
    # and back to the base: every change is undone
    live.apply({})
    assert_identical(edited(live), fresh(live.data))


def test_two_cells_of_one_point_and_the_next_point(case):
    # A point changes several cells at once; the next point starts again from the base model.
    live = live_of(case)
    data = live.data
    leg, cap = a_cell(data, "Legs", "cost_usd_per_t"), a_cell(data, "Capacities", "capacity_t")
    rate = a_cell(data, "Settings", "carrying_cost_rate")
    first = {leg: leg.base + 5.0, cap: cap.base * 0.5, rate: 0.12}
    live.apply(first)
    assert_identical(edited(live), fresh(with_values(data, first)))
    second = {cap: cap.base * 2.0}
    live.apply(second)
    assert_identical(edited(live), fresh(with_values(data, second)))


@pytest.mark.parametrize("change", ["supply minimum appears", "supply minimum goes", "penalty without Unmet"])
def test_changes_of_structure_are_refused(tmp_path, case, change):
    live = live_of(case)
    if change == "supply minimum appears":
        cell = next(c for c in find_cells("Supply[*].min_t", live.data) if c.base == 0)
        value = 1000.0
    elif change == "supply minimum goes":
        cell = next(c for c in find_cells("Supply[*].min_t", live.data) if c.base > 0)
        value = 0.0
    else:
        from cases import transport_case, write_case

        live = live_of(write_case(tmp_path, transport_case()))  # hard demand: no Unmet columns
        cell = find_cells("Settings[carrying_cost_rate].value", live.data)[0]
        cell = type(cell)("Settings", 0, "unmet_penalty_usd_per_t", "value", 0.0)
        value = 50.0
    with pytest.raises(Structural):
        live.apply({cell: value})


def test_the_live_model_solves_what_a_fresh_solve_solves(case):
    live = live_of(case)
    cell = a_cell(live.data, "Capacities", "capacity_t")
    got = live.solve_point({cell: cell.base * 0.6})
    data = with_values(live.data, {cell: cell.base * 0.6})
    expect = solve_plan(Plan.of_one(data, build_network(data)))
    assert got.objective_usd == pytest.approx(expect.objective_usd, rel=1e-9)
    assert np.isfinite(got.objective_usd)


def test_the_settings_rate_moves_only_the_commodities_without_their_own(case):
    # The case's first commodity has its own carrying_cost_rate (0.1/yr): a sweep of the Settings rate
    # leaves its flows' costs as they are and re-prices every other flow with days in transit.
    live = live_of(case)
    net = live.net
    own = np.isin(net.flow_commodity, [i for i, k in enumerate(net.commodity_class) if k in net.own_rate])
    assert own.any() and (~own).any()
    rate = a_cell(live.data, "Settings", "carrying_cost_rate")
    live.apply({rate: rate.base + 0.5})
    cost = np.array(live.h.getLp().col_cost_)[live.flow_cols]
    base = live.base_cost[live.flow_cols]
    assert np.array_equal(cost[own], base[own])
    moved = ~own & (net.flow_days() * net.flow_value() > 0)
    assert np.all(cost[moved] > base[moved])
    assert_identical(edited(live), fresh(with_values(live.data, {rate: rate.base + 0.5})))
