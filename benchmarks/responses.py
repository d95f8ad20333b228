"""Leg sensitivity and the Responses sheet on the base case, under least cost and under route choice.

For every leg of the Legs sheet, its cost_usd_per_t 1 USD/t up alone: the tonnes that move (half the
sum of the changes over the flows and unmet tonnes), the largest and which leg
(model.analysis.responses.leg_sensitivity); under least cost (the LP re-solved from its basis) and under
route choice (the choice allocation re-run on the same LP). Then the time of the Responses sheet
(port_responses: the focus's tonnes, a central difference at each of its ports, the curve of cuts).
Without a Dispersions sheet in the input, every cargo class gets --dispersion USD/t.
Not part of the test suite. Run: python benchmarks/responses.py [INPUT] [--dispersion USD_PER_T]
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import pandas as pd

from model.analysis.responses import leg_sensitivity, port_responses
from model.input.schema import Allocation
from model.input.validate.choice import dispersions
from model.results.responses import ResponseRow
from model.steps import allocated, load, solve

BASE = Path(__file__).resolve().parent.parent / "inputs" / "base_case.xlsx"


def main(path: Path, dispersion: float) -> None:
    plan, _ = load(path)
    lp = solve(plan)
    n_legs = len(plan.data.tables["Legs"])
    print(f"{path.name}: {len(lp.columns)} columns, {len(lp.rows)} rows, {n_legs} legs")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    if lp.choice is None:
        start = time.perf_counter()
        found = leg_sensitivity(plan, lp)
        t = time.perf_counter() - start
        print(f"least cost: the largest move of +1 USD/t on one leg {found.largest_t / 1e6:,.3f} Mt ({found.leg}); "
              f"{t:.2f} s for {n_legs} legs ({1000 * t / n_legs:.1f} ms a leg)")
        print("  the five largest: " + _largest(found.moved))
    data = plan.data
    given = dispersions(data)
    if not given:
        classes = sorted(set(data.tables["Commodities"]["cargo_class"].astype(str)))
        data.tables["Dispersions"] = pd.DataFrame({"cargo_class": classes, "dispersion_usd_per_t": dispersion})
    data.settings = data.settings.replace(allocation=Allocation.CHOICE)
    start = time.perf_counter()
    sol = allocated(plan, lp) if lp.choice is None else lp
    print(f"choice allocation ({'the input' if given else f'{dispersion:g} USD/t a class'}): "
          f"{time.perf_counter() - start:.3f} s, {sol.choice.steps} Newton steps")  # type: ignore[union-attr]
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
                    help="USD/t for every cargo class when the input has no Dispersions sheet (default 10)")
    a = ap.parse_args()
    main(a.input, a.dispersion)
