"""Seasons (model.lp.families.seasons): a pass closed in winter changes the optimum, worked out by
hand; with seasons but no seasonal rows the optimum is the annual model's; bad Seasons input is one
clear error each; the assembled LP is the Pyomo statement's."""

from __future__ import annotations

import pytest
from cases import transport_case, write_case
from lpforms import assert_identical, canonical, random_case

from model import pipeline
from model.errors import InputError
from model.lp.assemble import build_lp
from model.lp.statement.compile import build_and_compile
from model.pipeline import load as load_plan

HALVES = [{"season": "summer", "share": 0.5, "months": "Apr-Sep"}, {"season": "winter", "share": 0.5}]


def two_seasons(winter_rail_t: float, **extra):
    """transport_case (100 t of coal A -> M; RAIL A>M 2 USD/t, ROAD A>R>M 5 USD/t) with the rail leg's
    capacity 200 t/yr, summer and winter half a year each, and the rail leg's winter capacity given."""
    return transport_case(**{"Seasons": HALVES, "Capacities": [
        {"element": "A>M", "capacity_t": 200},
        {"element": "A>M", "season": "winter", "capacity_t": winter_rail_t}], **extra})


def test_a_pass_closed_in_winter_changes_the_optimum(tmp_path):
    # Annual model: all 100 t by RAIL (2 < 5), cost 200 USD. With the rail leg closed in winter:
    # each season's demand is 100 x 0.5 = 50 t (no seasonal Demand row); summer RAIL capacity is
    # 200 x 0.5 = 100 >= 50, so summer's 50 t go by RAIL; winter's 50 t can only go by ROAD.
    # Cost 50 x 2 + 50 x 5 = 350 USD; the year's flows RAIL 50, ROAD 50.
    annual = pipeline.run(write_case(tmp_path / "annual", transport_case(
        Capacities=[{"element": "A>M", "capacity_t": 200}])))
    assert annual.solution.objective_usd == pytest.approx(200)
    run = pipeline.run(write_case(tmp_path, two_seasons(0)))
    sol = run.solution.view()
    assert sol.objective_usd == pytest.approx(350)
    assert sol.value("Flow", ("coal", "RAIL")) == pytest.approx(50)
    assert sol.value("Flow", ("coal", "ROAD")) == pytest.approx(50)
    assert sol.value("SeasonFlow", ("coal", "RAIL", "summer")) == pytest.approx(50)
    assert sol.value("SeasonFlow", ("coal", "ROAD", "winter")) == pytest.approx(50)
    assert sol.value("SeasonFlow", ("coal", "RAIL", "winter")) == pytest.approx(0)
    # One more tonne of demand a year: half in summer by RAIL (2), half in winter by ROAD (5): 3.5 USD
    # (2 in the annual model). The seasonal demand rows share the value with the annual row: the Demand
    # sheet adds them up.
    assert annual.results.demand["marginal_cost_usd_per_t"].iloc[0] == pytest.approx(2)
    assert run.results.demand["marginal_cost_usd_per_t"].iloc[0] == pytest.approx(3.5)
    # its range is the seasons' rows', not the annual row's alone: left blank rather than given wrong
    assert run.results.demand[["valid_from_t", "valid_to_t"]].isna().all(axis=None)


def test_the_winter_capacity_has_the_shadow_price_of_the_detour(tmp_path):
    # Winter rail capacity 10 t: winter's 50 t go 10 by RAIL and 40 by ROAD; summer 50 by RAIL.
    # Cost (50 + 10) x 2 + 40 x 5 = 320 USD. One more tonne of winter rail capacity moves one winter
    # tonne from ROAD to RAIL: saves 5 - 2 = 3 USD (the row is not degenerate: RAIL carries 10 > 0 in
    # winter). The summer rail row (50 of 100) is slack: 0. On the Capacity sheet, the annual row (no
    # winter figure of its own: only summer is its default) is worth 0.5 x 0 = 0.
    sol = pipeline.run(write_case(tmp_path, two_seasons(10))).solution.view()
    assert sol.objective_usd == pytest.approx(320)
    winter_row = next(i for i in sol.duals["season_capacity"] if i[1] == "winter")
    summer_row = next(i for i in sol.duals["season_capacity"] if i[1] == "summer")
    assert sol.relaxation_value("season_capacity", winter_row) == pytest.approx(3)
    assert sol.relaxation_value("season_capacity", summer_row) == pytest.approx(0)
    assert sol.value("SeasonFlow", ("coal", "ROAD", "winter")) == pytest.approx(40)


