"""The headlines with their ranges: the cut a port's charge needs in each draw (hand-worked on two routes), and
`corridor solve --uncertainty N`'s brief lines, whose percentiles are numpy's on the draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cases import legs, nodes, transport_case, write_case

from model.analysis.params import focus_of
from model.analysis.sweep import run_sweep
from model.analysis.uncertainty.design import Method, make_design, read_inputs
from model.analysis.uncertainty.figures import CUT, DrawReport
from model.analysis.uncertainty.ranges import port_names
from model.analysis.uncertainty.tables import quantities
from model.cli import main
from model.pipeline import load_one_year as load

ROAD = "Legs[R>M].cost_usd_per_t"
PORT_CUT = CUT + "Port R_usd_per_t"


def port_case(charge: float = 1.0, uncertainty: bool = True) -> dict:
    """1,000,000 t of coal A -> M: rail A>M at 10 USD/t; road A>R>M at 3 + R>M + R's charge, R a port of country
    YY charging `charge` USD/t; R>M uniform on [2, 22] (base 12). The road costs 4 + R>M with the charge at 1."""
    row = {"input": ROAD, "distribution": "uniform", "low": 2, "high": 22, "source": "hand"}
    return transport_case(
        Countries=[{"country": "XX", "risk_premium_pct": 0}, {"country": "YY", "risk_premium_pct": 0}],
        Nodes=nodes(("A", "origin"), ("R", "port", {"country": "YY", "name": "Port R", "handling_usd_per_t": charge}),
                    ("M", "market")),
        Legs=legs(("A", "M", 10, 1), ("A", "R", 3, 1), ("R", "M", 12, 1)),
        Demand=[{"commodity": "coal", "market": "M", "demand_t": 1e6}],
        **({"Uncertainty": [row]} if uncertainty else {}))


def test_each_draw_reports_the_cut_its_port_needs(tmp_path):
    # The road is unused where 4 + x > 10 (x = R>M > 6); its first tonnes move where the charge h makes
    # 3 + x + h = 10, h = 7 - x: a cut of 1 - (7 - x) = x - 6 from today's 1 USD/t (x = 12: 6 USD/t). Where
    # the road carries cargo already (x < 6) no route of the port is left to start: no cut (NaN).
    case = write_case(tmp_path, port_case(), {"focus": "country YY"})
    data, net, _ = load(case)
    watch = focus_of(net, data.settings.focus)
    assert port_names(data, net, watch) == (("R", "Port R"),)
    inputs = read_inputs(data)
    design = make_design(inputs, 60, Method.LHS, 0)
    sweep = design.sweep(Path(case), inputs, reported=DrawReport(watch, port_names(data, net, watch)))
    y = quantities(run_sweep(sweep, progress=False), watch)
    x = design.X[ROAD].to_numpy()
    expected = np.where(x > 6, x - 6, np.nan)
    assert np.isnan(expected).sum() == 12  # the hypercube: one draw in each 1/60 of [2, 22], 12 of them below 6
    assert y[PORT_CUT].to_numpy() == pytest.approx(expected, abs=1e-6, nan_ok=True)


def _brief(out: Path) -> dict[str, str]:
    summary = pd.read_excel(out, sheet_name="Summary", header=None, engine="openpyxl")
    return {str(k).removeprefix("range: "): str(v) for k, v in zip(summary[0], summary[1], strict=False)
            if str(k).startswith("range: ")}


def test_solve_uncertainty_puts_each_headline_with_its_range_in_the_brief(tmp_path, capsys):
    case = write_case(tmp_path, port_case(), {"focus": "country YY"})
    out = tmp_path / "r.xlsx"
    assert main(["solve", str(case), "--uncertainty", "40", "--no-map", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    data, _, _ = load(case)
    x = make_design(read_inputs(data), 40, Method.LHS, 0).X[ROAD].to_numpy()  # solve's draws: seed 0

    def shown(v: np.ndarray, divisor: float, decimals: int, unit: str) -> str:
        p5, p50, p95 = np.quantile(v, (0.05, 0.5, 0.95)) / divisor
        return (f"median {p50:,.{decimals}f} {unit}, 5–95%: {p5:,.{decimals}f} to {p95:,.{decimals}f} "
                f"({len(v)} draws)")

    # 1e6 t at the cheaper of rail (10) and road (4 + x) USD/t; the road's tonnes through YY; the cut x - 6
    cost, tonnes, cut = 1e6 * np.minimum(10, 4 + x), np.where(4 + x < 10, 1e6, 0.0), x[x > 6] - 6
    # and beside each the base case's own answer, at x = 12: 10 million USD, no tonnes through YY, a cut of 6 USD/t
    ranges = _brief(out)
    assert ranges["Resource cost"].startswith(shown(cost, 1e6, 1, "million USD/yr") + "; base case 10.0; moved most by "
                                              + ROAD)
    assert " million USD/yr per standard deviation, linear fit R²" in ranges["Resource cost"]  # the range's own unit
    assert ranges["Through country YY to other markets (focus)"].startswith(  # YY has no market: all of it transit
        shown(tonnes, 1e6, 2, "Mt/yr") + "; base case 0.00; a route through it to another market carries cargo in "
        f"{np.mean(4 + x < 10):.0%} of the draws")
    assert ranges["Cut for a new route at Port R"].startswith(
        shown(cut, 1, 1, "USD/t") + "; base case 6.0; a cut in the port's bulk handling charge, "
        "Nodes[R].handling_usd_per_t (cargo with a Tariffs row there pays that row instead); moved most by " + ROAD)
    assert f"Cut for a new route at Port R: {ranges['Cut for a new route at Port R']}" in said  # on the console


def test_a_range_line_says_a_yearly_unit_and_where_the_base_lies():
    # the headline's units (million USD/yr, Mt/yr); the base beside the range, in words where it lies outside it,
    # as shown (86.54 shows as 86.5, inside 86.5 to 90.0); a small base with two significant digits
    from model.results.brief import range_lines

    table = pd.DataFrame({"quantity": ["resource_cost_usd", "via PK_t", "cut_usd_per_t", "gap_usd_per_t"],
                          "p5": [1.1802e9, 0.0, 86.46, 1.0], "p50": [1.2401e9, 0.0, 88.0, 2.0],
                          "p95": [1.3025e9, 1.5e6, 90.0, 3.0], "base": [1.4e9, 1900.0, 86.54, 0.5]})
    assert range_lines(table, 200) == [
        "Resource cost: median 1,240.1 million USD/yr, 5–95%: 1,180.2 to 1,302.5 (200 draws); base case 1,400.0, "
        "above the 5–95% range",
        "Via PK: median 0.00 Mt/yr, 5–95%: 0.00 to 1.50 (200 draws); base case 0.0019",
        "Cut: median 88.0 USD/t, 5–95%: 86.5 to 90.0 (200 draws); base case 86.5",
        "Gap: median 2.0 USD/t, 5–95%: 1.0 to 3.0 (200 draws); base case 0.5, below the 5–95% range",
    ]


def test_a_driver_reads_with_the_name_of_its_node_or_leg_and_a_group_with_its_rows():
    # the page's "moved most by": the base case's CPC terminal by its name, a correlation group by its rows; an
    # input of many legs (a wildcard) or a setting as written
    from model.analysis.uncertainty.design import dimension_labels
    from model.steps import load_one_year

    data, _, _ = load_one_year(Path(__file__).resolve().parent.parent / "inputs" / "base_case.xlsx")
    labels = dimension_labels(read_inputs(data), data)
    assert labels["Capacities[CPT].capacity_t"] == "Capacities[CPT].capacity_t: CPC marine terminal (Novorossiysk)"
    assert labels["Countries[PK].risk_premium_pct"] == "Countries[PK].risk_premium_pct: Pakistan"
    assert labels["group china_rail"] == "group china_rail (8 rows)"
    assert labels["Settings[carrying_cost_rate].value"] == "Settings[carrying_cost_rate].value"


def test_a_group_that_switches_nothing_says_so_plainly(tmp_path):
    # Rail A>M at 1 USD/t; route B A>P>M at A>P + P>M, the group moving A>P on [2, 12] and P>M on [1, 9] together:
    # B costs at least 3 > 1, so it carries nothing at any quantile; the note says none carries cargo anywhere (not
    # "none ... at every quantile", which reads as some quantiles)
    from model.analysis.sweep import live_model
    from model.analysis.uncertainty.switching import switching_values

    rows = [{"input": "Legs[A>P].cost_usd_per_t", "distribution": "uniform", "low": 2, "high": 12, "group": "g"},
            {"input": "Legs[P>M].cost_usd_per_t", "distribution": "uniform", "low": 1, "high": 9, "group": "g"}]
    case = write_case(tmp_path, {
        "Countries": [{"country": "XX", "risk_premium_pct": 0}, {"country": "YY", "risk_premium_pct": 0}],
        "Nodes": nodes(("A", "origin"), ("P", "hub", {"country": "YY"}), ("M", "market")),
        "Legs": legs(("A", "M", 1, 1), ("A", "P", 8, 1), ("P", "M", 6, 1)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk", "value_usd_per_t": 0}],
        "Routes": [{"route": "A", "corridor": "Direct", "path": "A>M"},
                   {"route": "B", "corridor": "Via P", "path": "A>P>M"}],
        "Demand": [{"commodity": "coal", "market": "M", "demand_t": 100}],
        "Uncertainty": [{**r, "source": "hand"} for r in rows]}, {"focus": "corridor Via P"})
    data, _, _ = load(case)
    group = switching_values(live_model(case), read_inputs(data)).set_index("input").loc["group g"]
    assert group["note"] == ("no switch: of the focus's 1 route unused at base, none carries cargo anywhere from "
                             "quantile 0 to 1 of the group (its rows moved together)")


def test_a_range_lopsided_about_the_base_says_the_base_lies_outside_it(tmp_path):
    # R>M drawn on [13, 22] while its base is 12: each draw's cut is x - 6, 7 to 16 USD/t, and the base case's own
    # cut (x = 12) is 6 USD/t, below the whole range; the Ranges sheet holds it beside the range, and so does the
    # page's How sure
    from model.analysis.uncertainty.ranges import headline_ranges
    from model.report.maps.data import HeadlineRange
    from model.report.maps.page import how_sure

    case = port_case()
    case["Uncertainty"][0].update(low=13, high=22)
    ranges = headline_ranges(write_case(tmp_path, case, {"focus": "country YY"}), 40)
    line = dict(ranges.lines)["Cut for a new route at Port R"]
    assert "; base case 6.0, below the 5–95% range; a cut in the port's bulk handling charge, Nodes[R]" in line
    row = ranges.table.set_index("headline").loc["Cut for a new route at Port R"]
    assert row["base"] == pytest.approx(6.0, abs=1e-6) and row["p5"] > 7
    page = how_sure((HeadlineRange(**{**row.to_dict(), "headline": "cut", "moved_most_by": "",
                                      "probability": None, "change_per_sd": None}),), "")
    assert page is not None and page["rows"][0]["base"] == "6.0, below the 5–95% range"


def test_the_driver_and_its_figure_read_the_same_on_the_console_the_summary_and_the_ranges_sheet(tmp_path, capsys):
    # one set of words (drivers.main_driver) for every output: the Ranges sheet's moved_most_by is what the Summary's
    # and the console's line says after the range, and its change per standard deviation the figure in it
    case = write_case(tmp_path, port_case(), {"focus": "country YY"})
    out = tmp_path / "r.xlsx"
    assert main(["solve", str(case), "--uncertainty", "40", "--no-map", "-o", str(out)]) == 0
    said, ranges = capsys.readouterr().out, _brief(out)
    sheet = pd.read_excel(out, sheet_name="Ranges", header=2, engine="openpyxl").set_index("headline")
    cost = sheet.loc["Resource cost"]
    assert cost["moved most by"].startswith(ROAD + " (+") and "per standard deviation, linear fit R²" in \
        cost["moved most by"]
    assert f"{cost['change per sd']:,.1f} million USD/yr per standard deviation" in cost["moved most by"]
    for headline, rec in sheet.iterrows():
        assert ranges[headline].endswith("; moved most by " + rec["moved most by"]) or \
            ranges[headline].endswith("; " + rec["moved most by"]), (headline, ranges[headline])
        assert f"{headline}: {ranges[headline]}" in said


def test_solve_uncertainty_without_an_uncertainty_sheet_is_refused(tmp_path, capsys):
    case = write_case(tmp_path, port_case(uncertainty=False), {"focus": "country YY"})
    out = tmp_path / "r.xlsx"
    assert main(["solve", str(case), "--uncertainty", "40", "--no-map", "-o", str(out)]) == 2
    said = capsys.readouterr().err
    assert "no Uncertainty sheet" in said and "Add an Uncertainty sheet" in said, said
    assert not out.exists()  # nothing written


def test_uncertainty_cuts_prints_each_ports_range(tmp_path, capsys):
    # corridor uncertainty --cuts: the cut x - 6 of the draws where the road is unused (x > 6), as numpy has it
    case = write_case(tmp_path, port_case(), {"focus": "country YY"})
    out = tmp_path / "u.xlsx"
    assert main(["uncertainty", str(case), "--draws", "40", "--cuts", "--no-progress", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    data, _, _ = load(case)
    x = make_design(read_inputs(data), 40, Method.LHS, 0).X[ROAD].to_numpy()
    p5, p50, p95 = np.quantile(x[x > 6] - 6, (0.05, 0.5, 0.95))
    assert f"Cut for a new route at Port R: {p5:,.2f} to {p95:,.2f} USD/t (5-95%), median {p50:,.2f}" in said, said
    draws = pd.read_excel(out, sheet_name="Draws", header=2, engine="openpyxl")
    assert draws["cut for a new route at Port R (USD/t)"].to_numpy() == pytest.approx(
        np.where(x > 6, x - 6, np.nan), abs=1e-6, nan_ok=True)
