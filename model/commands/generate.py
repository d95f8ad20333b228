"""corridor generate: a synthetic case of a given size (model.analysis.generate) written as an input workbook
or a folder of CSV files."""

from __future__ import annotations

from pathlib import Path

from model.analysis.generate import generate_tables


def write_case(path: Path, flows: int, seed: int = 0, years: int = 1, scenarios: int = 0, force: bool = False) -> Path:
    """A CSV folder (any path not ending in .xlsx) or a workbook."""
    from model.errors import InputError, Problem

    if flows < 100:
        raise InputError("--flows", [Problem(f"{flows} is too few; the smallest case has 400 flows",
                                             "Ask for 1000 or more.")])
    if flows > 20_000_000:
        raise InputError("--flows", [Problem(f"{flows:,} is more than this generator writes (20,000,000)",
                                             "Ask for fewer flows.")])
    if not 1 <= years <= 50 or not 0 <= scenarios <= 100 or seed < 0:
        raise InputError("--years/--scenarios/--seed", [Problem(
            f"--years must be 1 to 50, --scenarios 0 to 100 and --seed at least 0; found {years}, {scenarios}, {seed}",
            "For example --years 3 --scenarios 4 --seed 0.")])
    from model.report.input_workbook import write_csv_folder, write_input_workbook

    tables, settings = generate_tables(flows, seed, years, scenarios)
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return write_input_workbook(tables, path, settings=settings, kind="generate", force=force)
    return write_csv_folder(tables, path, settings=settings, kind="generate", force=force)
