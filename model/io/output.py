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
charts, maps, report pages and sweep journals carry the kind of command that wrote them (the
workbook's keywords, the PNG's Software text, the page's generator, the journal's first line),
which is how an earlier output is recognised. A file two kinds of command write alike (the map
beside a result, drawn by corridor solve or corridor map) is claimed with the other kind allowed.
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
from pathlib import Path

from model.errors import OutputError

WRITER = "corridor-model"
# Commands whose output is an input workbook or case: a planner edits it, and the copy keeps the
# mark, so the mark says nothing of whose work it now holds. Never replaced without --force.
INPUT_KINDS = ("calibrate", "convert", "generate", "template")
COMMITTED: list[Path] = []  # files renamed into place by this process (for what Ctrl-C says)


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
            return "sweep" if isinstance(first, dict) and "sweep" in first else None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    return None


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
            return None
    by = f"was written by corridor {found}, not by corridor {kind}" if found else f"was not written by corridor {kind}"
    return (f"{target} exists and {by}, so it is not replaced. Choose another path with -o, or add --force to "
            "replace it.")


class Outputs:
    """The files one command writes, checked first and written all or none (see the module)."""

    def __init__(self, kind: str, inputs=(), force: bool = False):
        self.kind, self.inputs, self.force = kind, [Path(p) for p in inputs if p is not None], force
        self.pending: list[tuple[Path, Path]] = []  # (temporary file, target)

    def check(self, target: Path, companion_of: Path | None = None, also: tuple[str, ...] = ()) -> None:
        """OutputError if the guard refuses target (before any work is done)."""
        why = refusal(Path(target), self.kind, self.inputs, self.force, companion_of, also)
        if why:
            raise OutputError(why)

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
            except PermissionError:
                target = self.pending[len(done)][1]
                raise OutputError(f"cannot write {target}: permission denied. If the file is open in Excel, close it "
                                  "and run again, or choose another path with -o.") from None
            except OSError as exc:
                target = self.pending[len(done)][1]
                raise OutputError(f"cannot write {target}: {exc.strerror or exc}. Choose another path with -o.") \
                    from None
            finally:
                COMMITTED.extend(done)
                self.pending = [(t, g) for t, g in self.pending if g not in done]
                self.discard()
        return done

    def discard(self) -> None:
        """Remove every temporary file not renamed into place."""
        for tmp, _ in self.pending:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        self.pending = []

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if exc is None:
            self.commit()
        else:
            self.discard()


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


