"""What large cases rely on: the solver chosen by size (and overridden), the Routes sheet cut to
its limit with the complete table on request, zero flows on request, and the phases timed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cases import transport_case, write_case

import model.lp.highs
from model import pipeline
from model.cli import main
from model.report.read_results import read_results
from model.report.workbook import write_results


def test_presolve_off_above_the_size_threshold_and_interior_point_on_request(tmp_path, monkeypatch):
    # 60 t by rail at 2 USD/t, 40 t by road at 5: 320 USD, whichever way HiGHS solves it.
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]))
    small = pipeline.run(case)  # below the threshold: HiGHS's defaults
    monkeypatch.setattr(model.lp.highs, "PRESOLVE_OFF_FROM_COLUMNS", 1)
    large = pipeline.run(case)
    ipm = pipeline.run(case, options={"solver": "ipm"})  # the user's option joins the choice by size
    assert "presolve off" not in small.solution.method
    assert large.solution.method == "dual simplex (presolve off)"
    assert ipm.solution.method.startswith("interior point")
    for run in (small, large, ipm):
        assert run.solution.objective_usd == pytest.approx(320)
        # a basis in every case (crossover after interior point): duals and ranging as with simplex
        # (rail capacity saves 5 - 2 = 3 USD/t)
        assert run.results.capacity.iloc[0]["shadow_price_usd_per_t"] == pytest.approx(3)
        assert run.results.summary.method == run.solution.method
    forced = pipeline.run(case, options={"presolve": "on"})  # the user's option wins over the choice
    assert "presolve off" not in forced.solution.method


def test_routes_sheet_is_cut_to_its_limit_and_the_csv_has_them_all(tmp_path):
    # Three routes: rail (used, 2 USD/t), road (5), and a dearer road via R2 (9): with room for two
    # rows the sheet keeps the used route and the one closest to being used.
    tables = transport_case(
        Nodes=[{"node": n, "country": "XX", "kind": k} for n, k in
               (("A", "origin"), ("R", "hub"), ("R2", "hub"), ("M", "market"))],
        Legs=[{"from": a, "to": b, "mode": "rail", "cost_usd_per_t": c, "transit_days": 1}
              for a, b, c in (("A", "M", 2), ("A", "R", 3), ("R", "M", 2), ("A", "R2", 4), ("R2", "M", 5))],
        Routes=[{"route": "RAIL", "corridor": "Rail", "path": "A>M"},
                {"route": "ROAD", "corridor": "Road", "path": "A>R>M"},
                {"route": "ROAD2", "corridor": "Road", "path": "A>R2>M"}])
    case = write_case(tmp_path, tables, settings={"routes_sheet_rows": 2, "routes_csv": True})
    out = tmp_path / "r.xlsx"
    write_results(pipeline.run(case).results, out, input_path=case)
    routes = read_results(out)["Routes"]
    assert routes["route"].tolist() == ["RAIL", "ROAD"]
    note = pd.read_excel(out, sheet_name="Routes", header=None, engine="openpyxl").iloc[0, 0]
    assert note.startswith("2 of 3 routes: the ones used, then the unused ones closest to being used")
    every = pd.read_csv(tmp_path / "r_routes.csv")
    assert sorted(every["route"]) == ["RAIL", "ROAD", "ROAD2"]


def test_zero_flows_on_request(tmp_path):
    case = write_case(tmp_path, transport_case(), settings={"include_zero_flows": True})
    flows = pipeline.run(case).results.flows.set_index("route")["tonnes_t"]
    assert flows["RAIL"] == pytest.approx(100) and flows["ROAD"] == 0
    case = write_case(tmp_path / "b", transport_case())
    assert pipeline.run(case).results.flows["route"].tolist() == ["RAIL"]


def test_phases_are_timed_and_reported(tmp_path, capsys):
    case = write_case(tmp_path, transport_case())
    assert main(["solve", str(case), "-o", str(tmp_path / "r.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "reading" in out and "building" in out and "solving" in out and "writing" in out
    summary = read_results(tmp_path / "r.xlsx")["Summary"].set_index("item")["value"]
    assert summary["run time by phase"].startswith("reading ")
    assert summary["method"] in ("dual simplex", "presolve (no iterations)")



def test_solve_lets_highs_go_before_the_tables_and_they_are_the_same(tmp_path):
    """corridor solve frees HiGHS (its LP, workspace and ranging: about 460 MB at a million flows)
    once the solution and ranging are read; every result table must be what it is with HiGHS kept,
    duals and ranges included. A model with integer decisions keeps HiGHS (each decision taken the
    other way is re-solved), as the base case's investment scenario shows."""
    from conftest import BASE_XLSX

    from model.commands.generate import write_case as generate_case

    case = generate_case(tmp_path / "generated", 2000)  # shared capacities that bind, share rules
    kept = pipeline.run(case)
    freed = pipeline.run(case, keep_solver=False)
    assert kept.solution.highs is not None and freed.solution.highs is None
    assert (kept.results.capacity["shadow_price_usd_per_t"].abs() > 1e-6).any()  # something binds
    for name, table in kept.results.sheets().items():
        if name != "Summary":  # its provenance has the time of the run
            pd.testing.assert_frame_equal(table, freed.results.sheets()[name], obj=name)
    invest = pipeline.run(BASE_XLSX, scenario="invest", keep_solver=False)  # whole terminals: a MIP
    assert invest.solution.mip is not None and invest.solution.highs is not None


