"""One run at a time owns a file: an OS-level lock held from the output guard's check until the
command's files are in place (model.report.output.Outputs, which holds its locks and lets go of
them when its with block ends)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path

from model.errors import OutputError


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
        self.made: list[Path] = []  # folders made for the lock file, deepest first: removed on release if empty

    def acquire(self) -> None:
        """Hold the lock, or OutputError naming the run that holds it."""
        while True:
            try:
                folder, made = self.path.parent, []
                while not folder.exists():
                    made.append(folder)
                    folder = folder.parent
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.made += made
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
        for folder in self.made:  # a run that wrote nothing leaves no folder it made for its lock
            with contextlib.suppress(OSError):
                folder.rmdir()
        self.made = []


_WINDOWS_LOCKED_BYTE = 1 << 20  # msvcrt locks a byte range (beyond the end of the file is allowed)


def _lock(fd: int) -> bool:
    """Lock an open file without waiting; False if another process (or open file) holds it."""
    try:
        if os.name == "nt":
            import msvcrt

            os.lseek(fd, _WINDOWS_LOCKED_BYTE, os.SEEK_SET)  # past the holder's text, which stays readable
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]  # Windows only; checked on Linux
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
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]  # Windows only; checked on Linux
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)

