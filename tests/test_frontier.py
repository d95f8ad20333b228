"""corridor frontier, worked out by hand on the two-route case: 100 t of coal from A to M, rail A>M
at 2 USD/t, road A>R>M at 5 USD/t. The least cost is 200 USD (all by rail); each tonne moved to the
road costs 5 - 2 = 3 USD more, so the most the road can carry within an extra cost D is
min(100, D / 3) t, with one breakpoint at D = 300."""

from __future__ import annotations

import pandas as pd
import pytest

from cases import transport_case, write_case
from model.analysis.frontier import frontier, parse_costs, parse_target
from model.cli import main
from model.errors import InputError
from model.pipeline import load, solve


def frontier_of(case, target: str, extras, maximise: bool = True, exact: bool = False):
    plan, _ = load(case)
    table, solves = frontier(plan, solve(plan), parse_target(target, maximise, plan), extras, exact)
    return table, solves


def test_the_most_the_road_can_carry(tmp_path):
    table, _ = frontier_of(write_case(tmp_path, transport_case()), "corridor Road", [0, 150, 300, 450])
    assert list(table["target_t"]) == pytest.approx([0, 50, 100, 100])
    assert list(table["target_share"]) == pytest.approx([0, 0.5, 1, 1])
    # the cheapest allocation that reaches it spends exactly 3 USD a tonne moved, and no more
    # (no premium, no unmet demand: the resource cost is the objective)
    assert list(table["resource_cost_usd"]) == pytest.approx([200, 350, 500, 500])
    assert list(table["Road_t"]) == pytest.approx([0, 50, 100, 100])
    assert table["tonnes_per_usd_more"].iloc[1] == pytest.approx(1 / 3)  # one more USD buys a third of a tonne
    # the extra resource cost spent, of the least cost (200): at an allowance of 450 only 300 is spent
    assert list(table["extra_resource_cost_usd"]) == pytest.approx([0, 150, 300, 300])
    assert list(table["extra_cost_of_least_cost"]) == pytest.approx([0, 0.75, 1.5, 1.5])
    assert list(table["objective_allowance_usd"]) == pytest.approx([0, 150, 300, 450])


def test_exact_breakpoints(tmp_path):
    # Road capacity 60 t: the road is full at D = 60 * 3 = 180, the one breakpoint in [0, 450].
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "R", "capacity_t": 60}]))
    table, solves = frontier_of(case, "corridor Road", [0, 450], exact=True)
    assert list(table["objective_allowance_usd"]) == pytest.approx([0, 180, 450])
    assert list(table["target_t"]) == pytest.approx([0, 60, 60])
    assert solves <= 12
    assert "R handles at most 60 t" in table["binding"].iloc[2]


def test_the_least_through_a_corridor(tmp_path):
    # Least tonnes by rail: the mirror of the road, 100 - D / 3.
    table, _ = frontier_of(write_case(tmp_path, transport_case()), "corridor Rail", [0, 150, 300], maximise=False)
    assert list(table["target_t"]) == pytest.approx([100, 50, 0])


def test_a_plan_counts_tonnes_over_its_years(tmp_path):
    # Two years standing for 2 and 3 years, no discounting: the cost row is 2 * cost(2026) +
    # 3 * cost(2030), and the target 2 * road(2026) + 3 * road(2030). A weighted tonne still costs 3
    # weighted USD: at D = 750, 250 t over the plan; at D = 1,500 all of it, 100 * (2 + 3) = 500.
    case = write_case(tmp_path, transport_case(Periods=[{"year": 2026, "weight": 2}, {"year": 2030, "weight": 3}]))
    table, _ = frontier_of(case, "corridor Road", [0, 750, 1500])
    assert list(table["target_t_total"]) == pytest.approx([0, 250, 500])
    assert table.attrs["unit"] == "t over the plan"


def test_whole_terminals_point_by_point(tmp_path):
    # Rail 60 t of capacity; terminals BIG (+40 t, 80 USD a year whole) and SMALL (+30 t, 30 a year).
    # Least cost 260 with SMALL (rail 90 t). The most by rail: 90 t until BIG alone (rail 100 t at
    # 200 + 80 = 280) is within reach, at D = 20; in between nothing carries more. A step, sampled.
    options = [{"option": "BIG", "element": "A>M", "max_added_t": 40, "annualised_cost_usd_per_t": 2, "lumpy": True},
               {"option": "SMALL", "element": "A>M", "max_added_t": 30, "annualised_cost_usd_per_t": 1,
                "lumpy": True}]
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}], Investments=options),
                      settings={"allow_investments": "TRUE"})
    table, _ = frontier_of(case, "corridor Rail", [0, 10, 19.9, 20, 50])
    assert list(table["target_t"]) == pytest.approx([90, 90, 90, 100, 100])
    assert list(table["resource_cost_usd"]) == pytest.approx([260, 260, 260, 280, 280])
    with pytest.raises(InputError, match="point by point|each point is then solved as a MIP"):
        frontier_of(case, "corridor Rail", [0, 50], exact=True)


