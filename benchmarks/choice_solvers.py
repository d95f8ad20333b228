"""Which solver for the choice allocation: the same entropy program solved three ways, measured.

The program is read off a generated case's solved LP (model.lp.choice.program.read_program, as
`corridor solve` does under allocation choice), then solved by
  - newton:    ours, projected Newton on the smooth dual (model.lp.choice.dual.solve_dual), from 0 tolls;
  - lbfgsb:    scipy.optimize L-BFGS-B on the same dual (value and gradient from model.lp.choice.dual),
               from 0 tolls, bounds mu >= 0 (free on equality rows);
  - clarabel:  the primal as an exponential-cone program (each column x with t >= x ln x as (-t, x, 1) in
               the exponential cone, the group totals and the rows linear), tonnes scaled by the largest
               group total; only if clarabel is installed (not a dependency of the model: install it in a
               separate environment, see benchmarks/README.md).
Each is scored on the same terms: seconds, iterations, the primal objective sum c x + sum x (ln x - 1) / theta
(USD) above the dual bound (the dual's value at Newton's tolls: no allocation that meets the rows costs less),
the largest row violation and the largest group-total error (tonnes).

Run: python benchmarks/choice_solvers.py [SIZES...]      e.g. python benchmarks/choice_solvers.py 10000 100000
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import optimize, sparse


def program_of(flows: int):
    """The choice program (model.lp.choice.dual.DualProblem) of a generated case of about `flows` flows."""
    from model.commands.generate import write_case
    from model.input.validate.choice import dispersions
    from model.lp.choice.program import LPTables, read_program
    from model.lp.solve import solve_plan
    from model.pipeline import load

    with tempfile.TemporaryDirectory() as d:
        plan, _ = load(write_case(Path(d) / "case", flows))
    sol = solve_plan(plan, False, None, ranging=False)
    lp = LPTables.of_highs(sol.highs.getLp())
    return read_program(plan, sol.columns, sol.rows, lp, sol.x, dispersions(plan.data)).problem


def primal_value(p, x: np.ndarray) -> float:
    """sum_j c_j x_j + sum_j x_j (ln x_j - 1) / theta_j, USD (x ln x = 0 at x = 0)."""
    theta = np.repeat(p.theta, np.diff(p.start))
    xlogx = np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0)), 0.0)
    return float(p.cost @ x + np.sum((xlogx - x) / theta))


def errors(p, x: np.ndarray) -> tuple[float, float]:
    """(largest row violation, largest group-total error), tonnes."""
    slack = p.b - p.B @ x
    rows = np.where(p.free, np.abs(slack), np.maximum(-slack, 0.0))
    totals = np.add.reduceat(x, p.start[:-1]) if len(x) else np.zeros(0)
    return float(rows.max(initial=0.0)), float(np.abs(totals - p.total).max(initial=0.0))


def dual_bound(p, mu: np.ndarray) -> float:
    """The dual's value at tolls mu (>= 0 on bounded rows), USD: a lower bound on the primal objective
    (weak duality), sum_g D_g (ln D_g - 1) / theta_g - f(mu), f as model.lp.choice.dual.objective."""
    from model.lp.choice.dual import objective

    return float(np.sum(p.total * (np.log(p.total) - 1.0) / p.theta) - objective(p, mu)[0])


def newton(p) -> tuple[np.ndarray, int, np.ndarray, str]:
    from model.lp.choice.dual import solve_dual

    found = solve_dual(p)  # raises NoConvergence if it does not reach its tolerance
    return found.x, found.steps, found.mu, "converged"


def lbfgsb(p) -> tuple[np.ndarray, int, np.ndarray, str]:
    from model.lp.choice.dual import objective

    def f(mu):
        value, x = objective(p, mu)
        return value, p.b - p.B @ x

    bounds = [(None, None) if free else (0.0, None) for free in p.free]
    res = optimize.minimize(f, np.zeros(len(p.b)), jac=True, method="L-BFGS-B", bounds=bounds,
                            options={"maxiter": 20000, "maxfun": 40000, "ftol": 1e-15, "gtol": 1e-9})
    return objective(p, res.x)[1], int(res.nit), res.x, str(res.message)


def clarabel_primal(p) -> tuple[np.ndarray, int, None, str]:
    """min sum (c + (ln s - 1)/theta) x' + t / theta   s.t. group sums, B x' <= b / s, (-t, x', 1) in K_exp;
    x = s x' (s the largest group total: the cone's arithmetic in units near 1)."""
    import clarabel

    n, rows = len(p.cost), len(p.b)
    s = float(p.total.max())
    theta = np.repeat(p.theta, np.diff(p.start))
    q = np.concatenate([p.cost + (np.log(s) - 1.0) / theta, 1.0 / theta])
    groups = len(p.total)
    group_of = np.repeat(np.arange(groups), np.diff(p.start))
    G = sparse.csr_matrix((np.ones(n), (group_of, np.arange(n))), shape=(groups, n))
    Bx = p.B.tocsr()
    eq, le = np.flatnonzero(p.free), np.flatnonzero(~p.free)
    zero_rows = sparse.vstack([G, Bx[eq]])
    # the cone rows, 3 a column: s1 = -t_j (A: +1 at t_j), s2 = x_j (A: -1 at x_j), s3 = 1 (b = 1)
    j = np.arange(n)
    cone = sparse.csr_matrix((np.concatenate([np.ones(n), -np.ones(n)]),
                              (np.concatenate([3 * j, 3 * j + 1]), np.concatenate([n + j, j]))), shape=(3 * n, 2 * n))
    A = sparse.vstack([sparse.hstack([zero_rows, sparse.csr_matrix((zero_rows.shape[0], n))]),
                       sparse.hstack([Bx[le], sparse.csr_matrix((len(le), n))]), cone]).tocsc()
    b = np.concatenate([p.total / s, p.b[eq] / s, p.b[le] / s, np.tile([0.0, 0.0, 1.0], n)])
    cones = [clarabel.ZeroConeT(zero_rows.shape[0]), clarabel.NonnegativeConeT(len(le))] \
        + [clarabel.ExponentialConeT()] * n
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    solver = clarabel.DefaultSolver(sparse.csc_matrix((2 * n, 2 * n)), q, A, b, cones, settings)
    sol = solver.solve()
    del rows
    return s * np.asarray(sol.x[:n]), int(sol.iterations), None, str(sol.status)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10000, 100000]
    try:
        import clarabel  # noqa: F401
        have_clarabel = True
    except ImportError:
        have_clarabel = False
    import scipy

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy "
          f"{np.__version__}, scipy {scipy.__version__}"
          + (f", clarabel {sys.modules['clarabel'].__version__}" if have_clarabel else ", clarabel not installed"))
    solvers = {"newton": newton, "lbfgsb": lbfgsb}
    if have_clarabel:
        solvers["clarabel"] = clarabel_primal
    print(f"{'flows':>9}{'columns':>9}{'rows':>6}  {'solver':<10}{'seconds':>9}{'iters':>7}{'objective USD':>18}"
          f"{'above bound':>12}{'row viol t':>12}{'total err t':>12}  status")
    for flows in sizes:
        p = program_of(flows)
        found = {}
        for name, solve in solvers.items():
            t = time.perf_counter()
            try:
                x, iterations, tolls, status = solve(p)
            except Exception as e:  # a solver that fails is a result too
                print(f"{flows:>9,}{len(p.cost):>9,}{len(p.b):>6}  {name:<10}failed: {type(e).__name__}: {e}")
                continue
            found[name] = (time.perf_counter() - t, iterations, x, status)
            if name == "newton":
                bound = dual_bound(p, tolls)
        for name, (seconds, iterations, x, status) in found.items():
            value = primal_value(p, x)
            row, total = errors(p, x)
            print(f"{flows:>9,}{len(p.cost):>9,}{len(p.b):>6}  {name:<10}{seconds:>9.2f}{iterations:>7}{value:>18,.1f}"
                  f"{value - bound:>12.3g}{row:>12.3g}{total:>12.3g}  {status}", flush=True)
    print("iters: Newton steps, L-BFGS-B iterations, Clarabel interior-point iterations. objective: the primal\n"
          "sum c x + sum x (ln x - 1) / theta at each solver's x; above bound: USD above the dual's value at Newton's\n"
          "tolls, which no allocation meeting every row undercuts (one breaking a row or a total can sit below it).\n"
          "row viol: the largest row over its limit, tonnes; total err: the largest |a group's x summed - its total|.")


if __name__ == "__main__":
    main()
