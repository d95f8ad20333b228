"""Sweeps: in-place re-solves equal fresh solves; serial, process and Dask runs agree; exact
breakpoints agree with a fine grid; interrupted sweeps resume; stress tests by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cases import transport_case, write_case
from conftest import BASE_XLSX

from model.analysis.parametric import Exact, exact_sweep
from model.analysis.params import parse_param, with_values
from model.analysis.stress import stress_test
from model.analysis.sweep import live_model, make_sweep, points_table, run_sweep
from model.cli import main
from model.errors import InputError
from model.lp.live import LivePoint
from model.pipeline import load_one_year as load

BASE_GRID = ["Legs[RUB>NVR].cost_usd_per_t=20:120:6", "Policies[RU_CAP].value=0.4,0.5,0.7"]



def interpolate(exact: Exact, t: float) -> float:
    """The exact optimal cost at t from the breakpoints (linear between them)."""
    b = exact.breakpoints
    return float(np.interp(t, b["value"], b["objective_usd"]))

def sweep_of(path, assignments, exact=False):
    data, _, _ = load(path)
    return make_sweep(Path(path), data, assignments, exact)


def table(sweep, results):
    df = points_table(sweep, results)
    return df.drop(columns=[c for c in df.columns if "seconds" in c])


@pytest.fixture(scope="session")
def base_grid(tmp_path_factory):
    """The base case's sweep of BASE_GRID, run once per worker with its journal: the sweep, its table and
    the journal's text, which the journal tests below copy and edit (none changes the sweep)."""
    out = tmp_path_factory.mktemp("base-grid") / "sweep.points.jsonl"
    sweep = sweep_of(BASE_XLSX, BASE_GRID)
    return sweep, table(sweep, run_sweep(sweep, points_file=out, progress=False)), out.read_text()


def test_every_point_equals_a_fresh_solve(tmp_path):
    # Rail capacity 60 at 2 USD/t, road 5: each point re-solved in place equals a solve from scratch.
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}],
                                               Supply=[{"commodity": "coal", "origin": "A", "max_t": 200}]))
    assignments = ["Capacities[A>M].capacity_t=0:100:5", "Legs[R>M].cost_usd_per_t=*0:2:3"]
    sweep = sweep_of(case, assignments)
    results = run_sweep(sweep, progress=False)
    data, _, _ = load(case)
    for point, r in zip(sweep.points, results, strict=True):
        fresh = solve_case_from(with_values(data, sweep.cell_values(point)))
        assert r.objective_usd == pytest.approx(fresh, rel=1e-12)
    # By hand at capacity 25 and road leg R>M x2 (3 + 4 = 7 USD/t): 25*2 + 75*7 = 575 USD.
    i = sweep.points.index((25.0, 2.0))
    assert results[i].objective_usd == pytest.approx(575)


def solve_case_from(data):
    from model.lp.solve import solve_plan
    from model.network.build import build_network
    from model.plan import Plan

    return solve_plan(Plan.of_one(data, build_network(data)), builder="pyomo").objective_usd


def test_structural_change_is_rebuilt_and_said(tmp_path):
    # A supply minimum appearing adds a constraint: that point is rebuilt, and marked.
    case = write_case(tmp_path, transport_case(Supply=[{"commodity": "coal", "origin": "A", "max_t": 200}]))
    assignments = ["Supply[coal,A].min_t=0,50"]
    results = run_sweep(sweep_of(case, assignments), progress=False)
    assert [r.rebuilt for r in results] == [False, True]
    assert results[1].objective_usd == pytest.approx(200)


@pytest.mark.heavy  # the base case swept in a pool of processes
def test_serial_and_processes_agree_on_the_base_case(base_grid):
    sweep, serial, _ = base_grid
    parallel = table(sweep, run_sweep(sweep, workers=2, progress=False))
    pd.testing.assert_frame_equal(serial, parallel)
    assert (serial["status"] == "Optimal").all() and len(serial) == 18


@pytest.mark.slow
@pytest.mark.heavy
def test_dask_local_cluster_agrees_with_serial(base_grid):
    from distributed import LocalCluster

    sweep, serial, _ = base_grid
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        distributed = table(sweep, run_sweep(sweep, dask=cluster.scheduler_address, progress=False))
    pd.testing.assert_frame_equal(serial, distributed)


