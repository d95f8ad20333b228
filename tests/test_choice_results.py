"""The result workbook, the console and corridor check under the route-choice allocation (allocation choice):
each route's share, tolls and generalised cost in place of the LP's ranging, the small routes counted but not
listed, the allocation said in words, and a check that recomputes the logit split and the tolls independently."""

from __future__ import annotations

import math

import pytest
from cases import solved_and_checked, transport_case, write_case
from openpyxl import load_workbook

from model.cli import main
from model.report.read_results import read_results

# Two routes A->M for 100 t of coal, RAIL at 10 USD/t and ROAD at 15 + 5 = 20 USD/t (as tests/test_choice.py).
TEN_TWENTY = {"Legs": [{"from": "A", "to": "M", "mode": "rail", "cost_usd_per_t": 10, "transit_days": 0},
                       {"from": "A", "to": "R", "mode": "road", "cost_usd_per_t": 15, "transit_days": 0},
                       {"from": "R", "to": "M", "mode": "road", "cost_usd_per_t": 5, "transit_days": 0}]}
PLACES = {"A": (47.1, 51.9), "R": (45.0, 60.0), "M": (41.0, 69.0)}
CHOICE = {"allocation": "choice"}
TOLL = 10 - 10 * math.log(1.5)  # RAIL limited to 60 of 100 t at dispersion 10: ln(60/40) = 0.1 (20 - (10 + t))


def case(dispersion: float, se: float | None = None, **tables) -> dict:
    row = {"cargo_class": "dry_bulk", "dispersion_usd_per_t": dispersion,
           **({"standard_error_usd_per_t": se} if se is not None else {})}
    out = transport_case(**{**TEN_TWENTY, **tables}, Dispersions=[row])
    for n in out["Nodes"]:
        n["lat"], n["lon"] = PLACES[n["node"]]
    out["Legs"] = [{**leg, "distance_km": 100} for leg in out["Legs"]]
    return out


def solve(tmp_path, tables, capsys=None):
    """(input, result workbook, console text) of corridor solve with allocation choice, the map drawn."""
    path = write_case(tmp_path / "in", tables, CHOICE, xlsx=True)
    out = tmp_path / "result.xlsx"
    if capsys is not None:
        capsys.readouterr()
    assert main(["solve", str(path), "-o", str(out)]) == 0
    return path, out, capsys.readouterr().out if capsys is not None else ""


def by_route(sheet):
    return sheet.set_index("route")


def test_the_routes_sheet_gives_each_route_its_share_tolls_and_generalised_cost(tmp_path):
    # RAIL full at 60 t: share 60%, toll 5.945, generalised 15.945; ROAD 40%, no toll, 20 USD/t, which is
    # 20 - 15.945 = 4.055 above the cheapest (RAIL). exp(-4.055 / 10) = 0.667 = 40 / 60.
    _, out, _ = solve(tmp_path, case(10.0, Capacities=[{"element": "A>M", "capacity_t": 60}]))
    sheets = read_results(out)
    for name in ("Routes", "Flows"):
        r = by_route(sheets[name])
        assert r.loc["RAIL", "share_of_demand"] == pytest.approx(0.6, abs=1e-6)
        assert r.loc["ROAD", "share_of_demand"] == pytest.approx(0.4, abs=1e-6)
        assert r.loc["RAIL", "tolls_usd_per_t"] == pytest.approx(TOLL, abs=1e-5)
        assert r.loc["ROAD", "tolls_usd_per_t"] == pytest.approx(0.0, abs=1e-9)
        assert r.loc["RAIL", "generalised_cost_usd_per_t"] == pytest.approx(10 + TOLL, abs=1e-5)
        assert r.loc["ROAD", "generalised_cost_usd_per_t"] == pytest.approx(20.0, abs=1e-9)
    routes = by_route(sheets["Routes"])
    assert routes.loc["RAIL", "above_cheapest_usd_per_t"] == 0
    assert routes.loc["ROAD", "above_cheapest_usd_per_t"] == pytest.approx(10 - TOLL, abs=1e-5)  # 4.055
    # the LP's reduced costs and cost ranges are not of this allocation: not written
    assert not {"reduced_cost_usd_per_t", "break_even_cost_usd_per_t", "cost_range_low_usd_per_t"} & set(routes.columns)


