"""What the corridor command prints: the short summaries of a solve, a plan, a validation, a sweep,
a stress test, a comparison and a check, as text (the CLI prints them; tests read them)."""

from __future__ import annotations

import math
import textwrap

from model.errors import format_problems
from model.input.schema import Blank, PolicyKind
from model.network.names import beside
from model.results.bottlenecks import relaxing_words
from model.results.brief import focus_text, responses_line, rule_toll
from model.results.investments import least_cost_decisions
from model.results.money import PREMIUMS_LABEL, penalty_words, plan_money_text, set_by_penalty
from model.results.tables import ALL, Results


def warnings_text(source: str, warnings) -> str:
    return format_problems(source, warnings) if warnings else ""


def _scenario_line(s) -> str:
    return f"Scenario {s.scenario}" + (f", with {s.applied}" if s.applied else "") + f": {s.status}"


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
        s.money.text(),
        f"Shipped {s.shipped_t / 1e6:,.2f} Mt/yr at {s.average_usd_per_t:,.2f} USD/t of resource cost on average",
        co2e_line(s), *results.season_lines(), *s.choice_lines(), *s.range_texts(),
        *([f"Fit: {s.fit.text()}"] if s.fit.count else []),
        *([s.decisions.text()] if s.decisions.count else []),
        *[f"  {option}: {text}" for option, text in s.decisions.decisions],
        "",
        f"{'Corridor':<{w}}{'Mt/yr':>10}{'share':>9}",
    ]
    for rec in c.itertuples(index=False):
        lines.append(f"{rec.corridor:<{w}}{rec.tonnes_t / 1e6:>10,.2f}{rec.share:>9.1%}")
    lines.append("")
    money = s.money
    marks: set[str] = set()  # * a value the unmet-demand penalty sets, never read as a saving; + a resource cost
    b = results.bottlenecks
    resource = dict(zip(zip(b["kind"], b["name"].astype(str), strict=True), b.get("resource_saving_usd_per_t", []),
                        strict=True))

    def value(v: float, key: tuple, relaxing: str = "") -> str:
        r = resource.get(key, float("nan"))  # where calibration premiums make the objective's value differ: '+'
        shown, mark = ((v, "*") if set_by_penalty(v, money.penalty_usd_per_t, money.unmet_t) else
                       (r, "+") if r == r and abs(r - v) > 0.005 else (v, ""))
        marks.update(mark)  # no mark: nothing
        if relaxing:  # a policy rule: what relaxing it by a tonne does, in words, never a negative 'saves'
            return f"  {relaxing} {'saves' if shown >= 0 else 'costs'} {abs(shown):,.2f}{mark} USD"
        return f"{shown:>14,.2f}{mark}"

    if len(cap):
        lines.append(f"{'Binding capacity':<{w}}{'Mt/yr':>10}{s.value_header:>14}")
        for rec in cap.itertuples(index=False):
            name = rec.element + ("" if rec.cargo_class == Blank.ALL else f" [{rec.cargo_class}]")
            cls = "" if rec.cargo_class == Blank.ALL else f" for {rec.cargo_class}"  # as the Bottlenecks sheet names it
            lines.append(f"{name:<{w}}{(rec.capacity_t + rec.added_t) / 1e6:>10,.2f}"
                         f"{value(rec.shadow_price_usd_per_t, ('capacity', rec.name + cls))}"
                         + (f"  ({rec.added_t / 1e6:,.2f} Mt built)" if rec.added_t > 0 else "") + f"  {rec.name}")
    else:
        lines.append("No capacity is binding.")
    if len(built):  # under allocation choice, first whose decisions they are
        lines += ["", *least_cost_decisions(s.settings)]
        lines.append(f"{'Investment':<{w}}{'Mt/yr':>10}{'M USD/yr':>14}")
        for rec in built.itertuples(index=False):
            lines.append(f"{rec.option:<{w}}{rec.built_t / 1e6:>10,.2f}{rec.cost_usd / 1e6:>14,.1f}")
    if len(pol):
        lines += ["", f"{'Binding policy rule':<{w}}{'holds':>10}{s.value_header if s.choice else '':>14}".rstrip()]
        for rec in pol.itertuples(index=False):  # under least cost in words (a floor relaxed needs a tonne less)
            key = ("policy", f"{rec.rule} ({rec.applies_to})")
            said = (value(rule_toll(s, rec), key) + ("  per t CO2e" if rec.kind == PolicyKind.MAX_CO2_T else "")
                    if s.choice else value(rule_toll(s, rec), key, relaxing_words(rec.kind)))
            lines.append(f"{rec.rule + ' ' + rec.target:<{w}}{rule_amount(rec):>10}{said}  {rec.applies_to}")
    if marks:
        lines.append("")
    if "*" in marks:
        lines.append(f"* {penalty_words(money.penalty_usd_per_t)}.")  # type: ignore[arg-type]  # '*': set by one
    if "+" in marks:
        lines.append("+ in resource cost (what is paid, and what time, risk and carbon cost); the model's objective, "
                     "which counts calibration premiums, values it otherwise (Bottlenecks sheet).")
    focus = focus_text(results.sheets(), s.settings.focus or "") if s.settings else ""
    for said in (focus, responses_line(results.responses)):  # under route choice, what the focus attracts
        lines += ["", said] if said else []
    return "\n".join(lines)