# A grid with ties (equally cheap allocations): the Caspian crossing's cost against the Baltic rail
# leg's and the Atyrau-Samara pipeline's capacity. Solved in grid order, in reverse order, on two
# processes, on Dask and resumed halfway, every point gives the same row and the same route tonnes.
# (When each point kept what HiGHS had left from the point before, the reversed order differed at
# 23 of these 132 points.)
TIES_GRID = ["Legs[AKT>ALT].cost_usd_per_t=*0.5:1.5:11", "Legs[RUB>ULG].cost_usd_per_t=*0.5:1.5:6",
             "Capacities[ATY>SAM].capacity_t=12000000,17500000"]


@pytest.mark.slow
@pytest.mark.heavy
def test_every_way_of_running_a_sweep_gives_the_same_tables(tmp_path):
    from distributed import LocalCluster

    from model.analysis.sweep import solve_point, tonnes_by_route

    sweep = sweep_of(BASE_XLSX, TIES_GRID)
    n = len(sweep.points)
    runs = {"serial": run_sweep(sweep, progress=False)}
    live = live_model(BASE_XLSX)
    backwards = {i: solve_point(live, sweep, sweep.points[i]) for i in reversed(range(n))}
    runs["reversed"] = [backwards[i] for i in range(n)]
    runs["2 workers"] = run_sweep(sweep, workers=2, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        runs["dask"] = run_sweep(sweep, dask=cluster.scheduler_address, progress=False)
    journal = tmp_path / "ties.points.jsonl"
    run_sweep(sweep, points_file=journal, progress=False)
    lines = journal.read_text().splitlines()
    journal.write_text("\n".join(lines[: 1 + n // 2]) + "\n")  # stopped halfway
    runs["resumed"] = run_sweep(sweep, points_file=journal, resume=True, progress=False)
    expected_points, expected_routes = table(sweep, runs["serial"]), tonnes_by_route(sweep, runs["serial"])
    assert len(expected_points) == 132 and expected_points["status"].eq("Optimal").all()
    for name, results in runs.items():
        pd.testing.assert_frame_equal(table(sweep, results), expected_points, obj=name)
        pd.testing.assert_frame_equal(tonnes_by_route(sweep, results), expected_routes, obj=name)


@pytest.mark.parametrize("assignment", ["Legs[RUB>NVR].cost_usd_per_t=20:120",
                                        "Capacities[DOS].capacity_t=4e6:20e6",  # the CPC is not full: Dostyk is
                                        "Settings[carrying_cost_rate].value=0:0.5"])
@pytest.mark.slow
@pytest.mark.heavy
def test_exact_breakpoints_agree_with_a_fine_grid(assignment):
    exact = exact_sweep(live_model(BASE_XLSX), sweep_of(BASE_XLSX, [assignment], exact=True))
    assert exact.breakpoints["breakpoint"].sum() >= 2
    lo, hi = exact.breakpoints["value"].iloc[[0, -1]]
    grid = [assignment.split("=")[0] + f"={lo}:{hi}:121"]
    sweep = sweep_of(BASE_XLSX, grid)
    for (t,), r in zip(sweep.points, run_sweep(sweep, progress=False), strict=True):
        assert interpolate(exact, t) == pytest.approx(r.objective_usd, rel=1e-6)
    assert exact.solves < 121


def test_exact_by_hand(tmp_path):
    # Rail capacity c from 0 to 150: cost = 2c + 5(100 - c) = 500 - 3c up to c = 100, then 200.
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]))
    exact = exact_sweep(live_model(case), sweep_of(case, ["Capacities[A>M].capacity_t=0:150"], exact=True))
    assert list(exact.breakpoints["value"]) == pytest.approx([0, 100, 150])
    assert list(exact.breakpoints["objective_usd"]) == pytest.approx([500, 200, 200])
    assert list(exact.segments["slope_usd_per_unit"]) == pytest.approx([-3, 0])


def test_interrupted_sweep_resumes(tmp_path, base_grid):
    out = tmp_path / "sweep.points.jsonl"
    sweep, full, journal = base_grid
    lines = journal.splitlines()
    out.write_text("\n".join(lines[:8]) + '\n{"i": 7, "resu')  # killed mid-write after 7 points
    resumed = table(sweep, run_sweep(sweep, points_file=out, resume=True, progress=False))
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
        run_sweep(sweep_of(BASE_XLSX, other), points_file=out, resume=True, progress=False)


@pytest.mark.parametrize("text, message", [
    ("Legz[A>M].cost_usd_per_t=1,2", "unknown sheet 'Legz'"),
    ("Legs[A>M].cost=1,2", "'cost' is not a numeric column of Legs; did you mean 'cost_usd_per_t'?"),
    ("Legs[A>X].cost_usd_per_t=1,2", "no Legs row matches 'A>X'; did you mean 'A>R'?"),
    ("Legs[A>M].cost_usd_per_t=1:2", "the values must be start:stop:points"),
    ("Legs[A>M].cost_usd_per_t=0:10:by=3", "steps of 3 from 0 do not reach 10 in a whole number of steps"),
    ("Legs[A>M].mode=1,2", "'mode' is not a numeric column of Legs"),
])
def test_bad_parameters(tmp_path, text, message):
    data, _, _ = load(write_case(tmp_path, transport_case()))
    with pytest.raises(InputError) as exc:
        parse_param(text, data)
    assert message in str(exc.value)


def test_stress_by_hand(tmp_path):
    # Rail 60 t at 2 (capacity), road 40 t at 5: 320 USD. Close A>M: all road, 500 (+180).
    # Close R (the road's hub): 60 by rail, 40 stranded: resource cost 60 * 2 = 120 (-200: stranded
    # tonnes are not paid for), their penalty 40 * 1000 = 40,000 apart (the objective's +39,800).
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]))
    df, meta = stress_test(case, kinds={"hubs", "legs"}, penalty=1000, progress=False)
    rows = df.set_index("closed")
    assert meta["base_cost_usd"] == pytest.approx(320)
    assert rows.loc["R", "stranded_t"] == pytest.approx(40)
    assert rows.loc["R", "cost_increase_usd"] == pytest.approx(-200)
    assert rows.loc["R", "penalty_usd"] == pytest.approx(40000)
    assert rows.loc["A>M", "cost_increase_usd"] == pytest.approx(180)
    assert rows.loc["A>M", "moved_to"] == ""  # 60 t moved to Road, below the 1,000 t reporting floor
    # Ranked by stranded tonnes, then cost; ties keep the order of names. Closing any part of the road
    # strands 40 t; closing the rail leg strands nothing.
    assert list(df["closed"]) == ["A>R", "R", "R>M", "A>M"]
    assert list(df["kind"]) == ["leg", "hub", "leg", "leg"]


