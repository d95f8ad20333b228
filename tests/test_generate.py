"""corridor generate: a valid synthetic case of the asked size, with binding capacities and rules."""

from __future__ import annotations

import pandas as pd
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


def test_generated_case_solves_with_allocation_choice(tmp_path):
    # The generator states a dispersion for every cargo class it uses (marked as generated), so the same
    # case solves under allocation choice: every market's tonnes split over its routes, all delivered.
    case = tmp_path / "case"
    assert main(["generate", "--flows", "1000", "-o", str(case)]) == 0
    dispersions = pd.read_csv(case / "Dispersions.csv")
    classes = set(pd.read_csv(case / "Commodities.csv")["cargo_class"])
    assert set(dispersions["cargo_class"]) == classes
    assert dispersions["source"].str.contains("generated").all()
    least_cost = pipeline.run(case)
    with open(case / "Settings.csv", "a") as f:
        f.write("allocation,choice\n")
    choice = pipeline.run(case)
    assert least_cost.solution.choice is None
    assert choice.solution.choice is not None and choice.solution.choice.violation_t < 1.0
    assert choice.results.summary.unmet_t == pytest.approx(0, abs=1)
    # a logit gives every route of a market some tonnes; least cost only the cheapest (and those a full row shares)
    used = [(run.results.flows["tonnes_t"] > 1).sum() for run in (least_cost, choice)]
    assert used[1] > 2 * used[0]
