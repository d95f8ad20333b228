"""Tiny cases built in code: a few nodes and legs, written as a CSV folder or a workbook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.report.input_workbook import write_input_workbook


def write_case(folder: Path, tables: dict[str, list[dict]], settings: dict | None = None,
               xlsx: bool = False) -> Path:
    """Write the tables (sheet -> rows as dicts) as CSV files in folder, or as one workbook."""
    frames = {name: pd.DataFrame(rows) for name, rows in tables.items()}
    if xlsx:
        path = folder / "case.xlsx"
        write_input_workbook(frames, path, settings=settings or {}, force=True)  # a fixture, rewritten at will
        return path
    case = folder / "case"
    case.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        df.to_csv(case / f"{name}.csv", index=False)
    if settings:
        pd.DataFrame({"key": list(settings), "value": list(settings.values())}).to_csv(
            case / "Settings.csv", index=False)
    return case


def nodes(*specs: tuple) -> list[dict]:
    """nodes(("A", "origin"), ("B", "market", {"handling_usd_per_t": 3})) with country XX."""
    out = []
    for spec in specs:
        node, kind = spec[0], spec[1]
        extra = spec[2] if len(spec) > 2 else {}
        out.append({"node": node, "country": extra.pop("country", "XX"), "kind": kind, **extra})
    return out


def legs(*specs: tuple) -> list[dict]:
    """legs(("A", "B", cost_usd_per_t, transit_days), ...), mode rail."""
    return [{"from": a, "to": b, "mode": "rail", "cost_usd_per_t": c, "transit_days": d} for a, b, c, d in specs]


def transport_case(**overrides) -> dict[str, list[dict]]:
    """100 t of coal from A to market M; rail A>M at 2 USD/t, road A>R>M at 5 USD/t total."""
    tables = {
        "Countries": [{"country": "XX", "risk_premium_pct": 0}],
        "Nodes": nodes(("A", "origin"), ("R", "hub"), ("M", "market")),
        "Legs": legs(("A", "M", 2, 1), ("A", "R", 3, 1), ("R", "M", 2, 1)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk", "value_usd_per_t": 0}],
        "Routes": [{"route": "RAIL", "corridor": "Rail", "path": "A>M"},
                   {"route": "ROAD", "corridor": "Road", "path": "A>R>M"}],
        "Demand": [{"commodity": "coal", "market": "M", "demand_t": 100}],
    }
    tables.update(overrides)
    return tables


def solved_and_checked(tmp_path, tables, settings=None):
    """Solve a case, write its result workbook, and check it independently (corridor check): the
    run, for the hand-worked tests to read."""
    from model import pipeline
    from model.commands.check import check_result
    from model.report.workbook import write_results

    case = write_case(tmp_path, tables, settings)
    run = pipeline.run(case)
    out = write_results(run.results, tmp_path / "result.xlsx", input_path=case)
    assert check_result(case, out)[:2] == ([], [])
    return run
