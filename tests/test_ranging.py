"""Ranging and break-even values: hand-worked, and confirmed by re-solving just inside and
just outside each reported interval."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from cases import transport_case, write_case
from conftest import ROOT

from model import pipeline

EPS = 1e-3


def resolve_with(run, change):
    """Re-solve the live HiGHS model after change(highs); return (objective, primal, row duals)."""
    h = run.solution.highs
    change(h)
    h.run()
    s = h.getSolution()
    return h.getInfo().objective_function_value, list(s.col_value), list(s.row_dual)


def column(run, route):
    return run.solution.col_of("Flow", ("coal", route))


def row(run, con, index):
    return run.solution.row_of(con, index)


def test_capacity_shadow_price_and_its_range_by_hand(tmp_path):
    # Rail 2 USD/t limited to 60 t, road 5 USD/t, 100 t: shadow price 3 USD/t. It holds while the rail
    # capacity is between 0 t (no rail) and 100 t (all by rail; beyond that no road tonne is left).
    run = pipeline.run(write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}])))
    cap = run.results.capacity.iloc[0]
    assert cap["shadow_price_usd_per_t"] == pytest.approx(3)
    assert (cap["valid_from_t"], cap["valid_to_t"]) == pytest.approx((0, 100))
    b = run.results.bottlenecks.iloc[0]
    assert b["kind"] == "capacity" and b["valid_for_more_t"] == pytest.approx(40)
    assert b["in_words"] == ("One more tonne a year of capacity at A>M (now 60 t) saves 3.00 USD a year; this "
                             "holds for up to 40 t more (capacity between 0 t (the physical bound) and 100 t).")


def test_route_break_even_by_hand(tmp_path):
    # No capacity: all 100 t by rail at 2. Road costs 5; it is used once it costs less than 2.
    # Rail stays the choice while its cost is at most 5.
    run = pipeline.run(write_case(tmp_path, transport_case()))
    routes = run.results.routes.set_index("route")
    assert routes.loc["ROAD", "break_even_cost_usd_per_t"] == pytest.approx(2)
    assert routes.loc["RAIL", "cost_range_high_usd_per_t"] == pytest.approx(5)
    j = column(run, "ROAD")
    _, x, _ = resolve_with(run, lambda h: h.changeColCost(j, 2 - EPS))
    assert x[j] == pytest.approx(100)
    _, x, _ = resolve_with(run, lambda h: h.changeColCost(j, 2 + EPS))
    assert x[j] == pytest.approx(0)


@pytest.fixture(scope="module")
def annual_run(tmp_path_factory):
    """The base case as one period: its Seasons sheet and seasonal capacity rows left out. (With seasons an annual
    capacity is a figure of every season's row at once, which one row's ranging cannot give: its range is blank.)"""
    folder = tmp_path_factory.mktemp("annual") / "base_case"
    shutil.copytree(ROOT / "inputs" / "base_case", folder)
    (folder / "Seasons.csv").unlink()
    cap = pd.read_csv(folder / "Capacities.csv")
    cap[cap["season"].isna()].drop(columns="season").to_csv(folder / "Capacities.csv", index=False)
    sc = pd.read_csv(folder / "Scenarios.csv", dtype=str, keep_default_na=False)
    sc[~sc["key"].str.endswith(("winter", "autumn"))].to_csv(folder / "Scenarios.csv", index=False)
    return pipeline.run(folder)


def test_a_capacity_has_no_annual_range_with_seasons(base_run):
    cap = base_run.results.capacity.set_index("element").loc["SAM>MEU"]
    assert cap["valid_from_t"] != cap["valid_from_t"] and cap["valid_to_t"] != cap["valid_to_t"]  # blank (NaN)


def test_base_case_capacity_range_by_resolving(annual_run):
    # Druzhba's shadow price holds inside its reported range and changes just outside it (the CPC, at 60 Mt for
    # Kazakh crude, is not full). Its range starts at the physical bound, 0 t: no capacity lies below it.
    base_run = annual_run
    cap = base_run.results.capacity.set_index("element").loc["SAM>MEU"]
    price, low, high = cap["shadow_price_usd_per_t"], cap["valid_from_t"], cap["valid_to_t"]
    i = row(base_run, "capacity_limit", int(cap["input_row"]))
    h = base_run.solution.highs
    try:
        assert low == 0
        for bound, inside in ((high - 1.0, True), (high + 1.0, False), (low + 1.0, True)):
            _, _, y = resolve_with(base_run, lambda h, b=bound: h.changeRowBounds(i, -h.inf, b))
            assert bool(-y[i] == pytest.approx(price, rel=1e-9)) is inside, bound
    finally:
        h.changeRowBounds(i, -h.inf, cap["capacity_t"])
        h.run()


def test_base_case_break_even_by_resolving(base_run):
    # The best Gwadar route is used just below its break-even cost and not just above it.
    r = base_run.results.routes
    gwd = r[r["corridor"].str.startswith("Gwadar")].sort_values("reduced_cost_usd_per_t").iloc[0]
    j = base_run.solution.col_of("Flow", (gwd["commodity"], gwd["route"]))
    h = base_run.solution.highs
    try:
        _, x, _ = resolve_with(base_run, lambda h: h.changeColCost(j, gwd["break_even_cost_usd_per_t"] - EPS))
        assert x[j] > 1e-6
        _, x, _ = resolve_with(base_run, lambda h: h.changeColCost(j, gwd["break_even_cost_usd_per_t"] + EPS))
        assert x[j] == pytest.approx(0, abs=1e-6)
    finally:
        h.changeColCost(j, gwd["cost_usd_per_t"])
        h.run()
