"""Money in its kinds (model.results.money): the resource cost (what is paid, and what time, risk and
carbon cost), the calibration premiums (behaviour, never money) and unmet demand in tonnes with its
penalty (a price chosen in Settings) are kept apart everywhere a cost appears."""

from __future__ import annotations

import re

import pytest
from cases import transport_case, write_case

from model import pipeline
from model.cli import main
from model.report.console import solve_text
from model.report.read_results import read_results
from model.results.brief import brief_of

MT = 1e6


def kinds_case(tmp_path, xlsx: bool = False):
    """100 Mt of coal A -> M at a penalty of 1,000 USD/t. Rail A>M 2 USD/t plus a paid surcharge of
    0.5 (a transit fee), 60 Mt at most; road A>R>M 5 USD/t, 30 Mt at most (hub R), with a
    calibration premium of -1 USD/t (a Surcharges row corridor calibrate wrote)."""
    tables = transport_case(
        Demand=[{"commodity": "coal", "market": "M", "demand_t": 100 * MT}],
        Capacities=[{"element": "A>M", "capacity_t": 60 * MT}, {"element": "R", "capacity_t": 30 * MT}],
        Surcharges=[{"scope": "corridor", "target": "Rail", "usd_per_t": 0.5, "source": "transit authority"},
                    {"scope": "corridor", "target": "Road", "usd_per_t": -1.0, "source": "corridor calibrate"}],
        Scenarios=[{"scenario": "dear_fee", "sheet": "Surcharges", "key": "corridor,Rail,", "column": "usd_per_t",
                    "value": 1.5}])
    return write_case(tmp_path, tables, settings={"unmet_penalty_usd_per_t": 1000}, xlsx=xlsx)


def test_resource_cost_premiums_and_penalty_by_hand(tmp_path):
    # The model sees rail at 2.5 and road at 5 - 1 = 4, both far below the penalty: rail full (60 Mt),
    # road full (30 Mt), 10 Mt unmet.
    #   resource cost = 60 Mt x (2 + 0.5) + 30 Mt x 5 = 150 + 150 = 300 M USD/yr
    #     (of which the paid surcharge 60 x 0.5 = 30 M)
    #   premiums      = 30 Mt x -1 = -30 M USD/yr (behaviour, not paid)
    #   penalty       = 10 Mt x 1,000 = 10,000 M USD/yr (a price chosen in Settings)
    #   objective     = 300 - 30 + 10,000 = 10,270 M USD/yr
    run = pipeline.run(kinds_case(tmp_path), tmp_path / "r.xlsx")
    s = run.results.summary
    m = s.money
    assert m.resource_usd == pytest.approx(300 * MT)
    assert s.parts_usd["surcharge"] == pytest.approx(30 * MT)
    assert m.premiums_usd == pytest.approx(-30 * MT)
    assert m.unmet_t == pytest.approx(10 * MT) and m.penalty_usd == pytest.approx(10_000 * MT)
    assert s.objective_usd == pytest.approx(m.objective_usd) == pytest.approx(10_270 * MT)
    assert s.average_usd_per_t == pytest.approx(300 / 90)  # resource cost of a tonne shipped
    assert solve_text(run.results).splitlines()[1] == (
        "Resource cost 300.0 million USD/yr (transport 270.0, handling 0.0, time 0.0, risk 0.0, surcharge 30.0, "
        "carbon 0.0); calibration premiums -30.0 (behaviour, not paid); unmet 10.00 Mt (priced at 1,000 USD/t, the "
        "penalty chosen in Settings: 10,000.0 million USD/yr of the objective, not a cost)")
    # The same split from the written workbook alone (the brief of a report drawn later)
    assert brief_of(read_results(tmp_path / "r.xlsx")).headline[1] == solve_text(run.results).splitlines()[1]
    # One more Mt of road (hub R) delivers a stranded tonne: worth 1,000 - 4 = 996 USD/t, the penalty's
    b = run.results.bottlenecks.set_index("name")
    assert b.loc["R", "saving_usd_per_t"] == pytest.approx(996)
    assert b.loc["R", "set_by"] == "unmet-demand penalty"
    assert "set by the unmet-demand penalty of 1,000 USD/t chosen in Settings" in b.loc["R", "in_words"]
    assert "saves" not in b.loc["R", "in_words"]


def _objective_as_cost(text: str, objective_m: str) -> list[str]:
    """Lines that give the objective (in million USD, as printed) without naming it the objective."""
    return [line for line in text.splitlines() if objective_m in line and "objective" not in line.lower()]


