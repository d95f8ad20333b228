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

The files a command writes together are one set: a file of the set that this run does not write
(the map after --no-map, the page without --html, the routes CSV without routes_csv) is retired, and
removed at commit when corridor wrote it, so an earlier run's map never stands beside a new workbook.
A workbook that holds sheets corridor did not write (a planner's own) is not replaced without --force.
One run at a time: each file is held (Lock) from its check until the files are in place, and a
second run is refused, naming the first. Without -o, a command's workbook is named by
default_output, with what distinguishes the run in the name.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sys
import tempfile
import threading
import time
import weakref
import zipfile
from pathlib import Path

from model.errors import OutputError, short_list

WRITER = "corridor-model"
# Commands whose output is an input workbook or case: a planner edits it, and the copy keeps the
# mark, so the mark says nothing of whose work it now holds. Never replaced without --force.
INPUT_KINDS = ("calibrate", "convert", "generate", "template")
COMMITTED: list[Path] = []  # files renamed into place by this process (for what Ctrl-C says)


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
            with zipfile.ZipFile(path) as z:
                core = z.read("docProps/core.xml").decode("utf-8", "replace")
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


class Lock:
    """One run's hold on an output file, from the guard's check until its files are in place: an
    OS-level lock (flock; on Windows, msvcrt) on a hidden file beside it, .<name>.lock, holding who
    holds it. A second run is refused, naming the first. The lock goes with its process (a run that
    crashed leaves at most an unlocked file, taken over by the next); the file is removed on release.
    Hand-written: the standard library has the two OS calls, and no library of the environment
    does this with the holder's name."""

    def __init__(self, target: Path):
        self.target = Path(target)
        self.path = self.target.with_name(f".{self.target.name}.lock")
        self.fd: int | None = None

    def acquire(self) -> None:
        """Hold the lock, or OutputError naming the run that holds it."""
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError:
                return  # a folder that cannot take the lock file cannot take the output either: said at claim
            if not _lock(fd):
                os.close(fd)
                raise OutputError(f"{self.target} is being written by another corridor run ({self._holder()}), so "
                                  "this run does not write it. Wait until that run ends, or choose another output "
                                  "path with -o.")
            try:  # its last holder may have removed the file between our open and our lock: take the new one
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except OSError:
                same = False
            if same:
                break
            _unlock(fd)
            os.close(fd)
        self.fd = fd
        held = json.dumps({"pid": os.getpid(), "command": " ".join(["corridor", *sys.argv[1:]]),
                           "since": time.strftime("%H:%M:%S")})
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, held.encode())

    def _holder(self) -> str:
        try:
            held = json.loads(self.path.read_bytes().decode("utf-8"))
            return f"{held['command']}, process {held['pid']}, since {held['since']}"
        except (OSError, ValueError, KeyError, TypeError):
            return "its details cannot be read"

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)  # before unlocking: a run waiting on this file then takes a new one
        with contextlib.suppress(OSError):
            _unlock(self.fd)
        os.close(self.fd)
        self.fd = None


_WINDOWS_LOCKED_BYTE = 1 << 20  # msvcrt locks a byte range (beyond the end of the file is allowed)


def _lock(fd: int) -> bool:
    """Lock an open file without waiting; False if another process (or open file) holds it."""
    try:
        if os.name == "nt":
            import msvcrt

            os.lseek(fd, _WINDOWS_LOCKED_BYTE, os.SEEK_SET)  # past the holder's text, which stays readable
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _unlock(fd: int) -> None:
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCKED_BYTE, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


# The locks this process holds, by file: (the Lock, the locks of the Outputs holding it). Commands of one
# process run one after another, so a file still held by an earlier one here (its Outputs kept alive by
# a traceback that is kept, as pytest.raises or an interactive session keeps it) is taken over.
_HELD: dict[Path, tuple[Lock, dict]] = {}


def _release(locks: dict) -> None:
    for key, lock in locks.items():
        lock.release()
        if key in _HELD and _HELD[key][1] is locks:
            del _HELD[key]
    locks.clear()


class Outputs:
    """The files one command writes, checked first and written all or none (see the module). Each
    file is held (Lock) from its check until the files are in place or given up, so two runs never
    write one file, nor one sweep's journal, at once."""

    def __init__(self, kind: str, inputs=(), force: bool = False):
        self.kind, self.inputs, self.force = kind, [Path(p) for p in inputs if p is not None], force
        self.locks: dict[Path, Lock] = {}
        weakref.finalize(self, _release, self.locks)  # an Outputs dropped by an error lets go of its files
        self.pending: list[tuple[Path, Path]] = []  # (temporary file, target)
        self.retired: list[Path] = []  # earlier files of this set that this run does not write again

    def check(self, target: Path, companion_of: Path | None = None, also: tuple[str, ...] = ()) -> None:
        """OutputError if the guard refuses target (before any work is done)."""
        why = refusal(Path(target), self.kind, self.inputs, self.force, companion_of, also)
        if why:
            raise OutputError(why)
        key = Path(os.path.abspath(target))
        if key not in self.locks:
            if key in _HELD:  # held by an earlier command of this process that did not end cleanly
                lock, earlier = _HELD[key]
                earlier.pop(key, None)
            else:
                lock = Lock(key)
                lock.acquire()
            _HELD[key] = (lock, self.locks)
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
        self.pending, self.retired = [], []
        _release(self.locks)

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


