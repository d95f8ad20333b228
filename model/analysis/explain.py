"""Why a route is, or is not, used: its cost against what the market pays, in sentences.

For a flow j the reduced cost is rc_j = c_j - sum_i a_ij y_i (y the row duals). The demand row's
term is the market's marginal value of a tonne; every other row on the route (a full capacity,
a binding rule, an exhausted supply) adds its own charge. These terms are read from the live
HiGHS model, so the sentences add up exactly to the gap a route must close before it is used.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from model.errors import InputError, Problem
from model.lp.families import (
    CAPACITY_LIMIT,
    DEMAND_BALANCE,
    FAMILIES,
    FLOW,
    POLICY_LIMIT,
    SEASON_CAPACITY,
    SEASON_FLOW,
    SEASON_SPLIT,
    SHIPPED_TOTAL,
)
from model.lp.names import RowKey
from model.network import Network
from model.network.names import did_you_mean, lookup
from model.plan import Case
from model.results.money import penalty_words, set_by_penalty
from model.steps import Run

TOL = 1e-6
_STATE = {CAPACITY_LIMIT.name: ", which is full,", POLICY_LIMIT.name: ", which binds,",
          SEASON_CAPACITY.name: ", which is full,"}


def _row_name(net: Network, family: str, index) -> str:
    """A row in words (its family's label), with what state it is in."""
    if family == SHIPPED_TOTAL.name:
        return FAMILIES[family].label(net, index) + ","
    return FAMILIES[family].label(net, index) + _STATE.get(family, ", which binds,")


def _element(net: Network, family: str, index) -> str:
    """The element of a capacity row in words; a seasonal one with its season."""
    if family == SEASON_CAPACITY.name:
        lim = next(x for x in net.seasons.limits if (x.row, x.season) == index)  # type: ignore[union-attr]
        return f"{net.names.element(lim.element)} in {lim.season}"
    return net.names.element(net.capacity_by_row[index].element)


def _column_terms(run: Run, case: Case, at: int | None, j: int) -> list[tuple[str, Any, float]]:
    """(family, index, -a_ij * y_i / factor) for every row of column j: per tonne in the money of
    the case's year (a plan weighs each case's costs and rows by its factor). y: the solution's duals, the
    tolls under route choice (HiGHS holds the least-cost LP's)."""
    h = run.solution.highs
    assert h is not None, "explain reads the solve's own model (kept by run(keep_solver=True))"
    _, _, index, value = h.getColsEntries(1, np.array([j], dtype=np.int32))
    factor = case.factor if at is not None else 1.0
    duals = np.asarray(h.getSolution().row_dual if run.solution.choice is None else run.solution.y) / factor
    terms = []
    for i, a in zip(np.asarray(index).tolist(), np.asarray(value).tolist(), strict=True):
        key: RowKey = run.solution.rows[i]
        if key.family == SEASON_SPLIT.name:
            terms += _season_terms(run, case, at, key.index, -a * duals[i], duals, factor)
        else:
            terms.append((key.family, key.index, -a * duals[i]))
    return _share_terms(run, case.net, at, terms, duals)


def _season_terms(run: Run, case: Case, at: int | None, flow: Any, split: float, duals, factor: float) -> list:
    """With seasons a flow's season_split term carries what its seasons charge: for each season s,
    split = (the terms of the season's rows on SeasonFlow[k,r,s]) - its reduced cost. Give them back
    in the season where the flow comes closest to use (least reduced cost), so a sentence names the
    season's full capacity or demand. What is left is minus that season's reduced cost: part of the
    route's gap (the Routes sheet's reduced cost adds it: model.results.seasons.season_reduced_costs), so
    the terms add up to that gap."""
    h = run.solution.highs
    assert h is not None
    rc = np.asarray(h.getSolution().col_dual) / factor
    best: tuple[float, list] | None = None
    for s in case.net.seasons.share if case.net.seasons is not None else ():
        j = run.solution.col_of(SEASON_FLOW.name, (*flow, s), at)
        if j is None:
            continue
        _, _, index, value = h.getColsEntries(1, np.array([j], dtype=np.int32))
        rows = [(run.solution.rows[i], -a * duals[i]) for i, a in zip(np.asarray(index).tolist(),
                                                                      np.asarray(value).tolist(), strict=True)]
        if best is None or rc[j] < best[0]:
            best = (float(rc[j]), [(k.family, k.index, t) for k, t in rows if k.family != SEASON_SPLIT.name])
    return [(SEASON_SPLIT.name, flow, split)] if best is None else best[1]


def _share_terms(run: Run, net: Network, case: int | None, terms: list, duals) -> list[tuple[str, object, float]]:
    """A share rule holds S - value * Shipped (model/build/policies.py): what the rule charges a
    tonne of its filter, -value * sign * dual, arrives through the shipped_total row. Give it back
    to each rule, so a sentence names the rule; what is left (none while Shipped is positive) stays
    as the shipped_total term. The terms still add up to the reduced cost."""
    out = [t for t in terms if t[0] != SHIPPED_TOTAL.name]
    at = {(con, idx): n for n, (con, idx, _) in enumerate(out)}
    rows = run.solution.row_pos.get((POLICY_LIMIT.name, case), {})
    for _, key, term in (t for t in terms if t[0] == SHIPPED_TOTAL.name):
        moved = 0.0
        for p in net.policy_limits:
            i = rows.get((p.rule, p.target))
            if not p.is_share or p.filter_key != key or i is None:
                continue
            charge = POLICY_LIMIT.sign(p) * p.value * duals[i]
            n = at.setdefault((POLICY_LIMIT.name, (p.rule, p.target)), len(out))
            if n == len(out):
                out.append((POLICY_LIMIT.name, (p.rule, p.target), 0.0))
            out[n] = (out[n][0], out[n][1], out[n][2] + charge)
            moved += charge
        if abs(term - moved) > TOL:
            out.append((SHIPPED_TOTAL.name, key, term - moved))
    return out


def _parts(c) -> str:
    """'transport 10.00, handling 2.00, ...': the parts of a cost per tonne (zero extra parts left out;
    a calibration premium named as behaviour, not money: model.results.money)."""
    return ", ".join(f"{name} {value:,.2f}" if name != "premium" else
                     f"calibration premium {value:,.2f}, behaviour not paid; resource cost {c.total - value:,.2f}"
                     for name, value in c._asdict().items()
                     if value or name in ("transport", "handling", "time", "risk"))


def _emits(net: Network, k: str, r: str) -> str:
    """', emitting 58.4 kg CO2e a tonne' (model.network.emissions), or '' when it emits nothing counted."""
    kg = float(net.co2_t_per_t[net.flow_index[(k, r)]]) * 1000.0
    return f", emitting {kg:,.1f} kg CO2e a tonne" if kg > 0 else ""


def _chosen(run: Run, case: Case, at: int | None, k: str, r: str, routes) -> str:
    """A route under route choice (model.lp.choice) in words: its share of its demand row from its generalised
    cost (cost plus the tolls of the full rows it passes) against the other routes', and the dispersion."""
    net, sol = case.net, run.solution
    row, c = routes.loc[(k, r)], net.cost[(k, r)]
    demand = net.demand_by_row[net.demand_of[(k, r)]]
    dispersion = sol.choice.dispersion[net.commodity_class[k]]  # type: ignore[union-attr]  # under choice
    head = (f"Route {r} ({net.routes[r].corridor}) for {net.names.cargo(k)}, {net.names.place(net.routes[r].origin)} "
            f"to {net.names.place(demand.market)}: ")
    if row["tonnes_t"] <= 0:
        return head + ("carries nothing: under route choice every open route carries a share, so a row holds it at 0 "
                       "(a closed season, or a capacity or rule of 0).")
    g, tolls = row["generalised_cost_usd_per_t"], row["tolls_usd_per_t"]
    text = (head + f"carries {row['share_of_demand']:.1%} of Demand row {demand.row} ({row['tonnes_t']:,.0f} of "
            f"{demand.demand_t:,.0f} t a year). Its generalised cost is {g:,.2f} USD/t: its cost {c.total:,.2f} "
            f"({_parts(c)}){_emits(net, k, r)} plus tolls of {tolls:,.2f}")
    j = sol.col_of(FLOW.name, (k, r), at)
    charges = [] if net.seasons is not None or j is None else [
        (con, idx, t) for con, idx, t in _column_terms(run, case, at, j) if con != DEMAND_BALANCE.name and abs(t) > TOL]
    if charges:
        text += " (" + "; ".join(f"{_row_name(net, con, idx)} {'adds' if t > 0 else 'credits'} {abs(t):,.2f}"
                                 for con, idx, t in sorted(charges, key=lambda x: -abs(x[2]))) + ")"
    elif net.seasons is not None and abs(tolls) > TOL:
        text += " (the average over the seasons it is open in)"
    others = routes.loc[[f for f in net.flows_of_demand(demand.row) if f != (k, r)]]
    others = others[others["tonnes_t"] > 0].sort_values("share_of_demand", ascending=False).head(3)
    if len(others):
        text += "; against " + ", ".join(f"{o} {rec['share_of_demand']:.1%} at {rec['generalised_cost_usd_per_t']:,.2f}"
                                         for (_, o), rec in others.iterrows()) + " USD/t"
    above = row["above_cheapest_usd_per_t"]
    rule = (f". With a dispersion of {dispersion:,.2f} USD/t (1/theta, Dispersions sheet), a route d USD/t dearer "
            f"carries exp(-d / {dispersion:,.2f}) times the tonnes")
    if net.seasons is not None:
        return text + rule + (" in each season, which splits on its own (a route closed in a season carries nothing "
                              "then; the Seasons sheet gives each season's tonnes and tolls). A cost cut on it (or a "
                              "toll lifted) raises its share; there is no break-even.")
    where = ("it is the cheapest route of its row" if above <= TOL else
             f"{r} is {above:,.2f} USD/t above the cheapest route of its row, so it carries "
             f"{math.exp(-above / dispersion):.3f} times that route's tonnes")
    return text + rule + f": {where}. A cost cut on it (or a toll lifted) raises its share; there is no break-even."


def explained_case(run: Run, year: int | None = None) -> tuple[Case, int | None, str]:
    """(case, its position in the LP, the paragraph that says which case) of the run that explain
    reads: the one case of a single-period model; of a plan, the year asked for (--year), by
    default the first. An unknown year, or a year for a workbook without years, is refused."""
    plan = run.plan
    scenario = f" with scenario {run.data.scenario} applied" if run.data.scenario else ""
    if plan.single:
        if year is not None:
            raise InputError("--year", [Problem(
                f"this workbook has no Periods sheet, so it models one year and there is no year {year} to pick",
                "Leave out --year.", sheet="Periods")])
        return plan.cases[0], None, f"The case{scenario}." if scenario else ""
    years = [c.period.year for c in plan.cases]
    listed = ", ".join(str(y) for y in years)
    if year is None:
        at, which = 0, f"the first of the plan's years ({listed}; --year picks another)"
    elif year in years:
        at, which = years.index(year), f"one of the plan's years ({listed})"
    else:
        raise InputError("--year", [Problem(
            f"{year} is not a year of the plan: its Periods sheet lists {listed}",
            f"Give one of {listed}.", sheet="Periods")])
    return plan.cases[at], at, (f"Year {years[at]}{scenario}, {which}: that year's costs, demand and "
                                "capacities, per tonne, with the plan's investment decisions.")


def explain_route(run: Run, route: str, commodity: str | None = None, year: int | None = None) -> list[str]:
    """Paragraphs explaining the route for each commodity it may carry (or the one asked for); for a
    plan, in one year (the first unless year is given), led by a paragraph naming it."""
    case, at, lead = explained_case(run, year)
    net, sol = case.net, run.solution
    if route not in net.routes:
        mean = did_you_mean(route, {r: net.routes[r].corridor for r in net.routes})
        raise InputError("--route", [Problem(
            f"unknown or disabled route '{route}'" + (mean or "."),
            "Name a route from the Routes sheet that is enabled.")])
    if commodity is not None:  # by its id or its name
        commodity = lookup(commodity, net.names.choices("commodity", net.commodity_class)) or commodity
    flows = [(k, r) for k, r in net.flows if r == route and (commodity is None or k == commodity)]
    if not flows:
        what = f"commodity '{commodity}'" if commodity else "any commodity"
        raise InputError("--commodity", [Problem(
            f"route '{route}' serves no demand of {what}: it does not carry the cargo class, or no demand row "
            "asks for it between its origin and market", "Check the Routes and Demand sheets.")])
    routes = run.results.routes
    if at is not None:
        routes = routes[routes["year"] == case.period.year]
    routes = routes.set_index(["commodity", "route"])
    out = [lead] if lead else []
    for k, r in flows:
        c = net.cost[(k, r)]
        row = routes.loc[(k, r)]
        if sol.choice is not None:  # route choice: the route's share from its generalised cost, not an LP margin
            out.append(_chosen(run, case, at, k, r, routes))
            continue
        tonnes = row["tonnes_t"]
        d_row = net.demand_of[(k, r)]
        demand = net.demand_by_row[d_row]
        j = sol.col_of(FLOW.name, (k, r), at)
        terms = _column_terms(run, case, at, j)  # type: ignore[arg-type]  # a flow of the network has its column
        market_value = -sum(t for con, _, t in terms if con == DEMAND_BALANCE.name)
        charges = [(con, idx, t) for con, idx, t in terms if con != DEMAND_BALANCE.name and abs(t) > TOL]
        head = (f"Route {r} ({net.routes[r].corridor}) for {net.names.cargo(k)}, "
                f"{net.names.place(net.routes[r].origin)} to {net.names.place(demand.market)}: ")
        if tonnes > TOL:
            low, high = row["cost_range_low_usd_per_t"], row["cost_range_high_usd_per_t"]
            out.append(head + f"carries {tonnes:,.0f} t a year of the {demand.demand_t:,.0f} t demanded (Demand "
                       f"row {demand.row}) at {c.total:,.2f} USD/t ({_parts(c)}){_emits(net, k, r)}. The allocation "
                       f"stays the same "
                       f"while its cost stays between {low:,.2f} and {high:,.2f} USD/t.")
            continue
        gap = row["reduced_cost_usd_per_t"]
        text = (head + f"not used. It costs {c.total:,.2f} USD/t ({_parts(c)}){_emits(net, k, r)}; a tonne of "
                f"{net.names.cargo(k)} at {net.names.place(demand.market)} is worth {market_value:,.2f} USD/t at the "
                f"margin (Demand row {demand.row}"
                + (f"; {penalty_words(run.data.settings.unmet_penalty_usd_per_t)}"  # type: ignore[arg-type]  # set by it: one
                   if set_by_penalty(market_value, run.data.settings.unmet_penalty_usd_per_t,
                                     run.results.summary.unmet_t) else "") + ")")
        for con, idx, t in sorted(charges, key=lambda x: -abs(x[2])):
            if t > 0:
                text += f"; {_row_name(net, con, idx)} adds {t:,.2f} USD/t"
            else:
                text += f"; {_row_name(net, con, idx)} credits it {-t:,.2f} USD/t (it relieves that limit)"
        break_even = row["break_even_cost_usd_per_t"]
        text += f". So it is {gap:,.2f} USD/t too expensive"
        if break_even > 0:
            text += f": it would carry cargo if its cost fell below {break_even:,.2f} USD/t."
        else:
            text += f": no cost cut alone would bring cargo to it (its break-even cost is {break_even:,.2f} USD/t)."
        winners = routes.loc[[f for f in net.flows_of_demand(d_row) if routes.loc[f, "tonnes_t"] > TOL]]
        if len(winners):
            best = winners.sort_values("tonnes_t", ascending=False).iloc[0]
            wk, wr = best.name
            wc = net.cost[(wk, wr)]
            diffs = [(name, getattr(c, name) - getattr(wc, name)) for name in c._fields]
            worse = ", ".join(f"{name} {d:+,.2f}" for name, d in diffs if abs(d) > 0.005)
            text += (f" The route that wins, {wr} ({net.routes[wr].corridor}), carries {best['tonnes_t']:,.0f} t at "
                     f"{wc.total:,.2f} USD/t ({_parts(wc)}); {r} differs by {worse or 'nothing'} USD/t.")
        full = [(con, idx, t) for con, idx, t in charges if con in (CAPACITY_LIMIT.name, SEASON_CAPACITY.name)
                and t > TOL]
        if full:
            text += (" What it would take: " + ("a cost cut of that size, or " if break_even > 0 else "")
                     + "more capacity at ") + ", ".join(
                f"{_element(net, con, idx)} (worth {t:,.2f} USD/t of the gap)" for con, idx, t in full) + "."
        else:
            text += (" No capacity on this route is full: only a lower cost (a tariff cut on its legs or "
                     "ports) would bring cargo to it.")
        out.append(text)
    if sol.mip is not None:
        inv = run.results.investments
        if at is not None:
            inv = inv[inv["year"] == case.period.year]
        decided = "; ".join(f"{rec.option}: {rec.decision}" for rec in inv.itertuples(index=False)
                            if rec.option in {o.option for o in net.options if o.integer})
        out.append("Options are built in whole steps or with a fixed cost here, and a mixed-integer program has no "
                   "duals: every figure above is from the LP with the build decisions fixed at the optimum's ("
                   f"{decided}). A route that needs another decision to pay is costed on that network, not on the "
                   "one the other decision would build; the Investments sheet gives what each decision taken the "
                   "other way would cost.")
    return out
