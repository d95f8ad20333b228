"""The command line as a planner uses it: exit codes, messages, files written or not."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from cases import transport_case, write_case
from conftest import BASE_XLSX
from model.cli import main, parser
from model.io.read import read_input


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_solve_writes_the_workbook_and_prints_a_summary(tmp_path, capsys):
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]), xlsx=True)
    before = sha(case)
    out = tmp_path / "out" / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Optimal" in text
    assert "Rail" in text and "60.0%" in text
    assert "A>M" in text and "3.00" in text  # binding capacity and its shadow price
    assert out.exists()
    assert sha(case) == before, "the input workbook must never be modified"
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")], "no temporary file left behind"


def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
    case = write_case(tmp_path, transport_case(Demand=[{"commodity": "cole", "market": "M", "demand_t": 1}]))
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "1 problem" in err and "unknown commodity 'cole'" in err
    assert not out.exists()


def test_existing_output_is_kept_when_input_is_bad(tmp_path):
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(write_case(tmp_path / "good", transport_case())), "-o", str(out)]) == 0
    before = out.read_bytes()
    case = write_case(tmp_path / "bad", transport_case(Demand=[{"commodity": "cole", "market": "M", "demand_t": 1}]))
    assert main(["solve", str(case), "-o", str(out)]) == 2
    assert out.read_bytes() == before


def test_infeasible_exits_3_and_names_the_rows(tmp_path, capsys):
    # Road disabled, rail capacity 60, demand 100: 40 t cannot be delivered.
    tables = transport_case(
        Routes=[{"route": "RAIL", "corridor": "Rail", "path": "A>M"},
                {"route": "ROAD", "corridor": "Road", "path": "A>R>M", "enabled": "FALSE"}],
        Capacities=[{"element": "A>M", "capacity_t": 60}])
    case = write_case(tmp_path, tables)
    out = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "Demand row 2 (coal, from any origin to M): 40 t of 100 t cannot be delivered." in err
    assert "A>M (Capacities row 2: 60 t)" in err
    assert not out.exists()


def test_output_may_not_be_the_input(tmp_path, capsys):
    case = write_case(tmp_path, transport_case(), xlsx=True)
    before = sha(case)
    assert main(["solve", str(case), "-o", str(case)]) == 1
    assert "never overwritten" in capsys.readouterr().err
    assert sha(case) == before


def test_not_a_workbook(tmp_path, capsys):
    bad = tmp_path / "data.xlsx"
    bad.write_text("this is not a zip file")
    assert main(["validate", str(bad)]) == 2
    assert "is not an Excel workbook: an .xlsx file is a zip archive" in capsys.readouterr().err


def test_missing_file(tmp_path, capsys):
    assert main(["solve", str(tmp_path / "nope.xlsx")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_validate(tmp_path, capsys):
    assert main(["validate", str(BASE_XLSX)]) == 0
    assert "valid" in capsys.readouterr().out


def test_template_has_every_sheet_with_notes_and_drop_downs(tmp_path, capsys):
    path = tmp_path / "new.xlsx"
    assert main(["template", str(path)]) == 0
    wb = load_workbook(path)
    assert {"Settings", "Nodes", "Legs", "Routes", "Demand", "Policies", "Sources"} <= set(wb.sheetnames)
    legs = wb["Legs"]
    assert legs["E1"].value == "cost_usd_per_t"
    assert "USD/t" in legs["E1"].comment.text
    kinds = [dv for dv in wb["Nodes"].data_validations.dataValidation if str(dv.sqref).startswith("D")]
    assert kinds and "origin" in kinds[0].formula1
    # Read back: every sheet recognised, only "no rows" errors for the required sheets
    data = read_input(path)
    assert {p.message.split(";")[0] for p in data.problems} == {"sheet has no rows"}
    # Never overwrites without --force
    assert main(["template", str(path)]) == 1
    assert "--force" in capsys.readouterr().err


def test_convert_workbook_to_csv_and_back_gives_the_same_data(tmp_path):
    case = write_case(tmp_path, transport_case(Capacities=[{"element": "A>M", "capacity_t": 60}]), xlsx=True)
    assert main(["convert", str(case), "-o", str(tmp_path / "csv")]) == 0
    assert main(["convert", str(tmp_path / "csv"), "-o", str(tmp_path / "again.xlsx")]) == 0
    a, b = read_input(case), read_input(tmp_path / "again.xlsx")
    for name in a.tables:
        assert a.tables[name].drop(columns="_row").equals(b.tables[name].drop(columns="_row")), name


def test_bad_solver_option(tmp_path, capsys):
    case = write_case(tmp_path, transport_case())
    assert main(["solve", str(case), "-o", str(tmp_path / "r.xlsx"), "--solver-option", "no_such=1"]) == 2
    assert "HiGHS does not accept option no_such=1" in capsys.readouterr().err


@pytest.mark.slow
def test_console_entry_point_runs(tmp_path):
    # The installed command, as a planner runs it (python -m model.cli is the same entry point).
    out = tmp_path / "base.xlsx"
    done = subprocess.run([sys.executable, "-m", "model.cli", "solve", str(BASE_XLSX), "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Russia: CPC pipeline" in done.stdout
    assert "Traceback" not in done.stderr
    assert out.exists()
    # It leaves with os._exit (no interpreter teardown): the exit code and every line still arrive,
    # also for bad input and through a pipe that buffers the output.
    bad = subprocess.run([sys.executable, "-m", "model.cli", "validate", str(tmp_path / "missing.xlsx")],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "no such file or folder" in bad.stderr
    listing = subprocess.run([sys.executable, "-m", "model.cli", "--help"], capture_output=True, text=True,
                             timeout=300)
    assert listing.returncode == 0 and listing.stdout == parser().format_help()  # flushed to the last line


def test_check_of_a_result_made_from_another_input(tmp_path, capsys):
    # The result of one case checked against another says so, naming what does not match.
    result = tmp_path / "result.xlsx"
    assert main(["solve", str(write_case(tmp_path / "a", transport_case())), "-o", str(result)]) == 0
    other = write_case(tmp_path / "b", transport_case(
        Routes=[{"route": "RAIL2", "corridor": "Rail", "path": "A>M"}, {"route": "ROAD", "corridor": "Road",
                                                                         "path": "A>R>M"}]))
    capsys.readouterr()
    assert main(["check", str(other), str(result)]) == 2
    err = capsys.readouterr().err
    assert "was not made from this input (it was made from case): its flows name routes or commodities that " \
           f"{other} does not have (RAIL)" in err
    assert "internal error" not in err


def test_check_of_a_file_that_is_not_a_workbook(tmp_path, capsys):
    case = write_case(tmp_path, transport_case())
    fake = tmp_path / "result.xlsx"
    fake.write_text("commodity,route\n")
    assert main(["check", str(case), str(fake)]) == 2
    assert "cannot be read as a result workbook" in capsys.readouterr().err


def test_check_with_its_arguments_swapped(tmp_path, capsys):
    case = write_case(tmp_path, transport_case(), xlsx=True)
    result = tmp_path / "result.xlsx"
    assert main(["solve", str(case), "-o", str(result)]) == 0
    capsys.readouterr()
    assert main(["check", str(result), str(case)]) == 2
    assert f"is a result workbook (written by corridor solve), given where the input goes. The input comes " \
           f"first: corridor check {case} {result}" in capsys.readouterr().err
    assert main(["check", str(case), str(result)]) == 0
