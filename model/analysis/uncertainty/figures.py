"""What an uncertainty run reads off each draw's solved model beyond a sweep's point: each bottleneck's value
(what one more unit of its limit saves a year: the row's dual, as the Bottlenecks sheet's saving_usd_per_t)
and the focus's gap to break-even (the cut the cheapest of its flows needs before it carries cargo: the
smallest reduced cost among them, 0 when it carries some)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.input.schema import Scope

VALUE = "value of "  # a bottleneck's column: 'value of <its label>', USD per unit of its limit
GAP = "focus gap to break-even_usd_per_t"
TOLERANCE = 1e-7  # a dual below this is a row not binding (as LiveModel.solve's binding)


@dataclass(frozen=True)
class DualFigures:
    """Sweep.figures of an uncertainty run: called with the LiveModel that solved a draw (picklable, so a worker
    process or a Dask worker can run it). focus: model.analysis.params.focus_of's (scope, code), or None."""

    focus: tuple[str, str] | None

    def __call__(self, live) -> dict[str, float]:
        y = np.asarray(live.last_y, dtype=float)
        out = {VALUE + live.row_labels[i]: float(abs(y[i]))
               for i in np.flatnonzero(np.abs(y) > TOLERANCE).tolist() if i in live.row_labels}
        columns = self._focus_columns(live)
        if columns is not None:
            rc = np.asarray(live.h.getSolution().col_dual, dtype=float)[columns]
            out[GAP] = float(max(rc.min(), 0.0)) if len(rc) else float("nan")
        return out

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
