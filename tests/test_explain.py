"""corridor explain: sentences that add up to the route's gap, worked out by hand."""

from __future__ import annotations

import pytest
from cases import legs, nodes, transport_case, write_case

from model import pipeline
from model.analysis.explain import explain_route
from model.cli import main
from model.errors import InputError


def test_unused_route_cost_against_market_value(tmp_path):
    # All 100 t by rail at 2 USD/t; road costs 3 + 2 = 5: 3 USD/t too expensive, break-even 2.
    run = pipeline.run(write_case(tmp_path, transport_case()))
    (text,) = explain_route(run, "ROAD")
    assert "not used. It costs 5.00 USD/t" in text
    assert "a tonne of coal at M is worth 2.00 USD/t at the margin (Demand row 2)" in text
    assert "So it is 3.00 USD/t too expensive: it would carry cargo if its cost fell below 2.00 USD/t." in text
    assert "The route that wins, RAIL (Rail), carries 100,000 t" not in text  # 100 t, not 100,000
    assert "The route that wins, RAIL (Rail), carries 100 t at 2.00 USD/t" in text
    assert "No capacity on this route is full" in text


def test_used_route_and_its_cost_range(tmp_path):
    run = pipeline.run(write_case(tmp_path, transport_case()))
    (text,) = explain_route(run, "RAIL")
    assert "carries 100 t a year of the 100 t demanded (Demand row 2) at 2.00 USD/t" in text
    assert "while its cost stays between" in text and "and 5.00 USD/t" in text