def test_a_route_under_half_a_tonne_is_counted_but_not_listed(tmp_path):
    # dispersion 1 USD/t against a 10 USD/t difference: ROAD carries 100 e^-10 / (1 + e^-10) = 0.00454 t.
    # The rule (model.results.choice.SHOWN_T): not on the Flows sheet or the map, in every total, on the Routes sheet.
    path, out, _ = solve(tmp_path, case(1.0))
    sheets = read_results(out)
    road = 100 * math.exp(-10) / (1 + math.exp(-10))
    assert list(sheets["Flows"]["route"]) == ["RAIL"]
    assert by_route(sheets["Routes"]).loc["ROAD", "tonnes_t"] == pytest.approx(road, rel=1e-6)
    items = dict(zip(sheets["Summary"]["item"], sheets["Summary"]["value"], strict=True))
    assert float(items["shipped"]) == pytest.approx(100, abs=1e-9)  # RAIL's 99.99546 t and ROAD's 0.00454 t
    assert items["routes under 0.5 t"].startswith("1 routes carry 0.00 t in all")
    assert set(sheets["Map legs"]["leg"]) == {"A>M"}  # the road's legs are not drawn
    emissions = sheets["Emissions"]
    assert list(emissions.loc[emissions["by"] == "route", "code"]) == ["RAIL"]  # nor given a route row
    assert emissions.loc[emissions["by"] == "total", "tonnes_t"].iloc[0] == pytest.approx(100, abs=1e-9)
    demand = sheets["Demand"].iloc[0]
    assert demand["delivered_t"] == pytest.approx(100, abs=1e-9)
    assert main(["check", str(path), str(out)]) == 0


def test_the_summary_and_the_console_say_which_allocation(tmp_path, capsys):
    # no capacity: 73.1 / 26.9 at dispersion 10, costing 73.106 x 10 + 26.894 x 20 = 1,268.94 USD, beside the
    # least-cost allocation's 100 x 10 = 1,000 USD
    _, out, text = solve(tmp_path, case(10.0, se=2.5), capsys)
    items = dict(zip(*(read_results(out)["Summary"][c] for c in ("item", "value")), strict=True))
    assert items["allocation"].startswith("choice")
    assert float(items["dispersion dry_bulk"]) == 10.0
    assert float(items["dispersion dry_bulk standard error"]) == 2.5
    assert float(items["least-cost objective"]) == pytest.approx(1000)
    assert float(items["objective"]) == pytest.approx(1000 + 1000 * math.exp(-1) / (1 + math.exp(-1)), abs=1e-3)
    assert "Allocation: route choice" in text and "dry_bulk 10.00 (standard error 2.50)" in text
    first = [c.value for c in load_workbook(out)["Summary"]["A"][:12]]  # the brief's first lines say it too
    assert any(str(v).startswith("Allocation: route choice") for v in first)


def test_tolls_are_said_as_tolls_not_as_lp_savings_with_a_range(tmp_path, capsys):
    # the LP's 'saves X USD a year ... this holds for any increase' read a missing range as unbounded
    _, out, text = solve(tmp_path, case(10.0, Capacities=[{"element": "A>M", "capacity_t": 60}]), capsys)
    b = read_results(out)["Bottlenecks"].iloc[0]
    assert b["saving_usd_per_t"] == pytest.approx(TOLL, abs=1e-5)
    assert f"toll of {TOLL:,.2f} USD/t" in b["in_words"] and "holds for" not in b["in_words"]
    assert "toll USD/t" in text and "saves USD/t" not in text


def edited(result, out, sheet: str, key: dict, column: str, value):
    """A copy of a result workbook with one cell changed: the row of sheet whose columns hold key's values, at
    the column headed column (header row 3, below the sheet's note)."""
    wb = load_workbook(result)
    ws = wb[sheet]
    heads = {ws.cell(3, j).value: j for j in range(1, ws.max_column + 1)}
    row = next(r for r in range(4, ws.max_row + 1)
               if all(ws.cell(r, heads[h]).value == v for h, v in key.items()))
    ws.cell(row, heads[column]).value = value
    wb.save(out)
    return out