def test_an_annual_capacity_keeps_its_value_when_seasons_state_it(tmp_path):
    # transport_case with the rail leg's capacity 60 t/yr. Annual model: RAIL 60, ROAD 40, cost 320; one
    # more tonne of rail capacity saves 5 - 2 = 3 USD. With two halves and no seasonal row: each season
    # RAIL 30 (60 x 0.5), ROAD 20, the same 320 USD; each season's row is worth 3 USD, and the annual
    # row (both seasons grow by 0.5) 0.5 x 3 + 0.5 x 3 = 3 USD, as in the annual model. Kept beside the
    # seasonal rows, the annual row shared its value with them at random (the Capacity sheet said 0).
    # An investment of 1 t adds 0.5 t in each season: its capacity value is 3 USD too.
    from cases import solved_and_checked

    caps = [{"element": "A>M", "capacity_t": 60}]
    options = [{"option": "MORE", "element": "A>M", "max_added_t": 0, "annualised_cost_usd_per_t": 1}]
    annual = pipeline.run(write_case(tmp_path / "a", transport_case(Capacities=caps, Investments=options)))
    run = solved_and_checked(tmp_path, transport_case(Capacities=caps, Seasons=HALVES, Investments=options))
    assert run.solution.objective_usd == pytest.approx(annual.solution.objective_usd) == pytest.approx(320)
    for res in (annual.results, run.results):
        assert res.capacity.set_index("element").loc["A>M", "shadow_price_usd_per_t"] == pytest.approx(3)
        assert res.investments.set_index("option").loc["MORE", "capacity_value_usd_per_t"] == pytest.approx(3)
    caps_by_season = run.results.seasons[run.results.seasons["what"] == "capacity"].set_index("season")
    assert caps_by_season["shadow_price_usd_per_t"].to_dict() == {"summer": pytest.approx(3),
                                                                  "winter": pytest.approx(3)}


def test_a_harvest_peak_in_summer_moves_tonnes_to_the_open_season(tmp_path):
    # Summer demand 80 of the year's 100 (the winter gets the rest, 20, as the only season without a
    # row). Rail closed in winter: summer 80 by RAIL (80 <= 100, summer's capacity), winter 20 by ROAD.
    # Cost 80 x 2 + 20 x 5 = 260 USD.
    case = two_seasons(0)
    case["Demand"] = [{"commodity": "coal", "market": "M", "demand_t": 100},
                      {"commodity": "coal", "market": "M", "season": "summer", "demand_t": 80}]
    sol = pipeline.run(write_case(tmp_path, case)).solution.view()
    assert sol.objective_usd == pytest.approx(260)
    assert sol.value("SeasonFlow", ("coal", "ROAD", "winter")) == pytest.approx(20)


@pytest.mark.heavy  # nine random cases solved
@pytest.mark.parametrize("seed", range(3))
def test_seasons_without_seasonal_rows_give_the_annual_optimum(tmp_path, seed):
    # Every annual solution split by the shares meets the seasonal rows (each is the annual row x
    # share), and the seasonal rows summed imply the annual ones: the same optimum, on random cases.
    (tmp_path / "a").mkdir()
    (tmp_path / "s").mkdir()
    annual = pipeline.run(random_case(tmp_path / "a", seed, seasons=False))
    seasonal = pipeline.run(random_case(tmp_path / "s", seed, seasons=True, seasonal_rows=False))
    assert seasonal.plan.cases[0].net.seasons is not None  # the seasonal rows are there, and hold
    assert seasonal.solution.objective_usd == pytest.approx(annual.solution.objective_usd, rel=1e-7)
    # and with the seasonal rows of random_case (a winter capacity tightened, a summer-only leg limit,
    # a summer demand peak) the optimum can only be dearer
    (tmp_path / "r").mkdir()
    tighter = pipeline.run(random_case(tmp_path / "r", seed, seasons=True))
    assert tighter.solution.objective_usd >= annual.solution.objective_usd * (1 - 1e-9)


