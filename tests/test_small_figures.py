"""Small figures shown the wrong way, each at its mechanism: worked out by hand on the two-route case
(100 t of coal, or here 10 Mt, from A to M: rail 2 USD/t, road 5 USD/t)."""

from __future__ import annotations

from cases import transport_case, write_case
from model.cli import main


def _console(tmp_path, capsys, rule) -> str:
    tables = transport_case(Demand=[{"commodity": "coal", "market": "M", "demand_t": 10e6}], Policies=[rule])
    assert main(["solve", str(write_case(tmp_path, tables)), "-o", str(tmp_path / "r.xlsx"), "--no-map"]) == 0
    return " ".join(capsys.readouterr().out.split())  # the columns' widths aside


def test_a_tonnes_rule_is_shown_in_tonnes(tmp_path, capsys):
    # At least 3 Mt by road: the rule binds, holding 3 Mt (30% of what is shipped, which it does not
    # count); a tonne less on the road saves 5 - 2 = 3 USD.
    out = _console(tmp_path, capsys, {"rule": "ROAD_MIN", "kind": "min_t", "scope": "route", "target": "ROAD",
                                      "value": 3e6})
    assert "Binding policy rule holds saves USD/t ROAD_MIN ROAD 3.00 Mt 3.00" in out


def test_a_share_rule_is_shown_as_a_share(tmp_path, capsys):
    out = _console(tmp_path, capsys, {"rule": "ROAD_SHARE", "kind": "min_share", "scope": "route", "target": "ROAD",
                                      "value": 0.3})
    assert "Binding policy rule holds saves USD/t ROAD_SHARE ROAD 30.0%" in out
