"""Do two versions of the code give the same answers on every shipped case?  For a restructuring:

    python benchmarks/same_answers.py run DIR      # solve every shipped case with this checkout, into DIR
    python benchmarks/same_answers.py diff A B     # compare two such runs, cell by cell

`run` solves the base case as it is, under each of its scenarios, stated in Pyomo
(--builder pyomo); the plan case, and robust to its scenarios; and the uncalibrated base year, each with
`corridor solve`.
It reads every sheet of every result workbook back (the objective, flows, duals, ranging, fit, ...) and
writes them to DIR/answers.json, leaving out what differs from run to run by nature: times, dates, file
names and the solver's log lines. `diff` prints every cell that differs by more than 1e-9 relatively, and
exits 1 if any does. Not a benchmark of speed: it sits here because it is run by hand, beside them.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "inputs" / "base_case.xlsx"
PLAN = ROOT / "inputs" / "plan_case.xlsx"
UNCAL = ROOT / "inputs" / "base_year_uncalibrated"
SCENARIOS = ["carbon_price", "cpc_half", "gwadar_tariff_cut", "high_grain", "invest", "russia_cap_2025",
             "russia_closed", "torkham_closed", "trans_afghan_open"]
# Summary lines that differ between runs of one version (time taken, when, where from).
VOLATILE = ("time", "seconds", "written", "date", "version", "file", "sha-256", "input", "solver", "phase",
            "run at")


def cases() -> list[tuple[str, list[str]]]:
    out = [("base", [str(BASE)]), ("base_pyomo", [str(BASE), "--builder", "pyomo"])]
    out += [(f"base_{s}", [str(BASE), "--scenario", s]) for s in SCENARIOS]
    out += [("plan", [str(PLAN)]), ("plan_robust", [str(PLAN), "--robust", "all"]), ("uncalibrated", [str(UNCAL)])]
    return out


def cell(v: object) -> object:
    if isinstance(v, float):
        return None if math.isnan(v) else float(f"{v:.12g}")
    return v if v is None or isinstance(v, int | str | bool) else str(v)


def volatile(sheet: str, row: list) -> bool:
    head = str(row[0]).lower() if row and row[0] is not None else ""
    return sheet == "Summary" and any(w in head for w in VOLATILE)


def read(path: Path) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for ws in wb.worksheets:
        rows = []
        for r in ws.iter_rows(values_only=True):
            row = [cell(v) for v in r]
            if volatile(ws.title, row):
                continue
            rows.append(row)
        out[ws.title] = rows
    return out


def run(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    answers = {}
    for name, args in cases():
        target = outdir / f"{name}.xlsx"
        cmd = ["corridor", "solve", *args, "-o", str(target), "--force", "--no-map"]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        answers[name] = {"exit": done.returncode, "sheets": read(target) if target.exists() else None}
        print(f"{name}: exit {done.returncode}", flush=True)
    (outdir / "answers.json").write_text(json.dumps(answers, indent=0), encoding="utf-8")


def same(a: object, b: object) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def diff(a_dir: Path, b_dir: Path) -> int:
    a = json.loads((a_dir / "answers.json").read_text(encoding="utf-8"))
    b = json.loads((b_dir / "answers.json").read_text(encoding="utf-8"))
    n_diff = n_cells = 0
    for case in sorted(set(a) | set(b)):
        ca, cb = a.get(case), b.get(case)
        if ca is None or cb is None or ca["exit"] != cb["exit"]:
            print(f"{case}: run in one only, or exit codes differ")
            n_diff += 1
            continue
        for sheet in sorted(set(ca["sheets"] or {}) | set(cb["sheets"] or {})):
            ra, rb = (ca["sheets"] or {}).get(sheet), (cb["sheets"] or {}).get(sheet)
            if ra is not None and rb is not None:  # runs read before a line was known to be volatile
                ra, rb = ([r for r in x if not volatile(sheet, r)] for x in (ra, rb))
            if ra is None or rb is None:
                print(f"{case} / {sheet}: in one only")
                n_diff += 1
                continue
            for i in range(max(len(ra), len(rb))):
                xa = ra[i] if i < len(ra) else []
                xb = rb[i] if i < len(rb) else []
                for j in range(max(len(xa), len(xb))):
                    n_cells += 1
                    va = xa[j] if j < len(xa) else None
                    vb = xb[j] if j < len(xb) else None
                    if not same(va, vb):
                        n_diff += 1
                        if n_diff <= 60:
                            print(f"{case} / {sheet} row {i + 1} col {j + 1}: {va!r} -> {vb!r}")
    print(f"{len(a)} cases, {n_cells:,} cells compared, {n_diff} differ")
    return 1 if n_diff else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["run"] and len(sys.argv) == 3:
        run(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["diff"] and len(sys.argv) == 4:
        sys.exit(diff(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
