"""The Settings sheet as a typed object.

Its keys, types and defaults are the schema's (model.input.schema.SETTINGS): Settings.from_values
fills every key the sheet leaves blank with the schema's default, and a test keeps the fields
below and the schema's keys the same. Code reads settings.carrying_cost_rate, never a dict.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from model.input.schema import BOOL, NUM, SETTINGS, SETTINGS_BY_KEY


@dataclass(frozen=True)
class Settings:
    scenario_name: str | None
    carrying_cost_rate: float
    allow_investments: bool
    unmet_penalty_usd_per_t: float | None  # None: demand is hard
    include_zero_flows: bool
    routes_sheet_rows: int
    routes_csv: bool
    discount_rate: float
    calibration_rules: bool
    worst_case_weight: float
    carbon_price_usd_per_t_co2: float
    allocation: str
    focus: str | None

    @classmethod
    def from_values(cls, values: Mapping[str, object] | None = None) -> Settings:
        """Every setting: the value given (by key), else the schema's default."""
        values = values or {}
        unknown = set(values) - set(SETTINGS_BY_KEY)
        if unknown:
            raise KeyError(f"unknown settings: {', '.join(sorted(unknown))}")
        return cls(**{s.key: _typed(s, values.get(s.key, s.default)) for s in SETTINGS})

    def replace(self, **changes) -> Settings:
        """A copy with some settings changed (typed as the schema says)."""
        return dataclasses.replace(self, **{k: _typed(SETTINGS_BY_KEY[k], v) for k, v in changes.items()})

    def given(self) -> dict[str, object]:
        """The settings that have a value, by key (for writing an input workbook)."""
        return {s.key: getattr(self, s.key) for s in SETTINGS if getattr(self, s.key) is not None}

    @property
    def hard_demand(self) -> bool:
        """No penalty for undelivered tonnes: every demand row must be met."""
        return self.unmet_penalty_usd_per_t is None


def _typed(spec, value):
    if value is None:
        return None
    if spec.type == NUM:
        return int(value) if spec.key == "routes_sheet_rows" else float(value)
    if spec.type == BOOL:
        return bool(value)
    return str(value)
