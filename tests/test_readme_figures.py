"""Every figure the README quotes comes from a run of the shipped cases: each test here runs the
case the README names and looks for the figure, formatted as the README writes it, in the README.
A figure that changes with the model fails here until the README is redone from the new run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import BASE_XLSX, ROOT
from model import pipeline
from model.analysis.calibrate import calibrate
from model.analysis.parametric import exact_sweep
from model.analysis.sweep import live_model, make_sweep
from model.io.console import solve_text
from model.pipeline import load_one_year

README = (ROOT / "README.md").read_text()
UNCALIBRATED = ROOT / "inputs" / "base_year_uncalibrated"


def quoted(text: str) -> bool:
    """The text appears in the README, line breaks and indentation aside."""
    return " ".join(text.split()) in " ".join(README.split())


@pytest.fixture(scope="module")
def uncalibrated_run():
    return pipeline.run(UNCALIBRATED)


@pytest.fixture(scope="module")
def calibration():
    return calibrate(UNCALIBRATED)


def test_the_base_case_console_summary_is_the_one_in_the_readme(base_run):
    # Every line corridor solve prints on the shipped base case, but the timings of the last line.
    for line in solve_text(base_run.results).splitlines():
        assert line in README, line


def test_the_fit_before_and_after_calibration(base_run, uncalibrated_run):
    before, after = uncalibrated_run.results.summary.fit, base_run.results.summary.fit
    assert quoted(f"{before.within} of {before.count} observations are within tolerance and the weighted absolute "
                  f"percentage error is {before.wape:.1%}")
    assert quoted(f"{after.within} of {after.count}, and {after.wape:.1%}")


def test_the_calibration_table(calibration):
    # Each row of the README's table: observed, before, after and premium, as corridor calibrate
    # prints them (Mt to two decimals, USD/t signed to two decimals).
    table = calibration.table.set_index("observation")
    for obs in ("7a", "5", "8", "8b", "6", "8a", "9"):
        r = table.loc[obs]
        cells = [f"{r.observed_t / 1e6:.2f}", f"{r.modelled_before_t / 1e6:.2f}", f"{r.modelled_after_t / 1e6:.2f}"]
        premium = r.implied_premium_usd_per_t
        if pd.notna(premium) and abs(premium) > 1e-6:
            cells.append(f"{premium:+.2f}".replace("-", "−"))
        row = next(line for line in README.splitlines() if line.startswith(f"| {obs} |"))
        for cell in cells:
            assert f"| {cell} |" in row, (obs, cell, row)
    assert calibration.rules.empty and quoted("No band needed a calibration rule")
    assert table.loc["9", "held_by"].startswith("relaxed") and quoted("| 9 | Afghanistan market (all)")


def test_what_calibration_changes_for_gwadar():
    # The exact breakpoints of Gwadar's port charge, uncalibrated and calibrated: the first (the
    # 90 USD/t cut) is the same, the 0.35 Mt step moves from -107.81 to -136.68 USD/t.
    found = {}
    for name, case in (("before", UNCALIBRATED), ("after", BASE_XLSX)):
        data, _, _ = load_one_year(case)
        sweep = make_sweep(Path(case), data, ["Nodes[GWD].handling_usd_per_t=-250:8"], True)
        seg = exact_sweep(live_model(case), sweep).segments
        # The slope of the cost in Gwadar's charge is the tonnes through Gwadar; a segment's upper end
        # is the charge at which that many tonnes move.
        found[name] = {round(float(slope)): round(float(to), 2)
                       for slope, to in zip(seg["slope_usd_per_unit"], seg["to"]) if slope > 0}
    for name in found:
        for tonnes in (150000, 350000, 500000, 1450000):
            assert f"{found[name][tonnes]:.2f}".replace("-", "−") in README, (name, tonnes)
    assert found["before"][150000] == found["after"][150000] == pytest.approx(-82.04, abs=0.01)
    assert found["before"][350000] != found["after"][350000]
    assert quoted("a **90 USD/t cut**, before and after calibration")


def test_the_investment_answer_before_and_after_calibration():
    for case in (UNCALIBRATED, BASE_XLSX):
        r = pipeline.run(case, scenario="invest").results
        built = r.investments.set_index("option")["built_t"]
        assert built["CPC_DEBOTTLENECK"] == pytest.approx(10e6) and built.drop("CPC_DEBOTTLENECK").sum() == 0
        assert quoted(f"{r.summary.money.resource_usd / 1e6:,.1f}"), case
    assert quoted("the full 10 Mt of CPC debottlenecking, 80 M USD a year, no terminal in Pakistan")


def test_the_terminal_decisions_built_whole(capsys):
    # The console block of "Karachi or Gwadar, built whole": every decision line, as solve prints it.
    r = pipeline.run(BASE_XLSX, scenario="invest").results
    text = solve_text(r)
    block = [line for line in text.splitlines() if line.startswith(("Integer decisions", "  "))]
    assert len(block) == 8
    for line in block:
        assert line in README, line


def _frontier(target: str, maximise: bool):
    from model.analysis.frontier import frontier, parse_costs, parse_target
    from model.pipeline import load, solve

    plan, _ = load(BASE_XLSX)
    sol = solve(plan)
    return frontier(plan, sol, parse_target(target, maximise, plan), parse_costs("0:5%", sol.objective_usd, True),
                    exact=True)


def test_the_frontier_for_pakistan():
    table, solves = _frontier("country PK", True)
    allowance = table["objective_allowance_usd"]  # the breakpoints are the objective's
    assert quoted(f"{int(allowance.between(1, allowance.max() - 1).sum())} breakpoints "
                  f"in 0–5%, found with {solves} solves")
    rows = [line for line in README.splitlines() if line.startswith("| ") and line.count("|") == 5]
    for mt in (0.15, 0.35, 0.75, 1.08, 1.45):
        rec = table[(table["target_t"] / 1e6).round(2) == mt].iloc[0]
        cells = (f"| {rec.extra_resource_cost_usd / 1e6:,.1f} | {rec.extra_cost_of_least_cost:.2%} | {mt:.2f} | "
                 f"{rec.extra_resource_cost_usd / rec.target_t:,.0f} |")
        assert cells in rows, cells
    assert table["target_t"].max() == pytest.approx(1.45e6)


def test_the_frontier_for_russia():
    table, _ = _frontier("country RU: dry_bulk,grain,metals,container", False)
    first, last = table.iloc[0], table.iloc[-1]
    assert quoted(f"non-oil cargo through Russia is {first.target_t / 1e6:.1f} Mt ({first.target_share:.0%})")
    assert last.target_t == pytest.approx(20.3e6)  # the coal to Russia's own power plants
    allowed = []
    for mt, words in ((24.5, "186 M USD a year of resource cost (2.09%) takes it to 24.5 Mt"),
                      (22.9, "273 M (3.07%) to 22.9 Mt"), (20.3, "456 M (5.12%) to 20.3 Mt")):
        rec = table[(table["target_t"] / 1e6).round(1) == mt].iloc[0]
        assert f"{rec.extra_resource_cost_usd / 1e6:,.0f} M" in words, words
        assert f"({rec.extra_cost_of_least_cost:.2%})" in words, words
        assert quoted(words)
        allowed.append(f"{rec.objective_allowance_usd / 1e6:,.0f}")
    gained = first.calibration_premiums_usd - rec.calibration_premiums_usd
    assert quoted(f"by less ({allowed[0]}, {allowed[1]} and {allowed[2]} M): the cargo moved gains "
                  f"{gained / 1e6:,.1f} M of calibration premiums")


def test_the_default_intensities_in_the_readme():
    from model.network.emissions import DEFAULT_CO2E_G_PER_TKM

    for mode, g in DEFAULT_CO2E_G_PER_TKM.items():
        assert f"| {mode} | {g:g} |" in README, mode


def test_emissions_by_corridor_on_the_base_case(base_run):
    # Each row of the README's table, as the Emissions sheet gives it (kt CO2e, kg/t, share of CO2e).
    e = base_run.results.emissions
    for r in e[e["by"].isin(["total", "corridor"])].itertuples(index=False):
        name = "all corridors" if r.by == "total" else r.name
        assert (f"| {name} | {r.tonnes_t / 1e6:,.2f} | {r.co2e_t / 1e3:,.1f} | {r.co2e_kg_per_t:,.1f} | "
                f"{r.share_of_co2e:.1%} |") in README, name
    k = e[e["by"] == "commodity"].set_index("code")
    total = e[e["by"] == "total"].iloc[0]
    crude = k.loc["crude"]
    assert quoted(f"Crude, {crude.tonnes_t / total.tonnes_t:.0%} of the tonnes, emits "
                  f"{crude.co2e_t / total.co2e_t:.0%} of the CO2e ({crude.co2e_kg_per_t:.1f} kg/t")
    assert k.loc["ironore", "co2e_kg_per_t"] == pytest.approx(k.loc["ograin", "co2e_kg_per_t"])
    assert quoted(f"other grain, all by rail to China, {k.loc['ironore', 'co2e_kg_per_t']:.1f} kg/t")
    assert k["co2e_kg_per_t"].idxmax() == "general"
    assert quoted(f"general cargo the most per tonne, {k.loc['general', 'co2e_kg_per_t']:.1f} kg/t")


def test_what_a_carbon_price_of_50_changes(base_run):
    from model.network.build import build_network
    from model.plan import Plan
    from model.results.tables import ALL

    priced = pipeline.run(BASE_XLSX, scenario="carbon_price")
    assert priced.data.settings.carbon_price_usd_per_t_co2 == 50
    b, p = base_run.results.summary, priced.results.summary
    bm, pm = b.money, p.money  # money in its kinds: the resource cost, the premiums apart
    assert quoted(f"The resource cost rises from {bm.resource_usd / 1e6:,.1f} to {pm.resource_usd / 1e6:,.1f} M USD/yr: "
                  f"{p.parts_usd['carbon'] / 1e6:,.1f} M is the carbon cost of what is still emitted, and the new "
                  f"allocation costs {(bm.resource_usd - pm.resource_usd + p.parts_usd['carbon']) / 1e6:,.1f} M less")
    assert quoted(f"gives up {(pm.premiums_usd - bm.premiums_usd) / 1e6:,.1f} M of calibration premiums "
                  f"({bm.premiums_usd / 1e6:,.1f} to {pm.premiums_usd / 1e6:,.1f} M)".replace("-", "−"))
    cut = b.co2e_t - p.co2e_t
    assert quoted(f"CO2e falls by {cut / 1e6:.2f} Mt (−{cut / b.co2e_t:.1%}), from {b.co2e_t / 1e6:.2f} to "
                  f"{p.co2e_t / 1e6:.2f} Mt a year ({b.co2e_kg_per_t:.1f} to {p.co2e_kg_per_t:.1f} kg/t)")
    moved = (priced.results.flows.set_index(["commodity", "route"])["tonnes_t"]
             .sub(base_run.results.flows.set_index(["commodity", "route"])["tonnes_t"], fill_value=0.0))
    off_rail = -moved.xs("KOS-DOS-MCN", level="route").sum()
    assert set(moved.xs("KOS-DOS-MCN", level="route").index) == {"ironore", "ograin", "wheat"}
    assert quoted(f"{off_rail / 1e6:.2f} Mt of iron ore, grain and wheat to China leave rail")
    corridors = [(r.results.corridors[r.results.corridors["commodity"] == ALL].set_index("corridor")["tonnes_t"])
                 for r in (base_run, priced)]
    assert quoted(f"and {(corridors[0]['Middle Corridor'] - corridors[1]['Middle Corridor']) / 1e6:.2f} Mt of wheat "
                  "and ferroalloys leave the Middle")
    routes = base_run.results.routes.set_index(["commodity", "route"])["co2e_kg_per_t"]
    assert quoted(f"({routes[('ironore', 'KOS-RBS-MCN')]:.1f} against {routes[('ironore', 'KOS-DOS-MCN')]:.1f} "
                  "kg CO2e/t)")
    assert quoted(f"the fit falls from {b.fit.within} to {p.fit.within} of the 25 observations")
    # A price of 1 USD per t CO2e: the tie-break already moves most of it.
    data = base_run.data.copy(settings=base_run.data.settings.replace(carbon_price_usd_per_t_co2=1.0))
    one = pipeline.tabulate(Plan.of_one(data, build_network(data)),
                            pipeline.solve(Plan.of_one(data, build_network(data))))
    china = one.corridors[one.corridors["commodity"] == ALL].set_index("corridor")["tonnes_t"]["China: rail"]
    assert quoted(f"a price of 1 USD per t CO2e already moves {(corridors[0]['China: rail'] - china) / 1e6:.2f} Mt")


def test_the_frontier_of_emissions():
    table, _ = _frontier("co2", False)
    t = table["target_t"] / 1e6
    floor = t.min()
    at = table[t <= floor + 1e-6].sort_values("objective_allowance_usd").iloc[0]  # the first point at the floor
    near = table[(t.round(2) == 9.14)].iloc[0]
    mid = table[(t.round(2) == 9.00)].iloc[0]
    p0 = table["calibration_premiums_usd"].iloc[0]
    # the resource cost falls along this frontier: premiums, not costs, hold the CO2e up
    assert near.extra_resource_cost_usd < 0 and mid.extra_resource_cost_usd < 0 and at.extra_resource_cost_usd < 0
    assert quoted(f"from {t.iloc[0]:.2f} Mt at least cost, 9.14 Mt costs {-near.extra_resource_cost_usd / 1e6:,.1f} M "
                  "USD a year less in resource cost")
    assert quoted(f"9.00 Mt, {-mid.extra_resource_cost_usd / 1e6:,.1f} M less")
    assert quoted(f"**{floor:.2f} Mt ({floor / t.iloc[0] - 1:.1%}), {-at.extra_resource_cost_usd / 1e6:,.1f} M USD a "
                  "year less**".replace("-", "−"))
    given = [f"{(r.calibration_premiums_usd - p0) / 1e6:,.1f}" for r in (near, mid, at)]
    allowed = [f"{r.objective_allowance_usd / 1e6:,.1f}" for r in (near, mid, at)]
    assert quoted(f"gives up calibration premiums ({given[0]}, {given[1]} and {given[2]} M), so the model's objective "
                  f"rises by {allowed[0]}, {allowed[1]} and {allowed[2]} M")


PLAN = ROOT / "inputs" / "plan_case.xlsx"


def test_the_plan_table():
    # "Years and robust plans": each scenario held for all years, its costs and what it builds.
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in README.splitlines() if line.startswith("| ") and line.count("|") == 8}
    for n, scenario in enumerate([None, "russia_closed", "torkham_closed", "cpc_half", "gwadar_tariff_cut",
                                  "high_grain"]):
        r = pipeline.run(PLAN, scenario=scenario).results
        sheet = r.plan["Plan"].set_index("year")
        plan = sheet["resource_cost_usd"]  # what is paid, and what time, risk and carbon cost
        built = r.investments.groupby("option")["built_t"].max() / 1e6
        assert rows["objective 2026–39, discounted (bn USD)"][n] == f"{r.summary.objective_usd / 1e9:,.1f}"
        assert rows["resource cost 2026 (M USD/yr)"][n] == f"{plan[2026] / 1e6:,.1f}"
        assert plan[2030] == pytest.approx(plan[2035])
        assert rows["resource cost 2030 and 2035 (M USD/yr)"][n] == f"{plan[2030] / 1e6:,.1f}"
        assert rows["unmet 2026, 2030 and 2035 (Mt/yr)"][n] == ", ".join(f"{sheet.loc[y, 'unmet_t'] / 1e6:,.1f}"
                                                                         .replace("0.0", "0") for y in (2026, 2030, 2035))
        assert rows["CPC debottlenecking, built whole from 2030 (Mt/yr)"][n] == f"{built['CPC_DEBOTTLENECK']:g}"
        assert rows["Caspian crossing modules from 2030 (Mt/yr)"][n] == f"{built['CASPIAN_CROSSING']:g}"
        assert built[["KAZ_TERMINAL_KHI", "GWD_TERMINAL"]].sum() == 0
        corridors = r.corridors[r.corridors["commodity"] == "All commodities"]
        assert corridors[corridors["corridor"].str.contains("Karachi|Gwadar")]["tonnes_t"].sum() == 0
        decisions = dict(r.summary.decisions.decisions)
        assert decisions["KAZ_TERMINAL_KHI"] == "do not build; building it would cost 28.5 M USD more in resource cost"
        assert decisions["GWD_TERMINAL"] == "do not build; building it would cost 42.8 M USD more in resource cost"
        if scenario is None:
            assert quoted(decisions["CPC_DEBOTTLENECK"].split("; ")[1].replace("doing without it would cost",
                                                                                  "doing without it would\ncost"))


def test_the_robust_plan():
    r = pipeline.run(PLAN, robust="russia_closed,torkham_closed,cpc_half").results
    robust = {item: value for item, value, _ in r.summary.robust}
    assert quoted(f"expected objective (resource cost, premiums and each scenario's unmet tonnes at the penalty) is "
                  f"{robust['expected objective (robust plan)'] / 1e6:,.1f} M USD")
    assert robust["value of the stochastic solution"] == pytest.approx(0, abs=1e-3)
    assert robust["base-only plan builds"] == "CPC_DEBOTTLENECK 10.00 Mt"


SCENARIO_ROWS = [("resource cost", "resource cost (M USD/yr)", 1e6, ",.1f"),
                 ("calibration premiums (behaviour, not paid)", "calibration premiums (M USD/yr)", 1e6, ",.1f"),
                 ("shipped", "shipped (Mt/yr)", 1e6, ",.1f"),
                 ("unmet demand", "stranded (Mt/yr)", 1e6, ",.1f"), ("CO2e", "CO2e (Mt/yr)", 1e6, ",.2f"),
                 *[(f"corridor: {c}", f"{c} (Mt/yr)", 1e6, ",.2f") for c in (
                     "Russia: CPC pipeline", "Russia: Baltic", "Russia: Black Sea", "China: rail", "China: Lianyungang",
                     "Middle Corridor", "Iran")]]


def scenario_table(table: pd.DataFrame, names: list[str]) -> str:
    """The README's Scenarios table, from corridor compare's comparison table."""
    t = table.set_index("metric")
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for metric, label, scale, fmt in SCENARIO_ROWS:
        values = t.loc[metric, names] if metric in t.index else pd.Series(0.0, index=names)
        lines.append(f"| {label} | " + " | ".join(format(v / scale, fmt) for v in values) + " |")
    pk = t[t.index.str.contains("corridor: (?:Karachi|Gwadar)", regex=True)]
    lines.append("| via Karachi or Gwadar (Mt/yr) | " + " | ".join(
        format(pk[n].sum() / 1e6, ",.2f") for n in names) + " |")
    return "\n".join(lines)


def test_the_scenarios_table():
    from model.analysis.compare import compare

    names = ["russia_closed", "torkham_closed", "cpc_half", "trans_afghan_open", "gwadar_tariff_cut", "high_grain",
             "invest", "russia_cap_2025", "carbon_price"]
    table, _ = compare(BASE_XLSX, names)
    assert scenario_table(table, ["base", *names]) in README


def test_the_worked_example(base_run):
    # The Routes sheet's Gwadar threshold, the three bottlenecks, the Russia cap and the closures.
    routes = base_run.results.routes.set_index(["route", "commodity"])
    gwd = routes.loc[("TRZ-AFCGWD-MSA", "fertiliser")]
    assert quoted(f"TRZ-AFCGWD-MSA, costs {gwd.cost_usd_per_t:,.2f} USD/t against a break-even of "
                  f"{gwd.break_even_cost_usd_per_t:,.2f} USD/t")
    b = base_run.results.bottlenecks
    for rec in b.head(3).itertuples(index=False):
        assert quoted(f"saves {rec.saving_usd_per_t:,.2f} USD a year")
        assert quoted(f"for up to {rec.valid_for_more_t / 1e6:,.2f} Mt")


def test_the_russia_cap_sweep():
    from model.analysis.sweep import make_sweep, named_sweep, run_sweep

    data, _, _ = load_one_year(BASE_XLSX)
    assignments = named_sweep(data, "russia_cap")
    sweep = make_sweep(BASE_XLSX, data, assignments)
    from model.results.money import Money

    points = {round(p[0], 2): r for p, r in zip(sweep.points, run_sweep(sweep, assignments, progress=False))}
    cost = {cap: Money.of_row(r).resource_usd for cap, r in points.items()}  # what the cap costs: resource cost
    free = cost[1.0]
    assert quoted(f"raises the annual resource cost from {free / 1e6:,.1f} to {cost[0.5] / 1e6:,.1f} million USD "
                  f"(+{(cost[0.5] - free) / 1e6:,.1f} million, +{cost[0.5] / free - 1:.1%})")
    assert quoted(f"40% to {cost[0.4] / 1e6:,.1f} million, **+{(cost[0.4] - free) / 1e6:,.1f} million USD a year "
                  f"(+{cost[0.4] / free - 1:.1%})**")
    assert cost[0.6] == pytest.approx(free) and cost[0.55] > free + 1  # binds below 60%
    premiums = {cap: Money.of_row(r).premiums_usd for cap, r in points.items()}
    assert quoted(f"gains {(premiums[1.0] - premiums[0.5]) / 1e6:,.1f} M of them at 50%), which is why the objective "
                  f"rises by only {(points[0.5]['objective_usd'] - points[1.0]['objective_usd']) / 1e6:,.1f} million")
    assert quoted(f"The 2025 Russia cap costs {(cost[0.5] - free) / 1e6:,.1f} M USD a year in resource cost")


def test_the_closures():
    from model.analysis.stress import stress_test

    table, _ = stress_test(BASE_XLSX, progress=False)
    t = table.set_index("closed")
    assert quoted(f"closing the CPC terminal strands {t.loc['CPT', 'stranded_t'] / 1e6:,.2f} Mt of crude")
    assert quoted(f"closing the Russian rail border strands {t.loc['RUB', 'stranded_t'] / 1e6:,.2f} Mt")
    assert t.loc["RUB", "moved_to"].startswith("China: Lianyungang +4.60 Mt, Middle Corridor +3.31 Mt")
    assert quoted(f"closing Saryagash strands {t.loc['SRY', 'stranded_t'] / 1e6:,.2f} Mt")
    assert t.loc["DOS", "stranded_t"] == pytest.approx(0, abs=1)
    assert t.loc["DOS", "moved_to"].startswith("Russia: Black Sea +7.40 Mt")
    assert t.loc["DOS", "cost_increase_usd"] < 0  # the resource cost falls: premiums held the cargo on rail
    assert quoted(f"which costs {-t.loc['DOS', 'cost_increase_usd'] / 1e6:,.1f} million USD a year less in resource "
                  f"cost: what holds that cargo on rail to China is its calibration premium "
                  f"({t.loc['DOS', 'premiums_change_usd'] / 1e6:,.1f} M of premiums given up)")
