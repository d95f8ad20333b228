"""A sweep's journal (JSONL: a head line with the sweep's signature and definition, then one line a point as it
is solved), read back for --resume one line at a time: a journal of many draws is large. model.analysis.sweep
writes it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from model.errors import InputError, Problem

if TYPE_CHECKING:
    from collections.abc import Iterator

    from model.lp.live import LivePoint


def ends_a_line(path: Path) -> bool:
    """The file is empty or its last byte ends a line (read alone: a journal of many draws is large)."""
    with path.open("rb") as f:
        if not f.seek(0, os.SEEK_END):
            return True
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def read_points(path: Path, sweep) -> Iterator[tuple[int, LivePoint]]:
    """Each point of the journal, (i, point), read one line at a time (a journal of many draws is large);
    InputError for a journal of another sweep. sweep: model.analysis.sweep's Sweep, its signature and definition
    (not imported: the sweep module imports this one)."""
    from model.lp.live import LivePoint

    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        try:
            head = json.loads(next(lines, "{}"))
        except json.JSONDecodeError:
            head = {}
        held = f" ({head['definition']})" if head.get("definition") else ""
        signature = sweep.signature  # hashes the input: once, not at every line
        if head.get("sweep") != signature:
            raise InputError(str(path), [Problem(
                f"holds points of a different sweep{held} (other input, parameters or values) than this one "
                f"({sweep.definition})",
                "Run without --resume to start again, or give the same input and --set values.")])
        for number, line in enumerate(lines, start=2):
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by the interruption
            if rec.get("sweep", signature) != signature:
                raise InputError(str(path), [Problem(
                    "holds points of another sweep beside this one's (two runs wrote into it), so its points cannot be "
                    "trusted", "Run without --resume to start again.")])
            try:
                point = rec["i"], LivePoint.of_record(rec["result"])
            except (KeyError, TypeError):  # not a point as this version writes it
                raise InputError(str(path), [Problem(
                    f"holds a point this version of corridor does not read (line {number})",
                    "Run without --resume to start again.")]) from None
            yield point
