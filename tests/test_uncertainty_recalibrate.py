"""corridor uncertainty --recalibrate: each draw recalibrated on the live model (model.analysis.uncertainty.
recalibrate) is corridor calibrate on the input with the draw's values written, then solved: the same premiums,
the same rules, an optimum of the same LP; hand-worked premiums; one table however it runs; refusals said."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from cases import legs, transport_case, write_case

from model.analysis.calibrate import calibrate_data
from model.analysis.params import focus_of, with_values
from model.analysis.sweep import Sweep, live_model, make_sweep, run_sweep
from model.analysis.uncertainty.design import make_design, read_inputs
from model.analysis.uncertainty.ranges import port_names
from model.analysis.uncertainty.recalibrate import PREMIUM, RULES, RecalibratedModel
from model.analysis.uncertainty.switching import port_cut
from model.cli import main
from model.input.scenarios import apply_scenarios
from model.lp.families import FLOW, OBSERVATION_BAND
from model.lp.live import LiveModel
from model.network.build import build_network
from model.network.costs import FlowCosts
from model.plan import Plan
from model.steps import load_one_year, solve

BASE = Path(__file__).resolve().parent.parent / "inputs" / "base_case.xlsx"
ROAD = "Legs[R>M].cost_usd_per_t"
RAIL = "Legs[A>M].cost_usd_per_t"


def observed_road(**uncertainty) -> dict:
    """100 t of coal A -> M: rail A>M at 10 USD/t; road A>R>M at 3 + R>M, R>M uniform on [2, 22] (the road costs
    U(5, 25); at base R>M is 22, the road 25 USD/t); the road observed at 30 t +- 0, and M's 100 t +- 5 (an
    identity: the demand fixes it)."""
    row = {"input": ROAD, "distribution": "uniform", "low": 2, "high": 22, "source": "hand", **uncertainty}
    return transport_case(
        Legs=legs(("A", "M", 10, 1), ("A", "R", 3, 1), ("R", "M", 22, 1)), Uncertainty=[row],
        Observations=[{"observation": "B", "scope": "corridor", "target": "Road", "observed_t": 30, "tolerance_t": 0,
                       "source": "hand"},
                      {"observation": "M", "scope": "node", "target": "M", "observed_t": 100, "tolerance_t": 5,
                       "source": "hand"}])


def draws_of(path: Path, n: int, seed: int = 0) -> list[dict]:
    """The cells of n Latin hypercube draws of the input's Uncertainty sheet, as a sweep sets them."""
    data, _, _ = load_one_year(path)
    inputs = read_inputs(data)
    sweep = make_design(inputs, n, seed=seed).sweep(path, inputs)
    return [sweep.cell_values(point) for point in sweep.points]


