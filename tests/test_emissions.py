"""Emissions worked out by hand: the CO2e of a tonne (legs and node passes, the mode defaults where a
leg gives none), the carbon price as a cost part that moves cargo at its break-even price, a binding
max_co2_t cap and its dual, the live model on every emissions cell, validation, and corridor check
catching a tampered CO2e."""

from __future__ import annotations

import pandas as pd
import pytest
from cases import nodes, solved_and_checked, write_case
from lpforms import assert_identical, canonical

from model import pipeline
from model.analysis.check import check_results
from model.analysis.explain import explain_route
from model.analysis.params import find_cells, with_values
from model.commands.check import check_result
from model.errors import InputError, NoSolutionError
from model.lp.assemble import build_lp
from model.lp.live import LiveModel, Structural
from model.lp.statement.compile import build_and_compile
from model.network.build import build_network
from model.network.emissions import DEFAULT_CO2E_G_PER_TKM
from model.pipeline import load, load_one_year
from model.plan import Plan
from model.report.workbook import write_results
from model.results.summary import CO2E_LABEL


def two_routes(**overrides) -> dict[str, list[dict]]:
    """100 t of coal A -> M. ROAD: A>M, 100 km by road at 100 g CO2e/tkm, 2 USD/t: 0.01 t CO2e a tonne.
    RAIL: A>R>M, 300 + 200 km by rail at 10 g/tkm, 3 + 2 USD/t: 0.005 t CO2e a tonne."""
    tables = {
        "Countries": [{"country": "XX"}],
        "Nodes": nodes(("A", "origin"), ("R", "hub"), ("M", "market")),
        "Legs": [{"from": "A", "to": "M", "mode": "road", "distance_km": 100, "co2_g_per_tkm": 100,
                  "cost_usd_per_t": 2, "transit_days": 1},
                 {"from": "A", "to": "R", "mode": "rail", "distance_km": 300, "co2_g_per_tkm": 10,
                  "cost_usd_per_t": 3, "transit_days": 1},
                 {"from": "R", "to": "M", "mode": "rail", "distance_km": 200, "co2_g_per_tkm": 10,
                  "cost_usd_per_t": 2, "transit_days": 1}],
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk"}],
        "Routes": [{"route": "ROAD", "corridor": "Road", "path": "A>M"},
                   {"route": "RAIL", "corridor": "Rail", "path": "A>R>M"}],
        "Demand": [{"commodity": "coal", "market": "M", "demand_t": 100}],
    }
    tables.update(overrides)
    return tables


CAP = [{"rule": "CAP", "kind": "max_co2_t", "scope": "country", "target": "XX", "value": 0.7}]


solve = solved_and_checked  # solve, write the result workbook, and check it independently


def tonnes(run, route):
    f = run.results.flows
    return float(f.loc[f["route"] == route, "tonnes_t"].sum())


@pytest.mark.parametrize("price, road_t, objective, carbon", [
    # Break-even: 2 + 0.01 p = 5 + 0.005 p at p = 3 / 0.005 = 600 USD per t CO2e.
    # At 599 all by road: 100 * (2 + 0.01 * 599) = 799 USD, of which carbon 100 * 5.99 = 599.
    (599, 100, 799, 599),
    # At 601 all by rail: 100 * (5 + 0.005 * 601) = 800.5 USD, of which carbon 100 * 3.005 = 300.5.
    (601, 0, 800.5, 300.5),
])
def test_a_carbon_price_moves_cargo_at_its_break_even(tmp_path, price, road_t, objective, carbon):
    run = solve(tmp_path, two_routes(), {"carbon_price_usd_per_t_co2": price})
    assert tonnes(run, "ROAD") == pytest.approx(road_t)
    assert run.solution.objective_usd == pytest.approx(objective)
    s = run.results.summary
    assert s.parts_usd["carbon"] == pytest.approx(carbon)
    # CO2e: 100 t x 0.01 = 1 t by road, 100 t x 0.005 = 0.5 t by rail; 10 or 5 kg a tonne.
    assert s.co2e_t == pytest.approx(1.0 if road_t else 0.5)
    assert s.co2e_kg_per_t == pytest.approx(10.0 if road_t else 5.0)
    routes = run.results.routes.set_index("route")
    assert routes.loc["ROAD", "carbon_usd_per_t"] == pytest.approx(0.01 * price)
    assert routes.loc["RAIL", "co2e_kg_per_t"] == pytest.approx(5.0)