def rule_amount(rec) -> str:
    """What a Policies row holds, in the rule's own measure: a share rule its share of the shipped
    tonnes ('50.0%'), a tonnes rule its tonnes ('1.06 Mt'), a CO2e cap its CO2e ('0.50 Mt CO2e')."""
    kind = PolicyKind(rec.kind)
    return (f"{rec.share_of_shipped:.1%}" if kind.is_share else f"{rec.co2e_t / 1e6:,.2f} Mt CO2e" if kind.is_co2
            else f"{rec.shipped_t / 1e6:,.2f} Mt")


def co2e_line(s) -> str:
    """'CO2e 12.34 Mt/yr (101.5 kg/t)', with the legs whose CO2e it leaves out."""
    return (f"CO2e {s.co2e_t / 1e6:,.2f} Mt/yr ({s.co2e_kg_per_t:,.1f} kg/t)"
            + (f"; leaves out {len(s.co2e_leaves_out)} leg(s) without distance_km" if s.co2e_leaves_out else ""))


def plan_text(results: Results) -> str:
    """The short summary of a plan of several years and/or scenarios."""
    s = results.summary
    money = plan_money_text(results.plan["Plan"], s.objective_means)  # type: ignore[index]  # a plan's results
    lines = [_scenario_line(s), *([money] if money else []),
             f"Objective {s.objective_usd / 1e6:,.1f} million USD (resource cost, calibration premiums and "
             f"unmet-demand penalty): {s.objective_means}", *s.choice_lines()]
    if s.decisions.count:
        lines.append(s.decisions.text())
        lines += [f"  {option}: {text}" for option, text in s.decisions.decisions]
    robust = {item: value for item, value, _ in s.robust}
    if "value of the stochastic solution" in robust:
        vss = robust["value of the stochastic solution"]
        lines.append(f"Robust over {s.robust_scenarios}; value of the stochastic solution: " +
                     (f"{vss / 1e6:,.1f} million USD" if isinstance(vss, float) else str(vss)) +
                     f" (the base-only plan builds {robust['base-only plan builds']})")
    plan = results.plan["Plan"]  # type: ignore[index]  # a plan's results
    heads = [("scenario", 16), ("year", 6), ("resource M USD/yr", 19), ("shipped Mt", 12), ("unmet Mt", 10),
             ("CO2e Mt", 10)]
    heads = [(h, w) for h, w in heads if h not in ("scenario", "year") or h in plan.columns]
    lines += ["", "".join(f"{h:>{w}}" for h, w in heads)]
    for rec in plan.to_dict("records"):
        cells = [c for c in (rec.get("scenario"), rec.get("year")) if c is not None] + [
            f"{rec['resource_cost_usd'] / 1e6:,.1f}", f"{rec['shipped_t'] / 1e6:,.2f}", f"{rec['unmet_t'] / 1e6:,.2f}",
            f"{rec['co2e_t'] / 1e6:,.2f}"]
        lines.append("".join(f"{c:>{w}}" for c, (_, w) in zip(cells, heads, strict=True)))
    inv = results.investments
    if "scenario" in inv.columns and len(inv):  # investments are shared by the scenarios: show them once
        inv = inv[inv["scenario"] == inv["scenario"].iloc[0]]
    built = inv[inv["built_t"] > 0] if len(inv) else inv
    lines += ["", *least_cost_decisions(results.summary.settings)]  # under allocation choice, whose decisions
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


def watched_columns(table) -> list[str]:
    """The columns of a sweep's table with the tonnes through what it sweeps and through the focus
    (model.analysis.params.watched_tonnes)."""
    return [c for c in table.columns if str(c).startswith("through ") and str(c).endswith("_t")]


