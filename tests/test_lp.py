"""The assembled LP (model.lp.assemble, driven by the families of model.lp.families) and the Pyomo
statement (model.lp.statement) give the identical LP:
the same columns with the same costs and bounds, the same rows with the same sense, right-hand
side and coefficients, each matched by its name and index. Checked on random instances that use
every kind of row (shares with '*' targets and commodity filters, tonnage minimums, supply
minimums, investments, unmet demand), on plans of several years, on robust plans with a
worst-case weight, and on the shipped cases, where both also give the same solution."""

from __future__ import annotations

import pytest
from conftest import BASE_XLSX, ROOT
from lpforms import assert_identical, canonical, random_case

from model import pipeline
from model.lp.assemble import build_lp
from model.lp.statement.compile import build_and_compile
from model.pipeline import load as load_plan


def both(plan):
    return canonical(*build_lp(plan)), canonical(*build_and_compile(plan))


@pytest.mark.parametrize("seed", range(6))
def test_identical_lp_on_random_instances(tmp_path, seed):
    plan, _ = load_plan(random_case(tmp_path, seed))
    assert plan.single
    assert_identical(*both(plan))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_identical_lp_on_random_plans(tmp_path, seed):
    plan, _ = load_plan(random_case(tmp_path, seed, years=True, scenarios=True), robust="dear,tight")
    assert plan.multi_year and plan.robust and plan.worst_case_weight == 0.5
    assert_identical(*both(plan))


@pytest.mark.slow  # the shipped plans stated in Pyomo and solved twice
@pytest.mark.heavy
@pytest.mark.parametrize("path, robust", [(BASE_XLSX, None), (ROOT / "inputs" / "plan_case.xlsx", None),
                                          (ROOT / "inputs" / "plan_case.xlsx", "russia_closed,cpc_half")])
def test_identical_lp_and_solution_on_the_shipped_cases(path, robust):
    plan, _ = load_plan(path, robust=robust)
    assert_identical(*both(plan))
    fast = pipeline.run(path, robust=robust)
    slow = pipeline.run(path, robust=robust, builder="pyomo")
    assert fast.solution.objective_usd == pytest.approx(slow.solution.objective_usd, rel=1e-9)
    if fast.results.plan:  # the plan case has ties (ferrosteel from two origins): the same costs, per case
        a, b = fast.results.plan["Plan"], slow.results.plan["Plan"]
        assert a["annual_cost_usd"].to_numpy() == pytest.approx(b["annual_cost_usd"].to_numpy(), rel=1e-9)
        return
    # The base case has ties too: iron ore and other grain share Dostyk, and which of them takes the Black Sea
    # instead (0.01 USD/t dearer for either) is a tie; the same cost per market, whichever each solve picked.
    keys = ["market"]
    a = fast.results.flows.groupby(keys)["cost_usd"].sum()
    b = slow.results.flows.groupby(keys)["cost_usd"].sum()
    assert set(a.index) == set(b.index)
    assert a.sort_index().to_numpy() == pytest.approx(b.sort_index().to_numpy(), rel=1e-7, abs=1e-3)


@pytest.mark.parametrize("seed", range(3))
def test_identical_lp_with_observation_bands(tmp_path, seed):
    # While calibrating (corridor calibrate), observations are held in bands with slack at a penalty.
    from model.network import Observation

    plan, _ = load_plan(random_case(tmp_path, seed))
    net = plan.cases[0].net
    corridors = list(dict.fromkeys(r.corridor for r in net.routes.values()))
    net.bands = [Observation("A", "corridor", corridors[0], None, 2e6, 1e5, None, 2),
                 Observation("B", "country", "T1", net.commodity_class and next(iter(net.commodity_class)), 5e5,
                             0.0, None, 3)]
    net.band_penalty_usd_per_t = 5e3
    assert_identical(*both(plan))