def test_the_break_even_carbon_price_is_an_exact_breakpoint(tmp_path):
    # The cost is piecewise linear in the price: slope 100 t x 0.01 = 1 t CO2e up to 600 (all by road),
    # 100 x 0.005 = 0.5 above (all by rail); one breakpoint, at 600 USD per t CO2e, cost 800 there.
    from model.analysis.parametric import exact_sweep
    from model.analysis.sweep import live_model, make_sweep

    case = write_case(tmp_path, two_routes())
    data, _, _ = load_one_year(case)
    sweep = make_sweep(case, data, ["Settings[carbon_price_usd_per_t_co2].value=0:1000"], True)
    ex = exact_sweep(live_model(case), sweep)
    inner = ex.breakpoints[ex.breakpoints["breakpoint"] & (ex.breakpoints["value"] > 0)
                           & (ex.breakpoints["value"] < 1000)]
    assert list(inner["value"]) == pytest.approx([600])
    assert list(inner["objective_usd"]) == pytest.approx([800])


def test_a_binding_co2e_cap_and_its_dual(tmp_path):
    # At most 0.7 t CO2e through country XX (every route): road r, rail 100 - r,
    # 0.01 r + 0.005 (100 - r) <= 0.7 -> r <= 40. Road 40 t, rail 60 t: 40 * 2 + 60 * 5 = 380 USD.
    # One more t CO2e lets 1 / (0.01 - 0.005) = 200 t move from rail to road at 5 - 2 = 3 USD/t
    # cheaper: 600 USD per t CO2e (the break-even carbon price above), for up to the 60 t still on
    # rail: 60 * 0.005 = 0.3 t CO2e. A tonne more demand costs 2 + 0.01 * 600 = 5 + 0.005 * 600 = 8 USD.
    run = solve(tmp_path, two_routes(Policies=CAP))
    assert run.solution.objective_usd == pytest.approx(380)
    assert (tonnes(run, "ROAD"), tonnes(run, "RAIL")) == pytest.approx((40, 60))
    pol = run.results.policies.iloc[0]
    assert pol["measured_in"] == "t CO2e/yr" and pol["binding"]
    assert pol["co2e_t"] == pytest.approx(0.7) and pol["shipped_t"] == pytest.approx(100)
    assert pol["saving_usd_per_t"] == pytest.approx(600)
    assert pol["valid_for_more_t"] == pytest.approx(0.3)
    assert run.results.demand.iloc[0]["marginal_cost_usd_per_t"] == pytest.approx(8)
    b = run.results.bottlenecks.iloc[0]
    assert b["unit"] == "t CO2e/yr" and "allowing one more tonne of CO2e saves 600.00 USD" in b["in_words"]


def test_both_builders_state_the_co2e_cap_alike(tmp_path):
    plan, _ = load(write_case(tmp_path, two_routes(Policies=CAP), {"carbon_price_usd_per_t_co2": 40}))
    fast, pyomo = canonical(*build_lp(plan)), canonical(*build_and_compile(plan))
    assert_identical(fast, pyomo)
    _, rows = fast
    _, low, up, entries = rows[("policy_limit", ("CAP", "XX"), None)]
    assert up == pytest.approx(0.7)
    assert entries == pytest.approx({("Flow", ("coal", "ROAD"), None): 0.01, ("Flow", ("coal", "RAIL"), None): 0.005})
    assert pipeline.run(plan.data.source, builder="pyomo").solution.objective_usd == pytest.approx(
        pipeline.run(plan.data.source).solution.objective_usd)


