"""The cut each port needs in each draw (corridor uncertainty --cuts), read off the draw's optimal basis
(model.analysis.uncertainty.cuts): hand-worked on two ports, and the same as the exact parametric search
(switching.port_cut) on the base case and the 2025 network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cases import legs, nodes, write_case
from conftest import BASE_XLSX

from model.analysis.params import focus_of
from model.analysis.sweep import live_model, run_sweep
from model.analysis.uncertainty import cuts
from model.analysis.uncertainty.design import Method, make_design, read_inputs
from model.analysis.uncertainty.figures import CUT, DrawReport
from model.analysis.uncertainty.ranges import port_names
from model.analysis.uncertainty.switching import port_cut
from model.analysis.uncertainty.tables import quantities
from model.pipeline import load_one_year as load

ROAD = "Legs[R>M].cost_usd_per_t"


def two_ports(tmp_path: Path, varied: str = ROAD, low: float = 2, high: float = 22) -> Path:
    """100 t of coal A -> M and 50 t of grain A -> N. Coal: rail A>M at 10 USD/t; by port R, A>R 3 + R>M (12 at base,
    uniform on [2, 22]) + R's charge 1; by port S, A>S 2 + S>M 11 + S's charge 2 = 15. Grain: only by R, A>R 3 + R>N 1
    + R's charge 1 = 5, so R always handles grain: the columns through R are basic whatever coal does."""
    port = {"country": "YY", "kind": "port"}
    return write_case(tmp_path, {
        "Countries": [{"country": "XX", "risk_premium_pct": 0}, {"country": "YY", "risk_premium_pct": 0}],
        "Nodes": nodes(("A", "origin"), ("R", "port", {**port, "name": "Port R", "handling_usd_per_t": 1}),
                       ("S", "port", {**port, "name": "Port S", "handling_usd_per_t": 2}), ("M", "market"),
                       ("N", "market")),
        "Legs": legs(("A", "M", 10, 1), ("A", "R", 3, 1), ("R", "M", 12, 1), ("A", "S", 2, 1), ("S", "M", 11, 1),
                     ("R", "N", 1, 1)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk", "value_usd_per_t": 0},
                        {"commodity": "grain", "cargo_class": "dry_bulk", "value_usd_per_t": 0}],
        "Routes": [{"route": "RAIL", "corridor": "Rail", "path": "A>M"},
                   {"route": "VIA_R", "corridor": "R", "path": "A>R>M"},
                   {"route": "VIA_S", "corridor": "S", "path": "A>S>M"},
                   {"route": "GRAIN", "corridor": "R", "path": "A>R>N"}],
        "Demand": [{"commodity": "coal", "market": "M", "demand_t": 100},
                   {"commodity": "grain", "market": "N", "demand_t": 50}],
        "Uncertainty": [{"input": varied, "distribution": "uniform", "low": low, "high": high, "source": "hand"}],
    }, {"focus": "country YY"})


def test_the_cuts_two_ports_need_at_base_by_hand(tmp_path):
    # Coal goes by rail (10) at base; by R it costs 3 + 12 + 1 = 16, by S 15: R's charge must fall by 16 - 10 = 6,
    # S's by 15 - 10 = 5. Grain's route through R carries cargo and moves with R's charge (its duals with it).
    live = live_model(two_ports(tmp_path))
    point = live.solve_point({})
    assert point.route is not None and set(point.route) == {"RAIL", "GRAIN"}
    assert cuts.port_cuts(live, ["R", "S"], point.route) == {"R": pytest.approx(6), "S": pytest.approx(5)}


def draws_cuts(case: Path, draws: int = 40, varied: str = ROAD) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    data, net, _ = load(case)
    watch = focus_of(net, data.settings.focus)
    ports = port_names(data, net, watch)
    inputs = read_inputs(data)
    design = make_design(inputs, draws, Method.LHS, 0)
    y = quantities(run_sweep(design.sweep(Path(case), inputs, reported=DrawReport(watch, ports)), progress=False),
                   watch)
    return design.X[varied].to_numpy(), {code: y[CUT + name + "_usd_per_t"].to_numpy() for code, name in ports}


