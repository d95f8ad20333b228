"""The same LP built three ways and solved by the same HiGHS: our array assembly (model.lp.assemble),
linopy, and Pyomo (the model's own statement, model.lp.statement, compiled by Pyomo's
LinearStandardFormCompiler); beside them bare HiGHS on the LP we hand it, written with HiGHS's own
writer from inside the run and read back in a fresh process. Not part of the test suite.

Each builder starts from the same network (model.pipeline.load: read, validate, derive) and ends
with the LP inside a highspy.Highs; its time is the builder's (build + hand-off). The three LPs
must give the same optimum (checked). linopy is in the `bench` extra: pip install -e ".[bench]".

Run: python benchmarks/peers.py [SIZES...]      e.g. python benchmarks/peers.py 10000 100000 1000000
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def linopy_model(net, settings):
    """The single-case LP of a synthetic case (Flow, Unmet, Shipped; demand_balance, supply_max,
    supply_min, capacity_limit, shipped_total, policy_limit) stated with linopy from the network's
    memberships, the way a linopy user writes it: a variable per family over its index, rows that
    partition the flows as one groupby, the others one constraint each."""
    import linopy
    import numpy as np
    import pandas as pd
    import xarray as xr

    from model.lp.families.rows import SHARE_ROW, SKIP, TONNES_ROW, PolicyLimit

    m = linopy.Model()
    n = len(net.flows)
    flow = m.add_variables(lower=0, coords=[pd.RangeIndex(n, name="flow")], name="Flow")
    objective = (xr.DataArray(net.cost_total, coords=[pd.RangeIndex(n, name="flow")]) * flow).sum()
    demand = [d.row for d in net.demand_rows]
    penalty = settings.unmet_penalty_usd_per_t
    of_demand = np.full(n, -1)
    for i, d in enumerate(net.demand_rows):
        of_demand[net.demand_index(d.row)] = i
    need = xr.DataArray([d.demand_t for d in net.demand_rows], coords=[pd.Index(demand, name="demand")])
    group = xr.DataArray(np.asarray(demand)[of_demand], coords=[pd.RangeIndex(n, name="flow")], name="demand")
    delivered = flow.groupby(group).sum()
    if penalty is not None:
        unmet = m.add_variables(lower=0, coords=[pd.Index(demand, name="demand")], name="Unmet")
        objective = objective + penalty * unmet.sum()
        m.add_constraints(delivered + unmet == need, name="demand_balance")
    else:
        m.add_constraints(delivered == need, name="demand_balance")
    for s in net.supply_rows:
        idx = net.supply_index(s)
        if len(idx):
            m.add_constraints(flow.isel(flow=idx).sum() <= s.max_t, name=f"supply_max_{s.row}")
            if s.min_t > 0:
                m.add_constraints(flow.isel(flow=idx).sum() >= s.min_t, name=f"supply_min_{s.row}")
    users = net.capacity_index()
    for c in net.capacity_rows:
        idx, passes = users[c.row]
        if len(idx):
            coeff = xr.DataArray(passes, coords=[pd.Index(idx, name="flow")])
            m.add_constraints((coeff * flow.isel(flow=idx)).sum() <= c.capacity_t, name=f"capacity_limit_{c.row}")
    shipped = {}
    for p in net.policy_limits:
        selected, total = net.policy_index(p)
        form = PolicyLimit.form(p, len(selected), len(total))
        if form == SKIP:
            continue
        if form == SHARE_ROW:
            if p.filter_key not in shipped:
                shipped[p.filter_key] = v = m.add_variables(lower=0, name=f"Shipped_{len(shipped)}")
                m.add_constraints(flow.isel(flow=total).sum() - v == 0, name=f"shipped_total_{len(shipped)}")
            sign = PolicyLimit.sign(p)
            m.add_constraints(sign * flow.isel(flow=selected).sum() - sign * p.value * shipped[p.filter_key] <= 0,
                              name=f"policy_{p.rule}_{p.target}")
        elif form == TONNES_ROW:
            lhs = flow.isel(flow=selected).sum()
            m.add_constraints(lhs <= p.value if p.is_max else lhs >= p.value, name=f"policy_{p.rule}_{p.target}")
        else:
            raise NotImplementedError(f"policy form {form} (synthetic cases have share and tonnage rules)")
    m.add_objective(objective)
    return m


def measure(case: str, mps: str) -> dict:
    """In a child process: the network, then each builder's LP inside HiGHS, solved; ours written
    with Highs.writeModel before it is solved."""
    import gc

    import linopy  # noqa: F401  (every library imported before any clock starts)
    import xarray  # noqa: F401

    from model.lp.assemble import build_lp
    from model.lp.highs import load_highs
    from model.lp.statement.compile import build_and_compile
    from model.pipeline import load

    gc.disable()
    plan, _ = load(case)
    net, settings = plan.cases[0].net, plan.data.settings
    out = {"flows": len(net.flows)}

    def solve(h) -> tuple[float, float]:
        start = time.perf_counter()
        h.run()
        return time.perf_counter() - start, h.getInfo().objective_function_value

    t = time.perf_counter()
    lp, rows, _ = build_lp(plan)
    h = load_highs(lp)
    out["ours"] = time.perf_counter() - t
    out["rows"], out["columns"] = h.getNumRow(), h.getNumCol()
    h.writeModel(mps)  # the LP exactly as we hand it to HiGHS, for the bare solve
    out["ours_solve"], out["objective"] = solve(h)
    del lp, h

    t = time.perf_counter()
    m = linopy_model(net, settings)
    h = m.to_highspy()
    out["linopy"] = time.perf_counter() - t
    h.setOptionValue("output_flag", False)
    if h.getNumCol() >= 50_000:
        h.setOptionValue("presolve", "off")  # the settings corridor solve uses at this size
    out["linopy_solve"], out["linopy_objective"] = solve(h)
    del m, h

    if len(net.flows) <= 1_000_000:
        t = time.perf_counter()
        lp, _, _ = build_and_compile(plan)
        h = load_highs(lp)
        out["pyomo"] = time.perf_counter() - t
        out["pyomo_solve"], out["pyomo_objective"] = solve(h)
    return out


BARE = """
import sys, time, resource, highspy
h = highspy.Highs(); h.setOptionValue("output_flag", False)
h.readModel(sys.argv[1])
if h.getNumCol() >= 50000: h.setOptionValue("presolve", "off")
t = time.perf_counter(); h.run(); run = time.perf_counter() - t
t = time.perf_counter(); h.getRanging(); ranging = time.perf_counter() - t
print(run, ranging, h.getInfo().objective_function_value, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main() -> None:
    import argparse

    from model.commands.generate import write_case

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    args = ap.parse_args()
    import highspy
    import linopy
    import pyomo

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"HiGHS {highspy.Highs().version()}, linopy {linopy.__version__}, Pyomo {pyomo.__version__}")
    print(f"{'flows':>10}{'ours':>9}{'linopy':>9}{'Pyomo':>9}{'linopy/ours':>12}{'Pyomo/ours':>11}"
          f"{'HiGHS':>8}{'bare':>8}{'bare rng':>9}{'bare MB':>8}  same optimum")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as d:
            case = write_case(Path(d) / "case", n)
            mps = str(Path(d) / "ours.mps")
            code = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks.peers import measure; "
                    f"print(json.dumps(measure({str(case)!r}, {mps!r})))")
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if done.returncode:
                print(f"{n:>10}  failed: {done.stderr.strip().splitlines()[-1]}")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            bare = subprocess.run([sys.executable, "-c", BARE, mps], capture_output=True, text=True, check=True)
            run, ranging, bare_objective, bare_mb = map(float, bare.stdout.strip().splitlines()[-1].split())
        objectives = [r["objective"], r["linopy_objective"], r.get("pyomo_objective", r["objective"]), bare_objective]
        same = max(objectives) - min(objectives) <= 1e-7 * abs(r["objective"])
        pyomo = r.get("pyomo", float("nan"))
        print(f"{r['flows']:>10,}{r['ours']:>9.2f}{r['linopy']:>9.2f}{pyomo:>9.2f}{r['linopy'] / r['ours']:>12.1f}"
              f"{pyomo / r['ours']:>11.1f}{r['ours_solve']:>8.2f}{run:>8.2f}{ranging:>9.2f}{bare_mb:>8,.0f}  "
              f"{'yes' if same else 'NO: ' + ', '.join(f'{o:.6g}' for o in objectives)}", flush=True)
    print("Seconds. ours, linopy, Pyomo: the LP built from the same network and handed to HiGHS (build + hand-off);\n"
          "HiGHS: our LP solved in the run; bare: the LP we hand HiGHS, written with Highs.writeModel and solved in\n"
          "a fresh process with the same settings (bare rng: HiGHS's ranging after it; bare MB: that process's peak).")


if __name__ == "__main__":
    main()