@pytest.mark.slow
@pytest.mark.heavy
def test_sweep_command_writes_workbook_and_pngs(tmp_path, capsys):
    out = tmp_path / "s.xlsx"
    assert main(["sweep", str(BASE_XLSX), "--set", "Policies[RU_CAP].value=0.4:0.7:4", "-o", str(out),
                 "--no-progress"]) == 0
    assert "4 points, 4 solved, 0 rebuilt" in capsys.readouterr().out
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames[:3] == ["Sweep", "Charts", "Points"]
    assert len(wb["Charts"]._charts) == 3  # cost, corridor shares, tonnes through the focus (country PK)
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
        run_sweep(sweep_of(case, assignments), dask="tcp://127.0.0.1:1", progress=False)


def test_points_table_has_corridor_and_country_tonnes_and_shares():
    sweep = sweep_of(BASE_XLSX, ["Policies[RU_CAP].value=0.4,0.5"])
    df = table(sweep, run_sweep(sweep, progress=False))
    corridor_shares = [c for c in df.columns if c.endswith(" share") and not c.startswith("via ")]
    assert df[corridor_shares].sum(axis=1).tolist() == pytest.approx([1.0, 1.0])
    assert df["via RU share"].tolist() == pytest.approx((df["via RU_t"] / df["shipped_t"]).tolist())
    assert df["via KZ share"].tolist() == pytest.approx([1.0, 1.0])  # every route starts in Kazakhstan


