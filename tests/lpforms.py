"""LPs in a form two builders can be compared in, and a random case that uses every family."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from model.analysis.generate import generate_tables


def canonical(lp, rows, columns):
    """({column name: (cost, lower, upper, integer)}, {row name: (sense, lower, upper, {column name: coef})})."""
    kinds = list(lp.integrality_) or [None] * len(columns)
    integer = [int(k is not None and k == type(k).kInteger) for k in kinds]
    cols = {name: (c, lo, up, i) for name, c, lo, up, i in zip(columns, lp.col_cost_, lp.col_lower_, lp.col_upper_,
                                                                 integer, strict=True)}
    entries = [{} for _ in rows]
    a = lp.a_matrix_
    start, index, value = np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_)
    rowwise = a.format_ == type(a.format_).kRowwise
    # Each stored entry's row and column, as plain lists (a Names look-up per entry was most of the time).
    outer = np.repeat(np.arange(len(start) - 1), np.diff(start))
    inner = index[:len(outer)]
    names = list(columns)
    rows_of, cols_of = (outer, inner) if rowwise else (inner, outer)
    for i, j, v in zip(rows_of.tolist(), cols_of.tolist(), value[:len(outer)].tolist(), strict=True):
        if v != 0:
            entries[i][names[j]] = entries[i].get(names[j], 0.0) + v
    out = {}
    for key, lo, up, e in zip(rows, lp.row_lower_, lp.row_upper_, entries, strict=True):
        out[(key.family, key.index, key.case)] = (key.sense, lo, up, e)
    return cols, out


def _close(a, b, rel: float, abs_: float) -> bool:
    """a == pytest.approx(b, rel=rel, abs=abs_) for two numbers, without building an approx object:
    the LPs compared here have tens of thousands of entries, and pytest.approx per entry took most of
    these tests' time. Equal values (infinities too) match; an infinite b matches only itself and
    NaN nothing, as with approx."""
    return a == b or (math.isfinite(b) and abs(a - b) <= max(rel * abs(b), abs_))


def assert_identical(a, b):
    # Each comparison is checked with _close first; where it fails, the assert is made with
    # pytest.approx at the same tolerances. The message names the column or row and gives both
    # sides (lpforms is not rewritten by pytest, so it would show the name alone).
    cols_a, rows_a = a
    cols_b, rows_b = b
    assert cols_a.keys() == cols_b.keys(), _only(cols_a, cols_b)
    for k in cols_a:
        if len(cols_a[k]) != len(cols_b[k]) or not all(_close(x, y, 1e-12, 1e-12)
                                                       for x, y in zip(cols_a[k], cols_b[k], strict=True)):
            assert cols_a[k] == pytest.approx(cols_b[k], rel=1e-12, abs=1e-12), \
                f"{k}: (cost, lower, upper, integer) {[float(x) for x in cols_a[k]]} in the first LP, " \
                f"{[float(x) for x in cols_b[k]]} in the second"
    assert rows_a.keys() == rows_b.keys(), _only(rows_a, rows_b)
    for k in rows_a:
        sa, la, ua, ea = rows_a[k]
        sb, lb, ub, eb = rows_b[k]
        if not (sa == sb and _close(la, lb, 1e-12, 1e-12) and _close(ua, ub, 1e-12, 1e-12)):
            assert (sa, la, ua) == (sb, pytest.approx(lb, rel=1e-12), pytest.approx(ub, rel=1e-12)), \
                f"{k}: (sense, lower, upper) {[sa, float(la), float(ua)]} in the first LP, " \
                f"{[sb, float(lb), float(ub)]} in the second"
        assert ea.keys() == eb.keys(), f"{k}: {_only(ea, eb)}"
        for j in ea:
            if not _close(ea[j], eb[j], 1e-12, 1e-12):
                assert ea[j] == pytest.approx(eb[j], rel=1e-12, abs=1e-12), \
                    f"{k}, {j}: {ea[j]} in the first LP, {eb[j]} in the second"


def _only(a: dict, b: dict, most: int = 5) -> str:
    """Which keys (columns, rows or a row's entries) one side has and the other has not."""
    first, second = [k for k in a if k not in b], [k for k in b if k not in a]
    return (f"only in the first LP ({len(first)}): {first[:most]}; "
            f"only in the second ({len(second)}): {second[:most]}")


def random_case(tmp_path, seed: int, years: bool = False, scenarios: bool = False, seasons: bool | None = None,
                seasonal_rows: bool = True):
    """A synthetic case (model.generate) with random extras: investments, supply minimums, share
    and tonnage rules with commodity filters, a carbon price with CO2e caps (max_co2_t, one target
    and '*'), legs with their own CO2e intensity and nodes with handling CO2e; optionally Periods
    with year rows, and scenarios; one commodity has its own carrying cost rate. Seasons (by default on odd seeds
    without scenarios): three seasons, and with seasonal_rows a capacity tightened in winter, a leg limited in
    summer alone and a demand's summer peak."""
    rng = np.random.default_rng(seed)
    tables, settings = generate_tables(int(rng.integers(200, 800)), seed=seed)
    caps = tables["Capacities"]
    pick = rng.choice(len(caps), size=3, replace=False)
    tables["Investments"] = pd.DataFrame({
        "option": [f"X{i}" for i in range(3)], "element": caps["element"].iloc[pick].to_list(),
        "max_added_t": rng.uniform(1e5, 1e6, 3).round(-3), "annualised_cost_usd_per_t": rng.uniform(1, 20, 3).round(2),
        "first_year": [2025, 2030, None], "lead_time_years": [0, 2, None],  # no effect in one period
        "lumpy": [True, False, False], "module_t": [None, None, None], "fixed_cost_usd_per_yr": [0.0, 0.0, 5e5]})
    # the second option in four modules (its max a whole number of them), the third with a fixed cost
    tables["Investments"].loc[1, "module_t"] = tables["Investments"].loc[1, "max_added_t"] / 4
    sup = tables["Supply"]
    sup["min_t"] = np.where(rng.random(len(sup)) < 0.3, (sup["max_t"] * 0.05).round(-3), 0.0)
    k = tables["Commodities"]["commodity"]
    # one commodity with its own value of time (the others: the Settings rate)
    tables["Commodities"]["carrying_cost_rate"] = [0.1] + [np.nan] * (len(k) - 1)
    corridor = tables["Routes"]["corridor"].iloc[0]
    # The CO2e cap is on a corridor other than the one through the port with a minimum (PORT_MIN): both
    # on one corridor can leave no allocation.
    pol = tables["Policies"].set_index("rule")
    port_country = tables["Nodes"].set_index("node").loc[pol.loc["PORT_MIN", "target"], "country"]
    capped = next(c for c in tables["Routes"]["corridor"] if c != f"via {port_country}")
    extra = pd.DataFrame([("K_SHARE", "min_share", "country", "*", f"{k.iloc[0]},{k.iloc[1]}", 0.01),
                          ("CLASS_CAP", "max_t", "leg", tables["Legs"]["from"].iloc[0] + ">" +
                           tables["Legs"]["to"].iloc[0], "container", 1e6),
                          ("CO2_CAP", "max_co2_t", "corridor", capped, None, 2e5),
                          ("CO2_EACH", "max_co2_t", "country", "*", k.iloc[3], 5e6)],
                         columns=["rule", "kind", "scope", "target", "commodity", "value"])
    leg_table = tables["Legs"]
    leg_table["co2_g_per_tkm"] = np.where(rng.random(len(leg_table)) < 0.3, rng.uniform(5, 60, len(leg_table)).round(2),
                                          np.nan)  # the others: the mode's default
    nodes = tables["Nodes"]
    nodes["co2_kg_per_t"] = np.where(nodes["kind"].isin(["port", "border"]), rng.uniform(0.5, 3, len(nodes)).round(2),
                                     np.nan)
    settings["carbon_price_usd_per_t_co2"] = 20.0
    tables["Policies"] = pd.concat([tables["Policies"], extra], ignore_index=True)
    classes = list(dict.fromkeys(tables["Commodities"]["cargo_class"]))  # for allocation choice (model.lp.choice)
    tables["Dispersions"] = pd.DataFrame({"cargo_class": classes, "dispersion_usd_per_t": 5.0 + np.arange(len(classes)),
                                          "standard_error_usd_per_t": 1.0})
    tables["Surcharges"] = pd.DataFrame([{"scope": "corridor", "target": corridor, "usd_per_t": 3.5},
                                         {"scope": "country", "target": "T2", "commodity": k.iloc[2],
                                          "usd_per_t": -1.25}])
    tables["Observations"] = pd.DataFrame([{"observation": "O1", "scope": "corridor", "target": corridor,
                                            "observed_t": 2e6, "tolerance_pct": 10, "tolerance_t": 1e5}])
    settings["allow_investments"] = True
    # Not by default with scenarios: on seed 1's robust plan with seasonal rows HiGHS's MIP presolve stops with
    # "Solve error" (optimal with presolve off), which the tests of maps and plans are not about.
    if seed % 2 == 1 and not scenarios if seasons is None else seasons:
        tables["Seasons"] = pd.DataFrame({"season": ["winter", "summer", "autumn"], "share": [0.4, 0.35, 0.25]})
        if seasonal_rows:
            tight = caps.iloc[2]
            limited = set(caps["element"])
            leg = next(f"{a}>{b}" for a, b in zip(tables["Legs"]["from"], tables["Legs"]["to"], strict=True)
                       if f"{a}>{b}" not in limited)
            tables["Capacities"] = pd.concat([caps, pd.DataFrame([
                {"element": tight["element"], "cargo_class": tight.get("cargo_class"), "season": "winter",
                 "capacity_t": round(tight["capacity_t"] * 0.4 * 0.5)},
                {"element": leg, "season": "summer", "capacity_t": 1e5}])], ignore_index=True)
            caps = tables["Capacities"]
            first = tables["Demand"].iloc[0]
            tables["Demand"] = pd.concat([tables["Demand"], pd.DataFrame([
                {**first.to_dict(), "season": "summer", "demand_t": round(first["demand_t"] * 0.6)}])],
                ignore_index=True)
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
