"""What the corridor command prints: the short summaries of a solve, a plan, a validation, a sweep,
a stress test, a comparison and a check, as text (the CLI prints them; tests read them)."""

from __future__ import annotations

from model.errors import format_problems
from model.results.brief import focus_text
from model.results.tables import ALL, Results


def warnings_text(source: str, warnings) -> str:
    return format_problems(source, warnings) if warnings else ""


def _scenario_line(s) -> str:
    return f"Scenario {s.scenario}" + (f", with {s.applied}" if s.applied else "") + f": {s.status}"


def cost_parts_text(s) -> str:
    """'transport 6,960.0, handling ..., unmet demand penalty 66,290.0': every part of the objective,
    so that they add up to it (the penalty and the investments included when there are any)."""
    parts = list(s.parts_usd.items())
    parts += [(name, v) for name, v in (("unmet demand penalty", s.unmet_penalty_usd), ("investment", s.investment_usd))
              if abs(v) > 0.5]
    return ", ".join(f"{part} {value / 1e6:,.1f}" for part, value in parts)


def solve_text(results: Results) -> str:
    """The short summary printed after a solve."""
    if results.plan:
        return plan_text(results)
    s = results.summary
    c = results.corridors
    c = c[c["commodity"] == ALL]
    cap = results.capacity.loc[results.capacity["binding"].astype(bool)]
    pol = results.policies.loc[results.policies["binding"].astype(bool)]
    inv = results.investments
    built = inv[inv["built_t"] > 0] if len(inv) else inv
    names = ([*c["corridor"], *cap["element"], *built.get("option", []), *(pol["rule"] + " " + pol["target"])])
    w = max([28, *(len(str(n)) + 2 for n in names)])  # long names keep the columns aligned
    lines = [
        _scenario_line(s),
        f"Total cost {s.objective_usd / 1e6:,.1f} million USD/yr ({cost_parts_text(s)})",
        f"Shipped {s.shipped_t / 1e6:,.2f} Mt/yr; unmet {s.unmet_t / 1e6:,.2f} Mt/yr; "
        f"average {s.average_usd_per_t:,.2f} USD/t",
        co2e_line(s),
        *([f"Fit: {s.fit.text()}"] if s.fit.count else []),
        *([s.decisions.text()] if s.decisions.count else []),
        *[f"  {option}: {text}" for option, text in s.decisions.decisions],
        "",
        f"{'Corridor':<{w}}{'Mt/yr':>10}{'share':>9}",
    ]
    for rec in c.itertuples(index=False):
        lines.append(f"{rec.corridor:<{w}}{rec.tonnes_t / 1e6:>10,.2f}{rec.share:>9.1%}")
    lines.append("")
    if len(cap):
        lines.append(f"{'Binding capacity':<{w}}{'Mt/yr':>10}{'saves USD/t':>14}")
        for rec in cap.itertuples(index=False):
            name = rec.element + ("" if rec.cargo_class == "all" else f" [{rec.cargo_class}]")
            lines.append(f"{name:<{w}}{(rec.capacity_t + rec.added_t) / 1e6:>10,.2f}"
                         f"{rec.shadow_price_usd_per_t:>14,.2f}" + (f"  ({rec.added_t / 1e6:,.2f} Mt built)"
                                                                  if rec.added_t > 0 else "") + f"  {rec.name}")
    else:
        lines.append("No capacity is binding.")
    if len(built):
        lines.append("")
        lines.append(f"{'Investment':<{w}}{'Mt/yr':>10}{'M USD/yr':>14}")
        for rec in built.itertuples(index=False):
            lines.append(f"{rec.option:<{w}}{rec.built_t / 1e6:>10,.2f}{rec.cost_usd / 1e6:>14,.1f}")
    if len(pol):
        lines.append("")
        lines.append(f"{'Binding policy rule':<{w}}{'share':>10}{'saves USD/t':>14}")
        for rec in pol.itertuples(index=False):
            lines.append(f"{rec.rule + ' ' + rec.target:<{w}}{rec.share_of_shipped:>10.1%}"
                         f"{rec.saving_usd_per_t:>14,.2f}"
                         + ("  per t CO2e" if rec.kind == "max_co2_t" else ""))
    focus = focus_text(results.sheets(), s.settings.focus or "") if s.settings else ""
    if focus:
        lines += ["", focus]
    return "\n".join(lines)


