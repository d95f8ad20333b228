"""The map's tables (model.results.maps) and the plain data both renderers draw (model.report.maps.data),
on a tiny hand-made case whose tonnes per leg are added up by hand below, and on a plan."""

from __future__ import annotations

import pandas as pd
import pytest
from map_cases import GHOST, NORTH, SOUTH, tiny_map_data, tiny_map_tables

from model.report.maps.data import CommodityTonnes, FullCapacity, SummaryRow, report_data
from model.report.maps.palette import CORRIDOR_COLOURS, corridor_colour, corridor_colours
from model.results.maps import case_rows, map_tables


def leg(tables, name: str, corridor: str) -> dict:
    rows = tables.legs[(tables.legs["leg"] == name) & (tables.legs["corridor"] == corridor)]
    assert len(rows) == 1, (name, corridor)
    return rows.iloc[0].to_dict()


def test_tonnes_and_cost_per_leg_summed_by_hand():
    t = tiny_map_tables()
    # A>B (NORTH): N1 carries 60 wheat at 20 and 40 coal at 25, N2 50 wheat at 30: 150 t,
    # cost (60*20 + 40*25 + 50*30) / 150 = 3700 / 150 USD/t.
    assert leg(t, "A>B", NORTH)["tonnes_t"] == pytest.approx(150)
    assert leg(t, "A>B", NORTH)["cost_usd_per_t"] == pytest.approx(3700 / 150)
    # B>M2 (NORTH): N1 only, 100 t at (1200 + 1000) / 100 = 22 USD/t. B>P (NORTH): N2, 50 t at 30.
    assert (leg(t, "B>M2", NORTH)["tonnes_t"], leg(t, "B>M2", NORTH)["cost_usd_per_t"]) == pytest.approx((100, 22))
    assert (leg(t, "B>P", NORTH)["tonnes_t"], leg(t, "B>P", NORTH)["cost_usd_per_t"]) == pytest.approx((50, 30))
    # P>M1 is shared: NORTH 50 t (N2), SOUTH 30 t (S1; its coal row has 0 t and does not count).
    north, south = leg(t, "P>M1", NORTH), leg(t, "P>M1", SOUTH)
    assert (north["tonnes_t"], south["tonnes_t"]) == pytest.approx((50, 30))
    assert south["cost_usd_per_t"] == pytest.approx(12)
    # P>M1 has two capacity rows, all cargo 100% used (binding) and containers 0%: highest 1.0, full.
    assert north["utilisation"] == pytest.approx(1.0) and north["full"] and south["full"]
    # A>B has no capacity of its own (B's is a node's): no utilisation, not full.
    assert pd.isna(leg(t, "A>B", NORTH)["utilisation"]) and not leg(t, "A>B", NORTH)["full"]
    # 8 used (leg, corridor) pairs: A>B, B>M2, B>P, P>M1 (NORTH); A>P, P>M1 (SOUTH); A>X, X>M1 (GHOST).
    # S2 (A>M2) carries nothing: no row.
    assert len(t.legs) == 8 and "A>M2" not in set(t.legs["leg"])
    assert list(t.legs["tonnes_t"]) == sorted(t.legs["tonnes_t"], reverse=True)  # most tonnes first


def test_nodes_carry_their_throughput_capacity_and_missing_coordinates():
    t = tiny_map_tables()
    nodes = t.nodes.set_index("node")
    # A: every flow, 60 + 40 + 50 + 30 + 10 = 190 t. B: N1 and N2, 150 t, 150 / 200 used.
    assert nodes.loc["A", "tonnes_t"] == pytest.approx(190)
    assert nodes.loc["B", "tonnes_t"] == pytest.approx(150)
    assert nodes.loc["B", "utilisation"] == pytest.approx(0.75) and not nodes.loc["B", "full"]
    # M1: N2 50 + S1 30 + G1 10 = 90 t; P: N2 50 + S1 30 = 80 t.
    assert (nodes.loc["M1", "tonnes_t"], nodes.loc["P", "tonnes_t"]) == pytest.approx((90, 80))
    assert t.unplaced == ["X (Nowhere hub)"] and t.placed