def checked(path, result, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", str(path), str(result)])
    return code, capsys.readouterr().out


def test_check_fails_a_share_moved_between_routes(tmp_path, capsys):
    # 73.106 / 26.894 written as 70 / 30: every row still holds (100 t delivered), but the ratio 70/30 = 2.33
    # is not exp(-(10 - 20) / 10) = e = 2.718 (said of ROAD against RAIL: 0.4286 against e^-1 = 0.3679)
    path, out, _ = solve(tmp_path, case(10.0))
    assert checked(path, out, capsys)[0] == 0
    bad = out
    for route, t in (("RAIL", 70.0), ("ROAD", 30.0)):
        for sheet in ("Routes", "Flows"):
            bad = edited(bad, tmp_path / "bad.xlsx", sheet, {"route": route}, "tonnes (t/yr)", t)
    code, text = checked(path, bad, capsys)
    assert code != 0
    assert "Demand row 2: route" in text and "give a ratio of exp(-(" in text
    assert "(ratio 0.428571)" in text and "= 0.367879" in text


def test_check_fails_a_toll_edited(tmp_path, capsys):
    # RAIL's toll 5.945 written as 7: 10 + 7 = 17 against 20 would give 60 / 40 = e^0.3 = 1.35, not 1.5
    path, out, _ = solve(tmp_path, case(10.0, Capacities=[{"element": "A>M", "capacity_t": 60}]))
    bad = edited(out, tmp_path / "bad.xlsx", "Capacity", {"element": "A>M"}, "shadow price (USD/t)", 7.0)
    code, text = checked(path, bad, capsys)
    assert code != 0 and "give a ratio of exp(-(" in text


def test_check_fails_a_toll_on_a_row_with_room(tmp_path, capsys):
    # R>M holds 1,000 t and carries 40: it has room, so no toll; one written there is named
    caps = [{"element": "A>M", "capacity_t": 60}, {"element": "R>M", "capacity_t": 1000}]
    path, out, _ = solve(tmp_path, case(10.0, Capacities=caps))
    assert checked(path, out, capsys)[0] == 0
    bad = edited(out, tmp_path / "bad.xlsx", "Capacity", {"element": "R>M"}, "shadow price (USD/t)", 3.0)
    code, text = checked(path, bad, capsys)
    assert code != 0 and "Capacity: R>M has a toll (shadow price) of 3.0 USD/t, but it is not full" in text


RULES = [  # each binds: unconstrained, RAIL would carry 73.106 t and ROAD 26.894
    {"rule": "P", "kind": "max_t", "scope": "route", "target": "RAIL", "value": 50},
    {"rule": "P", "kind": "min_t", "scope": "route", "target": "ROAD", "value": 40},
    {"rule": "P", "kind": "max_share", "scope": "corridor", "target": "Rail", "value": 0.5},
    {"rule": "P", "kind": "min_share", "scope": "corridor", "target": "Road", "value": 0.45},
]


@pytest.mark.parametrize("rule", RULES, ids=[r["kind"] for r in RULES])
def test_a_binding_rule_tolls_its_routes_as_the_check_recomputes(tmp_path, rule):
    # the rule holds RAIL to t_rail = 50 (or 60, or 55) of 100 t; its toll is what the logit needs for that
    # split: ln(t_rail / t_road) = 0.1 (20 - 10 - toll)
    run = solved_and_checked(tmp_path, case(10.0, Policies=[rule]), CHOICE)
    f = run.results.flows.set_index("route")["tonnes_t"]
    rail = {"max_t": 50, "min_t": 60, "max_share": 50, "min_share": 55}[rule["kind"]]
    assert f["RAIL"] == pytest.approx(rail, abs=1e-4)
    # the saving s tolls RAIL against ROAD by s in every kind: max_t RAIL pays s; min_t ROAD is credited s; a
    # max_share of Rail at v charges RAIL (1 - v) s and credits ROAD v s; a min_share of Road the other way round
    saving = run.results.policies.iloc[0]["saving_usd_per_t"]
    assert saving == pytest.approx(10 - 10 * math.log(rail / (100 - rail)), abs=1e-4)


def test_the_check_reads_each_seasons_split_and_toll(tmp_path, capsys):
    # two half-year seasons, 50 t each; RAIL A>M holds 30 t in winter. Summer splits 73.1 / 26.9 of 50 t;
    # winter 30 / 20 with a toll of 10 - 10 ln 1.5 = 5.945 on the winter rail (as above)
    seasons = {"Seasons": [{"season": "summer", "share": 0.5}, {"season": "winter", "share": 0.5}],
               "Capacities": [{"element": "A>M", "capacity_t": 200},
                              {"element": "A>M", "season": "winter", "capacity_t": 30}]}
    path, out, _ = solve(tmp_path, case(10.0, **seasons))
    assert checked(path, out, capsys)[0] == 0
    rail = by_route(read_results(out)["Flows"]).loc["RAIL", "tonnes_t"]
    assert rail == pytest.approx(50 / (1 + math.exp(-1)) + 30, abs=1e-4)  # 36.553 + 30
    wb = load_workbook(out)
    ws = wb["Seasons"]
    heads = {ws.cell(3, j).value: j for j in range(1, ws.max_column + 1)}
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, heads["season"]).value == "winter"
               and ws.cell(r, heads["what"]).value == "capacity")
    assert ws.cell(row, heads["shadow price (USD/t)"]).value == pytest.approx(TOLL, abs=1e-5)
    ws.cell(row, heads["shadow price (USD/t)"]).value = 4.0
    wb.save(tmp_path / "bad.xlsx")
    code, text = checked(path, tmp_path / "bad.xlsx", capsys)
    assert code != 0 and "Demand row 2 in season winter: route" in text


