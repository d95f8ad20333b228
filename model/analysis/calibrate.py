"""corridor calibrate: make the base year reproduce what moved, and say what it takes.

1. Solve the case as it is: each observation's modelled tonnes before calibration.
2. Solve it again with every observation held within its band (families BandMiss and
   ObservationBand: a band gives way, at a penalty far above any freight cost, only where it cannot
   hold together with the others and the model's limits; such a band is reported as relaxed).
   The dual of an observation's binding side is its implied premium, in USD/t: how much cheaper
   (positive) or dearer (negative) per tonne its target would have to be for the free model to
   carry the observed tonnes. One market of 100 t, route A at 10 USD/t, route B at 25, B observed
   at 30 t: B's lower band binds at 15 USD/t, a premium of +15.
3. Write each premium as a Surcharges row on the observation's target: minus the premium, and a
   cent more (NUDGE) so that the costs choose the observed side rather than tie with it; and
   solve: where the costs alone now reproduce the observation, it is held by costs. An LP puts a
   whole market on its cheapest route unless a limit binds, so a split inside a band cannot always
   come from costs; such an observation keeps its band as two calibration rules on the Policies
   sheet (CAL_<observation>_MIN and _MAX, min_t and max_t), and the last solve holds every
   observation that is not relaxed within its tolerance.

Only the fit rows of the Observations sheet are fitted (role fit, or blank); the test rows are held
out: they change no premium and no rule, and are predicted by the calibrated input (each under the
scenario it was observed in) and reported apart. An observation that is an identity (its target
carries, over every allocation the model's rows allow, tonnes within its band whatever the costs:
model.lp.reach, on the input without calibration) identifies no premium: it is not fitted, and its
premium is left blank with the reason.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import ERROR, InputError, Problem
from model.input.allocation import CALIBRATION_SOURCE, least_cost_fit, without_rows
from model.input.data import ROW, CorridorData, present
from model.input.read import typed_frame
from model.input.schema import SHEETS_BY_NAME, Blank, Role
from model.input.validate import validate
from model.input.validate.commitments import unreachable
from model.lp.families import BAND_MISS, OBSERVATION_BAND
from model.lp.reach import target_ranges
from model.lp.solve import solve_plan
from model.network import Network, Observation
from model.network.build import build_network
from model.plan import Plan
from model.results.fit import inside, modelled, weighted_error
from model.results.tables import flow_tonnes
from model.steps import load_one_year, observed, solve

MIN_BAND_PENALTY_USD_PER_T = 1e4  # and at least ten times the dearest route
NUDGE_USD_PER_T = 0.01  # added to a premium written as a surcharge, so that costs do not tie
WIDEN = 1e-6  # the bands of the premium solve, widened by this share of the observation
CALIBRATION = CALIBRATION_SOURCE  # the source written on the rows calibration adds (their costs: premiums)
CALIBRATED = " (calibrated)"  # added to the scenario name
CALIBRATION_COLUMNS = ["observation", "role", "observed_in", "scope", "target", "commodity", "observed_t", "low_t",
           "high_t", "modelled_before_t", "modelled_after_t", "within_tolerance_after", "implied_premium_usd_per_t",
           "held_by", "in_words"]


@dataclass
class Calibration:
    table: pd.DataFrame  # the Calibration sheet
    data: CorridorData  # the calibrated input: the input with the Surcharges and Policies rows added
    surcharges: pd.DataFrame  # the rows added to the Surcharges sheet
    rules: pd.DataFrame  # the calibration rules added to the Policies sheet
    replaced: dict[str, int] = dataclasses.field(default_factory=dict)  # sheet -> rows of an earlier calibration


def calibrate(path: Path, scenario: str | None = None, year: int | None = None) -> Calibration:
    """Calibrate the input (with --scenario applied; of a plan, its --year as a single-year case)."""
    data, net, _ = load_one_year(path, scenario, year)
    return calibrate_data(data, net, path)


def calibrate_data(data: CorridorData, net: Network, path: Path) -> Calibration:
    """Calibrate the loaded input (data, its network; path: where it was read, for the messages)."""
    fitted = fit_rows(path, net)
    before = _modelled(data, net)
    given, data, replaced = data, *without_calibration(data)
    identity = identities(data, fitted)
    obs = [o for o in fitted if not identity[o.observation]]
    premium, relaxed = implied_premiums(data, obs)
    surcharges = pd.DataFrame([{"scope": o.scope, "target": o.target, "commodity": o.commodity,
                                "usd_per_t": -(p + np.sign(p) * NUDGE_USD_PER_T), "source": CALIBRATION,
                                "note": f"implied premium of observation {o.observation} ({p:+,.2f} USD/t; a cent more "
                                        "so that costs do not tie)"}
                               for o in obs if not relaxed[o.observation] and abs(p := premium[o.observation]) > 1e-6])
    priced = with_rows(data, "Surcharges", surcharges)
    by_costs = _modelled(priced, build_network(priced))
    keep = [o for o in obs if not relaxed[o.observation] and not _within(o, by_costs[o.observation])]
    rules = pd.DataFrame([{"rule": f"CAL_{o.observation}_{side.upper()}", "kind": f"{side}_t", "scope": o.scope,
                           "target": o.target, "commodity": o.commodity,
                           "value": o.low_t if side == "min" else o.high_t, "calibration": True,
                           "note": f"calibration rule: holds observation {o.observation} within its band, which its "
                                   "costs alone do not"}
                          for o in keep for side in ("min", "max")])
    calibrated = with_rows(priced, "Policies", rules)
    name = data.scenario_name if data.scenario_name.endswith(CALIBRATED) else data.scenario_name + CALIBRATED
    calibrated = calibrated.copy(settings=calibrated.settings.replace(scenario_name=name))
    _check_calibrated(given, calibrated, len(data.tables["Surcharges"]), len(data.tables["Policies"]))
    after, ranges = _predicted(calibrated)
    rows = []
    for o in net.observations:
        if o.role == Role.TEST or identity[o.observation]:
            rows.append(_unfitted(o, before[o.observation], after[o.observation],
                                  o.observation in ranges and inside(o, *ranges[o.observation])))
            continue
        p, gone = premium[o.observation], relaxed[o.observation]
        why = unreachable(given, net, o) if gone else (None, "")
        held = ("relaxed: no flow can pass its target" if why[0] else
                "relaxed: cannot be held together with the other observations and the model's limits" if gone
                else "calibration rule" if o in keep
                else "costs (surcharge)" if abs(p) > 1e-6
                else "already within its tolerance" if _within(o, before[o.observation])
                else "costs (the other observations' surcharges)")
        rows.append({"observation": o.observation, "role": o.role, "observed_in": "", "scope": o.scope,
                     "target": o.target,
                     "commodity": o.commodity or Blank.ALL, "observed_t": o.observed_t, "low_t": o.low_t,
                     "high_t": o.high_t, "modelled_before_t": before[o.observation],
                     "modelled_after_t": after[o.observation],
                     "within_tolerance_after": _within(o, after[o.observation]),
                     "implied_premium_usd_per_t": float("nan") if gone else p, "held_by": held,
                     "in_words": premium_in_words(o, p, gone, *why)})
    table = pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)
    table = table.reindex(table["implied_premium_usd_per_t"].abs().sort_values(ascending=False,
                                                                               na_position="last").index)
    table = table.sort_values("role", key=lambda r: r.eq(Role.TEST), kind="stable")  # the test rows last, apart
    return Calibration(table.reset_index(drop=True), calibrated, surcharges, rules, replaced)


def fit_rows(path: Path, net: Network) -> list[Observation]:
    """The Observations' fit rows (role fit) that calibration fits; InputError when there are none (no
    Observations sheet, or every row a test row), with the fix."""
    if not net.observations:
        raise InputError(str(path), [Problem(
            "has no observations to calibrate to: the Observations sheet is missing or has no rows",
            "Add an Observations sheet with what moved in the base year (observation, scope, target, commodity, "
            "observed_t, tolerance_pct or tolerance_t, source); 'corridor template' writes one with its headers.",
            sheet="Observations")])
    fitted = [o for o in net.observations if o.role == Role.FIT]
    if not fitted:
        raise InputError(str(path), [Problem(
            "has no fit observations to calibrate to: every row of the Observations sheet has role test (held out)",
            "Set role to fit (or leave it blank) on the rows calibration should fit; keep test for the rows it "
            "should predict.", sheet="Observations", column="role")])
    return fitted


def identities(data: CorridorData, observations: list[Observation]) -> dict[str, bool]:
    """{observation: an identity}: the least and the most its target can carry whatever the costs
    (model.lp.reach) both within its band, on data (the input without calibration: a calibration rule
    would make its own observation one)."""
    plan = Plan.of_one(data, build_network(data))
    ranges = target_ranges(solve(plan, ranging=False), [(None, plan.cases[0].net, observations)])
    return {o.observation: (None, o.observation) in ranges and inside(o, *ranges[(None, o.observation)])
            for o in observations}


def _unfitted(o: Observation, before: float, after: float, fixed: bool = False) -> dict:
    """The Calibration row of an observation calibration does not fit: a test row (held out, predicted;
    fixed: an identity of the calibrated input, not scored) or an identity (no premium: the constraints
    hold it whatever the costs)."""
    test = o.role == Role.TEST
    what = f"{o.scope} {o.target}" + (f" ({o.commodity})" if o.commodity else "")
    return {"observation": o.observation, "role": o.role, "observed_in": o.scenario or "", "scope": o.scope,
            "target": o.target, "commodity": o.commodity or Blank.ALL, "observed_t": o.observed_t, "low_t": o.low_t,
            "high_t": o.high_t, "modelled_before_t": before, "modelled_after_t": after,
            "within_tolerance_after": _within(o, after), "implied_premium_usd_per_t": float("nan"),
            "held_by": (f"held out (test): predicted{' under ' + o.scenario if o.scenario else ''}, not fitted"
                        + ("; an identity, not scored" if fixed else "") if test
                        else "identity: within tolerance whatever the costs"),
            "in_words": (f"{what}: held out of calibration, predicted by the calibrated input." if test else
                         f"{what}: no premium identified: every allocation the model's demand, supply, capacities "
                         "and rules allow carries tonnes within its band, whatever the costs, so the observation "
                         "says nothing about the costs of its target.")}


def score_in_words(table: pd.DataFrame) -> str:
    """The Calibration table's score: the fit rows that are not identities within tolerance before and
    after; the identities, whose premiums no observation identifies; the test rows predicted (weighted
    error: sum |modelled - observed| / sum observed over them)."""
    tests = table[table["role"].eq(Role.TEST)]
    test = tests[~tests["held_by"].str.endswith("an identity, not scored")]
    ids = table[table["held_by"].str.startswith("identity")]
    fit = table.drop(index=[*tests.index, *ids.index])
    before = sum(_within(o, t) for o, t in zip(fit.itertuples(index=False), fit["modelled_before_t"], strict=True))
    error = weighted_error(pd.DataFrame({"error_t": test["modelled_after_t"] - test["observed_t"],
                                         "observed_t": test["observed_t"]}))
    return (f"{len(fit)} informative observations; within tolerance {before} before calibration, "
            f"{int(fit['within_tolerance_after'].sum())} after"
            + (f"; {len(ids)} identities not counted, and no premium for them, which no observation identifies: "
               f"{', '.join(ids['observation'])}" if len(ids) else "") + "."
            + (f" Predicted out of sample: {int(test['within_tolerance_after'].sum())} of {len(test)}, "
               + (f"weighted error {error:.1%}" if error == error else "no weighted error")
               + (f" ({len(tests) - len(test)} test identities not counted)" if len(tests) > len(test) else "") + "."
               if len(tests) else ""))


def implied_premiums(data: CorridorData, observations: list[Observation]) -> tuple[dict, dict]:
    """({observation: implied premium USD/t}, {observation: relaxed}) from the solve with every
    observation held in its band."""
    net = build_network(data)
    # Each band widened by a millionth of its observation: a band whose edge is exactly the most (or
    # least) the model can carry would otherwise have a dual anywhere between the premium and the
    # band penalty; a hair inside, it has one, the premium. (Within tolerance is judged on the band.)
    net.bands = [dataclasses.replace(o, tolerance_t=o.tolerance_t + WIDEN * max(1.0, o.observed_t))
                 for o in observations]
    net.band_penalty_usd_per_t = max(MIN_BAND_PENALTY_USD_PER_T, 10.0 * float(np.abs(net.cost_total).max(initial=0)))
    view = solve_plan(Plan.of_one(data, net), ranging=False).view()
    premium, relaxed = {}, {}
    for o in observations:
        miss = view.value(BAND_MISS.name, (o.observation, "short")) + view.value(BAND_MISS.name, (o.observation,
                                                                                              "excess"))
        relaxed[o.observation] = miss > 1e-6 * max(1.0, o.observed_t)
        premium[o.observation] = (view.dual(OBSERVATION_BAND.name, (o.observation, "low"))
                                  + view.dual(OBSERVATION_BAND.name, (o.observation, "high"))) + 0.0
    return premium, relaxed


def premium_in_words(o: Observation, premium: float, relaxed: bool, unreachable: str | None = None,
                     fix: str = "") -> str:
    """The premium in a sentence; a relaxed band with why (unreachable: why no flow can pass the
    target, model.input.validate.commitments.unreachable) or, without, the limits it meets."""
    what = f"{o.scope} {o.target}" + (f" ({o.commodity})" if o.commodity else "")
    if relaxed and unreachable:
        return f"{what}: the observed {o.observed_t / 1e6:,.2f} Mt cannot be reached: {unreachable}. {fix}"
    if relaxed:
        return (f"{what}: the observed {o.observed_t / 1e6:,.2f} Mt cannot be reached together with the other "
                "observations within the model's demand, supply and capacities; check the observation's definition "
                "and the inputs it depends on.")
    if abs(premium) <= 1e-6:
        return f"{what}: reproduced by the costs as they are."
    if premium > 0:
        return (f"shippers act as if {what} were {premium:,.2f} USD/t cheaper than its costs say: a contract, "
                "reliability or policy advantage the costs do not contain.")
    return (f"shippers act as if {what} were {-premium:,.2f} USD/t dearer than its costs say: a risk, delay or "
            "restriction the costs do not contain.")


def with_rows(data: CorridorData, sheet: str, rows: pd.DataFrame) -> CorridorData:
    """A copy of the data with rows appended to a sheet (row numbers after the sheet's last), typed
    as the reader types a sheet (model.input.read.typed_frame): a blank text cell is None. (A column
    of text and None built by pandas is a string column whose blank is NaN, which is truthy: a
    blank commodity filter would then be read as a filter named NaN.)"""
    if not len(rows):
        return data
    table = data.tables[sheet]
    start = int(table["_row"].max()) + 1 if len(table) else 2
    spec = SHEETS_BY_NAME[sheet]
    columns = {c.name: [v if present(v) else None for v in rows[c.name].tolist()] if c.name in rows.columns
               else [None] * len(rows) for c in spec.columns}
    added = typed_frame(spec, range(start, start + len(rows)), columns)
    tables = dict(data.tables)
    tables[sheet] = pd.concat([table, added[table.columns]], ignore_index=True) if len(table) else added
    return data.copy(tables=tables)


def without_calibration(data: CorridorData) -> tuple[CorridorData, dict[str, int]]:
    """The data without the rows an earlier calibration wrote (model.input.allocation.least_cost_fit), which
    calibrate replaces: premiums are implied against the costs without them.
    Returns it and the rows taken out by sheet."""
    mine = least_cost_fit(data)
    if not any(m.any() for m in mine.values()):
        return data, {}
    return without_rows(data, mine), {sheet: int(m.sum()) for sheet, m in mine.items() if m.any()}


def _check_calibrated(given: CorridorData, calibrated: CorridorData, kept_surcharges: int, kept_rules: int) -> None:
    """Raise InputError, before anything is written, when the calibrated input would not be valid:
    a row calibrate adds whose key a row of the input that calibrate did not write already has (a
    premium on a target with a surcharge of the user's own, a rule named as a calibration rule),
    named with the fix; then any other problem the validation finds."""
    problems = []
    for sheet, kept, fix in (
            ("Surcharges", kept_surcharges,
             f"If an earlier calibration wrote that row, set its source back to '{CALIBRATION}', so that calibrate "
             "replaces it; if it is a surcharge of your own, calibrate cannot write the premium beside it: fold it "
             "into the row yourself, or drop the observation, and calibrate again."),
            ("Policies", kept_rules, "Rename the rule: calibrate names its rules CAL_<observation>_MIN and _MAX.")):
        table, key = calibrated.tables[sheet], list(SHEETS_BY_NAME[sheet].key)
        keys = table[key].astype(object).where(table[key].notna(), None).apply(tuple, axis=1)
        theirs = dict(zip(keys.iloc[:kept], table[ROW].iloc[:kept], strict=True))
        for k in keys.iloc[kept:]:
            if k in theirs:
                what = ", ".join(str(v) for v in k if v is not None)
                problems.append(Problem(
                    f"calibrate would add a row with the same key ({what}), but this row was not written by corridor "
                    "calibrate" + (f" (its source is '{_source(table, theirs[k])}')" if sheet == "Surcharges" else
                                   " (its calibration cell is not TRUE)"),
                    fix, sheet=sheet, row=int(theirs[k]), key=what))
    if not problems:
        problems = [p for p in validate(calibrated) if p.severity == ERROR]
    if problems:
        raise InputError(str(given.source), problems)


def _source(table: pd.DataFrame, row: int) -> str:
    value = table.loc[table[ROW] == row, "source"].iloc[0]
    return value if present(value) else ""


def _modelled(data: CorridorData, net: Network) -> dict[str, float]:
    sol = solve(Plan.of_one(data, net), ranging=False)
    x = flow_tonnes(net, sol.view())
    return dict(zip((o.observation for o in net.observations), modelled(net, np.where(x > 1e-6, x, 0.0)), strict=True))


def _predicted(data: CorridorData) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Each observation's modelled tonnes on the solve of data; a test row observed in a scenario, on
    the solve of data with that scenario applied (model.steps.observed; nan: no optimum there); and
    what each target can carry at least and at most there (model.lp.reach)."""
    plan = Plan.of_one(data, build_network(data))
    sol = solve(plan, ranging=False)
    net = plan.cases[0].net
    x = flow_tonnes(net, sol.view())
    found = observed(plan, sol).get(None)
    got = dict(zip((o.observation for o in net.observations), modelled(net, np.where(x > 1e-6, x, 0.0)), strict=True))
    return ({o.observation: (found.predicted.get(o.observation, float("nan")) if found else float("nan"))
             if o.scenario else got[o.observation] for o in net.observations}, found.ranges if found else {})


def _within(o: Observation, t: float) -> bool:
    return o.low_t - 1e-6 * max(1.0, o.observed_t) <= t <= o.high_t + 1e-6 * max(1.0, o.observed_t)