def test_share_rules_take_their_share_of_one_shipped_column(tmp_path):
    # A '*' share rule over every corridor: each of its rows holds its own corridor's flows and the
    # Shipped column of its filter, and shipped_total holds every flow of the filter once. Written
    # out instead, every row would hold every flow (rows x flows non-zeros).
    plan, _ = load_plan(random_case(tmp_path, 0))
    net = plan.cases[0].net
    cols, rows = canonical(*build_lp(plan))
    shares = [p for p in net.policy_limits if p.is_share]
    assert len(shares) > 1 and len({p.filter_key for p in shares}) < len(shares)  # filters shared
    for p in shares:
        selected, total = net.policy_flows(p)
        if not selected and p.is_max:
            assert ("policy_limit", (p.rule, p.target), None) not in rows  # nothing selected: nothing to limit
            continue
        _, _, _, entries = rows[("policy_limit", (p.rule, p.target), None)]
        sign = 1.0 if p.is_max else -1.0
        assert entries == {**{("Flow", f, None): sign for f in selected},
                           ("Shipped", p.filter_key, None): -sign * p.value}
        _, lo, up, total_entries = rows[("shipped_total", p.filter_key, None)]
        assert lo == up == 0.0
        assert total_entries == {**{("Flow", f, None): 1.0 for f in total}, ("Shipped", p.filter_key, None): -1.0}
    share_rows = [rows[("policy_limit", (p.rule, p.target), None)] for p in shares
                  if ("policy_limit", (p.rule, p.target), None) in rows]
    now = sum(len(e) for *_, e in share_rows) + sum(len(e) for name, (*_, e) in rows.items()
                                                      if name[0] == "shipped_total")
    written_out = sum(len(net.policy_flows(p)[1]) for p in shares
                      if ("policy_limit", (p.rule, p.target), None) in rows)
    assert now < written_out  # here 2,396 against 4,480


def test_assert_identical_tells_apart_what_approx_tells_apart():
    # The comparison above skips pytest.approx where values are close (for speed); it must refuse
    # what approx at rel=abs=1e-12 refuses: a coefficient off by 1e-9, an infinite bound against
    # a large finite one, a NaN, a different sense, a missing entry.
    from lpforms import assert_identical

    col = {"x": (1.0, 0.0, float("inf"), 0)}
    row = {("r", 0, None): (1, -float("inf"), 10.0, {"x": 2.0})}
    assert_identical((col, row), ({"x": (1.0 + 1e-13, 0.0, float("inf"), 0)}, row))  # within 1e-12
    different = [
        ({"x": (1.0 + 1e-9, 0.0, float("inf"), 0)}, row),
        ({"x": (1.0, 0.0, 1e300, 0)}, row),
        ({"x": (1.0, 0.0, float("inf"), 1)}, row),
        ({"x": (float("nan"), 0.0, float("inf"), 0)}, row),
        (col, {("r", 0, None): (-1, -float("inf"), 10.0, {"x": 2.0})}),
        (col, {("r", 0, None): (1, -1e300, 10.0, {"x": 2.0})}),
        (col, {("r", 0, None): (1, -float("inf"), 10.0 + 1e-9, {"x": 2.0})}),
        (col, {("r", 0, None): (1, -float("inf"), 10.0, {"x": 2.0 + 1e-9})}),
        (col, {("r", 0, None): (1, -float("inf"), 10.0, {})}),
    ]
    for other in different:
        for a, b in (((col, row), other), (other, (col, row))):
            with pytest.raises(AssertionError):
                assert_identical(a, b)