def test_explain_says_the_share_from_the_generalised_cost(tmp_path, capsys):
    # RAIL full at 60 t: 60% at 10 + 5.945 = 15.945 USD/t, the toll its capacity's; ROAD 40% at 20, which is
    # 4.055 above RAIL, so exp(-4.055 / 10) = 0.667 = 40 / 60 times RAIL's tonnes. No LP cost range is said.
    path = write_case(tmp_path, case(10.0, Capacities=[{"element": "A>M", "capacity_t": 60}]), CHOICE)
    capsys.readouterr()
    assert main(["explain", str(path), "--route", "RAIL"]) == 0
    rail = " ".join(capsys.readouterr().out.split())
    assert "carries 60.0% of Demand row 2" in rail and "generalised cost is 15.95 USD/t" in rail
    assert "which is full, adds 5.95" in rail and "against ROAD 40.0% at 20.00" in rail
    assert "dispersion of 10.00 USD/t" in rail and "stays the same while" not in rail
    assert main(["explain", str(path), "--route", "ROAD"]) == 0
    road = " ".join(capsys.readouterr().out.split())
    assert "ROAD is 4.05 USD/t above the cheapest route of its row, so it carries 0.667 times" in road


def test_check_says_a_cut_routes_sheet_is_not_checked(tmp_path, capsys):
    # routes_sheet_rows 1: the Routes sheet keeps RAIL's 73.1 t of the 100 t delivered; the rows cannot be
    # checked from it, and check says so instead of reporting the demand row broken or confirming it
    tables = case(10.0)
    path = write_case(tmp_path / "in", tables, {**CHOICE, "routes_sheet_rows": 1}, xlsx=True)
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(path), "-o", str(out), "--no-map"]) == 0
    code, text = checked(path, out, capsys)
    assert code == 1 and "could not be run" in text and "the Routes sheet holds 73.1" in text
    assert "Demand row 2: delivered" not in text


def test_not_delivering_is_an_alternative_the_check_reads(tmp_path):
    # an unmet penalty of 25 USD/t: RAIL 10, ROAD 20 and not delivering 25 split 100 t as e^-1 : e^-2 : e^-2.5
    # (dispersion 10), unmet 100 e^-2.5 / (e^-1 + e^-2 + e^-2.5) = 14.13 t; the check puts it in the row's split
    run = solved_and_checked(tmp_path, case(10.0), {**CHOICE, "unmet_penalty_usd_per_t": 25})
    weights = [math.exp(-1), math.exp(-2), math.exp(-2.5)]
    assert run.results.demand.iloc[0]["unmet_t"] == pytest.approx(100 * weights[2] / sum(weights), abs=1e-4)


