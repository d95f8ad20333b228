"""The charts beside a sweep, comparison or frontier: one colour per corridor, the map's, never
repeated; tick labels that do not overlap; a legend that covers no bar. Each chart is drawn for real
and its figure inspected before it is closed (model.report.charts._save is wrapped)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from model.report import charts
from model.report.maps.palette import CORRIDOR_COLOURS, MIN_DELTA_E, corridor_colours, delta_e, series_colours
from model.report.output import Outputs


@pytest.fixture
def figures(monkeypatch):
    """The figures the charts draw, drawn out (renderer ready) and kept open for the test."""
    kept = []

    def keep(fig, outputs, path: Path) -> Path:
        fig.tight_layout()
        fig.canvas.draw()
        kept.append(fig)
        return path

    monkeypatch.setattr(charts, "_save", keep)
    yield kept
    import matplotlib.pyplot as plt

    for fig in kept:
        plt.close(fig)


def boxes_apart(boxes) -> bool:
    return not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def test_every_palette_colour_is_far_from_every_other_and_from_land_and_sea():
    # Makhachkala and Gwadar via Afghanistan were two teals 20 apart (CIE76), Saryagash and Bolashak 14.
    colours = list(CORRIDOR_COLOURS.values())
    assert min(delta_e(a, b) for a, b in itertools.combinations(colours, 2)) >= MIN_DELTA_E
    assert delta_e(CORRIDOR_COLOURS["Russia: Caspian (Makhachkala)"],
                   CORRIDOR_COLOURS["Gwadar via Afghanistan"]) >= MIN_DELTA_E


@pytest.mark.slow
def test_forty_corridors_get_forty_colours_the_same_every_run():
    names = list(CORRIDOR_COLOURS) + [f"Corridor {k}" for k in range(20)]
    colours = corridor_colours(names)
    assert len(set(colours.values())) == 40 and colours == corridor_colours(list(reversed(names)))
    assert all(colours[c] == CORRIDOR_COLOURS[c] for c in CORRIDOR_COLOURS)
    new = [colours[f"Corridor {k}"] for k in range(20)]
    assert min(delta_e(a, b) for a, b in itertools.combinations(new, 2)) > 10
    assert len(set(series_colours(30))) == 30


def test_sweep_shares_use_the_maps_colours_and_never_repeat_one(figures):
    # Eleven corridors: matplotlib's default cycle has ten colours, so the eleventh repeated the first.
    names = list(CORRIDOR_COLOURS)[:11] + ["A new corridor"]
    points = pd.DataFrame({"p": [0.0, 1.0], "status": ["Optimal"] * 2, "resource_cost_usd": [1e9, 2e9],
                           **{f"{n} share": [0.1, 0.05] for n in names}})
    charts.sweep_pngs(Outputs("sweep"), points, ["p"], Path("s"))
    lines = figures[1].axes[0].get_lines()
    drawn = {line.get_label(): to_hex(line.get_color()) for line in lines}
    assert drawn == corridor_colours(names)
    assert len(set(drawn.values())) == len(names)


def test_heat_map_ticks_are_few_short_and_apart(figures):
    # 14 x 3 points from linspace: labels were '-11.8462', '-31.6923', ... one per row.
    gwd, co2 = np.linspace(-250, 8, 14), [0.0, 50.0, 100.0]
    points = pd.DataFrame([(a, b, 8e9 + a * 1e6 + b * 1e7) for a in gwd for b in co2],
                          columns=["gwd", "co2", "resource_cost_usd"])
    points["status"] = "Optimal"
    charts.sweep_pngs(Outputs("sweep"), points, ["gwd", "co2"], Path("h"))
    ax = figures[0].axes[0]
    ys = [t for t in ax.get_yticklabels() if t.get_text()]
    assert 2 <= len(ys) <= charts.MOST_TICKS and all(len(t.get_text()) <= 5 for t in ys)
    renderer = figures[0].canvas.get_renderer()
    assert boxes_apart([t.get_window_extent(renderer) for t in ys])
    assert boxes_apart([t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()])


@pytest.mark.parametrize("values, texts", [
    (np.linspace(-250, 8, 14), ["-250", "-210", "-171", "-131", "-91", "-52", "-12"]),
    (np.linspace(-5.5, -5, 14), ["-5.5", "-5.42", "-5.35", "-5.27", "-5.19", "-5.12", "-5.04"]),
    ([0.0, 50.0, 100.0], ["0", "50", "100"]),
    ([56e6, 57e6], ["56,000,000", "57,000,000"]),
])
def test_tick_texts_have_the_fewest_decimals_that_tell_ticks_apart(values, texts):
    at, shown = charts.tick_texts(values)
    assert shown == texts and len(at) == len(texts)


def test_the_compare_legend_covers_no_bar_and_scenarios_have_their_own_colours(figures):
    scenarios = [f"scenario {k}" for k in range(12)]
    corridors = list(CORRIDOR_COLOURS)[:6]
    table = pd.DataFrame({"metric": [f"corridor: {c}" for c in corridors], "unit": "t",
                          **{s: [(k + 1) * 1e6 * (j + 1) for j in range(len(corridors))]
                             for k, s in enumerate(scenarios)}})
    charts.compare_png(None, table, Path("c"))
    fig = figures[0]
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    bars = [p.get_window_extent(renderer) for p in ax.patches]
    assert bars and not any(legend.overlaps(b) for b in bars)
    assert len({to_hex(c.patches[0].get_facecolor()) for c in ax.containers}) == len(scenarios)


# What the frontier prints beside its chart: figures that move one way only, shown so.
@pytest.mark.parametrize("values, rising, texts", [
    # The plan frontier's last two points: 65,935,000 t and 65,934,999.99999998 t read 65.94 then 65.93.
    ([65.935, 65.93499999999998], True, ["65.94", "65.94"]),
    # Different values that would read alike get a decimal or two more; equal values read alike.
    ([9.0912, 9.0876, 8.966, 8.966], False, ["9.091", "9.088", "8.97", "8.97"]),
    ([1.0, 1.00004, 1.0003], True, ["1.0000", "1.0000", "1.0003"]),
    # A real step against the direction (beyond the solver's tolerance) is not hidden.
    ([2.0, 1.5], True, ["2.00", "1.50"]),
])
def test_a_monotone_series_is_shown_monotone(values, rising, texts):
    from model.report.console import monotone_texts

    assert monotone_texts(values, rising) == texts


def test_the_co2_frontier_shows_no_share_of_tonnes_and_the_tonnes_frontier_does():
    from model.lp.frontier import Target
    from model.report.console import frontier_text

    table = pd.DataFrame({"extra_resource_cost_usd": [0.0, 1e6], "extra_cost_of_least_cost": [0.0, 0.001],
                          "calibration_premiums_usd": [0.0, 0.0], "objective_allowance_usd": [0.0, 1e6],
                          "status": ["Optimal"] * 2, "target_t": [9.3e6, 9.1e6], "target_share": [1.0, 1.0]})
    co2 = frontier_text(table, Target(None, None, None, maximise=False, co2=True), 1e9, "f.xlsx", "f.png")
    assert "share" not in co2 and "100.0%" not in co2 and "9.30" in co2 and "9.10" in co2
    tonnes = frontier_text(table.assign(target_share=[0.5, 0.6]), Target("country", "PK", None, maximise=True),
                           1e9, "f.xlsx", "f.png")
    assert "share" in tonnes and "60.0%" in tonnes


def test_the_co2_frontier_workbook_has_no_share_column(tmp_path, capsys):
    from conftest import BASE_XLSX

    from model.cli import main

    out = tmp_path / "co2.xlsx"
    assert main(["frontier", str(BASE_XLSX), "--minimise", "co2", "--cost-within", "0:1%:2", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "share" not in printed and not any(line.rstrip().endswith("100.0%") for line in printed.splitlines())
    points = pd.read_excel(out, sheet_name="Points", header=2)
    assert "target (t/yr)" in points.columns and not any("share" in str(c) for c in points.columns)


def fill_of(shape) -> str:
    """A chart series' or bar's fill as '#rrggbb'."""
    colour = shape.graphicalProperties.solidFill.srgbClr
    return "#" + (colour if isinstance(colour, str) else colour.val).lower()


@pytest.mark.slow
def test_the_result_workbooks_corridor_bars_take_the_maps_colours(tmp_path, capsys):
    # Excel gave the one series a single colour, and the commodities its six theme colours over again.
    from conftest import BASE_XLSX
    from openpyxl import load_workbook

    from model.cli import main

    out = tmp_path / "r.xlsx"
    assert main(["solve", str(BASE_XLSX), "-o", str(out), "--no-map"]) == 0
    capsys.readouterr()
    ws = load_workbook(out)["Corridors"]
    by_corridor, by_commodity = ws._charts  # openpyxl keeps a read workbook's charts here
    names = [ws.cell(row=4 + i, column=2).value for i in range(len(by_corridor.series[0].dPt))]
    fills = [fill_of(p) for p in by_corridor.series[0].dPt]
    # 16 corridors carry tonnes on the base year of issue 24: Karachi via Turkmenistan takes Pakistan's 633 t of
    # winter, when Khunjerab is closed
    assert len(names) == 16 and fills == [corridor_colours(names)[n] for n in names]
    shades = [fill_of(s) for s in by_commodity.series]
    assert len(shades) > 6 and len(set(shades)) == len(shades)


def test_a_corridor_frontier_is_drawn_in_the_corridors_map_colour(figures):
    table = pd.DataFrame({"status": ["Optimal"] * 2, "extra_cost_of_least_cost": [0.0, 0.01],
                          "target_t": [1e6, 2e6]})
    charts.frontier_png(None, table, "corridor Middle Corridor", Path("f"))
    (line,) = figures[0].axes[0].get_lines()
    assert to_hex(line.get_color()) == CORRIDOR_COLOURS["Middle Corridor"]


def test_the_compare_chart_names_the_corridors_no_case_uses_instead_of_drawing_empty_rows(figures):
    # Compare keeps every corridor at 0 t (Pakistan carrying nothing is an answer); the chart drew eight
    # empty rows for them, 3,520 pixels tall. It draws the used ones and names the others.
    table = pd.DataFrame({"metric": ["corridor: Russia: Baltic", "corridor: Gwadar via KKH", "corridor: Iran"],
                          "unit": "t", "base": [10e6, 0.0, 0.0], "dear": [9e6, 0.0, 1e5],
                          "dear - base": [-1e6, 0, 1e5]})
    charts.compare_png(Outputs("compare"), table, Path("c"))
    ax = figures[0].axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Russia: Baltic", "Iran"]
    assert "Carrying nothing in any case: Gwadar via KKH." in ax.get_xlabel()
