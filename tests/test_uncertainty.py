"""corridor uncertainty: hand-worked probabilities and gaps, the distributions' quantiles by hand, one table
for a seed however it is run (serial, processes, Dask, resumed), and bad rows refused with the row named."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cases import legs, transport_case, write_case

from model.analysis.params import focus_of
from model.analysis.sweep import run_sweep
from model.analysis.uncertainty.design import Method, check_draws, make_design, read_inputs
from model.analysis.uncertainty.figures import GAP, DrawReport
from model.analysis.uncertainty.tables import quantities, used
from model.cli import main
from model.input.schema import Scope
from model.pipeline import load_one_year as load

ROAD = "Legs[R>M].cost_usd_per_t"


def two_routes(base_rm: float = 2, **uncertainty) -> dict:
    """100 t of coal A -> M: route A (rail A>M) at 10 USD/t; route B (road A>R>M) at 3 + R>M USD/t, R>M
    uniform on [2, 22], so B costs U(5, 25) USD/t (at base R>M is base_rm)."""
    row = {"input": ROAD, "distribution": "uniform", "low": 2, "high": 22, "source": "hand", **uncertainty}
    return transport_case(Legs=legs(("A", "M", 10, 1), ("A", "R", 3, 1), ("R", "M", base_rm, 1)), Uncertainty=[row])


def run(case, draws=400, method=Method.LHS, seed=0, choice=False, **kw):
    data, net, _ = load(case)
    inputs = read_inputs(data)
    design = make_design(inputs, draws, method, seed)
    check_draws(inputs, design)
    sweep = design.sweep(Path(case), inputs, reported=DrawReport(focus_of(net, data.settings.focus)))
    if choice:  # each draw the live model's logit split, with the case's Dispersions sheet
        sweep = dataclasses.replace(sweep, allocation="choice")
    results = run_sweep(sweep, progress=False, **kw)
    return design, results, quantities(results, focus_of(net, data.settings.focus)), used(results, net)


def test_route_b_is_used_with_probability_a_quarter_and_its_gap_is_its_cost_above_a(tmp_path):
    # B (the road) is used when 3 + R>M < 10, R>M < 7: P = (7 - 2) / (22 - 2) = 0.25. Its sampling error
    # sqrt(0.25 x 0.75 / 400) = 0.0217; the Latin hypercube puts one draw in each 1/400 of [2, 22].
    case = write_case(tmp_path, two_routes(), {"focus": "corridor Road"})
    design, results, y, table = run(case)
    road = table[(table["kind"] == Scope.CORRIDOR) & (table["name"] == "Road")].iloc[0]
    assert road["sampling_error"] == pytest.approx(math.sqrt(0.25 * 0.75 / 400))
    assert abs(road["probability_used"] - 0.25) <= road["sampling_error"]
    # The gap to break-even of the road: what it costs above the rail, 0 where it is used.
    cost_b = design.X[ROAD].to_numpy() + 3
    assert y[GAP].to_numpy() == pytest.approx(np.maximum(cost_b - 10, 0.0), abs=1e-9)
    # Resource cost: 100 t at the cheaper of the two.
    assert y["resource_cost_usd"].to_numpy() == pytest.approx(100 * np.minimum(cost_b, 10.0))


def test_the_workbook_gives_the_drivers_and_the_switching_value(tmp_path, capsys):
    # The road (focus), unused at base (3 + 12 = 15 USD/t against the rail's 10), starts to carry cargo where
    # 3 + R>M = 10: R>M = 7, inside [2, 22].
    case = write_case(tmp_path, two_routes(base_rm=12), {"focus": "corridor Road"})
    out = tmp_path / "u.xlsx"
    assert main(["uncertainty", str(case), "--draws", "100", "--no-progress", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"Switches inside its range: {ROAD} at 7, where ROAD starts" in said, said
    switching = pd.read_excel(out, sheet_name="Switching", header=2, engine="openpyxl")
    row = switching.iloc[0]
    assert (row["input"], row["switching value"], row["in range"]) == (ROAD, pytest.approx(7.0), "inside")
    drivers = pd.read_excel(out, sheet_name="Drivers", header=2, engine="openpyxl")
    y = pd.read_excel(out, sheet_name="Summary", header=2, engine="openpyxl")["quantity"]
    assert sorted(drivers["quantity"]) == sorted(y) and set(drivers["input"]) == {ROAD}  # one input, every figure
    assert (tmp_path / "u_drivers_resource_cost_usd.png").exists()


def test_a_full_capacity_has_its_value_in_each_draw(tmp_path):
    # Rail A>M holds 60 t. Where the road (3 + R>M) costs more than the rail (10), the rail is full and one more
    # tonne of its capacity saves 3 + R>M - 10; where the road is cheaper, all 100 t go by road: worth 0.
    tables = two_routes()
    tables["Capacities"] = [{"element": "A>M", "capacity_t": 60}]
    case = write_case(tmp_path, tables)
    design, _, y, _ = run(case, draws=50)
    value = [c for c in y.columns if c.startswith("value of ")]
    assert len(value) == 1 and "A>M" in value[0]
    saving = np.maximum(design.X[ROAD].to_numpy() + 3 - 10, 0.0)
    assert y[value[0]].to_numpy() == pytest.approx(saving, abs=1e-9)


def test_with_route_choice_each_draw_is_the_logit_split(tmp_path, capsys):
    # Dispersion 5 USD/t: B carries 100 / (1 + e^((B - 10) / 5)) t of the 100, A the rest, in every draw
    # (B = 3 + R>M); at B = 10 half each.
    tables = two_routes()
    tables["Dispersions"] = [{"cargo_class": "dry_bulk", "dispersion_usd_per_t": 5}]
    design, results, y, table = run(write_case(tmp_path / "lib", tables), draws=40, choice=True)
    cost_b = design.X[ROAD].to_numpy() + 3
    assert y["Road_t"].to_numpy() == pytest.approx(100 / (1 + np.exp((cost_b - 10) / 5)), rel=1e-6)
    assert y["Rail_t"].to_numpy() == pytest.approx(100 - y["Road_t"].to_numpy(), rel=1e-6)
    assert GAP not in y.columns  # every route carries some cargo: no route has a gap to close
    assert table.set_index("name").loc["Road", "probability_used"] == 1.0
    # The command: --allocation choice needs the Dispersions sheet; with it, the About sheet says which.
    case = write_case(tmp_path / "cli", two_routes())
    out = tmp_path / "u.xlsx"
    assert main(["uncertainty", str(case), "--allocation", "choice", "--no-progress", "-o", str(out)]) == 2
    assert "allocation choice needs the dispersion of cargo class dry_bulk" in capsys.readouterr().err
    tables = two_routes()
    tables["Dispersions"] = [{"cargo_class": "dry_bulk", "dispersion_usd_per_t": 5}]
    case = write_case(tmp_path / "cli2", tables)
    assert main(["uncertainty", str(case), "--allocation", "choice", "--draws", "20", "--no-progress", "-o",
                 str(out)]) == 0
    about = pd.read_excel(out, sheet_name="About", engine="openpyxl")
    assert dict(zip(about["item"], about["value"], strict=True))["allocation"] == "choice"


def test_distributions_by_hand(tmp_path):
    # Quantiles worked out by hand: triangular (0, 10, most likely 4): F(4) = 4/10, so u = 0.4 gives 4.
    # Normal (mean 5, sd 2) cut to [5, 9]: F(5) = 0.5, F(9) = Phi(2) = 0.97725, so u = 0 and 1 give 5 and 9,
    # and u = 0.5 the quantile at 0.5 + 0.5 x 0.47725 = 0.738625: 5 + 2 x 0.6396 = 6.279.
    # Lognormal most likely at 2, spread 0.5: mu = ln 2 + 0.25, median e^mu = 2 e^0.25 = 2.568.
    from scipy import stats

    tables = transport_case(Uncertainty=[
        {"input": "Legs[A>R].cost_usd_per_t", "distribution": "triangular", "low": 0, "mode": 4, "high": 10},
        {"input": "Legs[R>M].cost_usd_per_t", "distribution": "normal", "mode": 5, "spread": 2, "low": 5, "high": 9},
        {"input": "Legs[A>M].cost_usd_per_t", "distribution": "lognormal", "mode": 2, "spread": 0.5}])
    data, _, _ = load(write_case(tmp_path, tables))
    tri, cut, logn = read_inputs(data)
    assert tri.values(np.array([0.4]))[0] == pytest.approx(4.0)
    assert cut.values(np.array([0.0, 1.0])) == pytest.approx([5.0, 9.0])
    assert cut.values(np.array([0.5]))[0] == pytest.approx(5 + 2 * stats.norm.ppf(0.738625), abs=1e-4)
    assert cut.values(np.array([0.5]))[0] == pytest.approx(6.279, abs=1e-3)
    assert logn.values(np.array([0.5]))[0] == pytest.approx(2 * math.exp(0.25))


def test_a_group_moves_together_and_sobol_gives_saltellis_design(tmp_path):
    # Two rows of one group take one unit draw: each at the same quantile of its own range (comonotone).
    tables = transport_case(Uncertainty=[
        {"input": "Legs[A>R].cost_usd_per_t", "distribution": "uniform", "low": 0, "high": 10, "group": "road"},
        {"input": "Legs[R>M].cost_usd_per_t", "distribution": "uniform", "low": 100, "high": 300, "group": "road"},
        {"input": "Legs[A>M].cost_usd_per_t", "distribution": "uniform", "low": 1, "high": 2}])
    data, _, _ = load(write_case(tmp_path, tables))
    inputs = read_inputs(data)
    design = make_design(inputs, 64, Method.SOBOL, seed=1)
    assert design.problem == {"num_vars": 2, "names": ["group road", "Legs[A>M].cost_usd_per_t"],
                              "bounds": [[0.0, 1.0], [0.0, 1.0]]}
    assert design.U.shape == (64 * (2 + 2), 2)  # Saltelli without second order: N (k + 2)
    x = design.X
    assert (x["Legs[R>M].cost_usd_per_t"] - 100).to_numpy() == pytest.approx(20 * x["Legs[A>R].cost_usd_per_t"])
    assert x["Legs[A>M].cost_usd_per_t"].to_numpy() == pytest.approx(1 + design.U[:, 1])


@pytest.mark.heavy  # five runs of the command, two pools of processes among them
def test_the_same_seed_gives_the_same_workbook_however_it_is_run(tmp_path):
    from distributed import LocalCluster

    tables = two_routes(group="g")
    tables["Uncertainty"].append({"input": "Legs[A>M].cost_usd_per_t", "distribution": "triangular", "low": 8,
                                  "mode": 10, "high": 14, "group": "g"})
    tables["Uncertainty"].append({"input": "Legs[A>R].cost_usd_per_t", "as": "factor", "distribution": "normal",
                                  "mode": 1, "spread": 0.2, "low": 0})
    tables["Capacities"] = [{"element": "A>M", "capacity_t": 70}]
    case = write_case(tmp_path, tables, {"focus": "corridor Road"}, xlsx=True)  # Dask takes one file

    def book(name, *args):
        out = tmp_path / f"{name}.xlsx"
        assert main(["uncertainty", str(case), "--draws", "40", "--seed", "7", "--no-progress", "-o", str(out),
                     *args]) == 0
        return {s: pd.read_excel(out, sheet_name=s, header=2, engine="openpyxl") for s in ("Summary", "Used", "Draws")}

    serial = book("serial")
    assert serial["Draws"]["status"].eq("Optimal").all() and len(serial["Draws"]) == 40
    runs = {"2 workers": book("workers", "--workers", "2")}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        runs["dask"] = book("dask", "--dask", cluster.scheduler_address)
    book("resumed")
    journal = tmp_path / "resumed.points.jsonl"
    journal.write_text("\n".join(journal.read_text().splitlines()[:15]) + "\n")  # stopped after 14 draws
    runs["resumed"] = book("resumed", "--resume", "--force")
    for name, sheets in runs.items():
        for sheet, table in sheets.items():
            pd.testing.assert_frame_equal(table, serial[sheet], obj=f"{name}: {sheet}")
    other = book("other seed", "--seed", "8")
    assert not other["Draws"].equals(serial["Draws"])


BAD_ROWS = [  # (the row's cells beside input, what the message says)
    ({"distribution": "uniform", "low": 2}, "Uncertainty, row 2 (Legs[R>M].cost_usd_per_t), high: a uniform "
     "distribution needs high, which is blank. Give high: the distribution is uniform from low to high."),
    ({"distribution": "uniform", "low": 2, "high": 9, "spread": 1}, "Uncertainty, row 2 (Legs[R>M].cost_usd_per_t), "
     "spread: a uniform distribution does not read spread, found 1. Clear the cell (the distribution is uniform "
     "from low to high), or choose one that reads spread."),
    ({"distribution": "uniform", "low": 9, "high": 2}, "Uncertainty, row 2 (Legs[R>M].cost_usd_per_t), high: high "
     "must be above low (9), found 2."),
    ({"distribution": "triangular", "low": 2, "high": 9, "mode": 12}, "Uncertainty, row 2 "
     "(Legs[R>M].cost_usd_per_t), mode: mode must lie from low (2) to high (9), found 12."),
    ({"distribution": "normal", "mode": 5, "spread": 0}, "Uncertainty, row 2 (Legs[R>M].cost_usd_per_t), spread: "
     "spread must be above 0, found 0."),
    ({"distribution": "lognormal", "mode": -1, "spread": 0.2}, "Uncertainty, row 2 (Legs[R>M].cost_usd_per_t), "
     "mode: a lognormal value is above 0, so mode must be too, found -1."),
    ({"distribution": "gaussian", "mode": 5, "spread": 1}, "Uncertainty, row 2 (Legs[R>M].cost_usd_per_t), "
     "distribution:"),
    ({"distribution": "normal", "mode": 2, "spread": 3}, "Uncertainty, row 2 (Legs[R>M].cost_usd_per_t), "
     "low: a normal distribution without low has no floor: its tail reaches -19.1, below 0"),
    ({"input": "Legs[R>X].cost_usd_per_t", "distribution": "uniform", "low": 1, "high": 2},
     "Uncertainty, row 2 (Legs[R>X].cost_usd_per_t), input: 'Legs[R>X].cost_usd_per_t':"),
]


@pytest.mark.parametrize("cells, said", BAD_ROWS, ids=[b[1][52:90] for b in BAD_ROWS])
def test_a_bad_row_is_refused_with_the_row_named(tmp_path, capsys, cells, said):
    row = {"input": ROAD, **cells}
    case = write_case(tmp_path, transport_case(Uncertainty=[row]))
    out = tmp_path / "u.xlsx"
    assert main(["uncertainty", str(case), "--draws", "20", "--no-progress", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err, err
    assert not out.exists()


def test_refused_runs_say_why(tmp_path, capsys):
    overlap = two_routes()
    overlap["Uncertainty"].append({"input": "Legs[R>*].cost_usd_per_t", "distribution": "uniform", "low": 1,
                                   "high": 2})
    one, two = write_case(tmp_path / "one", two_routes()), write_case(tmp_path / "two", overlap)
    out = tmp_path / "u.xlsx"
    cases = [(two, [], "Uncertainty, row 3 (Legs[R>*].cost_usd_per_t), input: moves Legs[R>M].cost_usd_per_t, which "
                       "row 2 moves too. Vary each cell on one row only"),
             (one, ["--method", "sobol", "--draws", "100"], "--draws: 1 problem\n  with --method sobol the draws are a "
              "power of 2 (the Sobol' sequence's balance holds only then), found 100. Give --draws 64 or 128"),
             (one, ["--recalibrate"], "1 problem\n  Observations: has no observations to calibrate to")]
    for case, args, said in cases:
        assert main(["uncertainty", str(case), "--no-progress", "-o", str(out), *args]) == 2
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err, (args, err)
    assert not out.exists()
    plain = write_case(tmp_path / "plain", transport_case())
    assert main(["uncertainty", str(plain), "--no-progress", "-o", str(out)]) == 2
    assert "the input has no Uncertainty sheet, or it has no rows" in capsys.readouterr().err


def test_a_value_row_on_a_cell_the_scenario_changes_is_refused_not_drawn_over_it(tmp_path, capsys):
    # The scenario halves the road's second leg R>M (base 2 -> 1 USD/t); the Uncertainty row draws it as a value on
    # [2, 22]. Each draw would set the cell to its value and so undo the scenario silently (the shipped cpc_half
    # with Capacities[CPT] drawn as a value gave CPC 47-67 Mt where the scenario holds it at 30): refused, the row and
    # the scenario named, by `uncertainty` and by `solve --uncertainty` alike. As a factor the draw composes with
    # the scenario (the scenario's 1 USD/t x the factor), so that row is accepted.
    tables = two_routes()
    tables["Scenarios"] = [{"scenario": "cheap", "sheet": "Legs", "key": "R>M", "column": "cost_usd_per_t",
                            "multiplier": 0.5, "description": "road leg at half"}]
    case = write_case(tmp_path / "value", tables)
    out = tmp_path / "u.xlsx"
    said = ("Uncertainty, row 2 (Legs[R>M].cost_usd_per_t), as: draws Legs[R>M].cost_usd_per_t as a value, which "
            "scenario cheap changes (from 2 to 1), so each draw would undo the scenario. Give the row as a factor "
            "of the cell")
    for args in (["uncertainty", str(case), "--draws", "8", "--no-progress", "-o", str(out)],
                 ["solve", str(case), "--uncertainty", "8", "-o", str(tmp_path / "r.xlsx")]):
        assert main([*args, "--scenario", "cheap"]) == 2
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err, err
    assert not out.exists() and not (tmp_path / "r.xlsx").exists()
    assert main(["uncertainty", str(case), "--draws", "8", "--no-progress", "-o", str(out)]) == 0  # no scenario
    capsys.readouterr()
    factor = two_routes(**{"as": "factor", "low": 1, "high": 11})  # x base: 2..22 without the scenario, 1..11 with
    factor["Scenarios"] = tables["Scenarios"]
    case = write_case(tmp_path / "factor", factor)
    data, _, _ = load(case, "cheap")
    assert [c.base for c in read_inputs(data, load(case)[0])[0].cells] == [1.0]


def test_cuts_with_no_port_to_give_a_cut_for_are_refused_with_why(tmp_path, capsys):
    # --cuts gives the cut each port of the focus needs: with no focus, or a focus without a port (the corridor
    # Road passes none), there is none, and the run said nothing of it and wrote a workbook without the figure asked.
    out = tmp_path / "u.xlsx"
    for settings, said in ((None, "--cuts: 1 problem\n  gives the cut each port of the focus needs, and the Settings "
                                  "name no focus. Set focus on the Settings sheet"),
                           ({"focus": "corridor Road"}, "--cuts: 1 problem\n  gives the cut each port of the focus "
                            "needs, and the focus (corridor Road) has no port: no Nodes row of kind port")):
        case = write_case(tmp_path / str(bool(settings)), two_routes(), settings)
        assert main(["uncertainty", str(case), "--draws", "4", "--no-progress", "--cuts", "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err, err
        assert not out.exists()


def test_the_shipped_uncertainty_sheet_is_drawn_under_every_shipped_scenario():
    # Every scenario of the base case can be drawn: none changes a cell the Uncertainty sheet draws as a value (the
    # CPC row, drawn as 56-72.5 Mt, undid year_2025's debottlenecking and cpc_half's halving; as a factor of its
    # 60 Mt it moves the scenario's value).
    from conftest import BASE_XLSX

    before, _, _ = load(BASE_XLSX)
    names = sorted(set(before.tables["Scenarios"]["scenario"]))
    assert {"cpc_half", "year_2025"} <= set(names)
    for name in names:
        data, _, _ = load(BASE_XLSX, name)
        read_inputs(data, before)  # InputError names a row that would undo the scenario


def test_a_share_of_none_or_all_draws_has_an_interval_not_an_error_of_zero():
    # p +- sqrt(p (1 - p) / n) reads "0 +- 0" for a route never used in 200 draws; Wilson's 95% interval does not:
    # with z = 1.96, 0 of 200 gives 0 to z^2 / (n + z^2) = 3.8416 / 203.8416 = 1.885%, and 200 of 200 its mirror;
    # 50 of 200 (p = 0.25) about 19.5% to 31.4%, close to p +- 1.96 SE (19.0% to 31.0%)
    from model.analysis.uncertainty.tables import wilson

    low, high = wilson(pd.Series([0, 200, 50]), 200)
    assert low[0] == 0 and high[0] == pytest.approx(3.8416 / 203.8416, rel=1e-4)
    assert high[1] == pytest.approx(1.0) and low[1] == pytest.approx(1 - 3.8416 / 203.8416, rel=1e-4)
    assert low[2] == pytest.approx(0.1953, abs=5e-4) and high[2] == pytest.approx(0.3142, abs=5e-4)


def test_a_header_that_quotes_a_name_keeps_its_underscores():
    # the Draws sheet's 'u: group afghan_road' and a bottleneck's 'value of ... CAL_19_MAX' quote names the other
    # sheets write with underscores; a snake_case column still reads as words with its unit
    from model.report.cells import header

    assert header("u: group afghan_road") == "u: group afghan_road"
    assert header("value of calibration rule CAL_19_MAX_usd_per_t") == "value of calibration rule CAL_19_MAX (USD/t)"
    assert header("resource_cost_usd") == "resource cost (USD/yr)"