def test_a_route_that_passes_a_leg_twice_counts_it_twice_and_its_nodes_once():
    # Route L runs A>B>A>B>M with 10 t: the leg A>B twice (20 t), B>A and B>M once; each node once (10 t).
    nodes = pd.DataFrame([("A", "A", "KZ", "origin", 45.0, 60.0), ("B", "B", "KZ", "hub", 46.0, 61.0),
                          ("M", "M", "CN", "market", 40.0, 100.0)],
                         columns=["node", "name", "country", "kind", "lat", "lon"])
    flows = pd.DataFrame([("coal", "L", "Loop", 10.0, 5.0)], columns=["commodity", "route", "corridor", "tonnes_t",
                                                                      "cost_usd_per_t"])
    empty = pd.DataFrame(columns=["element", "cargo_class", "capacity_t", "added_t", "used_t", "utilisation",
                                  "shadow_price_usd_per_t", "binding"])
    corridors = pd.DataFrame([("All commodities", "Loop", 10.0, 1.0)], columns=["commodity", "corridor", "tonnes_t",
                                                                                 "share"])
    t = map_tables(nodes, {"L": ("A", "B", "A", "B", "M")}, flows, empty, corridors, "t", "s")
    assert dict(zip(t.legs["leg"], t.legs["tonnes_t"], strict=True)) == {"A>B": 20.0, "B>A": 10.0, "B>M": 10.0}
    assert dict(zip(t.nodes["node"], t.nodes["tonnes_t"], strict=True)) == {"A": 10.0, "B": 10.0, "M": 10.0}


def test_map_data_keeps_the_tables_figures_with_names_colours_and_full_rows():
    data = tiny_map_data()
    by = {(x.leg, x.corridor): x for x in data.legs}
    assert by[("A>B", NORTH)].tonnes_t == pytest.approx(150) and by[("A>B", NORTH)].utilisation is None
    nodes = {n.id: n for n in data.nodes}
    assert nodes["X"].lat is None and nodes["P"].label == "Port P" and nodes["M1"].label == "West"
    assert data.unplaced == ("X (Nowhere hub)",)
    assert data.full == (FullCapacity(element="P>M1", kind="leg", name="Port P / second name to Market: West",
                                      cargo_class="all", capacity_t=80.0, used_t=80.0, shadow_price_usd_per_t=3.0),)
    assert [(c.corridor, c.tonnes_t) for c in data.corridors] == [(NORTH, 150), (SOUTH, 30), (GHOST, 10)]
    # Colours by name, stable from run to run, no two alike on one map: names outside the palette take
    # the free colours in sorted order ("Ghost" < "North" < "South"), so Ghost has the first, drawn alone too.
    colours = [c.colour for c in data.corridors]
    assert len(set(colours)) == 3 and colours == [c.colour for c in tiny_map_data().corridors]
    assert corridor_colour(NORTH) == corridor_colour(GHOST) == colours[2]
    assert corridor_colours(["Middle Corridor", "China: rail"]) == {
        "Middle Corridor": CORRIDOR_COLOURS["Middle Corridor"], "China: rail": CORRIDOR_COLOURS["China: rail"]}


def test_report_data_formats_the_summary_rows_and_cuts_a_plan_to_the_case():
    sheets = {"Summary": pd.DataFrame([("objective", 7_327_922_481.5, "USD/yr"), ("status", "Optimal", ""),
                                       ("weighted absolute error (fit)", 0.0172, "share")],
                                      columns=["item", "value", "unit"]),
              "Corridors": pd.DataFrame([(2030, "All commodities", NORTH, 5.0, 1.0), (2030, "wheat", NORTH, 5.0, 1.0),
                                         (2035, "wheat", NORTH, 7.0, 1.0)],
                                        columns=["year", "commodity", "corridor", "tonnes_t", "share"]),
              "Bottlenecks": pd.DataFrame([(2030, 1, "capacity", "B", "early", 2.0),
                                           (2035, 1, "capacity", "B", "late", 1.0)],
                                          columns=["year", "rank", "kind", "name", "in_words", "saving_usd_per_t"])}
    report = report_data(tiny_map_data(), sheets, {"year": 2035})
    assert report.summary == (SummaryRow(item="objective", value="7,327,922,482", unit="USD/yr"),
                              SummaryRow(item="status", value="Optimal", unit=""),
                              SummaryRow(item="weighted absolute error (fit)", value="1.7%", unit="share"))
    assert report.by_commodity == (CommodityTonnes(corridor=NORTH, commodity="wheat", tonnes_t=7.0),)
    assert [b.in_words for b in report.bottlenecks] == ["late"]
    # The brief (model.results.brief) is the whole plan's: its bottlenecks name their year.
    assert report.brief is not None and report.brief.bottlenecks == ("In 2030: early", "In 2035: late")