def _error(tmp_path, tables) -> str:
    with pytest.raises(InputError) as e:
        pipeline.run(write_case(tmp_path, tables))
    assert len(e.value.problems) == 1, e.value.problems  # one clear error, not a cascade
    return str(e.value)


def test_shares_that_do_not_sum_to_one_are_refused(tmp_path):
    text = _error(tmp_path, two_seasons(0, Seasons=[{"season": "summer", "share": 0.5},
                                                    {"season": "winter", "share": 0.4}]))
    assert "Seasons" in text and "sum to 0.9, expected 1" in text


def test_an_unknown_season_is_refused(tmp_path):
    case = two_seasons(0)
    case["Capacities"][1]["season"] = "wintr"
    text = _error(tmp_path, case)
    assert "Capacities" in text and "wintr" in text and "winter" in text


def test_seasonal_demand_above_the_annual_is_refused(tmp_path):
    case = two_seasons(0)
    case["Demand"] = [{"commodity": "coal", "market": "M", "demand_t": 100},
                      {"commodity": "coal", "market": "M", "season": "summer", "demand_t": 120}]
    text = _error(tmp_path, case)
    assert "Demand" in text and "sum to 120 t" in text and "annual figure is 100 t" in text


def test_seasonal_demand_without_an_annual_row_is_refused(tmp_path):
    case = two_seasons(0)
    case["Demand"] = [{"commodity": "coal", "market": "M", "season": "summer", "demand_t": 50}]
    text = _error(tmp_path, case)
    assert "no annual Demand row" in text


@pytest.mark.parametrize("seed", range(2))
def test_identical_lp_with_seasons(tmp_path, seed):
    plan, _ = load_plan(random_case(tmp_path, seed, seasons=True))
    assert plan.cases[0].net.seasons is not None
    assert_identical(canonical(*build_lp(plan)), canonical(*build_and_compile(plan)))


@pytest.mark.heavy  # a robust plan of years with seasons, stated in Pyomo
def test_identical_lp_with_seasons_in_a_robust_plan_of_years(tmp_path):
    plan, _ = load_plan(random_case(tmp_path, 1, years=True, scenarios=True, seasons=True), robust="dear,tight")
    assert plan.multi_year and plan.robust and all(c.net.seasons is not None for c in plan.cases)
    assert_identical(canonical(*build_lp(plan)), canonical(*build_and_compile(plan)))


def test_a_scenario_names_a_seasonal_capacity_by_its_season(tmp_path):
    # "A>M,,winter" (element, cargo_class, season) is the winter row: opened to 100 t, winter's 50 t go
    # by RAIL too, cost 100 x 2 = 200 USD. "A>M" without a season is the annual row alone, as before
    # seasons: halved to 100 t, summer's 100 x 0.5 = 50 t still carry summer's 50 t, cost 350 as closed.
    case = two_seasons(0, Scenarios=[
        {"scenario": "open_winter", "sheet": "Capacities", "key": "A>M,,winter", "column": "capacity_t",
         "value": 100},
        {"scenario": "half", "sheet": "Capacities", "key": "A>M", "column": "capacity_t", "multiplier": 0.5}])
    path = write_case(tmp_path, case)
    assert pipeline.run(path, scenario="open_winter").solution.objective_usd == pytest.approx(200)
    half = pipeline.run(path, scenario="half")
    assert half.solution.objective_usd == pytest.approx(350)
    assert any("half: Capacities[A>M].capacity_t x 0.5 (1 row)" in o for o in half.plan.data.overrides)


def test_a_plan_of_years_with_seasons(tmp_path):
    # Two years, each with the two seasons; in 2030 the winter rail row (year 2030) is 20 t. 2025: as
    # closed, 350 USD; 2030: winter 20 by RAIL and 30 by ROAD, summer 50 by RAIL: 70 x 2 + 30 x 5 = 290.
    # Weight 1 each, no discount: 640 USD.
    case = two_seasons(0, Periods=[{"year": 2025}, {"year": 2030}])
    case["Capacities"].append({"element": "A>M", "season": "winter", "year": 2030, "capacity_t": 20})
    from cases import solved_and_checked

    run = solved_and_checked(tmp_path, case)  # corridor check recomputes each year's seasonal rows too
    assert run.solution.objective_usd == pytest.approx(640)
    seasons = run.results.seasons
    winter = seasons[(seasons["what"] == "flow") & (seasons["season"] == "winter") & (seasons["route"] == "RAIL")]
    assert dict(zip(winter["year"], winter["tonnes_t"], strict=True)) == {2030: pytest.approx(20)}