def co2e_line(s) -> str:
    """'CO2e 12.34 Mt/yr (101.5 kg/t)', with the legs whose CO2e it leaves out."""
    return (f"CO2e {s.co2e_t / 1e6:,.2f} Mt/yr ({s.co2e_kg_per_t:,.1f} kg/t)"
            + (f"; leaves out {len(s.co2e_leaves_out)} leg(s) without distance_km" if s.co2e_leaves_out else ""))


def plan_text(results: Results) -> str:
    """The short summary of a plan of several years and/or scenarios."""
    s = results.summary
    lines = [_scenario_line(s), f"Objective {s.objective_usd / 1e6:,.1f} million USD: {s.objective_means}"]
    if s.decisions.count:
        lines.append(s.decisions.text())
        lines += [f"  {option}: {text}" for option, text in s.decisions.decisions]
    robust = {item: value for item, value, _ in s.robust}
    if "value of the stochastic solution" in robust:
        vss = robust["value of the stochastic solution"]
        lines.append(f"Robust over {s.robust_scenarios}; value of the stochastic solution: " +
                     (f"{vss / 1e6:,.1f} million USD" if isinstance(vss, float) else str(vss)) +
                     f" (the base-only plan builds {robust['base-only plan builds']})")
    plan = results.plan["Plan"]
    heads = [("scenario", 16), ("year", 6), ("M USD/yr", 12), ("shipped Mt", 12), ("unmet Mt", 10), ("CO2e Mt", 10)]
    heads = [(h, w) for h, w in heads if h not in ("scenario", "year") or h in plan.columns]
    lines += ["", "".join(f"{h:>{w}}" for h, w in heads)]
    for rec in plan.to_dict("records"):
        cells = [c for c in (rec.get("scenario"), rec.get("year")) if c is not None] + [
            f"{rec['annual_cost_usd'] / 1e6:,.1f}", f"{rec['shipped_t'] / 1e6:,.2f}", f"{rec['unmet_t'] / 1e6:,.2f}",
            f"{rec['co2e_t'] / 1e6:,.2f}"]
        lines.append("".join(f"{c:>{w}}" for c, (_, w) in zip(cells, heads)))
    inv = results.investments
    if "scenario" in inv.columns and len(inv):  # investments are shared by the scenarios: show them once
        inv = inv[inv["scenario"] == inv["scenario"].iloc[0]]
    built = inv[inv["built_t"] > 0] if len(inv) else inv
    lines.append("")
    if len(built):
        lines.append("Capacity in service" + (" (shared by every scenario)" if "scenario" in inv.columns else "") + ":")
        for rec in built.to_dict("records"):
            when = f"in {rec['year']}" if "year" in rec else ""
            lines.append(f"  {rec['option']:<26}{when:>10}{rec['built_t'] / 1e6:>10,.2f} Mt/yr")
    else:
        lines.append("No capacity is built.")
    return "\n".join(lines)


def validate_text(source: str, plan, warnings) -> str:
    net = plan.cases[0].net
    years = f" in {plan.periods[0].year} (the first of {len(plan.periods)} planned years)" if plan.multi_year else ""
    return (f"{source}: valid. {len(net.routes)} enabled routes, {len(net.flows)} flow variables, "
            f"{len(net.demand_rows)} demand rows, {len(net.capacity_rows)} capacities, "
            f"{len(net.policy_limits)} policy limits{years}; {len(warnings)} warning(s).")


def _plain(v: float) -> str:
    """A parameter value without scientific notation: 55,230,000 rather than 5.523e+07."""
    return f"{v:,.0f}" if abs(v) >= 1e6 else f"{v:,.6g}"


