"""The layout keeps its promises: no import cycle in model/, a thin CLI, short modules, one name
for one thing, every LP family stated in Pyomo under its own name, and typed settings that are
the schema's."""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import ROOT

MODEL = ROOT / "model"
# Modules allowed past ~400 lines, each with its reason.
LONG = {
    "model/input/schema.py": "one declarative description per sheet: split, a reader would need two files to see "
                             "the input",
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
    # about 15 lines a command with its options: 20 commands and flags (issue 25 added --allocation on seven
    # and calibrate --estimate, issue 26 the uncertainty command) within 360
    assert len(text.splitlines()) < 360
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

    plan, _ = load(random_case(tmp_path, 1, years=True, scenarios=True, seasons=True), robust="dear,tight")
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
                                r"|\babout \d+ s\b|\b\d+(?:-\d+)? times (?:faster|slower)\b"
                                r"|\btwice as (?:fast|slow)\b|\bhalf the (?:time|CPU time)\b")


def test_no_performance_figures_in_the_code():
    # Timings and memory go stale in a comment; they live in benchmarks/README.md ("Figures behind
    # choices in the code"), and the comment says why and points there.
    import io
    import tokenize

    found = []
    for f in MODEL.rglob("*.py"):
        for tok in tokenize.generate_tokens(io.StringIO(f.read_text(encoding="utf-8")).readline):
            if tok.type == tokenize.COMMENT or (tok.type == tokenize.STRING and tok.string.startswith(('"""', "'''"))):
                found += [f"{f.relative_to(ROOT)}:{tok.start[0]}: {m.group(0)}"
                          for m in PERFORMANCE_FIGURE.finditer(tok.string)]
    assert found == [], found


def test_the_performance_figure_pattern_finds_figures():
    assert PERFORMANCE_FIGURE.search("# took about 0.55 s of a 1 s solve")
    assert PERFORMANCE_FIGURE.search("# peak 1,059 -> 930 MB at 1M flows")
    assert PERFORMANCE_FIGURE.search("# the same lane, twice as fast")
    assert not PERFORMANCE_FIGURE.search("# 56 Mt at 43.7 USD/t")


# The layers, bottom to top: a module imports only from its own layer or those below. The input is at
# the bottom and the report at the top; analyses that re-solve sit above the results they read and the
# steps they run again, and the commands that write files (model.commands, model.pipeline) above the report.
LAYERS = [
    ("model", "model.errors", "model.progress"),  # the package's version, the problems it reports, its phases
    ("model.input",),  # files -> typed data; validation checks routes, so it sits above the network (below)
    ("model.network",),
    ("model.input.validate",),
    ("model.plan",),
    ("model.lp",),
    ("model.results",),
    # The analyses that are steps of a solve (model.steps): why there is no optimum, the value of the
    # stochastic solution and a choice allocation's responses, each re-solving after solve() and before the
    # tables are made.
    ("model.analysis.infeasible", "model.analysis.robust", "model.analysis.responses"),
    ("model.steps",),  # load, solve, analyse, tabulate: the data path every analysis runs again
    ("model.analysis",),
    ("model.report",),
    ("model.pipeline", "model.commands"),  # the steps, then the files written: what a command runs
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
# ---------------------------------------------------------------- hidden work and process-global state

SOLVERS = ("highspy", "model.lp.solve", "model.lp.live", "model.lp.frontier", "model.lp.mip.other_decision_costs",
           "model.lp.highs.solve_lp", "model.lp.highs.load_highs", "model.analysis")


def test_result_tables_only_read_a_solution():
    # The tables are made from a solution and the analyses worked out after it (model.pipeline.analyse):
    # no module of model/results imports a solver or anything that solves again (the value of the
    # stochastic solution re-solved inside tabulation, from model/results/robust.py).
    found = []
    for m, f in modules().items():
        if not m.startswith("model.results"):
            continue
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            found += [f"{m}: {n}" for n in names if any(n == s or n.startswith(s + ".") for s in SOLVERS)]
    assert found == []


MUTATORS = {"append", "extend", "insert", "clear", "update", "pop", "popitem", "setdefault", "add", "discard",
            "remove", "__setitem__", "__delitem__"}


def mutable_globals() -> dict[str, set[str]]:
    """module -> its module-level names bound to a list, dict or set (a display, a comprehension or a
    call of list, dict, set, defaultdict, OrderedDict, Counter, deque)."""
    out = {}
    makers = {"list", "dict", "set", "defaultdict", "OrderedDict", "Counter", "deque"}
    for m, f in modules().items():
        names = set()
        for node in ast.parse(f.read_text()).body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            targets = node.targets if isinstance(node, ast.Assign) \
                else [node.target] if isinstance(node, ast.AnnAssign) else []
            mutable = isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)) or (
                isinstance(value, ast.Call) and getattr(value.func, "id", getattr(value.func, "attr", None)) in makers)
            names |= {t.id for t in targets if mutable and isinstance(t, ast.Name)}
        out[m] = names
    return out


