"""Default output names (model.report.output.default_output, made by model.cli): every option that changes what a
command computes is in the name of the workbook it writes without -o, so two runs that differ never replace each
other's files (docs/user-guide/commands.md promises it)."""

from __future__ import annotations

import argparse

import pytest

import model.cli
from model.cli import main, parser

# Options that change how a run is done or where it writes, never what it computes.
NOT_IN_NAME = {"--help", "--output", "--force", "--no-progress", "--workers", "--dask", "--resume", "--debug"}


NAMES = model.cli._output  # the CLI's own, spied on below


class Named(Exception):
    """Raised by the name's spy: the command stops once its output is named."""


def options(command: str) -> list[argparse.Action]:
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return [a for a in sub.choices[command]._actions if a.option_strings and a.option_strings[-1] not in NOT_IN_NAME]


def another_value(action: argparse.Action) -> list[str]:
    """The option with a value other than its default."""
    flag = action.option_strings[-1]
    if isinstance(action, argparse._StoreTrueAction):
        return [flag]
    if action.choices:
        return [flag, next(c for c in action.choices if c != action.default)]
    if action.type in (int, float):
        return [flag, str((action.default or 2024) + 1)]
    return [flag, flag.strip("-")]  # a value of its own: no two options alike by chance


def named(monkeypatch, argv: list[str]) -> str:
    """The default output the command names for argv."""
    names = []

    def spy(args, kind, *parts):
        names.append(NAMES(args, kind, *parts))
        raise Named

    monkeypatch.setattr(model.cli, "_output", spy)
    main(argv)
    assert len(names) == 1, argv
    return str(names[0])


# uncertainty only so far: sweep and stress leave --keep-decisions out of the name, solve --uncertainty and
# --recalibrate (its ranges in the Summary) too
@pytest.mark.parametrize("command", ["uncertainty", "compare"])
def test_every_option_that_changes_the_run_is_in_the_default_name(monkeypatch, capsys, command):
    # corridor uncertainty --recalibrate (or --cuts) replaced the plain run's workbook, page and journal.
    base = [command, "case.xlsx"]
    names = {"(defaults)": named(monkeypatch, base)}
    for action in options(command):
        names[action.option_strings[-1]] = named(monkeypatch, base + another_value(action))
    same = {o: n for o, n in names.items() if list(names.values()).count(n) > 1}
    assert same == {}, f"options that leave the default name alone: {same}"
