"""Memory settings of a large batch job (an import): no cycle collection while it runs, freed memory reused.

An import of a million rows makes and drops millions of Python objects (a tuple per row bound to
the database, a string per cell) and thousands of million-value columns, and leaves almost no
reference cycles behind (a few thousand objects over a whole 1M-profile import). Two defaults of
a long-running interpreter cost it time there:

* The cyclic garbage collector runs after every 700 new container objects and now and then walks
  every object alive: some 13,000 collections of a 1M-profile import, about 5 s of the main
  process (and more in its workers) that free nothing. :func:`batch_job` turns it off for the
  job and back on after it; reference counting frees everything else as before. The workers the
  job forks inherit the setting.
* glibc's ``malloc`` gives every block of more than 128 KiB its own ``mmap`` (a column of a million
  values is one) and hands the top of its heap back once 128 KiB are free there: each new column
  is fresh pages the kernel zeroes and maps one fault at a time (some 7.5 million faults, about
  half a minute of system time in the process and its workers). :func:`keep_freed_memory`
  raises both limits, so freed blocks stay in the heap and the next columns reuse them (5.6
  million faults, a quarter fewer). The memory stays with the process until it ends instead of going back early: for
  a command that runs once and exits, not for a server. Only glibc (Linux) has these settings;
  elsewhere nothing changes.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["batch_job", "keep_freed_memory"]

#: ``mallopt`` parameters (``malloc.h``).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Blocks from this size on still get their own ``mmap`` (and go back to the system when freed).
MMAP_FROM = 1 << 30
#: The top of the heap is handed back only when this much of it is free.
TRIM_FROM = (1 << 31) - 1  # mallopt takes an int

_kept = False


def keep_freed_memory() -> bool:
    """Raise glibc's ``mmap`` and trim thresholds for the rest of the process (see the module); whether they are set.

    Idempotent; False where the C library is not glibc (nothing changed).
    """
    global _kept
    if _kept:
        return True
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None)  # the C library the interpreter runs on (no search for it: find_library runs ldconfig)
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):  # glibc's settings only (musl has none)
        return False
    mallopt = libc.mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    _kept = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_FROM)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_FROM))
    return _kept


@contextmanager
def batch_job() -> Iterator[None]:
    """Run the block as a batch job (see the module): the cycle collector off until it ends, freed memory kept for reuse.

    The collector is turned back on (if it was on) when the block ends, however it ends.
    """
    keep_freed_memory()
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
