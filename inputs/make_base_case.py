"""Write the shipped base case from the 2023 base year: calibrate it, and write it as a workbook and
as a folder of CSV files; then the plan case from it.

    python inputs/make_base_case.py

inputs/base_year_uncalibrated/ (CSV) is the source: the 2023 network, volumes and costs with its
Observations sheet, every figure cited on its Sources sheet. `corridor calibrate` adds the implied
premiums (Surcharges) and, where costs alone cannot hold an observation, calibration rules; the
result is inputs/base_case.xlsx and its CSV twin inputs/base_case/. A test keeps the shipped files
equal to what this script writes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from model.commands.calibrate import calibrate_to_workbook  # noqa: E402
from model.report.input_workbook import convert  # noqa: E402


def main() -> None:
    # These scripts regenerate the shipped files: they replace them (force), and never another file.
    print(calibrate_to_workbook(HERE / "base_year_uncalibrated", HERE / "base_case.xlsx", force=True))
    convert(HERE / "base_case.xlsx", HERE / "base_case", force=True)
    subprocess.run([sys.executable, str(HERE / "make_plan_case.py")], check=True)


if __name__ == "__main__":
    main()
