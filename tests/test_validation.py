"""Each case breaks one thing in a valid tiny case and asserts the whole message."""

from __future__ import annotations

from pathlib import Path

import pytest
from cases import transport_case, write_case

from model import pipeline
from model.cli import main
from model.errors import InputError
from model.pipeline import load_one_year as load


def problems_of(tmp_path, tables, settings=None, xlsx=False):
    return problems_of_path(write_case(tmp_path, tables, settings, xlsx=xlsx))


def problems_of_path(path):
    with pytest.raises(InputError) as exc:
        load(path)
    return [str(p) for p in exc.value.problems if p.severity == "error"]


ROUTES = transport_case()["Routes"]
LEGS = transport_case()["Legs"]
NODES = transport_case()["Nodes"]

CASES = {
    "unknown node in a path, with a suggestion": (
        {"Routes": [ROUTES[0], {**ROUTES[1], "path": "A>RR>M"}]},
        "Routes, row 3 (ROAD), path: unknown node 'RR'. Did you mean 'R'? Add the node to the Nodes sheet or "
        "correct the path."),
    "path not ending at a market": (
        {"Routes": [ROUTES[0], {**ROUTES[1], "path": "A>R"}]},
        "Routes, row 3 (ROAD), path: path ends at 'R', a hub; a route must end at a market. End the path at a "
        "node of kind 'market'."),
    "step of a path that is not a leg": (
        {"Legs": LEGS[:2]},
        "Routes, row 3 (ROAD), path: step R>M of the path is not a leg. Add a row from=R, to=M to the Legs "
        "sheet, or correct the path."),
    "negative cost": (
        {"Legs": [{**LEGS[0], "cost_usd_per_t": -1}] + LEGS[1:]},
        "Legs, row 2 (A>M), cost_usd_per_t: must be >= 0, found -1. Type a number in USD/t, at least 0 and at most "
        "1,000,000."),
    "text in a number column": (
        {"Demand": [{"commodity": "coal", "market": "M", "demand_t": "lots"}]},
        "Demand, row 2 (coal, M), demand_t: expected a number, found text 'lots'. Type a number in t/yr, at "
        "least 0 and at most 10,000,000,000."),
    "a share above one": (
        {"Policies": [{"rule": "P", "kind": "max_share", "scope": "corridor", "target": "Rail", "value": 30}]},
        "Policies, row 2 (P), value: a share must be between 0 and 1, found 30. Write 0.3 for 30%, or use kind "
        "'max_t' for tonnes."),
    "missing required sheet": (
        {"Demand": None},
        "required sheet 'Demand' is missing. Add a sheet named 'Demand' (tonnes that must reach each market); "
        "'corridor template' writes one with its headers."),
    "missing required column": (
        {"Legs": [{k: v for k, v in leg.items() if k != "transit_days"} for leg in LEGS]},
        "Legs, transit_days: required column 'transit_days' is missing. Add a header cell 'transit_days' in row "
        "1 (time in transit on the leg)."),
    "duplicate key": (
        {"Nodes": NODES + [NODES[0]]},
        "Nodes, row 5 (A): duplicate of row 2: node must be unique. Delete one of the two rows or merge them."),
    "unknown choice": (
        {"Nodes": [{**NODES[0]}, {**NODES[1], "kind": "harbour"}, NODES[2]]},
        "Nodes, row 3 (R), kind: expected one of origin, border, port, hub, market, found 'harbour'. Choose one "
        "of: origin, border, port, hub, market."),
    "supply minimum above maximum": (
        {"Supply": [{"commodity": "coal", "origin": "A", "max_t": 10, "min_t": 20}]},
        "Supply, row 2 (coal, A), min_t: min_t 20 is above max_t 10. Lower min_t or raise max_t."),
    "unknown commodity, with a suggestion": (
        {"Demand": [{"commodity": "cole", "market": "M", "demand_t": 100}]},
        "Demand, row 2 (cole, M), commodity: unknown commodity 'cole'. Did you mean 'coal'? Add it to the "
        "Commodities sheet or correct the id."),
    "demand both with and without origin": (
        {"Demand": [{"commodity": "coal", "market": "M", "demand_t": 50},
                    {"commodity": "coal", "origin": "A", "market": "M", "demand_t": 50}]},
        "Demand, row 2 (coal, M), origin: demand for coal at M is given both for any origin (row 2) and for "
        "named origins (row 3), so a tonne could count twice. Either name the origin on every row for this "
        "commodity and market, or on none."),
    "demand no route can carry": (
        {"Routes": [{**r, "cargo_classes": "container"} for r in ROUTES],
         "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk"},
                         {"commodity": "box", "cargo_class": "container"}]},
        "Demand, row 2 (coal, M): no route can serve this demand: the routes from any origin to M (RAIL, ROAD) "
        "do not carry cargo class 'dry_bulk'. Add or enable a route, add the class to a route's cargo_classes, "
        "or set unmet_penalty_usd_per_t in Settings to allow undelivered tonnes."),
    "policy target that does not exist": (
        {"Policies": [{"rule": "P", "kind": "max_share", "scope": "corridor", "target": "Rial", "value": 0.5}]},
        "Policies, row 2 (P), target: unknown corridor 'Rial'. Did you mean 'Rail'? Name a corridor that "
        "exists, or * for each corridor separately."),
    "capacity on an unknown element": (
        {"Capacities": [{"element": "A>X", "capacity_t": 5}]},
        "Capacities, row 2 (A>X), element: unknown node or leg 'A>X'. Did you mean 'A>R'? Name a node id, or a "
        "leg as FROM>TO exactly as on the Legs sheet."),
    "blank required cell": (
        {"Legs": [{**LEGS[0], "cost_usd_per_t": None}] + LEGS[1:]},
        "Legs, row 2 (A>M), cost_usd_per_t: is blank; a value is required. Enter cost_usd_per_t: freight cost per "
        "tonne on the leg (all cargo classes unless a tariff overrides)."),
    "a look-alike letter in the id on the Nodes sheet, not in the reference": (
        {"Nodes": [{**NODES[0], "node": "\u0410"}] + NODES[1:]},
        "Routes, row 2 (RAIL), path: unknown node 'A'. Did you mean '\u0410' (contains Cyrillic \u0410, U+0410)? "
        "Add the node to the Nodes sheet or correct the path."),
    "a sheet with no rows": (
        {"Routes": []},
        "Routes: sheet has no rows; the model needs at least one (paths from an origin to a market, grouped "
        "into corridors). Fill in the Routes sheet below its header row."),
}