def global_state_mutated() -> list[str]:
    """Where a function of model/ changes process-wide state: a `global` statement, or a module-level
    list, dict or set (its own module's, or one imported by name) mutated in a function."""
    shared = mutable_globals()
    found = []
    for m, f in modules().items():
        tree = ast.parse(f.read_text())
        visible = set(shared[m])
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module in shared:
                visible |= {a.asname or a.name for a in node.names if a.name in shared[node.module]}
        for fn in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            local = {a.arg for a in fn.args.args + fn.args.kwonlyargs} | {
                t.id for n in ast.walk(fn) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.For, ast.With))
                for t in ast.walk(n) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
            names = visible - local
            for n in ast.walk(fn):
                if isinstance(n, (ast.Global, ast.Nonlocal)) and isinstance(n, ast.Global):
                    found.append(f"{m}.{fn.name}: global {', '.join(n.names)}")
                target = None
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in MUTATORS:
                    target = n.func.value
                elif isinstance(n, (ast.Assign, ast.AugAssign, ast.Delete)):
                    for t in (n.targets if isinstance(n, (ast.Assign, ast.Delete)) else [n.target]):
                        if isinstance(t, ast.Subscript):
                            target = t.value
                        elif isinstance(n, ast.AugAssign) and isinstance(t, ast.Name):
                            target = t
                if isinstance(target, ast.Name) and target.id in names:
                    found.append(f"{m}.{fn.name}: {target.id}")
    return found


# State of a process of its own, with the reason.
WORKER_STATE = {"model.analysis.sweep._chunk_worker: _WORKER": "a sweep's worker process (a process pool's or "
                "Dask's) keeps the model it was sent between chunks; the command's own process never fills it"}


def test_no_process_global_state_in_model():
    # Every piece of state belongs to an object with a lifetime: what a command wrote is kept by its
    # Outputs (read through model.report.output.command by the CLI, for what Ctrl-C says), the files it
    # holds are let go when its with block ends, a cache goes with the object it serves. A list of the
    # files written by the process (COMMITTED) and a table of the locks it held (HELD) were filled and
    # cleared from other modules.
    assert set(global_state_mutated()) - set(WORKER_STATE) == set()


def test_the_global_state_finder_finds_it(tmp_path, monkeypatch):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "a.py").write_text("SEEN: list = []\nTABLE = {}\n\ndef note(x):\n    SEEN.append(x)\n")
    (tmp_path / "model" / "b.py").write_text("from model.a import TABLE\n\ndef put(k):\n    TABLE[k] = 1\n\n"
                                             "def own(k):\n    TABLE = {}\n    TABLE[k] = 1\n\n"
                                             "def count():\n    global N\n    N = 1\n")
    monkeypatch.setattr(sys.modules[__name__], "MODEL", tmp_path / "model")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert sorted(global_state_mutated()) == ["model.a.note: SEEN", "model.b.count: global N", "model.b.put: TABLE"]


