"""The allocation setting and the Dispersions sheet it reads (allocation choice: model.lp.choice)."""

from __future__ import annotations

from typing import Any

from model.errors import Problem
from model.input.data import ROW, CorridorData
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
    """A problem for each cargo class demanded without a row on the Dispersions sheet (a blank cargo_class row,
    the pooled dispersion, is every class's without a row of its own); and one for a second blank row."""
    table = data.tables.get("Dispersions")
    blank = 0 if table is None or table.empty else int((~table["cargo_class"].map(_named)).sum())
    if table is not None and blank > 1:
        rows = [int(r) for r in table.loc[~table["cargo_class"].map(_named), ROW]]
        return [Problem(f"the Dispersions sheet has {blank} rows with a blank cargo_class (rows "
                        f"{', '.join(map(str, rows))}): a blank row is the one pooled dispersion of every class "
                        "without a row of its own, so there can be only one", "Keep one blank row (the pooled "
                        "dispersion) and give the others their cargo class, or delete them.", sheet="Dispersions",
                        row=rows[1], column="cargo_class")]
    have = dispersions(data)
    lacking = [c for c in demanded_classes(data) if c not in have]
    if not lacking:
        return []
    return [Problem(f"allocation choice needs the dispersion of cargo class {', '.join(lacking)}: the Dispersions "
                    f"sheet has no row for {'it' if len(lacking) == 1 else 'them'}",
                    "Add a Dispersions row (cargo_class, dispersion_usd_per_t) for each, or one with a blank "
                    "cargo_class (the pooled dispersion of every class without a row), or set allocation to "
                    "least_cost and run corridor calibrate --estimate to estimate them from the Observations.",
                    **where)]


def demanded_classes(data: CorridorData) -> list[str]:
    """The cargo classes of the commodities the Demand sheet asks for, in the Commodities sheet's order."""
    demanded = set(data.tables["Demand"]["commodity"].dropna())
    commodities = data.tables["Commodities"]
    return list(dict.fromkeys(str(c) for k, c in zip(commodities["commodity"], commodities["cargo_class"], strict=True)
                              if k in demanded))


def dispersions(data: CorridorData, column: str = "dispersion_usd_per_t") -> dict[str, float]:
    """The Dispersions sheet, USD/t per cargo class: each class's own row, and the blank row's figure (the
    pooled dispersion) for every demanded class without one; empty without the sheet. column:
    standard_error_usd_per_t for the standard errors, where given."""
    table = data.tables.get("Dispersions")
    if table is None or table.empty or column not in table.columns:
        return {}
    own = {str(c): float(v) for c, v in zip(table["cargo_class"], table[column], strict=True)
           if _named(c) and v is not None and v == v}
    pooled = [float(v) for c, v in zip(table["cargo_class"], table[column], strict=True)
              if not _named(c) and v is not None and v == v]
    if pooled:
        own |= {c: pooled[0] for c in demanded_classes(data) if c not in own}
    return own


def _named(cargo_class: object) -> bool:
    return isinstance(cargo_class, str) and bool(cargo_class.strip())