@pytest.mark.parametrize("name", CASES)
def test_one_fault_one_message(tmp_path, name):
    change, message = CASES[name]
    tables = transport_case(**change)
    tables = {k: v for k, v in tables.items() if v is not None}
    if change.get("Routes") == []:
        tables["Routes"] = [{"route": None, "corridor": None, "path": None}]
    assert message in problems_of(tmp_path, tables)


def test_every_problem_reported_at_once(tmp_path):
    tables = transport_case(Legs=[{**LEGS[0], "cost_usd_per_t": -1}] + LEGS[1:],
                            Demand=[{"commodity": "cole", "market": "M", "demand_t": 100}])
    found = problems_of(tmp_path, tables)
    assert len(found) == 2


def test_workbook_errors_name_the_same_rows(tmp_path):
    # The same fault in a workbook is reported at the same row and column as in CSV.
    change, message = CASES["negative cost"]
    assert message in problems_of(tmp_path, transport_case(**change), xlsx=True)


@pytest.mark.parametrize("typed, expected", [("1,000", 1000.0), ("1 000", 1000.0), (" 250 ", 250.0)])
def test_numbers_typed_as_text_are_read_when_unambiguous(tmp_path, typed, expected):
    run = pipeline.run(write_case(tmp_path, transport_case(
        Demand=[{"commodity": "coal", "market": "M", "demand_t": typed}])))
    assert run.results.demand["demand_t"].iloc[0] == expected


def test_percent_sign_in_a_share_column(tmp_path):
    # "30%" in a share column reads as 0.3: 30 t by rail at 2 and 70 by road at 5 = 410 USD.
    run = pipeline.run(write_case(tmp_path, transport_case(
        Policies=[{"rule": "P", "kind": "max_share", "scope": "corridor", "target": "Rail", "value": "30%"}])))
    assert run.solution.objective_usd == pytest.approx(410)


def test_warnings_do_not_stop_the_solve(tmp_path):
    case = write_case(tmp_path, transport_case(
        Nodes=NODES + [{"node": "Z", "country": "XX", "kind": "hub"}],
        Capacities=[{"element": "Z", "capacity_t": 5}]))
    (case / "Nodes.csv").rename(case / "nodes.csv")
    data, net, warnings = load(case)
    text = [str(w) for w in warnings]
    assert "nodes: sheet 'nodes' is read as 'Nodes'. Rename it to 'Nodes'." in text
    assert "Nodes: 1 node(s) on no route: Z. They do no harm; delete them or add routes through them." in text
    assert ("Capacities, row 2 (Z), element: no route passes 'Z', so this capacity limits nothing. "
            "Check the element id, or add a route through it.") in text


