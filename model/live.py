"""A solved model kept live in HiGHS, re-solved for changed input cells without rebuilding.

Each input cell is mapped once, from the built model, to the HiGHS columns, row bounds and
coefficients it touches. A point (values for some cells) is applied absolutely: the cost
arrays are recomputed from their base values plus that point's changes, in a fixed order,
and the touched bounds and coefficients set to their new values; then HiGHS re-solves from
the base solution's basis. So a point's answer depends only on the point, never on the
points solved before it: serial, multi-process and Dask runs agree.

A cell that would change the model's structure (a supply minimum appearing, a penalty on a
model without unmet-demand variables) cannot be applied in place: Structural is raised and
the caller rebuilds that point from the data (see sweep.py).
"""

from __future__ import annotations

import time
from collections import defaultdict

import highspy
import numpy as np
import scipy.sparse as sp

from model.network import DAYS_PER_YEAR
from model.params import Cell
from model.run import Run

TOL = 1e-9


class Structural(Exception):
    """The change alters the model's structure; rebuild instead of updating in place."""


class LiveModel:
    def __init__(self, run: Run):
        self.run = run
        data, net, sol = run.data, run.net, run.solution
        self.h = h = sol.highs
        self.columns, self.rows = sol.columns, sol.rows
        self.row_of = {(c, i): k for k, (c, i, _) in enumerate(sol.rows)}
        n = len(self.columns)
        self.flow_cols = np.array([j for j, (v, _) in enumerate(self.columns) if v == "Flow"], dtype=int)
        self.unmet_cols = np.array([j for j, (v, _) in enumerate(self.columns) if v == "Unmet"], dtype=int)
        # Other columns (Build) keep their costs from the model; cells that change them rebuild.
        self.other_cols = np.array([j for j, (v, _) in enumerate(self.columns) if v not in ("Flow", "Unmet")],
                                   dtype=int)
        self.flow_of = {j: self.columns[j][1] for j in self.flow_cols}
        tariff = {(e, k) for e, k in data.tables["Tariffs"][["element", "cargo_class"]].itertuples(index=False)}
        risk = data.tables["Countries"].set_index("country")["risk_premium_pct"].fillna(0.0).to_dict()

        self.base = {name: np.zeros(n) for name in ("transport", "handling", "days", "riskpct", "value")}
        self.touch = defaultdict(list)  # (what, name) -> [(column, multiplicity)]
        for j, (k, r) in self.flow_of.items():
            c, route, cls = net.cost[(k, r)], net.routes[r], net.commodity_class[k]
            self.base["transport"][j], self.base["handling"][j] = c.transport, c.handling
            self.base["days"][j] = net.transit_days[r]
            self.base["riskpct"][j] = sum(risk.get(g, 0.0) for g in net.countries_of[r])
            self.base["value"][j] = net.value_usd_per_t[k]
            for element, passes in route.elements.items():
                is_leg = ">" in element
                if (element, cls) in tariff:
                    self.touch[("tariff", element, cls)].append((j, passes))
                else:
                    self.touch[("leg_cost" if is_leg else "handling", element)].append((j, passes))
                self.touch[("leg_days" if is_leg else "dwell", element)].append((j, passes))
            for g in net.countries_of[r]:
                self.touch[("country", g)].append((j, 1))
            self.touch[("commodity", k)].append((j, 1))
        self.base_rate = float(data.settings["carrying_cost_rate"])
        self.base_penalty = data.settings.get("unmet_penalty_usd_per_t")
        lp = h.getLp()
        self.other_costs = np.asarray(lp.col_cost_, dtype=float)[self.other_cols]
        expect = self._costs(self.base, self.base_rate, self.base_penalty)
        if np.max(np.abs(expect - np.asarray(lp.col_cost_)), initial=0.0) > 1e-7:
            raise RuntimeError("live model: recomputed costs differ from the HiGHS model")  # a bug, not input

        # Share rules: a row holds sign * Flow for its selected flows and -sign * value * Shipped
        # (model/build/policies.py), with the sign Pyomo chose; a new value changes one coefficient.
        self.csc = sp.csc_array((np.asarray(lp.a_matrix_.value_), np.asarray(lp.a_matrix_.index_),
                                 np.asarray(lp.a_matrix_.start_)), shape=(lp.num_row_, lp.num_col_))
        self.share_rows = {}
        csr = self.csc.tocsr()
        shipped_col = {idx: j for j, (v, idx) in enumerate(self.columns) if v == "Shipped"}
        for p in net.policy_limits:
            i = self.row_of.get(("policy_limit", (p.rule, p.target)))
            if i is None or not p.is_share:
                continue
            row = dict(zip(csr.indices[csr.indptr[i]:csr.indptr[i + 1]], csr.data[csr.indptr[i]:csr.indptr[i + 1]]))
            j = shipped_col[p.filter_key]
            flows = [v for col, v in row.items() if col != j and v != 0]
            sign = flows[0] if flows else (-row.get(j, 0.0) / p.value if p.value else None)
            self.share_rows[i] = (j, sign, p.value)  # Shipped's column, the sign, the value
        self.share_current = {i: v[2] for i, v in self.share_rows.items()}  # value in the live model
        self.base_lower = np.asarray(lp.row_lower_, dtype=float).copy()
        self.base_upper = np.asarray(lp.row_upper_, dtype=float).copy()
        self.base_basis = h.getBasis()
        h.setOptionValue("presolve", "off")  # re-solves start from the base basis
        self._prepare_extraction()
        self.touched_cols: set[int] = set()
        self.touched_rows: set[int] = set()
        self._plans: dict[Cell, tuple] = {}

    # ------------------------------------------------------------------ costs
    def _costs(self, a: dict, rate: float, penalty) -> np.ndarray:
        c = a["transport"] + a["handling"] + a["value"] * (rate * a["days"] / DAYS_PER_YEAR + a["riskpct"] / 100.0)
        if len(self.unmet_cols):
            c[self.unmet_cols] = penalty
        if len(self.other_cols):
            c[self.other_cols] = self.other_costs
        return c

    def _policy_limits(self, row: int):
        return [p for p in self.run.net.policy_limits if p.row == row]

    def _plan(self, cell: Cell) -> tuple:
        """What a cell changes in the LP, resolved once per cell (no table look-ups per point)."""
        plan = self._plans.get(cell)
        if plan is not None:
            return plan
        sheet, column = cell.sheet, cell.column
        tables = self.run.data.tables
        if sheet == "Settings":
            plan = ("rate",) if cell.key == "carrying_cost_rate" else ("penalty",)
        else:
            rec = tables[sheet].loc[tables[sheet]["_row"] == cell.row].iloc[0]
            if sheet in ("Legs", "Nodes", "Tariffs", "Commodities", "Countries"):
                target = self._cost_target(sheet, column, rec)
                if target is None:
                    plan = ("none",)  # information only (distance, coordinates)
                else:
                    key, array = target
                    touched = self.touch.get(key, ())
                    idx = np.array([j for j, _ in touched], dtype=int)
                    passes = np.array([n for _, n in touched], dtype=float)
                    plan = ("cost", array, idx, passes)
            elif sheet in ("Capacities", "Demand", "Supply"):
                con = {"Capacities": "capacity_limit", "Demand": "demand_balance"}.get(
                    sheet, "supply_max" if column == "max_t" else "supply_min")
                structural = con == "supply_min" and (con, cell.row) not in self.row_of
                plan = ("bound", [(con, cell.row)], structural)
            elif sheet == "Investments":
                plan = ("structural",)
            else:  # Policies
                parts = []
                for p in self._policy_limits(cell.row):
                    i = self.row_of.get(("policy_limit", (p.rule, p.target)))
                    parts.append((p, i))
                plan = ("policy", parts)
        self._plans[cell] = plan
        return plan

    def apply(self, values: dict[Cell, float]) -> None:
        """Set the model to the base model with these cells changed (absolutely, in order)."""
        a = {k: v.copy() for k, v in self.base.items()}
        rate, penalty = self.base_rate, self.base_penalty
        lower, upper = self.base_lower.copy(), self.base_upper.copy()
        share: dict[int, float] = {}  # share rows this point sets
        cols: set[int] = set(self.touched_cols)
        rows: set[int] = set(self.touched_rows)
        for cell in sorted(values, key=lambda c: (c.sheet, c.row, c.column)):
            value, delta = values[cell], values[cell] - cell.base
            plan = self._plan(cell)
            kind = plan[0]
            if kind == "structural":
                raise Structural(cell.label)
            if kind == "rate":
                rate = value
                cols.update(self.flow_cols.tolist())
            elif kind == "penalty":
                if not len(self.unmet_cols):
                    raise Structural(cell.label)
                penalty = value
                cols.update(self.unmet_cols.tolist())
            elif kind == "cost":
                _, array, idx, passes = plan
                if array == "value":
                    a["value"][idx] = value
                else:
                    a[array][idx] += passes * delta
                cols.update(idx.tolist())
            elif kind == "bound":
                _, keys, structural = plan
                if structural and value > 0:
                    raise Structural(cell.label)
                for key in keys:
                    self._set_bound(key, value, lower, upper, rows)
            elif kind == "policy":
                for p, i in plan[1]:
                    if i is None:
                        if value > 0 and not p.is_max:
                            raise Structural(cell.label)
                        continue
                    if p.is_share:
                        if self.share_rows[i][1] is None:
                            raise Structural(cell.label)
                        share[i] = value
                    else:
                        self._set_bound(("policy_limit", (p.rule, p.target)), value, lower, upper, rows)
        c = self._costs(a, rate, penalty)
        if cols:
            idx = np.fromiter(sorted(cols), dtype=np.int32, count=len(cols))
            self.h.changeColsCost(len(idx), idx, c[idx])
        if rows:
            idx = np.fromiter(sorted(rows), dtype=np.int32, count=len(rows))
            self.h.changeRowsBounds(len(idx), idx, lower[idx], upper[idx])
        for i, (j, sign, base_value) in self.share_rows.items():
            value = share.get(i, base_value)
            if value != self.share_current[i]:
                self.h.changeCoeff(int(i), int(j), float(-sign * value))
                self.share_current[i] = value
        self.touched_cols, self.touched_rows = cols, rows
        self.current = (a, rate, penalty)
        self.current_costs, self.current_bounds = c, (lower, upper)

    def _cost_target(self, sheet: str, column: str, rec) -> tuple[tuple, str] | None:
        if sheet == "Legs":
            leg = f"{rec['from']}>{rec['to']}"
            return {"cost_usd_per_t": (("leg_cost", leg), "transport"),
                    "transit_days": (("leg_days", leg), "days")}.get(column)
        if sheet == "Nodes":
            return {"handling_usd_per_t": (("handling", rec["node"]), "handling"),
                    "dwell_days": (("dwell", rec["node"]), "days")}.get(column)
        if sheet == "Tariffs":
            part = "transport" if ">" in rec["element"] else "handling"
            return ("tariff", rec["element"], rec["cargo_class"]), part
        if sheet == "Commodities":
            return ("commodity", rec["commodity"]), "value"
        return ("country", rec["country"]), "riskpct"  # Countries.risk_premium_pct

    def _set_bound(self, key, value, lower, upper, rows) -> None:
        i = self.row_of.get(key)
        if i is None:
            return  # the constraint was skipped: it limits no flow
        _, _, sense = self.rows[i]
        if sense in (0, -1):
            lower[i] = value
        if sense in (0, 1):
            upper[i] = value
        rows.add(i)

    # ------------------------------------------------------------------ solve and extract
    def _prepare_extraction(self) -> None:
        net = self.run.net
        flows = [self.flow_of[j] for j in self.flow_cols]
        self.corridors = sorted({net.routes[r].corridor for _, r in flows})
        self.route_names = sorted({r for _, r in flows})
        self.route_names_array = np.array(self.route_names, dtype=object)
        self.countries = sorted({g for _, r in flows for g in net.countries_of[r]})
        corridor_ix = {c: i for i, c in enumerate(self.corridors)}
        route_ix = {r: i for i, r in enumerate(self.route_names)}
        country_ix = {g: i for i, g in enumerate(self.countries)}
        self.corridor_of = np.array([corridor_ix[net.routes[r].corridor] for _, r in flows], dtype=int)
        self.route_of = np.array([route_ix[r] for _, r in flows], dtype=int)
        rows, cols = [], []
        for n, (_, r) in enumerate(flows):
            for g in net.countries_of[r]:
                rows.append(country_ix[g])
                cols.append(n)
        n = len(self.columns)
        self.is_flow = np.zeros(n, dtype=bool)
        self.is_flow[self.flow_cols] = True
        # Per column (unmet columns carry no tonnes: their x is zeroed before these are used)
        self.corridor_of_col = np.zeros(n, dtype=int)
        self.corridor_of_col[self.flow_cols] = self.corridor_of
        self.route_of_col = np.zeros(n, dtype=int)
        self.route_of_col[self.flow_cols] = self.route_of
        self.country_matrix = np.zeros((len(self.countries), n))
        self.country_matrix[rows, self.flow_cols[cols]] = 1.0
        demand = {d.row: d.commodity for d in net.demand_rows}
        self.unmet_commodity = {j: demand[self.columns[j][1]] for j in self.unmet_cols}
        self.row_labels = {}
        for i, (con, index, _) in enumerate(self.rows):
            if con == "capacity_limit":
                c = next(c for c in net.capacity_rows if c.row == index)
                self.row_labels[i] = f"capacity {c.element}" + (f" ({c.cargo_class})" if c.cargo_class else "")
            elif con == "policy_limit":
                self.row_labels[i] = f"rule {index[0]} {index[1]}"
            elif con in ("supply_max", "supply_min"):
                s = next(s for s in net.supply_rows if s.row == index)
                self.row_labels[i] = f"supply {s.commodity} {s.origin} {con[-3:]}"

    def solve(self) -> dict:
        """Re-solve from the base basis and summarise the point."""
        h = self.h
        h.setBasis(self.base_basis)
        start = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - start
        status = h.getModelStatus()
        out = {"status": h.modelStatusToString(status), "solve_seconds": seconds}
        if status != highspy.HighsModelStatus.kOptimal:
            return out
        s = h.getSolution()
        x = np.array(s.col_value)
        y = np.array(s.row_dual)
        a, rate, penalty = getattr(self, "current", (self.base, self.base_rate, self.base_penalty))
        c = getattr(self, "current_costs", None)
        xf = np.where(self.is_flow & (x > 1e-9), x, 0.0)  # flow tonnes; unmet columns and round-off zeroed
        unmet = float(x[self.unmet_cols].sum()) if len(self.unmet_cols) else 0.0
        time_usd_per_t = a["value"] * rate * a["days"] / DAYS_PER_YEAR
        route_t = np.bincount(self.route_of_col, xf, len(self.route_names))
        used = np.flatnonzero(route_t > 1e-6)
        out.update({
            "objective_usd": float(c @ x) if c is not None else h.getInfo().objective_function_value,
            "transport_usd": float(a["transport"] @ xf),
            "handling_usd": float(a["handling"] @ xf),
            "time_usd": float(time_usd_per_t @ xf),
            "risk_usd": float((a["value"] * a["riskpct"] / 100.0) @ xf),
            "unmet_penalty_usd": (penalty or 0.0) * unmet,
            "shipped_t": float(xf.sum()),
            "unmet_t": unmet,
            "corridor": dict(zip(self.corridors, np.bincount(self.corridor_of_col, xf, len(self.corridors)).tolist())),
            "country": dict(zip(self.countries, (self.country_matrix @ xf).tolist())),
            "route": dict(zip(self.route_names_array[used].tolist(), route_t[used].tolist())),
            "binding": sorted(self.row_labels[i] for i in np.flatnonzero(np.abs(y) > 1e-7).tolist()
                              if i in self.row_labels),
        })
        if len(self.unmet_cols):
            by = defaultdict(float)
            for j in self.unmet_cols:
                by[self.unmet_commodity[j]] += float(x[j])
            out["unmet_by_commodity"] = {k: v for k, v in by.items() if v > 1e-6}
        self.last_x, self.last_y = x, y
        return out

    def solve_point(self, values: dict[Cell, float]) -> dict:
        self.apply(values)
        return self.solve()
