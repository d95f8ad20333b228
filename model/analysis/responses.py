"""What a negotiator asks of a choice allocation (model.lp.choice), worked out and not written: the
tonnes the focus of the Settings attracts at today's costs, the tonnes each USD/t cut at its ports adds,
where they come from (each corridor's change), the focus's tonnes over a range of cuts, and how many
tonnes a USD/t on a single leg moves.

Each figure is the choice allocation on the solved LP with input cells changed (ChoiceAt):
model.lp.live.LiveModel works out the changed costs and sets them in HiGHS's LP (as a sweep does), the
program read off that LP (model.lp.choice.program) takes them, and model.lp.choice solves it, started
from the solution's tolls; the LP is not solved again (what is built stays the least-cost solution's,
as in the allocation itself). A derivative is a central difference: the cell
1 USD/t up and down, half the difference. The logit is smooth where the set of limits that bind stays the
same, so the difference is the derivative to within a fraction of a percent (1.966 against 1.9655 t in the
hand-worked case, tests/test_responses.py); where a limit starts or stops binding within the step it is
the average of the two sides.

The focus's ports are the Nodes sheet's nodes of kind port in the focus country (for a corridor, the
ports its routes pass), read from the data. A cut beyond the port's handling is a subsidy (the Nodes
sheet allows a negative handling cost).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from model.input.data import ROW
from model.input.schema import Allocation, NodeKind, Scope
from model.input.validate.choice import dispersions
from model.lp.choice import NoConvergence, choice_of_lp, program_of
from model.lp.families import Cell
from model.lp.highs import Solution, option
from model.lp.live import LiveModel
from model.network.names import parse_focus
from model.plan import Plan
from model.results.responses import NOT_DELIVERED, RESPONSE_COLUMNS, ResponseRow

STEP_USD_PER_T = 1.0  # the central difference: the cell this much up and down
CUTS_USD_PER_T = tuple(float(c) for c in range(0, 151, 10))  # the response curve's cuts at the focus's ports
MOVED_T = 1e-6  # a change per USD/t below this, tonnes, is round-off: its corridor is left off the diversion
TOLL_USD_PER_T = 1e-7  # a row whose toll is below this binds nothing


@dataclass(frozen=True)
class Port:
    code: str
    label: str  # its name (its code where it has none)
    cell: Cell  # its Nodes row's handling_usd_per_t


class ChoiceAt:
    """The choice allocation of a solved single-period plan, re-run with input cells of flow costs
    changed (x()), on the plan's own HiGHS (sol.highs) through a live model. Use within
    `with ChoiceAt.of(...)`: on leaving, HiGHS holds the base LP again.

    The program is read off the LP once (model.lp.choice.program.read_program) and each point changes
    only its columns' costs: a cost cell changes flows' costs alone (LiveModel.apply), and a choice
    column's cost is its LP columns' cost through S (x_LP = S x + fixed). Reading the program again at
    each point gives the same allocation (tests/test_responses.py) and costs more than solving it
    (benchmarks/README.md, issue 25)."""

    def __init__(self, plan: Plan, sol: Solution, live: LiveModel):
        self.plan, self.sol, self.live = plan, sol, live
        self.dispersion = dispersions(plan.data)
        self.lp, self.program = program_of(plan, sol, live.h, np.asarray(sol.x, dtype=float), self.dispersion)
        self.base = self.x({})

    @classmethod
    @contextmanager
    def of(cls, plan: Plan, sol: Solution) -> Iterator[ChoiceAt]:
        with held_live(plan, sol) as live:
            yield cls(plan, sol, live)

    def x(self, values: dict[Cell, float]) -> np.ndarray:
        """Every LP column's value under the choice allocation with these cells at these values (the LP's
        columns: flows, unmet tonnes, what is built as solved). NoConvergence as the allocation raises it."""
        self.live.apply(values)
        cost = self.live.current_costs
        delta = cost - self.lp.cost
        if np.any(delta[~self.live.is_flow]):
            raise RuntimeError("responses: a cell changed more than flow costs")  # a bug, not input
        program, p = self.program, self.program.problem
        repriced = dataclasses.replace(p, cost=p.cost + (program.S.T @ delta) / program.column_factor)
        solution = choice_of_lp(dataclasses.replace(program, problem=repriced), self.sol,
                                dataclasses.replace(self.lp, cost=cost), self.dispersion, time.perf_counter())
        return np.asarray(solution.x, dtype=float)

    def moved_t(self, x: np.ndarray, base: np.ndarray | None = None) -> float:
        """Tonnes that moved between x and the base: half the sum of the changes over the flows and the
        unmet tonnes (each demand row's total stays, so what leaves one column arrives at another)."""
        base = self.base if base is None else base
        cols = np.concatenate([self.live.flow_cols, self.live.unmet_cols])
        return float(np.abs(x[cols] - base[cols]).sum() / 2)


@contextmanager
def held_live(plan: Plan, sol: Solution) -> Iterator[LiveModel]:
    """A live model on the solve's own HiGHS (model.steps.solve keeps it with allocation choice), what is
    built held as solved; on leaving, HiGHS holds the base LP, its presolve option and, solved again from
    the base basis (no iterations), its optimal solution, for what reads it after (explain)."""
    h = sol.highs
    assert h is not None, "responses re-run the solve's own HiGHS (model.steps.solve keeps it)"
    presolve = option(h, "presolve")
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    live = LiveModel(plan.data, plan.cases[0].net, sol, keep_decisions=True)
    try:
        yield live
    finally:
        live.apply({})
        if optimal:  # a changed cost left the model's status unset
            h.clearSolver()
            h.setBasis(live.base_basis)
            h.run()
        h.setOptionValue("presolve", presolve)


def port_responses(plan: Plan, sol: Solution) -> pd.DataFrame:
    """The Responses sheet (model.results.responses) of a plan solved with allocation choice and a focus:
    empty under least cost, for a plan of several years or scenarios (the live model is single-period),
    and without a focus."""
    if plan.data.settings.allocation != Allocation.CHOICE or not plan.single or sol.choice is None \
            or sol.highs is None:
        return pd.DataFrame(columns=RESPONSE_COLUMNS)
    net = plan.cases[0].net
    scope, key, _ = parse_focus(plan.data.settings.focus or "", net.names.country, dict.fromkeys(net.routes.corridors))
    if not scope or key is None:
        return pd.DataFrame(columns=RESPONSE_COLUMNS)
    rows: list[dict] = []
    with ChoiceAt.of(plan, sol) as at:
        mine = focus_columns(at.live, scope, key)
        label = net.names.country.get(key) or key if scope == Scope.COUNTRY else key
        rows.append({"what": ResponseRow.ATTRACTED, "name": label, "tonnes_t": float(at.base @ mine)})
        rows += held_by(at, mine)
        ports = focus_ports(plan, scope, key)
        for port in ports:
            try:
                rows += _per_cut(at, port, mine)
            except NoConvergence:  # shown blank, and the brief says so
                rows.append({"what": ResponseRow.PER_CUT, "name": port.label, "port": port.code,
                             "change_t_per_usd_per_t": float("nan")})
        sets = [[p] for p in ports] + ([ports] if len(ports) > 1 else [])
        for group in sets:
            for cut in CUTS_USD_PER_T:
                try:
                    tonnes = float(at.x({p.cell: p.cell.base - cut for p in group}) @ mine)
                except NoConvergence:
                    tonnes = float("nan")  # shown blank: this point's allocation was not reached
                rows.append({"what": ResponseRow.CURVE, "name": " and ".join(p.label for p in group),
                             "port": ",".join(p.code for p in group), "cut_usd_per_t": cut, "tonnes_t": tonnes})
    return pd.DataFrame(rows, columns=RESPONSE_COLUMNS)


def focus_columns(live: LiveModel, scope: str, key: str) -> np.ndarray:
    """Per LP column: 1 for a flow through the focus (a route passing the country, or of the corridor)."""
    if scope == Scope.COUNTRY:
        return live.country_matrix[live.countries.index(key)] if key in live.countries else \
            np.zeros(len(live.is_flow))
    if key not in live.corridors:
        return np.zeros(len(live.is_flow))
    return (live.is_flow & (live.corridor_of_col == live.corridors.index(key))).astype(float)


def focus_ports(plan: Plan, scope: str, key: str) -> list[Port]:
    """The ports of the focus: the Nodes sheet's ports in the focus country; of a corridor, the ports its
    routes pass. In the Nodes sheet's order."""
    net, nodes = plan.cases[0].net, plan.data.tables["Nodes"]
    ports = nodes[nodes["kind"] == NodeKind.PORT]
    if scope == Scope.COUNTRY:
        mine = ports[ports["country"] == key]
    else:
        of_corridor = np.array([c == key for c in net.routes.corridors])
        mine = ports[[bool((net.route_passes(code) > 0)[of_corridor].any()) for code in ports["node"]]]
    return [Port(str(r["node"]), str(r["name"]) if isinstance(r["name"], str) and r["name"].strip() else str(r["node"]),
                 Cell("Nodes", int(r[ROW]), str(r["node"]), "handling_usd_per_t", _number(r["handling_usd_per_t"])))
            for r in mine.to_dict("records")]


def _number(value) -> float:
    """A numeric cell, blank as 0 (the column's default)."""
    return 0.0 if value is None or value != value else float(value)


def _per_cut(at: ChoiceAt, port: Port, mine: np.ndarray) -> list[dict]:
    """The focus's tonnes per USD/t cut at the port, and each corridor's change (the part through the
    focus beside it) and the unmet tonnes' change, per USD/t cut: a central difference."""
    cell, live = port.cell, at.live
    cheaper = at.x({cell: cell.base - STEP_USD_PER_T})
    dearer = at.x({cell: cell.base + STEP_USD_PER_T})
    change = (cheaper - dearer) / (2 * STEP_USD_PER_T)  # per USD/t cut
    flows = np.where(live.is_flow, change, 0.0)
    by_corridor = np.bincount(live.corridor_of_col, flows, len(live.corridors))
    via = np.bincount(live.corridor_of_col, flows * mine, len(live.corridors))
    rows = [{"what": ResponseRow.PER_CUT, "name": port.label, "port": port.code,
             "change_t_per_usd_per_t": float(change @ mine)}]
    for c in np.argsort(-np.abs(by_corridor), kind="stable").tolist():
        if abs(by_corridor[c]) <= MOVED_T and abs(via[c]) <= MOVED_T:
            continue  # a corridor the cut leaves as it is
        rows.append({"what": ResponseRow.DIVERSION, "name": port.label, "port": port.code,
                     "corridor": live.corridors[c], "change_t_per_usd_per_t": float(by_corridor[c]),
                     "via_focus_t_per_usd_per_t": float(via[c])})
    if len(live.unmet_cols):
        rows.append({"what": ResponseRow.DIVERSION, "name": port.label, "port": port.code, "corridor": NOT_DELIVERED,
                     "change_t_per_usd_per_t": float(change[live.unmet_cols].sum()), "via_focus_t_per_usd_per_t": 0.0})
    return rows


def held_by(at: ChoiceAt, mine: np.ndarray) -> list[dict]:
    """The limits with a toll at today's costs that a flow through the focus enters (capacities, policy
    rules, supplies: the rows a bottleneck can be), in words: their tolls take up a cut as far as they hold."""
    live, y = at.live, np.asarray(at.sol.y, dtype=float)
    A = at.lp.A
    touched = np.asarray(abs(A) @ (mine > 0).astype(float)).ravel() > 0
    found = [i for i in np.flatnonzero(touched & (np.abs(y) > TOLL_USD_PER_T)).tolist() if i in live.row_labels]
    return [{"what": ResponseRow.HELD, "name": live.row_labels[i]} for i in found]


@dataclass(frozen=True)
class LegSensitivity:
    """+1 USD/t on each leg alone: the tonnes it moves (model.analysis.responses.leg_sensitivity)."""

    moved: pd.DataFrame  # leg, moved_t: every leg of the Legs sheet, in the sheet's order
    largest_t: float
    leg: str  # the leg that moves the most ('' without legs)


def leg_sensitivity(plan: Plan, sol: Solution, step_usd_per_t: float = STEP_USD_PER_T) -> LegSensitivity:
    """For every leg of the Legs sheet, its cost_usd_per_t up by step alone: the tonnes that move (half the
    sum of the changes over the flows and unmet tonnes) under the solution's allocation: the choice
    allocation re-run (sol.choice set), or the least-cost LP re-solved from its basis. A leg no flow pays
    (or whose every flow pays a class tariff instead) moves nothing and is not re-solved."""
    legs = plan.data.tables["Legs"]
    cells = [Cell("Legs", int(r[ROW]), f"{r['from']}>{r['to']}", "cost_usd_per_t", _number(r["cost_usd_per_t"]))
             for r in legs.to_dict("records")]
    net = plan.cases[0].net
    paid = [bool(np.any(net.route_passes(c.key)[net.flow_route] > 0)) for c in cells]
    moved = np.zeros(len(cells))
    if sol.choice is not None:
        with ChoiceAt.of(plan, sol) as at:
            for k, cell in enumerate(cells):
                if paid[k]:
                    moved[k] = at.moved_t(at.x({cell: cell.base + step_usd_per_t}))
    else:
        moved = _least_cost_moved(plan, sol, cells, paid, step_usd_per_t)
    table = pd.DataFrame({"leg": [c.key for c in cells], "moved_t": moved})
    if not len(cells):
        return LegSensitivity(table, 0.0, "")
    k = int(np.argmax(moved))
    return LegSensitivity(table, float(moved[k]), cells[k].key)


def _least_cost_moved(plan: Plan, sol: Solution, cells: list[Cell], paid: list[bool], step: float) -> np.ndarray:
    """leg_sensitivity's figures under least cost: each point re-solved from the base basis."""
    moved = np.zeros(len(cells))
    with held_live(plan, sol) as live:
        cols = np.concatenate([live.flow_cols, live.unmet_cols])
        live.solve_point({})
        base = live.last_x[cols]
        for k, cell in enumerate(cells):
            if paid[k]:
                solved = live.solve_point({cell: cell.base + step}).solved  # nan: no optimum at this point
                moved[k] = float(np.abs(live.last_x[cols] - base).sum() / 2) if solved else np.nan
    return moved
