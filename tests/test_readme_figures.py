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
        assert quoted(f"{r.summary.objective_usd / 1e6:,.1f}"), case
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
    assert quoted(f"{int(table['extra_cost_usd'].between(1, table['extra_cost_usd'].max() - 1).sum())} breakpoints "
                  f"in 0–5%, found with {solves} solves")
    rows = [line for line in README.splitlines() if line.startswith("| ") and line.count("|") == 5]
    for mt in (0.15, 0.35, 0.75, 1.08, 1.45):
        rec = table[(table["target_t"] / 1e6).round(2) == mt].iloc[0]
        cells = (f"| {rec.extra_cost_usd / 1e6:,.1f} | {rec.extra_cost_pct:.2%} | {mt:.2f} | "
                 f"{rec.extra_cost_usd / rec.target_t:,.0f} |")
        assert cells in rows, cells
    assert table["target_t"].max() == pytest.approx(1.45e6)


def test_the_frontier_for_russia():
    table, _ = _frontier("country RU: dry_bulk,grain,metals,container", False)
    first, last = table.iloc[0], table.iloc[-1]
    assert quoted(f"non-oil cargo through Russia is {first.target_t / 1e6:.1f} Mt ({first.target_share:.0%})")
    assert last.target_t == pytest.approx(20.3e6)  # the coal to Russia's own power plants
    for mt, words in ((24.5, "65 M USD a year (0.75%) takes it to 24.5 Mt"), (22.9, "152 M (1.75%) to 22.9 Mt"),
                      (20.3, "335 M (3.85%) to 20.3 Mt")):
        rec = table[(table["target_t"] / 1e6).round(1) == mt].iloc[0]
        assert f"{rec.extra_cost_usd / 1e6:,.0f} M" in words and f"({rec.extra_cost_pct:.2%})" in words, words
        assert quoted(words)
