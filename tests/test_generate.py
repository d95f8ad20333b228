"""corridor generate: a valid synthetic case of the asked size, with binding capacities and rules."""

from __future__ import annotations

import pytest

from model import pipeline
from model.cli import main


@pytest.mark.parametrize("flows", [1000, 5000])
def test_generated_case_is_valid_feasible_and_close_to_size(tmp_path, flows):
    assert main(["generate", "--flows", str(flows), "-o", str(tmp_path / "case")]) == 0
    run = pipeline.run(tmp_path / "case")
    assert flows <= len(run.net.flows) <= 1.25 * flows
    assert run.results.summary.unmet_t == pytest.approx(0, abs=1)
    assert run.results.capacity["binding"].any()


def test_same_seed_same_case(tmp_path):
    for name in ("a", "b"):
        assert main(["generate", "--flows", "2000", "--seed", "7", "-o", str(tmp_path / name)]) == 0
    for f in (tmp_path / "a").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name
