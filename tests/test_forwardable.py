"""A result a planner can forward: the Summary's brief, names beside codes, readers' columns first
with notes on the analyst's, the console's parts adding up, and the small things that made a result
hard to read (units, formats, ticks, progress bars in logs, the template's drop-downs)."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from cases import nodes, transport_case, write_case
from conftest import BASE_XLSX, ROOT
from openpyxl import load_workbook

from model import pipeline
from model.cli import main
from model.input.schema import MAX_USD_PER_T
from model.report.charts import tick_texts
from model.report.console import solve_text
from model.report.read_results import read_results
from model.results.brief import brief_of

pytestmark = pytest.mark.slow  # the forwarded outputs of the base case end to end: left out of the fast loop

README = (ROOT / "README.md").read_text()


def named_case(tmp_path, **overrides):
    """The two-route case with names: Astana (KZ) to Mumbai via Karachi (PK) by road, or by rail direct."""
    tables = transport_case(
        Countries=[{"country": "KZ", "name": "Kazakhstan"}, {"country": "PK", "name": "Pakistan"}],
        Nodes=[{**n, "name": name, "country": c} for n, name, c in zip(
            nodes(("A", "origin"), ("R", "hub"), ("M", "market")), ("Astana", "Karachi", "Market: Mumbai"),
            ("KZ", "PK", "KZ"), strict=True)],
        Commodities=[{"commodity": "coal", "name": "Thermal coal", "cargo_class": "dry_bulk"}], **overrides)
    return write_case(tmp_path, tables, settings={"focus": "country PK", "scenario_name": "Two routes"})


def test_the_brief_reads_on_its_own(tmp_path):
    case = named_case(tmp_path)
    run = pipeline.run(case, tmp_path / "r.xlsx")
    brief = brief_of(read_results(tmp_path / "r.xlsx"))  # from the written workbook alone
    assert brief.title == "Two routes — solved from case"  # the scenario and the input it came from
    # 100 t by rail at 2 USD/t: 200 USD of resource cost, in its parts
    assert brief.headline[1] == ("Resource cost 0.0 million USD/yr (transport 0.0, handling 0.0, time 0.0, risk 0.0, "
                                 "carbon 0.0); unmet 0 t")
    assert list(brief.corridors["corridor"]) == ["Rail"]
    # Pakistan (the road via Karachi) is unused: its route costs 5 against 2, so 3 USD/t above break-even
    assert brief.focus == ("Pakistan: not used. Its nearest route, ROAD (Thermal coal, Astana → Karachi → Mumbai), "
                           "costs 5.00 USD/t and is 3.00 USD/t above its break-even (2.00 USD/t): that is the cut it "
                           "needs before any cargo moves to it.")
    assert brief_of(run.results.sheets()).focus == brief.focus  # the same from the tables as solved


@pytest.mark.parametrize("focus", ["country Pakistan", "country pakistan", "Country PK"])
def test_a_focus_by_name_reads_as_by_code(tmp_path, focus):
    case = named_case(tmp_path, Capacities=[{"element": "A>M", "capacity_t": 60}])
    settings = case / "Settings.csv"
    settings.write_text(settings.read_text().replace("country PK", focus))
    run = pipeline.run(case)
    assert brief_of(run.results.sheets()).focus == "Pakistan: 40 t a year go through it (40.0% of shipped tonnes)."


def test_a_focus_in_use_gives_its_tonnes(tmp_path):
    # Rail limited to 60 t: 40 t go by road, through Pakistan, 40% of the 100 t shipped.
    run = pipeline.run(named_case(tmp_path, Capacities=[{"element": "A>M", "capacity_t": 60}]))
    assert brief_of(run.results.sheets()).focus == "Pakistan: 40 t a year go through it (40.0% of shipped tonnes)."


def test_the_console_parts_add_up_with_a_penalty(tmp_path):
    # Only 60 t can move (rail full, road closed); 40 t unmet at 1,000 USD/t: 120 + 40,000 = 40,120 USD.
    case = write_case(tmp_path, transport_case(
        Routes=[{"route": "RAIL", "corridor": "Rail", "path": "A>M"}],
        Capacities=[{"element": "A>M", "capacity_t": 60}]), settings={"unmet_penalty_usd_per_t": 1000})
    r = pipeline.run(case).results
    line = solve_text(r).splitlines()[1]
    assert line == ("Resource cost 0.0 million USD/yr (transport 0.0, handling 0.0, time 0.0, risk 0.0, carbon 0.0); "
                    "unmet 40 t (priced at 1,000 USD/t, the penalty chosen in Settings: 0.0 million USD/yr of the "
                    "objective, not a cost)")
    s = r.summary
    assert s.money.resource_usd == pytest.approx(120) and s.money.penalty_usd == pytest.approx(40000)
    assert s.objective_usd == pytest.approx(s.money.objective_usd) == pytest.approx(40120)


def test_the_brief_says_when_a_bottlenecks_value_is_the_penalty(tmp_path):
    # Rail full at 60 t, road closed: 40 t unmet at 1,000 USD/t. A tonne more rail capacity saves
    # 1,000 - 2 = 998 USD: the penalty's value, which the brief must name as such.
    case = write_case(tmp_path, transport_case(
        Routes=[{"route": "RAIL", "corridor": "Rail", "path": "A>M"}],
        Capacities=[{"element": "A>M", "capacity_t": 60}]), settings={"unmet_penalty_usd_per_t": 1000})
    run = pipeline.run(case, tmp_path / "r.xlsx")
    for brief in (brief_of(run.results.sheets()), brief_of(read_results(tmp_path / "r.xlsx"))):
        assert brief.bottlenecks[0].startswith(
            "One more tonne a year of capacity at A>M (now 60 t) is worth 998.00 USD a year, set by the "
            "unmet-demand penalty of 1,000 USD/t chosen in Settings (it delivers a stranded tonne), not a cost saved")
        assert "saves" not in brief.bottlenecks[0]
    met = pipeline.run(write_case(tmp_path / "met", transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}])))
    assert not any("unmet-demand penalty" in line for line in brief_of(met.results.sheets()).bottlenecks)


def test_unmet_demand_elsewhere_does_not_claim_the_bottlenecks(tmp_path):
    # The base case with 20 times its wheat demand at a penalty of 5,000 USD/t: wheat goes unmet for
    # want of supply, so a tonne more wheat supply is worth the penalty less its route's cost
    # (4,936.13 USD), while the BTC contract (26.29 USD/t in resource cost) keeps its base-case value, far
    # below the penalty: the brief names the supply as the penalty's, not the contract.
    from conftest import BASE_XLSX
    from openpyxl import load_workbook

    wb = load_workbook(BASE_XLSX)
    settings = {r[0].value: r[1] for r in wb["Settings"].iter_rows(min_row=2)}
    settings["unmet_penalty_usd_per_t"].value = 5000
    demand = wb["Demand"]
    head = [c.value for c in demand[1]]
    for row in demand.iter_rows(min_row=2):
        if row[head.index("commodity")].value == "wheat":
            row[head.index("demand_t")].value *= 20
    wb.save(tmp_path / "hungry.xlsx")
    run = pipeline.run(tmp_path / "hungry.xlsx")
    assert run.results.summary.unmet_t > 1e7
    brief = brief_of(run.results.sheets())
    assert "is worth 4,936.13 USD a year, set by the unmet-demand penalty of 5,000 USD/t" in brief.bottlenecks[0]
    assert "BTC_MIN" in brief.bottlenecks[1] and "saves 26.29 USD a year in resource cost" in brief.bottlenecks[1]
    assert list(run.results.bottlenecks["set_by"].head(2)) == ["unmet-demand penalty", "cost"]


def test_long_corridor_names_keep_the_console_aligned(tmp_path):
    long = "A corridor with a name much longer than twenty-eight characters"
    case = write_case(tmp_path, transport_case(Routes=[{"route": "RAIL", "corridor": long, "path": "A>M"},
                                                       {"route": "ROAD", "corridor": "Road", "path": "A>R>M"}]))
    lines = solve_text(pipeline.run(case).results).splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("Corridor"))
    assert len({len(line) for line in lines[head:head + 2]}) == 1  # header and row end at the same column
    assert lines[head + 1].startswith(long + "  ")


def test_names_beside_codes_and_readers_columns_first(base_run, base_result_file):
    flows = base_run.results.flows
    assert list(flows.columns[:5]) == ["cargo", "from", "to", "corridor", "via"]
    cpc = flows[flows["route"] == "ATY-CPC-MEU"].iloc[0]
    assert (cpc["cargo"], cpc["from"], cpc["to"]) == ("Crude oil and condensate", "Atyrau / Tengiz oil region",
                                                       "European Union")
    assert list(base_run.results.capacity.columns[:2]) == ["name", "cargo_class"]
    countries = base_run.results.countries.set_index("country")
    # listed, at the 0.05 Mt the calibration rule of observation 19 lets through
    assert countries.loc["PK", "name"] == "Pakistan" and countries.loc["PK", "tonnes_t"] == pytest.approx(50000)
    ws = load_workbook(base_result_file)["Routes"]
    header = {c.value: c for c in ws[3]}
    assert "more than" not in str(header["reduced cost (USD/t)"].comment) and header["reduced cost (USD/t)"].comment
    assert header["cargo"].comment is None  # a reader's column needs no note
    policies = load_workbook(base_result_file)["Policies"]
    head = [c.value for c in policies[3]]
    saving = head.index("saving (USD/t)") + 1  # per tonne, not per year, and with its decimals
    assert policies.cell(row=4, column=saving).number_format == "#,##0.00"


def test_a_stress_table_with_long_corridor_names_stays_aligned():
    from model.report.console import stress_text

    table = pd.DataFrame({"closed": ["Russia: Caspian (Makhachkala) crossing", "CPT"], "stranded_t": [1e6, 2e6],
                          "cost_increase_usd": [3e6, 4e6], "moved_to": ["", ""]})
    lines = stress_text(table, "o.xlsx", "o.png").splitlines()[:3]
    ends = {line.index("stranded Mt") + len("stranded Mt") if i == 0 else line.index(".00") + 3
            for i, line in enumerate(lines)}
    assert len(ends) == 1, lines  # the stranded column ends at one place on every line


def test_an_exact_sweep_of_a_capacity_prints_plain_numbers():
    # A capacity in tonnes printed with .6g read 5.523e+07; now 55,230,000 (and a cost keeps its decimals).
    from types import SimpleNamespace

    from model.report.console import exact_text

    ex = SimpleNamespace(param="Capacities[CPT].capacity_t", solves=3, breakpoints=pd.DataFrame(
        {"value": [0.0, 55_230_000.0, -82.04], "objective_usd": [1e9, 2e9, 3e9], "breakpoint": [1, 1, 1]}))
    text = exact_text(ex, 0.0, 60_000_000.0, 0.5, "out.xlsx", "out.png")
    assert "e+0" not in text and "55,230,000" in text and "[0, 60,000,000]" in text and "-82.04" in text


def test_bottleneck_limits_read_as_written(tmp_path):
    r = pipeline.run(BASE_XLSX, scenario="russia_cap_2025").results
    b = r.bottlenecks.set_index("name")
    assert b.loc["RU_CAP (country Russia)", "limit"] == "50%"
    # With seasons a capacity binds season by season: its limit is that season's tonnes, not a year's.
    winter = "Capacities row 10: Dostyk / Alashankou rail crossing handles at most 4,000,000 t in season winter " \
             "(the annual figure x 0.333333)"
    assert b.loc[winter, "limit"] == "4.00 Mt in the season" and b.loc[winter, "unit"] == "t in the season"
    assert b.loc[winter, "in_words"].startswith("One tonne more room in ")
    assert b.loc["CAL_19_MAX (country Pakistan)", "limit"] == "50,000 t/yr"


def test_plan_years_are_numbers():
    plan = pipeline.run(ROOT / "inputs" / "plan_case.xlsx").results.plan["Plan"]
    assert list(plan["year"]) == [2026, 2030, 2035]


def test_tick_labels_never_in_scientific_notation():
    # The sweep chart's labels (charts.tick_texts): whole numbers with thousands separators, fractions
    # with the fewest decimals that tell the ticks apart.
    assert tick_texts([56e6, 57e6, 58e6])[1] == ["56,000,000", "57,000,000", "58,000,000"]
    assert tick_texts([0.5, 0.75, 1.0])[1] == ["0.5", "0.75", "1"]
    assert tick_texts([-82.04, -82.0])[1] == ["-82.04", "-82"]


def test_no_progress_bar_into_a_log(tmp_path, capfd):
    case = write_case(tmp_path, transport_case(), xlsx=True)
    assert main(["sweep", str(case), "--set", "Legs[A>M].cost_usd_per_t=1:3:3", "-o", str(tmp_path / "s.xlsx")]) == 0
    assert "point/s" not in capfd.readouterr().err and "%|" not in capfd.readouterr().err


def test_the_template_checks_every_row_a_planner_adds(tmp_path):
    assert main(["template", str(tmp_path / "t.xlsx")]) == 0
    wb = load_workbook(tmp_path / "t.xlsx")
    dvs = {(ws.title, str(dv.sqref)): dv for ws in wb for dv in ws.data_validations.dataValidation}
    assert dvs[("Legs", "A2:A1048576")].formula1 == "Nodes!$A$2:$A$10000"  # node ids from the Nodes sheet
    cost = dvs[("Legs", "E2:E1048576")]
    assert (cost.type, cost.formula1, cost.formula2) == ("decimal", "0", "1000000")
    assert dvs[("Routes", "E2:E1048576")].formula1 == '"TRUE,FALSE"'


def test_the_readme_points_inside_the_repository():
    from doc_pages import documentation

    assert "shared/reference" not in documentation()
    assert (ROOT / "docs" / "reference" / "observed_2023.md").exists()
    assert "docs/reference/corridor_figures.md" in README


def test_an_edited_copy_does_not_pass_for_the_base_case(tmp_path):
    copy = tmp_path / "my_edit.xlsx"
    shutil.copy(BASE_XLSX, copy)
    brief = brief_of(pipeline.run(copy).results.sheets())
    assert brief.title.endswith("— solved from my_edit.xlsx")
    assert pd.notna(brief.provenance[1][1])


def test_the_shipped_workbook_checks_a_planners_edits():
    # The README's quick start: a copy of the base case offers the drop-downs and the number limits.
    wb = load_workbook(BASE_XLSX)
    nodes = {str(dv.sqref): dv for dv in wb["Legs"].data_validations.dataValidation}
    assert nodes["A2:A1048576"].formula1 == "Nodes!$A$2:$A$10000"
    handling = {str(dv.sqref): dv for dv in wb["Nodes"].data_validations.dataValidation}["G2:G1048576"]
    # A port charge may be cut below zero (the Gwadar answer: -82.04 USD/t), down to the schema's bound;
    # the shipped workbook, written again from the schema, offers that (it said 0 while it was stale).
    assert (handling.type, handling.formula1) == ("decimal", f"{-MAX_USD_PER_T:.0f}")


def bare_codes(text: str, names) -> list[str]:
    """The codes of nodes, countries and commodities (names: model.network.names.Names) that a line
    of text shows without their name: each line, with every name taken out, is split into tokens
    (a leg A>B into its nodes; an id with '-' in it, a route's, is an id and stays), and a token that
    is a code must have its name on the same line."""
    words = {**{c: names.cargo(c) for c in names.commodity}, **{c: names.country[c] for c in names.country},
             **{c: names.place(c) for c in names.node}}
    words = {c: w for c, w in words.items() if w != c}
    every = sorted(set(words.values()) | set(names.node.values()), key=len, reverse=True)
    found = []
    for line in str(text).splitlines():
        rest = line
        for w in every:
            rest = rest.replace(w, " ")
        for token in re.findall(r"[\w>\-]+", rest):
            if "-" in token:
                continue
            found += [f"{part} in {line.strip()!r}" for part in token.split(">")
                      if part in words and words[part] not in line]
    return found


def test_the_scan_finds_a_bare_code(base_run):
    names = base_run.net.names
    assert bare_codes("Closed CPT 53.29", names) == ["CPT in 'Closed CPT 53.29'"]
    assert bare_codes("via RU 96442000", names) == ["RU in 'via RU 96442000'"]
    assert bare_codes("legend: ograin", names) == ["ograin in 'legend: ograin'"]
    assert bare_codes("BTC_MIN AKT>ALT 1.5%", names) == ["AKT in 'BTC_MIN AKT>ALT 1.5%'",
                                                         "ALT in 'BTC_MIN AKT>ALT 1.5%'"]
    assert bare_codes("CPT CPC marine terminal (Novorossiysk); route TRZ-AFCKHI-MSA; Saryagash KZ-UZ rail border",
                      names) == []


@pytest.mark.heavy  # every output of the base case written
def test_every_output_of_the_base_case_names_what_it_shows(base_run, tmp_path):
    # Console texts of solve, stress, compare, explain and frontier, the result sheets' target
    # columns and the charts' labels and legends: no code of a node, country or commodity without
    # its name beside it (or its name instead).
    from model.analysis.compare import compare
    from model.analysis.explain import explain_route
    from model.analysis.frontier import frontier, parse_target
    from model.analysis.stress import stress_test
    from model.pipeline import load, solve
    from model.report.console import closed_labels, compare_text, frontier_text, stress_text
    from model.report.maps.data import MapData, report_data
    from model.report.workbook import _corridor_pivot

    names = base_run.net.names
    r = base_run.results
    texts = {"solve": solve_text(r)}
    stress, _ = stress_test(BASE_XLSX, progress=False)
    texts["stress"] = stress_text(stress, "s.xlsx", "s.png") + "\n" + "\n".join(closed_labels(stress))
    table, about = compare(BASE_XLSX, ["russia_closed"])
    texts["compare"] = compare_text(table, about, ["base", "russia_closed"], "c.xlsx", "c.png")
    texts["compare rows"] = "\n".join(table["metric"])
    texts["explain"] = "\n".join(p for route in ("TRZ-AFCKHI-MSA", "ATY-CPC-MSE")
                                 for p in explain_route(base_run, route))
    plan, _ = load(BASE_XLSX)
    target = parse_target("country PK", True, plan)
    points, _ = frontier(plan, solve(plan), target, [0, 2e8])
    texts["frontier"] = frontier_text(points, target, 1.0, "f.xlsx", "f.png") + "\n" + "\n".join(points["binding"])
    texts["frontier chart"] = target.text  # its title and axis
    texts["sheets"] = "\n".join([*r.fit["applies_to"], *r.policies["applies_to"], *r.capacity["name"],
                                 *r.bottlenecks["name"], *r.bottlenecks["in_words"]])
    pivot, _ = _corridor_pivot(r)
    texts["Corridors chart"] = "\n".join(map(str, pivot.columns))
    no_map = MapData(title="", subtitle="", nodes=(), legs=(), corridors=(), full=(), unplaced=())
    texts["page key"] = "\n".join(row.commodity for row in report_data(no_map, r.sheets()).by_commodity)
    found = {what: bare for what, text in texts.items() if (bare := bare_codes(text, names))}
    assert found == {}


def test_the_infeasibility_text_names_what_it_shows(tmp_path):
    # 100 t of coal must reach Mumbai; rail Astana>Mumbai holds 60 t and Karachi 30 t: 10 t short.
    from model.errors import CorridorError

    case = named_case(tmp_path, Capacities=[{"element": "A>M", "capacity_t": 60}, {"element": "R", "capacity_t": 30}])
    with pytest.raises(CorridorError) as err:
        pipeline.run(case)
    text = str(err.value)
    assert "Demand row 2: 100 t of Thermal coal from any origin to Mumbai must be delivered" in text
    assert "Capacities row 2: Astana → Mumbai handles at most 60 t" in text
    assert "Demand row 2 (Thermal coal, from any origin to Mumbai): 10 t of 100 t cannot be delivered." in text
    assert "Full capacities that hold them back: Astana → Mumbai (Capacities row 2: 60 t), Karachi" in text
    names = pipeline.load(named_case(tmp_path / "feasible"))[0].cases[0].net.names  # the case's own names
    assert bare_codes(text, names) == []
