"""A solved single-period model kept live in HiGHS, re-solved for changed input cells without rebuilding.

What a cell changes is what its family declares (model.lp.families: `inputs`, and `changes` or, for flow costs,
model.network.costs.FlowCosts.effect): resolved once per cell, applied absolutely from the base model at each point
(costs recomputed from their base values in a fixed order, bounds and coefficients set to their new values), then
HiGHS re-solves from the base solution's basis: a point's answer depends on the point alone, not on earlier points.

A cell that would change which rows or columns exist (a supply minimum appearing, a penalty on a model without
unmet-demand variables) raises Structural, and the caller rebuilds that point from the data (model.analysis.sweep).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any

import highspy
import numpy as np

from model.input.data import CorridorData
from model.lp.families import (
    BOTTLENECK_ROWS,
    BUILD,
    FAMILIES,
    FLOW,
    INVESTMENT_FAMILIES,
    NO_LP_EFFECT,
    POLICY_LIMIT,
    UNMET,
    Bound,
    Cell,
    Coefficient,
    ColumnBounds,
    ColumnCost,
    Structural,
    label,
)
from model.lp.families.base import Change, Family
from model.lp.highs import Solution, floats
from model.lp.live_choice import NOT_CONVERGED, LiveAllocation, NoConvergence
from model.lp.mip import CONTINUOUS, INTEGER, set_integrality
from model.network import Network
from model.network.costs import FlowCosts

__all__ = ["LiveModel", "LivePoint", "Structural"]


@dataclass(frozen=True)
class LivePoint:
    """One solved point (LiveModel.solve), as the sweep, stress and parametric tables read it and a sweep's
    journal holds it (dataclasses.asdict; of_record reads it back). Without an optimum, the figures are None.
    USD/yr: objective_usd, the parts <part>_usd (COST_PARTS), unmet_penalty_usd; t/yr: shipped_t, unmet_t,
    co2e_t, by corridor, country and route (with tonnes); binding: the binding planner-facing rows' labels.
    With integer decisions: how they were treated, and built (option -> amount) with investment_cost_usd;
    with unmet-demand columns, unmet_by_commodity. The sweep sets rebuilt (solved from the changed data),
    seconds (wall time), invalid_input (why not solved: a value the workbook could not hold); a run, figures."""

    status: str
    solve_seconds: float | None = None
    integer_decisions: str | None = None
    objective_usd: float | None = None
    transport_usd: float | None = None
    handling_usd: float | None = None
    time_usd: float | None = None
    risk_usd: float | None = None
    surcharge_usd: float | None = None
    carbon_usd: float | None = None
    premium_usd: float | None = None
    unmet_penalty_usd: float | None = None
    shipped_t: float | None = None
    unmet_t: float | None = None
    co2e_t: float | None = None
    corridor: dict[str, float] | None = None
    country: dict[str, float] | None = None
    route: dict[str, float] | None = None
    binding: tuple[str, ...] | None = None
    built: dict[str, float] | None = None
    investment_cost_usd: float | None = None
    unmet_by_commodity: dict[str, float] | None = None
    rebuilt: bool = False
    seconds: float | None = None
    invalid_input: str | None = None
    figures: dict[str, float] | None = None

    @property
    def solved(self) -> bool:
        """An optimum was found: the figures are set."""
        return self.objective_usd is not None

    def part_usd(self, part: str) -> float | None:
        """The cost part's USD/yr (part: a word of COST_PARTS), None without an optimum."""
        return getattr(self, f"{part}_usd")

    @classmethod
    def of_record(cls, record: dict[str, Any]) -> LivePoint:
        """A point from its journal record (asdict's, or, before points were a dataclass, a dict of the
        same names without the absent ones). KeyError for a name it does not know (another version's)."""
        for name in set(record) - {f.name for f in fields(cls)}:
            raise KeyError(name)
        binding = record.get("binding")
        return cls(**{**record, "binding": None if binding is None else tuple(binding)})


@dataclass(frozen=True)
class CellPlan:
    """What a cell changes in the LP, resolved once per cell: for a cell of flow costs, what it
    enters (FlowCosts.effect: the part of FlowCosts, the flows, how many times each); for the others,
    the families whose `changes` it goes through (none: it changes nothing in the LP)."""

    effect: tuple[str, np.ndarray, np.ndarray] | None = None
    families: tuple[Family, ...] = ()


