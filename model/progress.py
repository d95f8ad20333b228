"""The phases of a run (reading, building, solving, results, writing): timed, and on a terminal
shown as one live line with the phase and the elapsed time, so a long solve is visibly alive."""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager


class Phases:
    """phases("solving") ends the current phase and starts the next; phases.done() ends the last.
    times: seconds per phase. With live=True a line on stderr shows the phase and the time, redrawn
    every quarter second by a background thread, and erased at the end."""

    def __init__(self, live: bool = False, stream=None):
        self.stream = stream or sys.stderr
        self.live = live
        self.times: dict[str, float] = {}
        self.current: str | None = None
        self.began = self.phase_began = time.perf_counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if live:
            self._thread = threading.Thread(target=self._draw_loop, daemon=True)
            self._thread.start()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        if self.current is not None:
            self.times[self.current] = self.times.get(self.current, 0.0) + now - self.phase_began
        self.current, self.phase_began = name, now
        if self.live:
            self._draw()

    def done(self) -> None:
        self(None)  # type: ignore[arg-type]
        self.current = None
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()

    @property
    def total(self) -> float:
        return time.perf_counter() - self.began

    def text(self) -> str:
        """Each phase and its seconds, 'read N s, build N s, ...', in the order run."""
        return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.times.items())

    def _draw(self) -> None:
        if self.current is None:
            return
        now = time.perf_counter()
        self.stream.write(f"\r{self.current}... {now - self.phase_began:6.1f} s   (total {now - self.began:6.1f} s)  ")
        self.stream.flush()

    def _draw_loop(self) -> None:
        while not self._stop.wait(0.25):
            self._draw()


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused for the block, as it was before afterwards, however
    the block ends. A run makes millions of small objects and no cycles worth collecting, so the
    collector's passes over them only cost time (benchmarks/README.md)."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class NoPhases(Phases):
    """Times the phases without showing anything."""

    def __init__(self) -> None:
        super().__init__(live=False)


def show_progress(asked: bool) -> bool:
    """A progress bar only when asked for and written to a terminal: never into a log file or a pipe."""
    import sys

    return asked and sys.stderr.isatty()


@contextmanager
def live_line(what: str, asked: bool = True):
    """A command that runs for seconds without a bar of its own (calibrate, frontier) shows one live
    line, 'what... N s', on a terminal; the Phases it yields can name the next step."""
    phases = Phases(live=show_progress(asked))
    phases(what)
    try:
        yield phases
    finally:
        phases.done()
