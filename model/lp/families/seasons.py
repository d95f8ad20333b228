r"""Seasons (the Seasons sheet): the flows of each season, tied to the year's flows, and the capacity and
demand rows of each season (model.input.seasons works out the figures of each season from the sheets).

Only with a Seasons sheet that has rows: without one no family here emits anything, and the LP is the
annual one, column for column and row for row.

How energy models state time slices, and what is taken from them: OSeMOSYS divides the year into
TIMESLICEs, each with its YearSplit (the fraction of the year it lasts, summing to 1), states a
capacity in a slice as the annual capacity times YearSplit (times a CapacityFactor: 0 for a plant that
cannot run then), and a demand in a slice as the annual demand times its SpecifiedDemandProfile. PyPSA
weights its snapshots (snapshot_weightings) so that sums over them are annual. Here a season is a
time slice with its `share` (YearSplit); a season's capacity is the annual figure x share unless the
season has its own row (CapacityFactor: 0 is closed), and a season's demand is the rest of the annual
figure, after the seasons with their own rows (SpecifiedDemandProfile where given), in proportion to
the shares. Costs stay per tonne and annual: the seasonal flows only split the year's flows, so the
cost, supply, policy, observation and investment families read the annual Flow, unchanged; an
investment adds Build x share in each season, as an annual capacity does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model.input.seasons import Seasons, season_figures
from model.input.settings import Settings
from model.lp.arrays import INF
from model.lp.families.base import EQ, LE, Bound, CaseLP, Cell, Change, Coefficient, Family, tonnes_text
from model.network import Network


class SeasonFlow(Family):
    r"""Tonnes of commodity k on route r in season s.

    **Sets.** $F$ the flows (Flow); $S$ the seasons (Seasons sheet, in sheet order).

    $$
    \mathrm{SeasonFlow}_{krs} \ge 0 \qquad (k, r) \in F,\ s \in S, \text{ cost } 0
    $$

    A tonne costs the same in every season: its cost is on the annual Flow, of which the seasons are parts
    (season_split).
    """

    name = "SeasonFlow"

    def emit(self, c: CaseLP) -> None:
        seasons = c.net.seasons
        if seasons is None:
            return
        flows = list(c.net.flows)
        keys = [(k, r, s) for s in seasons.share for k, r in flows]
        c.season_first = c.arrays.add_columns(self.name, keys, np.zeros(len(keys)), 0.0, INF, c.case)

    def label(self, net: Network, index: Any) -> str:
        k, r, s = index
        return f"{k} on route {r} in season {s}"


class SeasonSplit(Family):
    r"""A flow's tonnes in the year are the sum of its tonnes in the seasons.

    **Sets** as SeasonFlow.

    $$
    \sum_{s \in S} \mathrm{SeasonFlow}_{krs} - \mathrm{Flow}_{kr} = 0 \qquad (k, r) \in F
    $$

    Tonnes on both sides. It ties each season to the annual model: supply, policies, observations and
    costs read Flow, as without seasons.
    """

    name = "season_split"

    def emit(self, c: CaseLP) -> None:
        seasons = c.net.seasons
        if seasons is None:
            return
        n, m = len(c.net.flows), len(seasons.share)
        vals = np.concatenate([[-1.0], np.ones(m)])
        offsets = c.season_first + n * np.arange(m)
        for i, f in enumerate(c.net.flows):
            c.row(self, tuple(f), EQ, np.concatenate([[c.first + i], offsets + i]), vals, 0.0)

    def label(self, net: Network, index: Any) -> str:
        k, r = index
        return f"{k} on route {r}: its seasons' tonnes sum to its year's"


class SeasonCapacity(Family):
    r"""Throughput of a port, crossing or leg in a season stays within its capacity in that season.

    **Sets.** $L$ the seasonal limits: for each element and cargo class with a Capacities row, and each
    season $s$, the row of that season (column `season`) or else the annual row; $F_\ell$ and $B_\ell$ the
    flows through its element of its classes and the options adding to it, as capacity_limit's.
    **Parameters.** $\alpha_s$ the season's `share` (Seasons); $\mathit{cap}_{\ell}$ the season's own
    `capacity_t` (tonnes in the season; 0 = closed), or the annual `capacity_t` $\times\ \alpha_s$.

    $$
    \sum_{(k,r) \in F_\ell} n_{r e(\ell)} \, \mathrm{SeasonFlow}_{krs(\ell)}
    - \alpha_{s(\ell)} \sum_{o \in B_\ell} \mathrm{Build}_o \le \mathit{cap}_\ell
    \qquad \ell \in L,\ F_\ell \ne \emptyset
    $$

    The seasons are OSeMOSYS's time slices: $\alpha_s$ its YearSplit (a fraction of the year, summing to
    1, as PyPSA's snapshot_weightings sum to the year), the annual capacity $\times \alpha_s$ its capacity
    in a slice, and a season's own row its CapacityFactor (0: closed). These rows replace the annual
    capacity_limit rows: an annual row is the figure of its seasons without a row of their own (kept
    beside them, where its seasons sum to it, the two would share their duals at random).
    With no seasonal row every flow split by the shares meets these rows whenever it met the annual ones,
    so the optimum is the annual model's. Its shadow price is what one more tonne of capacity in that
    season saves (Seasons and Bottlenecks sheets); an annual row's, on the Capacity sheet, is the sum over
    its seasons without a row of their own of $\alpha_s$ times theirs, and an investment's value the sum
    over every season of the element and class.
    """

    name = "season_capacity"
    sheet = "Bottlenecks"
    planner_facing = True
    bottleneck = True
    limit_unit = "t in the season"
    inputs = (("Capacities", "capacity_t"), ("Seasons", "share"))

    def emit(self, c: CaseLP) -> None:
        if c.net.seasons is None:
            return
        seasons, first = c.net.seasons, season_columns(c)
        for lim, (idx, passes) in zip(seasons.limits, c.net.throughput_index(seasons.limits), strict=True):
            if not len(idx):
                continue
            builds = [c.build_col(o.option) for o in c.net.options_of(lim)]  # type: ignore[arg-type]  # a limit
            cols = idx + first[lim.season]
            c.row(self, (lim.row, lim.season), LE, np.concatenate([cols, np.array(builds, dtype=np.int64)]),
                  np.concatenate([passes, np.full(len(builds), -lim.share)]), lim.capacity_t)

    def label(self, net: Network, index: Any) -> str:
        row, s = index
        lim = next(x for x in net.seasons.limits if (x.row, x.season) == index)  # type: ignore[union-attr]
        cls = f" ({lim.cargo_class} cargo)" if lim.cargo_class else ""
        what = "is closed" if lim.capacity_t == 0 else f"handles at most {tonnes_text(lim.capacity_t)}"
        how = "" if lim.own else f" (the annual figure x {lim.share:g})"
        return f"Capacities row {row}: {net.names.element(lim.element)}{cls} {what} in season {s}{how}"

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list[Change]:
        seasons = net.seasons
        if seasons is None:
            return []
        if cell.sheet == "Seasons":  # the season's share: its figures from annual rows, what Build adds in it
            out: list[Change] = []
            for x in seasons.limits:
                if x.season == cell.key:
                    out += [Coefficient(self.name, (x.row, x.season), "Build", o.option, -value)
                            for o in net.options_of(x)]  # type: ignore[arg-type]  # a limit
                    if not x.own:
                        out.append(Bound(self.name, (x.row, x.season), x.capacity_t / x.share * value))
            return out
        return [Bound(self.name, (x.row, x.season), value if x.own else value * x.share)
                for x in seasons.limits if x.row == cell.row]


class SeasonDemand(Family):
    r"""A demand row's tonnes in a season are at most the season's part of it.

    **Sets.** $D_S$ for each annual Demand row $d$ and season $s$: the season's own row (column
    `season`) or else $d$; $F_d$ the flows serving $d$ (demand_balance).
    **Parameters.** $\alpha_s$ `share` (Seasons); $\mathit{dem}_{ds}$ the season's own `demand_t`, or
    $(\mathit{demand\_t}_d - \sum_{s' \text{ own}} \mathit{dem}_{ds'}) \, \alpha_s / \sum_{s'' \text{ not own}}
    \alpha_{s''}$.

    $$
    \sum_{(k,r) \in F_d} \mathrm{SeasonFlow}_{krs} \le \mathit{dem}_{ds} \qquad (d, s) \in D_S
    $$

    The seasons' figures sum to the annual one (validation), so with the annual demand_balance row these
    hold with equality whenever all of $d$ is delivered; what is not delivered stays the annual row's
    Unmet. Its shadow price is what one tonne more of the season's demand would save of the year's cost
    (0 unless the season's share of the demand binds).
    """

    name = "season_demand"
    sheet = "Demand"
    planner_facing = True
    inputs = (("Demand", "demand_t"), ("Seasons", "share"))

    def emit(self, c: CaseLP) -> None:
        if c.net.seasons is None:
            return
        first = season_columns(c)
        for d in c.net.seasons.demands:
            idx = c.net.demand_index(d.annual_row)
            if len(idx):
                c.row(self, (d.row, d.season), LE, idx + first[d.season],
                      np.ones(len(idx)), d.demand_t)

    def label(self, net: Network, index: Any) -> str:
        d = next(x for x in net.seasons.demands if (x.row, x.season) == index)  # type: ignore[union-attr]
        how = "" if d.own else f" (the rest of Demand row {d.annual_row} by the seasons' shares)"
        return f"Demand row {d.row} in season {d.season}: at most {tonnes_text(d.demand_t)}{how}"

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list[Change]:
        seasons = net.seasons
        if seasons is None:
            return []
        if cell.sheet == "Seasons":  # every demand's seasons without their own row share the rest anew
            return demand_changes(net, seasons, None, {**seasons.share, cell.key: value})
        return demand_changes(net, seasons, (cell.row, value), seasons.share)


def season_columns(c: CaseLP) -> dict[str, int]:
    """The first SeasonFlow column of each season: the flows' columns of a season follow one another."""
    n = len(c.net.flows)
    return {s: c.season_first + n * p for p, s in enumerate(c.net.seasons.share)}  # type: ignore[union-attr]


def demand_changes(net: Network, seasons: Seasons, cell: tuple[int, float] | None,
                   share: dict[str, float]) -> list[Change]:
    """The bounds of the season_demand rows with one Demand cell (row, value) and/or the shares changed:
    every season of the annual row the cell belongs to (of every annual row when the shares change)."""
    groups: dict[int, dict[str, tuple[int, float, bool]]] = {}
    for d in seasons.demands:
        groups.setdefault(d.annual_row, {})[d.season] = (d.row, d.demand_t, d.own)
    out: list[Change] = []
    for annual_row, by_season in groups.items():
        rows = {row for row, _, _ in by_season.values()}
        if cell is not None and cell[0] not in rows:
            continue
        annual_t = net.demand_by_row[annual_row].demand_t
        own = {s: t for s, (_, t, mine) in by_season.items() if mine}
        if cell is not None:
            own = {s: cell[1] if by_season[s][0] == cell[0] else t for s, t in own.items()}
            annual_t = cell[1] if cell[0] == annual_row else annual_t
        for s, t in season_figures(annual_t, own, share).items():
            out.append(Bound(SeasonDemand.name, (by_season[s][0], s), t))
    return out