def test_the_seasons_sheet_and_check_recompute_the_seasonal_rows(tmp_path):
    # The closed pass of the first test: the Seasons sheet gives the winter rail row used 0 of 0 t,
    # the summer one 50 of 100 t (slack 50), and the seasons' tonnes (summer RAIL 50, winter ROAD 50);
    # corridor check recomputes each seasonal row from them (solved_and_checked asserts it finds nothing).
    from cases import solved_and_checked

    run = solved_and_checked(tmp_path, two_seasons(0))
    sheet = run.results.sheets()["Seasons"]
    caps = sheet[sheet["what"] == "capacity"].set_index("season")
    assert caps.loc["summer", ["tonnes_t", "capacity_t", "slack_t"]].tolist() == pytest.approx([50, 100, 50])
    assert caps.loc["winter", ["tonnes_t", "capacity_t", "slack_t"]].tolist() == pytest.approx([0, 0, 0])
    flows = sheet[sheet["what"] == "flow"]
    assert sorted(zip(flows["season"], flows["route"], flows["tonnes_t"], strict=True)) == [
        ("summer", "RAIL", pytest.approx(50)), ("winter", "ROAD", pytest.approx(50))]


def test_check_finds_a_closed_pass_used_in_winter(tmp_path):
    # A result whose Seasons sheet sends winter's 50 t by RAIL (closed in winter): the annual rows all
    # hold, only the seasonal capacity row is broken, and check must say so (the seasons' tonnes per
    # route no longer add to the Flows sheet's either).
    import dataclasses

    from model.commands.check import check_result
    from model.report.workbook import write_results

    case = write_case(tmp_path, two_seasons(0))
    run = pipeline.run(case)
    seasons = run.results.seasons.copy()
    seasons.loc[(seasons["what"] == "flow") & (seasons["season"] == "winter"), "route"] = "RAIL"
    out = write_results(dataclasses.replace(run.results, seasons=seasons), tmp_path / "result.xlsx",
                        input_path=case)
    violations = check_result(case, out)[0]
    assert any("Capacities row 3 (A>M) in season winter: 50.0 t > capacity 0" in v for v in violations), violations


def test_the_console_and_the_brief_say_the_pass_is_closed_in_winter(tmp_path):
    # The shadow price case (winter rail 10 t, saves 3 USD/t) and the closed case (0 t in winter: its
    # dual is degenerate, any value of at least 3 USD/t, so only "closed" is asserted).
    from model.report.console import solve_text
    from model.results.brief import brief_of

    run = pipeline.run(write_case(tmp_path / "a", two_seasons(10)))
    line = "Seasons: A>M: full in winter (a tonne more then would save 3.00 USD)"
    assert line in solve_text(run.results).splitlines()
    assert line in brief_of(run.results.sheets()).headline
    closed = pipeline.run(write_case(tmp_path / "b", two_seasons(0)))
    assert "Seasons: A>M: closed in winter" in solve_text(closed.results)
    # A limit full in both seasons at one value is one entry (rail 60 t/yr, two halves: 3 USD each,
    # test_an_annual_capacity_keeps_its_value_when_seasons_state_it).
    both = pipeline.run(write_case(tmp_path / "c", transport_case(
        Capacities=[{"element": "A>M", "capacity_t": 60}], Seasons=HALVES)))
    assert "Seasons: A>M: full in summer and winter (a tonne more then would save 3.00 USD)" in \
        solve_text(both.results).splitlines()


def test_a_misnamed_seasons_sheet_is_an_error_not_an_annual_model(tmp_path):
    # A sheet 'Season' beside seasonal Capacities rows: ignored with a warning, the season column would
    # name a season of no sheet (an error anyway); without seasonal rows the model would silently be
    # annual. The name close to a missing sheet that shapes the solve is an error of its own.
    case = transport_case(Season=HALVES)
    text = _error(tmp_path, case)
    assert "sheet 'Season' is not a sheet of the model" in text and "Rename the sheet to 'Seasons'" in text


