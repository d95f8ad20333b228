"""Leg sensitivity and the Responses sheet on the base case, under least cost and under route choice.

For every leg of the Legs sheet, its cost_usd_per_t 1 USD/t up alone: the tonnes that move (half the
sum of the changes over the flows and unmet tonnes), the largest and which leg
(model.analysis.responses.leg_sensitivity); under least cost (the LP re-solved from its basis) and under
route choice (the choice allocation re-run on the same LP). Then the time of the Responses sheet
(port_responses: the focus's tonnes, a central difference at each of its ports, the curve of cuts).
Under route choice the least-cost fit's premiums and calibration rules are left out (model.input.allocation);
a cargo class the Dispersions sheet gives no dispersion (own row or blank row) gets --dispersion USD/t.
Not part of the test suite. Run: python benchmarks/responses.py [INPUT] [--dispersion USD_PER_T]
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import pandas as pd

from model.analysis.responses import leg_sensitivity, port_responses
from model.input.allocation import for_allocation
from model.input.schema import Allocation
from model.input.validate.choice import demanded_classes, dispersions
from model.network.build import build_network
from model.plan import Plan
from model.results.responses import ResponseRow
from model.steps import load, solve

BASE = Path(__file__).resolve().parent.parent / "inputs" / "base_case.xlsx"


def main(path: Path, dispersion: float) -> None:
    plan, _ = load(path, allocation=Allocation.LEAST_COST)
    lp = solve(plan)
    n_legs = len(plan.data.tables["Legs"])
    print(f"{path.name}: {len(lp.columns)} columns, {len(lp.rows)} rows, {n_legs} legs")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    start = time.perf_counter()  # least cost, as the input has it (its premiums and calibration rules)
    found = leg_sensitivity(plan, lp)
    t = time.perf_counter() - start
    print(f"least cost: the largest move of +1 USD/t on one leg {found.largest_t / 1e6:,.3f} Mt ({found.leg}); "
          f"{t:.2f} s for {n_legs} legs ({1000 * t / n_legs:.1f} ms a leg)")
    print("  the five largest: " + _largest(found.moved))
    data = for_allocation(plan.data.copy(settings=plan.data.settings.replace(allocation=Allocation.CHOICE)))
    given = dispersions(data)
    missing = [c for c in demanded_classes(data) if c not in given]  # only these get --dispersion
    if missing:
        filled = pd.DataFrame({"cargo_class": missing, "dispersion_usd_per_t": dispersion})
        data = data.copy(tables={**data.tables, "Dispersions": pd.concat(
            [data.tables.get("Dispersions", pd.DataFrame()), filled], ignore_index=True)})
    print(f"route choice: {data.left_out.text() if data.left_out else 'nothing of a least-cost fit to leave out'}")
    plan = Plan.of_one(data, build_network(data))  # the choice view: without the least-cost fit's rows
    start = time.perf_counter()
    sol = solve(plan)
    filled_in = f"; {dispersion:g} USD/t for {', '.join(missing)}" if missing else ""
    print(f"choice allocation (the input's dispersions{filled_in}): {time.perf_counter() - start:.3f} s with its LP, "
          f"{sol.choice.steps} Newton steps")  # type: ignore[union-attr]
    start = time.perf_counter()
    found = leg_sensitivity(plan, sol)
    t = time.perf_counter() - start
    print(f"route choice: the largest move of +1 USD/t on one leg {found.largest_t / 1e6:,.3f} Mt ({found.leg}); "
          f"{t:.2f} s for {n_legs} legs ({1000 * t / n_legs:.1f} ms a leg)")
    print("  the five largest: " + _largest(found.moved))
    start = time.perf_counter()
    sheet = port_responses(plan, sol)
    t = time.perf_counter() - start
    curve = int((sheet["what"] == ResponseRow.CURVE).sum()) if len(sheet) else 0
    print(f"Responses sheet: {len(sheet)} rows ({curve} curve points) in {t:.2f} s")


def _largest(moved: pd.DataFrame) -> str:
    top = moved.sort_values("moved_t", ascending=False, kind="stable").head(5)
    return ", ".join(f"{leg} {t / 1e6:,.3f} Mt" for leg, t in zip(top["leg"], top["moved_t"], strict=True))


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input", nargs="?", type=Path, default=BASE)
    ap.add_argument("--dispersion", type=float, default=10.0,
                    help="USD/t for each cargo class without a dispersion on the Dispersions sheet (default 10)")
    a = ap.parse_args()
    main(a.input, a.dispersion)
