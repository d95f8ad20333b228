"""corridor calibrate: premiums fitted by model.analysis.calibrate, then the calibrated input workbook
written (never one that fails validation)."""

from __future__ import annotations

from pathlib import Path

from model.analysis.calibrate import calibrate


def calibrate_to_workbook(src: Path, output: Path, force: bool = False, scenario: str | None = None,
                          year: int | None = None) -> str:
    """corridor calibrate: the calibrated input workbook (the input, its Surcharges and Policies rows
    added, and a Calibration sheet); returns the text to print."""
    from model.progress import live_line
    from model.report import console
    from model.report.input_workbook import input_tables, write_input_workbook
    from model.report.output import Outputs

    with Outputs("calibrate", [src], force) as outputs:
        outputs.check(output)
        with live_line("calibrating"):
            cal = calibrate(src, scenario, year)
        tables = {**input_tables(cal.data), "Calibration": cal.table}
        write_input_workbook(tables, output, settings=cal.data.settings.given(), outputs=outputs)
    replaced = " and ".join(f"{n} {'Surcharges row' if sheet == 'Surcharges' else 'calibration rule'}"
                            f"{'s' if n != 1 else ''}" for sheet, n in cal.replaced.items())
    return console.calibration_text(cal.table, output) + (
        f"\n(It replaces what an earlier calibration wrote: {replaced}.)" if replaced else "")


def estimate_to_workbook(src: Path, output: Path, force: bool = False, scenario: str | None = None,
                         year: int | None = None) -> str:
    """corridor calibrate --estimate: the input workbook with the estimated Dispersions rows, an
    Estimation sheet (a row per cargo class) and an EstimationFit sheet (each observation under least
    cost beside choice); returns the text to print."""
    from model.analysis.estimate import estimate
    from model.progress import live_line
    from model.report.estimation import estimation_text
    from model.report.input_workbook import input_tables, write_input_workbook
    from model.report.output import Outputs

    with Outputs("calibrate", [src], force) as outputs:
        outputs.check(output)
        with live_line("estimating the dispersions"):
            est = estimate(src, scenario, year)
        tables = {**input_tables(est.data), "Estimation": est.classes, "EstimationFit": est.fit}
        write_input_workbook(tables, output, settings=est.data.settings.given(), outputs=outputs)
    return estimation_text(est, output)
