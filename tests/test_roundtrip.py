"""Random valid cases read the same whichever way they reach the model: as a CSV folder, as the
workbook written from it, as that workbook opened and saved again, and as the CSV folder that
`corridor convert` makes of it. Each gives the same solution (objective and every flow)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from lpforms import random_case
from model import pipeline
from model.cli import main


def flows(run):
    f = run.results.flows
    return dict(zip(zip(f["commodity"], f["route"]), f["tonnes_t"]))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_every_reader_gives_the_same_solution(seed):
    folder = Path(tempfile.mkdtemp())
    try:
        csv = random_case(folder, seed)  # a folder of CSV files with every family of rows
        workbook = folder / "case.xlsx"
        assert main(["convert", str(csv), "-o", str(workbook)]) == 0
        resaved = folder / "resaved.xlsx"
        load_workbook(workbook).save(resaved)  # opened and saved again by another program
        back = folder / "back"
        assert main(["convert", str(resaved), "-o", str(back)]) == 0
        runs = [pipeline.run(path) for path in (csv, workbook, resaved, back)]
        first = runs[0]
        for other in runs[1:]:
            assert other.solution.objective_usd == pytest.approx(first.solution.objective_usd, rel=1e-12)
            a, b = flows(first), flows(other)
            assert a.keys() == b.keys()
            assert [b[k] for k in a] == pytest.approx([a[k] for k in a], rel=1e-9, abs=1e-6)
    finally:
        shutil.rmtree(folder)
