"""The allocation setting and the Dispersions sheet it reads (allocation choice: model.lp.choice)."""

from __future__ import annotations

from typing import Any

from model.errors import Problem
from model.input.data import CorridorData
from model.input.schema import Allocation


def check_allocation(data: CorridorData) -> list[Problem]:
    """The setting allocation is least_cost or choice; with choice, every cargo class a Demand row asks for has
    its dispersion on the Dispersions sheet."""
    value = data.settings.allocation
    where: dict[str, Any] = {"sheet": "Settings", "row": data.setting_rows.get("allocation"), "key": "allocation",
                             "column": "value"}
    if value not in tuple(Allocation):
        return [Problem(f"allocation '{value}' is not one of {', '.join(Allocation)}",
                        "Write least_cost (the cheapest route for every tonne) or choice (the logit split).", **where)]
    if value != Allocation.CHOICE:
        return []
    return missing_dispersions(data, where)


def missing_dispersions(data: CorridorData, where: dict[str, Any]) -> list[Problem]:
    """A problem for each cargo class demanded without a row on the Dispersions sheet."""
    have = dispersions(data)
    demanded = set(data.tables["Demand"]["commodity"].dropna())
    commodities = data.tables["Commodities"]
    classes = dict.fromkeys(str(c) for k, c in zip(commodities["commodity"], commodities["cargo_class"], strict=True)
                            if k in demanded)
    lacking = [c for c in classes if c not in have]
    if not lacking:
        return []
    return [Problem(f"allocation choice needs the dispersion of cargo class {', '.join(lacking)}: the Dispersions "
                    f"sheet has no row for {'it' if len(lacking) == 1 else 'them'}",
                    "Add a Dispersions row (cargo_class, dispersion_usd_per_t) for each, or set allocation to "
                    "least_cost and run corridor calibrate --estimate to estimate them from the Observations.",
                    **where)]


def dispersions(data: CorridorData) -> dict[str, float]:
    """The Dispersions sheet: USD/t per cargo class (empty without the sheet)."""
    table = data.tables.get("Dispersions")
    if table is None or table.empty:
        return {}
    return {str(c): float(v) for c, v in zip(table["cargo_class"], table["dispersion_usd_per_t"], strict=True)
            if isinstance(c, str) and v == v}