def test_a_sheet_named_like_a_missing_model_sheet_is_an_error_not_ignored(tmp_path):
    # Capacities renamed Capacity: ignored, the model would be solved without its capacity (rail's
    # 60 t limit gone: all 100 t by rail), a silently different answer.
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]))
    (case / "Capacities.csv").rename(case / "Capacity.csv")
    (case / "Notes.csv").write_text("text\nmine\n", encoding="utf-8")  # close to Nodes, which is there
    with pytest.raises(InputError) as exc:
        load(case)
    text = [str(p) for p in exc.value.problems]
    assert ("Capacity: sheet 'Capacity' is not a sheet of the model, but its name is close to 'Capacities', which "
            "is missing: as it stands the model would be solved without any Capacities. Rename the sheet to "
            "'Capacities' (or, if it is a sheet of your own, give it a name no model sheet is close to).") in text
    notes = next(p for p in exc.value.problems if p.sheet == "Notes")
    assert notes.severity == "warning" and "Did you mean 'Nodes' (read from its own sheet)?" in str(notes)


def test_a_sheet_named_like_a_missing_sheet_that_changes_no_allocation_is_a_warning(tmp_path):
    # 'Calibration notes' beside no Calibration sheet (notes only), 'Scenario' beside no Scenarios
    # (a named scenario is refused by name): the model solves as it is, with a warning each.
    case = write_case(tmp_path, transport_case())
    (case / "Calibration notes.csv").write_text("text\nmine\n", encoding="utf-8")
    (case / "Scenario.csv").write_text("scenario,sheet\nx,Legs\n", encoding="utf-8")
    _, _, warnings = load(case)
    text = [str(w) for w in warnings]
    assert any(t.startswith("Calibration notes: sheet 'Calibration notes' is not part of the model and is "
                            "ignored. If it is the 'Calibration' sheet, rename it to 'Calibration'.") for t in text)
    assert any(t.startswith("Scenario: sheet 'Scenario' is not part of the model and is ignored. If it is the "
                            "'Scenarios' sheet, rename it to 'Scenarios'.") for t in text)


def test_a_bad_focus_names_its_row_on_the_settings_sheet(tmp_path):
    problems = problems_of(tmp_path, transport_case(), {"scenario_name": "x", "focus": "country PKK"})
    assert "Settings, row 3 (focus), value: country 'PKK' is not on the Countries sheet" in problems[0], problems


NAMED_COUNTRIES = [{"country": "XX", "name": "Xanadu"}, {"country": "KZ", "name": "Kazakhstan"},
                   {"country": "PK", "name": "Pakistan"}, {"country": "CN", "name": "China"}]


@pytest.mark.parametrize("focus, message", [
    ("country Pakistn", "country 'Pakistn' is not on the Countries sheet. Did you mean 'PK' (Pakistan)? Name a "
                        "country of that sheet (by its code or its name), or clear the setting."),
    ("country CHN", "country 'CHN' is not on the Countries sheet. Did you mean 'CN' (China)?"),
    ("corridor Raod", "corridor 'Raod' is not on the Routes sheet. Did you mean 'Road'?"),
    ("land Pakistan", "'land Pakistan' is not a corridor or a country to report on. Write 'country' and a country's "
                      "code or name (e.g. country Pakistan)"),
])
def test_a_bad_focus_suggests_codes_and_names(tmp_path, focus, message):
    problems = problems_of(tmp_path, transport_case(Countries=NAMED_COUNTRIES), {"focus": focus})
    assert any(message in p for p in problems), problems


@pytest.mark.parametrize("focus", ["country Pakistan", "country pakistan", "COUNTRY PK", "corridor road"])
def test_a_focus_by_name_is_taken(tmp_path, focus):
    load(write_case(tmp_path, transport_case(Countries=NAMED_COUNTRIES), {"focus": focus}))  # no problem


def test_a_misspelt_setting_left_at_its_default_is_an_error(tmp_path):
    # unmet_penalty for unmet_penalty_usd_per_t: the demand would stay hard without a word.
    problems = problems_of(tmp_path, transport_case(), {"unmet_penalty": 1000})
    assert any("unknown setting 'unmet_penalty': did you mean 'unmet_penalty_usd_per_t'? As it stands "
               "'unmet_penalty_usd_per_t' keeps its default and this row is ignored. Spell the key "
               "'unmet_penalty_usd_per_t'." in p for p in problems), problems


