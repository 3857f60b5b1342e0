"""Tables on the screen and in files, for the lookup commands (``enterprise``, ``city``, ``targets``).

On a terminal a table is drawn by rich, which gives Chinese characters their
double width so that columns line up; elsewhere (a pipe, a file, a test) the
same table is plain text without colour or box drawing, one line per row, so
the output is the same every time and can be searched line by line. Files go through the one writer
(:mod:`matcher.report.writers`): an ``.xlsx`` holds every table as a sheet; a
``.csv`` holds the main table, and each other table goes beside it as
``<name>-<table>.csv``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import MatcherError
from ..i18n import gettext as _
from ..i18n import pgettext

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["print_table", "print_frame", "print_title", "write_tables", "PLAIN_WIDTH"]

#: Width of a table that is not on a terminal: wide enough that every row stays on one line.
PLAIN_WIDTH = 10_000


def _console():
    from rich.console import Console

    terminal = sys.stdout.isatty() and not os.environ.get("CI")
    if terminal:
        return Console(highlight=False), True
    return Console(width=PLAIN_WIDTH, no_color=True, highlight=False, force_terminal=False, color_system=None, file=_Echo()), False


class _Echo:
    """A file for rich that writes through click, so that CliRunner sees the output."""

    def write(self, text: str) -> int:
        click.echo(text, nl=False)
        return len(text)

    def flush(self) -> None:
        pass


def _cell(v) -> str:
    import pandas as pd

    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return ""
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def print_title(text: str) -> None:
    """A heading before a table."""
    click.echo("")
    click.echo(text)


def print_table(frame: pd.DataFrame, *, empty: str | None = None) -> None:
    """``frame`` (headers already readable) as a table; ``empty`` (or a default line) when it has no rows."""
    from rich import box
    from rich.table import Table

    if frame.empty:
        click.echo(empty or _("(none)"))
        return
    console, terminal = _console()
    table = Table(box=box.SIMPLE_HEAD if terminal else None, show_edge=False, pad_edge=False, header_style="bold" if terminal else "")
    for col in frame.columns:
        numeric = frame[col].dtype.kind in "iuf"
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold", no_wrap=not terminal)
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def print_frame(frame: pd.DataFrame, *, empty: str | None = None) -> None:
    """A frame whose columns are identifiers, as the exports show it: values and headers in the language in use."""
    from ..i18n import column_label
    from ..report.headers import localised

    shown = localised(frame)
    print_table(shown.rename(columns=column_label), empty=empty)


def write_tables(tables: dict[str, pd.DataFrame], out: str, *, main: str, title: str) -> list[Path]:
    """Write ``tables`` (readable headers) to ``out``: every table as a sheet of an .xlsx, or CSV files.

    Returns the paths written.
    """
    from ..report.writers import write_table, write_xlsx

    path = Path(out)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return [write_xlsx({pgettext("sheet", name): frame for name, frame in tables.items()}, path, title=title)]
    if suffix != ".csv":
        raise MatcherError(_("cannot write {path}: expected a .csv or .xlsx file name").format(path=path))
    written = [write_table(tables[main], path)]
    for name, frame in tables.items():
        if name != main:
            written.append(write_table(frame, path.with_name(f"{path.stem}-{name}.csv")))
    return written
