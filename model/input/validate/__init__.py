"""Cross-sheet checks: check_*(data) -> list[Problem], every problem at once; checks only.

Cells that could not be read are already reported by model.input.read and hold None; the checks here
skip them rather than report them twice. sheets.py checks the sheets and their references,
routes.py the paths, commitments.py what needs the network (model.pipeline runs it per case).
"""

from __future__ import annotations

from model.errors import ERROR, Problem
from model.input.data import CorridorData
from model.input.validate.choice import check_allocation
from model.input.validate.commitments import check_commitments
from model.input.validate.routes import check_revisits, check_routes, check_usage
from model.input.validate.sheets import (
    check_amounts,
    check_bounds,
    check_demand,
    check_duplicate_keys,
    check_focus,
    check_investments,
    check_modules,
    check_policies,
    check_references,
    check_seasons,
)
from model.input.validate.uncertainty import check_uncertainty

__all__ = ["CHECKS", "DEEP_CHECKS", "check_commitments", "validate"]

CHECKS = (check_bounds, check_duplicate_keys, check_references, check_routes, check_amounts, check_policies,
          check_modules, check_focus, check_allocation, check_uncertainty)
# Checks that assume the references above hold.
DEEP_CHECKS = (check_demand, check_usage, check_revisits, check_investments, check_seasons)


def validate(data: CorridorData) -> list[Problem]:
    """Every problem with the data, errors and warnings, reading problems included."""
    problems = list(data.problems)
    for check in CHECKS:
        problems += check(data)
    if not any(p.severity == ERROR for p in problems):
        for check in DEEP_CHECKS:
            problems += check(data)
    data.derived.records.clear()  # large cases: do not keep the rows as dicts
    data.derived.paths = None
    return problems