class LiveModel:
    """The single-period model of (data, net), solved as sol, ready for re-solves.

    With integer decisions (options built whole, in modules or with a fixed cost: sol.mip), each
    point either re-solves the MIP (keep_decisions False: the decisions the point itself calls
    for; HiGHS holds the decisions free and integer between points) or keeps the decisions of the
    base solve (True: an LP, HiGHS holds them fixed). Either way a point reports which
    (`integer_decisions`) and what is built."""

    def __init__(self, data: CorridorData, net: Network, sol: Solution, keep_decisions: bool = False):
        self.data, self.net, self.solution = data, net, sol
        self.mip = sol.mip if sol.mip is not None and len(sol.mip.columns) else None
        self.keep_decisions = keep_decisions
        self.allocation = LiveAllocation(data, net, sol)  # each point's: the LP's, or the logit's on it
        h = sol.highs
        assert h is not None, "a live model re-solves the solve's own HiGHS model (sol.highs)"
        self.h: highspy.Highs = h
        self.columns, self.rows = sol.columns, sol.rows
        flows = sol.col_pos[(FLOW.name, None)]
        self.flow_cols = np.fromiter((flows[f] for f in net.flows), dtype=np.int64, count=len(net.flows))
        unmet = sol.col_pos.get((UNMET.name, None), {})
        self.unmet_cols = np.array(sorted(unmet.values()), dtype=np.int64)
        self.unmet_row = {j: row for row, j in unmet.items()}
        lp = h.getLp()
        self.base_cost = np.array(lp.col_cost_, dtype=float)
        held_lower, held_upper = np.array(lp.col_lower_, dtype=float), np.array(lp.col_upper_, dtype=float)
        self.base_col_lower, self.base_col_upper = held_lower.copy(), held_upper.copy()
        if self.mip is not None:  # the decisions' own bounds (the solve left them fixed)
            self.base_col_lower[self.mip.columns] = self.mip.lower
            self.base_col_upper[self.mip.columns] = self.mip.upper
        self.base_row_lower = np.array(lp.row_lower_, dtype=float)
        self.base_row_upper = np.array(lp.row_upper_, dtype=float)
        self.base_flow_costs = FlowCosts.of(net)
        if np.max(np.abs(self.base_flow_costs.total() - self.base_cost[self.flow_cols]), initial=0.0) > 1e-7:
            raise RuntimeError("live model: recomputed flow costs differ from the HiGHS model")  # a bug, not input
        self.base_basis = h.getBasis()
        h.setOptionValue("presolve", "off")  # re-solves start from the base basis
        self._plans: dict[Cell, CellPlan] = {}
        self._coef: dict[tuple[int, int], float] = {}  # coefficients changed from the base, as in HiGHS now
        self._base_coef: dict[tuple[int, int], float] = {}
        self._held = {"cost": self.base_cost, "col_lower": held_lower, "col_upper": held_upper,
                      "lower": self.base_row_lower, "upper": self.base_row_upper}  # what HiGHS holds now
        self._prepare_extraction()
        if self.mip is not None:
            set_integrality(h, self.mip.columns, CONTINUOUS if keep_decisions else INTEGER)
            self.apply({})

    # ------------------------------------------------------------------ what a cell changes
    def _record(self, cell: Cell) -> dict[str, Any] | None:
        if cell.sheet == "Settings":
            return None
        df = self.data.tables[cell.sheet]
        return df.loc[df["_row"] == cell.row].iloc[0].to_dict()

    def _plan(self, cell: Cell) -> CellPlan:
        """What the cell changes (CellPlan), resolved once per cell."""
        plan = self._plans.get(cell)
        if plan is None:
            where = cell.input
            if where in FLOW.inputs:
                plan = CellPlan(effect=FlowCosts.effect(self.net, where, self._record(cell)))
            else:
                families = [f for f in FAMILIES.values() if where in f.inputs]
                if not families and where not in NO_LP_EFFECT:
                    raise Structural(cell.label)  # not declared by any family: rebuild, never guess
                plan = CellPlan(families=tuple(families))
            self._plans[cell] = plan
        return plan

    def apply(self, values: dict[Cell, float]) -> None:
        """Set the model to the base model with these cells changed (absolutely, in a fixed order)."""
        costs = self.base_flow_costs
        cost = self.base_cost.copy()
        col_lower, col_upper = self.base_col_lower.copy(), self.base_col_upper.copy()
        lower, upper = self.base_row_lower.copy(), self.base_row_upper.copy()
        coef: dict[tuple[int, int], float] = {}
        repriced = False
        self.allocation.at(values)  # the point's dispersions (they change the choice, no LP cell)
        _no_bilinear_legs(values)
        for cell in sorted(values, key=lambda c: (c.sheet, c.row, c.column)):
            value = values[cell]
            plan = self._plan(cell)
            if plan.effect is not None:
                costs = costs.shifted(plan.effect, cell.base, value)
                repriced = True
            else:
                for family in plan.families:
                    for change in family.changes(self.net, self.data.settings, cell, value):
                        self._change(change, cost, col_lower, col_upper, lower, upper, coef)
        if repriced:
            cost[self.flow_cols] = costs.total()
            if costs.co2 is not self.base_flow_costs.co2:  # a flow's CO2e moved: the CO2e caps' coefficients too
                for change in POLICY_LIMIT.co2_changes(self.net, self.base_flow_costs.co2, costs.co2):
                    self._change(change, cost, col_lower, col_upper, lower, upper, coef)
        if self.mip is not None and self.keep_decisions:  # the base solve's decisions, within the new bounds
            j = self.mip.columns
            col_lower[j] = col_upper[j] = np.clip(self.mip.values, col_lower[j], col_upper[j])
        self._flow_costs = costs
        self._push(cost, col_lower, col_upper, lower, upper, coef)
        self.current_costs, self.current_bounds = cost, (lower, upper)
        self.current_col_bounds, self.applied = (col_lower, col_upper), dict(values)  # applied: the cells changed

    def _change(self, change: Change, cost: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray,
                lower: np.ndarray, upper: np.ndarray, coef: dict[tuple[int, int], float]) -> None:
        """Apply one change a family declared to the arrays being prepared for HiGHS."""
        sol = self.solution
        if isinstance(change, Bound):
            i = sol.row_of(change.family, change.index)
            if i is None:
                return  # the row was not made: it limits nothing, and a fresh build would not make it
            sense = self.rows[i].sense
            if sense in (0, -1):
                lower[i] = change.value
            if sense in (0, 1):
                upper[i] = change.value
        elif isinstance(change, Coefficient):
            i, j = sol.row_of(change.family, change.index), sol.col_of(change.col_family, change.col_index)
            if i is not None and j is not None:
                coef[(i, j)] = change.value
        else:
            j = sol.col_of(change.family, change.index)
            if j is None:
                raise Structural(f"{change.family}[{change.index}]")  # the column does not exist
            if isinstance(change, ColumnCost):
                cost[j] = change.value
            elif isinstance(change, ColumnBounds):
                col_lower[j], col_upper[j] = change.lower, change.upper

    def _push(self, cost: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray, lower: np.ndarray,
              upper: np.ndarray, coef: dict[tuple[int, int], float]) -> None:
        """Hand HiGHS only what differs from what it holds."""
        h, held = self.h, self._held
        changed = np.flatnonzero(cost != held["cost"])
        if len(changed):
            h.changeColsCost(len(changed), changed.astype(np.int32), cost[changed])
        changed = np.flatnonzero((col_lower != held["col_lower"]) | (col_upper != held["col_upper"]))
        if len(changed):
            h.changeColsBounds(len(changed), changed.astype(np.int32), col_lower[changed], col_upper[changed])
        changed = np.flatnonzero((lower != held["lower"]) | (upper != held["upper"]))
        if len(changed):
            h.changeRowsBounds(len(changed), changed.astype(np.int32), lower[changed], upper[changed])  # type: ignore[attr-defined]  # in highspy, missing from its stubs
        for (i, j) in set(self._coef) - set(coef):  # back to the base coefficient
            h.changeCoeff(int(i), int(j), float(self._base_coef[(i, j)]))
        for (i, j), v in coef.items():
            if (i, j) not in self._base_coef:
                self._base_coef[(i, j)] = self._coefficient(i, j)
            if self._coef.get((i, j), self._base_coef[(i, j)]) != v:
                h.changeCoeff(int(i), int(j), float(v))
        self._coef = coef
        self._held = {"cost": cost, "col_lower": col_lower, "col_upper": col_upper, "lower": lower, "upper": upper}

    def _coefficient(self, i: int, j: int) -> float:
        """The base model's coefficient of column j in row i (read before it is first changed)."""
        _, _, index, value = self.h.getColsEntries(1, np.array([j], dtype=np.int32))
        hit = np.flatnonzero(np.asarray(index) == i)
        return float(np.asarray(value)[hit[0]]) if len(hit) else 0.0

    # ------------------------------------------------------------------ solve and extract
    def _prepare_extraction(self) -> None:
        net = self.net
        flows = net.flows
        self.corridors = sorted({net.routes[r].corridor for _, r in flows})
        self.route_names = sorted({r for _, r in flows})
        self.route_names_array = np.array(self.route_names, dtype=object)
        self.countries = sorted({g for _, r in flows for g in net.countries_of[r]})
        corridor_ix = {c: i for i, c in enumerate(self.corridors)}
        route_ix = {r: i for i, r in enumerate(self.route_names)}
        country_ix = {g: i for i, g in enumerate(self.countries)}
        n = len(self.columns)
        self.is_flow = np.zeros(n, dtype=bool)
        self.is_flow[self.flow_cols] = True
        # Per column (columns that are not flows carry no tonnes: their x is zeroed before these are used)
        self.corridor_of_col = np.zeros(n, dtype=int)
        self.corridor_of_col[self.flow_cols] = [corridor_ix[net.routes[r].corridor] for _, r in flows]
        self.route_of_col = np.zeros(n, dtype=int)
        self.route_of_col[self.flow_cols] = [route_ix[r] for _, r in flows]
        rows, cols = [], []
        for k, (_, r) in enumerate(flows):
            for g in net.countries_of[r]:
                rows.append(country_ix[g])
                cols.append(k)
        self.country_matrix = np.zeros((len(self.countries), n))
        self.country_matrix[rows, self.flow_cols[cols]] = 1.0
        demand = {d.row: d.commodity for d in net.demand_rows}
        self.unmet_commodity = {j: demand[row] for j, row in self.unmet_row.items()}
        build = self.solution.col_pos.get((BUILD.name, None), {})
        self.build_options = list(build)
        self.build_cols = np.array(list(build.values()), dtype=np.int64)
        self.investment_cols = np.array(sorted(j for (family, case), pos in self.solution.col_pos.items()
                                               if family in INVESTMENT_FAMILIES and case is None
                                               for j in pos.values()), dtype=np.int64)
        self.row_labels = {i: label(key, net) for i, key in enumerate(self.rows) if key.family in BOTTLENECK_ROWS}

    def solve(self) -> LivePoint:
        """Re-solve from the base basis, with HiGHS's other state cleared (factorisation, edge
        weights: what an earlier point left would otherwise steer which of equally cheap
        allocations it returns), and summarise the point. A point's answer is a function of the
        point alone: serial, multi-process, Dask and resumed sweeps give the same table."""
        h = self.h
        h.clearSolver()
        h.setBasis(self.base_basis)
        start = time.perf_counter()
        h.run()
        status = h.getModelStatus()
        if self.mip is not None and not self.keep_decisions and status == highspy.HighsModelStatus.kOptimal:
            status = self._fix_decisions_and_resolve()
        seconds = time.perf_counter() - start
        decisions = None if self.mip is None else "kept fixed" if self.keep_decisions else "re-solved (MIP)"
        if status != highspy.HighsModelStatus.kOptimal:
            return LivePoint(h.modelStatusToString(status), seconds, decisions)
        s = h.getSolution()
        try:  # the LP's x and y, or under allocation choice the logit's tonnes and tolls on this LP
            x, y = self.allocation(h, floats(s.col_value), floats(s.row_dual))
        except NoConvergence as e:
            return LivePoint(f"{NOT_CONVERGED} ({e})", seconds, decisions)
        return self.point(x, y, h.modelStatusToString(status), seconds, decisions)

    def point(self, x: np.ndarray, y: np.ndarray, status: str, seconds: float | None = None,
              decisions: str | None = None) -> LivePoint:
        """The point of a solution (x, y) of the model as it stands: the LP's, or another allocation on its rows."""
        c = getattr(self, "current_costs", self.base_cost)
        costs = getattr(self, "_flow_costs", self.base_flow_costs)
        xf = np.where(self.is_flow & (x > 1e-9), x, 0.0)  # flow tonnes; other columns and round-off zeroed
        xk = xf[self.flow_cols]
        unmet = float(x[self.unmet_cols].sum()) if len(self.unmet_cols) else 0.0
        penalty = float(c[self.unmet_cols[0]]) if len(self.unmet_cols) else 0.0
        route_t = np.bincount(self.route_of_col, xf, len(self.route_names))
        used = np.flatnonzero(route_t > 1e-6)
        parts = {part: float(values @ xk) for part, values in costs.parts().items()}
        built, investment = None, None
        if len(self.build_cols):
            amounts = x[self.build_cols]
            built = {o: float(t) for o, t in zip(self.build_options, amounts.tolist(), strict=True) if t > 1e-6}
            investment = float(c[self.investment_cols] @ x[self.investment_cols])
        unmet_by = None
        if len(self.unmet_cols):
            by: defaultdict[str, float] = defaultdict(float)
            for j in self.unmet_cols.tolist():
                by[self.unmet_commodity[j]] += float(x[j])
            unmet_by = {k: v for k, v in by.items() if v > 1e-6}
        self.last_x, self.last_y = x, y
        return LivePoint(
            status, seconds, decisions,
            objective_usd=float(c @ x),
            transport_usd=parts["transport"], handling_usd=parts["handling"], time_usd=parts["time"],
            risk_usd=parts["risk"], surcharge_usd=parts["surcharge"], carbon_usd=parts["carbon"],
            premium_usd=parts["premium"],
            unmet_penalty_usd=penalty * unmet,
            shipped_t=float(xf.sum()),
            unmet_t=unmet,
            co2e_t=float(costs.co2 @ xk),
            corridor=dict(zip(self.corridors, np.bincount(self.corridor_of_col, xf, len(self.corridors)).tolist(),
                              strict=True)),
            country=dict(zip(self.countries, (self.country_matrix @ xf).tolist(), strict=True)),
            route=dict(zip(self.route_names_array[used].tolist(), route_t[used].tolist(), strict=True)),
            binding=tuple(sorted(self.row_labels[i] for i in np.flatnonzero(np.abs(y) > 1e-7).tolist()
                                 if i in self.row_labels)),
            built=built, investment_cost_usd=investment, unmet_by_commodity=unmet_by)

    def _fix_decisions_and_resolve(self) -> highspy.HighsModelStatus:
        """After the MIP: its decisions fixed, the LP solved again for the duals (a MIP has none);
        then HiGHS is left as it was (decisions free and integer). Returns the LP's status."""
        h, j = self.h, self.mip.columns  # type: ignore[union-attr]  # called only with integer decisions
        values: np.ndarray = np.round(np.asarray(h.getSolution().col_value, dtype=float)[j])
        set_integrality(h, j, CONTINUOUS)
        h.changeColsBounds(len(j), j.astype(np.int32), values, values)
        h.setBasis(self.base_basis)
        h.run()
        status = h.getModelStatus()
        held = self._held
        h.changeColsBounds(len(j), j.astype(np.int32), held["col_lower"][j], held["col_upper"][j])
        set_integrality(h, j, INTEGER)
        return status

    def solve_point(self, values: dict[Cell, float]) -> LivePoint:
        self.apply(values)
        return self.solve()


def _no_bilinear_legs(values: dict[Cell, float]) -> None:
    """A leg's CO2e is distance x intensity: moving both cells of one leg at once is not the sum of
    moving each (each effect is worked out at the other's base value), so such a point is rebuilt."""
    legs = [c.row for c in values if c.sheet == "Legs" and c.column in ("distance_km", "co2_g_per_tkm")]
    if len(legs) != len(set(legs)):
        raise Structural("Legs distance_km and co2_g_per_tkm of one leg changed together")
