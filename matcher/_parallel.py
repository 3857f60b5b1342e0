"""Pure functions over large inputs on two cores: the parts of the input mapped in two processes.

An import of a million profiles normalises and parses a million names and maps a million
business texts; each is a pure function of each row (a row gives the same result whatever
rows come with it), so the rows are split into parts, some mapped in this process and the
others in a worker process started by ``fork``, and the results put back in order:
the same result as one call over all the rows. Many incoming names are decided by the
resolver the same way (:func:`map_shared`: the fitted index reaches the worker by fork).

Only where ``fork`` exists (Linux), and only from a process running no other thread:
the worker starts at once and shares the loaded tables (pinyin, taxonomy) instead of
loading them again. The garbage collector's objects are frozen while it runs, so the
worker does not copy the parent's memory by collecting it. It never uses the parent's
database connection, and ends without tearing down the interpreter. ``MATCHER_WORKERS=1``
maps everything in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

import numpy as np
import pandas as pd

__all__ = ["MIN_ROWS", "workers", "map_parts", "iter_parts", "Ahead", "Background", "map_shared", "iter_shared", "split_rows", "concat_rows"]

T = TypeVar("T")
R = TypeVar("R")

#: Inputs of fewer rows are mapped in this process: starting a worker costs more than it saves.
MIN_ROWS = 50_000
#: Processes at most (the machines this runs on have two cores to share).
_MOST = 2


def workers() -> int:
    """How many processes map the parts of a large input: up to two; one without ``fork``, in a process
    running other threads (a web server: a fork copies no thread and could inherit a held lock), or
    when ``MATCHER_WORKERS=1``."""
    if "fork" not in multiprocessing.get_all_start_methods() or _other_threads():
        return 1
    wanted = os.environ.get("MATCHER_WORKERS", "")
    n = int(wanted) if wanted.strip().isdigit() and int(wanted) > 0 else (os.cpu_count() or 1)
    return max(1, min(n, _MOST))


def _other_threads() -> bool:
    """Whether this process runs threads besides the calling one."""
    return threading.active_count() > 1


def split_rows(n: int, min_rows: int | None = None, *, most: int | None = None) -> list[slice]:
    """Consecutive slices of ``n`` rows: one per process (:func:`workers`), or one when ``n`` is below ``min_rows``
    (default :data:`MIN_ROWS`); more when a slice would exceed ``most`` rows (a whole multiple of the processes)."""
    least = MIN_ROWS if min_rows is None else min_rows
    k = workers() if n >= max(least, 2) else 1
    if most is not None and n > k * most:
        k *= -(-n // (k * most))
    bounds = np.linspace(0, n, k + 1).round().astype(int)
    return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def map_parts(fn: Callable[[T], R], parts: Sequence[T]) -> list[R]:
    """``[fn(p) for p in parts]``: some parts in this process, the others in worker processes at the same time.

    ``fn`` must be a module-level function (it is named to the workers), pure, and its
    parts and results picklable.
    """
    k = min(workers(), len(parts))
    if k < 2:
        return [fn(p) for p in parts]
    gc.freeze()  # the workers' collector leaves the parent's objects alone: no copy of its memory
    try:
        with ProcessPoolExecutor(max_workers=k - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            # Part i in this process when i % k == 0, the others in the workers: k parts run at a time.
            later = {i: pool.submit(fn, p) for i, p in enumerate(parts) if i % k}
            here = {i: fn(p) for i, p in enumerate(parts) if not i % k}
            return [here[i] if i in here else later[i].result() for i in range(len(parts))]
    finally:
        gc.unfreeze()


def iter_parts(fn: Callable[[T], R], parts: Sequence[T]) -> Iterator[R]:
    """``fn(p)`` for each part, yielded in order as the caller takes them, while workers map ahead.

    For a caller with work of its own on each result (writing it to the database): worker
    processes (:func:`workers` of them) map the parts from the start, and this process only
    takes the results, so the caller's work on one part runs while the next are mapped (the
    system shares the two cores among the three). The same results as :func:`map_parts`;
    ``fn`` as there. In this process, one part at a time, where :func:`map_parts` would be.
    """
    ahead = Ahead(fn, parts)
    try:
        yield from ahead.results()
    finally:
        ahead.close()


class Ahead:
    """Parts mapped by worker processes from now on, while this process does other work; taken later.

    :meth:`results` yields ``fn(p)`` for each part in order (:func:`iter_parts`); :meth:`close`
    ends the workers (what they have not started is dropped). The workers run at a lower
    priority (``nice``), so this process's own work is not slowed by them. With one process
    (:func:`workers`), nothing runs ahead: :meth:`results` maps each part when it is taken.
    """

    def __init__(self, fn: Callable[[T], R], parts: Sequence[T], *, nice: int = 10):
        self.fn, self.parts = fn, list(parts)
        k = min(workers(), len(self.parts))
        self._pool = None
        self._later: list = []
        if k >= 2:
            gc.freeze()  # as map_parts: the workers' collector leaves the parent's objects alone
            # Below this process's priority (``nice``): its own work comes first on the cores they share, the
            # workers taking what it leaves (it waits for their results only at the end of its own).
            ctx = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(max_workers=k, mp_context=ctx, initializer=os.nice, initargs=(nice,))
            self._later = [self._pool.submit(fn, p) for p in self.parts]

    def results(self) -> Iterator[R]:
        """``fn(p)`` for each part, in order."""
        if self._pool is None:
            for p in self.parts:
                yield self.fn(p)
            return
        for f in self._later:
            yield f.result()

    def close(self) -> None:
        """End the workers (the parts they have not started are dropped); again does nothing."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown(wait=True, cancel_futures=True)
            gc.unfreeze()


