"""The Bottlenecks sheet: binding capacities, policy rules and supply limits, ranked by what one
more tonne saves a year, with how far that holds (HiGHS ranging), in words."""

from __future__ import annotations

import math

import pandas as pd

from model.input.schema import Blank, PolicyKind
from model.lp.families import BOTTLENECK_ROWS, CAPACITY_LIMIT, FAMILIES, POLICY_LIMIT, SUPPLY_MAX, SUPPLY_MIN
from model.lp.highs import View
from model.results.money import mt_words, penalty_words, set_by_penalty

# set_by: "cost" where the value is a cost saved, "unmet-demand penalty" where the penalty sets it
# resource_saving_usd_per_t: the same relaxation in resource cost alone (model.results.money), which
# differs from saving_usd_per_t (the objective's dual) where calibration premiums or the penalty enter
BOTTLENECK_COLUMNS = ["rank", "kind", "name", "in_words", "saving_usd_per_t", "resource_saving_usd_per_t", "set_by",
                      "limit", "valid_for_more_t", "limit_value", "unit", "input_row"]
PENALTY_SETS = "unmet-demand penalty"
# The bottleneck families (Family.bottleneck) whose rows bottleneck_table words from their result
# sheets below; any other family that declares itself a bottleneck is worded from its label.
_WORDED_HERE = frozenset(f.name for f in (CAPACITY_LIMIT, POLICY_LIMIT, SUPPLY_MAX, SUPPLY_MIN))


def limit_text(value: float, unit: str) -> str:
    """A limit as a reader reads it: '56.00 Mt/yr', '50%', '1.50 Mt CO2e/yr'."""
    if unit == "share":
        return f"{value:.0%}" if abs(value * 100 - round(value * 100)) < 1e-9 else f"{value:.1%}"
    if not unit.endswith("/yr"):  # a season's tonnes: 't in the season'
        return mt_words(value) + unit.removeprefix("t")
    return mt_words(value, " CO2e" if "CO2e" in unit else "") + "/yr"


def capacity_range_text(low_t: float, high_t: float, added_t: float = 0.0) -> str:
    """The range of a capacity over which its value holds, stated around the capacity in service (the
    row's capacity plus what is built): never below 0 (the physical bound, said so), and an
    unbounded side as 'no upper limit'."""
    added = added_t if added_t == added_t and added_t > 0 else 0.0
    what = "total capacity (with what is built)" if added else "capacity"
    low, high = low_t + added, high_t + added
    low_words = "0 t (the physical bound)" if not low > 0 else mt_words(low)
    if not math.isfinite(high):
        return f"{what} from {low_words} up, no upper limit"
    return f"{what} between {low_words} and {mt_words(high)}"


def value_words(value: float, resource: float, penalty_usd_per_t, unmet_t: float) -> tuple[str, str]:
    """(what one more unit does, set_by), in resource cost (resource: nan where unknown, then the
    objective's value): 'saves 43.72 USD a year'; where calibration premiums make the objective's
    value differ, both; for a value set by the penalty 'is worth 939.52 USD a year, set by the
    unmet-demand penalty of 1,000 USD/t ...' and what the delivered tonne costs."""
    known = resource == resource
    if set_by_penalty(value, penalty_usd_per_t, unmet_t):
        extra = (f" (in resource cost it {'adds' if resource < 0 else 'saves'} {abs(resource):,.2f} USD: what the "
                 "tonne it delivers costs)" if known else "")
        return f"is worth {value:,.2f} USD a year, {penalty_words(penalty_usd_per_t)}{extra}", PENALTY_SETS
    if not known:  # the basis gave no resource duals: the objective's value, named as such
        return f"saves {value:,.2f} USD a year in the model's objective (calibration premiums included)", "cost"
    if abs(resource - value) <= 0.005:
        return f"saves {value:,.2f} USD a year", "cost"
    said = (f"saves {resource:,.2f} USD a year in resource cost" if resource >= 0 else
            f"costs {-resource:,.2f} USD a year more in resource cost")
    return f"{said} (the model's objective, which counts calibration premiums, values it at {value:,.2f})", "cost"


def relaxing_words(kind: str) -> str:
    """What relaxing a Policies rule by one tonne means for its kind, the words the Bottlenecks sheet and the console
    give its value with: a cap (max_t, max_share) allows one more tonne, a CO2e cap one more tonne of CO2e, a floor
    (min_t, min_share) requires one tonne less."""
    rule = PolicyKind(kind)
    return ("allowing one more tonne of CO2e" if rule == PolicyKind.MAX_CO2_T else "allowing one more tonne"
            if rule.is_max else "requiring one tonne less")


DEGENERATE_T = 0.5  # a value that holds for less than this many tonnes more holds only at the margin


def holds_words(more: float, unbounded: str, suffix: str = "", after: str = "") -> str:
    """How far a bottleneck's value holds, in words: for up to so many tonnes more; for any change
    (unbounded); or, where it holds for no tonne more (a degenerate optimum: the next tonne already
    changes which limits bind), only at the margin, said so, so that no 'worth X, for up to 0 t' stands."""
    if not math.isfinite(more):
        return unbounded
    if more < DEGENERATE_T:
        return ("only at the margin: the next tonne already changes which limits bind (a degenerate optimum), so "
                f"it is no value to plan on{after}")
    return f"for up to {mt_words(more)}{suffix}{after}"


