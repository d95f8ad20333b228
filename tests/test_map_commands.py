"""The map and the report from the command line: corridor solve writes <result>_map.png and a Map sheet
(with --html, <result>.html too); corridor map and corridor report make them again from the result
workbook alone; corridor compare draws a panel per scenario; each through the output guard."""

from __future__ import annotations

import io
import shutil

import pytest
from cases import transport_case, write_case
from map_cases import assert_same_data, distinct_colours, legs_of, parse
from openpyxl import load_workbook
from PIL import Image

from model.cli import main
from model.report.maps.data import map_data
from model.report.output import written_by
from model.report.read_results import read_results
from model.results.maps import MapTables

pytestmark = pytest.mark.slow  # the map commands end to end: left out of the fast loop

# 100 t from A to M. Rail A>M: 60 t capacity at 2 USD/t; road A>R>M: 5 USD/t. Optimum: 60 t by rail
# (A>M full), 40 t by road (A>R and R>M, 40 t each at 5 USD/t).
PLACES = {"A": (47.1, 51.9), "R": (45.0, 60.0), "M": (41.0, 69.0)}


def case(tmp_path, places=PLACES, **extra):
    tables = transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}],
                            Scenarios=[{"scenario": "dear", "sheet": "Legs", "key": "A>M",
                                        "column": "cost_usd_per_t", "multiplier": 3}], **extra)
    for n in tables["Nodes"]:
        n["name"] = {"A": "Alpha field", "R": "Road hub", "M": "Market: Mu"}[n["node"]]
        if n["node"] in places:
            n["lat"], n["lon"] = places[n["node"]]
    tables["Legs"] = [{**leg, "distance_km": 100} for leg in tables["Legs"]]
    return write_case(tmp_path / "in", tables, xlsx=True)


def pixels(png: bytes | object) -> bytes:
    with Image.open(io.BytesIO(png) if isinstance(png, bytes) else png) as im:
        return im.convert("RGB").tobytes()


def rows(df, approx: bool = False) -> list[list]:
    """A table's cells, missing ones as None, numbers (not flags) as floats (pytest.approx with approx)."""
    number = pytest.approx if approx else float
    return [[None if v is None or v != v else v if isinstance(v, (bool, str)) else number(float(v))
             for v in row] for row in df.astype(object).values.tolist()]


@pytest.fixture
def solved(tmp_path, capsys):
    result = tmp_path / "out" / "result.xlsx"
    assert main(["solve", str(case(tmp_path)), "-o", str(result), "--html"]) == 0
    return result, capsys.readouterr()


def test_solve_writes_the_map_the_map_sheet_and_the_report(solved):
    result, said = solved
    png, page = result.with_name("result_map.png"), result.with_name("result.html")
    assert f"Beside it: {png}\nBeside it: {page}" in said.out and said.err == ""
    with Image.open(png) as im:
        assert im.size == (1600, 1000)
    assert distinct_colours(png) > 500 and written_by(png) == "solve" and written_by(page) == "solve"
    wb = load_workbook(result)
    assert wb.sheetnames[:2] == ["Summary", "Map"]
    assert len(wb["Map"]._images) == 1
    embedded = wb["Map"]._images[0]._data()
    assert pixels(embedded) == pixels(png.read_bytes())  # the same picture in the workbook


def test_the_map_sheet_reads_back_as_the_tables_it_was_written_from(tmp_path):
    from model.pipeline import run
    from model.results.maps import map_of

    result = tmp_path / "result.xlsx"
    solved_run = run(case(tmp_path), result)
    written = map_of(solved_run.plan, solved_run.results)
    back = MapTables.from_sheets(read_results(result))
    assert (back.title, back.subtitle, back.case) == (written.title, written.subtitle, {})
    assert back.title == "case" and back.subtitle == ("case.xlsx: 0.00 Mt/yr shipped at least cost, 0.0 million "
                                                     "USD/yr of resource cost")
    for name in ("nodes", "legs", "corridors"):
        got, want = getattr(back, name), getattr(written, name)
        assert list(got.columns) == list(want.columns)
        assert rows(got) == rows(want, approx=True), name
    # By hand: rail A>M 60 t at 2 USD/t, full; road A>R and R>M 40 t each at 5 USD/t.
    legs = {(r["leg"], r["corridor"]): r for r in back.legs.to_dict("records")}
    assert (legs[("A>M", "Rail")]["tonnes_t"], legs[("A>M", "Rail")]["full"]) == (60, True)
    assert legs[("A>R", "Road")]["tonnes_t"] == legs[("R>M", "Road")]["tonnes_t"] == 40
    assert legs[("R>M", "Road")]["cost_usd_per_t"] == pytest.approx(5)
    assert_same_data(map_data(back), map_data(written))


def test_corridor_map_redraws_the_same_map_from_the_workbook_alone(solved, tmp_path, capsys):
    result, _ = solved
    moved = tmp_path / "elsewhere" / "copy.xlsx"  # no input beside it: the workbook alone
    moved.parent.mkdir()
    shutil.copy(result, moved)
    assert main(["map", str(moved)]) == 0
    again = moved.with_name("copy_map.png")
    assert capsys.readouterr().out.strip() == f"Map: {again}"
    assert written_by(again) == "map"
    assert pixels(again.read_bytes()) == pixels(result.with_name("result_map.png").read_bytes())


