"""Random valid cases read the same whichever way they reach the model: as a CSV folder, as the
workbook written from it, as that workbook opened and saved again, and as the CSV folder that
`corridor convert` makes of it. Each gives the same solution (objective and every column)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lpforms import random_case
from openpyxl import load_workbook

from model import pipeline
from model.cli import main


def solution(path):
    """The case read from path, validated and solved: its objective and the value of every column
    (flows, unmet demand, builds, ...) by its key. The result tables are not made: what this test
    compares is what the readers give the LP, and the tables of the same solution are the same."""
    plan, _ = pipeline.load(path)
    sol = pipeline.solve(plan)
    return sol.objective_usd, dict(zip(sol.columns, sol.x, strict=True))


@pytest.mark.slow
@pytest.mark.heavy  # 8 random cases through every reader
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
        (objective, a), *others = [solution(path) for path in (csv, workbook, resaved, back)]
        for other_objective, b in others:
            assert other_objective == pytest.approx(objective, rel=1e-12)
            assert a.keys() == b.keys()
            assert [b[k] for k in a] == pytest.approx([a[k] for k in a], rel=1e-9, abs=1e-6)
    finally:
        shutil.rmtree(folder)
