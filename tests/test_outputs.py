"""Nothing lost: every command that writes goes through the output guard (model.report.output). It never
writes the input, never into an input folder, never over a file that the same kind of corridor
command did not write (unless --force), leaves no temporary file, and its files appear all at
once or not at all, Ctrl-C included (exit 130, saying what was written)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cases import transport_case, write_case
from conftest import BASE_XLSX, ROOT
from openpyxl import load_workbook

from model.cli import main

pytestmark = pytest.mark.slow  # every command end to end on files: left out of the fast loop

# Every command that writes, with its arguments; T is the output, CASE the input, RESULT a result
# workbook solved from it.
COMMANDS = {
    "solve": ["solve", "CASE", "-o", "T"],
    "sweep": ["sweep", "CASE", "--set", "Legs[A>M].cost_usd_per_t=1:3:3", "--no-progress", "-o", "T"],
    "exact": ["sweep", "CASE", "--exact", "--set", "Legs[A>M].cost_usd_per_t=1:9", "-o", "T"],
    "uncertainty": ["uncertainty", "CASE", "--draws", "4", "--no-progress", "-o", "T"],
    "stress": ["stress", "CASE", "--elements", "hubs", "--no-progress", "-o", "T"],
    "compare": ["compare", "CASE", "-o", "T"],
    "frontier": ["frontier", "CASE", "--maximise", "corridor Road", "--cost-within", "0:300:3", "-o", "T"],
    "convert": ["convert", "CASE", "-o", "T"],
    "generate": ["generate", "--flows", "1000", "-o", "T"],
    "template": ["template", "T"],
    "map": ["map", "RESULT", "-o", "T"],
    "report": ["report", "RESULT", "-o", "T"],
}
# Commands that write but are not in COMMANDS, each with its reason.
ELSEWHERE = {"calibrate": "needs Observations the tiny case lacks; its output is an input (tests/test_calibrate.py)"}
WITH_INPUT = [c for c in COMMANDS if "CASE" in COMMANDS[c]]
FROM_RESULT = [c for c in COMMANDS if "RESULT" in COMMANDS[c]]
TARGET = {"map": "out.png", "report": "out.html"}  # where a command's own output needs its suffix


def tiny_case(folder: Path, xlsx: bool) -> Path:
    tables = transport_case(Scenarios=[{"scenario": "dear", "sheet": "Legs", "key": "A>M",
                                        "column": "cost_usd_per_t", "multiplier": 2}],
                            Uncertainty=[{"input": "Legs[A>M].cost_usd_per_t", "distribution": "uniform", "low": 1,
                                          "high": 3}])
    tables["Legs"] = [{**leg, "distance_km": 100} for leg in tables["Legs"]]  # CO2e counted: no warning
    places = {"A": (47.1, 51.9), "R": (45.0, 60.0), "M": (41.0, 69.0)}  # on the map: no warning
    tables["Nodes"] = [{**n, "lat": places[n["node"]][0], "lon": places[n["node"]][1]} for n in tables["Nodes"]]
    return write_case(folder, tables, xlsx=xlsx)


def solved(case: Path) -> Path:
    """A result workbook of the case, beside the case (not in a case folder), solved once."""
    result = case.parent / "solved" / "result.xlsx"
    if not result.exists():
        assert main(["solve", str(case), "-o", str(result)]) == 0
    return result


def run(command: str, case: Path | None, target: Path, *extra: str) -> int:
    args = [str(case) if a == "CASE" else str(target) if a == "T" else str(solved(case)) if a == "RESULT" else a
            for a in COMMANDS[command]]
    return main(args + list(extra))


def temporary_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".*") if p.is_file())


def test_every_command_that_writes_is_tested_here():
    # corridor uncertainty was missing from COMMANDS, and a second run of it was refused (its journal taken for a
    # sweep's): a command that writes (it has --force) is checked by every test of the guard below.
    import argparse

    from model.cli import parser

    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    writing = {name for name, p in sub.choices.items() if any("--force" in a.option_strings for a in p._actions)}
    assert writing - {args[0] for args in COMMANDS.values()} - set(ELSEWHERE) == set()


@pytest.mark.parametrize("command", WITH_INPUT)
def test_never_the_input_workbook(tmp_path, capsys, command):
    case = tiny_case(tmp_path, xlsx=True)
    before = case.read_bytes()
    assert run(command, case, case) == 1
    assert "is the input file; the input is never overwritten" in capsys.readouterr().err
    assert case.read_bytes() == before
    assert temporary_files(tmp_path) == []


@pytest.mark.parametrize("command", FROM_RESULT)
def test_never_the_result_it_reads(tmp_path, capsys, command):
    result = solved(tiny_case(tmp_path, xlsx=True))
    before = result.read_bytes()
    assert main([command, str(result), "-o", str(result)]) == 1
    assert "is the input file; the input is never overwritten" in capsys.readouterr().err
    assert result.read_bytes() == before
    assert temporary_files(tmp_path) == []


@pytest.mark.parametrize("command", WITH_INPUT)
def test_never_into_the_input_folder(tmp_path, capsys, command):
    case = tiny_case(tmp_path, xlsx=False)
    before = {p.name: p.read_bytes() for p in case.iterdir()}
    target = case / "out.xlsx"
    assert run(command, case, target) == 1
    assert f"is inside the input folder {case}" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in case.iterdir()} == before
    assert temporary_files(tmp_path) == []


@pytest.mark.parametrize("command", ["solve", "sweep", "stress", "compare", "frontier"])
def test_a_workbook_is_never_written_under_another_extension(tmp_path, capsys, command):
    # solve CASE -o CASE/Nodes.csv would have been a workbook named like an input CSV file.
    case = tiny_case(tmp_path, xlsx=False)
    before = {p.name: p.read_bytes() for p in case.iterdir()}
    for target in (case / "Nodes.csv", tmp_path / "result.csv", tmp_path / "result"):
        assert run(command, case, target) == 1
        assert "would be an Excel workbook, but its name ends in" in capsys.readouterr().err
        assert not (tmp_path / "result.csv").exists() and not (tmp_path / "result").exists()
    assert {p.name: p.read_bytes() for p in case.iterdir()} == before
    assert temporary_files(tmp_path) == []


@pytest.mark.slow  # every command run: the output guard's own tests above are the fast loop's
@pytest.mark.parametrize("command", list(COMMANDS))
def test_never_over_a_planners_file_unless_forced(tmp_path, capsys, command):
    case = tiny_case(tmp_path / "in", xlsx=True)
    target = tmp_path / "planner.xlsx"
    shutil.copy(BASE_XLSX, target)  # someone's workbook, not written by this command
    before = target.read_bytes()
    assert run(command, case, target) == 1
    err = capsys.readouterr().err
    assert "exists" in err and ("not replaced" in err or "never overwrites" in err)
    assert target.read_bytes() == before
    assert temporary_files(tmp_path) == []
    assert run(command, case, target, "--force") == 0
    assert target.read_bytes() != before
    assert temporary_files(tmp_path) == []


@pytest.mark.slow
@pytest.mark.parametrize("command", ["solve", "sweep", "uncertainty", "stress", "compare", "frontier", "map", "report"])
def test_a_command_replaces_its_own_earlier_output(tmp_path, command):
    # corridor uncertainty run twice was refused: its journal was taken for a sweep's
    case = tiny_case(tmp_path / "in", xlsx=True)
    target = tmp_path / TARGET.get(command, "out.xlsx")
    assert run(command, case, target) == 0
    assert run(command, case, target) == 0
    assert temporary_files(tmp_path) == []


@pytest.mark.parametrize("again", [["--no-map"], []], ids=["no-map", "no-html"])
def test_a_re_solve_leaves_no_earlier_map_or_page_beside_its_workbook(tmp_path, capsys, again):
    # The files a command writes together are one set: a map or page of the earlier run beside the new
    # workbook would show the earlier run's figures as this run's.
    case = tiny_case(tmp_path / "in", xlsx=True)
    target = tmp_path / "out.xlsx"
    png, page = tmp_path / "out_map.png", tmp_path / "out.html"
    assert run("solve", case, target, "--html") == 0
    assert png.exists() and page.exists()
    capsys.readouterr()
    assert run("solve", case, target, *again) == 0
    assert f"Removed: {page} (an earlier run's, not made this time)" in capsys.readouterr().out
    assert not page.exists()
    assert png.exists() == (again == [])
    assert temporary_files(tmp_path) == []


def test_a_re_solve_never_removes_a_planners_file_of_the_maps_name(tmp_path):
    case = tiny_case(tmp_path / "in", xlsx=True)
    target = tmp_path / "out.xlsx"
    assert run("solve", case, target) == 0
    (tmp_path / "out_map.png").write_bytes(b"the planner's own picture")
    (tmp_path / "out.html").write_text("the planner's notes")
    assert run("solve", case, target, "--no-map") == 0
    assert (tmp_path / "out_map.png").read_bytes() == b"the planner's own picture"
    assert (tmp_path / "out.html").read_text() == "the planner's notes"


def test_a_re_solve_without_routes_csv_leaves_no_earlier_routes_csv(tmp_path):
    # The earlier run's routes beside the new workbook would be read as this run's.
    with_csv = write_case(tmp_path / "a", transport_case(), settings={"routes_csv": "TRUE"}, xlsx=True)
    without = write_case(tmp_path / "b", transport_case(), xlsx=True)
    target = tmp_path / "out.xlsx"
    assert main(["solve", str(with_csv), "-o", str(target)]) == 0
    assert (tmp_path / "out_routes.csv").exists()
    (tmp_path / "notes_routes.csv").write_text("a planner's file, beside no workbook of ours")
    assert main(["solve", str(without), "-o", str(target)]) == 0
    assert not (tmp_path / "out_routes.csv").exists() and (tmp_path / "notes_routes.csv").exists()


def test_a_comparison_without_a_map_leaves_no_panels_of_the_earlier_one(tmp_path):
    placed = tiny_case(tmp_path / "in", xlsx=True)
    unplaced = write_case(tmp_path / "bare", transport_case(Scenarios=[  # no lat and lon: no panels drawn
        {"scenario": "dear", "sheet": "Legs", "key": "A>M", "column": "cost_usd_per_t", "multiplier": 2}]), xlsx=True)
    target = tmp_path / "out.xlsx"
    assert run("compare", placed, target) == 0
    assert (tmp_path / "out_map.png").exists()
    assert run("compare", unplaced, target) == 0
    assert not (tmp_path / "out_map.png").exists()


def test_a_re_sweep_leaves_no_charts_of_the_earlier_sweep(tmp_path):
    case = tiny_case(tmp_path / "in", xlsx=True)
    target = tmp_path / "out.xlsx"
    assert run("sweep", case, target) == 0
    assert (tmp_path / "out_objective.png").exists()
    assert main(["sweep", str(case), "--set", "Legs[A>M].cost_usd_per_t=1:3:2", "--set",
                 "Legs[A>R].cost_usd_per_t=1:3:2", "--no-progress", "-o", str(target)]) == 0
    assert (tmp_path / "out_heatmap.png").exists()
    assert not (tmp_path / "out_objective.png").exists() and not (tmp_path / "out_shares.png").exists()


@pytest.mark.parametrize("command", ["solve", "sweep", "stress", "compare", "frontier"])
def test_a_planners_own_sheet_in_a_result_is_never_lost_without_a_word(tmp_path, capsys, command):
    # A sheet added to a workbook corridor wrote would vanish at the next run: the run is refused, naming the
    # sheet and how to keep it; --force replaces the workbook without it.
    case = tiny_case(tmp_path / "in", xlsx=True)
    target = tmp_path / "out.xlsx"
    assert run(command, case, target) == 0
    wb = load_workbook(target)
    wb.create_sheet("My notes")["A1"] = "the planner's own"
    wb.save(target)
    before = target.read_bytes()
    capsys.readouterr()
    assert run(command, case, target) == 1
    err = capsys.readouterr().err
    assert f"{target} holds sheet(s) that corridor did not write: My notes. Replacing the workbook would lose " \
           "them." in err and "add --force to replace the workbook without them" in err
    assert target.read_bytes() == before
    assert run(command, case, target, "--force") == 0
    assert "My notes" not in load_workbook(target, read_only=True).sheetnames


@pytest.mark.slow
@pytest.mark.parametrize("command", ["convert", "generate", "template", "calibrate"])
def test_an_input_workbook_a_command_wrote_is_not_replaced_even_by_that_command(tmp_path, capsys, command):
    # A planner copies the shipped base case (written by corridor calibrate) or a generated case and
    # edits it: the copy keeps the mark, and the planner's edits must survive calibrate -o COPY.
    target = tmp_path / "planner.xlsx"
    if command == "calibrate":
        shutil.copy(BASE_XLSX, target)
        args = ["calibrate", str(BASE_XLSX), "-o", str(target)]
    else:
        case = tiny_case(tmp_path / "in", xlsx=True)
        args = [str(case) if a == "CASE" else str(target) if a == "T" else a for a in COMMANDS[command]]
        assert main(args) == 0
    before = target.read_bytes()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "is an input workbook (written by corridor" in err or "the template never overwrites a file" in err
    assert target.read_bytes() == before
    assert main(args + ["--force"]) == 0


def test_a_result_workbook_is_not_replaced_by_another_command(tmp_path, capsys):
    case = tiny_case(tmp_path / "in", xlsx=True)
    result = tmp_path / "result.xlsx"
    assert run("solve", case, result) == 0
    before = result.read_bytes()
    assert run("stress", case, result) == 1
    assert "was written by corridor solve, not by corridor stress" in capsys.readouterr().err
    assert result.read_bytes() == before


def test_csv_folder_outputs_are_checked_before_any_file_is_written(tmp_path, capsys):
    source = tiny_case(tmp_path / "in", xlsx=True)
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "Routes.csv").write_text("a planner's routes\n")
    assert main(["convert", str(source), "-o", str(folder)]) == 1
    assert "Routes.csv exists" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["Routes.csv"]  # nothing else was written
    assert main(["convert", str(source), "-o", str(folder), "--force"]) == 0
    assert (folder / "Nodes.csv").exists() and temporary_files(tmp_path) == []


# ---------------------------------------------------------------------- Ctrl-C

def test_ctrl_c_while_solving_writes_nothing(tmp_path, capsys, monkeypatch):
    import model.steps

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(model.steps, "solve_plan", interrupted)
    target = tmp_path / "out.xlsx"
    assert run("solve", tiny_case(tmp_path / "in", xlsx=False), target) == 130
    assert capsys.readouterr().err.strip() == "Interrupted; no output was written."
    assert not target.exists() and temporary_files(tmp_path) == []


def test_ctrl_c_between_two_files_of_one_command_writes_neither(tmp_path, capsys, monkeypatch):
    # A sweep writes a workbook and its charts: interrupted at the second chart, none of them appears.
    import model.report.charts

    saved = model.report.charts._save
    count = []

    def interrupted_on_the_second(fig, outputs, path):
        count.append(path)
        if len(count) == 2:
            raise KeyboardInterrupt
        return saved(fig, outputs, path)

    monkeypatch.setattr(model.report.charts, "_save", interrupted_on_the_second)
    target = tmp_path / "out" / "sweep.xlsx"
    assert run("sweep", tiny_case(tmp_path / "in", xlsx=False), target) == 130
    assert "Interrupted; no output was written." in capsys.readouterr().err
    assert sorted(p.name for p in target.parent.iterdir()) == ["sweep.points.jsonl"]  # the resume journal only
    assert temporary_files(tmp_path) == []


def test_ctrl_c_while_writing_the_workbook_leaves_no_map_either(tmp_path, capsys, monkeypatch):
    # The map is drawn first, then the workbook: interrupted in the workbook, neither appears.
    import model.report.workbook

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(model.report.workbook, "_write_workbook", interrupted)
    target = tmp_path / "out.xlsx"
    assert run("solve", tiny_case(tmp_path / "in", xlsx=False), target, "--html") == 130
    assert capsys.readouterr().err.strip() == "Interrupted; no output was written."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"] and temporary_files(tmp_path) == []


def test_ctrl_c_after_writing_says_what_was_written(tmp_path, capsys, monkeypatch):
    import model.report.console

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(model.report.console, "solve_text", interrupted)
    target = tmp_path / "out.xlsx"
    assert run("solve", tiny_case(tmp_path / "in", xlsx=False), target) == 130
    png = tmp_path / "out_map.png"  # the map, written with the workbook
    assert capsys.readouterr().err.strip() == f"Interrupted; written before the interruption: {png}, {target}."
    assert "Summary" in load_workbook(target, read_only=True).sheetnames  # complete
    assert temporary_files(tmp_path) == []


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is a POSIX test")
def test_a_real_ctrl_c_during_a_sweep(tmp_path):
    # A long sweep of the base case, interrupted by SIGINT once points are being solved.
    out = tmp_path / "sweep.xlsx"
    journal = tmp_path / "sweep.points.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "model.cli", "sweep", str(BASE_XLSX), "--no-progress",
                             "--set", "Legs[RUB>NVR].cost_usd_per_t=20:120:300", "--set",
                             "Legs[DOS>MCN].cost_usd_per_t=20:60:300", "-o", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and (not journal.exists() or journal.read_text().count("\n") < 20):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Interrupted; no output was written." in err and "Traceback" not in err
    assert not out.exists() and temporary_files(tmp_path) == []
    assert os.path.getsize(journal) > 0  # what was solved is kept for --resume


def hold(target: Path) -> subprocess.Popen:
    """Another process holding target as a corridor run in progress holds it, until its stdin closes."""
    holder = subprocess.Popen([sys.executable, "-c", "import os, sys; from model.report.output import Outputs\n"
                               "with Outputs('solve') as o:\n o.check(sys.argv[1]); print('held', flush=True)\n"
                               " sys.stdin.read(); os._exit(0)", str(target)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert holder.stdout.readline().strip() == "held"
    return holder


@pytest.mark.parametrize("command", ["solve", "sweep"])
def test_a_second_run_to_the_same_output_is_refused_while_the_first_runs(tmp_path, capsys, command):
    # Two sweeps with one -o: the second took over the first's live journal and its --resume mixed both;
    # two solves could interleave their workbook, map and page. The first run holds its files (here another
    # process holds the file as a run in progress does); the second is refused, naming the first.
    case = tiny_case(tmp_path / "in", xlsx=True)
    target = tmp_path / "out.xlsx"
    held = target.with_suffix(".points.jsonl") if command == "sweep" else target
    first = hold(held)
    capsys.readouterr()
    assert run(command, case, target) == 1
    err = capsys.readouterr().err
    assert f"{held} is being written by another corridor run (corridor " in err
    assert f"process {first.pid}, since" in err
    assert "Wait until that run ends, or choose another output path with -o." in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".{held.name}.lock", "in"]
    first.stdin.close()  # the first run ends: its hold goes with it
    first.wait(timeout=60)
    assert run(command, case, target) == 0
    assert temporary_files(tmp_path) == []


def test_a_command_that_failed_in_this_process_does_not_block_the_next(tmp_path, capsys):
    # A traceback kept (pytest.raises, an interactive session) keeps the failed command's Outputs alive;
    # it let go of its files when its block ended, so the next command of the process is not refused.
    from model import pipeline
    from model.errors import InputError

    case = tiny_case(tmp_path / "in", xlsx=True)
    target = tmp_path / "out.xlsx"
    with pytest.raises(InputError) as kept:
        pipeline.run(tmp_path / "missing.xlsx", target)
    assert not (tmp_path / ".out.xlsx.lock").exists() and kept.value
    assert main(["solve", str(case), "-o", str(target)]) == 0
    assert temporary_files(tmp_path) == []


def test_a_run_that_died_holding_its_output_does_not_block_the_next(tmp_path):
    # The lock is the operating system's: it goes with the process, whatever its end.
    case = tiny_case(tmp_path / "in", xlsx=True)
    target = tmp_path / "out.xlsx"
    holder = hold(target)
    assert run("solve", case, target) == 1
    holder.stdin.close()  # it leaves without letting go: its lock file stays, unlocked
    holder.wait(timeout=60)
    assert (tmp_path / ".out.xlsx.lock").exists()
    assert run("solve", case, target) == 0
    assert temporary_files(tmp_path) == []


def test_a_file_is_held_only_inside_its_outputs_block(tmp_path):
    # A file checked outside the block would stay held after a failure (the locks were taken at check,
    # long before 'with outputs:', and let go by a finalizer or the CLI's release_all): refused; inside,
    # the block's end lets go of it, however the block ends.
    from model.errors import InputError, Problem
    from model.report.output import Outputs

    target, lock = tmp_path / "out.xlsx", tmp_path / ".out.xlsx.lock"
    with pytest.raises(RuntimeError, match="outside `with Outputs"):
        Outputs("solve").check(target)
    assert not lock.exists()
    with pytest.raises(InputError), Outputs("solve") as outputs:
        outputs.check(target)
        assert lock.exists()
        raise InputError("in.xlsx", [Problem("a bad row", "Fix it.")])
    assert not lock.exists() and not target.exists()
