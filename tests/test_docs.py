"""The README stays true: its input table is the schema's, its set-up commands are the two that CI runs."""

from __future__ import annotations

from conftest import ROOT
from model.input.schema import markdown_table

README = (ROOT / "README.md").read_text()


def test_readme_input_table_is_generated_from_the_schema():
    start = README.index("<!-- schema-table")
    end = README.index("<!-- /schema-table -->")
    block = README[README.index("\n", start) + 1:end].strip()
    assert block == markdown_table().strip()


def test_readme_setup_commands():
    assert "pip install -e . && corridor solve" in README
    assert 'pip install -e ".[dev]" && pytest' in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert '-e ".[dev]"' in ci and "\npytest\n" in ci


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
    assert {"slow", "browser"} <= markers
    assert all(flag in options["addopts"].split() for flag in ("--strict-markers", "-n", "auto"))
    assert any(d.startswith("pytest-xdist") for d in project["project"]["optional-dependencies"]["dev"])
    text = " ".join(README.split())
    assert 'While you work, `pytest -m "not slow"` is the fast loop' in text
    assert "`pytest` runs on every core (pytest-xdist, `-n auto` in `pyproject.toml`; `pytest -n 0`" in text
