"""The README and the docs/ site stay true: the README is short and its set-up commands are the two
that CI runs; every relative link of the README and the pages resolves; the pages generated at build
time (docs/hooks.py) hold every sheet, column and setting of the schema and every family of the LP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT
from doc_pages import DOCS, documentation, pages

README = (ROOT / "README.md").read_text()
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")  # [text](target) and ![alt](target)


def test_readme_is_short():
    # The README is the way in (what it is, set-up, quick start, the deal's answer, links); the rest is
    # the site in docs/.
    assert len(README.splitlines()) <= 260


def test_readme_setup_commands():
    # Two commands on a fresh machine: one installs and solves the shipped base case, one installs and
    # runs the tests; CI runs the same two (its install adds the docs extra, and builds the site).
    assert "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && corridor solve" in README
    assert 'python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[dev]" && pytest' in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r'pip install [^\n]*-e "\.\[dev(,\w+)*\]"', ci) and "\ncorridor solve\npytest\n" in ci
    assert "mkdocs build --strict" in ci and 'pip install --quiet -e ".[dev,docs]"' in ci


def relative_links(page: Path) -> list[str]:
    """The links of a page to files (web addresses and anchors within the page aside), without anchors;
    links inside code (spans and blocks) are text, not links."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return [t.split("#")[0] for t in LINK.findall(text) if not re.match(r"[a-z]+:|#", t) and t.split("#")[0]]


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    # A page of docs/ may link only inside docs/ (mkdocs builds docs/ alone; a link out of it breaks on
    # the site); the README links anywhere in the repository.
    for target in relative_links(page):
        path = (page.parent / target).resolve()
        assert path.exists(), f"{page.relative_to(ROOT)}: {target} does not exist"
        if page.parent.is_relative_to(DOCS):
            assert path.is_relative_to(DOCS), f"{page.relative_to(ROOT)}: {target} leaves docs/"


def test_the_link_check_finds_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("See [there](missing.md#part), `[code](nope.md)`, [web](https://x.org) and ![p](img.png).")
    assert relative_links(page) == ["missing.md", "img.png"]


