"""What the model's rows alone allow a target to carry: the least and the most tonnes through an
observation's target over every allocation that meets the rows of the solved model, whatever the
costs (identification: an observation whose whole range lies inside its tolerance band is an
identity of the constraints, and tells nothing about costs).

For each target two LPs on a copy of the solved model (model.lp.highs.Solution.highs), the rows and
bounds as they are, only the objective changed: minimise, then maximise, the tonnes of the target's
flows. The unmet demand and the investment decisions are held at the optimum's values, so that an
allocation delivers what the optimum delivers on the network it builds (without this, leaving demand
unmet would let every target fall to 0). Each LP starts from the optimum's basis, which is feasible
for every objective, so HiGHS's primal simplex needs a few pivots. The solve's own model is left as
it was (a copy is changed).
"""

from __future__ import annotations

import highspy
import numpy as np

from model.lp.families import FLOW, INVESTMENT_FAMILIES, UNMET
from model.lp.highs import Solution
from model.network import Network, Observation

HELD = (UNMET.name, *INVESTMENT_FAMILIES)  # columns held at the optimum's values


def target_ranges(sol: Solution, cases: list[tuple[int | None, Network, list[Observation]]]
                  ) -> dict[tuple[int | None, str], tuple[float, float]]:
    """{(case, observation): (least, most) tonnes through its target}; cases: (the case's key in the
    solution, None for the single-period model; its network; the observations to range). An
    observation whose LP has no optimum (it cannot: the optimum is feasible) is left out."""
    src = sol.highs
    assert src is not None and sol.x is not None, "ranging a target needs the solved model (Solution.highs)"
    lp = src.getLp()
    n = lp.num_col_
    lp.integrality_ = []  # the decisions are held at the optimum's values below: an LP
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")  # a warm start from the optimum's basis
    h.setOptionValue("simplex_strategy", 4)  # primal: the optimum's basis stays feasible for every objective
    h.passModel(lp)
    held = np.array(sorted(j for (family, _), pos in sol.col_pos.items() if family in HELD for j in pos.values()),
                    dtype=np.int32)
    if len(held):
        h.changeColsBounds(len(held), held, sol.x[held], sol.x[held])
    basis = src.getBasis()
    everything = np.arange(n, dtype=np.int32)
    out: dict[tuple[int | None, str], tuple[float, float]] = {}
    for case, net, observations in cases:
        pos = sol.col_pos.get((FLOW.name, case), {})
        cols = np.array([pos[f] for f in net.flows], dtype=np.int64)
        for o in observations:
            coef = np.zeros(n)
            coef[cols[net.scope_index(o.scope, o.target, o.commodity)[0]]] = 1.0
            ends = []
            for sign in (1.0, -1.0):
                h.changeColsCost(n, everything, sign * coef)
                h.clearSolver()
                h.setBasis(basis)
                h.run()
                if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                    break
                ends.append(max(0.0, sign * h.getInfo().objective_function_value))
            if len(ends) == 2:
                out[(case, o.observation)] = (ends[0], ends[1])
    return out