def expected_by_hand(x: np.ndarray) -> dict[str, np.ndarray]:
    # x = R>M. By R coal costs 4 + x, carried where it beats the rail (x < 6): R's cut 4 + x - 10 = x - 6 where
    # x > 6, none where its route carries cargo. S (15) is unused in every draw: its charge must bring it down to
    # the cheaper of the rail and the road by R, a cut of 15 - min(10, 4 + x).
    return {"R": np.where(x > 6, x - 6, np.nan), "S": 15 - np.minimum(10, 4 + x)}


def test_each_draw_gives_both_ports_cuts_by_hand(tmp_path):
    x, found = draws_cuts(two_ports(tmp_path))
    for port, cut in expected_by_hand(x).items():
        assert found[port] == pytest.approx(cut, abs=1e-6, nan_ok=True), port


def test_a_draw_of_the_ports_own_charge_is_cut_from_the_charge_drawn(tmp_path):
    # R's charge h drawn on [0, 2] (R>M at 12): coal by R costs 3 + 12 + h and starts where that is 10, at a charge
    # of -5: a cut of h + 5 from the charge drawn. S's is 5 in every draw.
    charge = "Nodes[R].handling_usd_per_t"
    h, found = draws_cuts(two_ports(tmp_path, charge, 0, 2), draws=12, varied=charge)
    assert found["R"] == pytest.approx(h + 5, abs=1e-6)
    assert found["S"] == pytest.approx(np.full(12, 5.0), abs=1e-6)


def test_a_step_that_falls_short_of_the_switch_is_continued_from_its_basis(tmp_path, monkeypatch):
    # Each port's first step made at half the reach of the draw's basis: the solve there keeps that basis (no new
    # route), so the next step starts from it and reaches the same cuts by hand, with no exact search.
    stepped = cuts._stepped
    monkeypatch.setattr(cuts, "_stepped", lambda live, port, cell, d, reach, *rest: stepped(live, port, cell, d,
                                                                                           reach / 2, *rest))
    monkeypatch.setattr(cuts, "port_cut", lambda *a: pytest.fail("the exact search was called"))
    x, found = draws_cuts(two_ports(tmp_path), draws=12)
    for port, cut in expected_by_hand(x).items():
        assert found[port] == pytest.approx(cut, abs=1e-6, nan_ok=True), port


def test_the_exact_search_takes_over_where_the_basis_cannot_settle_the_cut(tmp_path, monkeypatch):
    # With no step allowed, every cut is the exact search's (switching.port_cut), from the draw's own point:
    # the same figures by hand.
    monkeypatch.setattr(cuts, "STEPS", 0)
    searched = []
    monkeypatch.setattr(cuts, "port_cut", lambda *a: searched.append(a[1]) or port_cut(*a))
    x, found = draws_cuts(two_ports(tmp_path), draws=12)
    for port, cut in expected_by_hand(x).items():
        assert found[port] == pytest.approx(cut, abs=1e-6, nan_ok=True), port
    assert searched.count("S") == 12  # R's route carries cargo in some draws: no cut to search there


@pytest.mark.slow
@pytest.mark.parametrize("scenario", [None, "year_2025"])
def test_on_the_base_case_the_cuts_are_the_exact_searchs(scenario, monkeypatch):
    # 50 draws of the shipped Uncertainty sheet: each port's cut read off the basis is the exact parametric
    # search's to 0.01 USD/t, and not one of them needed that search (it solves some 20 times a port).
    data, net, _ = load(BASE_XLSX, scenario)
    inputs = read_inputs(data, load(BASE_XLSX)[0] if scenario else None)
    design = make_design(inputs, 50, Method.LHS, 0)
    live = live_model(BASE_XLSX, scenario=scenario)
    ports = [code for code, _ in port_names(data, net, focus_of(net, data.settings.focus))]
    assert ports == ["KHI", "GWD"]
    searched = []
    monkeypatch.setattr(cuts, "port_cut", lambda *a: searched.append(a[1]) or port_cut(*a))
    fast, exact = [], []
    for row in design.X.to_numpy(dtype=float):
        values = {c: v for v, x in zip(inputs, row, strict=True) for c, v in v.param.cell_values(x).items()}
        point = live.solve_point(values)
        found = cuts.port_cuts(live, ports, point.route)
        fast += [found[p] for p in ports]
        for p in ports:
            live.solve_point(values)
            exact.append(port_cut(live, p, point.route))
    assert np.array(fast) == pytest.approx(np.array(exact), abs=0.01, nan_ok=True)
    assert np.isfinite(exact).all() and searched == []
