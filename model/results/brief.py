"""The one-page brief that heads the Summary sheet (and the HTML report): what goes where, what it
costs, what holds it back, and the corridor or country of interest, readable without any other
sheet. Made from the result's tables alone (as written, or as read back from a result workbook),
so a report drawn later from the workbook says exactly what the workbook says."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from model.input.schema import PolicyKind, Scope
from model.network.names import parse_focus
from model.results.choice import allocation_of_items, focus_share
from model.results.investments import amount_text
from model.results.money import RESOURCE_LABEL, Money, plan_money_text
from model.results.responses import responses_line
from model.results.seasons import seasons_line
from model.results.summary import (
    AVERAGE_LABEL,
    CO2E_LABEL,
    IDENTITIES_LABEL,
    OBJECTIVE_LABEL,
    RANGE_PREFIX,
    SHIPPED_LABEL,
)
from model.results.tables import ALL


def rule_toll(summary, rec) -> float:
    """A Policies row's value as the console lists it: its saving, or under route choice its toll, negative for a
    floor (a min_t or min_share rule credits the tonnes through it, as the Routes sheet's tolls say)."""
    floor = summary.choice and not PolicyKind(rec.kind).is_max
    return -rec.saving_usd_per_t if floor else rec.saving_usd_per_t


@dataclass
class Brief:
    title: str  # the scenario, and the input file it was solved from
    headline: list[str] = field(default_factory=list)  # status, cost in parts that add up, tonnes, CO2e, fit, decisions
    corridors: pd.DataFrame = field(default_factory=pd.DataFrame)  # corridor, tonnes_t, share (a plan: by year)
    bottlenecks: list[str] = field(default_factory=list)  # the three largest, in words
    focus: str = ""  # the corridor or country of interest, in words
    provenance: list[tuple[str, str]] = field(default_factory=list)


def _items(sheets: dict) -> dict[str, object]:
    s = sheets.get("Summary")
    return {} if s is None else dict(zip(s["item"], s["value"], strict=True))


# Not money.py's _num and _m, on purpose: a missing item is NaN here (shown as missing, tested with
# x == x), 0 there; a minus is U+2212 here (the brief is typeset), ASCII there (money's text reaches the console).
def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _m(usd: float) -> str:
    return f"{usd / 1e6:,.1f}".replace("-", "−")


def brief_of(sheets: dict[str, pd.DataFrame]) -> Brief:
    """The brief of a result, from its sheets (model.results.tables.Results.sheets(), or
    model.report.read_results.read_results of a result workbook)."""
    items = _items(sheets)
    scenario = str(items.get("scenario", ""))
    applied = items.get("scenario overrides")
    if isinstance(applied, str) and not applied.startswith("none"):
        scenario += f", with {applied}"
    source = items.get("input file", "")
    title = f"{scenario} — solved from {source}" if source else scenario
    brief = Brief(title, provenance=[(k, str(items[k])) for k in ("input file", "input SHA-256", "model version",
                                                                   "run at (UTC)") if k in items])
    plan = sheets.get("Plan")
    if plan is not None and len(plan):
        _plan_headline(brief, items, sheets)
    else:
        _headline(brief, items)
    line = seasons_line(sheets.get("Seasons"), toll=bool(allocation_of_items(items)))
    if line:
        brief.headline.append(line)
    if responses_line(sheets.get("Responses")):  # under route choice, what the focus attracts and per USD/t cut
        brief.headline.append(responses_line(sheets.get("Responses")))
    brief.corridors = _corridors(sheets)
    b = sheets.get("Bottlenecks")
    if b is not None and "scenario" in b.columns and len(b):
        # a robust plan: the bottlenecks of the base scenario, the one the map and the page show;
        # another scenario's (cpc_half's, valued by its penalty) is not the base's
        b = b[b["scenario"] == b["scenario"].iloc[0]]
    if b is not None and len(b):
        who = [c for c in ("scenario", "year") if c in b.columns]
        lead = (b[who].astype(str).agg(", ".join, axis=1).radd("In ") + ": ") if who else ""
        # by saving, to the cent (round-off put 2035's 30.6127397260274 before 2030's ...2739), then by year
        keys = b.assign(_cents=b["saving_usd_per_t"].round(2))
        by = ["_cents", "year"] if "year" in b.columns else ["_cents"]
        ranked = b.loc[keys.sort_values(by, ascending=[False, True][:len(by)], kind="stable").index].head(3)
        brief.bottlenecks = list((lead.loc[ranked.index] if isinstance(lead, pd.Series) else lead)
                                 + ranked["in_words"].astype(str))
    brief.focus = focus_text(sheets, str(items.get("focus") or ""))
    return brief


def _headline(brief: Brief, items: dict) -> None:
    brief.headline = [
        f"Status: {items.get('status', '')}",
        Money.of_items(items).text() if RESOURCE_LABEL in items else _older(_num(items.get(OBJECTIVE_LABEL))),
        f"Shipped {_num(items.get(SHIPPED_LABEL)) / 1e6:,.2f} Mt a year"
        + (f" at {_num(items[AVERAGE_LABEL]):,.2f} USD/t of resource cost on average"
           if AVERAGE_LABEL in items else ""),
        *filter(None, [allocation_of_items(items)]),  # route choice: which allocation, its dispersions
    ]
    _common(brief, items)


def _older(objective_usd: float) -> str:
    """A result written before money was kept in its kinds: its objective, named as such."""
    return (f"Objective {_m(objective_usd)} million USD a year (premiums and unmet-demand penalty included: this "
            "result was written by an earlier version, which did not keep the resource cost apart; solve again "
            "for it)")


def _plan_headline(brief: Brief, items: dict, sheets: dict) -> None:
    plan = sheets["Plan"]
    money = plan_money_text(plan, str(items.get("objective means", "")))  # the money first, in its kinds
    brief.headline = [f"Status: {items.get('status', '')}", *([money] if money else []),
                      f"Objective {_m(_num(items.get(OBJECTIVE_LABEL)))} million USD (resource cost, "
                      f"calibration premiums and unmet-demand penalty): {items.get('objective means', '')}",
                      *filter(None, [allocation_of_items(items)])]  # route choice: which allocation
    for rec in plan.to_dict("records"):
        who = " ".join(str(rec[c]) for c in ("scenario", "year") if c in rec)
        if "resource_cost_usd" not in rec:  # written before the kinds were kept apart
            brief.headline.append(f"{who}: {_older(rec['annual_cost_usd'])}")
            continue
        brief.headline.append(f"{who}: resource cost {_m(rec['resource_cost_usd'])} million USD a year, "
                              f"{rec['shipped_t'] / 1e6:,.2f} Mt shipped, {rec['unmet_t'] / 1e6:,.2f} Mt unmet"
                              + (f" (its penalty, a price chosen in Settings: {_m(rec['unmet_penalty_usd'])} million "
                                 "USD in the objective)" if rec["unmet_penalty_usd"] > 0.5 else ""))
    if "value of the stochastic solution" in items:
        vss = items["value of the stochastic solution"]
        brief.headline.append("Value of the stochastic solution: " + (f"{_m(_num(vss))} million USD"
                                                                      if _num(vss) == _num(vss) else str(vss)))
    _common(brief, items)


def _common(brief: Brief, items: dict) -> None:
    if CO2E_LABEL in items:
        brief.headline.append(f"CO2e {_num(items[CO2E_LABEL]) / 1e6:,.2f} Mt a year "
                              f"({_num(items.get('average CO2e')):,.1f} kg a tonne)")
    if "observations within tolerance" in items:
        brief.headline.append(f"Reproduces 2023: {items['observations within tolerance']} observations within "
                              f"tolerance (weighted absolute error "
                              f"{_num(items.get('weighted absolute error (fit)')):.1%})"
                              + (f"; {items[IDENTITIES_LABEL]} identities not counted"
                                 if items.get(IDENTITIES_LABEL) else ""))
    if "predicted out of sample" in items:
        brief.headline.append(f"Predicted out of sample: {items['predicted out of sample']}, weighted error "
                              f"{_num(items.get('weighted absolute error (out of sample)')):.1%}")
    decisions = [f"{k.removeprefix('decision ')}: {v}" for k, v in items.items() if str(k).startswith("decision ")]
    brief.headline += decisions
    brief.headline += [f"{k.removeprefix(RANGE_PREFIX)}: {v}" for k, v in items.items()
                       if str(k).startswith(RANGE_PREFIX)]


# A quantity's unit, by how its name ends (the house's names: resource_cost_usd, Middle Corridor_t,
# gap_usd_per_t), as the brief shows it: (suffix, divisor, unit, decimals). The longest suffix first.
# A yearly figure's unit says so, as the headline's does (million USD/yr, Mt/yr).
RANGE_UNITS = (("_usd_per_t", 1.0, "USD/t", 1), ("_usd", 1e6, "million USD/yr", 1), ("_t", 1e6, "Mt/yr", 2))


def figure_text(v: float, decimals: int) -> str:
    """v with decimals, a minus as the brief types it (U+2212); a small value that would round to 0 with two
    significant digits instead (1,900 t is 0.0019 Mt, not 0.00)."""
    if v != 0 and abs(v) < 10 ** -decimals:
        decimals = 1 - math.floor(math.log10(abs(v)))
    return f"{v:,.{decimals}f}".replace("-", "−")


def range_unit(quantity: str) -> tuple[str, float, str, int]:
    """(label, divisor, unit, decimals) of a quantity as the brief shows it: 'resource_cost_usd' -> ('Resource cost',
    1e6, 'million USD/yr', 1), by RANGE_UNITS."""
    suffix, divisor, unit, decimals = next((u for u in RANGE_UNITS if quantity.endswith(u[0])), ("", 1.0, "", 3))
    label = quantity.removesuffix(suffix).replace("_", " ").strip()
    return label[:1].upper() + label[1:], divisor, unit, decimals


def range_lines(percentiles: pd.DataFrame, draws: int) -> list[str]:
    """One line per headline quantity with its range over the draws of the Uncertainty sheet, for the
    brief (corridor solve --uncertainty N): 'Resource cost: median 1,240.1 million USD/yr, 5–95%: 1,180.2
    to 1,302.5 (1,000 draws)'. percentiles: a row per quantity (the index, or a column `quantity`), its
    5%, 50% and 95% values in columns p5, p50, p95, in the order the lines are to be read, and optionally the base
    case's own value in a column base (base_text)."""
    table = percentiles.set_index("quantity") if "quantity" in percentiles.columns else percentiles
    lines = []
    for quantity, rec in table.iterrows():
        label, divisor, unit, decimals = range_unit(str(quantity))
        p5, p50, p95 = (_num(rec[c]) / divisor for c in ("p5", "p50", "p95"))
        if not all(v == v for v in (p5, p50, p95)):  # no draw gave it a value
            lines.append(f"{label}: no range (no draw was solved)")
            continue

        def shown(v: float, decimals: int = decimals) -> str:
            return figure_text(v, decimals)

        lines.append(f"{label}: median {shown(p50)}{' ' + unit if unit else ''}, 5–95%: "
                     f"{shown(p5)} to {shown(p95)} ({draws:,} draw{'s' if draws != 1 else ''})"
                     + ("; base case " + base if (base := base_text(_num(rec.get("base", math.nan)) / divisor, p5,
                                                                     p95, decimals)) else ""))
    return lines


def base_text(base: float, p5: float, p95: float, decimals: int) -> str:
    """The base case's own value beside a range (in the range's unit), and where it lies outside the 5–95% range,
    in words: '86.5, below the 5–95% range'; '' without a base value."""
    if base != base:
        return ""
    at = {k: round(v, decimals) for k, v in (("base", base), ("p5", p5), ("p95", p95))}  # as shown: never "86.5,
    where = (", below the 5–95% range" if at["base"] < at["p5"]  # below the 5–95% range 86.5 to ..."
             else ", above the 5–95% range" if at["base"] > at["p95"] else "")
    return f"{figure_text(base, decimals)}{where}"


def _corridors(sheets: dict) -> pd.DataFrame:
    c = sheets.get("Corridors")
    if c is None or not len(c):
        return pd.DataFrame(columns=["corridor", "tonnes_t", "share"])
    c = c[c["commodity"] == ALL]
    if "scenario" in c.columns:
        c = c[c["scenario"] == c["scenario"].iloc[0]]
    if "year" in c.columns:
        pivot = c.pivot_table(index="corridor", columns="year", values="tonnes_t", aggfunc="sum", fill_value=0.0)
        order = pivot.sum(axis=1).sort_values(ascending=False).index
        out = pivot.reindex(order).reset_index()
        out.columns = ["corridor", *[f"{y}_t" for y in pivot.columns]]
        return out
    return c[["corridor", "tonnes_t", "share"]].reset_index(drop=True)


def focus_text(sheets: dict, focus: str) -> str:
    """The corridor or country of interest in words: its tonnes and share, or, carrying nothing, its
    nearest route and how far that route is from its break-even. A country with a market of its own on the
    network (a Routes row whose market_country is the country) is told in two parts, as the uncertainty figures
    name them (model.analysis.uncertainty.focus): the tonnes through it to other markets (transit, what a deal on
    its ports or land is about) and the tonnes to its own market; the nearest route and the share are transit's."""
    countries, corridors, routes = sheets.get("Countries"), sheets.get("Corridors"), sheets.get("Routes")
    codes = dict(zip(countries["country"], countries["name"], strict=True)) \
        if countries is not None and len(countries) else {}
    known = {*(corridors["corridor"] if corridors is not None else []),  # each corridor once, not per route
             *(pd.unique(routes["corridor"].to_numpy(dtype=object)) if routes is not None else [])}
    scope, name, typed = parse_focus(focus, codes, known)
    if not scope:
        return ""
    name = name or typed
    older = ""
    if scope == Scope.COUNTRY:
        label = name
        if countries is not None and len(countries):
            mine = countries[countries["country"] == name]
            label = str(mine["name"].iloc[0]) if len(mine) else name
            tonnes = float(mine["tonnes_t"].sum()) if len(mine) else 0.0
        else:
            tonnes = 0.0
        passes = routes["countries"].astype(str).str.split("-").apply(lambda cs: name in cs) if routes is not None \
            else None
        if routes is not None and passes is not None and "market_country" in routes.columns:
            own = passes & (routes["market_country"] == name)
            if own.any():  # a market of its own on the network: its cargo passes it, but is not transit
                return _country_parts(sheets, label, routes, passes & ~own, own)
        elif tonnes > 1e-6:
            older = (" Its own market's cargo, if it has a market, is included: this result was written by an "
                     "earlier version, which did not keep it apart; solve again for it.")
    else:
        label = name
        mine = corridors[(corridors["commodity"] == ALL) & (corridors["corridor"] == name)] \
            if corridors is not None else pd.DataFrame()
        tonnes = float(mine["tonnes_t"].sum()) if len(mine) else 0.0
        passes = routes["corridor"] == name if routes is not None else None
    if tonnes > 1e-6:
        return f"{label}: {amount_text(tonnes)} a year go through it{_share(sheets, tonnes)}.{older}" \
               + _chosen(routes, passes)
    if routes is None or passes is None or not passes.any():
        return f"{label}: no enabled route goes through it."
    used = "not used" if "reduced_cost_usd_per_t" in routes.columns else "carries nothing"  # least cost, choice
    return f"{label}: {used}." + _nearest(routes, passes, "Its nearest route")


def _country_parts(sheets: dict, label: str, routes: pd.DataFrame, transit: pd.Series, own: pd.Series) -> str:
    """A country focus with a market of its own, in its two parts (transit: the rows through it to other markets;
    own: the rows to its own market)."""
    tonnes = routes["tonnes_t"].to_numpy(dtype=float)
    transit_t, own_t = float(tonnes[transit.to_numpy()].sum()), float(tonnes[own.to_numpy()].sum())
    mine = f"{amount_text(own_t)} a year go to its own market" if own_t > 1e-6 else "none goes to its own market"
    if transit_t > 1e-6:
        return (f"{label}: {amount_text(transit_t)} a year go through it to other markets{_share(sheets, transit_t)}; "
                f"{mine}.{_chosen(routes, transit)}")
    if not transit.any():
        return f"{label}: no enabled route goes through it to another market; {mine}."
    return (f"{label}: no route through it to another market is used; {mine}."
            + _nearest(routes, transit, "Its nearest route to another market"))


def _share(sheets: dict, tonnes: float) -> str:
    """' (30.8% of shipped tonnes)'; a small share with two significant digits, not 0.0% beside tonnes that move."""
    shipped = _num(_items(sheets).get(SHIPPED_LABEL))
    return f" ({figure_text(100 * tonnes / shipped, 1)}% of shipped tonnes)" if shipped == shipped and shipped else ""


def _chosen(routes: pd.DataFrame | None, passes: pd.Series | None) -> str:
    """Route choice: the share the focus's routes carry, not an LP margin ('' under least cost)."""
    return focus_share(routes, passes) if routes is not None and passes is not None and "share_of_demand" in \
        routes.columns else ""


def _nearest(routes: pd.DataFrame, passes: pd.Series, which: str) -> str:
    """The nearest of the routes `passes` picks and the cut it needs (its reduced cost, which under seasons has
    the cheapest season's in it, as the Routes sheet reads it), after a sentence of what carries nothing."""
    if "reduced_cost_usd_per_t" not in routes.columns:  # route choice: every open route carries its share
        return (" Under route choice every open route carries a share, so a row holds its routes at 0 (a closed "
                "season, or a capacity or rule of 0).")
    near = routes[passes].sort_values("reduced_cost_usd_per_t", kind="stable").iloc[0]
    return (f" {which}, {near['route']} ({near['cargo']}, {near['via']}), costs "
            f"{near['cost_usd_per_t']:,.2f} USD/t and is {near['reduced_cost_usd_per_t']:,.2f} USD/t above its "
            f"break-even ({near['break_even_cost_usd_per_t']:,.2f} USD/t): that is the cut it needs before any cargo "
            "moves to it.")
