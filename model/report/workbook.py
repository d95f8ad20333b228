"""The result workbook a planner opens and forwards: the Summary, then every table of
model.results, each with a note, units in the headers, number formats, frozen headers and set
widths; the Corridors sheet with native bar charts. Written with XlsxWriter in constant_memory mode
(model.report.result_book.ResultBook)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from model.input.csv_cells import write_csv
from model.network.names import names_in
from model.report.maps.palette import corridor_colours, series_colours
from model.report.maps.sheet import map_sheet as add_map_sheet
from model.report.output import Outputs, writing
from model.report.result_book import BOLD, NOTE, RIGHT, TITLE, Cells, ResultBook, chart_axes, wo_table
from model.results.brief import brief_of
from model.results.fit import SCORE_NOTE
from model.results.investments import least_cost_decisions
from model.results.responses import ResponseRow
from model.results.summary import UNIT_FORMATS
from model.results.tables import ALL, Results

SHEET_NOTES = {
    "Plan": "Each year (and scenario) of the plan: its cost in that year, and that cost weighted by the years it "
            "stands for and discounted to the first year. The objective adds the weighted costs (times each "
            "scenario's probability). Shadow prices, reduced costs and marginal costs on the other sheets are per "
            "tonne in that year's money.",
    "Robust": "Each scenario's weighted, discounted cost under the robust plan (investments chosen for all "
              "scenarios at once) and under the plan made for the base case alone (its investments fixed, flows "
              "re-optimised in each scenario). The expected difference is the value of the stochastic solution.",
    "Bottlenecks": "Binding capacities, policy rules and supply limits, ranked by what one more tonne would save "
                   "a year, with how far that value holds (HiGHS ranging).",
    "Fit": "Each observation of what moved (Observations sheet) against the tonnes the model sends through its "
           "target; within tolerance when the error is at most the tolerance.",
    "Flows": "Tonnes per year of each commodity on each route used, with the cost per tonne in its parts and the "
             "CO2e it emits (well to wheel, per tonne and per year).",
    "Emissions": "Well-to-wheel CO2e of the cargo moved: in total, then by corridor, country, commodity and route "
                 "(legs: distance x g CO2e per tonne-km, the mode's default where blank; nodes: kg CO2e per tonne "
                 "handled). A country counts the whole route's CO2e of the cargo that passes it, as the Countries "
                 "sheet counts tonnes, so its rows add to more than the total.",
    "Seasons": "Each season's capacities (what: capacity), with the tonnes through them, the slack and what one more "
               "tonne of capacity in that season would save (USD/t); then the tonnes of each route and commodity in "
               "each season (what: flow). A season's capacity is its own Capacities row, or the annual figure x the "
               "season's share; added capacity counts x the share too.",
    "Responses": "Under route choice (Settings allocation choice), what the focus of the Settings attracts: its tonnes "
                 "at today's costs (attracted today); the tonnes each USD/t cut in a port's handling adds (per USD/t "
                 "cut: the choice allocation with the handling 1 USD/t down and up, half the difference); where "
                 "they come from (diversion: each corridor's change per USD/t cut, and the part of it through the "
                 "focus); its tonnes at cuts from 0 to 150 USD/t (curve; a cut beyond the handling is a subsidy); "
                 "and the limits that bind on its routes (held by), whose tolls take up a cut as far as they hold. "
                 "What is built stays as the least-cost solution builds it.",
    "Ranges": "corridor solve --uncertainty N: each headline over N draws of the Uncertainty sheet (its inputs "
              "across their plausible ranges, the Summary's 'ranges drawn over'): the median and the 5% and 95% "
              "values in the unit given, the base case's own value (every input at its base, solved as a draw is: "
              "the draws need not straddle it), the draws that gave it a value, for the focus's tonnes the share of "
              "the draws with cargo (probability), and the input that moves it most: the largest rank correlation, "
              "named only when it reaches 0.4 in size (else 'no single input moves it much'), with its change "
              "per standard deviation where a linear fit explains at least 20% of the spread. The spread of "
              "the answer over the inputs' ranges, not a confidence interval of a statistic.",
    "Corridors": "Tonnes and share by corridor, for all commodities and per commodity.",
    "Countries": "Tonnes passing through each country, its own market's cargo included (the Routes sheet's "
                 "market_country tells a country's own from transit). Shares add to more than 100%: a route crosses "
                 "several.",
    "Capacity": "Shadow price: what one more tonne of annual capacity would save per year (USD/t); it holds "
                "while capacity stays between valid from and valid to.",
    "Routes": "Every route and commodity it may carry. Reduced cost: how much cheaper per tonne the route must "
              "become before it is used; break-even cost: the cost per tonne at which it starts to be used. The "
              "allocation stays the same while the route's cost stays within its cost range.",
    "Demand": "Marginal cost: what one more tonne of demand at the market would cost (USD/t).",
    "Supply": "Value of more supply: what one more tonne of export allowance would save (USD/t).",
    "Investments": "Capacity the model chose to add (in a plan: in service in each year). Utilisation: of the "
                   "capacity row it adds to, built capacity included. Capacity value: what a tonne of added "
                   "capacity saves a year (the shadow price of the capacity it adds to). Reduced cost: for an "
                   "option not built, how much "
                   "its annualised cost must fall before it is built; for one built to its limit, minus what one "
                   "more tonne of allowance would save.",
    "Policies": "Value, bound and slack are measured as 'measured in' says: a share of shipped tonnes, tonnes, or "
                "tonnes of CO2e (max_co2_t). Saving per tonne relaxed: what allowing one more tonne (of CO2e for "
                "max_co2_t) through the rule's target, or one less required, would save per year.",
}
# The same sheets' notes under route choice (allocation choice, model.results.choice): the shadow prices are
# tolls and there is no LP basis to range. Only sheets with a note above have one here (read_results skips it).
CHOICE_SHEET_NOTES = {
    "Bottlenecks": "Full capacities, binding rules and supply limits, ranked by their toll: what a tonne through "
                   "them pays in generalised cost under route choice, the price that sends the cargo they cannot take "
                   "to other routes. No ranging: there is no LP basis under route choice.",
    "Flows": "Tonnes per year of each commodity on each route carrying more than 0.5 t (route choice: the others are "
             "counted in every total and listed on the Routes sheet), with its share of its demand row, its cost per "
             "tonne in its parts, the tolls of the full rows it passes and its generalised cost (cost plus tolls).",
    "Capacity": "Shadow price: under route choice, the toll a tonne through a full capacity pays in generalised cost; "
                "0 where there is room. Valid from and to: for a capacity with room, down to what is used; a full "
                "one's toll is of its limit alone (no ranging under route choice).",
    "Routes": "Every route and commodity it may carry, with its share of its demand row under route choice: a logit "
              "in generalised cost (cost plus the tolls of the full rows it passes), so every open route carries "
              "some. Above cheapest: how far its generalised cost is above its demand row's cheapest route's.",
    "Demand": "Marginal cost: under route choice, what a tonne of the demand row costs on average in generalised "
              "cost (cost plus tolls), split as its tonnes are.",
    "Supply": "Value of more supply: under route choice, the toll of a supply at its limit (USD/t).",
    "Seasons": "Each season's capacities (what: capacity), with the tonnes through them, the slack and, under route "
               "choice, the toll a tonne through a full one pays in that season (USD/t); then the tonnes of each "
               "route and commodity in each season (what: flow), for the routes the Flows sheet lists. A season's "
               "capacity is its own Capacities row, or the annual figure x the season's share.",
    "Policies": "Value, bound and slack are measured as 'measured in' says. Saving per tonne relaxed: under route "
                "choice, the toll a tonne subject to the rule pays in generalised cost while the rule binds.",
}


def _summary_sheet(wb: ResultBook, results: Results) -> None:
    """The Summary: a one-page brief a reader can forward (model.results.brief), then every figure
    as item, value, unit (what corridor check reads back), with the provenance at the bottom."""
    summary = results.summary_table()
    brief = brief_of(results.sheets())
    ws = wb.create_sheet("Summary")
    cells = Cells(ws)
    ws.width(1, 34)
    ws.width(2, 64)
    ws.width(3, 12)
    ws.append([cells.styled(brief.title, style=TITLE)])
    ws.append([cells.styled("The brief below reads on its own; the figures under it, and the other sheets, hold "
                            "the detail.", style=NOTE)])
    ws.append([])
    for line in brief.headline:
        ws.append(cells.row([line], [None]))  # a line may begin with a name or an option id: text kept
    row = 4 + len(brief.headline)
    table = brief.corridors
    if len(table):
        ws.append([])
        ws.append([cells.styled("Tonnes by corridor", style=BOLD)])
        years = [c for c in table.columns if c not in ("corridor", "tonnes_t", "share")]
        heads = ["corridor", *([c.removesuffix("_t") + " (Mt/yr)" for c in years] if years else ["Mt/yr", "share"])]
        ws.append(cells.header(heads))
        first = row + 3
        for rec in table.to_dict("records"):
            values = [rec[c] / 1e6 for c in years] if years else [rec["tonnes_t"] / 1e6, rec["share"]]
            ws.append(cells.row([rec["corridor"], *values], [None, *(["#,##0.00"] * len(years) if years
                                                                     else ["#,##0.00", "0.0%"])]))
        chart = wb.add_chart("bar")
        chart.set_title({"name": "Mt/yr by corridor"})
        for j in range(len(years) or 1):
            chart.add_series({"name": ws.range(2 + j, first - 1, first - 1)[:3],
                              "values": ws.range(2 + j, first, first + len(table) - 1),
                              "categories": ws.range(1, first, first + len(table) - 1)})
        chart_axes(chart, max(6.0, 0.5 * (len(table) + 3)), 16)
        chart.set_x_axis({"num_format": "#,##0", "name": "Mt/yr"})  # the values' axis (chart_axes)
        if not years:
            chart.set_legend({"none": True})
        ws.ws.insert_chart(f"E{first - 1}", chart)
        row = first + len(table) - 1
    for heading, lines in (("What holds it back", brief.bottlenecks),
                           ("Focus (setting focus)", [brief.focus] if brief.focus else [])):
        if lines:
            ws.append([])
            ws.append([cells.styled(heading, style=BOLD)])
            for line in lines:
                ws.append(cells.row([line], [None]))
    ws.append([])
    ws.append([cells.styled("Figures", style=BOLD)])
    ws.append(cells.header(["item", "value", "unit"]))
    for item, value, unit in summary.itertuples(index=False):
        if unit in UNIT_FORMATS and isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.append(cells.row([item], [None]) + [cells.styled(value, UNIT_FORMATS[unit][0], style=RIGHT)]
                      + cells.row([unit], [None]))
        else:
            ws.append(cells.row([item, value, unit], [None] * 3))


def _corridor_pivot(results: Results) -> tuple[pd.DataFrame, str]:
    """Tonnes by corridor (rows) and commodity, or by year for a plan (base scenario)."""
    c = results.corridors
    if "scenario" in c.columns:
        c = c[c["scenario"] == c["scenario"].iloc[0]] if len(c) else c
    if "year" in c.columns:
        overall = c[c["commodity"] == ALL]
        pivot = overall.pivot_table(index="corridor", columns="year", values="tonnes_t", aggfunc="sum", fill_value=0.0)
        order = overall.groupby("corridor")["tonnes_t"].sum().sort_values(ascending=False).index
        return pivot.reindex(order).fillna(0.0), "Tonnes per year by corridor and year (t/yr)"
    overall = c[c["commodity"] == ALL]
    pivot = (c[c["commodity"] != ALL].pivot_table(index="corridor", columns="commodity", values="tonnes_t",
                                                   aggfunc="sum", fill_value=0.0)
             .reindex(overall["corridor"]).fillna(0.0))
    return pivot.rename(columns=names_in(results.routes)), "Tonnes per year by corridor and commodity (t/yr)"


def _corridors_sheet(wb: ResultBook, results: Results) -> None:
    """The Corridors table; below it, tonnes by corridor and commodity (or year); to the right,
    bar charts of tonnes by corridor, all commodities, and stacked by commodity (clustered by
    year for a plan)."""
    ws, cells = wo_table(wb, "Corridors", results.corridors, SHEET_NOTES.get("Corridors"))
    pivot, title = _corridor_pivot(results)
    n = len(pivot)
    if n == 0:
        return
    first = 4  # the table's header is row 3 (after the note); data from row 4
    top = first + len(results.corridors) + 3
    ws.append([])
    ws.append([])
    ws.append([cells.styled(title, style=BOLD)])
    table = pivot.reset_index()
    ws.append(cells.header([str(col) for col in table.columns]))
    for values in table.itertuples(index=False, name=None):
        ws.append(cells.row(values, [None] + ["#,##0"] * (len(values) - 1)))
    anchor = get_column_letter(max(len(table.columns), len(results.corridors.columns)) + 2)
    plan = "year" in results.corridors.columns
    if not plan:
        chart = wb.add_chart("bar")
        chart.set_title({"name": "Tonnes by corridor, all commodities"})
        colours = corridor_colours(list(results.corridors.iloc[:n]["corridor"]))  # each bar in its map colour
        chart.add_series({"name": ws.range(3, first - 1, first - 1)[:3], "values": ws.range(3, first, first + n - 1),
                          "categories": ws.range(2, first, first + n - 1),
                          "points": [{"fill": {"color": colours[name]}}
                                     for name in results.corridors.iloc[:n]["corridor"]]})
        chart_axes(chart)
        chart.set_legend({"none": True})
        ws.ws.insert_chart(f"{anchor}3", chart)
    stacked = wb.add_chart("bar", None if plan else "stacked")
    stacked.set_title({"name": "Tonnes by corridor and year" if plan else "Tonnes by corridor and commodity"})
    for j, colour in enumerate(series_colours(pivot.shape[1])):  # Excel's repeat after six
        stacked.add_series({"name": ws.range(2 + j, top, top)[:3], "values": ws.range(2 + j, top + 1, top + n),
                            "categories": ws.range(1, top + 1, top + n), "fill": {"color": colour},
                            **({} if plan else {"overlap": 100})})
    chart_axes(stacked)
    stacked.set_legend({"position": "bottom"})
    ws.ws.insert_chart(f"{anchor}{3 if plan else 24}", stacked)


def _fit_sheet(wb: ResultBook, results: Results) -> None:
    """The Fit table and, beside it, observed against modelled tonnes for each observation."""
    fit = results.fit
    ws, _ = wo_table(wb, "Fit", fit, SHEET_NOTES["Fit"] + " " + results.summary.fit.text() + ". " + SCORE_NOTE)
    n = len(fit)
    cols = list(fit.columns)
    chart = wb.add_chart("bar")
    chart.set_title({"name": "Observed and modelled tonnes"})
    for name in ("observed_t", "modelled_t"):
        j = cols.index(name) + 1
        chart.add_series({"name": ws.range(j, 3, 3)[:3], "values": ws.range(j, 4, 3 + n),
                          "categories": ws.range(cols.index("observation") + 1, 4, 3 + n)})
    chart_axes(chart, max(10, 0.6 * n))
    ws.ws.insert_chart(f"{get_column_letter(len(cols) + 2)}3", chart)


def _responses_sheet(wb: ResultBook, results: Results) -> None:
    """The Responses table and, beside it, the focus's tonnes against the cut at its ports: a line for each
    port (and the ports together), from the table's curve rows (each port's rows are one run)."""
    r = results.responses
    ws, _ = wo_table(wb, "Responses", r, SHEET_NOTES["Responses"])
    cols = list(r.columns)
    cut, tonnes = cols.index("cut_usd_per_t") + 1, cols.index("tonnes_t") + 1
    curve = r["what"].astype(str).to_numpy() == ResponseRow.CURVE
    chart = wb.add_chart("scatter", "straight")
    chart.set_title({"name": "Tonnes through the focus against a cut at its ports"})
    for name in dict.fromkeys(r.loc[curve, "name"]):
        at = np.flatnonzero(curve & (r["name"].to_numpy() == name)) + 4  # the table's data from row 4
        chart.add_series({"name": str(name), "categories": ws.range(cut, int(at[0]), int(at[-1])),
                          "values": ws.range(tonnes, int(at[0]), int(at[-1]))})
    chart.set_x_axis({"name": "cut, USD/t"})
    chart.set_y_axis({"name": "t/yr", "num_format": "#,##0"})
    chart.set_legend({"position": "bottom"})
    ws.ws.insert_chart(f"{get_column_letter(len(cols) + 2)}3", chart)


# The sheets whose figures are duals, reduced costs or ranges: with integer decisions, of the LP with
# the decisions fixed, and they say so.
DUAL_SHEETS = ("Bottlenecks", "Capacity", "Routes", "Demand", "Supply", "Policies", "Investments")
DECISIONS_NOTE = ("Options are built whole, in modules or with a fixed cost (a mixed-integer program): the shadow "
                  "prices, reduced costs and ranges here are from the LP with the build decisions fixed at the "
                  "optimum's, so they value a tonne on the network those decisions build.")

RESULT = "solve"  # the kind of output a result workbook is (model.report.output)


def routes_csv_path(path: Path) -> Path:
    """<result>_routes.csv beside the result workbook (setting routes_csv)."""
    return Path(path).with_name(Path(path).stem + "_routes.csv")


def write_results(results: Results, path: Path, input_path: Path | None = None, outputs: Outputs | None = None,
                  force: bool = False, map_sheet=None) -> Path:
    """The result workbook a planner opens and forwards, written with XlsxWriter's constant_memory mode
    (rows streamed to the file, memory flat in the number of rows), through the output guard
    (model.report.output; into the caller's Outputs if given). A Routes table longer than the setting
    routes_sheet_rows is cut there; with routes_csv, every route goes to <result>_routes.csv beside it.
    map_sheet: the Map sheet after the Summary (model.report.maps.sheet.MapSheet)."""
    path = Path(path)
    with writing(outputs, RESULT, [input_path], force) as out:
        tmp = out.claim(path)
        csv = routes_csv_path(path)
        if results.routes_csv:
            write_csv(results.routes, out.claim(csv, companion_of=path))
        else:  # an earlier run's routes beside this workbook would be read as this run's
            out.retire(csv, companion_of=path)
        _write_workbook(results, tmp, csv, map_sheet)
    return path


def _write_workbook(results: Results, tmp: Path, csv: Path, map_sheet=None) -> None:
    notes = {**SHEET_NOTES, **(CHOICE_SHEET_NOTES if results.summary.choice else {})}
    routes, routes_note = results.routes, notes["Routes"]
    if len(routes) > results.routes_sheet_rows:
        used = routes["tonnes_t"] > 0
        # The used routes in their order, then the unused ones by reduced cost (stable): only the
        # positions are sorted, and only the rows kept are copied (a million routes, a few thousand kept).
        rc = routes.get("reduced_cost_usd_per_t", routes.get("above_cheapest_usd_per_t")).to_numpy()
        unused = np.flatnonzero(~used.to_numpy())
        keep = np.concatenate([np.flatnonzero(used.to_numpy()), unused[np.argsort(rc[unused], kind="stable")]])
        routes = routes.iloc[keep[: results.routes_sheet_rows]]
        where = (f"Every route is in {csv.name}, beside this workbook." if results.routes_csv else
                 "For every route, set routes_csv to TRUE in Settings (or raise routes_sheet_rows).")
        routes_note = (f"{len(routes):,} of {len(results.routes):,} routes: the ones used, then the unused ones "
                       f"closest to being used (lowest reduced cost). {where} " + routes_note)
    wb = ResultBook(tmp, RESULT)
    try:
        _summary_sheet(wb, results)
        if map_sheet is not None:
            add_map_sheet(wb, map_sheet)
        for name, df in results.sheets().items():
            if name == "Summary":
                continue
            if name == "Sources":
                if len(df.columns):
                    wo_table(wb, "Sources", df, labels=False)
                else:
                    wb.create_sheet("Sources")
            elif name == "Corridors":
                _corridors_sheet(wb, results)
            elif name == "Fit":
                _fit_sheet(wb, results)
            elif name == "Responses":
                _responses_sheet(wb, results)
            elif name == "Routes":
                wo_table(wb, name, routes, (DECISIONS_NOTE + " " if results.summary.decisions.count else "")
                         + routes_note)
            else:
                note = notes.get(name)
                if name == "Investments":  # under allocation choice, whose decisions these are
                    note = " ".join([*least_cost_decisions(results.summary.settings), *([note] if note else [])])
                if results.summary.decisions.count and name in DUAL_SHEETS:
                    note = DECISIONS_NOTE + " " + (note or "")
                wo_table(wb, name, df, note)
        wb.save()
    except BaseException:
        wb.discard()
        raise
