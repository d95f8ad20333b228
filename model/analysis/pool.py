"""A run's points solved in chunks on local worker processes or on a Dask cluster, a few chunks in flight per worker:
the next chunk is sent as one comes back, and each chunk's points are handed on and let go once read, so neither
this process nor the cluster holds more than a few chunks, whatever the number of points (model.analysis.sweep).

What a worker raises comes back whole (every CorridorError pickles, model.errors) and is raised here as it would be
serially: the same message, the same exit code. A worker that dies (killed, out of memory) is said, with the way on.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from model.errors import CorridorError

CHUNK_POINTS = 50  # most points a chunk: its points come back as one message, and a point is some kB
IN_FLIGHT = 2  # chunks sent ahead per worker: the one it solves and the next, so that no worker waits for work

Take = Callable[[int, Any], None]  # each point as it comes back: take(i, point)


def chunks(todo: list, workers: int) -> Iterator[list]:
    """The points to solve in chunks: some four a worker, so that the workers finish together, of at most
    CHUNK_POINTS."""
    size = min(CHUNK_POINTS, max(1, math.ceil(len(todo) / (workers * 4))))
    return (todo[k:k + size] for k in range(0, len(todo), size))


def lost(option: str, why: str, on: str) -> CorridorError:
    """A worker gone before it sent its points back: the option that asked for workers, what happened, and on (what
    was kept, and how to go on)."""
    return CorridorError(f"{option}: a worker process stopped before it sent its points back ({why}). {on}")


def on_processes(workers: int, work: Callable[..., list], args: tuple, todo: list, take: Take,
                 on: Callable[[], str]) -> None:
    """work(*args, chunk) -> [(i, point)] for each chunk of todo (the points, (i, its values) each), on `workers`
    local processes; each point solved to take."""
    pending = chunks(todo, workers)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        running: set[Future] = {pool.submit(work, *args, chunk) for chunk in
                                itertools.islice(pending, workers * IN_FLIGHT)}
        try:
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    for i, point in future.result():
                        take(i, point)
                    chunk = next(pending, None)
                    if chunk is not None:
                        running.add(pool.submit(work, *args, chunk))
                del finished
        except BrokenProcessPool:
            raise lost("--workers", "killed, or out of memory", on()) from None
        except BaseException:  # an error a worker raised, or Ctrl-C: the chunks not started are dropped
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def on_dask(client, work: Callable[..., list], args: tuple, todo: list, take: Take,
            on: Callable[[], str]) -> None:
    """As on_processes, on the workers of a Dask client (args may hold futures the cluster already has)."""
    from distributed import KilledWorker, as_completed

    workers = max(1, len(client.scheduler_info()["workers"]))
    pending = chunks(todo, workers)
    running = as_completed([client.submit(work, *args, chunk, pure=False)
                            for chunk in itertools.islice(pending, workers * IN_FLIGHT)])
    try:
        for future in running:
            points = future.result()
            future.release()  # the cluster lets its copy go
            for i, point in points:
                take(i, point)
            del points
            chunk = next(pending, None)
            if chunk is not None:
                running.add(client.submit(work, *args, chunk, pure=False))
    except KilledWorker:
        raise lost("--dask", "it died while solving them, and so did the workers that tried them again: killed, "
                   "or out of memory", on()) from None