def test_every_page_is_in_the_site_navigation():
    # mkdocs build --strict warns of a page left out of nav (validation: omitted_files), and of a nav
    # entry with no page; the same held here, for the pages in the repository.
    nav = set(re.findall(r":\s*([\w/-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), re.M))
    on_disk = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert on_disk <= nav


@pytest.fixture(scope="module")
def hooks():
    """docs/hooks.py, the mkdocs hooks that generate the input reference and the formulation's families."""
    pytest.importorskip("mkdocs")  # the docs extra; .ci/run installs it
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_input_reference_is_the_schema(hooks):
    from model.input.schema import SETTINGS, SHEETS

    text = hooks.input_reference()
    for sheet in SHEETS:
        assert f"### {sheet.name}\n" in text, sheet.name
        for col in sheet.columns:
            row = next((line for line in text.splitlines() if line.startswith(f"| `{col.name}` |")
                        and " ".join(col.description.split()).replace("|", "\\|") in line), None)
            assert row is not None, (sheet.name, col.name)
            assert ("| yes |" in row) == col.required, (sheet.name, col.name)
    for s in SETTINGS:
        assert f"| `{s.key}` |" in text, s.key


def test_the_formulation_states_every_family(hooks):
    from model.lp.families import CASE_FAMILIES, FAMILIES

    text = hooks.formulation()
    assert set(re.findall(r"^### `(\w+)`$", text, re.M)) == set(FAMILIES)
    order = re.findall(r"^### `(\w+)`$", text, re.M)
    assert order[:len(CASE_FAMILIES)] == [f.name for f in CASE_FAMILIES]
    for family in FAMILIES.values():
        assert type(family).summary() in text, family.name
    import model.network.costs  # the cost of a tonne: the module's own statement, whole

    assert model.network.costs.__doc__.strip().splitlines()[-1] in hooks.cost_of_a_tonne()
    import model.lp.choice.dual  # the choice allocation's program and dual, as the solver's module states them

    program = hooks.choice_program()
    assert model.lp.choice.dual.__doc__.strip().splitlines()[-1].strip() in program
    assert program.count("$$") == 6  # the program, the logit, the dual: three displayed formulas


def test_a_page_that_lost_its_marker_fails_the_build(hooks):
    # A generated section must not drop out of the site silently: the hook raises (mkdocs stops).
    from types import SimpleNamespace

    from mkdocs.exceptions import PluginError

    page = SimpleNamespace(file=SimpleNamespace(src_uri="formulation.md", src_path="formulation.md"))
    with pytest.raises(PluginError, match="marker"):
        hooks.on_page_markdown("# Formulation\n\nno marker here\n", page, None, None)
    page.file.src_uri = page.file.src_path = "user-guide/input.md"
    assert "### Nodes" in hooks.on_page_markdown("<!-- input-reference -->", page, None, None)


def test_readme_windows_setup_commands():
    # The PowerShell pair does what the bash pair does, with the venv's own programs (no activation).
    assert 'py -3 -m venv .venv; .venv\\Scripts\\python -m pip install -e .; .venv\\Scripts\\corridor solve' in README
    assert ('py -3 -m venv .venv; .venv\\Scripts\\python -m pip install -e ".[dev]"; .venv\\Scripts\\python -m '
            'pytest') in README


def test_readme_test_commands_are_the_configured_ones():
    # The fast loop the README gives selects on a marker pyproject registers (--strict-markers makes
    # an unregistered one an error), and the parallel run it describes is the configured one; the
    # dev extra installs pytest-xdist, which -n needs.
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    options = project["tool"]["pytest"]["ini_options"]
    markers = {m.split(":")[0] for m in options["markers"]}
    assert {"slow", "browser", "heavy"} <= markers
    # The README's pytest leaves out the heavy tests; CI runs them in a second line, so it runs every test.
    assert "-m 'not heavy'" in options["addopts"] and "\npytest\n" in ci_lines() and "\npytest -m heavy\n" in ci_lines()
    assert all(flag in options["addopts"].split() for flag in ("--strict-markers", "-n", "auto"))
    assert any(d.startswith("pytest-xdist") for d in project["project"]["optional-dependencies"]["dev"])
    text = " ".join(documentation().split())  # docs/developer/tests.md
    assert 'While you work, `pytest -m "not slow"` is the fast loop' in text
    assert "`pytest` runs on every core (pytest-xdist, `-n auto` in `pyproject.toml`; `pytest -n 0`" in text


def test_a_heavy_test_is_slow_too():
    # The tests page promises that the fast loop (-m "not slow") leaves out every heavy test: conftest
    # marks each heavy item slow before -m selects.
    import conftest

    class Item:
        def __init__(self, *marks: str):
            self.marks = set(marks)

        def get_closest_marker(self, name: str):
            return name if name in self.marks else None

        def add_marker(self, mark):
            self.marks.add(mark.name)

    items = [Item("heavy"), Item(), Item("slow")]
    conftest.pytest_collection_modifyitems(items)
    assert [sorted(i.marks) for i in items] == [["heavy", "slow"], [], ["slow"]]


def ci_lines() -> str:
    """CI's script, comments left out."""
    text = (ROOT / ".ci" / "run").read_text()
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")) + "\n"


def test_prices_in_dollars_on_the_reference_pages_are_not_maths(hooks):
    # arithmatex reads $...$ as maths: "$0.02–0.03/t-km; container rail ~$0.09" became a formula.
    from types import SimpleNamespace

    page = SimpleNamespace(file=SimpleNamespace(src_uri="reference/corridor_figures.md"))
    assert hooks.on_page_markdown("rail $0.02; road $0.05", page, None, None) == "rail \\$0.02; road \\$0.05"