class Background:
    """Parts mapped by worker processes of low priority from now on, while this process goes on; taken when needed.

    For work whose input is known long before its result is wanted (the business texts of a
    file being imported, mapped while its rows are written): the workers take only the time
    this process and the other workers leave idle (``nice``). Unlike :class:`Ahead` it starts no
    thread here (a pool's manager thread would make :func:`workers` say one process to the pools
    started meanwhile): each worker (one per part, up to :func:`workers`) maps its parts (every k-th) and sends their results through
    a pipe when done. :meth:`results` gives ``[fn(p) for p in parts]``, mapping here what a worker
    could not deliver; :meth:`close` ends the workers. With one process (:func:`workers`) nothing
    runs ahead: :meth:`results` maps the parts when asked.
    """

    def __init__(self, fn: Callable[[T], R], parts: Sequence[T], *, nice: int = 10):
        self.fn, self.parts = fn, list(parts)
        self._workers: list = []
        if workers() < 2 or not self.parts:
            return
        k = min(workers(), len(self.parts))  # a single part: one worker, while this process does its own work
        ctx = multiprocessing.get_context("fork")
        gc.freeze()  # the workers' collector leaves the parent's objects alone (their state is taken at the fork)
        try:
            for i in range(k):
                recv, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_background, args=(fn, self.parts[i::k], send, nice), daemon=True)
                proc.start()
                send.close()
                self._workers.append((proc, recv))
        finally:
            gc.unfreeze()

    def results(self) -> list[R]:
        """``fn(p)`` for each part, in order (waiting for the workers)."""
        if not self._workers:
            return [self.fn(p) for p in self.parts]
        k = len(self._workers)
        out: list = [None] * len(self.parts)
        for i, (_proc, recv) in enumerate(self._workers):
            try:
                done = recv.recv()
            except (EOFError, OSError):  # the worker died (killed, out of memory): its parts are mapped here
                done = None
            mine = range(i, len(self.parts), k)
            got = done if isinstance(done, list) and len(done) == len(mine) else [self.fn(self.parts[j]) for j in mine]
            for j, r in zip(mine, got, strict=True):
                out[j] = r
        self.close()
        return out

    def close(self) -> None:
        """End the workers (what they have not sent is dropped); again does nothing."""
        workers_, self._workers = self._workers, []
        for proc, recv in workers_:
            if proc.is_alive():
                proc.terminate()
            proc.join()
            recv.close()


def _background(fn: Callable, parts: list, send, nice: int) -> None:
    """A :class:`Background` worker: its parts mapped at low priority, the results sent at once (None when one failed:
    the parent maps them itself, and meets the error there)."""
    os.nice(nice)
    try:
        done: list | None = [fn(p) for p in parts]
    except Exception:
        done = None
    try:
        send.send(done)
    except Exception:  # a result that cannot be pickled: the parent maps the parts
        send.send(None)
    send.close()


#: The object :func:`map_shared` hands its workers: they inherit it by ``fork``, it is never pickled.
_shared: object = None


def _call_shared(task: tuple[Callable, object]):
    fn, part = task
    return fn(_shared, part)


def map_shared(fn: Callable[[object, T], R], shared: object, parts: Sequence[T]) -> list[R]:
    """``[fn(shared, p) for p in parts]`` as :func:`map_parts`, ``shared`` (a large fitted object) reaching the
    workers by ``fork`` instead of being pickled with each part."""
    global _shared
    if min(workers(), len(parts)) < 2:
        return [fn(shared, p) for p in parts]
    _shared = shared
    try:
        return map_parts(_call_shared, [(fn, p) for p in parts])
    finally:
        _shared = None


def iter_shared(fn: Callable[[object, T], R], shared: object, parts: Sequence[T]) -> Iterator[R]:
    """:func:`iter_parts` of ``fn(shared, p)``, ``shared`` reaching the workers by ``fork`` as in :func:`map_shared`."""
    global _shared
    _shared = shared
    try:
        yield from iter_parts(_call_shared, [(fn, p) for p in parts])
    finally:
        _shared = None


def concat_rows(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames of the parts one under the other, their indexes kept (as one call over all the rows gives them)."""
    return frames[0] if len(frames) == 1 else pd.concat(frames)
