"""What drives the uncertainty, and where the focus switches: Sobol' indices of a sum of two uniforms
worked out by hand (alone and through the model), rank correlations of monotone functions, the
change per standard deviation of a linear one, switching values of two routes by hand, the brief's
range lines and the tornado chart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cases import legs, nodes, write_case
from conftest import BASE_XLSX
from SALib.sample import sobol as sobol_sample
from scipy.stats import qmc

from model.analysis.params import find_cells
from model.analysis.sweep import live_model
from model.analysis.uncertainty.design import UncertainInput, read_inputs
from model.analysis.uncertainty.drivers import NO_SINGLE, SOBOL, drivers, main_driver
from model.analysis.uncertainty.switching import STRETCHES, switching_values
from model.cli import main
from model.errors import InputError
from model.input.schema import Distribution
from model.pipeline import load_one_year
from model.report import charts
from model.report.output import Outputs
from model.results.brief import range_lines

TWO = {"num_vars": 2, "names": ["x1", "x2"], "bounds": [[0, 1]] * 2}
LHS = "lhs"


def sobol_draws(n: int) -> np.ndarray:
    return sobol_sample.sample(TWO, n, calc_second_order=False, seed=7)


def assert_indices_of_the_sum(table: pd.DataFrame) -> None:
    # y = x1 + x2, x1 ~ U(0, 1), x2 ~ U(0, 2): Var x1 = 1/12, Var x2 = 4/12, Var y = 5/12 (independent);
    # y is additive, so S1 = ST: x1 explains (1/12) / (5/12) = 0.2 of the variance, x2 0.8.
    for name, share in (("x1", 0.2), ("x2", 0.8)):
        rec = table[table["input"] == name].iloc[0]
        for index in ("first_order", "total"):
            assert abs(rec[index] - share) <= rec[f"{index}_conf"], (name, index)  # within SALib's 95% interval
            assert rec[index] == pytest.approx(share, abs=0.02)


def test_first_order_indices_of_a_sum_of_two_uniforms_are_two_tenths_and_eight_tenths():
    u = sobol_draws(4096)
    table = drivers(TWO, u, pd.DataFrame({"y": u[:, 0] + 2 * u[:, 1]}), SOBOL)
    assert_indices_of_the_sum(table)
    # the intervals are a bootstrap's: the same seed gives the same table
    pd.testing.assert_frame_equal(table, drivers(TWO, u, pd.DataFrame({"y": u[:, 0] + 2 * u[:, 1]}), SOBOL))
    assert table["measure"].str.startswith("Sobol' first-order and total indices").all()
    assert (table["draws"] == 4096 * 4).all() and (table["note"] == "").all()


def two_leg_case(folder: Path) -> Path:
    # One route A>R>M, 1 t of coal; no time, risk or handling cost: the total cost is the two legs' costs.
    return write_case(folder, {
        "Countries": [{"country": "XX", "risk_premium_pct": 0}],
        "Nodes": nodes(("A", "origin"), ("R", "hub"), ("M", "market")),
        "Legs": legs(("A", "R", 0.5, 1), ("R", "M", 1, 1)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk", "value_usd_per_t": 0}],
        "Routes": [{"route": "ROAD", "corridor": "Road", "path": "A>R>M"}],
        "Demand": [{"commodity": "coal", "market": "M", "demand_t": 1}],
    })


@pytest.mark.slow
def test_the_same_indices_through_the_model(tmp_path):
    # The legs cost U(0, 1) and U(0, 2) USD/t; each draw solved on the live model: total cost = c1 + c2.
    live = live_model(two_leg_case(tmp_path))
    (first,), (second,) = (find_cells(f"Legs[{leg}].cost_usd_per_t", live.data) for leg in ("A>R", "R>M"))
    u = sobol_draws(512)
    cost = [live.solve_point({first: u1, second: 2 * u2}).objective_usd for u1, u2 in u]
    np.testing.assert_allclose(cost, u[:, 0] + 2 * u[:, 1], atol=1e-9)
    assert_indices_of_the_sum(drivers(TWO, u, pd.DataFrame({"total_cost_usd": cost}), SOBOL))


def test_a_draw_without_an_optimum_leaves_out_its_block_and_says_so():
    u = sobol_draws(4096)
    y = u[:, 0] + 2 * u[:, 1]
    y[5] = np.nan  # the second block's (rows 4-7: A, AB1, AB2, B) second row
    table = drivers(TWO, u, pd.DataFrame({"y": y}), SOBOL)
    assert_indices_of_the_sum(table)
    assert (table["draws"] == 4095 * 4).all()
    assert (table["note"] == "1 base draw with no value (no optimum) left out").all()


def lhs_draws(n: int = 200) -> np.ndarray:
    return qmc.LatinHypercube(d=2, seed=3).random(n)


def test_rank_correlations_of_monotone_functions_are_one():
    u = lhs_draws()
    table = drivers(TWO, u, pd.DataFrame({"rising": np.exp(3 * u[:, 0]), "falling": -u[:, 1] ** 3}), LHS)
    rho = table.set_index(["quantity", "input"])["rank_correlation"]
    assert rho["rising", "x1"] == pytest.approx(1.0) and rho["falling", "x2"] == pytest.approx(-1.0)
    assert table["measure"].str.startswith("Spearman rank correlation").all()


def test_the_change_per_standard_deviation_of_a_linear_function_is_its_slope_times_the_deviation():
    # y = 3 a - 2 b with a = 5 + 10 u1 and b = 2 u2 (the inputs' values): a straight line fits exactly (R^2 = 1)
    # and one standard deviation of a moves y by 3 sd(a), of b by -2 sd(b).
    u = lhs_draws()
    values = pd.DataFrame({"x1": 5 + 10 * u[:, 0], "x2": 2 * u[:, 1]})
    y = 3 * values["x1"] - 2 * values["x2"]
    status = ["Optimal"] * len(u)  # not a quantity: left out
    table = drivers(TWO, u, pd.DataFrame({"y": y, "status": status}), LHS, values=values).set_index("input")
    assert table.loc["x1", "change_per_sd"] == pytest.approx(3 * values["x1"].std())
    assert table.loc["x2", "change_per_sd"] == pytest.approx(-2 * values["x2"].std())
    assert table.loc["x1", "standardised_coefficient"] == pytest.approx(3 * values["x1"].std() / y.std())
    assert table["fit_r2"].to_numpy() == pytest.approx([1.0, 1.0])
    assert list(table["quantity"]) == ["y", "y"] and list(table["per_sd_of"]) == ["value", "value"]
    # A group's values are not one column: per standard deviation of its unit draw, 2 u2 = x2, the same change.
    grouped = drivers(TWO, u, pd.DataFrame({"y": y}), LHS, values=values[["x1"]]).set_index("input")
    assert grouped.loc["x2", "change_per_sd"] == pytest.approx(-2 * values["x2"].std())
    assert list(grouped["per_sd_of"]) == ["value", "unit draw"]


@pytest.mark.parametrize("method", [SOBOL, LHS])
def test_a_quantity_that_does_not_vary_has_no_drivers_and_says_so(method):
    u = sobol_draws(64) if method == SOBOL else lhs_draws()
    table = drivers(TWO, u, pd.DataFrame({"Pakistan_t": np.zeros(len(u))}), method)
    assert table.filter(regex="first_order|total|rank|change").isna().all().all()
    assert (table["note"] == "the same in every draw (0): nothing drives it").all()


def test_the_main_driver_is_the_largest_rank_correlation_and_a_poor_fits_change_is_not_quoted():
    # y = 10 [x1 > 0.95] + x2: a rare jump in x1, x2 orders 95% of the draws. The linear fit gives x1 the larger change
    # per standard deviation (cov(y, x1) / sd x1 = 10 (0.05 x 0.975 - 0.05 x 0.5) / 0.289 = 0.82 against x2's 0.29)
    # but explains little (R^2 = (0.2375^2 x 12 + 1/12) / (100 x 0.0475 + 1/12) = 0.16 < 0.2); the ranks are x2's.
    u = lhs_draws(400)
    y = 10 * (u[:, 0] > 0.95) + u[:, 1]
    table = drivers(TWO, u, pd.DataFrame({"gap_usd_per_t": y}), LHS)
    by = table.set_index("input")
    assert abs(by.loc["x1", "change_per_sd"]) > abs(by.loc["x2", "change_per_sd"]) and by["fit_r2"].iloc[0] < 0.2
    top = main_driver(table, "gap_usd_per_t")
    assert top is not None and top.input == "x2" and top.change_per_sd is None  # no slope from a fit this poor
    assert top.words == f"x2 (rank correlation +{by.loc['x2', 'rank_correlation']:.2f})"


def test_a_quantity_no_input_explains_names_none():
    # y independent of both inputs: every rank correlation near 0 (|rho| < 0.2 at 200 draws), a fit with R^2 near 0
    u = lhs_draws()
    y = np.random.default_rng(5).normal(size=len(u))
    top = main_driver(drivers(TWO, u, pd.DataFrame({"Pakistan_t": y}), LHS), "Pakistan_t")
    assert top is not None and top.input == "" and top.change_per_sd is None
    assert top.words.startswith(NO_SINGLE + " (largest: x")


def test_a_small_change_per_standard_deviation_keeps_two_significant_digits():
    # y = -1,600 x1 t (+ a little of x2): exactly linear, so its change per sd is quoted: -1,600 sd(x1) t =
    # -0.00046 Mt, never "-0.00 Mt"
    u = lhs_draws()
    y = -1600 * u[:, 0] + 10 * u[:, 1]
    top = main_driver(drivers(TWO, u, pd.DataFrame({"Pakistan_t": y}), LHS), "Pakistan_t")
    change = -1600 * u[:, 0].std(ddof=1) / 1e6
    assert top is not None and top.input == "x1" and top.change_per_sd == pytest.approx(change)
    assert top.words.startswith(f"x1 (−{abs(change):.2g} Mt/yr per standard deviation, linear fit R² 1.00; rank "
                                "correlation −1.00)"), top.words


def test_with_sobol_draws_the_main_driver_is_the_largest_total_index():
    u = sobol_draws(256)
    table = drivers(TWO, u, pd.DataFrame({"y": u[:, 0] + 2 * u[:, 1]}), SOBOL, seed=1)
    top = main_driver(table, "y")
    total = table.set_index("input").loc["x2", "total"]
    assert top is not None and top.input == "x2" and top.words == f"x2 (total Sobol' index {total:.2f})"
    assert top.change_per_sd is None  # Sobol' indices have no slope


def test_sobol_draws_of_the_wrong_shape_are_refused_with_the_shape_expected():
    u = sobol_draws(64)[:-1]
    with pytest.raises(InputError, match=r"255 Sobol' draws for 2 inputs: SALib's sequence without second-order "
                                         r"indices has N x 4 rows"):
        drivers(TWO, u, pd.DataFrame({"y": u[:, 0]}), SOBOL)


# ---------------------------------------------------------------------- switching values

def two_route_case(folder: Path) -> Path:
    # 100 t A -> M. Route A (corridor Direct) costs 10 USD/t; route B (corridor Via P) costs its leg A>P,
    # 20 USD/t at base, and nothing more (P>M costs 0). B is used below 10 USD/t, A above.
    return write_case(folder, {
        "Countries": [{"country": "XX", "risk_premium_pct": 0}, {"country": "YY", "risk_premium_pct": 0}],
        "Nodes": nodes(("A", "origin"), ("P", "hub", {"country": "YY"}), ("M", "market")),
        "Legs": legs(("A", "M", 10, 1), ("A", "P", 20, 1), ("P", "M", 0, 1)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk", "value_usd_per_t": 0}],
        "Routes": [{"route": "A", "corridor": "Direct", "path": "A>M"},
                   {"route": "B", "corridor": "Via P", "path": "A>P>M"}],
        "Demand": [{"commodity": "coal", "market": "M", "demand_t": 100}],
    }, {"focus": "corridor Via P"})


def uniform(live, text: str, low: float, high: float, factor: bool = False) -> UncertainInput:
    """An Uncertainty row varying text uniformly on [low, high] (with factor, multipliers of each cell's base)."""
    return UncertainInput(text, 2, tuple(find_cells(text, live.data)), factor, Distribution.UNIFORM, low, high, None,
                          None, None, "hand")


@pytest.fixture
def two_routes(tmp_path):
    return live_model(two_route_case(tmp_path))


@pytest.mark.parametrize(("varied", "value", "where"), [
    (("Legs[A>P].cost_usd_per_t", np.float64(5), np.float64(25)), 10, "inside"),  # as a table holds them
    (("Legs[A>P].cost_usd_per_t", 12, 25), 10, "outside"),  # found below the range
    (("Legs[A>P].cost_usd_per_t", 1, 4), 10, "outside"),  # found above it
    (("Legs[A>P].cost_usd_per_t", 0.25, 1.25, True), 0.5, "inside"),  # 0.5 x 20 = 10
    (("Legs[A>P].cost_usd_per_t", 0.6, 1.25, True), 0.5, "outside"),
])
def test_bs_switching_value_is_ten_and_said_inside_or_outside_its_range(two_routes, varied, value, where):
    rec = switching_values(two_routes, [uniform(two_routes, *varied)]).iloc[0]
    assert rec["switching_value"] == pytest.approx(value)
    assert (rec["in_range"], rec["route_used"], rec["route"], rec["note"]) == (where, "below", "B", "")


def test_a_rival_routes_cost_switches_the_focus_the_other_way(two_routes):
    # A's leg at 20 USD/t ties with B (20): above it the focus carries the 100 t.
    rec = switching_values(two_routes, [uniform(two_routes, "Legs[A>M].cost_usd_per_t", 5, 15)]).iloc[0]
    assert (rec["switching_value"], rec["in_range"], rec["route_used"]) == (pytest.approx(20), "outside", "above")


def test_a_country_focus_switches_where_its_corridor_does(two_routes):
    b = uniform(two_routes, "Legs[A>P].cost_usd_per_t", 5, 25)
    rec = switching_values(two_routes, [b], focus="country YY").iloc[0]
    assert (rec["switching_value"], rec["in_range"]) == (pytest.approx(10), "inside")


def test_an_input_that_never_switches_the_focus_says_how_far_it_was_searched(two_routes):
    # Demand moves no tonne between the routes: the focus is never used, from 0 (the least demand the
    # cell takes) to 150 + (2^STRETCHES - 1) x 100 above.
    rec = switching_values(two_routes, [uniform(two_routes, "Demand[coal,,M].demand_t", 50, 150)]).iloc[0]
    top = 150 + (2 ** STRETCHES - 1) * 100
    assert rec["switching_value"] != rec["switching_value"] and rec["in_range"] == ""
    assert rec["note"] == (f"no switch: of the focus's 1 route unused at base, none carries cargo anywhere from 0 "
                           f"to {top:,} (the range and up to {2 ** STRETCHES - 1} times its width either side, within "
                           "what the cells may hold)")


def test_a_focus_that_names_nothing_is_refused_with_the_fix(two_routes):
    with pytest.raises(InputError, match="focus: 'corridor Nowhere' names no country or corridor of the network.*"
                                         "Set focus to 'country CODE' or 'corridor NAME'"):
        switching_values(two_routes, [uniform(two_routes, "Legs[A>P].cost_usd_per_t", 5, 25)],
                         focus="corridor Nowhere")


def test_the_live_model_is_left_at_its_base(two_routes):
    switching_values(two_routes, [uniform(two_routes, "Legs[A>P].cost_usd_per_t", 5, 25)])
    # Base: A carries the 100 t at 10 USD/t.
    assert two_routes.solve().objective_usd == pytest.approx(1000)


def grouped_legs_case(folder: Path, distribution: str = "uniform") -> Path:
    # 100 t A -> M. Rail A>M costs 10 USD/t; route B (corridor Via P) costs A>P + P>M, 8 + 6 = 14 at base, so it is
    # unused. A>P (2..12) and P>M (1..9) are one correlation group: they move together.
    rows = [{"input": "Legs[A>P].cost_usd_per_t", "distribution": "uniform", "low": 2, "high": 12, "group": "g"},
            {"input": "Legs[P>M].cost_usd_per_t", "distribution": distribution, "low": 1, "high": 9, "group": "g",
             **({"mode": 5} if distribution == "triangular" else {})}]
    return write_case(folder, {
        "Countries": [{"country": "XX", "risk_premium_pct": 0}, {"country": "YY", "risk_premium_pct": 0}],
        "Nodes": nodes(("A", "origin"), ("P", "hub", {"country": "YY"}), ("M", "market")),
        "Legs": legs(("A", "M", 10, 1), ("A", "P", 8, 1), ("P", "M", 6, 1)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk", "value_usd_per_t": 0}],
        "Routes": [{"route": "A", "corridor": "Direct", "path": "A>M"},
                   {"route": "B", "corridor": "Via P", "path": "A>P>M"}],
        "Demand": [{"commodity": "coal", "market": "M", "demand_t": 100}],
        "Uncertainty": [{**r, "source": "hand"} for r in rows],
    }, {"focus": "corridor Via P"})


def test_a_group_switches_where_its_rows_moved_together_reach_the_rival(tmp_path):
    # Alone (the other leg at base): A>P + 6 = 10 at A>P = 4; 8 + P>M = 10 at P>M = 2. Together at the group's
    # quantile u: A>P = 2 + 10u, P>M = 1 + 8u, B = 3 + 18u = 10 at u = 7/18 = 0.3889, where A>P = 2 + 70/18 =
    # 5.8889 and P>M = 1 + 56/18 = 4.1111. Below it B carries the 100 t.
    case = grouped_legs_case(tmp_path)
    data, _, _ = load_one_year(case)
    table = switching_values(live_model(case), read_inputs(data))
    assert list(table["input"]) == ["Legs[A>P].cost_usd_per_t", "Legs[P>M].cost_usd_per_t", "group g"]
    assert list(table["switching_value"]) == pytest.approx([4, 2, 7 / 18])
    assert list(table["moved"]) == ["alone (its group moves together)"] * 2 + ["together (rows 2, 3)"]
    group = table.iloc[2]
    assert (group["of"], group["in_range"], group["route_used"], group["route"]) == (
        "quantile of the group", "inside", "below", "B")
    assert group["at_switch"] == "Legs[A>P].cost_usd_per_t 5.88889; Legs[P>M].cost_usd_per_t 4.11111"


def test_the_switching_sheet_and_the_terminal_say_which_rows_move_together(tmp_path, capsys):
    # The case above through corridor uncertainty: the group's line, u = 7/18, and each row alone, marked.
    case = grouped_legs_case(tmp_path)
    out = tmp_path / "u.xlsx"
    assert main(["uncertainty", str(case), "--draws", "20", "--no-progress", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert ("Switches inside its range: group g at 0.388889 of its quantile (Legs[A>P].cost_usd_per_t 5.88889; "
            "Legs[P>M].cost_usd_per_t 4.11111), where B starts\n") in said, said
    assert ("Switches inside its range: Legs[A>P].cost_usd_per_t at 4, where B starts, moved alone (its group moves "
            "together)\n") in said, said
    sheet = pd.read_excel(out, sheet_name="Switching", header=2, engine="openpyxl")
    assert list(sheet["moved"]) == ["alone (its group moves together)"] * 2 + ["together (rows 2, 3)"]
    assert sheet["switching value"].tolist() == pytest.approx([4, 2, 7 / 18])


def test_a_group_with_a_row_that_is_not_uniform_says_why_it_has_no_switching_value(tmp_path):
    # A triangular row's value is not a straight line in its quantile: the exact method cannot move the group.
    case = grouped_legs_case(tmp_path, "triangular")
    data, _, _ = load_one_year(case)
    group = switching_values(live_model(case), read_inputs(data)).iloc[2]
    assert group["switching_value"] != group["switching_value"]
    assert group["note"] == ("not computed: row 3 is triangular, so the group's cells do not move in a straight line "
                             "as its quantile moves, and the exact method needs them to")


# ---------------------------------------------------------------------- the brief and the chart

def test_the_brief_gives_each_headline_with_its_median_and_range():
    table = pd.DataFrame({"quantity": ["resource_cost_usd", "Pakistan_t", "Gwadar gap_usd_per_t", "used"],
                          "p5": [1.1802e9, 0.0, 61.04, 0.25], "p50": [1.2401e9, 0.0, 112.0, 0.5],
                          "p95": [1.3025e9, 1.5e6, 152.36, float("nan")]})
    assert range_lines(table, 1000) == [
        "Resource cost: median 1,240.1 million USD/yr, 5–95%: 1,180.2 to 1,302.5 (1,000 draws)",
        "Pakistan: median 0.00 Mt/yr, 5–95%: 0.00 to 1.50 (1,000 draws)",
        "Gwadar gap: median 112.0 USD/t, 5–95%: 61.0 to 152.4 (1,000 draws)",
        "Used: no range (no draw was solved)",
    ]


@pytest.fixture
def figures(monkeypatch):
    kept = []

    def keep(fig, outputs, path: Path) -> Path:
        fig.tight_layout()
        kept.append(fig)
        return path

    monkeypatch.setattr(charts, "_save", keep)
    yield kept
    import matplotlib.pyplot as plt

    for fig in kept:
        plt.close(fig)


def test_the_tornado_puts_the_largest_driver_on_top_and_names_its_measure(figures):
    names = {"num_vars": 3, "names": ["small", "large", "middle"], "bounds": [[0, 1]] * 3}
    u3 = qmc.LatinHypercube(d=3, seed=5).random(300)
    table = drivers(names, u3, pd.DataFrame({"gap_usd_per_t": u3[:, 0] - 10 * u3[:, 1] + 3 * u3[:, 2]}), LHS)
    charts.tornado_png(Outputs("uncertainty"), table, "gap_usd_per_t", Path("t"))
    ax = figures[0].axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["small", "middle", "large"]  # drawn bottom up: the largest on top
    widths = [p.get_width() for p in ax.patches]
    assert widths[2] < 0 < widths[1] and abs(widths[2]) > widths[1] > widths[0] > 0  # either side of zero
    # the bars are what the title and the axis say they are: each input's rank correlation, in words, no raw suffix
    rho = table.set_index("input")["rank_correlation"]
    assert widths == pytest.approx([rho["small"], rho["middle"], rho["large"]])
    assert ax.get_title() == "What drives Gap (USD/t): Spearman rank correlation (300 draws)"
    assert ax.get_xlabel() == "Spearman rank correlation of the input with Gap (USD/t) (−1 to +1)"
    sobol = drivers(TWO, sobol_draws(256), pd.DataFrame({"y": np.zeros(256 * 4)}), SOBOL)
    charts.tornado_png(Outputs("uncertainty"), sobol, "y", Path("s"))  # nothing varies: said on the chart
    assert [t.get_text() for t in figures[1].axes[0].texts] == ["the same in every draw (0): nothing drives it"]


@pytest.mark.slow
def test_on_the_base_case_pakistans_first_tonnes_by_gwadar_come_at_the_sensitivity_pages_port_charge():
    # docs/case-studies/sensitivity.md (sweep --exact): the first tonnes move to Gwadar at a port charge of
    # -78.53 USD/t, fertiliser via Turkmenistan, Chaman and Gwadar; Pakistan already carries containers by Karachi.
    live = live_model(BASE_XLSX)
    table = switching_values(live, [uniform(live, "Nodes[GWD].handling_usd_per_t", -100, 8),
                                    uniform(live, "Nodes[GWD].handling_usd_per_t", -60, 8),
                                    uniform(live, "Policies[RU_CAP].value", 0.4, 0.7)], focus="country PK")
    assert list(table["switching_value"].iloc[:2]) == pytest.approx([-78.53, -78.53], abs=0.005)
    assert list(table["in_range"]) == ["inside", "outside", ""]
    assert list(table["route"].iloc[:2]) == ["TRZ-TMCGWD-MSA"] * 2
    assert table["note"].iloc[2].startswith("the exact method cannot find it: 'Policies[RU_CAP].value' is a share")


def test_no_linear_fit_and_no_driver_named_from_fewer_draws_than_the_fit_has_unknowns():
    # 5 inputs, 6 draws: the fit y = b0 + sum b_i x_i has 6 unknowns, so it passes through every draw (R^2 = 1)
    # whatever y is, and its coefficients say nothing (the shipped base case, 16 dimensions at --draws 8, named
    # group afghan_road as the cost's driver, at 20 draws the value of time). Only y = x1 matters here, yet an
    # exact fit spreads it over the others. With 7 draws (one degree of freedom left) the fit is made.
    problem = {"num_vars": 5, "names": [f"x{i}" for i in range(1, 6)], "bounds": [[0, 1]] * 5}
    for n, fitted in ((6, False), (7, True)):
        u = qmc.LatinHypercube(d=5, seed=np.random.default_rng(3)).random(n)
        y = pd.DataFrame({"y": u[:, 0] + 0.01 * np.sin(40 * u[:, 1:]).sum(axis=1)})
        table = drivers(problem, u, y, LHS)
        assert np.isfinite(table["change_per_sd"]).all() == fitted, table
        assert np.isfinite(table["rank_correlation"]).all()  # each input's rank correlation stands
        if not fitted:
            assert np.isnan(table["fit_r2"]).all()
            assert table["note"].iloc[0] == ("6 draws cannot fit a straight line in 5 inputs (it needs at least 7): "
                                             "no change per standard deviation; give more --draws"), table["note"]


def test_salibs_warnings_do_not_reach_the_terminal():
    # A quantity the same in every A and B row of Saltelli's blocks (it moves only in the rows with one input
    # swapped) makes SALib warn "Constant values encountered" on stderr, a library's file and line, which a
    # planner cannot act on; the indices and their note are what is said.
    import warnings

    u = sobol_draws(4)
    y = pd.DataFrame({"y": np.tile([1.0, 2.0, 3.0, 1.0], len(u) // 4)})  # A, AB_1, AB_2, B: A = B = 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drivers(TWO, u, y, SOBOL)
    assert [str(w.message) for w in caught] == []
