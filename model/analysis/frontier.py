"""corridor frontier: the most (or least) a target can carry for each extra cost accepted.

For an allowed extra cost D over the least cost C* (the solved model's optimum):

    max (or min)  S = sum_{flows f of the target's commodities through the target} coef_f * Flow_f
    s.t.          every row of the model, and
                  cost_within:  sum_j c_j x_j <= C* + D        (c: the model's objective, every part)

then, with S held at its best, the least cost (min sum_j c_j x_j s.t. S >= S*, or <= for a minimum):
the allocation reported at a point is the cheapest one that reaches the best target. coef_f is 1
(tonnes) or the flow's CO2e per tonne; in a plan, each case's flows weigh its probability times the
years its year stands for, so S is tonnes (or CO2e) over the plan, and C* the discounted cost.

For an LP the best S is concave (maximise) or convex (minimise) and piecewise linear in D: its
slope is what one more USD of allowed cost buys, the dual of cost_within, and --exact finds every
breakpoint with the method of the exact sweeps (model.analysis.parametric.breakpoints). With
integer decisions (options built whole) every point is a MIP, solved point by point.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError, Problem
from model.input.schema import Scope
from model.lp.frontier import FrontierModel, FrontierPoint, Target
from model.network.names import did_you_mean, lookup
from model.plan import Plan

MAX_FRONTIER_POINTS = 1000  # points of one frontier
MAX_EXTRA_USD = 1e15  # a thousand trillion USD a year: far above any extra cost, below what prints as 300 digits


QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019"}  # a name quoted, for one with a colon


def parse_target(text: str | None, maximise: bool, plan: Plan) -> Target:
    """'country PK' (or 'country Pakistan'), 'corridor Middle Corridor', 'corridor China: rail',
    'country RU: dry_bulk,grain,metals,container', 'leg AKT>ALT: crude': a scope, its target by code
    or by name (case aside), and after a colon a commodity filter. A name with a colon is the longest
    one that matches, or quoted ('corridor "China: rail": crude'). Led by 'co2' ('co2', 'co2 corridor
    China: rail', 'co2: crude'): the CO2e of those flows."""
    flag = "--maximise" if maximise else "--minimise"
    fix = ("Write [co2] SCOPE NAME[: COMMODITIES], e.g. \"country Pakistan\", \"corridor Middle Corridor\", "
           "\"country RU: dry_bulk,grain,metals,container\" or \"co2\"; SCOPE is one of " + ", ".join(Scope)
           + ", and NAME a code or a name.")
    text = (text or "").strip()
    if not text:
        raise InputError(flag, [Problem("the target is empty", fix)])
    co2 = re.match(r"(?i)co2e?(?=$|[\s:])", text)
    rest = text[co2.end():].strip() if co2 else text
    if co2:
        _distances_known(plan, flag)
        if not rest or rest.startswith(":"):
            filter_ = _commodity(rest[1:], text, flag, plan)
            words = f"({_filter_words(filter_, plan.cases[0].net)})" if filter_ else ""
            return Target(None, None, filter_, maximise, True, words)
    parts = rest.split(None, 1)
    if len(parts) != 2 or parts[0].lower() not in tuple(Scope):
        raise InputError(flag, [Problem(f"'{text}' is not a target", fix)])
    scope = parts[0].lower()
    net = plan.cases[0].net
    code, commodity = _target_name(scope, parts[1].strip(), text, flag, net)
    filter_ = _commodity(commodity, text, flag, plan)
    return Target(scope, code, filter_, maximise, bool(co2), net.names.target(scope, code)
                  + (f" ({_filter_words(filter_, net)})" if filter_ else ""))


def _target_name(scope: str, body: str, text: str, flag: str, net) -> tuple[str, str]:
    """(code, commodity filter) of 'NAME[: COMMODITIES]': NAME quoted, else the longest that names a
    target of the scope (the whole, then up to each colon from the last)."""
    codes = _names(net, scope)
    if body[:1] in QUOTES:
        name, closed, after = body[1:].partition(QUOTES[body[0]])
        after = after.strip()
        if not closed or (after and not after.startswith(":")):
            raise InputError(flag, [Problem(f"'{text}': the quoted name is not closed, or is followed by something "
                                            "other than ': COMMODITIES'", f"Write e.g. {scope} \"{name.strip()}\""
                                            f"{': crude' if scope != Scope.ROUTE else ''}.")])
        splits = [(name.strip(), after[1:])]
    else:
        colons = [i for i, ch in enumerate(body) if ch == ":"]
        splits = [(body, "")] + [(body[:i].strip(), body[i + 1:]) for i in reversed(colons)]
    for name, commodity in splits:
        code = net.names.resolve(scope, name, codes) if name else None
        if code is not None:
            return code, commodity
    guess = splits[-1][0]
    choices = net.names.choices(scope, codes)
    mean = did_you_mean(guess, choices) or did_you_mean(body, choices)
    raise InputError(flag, [Problem(
        f"no enabled route passes {scope} '{guess}'{mean}",
        f"Name a {scope} of the Routes sheet's enabled routes" + (" by its id" if scope == Scope.ROUTE else
                                                                    ", by its code or its name") + ".")])


def _filter_words(commodity: str, net) -> str:
    return ", ".join(net.names.cargo(c.strip()) for c in commodity.split(","))


def _distances_known(plan: Plan, flag: str) -> None:
    """A frontier on CO2e needs every leg's distance (its CO2e is distance x intensity)."""
    legs = sorted({leg for case in plan.cases for leg in case.net.legs_without_distance})
    if legs:
        raise InputError(flag, [Problem(
            f"a frontier on CO2e needs the distance of every leg, and {len(legs)} leg(s) used by enabled routes have "
            f"none: {', '.join(legs[:10])}{' ...' if len(legs) > 10 else ''}",
            "Fill distance_km on the Legs sheet for these legs.", sheet="Legs", column="distance_km")])


def _commodity(commodity: str, text: str, flag: str, plan: Plan) -> str | None:
    """The filter as commodity ids and cargo classes, each given by its id, its name or its class
    (case aside)."""
    parts = [c.strip() for c in commodity.split(",") if c.strip()]
    if not parts:
        return None
    net = plan.cases[0].net
    known = {**net.names.choices("commodity", net.commodity_class),
             **{c: c for c in set(net.commodity_class.values())}}
    codes = [lookup(c, known) for c in parts]
    unknown = [c for c, code in zip(parts, codes, strict=True) if code is None]
    if unknown:
        raise InputError(flag, [Problem(f"unknown commodity or cargo class {', '.join(unknown)} in '{text}'"
                                        + did_you_mean(unknown[0], known),
                                        "Use commodities (by id or name) or cargo classes of the Commodities sheet.")])
    return ",".join(codes)  # type: ignore[arg-type]  # none unknown: raised above


def _names(net, scope: str) -> set[str]:
    routes = net.routes.values()
    if scope == Scope.CORRIDOR:
        return {r.corridor for r in routes}
    if scope == Scope.COUNTRY:
        return {g for countries in net.countries_of.values() for g in countries}
    if scope == Scope.ROUTE:
        return set(net.routes)
    return {x for r in routes for x in (r.nodes if scope == Scope.NODE else r.legs)}


def parse_costs(spec: str, optimum: float, exact: bool) -> list[float]:
    """--cost-within as extra costs in USD: start:stop:steps or, with --exact, start:stop; a list
    a,b,c; each a number of USD or a percentage of the least cost (5%)."""

    def amount(part: str) -> float:
        part = part.strip()
        try:
            value = float(part[:-1]) / 100 * optimum if part.endswith("%") else float(part)
        except ValueError:
            raise InputError("--cost-within", [Problem(f"'{part}' is neither a number of USD nor a percentage",
                                                      "Write e.g. 0:5%:11, or 0:200e6:11 in USD.")]) from None
        if part.endswith("%") and optimum <= 0 and value != 0:
            raise InputError("--cost-within", [Problem(
                f"'{part}' is a percentage of the least cost, which is {optimum:,.0f} USD: a percentage of it is no "
                "extra cost", "Give the extra cost in USD, e.g. 0:200e6:11.")])
        if not math.isfinite(value) or value < 0:
            raise InputError("--cost-within", [Problem(f"'{part}' gives {value:g} USD: an extra cost must be finite "
                                                      "and at least 0", "Start the range at 0 or above.")])
        if value > MAX_EXTRA_USD:
            raise InputError("--cost-within", [Problem(
                f"'{part}' gives {value:.3g} USD, more than {MAX_EXTRA_USD:,.0f} USD, which no extra cost "
                "could mean (a typo, or a value in another unit)", "Give the extra cost in USD (e.g. 200e6) or as a "
                "percentage of the least cost (e.g. 5%).")])
        return value

    if ":" in spec:
        parts = spec.split(":")
        if exact and len(parts) == 2:
            low, high = amount(parts[0]), amount(parts[1])
            if high <= low:
                raise InputError("--cost-within", [Problem(f"'{spec}' is an empty range", "Give start < stop.")])
            return [low, high]
        if len(parts) == 3:
            low, high = amount(parts[0]), amount(parts[1])
        if len(parts) != 3 or not re.fullmatch(r"\s*\d+\s*", parts[2]):
            raise InputError("--cost-within", [Problem(
                f"'{spec}' is not start:stop:steps" + (" or start:stop" if exact else ""),
                "Write e.g. 0:5%:11 (eleven points from 0 to 5% of the least cost).")])
        steps = int(parts[2])
        if not 2 <= steps <= MAX_FRONTIER_POINTS:
            raise InputError("--cost-within", [Problem(
                f"'{spec}' asks for {steps} steps: a frontier has 2 to {MAX_FRONTIER_POINTS:,} points",
                "Give at least 2 steps (the two ends of the range)." if steps < 2 else
                f"Give at most {MAX_FRONTIER_POINTS:,} steps, or --exact with start:stop for every breakpoint.")])
        return np.linspace(low, high, steps).tolist()
    values = sorted({amount(p) for p in spec.split(",") if p.strip()})
    if not values or len(values) > MAX_FRONTIER_POINTS:
        raise InputError("--cost-within", [Problem(f"'{spec}' lists no extra cost, or more than "
                                                  f"{MAX_FRONTIER_POINTS:,}",
                                                  "Write e.g. 0,1%,2%,5%.")])
    return values


def frontier(plan: Plan, sol, target: Target, extras: list[float], exact: bool = False) -> tuple[pd.DataFrame, int]:
    """(one row per point, solves): the best target at each extra cost (exact: at every breakpoint
    between the two extras given)."""
    from model.analysis.parametric import breakpoints

    model = FrontierModel(plan, sol, target)
    if exact:
        if model.mip is not None:
            raise InputError("--exact", [Problem(
                "this case has options built whole, in modules or with a fixed cost: the best target then jumps where "
                "a decision changes, and the exact method needs it piecewise linear",
                "Give --cost-within start:stop:steps: each point is then solved as a MIP.")])
        results: dict[float, Any] = {}

        def evaluate(d: float):
            r = results.setdefault(d, model.point(d))
            if r.target is None:
                raise InputError("--cost-within", [Problem(f"at {d:,.0f} USD of extra cost the frontier has no "
                                                          f"optimum ({r.status})", "Choose another range.")])
            return r.raw_target, r.slope, r

        evaluations, found = breakpoints(evaluate, extras[0], extras[-1])
        points = [evaluations[d][2] for d in sorted({extras[0], extras[-1], *found})]
    else:
        points = [model.point(d) for d in extras]
    return _table(points, model), model.solves


def _table(points: list[FrontierPoint], model: FrontierModel) -> pd.DataFrame:
    """One row per point; money in USD a year (a plan: USD discounted, _usd_total), tonnes a year (a
    plan: over the plan, _t_total)."""
    corridors = sorted({c for p in points for c in p.corridor or {}})
    usd, t = ("_usd", "_t") if model.plan.single else ("_usd_total", "_t_total")
    nan = float("nan")
    # money in its kinds (model.results.money): a point's extra cost is its resource cost's over the
    # least-cost point's; the premiums and the penalty are apart (the allowance D bounds the objective)
    least = next((p.resource_cost_usd for p in points if p.resource_cost_usd is not None and p.extra_cost_usd == 0),
                 model.resource_at_optimum)
    rows = []
    for p in points:
        resource, target = _or_nan(p.resource_cost_usd), _or_nan(p.target)
        row = {"extra_resource_cost" + usd: resource - least,
               "extra_cost_of_least_cost": (resource - least) / least if least else nan,
               "status": p.status, "target" + t: target,
               "target_share": target / p.shipped_t if p.shipped_t else nan,
               "resource_cost" + usd: resource, "calibration_premiums" + usd: _or_nan(p.premiums_usd),
               "unmet_penalty" + usd: _or_nan(p.penalty_usd),
               "objective_allowance" + usd: p.extra_cost_usd,
               "tonnes_per_usd_more": _or_nan(p.slope)}
        for c in corridors:
            row[c + t] = p.corridor.get(c, 0.0) if p.corridor is not None else nan
        row["binding"] = "; ".join(p.binding)
        if model.target.co2:  # tonnes of CO2e are no share of the tonnes shipped
            del row["target_share"]
        rows.append(row)
    df = pd.DataFrame(rows)
    df.attrs["unit"] = "t" if model.plan.single else "t over the plan"
    return df


def _or_nan(x: float | None) -> float:
    return float("nan") if x is None else x
