"""corridor check: a result workbook read back and checked against the input it claims to solve
(model.analysis.check, the independent oracle)."""

from __future__ import annotations

from pathlib import Path

from model.analysis.check import NOT_A_RESULT_FIX, check_sheets
from model.errors import InputError, Problem
from model.report.output import written_by
from model.report.read_results import read_result_workbook


def check_result(input_path: Path, result_path: Path, scenario: str | None = None, allocation: str | None = None
                 ) -> tuple[list[str], list[str], bool]:
    """(violations, notes, whether a Map sheet was checked): the result workbook read (refused when the
    two files are given the wrong way round) and checked by model.analysis.check.check_sheets."""
    if written_by(input_path) == "solve" and written_by(result_path) != "solve":
        raise InputError(str(input_path), [Problem(
            "is a result workbook (written by corridor solve), given where the input goes",
            f"The input comes first: corridor check {result_path} {input_path}")])
    sheets = read_result_workbook(result_path, NOT_A_RESULT_FIX)
    return check_sheets(input_path, result_path, sheets, scenario, allocation)
