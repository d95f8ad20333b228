"""Every file a command writes goes through one guard, and is written all or none.

Outputs(kind, inputs, force) is the set of files one command writes. claim(target) checks the
target before any work is done and reserves a temporary file beside it; the command writes there;
commit() renames every temporary file into place at the end (Ctrl-C waits until the renames are
done), and any failure removes them all, so a command's output is complete or absent and no
temporary file is left behind.

The guard: a target is never an input file, never inside an input folder (a CSV case folder),
and never an existing file that this kind of command did not write itself (a result workbook is
replaced by the next solve; a planner's workbook is not), nor an input workbook or case that a
command wrote (calibrate, convert, generate, template: planners edit those), unless --force is given. Workbooks,
charts, maps, report pages and journals (of a sweep or an uncertainty run) carry the kind of command that wrote them
(the workbook's keywords, the PNG's Software text, the page's generator, the journal head's generator),
which is how an earlier output is recognised. A file two kinds of command write alike (the map
beside a result, drawn by corridor solve or corridor map) is claimed with the other kind allowed.

The files a command writes together are one set: a file of the set that this run does not write
(the map after --no-map, the page without --html, the routes CSV without routes_csv) is retired, and
removed at commit when corridor wrote it, so an earlier run's map never stands beside a new workbook.
A workbook that holds sheets corridor did not write (a planner's own) is not replaced without --force.
One run at a time: each file is held (Lock) from its check until the files are in place, and a
second run is refused, naming the first. An Outputs is used as a context (`with Outputs(...) as
outputs:`) from its first check to the end of the command's writing, so however the command ends,
its files are let go when the block ends; a check outside the block is refused. Without -o, a
command's workbook is named by default_output, with what distinguishes the run in the name.

What a command renamed into place is kept by each of its Outputs (Outputs.committed); the CLI reads
it for what Ctrl-C says through the Command of the run (command()), which lists the Outputs made
while it is current.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from model.errors import OutputError, short_list
from model.report.locks import Lock

WRITER = "corridor-model"
# Commands whose output is an input workbook or case: a planner edits it, and the copy keeps the
# mark, so the mark says nothing of whose work it now holds. Never replaced without --force.
INPUT_KINDS = ("calibrate", "convert", "generate", "template")


OUTPUT_DIR = Path("outputs")
MAX_NAME = 120  # characters of a default file name; a longer one is cut and ends in a hash of the whole


def default_output(source, kind: str, *parts: str | None) -> Path:
    """The workbook a command writes without -o: outputs/<input>[_<part>...]_<kind>.xlsx, its parts what
    distinguishes the run (a scenario, a swept parameter, a frontier's target, the scenarios compared),
    made safe for a file name, so two different runs never replace each other's files. The help texts
    show it with no parts, from this same function."""
    import hashlib

    words = [re.sub(r"[^\w-]+", "_", str(p)).strip("_") for p in parts if p]
    name = "_".join([Path(source).stem, *[w for w in words if w], kind])
    if len(name) > MAX_NAME:
        name = name[:MAX_NAME - 9] + "_" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return OUTPUT_DIR / f"{name}.xlsx"


def default_output_help(command: str) -> str:
    """The default output of a command as its --help gives it: default_output's own name, and what
    goes into it."""
    default = default_output("<input>", {"solve": "result", "calibrate": "calibrated"}.get(command, command))
    named = {"solve": "the scenario", "sweep": "the parameters (_exact.xlsx with --exact)",
             "stress": "what is closed", "frontier": "the target", "compare": "the scenarios",
             "uncertainty": "the method, draws and seed, and --recalibrate, --cuts or --keep-decisions"}.get(command)
    return f"{default}; in the name: {named}" if named else str(default)


def mark(kind: str) -> str:
    """The text that marks a file as written by corridor `kind`."""
    return f"{WRITER}:{kind}"


def written_by(path: Path) -> str | None:
    """The kind of corridor command that wrote an existing file, or None (another program's file, or
    one that cannot carry the mark: a CSV file)."""
    path = Path(path)
    try:
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            with zipfile.ZipFile(path) as z, z.open("docProps/core.xml") as part:
                core = part.read(2**16).decode("utf-8", "replace")  # the mark is near the start: never inflate it all
            found = re.search(r"<cp:keywords>" + re.escape(WRITER) + r":([\w-]+)</cp:keywords>", core)
            return found.group(1) if found else None
        if suffix == ".png":
            return _png_writer(path.read_bytes())
        if suffix in (".html", ".htm"):
            with path.open("rb") as f:
                head = f.read(4096).decode("utf-8", "replace")
            found = re.search(r'<meta name="generator" content="' + re.escape(WRITER) + r':([\w-]+)">', head)
            return found.group(1) if found else None
        if suffix == ".jsonl":
            with path.open(encoding="utf-8") as f:
                first = json.loads(f.readline() or "{}")
            if not isinstance(first, dict) or "sweep" not in first:
                return None
            found = re.fullmatch(re.escape(WRITER) + r":([\w-]+)", str(first.get("generator", "")))
            # a journal's head names the command that wrote it (model.analysis.sweep.stream_sweep's writer); one of
            # an earlier version, without it, is a sweep's
            return found.group(1) if found else "sweep" if "generator" not in first else None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    return None


# The custom document property in which a workbook corridor writes lists its sheets (JSON): any other
# sheet in it was added by someone else, and would be lost if the workbook were replaced.
SHEETS_PROPERTY = "corridor sheets"


def added_sheets(path: Path) -> list[str]:
    """The sheets of a workbook corridor wrote that corridor did not write (a planner's own, added
    since), in workbook order; [] when it lists none (a workbook of an older version) or cannot be read."""
    from defusedxml.ElementTree import fromstring

    try:
        with zipfile.ZipFile(path) as z:
            custom = fromstring(z.read("docProps/custom.xml"))
            book = fromstring(z.read("xl/workbook.xml"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, SyntaxError):
        return []
    listed = next((json.loads("".join(p.itertext())) for p in custom if p.tag.endswith("}property")
                   and p.get("name") == SHEETS_PROPERTY), None)
    if not isinstance(listed, list):
        return []
    names = [el.get("name") for el in book.iter() if el.tag.endswith("}sheet") and el.get("name") is not None]
    return [n for n in names if n not in listed]


def _png_writer(data: bytes) -> str | None:
    """The kind in a PNG's Software text chunk (before its image data), if corridor wrote it."""
    pos = 8  # after the signature: chunks of length (4 bytes), type (4), data, CRC (4)
    while pos + 8 <= len(data):
        length, kind = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
        if kind == b"IDAT":
            break
        if kind == b"tEXt":
            key, _, text = data[pos + 8:pos + 8 + length].partition(b"\x00")
            prefix = (WRITER + ":").encode()
            if key == b"Software" and text.startswith(prefix):
                return text[len(prefix):].decode("latin-1")
        pos += 12 + length
    return None


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def refusal(target: Path, kind: str, inputs, force: bool, companion_of: Path | None = None,
            also: tuple[str, ...] = ()) -> str | None:
    """Why target may not be written by corridor `kind`, or None when it may (also: other kinds of
    command whose file it may replace)."""
    target = Path(target)
    for src in (Path(p) for p in inputs if p is not None):
        if _same(target, src):
            return (f"the output {target} is the input file; the input is never overwritten. Choose another output "
                    "path with -o.")
        if src.is_dir() and (_same(target.parent, src) or src.resolve() in target.resolve().parents):
            return (f"the output {target} is inside the input folder {src}; nothing is written into a case folder, "
                    "where it would be read as input next time. Choose another output path with -o.")
    if target.is_dir():
        return f"cannot write {target}: it is a folder. Give a file name with -o."
    if not target.exists() or force:
        return None
    if companion_of is not None:  # written beside a file of ours: replaced when that file is one of ours
        if Path(companion_of).exists() and written_by(Path(companion_of)) == kind:
            return None
        found = None
    else:
        found = written_by(target)
        if found in INPUT_KINDS:
            return (f"{target} exists and is an input workbook (written by corridor {found}, perhaps edited since), "
                    "so it is not replaced. Choose another path with -o, or add --force to replace it.")
        if found == kind or found in also:
            added = added_sheets(target) if target.suffix.lower() in (".xlsx", ".xlsm") else []
            if not added:
                return None
            return (f"{target} holds sheet(s) that corridor did not write: {short_list(added)}. Replacing the "
                    "workbook would lose them. Keep them by copying them into a workbook of your own (or save this "
                    "one under another name) and run again, choose another output with -o, or add --force to "
                    "replace the workbook without them.")
    by = f"was written by corridor {found}, not by corridor {kind}" if found else f"was not written by corridor {kind}"
    return (f"{target} exists and {by}, so it is not replaced. Choose another path with -o, or add --force to "
            "replace it.")


class Outputs:
    """The files one command writes, checked first and written all or none (see the module). Each
    file is held (Lock) from its check until the files are in place or given up, so two runs never
    write one file, nor one sweep's journal, at once."""

    def __init__(self, kind: str, inputs=(), force: bool = False):
        self.kind, self.inputs, self.force = kind, [Path(p) for p in inputs if p is not None], force
        self.locks: dict[Path, Lock] = {}  # held from check until the end of the with block
        self.open = False  # inside its with block: files may be checked and held
        self.pending: list[tuple[Path, Path]] = []  # (temporary file, target)
        self.retired: list[Path] = []  # earlier files of this set that this run does not write again
        self.removed: list[Path] = []  # those of them removed at commit (for what the command says)
        self.committed: list[Path] = []  # the files renamed into place (for what Ctrl-C says)
        running = _COMMAND.get()
        if running is not None:
            running.outputs.append(self)

    def check(self, target: Path, companion_of: Path | None = None, also: tuple[str, ...] = ()) -> None:
        """OutputError if the guard refuses target (before any work is done); else the file is held
        until the with block ends."""
        if not self.open:  # a file held outside the block would stay held after a failure
            raise RuntimeError(f"Outputs.check({target}) outside `with Outputs(...)`")
        why = refusal(Path(target), self.kind, self.inputs, self.force, companion_of, also)
        if why:
            raise OutputError(why)
        key = Path(os.path.abspath(target))
        if key not in self.locks:
            lock = Lock(key)
            lock.acquire()
            self.locks[key] = lock

    def claim(self, target: Path, companion_of: Path | None = None, also: tuple[str, ...] = ()) -> Path:
        """Check target against the guard (OutputError if refused) and reserve a temporary file
        beside it; returns the temporary file's path to write to."""
        target = Path(target)
        self.check(target, companion_of, also)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
            os.close(fd)
        except OSError as exc:
            raise OutputError(f"cannot write in {target.parent}: {exc.strerror}. Choose another folder with -o.") \
                from None
        self.pending.append((Path(tmp), target))
        return Path(tmp)

    def staged(self, target: Path) -> Path:
        """The temporary file a target claimed in this block is written to, to read back what was written (a chart
        embedded in a page); KeyError if it was not claimed."""
        return next(tmp for tmp, goal in self.pending if goal == Path(target))

    def retire(self, target: Path, companion_of: Path | None = None, also: tuple[str, ...] = ()) -> None:
        """A file of the set this command writes that this run does not write (a re-solve without
        the map or the page): removed at commit, so what stays beside the new workbook is this run's
        and no earlier run's. Only a file corridor wrote itself is removed (its mark is this kind or
        one of also; a companion without a mark, when the file it is beside is ours), never with
        --force a planner's file of that name."""
        target = Path(target)
        if not target.is_file() or any(_same(target, src) for src in self.inputs):
            return
        if companion_of is not None:
            ours = Path(companion_of).exists() and written_by(Path(companion_of)) == self.kind
        else:
            ours = written_by(target) in (self.kind, *also)
        if ours:
            self.retired.append(target)

    def commit(self) -> list[Path]:
        """Rename every temporary file into place (the usual permissions: 0666 less the umask; Ctrl-C
        is held until all are in place). Returns the targets."""
        umask = os.umask(0)
        os.umask(umask)
        done = []
        with _interrupts_held():
            try:
                for tmp, target in self.pending:
                    os.chmod(tmp, 0o666 & ~umask)
                    os.replace(tmp, target)
                    done.append(target)
                for old in self.retired:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(old)
                        self.removed.append(old)
            except PermissionError:
                target = self.pending[len(done)][1]
                raise OutputError(f"cannot write {target}: permission denied. If the file is open in Excel, close it "
                                  "and run again, or choose another path with -o.") from None
            except OSError as exc:
                target = self.pending[len(done)][1]
                raise OutputError(f"cannot write {target}: {exc.strerror or exc}. Choose another path with -o.") \
                    from None
            finally:
                self.committed += done
                self.pending = [(t, g) for t, g in self.pending if g not in done]
                self.discard()
        return done

    def discard(self) -> None:
        """Remove every temporary file not renamed into place."""
        for tmp, _ in self.pending:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        self.pending, self.retired = [], []

    def release(self) -> None:
        """Let go of every file held (the last taken first: its folder was made by an earlier one)."""
        for lock in reversed(list(self.locks.values())):
            lock.release()
        self.locks.clear()

    def __enter__(self) -> Outputs:
        self.open = True
        return self

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if exc is None:
                self.commit()
            else:
                self.discard()
        finally:
            self.open = False
            self.release()


class Command:
    """One command of the CLI (model.cli.main), for what Ctrl-C says: the Outputs made while it runs
    (command()), each keeping what it renamed into place."""

    def __init__(self):
        self.outputs: list[Outputs] = []

    @property
    def committed(self) -> list[Path]:
        """The files this command renamed into place, in the order written."""
        return [p for o in self.outputs for p in o.committed]


_COMMAND: ContextVar[Command | None] = ContextVar("corridor_command", default=None)


@contextlib.contextmanager
def command() -> Iterator[Command]:
    """The Command of the block: each Outputs made in it is listed in it; none after it ends."""
    running = Command()
    token = _COMMAND.set(running)
    try:
        yield running
    finally:
        _COMMAND.reset(token)


@contextlib.contextmanager
def writing(outputs: Outputs | None, kind: str, inputs=(), force: bool = False):
    """The Outputs to write into: the caller's (who commits), or a new one committed at the end."""
    if outputs is not None:
        yield outputs
        return
    with Outputs(kind, inputs, force) as own:
        yield own


@contextlib.contextmanager
def _interrupts_held():
    """Hold Ctrl-C (SIGINT) until the block is done, then deliver it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