def bottleneck_table(sol: View, capacity: pd.DataFrame, policies: pd.DataFrame,
                     supply: pd.DataFrame, penalty_usd_per_t: float | None = None, unmet_t: float = 0.0,
                     net=None) -> pd.DataFrame:
    """Binding capacities, policy rules and supply limits ranked by the annual saving of one more
    tonne, with how far that value holds, in words an adviser can read; a value the unmet-demand
    penalty sets (demand unmet: penalty_usd_per_t, unmet_t) is said to be the penalty's. The rows of
    any other family declared a bottleneck (model.lp.families) follow, named by their label in net."""
    rows = []
    for c in capacity.itertuples(index=False):
        if c.shadow_price_usd_per_t <= 1e-9 or sol.senses.get(CAPACITY_LIMIT.name, {}).get(c.input_row) is None:
            continue  # no annual row: with seasons, its seasons' rows are listed below, by their label
        more = sol.headroom(CAPACITY_LIMIT.name, c.input_row)
        cls = "" if c.cargo_class == Blank.ALL else f" for {c.cargo_class}"
        holds = holds_words(more, "for any increase", " more",
                            f" ({capacity_range_text(c.valid_from_t, c.valid_to_t, c.added_t)})")
        resource = sol.resource_relaxation_value(CAPACITY_LIMIT.name, c.input_row)
        does, by = value_words(c.shadow_price_usd_per_t, resource, penalty_usd_per_t, unmet_t)
        rows.append({"kind": "capacity", "name": f"{c.name}{cls}", "input_row": c.input_row,
                     "limit": limit_text(c.capacity_t, "t/yr"), "limit_value": c.capacity_t, "unit": "t/yr",
                     "saving_usd_per_t": c.shadow_price_usd_per_t, "resource_saving_usd_per_t": resource, "set_by": by,
                     "valid_for_more_t": more,
                     "in_words": f"One more tonne a year of capacity at {c.name}{cls} (now {mt_words(c.capacity_t)}"
                                 + (f", plus {mt_words(c.added_t)} built" if c.added_t > 0 else "") + ") "
                                 f"{does}; this holds {holds}."})
    for p in policies.itertuples(index=False):
        if p.saving_usd_per_t <= 1e-9:
            continue
        goods = p.cargo  # the rule's commodities in names (model.network.names)
        co2 = p.kind == PolicyKind.MAX_CO2_T
        verb = relaxing_words(p.kind)
        more = p.valid_for_more_t
        holds = holds_words(more, "for any relaxation", " CO2e" if co2 else "")
        unit = "share" if PolicyKind(p.kind).is_share else "t CO2e/yr" if co2 else "t/yr"
        resource = sol.resource_relaxation_value(POLICY_LIMIT.name, (p.rule, p.target))
        does, by = value_words(p.saving_usd_per_t, resource, penalty_usd_per_t, unmet_t)
        rows.append({"kind": "policy", "name": f"{p.rule} ({p.applies_to})", "input_row": p.input_row,
                     "limit": limit_text(p.value, unit), "limit_value": p.value, "unit": unit,
                     "saving_usd_per_t": p.saving_usd_per_t, "resource_saving_usd_per_t": resource, "set_by": by,
                     "valid_for_more_t": more,
                     "in_words": f"Rule {p.rule} ({p.kind} {limit_text(p.value, unit)} of {goods} through "
                                 f"{p.applies_to}): {verb} {does}; this holds {holds}."})
    for s in supply.to_dict("records"):  # records: 'from' is a Python keyword, no attribute of a tuple
        for value, con, what in ((s["value_of_more_supply_usd_per_t"], SUPPLY_MAX.name, "more"),
                                 (s["cost_of_minimum_usd_per_t"], SUPPLY_MIN.name, "less")):
            if value <= 1e-9:
                continue
            more = sol.headroom(con, s["input_row"])
            holds = holds_words(more, "for any change")
            limit = s["max_t"] if what == "more" else s["min_t"]
            resource = sol.resource_relaxation_value(con, s["input_row"])
            does, by = value_words(value, resource, penalty_usd_per_t, unmet_t)
            rows.append({"kind": "supply", "name": f"{s['cargo']} from {s['from']}", "input_row": s["input_row"],
                         "limit": limit_text(limit, "t/yr"), "limit_value": limit, "unit": "t/yr",
                         "saving_usd_per_t": value, "resource_saving_usd_per_t": resource, "set_by": by,
                         "valid_for_more_t": more,
                         "in_words": f"Exporting one tonne {what} of {s['cargo']} from {s['from']} "
                                     f"{does}; this holds {holds}."})
    for name in sorted(BOTTLENECK_ROWS - _WORDED_HERE):
        rows += _declared_rows(sol, name, net, penalty_usd_per_t, unmet_t)
    df = pd.DataFrame(rows, columns=BOTTLENECK_COLUMNS[1:])
    df = df.sort_values("saving_usd_per_t", ascending=False, kind="stable").reset_index(drop=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df


def _declared_rows(sol: View, family: str, net, penalty_usd_per_t: float | None, unmet_t: float) -> list[dict]:
    """The binding rows of a bottleneck family that has no result sheet worded above, in t/yr."""
    out = []
    for index in list(sol.duals.get(family, {})):
        value = sol.relaxation_value(family, index)
        if value <= 1e-9:
            continue
        words = FAMILIES[family].label(net, index)
        more = sol.headroom(family, index)
        limit = sol.rhs[family][index]
        resource = sol.resource_relaxation_value(family, index)
        does, by = value_words(value, resource, penalty_usd_per_t, unmet_t)
        unit = FAMILIES[family].limit_unit
        out.append({"kind": family, "name": words, "input_row": FAMILIES[family].input_row(index),
                    "limit": limit_text(limit, unit), "limit_value": limit, "unit": unit,
                    "saving_usd_per_t": value, "resource_saving_usd_per_t": resource, "set_by": by,
                    "valid_for_more_t": more,
                    "in_words": f"One tonne {'a year ' if unit.endswith('/yr') else ''}more room in {words} {does}; "
                                "this holds "
                                f"{holds_words(more, 'for any change')}."})
    return out