def exact_text(ex, low: float, high: float, seconds: float, out, png) -> str:
    lines = [f"{ex.param}: {int(ex.breakpoints['breakpoint'].sum())} breakpoints in [{_plain(low)}, {_plain(high)}], "
             f"{ex.solves} solves, {seconds:.2f} s"]
    lines += [f"  {_plain(rec.value):>16}  total cost {rec.objective_usd / 1e6:,.3f} million USD/yr"
              for rec in ex.breakpoints.itertuples(index=False)]
    lines.append(f"\nWorkbook: {out}\nChart: {png}")
    return "\n".join(lines)


def sweep_text(points, seconds: float, out, pngs, points_file) -> str:
    solved = int((points["status"] == "Optimal").sum())
    rebuilt = int(points["rebuilt"].sum())
    ok = points[points["status"] == "Optimal"]
    lines = [f"{len(points)} points, {solved} solved, {rebuilt} rebuilt, {seconds:.2f} s "
             f"({len(points) / seconds:,.0f} points/s)" if seconds else f"{len(points)} points"]
    if len(ok):
        low, high = ok["objective_usd"].min() / 1e6, ok["objective_usd"].max() / 1e6
        lines.append(f"Total cost from {low:,.1f} to {high:,.1f} million USD/yr")
    if rebuilt:
        lines.append(f"{rebuilt} point(s) changed the model's structure and were rebuilt from the data.")
    lines.append(f"\nWorkbook: {out}\nCharts: {', '.join(str(p) for p in pngs)}\nPoints (for --resume): {points_file}")
    return "\n".join(lines)


def stress_text(table, out, png) -> str:
    shown = table.head(15)
    width = max([26] + [len(str(c)) + 2 for c in shown["closed"]])  # long corridor names keep the columns
    lines = [f"{'Closed':<{width}}{'stranded Mt':>12}{'cost +M USD/yr':>16}  cargo moved to"]
    for rec in shown.itertuples(index=False):
        lines.append(f"{rec.closed:<{width}}{rec.stranded_t / 1e6:>12,.2f}{rec.cost_increase_usd / 1e6:>16,.1f}  "
                     f"{rec.moved_to}")
    lines.append(f"\nWorkbook: {out}\nChart: {png}")
    return "\n".join(lines)


def compare_text(table, about, names: list[str], out, png) -> str:
    lines = [f"{'':26}" + "".join(f"{n[:17]:>18}" for n in names)]
    objective = table[table["metric"] == "objective"]
    plan = len(objective) and objective["unit"].iloc[0] == "USD"
    rows = [("objective", "total cost (M USD)" if plan else "total cost (M USD/yr)")]
    if plan:
        rows += [(m, f"{m} (M USD/yr)" if m.startswith("cost") else f"{m} (Mt/yr)") for m in table["metric"]
                 if m.startswith(("cost ", "unmet demand ", "CO2e "))]
    else:
        rows += [("shipped", "shipped (Mt/yr)"), ("unmet demand", "stranded (Mt/yr)"), ("CO2e", "CO2e (Mt/yr)")]
    for metric, label in rows:
        row = table[table["metric"] == metric]
        if len(row):
            lines.append(f"{label:26}" + "".join(f"{row.iloc[0][n] / 1e6:>18,.1f}" for n in names))
    for rec in about[about["status"] != "Optimal"].itertuples(index=False):
        lines.append(f"{rec.scenario}: {rec.status} (see the Scenarios sheet of the workbook)")
    lines.append(f"\nWorkbook: {out}\nChart: {png}")
    return "\n".join(lines)


