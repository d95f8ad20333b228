"""corridor frontier: the cost of a target traced by model.analysis.frontier, then its workbook and chart
written."""

from __future__ import annotations

from model.analysis.frontier import frontier, parse_costs, parse_target


def frontier_to_workbook(src, target_text: str, maximise: bool, cost_within: str, output, exact: bool = False,
                         scenario: str | None = None, force: bool = False, allocation: str | None = None):
    """corridor frontier: the table, its workbook and PNG chart (all or none, through the output
    guard); returns (warnings, the text to print). Least cost only: allocation choice (of --allocation
    or the Settings sheet) is refused before anything is solved (least_cost_only)."""
    import time
    from pathlib import Path

    from model.progress import live_line
    from model.report import console
    from model.report.books import about_table, write_frontier
    from model.report.charts import frontier_png
    from model.report.output import Outputs
    from model.results.summary import Provenance
    from model.steps import load, solve

    output = Path(output)
    with Outputs("frontier", [src], force) as outputs:
        outputs.check(output)
        start = time.perf_counter()
        with live_line("solving the case") as phases:
            least_cost_only(None, src, allocation)  # --allocation choice: refused before the input is read
            plan, warnings = load(src, scenario, allocation=allocation)
            least_cost_only(plan.data, src, allocation)
            target = parse_target(target_text, maximise, plan)
            sol = solve(plan)
            extras = parse_costs(cost_within, sol.objective_usd, exact)
            phases("the frontier's points")
            table, solves = frontier(plan, sol, target, extras, exact)
        seconds = time.perf_counter() - start
        money = "USD/yr" if plan.single else "USD, discounted"
        about = about_table(Provenance.of(src, plan.data.sha256), [
            ("target", f"{'most' if maximise else 'least'} "
                + (target.text if target.co2 else f"tonnes of {target.text}") + (
                "" if plan.single else " over the plan (each year weighted by the years it stands for)")),
            ("least cost (objective)", f"{sol.objective_usd:,.0f} {money}"),
            ("extra cost allowed (on the objective)", cost_within),
            ("scenario", scenario or "base case"), ("method", "exact breakpoints" if exact else (
                "each point a MIP (options built whole)" if sol.mip is not None else "one LP per point")),
            ("points", len(table)), ("solves", solves), ("seconds", round(seconds, 3))])
        write_frontier(outputs, output, about, table, target.text)
        png = frontier_png(outputs, table, target.text, output.with_suffix(""))
    usd = "_usd" if plan.single else "_usd_total"
    ok = table[table["status"] == "Optimal"]
    least = float((ok["resource_cost" + usd] - ok["extra_resource_cost" + usd]).iloc[0]) if len(ok) else float("nan")
    return warnings, console.frontier_text(table, target, least, output, png)


def least_cost_only(data, src, allocation: str | None) -> None:
    """The frontier traces the cheapest allocation at each extra cost: with allocation choice, refused in
    one problem that names the option (or the Settings row) and the fix."""
    from model.errors import InputError, Problem
    from model.input.schema import Allocation

    if (allocation or (data.settings.allocation if data is not None else None)) != Allocation.CHOICE:
        return
    what = ("the frontier traces the least-cost allocation at each extra cost; the route-choice (logit) split has "
            "no such frontier")
    if allocation is not None or data is None:
        raise InputError("--allocation", [Problem(f"choice: {what}", "Leave out --allocation choice, or give "
                                                  "--allocation least_cost.")])
    raise InputError(str(src), [Problem(f"allocation is choice: {what}", "Run corridor frontier --allocation "
                                        "least_cost to trace this input's least-cost frontier.", sheet="Settings",
                                        row=data.setting_rows.get("allocation"), key="allocation", column="value")])