def exact_text(ex, low: float, high: float, seconds: float, out, png) -> str:
    """Each breakpoint with the total cost there, and the tonnes through what is swept (and the
    focus) from there to the next breakpoint."""
    lines = [f"{ex.param}: {int(ex.breakpoints['breakpoint'].sum())} breakpoints in [{_plain(low)}, {_plain(high)}], "
             f"{ex.solves} solves, {seconds:.2f} s"]
    segments = getattr(ex, "segments", None)
    watched = watched_columns(segments) if segments is not None else []
    for i, rec in enumerate(ex.breakpoints.itertuples(index=False)):
        line = f"  {_plain(rec.value):>16}  objective {rec.objective_usd / 1e6:,.3f} million USD/yr"
        if watched and i < len(segments):  # type: ignore[arg-type]  # watched: segments given
            seg = segments.iloc[i]  # type: ignore[union-attr]  # watched: segments given
            line += "; " + ", ".join(f"{c.removesuffix('_t')} {seg[c] / 1e6:,.2f} Mt/yr" for c in watched) + \
                f" up to {_plain(seg['to'])}"
        lines.append(line)
    lines.append(f"\nWorkbook: {out}\nChart: {png}")
    return "\n".join(lines)


def sweep_text(points, seconds: float, out, pngs, points_file) -> str:
    solved = int((points["status"] == "Optimal").sum())
    rebuilt = int(points["rebuilt"].sum())
    ok = points[points["status"] == "Optimal"]
    lines = [f"{len(points)} points, {solved} solved, {rebuilt} rebuilt, {seconds:.2f} s "
             f"({len(points) / seconds:,.0f} points/s)" if seconds else f"{len(points)} points"]
    if len(ok):
        low, high = ok["resource_cost_usd"].min() / 1e6, ok["resource_cost_usd"].max() / 1e6
        lines.append(f"Resource cost from {low:,.1f} to {high:,.1f} million USD/yr"
                     + (f"; up to {ok['unmet_t'].max() / 1e6:,.2f} Mt unmet" if ok["unmet_t"].max() > 0.5 else ""))
        for c in watched_columns(ok):
            lines.append(f"Tonnes {c.removesuffix('_t')} from {ok[c].min() / 1e6:,.2f} to {ok[c].max() / 1e6:,.2f} "
                         "Mt/yr")
    if rebuilt:
        lines.append(f"{rebuilt} point(s) changed the model's structure and were rebuilt from the data.")
    invalid = points[points["status"] == "Invalid input"] if "invalid_input" in points.columns else points.iloc[0:0]
    if len(invalid):
        lines.append(f"{len(invalid)} point(s) not solved, not being an input the workbook takes (column invalid_input"
                     f" of the Points sheet); the first: {invalid['invalid_input'].iloc[0]}.")
    lines.append(f"\nWorkbook: {out}\nCharts: {', '.join(str(p) for p in pngs)}\nPoints (for --resume): {points_file}")
    return "\n".join(lines)


def stress_text(table, out, png, limit: int = 40) -> str:
    """Each closure (the first `limit` that leave an allocation, and the rest counted), then each
    closure that leaves none, with why, in the workbook's rows."""
    failed = table["status"] != "Optimal" if "status" in table.columns else table["closed"].isna()
    shown = table[~failed].head(limit)
    labels = dict(zip(table["closed"], closed_labels(table), strict=True))
    width = max([26] + [len(c) + 2 for c in labels.values()])  # long corridor names keep the columns
    lines = [f"{'Closed':<{width}}{'stranded Mt':>12}{'resource cost +M USD/yr':>25}  cargo moved to"]
    for rec in table[failed].itertuples(index=False):
        lines.append(f"{labels[rec.closed]:<{width}}{'no allocation at all: see below':>37}")
    for rec in shown.itertuples(index=False):  # a closure solved otherwise (calibration rules off) says so: reason
        lines.append(f"{labels[rec.closed]:<{width}}{rec.stranded_t / 1e6:>12,.2f}{rec.cost_increase_usd / 1e6:>25,.1f}"
                     f"  {rec.moved_to}" + (f"  [{rec.reason}]" if isinstance(getattr(rec, "reason", 0), str) else ""))
    if (~failed).sum() > len(shown):
        lines.append(f"(+{int((~failed).sum()) - len(shown)} more: see the workbook)")
    reasons: dict[str, list[str]] = {}
    for rec in table[failed].itertuples(index=False):
        reasons.setdefault(getattr(rec, "reason", None) or f"HiGHS: {rec.status}", []).append(labels[rec.closed])
    for reason, names in reasons.items():
        lines += ["", f"Closing {' or '.join(names)} leaves no allocation, even with stranded tonnes:",
                  *[f"  {line.strip()}" for line in reason.splitlines()]]
    lines.append("(resource cost: what is paid, and what time, risk and carbon cost; stranded tonnes are counted "
                 "in tonnes, not priced at the penalty)")
    lines.append(f"\nWorkbook: {out}\nChart: {png}")
    return "\n".join(lines)