@pytest.mark.slow
def test_default_intensities_by_mode_where_a_leg_gives_none(tmp_path):
    # A > B > C > D > E > M, 100 km each by rail, road, sea, pipeline and ferry, no co2_g_per_tkm:
    # 100 x (36.9 + 102.7 + 6.25 + 11.8 + 124.8) / 1e6 = 0.028245 t CO2e a tonne = 28.245 kg/t.
    # With the ferry's own 20 g/tkm instead: 100 x (36.9 + 102.7 + 6.25 + 11.8 + 20) / 1e6 = 17.765 kg/t.
    modes = ["rail", "road", "sea", "pipeline", "ferry"]
    stops = ["A", "B", "C", "D", "E", "M"]
    legs = [{"from": a, "to": b, "mode": m, "distance_km": 100, "cost_usd_per_t": 1, "transit_days": 0}
            for a, b, m in zip(stops, stops[1:], modes, strict=False)]
    tables = {"Nodes": nodes(("A", "origin"), *[(n, "hub") for n in "BCDE"], ("M", "market")), "Legs": legs,
              "Commodities": [{"commodity": "ore", "cargo_class": "dry_bulk"}],
              "Routes": [{"route": "R1", "corridor": "C", "path": ">".join(stops)}],
              "Demand": [{"commodity": "ore", "market": "M", "demand_t": 10}]}
    assert [DEFAULT_CO2E_G_PER_TKM[m] for m in modes] == [36.9, 102.7, 6.25, 11.8, 124.8]
    run = solve(tmp_path / "defaults", tables)
    assert run.results.flows.iloc[0]["co2e_kg_per_t"] == pytest.approx(28.245)
    assert run.results.summary.co2e_t == pytest.approx(0.28245)
    legs[-1]["co2_g_per_tkm"] = 20
    run = solve(tmp_path / "own", tables)
    assert run.results.flows.iloc[0]["co2e_kg_per_t"] == pytest.approx(17.765)


def test_handling_co2e_counts_at_each_pass_of_a_node(tmp_path):
    # A (0.5 kg/t) > H (2) > B (0) > H > M (1): 0.5 + 2 + 0 + 2 + 1 = 5.5 kg a tonne at the nodes, H twice;
    # four legs of 100 km at 1 g/tkm: 4 x 100 x 1 g = 0.4 kg. 5.9 kg/t; 10 t emit 59 kg = 0.059 t.
    tables = {"Nodes": nodes(("A", "origin", {"co2_kg_per_t": 0.5}), ("H", "hub", {"co2_kg_per_t": 2}),
                             ("B", "hub"), ("M", "market", {"co2_kg_per_t": 1})),
              "Legs": [{"from": a, "to": b, "mode": "rail", "distance_km": 100, "co2_g_per_tkm": 1,
                        "cost_usd_per_t": 1, "transit_days": 0} for a, b in (("A", "H"), ("H", "B"), ("B", "H"),
                                                                              ("H", "M"))],
              "Commodities": [{"commodity": "ore", "cargo_class": "dry_bulk"}],
              "Routes": [{"route": "LOOP", "corridor": "C", "path": "A>H>B>H>M"}],
              "Demand": [{"commodity": "ore", "market": "M", "demand_t": 10}]}
    run = solve(tmp_path, tables)
    assert run.results.flows.iloc[0]["co2e_kg_per_t"] == pytest.approx(5.9)
    assert run.results.summary.co2e_t == pytest.approx(0.059)
    em = run.results.emissions.set_index(["by", "code"])
    assert em.loc[("route", "LOOP"), "co2e_kg_per_t"] == pytest.approx(5.9)
    assert em.loc[("total", "all cargo"), "co2e_t"] == pytest.approx(0.059)


def test_the_emissions_sheet_adds_up_by_corridor_country_and_commodity(tmp_path):
    # Capped case: road 40 t x 0.01 = 0.4 t CO2e, rail 60 t x 0.005 = 0.3 t; total 0.7 t, 7 kg/t.
    run = solve(tmp_path, two_routes(Policies=CAP))
    em = run.results.emissions.set_index(["by", "name"])
    assert em.loc[("corridor", "Road"), "co2e_t"] == pytest.approx(0.4)
    assert em.loc[("corridor", "Rail"), "co2e_t"] == pytest.approx(0.3)
    assert em.loc[("corridor", "Road"), "share_of_co2e"] == pytest.approx(0.4 / 0.7)
    assert em.loc[("country", "XX"), "co2e_t"] == pytest.approx(0.7)
    assert em.loc[("commodity", "coal"), "co2e_kg_per_t"] == pytest.approx(7.0)
    assert list(em.index.get_level_values("by").unique()) == ["total", "corridor", "country", "commodity", "route"]