def assert_is_calibrates_solve(live: RecalibratedModel, values: dict, path: Path, ports=(),
                               scenario: str | None = None) -> None:
    """The recalibrated point at values is the solve of calibrate() on the input with values written: the same
    premiums (an identity's, which calibrate leaves blank, 0) and rules, the same cost of every flow (the
    premiums priced the flows calibrate's Surcharges rows price), the same objective, and its allocation an
    optimum of the calibrated input's LP (every row and bound held, its cost the optimum): where flows tie, either
    allocation is calibrate's answer. ports: (code, name) of ports whose cut (switching.port_cut, the exact method
    on the model as it stands: the draw's calibration held) must be the cut on calibrate's input. scenario: the
    calibrated input with it applied (the base year calibrated, its calibration then carried into the scenario)."""
    point = live.recalibrated_point(values)
    data, _, _ = load_one_year(path)
    changed = with_values(data, values)
    cal = calibrate_data(changed, build_network(changed), path)
    solved = apply_scenarios(cal.data, scenario)[0] if scenario else cal.data
    net = build_network(solved)
    sol = solve(Plan.of_one(solved, net), ranging=False)
    premium = cal.table.set_index("observation")["implied_premium_usd_per_t"]
    for o in live.fitted:
        mine, theirs = point.figures[PREMIUM + o.observation + "_usd_per_t"], premium[o.observation]
        if math.isnan(theirs) and "identity" in cal.table.set_index("observation").at[o.observation, "held_by"]:
            assert mine == 0.0, o.observation  # an identity's widened band never binds
        else:
            assert mine == pytest.approx(theirs, abs=1e-6, nan_ok=True), o.observation
    assert point.figures[RULES] == len(cal.rules) / 2
    assert live.current_costs[live.flow_cols] == pytest.approx(FlowCosts.of(net).total(), abs=1e-9)
    assert point.objective_usd == pytest.approx(sol.objective_usd, rel=1e-6)
    h = sol.highs
    lp = h.getLp()
    mine = dict(zip(live.columns, live.last_x, strict=True))
    x = np.array([mine[key] for key in sol.columns])  # the calibrated LP has every column but BandMiss
    a = sp.csc_matrix((lp.a_matrix_.value_, lp.a_matrix_.index_, lp.a_matrix_.start_), shape=(lp.num_row_, lp.num_col_))
    activity = a @ x
    lower, upper = np.array(lp.row_lower_), np.array(lp.row_upper_)
    slack = 1e-6 * np.maximum(1.0, np.abs(np.where(np.isfinite(lower), lower, upper)))
    assert np.all(activity >= lower - slack) and np.all(activity <= upper + slack)
    assert np.all(x >= np.array(lp.col_lower_) - 1e-6) and np.all(x <= np.array(lp.col_upper_) + 1e-6)
    assert float(np.array(lp.col_cost_) @ x) == pytest.approx(sol.objective_usd, rel=1e-6)
    if ports:
        theirs = LiveModel(solved, net, sol)
        at = theirs.solve_point({})
        for code, _ in ports:
            assert port_cut(live, code, point.route) == pytest.approx(port_cut(theirs, code, at.route), abs=1e-6)


def test_the_premium_is_the_observed_routes_cost_above_the_other(tmp_path):
    # One market of 100 t, rail at 10 USD/t, road at c_B = 3 + R>M, the road observed at 30 t +- 0. Held at 30 t
    # the road's band binds: its premium is c_B - 10 (+15 at base, c_B = 25: the road must be 15 USD/t cheaper
    # to carry the 30 t; below 10 the road would take all 100 t, and the band's upper side binds, c_B - 10 < 0).
    # Written as a surcharge of -(p + 0.01 sign p), the road costs 10 - 0.01 sign p: it takes all 100 t (or none),
    # not within 30 +- 0, so the band is kept as two rules, and the point is 70 t by rail, 30 by road:
    # objective 70 x 10 + 30 x (10 - 0.01 sign p) = 1000 - 0.3 sign p; resource cost 700 + 30 c_B.
    case = write_case(tmp_path, observed_road())
    live = live_model(case, recalibrate=True)
    base = live.recalibrated_point({})
    assert base.figures[PREMIUM + "B_usd_per_t"] == pytest.approx(15.0)
    assert base.figures[PREMIUM + "M_usd_per_t"] == 0.0  # the identity: no premium
    for values in draws_of(case, 20):
        c_b = 3 + next(iter(values.values()))
        point = live.recalibrated_point(values)
        p = point.figures[PREMIUM + "B_usd_per_t"]
        assert p == pytest.approx(c_b - 10, abs=1e-9)
        assert point.figures[RULES] == 1
        assert point.corridor == pytest.approx({"Rail": 70.0, "Road": 30.0})
        assert point.objective_usd == pytest.approx(1000 - 0.3 * np.sign(p))
        assert point.premium_usd == pytest.approx(-30 * (p + 0.01 * np.sign(p)))
        assert point.objective_usd - point.premium_usd == pytest.approx(700 + 30 * c_b)
        # the rule that binds: the road, 0.01 USD/t cheaper than the rail, would take more (MAX), or dearer, less
        rule = [b for b in point.binding if b.startswith("calibration rule")]
        assert rule == [f"calibration rule CAL_B_{'MAX' if p > 0 else 'MIN'} (Observations row 2): at "
                        f"{'most' if p > 0 else 'least'} 30 t of all cargo through corridor Road"], rule