def test_corridor_report_writes_one_page_with_a_path_per_used_leg(solved, tmp_path, capsys):
    result, _ = solved
    out = tmp_path / "report.html"
    assert main(["report", str(result), "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"Report: {out}"
    e = parse(out)
    legs = MapTables.from_sheets(read_results(result)).legs
    assert sorted((a["data-leg"], a["data-corridor"]) for a in legs_of(e)) == sorted(zip(legs["leg"], legs["corridor"],
                                                                                          strict=True))
    refs = [v for _, a in e.tags for k, v in a.items() if k in ("src", "href")]
    assert refs == ["data:,"] and "http" not in out.read_text().replace("http://www.w3.org", "")
    assert written_by(out) == "report"


def test_map_and_report_replace_the_solves_own_and_the_solve_theirs(solved, capsys):
    result, _ = solved
    png, page = result.with_name("result_map.png"), result.with_name("result.html")
    assert main(["map", str(result)]) == 0 and main(["report", str(result)]) == 0
    assert written_by(png) == "map" and written_by(page) == "report"
    input_case = result.parent.parent / "in" / "case.xlsx"
    assert main(["solve", str(input_case), "-o", str(result), "--html"]) == 0
    assert written_by(png) == "solve" and written_by(page) == "solve"


def test_a_planners_picture_beside_the_result_stops_the_solve_before_anything_is_written(tmp_path, capsys):
    result = tmp_path / "result.xlsx"
    planner = result.with_name("result_map.png")
    Image.new("RGB", (10, 10), "white").save(planner)
    before = planner.read_bytes()
    assert main(["solve", str(case(tmp_path)), "-o", str(result)]) == 1
    err = capsys.readouterr().err
    assert f"{planner} exists and was not written by corridor solve, so it is not replaced" in err
    assert planner.read_bytes() == before and not result.exists()
    assert main(["solve", str(case(tmp_path)), "-o", str(result), "--no-map"]) == 0  # no map: nothing in the way
    assert planner.read_bytes() == before


def test_no_map_keeps_the_tables_and_corridor_map_draws_it_later(tmp_path, capsys):
    result = tmp_path / "result.xlsx"
    assert main(["solve", str(case(tmp_path)), "-o", str(result), "--no-map"]) == 0
    assert "Beside it" not in capsys.readouterr().out and not result.with_name("result_map.png").exists()
    ws = load_workbook(result)["Map"]
    assert ws._images == [] and "The picture was not drawn (corridor solve --no-map)." in ws["A1"].value
    assert main(["map", str(result)]) == 0 and result.with_name("result_map.png").exists()


def test_a_node_without_coordinates_is_named_and_the_rest_drawn(tmp_path, capsys):
    result = tmp_path / "result.xlsx"
    no_r = {k: v for k, v in PLACES.items() if k != "R"}
    assert main(["solve", str(case(tmp_path, no_r)), "-o", str(result)]) == 0
    err = capsys.readouterr().err
    assert ("Nodes, lat, lon: 1 node(s) on the routes used have no lat and lon: R (Road hub); the map leaves them "
            "and their legs out. Enter their lat and lon (degrees) on the Nodes sheet.") in err
    png = result.with_name("result_map.png")
    assert distinct_colours(png) > 500
    assert main(["map", str(result)]) == 0 and "R (Road hub)" in capsys.readouterr().err  # said again on redraw


def test_without_any_coordinates_no_map_is_drawn_and_the_solve_says_so(tmp_path, capsys):
    result = tmp_path / "result.xlsx"
    assert main(["solve", str(case(tmp_path, {})), "-o", str(result), "--html"]) == 0
    said = capsys.readouterr()
    assert "no node on the routes used has lat and lon, so no map is drawn" in said.err
    assert not result.with_name("result_map.png").exists() and result.with_name("result.html").exists()
    assert "No picture: no node on the routes used has lat and lon." in load_workbook(result)["Map"]["A1"].value
    assert main(["map", str(result)]) == 0
    assert capsys.readouterr().out.strip() == "No map drawn (see the warning)."


def test_a_workbook_without_a_map_sheet_is_refused_with_the_fix(tmp_path, capsys):
    source = case(tmp_path)
    assert main(["map", str(source)]) == 2
    assert "has no Summary or Map sheet; it is not a result workbook. Pass a result workbook written by " \
           "'corridor solve'." in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.xlsx")]) == 2
    assert "cannot be read as a result workbook" in capsys.readouterr().err


def test_compare_draws_a_panel_per_scenario(tmp_path, capsys):
    out = tmp_path / "cmp.xlsx"
    assert main(["compare", str(case(tmp_path)), "-o", str(out)]) == 0
    png = tmp_path / "cmp_map.png"
    assert capsys.readouterr().out.rstrip().endswith(f"Map: {png}")
    assert written_by(png) == "compare"
    with Image.open(png) as im:
        assert im.size[0] == 1600

