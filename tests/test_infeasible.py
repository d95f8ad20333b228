"""Infeasible tiny cases: the explanation names the conflicting rows of the workbook."""

from __future__ import annotations

import pytest
from cases import legs, nodes, transport_case, write_case

from model import pipeline
from model.cli import main
from model.errors import NoSolutionError

ONLY_RAIL = [{"route": "RAIL", "corridor": "Rail", "path": "A>M"},
             {"route": "ROAD", "corridor": "Road", "path": "A>R>M", "enabled": "FALSE"}]


def explanation(tmp_path, tables, settings=None):
    with pytest.raises(NoSolutionError) as exc:
        pipeline.run(write_case(tmp_path, tables, settings))
    return str(exc.value)


def conflict(text):
    """The rows listed as the irreducible conflict."""
    lines = text.splitlines()
    start = lines.index("These rows of the workbook cannot all hold at once; relaxing any one of them removes "
                        "this conflict:")
    out = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        out.append(line.strip())
    return out


def test_demand_above_capacity(tmp_path):
    # 100 t must reach M; the only route passes A>M, limited to 60 t.
    text = explanation(tmp_path, transport_case(Routes=ONLY_RAIL, Capacities=[{"element": "A>M", "capacity_t": 60}]))
    assert conflict(text) == ["Demand row 2: 100 t of coal from any origin to M must be delivered",
                              "Capacities row 2: A>M handles at most 60 t"]
    assert "Demand row 2 (coal, from any origin to M): 40 t of 100 t cannot be delivered." in text


def test_minimum_through_a_node_above_its_capacity(tmp_path):
    # At least 80 t through R, which handles at most 50: the rule alone is the cause, so the message
    # says what R can carry at most (50 t), what holds it back, and to lower the rule.
    text = explanation(tmp_path, transport_case(
        Capacities=[{"element": "R", "capacity_t": 50}],
        Policies=[{"rule": "VIA_R", "kind": "min_t", "scope": "node", "target": "R", "value": 80}]))
    assert text.splitlines() == [
        "No allocation satisfies every constraint: rule VIA_R asks more than its target can carry.",
        "  Policies row 2 (VIA_R): at least 80 t of all cargo through node R; with every other row of the workbook "
        "as it is, at most 50 t can go through it.",
        "  What holds it back: Capacities row 2: R handles at most 50 t",
        "Fix: lower the rule to at most 50 t (Policies row 2, value), or raise the capacities and limits that hold "
        "it back."]


def test_a_minimum_share_above_what_its_target_can_carry(tmp_path):
    # At least 50% of all cargo by road (R), which handles at most 30 of the 100 t: at most 30%. The
    # message names the rule, what the target can carry and the fix, not the demand rows it starves.
    text = explanation(tmp_path, transport_case(
        Capacities=[{"element": "R", "capacity_t": 30}],
        Policies=[{"rule": "ROAD_MIN", "kind": "min_share", "scope": "corridor", "target": "Road", "value": 0.5}]))
    assert ("Policies row 2 (ROAD_MIN): at least 50.0% of all cargo through corridor Road; with every other row of "
            "the workbook as it is, at most 30 t (30.0% of the shipped tonnes) can go through it.") in text
    assert "Fix: lower the rule to at most 30.0% (Policies row 2, value)" in text
    assert "Demand row" not in text


def test_share_cap_on_the_only_route(tmp_path):
    # Rail may carry at most 30% of shipments, but it is the only route and 100 t must be delivered.
    text = explanation(tmp_path, transport_case(
        Routes=ONLY_RAIL,
        Policies=[{"rule": "DIV", "kind": "max_share", "scope": "corridor", "target": "Rail", "value": 0.3}]))
    assert conflict(text) == ["Demand row 2: 100 t of coal from any origin to M must be delivered",
                              "Policies row 2 (DIV): at most 30% of all cargo through corridor Rail (share of all "
                              "shipped)"]


def test_supply_below_demand(tmp_path):
    # A can export at most 70 t; 100 t are demanded.
    text = explanation(tmp_path, transport_case(Supply=[{"commodity": "coal", "origin": "A", "max_t": 70}]))
    assert conflict(text) == ["Demand row 2: 100 t of coal from any origin to M must be delivered",
                              "Supply row 2: coal from A, at most 70 t"]
    assert "Exhausted supply: coal from A (Supply row 2: 70 t)" in text


def test_only_the_limits_that_hold_the_demand_back_are_named(tmp_path, capsys):
    # Coal: 100 t to M, but its only route A>M carries 60 t: 40 t cannot be delivered, and that
    # capacity is what holds them back. Wheat: 100 t to N from B (at most 50 t, 2 USD/t) or C (5 USD/t):
    # B's supply is exhausted, but only because it is cheaper; more of it would deliver nothing more,
    # so the text must not name it.
    tables = {
        "Nodes": nodes(("A", "origin"), ("B", "origin"), ("C", "origin"), ("M", "market"), ("N", "market")),
        "Legs": legs(("A", "M", 2, 0), ("B", "N", 2, 0), ("C", "N", 5, 0)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk"},
                        {"commodity": "wheat", "cargo_class": "grain"}],
        "Routes": [{"route": "AM", "corridor": "Rail", "path": "A>M"},
                   {"route": "BN", "corridor": "Rail", "path": "B>N"},
                   {"route": "CN", "corridor": "Rail", "path": "C>N"}],
        "Supply": [{"commodity": "wheat", "origin": "B", "max_t": 50},
                   {"commodity": "wheat", "origin": "C", "max_t": 1000}],
        "Capacities": [{"element": "A>M", "capacity_t": 60}],
        "Demand": [{"commodity": "coal", "market": "M", "demand_t": 100},
                   {"commodity": "wheat", "market": "N", "demand_t": 100}],
    }
    assert main(["solve", str(write_case(tmp_path, tables)), "-o", str(tmp_path / "r.xlsx")]) == 3
    err = capsys.readouterr().err
    assert "Demand row 2 (coal, from any origin to M): 40 t of 100 t cannot be delivered." in err
    assert "Full capacities that hold them back: A>M (Capacities row 2: 60 t)" in err
    assert "Exhausted supply" not in err and "wheat" not in err.split("cannot be delivered.")[-1]
