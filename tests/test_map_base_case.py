"""The shipped base case's map: every node placed, every tonne on its legs, the binding capacities
marked, labels apart; corridor map and corridor report on its result workbook."""

from __future__ import annotations

import pytest
from conftest import BASE_XLSX
from map_cases import assert_labels_apart, assert_same_data, legs_of, map_area_colours, parse

from model.cli import main
from model.report.maps.data import map_data
from model.report.maps.layout import lay_out
from model.report.read_results import read_results
from model.results.maps import MapTables, map_of


@pytest.fixture(scope="module")
def base_map(base_run):
    return map_of(base_run.plan, base_run.results)


def test_every_tonne_of_the_base_case_is_on_its_legs(base_run, base_map):
    s = base_run.results.summary
    assert base_map.unplaced == [] and base_map.placed
    assert base_map.title == "Kazakhstan export corridors, 2023 base year (calibrated)"
    # 9,980.4 million USD/yr with seasons (issue 24), the resource cost `corridor solve` prints: the objective is
    # that of the year without seasons (10,477.0 million with the premiums), split otherwise between cost and premiums
    assert base_map.subtitle == ("base_case.xlsx: 126.92 Mt/yr shipped at least cost, 9,980.4 million USD/yr of "
                                 "resource cost")
    # Every tonne leaves its origin on exactly one first leg: first legs add up to the shipped total.
    origins = set(base_map.nodes.loc[base_map.nodes["kind"] == "origin", "node"])
    legs = base_map.legs
    assert legs.loc[legs["from"].isin(origins), "tonnes_t"].sum() == pytest.approx(s.shipped_t)
    # ...and arrives at one market on one last leg.
    markets = set(base_map.nodes.loc[base_map.nodes["kind"] == "market", "node"])
    assert legs.loc[legs["to"].isin(markets), "tonnes_t"].sum() == pytest.approx(s.shipped_t)
    cpc = legs[legs["leg"] == "ATY>CPT"]
    assert cpc[["corridor", "tonnes_t"]].values.tolist() == [["Russia: CPC pipeline", pytest.approx(54.252e6)]]
    data = map_data(base_map)
    assert sorted(f.element for f in data.full) == ["DOS", "SAM>MEU"]  # the console's binding rows
    # 16 corridors on the rebuilt base year: Karachi via Turkmenistan carries the Pakistan market's winter tonnes
    assert len(data.corridors) == 16 and len({c.colour for c in data.corridors}) == 16


def test_the_base_case_is_drawn_with_every_leg_and_labels_apart(base_map):
    data = map_data(base_map)
    p = lay_out(data)
    assert_labels_apart(p)
    assert len(p.segments) == len(data.legs)
    assert {"Kostanay", "Atyrau", "China", "European Union", "Lianyungang"} <= {lab.text for lab in p.labels}


@pytest.mark.slow
@pytest.mark.heavy
def test_map_and_report_from_the_base_case_result(base_map, tmp_path, capsys):
    result = tmp_path / "base_result.xlsx"
    assert main(["solve", str(BASE_XLSX), "-o", str(result), "--no-map"]) == 0
    back = MapTables.from_sheets(read_results(result))
    assert_same_data(map_data(back), map_data(base_map))
    assert main(["map", str(result)]) == 0 and main(["report", str(result)]) == 0
    capsys.readouterr()
    assert len(map_area_colours(result.with_name("base_result_map.png"))) > 500
    e = parse(result.with_suffix(".html"))
    # 87 (leg, corridor) pairs: Karachi via Turkmenistan's 5 legs join the 82 of the year without seasons; a leg
    # used in several seasons is one pair carrying its tonnes of the year
    assert len(legs_of(e)) == len(back.legs) == 87


def test_the_readme_quotes_the_base_case_map(base_map):
    from doc_pages import documentation

    readme = " ".join(documentation().split())  # docs/user-guide/maps.md
    data = map_data(base_map)
    assert (f"On the base case: {len(data.nodes)} nodes, {len(data.legs)} legs used (leg and corridor), "
            f"{len(data.corridors)} corridors, {len(data.full)} full capacities") in readme
