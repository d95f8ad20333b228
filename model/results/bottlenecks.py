"""The Bottlenecks sheet: binding capacities, policy rules and supply limits, ranked by what one
more tonne saves a year, with how far that holds (HiGHS ranging), in words."""

from __future__ import annotations

import math

import pandas as pd

from model.lp.families import CAPACITY_LIMIT, SUPPLY_MAX, SUPPLY_MIN
from model.lp.highs import View

BOTTLENECK_COLUMNS = ["rank", "kind", "name", "in_words", "saving_usd_per_t", "limit", "valid_for_more_t",
                      "limit_value", "unit", "input_row"]


def limit_text(value: float, unit: str) -> str:
    """A limit as a reader reads it: '56.00 Mt/yr', '50%', '1.50 Mt CO2e/yr'."""
    if unit == "share":
        return f"{value:.0%}" if abs(value * 100 - round(value * 100)) < 1e-9 else f"{value:.1%}"
    return mt_words(value, " CO2e" if "CO2e" in unit else "") + "/yr"


def mt_words(t: float, of: str = "") -> str:
    """Tonnes in words: million tonnes from 0.1 Mt up, else tonnes (of CO2e: of=' CO2e')."""
    t = t + 0.0  # no "-0"
    return f"{t / 1e6:,.2f} Mt{of}" if abs(t) >= 1e5 else f"{t:,.0f} t{of}"


def bottleneck_table(sol: View, capacity: pd.DataFrame, policies: pd.DataFrame,
                     supply: pd.DataFrame) -> pd.DataFrame:
    """Binding capacities, policy rules and supply limits ranked by the annual saving of one more
    tonne, with how far that value holds, in words an adviser can read."""
    rows = []
    for c in capacity.itertuples(index=False):
        if c.shadow_price_usd_per_t <= 1e-9:
            continue
        more = sol.headroom(CAPACITY_LIMIT.name, c.input_row)
        cls = "" if c.cargo_class == "all" else f" for {c.cargo_class}"
        holds = ("for any increase" if not math.isfinite(more) else
                 f"for up to {mt_words(more)} more (capacity between {mt_words(c.valid_from_t)} and "
                 f"{mt_words(c.valid_to_t)})")
        rows.append({"kind": "capacity", "name": f"{c.name}{cls}", "input_row": c.input_row,
                     "limit": limit_text(c.capacity_t, "t/yr"), "limit_value": c.capacity_t, "unit": "t/yr",
                     "saving_usd_per_t": c.shadow_price_usd_per_t,
                     "valid_for_more_t": more,
                     "in_words": f"One more tonne a year of capacity at {c.name}{cls} (now {mt_words(c.capacity_t)}"
                                 + (f", plus {mt_words(c.added_t)} built" if c.added_t > 0 else "") + ") "
                                 f"saves {c.shadow_price_usd_per_t:,.2f} USD a year; this holds {holds}."})
    for p in policies.itertuples(index=False):
        if p.saving_usd_per_t <= 1e-9:
            continue
        goods = p.cargo  # the rule's commodities in names (model.network.names)
        co2 = p.kind == "max_co2_t"
        verb = ("allowing one more tonne of CO2e" if co2 else "allowing one more tonne" if p.kind.startswith("max")
                else "requiring one tonne less")
        more = p.valid_for_more_t
        holds = ("for any relaxation" if not math.isfinite(more) else
                 f"for up to {mt_words(more, ' CO2e' if co2 else '')}")
        unit = "share" if p.kind.endswith("share") else "t CO2e/yr" if co2 else "t/yr"
        rows.append({"kind": "policy", "name": f"{p.rule} ({p.applies_to})", "input_row": p.input_row,
                     "limit": limit_text(p.value, unit), "limit_value": p.value, "unit": unit,
                     "saving_usd_per_t": p.saving_usd_per_t, "valid_for_more_t": more,
                     "in_words": f"Rule {p.rule} ({p.kind} {limit_text(p.value, unit)} of {goods} through {p.applies_to}): "
                                 f"{verb} saves {p.saving_usd_per_t:,.2f} USD a year; this holds {holds}."})
    for s in supply.to_dict("records"):  # records: 'from' is a Python keyword, no attribute of a tuple
        for value, con, what in ((s["value_of_more_supply_usd_per_t"], SUPPLY_MAX.name, "more"),
                                 (s["cost_of_minimum_usd_per_t"], SUPPLY_MIN.name, "less")):
            if value <= 1e-9:
                continue
            more = sol.headroom(con, s["input_row"])
            holds = "for any change" if not math.isfinite(more) else f"for up to {mt_words(more)}"
            limit = s["max_t"] if what == "more" else s["min_t"]
            rows.append({"kind": "supply", "name": f"{s['cargo']} from {s['from']}", "input_row": s["input_row"],
                         "limit": limit_text(limit, "t/yr"), "limit_value": limit, "unit": "t/yr",
                         "saving_usd_per_t": value, "valid_for_more_t": more,
                         "in_words": f"Exporting one tonne {what} of {s['cargo']} from {s['from']} saves "
                                     f"{value:,.2f} USD a year; this holds {holds}."})
    df = pd.DataFrame(rows, columns=BOTTLENECK_COLUMNS[1:])
    df = df.sort_values("saving_usd_per_t", ascending=False, kind="stable").reset_index(drop=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df
