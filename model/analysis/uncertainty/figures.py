"""What an uncertainty run reports of each draw beyond a sweep's point: each bottleneck's value (what one more
unit of its limit saves a year: the row's dual, as the Bottlenecks sheet's saving_usd_per_t; under route
choice, its toll) and the focus's gap to break-even (the cut the cheapest of its flows needs before it carries
cargo: the smallest reduced cost among them, 0 when it carries some; least cost only: under route choice every
route carries some cargo), and, for each port asked (ports), the cut its handling charge needs before a route
through it unused at the draw carries cargo (cuts.port_cuts: read off the draw's optimal basis and confirmed by a
solve, the exact parametric method where they cannot settle it; least cost only, as the gap). With allocation
choice, the draw's point is the logit's allocation on the draw's LP (model.lp.choice), not the LP's."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from model.analysis.uncertainty.cuts import port_cuts
from model.input.schema import Scope

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

    def __call__(self, live, point):
        y = np.asarray(live.last_y, dtype=float)  # the LP's duals, or under route choice the logit's tolls
        choice = live.allocation.choice
        figures = self._values(live, y)
        columns = self._focus_columns(live)
        if columns is not None:  # the gap to break-even is the LP's (under route choice every route carries some)
            rc = np.asarray(live.h.getSolution().col_dual, dtype=float)[columns]
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