@pytest.mark.parametrize("text, message", [
    ("PK", "'PK' is not a target"),
    ("country PKK", "no enabled route passes country 'PKK'"),
    ("corridor road", "Did you mean 'Road'?"),
    ("corridor Road: coffee", "unknown commodity or cargo class coffee"),
])
def test_a_bad_target_is_named(tmp_path, text, message):
    plan, _ = load(write_case(tmp_path, transport_case()))
    with pytest.raises(InputError) as err:
        parse_target(text, True, plan)
    assert message in str(err.value)


def test_cost_specs():
    assert parse_costs("0:5%:3", 200.0, False) == pytest.approx([0, 5, 10])
    assert parse_costs("0,1%,50", 200.0, False) == pytest.approx([0, 2, 50])
    assert parse_costs("0:10%", 200.0, True) == pytest.approx([0, 20])
    for bad, message in (("0:-5%:3", "must be finite and at least 0"), ("0:5%", "is not start:stop:steps"),
                         ("a:b:c", "is neither a number of USD nor a percentage"), ("0:5%:1", "give 2 to 1,000")):
        with pytest.raises(InputError, match=message):
            parse_costs(bad, 200.0, False)


def test_the_command(tmp_path, capsys):
    case = write_case(tmp_path, transport_case(), xlsx=True)
    out = tmp_path / "frontier.xlsx"
    assert main(["frontier", str(case), "--maximise", "corridor Road", "--cost-within", "0:300:3", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Most tonnes of corridor Road for each extra resource cost over the least cost" in text
    points = pd.read_excel(out, sheet_name="Points", header=2, engine="openpyxl")
    assert list(points["target (t/yr)"]) == pytest.approx([0, 50, 100])
    assert out.with_suffix(".png").exists()
    with pytest.raises(SystemExit) as exit_:
        main(["frontier", str(case), "--cost-within", "0:300:3", "-o", str(out)])
    assert exit_.value.code == 2
    assert "one of the arguments --maximise --minimise is required" in capsys.readouterr().err


def test_cost_against_emissions(tmp_path):
    # Rail A>M: 100 km at 100 g CO2e/tkm = 0.01 t CO2e a tonne; road A>R>M: 2 x 50 km at 40 g = 0.004.
    # At least cost all 100 t go by rail: 1.0 t CO2e. Each tonne moved to the road costs 3 USD and saves
    # 0.006 t: 500 USD per t CO2e, so CO2e(D) = 1.0 - 0.002 D, down to 0.4 t at D = 300.
    tables = transport_case(Legs=[
        {"from": "A", "to": "M", "mode": "rail", "distance_km": 100, "co2_g_per_tkm": 100, "cost_usd_per_t": 2,
         "transit_days": 1},
        {"from": "A", "to": "R", "mode": "road", "distance_km": 50, "co2_g_per_tkm": 40, "cost_usd_per_t": 3,
         "transit_days": 1},
        {"from": "R", "to": "M", "mode": "road", "distance_km": 50, "co2_g_per_tkm": 40, "cost_usd_per_t": 2,
         "transit_days": 1}])
    case = write_case(tmp_path, tables)
    table, _ = frontier_of(case, "co2", [0, 150, 300, 450], maximise=False)
    assert list(table["target_t"]) == pytest.approx([1.0, 0.7, 0.4, 0.4])
    assert table["tonnes_per_usd_more"].iloc[1] == pytest.approx(-0.002)  # t CO2e per USD: 500 USD/t
    assert list(table["Road_t"]) == pytest.approx([0, 50, 100, 100])
    # through one corridor only: the rail's CO2e, which falls the same way
    table, _ = frontier_of(case, "co2 corridor Rail", [0, 150], maximise=False)
    assert list(table["target_t"]) == pytest.approx([1.0, 0.5])


def test_a_co2e_frontier_needs_every_distance(tmp_path):
    case = write_case(tmp_path, transport_case())  # legs without distance_km
    plan, _ = load(case)
    with pytest.raises(InputError, match="a frontier on CO2e needs the distance of every leg"):
        parse_target("co2", False, plan)
