"""--solver-option KEY=VALUE: HiGHS options given by the planner, each checked against HiGHS before
anything is read or solved (model.lp.highs.load_highs applies them)."""

from __future__ import annotations

import difflib
import os
import re
import sys
import tempfile

import highspy

from model.errors import InputError, Problem
from model.lp.highs import OptionValue, quiet_stdout, typed_option

# HiGHS options that read or write files (HiGHS opens the path it is given, whatever it is: a
# solution_file of INPUT.xlsx replaces the planner's workbook with text). corridor writes every file
# through its output guard (model.report.output), so these are refused.
FILE_OPTIONS = ("log_file", "solution_file", "write_solution_to_file", "write_solution_style", "read_solution_file",
                "read_basis_file", "write_basis_file", "write_model_file", "write_model_to_file",
                "write_presolved_model_file", "write_iis_model_file", "write_presolved_model_to_file")
# Options corridor sets itself (--verbose says whether HiGHS's log is shown).
OWN_OPTIONS = ("output_flag", "log_to_console")


def _names_files(key: str) -> bool:
    return key in FILE_OPTIONS or key.endswith("_file") or key.startswith(("write_", "read_"))


def solver_options(texts: list[str]) -> dict[str, OptionValue]:
    """--solver-option KEY=VALUE texts as HiGHS options: a value is an int, a float, true/false or text.
    Each is checked against HiGHS before anything is read or solved: an unknown name (with the
    nearest names HiGHS has), a value HiGHS refuses (with HiGHS's reason), an option that reads or
    writes a file, or one corridor sets itself is refused with the fix (InputError, exit 2)."""
    options: dict[str, OptionValue] = {}
    problems: list[Problem] = []
    with quiet_stdout(True):
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    known = sorted(n for n in dir(h.getOptions()) if not n.startswith("_"))
    for text in texts:
        key, sep, value = text.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(Problem(f"'{text}' is not of the form KEY=VALUE", "Write for example --solver-option "
                                                                             "solver=ipm."))
            continue
        typed = typed_option(value.strip())
        if _names_files(key):
            problems.append(Problem(
                f"{key} makes HiGHS read or write a file ({text}), which corridor does not allow: HiGHS would open "
                "any path it is given, the input workbook included",
                "Drop this option; corridor solve --verbose shows HiGHS's log, and the result workbook holds the "
                "solution."))
        elif key in OWN_OPTIONS:
            problems.append(Problem(f"{key} is set by corridor itself", "Drop this option; add --verbose to see "
                                                                       "HiGHS's log."))
        elif key not in known:
            near = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
            problems.append(Problem(
                f"HiGHS has no option '{key}'",
                (f"Did you mean {' or '.join(near)}? " if near else "")
                + "Options are spelled as in the HiGHS documentation (e.g. solver=ipm, presolve=off, time_limit=60)."))
        else:
            why = _refused_value(h, key, typed)
            if why is not None:
                problems.append(Problem(f"HiGHS does not accept {key}={value.strip()}: {why}",
                                        f"Give a value HiGHS accepts for {key} (its default: "
                                        f"{_default_text(h, key)})."))
            else:
                options[key] = typed
    if problems:
        raise InputError("--solver-option", problems)
    return options


def _refused_value(h: highspy.Highs, key: str, value: OptionValue) -> str | None:
    """HiGHS's reason for refusing value for option key (its own message), or None if it takes it."""
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile() as said:
        try:
            os.dup2(said.fileno(), 1)
            h.setOptionValue("output_flag", True)
            try:
                status = h.setOptionValue(key, value)
            except Exception:  # highspy raises on a value of the wrong type
                status = None
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
            h.setOptionValue("output_flag", False)
        said.seek(0)
        text = " ".join(line.strip().removeprefix("ERROR:").strip()
                        for line in said.read().decode("utf-8", "replace").splitlines() if line.strip())
    if status == highspy.HighsStatus.kOk:
        return None
    text = re.sub(r"^\w+: ", "", text)  # HiGHS's function name (checkOptionValue: ...)
    if text:
        return text
    kind = {"kBool": "true or false", "kInt": "a whole number", "kDouble": "a number", "kString": "text"}
    _, t = h.getOptionType(key)
    return f"it takes {kind.get(t.name, 'another kind of value')}"


def _default_text(h: highspy.Highs, key: str) -> str:
    _, value = h.getOptionValue(key)
    return str(value).lower() if isinstance(value, bool) else str(value)