@pytest.mark.slow
@pytest.mark.heavy
def test_no_command_presents_the_objective_as_cost(tmp_path, capsys):
    # The objective, 10,270.0 M USD/yr (see above), adds premiums and the penalty to the resource cost
    # (300.0 M): no output may print it as a cost; "Total cost" is gone.
    case = kinds_case(tmp_path, xlsx=True)
    out = {}
    for name, args in [
            ("solve", ["solve", str(case), "-o", str(tmp_path / "r.xlsx")]),
            ("compare", ["compare", str(case), "--scenarios", "dear_fee", "-o", str(tmp_path / "c.xlsx")]),
            ("stress", ["stress", str(case), "--elements", "hubs,legs", "-o", str(tmp_path / "s.xlsx")]),
            ("sweep", ["sweep", str(case), "--set", "Legs[A>R].cost_usd_per_t=3:4:2", "-o", str(tmp_path / "w.xlsx")]),
            ("frontier", ["frontier", str(case), "--maximise", "corridor Road", "--cost-within", "0:1%:2",
                          "-o", str(tmp_path / "f.xlsx")])]:
        assert main(args) == 0, name
        out[name] = capsys.readouterr().out
    for name, text in out.items():
        assert "Total cost" not in text and "total cost" not in text, (name, text)
        assert not _objective_as_cost(text, "10,270.0"), (name, text)
    # dear_fee: the rail fee 1.5, so rail costs 3.5 to the model and still fills: resource cost 360 M
    compare = {line[:26].strip(): line[26:].split() for line in out["compare"].splitlines()}
    assert compare["resource cost (M USD/yr)"] == ["300.0", "360.0"]
    assert compare["objective (M USD/yr)"] == ["10,270.0", "10,330.0"]
    assert "Resource cost from 300.0 to 330.0 million USD/yr" in out["sweep"]  # road at 3, then 4 USD/t
    # Closing hub R strands the road's 30 Mt: resource cost -150 M (nothing paid for them), not +30,000
    stress = next(line for line in out["stress"].splitlines() if line.startswith("R "))
    assert re.split(r"\s+", stress.strip())[1:3] == ["30.00", "-150.0"]
    # The Summary sheet: the objective's row is named the objective, the resource cost its own row
    summary = read_results(tmp_path / "r.xlsx")["Summary"].set_index("item")["value"]
    assert summary["resource cost"] == pytest.approx(300 * MT)
    assert summary["calibration premiums (behaviour, not paid)"] == pytest.approx(-30 * MT)
    assert summary["unmet demand penalty"] == pytest.approx(10_000 * MT)
    numbers = {item: v for item, v in summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    assert [item for item, v in numbers.items() if v == pytest.approx(10_270 * MT)] == ["objective"]


def test_a_capacity_range_is_stated_around_the_capacity_in_service(tmp_path):
    # Rail 60 t plus an option of +30 t at 1 USD/t, built whole (it saves 5 - 2 = 3 > 1): 90 t by rail,
    # 10 t by road. One more tonne of rail saves 3 USD while road tonnes are left to replace, up to a
    # total of 100 t (the demand); HiGHS ranges the row's own figure (60) from -30 to 70, i.e. a total
    # (60 + 30 built) from 0 to 100 t: stated around what is in service, never below 0 t.
    tables = transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}],
                            Investments=[{"option": "RAIL_PLUS", "element": "A>M", "max_added_t": 30,
                                          "annualised_cost_usd_per_t": 1}])
    run = pipeline.run(write_case(tmp_path, tables))
    assert run.results.bottlenecks["in_words"].tolist() == [
        "One more tonne a year of capacity at A>M (now 60 t, plus 30 t built) saves 3.00 USD a year; this holds "
        "for up to 10 t more (total capacity (with what is built) between 0 t (the physical bound) and 100 t)."]


@pytest.mark.parametrize("low, high, added, words", [
    (-2.86e6, 30.74e6, 0.0, "capacity between 0 t (the physical bound) and 30.74 Mt"),  # never negative
    (48.23e6, 58.23e6, 10e6, "total capacity (with what is built) between 58.23 Mt and 68.23 Mt"),
    (1e6, float("inf"), 0.0, "capacity from 1.00 Mt up, no upper limit"),  # unbounded: said, not blank
])
def test_capacity_range_words(low, high, added, words):
    from model.results.bottlenecks import capacity_range_text

    assert capacity_range_text(low, high, added) == words


def test_a_bottlenecks_value_is_stated_in_resource_cost(tmp_path):
    # Rail A>M 2 USD/t, 60 t at most; road 5 USD/t paid, with a calibration premium of -2 (the model
    # sees 3); 100 t demanded. Rail full, 40 t by road. One more tonne of rail replaces a road tonne:
    # in the objective 3 - 2 = 1 USD, in resource cost (what is paid) 5 - 2 = 3 USD.
    tables = transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}],
                            Surcharges=[{"scope": "corridor", "target": "Road", "usd_per_t": -2.0,
                                         "source": "corridor calibrate"}])
    run = pipeline.run(write_case(tmp_path, tables))
    b = run.results.bottlenecks.iloc[0]
    assert b["saving_usd_per_t"] == pytest.approx(1) and b["resource_saving_usd_per_t"] == pytest.approx(3)
    assert ("saves 3.00 USD a year in resource cost (the model's objective, which counts calibration premiums, "
            "values it at 1.00)") in b["in_words"]
    line = next(line for line in solve_text(run.results).splitlines() if line.startswith("A>M "))
    assert line.split()[2] == "3.00+"  # the console's 'saves USD/t' in resource cost, marked


