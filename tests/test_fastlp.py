"""The fast path (model.fastlp) and the Pyomo formulation (model/build/) give the identical LP:
the same columns with the same costs and bounds, the same rows with the same sense, right-hand
side and coefficients, each matched by its name and index. Checked on random instances that use
every kind of row (shares with '*' targets and commodity filters, tonnage minimums, supply
minimums, investments, unmet demand), on plans of several years, on robust plans with a
worst-case weight, and on the shipped cases, where both also give the same solution."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import BASE_XLSX, ROOT
from model.build import build_model, build_plan
from model.fastlp import build_lp
from model.generate import generate_tables
from model.run import solve_case
from model.solve import compile_model
from model.validate import load_plan


def canonical(lp, rows, columns):
    """({column name: (cost, lower, upper)}, {row name: (sense, lower, upper, {column name: coef})})."""
    cols = {name: (c, lo, up) for name, c, lo, up in zip(columns, lp.col_cost_, lp.col_lower_, lp.col_upper_)}
    entries = [dict() for _ in rows]
    a = lp.a_matrix_
    start, index, value = np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_)
    rowwise = a.format_ == type(a.format_).kRowwise
    for outer in range(len(start) - 1):
        for k in range(start[outer], start[outer + 1]):
            i, j = (outer, index[k]) if rowwise else (index[k], outer)
            if value[k] != 0:
                entries[i][columns[j]] = entries[i].get(columns[j], 0.0) + value[k]
    out = {}
    for (name, idx, sense), lo, up, e in zip(rows, lp.row_lower_, lp.row_upper_, entries):
        out[(name, idx)] = (sense, lo, up, e)
    return cols, out


def assert_identical(a, b):
    cols_a, rows_a = a
    cols_b, rows_b = b
    assert cols_a.keys() == cols_b.keys()
    for k in cols_a:
        assert cols_a[k] == pytest.approx(cols_b[k], rel=1e-12, abs=1e-12), k
    assert rows_a.keys() == rows_b.keys()
    for k in rows_a:
        sa, la, ua, ea = rows_a[k]
        sb, lb, ub, eb = rows_b[k]
        assert (sa, la, ua) == (sb, pytest.approx(lb, rel=1e-12), pytest.approx(ub, rel=1e-12)), k
        assert ea.keys() == eb.keys(), k
        for j in ea:
            assert ea[j] == pytest.approx(eb[j], rel=1e-12, abs=1e-12), (k, j)


def both(plan):
    pyomo = compile_model(build_model(plan.data, plan.cases[0].net) if plan.single else build_plan(plan))
    return canonical(*build_lp(plan)), canonical(*pyomo)


def random_case(tmp_path, seed: int, years: bool = False, scenarios: bool = False):
    """A synthetic case (model.generate) with random extras: investments, supply minimums, share
    and tonnage rules with commodity filters; optionally Periods with year rows, and scenarios."""
    rng = np.random.default_rng(seed)
    tables, settings = generate_tables(int(rng.integers(200, 800)), seed=seed)
    caps = tables["Capacities"]
    pick = rng.choice(len(caps), size=3, replace=False)
    tables["Investments"] = pd.DataFrame({
        "option": [f"X{i}" for i in range(3)], "element": caps["element"].iloc[pick].to_list(),
        "max_added_t": rng.uniform(1e5, 1e6, 3).round(-3), "annualised_cost_usd_per_t": rng.uniform(1, 20, 3).round(2),
        "first_year": [2025, 2030, None] if years else None, "lead_time_years": [0, 2, None] if years else None})
    sup = tables["Supply"]
    sup["min_t"] = np.where(rng.random(len(sup)) < 0.3, (sup["max_t"] * 0.05).round(-3), 0.0)
    k = tables["Commodities"]["commodity"]
    extra = pd.DataFrame([("K_SHARE", "min_share", "country", "*", f"{k.iloc[0]},{k.iloc[1]}", 0.01),
                          ("CLASS_CAP", "max_t", "leg", tables["Legs"]["from"].iloc[0] + ">" +
                           tables["Legs"]["to"].iloc[0], "container", 1e6)],
                         columns=["rule", "kind", "scope", "target", "commodity", "value"])
    tables["Policies"] = pd.concat([tables["Policies"], extra], ignore_index=True)
    settings["allow_investments"] = True
    if years:
        tables["Periods"] = pd.DataFrame({"year": [2025, 2030, 2035], "weight": [5, 5, 3]})
        settings["discount_rate"] = 0.06
        first = caps.iloc[0]
        tables["Capacities"] = pd.concat([caps, pd.DataFrame([{"element": first["element"], "year": 2030,
                                                               "capacity_t": first["capacity_t"] * 2}])])
        tables["Demand"] = pd.concat([tables["Demand"], tables["Demand"].iloc[:3].assign(
            year=2035, demand_t=lambda d: d["demand_t"] * 1.5)])
    if scenarios:
        tables["Scenarios"] = pd.DataFrame([
            {"scenario": "dear", "sheet": "Legs", "key": "*>*", "column": "cost_usd_per_t", "multiplier": 1.3,
             "probability": 0.3},
            {"scenario": "tight", "sheet": "Capacities", "key": caps["element"].iloc[1], "column": "capacity_t",
             "multiplier": 0.2, "probability": 0.2}])
        settings["worst_case_weight"] = 0.5
    from cases import write_case

    case = tmp_path / f"case{seed}"
    case.mkdir()
    frames = {n: df.to_dict("records") for n, df in tables.items()}
    return write_case(case, frames, settings)


@pytest.mark.parametrize("seed", range(6))
def test_identical_lp_on_random_instances(tmp_path, seed):
    plan, _ = load_plan(random_case(tmp_path, seed))
    assert plan.single
    assert_identical(*both(plan))


@pytest.mark.parametrize("seed", range(3))
def test_identical_lp_on_random_plans(tmp_path, seed):
    plan, _ = load_plan(random_case(tmp_path, seed, years=True, scenarios=True), robust="dear,tight")
    assert plan.multi_year and plan.robust and plan.worst_case_weight == 0.5
    assert_identical(*both(plan))


@pytest.mark.parametrize("path, robust", [(BASE_XLSX, None), (ROOT / "inputs" / "plan_case.xlsx", None),
                                          (ROOT / "inputs" / "plan_case.xlsx", "russia_closed,cpc_half")])
def test_identical_lp_and_solution_on_the_shipped_cases(path, robust):
    plan, _ = load_plan(path, robust=robust)
    assert_identical(*both(plan))
    fast = solve_case(path, robust=robust)
    slow = solve_case(path, robust=robust, builder="pyomo")
    assert fast.solution.objective_usd == pytest.approx(slow.solution.objective_usd, rel=1e-9)
    if fast.results.plan:  # the plan case has ties (ferrosteel from two origins): the same costs, per case
        a, b = fast.results.plan["Plan"], slow.results.plan["Plan"]
        assert a["annual_cost_usd"].to_numpy() == pytest.approx(b["annual_cost_usd"].to_numpy(), rel=1e-9)
        return
    keys = ["commodity", "route"]
    a = fast.results.flows.set_index(keys)["tonnes_t"]
    b = slow.results.flows.set_index(keys)["tonnes_t"]
    assert set(a.index) == set(b.index)
    assert a.sort_index().to_numpy() == pytest.approx(b.sort_index().to_numpy(), rel=1e-7, abs=1e-3)


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
            assert ("policy_limit", (p.rule, p.target)) not in rows  # nothing selected: nothing to limit
            continue
        _, _, _, entries = rows[("policy_limit", (p.rule, p.target))]
        sign = 1.0 if p.is_max else -1.0
        assert entries == {**{("Flow", f): sign for f in selected}, ("Shipped", p.filter_key): -sign * p.value}
        _, lo, up, total_entries = rows[("shipped_total", p.filter_key)]
        assert lo == up == 0.0
        assert total_entries == {**{("Flow", f): 1.0 for f in total}, ("Shipped", p.filter_key): -1.0}
    share_rows = [rows[("policy_limit", (p.rule, p.target))] for p in shares
                  if ("policy_limit", (p.rule, p.target)) in rows]
    now = sum(len(e) for *_, e in share_rows) + sum(len(e) for name, (*_, e) in rows.items()
                                                      if name[0] == "shipped_total")
    written_out = sum(len(net.policy_flows(p)[1]) for p in shares if ("policy_limit", (p.rule, p.target)) in rows)
    assert now < written_out  # here 2,396 against 4,480
