"""The model's words are spelled once: the input's (policy kinds, scopes, modes, node kinds, blank
filters) as StrEnums of the schema, the cost parts as an IntEnum of the cost formula, the row forms
as an Enum of the policy rows. A word compared as a literal, or a property read from a kind's
spelling, is a second spelling that can drift from the first without any test noticing."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from model.input.schema import SHEETS_BY_NAME, Blank, Mode, NodeKind, PolicyKind, Scope
from model.network.costs import COST_PARTS, RESOURCE_PARTS, CostPart

MODEL = Path(__file__).resolve().parent.parent / "model"
WORDS = {str(w): e.__name__ for e in (PolicyKind, Scope, Mode, NodeKind, Blank) for w in e}
# Literals that spell the same letters as a word of the vocabulary but mean something else.
NOT_VOCABULARY = {
    ("plan.py", "all"): "--robust all: every scenario with a probability",
    ("analysis/compare.py", "all"): "compare --scenarios all",
    ("report/workbook.py", "corridor"): "a column of the Corridors sheet",
    ("input/validate/sheets.py", "origin"): "a column of the Supply and Demand sheets",
}


def _literal_words(tree: ast.AST, where: str) -> list[str]:
    """'line: word' for each comparison with a literal spelling of a vocabulary word, and each
    endswith/startswith that reads a policy kind's spelling."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            if isinstance(node.left, ast.Constant) and isinstance(node.ops[0], (ast.In, ast.NotIn)):
                continue  # "corridor" in point: a key of a dict, not a word compared
            for c in [node.left, *node.comparators]:
                for item in c.elts if isinstance(c, (ast.Tuple, ast.List, ast.Set)) else [c]:
                    if (isinstance(item, ast.Constant) and item.value in WORDS
                            and (where, item.value) not in NOT_VOCABULARY):
                        found.append(f"{node.lineno}: {item.value!r} ({WORDS[item.value]})")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("endswith", "startswith")):
            for a in node.args:
                if isinstance(a, ast.Constant) and a.value in ("share", "_share", "co2_t", "max", "min"):
                    found.append(f"{node.lineno}: .{node.func.attr}({a.value!r}) (PolicyKind)")
    return found


def test_no_module_spells_a_word_of_the_vocabulary_again():
    # The words of model.input.schema are compared through their enums (PolicyKind.MAX_CO2_T,
    # Scope.NODE, Blank.ALL, ...) and a kind's nature through its properties (is_share): the old
    # code compared "max_co2_t", "node" and "all" in a dozen modules and read is_share from the
    # kind's spelling (kind.endswith("share")).
    found = {}
    for f in sorted(MODEL.rglob("*.py")):
        where = str(f.relative_to(MODEL))
        if where in ("report/maps/page.py", "report/maps/png.py", "report/maps/layout.py"):
            continue  # the map's own feature kinds ("node", "leg", "market"), rewritten with the page
        hits = _literal_words(ast.parse(f.read_text(encoding="utf-8")), where)
        if hits:
            found[where] = hits
    assert found == {}


def test_the_scan_finds_a_literal_word_and_a_kind_read_from_its_spelling():
    code = 'if p.kind == "max_co2_t" or scope in ("node", "leg") or rec["kind"].endswith("share"): pass'
    assert _literal_words(ast.parse(code), "x.py") == ["1: 'max_co2_t' (PolicyKind)", "1: 'node' (Scope)",
                                                       "1: 'leg' (Scope)", "1: .endswith('share') (PolicyKind)"]


def test_the_schema_offers_the_enums_as_its_choices():
    # What the workbook may spell is the enum: one list, for reading, the drop-downs and the docs.
    column = {(s, c.name): c.choices for s in ("Nodes", "Legs", "Policies", "Observations", "Surcharges")
              for c in SHEETS_BY_NAME[s].columns if c.choices}
    assert column[("Nodes", "kind")] == tuple(NodeKind)
    assert column[("Legs", "mode")] == tuple(Mode)
    assert column[("Policies", "kind")] == tuple(PolicyKind)
    assert {column[(s, "scope")] for s in ("Policies", "Observations", "Surcharges")} == {tuple(Scope)}


@pytest.mark.parametrize("kind, share, co2, cap", [
    ("max_share", True, False, True), ("min_share", True, False, False), ("max_t", False, False, True),
    ("min_t", False, False, False), ("max_co2_t", False, True, True)])
def test_a_policy_kind_says_what_it_bounds(kind, share, co2, cap):
    k = PolicyKind(kind)
    assert (k.is_share, k.is_co2, k.is_max) == (share, co2, cap)
    assert k == kind and f"{k}" == kind  # the word as the workbook spells it, in messages too


def test_cost_parts_are_the_columns_of_the_cost_array_in_the_order_sheets_report_them():
    assert [p.word for p in CostPart] == list(COST_PARTS)
    assert tuple(p for p in COST_PARTS if p != "premium") == RESOURCE_PARTS
    parts = np.arange(2 * len(CostPart)).reshape(2, -1)  # flows x parts
    assert parts[:, CostPart.PREMIUM].tolist() == [6, 13]


def test_no_module_keeps_a_cache_under_a_string_key_in_another_objects_dict():
    # What is worked out from the input is kept in CorridorData.derived, a field declared with its
    # type: the old code put "_records_cache", "_paths" and "_path_table" into data.__dict__ from
    # three modules, where nothing said they existed, what they held or that a copy must drop them.
    found = []
    for f in sorted(MODEL.rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr == "__dict__"
                    and not (isinstance(node.value, ast.Name) and node.value.id == "self")):
                found.append(f"{f.relative_to(MODEL)}:{node.lineno}")
    assert found == []


def test_a_copy_of_the_data_keeps_its_own_rows_and_shares_the_paths_of_the_same_routes():
    from model.input.read import read_input
    from model.input.validate import validate
    from model.network.routes import path_table

    data = read_input(MODEL.parent / "inputs" / "base_case.xlsx")
    validate(data)
    table = path_table(data)
    data.derived.records["Legs"] = (data.tables["Legs"], [])
    copy = data.copy()
    assert copy.derived.records == {} and path_table(copy) is table  # the Routes table is the same object
    assert path_table(data.copy(deep=True)) is not table  # a deep copy has its own Routes table
