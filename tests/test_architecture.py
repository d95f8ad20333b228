"""The layout keeps its promises: no import cycle in model/, a thin CLI, short modules, one name
for one thing, every LP family stated in Pyomo under its own name, and typed settings that are
the schema's."""

from __future__ import annotations

import ast
import re
import dataclasses
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import ROOT

MODEL = ROOT / "model"
# Modules allowed past ~400 lines, each with its reason.
LONG = {
    "model/input/schema.py": "one declarative description per sheet: split, a reader would need two files to see the input",
    "model/input/read.py": "the typed parser of every cell kind with its messages, and the fast column pass beside it",
    "model/analysis/check.py": "the independent oracle: it recomputes every constraint, cost and share from the raw "
                               "sheets on its own, so it cannot share the model's helpers",
}


def modules() -> dict[str, Path]:
    out = {}
    for f in MODEL.rglob("*.py"):
        name = ".".join(f.relative_to(ROOT).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = f
    return out


def import_graph() -> dict[str, set[str]]:
    """module -> the modules of model/ it imports (at the top or inside a function). An import under
    `if TYPE_CHECKING:` is for mypy alone, never run, so it makes no cycle and is not counted."""
    mods = modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m, f in mods.items():
        tree = ast.parse(f.read_text())
        for node in ast.walk(tree):  # first pass: the TYPE_CHECKING blocks emptied
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                node.body = []
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("model"):
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            edges[m] |= {t for t in targets if t in mods and t != m}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_in_model():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_cli_is_thin():
    # A command parses, calls one function of the pipeline or an analysis, and prints what it says:
    # no command function holds logic of its own (at most 20 lines), and the file stays short.
    import ast

    text = (MODEL / "cli.py").read_text()
    assert len(text.splitlines()) < 320
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("cmd_"):
            assert node.end_lineno - node.lineno + 1 <= 20, node.name


def test_modules_are_short():
    long = {str(f.relative_to(ROOT)): n for f in MODEL.rglob("*.py")
            if (n := len(f.read_text().splitlines())) > 400}
    assert set(long) <= set(LONG), f"over 400 lines without a reason in LONG: {long}"


def test_one_name_one_thing():
    # No two modules of model/ define a public function or class, or a constant, of the same name.
    functions, constants = defaultdict(list), defaultdict(list)
    for m, f in modules().items():
        for node in ast.parse(f.read_text()).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                functions[node.name].append(m)  # a class is a thing too: one Names, one Flow
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    for n in [t] if isinstance(t, ast.Name) else getattr(t, "elts", []):
                        if isinstance(n, ast.Name) and n.id.isupper():
                            constants[n.id].append(m)
    assert {k: v for k, v in functions.items() if len(v) > 1} == {}
    assert {k: v for k, v in constants.items() if len(v) > 1} == {}


@pytest.mark.slow
def test_every_family_is_stated_in_pyomo_under_its_name(tmp_path):
    # The random plan has every family: Flow, Unmet, Shipped, Build, Worst and all the rows.
    import pyomo.environ as pyo

    from lpforms import random_case
    from model.lp.families import FAMILIES
    from model.lp.statement import build_plan
    from model.pipeline import load

    plan, _ = load(random_case(tmp_path, 1, years=True, scenarios=True), robust="dear,tight")
    for case in plan.cases:  # an observation held in its band, as corridor calibrate does
        case.net.bands = [with_band(case.net)]
        case.net.band_penalty_usd_per_t = 1e4
    m = build_plan(plan)
    components = {c.local_name: c for c in m.component_objects((pyo.Var, pyo.Constraint), descend_into=True)}
    for name, family in FAMILIES.items():
        assert name in components, f"family {name} has no Pyomo component of that name"
        assert components[name].doc == family.summary(), name


def with_band(net):
    from model.network import Observation

    corridor = next(iter(net.routes.values())).corridor
    return Observation("OBS1", "corridor", corridor, None, 1e6, 2e5, None, 2)


def test_settings_are_the_schema_settings():
    from model.input.schema import SETTINGS
    from model.input.settings import Settings

    assert [f.name for f in dataclasses.fields(Settings)] == [s.key for s in SETTINGS]
    defaults = Settings.from_values()
    for s in SETTINGS:
        assert getattr(defaults, s.key) == s.default, s.key


def test_text_files_are_read_and_written_as_utf8_on_every_system():
    # Windows' default encoding is not UTF-8: every text file the model opens names its encoding.
    import re

    calls = re.compile(r"\.(read_text|write_text)\((?P<args>[^)]*)\)|\.open\((?P<mode>\"[aw]\"|'[aw]')\)")
    found = []
    for f in MODEL.rglob("*.py"):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
            m = calls.search(line)
            if m and "encoding" not in line:
                found.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []


PERFORMANCE_FIGURE = re.compile(r"\b\d[\d,]*(?:\.\d+)?\s?(?:ms|MB|MiB|GB|GiB|KB|KiB)\b|\b\d+\.\d+ s\b"
                                r"|\babout \d+ s\b|\b\d+(?:-\d+)? times (?:faster|slower)\b")


def test_no_performance_figures_in_the_code():
    # Timings and memory go stale in a comment; they live in benchmarks/README.md ("Figures behind
    # choices in the code"), and the comment says why and points there.
    import io
    import tokenize

    found = []
    for f in MODEL.rglob("*.py"):
        for tok in tokenize.generate_tokens(io.StringIO(f.read_text(encoding="utf-8")).readline):
            if tok.type == tokenize.COMMENT or (tok.type == tokenize.STRING and tok.string.startswith(('"""', "'''"))):
                found += [f"{f.relative_to(ROOT)}:{tok.start[0]}: {m.group(0)}" for m in PERFORMANCE_FIGURE.finditer(tok.string)]
    assert found == [], found


def test_the_performance_figure_pattern_finds_figures():
    assert PERFORMANCE_FIGURE.search("# took about 0.55 s of a 1 s solve")
    assert PERFORMANCE_FIGURE.search("# peak 1,059 -> 930 MB at 1M flows")
    assert not PERFORMANCE_FIGURE.search("# 56 Mt at 43.7 USD/t")


# The layers, bottom to top: a module imports only from its own layer or those below. The input is at
# the bottom and the report at the top; analyses that re-solve sit above the results they read, and the
# commands that write files (model.commands, the pipeline's run) above the report.
LAYERS = [
    ("model", "model.errors", "model.progress"),  # the package's version, the problems it reports, its phases
    ("model.input",),  # files -> typed data; validation checks routes, so it sits above the network (below)
    ("model.network",),
    ("model.input.validate",),
    ("model.plan",),
    ("model.lp",),
    ("model.results",),
    ("model.pipeline",),  # load, solve, tabulate: the data path the analyses re-run
    ("model.analysis",),
    ("model.report",),
    ("model.commands",),
    ("model.cli",),
]
# Imports that run up, each with its reason. Keep this short.
UPWARD = {
    ("model.analysis.check", "model.report.read_results"):
        "check reads a result workbook in the format the report writes (its column kinds)",
}


def layer_of(module: str) -> int:
    best, rank = -1, None
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, rank = len(p), i
    assert rank is not None, f"{module} is in no layer: add it to LAYERS"
    return rank


def test_imports_run_down_the_layers():
    up = sorted((m, t) for m, targets in import_graph().items() for t in targets
                if layer_of(t) > layer_of(m) and (m, t) not in UPWARD)
    assert up == [], "imports that run up the layers: " + ", ".join(f"{m} -> {t}" for m, t in up)


def test_the_layer_test_finds_an_upward_import():
    assert layer_of("model.report.console") > layer_of("model.analysis.sweep") > layer_of("model.lp.highs")
    assert layer_of("model.input.validate.routes") > layer_of("model.network.routes") > layer_of("model.input.read")
