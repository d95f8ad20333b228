"""The LP of model/build/, assembled directly as arrays for HiGHS: the fast path.

The Pyomo model in model/build/ is the statement of the model: every row below is the row
its rule generates, in the same orientation and with the same name and index, and
tests/test_fastlp.py asserts on random instances and on the base case that both give the
identical LP (matrix, bounds, costs). Building Pyomo objects and compiling them costs about
100 times HiGHS's own time on easy instances; here each row is a few list extensions and the
matrix goes to HiGHS row-wise as numpy arrays.

build_lp(plan) -> (HighsLp, rows, columns), with rows and columns as model.solve names them:
(constraint name, index, sense) and (variable name, index); a name in case block i of a plan
carries the suffix '@i'.
"""

from __future__ import annotations

from array import array

import numpy as np

from model.solve import Names

INF = float("inf")


class _Rows:
    """Rows of the matrix as they are added: row-wise starts, column indices and values."""

    def __init__(self):
        # Typed arrays, not lists: 4 and 8 bytes per non-zero instead of a Python object each.
        self.start = array("i", [0])
        self.index = array("i")
        self.value = array("d")
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.names: list[tuple] = []

    def add(self, name: str, idx, sense: int, cols, vals, rhs: float) -> None:
        if isinstance(cols, np.ndarray):
            self.index.frombytes(cols.astype(np.int32).tobytes())
            self.value.frombytes(np.asarray(vals, dtype=np.float64).tobytes())
        else:
            self.index.extend(cols)
            self.value.extend(vals)
        self.start.append(len(self.index))
        self.lower.append(rhs if sense <= 0 else -INF)
        self.upper.append(rhs if sense >= 0 else INF)
        self.names.append((name, idx, sense))


class _Cols:
    """Columns as they are added: costs and bounds in typed arrays, names as model.solve.Names
    (a block of flows is one entry there, not a tuple per flow)."""

    def __init__(self):
        self.cost = array("d")
        self.lower = array("d")
        self.upper = array("d")
        self.names = Names()

    def add(self, name: str, idx, cost: float, lower: float, upper: float) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        return self.names.add(name, idx)

    def add_many(self, name: str, indices: list, cost: np.ndarray, lower: float, upper: float) -> None:
        n = len(indices)
        self.cost.frombytes(np.asarray(cost, dtype=np.float64).tobytes())
        self.lower.frombytes(np.full(n, lower).tobytes())
        self.upper.frombytes(np.full(n, upper).tobytes())
        self.names.add_block(name, indices)


def _case(rows: _Rows, cols: _Cols, data, net, factor: float, suffix: str, build_col) -> list[int]:
    """One case's columns and rows (model/build/flows.py, capacity.py, policies.py): Flow, Unmet,
    demand_balance, supply_max, supply_min, capacity_limit, policy_limit. build_col(option) is the
    column of the Build variable that adds to this case's capacity. Returns the columns of the case's
    annual cost terms (for a worst-case row)."""
    first = len(cols.names)
    cols.add_many("Flow" + suffix, net.flows, factor * net.cost_total, 0.0, INF)
    penalty = data.settings.get("unmet_penalty_usd_per_t")
    unmet_col = {}
    if penalty is not None:
        name = "Unmet" + suffix
        for d in net.demand_rows:
            unmet_col[d.row] = cols.add(name, d.row, factor * penalty, 0.0, INF)
    last = len(cols.names)

    name = "demand_balance" + suffix
    for d in net.demand_rows:
        fl = net.demand_index(d.row) + first
        if d.row in unmet_col:
            fl = np.append(fl, unmet_col[d.row])
        if len(fl):
            rows.add(name, d.row, 0, fl, np.ones(len(fl)), d.demand_t)
    for s in net.supply_rows:
        fl = net.supply_index(s) + first
        if len(fl):
            rows.add("supply_max" + suffix, s.row, 1, fl, np.ones(len(fl)), s.max_t)
    for s in net.supply_rows:
        if s.min_t > 0:
            fl = net.supply_index(s) + first
            rows.add("supply_min" + suffix, s.row, -1, fl, np.ones(len(fl)), s.min_t)
    users = net.capacity_index()
    name = "capacity_limit" + suffix
    for c in net.capacity_rows:
        idx, passes = users[c.row]
        if not len(idx):
            continue
        builds = [build_col(o.option) for o in net.options_of(c)]
        rows.add(name, c.row, 1, np.concatenate([idx + first, np.array(builds, dtype=np.int64)]),
                 np.concatenate([passes, np.full(len(builds), -1.0)]), c.capacity_t)
    # Shipped[filter] and shipped_total (model/build/policies.py): one column and one row per
    # commodity filter of the share rules, which then hold only their selected flows.
    shipped: dict[str, int] = {}
    for p in net.policy_limits:
        if not p.is_share:
            continue
        key = p.filter_key
        total = net.policy_index(p)[1]
        if key not in shipped and len(total):
            shipped[key] = j = cols.add("Shipped" + suffix, key, 0.0, 0.0, INF)
            rows.add("shipped_total" + suffix, key, 0, np.append(total + first, j),
                     np.append(np.ones(len(total)), -1.0), 0.0)
    name = "policy_limit" + suffix
    for p in net.policy_limits:
        selected, total = net.policy_index(p)
        sense = 1 if p.is_max else -1
        if p.is_share and not len(total):
            continue
        if not len(selected):
            if p.is_max or (p.is_share and p.value == 0) or (not p.is_share and p.value <= 0):
                continue
            if not p.is_share:
                raise ValueError(f"policy {p.rule} on {p.target} selects no flow")  # validation reports it first
        if p.is_share:
            # As Pyomo writes it: S - value T <= 0 (max_share), value T - S <= 0 (min_share).
            sign = 1.0 if p.is_max else -1.0
            rows.add(name, (p.rule, p.target), 1, np.append(selected + first, shipped[p.filter_key]),
                     np.append(np.full(len(selected), sign), -sign * p.value), 0.0)
        else:
            rows.add(name, (p.rule, p.target), sense, selected + first, np.ones(len(selected)), p.value)
    return list(range(first, last))