def test_a_closure_with_no_allocation_comes_first_with_its_reason(tmp_path, capsys):
    # 100 t A->M by rail (A>M) or road (A>R>M); a rule asks at least 10 t through the hub R. Closing
    # R leaves no allocation even with stranded tonnes (the rule cannot be met): it ranks first and
    # its reason names the rule's row; every other closure is printed too.
    case = write_case(tmp_path, transport_case(Policies=[{"rule": "ROAD_MIN", "kind": "min_t", "scope": "node",
                                                          "target": "R", "value": 10}]))
    df, _ = stress_test(case, kinds={"hubs", "legs"}, penalty=1000, progress=False)
    assert list(df["closed"][:3]) == ["A>R", "R", "R>M"] and set(df["status"][:3]) == {"Infeasible"}
    assert "Policies row 2 (ROAD_MIN): at least 10 t of all cargo through node R" in df.loc[1, "reason"]
    assert "What holds it back: the closure" in df.loc[1, "reason"]
    assert main(["stress", str(case), "--elements", "hubs,legs", "--no-progress", "-o", str(tmp_path / "s.xlsx")]) == 0
    text = capsys.readouterr().out
    assert "Closing A>R or R or R>M leaves no allocation, even with stranded tonnes:" in text
    assert "A>M" in text  # the one closure that leaves an allocation


def test_a_closure_a_calibration_rule_cannot_survive_is_solved_with_the_rules_off(tmp_path, capsys):
    # 100 t A->M: rail A>M at 2 USD/t, 60 t at most; road A>R>M at 5. The calibration rule CAL_ROAD holds
    # 50 t on the road (through hub R): base 50 * 2 + 50 * 5 = 350 USD; with the rules off, 60 * 2 + 40 * 5
    # = 320. Closing R (or either road leg) leaves the rule nothing to hold: stress called it "no allocation"
    # (Infeasible). Now it is solved with calibration_rules off, as the shipped closing scenarios are: 60 t
    # by rail, 40 t stranded, 120 USD, 200 less than the base with the rules off too (not 230 less than 350).
    # Closing the rail keeps the rule (100 t by road, 500 USD: +150 on the calibrated base) and no note.
    case = write_case(tmp_path, transport_case(
        Capacities=[{"element": "A>M", "capacity_t": 60}],
        Policies=[{"rule": "CAL_ROAD", "kind": "min_t", "scope": "node", "target": "R", "value": 50,
                   "calibration": True}]))
    df, meta = stress_test(case, kinds={"hubs", "legs"}, penalty=1000, progress=False)
    rows = df.set_index("closed")
    assert meta["base_cost_usd"] == pytest.approx(350) and meta["base_cost_rules_off_usd"] == pytest.approx(320)
    assert set(df["status"]) == {"Optimal"}
    for closed in ("A>R", "R", "R>M"):
        assert rows.loc[closed, "stranded_t"] == pytest.approx(40)
        assert rows.loc[closed, "cost_increase_usd"] == pytest.approx(-200)
        assert rows.loc[closed, "reason"] == (
            "calibration rule CAL_ROAD cannot hold with this closed: solved with calibration_rules off (as the "
            "shipped closing scenarios are), its figures against the base case solved so too")
    assert rows.loc["A>M", "cost_increase_usd"] == pytest.approx(150) and pd.isna(rows.loc["A>M", "reason"])
    assert main(["stress", str(case), "--elements", "hubs,legs", "--no-progress", "-o", str(tmp_path / "s.xlsx")]) == 0
    text = capsys.readouterr().out
    line = next(x for x in text.splitlines() if x.startswith("R "))
    assert "[calibration rule CAL_ROAD cannot hold with this closed: solved with calibration_rules off" in line
    assert "no allocation" not in text


@pytest.mark.slow
@pytest.mark.heavy
def test_on_the_base_case_only_a_contract_leaves_a_closure_without_allocation():
    # The base year holds crude through the CPC terminal, Ust-Luga, Novorossiysk and Makhachkala by calibration
    # rules (CAL_1_MIN, CAL_3_MIN, CAL_6_MIN): closing one was "no allocation at all". Now each is solved with the
    # rules off and says which rule it set aside. Aktau, Baku/Alat and Ceyhan carry the BTC contract (BTC_MIN, not
    # a calibration rule): they still have none, and Aktau's reason, which first names CAL_6_MIN, goes on to say
    # what forbids it with the calibration rules off: BTC_MIN.
    df, _ = stress_test(BASE_XLSX, kinds={"ports"}, penalty=1000, progress=False)
    rows = df.set_index("closed")
    assert sorted(df.loc[df["status"] != "Optimal", "closed"]) == ["AKT", "ALT", "CEY"]
    for closed, rule in (("CPT", "CAL_1_MIN"), ("ULG", "CAL_3_MIN"), ("MKH", "CAL_6_MIN")):
        assert rows.loc[closed, "status"] == "Optimal"
        assert rows.loc[closed, "reason"].startswith(f"calibration rule {rule} cannot hold with this closed")
    calibrated, off = rows.loc["AKT", "reason"].split("\nWith calibration_rules off as well: ")
    assert "(CAL_6_MIN)" in calibrated and "Policies row 3 (BTC_MIN): at least 1,392,000 t" in off