def closed_labels(table) -> list[str]:
    """What each row of a stress table closed: its code with its name beside it (model.network.names)."""
    names = table["name"] if "name" in table.columns else table["closed"]
    return [beside(str(c), n) for c, n in zip(table["closed"], names, strict=True)]


def compare_text(table, about, names: list[str], out, png, focus: str | None = None) -> str:
    """Each case's totals side by side (a plan's by year), the tonnes through the focus of the
    Settings (0 included: Pakistan carrying nothing is an answer), and why a case has no optimum."""
    lines = [f"{'':26}" + "".join(f"{n[:17]:>18}" for n in names)]
    objective = table[table["metric"] == "objective"]
    plan = len(objective) and objective["unit"].iloc[0] == "USD"
    # money in its kinds (model.results.money): the resource cost; premiums and penalty (a price chosen) apart
    if plan:
        rows = [("objective", "objective (M USD)")]
        rows += [(m, f"{m} (M USD/yr)" if m.startswith(("resource cost", "unmet demand penalty")) else f"{m} (Mt/yr)")
                 for m in table["metric"] if m.startswith(("resource cost ", "unmet demand ", "CO2e "))]
    else:
        rows = [("resource cost", "resource cost (M USD/yr)"), (PREMIUMS_LABEL, "premiums (M USD/yr)"),
                ("shipped", "shipped (Mt/yr)"), ("unmet demand", "stranded (Mt/yr)"),
                ("unmet demand penalty", "penalty (M USD/yr)"), ("objective", "objective (M USD/yr)"),
                ("CO2e", "CO2e (Mt/yr)")]
    scope, _, name = (focus or "").partition(" ")
    watched = {"country": f"via {name.strip()}", "corridor": f"corridor: {name.strip()}"}.get(scope)
    rows += [(m, f"{m.removeprefix('corridor: ')[:18]} (Mt/yr)") for m in table["metric"]
             if watched and (m == watched or m.startswith(watched + " "))]
    for metric, label in rows:
        row = table[table["metric"] == metric]
        if len(row):
            lines.append(f"{label:26}" + "".join(f"{row.iloc[0][n] / 1e6:>18,.1f}" for n in names))
    for rec in about[about["status"] != "Optimal"].itertuples(index=False):
        w = textwrap.shorten(str(rec.overrides), 240, placeholder=" ... (the Scenarios sheet of the workbook says all)")
        lines.append(f"{rec.scenario}: {rec.status}. {w}")
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
        lines.append(f"{result}: every constraint, cost, share, CO2e and map tonnes recomputed from the flows "
                     f"holds against {input_name}." if mapped else f"{result}: every constraint, cost, share and "
                     f"CO2e recomputed from the flows holds against {input_name}; it has no Map sheet, so no map "
                     "tonnes were checked.")
    return "\n".join(lines)


def generate_text(out, flows: int, years: int, scenarios: int) -> str:
    cases = years * (scenarios + 1)
    return (f"Synthetic case with about {flows:,} flow variables per year and scenario"
            + (f" ({cases} cases, about {flows * cases:,} in a robust plan)" if cases > 1 else "")
            + f" written: {out}" + (f"\nSolve the robust plan with: corridor solve {out} --robust all"
                                    if scenarios else ""))


def interrupted_text(committed: list) -> str:
    """What Ctrl-C leaves: every output is complete or absent (model.report.output); committed: the
    files the command renamed into place before it."""
    written = ", ".join(str(p) for p in committed)
    return "Interrupted; " + (f"written before the interruption: {written}." if written else "no output was written.")