def test_check_recomputes_co2e_and_catches_a_tampered_one(tmp_path):
    run = solve(tmp_path, two_routes(Policies=CAP), {"carbon_price_usd_per_t_co2": 100})
    assert check_results(run.data, run.results.sheets()) == []
    for sheet, column, what in (("Flows", "co2e_t", "CO2e"), ("Flows", "co2e_kg_per_t", "CO2e"),
                                ("Flows", "carbon_usd_per_t", "carbon"), ("Emissions", "co2e_t", "Emissions")):
        sheets = {k: v.copy() for k, v in run.results.sheets().items()}
        sheets[sheet].loc[0, column] += 0.05
        found = check_results(run.data, sheets)
        assert any(what in v for v in found), (sheet, column, found)
    sheets = {k: v.copy() for k, v in run.results.sheets().items()}
    summary = sheets["Summary"]
    summary.loc[summary["item"] == CO2E_LABEL, "value"] = 0.5
    assert any(v.startswith(f"Summary: {CO2E_LABEL}") for v in check_results(run.data, sheets))
    # Rail flows moved onto the road: the cap no longer holds, and check says so in t CO2e.
    sheets = {k: v.copy() for k, v in run.results.sheets().items()}
    f = sheets["Flows"]
    f["tonnes_t"] = [100.0 if r == "ROAD" else 0.0 for r in f["route"]]
    assert any("t CO2e against the cap 0.7" in v for v in check_results(run.data, sheets))


def test_the_live_model_follows_every_emissions_cell(tmp_path):
    # The capped case with a price of 40, edited cell by cell, is the LP a fresh build of the edited data
    # gives, and solves to the hand-worked optimum. Road at 50 km emits 0.005 t a tonne, as rail does:
    # the cap (0.5 t at most) no longer binds and all goes by road at 2 + 40 * 0.005 = 2.2: 220 USD.
    case = write_case(tmp_path, two_routes(Policies=CAP), {"carbon_price_usd_per_t_co2": 40})
    data, net, _ = load_one_year(case)
    live = LiveModel(data, net, pipeline.solve(Plan.of_one(data, net)))
    for text, value in (("Legs[A>M].distance_km", 50.0), ("Legs[A>R].co2_g_per_tkm", 30.0),
                        ("Settings[carbon_price_usd_per_t_co2].value", 700.0), ("Policies[CAP].value", 0.9)):
        cell = find_cells(text, data)[0]
        live.apply({cell: value})
        fresh = with_values(data, {cell: value})
        assert_identical(canonical(live.h.getLp(), live.rows, live.columns),
                         canonical(*build_lp(Plan.of_one(fresh, build_network(fresh))))), text
    road = find_cells("Legs[A>M].distance_km", data)[0]
    assert live.solve_point({road: 50.0}).objective_usd == pytest.approx(220)
    assert live.solve_point({road: 50.0}).co2e_t == pytest.approx(0.5)
    # A leg without its own intensity is swept from its mode's default (rail, 36.9 g/tkm).
    tables = two_routes()
    tables["Legs"][1]["co2_g_per_tkm"] = None
    data, net, _ = load_one_year(write_case(tmp_path / "blank", tables, {"carbon_price_usd_per_t_co2": 40}))
    blank = find_cells("Legs[A>R].co2_g_per_tkm", data)[0]
    assert blank.base == pytest.approx(36.9)
    other = LiveModel(data, net, pipeline.solve(Plan.of_one(data, net)))
    other.apply({blank: 5.0})
    fresh = with_values(data, {blank: 5.0})
    assert_identical(canonical(other.h.getLp(), other.rows, other.columns),
                     canonical(*build_lp(Plan.of_one(fresh, build_network(fresh)))))
    with pytest.raises(Structural):  # distance x intensity of one leg: not the sum of the two changes
        live.apply({road: 50.0, find_cells("Legs[A>M].co2_g_per_tkm", data)[0]: 50.0})


