from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE_CSV = ROOT / "inputs" / "base_case"
BASE_XLSX = ROOT / "inputs" / "base_case.xlsx"


@pytest.fixture(scope="session")
def base_run():
    from model import pipeline

    return pipeline.run(BASE_XLSX)


@pytest.fixture(scope="session")
def base_result_file(base_run, tmp_path_factory):
    from model.report.workbook import write_results

    out = tmp_path_factory.mktemp("base") / "base_case_result.xlsx"
    write_results(base_run.results, out, input_path=BASE_XLSX)
    return out


@pytest.fixture(scope="session")
def corpus_copies(tmp_path_factory):
    """A folder for the fault corpus's broken copies (corpus.shared_copy), shared by every test of
    the session and, under pytest-xdist, by every worker (their base folders share a parent)."""
    root = tmp_path_factory.getbasetemp()
    folder = (root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root) / "corpus-copies"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """A test marked heavy is slow too: the fast loop (-m "not slow") leaves out every heavy test
    without each carrying both marks. tryfirst: before -m selects on the marks."""
    for item in items:
        if item.get_closest_marker("heavy") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
