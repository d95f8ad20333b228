"""The choice program as it is read and solved (model.lp.choice.program, model.lp.choice.dual): the Hessian,
worked out on the distinct columns of the rows, against the formula written out group by group; a share rule's
total written as the sum of its flows."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from model.lp.choice.dual import DualProblem, alike, hessian, objective, solve_dual


def program(columns: np.ndarray, groups: list[int], seed: int = 0) -> DualProblem:
    """Rows B (given by their columns, rows x n), groups of the given sizes, random costs and totals."""
    rng = np.random.default_rng(seed)
    n = columns.shape[1]
    start = np.concatenate([[0], np.cumsum(groups)])
    return DualProblem(sparse.csr_matrix(columns), rng.uniform(50, 100, columns.shape[0]),
                       np.zeros(columns.shape[0], dtype=bool), rng.uniform(5, 30, n),
                       rng.uniform(0.05, 0.5, len(groups)), start, rng.uniform(10, 100, len(groups)))


def by_the_formula(p: DualProblem, x: np.ndarray) -> np.ndarray:
    """sum_g theta_g B_g (diag x_g - x_g x_g' / D_g) B_g', group by group, dense."""
    B = p.B.toarray()
    h = np.zeros((B.shape[0], B.shape[0]))
    for g in range(len(p.total)):
        a, b = p.start[g], p.start[g + 1]
        bg, xg = B[:, a:b], x[a:b]
        h += p.theta[g] * bg @ (np.diag(xg) - np.outer(xg, xg) / p.total[g]) @ bg.T
    return h


def repeated_columns() -> np.ndarray:
    # 4 rows; 3 distinct columns, each used by several columns of different groups (as a chain of legs serves
    # many markets), one column differing from another only in its last digit, and one column with no entry
    base = np.array([[1.0, 0.0, 1.0, 0.0], [0.65, -0.35, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]]).T
    near = base[:, [0]].copy()
    near[1, 0] += 1e-15
    return np.hstack([base[:, [0, 1, 2, 0, 1, 2, 2, 0]], near, np.zeros((4, 1)), base[:, [1]]])


def test_alike_columns_are_found_exactly():
    columns = repeated_columns()
    p = program(columns, [4, 4, 3])
    same = alike(p)
    assert same.U.shape[1] == 5  # 3 distinct, the near one and the empty one
    assert np.array_equal(same.U.toarray()[:, same.of], columns)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_hessian_on_distinct_columns_is_the_formula(seed):
    p = program(repeated_columns(), [4, 4, 3], seed)
    mu = np.random.default_rng(seed).uniform(0, 5, len(p.b))
    _, x = objective(p, mu)
    assert hessian(p, x, alike(p)) == pytest.approx(by_the_formula(p, x), rel=1e-12, abs=1e-12)


def test_the_hessian_is_the_gradients_derivative():
    # grad f = b - B x(mu): its change along a small step e_r is -B dx = H e_r (central difference)
    p = program(repeated_columns(), [4, 4, 3])
    mu = np.array([1.0, 0.5, 2.0, 0.0])
    _, x = objective(p, mu)
    h = hessian(p, x, alike(p))
    step = 1e-6
    for r in range(len(mu)):
        e = np.zeros(len(mu))
        e[r] = step
        grads = [p.b - p.B @ objective(p, mu + s * e)[1] for s in (1, -1)]
        assert (grads[0] - grads[1]) / (2 * step) == pytest.approx(h[:, r], rel=1e-6, abs=1e-6)


def test_the_dual_solves_on_repeated_columns():
    # rows that bind and can be met with room: where the logit without tolls (x0) puts more on a row than an
    # even split (x_even) does, the row's limit is half way between them; elsewhere 10 t above x_even's.
    # x_even meets every row with room to spare, x0 does not.
    p = program(repeated_columns(), [4, 4, 3])
    x0 = objective(p, np.zeros(len(p.b)))[1]
    x_even = np.repeat(p.total / np.diff(p.start), np.diff(p.start))
    p.b = np.where(p.B @ x0 > p.B @ x_even, (p.B @ x0 + p.B @ x_even) / 2, p.B @ x_even + 10)
    assert (p.B @ x0 > p.b).any()
    found = solve_dual(p)
    assert found.violation <= 1e-6 * p.total.max()
    assert (found.mu > 0).any()
    slack = p.b - p.B @ found.x
    assert np.all(np.abs(slack[found.mu > 1e-9]) <= 1e-6 * p.total.max())  # a toll only on a full row


def test_a_share_rule_counts_what_is_shipped_not_what_was_demanded(tmp_path):
    # 100 t, RAIL 10 USD/t and ROAD 20 USD/t (corridors Rail and Road), not delivering 25 USD/t, dispersion
    # 10 USD/t; Rail at most 60% of what is shipped: RAIL - 0.6 (RAIL + ROAD) <= 0, Shipped the sum of the flows
    # (the program writes the rule's Shipped column as that sum). Its toll t: RAIL's generalised cost
    # 10 + 0.4 t, ROAD's 20 - 0.6 t; RAIL = 1.5 ROAD: -0.1 (10 + 0.4 t) = ln 1.5 - 0.1 (20 - 0.6 t)
    # -> t = 10 - 10 ln 1.5 = 5.945; then the logit of 10 + 0.4 t, 20 - 0.6 t and 25 over 100 t:
    # RAIL 51.28, ROAD 34.19, unmet 14.52. (With Shipped held at the least-cost 100 t the rule would read
    # RAIL <= 60: 60 / 24.9 / 15.1.)
    from cases import solved_and_checked, transport_case

    legs = [{"from": "A", "to": "M", "mode": "rail", "cost_usd_per_t": 10, "transit_days": 0},
            {"from": "A", "to": "R", "mode": "road", "cost_usd_per_t": 15, "transit_days": 0},
            {"from": "R", "to": "M", "mode": "road", "cost_usd_per_t": 5, "transit_days": 0}]
    tables = transport_case(Legs=legs, Dispersions=[{"cargo_class": "dry_bulk", "dispersion_usd_per_t": 10.0}],
                            Policies=[{"rule": "DIV", "kind": "max_share", "scope": "corridor", "target": "Rail",
                                       "value": 0.6}])
    run = solved_and_checked(tmp_path, tables, settings={"allocation": "choice", "unmet_penalty_usd_per_t": 25})
    toll = 10 - 10 * np.log(1.5)
    weight = np.exp(-0.1 * np.array([10 + 0.4 * toll, 20 - 0.6 * toll, 25]))
    rail, road, unmet = 100 * weight / weight.sum()
    f = run.results.flows
    assert float(f.loc[f["route"] == "RAIL", "tonnes_t"].sum()) == pytest.approx(rail, abs=1e-4)  # 51.28
    assert float(f.loc[f["route"] == "ROAD", "tonnes_t"].sum()) == pytest.approx(road, abs=1e-4)  # 34.19
    assert run.results.summary.unmet_t == pytest.approx(unmet, abs=1e-4)  # 14.52


def test_a_season_closed_to_a_route_leaves_its_tonnes_to_the_others(tmp_path):
    # 100 t a year over two seasons of half the year each (50 t each); RAIL 10 USD/t closed in winter
    # (capacity 0 then), ROAD 20 USD/t; dispersion 10 USD/t. Summer: the logit, RAIL 50 / (1 + e^-1) = 36.55 t,
    # ROAD 13.45 t; winter: RAIL's column leaves the program (no toll could hold it at 0), ROAD 50 t.
    # The year: RAIL 36.55 t, ROAD 63.45 t.
    from cases import solved_and_checked, transport_case

    legs = [{"from": "A", "to": "M", "mode": "rail", "cost_usd_per_t": 10, "transit_days": 0},
            {"from": "A", "to": "R", "mode": "road", "cost_usd_per_t": 15, "transit_days": 0},
            {"from": "R", "to": "M", "mode": "road", "cost_usd_per_t": 5, "transit_days": 0}]
    tables = transport_case(Legs=legs, Dispersions=[{"cargo_class": "dry_bulk", "dispersion_usd_per_t": 10.0}],
                            Seasons=[{"season": "summer", "share": 0.5}, {"season": "winter", "share": 0.5}],
                            Capacities=[{"element": "A>M", "season": "winter", "capacity_t": 0}])
    run = solved_and_checked(tmp_path, tables, settings={"allocation": "choice"})
    rail = 50 / (1 + np.exp(-1))
    f = run.results.flows
    assert float(f.loc[f["route"] == "RAIL", "tonnes_t"].sum()) == pytest.approx(rail, abs=1e-4)  # 36.55
    assert float(f.loc[f["route"] == "ROAD", "tonnes_t"].sum()) == pytest.approx(100 - rail, abs=1e-4)  # 63.45


@pytest.mark.parametrize("total", [1e7, 1e9])
def test_a_flat_dual_from_zero_tolls_steps_towards_the_toll(total):
    # Two markets of total/2 t, each with a 10 USD/t route through one capacity of 0.6 total and another at
    # 20 (20.3), dispersion 0.01 (theta 100). At zero tolls every tonne is on the 10 USD/t routes and the dual's
    # curvature, theta x (1 - share) with a share of 1 - e^-1000, is 0 in floating point, or a round-off below
    # it: the Newton step pointed the wrong way (or was inf x 0 = nan) and the tolls never moved (NoConvergence,
    # 'largest row violation 4e+06 t'). The toll t: the first market puts 0.1 total on its 10 + t route and
    # 0.4 total on its 20 route: 0.4 / 0.1 = e^(100 (10 + t - 20)), t = 10 + ln 4 / 100 = 10.01386 (the second
    # market's 20.3 route takes e^-28.6 of it, nothing).
    B = sparse.csr_matrix(np.array([[1.0, 0.0, 1.0, 0.0]]))
    p = DualProblem(B, np.array([0.6 * total]), np.array([False]), np.array([10.0, 20.0, 10.0, 20.3]),
                    np.array([100.0, 100.0]), np.array([0, 2, 4]), np.array([total / 2, total / 2]))
    found = solve_dual(p)
    assert found.mu[0] == pytest.approx(10 + np.log(4) / 100, abs=1e-9)
    assert (p.B @ found.x)[0] == pytest.approx(0.6 * total, rel=1e-9)


def test_a_stalled_dual_is_accepted_only_where_each_row_holds_to_its_own_tonnes(monkeypatch):
    # a 1,000 Mt market beside a 1,000 t one whose 10 USD/t route passes a 500 t capacity. Stopped before
    # any step (as a stall at the arithmetic's limit would stop it), the 1,000 t market puts 731 t through the
    # 500 t row: 231 t over, under the thousand tolerances of the largest group (1e3 x 1e-9 x 1e9 t) that
    # accepted it as a solution; each row must hold to 1e-7 of its own tonnes.
    import model.lp.choice.dual as dual

    B = sparse.csr_matrix(np.array([[0.0, 0.0, 1.0, 0.0]]))
    p = DualProblem(B, np.array([500.0]), np.array([False]), np.array([10.0, 20.0, 10.0, 20.0]),
                    np.array([0.1, 0.1]), np.array([0, 2, 4]), np.array([1e9, 1000.0]))
    monkeypatch.setattr(dual, "NEWTON_STEPS", 0)
    with pytest.raises(dual.NoConvergence):
        solve_dual(p)
    monkeypatch.setattr(dual, "NEWTON_STEPS", 200)
    found = solve_dual(p)  # 500 / 500 t: the toll is the 10 USD/t difference, e^0 = 1
    assert (p.B @ found.x)[0] == pytest.approx(500, abs=1e-6) and found.mu[0] == pytest.approx(10, abs=1e-6)