def test_explain_shows_the_carbon_part_and_the_co2e(tmp_path):
    # Price 100: road 2 + 1 = 3 USD/t, rail 5 + 0.5 = 5.5: rail 2.50 USD/t too expensive.
    run = pipeline.run(write_case(tmp_path, two_routes(), {"carbon_price_usd_per_t_co2": 100}))
    (text,) = explain_route(run, "RAIL")
    assert "It costs 5.50 USD/t (transport 5.00, handling 0.00, time 0.00, risk 0.00, carbon 0.50), emitting " \
           "5.0 kg CO2e a tonne" in text
    assert "So it is 2.50 USD/t too expensive" in text


def test_an_impossible_co2e_cap_is_explained_in_the_workbook_rows(tmp_path):
    # All by rail still emits 100 x 0.005 = 0.5 t: a cap of 0.4 t cannot hold with the demand met.
    with pytest.raises(NoSolutionError) as exc:
        pipeline.run(write_case(tmp_path, two_routes(Policies=[{**CAP[0], "value": 0.4}])))
    text = str(exc.value)
    assert "Policies row 2 (CAP): at most 0.4 t CO2e a year from all cargo through country XX" in text
    assert "Demand row 2: 100 t of coal from any origin to M must be delivered" in text


def test_a_plan_reports_co2e_each_year(tmp_path):
    # 2026 without a cap: all by road, 1 t CO2e, 200 USD. 2030 with the cap of 0.7 t: 0.7 t, 380 USD.
    tables = two_routes(Policies=[{**CAP[0], "year": 2030}, {**CAP[0], "value": 1e6}],
                        Periods=[{"year": 2026}, {"year": 2030}])
    case = write_case(tmp_path, tables)
    run = pipeline.run(case)
    plan = run.results.plan["Plan"].set_index("year")
    assert plan["co2e_t"].to_dict() == pytest.approx({2026: 1.0, 2030: 0.7})
    assert plan["annual_cost_usd"].to_dict() == pytest.approx({2026: 200, 2030: 380})
    out = write_results(run.results, tmp_path / "plan.xlsx", input_path=case)
    assert check_result(case, out)[:2] == ([], [])


def problems(tmp_path, tables, settings=None, severity="error") -> list[str]:
    try:
        _, warnings = load(write_case(tmp_path, tables, settings))
    except InputError as exc:
        return [str(p) for p in exc.problems if p.severity == severity]
    return [str(p) for p in warnings] if severity == "warning" else []


def test_a_priced_leg_without_distance_is_an_error_at_its_row(tmp_path):
    legs = two_routes()["Legs"]
    tables = two_routes(Legs=[legs[0], {**legs[1], "distance_km": None}, legs[2]])
    assert problems(tmp_path / "priced", tables, {"carbon_price_usd_per_t_co2": 50}) == [
        "Legs, row 3 (A>R), distance_km: is blank; a length in km is needed, since CO2e is priced or capped "
        "(carbon_price_usd_per_t_co2 is 50) and enabled route(s) RAIL use this leg. Enter the leg's length in km "
        "(its CO2e is distance_km x co2_g_per_tkm); or set carbon_price_usd_per_t_co2 to 0 and remove the "
        "max_co2_t rules."]
    tables["Policies"] = CAP
    assert problems(tmp_path / "capped", tables) == [
        "Legs, row 3 (A>R), distance_km: is blank; a length in km is needed, since CO2e is priced or capped "
        "(max_co2_t rule CAP (Policies row 2) caps it) and enabled route(s) RAIL use this leg. Enter the leg's "
        "length in km (its CO2e is distance_km x co2_g_per_tkm); or set carbon_price_usd_per_t_co2 to 0 and "
        "remove the max_co2_t rules."]