# ---------------------------------------------------------------- one sheet, one source

def base_csv_copy(tmp_path):
    import shutil

    from conftest import BASE_CSV

    return Path(shutil.copytree(BASE_CSV, tmp_path / "case"))


def test_two_csv_files_for_one_sheet_are_an_error(tmp_path, capsys):
    # Demand.csv and demand.csv can both exist on Linux (not on Windows or macOS, where they are one
    # file); whichever was read first used to win, with only a warning.
    case = base_csv_copy(tmp_path)
    (case / "demand.csv").write_text("commodity,market,demand_t\ncrude,MEU,1\n")
    if len(list(case.glob("[Dd]emand.csv"))) < 2:
        pytest.skip("this file system does not tell Demand.csv from demand.csv")
    out = tmp_path / "out.xlsx"
    assert main(["solve", str(case), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert ("\n  Demand: 2 files are read as 'Demand': Demand.csv and demand.csv; the model will not guess which "
            "one holds the data. Delete or rename one of them.\n") in err
    assert not out.exists()


def test_a_csv_file_whose_extension_is_in_capitals_is_read(tmp_path):
    # Capacities.CSV was passed over by a glob for '*.csv' without a word: every capacity dropped.
    case = base_csv_copy(tmp_path)
    (case / "Capacities.csv").rename(case / "Capacities.CSV")
    data, _, _ = load(case)
    assert len(data.tables["Capacities"]) == 26


def test_a_scenario_cannot_multiply_a_cell_past_its_bound(tmp_path, capsys):
    # Cells read from the file are bounded as they are parsed; a multiplier makes new ones.
    tables = transport_case(Demand=[{"commodity": "coal", "market": "M", "demand_t": 50_000}],
                            Scenarios=[{"scenario": "absurd", "sheet": "Demand", "key": "coal,,M",
                                        "column": "demand_t", "multiplier": 1e6}])
    case = write_case(tmp_path, tables)
    out = tmp_path / "out.xlsx"
    assert main(["solve", str(case), "--scenario", "absurd", "-o", str(out)]) == 2
    assert ("\n  Demand, row 2 (coal, M), demand_t: with scenario absurd: must be <= 10,000,000,000, found "
            "50,000,000,000. Type a number in t/yr, at least 0 and at most 10,000,000,000.\n"
            in capsys.readouterr().err)
    assert not out.exists()


def test_a_multiplier_out_of_bounds_is_reported_once(tmp_path):
    tables = transport_case(Scenarios=[{"scenario": "absurd", "sheet": "Demand", "key": "coal,,M",
                                        "column": "demand_t", "multiplier": 1e9}])
    assert problems_of(tmp_path, tables) == [
        "Scenarios, row 2 (absurd, Demand, coal,,M, demand_t), multiplier: must be <= 1,000,000, found "
        "1,000,000,000. Type a number, at most 1,000,000."]


# ---------------------------------------------------------------- CSV files as European Excel saves them

CSV_FIX = ("In Excel, save it as 'CSV UTF-8 (Comma delimited)' (File > Save As), or pass the workbook itself; if "
           "Excel still writes semicolons (the list separator of Windows' region settings), write the folder with "
           "'corridor convert WORKBOOK.xlsx -o FOLDER'.")


def resave(path, sep, decimal="."):
    """A CSV file saved again with another separator (and decimal mark), as Excel in a European
    locale saves it."""
    import csv

    rows = list(csv.reader(path.open(newline="", encoding="utf-8-sig")))
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=sep).writerows([[c.replace(".", decimal) for c in r] for r in rows])


def test_every_csv_file_with_semicolons_or_tabs_is_reported_at_once(tmp_path, capsys):
    # pandas read a semicolon file as one column: "add a header cell 'node'" that is already there,
    # or the tokenizer's words when a decimal comma made a second cell; and only for the first file.
    case = base_csv_copy(tmp_path)
    resave(case / "Nodes.csv", ";", decimal=",")
    resave(case / "Demand.csv", ";")
    resave(case / "Legs.csv", "\t")
    out = tmp_path / "out.xlsx"
    assert main(["solve", str(case), "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"{case}: 3 problems\n"
        f"  Demand.csv is separated by semicolons (;), not commas. {CSV_FIX}\n"
        f"  Legs.csv is separated by tabs, not commas. {CSV_FIX}\n"
        f"  Nodes.csv is separated by semicolons (;), not commas. {CSV_FIX}\n")
    assert not out.exists()


def test_semicolons_inside_values_of_a_comma_file_are_text(tmp_path):
    case = write_case(tmp_path, transport_case(
        Nodes=[{**NODES[0], "name": "Atyrau; Tengiz"}] + NODES[1:],
        Sources=[{"id": "S1", "note": "a; b; c; d"}]))
    data, _, _ = load(case)
    assert data.tables["Nodes"]["name"].iloc[0] == "Atyrau; Tengiz"


def test_a_csv_file_in_another_encoding(tmp_path, capsys):
    case = write_case(tmp_path, transport_case())
    (case / "Nodes.csv").write_bytes("node,name,country,kind\nA,Qostanay \u00e9,XX,origin\n".encode("cp1252"))
    assert main(["validate", str(case)]) == 2
    assert capsys.readouterr().err == (
        f"{case}: 1 problem\n  Nodes.csv is not UTF-8 text: line 2 holds the byte 0xE9, which UTF-8 does not "
        "allow there; the file was saved in another encoding. In Excel, save it as 'CSV UTF-8 (Comma delimited)' "
        "(File > Save As); in a text "
        "editor, save it with the encoding UTF-8.\n")


def test_a_csv_row_with_more_cells_than_the_header(tmp_path, capsys):
    case = write_case(tmp_path, transport_case())
    (case / "Countries.csv").write_text("country,name,risk_premium_pct\nXX,Almaty, KZ,0\n")
    assert main(["validate", str(case)]) == 2
    assert capsys.readouterr().err == (
        f"{case}: 1 problem\n  Countries.csv, line 2 has 4 cells where the first line has 3. Put a value holding a "
        'comma in double quotes ("Almaty, KZ"), or remove the extra cells.\n')


# ---------------------------------------------------------------- a path that passes a node twice

def test_a_path_that_passes_a_node_twice_is_solved_with_a_warning(tmp_path):
    # The only route runs A>R>A>M, out to hub R and back through A: a slip in most workbooks, so it is
    # named, but computable, so it is not refused. A's handling (1 USD/t) and capacity count at each
    # pass. 100 t: legs 3 + 3 + 2 = 8, handling 2 x 1 = 2, so 10 USD/t, 1,000 USD; A's capacity of
    # 200 t holds 100 t passing twice, exactly.
    tables = transport_case(
        Nodes=[{**NODES[0], "handling_usd_per_t": 1}] + NODES[1:],
        Legs=LEGS + [{"from": "R", "to": "A", "mode": "rail", "cost_usd_per_t": 3, "transit_days": 1}],
        Routes=[{"route": "LOOP", "corridor": "Loop", "path": "A>R>A>M"}],
        Capacities=[{"element": "A", "capacity_t": 200}])
    case = write_case(tmp_path, tables)
    _, _, warnings = load(case)
    assert ("Routes, row 2 (LOOP), path: path passes A twice (nodes 1 and 3 of the path); A's handling cost and "
            "capacity count at each pass. If the cargo does not pass A twice, correct the path; if it does, "
            "nothing needs doing.") in [str(w) for w in warnings]
    run = pipeline.run(case)
    assert run.solution.objective_usd == pytest.approx(1000)
    capacity = run.results.capacity.set_index("element")
    assert capacity.loc["A", "used_t"] == pytest.approx(200)


def test_a_setting_given_twice_is_checked_at_the_row_whose_value_is_used(tmp_path):
    # Row 3 holds the focus that is read (a country not on the sheet); row 4 repeats the key. The
    # bad value is named at row 3, where it is, and the repeat at row 4.
    path = write_case(tmp_path, transport_case(), {"scenario_name": "x", "focus": "country PKK"})
    settings = Path(path) / "Settings.csv"
    settings.write_text(settings.read_text() + "focus,country PK\n")
    problems = problems_of_path(path)
    assert "Settings, row 3 (focus), value: country 'PKK' is not on the Countries sheet" in problems[1], problems
    assert problems[0].startswith("Settings, row 4 (focus), key: setting 'focus' is given twice (also row 3)")


@pytest.mark.parametrize("sheet, row, message", [
    ("Policies", {"rule": "P", "kind": "max_t", "scope": "country", "target": "Pakistan", "value": 10},
     "Policies, row 2 (P), target: unknown country 'Pakistan'. Did you mean 'PK' (Pakistan)?"),
    ("Policies", {"rule": "P", "kind": "max_t", "scope": "node", "target": "Karachi", "value": 10},
     "Policies, row 2 (P), target: unknown node 'Karachi'. Did you mean 'R' (Karachi)?"),
    ("Demand", {"commodity": "Thermal coal", "market": "M", "demand_t": 5},
     "unknown commodity 'Thermal coal'. Did you mean 'coal' (Thermal coal)?"),
    ("Demand", {"commodity": "coal", "market": "Mumbai", "demand_t": 5},
     "unknown node 'Mumbai'. Did you mean 'M' (Market: Mumbai)?"),
])
def test_an_unknown_id_that_is_a_name_suggests_its_code(tmp_path, sheet, row, message):
    tables = transport_case(
        Countries=NAMED_COUNTRIES,
        Nodes=[{"node": "A", "name": "Astana", "country": "XX", "kind": "origin"},
               {"node": "R", "name": "Karachi", "country": "PK", "kind": "hub"},
               {"node": "M", "name": "Market: Mumbai", "country": "XX", "kind": "market"}],
        Commodities=[{"commodity": "coal", "name": "Thermal coal", "cargo_class": "dry_bulk", "value_usd_per_t": 0}])
    tables[sheet] = [*tables.get(sheet, []), row]
    problems = problems_of(tmp_path, tables)
    assert any(message in p for p in problems), problems


# One valid row of each sheet that refers to another, for the reference test below.
_REFERRING_ROWS = {
    "Tariffs": {"element": "A>M", "cargo_class": "dry_bulk", "cost_usd_per_t": 1},
    "Capacities": {"element": "A>M", "cargo_class": "dry_bulk", "capacity_t": 1000},
    "Supply": {"commodity": "coal", "origin": "A", "max_t": 1000},
    "Dispersions": {"cargo_class": "dry_bulk", "dispersion_usd_per_t": 5},
    "Investments": {"option": "O", "element": "A>M", "cargo_class": "dry_bulk", "max_added_t": 10,
                    "annualised_cost_usd_per_t": 1},
}


def _referring_columns():
    from model.input.schema import SHEETS
    return [(s.name, c.name) for s in SHEETS for c in s.columns if c.refers]


@pytest.mark.parametrize("sheet, column", _referring_columns())
def test_every_reference_the_schema_declares_is_checked(tmp_path, sheet, column):
    """Which columns name a row of another sheet is declared once, on the schema's Column (refers);
    validation checks each of them, so a column given a reference is checked without a hand list."""
    tables = transport_case()
    rows = tables.get(sheet) or [_REFERRING_ROWS[sheet]]
    tables[sheet] = [{**rows[0], column: "ZZZ"}] + rows[1:]
    found = problems_of(tmp_path, tables)
    assert any(p.startswith(f"{sheet}, row 2") and f", {column}: unknown " in p and "'ZZZ'" in p for p in found), found


def test_sources_low_and_high_are_numbers_and_in_order_and_an_estimate_has_them(tmp_path):
    # Sources keeps any columns (note); low and high are read as numbers; low above high is an error;
    # an estimate (E in its confidence, alone or as M/E) without both is a warning naming its row.
    case = write_case(tmp_path, transport_case(Sources=[
        {"id": "S1", "item": "rail", "confidence": "H", "note": "free column"},
        {"id": "S2", "item": "road", "confidence": "E", "low": 0.05, "high": 0.12},
        {"id": "S3", "item": "port", "confidence": "M/E", "low": 5},
        {"id": "S4", "item": "ferry", "confidence": "E", "low": 30, "high": 20},
        {"id": "S5", "item": "sea", "confidence": "L", "low": "ten", "high": 12}]))
    with pytest.raises(InputError) as exc:
        load(case)
    problems = [p for p in exc.value.problems if p.sheet == "Sources"]
    text = [str(p) for p in problems]
    assert text == [
        "Sources, row 4 (S3), high: an estimate (confidence 'M/E') without its range: low or high is blank. Give "
        "the lowest and highest plausible value in low and high (the uncertainty analyses draw from them).",
        "Sources, row 5 (S4), low: low 30 is above high 20. Swap them: low is the lowest plausible value, high "
        "the highest.",
        "Sources, row 6 (S5), low: expected a number, found text 'ten'. Type a number.",
    ]
    assert [p.severity for p in problems] == ["warning", "error", "error"]