def test_a_stress_where_no_closure_leaves_an_allocation_is_a_table(tmp_path, capsys):
    # The hub R alone closed, and a rule asks 10 t through it: the one closure has no allocation. The table
    # had no stranded_t column to rank by (KeyError 'stranded_t', an internal error); now it has it, blank.
    case = write_case(tmp_path, transport_case(Policies=[{"rule": "ROAD_MIN", "kind": "min_t", "scope": "node",
                                                          "target": "R", "value": 10}]))
    df, _ = stress_test(case, kinds={"hubs"}, penalty=1000, progress=False)
    assert df["closed"].tolist() == ["R"] and df["status"].tolist() == ["Infeasible"] and df["stranded_t"].isna().all()
    assert main(["stress", str(case), "--elements", "hubs", "--no-progress", "-o", str(tmp_path / "s.xlsx")]) == 0
    assert "Closing R leaves no allocation, even with stranded tonnes:" in capsys.readouterr().out


def test_the_stress_table_says_what_it_leaves_out():
    from model.report.console import stress_text

    table = pd.DataFrame({"closed": [f"N{i}" for i in range(45)], "status": "Optimal", "stranded_t": 0.0,
                          "cost_increase_usd": 1e6, "moved_to": ""})
    text = stress_text(table, "o.xlsx", "o.png")
    assert "N39" in text and "N40" not in text and "(+5 more: see the workbook)" in text


@pytest.mark.slow
def test_a_sweep_of_a_leg_shows_the_tonnes_through_it_and_the_focus(tmp_path, capsys):
    # 100 t A->M, rail capped at 60 t at 2 USD/t, road A>R (3) + R>M (c); unmet tonnes cost 10 USD/t.
    # c = 2: road 5 < 10, it carries the other 40 t; c = 10: road 13 > 10, the 40 t stay unmet.
    # The road leg's tonnes (40, then 0) are what the sweep is about; the focus is the Road corridor.
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]),
                      {"unmet_penalty_usd_per_t": 10, "focus": "corridor Road"})
    data, net, _ = load(case)
    sweep = make_sweep(case, data, ["Legs[R>M].cost_usd_per_t=2,10"])
    table = points_table(sweep, run_sweep(sweep, progress=False), net, data.settings.focus)
    assert list(table["through R>M_t"]) == pytest.approx([40, 0])
    assert list(table["through corridor Road (focus)_t"]) == pytest.approx([40, 0])
    out = tmp_path / "s.xlsx"
    assert main(["sweep", str(case), "--set", "Legs[R>M].cost_usd_per_t=2,10", "--no-progress", "-o", str(out)]) == 0
    assert "Tonnes through R>M from 0.00 to 0.00 Mt/yr" in capsys.readouterr().out
    assert out.with_name("s_tonnes.png").exists()
    # --exact: the tonnes on each segment between breakpoints (the road stops at c = 7, where 3 + c = 10)
    assert main(["sweep", str(case), "--exact", "--set", "Legs[R>M].cost_usd_per_t=2:10", "-o",
                 str(tmp_path / "e.xlsx")]) == 0
    text = capsys.readouterr().out
    assert "through R>M 0.00 Mt/yr, through corridor Road (focus) 0.00 Mt/yr up to 7" in text


@pytest.mark.parametrize("spec, exact, said", [
    ("0:200:5", False, [0, 50, 100, 150, 200]),  # five points, both ends included
    ("0:200:by=50", False, [0, 50, 100, 150, 200]),  # the same by its step
    ("-250:8", True, [-250, 8]),
    ("-250:8:3", True, "--exact finds every breakpoint between start and stop, so it takes no number of points "
                       "(':3'). Give the range alone: =-250:8."),
    ("8:-250", True, "For example =100:200 or =*0.5:1.5."),  # the example of --exact is a range (was =100:200:11)
    ("1:2", False, "For example =0:200:5 or =0:200:by=50"),
])
def test_a_spec_and_its_message_agree(spec, exact, said):
    from model.analysis.params import parse_spec

    if isinstance(said, list):
        assert parse_spec("X", spec, exact)[0] == pytest.approx(said)
        return
    with pytest.raises(InputError) as exc:
        parse_spec("X", spec, exact)
    assert said in str(exc.value)


