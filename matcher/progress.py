"""Progress of long commands: each step said with its time at ``-v``, a bar on a terminal, silence elsewhere.

Library code marks its steps::

    with steps(_("weekly plan"), total=4) as s:
        s.step(_("scoring enterprises"))
        ...
        s.step(_("assigning leads"))

Each finished step is logged at INFO (``matcher -v`` shows it) with its time in
seconds. A progress bar (tqdm) is drawn on standard error only when it is a
terminal and the command line has switched bars on (:func:`show_bars`); tests,
pipes and CI logs stay quiet.
"""

from __future__ import annotations

import logging
import sys
import time
from contextlib import contextmanager

from .i18n import gettext as _

__all__ = ["steps", "Steps", "show_bars"]

log = logging.getLogger("matcher")
_BARS = {"on": False}


def show_bars(on: bool) -> None:
    """Draw progress bars on a terminal (the command line does; the library alone does not)."""
    _BARS["on"] = bool(on)


class Steps:
    """The steps of one task; :meth:`step` closes the running step and starts the next."""

    def __init__(self, task: str, total: int | None):
        self.task, self.total = task, total
        self._name: str | None = None
        self._start = time.perf_counter()
        self._bar = None
        if _BARS["on"] and sys.stderr.isatty():
            from tqdm import tqdm

            # No monitor thread (it only tunes bars updated many times a second): a process running a
            # thread maps large inputs on one core (matcher._parallel forks only from a single thread).
            tqdm.monitor_interval = 0
            self._bar = tqdm(total=total, desc=task, file=sys.stderr, leave=False, unit=_("step"), dynamic_ncols=True)

    def step(self, name: str) -> None:
        """Start the step ``name`` (the previous one is done)."""
        self._close()
        self._name, self._start = name, time.perf_counter()
        if self._bar is not None:
            self._bar.set_postfix_str(name, refresh=True)

    def _close(self) -> None:
        if self._name is None:
            return
        seconds = time.perf_counter() - self._start
        log.info(_("{task}: {step} done in {seconds:.1f} s").format(task=self.task, step=self._name, seconds=seconds))
        if self._bar is not None:
            self._bar.update(1)
        self._name = None

    def finish(self) -> None:
        self._close()
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@contextmanager
def steps(task: str, total: int | None = None):
    """A task of ``total`` steps (see the module's documentation)."""
    s = Steps(task, total)
    try:
        yield s
    finally:
        s.finish()
