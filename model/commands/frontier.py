"""corridor frontier: the cost of a target traced by model.analysis.frontier, then its workbook and chart
written."""

from __future__ import annotations

from model.analysis.frontier import frontier, parse_costs, parse_target


def frontier_to_workbook(src, target_text: str, maximise: bool, cost_within: str, output, exact: bool = False,
                         scenario: str | None = None, force: bool = False):
    """corridor frontier: the table, its workbook and PNG chart (all or none, through the output
    guard); returns (warnings, the text to print)."""
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
            plan, warnings = load(src, scenario)
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