def test_a_result_from_before_the_kinds_is_not_read_as_resource_cost():
    # A Summary written by an earlier version has no 'resource cost' row and its surcharge part held the
    # premiums: the brief names its figure the objective, never a resource cost.
    import pandas as pd

    old = pd.DataFrame([("scenario", "old", ""), ("objective", 8.6996e9, "USD/yr"), ("surcharges", -197.8e6, "USD/yr"),
                        ("shipped", 121.53e6, "t/yr"), ("average cost", 71.58, "USD/t")],
                       columns=["item", "value", "unit"])
    headline = brief_of({"Summary": old}).headline
    assert headline[1].startswith("Objective 8,699.6 million USD a year (premiums and unmet-demand penalty included")
    assert headline[2] == "Shipped 121.53 Mt a year"
    assert not any("Resource cost" in line for line in headline)


def test_a_value_that_holds_for_no_tonne_more_is_said_to_hold_only_at_the_margin():
    # A degenerate optimum: the shadow price of a limit holds for 0 t more. "Worth 939.52 USD a year
    # ... for up to 0 t more" contradicted itself (russia_closed, the Atasu pipeline); now it says so.
    from model.results.bottlenecks import holds_words

    assert holds_words(0.0, "for any increase", " more") == (
        "only at the margin: the next tonne already changes which limits bind (a degenerate optimum), so it is no "
        "value to plan on")
    assert holds_words(40.0, "for any increase", " more", " (capacity between 0 t and 100 t)") == \
        "for up to 40 t more (capacity between 0 t and 100 t)"
    assert holds_words(float("inf"), "for any increase") == "for any increase"


def test_a_frontier_point_that_buys_no_more_says_so():
    # The last two points carry the same tonnes: the larger allowance buys nothing; the console said
    # the same row twice (204.5 M, 1.45 Mt) without a word.
    import pandas as pd

    from model.lp.frontier import Target
    from model.report.console import frontier_text

    table = pd.DataFrame({"extra_resource_cost_usd": [0.0, 204.5e6, 204.5e6],
                          "extra_cost_of_least_cost": [0, 0.023, 0.023],
                          "calibration_premiums_usd": [0.0] * 3, "objective_allowance_usd": [0.0, 208e6, 435e6],
                          "status": ["Optimal"] * 3, "target_t": [0.0, 1.45e6, 1.45e6],
                          "target_share": [0, 0.012, 0.012]})
    text = frontier_text(table, Target("country", "PK", None, maximise=True), 8.9e9, "f.xlsx", "f.png")
    assert text.count("buys no more") == 1 and "an allowance of 435.0 M buys no more: the most there is" in text


@pytest.mark.slow
@pytest.mark.heavy
def test_flows_give_the_resource_cost_and_check_recomputes_it(tmp_path, capsys):
    # The Flows sheet's cost holds the premium (what the model compares); its resource cost (what is paid,
    # and time, risk and carbon) is the cost less the premium, summing to the Summary's resource cost, and
    # corridor check recomputes it: a resource cost 5 USD/t off is a violation.
    from conftest import BASE_XLSX
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    assert main(["solve", str(BASE_XLSX), "-o", str(out), "--no-map"]) == 0
    flows = read_results(out)["Flows"]
    assert flows["resource_cost_usd_per_t"].to_numpy() == pytest.approx(
        (flows["cost_usd_per_t"] - flows["premium_usd_per_t"]).to_numpy())
    assert flows["resource_cost_usd"].sum() == pytest.approx(9_980.4e6, abs=0.05e6)  # the README's resource cost
    wb = load_workbook(out)
    ws = wb["Flows"]
    j = [c.value for c in ws[3]].index("resource cost (USD/t)") + 1
    ws.cell(row=4, column=j).value += 5
    wb.save(out)
    capsys.readouterr()
    assert main(["check", str(BASE_XLSX), str(out)]) == 1
    assert "resource cost" in capsys.readouterr().out


@pytest.mark.slow
def test_a_plans_headline_gives_its_resource_cost_and_the_kinds_add_up_to_its_objective():
    # A plan led with its objective (premiums and penalty in it). Its money now comes first, weighted over
    # the years as the objective weighs them: resource cost + premiums (+ penalty, none here) = objective,
    # the objective being HiGHS's own figure.
    from conftest import ROOT

    run = pipeline.run(ROOT / "inputs" / "plan_case.xlsx")
    from model.report.console import plan_text

    text = plan_text(run.results)
    numbers = re.search(r"Resource cost ([\d,.-]+) million USD .*; calibration premiums ([\d,.-]+) \(behaviour", text)
    assert numbers, text
    resource, premiums = (float(n.replace(",", "")) for n in numbers.groups())
    assert resource + premiums == pytest.approx(run.results.summary.objective_usd / 1e6, abs=0.15)
    assert text.index("Resource cost") < text.index("Objective")