def build_lp(plan):
    """The HighsLp of a plan (model.plan.Plan): the single-period model for a one-case plan
    without years, else one block per case linked by Build[o, y]. Returns (lp, rows, columns)."""
    import highspy

    rows, cols = _Rows(), _Cols()
    allow = plan.data.settings.get("allow_investments", True) is not False
    options = plan.options
    if plan.single:
        _single(rows, cols, plan.cases[0], options, allow)
    else:
        build = {}
        for o in options:
            for p in plan.periods:
                available = not plan.multi_year or o.in_service_from is None or p.index >= o.in_service_from
                build[(o.option, p.index)] = cols.add(
                    "Build", (o.option, p.index), p.weight * p.discount * o.annualised_cost_usd_per_t, 0.0,
                    o.max_added_t if allow and available else 0.0)
        years = [p.index for p in plan.periods]
        for o in options:
            for a, b in zip(years, years[1:]):
                rows.add("build_grows", (o.option, b), -1, [build[(o.option, b)], build[(o.option, a)]],
                         [1.0, -1.0], 0.0)
        case_cols = []
        for i, case in enumerate(plan.cases):
            y = case.period.index
            case_cols.append(_case(rows, cols, case.data, case.net, case.factor, f"@{i}",
                                   lambda o, y=y: build[(o, y)]))
        if plan.worst_case_weight > 0:
            worst = cols.add("Worst", None, plan.worst_case_weight, -INF, INF)
            for s in plan.scenarios:
                fl, vals = [worst], [-1.0]  # as Pyomo writes Worst >= cost_s: cost_s - Worst <= 0
                for i, case in enumerate(plan.cases):
                    if case.scenario != s:
                        continue
                    scale = case.period.weight * case.period.discount / (case.factor or 1.0)
                    fl += case_cols[i]
                    vals += [cols.cost[j] * scale for j in case_cols[i]]
                for (o, y), j in build.items():
                    fl.append(j)
                    vals.append(cols.cost[j])
                rows.add("worst_case", s, 1, fl, vals, 0.0)

    lp = highspy.HighsLp()
    lp.num_col_ = len(cols.names)
    lp.num_row_ = len(rows.names)
    lp.col_cost_ = np.frombuffer(cols.cost, dtype=float)
    lp.col_lower_ = np.frombuffer(cols.lower, dtype=float)
    lp.col_upper_ = np.frombuffer(cols.upper, dtype=float)
    lp.row_lower_ = np.asarray(rows.lower, dtype=float)
    lp.row_upper_ = np.asarray(rows.upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.frombuffer(rows.start, dtype=np.int32)
    lp.a_matrix_.index_ = np.frombuffer(rows.index, dtype=np.int32)
    lp.a_matrix_.value_ = np.frombuffer(rows.value, dtype=float)
    return lp, rows.names, cols.names


def _single(rows: _Rows, cols: _Cols, case, options, allow: bool) -> None:
    """The single-period model: Flow and Unmet columns, Build columns as the capacity rows first
    need them, then the options no row uses (every option has a column)."""
    net, data = case.net, case.data
    build: dict = {}
    costs = {o.option: o for o in options}

    def build_col(o):
        if o not in build:
            opt = costs[o]
            build[o] = cols.add("Build", o, opt.annualised_cost_usd_per_t, 0.0, opt.max_added_t if allow else 0.0)
        return build[o]

    _case(rows, cols, data, net, 1.0, "", build_col)
    for o in options:
        build_col(o.option)