def test_a_closed_pass_that_leaves_no_way_is_named_in_the_infeasibility(tmp_path):
    # Both routes closed in winter (the rail leg and the road's A>R leg), demand hard: winter's 50 t
    # cannot move. The explanation names a seasonal row of the Capacities sheet.
    case = two_seasons(0)
    case["Capacities"].append({"element": "A>R", "season": "winter", "capacity_t": 0})
    from model.errors import NoSolutionError

    with pytest.raises(NoSolutionError) as e:
        pipeline.run(write_case(tmp_path, case))
    assert "Capacities row 3: A>M is closed in season winter" in str(e.value)
    assert "Capacities row 4: A>R is closed in season winter" in str(e.value)


def test_an_empty_seasons_sheet_is_the_annual_model(tmp_path):
    # A Seasons sheet with its header and no rows (as corridor template writes it): the LP is the annual
    # one, column for column and row for row, and it has no seasonal column or row.
    annual_case = transport_case(Capacities=[{"element": "A>M", "capacity_t": 200}])
    plan_a, _ = load_plan(write_case(tmp_path / "a", annual_case, xlsx=False))
    (tmp_path / "b").mkdir()
    empty = write_case(tmp_path / "b", annual_case, xlsx=True)  # the workbook has every sheet, Seasons empty
    plan_b, _ = load_plan(empty)
    assert plan_b.cases[0].net.seasons is None
    a, b = canonical(*build_lp(plan_a)), canonical(*build_lp(plan_b))
    assert_identical(a, b)
    assert not any(k.family.startswith("Season") for k in a[0]) and not any(k[0].startswith("season") for k in a[1])


def test_seasons_in_a_workbook(tmp_path):
    # The closed pass of the first test, read from a workbook rather than CSV files: the same 350 USD.
    (tmp_path / "w").mkdir()
    assert pipeline.run(write_case(tmp_path / "w", two_seasons(0), xlsx=True)).solution.objective_usd == \
        pytest.approx(350)


def test_check_says_what_it_cannot_check_without_the_seasons_sheet(tmp_path):
    # A result with seasons whose Seasons sheet was deleted, or whose 'what' header was renamed: named,
    # never a traceback and never a silent pass.
    import dataclasses

    from model.commands.check import check_result
    from model.report.workbook import write_results

    case = write_case(tmp_path, two_seasons(0))
    run = pipeline.run(case)
    gone = write_results(dataclasses.replace(run.results, seasons=run.results.seasons.iloc[0:0]),
                         tmp_path / "gone.xlsx", input_path=case)
    violations = check_result(case, gone)[0]
    assert any("the Seasons sheet is missing: the seasonal capacities and demands" in v for v in violations)
    renamed = write_results(dataclasses.replace(run.results, seasons=run.results.seasons.rename(
        columns={"what": "kind"})), tmp_path / "renamed.xlsx", input_path=case)
    with pytest.raises(InputError) as e:
        check_result(case, renamed)
    assert "Seasons" in str(e.value) and "'what'" in str(e.value) and "missing" in str(e.value)


@pytest.mark.parametrize("winter_t, usd", [(0, 350), (20, 290), (50, 200), (80, 200)])
def test_a_sweep_of_the_winter_capacity_edits_the_seasonal_row_in_place(tmp_path, winter_t, usd):
    # Capacities[A>M,,winter] is the winter row alone (A>M is the annual row). With w t of winter rail
    # capacity (w <= 50, winter's demand): winter w by RAIL and 50 - w by ROAD, summer 50 by RAIL:
    # 100 + 2w + 5(50 - w) = 350 - 3w USD; from w = 50 on, all by RAIL: 200 USD.
    from model.analysis.params import find_cells
    from model.lp.live import LiveModel
    from model.lp.solve import solve_plan
    from model.pipeline import load_one_year
    from model.plan import Plan

    data, net, _ = load_one_year(write_case(tmp_path, two_seasons(10)))
    cells = find_cells("Capacities[A>M,,winter].capacity_t", data)
    assert [c.row for c in cells] == [3] and [c.row for c in find_cells("Capacities[A>M].capacity_t", data)] == [2]
    live = LiveModel(data, net, solve_plan(Plan.of_one(data, net)))
    assert live.solve_point({cells[0]: float(winter_t)}).objective_usd == pytest.approx(usd)