def test_canonical_holds_every_entry_of_the_matrix(tmp_path):
    # The canonical form (read from HiGHS's arrays at once) against scipy's reading of the same
    # arrays: every nonzero, by row and column name, so that an identity above compares the whole LP.
    import numpy as np
    from lpforms import canonical
    from scipy.sparse import csc_matrix, csr_matrix

    plan, _ = load_plan(random_case(tmp_path, 0))
    lp, rows, columns = build_lp(plan)
    cols, out = canonical(lp, rows, columns)
    a = lp.a_matrix_
    kind = csr_matrix if a.format_ == type(a.format_).kRowwise else csc_matrix
    m = kind((np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)), shape=(len(rows), len(columns)))
    m = m.tocoo()
    names = list(columns)
    expect = {}
    for i, j, v in zip(m.row, m.col, m.data, strict=True):
        if v != 0:
            row = expect.setdefault((rows[i].family, rows[i].index, rows[i].case), {})
            row[names[j]] = row.get(names[j], 0.0) + v
    assert m.nnz > 1000 and len(cols) == len(columns) and len(out) == len(rows)
    assert {k: e for k, (_, _, _, e) in out.items() if e} == expect


def _wrong_network(monkeypatch, net, wrong: str):
    """Make one membership or cost of the Network (model.network) wrong, as a bug in it would: one flow
    left out of one demand, supply, capacity or policy row, or one flow's transport 1 USD/t too dear.
    Returns the name of the row or column of the LP that must then differ."""
    import numpy as np

    from model.network import Network

    net.forget_indexes()
    if wrong == "cost":
        original = Network.cost_array.func
        i = len(net.flows) // 2
        f = net.flows[i]

        def cost_array(self):
            out = original(self)
            if self is net:
                out[i, 0] += 1.0
            return out

        monkeypatch.setattr(Network, "cost_array", property(cost_array))
        return ("Flow", f, None)
    if wrong == "capacity":
        original = Network._capacity_index.func
        row = next(r for r, (idx, _) in original(net).items() if len(idx) > 1)

        def capacity_index(self):
            out = original(self)
            if self is net:
                idx, passes = out[row]
                out[row] = (idx[1:], passes[1:])
            return out

        monkeypatch.setattr(Network, "_capacity_index", property(capacity_index))
        return ("capacity_limit", row, None)
    if wrong == "demand":
        row, (a, b) = next((d.row, net.demand_span[d.row]) for d in net.demand_rows if len(net.demand_index(d.row)) > 1)
        net.demand_span[row] = (a + 1, b)
        return ("demand_balance", row, None)
    if wrong == "supply":
        original = Network.supply_index
        s = next(s for s in net.supply_rows if len(original(net, s)) > 1)
        monkeypatch.setattr(Network, "supply_index",
                            lambda self, x: original(self, x)[1:] if self is net and x == s else original(self, x))
        return ("supply_max", s.row, None)
    assert wrong == "policy"
    original = Network.policy_index
    p = next(p for p in net.policy_limits if not p.is_share and not p.is_co2 and len(original(net, p)[0]) > 1)

    def policy_index(self, q):
        selected, total = original(self, q)
        return (np.asarray(selected)[1:], total) if self is net and q == p else (selected, total)

    monkeypatch.setattr(Network, "policy_index", policy_index)
    return ("policy_limit", (p.rule, p.target), None)


@pytest.mark.parametrize("wrong", ["cost", "capacity", "demand", "supply", "policy"])
def test_a_wrong_membership_or_cost_in_the_network_fails_the_identity(tmp_path, monkeypatch, wrong):
    # The Pyomo statement works out which flows each row counts and what a tonne costs from the sheets
    # (model.lp.statement.tables), not from the Network the assembled LP is built from: a bug in the
    # Network (one flow left out of a row, one cost off by 1 USD/t) makes the two LPs differ, and the
    # identity above names the row or column. (When the statement read the Network, the bug was in both
    # and they agreed.)
    plan, _ = load_plan(random_case(tmp_path, 5, seasons=False))  # the annual rows (seasons state capacities apart)
    where = _wrong_network(monkeypatch, plan.cases[0].net, wrong)
    with pytest.raises(AssertionError) as caught:
        assert_identical(*both(plan))
    family, index, _ = where  # the message names the row or column: ('capacity_limit', 2, None), ColKey('Flow', ...)
    assert repr(family) in str(caught.value) and repr(index) in str(caught.value)