def calibration_text(table, out) -> str:
    """What corridor calibrate found: its score (model.analysis.calibrate.score_in_words), each
    observation, its fit before and after, its premium."""
    from model.analysis.calibrate import score_in_words

    lines = [score_in_words(table), "",
             f"{'observation':<16}{'observed Mt':>12}{'before Mt':>11}{'after Mt':>10}{'premium USD/t':>15}  held by"]
    for rec in table.itertuples(index=False):
        premium = "" if rec.implied_premium_usd_per_t != rec.implied_premium_usd_per_t else \
            f"{rec.implied_premium_usd_per_t:+,.2f}"
        lines.append(f"{rec.observation[:15]:<16}{rec.observed_t / 1e6:>12,.2f}{rec.modelled_before_t / 1e6:>11,.2f}"
                     f"{rec.modelled_after_t / 1e6:>10,.2f}{premium:>15}  {rec.held_by}")
    lines += ["", *[f"- {text}" for text in table["in_words"] if "act as if" in text or "cannot be reached" in text],
              "", f"Calibrated input: {out}"]
    return "\n".join(lines)


def monotone_texts(values: list[float], rising: bool, decimals: int = 2, more: int = 2) -> list[str]:
    """A series that can only rise (or only fall) as text that does too: a step against the direction
    smaller than the solver's tolerance (1e-6 of the value) is shown as no step, every figure is
    rounded half up alike (65.935 is 65.94 wherever it stands), and a value that would read the same
    as the next larger or smaller value of the series gets up to `more` decimals more: 65.9349, 65.9351."""
    values = [float(v) for v in values]
    for i in range(1, len(values)):
        step = values[i] - values[i - 1] if rising else values[i - 1] - values[i]
        if -1e-6 * max(1.0, abs(values[i])) <= step < 0:
            values[i] = values[i - 1]

    def text(v: float, d: int) -> str:
        return f"{math.floor(v * 10 ** d + 0.5) / 10 ** d:,.{d}f}"

    distinct = sorted(set(values))
    shown = {}
    for k, v in enumerate(distinct):  # one text per value, its decimals told apart from the values beside it
        near = distinct[max(k - 1, 0):k] + distinct[k + 1:k + 2]
        d = decimals
        while d < decimals + more and any(text(w, d) == text(v, d) for w in near):
            d += 1
        shown[v] = text(v, d)
    return [shown[v] for v in values]


def frontier_text(table, target, optimum: float, out, png) -> str:
    """The frontier's points: extra resource cost (model.results.money), the calibration premiums
    given up (behaviour, not money), best target and (tonnes only) its share of the shipped tonnes;
    CO2e has no share of tonnes. optimum: the least-cost point's resource cost. The targets shown
    never go against the frontier's direction."""
    unit = table.attrs.get("unit", "t")
    table = table.rename(columns=lambda c: c.replace("_total", ""))
    mt = "Mt CO2e" if target.co2 else "Mt"
    what = target.text if target.co2 else f"tonnes of {target.text}"
    ok_table = table[table["status"] == "Optimal"]
    premiums0 = float(ok_table["calibration_premiums_usd"].iloc[0]) if len(ok_table) else 0.0
    lines = [f"{'Most' if target.maximise else 'Least'} {what} for each extra resource cost over the least cost "
             f"({optimum / 1e6:,.1f} million USD of resource cost):", "",
             f"{'extra resource cost':>22}{'premiums':>12}{mt:>10}" + ("" if target.co2 else f"{'share':>9}")]
    records = table.to_dict("records")
    ok = [rec for rec in records if rec["status"] == "Optimal"]
    shown = dict(zip(map(id, ok), monotone_texts([rec["target_t"] / 1e6 for rec in ok], target.maximise), strict=True))
    before = None  # the last optimal point shown
    for rec in records:
        if rec["status"] != "Optimal":
            lines.append(f"{'':>22}  {rec['status']} (objective allowance "
                         f"{rec['objective_allowance_usd'] / 1e6:,.1f} M)")
            continue
        line = (f"{rec['extra_resource_cost_usd'] / 1e6:>12,.1f} M{rec['extra_cost_of_least_cost']:>8.2%}"
                f"{(rec['calibration_premiums_usd'] - premiums0) / 1e6:>10,.1f} M"
                f"{shown[id(rec)]:>10}" + ("" if target.co2 else f"{rec['target_share']:>9.1%}"))
        if before is not None and abs(rec["target_t"] - before["target_t"]) <= 1e-6 * max(1.0, abs(before["target_t"])):
            line += (f"  (an allowance of {rec['objective_allowance_usd'] / 1e6:,.1f} M buys no more: "
                     "the most there is)")
        lines.append(line)
        before = rec
    lines.append("(premiums: the change in calibration premiums, behaviour and not money; the model trades them "
                 "against the resource cost, so a point can cost less in resource cost than the least-cost one)")
    if unit != "t":
        lines.append("(tonnes over the plan: each year weighted by the years it stands for)")
    return "\n".join(lines + ["", f"Workbook: {out}", f"Chart: {png}"])