def test_a_point_whose_structure_changes_is_rebuilt_and_recalibrated(tmp_path):
    # A supply minimum appearing adds a row: the point is rebuilt from the data, and recalibrated there: at the
    # base costs the road's premium is 25 - 10 = +15, and the point 70 t by rail, 30 by road (the hand case above).
    case = write_case(tmp_path, observed_road() | {"Supply": [{"commodity": "coal", "origin": "A", "max_t": 200}]})
    data, _, _ = load_one_year(case)
    sweep = dataclasses.replace(make_sweep(case, data, ["Supply[coal,A].min_t=0,50"]), recalibrate=True)
    results = run_sweep(sweep, progress=False)
    assert [r.rebuilt for r in results] == [False, True]
    for r in results:
        assert r.figures[PREMIUM + "B_usd_per_t"] == pytest.approx(15.0) and r.figures[RULES] == 1
        assert r.corridor == pytest.approx({"Rail": 70.0, "Road": 30.0})
        assert r.objective_usd == pytest.approx(1000 - 0.3)


def test_each_draw_of_a_small_case_is_calibrate_on_its_values(tmp_path):
    tables = observed_road()
    tables["Uncertainty"].append({"input": RAIL, "distribution": "uniform", "low": 6, "high": 14})
    tables["Capacities"] = [{"element": "A>M", "capacity_t": 80}]
    case = write_case(tmp_path, tables)
    live = live_model(case, recalibrate=True)
    assert_is_calibrates_solve(live, {}, case)
    for values in draws_of(case, 3, seed=4):
        assert_is_calibrates_solve(live, values, case)


def test_with_a_scenario_the_base_year_is_recalibrated_and_the_scenario_solved_with_it(tmp_path):
    # The observations are of the base year: each draw recalibrates it, and the scenario (the rail at 60 t, the
    # road dearer by 4 USD/t, the calibration rules off, as the shipped year_2025 sets them) is solved with that
    # calibration, as the calibrated input's scenarios are. At base the premium is the base year's, 25 - 10 = +15
    # (calibrating the scenario's world instead would make the road dearer: it carries 40 t there); the road then
    # costs 29 - 15.01 = 13.99 > 10: the rail carries all it can, 60 t, the road 40 t (its rule is off):
    # objective 60 x 10 + 40 x 13.99.
    tables = observed_road()
    tables["Uncertainty"].append({"input": RAIL, "distribution": "uniform", "low": 6, "high": 14})
    tables["Capacities"] = [{"element": "A>M", "capacity_t": 100}]
    tables["Scenarios"] = [{"scenario": "later", "sheet": "Capacities", "key": "A>M", "column": "capacity_t",
                            "value": 60},
                           {"scenario": "later", "sheet": "Legs", "key": "A>R", "column": "cost_usd_per_t", "value": 7},
                           {"scenario": "later", "sheet": "Settings", "key": "calibration_rules", "column": "value",
                            "value": "FALSE"}]
    case = write_case(tmp_path, tables)
    live = live_model(case, scenario="later", recalibrate=True)
    base = live.recalibrated_point({})
    assert base.figures[PREMIUM + "B_usd_per_t"] == pytest.approx(15.0) and base.figures[RULES] == 1
    assert base.corridor == pytest.approx({"Rail": 60.0, "Road": 40.0})
    assert base.objective_usd == pytest.approx(60 * 10 + 40 * (29 - 15.01))
    for values in [{}, *draws_of(case, 3, seed=2)]:
        assert_is_calibrates_solve(live, values, case, scenario="later")


@pytest.mark.slow
def test_the_base_case_recalibrated_is_calibrate_at_base_and_at_three_draws():
    # with the cut Gwadar and Karachi need, on the model holding each draw's calibration
    live = live_model(BASE, recalibrate=True)
    ports = port_names(live.data, live.net, focus_of(live.net, live.data.settings.focus))
    assert {name for _, name in ports} == {"Gwadar port", "Karachi port"}
    assert_is_calibrates_solve(live, {}, BASE, ports)
    for values in draws_of(BASE, 3, seed=1):
        assert_is_calibrates_solve(live, values, BASE, ports)


