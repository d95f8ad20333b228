"""What an uncertainty run reports of each draw beyond a sweep's point: each bottleneck's value (what one more
unit of its limit saves a year: the row's dual, as the Bottlenecks sheet's saving_usd_per_t; under route
choice, its toll), the focus's tonnes in its two parts (model.analysis.uncertainty.focus: through a country to
other markets, and for its own market) and its gap to break-even (the cut the cheapest of its flows to other
markets needs before it carries cargo: the smallest reduced cost among them, 0 when it carries some; least cost
only: under route choice every route carries some cargo), and, for each port asked (ports), the cut its handling
charge needs before a route through it unused at the draw carries cargo (cuts.port_cuts: read off the draw's optimal
basis and confirmed by a solve, the exact parametric method where they cannot settle it; least cost only, as the
gap). With allocation choice, the draw's point is the
logit's allocation on the draw's LP (model.lp.choice), not the LP's."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from model.analysis.uncertainty.cuts import port_cuts
from model.analysis.uncertainty.focus import OWN, TRANSIT, own_columns, part_name
from model.input.schema import Scope
from model.lp.families import SEASON_FLOW

VALUE = "value of "  # a bottleneck's column: 'value of <its label>', USD per unit of its limit
GAP = "focus gap to break-even_usd_per_t"
CUT = "cut for a new route at "  # a port's column: 'cut for a new route at <its name>_usd_per_t'
TOLERANCE = 1e-7  # a dual below this is a row not binding (as LiveModel.solve's binding)


@dataclass(frozen=True)
class DrawReport:
    """Sweep.reported of an uncertainty run: called with the LiveModel that solved a draw and its point
    (picklable, so a worker process or a Dask worker runs it; its repr is part of the journal's signature).
    focus: model.analysis.params.focus_of's (scope, code), or None; ports: (code, name) of each port whose cut
    to report (a solve or two a port a draw: asked with --cuts). Under route choice (the live model's
    allocation) the gap and the cuts are not figures: every route carries some cargo."""

    focus: tuple[str, str] | None
    ports: tuple[tuple[str, str], ...] = ()
    # What a draw reports, numbered. The journal's signature holds this repr, so a journal whose draws reported
    # other figures is refused on --resume rather than mixed into this run's tables. 1: the focus's tonnes
    # together; 2: in their parts (focus.py); 3: the gap under seasons with each route's cheapest season; 4: with
    # --recalibrate and --scenario, a factor drawn on a cell the scenario changes applied to the base year's own
    # value in the recalibration. Raise it with any change of what a draw reports.
    version: int = 4

    def __call__(self, live, point):
        y = np.asarray(live.last_y, dtype=float)  # the LP's duals, or under route choice the logit's tolls
        choice = live.allocation.choice
        figures = {**(point.figures or {}), **self._values(live, y)}  # beside a recalibrated draw's premiums
        columns = self._focus_columns(live)
        if columns is not None and self.focus is not None:
            x = np.asarray(live.last_x, dtype=float)[columns]  # the draw's tonnes (the logit's under route choice)
            own = own_columns(live, self.focus, columns)
            figures[part_name(self.focus, TRANSIT)] = float(np.where(~own & (x > 1e-9), x, 0.0).sum())
            if own.any():  # a country with a market of its own on the network
                figures[part_name(self.focus, OWN)] = float(np.where(own & (x > 1e-9), x, 0.0).sum())
            columns = columns[~own]  # the gap is to a route through the focus to another market
            # the gap to break-even is the LP's (under route choice every route carries some)
            duals = np.asarray(live.h.getSolution().col_dual, dtype=float)
            rc = duals[columns] + _season_part(live, columns, duals)
            figures[GAP] = float("nan") if choice else (
                float(max(rc.min(), 0.0)) if len(rc) else float("nan"))
        cuts = {} if choice or not self.ports else port_cuts(live, [code for code, _ in self.ports], point.route)
        for code, name in self.ports:  # last: they move the live model away from the draw's point
            figures[CUT + name + "_usd_per_t"] = cuts.get(code, float("nan"))
        return dataclasses.replace(point, figures=figures)

    @staticmethod
    def _values(live, y: np.ndarray) -> dict[str, float]:
        return {VALUE + live.row_labels[i]: float(abs(y[i]))
                for i in np.flatnonzero(np.abs(y) > TOLERANCE).tolist() if i in live.row_labels}

    def _focus_columns(self, live) -> np.ndarray | None:
        """The flow columns through the focus (a country on the route, or the route's corridor)."""
        if self.focus is None:
            return None
        scope, key = self.focus
        if scope == Scope.COUNTRY:
            if key not in live.countries:
                return np.zeros(0, dtype=np.int64)
            through = live.country_matrix[live.countries.index(key)] > 0
        else:
            if key not in live.corridors:
                return np.zeros(0, dtype=np.int64)
            through = live.is_flow & (live.corridor_of_col == live.corridors.index(key))
        return np.flatnonzero(through)


def _season_part(live, columns: np.ndarray, duals: np.ndarray) -> np.ndarray:
    """Per flow column, the least reduced cost of its seasons' columns (0 without seasons): a route comes into use
    through its Flow and one season's SeasonFlow at once, so its gap is the sum of the two, and HiGHS may leave the
    whole gap on the season's column (the Routes sheet's model.results.seasons.season_reduced_costs, on the live
    model's columns)."""
    seasonal = live.solution.col_pos.get((SEASON_FLOW.name, None))
    if not seasonal or live.net.seasons is None:
        return np.zeros(len(columns))
    seasons = list(live.net.seasons.share)
    return np.array([min((duals[seasonal[(*live.columns[j].index, s)]] for s in seasons
                          if (*live.columns[j].index, s) in seasonal), default=0.0) for j in columns.tolist()])