def test_no_cache_is_cleared_from_afar():
    # A cache is dropped by the object that owns it (Network.forget_indexes), not cleared from another
    # module (the pipeline cleared an lru_cache of the schema's).
    calls = [f"{m}: {ast.unparse(n)}" for m, f in modules().items() for n in ast.walk(ast.parse(f.read_text()))
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "cache_clear"]
    assert calls == []


def test_every_cache_the_network_keeps_per_flow_is_dropped_with_its_indexes(tmp_path):
    # The network works out memberships, costs and lookups per flow on demand and keeps them; what it
    # keeps per flow goes whole with forget_indexes (Network.INDEXES). Only lookups per row of the
    # workbook or per route stay. (The flows a policy's commodity filter selects, kept under a string
    # key, stayed for the network's life.)
    from model.network import Network
    from model.pipeline import load

    plan, _ = load(ROOT / "inputs" / "base_case.xlsx")
    net = plan.cases[0].net
    for p in net.policy_limits:
        net.policy_flows(p)
    for s in net.supply_rows:
        net.flows_of_supply(s)
    net.capacity_users()
    net.passes_of([c.element for c in net.capacity_rows])
    for scope in ("corridor", "country", "route", "node", "leg"):
        net.scope_index(scope, "x", None)
    net.cost_total, net.co2_t_per_t, net.flow_index, net.demand_of, net.transit_days  # noqa: B018
    net.forget_indexes()
    fields = {f.name for f in dataclasses.fields(Network)}
    kept = {"demand_by_row", "supply_by_row", "capacity_by_row", "policy_by_key", "option_by_id",  # per row
            "transit_days", "_codes", "_route_origin", "_class_code"}  # per route, node, commodity or class
    assert set(net.__dict__) - fields <= kept


def test_mypy_checks_every_module_of_model():
    # No module is left out of the type check whole: an override may turn off a named error code with its
    # reason, never ignore_errors (the map's renderer was, awaiting a rewrite that was measured and not taken).
    import tomllib

    overrides = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]["overrides"]
    assert [o["module"] for o in overrides if o.get("ignore_errors")] == []


# Module-level caches (functools.cache, lru_cache) allowed in model/, each a pure function of what ships
# with the package, so the same for every run; with the reason. A cache keyed by a run's data (the lanes
# between its ports, its corridors' colours) belongs to an object with the run's lifetime instead.
MODULE_CACHES = {
    "model.report.maps.page.environment": "the Jinja2 environment of the templates shipped as package data",
    "model.report.maps.raster.font_dir": "the folder of the installed DejaVu Sans (matplotlib's copy or the system's)",
    "model.report.maps.raster.font": "that font at the renderer's own sizes and styles",
    "model.report.maps.lanes.shipped_lanes": "lanes.json, shipped, for the searoute installed",
    "model.report.maps.layout.load_basemap": "the shipped base layer (basemap.json)",
    "model.report.maps.layout._projected_countries": "the shipped base layer's countries, projected once",
}


