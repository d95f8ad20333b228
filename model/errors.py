"""Problems a planner can act on, and the exceptions that carry them to the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a problem is: an error stops the run, a warning is reported and the run goes on."""

    ERROR = "error"
    WARNING = "warning"


ERROR, WARNING = Severity.ERROR, Severity.WARNING  # the members under their short names
MAX_LISTED = 5  # names in one message
MAX_PRINTED = 100  # problems in one report


@dataclass(frozen=True)
class Problem:
    """One finding about the input: where, what was found, what was expected, the fix."""

    message: str  # what is wrong and what was expected, e.g. "must be >= 0, found -50"
    fix: str = ""  # what to do about it
    sheet: str | None = None
    row: int | None = None  # the row number as Excel (or a text editor for CSV) shows it
    key: str | None = None  # the row's key, e.g. "KHO>KSG"
    column: str | None = None
    severity: Severity = ERROR
    scenario: str | None = None  # the scenario it was found in, where found for one (the message names it too)
    year: int | None = None  # the year of a plan it was found in, where found for one (the message names it too)

    @property
    def where(self) -> str:
        parts = []
        if self.sheet:
            place = self.sheet
            if self.row is not None:
                place += f", row {self.row}"
                if self.key:
                    place += f" ({self.key})"
            parts.append(place)
        if self.column:
            parts.append(self.column)
        return ", ".join(parts)

    def __str__(self) -> str:
        text = _sentence(f"{self.where}: {self.message}" if self.where else self.message)
        if self.fix:
            text += " " + _sentence(self.fix)
        return text


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def format_problems(source: str, problems: list[Problem]) -> str:
    """The report a planner reads: errors first, then warnings, one per line."""
    errors = [p for p in problems if p.severity == ERROR]
    warnings = [p for p in problems if p.severity == WARNING]
    lines = []
    for kind, found in (("problem", errors), ("warning", warnings)):
        if not found:
            continue
        lines.append(f"{source}: {len(found)} {kind}{'s' if len(found) != 1 else ''}")
        lines += [f"  {p}" for p in found[:MAX_PRINTED]]
        if len(found) > MAX_PRINTED:
            lines.append(f"  (+{len(found) - MAX_PRINTED} more {kind}s; fix these and run again)")
    return "\n".join(lines)


def number_text(x: float) -> str:
    """A number as messages show it, bounds and values alike: 95, -0.5, 3650, 40,000,
    10,000,000,000 (thousands separated from five digits), and 1e+20 where the digits would
    run past fifteen, so that an absurd value reads as absurd."""
    return f"{x:.15g}" if abs(x) < 10_000 else f"{x:,.15g}"


def short_list(names, limit: int = MAX_LISTED) -> str:
    """'a, b, c, d, e (+12 more)': long lists cut after five names."""
    names = [str(n) for n in names]
    text = ", ".join(names[:limit])
    if len(names) > limit:
        text += f" (+{len(names) - limit} more)"
    return text


class CorridorError(Exception):
    """Base of the errors the CLI turns into a message and an exit code."""

    exit_code = 1

    def __reduce__(self):
        # Pickled whole, whatever its constructor takes: a worker process or a Dask worker sends it back to the
        # run's own process, which raises it as raised serially (pickle rebuilds an exception by calling its class
        # with args, its message alone, which an InputError's constructor refuses).
        return _unpickled, (type(self), self.args, self.__dict__)


def _unpickled(cls: type[CorridorError], args: tuple, state: dict) -> CorridorError:
    error = cls.__new__(cls)
    error.args = args
    for name, value in state.items():  # its attributes: an InputError's source and problems
        setattr(error, name, value)
    return error


class InputError(CorridorError):
    """The input cannot be used: one or more problems, each with its place and fix."""

    exit_code = 2

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__(format_problems(source, problems))


class OutputError(CorridorError):
    """The result cannot be written where asked."""

    exit_code = 1


class NoSolutionError(CorridorError):
    """The model is infeasible or unbounded; the message says why in words."""

    exit_code = 3


class SolverStoppedError(NoSolutionError):
    """HiGHS stopped before it found an optimum or proved there is none (a limit set with
    --solver-option such as time_limit, memory, an interruption, numerical trouble): no answer, and
    no proof that the case is infeasible, so not exit 3. The message says what stopped it and the fix."""

    exit_code = 1