def test_route_behind_a_full_hub(tmp_path):
    # Hub H handles 50 t. M1 wants 80 t: via H 2 USD/t, direct 10. M2 wants 50 t: via H 2, direct 4.
    # H goes to M1 (saves 8 a tonne against 2 for M2); M1's other 30 t go direct at 10, so H's shadow
    # price is 10 - 2 = 8 and M2's marginal value is 4. A>H>M2: 2 - 4 + 8 = 6 USD/t too expensive;
    # break-even 2 - 6 = -4: no cost cut alone helps, capacity at H would.
    tables = {
        "Nodes": nodes(("A", "origin"), ("H", "hub"), ("M1", "market"), ("M2", "market")),
        "Legs": legs(("A", "H", 1, 0), ("H", "M1", 1, 0), ("H", "M2", 1, 0), ("A", "M1", 10, 0), ("A", "M2", 4, 0)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk"}],
        "Routes": [{"route": "H1", "corridor": "Hub", "path": "A>H>M1"},
                   {"route": "H2", "corridor": "Hub", "path": "A>H>M2"},
                   {"route": "D1", "corridor": "Direct", "path": "A>M1"},
                   {"route": "D2", "corridor": "Direct", "path": "A>M2"}],
        "Capacities": [{"element": "H", "capacity_t": 50}],
        "Demand": [{"commodity": "coal", "market": "M1", "demand_t": 80},
                   {"commodity": "coal", "market": "M2", "demand_t": 50}],
    }
    run = pipeline.run(write_case(tmp_path, tables))
    (text,) = explain_route(run, "H2")
    assert "worth 4.00 USD/t at the margin" in text
    assert "Capacities row 2: H handles at most 50 t, which is full, adds 8.00 USD/t" in text
    assert "So it is 6.00 USD/t too expensive: no cost cut alone would bring cargo to it (its break-even cost " \
           "is -4.00 USD/t)." in text
    assert "What it would take: more capacity at H (worth 8.00 USD/t of the gap)." in text


def test_unknown_route(tmp_path, capsys):
    case = write_case(tmp_path, transport_case())
    with pytest.raises(InputError):
        explain_route(pipeline.run(case), "RAIK")
    assert main(["explain", str(case), "--route", "RAIK"]) == 2
    assert "unknown or disabled route 'RAIK'. Did you mean 'RAIL' (Rail)?" in capsys.readouterr().err


def test_explain_on_the_base_case(base_run):
    # The best Gwadar route for fertiliser to South Asia: 240.68 USD/t against 146.40 by Lianyungang, and the
    # calibration rule that holds Pakistan at 0.05 Mt adds a cent.
    (text,) = explain_route(base_run, "TRZ-AFCGWD-MSA")
    assert "It costs 240.68 USD/t" in text and "So it is 94.29 USD/t too expensive" in text
    assert "Policies row 11 (CAL_19_MAX): at most 50,000 t of all cargo through country Pakistan, which binds" in text
    assert "The route that wins, TRZ-KHGLYG-MSA (China: Lianyungang)" in text


def test_explain_names_the_cargo_and_the_places(base_run):
    # The words a reader knows: the commodity's and the nodes' names, not fertiliser, TRZ and MSA;
    # the commodity may be asked for by its name too.
    (text,) = explain_route(base_run, "TRZ-AFCGWD-MSA", "Phosphate Fertiliser")
    assert text.startswith("Route TRZ-AFCGWD-MSA (Gwadar via Afghanistan) for Phosphate fertiliser, Taraz phosphate "
                           "fertiliser to South Asia (India west coast): not used.")
    assert "a tonne of Phosphate fertiliser at South Asia (India west coast) is worth 146.40 USD/t" in text


def _plan_case(tmp_path):
    # Rail A>M has 60 t until 2030, 150 t from 2030; 100 t of coal a year; rail 2 USD/t, road 5.
    # Each year weighs 5 and 2030 is discounted by 1/1.1^5, so its rows and costs enter the LP times
    # 5/1.1^5 = 3.1046: explain must divide them out to speak of that year's USD per tonne.
    rows = [{"scenario": "cheap_road", "sheet": "Legs", "key": "R>M", "column": "cost_usd_per_t", "multiplier": 0.5}]
    tables = transport_case(Capacities=[{"element": "A>M", "capacity_t": 60},
                                        {"element": "A>M", "capacity_t": 150, "year": 2030}],
                            Periods=[{"year": 2025, "weight": 5}, {"year": 2030, "weight": 5}], Scenarios=rows)
    return write_case(tmp_path, tables, settings={"discount_rate": 0.1})


def test_explain_a_year_of_a_plan(tmp_path, capsys):
    case = _plan_case(tmp_path)
    # 2030: rail takes all 100 t at 2; road costs 3 + 2 = 5 against a market value of 2: 3 USD/t too expensive.
    lead, text = explain_route(pipeline.run(case), "ROAD", year=2030)
    assert lead.startswith("Year 2030, one of the plan's years (2025, 2030)")
    assert "a tonne of coal at M is worth 2.00 USD/t at the margin" in text
    assert "So it is 3.00 USD/t too expensive" in text
    # 2025, the default: rail is full at 60 t, road carries the other 40 t.
    assert main(["explain", str(case), "--route", "ROAD"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the lines as one text
    assert "Year 2025, the first of the plan's years (2025, 2030; --year picks another)" in out
    assert "carries 40 t a year of the 100 t demanded" in out
    # With the scenario, road's second leg costs 1: road 4, 2 USD/t too expensive in 2030.
    assert main(["explain", str(case), "--route", "ROAD", "--year", "2030", "--scenario", "cheap_road"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Year 2030 with scenario cheap_road applied" in out and "So it is 2.00 USD/t too expensive" in out


def test_explain_refuses_a_year_it_does_not_have(tmp_path, capsys):
    assert main(["explain", str(_plan_case(tmp_path / "plan")), "--route", "ROAD", "--year", "2027"]) == 2
    assert "Periods: 2027 is not a year of the plan: its Periods sheet lists 2025, 2030. Give one of 2025, 2030." \
        in " ".join(capsys.readouterr().err.split())
    assert main(["explain", str(write_case(tmp_path / "one", transport_case())), "--route", "ROAD",
                 "--year", "2030"]) == 2
    assert "has no Periods sheet, so it models one year" in capsys.readouterr().err
