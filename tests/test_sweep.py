"""Sweeps: in-place re-solves equal fresh solves; serial, process and Dask runs agree; exact
breakpoints agree with a fine grid; interrupted sweeps resume; stress tests by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cases import transport_case, write_case
from conftest import BASE_XLSX
from model.cli import main
from model.errors import InputError
from model.analysis.parametric import exact_sweep, interpolate
from model.analysis.params import parse_param, with_values
from model.analysis.stress import stress_test
from model.analysis.sweep import live_model, make_sweep, points_table, run_sweep
from model.pipeline import load_one_year as load

BASE_GRID = ["Legs[RUB>NVR].cost_usd_per_t=20:120:6", "Policies[RU_CAP].value=0.4,0.5,0.7"]


def sweep_of(path, assignments, exact=False):
    data, _, _ = load(path)
    return make_sweep(Path(path), data, assignments, exact)


def table(sweep, results):
    df = points_table(sweep, results)
    return df.drop(columns=[c for c in df.columns if "seconds" in c])


def test_every_point_equals_a_fresh_solve(tmp_path):
    # Rail capacity 60 at 2 USD/t, road 5: each point re-solved in place equals a solve from scratch.
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}],
                                               Supply=[{"commodity": "coal", "origin": "A", "max_t": 200}]))
    assignments = ["Capacities[A>M].capacity_t=0:100:5", "Legs[R>M].cost_usd_per_t=*0:2:3"]
    sweep = sweep_of(case, assignments)
    results = run_sweep(sweep, assignments, progress=False)
    data, _, _ = load(case)
    for point, r in zip(sweep.points, results):
        fresh = solve_case_from(with_values(data, sweep.cell_values(point)))
        assert r["objective_usd"] == pytest.approx(fresh, rel=1e-12)
    # By hand at capacity 25 and road leg R>M x2 (3 + 4 = 7 USD/t): 25*2 + 75*7 = 575 USD.
    i = sweep.points.index((25.0, 2.0))
    assert results[i]["objective_usd"] == pytest.approx(575)


def solve_case_from(data):
    from model.lp.solve import solve_plan
    from model.network.build import build_network
    from model.plan import Plan

    return solve_plan(Plan.of_one(data, build_network(data)), builder="pyomo").objective_usd


def test_structural_change_is_rebuilt_and_said(tmp_path):
    # A supply minimum appearing adds a constraint: that point is rebuilt, and marked.
    case = write_case(tmp_path, transport_case(Supply=[{"commodity": "coal", "origin": "A", "max_t": 200}]))
    assignments = ["Supply[coal,A].min_t=0,50"]
    results = run_sweep(sweep_of(case, assignments), assignments, progress=False)
    assert [r["rebuilt"] for r in results] == [False, True]
    assert results[1]["objective_usd"] == pytest.approx(200)


def test_serial_and_processes_agree_on_the_base_case():
    sweep = sweep_of(BASE_XLSX, BASE_GRID)
    serial = table(sweep, run_sweep(sweep, BASE_GRID, progress=False))
    parallel = table(sweep, run_sweep(sweep, BASE_GRID, workers=2, progress=False))
    pd.testing.assert_frame_equal(serial, parallel)
    assert (serial["status"] == "Optimal").all() and len(serial) == 18


@pytest.mark.slow
def test_dask_local_cluster_agrees_with_serial():
    from distributed import LocalCluster

    sweep = sweep_of(BASE_XLSX, BASE_GRID)
    serial = table(sweep, run_sweep(sweep, BASE_GRID, progress=False))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        distributed = table(sweep, run_sweep(sweep, BASE_GRID, dask=cluster.scheduler_address, progress=False))
    pd.testing.assert_frame_equal(serial, distributed)


# A grid with ties (equally cheap allocations): the Caspian crossing's cost against the Baltic rail
# leg's and the Atyrau-Samara pipeline's capacity. Solved in grid order, in reverse order, on two
# processes, on Dask and resumed halfway, every point gives the same row and the same route tonnes.
# (When each point kept what HiGHS had left from the point before, the reversed order differed at
# 23 of these 132 points.)
TIES_GRID = ["Legs[AKT>ALT].cost_usd_per_t=*0.5:1.5:11", "Legs[RUB>ULG].cost_usd_per_t=*0.5:1.5:6",
             "Capacities[ATY>ULG].capacity_t=8000000,12000000"]


@pytest.mark.slow
def test_every_way_of_running_a_sweep_gives_the_same_tables(tmp_path):
    from distributed import LocalCluster

    from model.analysis.sweep import solve_point, tonnes_by_route

    sweep = sweep_of(BASE_XLSX, TIES_GRID)
    n = len(sweep.points)
    runs = {"serial": run_sweep(sweep, TIES_GRID, progress=False)}
    live = live_model(BASE_XLSX)
    backwards = {i: solve_point(live, sweep, sweep.points[i]) for i in reversed(range(n))}
    runs["reversed"] = [backwards[i] for i in range(n)]
    runs["2 workers"] = run_sweep(sweep, TIES_GRID, workers=2, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        runs["dask"] = run_sweep(sweep, TIES_GRID, dask=cluster.scheduler_address, progress=False)
    journal = tmp_path / "ties.points.jsonl"
    run_sweep(sweep, TIES_GRID, points_file=journal, progress=False)
    lines = journal.read_text().splitlines()
    journal.write_text("\n".join(lines[: 1 + n // 2]) + "\n")  # stopped halfway
    runs["resumed"] = run_sweep(sweep, TIES_GRID, points_file=journal, resume=True, progress=False)
    expected_points, expected_routes = table(sweep, runs["serial"]), tonnes_by_route(sweep, runs["serial"])
    assert len(expected_points) == 132 and expected_points["status"].eq("Optimal").all()
    for name, results in runs.items():
        pd.testing.assert_frame_equal(table(sweep, results), expected_points, obj=name)
        pd.testing.assert_frame_equal(tonnes_by_route(sweep, results), expected_routes, obj=name)


@pytest.mark.parametrize("assignment", ["Legs[RUB>NVR].cost_usd_per_t=20:120",
                                        "Capacities[CPT].capacity_t=54e6:80e6",
                                        "Settings[carrying_cost_rate].value=0:0.5"])
def test_exact_breakpoints_agree_with_a_fine_grid(assignment):
    exact = exact_sweep(live_model(BASE_XLSX), sweep_of(BASE_XLSX, [assignment], exact=True))
    assert exact.breakpoints["breakpoint"].sum() >= 2
    lo, hi = exact.breakpoints["value"].iloc[[0, -1]]
    grid = [assignment.split("=")[0] + f"={lo}:{hi}:121"]
    sweep = sweep_of(BASE_XLSX, grid)
    for (t,), r in zip(sweep.points, run_sweep(sweep, grid, progress=False)):
        assert interpolate(exact, t) == pytest.approx(r["objective_usd"], rel=1e-6)
    assert exact.solves < 121


def test_exact_by_hand(tmp_path):
    # Rail capacity c from 0 to 150: cost = 2c + 5(100 - c) = 500 - 3c up to c = 100, then 200.
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]))
    exact = exact_sweep(live_model(case), sweep_of(case, ["Capacities[A>M].capacity_t=0:150"], exact=True))
    assert list(exact.breakpoints["value"]) == pytest.approx([0, 100, 150])
    assert list(exact.breakpoints["objective_usd"]) == pytest.approx([500, 200, 200])
    assert list(exact.segments["slope_usd_per_unit"]) == pytest.approx([-3, 0])


def test_interrupted_sweep_resumes(tmp_path):
    out = tmp_path / "sweep.points.jsonl"
    sweep = sweep_of(BASE_XLSX, BASE_GRID)
    full = table(sweep, run_sweep(sweep, BASE_GRID, points_file=out, progress=False))
    lines = out.read_text().splitlines()
    out.write_text("\n".join(lines[:8]) + '\n{"i": 7, "resu')  # killed mid-write after 7 points
    resumed = table(sweep, run_sweep(sweep, BASE_GRID, points_file=out, resume=True, progress=False))
    pd.testing.assert_frame_equal(full, resumed)
    done = []
    for line in out.read_text().splitlines()[1:]:
        try:
            done.append(json.loads(line)["i"])
        except json.JSONDecodeError:
            assert line == '{"i": 7, "resu'  # only the line cut short is unreadable
    assert sorted(set(done)) == list(range(18))
    other = ["Legs[RUB>NVR].cost_usd_per_t=20:40:2"]
    with pytest.raises(InputError, match="holds points of a different sweep"):
        run_sweep(sweep_of(BASE_XLSX, other), other, points_file=out, resume=True, progress=False)


@pytest.mark.parametrize("text, message", [
    ("Legz[A>M].cost_usd_per_t=1,2", "unknown sheet 'Legz'"),
    ("Legs[A>M].cost=1,2", "'cost' is not a numeric column of Legs; did you mean 'cost_usd_per_t'?"),
    ("Legs[A>X].cost_usd_per_t=1,2", "no Legs row matches 'A>X'; did you mean 'A>R'?"),
    ("Legs[A>M].cost_usd_per_t=1:2", "the values must be start:stop:steps"),
    ("Legs[A>M].mode=1,2", "'mode' is not a numeric column of Legs"),
])
def test_bad_parameters(tmp_path, text, message):
    data, _, _ = load(write_case(tmp_path, transport_case()))
    with pytest.raises(InputError) as exc:
        parse_param(text, data)
    assert message in str(exc.value)


def test_stress_by_hand(tmp_path):
    # Rail 60 t at 2 (capacity), road 40 t at 5: 320 USD. Close A>M: all road, 500 (+180).
    # Close R (the road's hub): 60 by rail, 40 stranded at 1000: 120 + 40000 = 40120 (+39800).
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]))
    df, meta = stress_test(case, kinds={"hubs", "legs"}, penalty=1000, progress=False)
    rows = df.set_index("closed")
    assert meta["base_cost_usd"] == pytest.approx(320)
    assert rows.loc["R", "stranded_t"] == pytest.approx(40)
    assert rows.loc["R", "cost_increase_usd"] == pytest.approx(39800)
    assert rows.loc["A>M", "cost_increase_usd"] == pytest.approx(180)
    assert rows.loc["A>M", "moved_to"] == ""  # 60 t moved to Road, below the 1,000 t reporting floor
    # Ranked by stranded tonnes, then cost; ties keep the order of names. Closing any part of the road
    # strands 40 t; closing the rail leg strands nothing.
    assert list(df["closed"]) == ["A>R", "R", "R>M", "A>M"]
    assert list(df["kind"]) == ["leg", "hub", "leg", "leg"]


def test_sweep_command_writes_workbook_and_pngs(tmp_path, capsys):
    out = tmp_path / "s.xlsx"
    assert main(["sweep", str(BASE_XLSX), "--set", "Policies[RU_CAP].value=0.4:0.7:4", "-o", str(out),
                 "--no-progress"]) == 0
    assert "4 points, 4 solved, 0 rebuilt" in capsys.readouterr().out
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames[:3] == ["Sweep", "Charts", "Points"]
    assert len(wb["Charts"]._charts) == 2
    assert (tmp_path / "s_objective.png").exists() and (tmp_path / "s_shares.png").exists()
    assert main(["sweep", str(BASE_XLSX), "--set", "Policies[RU_CAP].value=0.4,0.5",
                 "--set", "Legs[RUB>NVR].cost_usd_per_t=40,60", "-o", str(out), "--no-progress"]) == 0
    assert "Heat map" in load_workbook(out).sheetnames and (tmp_path / "s_heatmap.png").exists()
    assert main(["sweep", str(BASE_XLSX), "--set", "Policies[RU_CAP].vlue=1", "-o", str(out)]) == 2


def test_named_sweep(tmp_path, capsys):
    tables = transport_case(Sweeps=[{"name": "rail", "param": "Legs[A>M].cost_usd_per_t", "spec": "1:6:6"}])
    case = write_case(tmp_path, tables)
    assert main(["sweep", str(case), "--name", "rail", "-o", str(tmp_path / "n.xlsx"), "--no-progress"]) == 0
    assert "6 points, 6 solved" in capsys.readouterr().out
    assert main(["sweep", str(case), "--name", "nope", "-o", str(tmp_path / "n.xlsx")]) == 2
    assert "no sweep named 'nope' on the Sweeps sheet. Named sweeps: rail." in capsys.readouterr().err


def test_dask_needs_a_workbook(tmp_path):
    case = write_case(tmp_path, transport_case())
    assignments = ["Legs[A>M].cost_usd_per_t=1,2"]
    with pytest.raises(InputError, match="--dask sends the input to the cluster as one file"):
        run_sweep(sweep_of(case, assignments), assignments, dask="tcp://127.0.0.1:1", progress=False)


def test_points_table_has_corridor_and_country_tonnes_and_shares():
    sweep = sweep_of(BASE_XLSX, ["Policies[RU_CAP].value=0.4,0.5"])
    df = table(sweep, run_sweep(sweep, ["Policies[RU_CAP].value=0.4,0.5"], progress=False))
    corridor_shares = [c for c in df.columns if c.endswith(" share") and not c.startswith("via ")]
    assert df[corridor_shares].sum(axis=1).tolist() == pytest.approx([1.0, 1.0])
    assert df["via RU share"].tolist() == pytest.approx((df["via RU_t"] / df["shipped_t"]).tolist())
    assert df["via KZ share"].tolist() == pytest.approx([1.0, 1.0])  # every route starts in Kazakhstan