def _index_values(net) -> dict:
    """Every value of Network.INDEXES a solve asks for, worked out (the memberships of each row
    family, the cost parts and totals, the CO2e)."""
    out = {"cost_array": net.cost_array, "cost_total": net.cost_total, "co2": net.co2_t_per_t,
           "class": net.flow_class_code}
    for row, (idx, per) in net.capacity_index().items():
        out[f"capacity {row}"] = np.concatenate([idx, per])
    for p in net.policy_limits:
        out[f"policy {p.rule} {p.target}"] = np.concatenate(net.policy_index(p))
    for s in net.supply_rows:
        out[f"supply {s.row}"] = net.supply_index(s)
    for s in net.surcharges:
        out[f"surcharge {s.row}"] = np.concatenate(net.scope_index(s.scope, s.target, s.commodity))
    return out


def test_the_build_lets_its_indexes_go_and_they_come_back_the_same(tmp_path):
    """solve_plan lets go of what the build worked out per flow (memberships, cost parts: about
    130 MB at a million flows, held beside HiGHS's solve and ranging otherwise); whatever asks for
    one later must get the same values. The calibrated base case has surcharges (their flows are
    found through the memberships) and capacities per cargo class; the generated case has shared
    capacities and share rules."""
    from conftest import BASE_XLSX

    from model.commands.generate import write_case as generate_case

    for case in (BASE_XLSX, generate_case(tmp_path / "generated", 2000)):
        plan, _ = pipeline.load(case)
        net = plan.cases[0].net
        before = {k: v.copy() for k, v in _index_values(net).items()}
        assert net.surcharges or case != BASE_XLSX
        pipeline.solve(plan)
        assert not set(net.INDEXES) & set(net.__dict__), "the build's indexes are still held"
        after = _index_values(net)
        assert before.keys() == after.keys()
        for key, value in before.items():
            np.testing.assert_array_equal(after[key], value, err_msg=key)


def test_route_costs_keep_each_class_exactly_with_only_the_routes_where_it_differs():
    """Transport and handling are held per route for the first cargo class and, for the others,
    only where a tariff makes theirs differ (a million flows over four classes: 32 MB a class
    otherwise). Every flow must read its own class's figures exactly, NaN and -0.0 included."""
    from model.network.costs import RouteCosts

    rng = np.random.default_rng(7)
    n_routes, n_flows = 300, 2000
    base = (rng.uniform(0, 90, n_routes), rng.uniform(0, 20, n_routes))
    base[0][5] = 0.0
    per_class = [base]
    for share in (0.0, 0.1, 1.0):  # no tariff, a few routes, every route
        t, h = base[0].copy(), base[1].copy()
        hit = rng.random(n_routes) < share
        t[hit] += rng.uniform(-5, 5, hit.sum())
        h[hit[::-1]] = np.nan  # a blank cost on some other routes
        per_class.append((t, h))
    minus_zero = base[0].copy()
    minus_zero[5] = -0.0  # equal to 0.0 by ==, but not the same figure (a sign in a table)
    per_class.append((minus_zero, base[1].copy()))
    costs = RouteCosts.of(per_class)
    assert 1 not in costs.other and len(costs.other[3][0]) == n_routes and costs.other[4][0].tolist() == [5]
    flow_class, flow_route = rng.integers(0, 5, n_flows), rng.integers(0, n_routes, n_flows)
    flow_class[:2], flow_route[:2] = 4, 5
    dense = np.array([np.vstack(c) for c in per_class])  # class x 2 x route
    got, want = costs.of_flows(flow_class, flow_route), dense[flow_class, :, flow_route].T
    assert got.tobytes() == want.tobytes()  # the same bits: NaN and -0.0 included
