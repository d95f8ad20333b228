"""What the families declare (model.lp.families: planner_facing, bottleneck, sheet) is what the rest
of the code reads: no module keeps its own list of row families."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cases import transport_case, write_case

from model import pipeline
from model.lp.families import BOTTLENECK_ROWS, FAMILIES, PLANNER_ROWS

MODEL = Path(__file__).resolve().parent.parent / "model"


def test_no_module_lists_row_families_by_hand():
    """A set of families spelled out (`{f.name for f in (CAPACITY_LIMIT, ...)}`) is what a new family
    forgot to join (four such sets before: infeasible, frontier, live, bottlenecks); they read the
    families' declarations instead (PLANNER_ROWS, BOTTLENECK_ROWS)."""
    hand = re.compile(r"^.*f\.name for f in \((?:[A-Z_]+, )+[A-Z_]+\).*$", re.MULTILINE)
    # The one list allowed: the bottleneck families the Bottlenecks sheet words from their own result
    # sheets (any other bottleneck family is still on it, by its label).
    found = [f"{p.relative_to(MODEL)}: {m.group(0)}" for p in MODEL.rglob("*.py")
             if "families" not in p.parts for m in hand.finditer(p.read_text(encoding="utf-8"))
             if not m.group(0).startswith("_WORDED_HERE = ")]
    assert found == []


def test_the_declarations():
    """Every bottleneck is a row a planner can change, and shows on a result sheet."""
    assert BOTTLENECK_ROWS <= PLANNER_ROWS
    assert {"capacity_limit", "policy_limit", "supply_max", "supply_min"} <= BOTTLENECK_ROWS
    assert {"demand_balance"} <= PLANNER_ROWS - BOTTLENECK_ROWS
    assert not {"shipped_total", "observation_band", "worst_case", "build_grows"} & PLANNER_ROWS
    assert all(FAMILIES[name].sheet for name in PLANNER_ROWS)


def test_a_bottleneck_family_without_its_own_wording_is_on_the_bottlenecks_sheet(tmp_path, monkeypatch):
    """A family that declares itself a bottleneck reaches the Bottlenecks sheet by its label, with no
    edit of model/results/bottlenecks.py. Here supply_max is worded as such a family would be.
    Supply of 60 t against a demand of 100 t with unmet tonnes at 1,000 USD/t: one more tonne of supply
    goes by rail at 2 USD/t instead of unmet, so it saves 1,000 - 2 = 998 USD a year."""
    import model.results.bottlenecks as b
    monkeypatch.setattr(b, "_WORDED_HERE", b._WORDED_HERE - {"supply_max"})
    case = write_case(tmp_path, transport_case(Supply=[{"commodity": "coal", "origin": "A", "max_t": 60}]),
                      {"unmet_penalty_usd_per_t": 1000})
    sheet = pipeline.run(case).results.bottlenecks
    row = sheet[sheet["kind"] == "supply_max"].iloc[0]
    assert row["saving_usd_per_t"] == pytest.approx(998.0)
    assert row["input_row"] == 2 and row["limit_value"] == pytest.approx(60.0)
    assert row["name"].startswith("Supply row 2:") and "at most 60 t" in row["name"]
    assert "saves 998.00 USD a year" in row["in_words"] or "is worth 998.00 USD" in row["in_words"]


def test_the_cost_of_a_tonne_is_composed_in_one_place():
    """The cost formula (time, risk and carbon from their inputs, the parts summed) is stated once, in
    model.network.costs.FlowCosts, which the assembly (Network.cost_array), the live model and the
    result tables read; before, model/lp/families/columns.py composed it a second time."""
    formula = re.compile(r"\b(time_usd_per_t|risk_usd_per_t|carbon_usd_per_t)\(")
    found = [str(p.relative_to(MODEL)) for p in MODEL.rglob("*.py")
             if p != MODEL / "network" / "costs.py" and formula.search(p.read_text(encoding="utf-8"))]
    assert found == []


def test_the_flow_family_declares_the_inputs_the_cost_object_reads():
    from model.lp.families import FLOW
    from model.network.costs import COST_INPUTS, COST_SETTINGS
    assert set(FLOW.inputs) == set(COST_INPUTS) | {("Settings", k) for k in COST_SETTINGS}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_each_family_docstring_is_its_formulation(name):
    """The formulation document is generated from these docstrings: a one-line summary, then
    Markdown with the family's row or column in $$ maths (balanced), no copy elsewhere to drift."""
    doc = type(FAMILIES[name]).__doc__ or ""
    summary, _, rest = doc.strip().partition("\n")
    assert summary.strip() and rest.startswith("\n"), "a one-line summary, then a blank line"
    assert rest.count("$$") >= 2 and rest.count("$$") % 2 == 0