@pytest.mark.parametrize("sheet, header, value, expected", [
    ("Flows", "share of demand (%)", 0.8, "Flows: coal on RAIL share_of_demand 0.8, the Routes sheet gives 0.6"),
    ("Routes", "share of demand (%)", 0.8, "Routes: coal on RAIL share of its demand row 0.8, its tonnes give 0.6"),
    ("Routes", "generalised cost (USD/t)", 12.0, "Routes: coal on RAIL generalised cost 12 USD/t, its cost and the "
                                                  "tolls of the rows it passes give 15.94"),
])
def test_check_fails_a_written_share_or_generalised_cost_edited(tmp_path, capsys, sheet, header, value, expected):
    # RAIL: 60 of 100 t (share 0.6), generalised cost 10 + 5.945 = 15.945 USD/t; each written figure is checked
    path, out, _ = solve(tmp_path, case(10.0, Capacities=[{"element": "A>M", "capacity_t": 60}]))
    bad = edited(out, tmp_path / "bad.xlsx", sheet, {"route": "RAIL"}, header, value)
    code, text = checked(path, bad, capsys)
    assert code != 0 and expected in " ".join(text.split())


def test_check_fails_an_open_route_left_empty(tmp_path, capsys):
    # the least-cost result puts all 100 t on RAIL (10 USD/t) and none on ROAD (20): checked as choice, ROAD
    # is open, so the logit gives it 100 e^-1 / (1 + e^-1) = 26.894 t, not 0 (a ratio check over the used
    # routes alone has a single route in the row and passed it)
    path = write_case(tmp_path / "in", case(10.0), xlsx=True)
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(path), "-o", str(out), "--no-map"]) == 0
    capsys.readouterr()
    code = main(["check", str(path), str(out), "--allocation", "choice"])
    text = " ".join(capsys.readouterr().out.split())
    assert code != 0
    assert "Demand row 2: route ROAD carries 0 t" in text and "exp(-(20.0000 - 10.0000) / 10) = 0.367879" in text


@pytest.mark.parametrize("closing", [
    {"Capacities": [{"element": "A>R", "capacity_t": 0}]},
    {"Policies": [{"rule": "P", "kind": "max_t", "scope": "route", "target": "ROAD", "value": 0}]},
    {"Policies": [{"rule": "P", "kind": "max_share", "scope": "corridor", "target": "Road", "value": 0}]},
], ids=["capacity", "max_t", "max_share"])
def test_a_route_closed_by_a_limit_of_zero_carries_nothing_and_checks(tmp_path, closing):
    # ROAD closed (a capacity of 0 on A>R, or a rule allowing it 0): all 100 t by RAIL, and the check, which
    # wants every open route to carry its logit share, passes it
    run = solved_and_checked(tmp_path, case(10.0, **closing), CHOICE)
    f = run.results.flows
    assert float(f.loc[f["route"] == "RAIL", "tonnes_t"].sum()) == pytest.approx(100)


def test_the_map_says_the_tonnes_are_the_route_choice_split(tmp_path):
    # the map's subtitle (the Map sheet, the page, the PNG) said "shipped at least cost" under choice too
    from model.report.read_results import read_result_workbook

    _, out, _ = solve(tmp_path, case(10.0))
    about = read_result_workbook(out, "").get("Map").set_index("item")["value"]
    assert "shipped by route choice" in about["subtitle"] and "least cost" not in about["subtitle"]
    lc = tmp_path / "lc"
    path = write_case(lc, case(10.0), xlsx=True)
    assert main(["solve", str(path), "-o", str(lc / "result.xlsx")]) == 0
    assert "shipped at least cost" in read_result_workbook(lc / "result.xlsx", "").get("Map").set_index(
        "item")["value"]["subtitle"]