def test_a_premium_prices_the_flows_its_band_counts_in_every_season():
    # The base case has seasons: each flow is an annual Flow column and one SeasonFlow column a season; costs and
    # bands read the annual column. The flows a premium is added to (FlowCosts.effect of its Surcharges row) are
    # those its band counts in the LP, and those the Fit sheet counts (model.results.fit.modelled's membership).
    live = live_model(BASE, recalibrate=True)
    assert live.net.seasons is not None
    lp = live.h.getLp()
    rows = sp.csc_matrix((lp.a_matrix_.value_, lp.a_matrix_.index_, lp.a_matrix_.start_),
                         shape=(lp.num_row_, lp.num_col_)).tocsr()
    flow = {key: j for j, key in enumerate(live.columns) if key.family == FLOW.name}
    assert len(flow) == len(live.flow_cols) < len(live.columns)
    for k, o in enumerate(live.fitted):
        i = live.solution.row_of(OBSERVATION_BAND.name, (o.observation, "low"))
        counted = set(rows.indices[rows.indptr[i]:rows.indptr[i + 1]].tolist()) - set(live.miss_cols[k].tolist())
        assert counted == set(live.flow_cols[live.priced[k]].tolist()), o.observation
        assert set(live.priced[k].tolist()) == set(live.net.scope_index(o.scope, o.target, o.commodity)[0].tolist())


def book(case: Path, out: Path, *args: str) -> dict[str, pd.DataFrame]:
    assert main(["uncertainty", str(case), "--draws", "12", "--seed", "3", "--no-progress", "-o", str(out),
                 "--recalibrate", *args]) == 0
    return {s: pd.read_excel(out, sheet_name=s, header=2, engine="openpyxl") for s in ("Summary", "Draws")}


def test_the_same_table_serially_and_with_two_workers_and_its_own_journal(tmp_path, capsys):
    tables = observed_road()
    tables["Uncertainty"].append({"input": RAIL, "distribution": "uniform", "low": 6, "high": 14})
    case = write_case(tmp_path, tables, {"focus": "corridor Road"})
    serial = book(case, tmp_path / "serial.xlsx")
    draws = serial["Draws"]
    c_b_less_c_a = (3 + draws[ROAD] - draws[RAIL]).to_numpy()  # the premium, by hand
    assert draws["premium B (USD/t)"].to_numpy() == pytest.approx(c_b_less_c_a)
    workers = book(case, tmp_path / "workers.xlsx", "--workers", "2")
    for sheet, table in workers.items():
        pd.testing.assert_frame_equal(table, serial[sheet], obj=sheet)
    # the journal of a run without --recalibrate holds other points: --resume with it is refused
    plain = tmp_path / "plain.xlsx"
    assert main(["uncertainty", str(case), "--draws", "12", "--seed", "3", "--no-progress", "-o", str(plain)]) == 0
    capsys.readouterr()
    assert main(["uncertainty", str(case), "--draws", "12", "--seed", "3", "--no-progress", "-o", str(plain),
                 "--recalibrate", "--resume", "--force"]) == 2
    assert "holds points of a different sweep" in capsys.readouterr().err
    data, _, _ = load_one_year(case)
    sweep = make_design(read_inputs(data), 12, seed=3).sweep(case, read_inputs(data))
    assert Sweep(**{**sweep.__dict__, "recalibrate": True}).signature != sweep.signature


