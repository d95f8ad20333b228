"""Every figure the README and the pages of docs/ quote comes from a run of the shipped cases: each test
here runs the case the documentation names and looks for the figure, formatted as the page writes it,
in the documentation (doc_pages: the README and docs/, read as one text, since a figure may sit on any
page); the figures of the README's brief are looked for in the README itself. A figure that changes
with the model fails here until the page is redone from the new run."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BASE_XLSX, ROOT
from doc_pages import documentation

from model import pipeline
from model.analysis.calibrate import calibrate
from model.analysis.parametric import exact_sweep
from model.analysis.sweep import live_model, make_sweep
from model.input.schema import Role
from model.pipeline import load_one_year
from model.report.console import solve_text

pytestmark = [pytest.mark.slow, pytest.mark.heavy]  # the README's figures, solved again: CI's second line

# The fixtures below (runs, frontiers, the compared scenarios) are session scoped: under pytest-xdist
# a worker may run another file's tests in between, which ends module fixtures, and they would be
# made again.

README = documentation()  # the README and every page of docs/
README_ALONE = (ROOT / "README.md").read_text()  # the brief of the deal's answer
UNCALIBRATED = ROOT / "inputs" / "base_year_uncalibrated"


def quoted(text: str) -> bool:
    """The text appears in the README, line breaks and indentation aside."""
    return " ".join(text.split()) in " ".join(README.split())


def in_brief(text: str) -> bool:
    """The text appears in the README itself (its brief of the deal's answer), line breaks aside."""
    return " ".join(text.split()) in " ".join(README_ALONE.split())


@pytest.fixture(scope="session")
def uncalibrated_run():
    return pipeline.run(UNCALIBRATED)


@pytest.fixture(scope="session")
def calibration():
    return calibrate(UNCALIBRATED)


@pytest.fixture(scope="session")
def scenario_run(base_run):
    """The base case solved under a scenario (None: base_run), as corridor compare solves each case (HiGHS let
    go once read: keep_solver=False), once per worker: the tests here and compare's table (the compared
    fixture) read these runs, none changes one."""
    runs = {None: base_run}

    def solved(scenario: str | None):
        if scenario not in runs:
            runs[scenario] = pipeline.run(BASE_XLSX, scenario=scenario, keep_solver=False)
        return runs[scenario]

    return solved


def test_the_base_case_console_summary_is_the_one_in_the_readme(base_run):
    # Every line corridor solve prints on the shipped base case, but the timings of the last line.
    for line in solve_text(base_run.results).splitlines():
        assert line in README, line
    s = base_run.results.summary
    assert in_brief(f"{s.shipped_t / 1e6:,.2f} Mt/yr at a resource cost of {s.money.resource_usd / 1e6:,.1f} M USD/yr")


def _fit_rows(run) -> pd.DataFrame:
    fit = run.results.fit
    return fit[fit["role"] == Role.FIT]


def test_the_fit_before_and_after_calibration(base_run, uncalibrated_run):
    # The README's "Does it reproduce 2023?": the fit counts informative observations only, and names the
    # identities; calibration adds as identities exactly the observations its rules hold (CAL_<obs>).
    before, after = uncalibrated_run.results.summary.fit, base_run.results.summary.fit
    ids = [list(f.loc[f["identity"].astype(bool), "observation"]) for f in map(_fit_rows, (uncalibrated_run,
                                                                                              base_run))]
    assert (before.identities, after.identities) == (len(ids[0]), len(ids[1]))
    assert in_brief(f"{before.within} of {before.count} informative observations are within tolerance, weighted "
                    f"absolute error {before.wape:.1%}, with {before.identities} identities not counted "
                    f"({', '.join(ids[0])}:")
    assert in_brief(f"After (`corridor solve`), {after.within} of {after.count}, {after.wape:.1%}, with "
                    f"{after.identities} identities: the {before.identities} and")
    added = [o for o in ids[1] if o not in ids[0]]
    policies = base_run.data.table("Policies")["rule"].astype(str)
    rules = sorted({r.split("_")[1] for r in policies if r.startswith("CAL_")}, key=int)
    assert added == rules == ["1", "3", "6", "19"]
    assert in_brief("1, 3, 6 and 19, identities only because the calibration rules CAL_1, CAL_3, CAL_6 and CAL_19")
    assert quoted(f"{before.within} of {before.count} informative observations are within tolerance and the weighted "
                  f"absolute percentage error is {before.wape:.1%} ({before.identities} identities not counted")
    assert quoted(f"base case), {after.within} of {after.count}, and {after.wape:.1%}: {after.identities} identities")


def test_the_out_of_sample_score(base_run, uncalibrated_run):
    # Held-out rows, predicted in the world each was observed in, scored as they are (not tuned): the README
    # and the calibration page give the score and each row, observed against predicted.
    after, before = base_run.results.summary.fit, uncalibrated_run.results.summary.fit
    assert (after.tested, after.predicted) == (5, 0)
    assert in_brief(f"**Out of sample, as it is (not tuned): {after.test_text()}.**")
    assert quoted(f"the score is **{after.predicted} of {after.tested}, weighted error {after.test_wape:.1%}** "
                  f"({before.test_wape:.1%} before calibration)")
    fit = base_run.results.fit
    test = fit[fit["role"] == Role.TEST]
    assert list(test["observation"]) == ["T22a", "T22b", "T24", "T25a", "T25b"]
    for r in test.itertuples(index=False):
        rows = [line for line in README.splitlines() if line.startswith(f"| {r.observation} |")]
        assert len(rows) == 2, r.observation  # the README's and the calibration page's
        for row in rows:
            assert f"| {r.observed_t / 1e6:.2f} | {r.modelled_t / 1e6:.2f} |" in row, row
    # T25b: the model ships all of 2025's crude (78.7 Mt exported + 1.9 Mt the strike stranded, S95)
    t25b = test.set_index("observation").loc["T25b"]
    assert t25b.modelled_t == pytest.approx(78.7e6 + 1.9e6)
    assert in_brief("the model reroutes all the crude the December strike left, where only 0.3 of 2.2 Mt was")


def _rules_off(scenario: str | None):
    """The base case with the scenario, solved with calibration_rules FALSE: data, network and solution."""
    from model.network.build import build_network
    from model.pipeline import solve
    from model.plan import Plan

    data, _, _ = load_one_year(BASE_XLSX, scenario)
    data = data.copy(settings=data.settings.replace(calibration_rules=False))
    net = build_network(data)
    return data, net, solve(Plan.of_one(data, net))


def _gwadar_first(data, live) -> tuple[float, float]:
    """Gwadar's port charge at which its first tonnes move, and how many (the exact sweep's first segment
    with tonnes through Gwadar: the slope of the cost in the charge is those tonnes)."""
    sweep = make_sweep(BASE_XLSX, data, ["Nodes[GWD].handling_usd_per_t=-250:8"], True)
    seg = exact_sweep(live, sweep).segments
    moving = seg[seg["slope_usd_per_unit"] > 0]
    first = moving.loc[moving["to"].idxmax()]
    return float(first["to"]), float(first["slope_usd_per_unit"])


def test_the_deal_on_the_2025_network(scenario_run):
    from model.lp.live import LiveModel
    from model.pipeline import Analyses, tabulate
    from model.plan import Plan

    y = scenario_run("year_2025")
    assert not y.data.settings.calibration_rules  # the 2025 world leaves the 2023 rules out
    s = y.results.summary
    assert in_brief(f"{s.shipped_t / 1e6:,.2f} Mt/yr at {s.money.resource_usd / 1e6:,.1f} M USD/yr")
    pk = through_pakistan(y.results)
    assert in_brief(f"Pakistan then carries {pk / 1e6:.2f} Mt")
    # Khunjerab passes 0.1 Mt/yr outside winter (100,000 * 8/12 = 66,667 t) and, on the 2025 network, 48,000 t in
    # winter (12 kt a month, S90): 114,667 t to Karachi by the KKH, the Pakistan market's 1,900 t among them.
    assert pk == pytest.approx(100000 * 8 / 12 + 48000, abs=1)
    # The India and border events alone: the rule CAL_19_MAX holds 0.05 Mt; without the rules, 2023's Khunjerab
    # (shut in winter) passes 66,667 t, and the Pakistan market's 633 t of winter go via Turkmenistan: 67,300 t.
    events = "india_via_pakistan_closed+af_pk_border_closed"
    assert through_pakistan(scenario_run(events).results) == pytest.approx(50000)
    data, net, sol = _rules_off(events)
    alone = through_pakistan(tabulate(Plan.of_one(data, net), sol, Analyses()))
    assert alone == pytest.approx(100000 * 8 / 12 + 633.33, abs=1)
    assert in_brief(f"asked with `calibration_rules` FALSE they leave {alone / 1e6:.2f} Mt (2023's Khunjerab, shut in "
                    "winter)")
    # Gwadar's cut on the 2025 network, and on 2023's with the rules off
    charge, tonnes = _gwadar_first(y.data, live_model(BASE_XLSX, scenario="year_2025"))
    data23, net23, sol23 = _rules_off(None)
    charge23, tonnes23 = _gwadar_first(data23, LiveModel(data23, net23, sol23, False))
    assert in_brief(f"**{charge:.2f} USD/t** ({tonnes / 1e6:.2f} Mt), a **{8 - charge:.0f} USD/t cut** (on 2023's "
                    f"network with the rules off: {charge23:.2f}, {tonnes23 / 1e6:.2f} Mt)".replace("-", "−"))
    # Built whole on the 2025 network: what each would cost in resource cost
    decisions = dict(scenario_run("year_2025+invest").results.summary.decisions.decisions)
    cost = {o: decisions[o].split(" would cost ")[1].split(" M USD")[0]
            for o in ("KAZ_TERMINAL_KHI", "GWD_TERMINAL", "CPC_DEBOTTLENECK")}
    assert all(decisions[o].startswith("do not build") for o in cost)
    assert in_brief(f"the Karachi terminal would cost {cost['KAZ_TERMINAL_KHI']} M USD a year, Gwadar's "
                    f"{cost['GWD_TERMINAL']} M and the CPC debottlenecking {cost['CPC_DEBOTTLENECK']} M: none pays")


def test_the_seasons_line():
    # The README's line on seasons: what the base case's Seasons sheet and its Khunjerab row say (S90).
    from model.input.read import read_input

    book = read_input(BASE_XLSX)
    caps = book.table("Capacities")
    khj = caps[(caps["element"] == "KHJ") & caps["season"].notna()]
    assert khj[["season", "capacity_t"]].values.tolist() == [["winter", 0]]
    seasons = book.table("Seasons").set_index("season")
    assert seasons.loc["winter", "months"] == "Dec-Mar"
    assert in_brief("splits the year into winter (Dec–Mar), summer and\n  autumn: Khunjerab is closed in winter (S90)")
    assert "docs/user-guide/seasons.md" in README_ALONE


def test_the_calibration_table(calibration):
    # Each row of the README's table: observed, before, after and premium, as corridor calibrate
    # prints them (Mt to two decimals, USD/t signed to two decimals).
    table = calibration.table.set_index("observation")
    for obs in ("20", "7a", "6", "8b", "1", "8a", "8", "3", "19"):
        r = table.loc[obs]
        cells = [f"{r.observed_t / 1e6:.2f}", f"{r.modelled_before_t / 1e6:.2f}", f"{r.modelled_after_t / 1e6:.2f}"]
        premium = r.implied_premium_usd_per_t
        if pd.notna(premium) and abs(premium) > 1e-6:
            cells.append(f"{premium:+.2f}".replace("-", "−"))
        row = next(line for line in README.splitlines() if line.startswith(f"| {obs} |"))
        for cell in cells:
            assert f"| {cell} |" in row, (obs, cell, row)
        assert ("rule" in r.held_by) == ("calibration rule" in row), (obs, row)
    # Crude (1, 3, 6) and Pakistan (19) are held by calibration rules, and the page says which and why.
    assert sorted(set(calibration.rules["rule"].str.rsplit("_", n=1).str[0])) == ["CAL_1", "CAL_19", "CAL_3",
                                                                                   "CAL_6"]
    assert quoted("Four observations are held by rules")
    # 9 is an identity on the rebuilt base year (wheat and flour to Afghanistan fill its band whatever the costs)
    assert table.loc["9", "held_by"].startswith("identity") and quoted("| 9 | Afghanistan market (all) | 2.70 | 2.59 | "
                                                                        "2.59 | none | identity |")


def test_what_calibration_changes_for_gwadar():
    # The exact breakpoints of Gwadar's port charge, uncalibrated and calibrated: the first tonnes move at
    # the same charge; calibrated, no deeper cut moves more than 48,100 t (the rule of observation 19 is full).
    found = {}
    for name, case in (("before", UNCALIBRATED), ("after", BASE_XLSX)):
        data, _, _ = load_one_year(case)
        sweep = make_sweep(Path(case), data, ["Nodes[GWD].handling_usd_per_t=-250:8"], True)
        seg = exact_sweep(live_model(case), sweep).segments
        # The slope of the cost in Gwadar's charge is the tonnes through Gwadar; a segment's upper end
        # is the charge at which that many tonnes move.
        found[name] = {round(float(slope)): round(float(to), 2)
                       for slope, to in zip(seg["slope_usd_per_unit"], seg["to"], strict=True) if slope > 0}
    assert list(found["after"]) == [48100]
    # 1,564,767 t: the most through Gwadar on the rebuilt base year (Khunjerab closed in winter; was 1,598,100)
    for name, tonnes in (("before", 300000), ("before", 500000), ("before", 700000), ("before", 1564767),
                         ("after", 48100)):
        assert f"{found[name][tonnes]:.2f}".replace("-", "−") in README, (name, tonnes)
    first = found["after"][48100]  # the README's brief: the first tonnes, and the cut from today's 8 USD/t
    assert first == pytest.approx(found["before"][300000], abs=0.02)
    assert in_brief(f"Gwadar at a port charge of **{first:.2f} USD/t**, an **{8 - first:.0f} USD/t cut** from today's "
                    "8 USD/t".replace("-", "−"))
    assert quoted(f"After, 48,100 t move at {first:.2f}, an **{8 - first:.0f} USD/t\ncut** from today's 8 USD/t, "
                  "and no deeper cut moves more".replace("-", "−"))


def _gwadar_flows(tmp_path, sheet: str, change) -> pd.DataFrame:
    """The base case's flows through Gwadar or Karachi, re-solved with one sheet of its CSV twin changed."""
    case = tmp_path / "base_case"
    shutil.copytree(ROOT / "inputs" / "base_case", case)
    table = pd.read_csv(case / f"{sheet}.csv")
    change(table)
    table.to_csv(case / f"{sheet}.csv", index=False)
    flows = pipeline.run(case).results.flows
    return flows[flows["route"].str.contains("GWD|KHI")].set_index("route")["tonnes_t"]


def test_gwadar_against_karachi_for_containers(base_run, tmp_path):
    # The README's brief: for the containers for the Gulf by the Kyrgyz road and the KKH, Gwadar is the Routes
    # sheet's reduced cost away from Karachi; a container charge at Gwadar that much and 0.5 USD/t lower moves them,
    # while the port charge of the Nodes sheet (which containers do not pay: their Tariffs row does) moves bulk.
    routes = base_run.results.routes.set_index(["commodity", "route"])
    gap = routes.loc[("general", "ALA-KGZGWD-MPG"), "reduced_cost_usd_per_t"]
    best = base_run.results.routes[base_run.results.routes["route"].str.contains("GWD")]
    assert gap == best["reduced_cost_usd_per_t"].min()
    assert in_brief(f"on that route Gwadar is **{gap:.2f} USD/t** dearer for those containers")
    before = base_run.results.flows.set_index("route")["tonnes_t"]
    assert before["ALA-KGZKHI-MPG"] == pytest.approx(48100)

    def container_cut(t):
        at = (t["element"] == "GWD") & (t["cargo_class"] == "container")
        t.loc[at, "cost_usd_per_t"] -= gap + 0.5

    moved = _gwadar_flows(tmp_path / "containers", "Tariffs", container_cut)
    assert moved["ALA-KGZGWD-MPG"] == pytest.approx(48100) and "ALA-KGZKHI-MPG" not in moved

    def subsidy(t):
        t.loc[t["node"] == "GWD", "handling_usd_per_t"] = -80.0  # past the sweep's -78.53

    bulk = _gwadar_flows(tmp_path / "bulk", "Nodes", subsidy)
    assert bulk["TRZ-TMCGWD-MSA"] == pytest.approx(48100) and "ALA-KGZKHI-MPG" not in bulk
    assert in_brief("the first bulk tonnes (fertiliser to South Asia via Turkmenistan, Chaman and Gwadar, in place "
                    "of the containers under the rule's 0.05 Mt)")


def test_the_investment_answer_before_and_after_calibration(scenario_run):
    # Uncalibrated, the CPC fills its 60 Mt and its debottlenecking is built; calibrated, it carries 2023's
    # 54.25 Mt and nothing is built.
    for case, cpc in ((UNCALIBRATED, 10e6), (BASE_XLSX, 0.0)):
        r = (scenario_run("invest") if case == BASE_XLSX else pipeline.run(case, scenario="invest")).results
        built = r.investments.set_index("option")["built_t"]
        assert built["CPC_DEBOTTLENECK"] == pytest.approx(cpc) and built.drop("CPC_DEBOTTLENECK").sum() == 0
        assert quoted(f"{r.summary.money.resource_usd / 1e6:,.1f} M USD/yr"), case
    assert quoted("after, **nothing is built**")


def test_the_terminal_decisions_built_whole(scenario_run):
    # The console block of "Karachi or Gwadar, built whole": every decision line, as solve prints it.
    r = scenario_run("invest").results
    text = solve_text(r)
    block = [line for line in text.splitlines() if line.startswith(("Integer decisions", "  "))]
    assert len(block) == 8
    for line in block:
        assert line in README, line
    # The README's brief: what each terminal, and the CPC debottlenecking, would cost.
    decisions = dict(r.summary.decisions.decisions)
    other = {o: decisions[o].split(" would cost ")[1].split(" M USD")[0]
             for o in ("KAZ_TERMINAL_KHI", "GWD_TERMINAL", "CPC_DEBOTTLENECK")}
    assert all(decisions[o].startswith("do not build") for o in other)
    assert in_brief(f"a Kazakh terminal at Karachi would cost {other['KAZ_TERMINAL_KHI']} M USD a year and a Gwadar "
                    f"terminal {other['GWD_TERMINAL']} M, and carry nothing")
    assert in_brief(f"its debottlenecking would cost its whole {other['CPC_DEBOTTLENECK']} M USD a year")


def _frontier(target: str, maximise: bool, scenario: str | None = None, rules: bool = True):
    """The exact frontier of the target on the base case (with the scenario; with its calibration rules off
    where rules is False, as with calibration_rules FALSE on the Settings sheet)."""
    from model.analysis.frontier import frontier, parse_costs, parse_target
    from model.network.build import build_network
    from model.pipeline import solve
    from model.plan import Plan

    data, _, _ = load_one_year(BASE_XLSX, scenario)
    if not rules:
        data = data.copy(settings=data.settings.replace(calibration_rules=False))
    plan = Plan.of_one(data, build_network(data))
    sol = solve(plan)
    return frontier(plan, sol, parse_target(target, maximise, plan), parse_costs("0:5%", sol.objective_usd, True),
                    exact=True)


@pytest.fixture(scope="session")
def pakistan_frontiers():
    """The exact frontier for Pakistan (table, solves) on the 2023 network and with the Trans-Afghan
    railway open, as `corridor frontier ... --maximise "country PK" --cost-within 0:5% --exact` finds it with
    calibration_rules FALSE (the rule of observation 19 would hold Pakistan at 0.05 Mt)."""
    return {"2023": _frontier("country PK", True, rules=False),
            "railway": _frontier("country PK", True, "trans_afghan_open", rules=False)}


def cost_of(table: pd.DataFrame, tonnes: float) -> float:
    """The least extra cost (USD/yr) at which the frontier carries `tonnes`. Between two breakpoints
    the frontier of an LP is a straight line, so reading it there is exact, not an approximation."""
    points = table[table["target_t"].diff().fillna(1.0) >= 1.0]  # past the ceiling more cost buys no tonne
    return float(np.interp(tonnes, points["target_t"], points["extra_resource_cost_usd"]))


def breakpoints(table: pd.DataFrame) -> int:
    allowance = table["objective_allowance_usd"]  # the breakpoints are the objective's
    return int(allowance.between(1, allowance.max() - 1).sum())


def test_the_frontier_for_pakistan_with_and_without_the_trans_afghan_railway(pakistan_frontiers):
    # The frontier's table: for each tonnage, its extra cost (and % of the least cost) and the average per
    # tonne on the 2023 network and with the railway, side by side (calibration rules off).
    old, new = pakistan_frontiers["2023"][0], pakistan_frontiers["railway"][0]
    least = {name: float(t["resource_cost_usd"].iloc[0]) for name, t in (("2023", old), ("railway", new))}
    # The least cost minimises the objective (premiums counted), so with the railway open its resource cost
    # may differ by a little (0.2 M on the rebuilt base year); the page gives both.
    assert least["2023"] == pytest.approx(least["railway"], abs=1e6)
    assert quoted(f"The least cost is {least['2023'] / 1e6:,.1f} M USD/yr of resource cost on the 2023 network and "
                  f"{least['railway'] / 1e6:,.1f} M with the railway")
    assert quoted(f"carries {old['target_t'].iloc[0] / 1e6:.2f} Mt through Pakistan at least cost")
    (_, solves_old), (_, solves_new) = pakistan_frontiers["2023"], pakistan_frontiers["railway"]
    assert quoted(f"{breakpoints(old)} and {breakpoints(new)} breakpoints in 0–5%, found with {solves_old} and "
                  f"{solves_new} solves")
    rows = [line for line in README.splitlines() if line.startswith("| ") and line.count("|") == 6]
    for mt in (0.15, 0.35, 0.75, 1.2, 1.45):
        cells = [f"{mt:.2f}"]
        for name, table in (("2023", old), ("railway", new)):
            d = cost_of(table, mt * 1e6)
            cells += [f"{d / 1e6:,.1f} ({d / least[name]:.2%})", f"{d / (mt * 1e6):,.0f}"]
        assert "| " + " | ".join(cells) + " |" in rows, cells
    assert quoted(f"no extra cost buys more than {old['target_t'].max() / 1e6:.2f} Mt a year on the 2023 network, "
                  f"{new['target_t'].max() / 1e6:.2f} Mt with the railway")
    assert all(cost_of(new, t) <= cost_of(old, t) + 1.0 for t in (0.15e6, 1.2e6, 1.45e6))  # the railway never dearer


def test_the_frontier_for_russia():
    table, _ = _frontier("country RU: dry_bulk,grain,metals,container", False)
    first, last = table.iloc[0], table.iloc[-1]
    assert quoted(f"non-oil cargo through Russia is {first.target_t / 1e6:.1f} Mt ({first.target_share:.0%})")
    assert last.target_t == pytest.approx(22.3e6)  # the coal to Russia's own power plants, and to Turkey by its ports
    allowed = []
    for mt, words in ((27.3, "164 M USD a year of resource cost (1.64%) takes it to 27.3 Mt"),
                      (25.0, "294 M (2.95%) to 25.0 Mt"), (22.3, "483 M (4.84%) to 22.3 Mt")):
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
    # general cargo tops iron ore on the rebuilt base year: its containers by the KKH emit 414 kg/t
    assert k["co2e_kg_per_t"].idxmax() == "general"
    assert quoted(f"general cargo the most per tonne, {k.loc['general', 'co2e_kg_per_t']:.1f} kg/t")
    assert quoted(f"iron ore, all by rail to China, {k.loc['ironore', 'co2e_kg_per_t']:.1f} kg/t")


def test_what_a_carbon_price_of_50_changes(base_run, scenario_run):
    from model.network.build import build_network
    from model.plan import Plan
    from model.results.tables import ALL

    priced = scenario_run("carbon_price")
    assert priced.data.settings.carbon_price_usd_per_t_co2 == 50
    b, p = base_run.results.summary, priced.results.summary
    bm, pm = b.money, p.money  # money in its kinds: the resource cost, the premiums apart
    assert quoted(f"The resource cost rises from {bm.resource_usd / 1e6:,.1f} to "
                  f"{pm.resource_usd / 1e6:,.1f} M USD/yr: "
                  f"{p.parts_usd['carbon'] / 1e6:,.1f} M is the carbon cost of what is still emitted, and the new "
                  f"allocation costs {(bm.resource_usd - pm.resource_usd + p.parts_usd['carbon']) / 1e6:,.1f} M less")
    assert quoted(f"gives up {(pm.premiums_usd - bm.premiums_usd) / 1e6:,.1f} M of calibration premiums "
                  f"({bm.premiums_usd / 1e6:,.1f} to {pm.premiums_usd / 1e6:,.1f} M)".replace("-", "−"))
    cut = b.co2e_t - p.co2e_t
    assert in_brief(f"the CO2e is {b.co2e_t / 1e6:.2f} Mt a year")
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
    assert b.fit.count == p.fit.count  # the same informative observations (identities are not counted)
    assert quoted(f"the fit falls from {b.fit.within} to {p.fit.within} of the {b.fit.count} informative observations")
    # A price of 1 USD per t CO2e: the tie-break already moves most of it.
    data = base_run.data.copy(settings=base_run.data.settings.replace(carbon_price_usd_per_t_co2=1.0))
    one = pipeline.tabulate(Plan.of_one(data, build_network(data)),
                            pipeline.solve(Plan.of_one(data, build_network(data))), pipeline.Analyses())
    china = one.corridors[one.corridors["commodity"] == ALL].set_index("corridor")["tonnes_t"]["China: rail"]
    assert quoted(f"a price of 1 USD per t CO2e already moves {(corridors[0]['China: rail'] - china) / 1e6:.2f} Mt")


def test_the_frontier_of_emissions():
    table, _ = _frontier("co2", False)
    t = table["target_t"] / 1e6
    floor = t.min()
    at = table[t <= floor + 1e-6].sort_values("objective_allowance_usd").iloc[0]  # the first point at the floor
    near = table[(t.round(2) == 9.68)].iloc[0]
    mid = table[(t.round(2) == 9.61)].iloc[0]
    p0 = table["calibration_premiums_usd"].iloc[0]
    # the resource cost falls along this frontier: premiums, not costs, hold the CO2e up
    assert near.extra_resource_cost_usd < 0 and mid.extra_resource_cost_usd < 0 and at.extra_resource_cost_usd < 0
    assert quoted(f"from {t.iloc[0]:.2f} Mt at least cost, 9.68 Mt costs {-near.extra_resource_cost_usd / 1e6:,.1f} M "
                  "USD a year less in resource cost")
    assert quoted(f"9.61 Mt, {-mid.extra_resource_cost_usd / 1e6:,.1f} M less")
    assert quoted(f"**{floor:.2f} Mt ({floor / t.iloc[0] - 1:.1%}), {-at.extra_resource_cost_usd / 1e6:,.1f} M USD a "
                  "year less**".replace("-", "−"))
    given = [f"{(r.calibration_premiums_usd - p0) / 1e6:,.1f}" for r in (near, mid, at)]
    allowed = [f"{r.objective_allowance_usd / 1e6:,.1f}" for r in (near, mid, at)]
    assert quoted(f"gives up calibration premiums ({given[0]}, {given[1]} and {given[2]} M), so the model's objective "
                  f"rises by {allowed[0]}, {allowed[1]} and {allowed[2]} M")


PLAN = ROOT / "inputs" / "plan_case.xlsx"


@pytest.mark.slow
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
        later = f"{plan[2030] / 1e6:,.1f}" if f"{plan[2030] / 1e6:,.1f}" == f"{plan[2035] / 1e6:,.1f}" else \
            f"{plan[2030] / 1e6:,.1f}, {plan[2035] / 1e6:,.1f}"
        assert rows["resource cost 2030 and 2035 (M USD/yr)"][n] == later
        assert rows["unmet 2026, 2030 and 2035 (Mt/yr)"][n] == ", ".join(
            f"{sheet.loc[y, 'unmet_t'] / 1e6:,.1f}".replace("0.0", "0") for y in (2026, 2030, 2035))
        assert rows["CPC debottlenecking, built whole from 2030 (Mt/yr)"][n] == f"{built['CPC_DEBOTTLENECK']:g}"
        assert rows["Caspian crossing modules from 2030 (Mt/yr)"][n] == f"{built['CASPIAN_CROSSING']:g}"
        assert built[["KAZ_TERMINAL_KHI", "GWD_TERMINAL"]].sum() == 0
        corridors = r.corridors[r.corridors["commodity"] == "All commodities"]
        pk = corridors[corridors["corridor"].str.contains("Karachi|Gwadar")]["tonnes_t"].sum()
        assert rows["via Karachi or Gwadar, the three years (Mt)"][n] == f"{pk / 1e6:.2f}"
        decisions = dict(r.summary.decisions.decisions)
        assert decisions["KAZ_TERMINAL_KHI"] == "do not build; building it would cost 28.5 M USD more in resource cost"
        assert decisions["GWD_TERMINAL"] == "do not build; building it would cost 42.8 M USD more in resource cost"
        assert quoted("the Karachi terminal would cost 28.5 M USD more in resource cost (discounted, 2026–39) and the "
                      "Gwadar terminal 42.8 M")
        if scenario is None:
            assert decisions["CPC_DEBOTTLENECK"] == ("do not build; building it would cost 200.1 M USD more in "
                                                     "resource cost")
            assert quoted("doing it would cost 200.1 M USD more in resource cost over the plan")


@pytest.mark.slow
def test_the_robust_plan():
    r = pipeline.run(PLAN, robust="russia_closed,torkham_closed,cpc_half").results
    robust = {item: value for item, value, _ in r.summary.robust}
    assert quoted(f"expected objective (resource cost, premiums and each scenario's unmet tonnes at the penalty) is "
                  f"{robust['expected objective (robust plan)'] / 1e6:,.1f} M USD")
    vss = robust["value of the stochastic solution"]
    assert vss > 0 and quoted(f"the value of the stochastic solution is {vss / 1e6:,.1f} M USD")
    assert robust["base-only plan builds"] == "nothing"
    assert r.investments.groupby("option")["built_t"].max()["CPC_DEBOTTLENECK"] == pytest.approx(10e6)


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


SCENARIOS = ["russia_closed", "torkham_closed", "cpc_half", "trans_afghan_open", "gwadar_tariff_cut", "high_grain",
             "invest", "russia_cap_2025", "carbon_price", "india_via_pakistan_closed", "af_pk_border_closed",
             "cpc_strike_2025", "year_2022", "year_2025"]


@pytest.fixture(scope="session")
def compared(scenario_run):
    """corridor compare's table of the base case and the shipped scenarios, and the run of each case
    it solved (recorded as compare makes them, so that the tests below share one solve per case; a case
    scenario_run solved already is not solved again, nor one solved here by the tests after)."""
    import model.analysis.compare
    from model.input.data import scenario_names
    from model.input.read import read_input

    # Every scenario the base case ships: a new one enters the table and the Pakistan figures below.
    assert scenario_names(read_input(BASE_XLSX)) == SCENARIOS
    runs = {}

    def recorded(path, scenario=None, **options):
        assert path == BASE_XLSX and options == {"keep_solver": False, "allocation": None}, options  # as solved
        runs[scenario or "base"] = done = scenario_run(scenario)
        return done

    with pytest.MonkeyPatch.context() as m:
        m.setattr(model.analysis.compare, "solve_case", recorded)
        table, _ = model.analysis.compare.compare(BASE_XLSX, SCENARIOS)
    assert list(runs) == ["base", *SCENARIOS]
    return table, runs


def test_the_scenarios_table(compared):
    table, _ = compared
    # Two tables on the page: the nine what-ifs, and the events of 2022-2025 (the worlds of the held-out rows)
    assert scenario_table(table, ["base", *SCENARIOS[:9]]) in README
    assert scenario_table(table, ["base", *SCENARIOS[9:]]) in README


def through_pakistan(results) -> float:
    """Tonnes on the routes through Pakistan (the Summary's focus)."""
    routes = results.routes
    return float(routes[routes["countries"].astype(str).str.split("-").apply(lambda cs: "PK" in cs)]["tonnes_t"].sum())


def test_what_holds_pakistan_in_each_scenario(compared):
    # The calibration rule of observation 19 holds Pakistan at 2023's tolerance, 0.05 Mt, in every scenario that
    # keeps the rules; russia_closed and cpc_half lift them, and containers then go through Pakistan.
    _, runs = compared
    pk = {name: through_pakistan(run.results) for name, run in runs.items()}
    lifted = {name for name, run in runs.items() if not run.data.settings.calibration_rules}
    # the events that change the crude (the strike, the worlds of 2022 and 2025) lift them too
    assert lifted == {"russia_closed", "cpc_half", "cpc_strike_2025", "year_2022", "year_2025"}
    assert all(pk[name] == pytest.approx(50000) for name in pk if name not in lifted | {"carbon_price"})
    assert quoted(f"Karachi ({pk['russia_closed'] / 1e6:.2f} Mt with Russia closed, {pk['cpc_half'] / 1e6:.2f} Mt with "
                  "the CPC halved)")
    assert all(pk[name] > 50000 for name in lifted)
    # Khunjerab's capacity outside winter (66,667 t) and the Pakistan market's 633 t of winter via Turkmenistan; on
    # the 2025 network Khunjerab passes 48,000 t in winter too (S90)
    assert pk["cpc_strike_2025"] == pytest.approx(67300, abs=1) and pk["year_2022"] == pytest.approx(67300, abs=1)
    assert pk["year_2025"] == pytest.approx(100000 * 8 / 12 + 48000, abs=1)
    assert quoted(f"so Pakistan carries {pk['year_2025'] / 1e6:.2f} Mt under year_2025 (as much as Khunjerab passes: "
                  f"0.07 Mt outside winter, 48 kt in it at December 2025's rate) and {pk['year_2022'] / 1e6:.2f} Mt "
                  "under the others")
    assert runs["cpc_strike_2025"].results.summary.unmet_t == pytest.approx(0, abs=1)  # nothing stranded in 2023


def test_the_worked_example(base_run):
    # The Routes sheet's Gwadar threshold, the three bottlenecks, the Russia cap and the closures.
    routes = base_run.results.routes.set_index(["route", "commodity"])
    gwd = routes.loc[("TRZ-AFCGWD-MSA", "fertiliser")]
    assert quoted(f"TRZ-AFCGWD-MSA, costs {gwd.cost_usd_per_t:,.2f} USD/t against a break-even of "
                  f"{gwd.break_even_cost_usd_per_t:,.2f} USD/t")
    b = base_run.results.bottlenecks
    for rec in b.head(3).itertuples(index=False):
        assert quoted(f"saves {rec.saving_usd_per_t:,.2f} USD a year")
        # under 10,000 t in tonnes (Khunjerab's winter row holds for 633 t on the rebuilt base year)
        more = rec.valid_for_more_t
        assert quoted(f"for up to {more / 1e6:,.2f} Mt" if more >= 1e4 else f"for up to {more:,.0f} t")


def test_the_russia_cap_sweep():
    from model.analysis.sweep import make_sweep, named_sweep, run_sweep

    data, _, _ = load_one_year(BASE_XLSX)
    assignments = named_sweep(data, "russia_cap")
    sweep = make_sweep(BASE_XLSX, data, assignments)
    from model.results.money import Money

    points = {round(p[0], 2): r
              for p, r in zip(sweep.points, run_sweep(sweep, progress=False), strict=True)}
    cost = {cap: Money.of_point(r).resource_usd for cap, r in points.items()}  # what the cap costs: resource cost
    free = cost[1.0]
    assert quoted(f"raises the annual resource cost from {free / 1e6:,.1f} to {cost[0.5] / 1e6:,.1f} million USD "
                  f"(+{(cost[0.5] - free) / 1e6:,.1f} million, +{cost[0.5] / free - 1:.1%})")
    assert quoted(f"40% to {cost[0.4] / 1e6:,.1f} million, **+{(cost[0.4] - free) / 1e6:,.1f} million USD a year "
                  f"(+{cost[0.4] / free - 1:.1%})**")
    assert cost[0.6] == pytest.approx(free) and cost[0.55] > free + 1  # binds below 60%
    premiums = {cap: Money.of_point(r).premiums_usd for cap, r in points.items()}
    assert quoted(f"gains {(premiums[1.0] - premiums[0.5]) / 1e6:,.1f} M of them at 50%), which is why the objective "
                  f"rises by only {(points[0.5].objective_usd - points[1.0].objective_usd) / 1e6:,.1f} million")
    assert quoted(f"The 2025 Russia cap costs {(cost[0.5] - free) / 1e6:,.1f} M USD a year in resource cost")
    assert in_brief(f"the 2025 Russia cap costs {(cost[0.5] - free) / 1e6:,.1f} M USD a year")


def test_the_closures():
    from model.analysis.stress import stress_test

    table, _ = stress_test(BASE_XLSX, progress=False)
    t = table.set_index("closed")
    # A calibration rule holds crude through the CPC: closing it is solved with the calibration rules off (it was
    # "no allocation"), and the row says which rule it set aside; the BTC contract still leaves Aktau none.
    assert t.loc["CPT", "status"] == "Optimal" and t.loc["CPT", "reason"].startswith("calibration rule CAL_1_MIN")
    assert t.loc["AKT", "status"] == "Infeasible"
    assert quoted("closing the CPC terminal, Ust-Luga, Novorossiysk or Makhachkala is solved with `calibration_rules` "
                  "off, and the row names the calibration rule set aside")
    assert quoted(f"closing the Russian rail border strands {t.loc['RUB', 'stranded_t'] / 1e6:,.2f} Mt")
    assert t.loc["RUB", "moved_to"].startswith("China: Lianyungang +5.48 Mt, Middle Corridor +3.01 Mt")
    assert quoted(f"closing Saryagash strands {t.loc['SRY', 'stranded_t'] / 1e6:,.2f} Mt")
    assert t.loc["DOS", "stranded_t"] == pytest.approx(0, abs=1)
    assert t.loc["DOS", "moved_to"].startswith("Russia: Black Sea +8.61 Mt")
    assert t.loc["DOS", "cost_increase_usd"] < 0  # the resource cost falls: premiums held the cargo on rail
    assert quoted(f"which costs {-t.loc['DOS', 'cost_increase_usd'] / 1e6:,.1f} million USD a year less in resource "
                  f"cost: what holds that cargo on rail to China is its calibration premium "
                  f"({t.loc['DOS', 'premiums_change_usd'] / 1e6:,.1f} M of premiums given up)")


@pytest.fixture(scope="session")
def estimated():
    from model.analysis.estimate import estimate

    return estimate(BASE_XLSX)


def test_the_estimated_dispersions_and_their_scores(estimated):
    # the README's route-choice section: the estimate on the base case reproduces the shipped Dispersions rows,
    # and its scores are the README's (choice beside least cost, fit and held out)
    from model.analysis.estimate_tables import POOLED

    written = estimated.written.set_index(estimated.written["cargo_class"].fillna("").astype(str))
    crude, pooled = written.loc["liquid_bulk"], written.loc[""]
    assert in_brief(f"crude (`liquid_bulk`) **{crude['dispersion_usd_per_t']:.2f} USD/t (standard error "
                    f"{crude['standard_error_usd_per_t']:.2f})**")
    assert in_brief(f"share a pooled **{pooled['dispersion_usd_per_t']:.2f} USD/t (standard error "
                    f"{pooled['standard_error_usd_per_t']:.2f})**")
    shipped = pd.read_excel(BASE_XLSX, sheet_name="Dispersions", engine="openpyxl")
    assert sorted(shipped["dispersion_usd_per_t"].round(2)) == sorted(written["dispersion_usd_per_t"].round(2))
    assert POOLED  # the blank row is the pooled one
    t, f = estimated.test_score, estimated.fit_score
    assert in_brief(f"the 5 held-out rows, {t.within_choice} of {t.count} within tolerance, weighted error "
                    f"{100 * t.error_choice:.1f}%, against least cost's {t.within_least_cost} of {t.count}, "
                    f"{100 * t.error_least_cost:.1f}%")
    assert in_brief(f"({f.within_choice} of {f.count} informative rows within tolerance, weighted error "
                    f"{100 * f.error_choice:.1f}%)")


def test_one_usd_on_a_single_leg_moves_under_a_million_tonnes_under_choice():
    # the README's knife edge: +1 USD/t on each leg alone, the largest tonnes moved, under least cost and choice
    from model.analysis.responses import leg_sensitivity
    from model.steps import load, solve

    found = {}
    for allocation in ("least_cost", "choice"):
        plan, _ = load(BASE_XLSX, allocation=allocation)
        found[allocation] = leg_sensitivity(plan, solve(plan))
    lc, ch = found["least_cost"], found["choice"]
    assert ch.largest_t < 1e6 < lc.largest_t
    assert in_brief(f"(Kostanay–Dostyk, `{lc.leg}`) moves **{lc.largest_t / 1e6:.2f} Mt**")
    assert in_brief(f"moves at most **{ch.largest_t / 1e6:.2f} Mt** (Atyrau–CPC, `{ch.leg}`), against "
                    f"{lc.largest_t / 1e6:.2f} Mt under least cost")


@pytest.mark.parametrize("scenario", [None, "year_2025"])
def test_what_pakistan_attracts_under_choice(scenario):
    # the brief's responses line (the Responses sheet's figures), as the README quotes them
    import re

    from model.results.responses import responses_line

    run = pipeline.run(BASE_XLSX, scenario=scenario, allocation="choice")
    line = responses_line(run.results.responses)
    found = re.search(r"attracts ([\d,.]+) kt a year; each USD/t cut at Karachi port adds ([\d,.]+) t, at Gwadar "
                      r"port ([\d,.]+) t", line)
    assert found, line
    attracts, karachi, gwadar = (float(x.replace(",", "")) for x in found.groups())
    if scenario is None:
        assert in_brief(f"{attracts:.1f} kt a year at today's costs; each USD/t cut at Karachi's port charge adds "
                        f"{karachi:.1f} t a year, at Gwadar's {gwadar:.1f} t")
    else:
        assert in_brief(f"(`--scenario year_2025`): {attracts:.1f} kt, and {karachi:.1f} t and {gwadar:.1f} t per "
                        "USD/t")


@pytest.mark.parametrize("recalibrate", [False, True], ids=["as calibrated", "recalibrated"])
@pytest.mark.parametrize("scenario", [None, "year_2025"])
def test_the_cuts_gwadar_and_karachi_need_with_their_ranges(scenario, recalibrate):
    # the README's "How sure": solve --uncertainty 200's brief lines (seed 0), the cut for a new route at each port
    # and what moves it most; with --recalibrate each draw recalibrated first
    import re

    from model.analysis.uncertainty.ranges import headline_ranges

    lines = dict(headline_ranges(BASE_XLSX, 200, scenario=scenario, recalibrate=recalibrate).lines)

    def figures(port: str) -> tuple[str, ...]:
        found = re.match(r"median ([\d,.]+) USD/t, 5–95%: ([\d,.]+) to ([\d,.]+) \(200 draws\); base case ([\d,.]+)"
                         r"(, below the 5–95% range)?; a cut in the port's bulk handling charge, Nodes\[\w+\]"
                         r"\.handling_usd_per_t \(cargo with a Tariffs row there pays that row instead\); moved most "
                         r"by group (\w+) \(\+([\d.]+) USD/t per standard deviation, linear fit R² [\d.]+; "
                         r"rank correlation \+[\d.]+\)",
                         lines[f"Cut for a new route at {port} port"])
        assert found, lines
        return found.groups()

    (g50, g5, g95, gb, gbelow, gd, gsd), (k50, k5, k95, kb, kbelow, kd, ksd) = figures("Gwadar"), figures("Karachi")
    china = recalibrate or scenario is None  # the calibration's hold on Pakistan's 2023 tonnes (README)
    assert gd == kd == ("china_rail" if china else "afghan_road")
    per_sd = round((float(gsd) + float(ksd)) / 2)
    if recalibrate and scenario is None:
        assert in_brief(f"on the base year the cut Gwadar needs before a new route starts is {g5} to {g95} USD/t "
                        f"(5–95%, median {g50}), Karachi's {k5} to {k95} (median {k50}); the base case's own cuts, "
                        f"{gb} and {kb}, lie below both ranges")
        assert gbelow and kbelow  # as the README says
        assert in_brief(f"The Chinese rail rates move each most, about {per_sd} USD/t a standard deviation on the base "
                        "year")
    elif recalibrate:
        assert in_brief(f"on the 2025 network {g5} to {g95} (median {g50}) and {k5} to {k95} (median {k50}). The "
                        "Chinese rail rates")
        assert in_brief(f"a standard deviation on the base year and {per_sd} on the 2025 network")
    elif scenario is None:
        assert in_brief(f"does the same on the base year: {g5} to {g95} (median {g50}) and {k5} to {k95} (median "
                        f"{k50})")
    else:
        assert in_brief(f"lifts the calibration rules, {g5} to {g95} (median {g50}) and {k5} to {k95} (median {k50}), "
                        f"moved most by the Afghan road rate (about {per_sd} USD/t a standard deviation)")