def test_a_point_the_workbook_would_not_take_says_so_and_is_not_solved(tmp_path, capsys):
    # Rail capacity x -1, 0, 1 of 60 t: -60 t is no capacity a workbook takes (>= 0), so that point is
    # not solved and says which cell; at 0 all 100 t go by road (500 USD), at 60 t 320 USD.
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]))
    data, net, _ = load(case)
    sweep = make_sweep(case, data, ["Capacities[A>M].capacity_t=*-1:1:3"])
    table = points_table(sweep, run_sweep(sweep, progress=False), net)
    assert list(table["status"]) == ["Invalid input", "Optimal", "Optimal"]
    assert table["invalid_input"][0].startswith("Capacities row 2 (A>M), capacity_t: must be >= 0, found -60")
    assert list(table["objective_usd"][1:]) == pytest.approx([500, 320])
    # --exact needs every point of its range: refused in one line, naming the cell
    assert main(["sweep", str(case), "--exact", "--set", "Capacities[A>M].capacity_t=-10:60", "-o",
                 str(tmp_path / "e.xlsx")]) == 2
    assert "Capacities row 2 (A>M), capacity_t: must be >= 0, found -10" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.heavy
def test_the_readme_gwadar_discount_runs_as_printed(tmp_path, capsys):
    # The README's example and the shipped named sweep take Gwadar's port charge below 0 (a subsidy):
    # every point is an input the workbook takes, so every point is solved.
    assert main(["sweep", str(BASE_XLSX), "--name", "gwadar_discount", "--no-progress", "-o",
                 str(tmp_path / "g.xlsx")]) == 0
    assert "44 points, 44 solved" in capsys.readouterr().out


def test_a_port_charge_below_zero_is_a_subsidy_the_workbook_takes(tmp_path):
    # Hub R charges -4 USD/t (a subsidy): road 3 + 2 - 4 = 1 USD/t beats rail at 2; 100 t by road, 100 USD.
    from cases import nodes

    from model import pipeline

    case = write_case(tmp_path, transport_case(Nodes=nodes(("A", "origin"), ("R", "hub", {"handling_usd_per_t": -4}),
                                                           ("M", "market"))))
    run = pipeline.run(case)
    assert run.results.summary.objective_usd == pytest.approx(100)
    # said, as a minus sign typed by mistake would be: a warning that names the cell
    assert [str(w) for w in run.warnings if w.column == "handling_usd_per_t"] == [
        "Nodes, row 3 (R), handling_usd_per_t: -4 USD/t is below 0, so the node pays 4 USD for every tonne handled "
        "(a subsidy). If you meant a charge, enter it without the minus sign."]


@pytest.mark.parametrize("text, cells", [
    ("Nodes[Gwadar port].handling_usd_per_t", ["Nodes[GWD].handling_usd_per_t"]),
    ("Nodes[gwadar PORT].handling_usd_per_t", ["Nodes[GWD].handling_usd_per_t"]),
    ("Capacities[Dostyk / Alashankou rail crossing].capacity_t", ["Capacities[DOS].capacity_t"]),
    ("Capacities[Atyrau / Tengiz oil region > Samara (Transneft hub: to Ust-Luga and Druzhba)].capacity_t",
     ["Capacities[ATY>SAM].capacity_t"]),
    ("Legs[Kostanay / Rudny: northern grain belt and iron ore>Dostyk / Alashankou rail crossing].cost_usd_per_t",
     ["Legs[KOS>DOS].cost_usd_per_t"]),
    ("Demand[Wheat and flour,,Afghanistan (Mazar/Kabul)].demand_t", ["Demand[wheat, MAF].demand_t"]),
    ("Countries[Pakistan].risk_premium_pct", ["Countries[PK].risk_premium_pct"]),
    ("Capacities[DOS].capacity_t", ["Capacities[DOS].capacity_t"]),  # codes as before
])
def test_a_parameter_names_its_rows_by_code_or_name(text, cells):
    from model.analysis.params import find_cells
    from model.input.read import read_input

    assert [c.label for c in find_cells(text, read_input(BASE_XLSX))] == cells