def test_a_wrong_seasonal_membership_in_the_network_fails_the_identity(tmp_path, monkeypatch):
    # The Pyomo statement works out the flows through a seasonal limit from the sheets (Tables): one flow
    # left out of one seasonal row by the Network makes the two LPs differ at that row.
    from model.network import Network

    plan, _ = load_plan(random_case(tmp_path, 1, seasons=True))
    net = plan.cases[0].net
    original = Network.throughput_index
    lim = next(x for x, (idx, _) in zip(net.seasons.limits, original(net, net.seasons.limits), strict=True)
               if len(idx) > 1)

    def throughput_index(self, limits):
        out = original(self, limits)
        return [(idx[1:], n[1:]) if self is net and x is lim else (idx, n)
                for x, (idx, n) in zip(limits, out, strict=True)]

    monkeypatch.setattr(Network, "throughput_index", throughput_index)
    with pytest.raises(AssertionError) as caught:
        assert_identical(canonical(*build_lp(plan)), canonical(*build_and_compile(plan)))
    assert "'season_capacity'" in str(caught.value) and repr((lim.row, lim.season)) in str(caught.value)


def test_a_scenario_closing_a_crossing_for_the_whole_year_names_every_season(tmp_path):
    # "A>M,,*" is the annual row and the winter row: both 0, RAIL is closed all year and all 100 t go by
    # ROAD: 500 USD. "A>M" alone (the annual row) leaves the winter row as it is (0 here) and closes summer.
    case = two_seasons(0, Scenarios=[
        {"scenario": "closed", "sheet": "Capacities", "key": "A>M,,*", "column": "capacity_t", "value": 0}])
    run = pipeline.run(write_case(tmp_path, case), scenario="closed")
    assert run.solution.objective_usd == pytest.approx(500)
    assert any("(2 rows)" in o for o in run.plan.data.overrides)


def test_an_unused_route_keeps_its_reduced_cost_and_its_explanation_with_seasons(tmp_path):
    # ROAD (5 USD/t) is unused beside RAIL (2): 3 USD/t too expensive, in the annual model and with two
    # seasons. Its Flow column and its seasons' columns come into use together (season_split), so the
    # route's reduced cost is their sum; HiGHS may leave all of it on a season's column (the Routes
    # sheet then said 0, and explain that the split row 'credits' the route).
    from model.analysis.explain import explain_route

    for folder, case in (("a", transport_case()), ("s", transport_case(Seasons=HALVES))):
        run = pipeline.run(write_case(tmp_path / folder, case))
        road = run.results.routes.set_index("route").loc["ROAD"]
        assert road["reduced_cost_usd_per_t"] == pytest.approx(3)
        assert road["break_even_cost_usd_per_t"] == pytest.approx(2)
        text = " ".join(explain_route(run, "ROAD"))
        assert "So it is 3.00 USD/t too expensive" in text and "seasons' tonnes" not in text, text


def test_a_capacity_full_in_its_open_season_is_binding_on_the_capacity_sheet(tmp_path):
    # The rail leg: 100 t/yr, closed in winter. Summer is half the year: it allows 100 x 0.5 = 50 t, and summer's
    # 50 t of demand fill it (RAIL 2 < ROAD 5); winter's 50 t go by ROAD. Over the year RAIL carries 50 t of the
    # 100 t the annual row states, but every tonne its seasons allow: utilisation 50/50 = 1, binding. (Read
    # against the annual figure it said 50%, not binding, and gave a range from 50 t up that a sweep disproves:
    # more annual capacity raises summer's room too.) Its range is its seasons' rows', left blank.
    run = pipeline.run(write_case(tmp_path, transport_case(**{"Seasons": HALVES, "Capacities": [
        {"element": "A>M", "capacity_t": 100}, {"element": "A>M", "season": "winter", "capacity_t": 0}]})))
    assert run.solution.objective_usd == pytest.approx(50 * 2 + 50 * 5)
    cap = run.results.capacity.set_index("element").loc["A>M"]
    assert cap["used_t"] == pytest.approx(50) and cap["utilisation"] == pytest.approx(1.0) and cap["binding"]
    assert cap[["valid_from_t", "valid_to_t"]].isna().all()
