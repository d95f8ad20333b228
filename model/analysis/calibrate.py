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
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model.data import CorridorData
from model.errors import InputError, Problem
from model.lp.families import BAND_MISS, OBSERVATION_BAND
from model.lp.solve import solve_plan
from model.network import Network, Observation
from model.network.build import build_network
from model.network.costs import CALIBRATION_SOURCE
from model.pipeline import load_one_year, solve
from model.plan import Plan
from model.results.fit import modelled
from model.results.tables import flow_tonnes

MIN_BAND_PENALTY_USD_PER_T = 1e4  # and at least ten times the dearest route
NUDGE_USD_PER_T = 0.01  # added to a premium written as a surcharge, so that costs do not tie
WIDEN = 1e-6  # the bands of the premium solve, widened by this share of the observation
CALIBRATION = CALIBRATION_SOURCE  # the source written on the rows calibration adds (their costs: premiums)
CALIBRATION_COLUMNS = ["observation", "scope", "target", "commodity", "observed_t", "low_t", "high_t", "modelled_before_t",
           "modelled_after_t", "within_tolerance_after", "implied_premium_usd_per_t", "held_by", "in_words"]


@dataclass
class Calibration:
    table: pd.DataFrame  # the Calibration sheet
    data: CorridorData  # the calibrated input: the input with the Surcharges and Policies rows added
    surcharges: pd.DataFrame  # the rows added to the Surcharges sheet
    rules: pd.DataFrame  # the calibration rules added to the Policies sheet


def calibrate(path: Path) -> Calibration:
    data, net, _ = load_one_year(path)
    if not net.observations:
        raise InputError(str(path), [Problem(
            "has no observations to calibrate to: the Observations sheet is missing or has no rows",
            "Add an Observations sheet with what moved in the base year (observation, scope, target, commodity, "
            "observed_t, tolerance_pct or tolerance_t, source); 'corridor template' writes one with its headers.",
            sheet="Observations")])
    obs = net.observations
    before = _modelled(data, net)
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
    calibrated = calibrated.copy(settings=calibrated.settings.replace(scenario_name=f"{data.scenario_name} (calibrated)"))
    after = _modelled(calibrated, build_network(calibrated))
    rows = []
    for o in obs:
        p, gone = premium[o.observation], relaxed[o.observation]
        held = ("relaxed: cannot be held together with the other observations and the model's limits" if gone
                else "calibration rule" if o in keep
                else "costs (surcharge)" if abs(p) > 1e-6
                else "already within its tolerance" if _within(o, before[o.observation])
                else "costs (the other observations' surcharges)")
        rows.append({"observation": o.observation, "scope": o.scope, "target": o.target,
                     "commodity": o.commodity or "all", "observed_t": o.observed_t, "low_t": o.low_t,
                     "high_t": o.high_t, "modelled_before_t": before[o.observation],
                     "modelled_after_t": after[o.observation], "within_tolerance_after": _within(o, after[o.observation]),
                     "implied_premium_usd_per_t": float("nan") if gone else p, "held_by": held,
                     "in_words": premium_in_words(o, p, gone)})
    table = pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)
    table = table.reindex(table["implied_premium_usd_per_t"].abs().sort_values(ascending=False,
                                                                               na_position="last").index)
    return Calibration(table.reset_index(drop=True), calibrated, surcharges, rules)


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


def premium_in_words(o: Observation, premium: float, relaxed: bool) -> str:
    what = f"{o.scope} {o.target}" + (f" ({o.commodity})" if o.commodity else "")
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
    """A copy of the data with rows appended to a sheet (row numbers after the sheet's last)."""
    if not len(rows):
        return data
    table = data.tables[sheet]
    start = int(table["_row"].max()) + 1 if len(table) else 2
    added = rows.reindex(columns=[c for c in table.columns if c != "_row"]).assign(
        _row=range(start, start + len(rows)))
    tables = dict(data.tables)
    tables[sheet] = pd.concat([table, added[table.columns]], ignore_index=True)
    return data.copy(tables=tables)


def _modelled(data: CorridorData, net: Network) -> dict[str, float]:
    sol = solve(Plan.of_one(data, net), ranging=False)
    x = flow_tonnes(net, sol.view())
    return dict(zip((o.observation for o in net.observations), modelled(net, np.where(x > 1e-6, x, 0.0))))


def _within(o: Observation, t: float) -> bool:
    return o.low_t - 1e-6 * max(1.0, o.observed_t) <= t <= o.high_t + 1e-6 * max(1.0, o.observed_t)


def calibrate_to_workbook(src: Path, output: Path, force: bool = False) -> str:
    """corridor calibrate: the calibrated input workbook (the input, its Surcharges and Policies rows
    added, and a Calibration sheet); returns the text to print."""
    from model.io import console
    from model.io.input_workbook import input_tables, write_input_workbook
    from model.io.output import Outputs

    Outputs("calibrate", [src], force).check(output)
    cal = calibrate(src)
    tables = {**input_tables(cal.data), "Calibration": cal.table}
    write_input_workbook(tables, output, settings=cal.data.settings.given(), kind="calibrate", inputs=[src],
                         force=force)
    return console.calibration_text(cal.table, output)