def functools_caches(model: Path) -> list[str]:
    """Every function of model/ under functools.cache or lru_cache (cached_property is the object's)."""
    found = []
    for f in model.rglob("*.py"):
        name = ".".join(f.relative_to(model.parent).with_suffix("").parts).removesuffix(".__init__")
        for fn in (n for n in ast.walk(ast.parse(f.read_text(encoding="utf-8")))
                   if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for d in fn.decorator_list:
                d = d.func if isinstance(d, ast.Call) else d
                if (d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", None)) in ("cache", "lru_cache"):
                    found.append(f"{name}.{fn.name}")
    return found


def test_no_cache_of_a_runs_data_is_kept_by_the_process():
    # The lanes between a run's ports (lanes.sea_lane) and its corridors' colour differences
    # (palette._far_enough) were lru_caches kept for the process's life; they now go with the map drawn
    # (SeaLanes) and the call that picks the colours.
    assert sorted(set(functools_caches(MODEL)) - set(MODULE_CACHES)) == []


def test_the_cache_finder_finds_them(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "a.py").write_text("import functools\nfrom functools import cache, lru_cache\n\n"
                                             "@lru_cache(maxsize=8)\ndef f(x):\n    return x\n\n"
                                             "@functools.cache\ndef g(x):\n    return x\n\n"
                                             "class C:\n    @cache\n    def h(self):\n        return 1\n")
    assert sorted(functools_caches(tmp_path / "model")) == ["model.a.f", "model.a.g", "model.a.h"]


# Private names one module may import from another, with the reason.
PRIVATE_IMPORTS = {
    "model.input.validate.base": "the validation package's shared helpers (_key, _records, _unknown, _Where), "
                                 "private to model.input.validate, whose sheets and routes checks use them",
}


def private_imports(model: Path) -> list[str]:
    """Every `from model.X import _name` in model/ (a module's private name used by another module)."""
    found = []
    for f in model.rglob("*.py"):
        name = ".".join(f.relative_to(model.parent).with_suffix("").parts).removesuffix(".__init__")
        for n in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] == "model":
                found += [f"{name}: from {n.module} import {a.name}" for a in n.names
                          if a.name.startswith("_") and not a.name.startswith("__") and n.module not in PRIVATE_IMPORTS]
    return found


def test_no_module_imports_another_ones_private_names():
    # model/lp/options.py imported highs.py's _quiet_stdout and _typed_option: they are highs.py's
    # public quiet_stdout and typed_option now.
    assert sorted(private_imports(MODEL)) == []


def test_the_private_import_finder_finds_one(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "a.py").write_text("from model.b import _hidden, shown\nfrom model import __version__\n")
    assert private_imports(tmp_path / "model") == ["model.a: from model.b import _hidden"]


# Module-level names of model/ that nothing in model/, benchmarks/, inputs/ or docs/ uses, with the reason.
UNUSED_ALLOWED: dict[str, str] = {}


def unused_names(root: Path) -> list[str]:
    """Module-level functions, classes and constants of model/ whose name occurs nowhere else in the
    code of model/, benchmarks/, inputs/ or docs/ (the tests do not count: code only they use is dead)."""
    texts = {f: f.read_text(encoding="utf-8") for d in ("model", "benchmarks", "inputs", "docs")
             for f in (root / d).rglob("*.py")}
    words: defaultdict[str, int] = defaultdict(int)
    for text in texts.values():
        for w in re.findall(r"\w+", text):
            words[w] += 1
    found = []
    for f, text in texts.items():
        if f.is_relative_to(root / "model"):
            for n in ast.parse(text).body:
                names = ([n.name] if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else
                         [t.id for t in getattr(n, "targets", [getattr(n, "target", None)]) if isinstance(t, ast.Name)]
                         if isinstance(n, (ast.Assign, ast.AnnAssign)) else [])
                found += [f"{f.relative_to(root)}: {x}" for x in names if words[x] <= 1 and not x.startswith("__")]
    return found


def test_no_dead_code_in_model():
    # cells.INPUT_FILL, charts.tick_text (only its test used it) and parametric.interpolate were left behind.
    assert [f for f in unused_names(ROOT) if f.split(": ")[1] not in UNUSED_ALLOWED] == []


def test_the_dead_code_finder_finds_it(tmp_path):
    for d in ("model", "benchmarks", "inputs", "docs"):
        (tmp_path / d).mkdir()
    (tmp_path / "model" / "a.py").write_text("USED = 1\nLEFT = 2\n\ndef gone():\n    return USED\n")
    (tmp_path / "docs" / "hooks.py").write_text("from model.a import gone\n")
    assert unused_names(tmp_path) == ["model/a.py: LEFT"]
