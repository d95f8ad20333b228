"""The focus's tonnes in two parts wherever the uncertainty figures speak of the focus: through a country to other
markets, and for its own market. Counted together, a country's own cargo made "through Pakistan" carry cargo in
every draw whatever its ports did (the base case's 1,900 t for Pakistan itself)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cases import legs, nodes, transport_case, write_case

from model.analysis.params import focus_of
from model.analysis.sweep import run_sweep
from model.analysis.uncertainty.design import Method, make_design, read_inputs
from model.analysis.uncertainty.figures import GAP, DrawReport
from model.analysis.uncertainty.focus import FOCUS_KIND
from model.analysis.uncertainty.tables import quantities, used
from model.cli import main
from model.pipeline import load_one_year as load

ROAD = "Legs[P>M].cost_usd_per_t"
TRANSIT = "through country YY to other markets (focus)_t"
OWN = "to country YY's own market (focus)_t"


def transit_and_own(tonnes: float = 100) -> dict:
    """Coal from A (country XX): 100 t (tonnes) to market M (XX) by rail A>M at 10 USD/t or through port P of
    country YY, A>P>M at 3 + P>M, P>M uniform on [2, 22]; and 10 t (a tenth) to market Q in YY itself, only by
    A>P>Q (4 USD/t)."""
    row = {"input": ROAD, "distribution": "uniform", "low": 2, "high": 22, "source": "hand"}
    return transport_case(
        Countries=[{"country": "XX", "risk_premium_pct": 0}, {"country": "YY", "risk_premium_pct": 0}],
        Nodes=nodes(("A", "origin"), ("P", "port", {"country": "YY", "name": "Port P"}), ("M", "market"),
                    ("Q", "market", {"country": "YY"})),
        Legs=legs(("A", "M", 10, 1), ("A", "P", 3, 1), ("P", "M", 12, 1), ("P", "Q", 1, 1)),
        Routes=[{"route": "RAIL", "corridor": "Rail", "path": "A>M"},
                {"route": "PORT", "corridor": "Port P", "path": "A>P>M"},
                {"route": "HOME", "corridor": "To YY", "path": "A>P>Q"}],
        Demand=[{"commodity": "coal", "market": "M", "demand_t": tonnes},
                {"commodity": "coal", "market": "Q", "demand_t": tonnes / 10}],
        Uncertainty=[row])


def draws(case, n=400):
    data, net, _ = load(case)
    watch = focus_of(net, data.settings.focus)
    inputs = read_inputs(data)
    design = make_design(inputs, n, Method.LHS, 0)
    results = run_sweep(design.sweep(Path(case), inputs, reported=DrawReport(watch)), progress=False)
    return design.X[ROAD].to_numpy(), quantities(results, watch), used(results, net)


def test_transit_and_the_countrys_own_market_are_counted_apart(tmp_path):
    # The port route carries the 100 t where 3 + x < 10 (x = P>M < 7): P = (7 - 2) / (22 - 2) = 0.25; Q's 10 t go
    # through YY in every draw. Together "through YY" would carry cargo in 100% of the draws (10 t at least).
    x, y, table = draws(write_case(tmp_path, transit_and_own(), {"focus": "country YY"}))
    assert y[TRANSIT].to_numpy() == pytest.approx(np.where(x < 7, 100.0, 0.0))
    assert y[OWN].to_numpy() == pytest.approx(np.full(len(x), 10.0))
    assert "through country YY (focus)_t" not in y.columns  # never the two together
    parts = table[table["kind"] == FOCUS_KIND].set_index("name")
    assert parts.loc["through country YY to other markets", "probability_used"] == pytest.approx(np.mean(x < 7))
    assert abs(parts.loc["through country YY to other markets", "probability_used"] - 0.25) <= math.sqrt(
        0.25 * 0.75 / 400)
    assert parts.loc["to country YY's own market", "probability_used"] == 1.0
    # The gap is the port route's to its break-even, (3 + x) - 10 where it is unused; the home route (always used)
    # would make it 0 in every draw.
    assert y[GAP].to_numpy() == pytest.approx(np.maximum(3 + x - 10, 0.0), abs=1e-9)


def test_a_country_without_a_market_of_its_own_has_one_part(tmp_path):
    tables = transit_and_own()
    tables["Routes"] = tables["Routes"][:2]
    tables["Demand"] = tables["Demand"][:1]
    x, y, table = draws(write_case(tmp_path, tables, {"focus": "country YY"}), 40)
    assert [c for c in y.columns if c.endswith("(focus)_t")] == [TRANSIT]
    assert y[TRANSIT].to_numpy() == pytest.approx(np.where(x < 7, 100.0, 0.0))


def test_the_brief_and_the_console_say_which_part_carries_cargo(tmp_path, capsys):
    case = write_case(tmp_path, transit_and_own(), {"focus": "country YY"})
    out = tmp_path / "r.xlsx"
    assert main(["solve", str(case), "--uncertainty", "40", "--no-map", "-o", str(out)]) == 0
    data, _, _ = load(case)
    x = make_design(read_inputs(data), 40, Method.LHS, 0).X[ROAD].to_numpy()
    summary = pd.read_excel(out, sheet_name="Summary", header=None, engine="openpyxl")
    ranges = {str(k).removeprefix("range: "): str(v) for k, v in zip(summary[0], summary[1], strict=False)
              if str(k).startswith("range: ")}
    said = ranges["Through country YY to other markets (focus)"]
    assert f"; a route through it to another market carries cargo in {np.mean(x < 7):.0%} of the draws" in said
    assert "; its own market's cargo moves in 100% of the draws" in ranges["To country YY's own market (focus)"]
    capsys.readouterr()
    u = tmp_path / "u.xlsx"
    assert main(["uncertainty", str(case), "--draws", "40", "--no-progress", "-o", str(u)]) == 0
    text = capsys.readouterr().out
    # 100 t to M through YY in a quarter of the draws: 0 at 5%, 100 t (0.0001 Mt) at 95%; Q's 10 t in every draw
    assert (f"Tonnes through country YY to other markets (focus): 0.00 to 0.00010 Mt/yr (5-95%); carries cargo in "
            f"{np.mean(x < 7):.1%} of draws") in text, text
    assert "Tonnes to country YY's own market (focus): 0.000010 to 0.000010 Mt/yr (5-95%); supplied in 100.0% of " \
           "draws" in text


@pytest.mark.slow  # 200 draws of the base case
def test_on_the_base_case_pakistans_own_market_no_longer_passes_for_transit():
    # The base case (focus Pakistan): Pakistan's own 1,900 t of containers move in every draw, so the two parts
    # together carried cargo in 100% of the draws; a route through Pakistan to another market does in 78% of
    # them (docs/user-guide/uncertainty.md), on 200 Latin hypercube draws of its Uncertainty sheet.
    from conftest import BASE_XLSX

    data, net, _ = load(BASE_XLSX)
    watch = focus_of(net, data.settings.focus)
    assert watch == ("country", "PK")
    inputs = read_inputs(data)
    design = make_design(inputs, 200, Method.LHS, 0)
    results = run_sweep(design.sweep(Path(BASE_XLSX), inputs, reported=DrawReport(watch)), progress=False)
    y, table = quantities(results, watch), used(results, net)
    own, transit = y["to country PK's own market (focus)_t"], y["through country PK to other markets (focus)_t"]
    assert own.to_numpy() == pytest.approx(np.full(len(y), 1900.0))
    assert ((own + transit) > 1).all()  # together: cargo in every draw
    parts = table[table["kind"] == FOCUS_KIND].set_index("name")["probability_used"]
    assert parts["to country PK's own market"] == 1.0
    assert 0.7 <= parts["through country PK to other markets"] <= 0.85


def test_a_journal_of_draws_that_reported_other_figures_is_not_resumed(tmp_path):
    # A journal written when draws reported the focus's tonnes together (DrawReport version 1) holds no parts:
    # resumed into this run it would leave them blank in its draws. Its signature differs: refused, said.
    from model.errors import InputError

    case = write_case(tmp_path, transit_and_own(), {"focus": "country YY"})
    data, net, _ = load(case)
    watch = focus_of(net, data.settings.focus)
    inputs = read_inputs(data)
    design = make_design(inputs, 10, Method.LHS, 0)
    journal = tmp_path / "u.points.jsonl"
    run_sweep(design.sweep(Path(case), inputs, reported=DrawReport(watch, version=1)), points_file=journal,
              progress=False)
    with pytest.raises(InputError, match="holds points of a different sweep"):
        run_sweep(design.sweep(Path(case), inputs, reported=DrawReport(watch)), points_file=journal, resume=True,
                  progress=False)


@pytest.mark.slow  # the base case solved twice
def test_the_gap_under_seasons_is_the_routes_sheets_least_reduced_cost():
    # The base case has seasons: a route comes into use through its Flow column and one season's column at once,
    # and HiGHS may leave the whole gap on the season's column (the Flow's alone then reads 0). With Khunjerab
    # shut no route through Pakistan to another market carries cargo, so the focus's gap to break-even must be
    # the least reduced cost of those routes on the Routes sheet of the same input solved whole (Flow plus its
    # cheapest season), not 0: it read 0 in every draw before.
    from conftest import BASE_XLSX

    from model.analysis.params import find_cells, with_values
    from model.analysis.sweep import live_model
    from model.analysis.uncertainty.focus import ends_in
    from model.network.build import build_network
    from model.plan import Plan
    from model.steps import analyse, solve, tabulate

    live = live_model(Path(BASE_XLSX))
    watch = focus_of(live.net, live.data.settings.focus)
    shut = dict.fromkeys(find_cells("Capacities[KHJ].capacity_t", live.data), 0.0)
    figures = DrawReport(watch)(live, live.solve_point(shut)).figures
    assert figures["through country PK to other markets (focus)_t"] == 0.0
    data = with_values(live.data, shut)
    plan = Plan.of_one(data, build_network(data))
    sol = solve(plan)
    routes = tabulate(plan, sol, analyse(plan, sol)).routes
    net = plan.cases[0].net
    through = routes[[("PK" in net.countries_of[r]) for r in routes["route"]]]
    transit = through[~np.asarray(ends_in(net, "PK", list(through["route"])))]
    assert transit["tonnes_t"].sum() == 0.0
    assert figures[GAP] > 1.0  # far from 0: 2.49 USD/t
    assert figures[GAP] == pytest.approx(transit["reduced_cost_usd_per_t"].min(), abs=1e-6)