def check_text(result, input_name, violations: list[str], notes: list[str], mapped: bool = True) -> str:
    from model.analysis.check import NOT_CHECKED

    lines = list(notes)
    unchecked = [v[len(NOT_CHECKED):] for v in violations if v.startswith(NOT_CHECKED)]
    violations = [v for v in violations if not v.startswith(NOT_CHECKED)]
    if unchecked:  # never confirmed: the result is not said to hold
        lines.append(f"{result}: {len(unchecked)} check(s) could not be run, so the result is not confirmed:")
        lines += [f"  {v}" for v in unchecked]
    if violations:
        lines.append(f"{result}: {len(violations)} violation(s) beyond tolerance (relative 1e-6):")
        lines += [f"  {v}" for v in violations[:200]]
        if len(violations) > 200:
            lines.append(f"  (+{len(violations) - 200} more)")
    elif unchecked:
        lines.append(f"{result}: the checks that could be run hold against {input_name}; the result is not "
                     "confirmed (see above).")
    else:
        lines.append(f"{result}: every constraint, cost, share, CO2e and map tonnes recomputed from the flows holds against "
                     f"{input_name}." if mapped else f"{result}: every constraint, cost, share and CO2e recomputed from "
                     f"the flows holds against {input_name}; it has no Map sheet, so no map tonnes were checked.")
    return "\n".join(lines)


def generate_text(out, flows: int, years: int, scenarios: int) -> str:
    cases = years * (scenarios + 1)
    return (f"Synthetic case with about {flows:,} flow variables per year and scenario"
            + (f" ({cases} cases, about {flows * cases:,} in a robust plan)" if cases > 1 else "")
            + f" written: {out}" + (f"\nSolve the robust plan with: corridor solve {out} --robust all"
                                    if scenarios else ""))


def interrupted_text() -> str:
    """What Ctrl-C leaves: every output is complete or absent (model.io.output)."""
    from model.io.output import COMMITTED

    written = ", ".join(str(p) for p in COMMITTED)
    return "Interrupted; " + (f"written before the interruption: {written}." if written else "no output was written.")


def calibration_text(table, out) -> str:
    """What corridor calibrate found: each observation, its fit before and after, its premium."""
    before = int((table["modelled_before_t"].sub(table["observed_t"]).abs()
                  <= (table["high_t"] - table["observed_t"]) * (1 + 1e-9) + 1e-6).sum())
    lines = [f"{len(table)} observations; within tolerance {before} before calibration, "
             f"{int(table['within_tolerance_after'].sum())} after.", "",
             f"{'observation':<16}{'observed Mt':>12}{'before Mt':>11}{'after Mt':>10}{'premium USD/t':>15}  held by"]
    for rec in table.itertuples(index=False):
        premium = "" if rec.implied_premium_usd_per_t != rec.implied_premium_usd_per_t else \
            f"{rec.implied_premium_usd_per_t:+,.2f}"
        lines.append(f"{rec.observation[:15]:<16}{rec.observed_t / 1e6:>12,.2f}{rec.modelled_before_t / 1e6:>11,.2f}"
                     f"{rec.modelled_after_t / 1e6:>10,.2f}{premium:>15}  {rec.held_by}")
    lines += ["", *[f"- {text}" for text in table["in_words"] if "act as if" in text or "cannot be reached" in text],
              "", f"Calibrated input: {out}"]
    return "\n".join(lines)


def frontier_text(table, target, optimum: float, out, png) -> str:
    """The frontier's points: extra cost, best target, its share."""
    unit = table.attrs.get("unit", "t")
    table = table.rename(columns=lambda c: c.replace("_total", ""))
    mt = "Mt CO2e" if target.co2 else "Mt"
    what = target.text if target.co2 else f"tonnes of {target.text}"
    lines = [f"{'Most' if target.maximise else 'Least'} {what} for each extra cost over the least cost "
             f"({optimum / 1e6:,.1f} million USD):", "",
             f"{'extra cost':>14}{'':>8}{mt:>10}{'share':>9}"]
    for rec in table.to_dict("records"):
        if rec["status"] != "Optimal":
            lines.append(f"{rec['extra_cost_usd'] / 1e6:>12,.1f} M{rec['extra_cost_of_least_cost']:>8.1%}  {rec['status']}")
            continue
        lines.append(f"{rec['extra_cost_usd'] / 1e6:>12,.1f} M{rec['extra_cost_of_least_cost']:>8.2%}"
                     f"{rec['target_t'] / 1e6:>10,.2f}{rec['target_share']:>9.1%}")
    if unit != "t":
        lines.append("(tonnes over the plan: each year weighted by the years it stands for)")
    return "\n".join(lines + ["", f"Workbook: {out}", f"Chart: {png}"])