def test_the_fit_is_checked_relative_to_its_tonnes_when_the_observation_is_zero(tmp_path, capsys):
    # 1,234.567 Mt: ROAD carries 1,234.567e6 e^-1 / (1 + e^-1) = 332,026,203.756 t, observed as 0 t (a route said
    # unused). The check held the Fit's modelled tonnes to 1e-6 of max(1, observed 0 t) = 1e-6 t, so a sum of
    # many flows written to 12 significant digits (the base case with dispersion 1,000 everywhere: Iran's
    # 1,684,091.42477 against 1,684,091.4247714 t) failed a correct result. Now to 1e-6 of the tonnes compared:
    # 0.144 t off 332 Mt (4e-10) is round-off, 500 Mt is not.
    tables = case(10.0, Demand=[{"commodity": "coal", "market": "M", "demand_t": 1.234567e9}],
                  Observations=[{"observation": "O1", "scope": "route", "target": "ROAD", "observed_t": 0,
                                 "tolerance_t": 1e6}])
    path, out, _ = solve(tmp_path, tables)
    assert checked(path, out, capsys)[0] == 0
    near = edited(out, tmp_path / "near.xlsx", "Fit", {"observation": "O1"}, "modelled (t/yr)", 332_026_203.9)
    code, text = checked(path, near, capsys)
    assert code == 0, text
    bad = edited(out, tmp_path / "bad.xlsx", "Fit", {"observation": "O1"}, "modelled (t/yr)", 500_000_000.0)
    code, text = checked(path, bad, capsys)
    assert code != 0 and "Fit: observation O1 modelled 500000000" in text


def test_explain_under_a_share_rule_names_terms_that_add_up_to_the_tolls(tmp_path, capsys):
    # ROAD at most 10% of the coal: 90 / 10 t, ln 9 = 0.1 (20 + 0.9 t - (10 - 0.1 t)) -> toll t = 10 ln 9 - 10 =
    # 11.972; ROAD pays 0.9 t = 10.775, RAIL is credited 0.1 t = 1.197. The explanation named besides the rule
    # 'the total of every commodity shipped ... adds 1.20' (the shipped_total row, which the choice program
    # writes as a sum and had no toll): its terms added to 11.97 and 0.00, not to the tolls 10.78 and -1.20
    rule = {"rule": "P", "kind": "max_share", "scope": "route", "target": "ROAD", "value": 0.1}
    path = write_case(tmp_path / "in", case(10.0, Policies=[rule]), CHOICE, xlsx=True)
    toll = 10 * math.log(9) - 10
    for route, share in (("ROAD", 0.9), ("RAIL", -0.1)):
        capsys.readouterr()
        assert main(["explain", str(path), "--route", route]) == 0
        text = " ".join(capsys.readouterr().out.split())
        assert f"plus tolls of {share * toll:,.2f} (Policies row 2 (P):" in text
        assert "shipped, which share rules bound" not in text


def test_a_floors_toll_is_said_as_a_credit(tmp_path):
    # ROAD at least 50 of the 100 t: 50 / 50, ln 1 = 0.1 (20 - s - 10) -> the floor credits ROAD s = 10 USD/t
    # (the Routes sheet's tolls -10). The Bottlenecks sheet said 'a tonne through it pays a toll of 10.00 USD/t
    # ... sends the cargo it cannot take to other routes', the opposite of what a floor does
    rule = {"rule": "P", "kind": "min_t", "scope": "route", "target": "ROAD", "value": 50}
    _, out, _ = solve(tmp_path, case(10.0, Policies=[rule]))
    sheets = read_results(out)
    assert by_route(sheets["Routes"]).loc["ROAD", "tolls_usd_per_t"] == pytest.approx(-10, abs=1e-6)
    words = sheets["Bottlenecks"].iloc[0]["in_words"]
    assert "is credited 10.00 USD/t in generalised cost" in words and "pays a toll" not in words


def test_the_console_gives_a_floors_toll_as_negative(tmp_path, capsys):
    # ROAD at least 50 of 100 t: the floor credits ROAD 10 USD/t (tolls -10 on the Routes sheet); the console's
    # 'toll USD/t' column said 10.00, a charge
    rule = {"rule": "P", "kind": "min_t", "scope": "route", "target": "ROAD", "value": 50}
    _, _, text = solve(tmp_path, case(10.0, Policies=[rule]), capsys)
    line = next(x for x in text.splitlines() if x.startswith("P ROAD"))
    assert line.split()[4] == "-10.00", line