def test_refused_with_the_reason(tmp_path, capsys):
    out = tmp_path / "u.xlsx"
    case = write_case(tmp_path / "observed", observed_road())
    assert main(["solve", str(case), "-o", str(out), "--recalibrate"]) == 2
    assert "--recalibrate: 1 problem\n  recalibrates the draws of --uncertainty N, and no draws were asked for" in \
        capsys.readouterr().err
    plain = write_case(tmp_path / "plain", transport_case(Uncertainty=observed_road()["Uncertainty"]))
    assert main(["uncertainty", str(plain), "--no-progress", "-o", str(out), "--recalibrate"]) == 2
    err = capsys.readouterr().err
    assert "has no observations to calibrate to: the Observations sheet is missing or has no rows" in err, err
    assert "Observations" in err and "Traceback" not in err
    assert main(["uncertainty", str(case), "--no-progress", "-o", str(out), "--recalibrate",
                 "--allocation", "choice"]) == 2
    err = capsys.readouterr().err
    assert "--recalibrate: 1 problem\n  is not built with allocation choice: under route choice the calibration is " \
           "the dispersions" in err and "Traceback" not in err, err
    assert not out.exists()


def test_a_recalibrated_runs_page_and_workbook_say_so_and_on_which_calibration_the_switching_values_are(tmp_path):
    # The draws are recalibrated, the switching values are not (they are searched on the base values' calibration):
    # a reader of the page or the workbook is told both, and a plain run's say neither
    import html

    from model.report.uncertainty import RECALIBRATED, SWITCHING_CALIBRATION

    case = write_case(tmp_path, observed_road(), {"focus": "corridor Road"})
    book(case, tmp_path / "re.xlsx")
    assert main(["uncertainty", str(case), "--draws", "12", "--seed", "3", "--no-progress", "-o",
                 str(tmp_path / "plain.xlsx")]) == 0
    for name, recalibrated in (("re", True), ("plain", False)):
        page = " ".join(html.unescape((tmp_path / f"{name}.html").read_text(encoding="utf-8")).split())
        sheets = pd.read_excel(tmp_path / f"{name}.xlsx", sheet_name=["About", "Switching"], header=None,
                               engine="openpyxl")
        switching = " ".join(str(v) for v in sheets["Switching"].iloc[:3].to_numpy().ravel())
        about = " ".join(str(v) for v in sheets["About"].to_numpy().ravel())
        assert (f"Varied: 1 input of the Uncertainty sheet, each across its range; {RECALIBRATED}." in page) \
            == recalibrated, page
        assert (SWITCHING_CALIBRATION in page) == (SWITCHING_CALIBRATION in switching) \
            == (SWITCHING_CALIBRATION in about) == recalibrated


def test_with_a_scenario_a_factor_moves_the_base_years_own_value_in_its_calibration(tmp_path):
    # The scenario halves R>M (22 -> 11 USD/t) and turns the calibration rules off; the Uncertainty row draws R>M as
    # a factor f on [0.5, 1.5]. The scenario's road costs 3 + 11 f; the base year, recalibrated at the draw, has its
    # own R>M x f = 22 f: the road 3 + 22 f, observed at 30 t against the rail's 10, so its premium is 22 f - 7 (not
    # 11 f - 7, the scenario's cell taken into the base year). In the scenario the road then costs
    # 3 + 11 f - (22 f - 7 + 0.01) = 9.99 - 11 f < 10, and carries all 100 t: objective 100 (9.99 - 11 f).
    tables = observed_road(**{"as": "factor", "low": 0.5, "high": 1.5})
    tables["Scenarios"] = [{"scenario": "later", "sheet": "Legs", "key": "R>M", "column": "cost_usd_per_t",
                            "multiplier": 0.5},
                           {"scenario": "later", "sheet": "Settings", "key": "calibration_rules", "column": "value",
                            "value": "FALSE"}]
    case = write_case(tmp_path, tables)
    data, _, _ = load_one_year(case, "later")
    inputs = read_inputs(data, load_one_year(case)[0])
    design = make_design(inputs, 6, seed=1)
    sweep = dataclasses.replace(design.sweep(case, inputs, "later"), recalibrate=True)
    points = run_sweep(sweep, progress=False)
    for f, point in zip(design.X[ROAD], points, strict=True):
        assert point.figures[PREMIUM + "B_usd_per_t"] == pytest.approx(22 * f - 7, abs=1e-6)
        assert point.corridor == pytest.approx({"Rail": 0.0, "Road": 100.0})
        assert point.objective_usd == pytest.approx(100 * (9.99 - 11 * f), rel=1e-9)
