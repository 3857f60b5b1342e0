"""What the benchmark scripts share: options made from keyword defaults, a table of figures, the
peak-memory reset and how a Markdown report is given.

Run the scripts as modules from the project root (``python -m benchmarks.<name>``), so that
they can import this one.
"""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Callable
from pathlib import Path


def parse_options(doc: str, argv: list[str] | None = None, **defaults) -> argparse.Namespace:
    """Parse one option ``--name`` per keyword, of its default's type, for the script whose docstring is ``doc``."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, default in defaults.items():
        ap.add_argument("--" + name.replace("_", "-"), type=type(default), default=default)
    return ap.parse_args(argv)


def run_main(main: Callable, doc: str, argv: list[str] | None = None):
    """Call ``main`` with its keyword parameters taken from the command line (defaults: its own)."""
    defaults = {p.name: p.default for p in inspect.signature(main).parameters.values()}
    return main(**vars(parse_options(doc, argv, **defaults)))


def print_figures(out: dict[str, float], *, width: int = 20, number: str = "10.2f") -> dict[str, float]:
    """Print one figure a line: its name in ``width`` characters, then its value in the format ``number``; return ``out``."""
    for k, v in out.items():
        print(f"{k:{width}s} {v:{number}}")
    return out


def reset_peak() -> bool:
    """Reset the process's peak RSS (Linux), so that the peak measured is the timed part's; False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def emit_report(report: str, out: str | None) -> None:
    """Print a Markdown report, and write it to ``out`` too when given."""
    print(report)
    if out:
        Path(out).write_text(report, encoding="utf-8")