def test_case_rows_pick_one_case_and_drop_its_columns():
    df = pd.DataFrame({"scenario": ["base", "base", "dear"], "year": [2030, 2035, 2035], "x": [1, 2, 3]})
    assert case_rows(df, {"scenario": "base", "year": 2035}).to_dict("records") == [{"x": 2}]
    assert case_rows(df, {}).equals(df)


@pytest.mark.slow
@pytest.mark.heavy
def test_a_plan_is_mapped_in_the_base_scenario_of_its_last_year(tmp_path):
    from lpforms import random_case

    from model.pipeline import analyse, load, solve, tabulate
    from model.results.maps import map_of

    plan, _ = load(random_case(tmp_path, 1, years=True, scenarios=True), robust="dear,tight")
    sol = solve(plan)
    results = tabulate(plan, sol, analyse(plan, sol))
    last = plan.periods[-1].year
    t = map_of(plan, results)
    assert t.case == {"scenario": "base", "year": last}
    assert t.title.endswith(f": the base scenario in {last} (the last of {len(plan.periods)} planned years)")
    # Every tonne of that case leaves its origin on one first leg: the first legs add to its shipped tonnes.
    row = results.plan["Plan"]
    shipped = row[(row["scenario"] == "base") & (row["year"] == last)]["shipped_t"].iloc[0]
    origins = set(plan.data.tables["Nodes"].query("kind == 'origin'")["node"])
    assert t.legs[t.legs["from"].isin(origins)]["tonnes_t"].sum() == pytest.approx(shipped)
    assert f"{shipped / 1e6:,.2f} Mt/yr shipped" in t.subtitle
    # The tables are the case's, without its scenario and year columns.
    assert "year" not in t.capacity.columns and list(t.corridors.columns) == ["corridor", "tonnes_t", "share"]


def test_a_capacity_full_in_one_season_only_is_full_on_the_map(tmp_path):
    # 100 t of coal A -> M; rail A>M at 2 USD/t, 200 t a year but 20 t in winter; road A>R>M at 5. Summer and
    # winter half a year each: 50 t a season. Summer's 50 t go by rail (room 100); winter's 20 by rail and 30 by
    # road. The rail leg carries 70 of its 200 t a year, yet it is full in winter, where a tonne more saves
    # 5 - 2 = 3 USD. The map drew it as not full (the year's row, 35% used): now it is full, listed in winter with
    # that season's tonnes, and the same read back from the result workbook.
    from cases import transport_case, write_case

    from model import pipeline
    from model.cli import main
    from model.report.maps.data import map_data
    from model.report.read_results import read_results
    from model.results.maps import MapTables, map_of

    case = write_case(tmp_path, transport_case(
        Seasons=[{"season": "summer", "share": 0.5}, {"season": "winter", "share": 0.5}],
        Capacities=[{"element": "A>M", "capacity_t": 200}, {"element": "A>M", "season": "winter", "capacity_t": 20}]))
    run = pipeline.run(case)
    tables = map_of(run.plan, run.results)
    rail = tables.legs[tables.legs["leg"] == "A>M"].iloc[0]
    assert rail["tonnes_t"] == pytest.approx(70) and bool(rail["full"]) and rail["utilisation"] == pytest.approx(1)
    (full,) = map_data(tables).full
    assert (full.element, full.season, full.capacity_t, full.used_t) == ("A>M", "winter", pytest.approx(20),
                                                                         pytest.approx(20))
    assert full.shadow_price_usd_per_t == pytest.approx(3)
    out = tmp_path / "r.xlsx"
    assert main(["solve", str(case), "-o", str(out), "--no-map"]) == 0
    back = MapTables.from_sheets(read_results(out))
    assert back is not None and map_data(back).full == map_data(tables).full
    # The report's legend says the season, in that season's tonnes (not per year).
    assert main(["report", str(out)]) == 0 and main(["map", str(out)]) == 0  # the picture's legend too
    assert "A to M in winter: 0.000020 of 0.000020 Mt</li>" in out.with_suffix(".html").read_text()  # 20 t of 20