def test_an_unpriced_leg_without_distance_is_a_warning_naming_it(tmp_path):
    legs = two_routes()["Legs"]
    tables = two_routes(Legs=[legs[0], {**legs[1], "distance_km": None}, legs[2]])
    assert problems(tmp_path, tables, severity="warning") == [
        "Legs, distance_km: 1 leg(s) of enabled routes have no distance_km, so the CO2e reported leaves them out: "
        "A>R. Enter their length in km to count their CO2e (it is required once a carbon price or a max_co2_t "
        "rule is set)."]
    run = pipeline.run(write_case(tmp_path / "run", tables))
    assert run.results.summary.co2e_leaves_out == ("A>R",)
    assert ("CO2e leaves out", "1 leg(s) without distance_km: A>R", "") in run.results.summary.rows()


BAD_VALUES = {
    "negative intensity": (
        {"Legs": [{**two_routes()["Legs"][0], "co2_g_per_tkm": -3}] + two_routes()["Legs"][1:]},
        None,
        "Legs, row 2 (A>M), co2_g_per_tkm: must be >= 0, found -3. Type a number in g CO2e/tkm, at least 0 and "
        "at most 10,000."),
    "intensity in mg": (
        {"Legs": [{**two_routes()["Legs"][0], "co2_g_per_tkm": 62_000}] + two_routes()["Legs"][1:]},
        None,
        "Legs, row 2 (A>M), co2_g_per_tkm: must be <= 10,000, found 62,000. Type a number in g CO2e/tkm, at least "
        "0 and at most 10,000."),
    "handling CO2e as text": (
        {"Nodes": nodes(("A", "origin"), ("R", "hub", {"co2_kg_per_t": "two"}), ("M", "market"))},
        None,
        "Nodes, row 3 (R), co2_kg_per_t: expected a number, found text 'two'. Type a number in kg CO2e/t, at "
        "least 0 and at most 1000."),
    "negative carbon price": (
        {}, {"carbon_price_usd_per_t_co2": -5},
        "Settings, row 2 (carbon_price_usd_per_t_co2), value: must be >= 0, found -5. Type a number (USD/t "
        "CO2e), or leave it blank for the default."),
    "negative CO2e cap": (
        {"Policies": [{**CAP[0], "value": -1}]}, None,
        "Policies, row 2 (CAP), value: must be >= 0, found -1. Type a number in share 0-1, t/yr or t CO2e/yr, at "
        "least 0 and at most 10,000,000,000."),
}


@pytest.mark.parametrize("name", BAD_VALUES)
def test_each_bad_emissions_value_has_its_message(tmp_path, name):
    overrides, settings, message = BAD_VALUES[name]
    assert problems(tmp_path, two_routes(**overrides), settings) == [message]


def test_a_co2e_cap_below_one_is_tonnes_not_a_share(tmp_path):
    # 0.5 t CO2e is a valid (if tight) cap, not a share typed into the wrong kind: no problem reported.
    # All by rail emits exactly 0.5 t, so it holds with every tonne by rail: 500 USD.
    tables = two_routes(Policies=[{**CAP[0], "value": 0.5}])
    assert problems(tmp_path / "v", tables) == []
    assert pipeline.run(write_case(tmp_path, tables)).solution.objective_usd == pytest.approx(500)


def test_the_co2e_of_the_base_case_is_its_flows_and_the_defaults(base_run):
    # Every leg of the base case has its distance and uses its mode's default: the Flows' CO2e per tonne is
    # the sum along each path, and the Summary total the sum of the flows.
    data, net = base_run.data, base_run.net
    legs = data.tables["Legs"].assign(leg=lambda d: d["from"] + ">" + d["to"]).set_index("leg")
    assert legs["distance_km"].notna().all() and legs["co2_g_per_tkm"].isna().all()
    f = base_run.results.flows
    for rec in f.head(20).itertuples(index=False):
        expect = sum(legs.loc[leg, "distance_km"] * DEFAULT_CO2E_G_PER_TKM[legs.loc[leg, "mode"]] / 1e3
                     for leg in net.routes[rec.route].legs)
        assert rec.co2e_kg_per_t == pytest.approx(expect)
    assert base_run.results.summary.co2e_t == pytest.approx(float(f["co2e_t"].sum()))
    assert base_run.results.summary.parts_usd["carbon"] == 0.0
    assert isinstance(base_run.results.emissions, pd.DataFrame) and len(base_run.results.emissions)
