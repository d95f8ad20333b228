r"""The logit allocation's numbers: the entropy-regularised program solved through its smooth dual.

The program (model.lp.choice explains where it comes from): columns $x_j \ge 0$ in groups $g$ (a
market's tonnes of a commodity, in a season where there are seasons) whose totals $D_g$ are fixed,
each group with its dispersion $1/\theta_g$ (USD/t), and linear rows $B x \le b$ (the capacities,
supplies and policies, a $\ge$ row turned round; an equality row has a free multiplier):

$$
\min_x \; \sum_j c_j x_j + \sum_g \frac{1}{\theta_g} \sum_{j \in g} x_j (\ln x_j - 1)
\quad \text{s.t.} \quad \sum_{j \in g} x_j = D_g, \quad B x \le b .
$$

For multipliers $\mu$ of the rows (the tolls, USD/t) the columns that minimise the Lagrangian are
the logit shares of the generalised costs $\tilde c = c + B^\top \mu$ in each group,

$$
x_j(\mu) = D_g \frac{e^{-\theta_g \tilde c_j}}{\sum_{i \in g} e^{-\theta_g \tilde c_i}},
$$

and the tolls are those that minimise the smooth convex dual

$$
f(\mu) = \sum_g \frac{D_g}{\theta_g} \ln \sum_{j \in g} e^{-\theta_g \tilde c_j} + b^\top \mu,
\qquad \nabla f = b - B x(\mu), \qquad
\nabla^2 f = \sum_g \theta_g B_g \Big(\mathrm{diag}(x_g) - \frac{x_g x_g^\top}{D_g}\Big) B_g^\top ,
$$

over $\mu \ge 0$ (free on equality rows). A capacity row's toll is positive only where the row is
full. The dual has one variable per row (hundreds, where the columns are up to millions), so its
Hessian is a small dense matrix and Newton's method, projected onto $\mu \ge 0$ (Bertsekas 1982:
the rows at their bound whose gradient pushes out are held, the others take the Newton step, an
Armijo search along the projected arc), converges in a few dozen steps to the row tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scipy.sparse is imported by the caller's matrices: not at a least-cost run's start
    from scipy import sparse

NEWTON_STEPS = 200
ARMIJO = 1e-4


class NoConvergence(Exception):
    """The projected Newton steps did not reach the tolerance (a row that holds some column at 0 without
    being found so beforehand, or an infeasible program)."""


@dataclass
class DualProblem:
    """The program in the dual's terms. Columns in group order: group g's columns are
    start[g]:start[g + 1]."""

    B: sparse.csr_matrix  # rows x columns
    b: np.ndarray
    free: np.ndarray  # bool per row: an equality row (its multiplier has either sign)
    cost: np.ndarray  # per column, USD/t
    theta: np.ndarray  # per group, 1 / (USD/t)
    start: np.ndarray  # group starts, len groups + 1
    total: np.ndarray  # D_g per group, tonnes


@dataclass
class DualSolution:
    x: np.ndarray
    mu: np.ndarray  # per row, >= 0 except on free rows
    steps: int
    violation: float  # the largest row violation at the end, tonnes


def objective(p: DualProblem, mu: np.ndarray) -> tuple[float, np.ndarray]:
    """(f(mu), x(mu))."""
    g = p.cost + p.B.T @ mu
    theta = np.repeat(p.theta, np.diff(p.start))
    z = -theta * g
    nonempty = p.start[:-1] < p.start[1:]
    top = np.zeros(len(p.total))
    top[nonempty] = np.maximum.reduceat(z, p.start[:-1][nonempty])
    e = np.exp(z - np.repeat(top, np.diff(p.start)))
    s = np.ones(len(p.total))
    s[nonempty] = np.add.reduceat(e, p.start[:-1][nonempty])
    lse = top + np.log(s)
    value = float(np.sum(p.total / p.theta * lse) + p.b @ mu)
    x = e * np.repeat(p.total / s, np.diff(p.start))
    return value, x


@dataclass
class Alike:
    """B's distinct columns, for the Hessian: B = U[:, of] exactly. A generated or real case repeats a
    column for every market a chain of legs serves (the demand rows are not in B), so the first term
    sums the weights of alike columns and multiplies the distinct ones (benchmarks/README.md)."""

    U: sparse.csr_matrix  # rows x distinct columns
    UT: sparse.csr_matrix  # its transpose
    of: np.ndarray  # per column of B: its distinct column in U
    theta: np.ndarray  # per column of B: its group's theta
    key: np.ndarray  # per entry of B (CSR order): row x groups + its column's group


def alike(p: DualProblem) -> Alike:
    """The distinct columns of p.B, found by two random projections and checked entry by entry (where
    the check fails, every column is its own)."""
    B = p.B
    rows, n = B.shape
    sizes = np.diff(p.start)
    group = np.repeat(np.arange(len(sizes)), sizes)
    row_of = np.repeat(np.arange(rows), np.diff(B.indptr))
    key = row_of * len(sizes) + group[B.indices]
    C = B.tocsc()
    C.sort_indices()
    count = np.diff(C.indptr)
    projected = C.T @ np.random.default_rng(0).standard_normal((rows, 2))
    order = np.lexsort((projected[:, 1], projected[:, 0], count))
    change = np.ones(n, dtype=bool)
    change[1:] = (np.diff(projected[order], axis=0) != 0).any(axis=1) | (np.diff(count[order]) != 0)
    of = np.empty(n, dtype=np.int64)
    of[order] = np.cumsum(change) - 1
    U = C[:, order[change]]
    gather = np.repeat(U.indptr[:-1][of] - C.indptr[:-1], count) + np.arange(C.nnz)
    if not (np.array_equal(U.indices[gather], C.indices) and np.array_equal(U.data[gather], C.data)):
        U, of = C, np.arange(n)
    U = U.tocsr()
    return Alike(U, U.T.tocsr(), of, np.repeat(p.theta, sizes), key)


def hessian(p: DualProblem, x: np.ndarray, same: Alike) -> np.ndarray:
    """sum_g theta_g B_g (diag x_g - x_g x_g' / D_g) B_g' as a dense rows x rows matrix."""
    rows, groups = len(p.b), len(p.total)
    w = np.bincount(same.of, weights=same.theta * x, minlength=same.U.shape[1])
    uw = same.U.copy()
    uw.data *= w[uw.indices]
    h = (uw @ same.UT).toarray()
    # m[r, g] = sum_{j in g} B[r, j] x_j
    m = np.bincount(same.key, weights=p.B.data * x[p.B.indices], minlength=rows * groups).reshape(rows, groups)
    weight = np.divide(p.theta, p.total, out=np.zeros_like(p.total), where=p.total > 0)
    h -= (m * weight) @ m.T
    return h


def _residual(p: DualProblem, mu: np.ndarray, x: np.ndarray) -> float:
    """The largest row violation, or gap on a row with a toll, at these tolls (tonnes)."""
    grad = p.b - p.B @ x
    return float(np.where(~p.free & (mu <= 0), np.maximum(-grad, 0.0), np.abs(grad)).max(initial=0.0))


def solve_dual(p: DualProblem, mu0: np.ndarray | None = None, tol: float = 1e-9) -> DualSolution:
    """The tolls mu that minimise f over mu >= 0 (free rows either sign), and the columns they give.
    tol: the largest row violation accepted, in tonnes relative to the largest group total."""
    rows = len(p.b)
    scale = max(float(p.total.max(initial=0.0)), 1.0)
    eps = tol * scale
    mu = np.zeros(rows) if mu0 is None else np.where(p.free, mu0, np.maximum(mu0, 0.0))
    value, x = objective(p, mu)
    # a toll moves at most `reach` USD/t a step: where every group's tonnes sit on one column the dual is
    # flat (the Newton step unbounded) until a toll passes a cost difference; grows while steps succeed
    spread = float(np.ptp(p.cost)) if len(p.cost) else 0.0
    reach = max(spread, float((1.0 / p.theta).max(initial=1.0)), 1.0)
    same = alike(p)
    for step in range(NEWTON_STEPS + 1):
        grad = p.b - p.B @ x
        bounded = ~p.free
        # optimal when every row holds (grad >= 0) and every row with a toll is full (grad = 0)
        done = np.where(bounded & (mu <= 0), np.maximum(-grad, 0.0), np.abs(grad))
        if not rows or done.max() <= eps:
            return DualSolution(x, mu, step, float(np.maximum(-grad, 0.0).max(initial=0.0)))
        if step == NEWTON_STEPS:
            break
        h = hessian(p, x, same)
        diag = np.maximum(np.diag(h), 1e-300)
        # held at 0: a bounded toll a scaled gradient step would take below 0 (Bertsekas's epsilon-active set)
        with np.errstate(over="ignore"):  # a flat row's grad / diag is inf: held while its gradient pushes out
            held = bounded & (grad > 0) & (mu <= np.maximum(grad / diag, 1e-12))
        moving = ~held
        d = np.zeros(rows)
        d[held] = -mu[held]
        hm = h[np.ix_(moving, moving)]
        ridge = 1e-10 * float(np.abs(np.diag(hm)).max(initial=0.0)) + 1e-300
        try:
            d[moving] = -np.linalg.solve(hm + ridge * np.eye(len(hm)), grad[moving])
        except np.linalg.LinAlgError:
            d[moving] = -np.linalg.lstsq(hm, grad[moving], rcond=None)[0]
        if not np.all(np.isfinite(d)) or grad[moving] @ d[moving] >= 0:
            # where a group's tonnes sit on one column its curvature is 0 in floating point, or a round-off
            # below: the Newton step is inf (or points uphill); a gradient step, as long as reach, instead
            d[moving] = -grad[moving]
        longest = float(np.abs(d[moving]).max(initial=0.0))
        if longest > reach:
            d[moving] *= reach / longest
        alpha = 1.0
        # f is a sum of terms up to |f|: a change below its round-off is noise, where a step still lowers the
        # rows' residual (near the optimum with large tonnes and theta, the decrease a step makes is below it)
        noise = 1e-13 * max(abs(value), float(np.abs(p.b) @ np.abs(mu)), 1.0)
        while True:
            trial = mu + alpha * d
            trial[bounded] = np.maximum(trial[bounded], 0.0)
            new_value, new_x = objective(p, trial)
            decrease = grad @ (mu - trial)
            if new_value <= value - ARMIJO * decrease or alpha < 1e-12 or (
                    new_value <= value + noise and _residual(p, trial, new_x) < 0.5 * done.max()):
                break
            alpha *= 0.5
        if alpha < 1e-12 and new_value > value:
            break  # no step lowers f: at the limit of the arithmetic
        reach = reach * 4.0 if alpha == 1.0 else max(reach * alpha, 1e-9)
        mu, value, x = trial, new_value, new_x
    grad = p.b - p.B @ x
    violation = float(np.maximum(-grad, 0.0).max(initial=0.0))
    slack = float(np.abs(grad[(mu > 0) | p.free]).max(initial=0.0))
    # each row to 1e-7 of its own tonnes too (check holds it to 1e-6): a thousand tolerances of the largest group
    # would pass 231 t over a 500 t row beside a 1,000 Mt market
    scale = np.maximum.reduce([np.abs(p.b), abs(p.B) @ x, np.ones(rows)])
    off = np.where((mu > 0) | p.free, np.abs(grad), np.maximum(-grad, 0.0)) / scale
    if max(violation, slack) <= 1e3 * eps and off.max(initial=0.0) <= 1e2 * tol:  # stalled at the arithmetic's limit
        return DualSolution(x, mu, step, violation)
    raise NoConvergence(f"largest row violation {violation:.3g} t, largest gap on a tolled row {slack:.3g} t, "
                        f"after {step} steps")
