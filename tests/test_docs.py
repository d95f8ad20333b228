"""The README stays true: its input table is the schema's, its set-up commands are the two that CI runs."""

from __future__ import annotations

from conftest import ROOT
from model.schema import markdown_table

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