def test_a_journal_holding_points_of_two_sweeps_is_refused(tmp_path, base_grid):
    # Two sweeps that shared a journal (before runs held their files) mixed their points; --resume then
    # took the other sweep's points as its own. Every point now says whose it is.
    out = tmp_path / "sweep.points.jsonl"
    sweep, _, journal = base_grid
    out.write_text(journal)
    other = ["Legs[RUB>NVR].cost_usd_per_t=20:40:2"]
    foreign = tmp_path / "other.points.jsonl"
    run_sweep(sweep_of(BASE_XLSX, other), points_file=foreign, progress=False)
    lines = out.read_text().splitlines()
    out.write_text("\n".join(lines[:5] + foreign.read_text().splitlines()[1:2]) + "\n")
    with pytest.raises(InputError, match="holds points of another sweep beside this one's"):
        run_sweep(sweep, points_file=out, resume=True, progress=False)
    with pytest.raises(InputError, match=r"holds points of a different sweep \(base_case.xlsx; Legs\[RUB>NVR\]"):
        run_sweep(sweep_of(BASE_XLSX, other), points_file=out, resume=True, progress=False)


def test_a_journal_written_before_points_were_a_dataclass_resumes(tmp_path, base_grid):
    # Journals written before LivePoint held each point as a dict with only the figures it had (no
    # None): the same names as LivePoint's fields, so --resume reads them as they are.
    out = tmp_path / "sweep.points.jsonl"
    sweep, full, journal = base_grid
    head, *records = journal.splitlines()
    old = []
    for line in records[:9]:
        rec = json.loads(line)
        rec["result"] = {k: v for k, v in rec["result"].items() if v is not None}
        old.append(json.dumps(rec))
    assert "integer_decisions" not in json.loads(old[0])["result"]
    out.write_text("\n".join([head, *old]) + "\n")
    resumed = table(sweep, run_sweep(sweep, points_file=out, resume=True, progress=False))
    pd.testing.assert_frame_equal(full, resumed)


def test_a_journal_point_of_another_version_is_refused(tmp_path, base_grid):
    # A point with a figure LivePoint does not know was taken as it was (a dict) and read by key: the
    # table then silently lacked what it held. It is now refused, with the line and what to do.
    out = tmp_path / "sweep.points.jsonl"
    sweep, _, journal = base_grid
    head, first, *rest = journal.splitlines()
    rec = json.loads(first)
    rec["result"]["tonnes_by_port"] = {}
    out.write_text("\n".join([head, json.dumps(rec), *rest]) + "\n")
    with pytest.raises(InputError, match=r"holds a point this version of corridor does not read \(line 2\)"):
        run_sweep(sweep, points_file=out, resume=True, progress=False)


def test_a_focus_by_name_is_watched_as_by_code():
    # focus = country Pakistan is valid (validation and the brief read names); the sweep's focus column
    # split it by hand and looked up 'Pakistan' among the country codes: always 0 t.
    from model.analysis.params import focus_of, watched_tonnes

    data, net, _ = load(BASE_XLSX)
    assert focus_of(net, "country pakistan") == focus_of(net, "country PK") == ("country", "PK")
    assert focus_of(net, "corridor middle corridor") == ("corridor", "Middle Corridor")
    assert focus_of(net, "country Atlantis") is None
    result = LivePoint("Optimal", route={}, country={"PK": 150_000.0})
    assert watched_tonnes([], net.routes, focus_of(net, "country Pakistan"), result) == {
        "through country PK (focus)_t": 150_000.0}


def test_a_stress_with_nothing_of_the_kinds_to_close_names_the_option(tmp_path, capsys):
    # the transport case has no port and no border (the default kinds): the empty table had no 'closed' column
    # and the chart raised KeyError 'closed', an internal error; now the option and what to write instead
    case = write_case(tmp_path, transport_case())
    assert main(["stress", str(case), "--no-progress", "-o", str(tmp_path / "s.xlsx")]) == 2
    said = capsys.readouterr()
    text = " ".join((said.out + said.err).split())
    assert "--elements" in text and "no borders or ports to close" in text and "hubs, legs" in text
    assert not (tmp_path / "s.xlsx").exists()
