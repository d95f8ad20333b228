"""The promise of the calibration and frontier tools: they work on variants of the base year with
any cost 20% higher or lower. Each variant is written as a case of its own; calibrate must finish
(no internal error, exit 0) with an input that validates, and frontier --exact must find every
breakpoint (exit 0) on it."""

from __future__ import annotations

import pytest
from conftest import ROOT
from variants import scaled_legs, seeded

from model.cli import main
from model.input.read import read_input
from model.report.input_workbook import input_tables, write_csv_folder

# calibrate and the exact frontier on variants of the base year: left out of the fast loop
pytestmark = pytest.mark.slow

VARIANTS = {
    "Iranian legs -20%": lambda d: scaled_legs(d, 0.8, countries=("IR",)),
    "Afghan and Pakistani road -20%": lambda d: scaled_legs(d, 0.8, mode="road", countries=("AF", "PK")),
    "rail +20%": lambda d: scaled_legs(d, 1.2, mode="rail"),
    "seeded 3": lambda d: seeded(d, 3),
    "seeded 7": lambda d: seeded(d, 7),
}


@pytest.fixture(scope="module")
def base_year():
    return read_input(ROOT / "inputs" / "base_year_uncalibrated")


@pytest.mark.heavy  # the base year calibrated and its exact frontier found, on each variant
@pytest.mark.parametrize("name", list(VARIANTS))
def test_calibrate_and_the_exact_frontier_on_a_variant(base_year, name, tmp_path, capsys):
    data = VARIANTS[name](base_year)
    case = write_csv_folder(input_tables(data), tmp_path / "case", settings=data.settings.given(), force=True)
    calibrated = tmp_path / "calibrated.xlsx"
    assert main(["calibrate", str(case), "-o", str(calibrated)]) == 0, capsys.readouterr().err
    assert main(["validate", str(calibrated)]) == 0, capsys.readouterr().err
    assert main(["frontier", str(case), "--maximise", "country PK", "--cost-within", "0:5%", "--exact",
                 "-o", str(tmp_path / "frontier.xlsx")]) == 0, capsys.readouterr().err
    assert "Infeasible" not in capsys.readouterr().out
