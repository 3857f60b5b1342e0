"""Options that several commands share, written once."""

from __future__ import annotations

import click

__all__ = ["file_option", "sheet_file", "today_option"]


def file_option(name: str, help: str):
    """An optional input file, ``name FILE`` (a file, not a folder); ``None`` when not given."""
    return click.option(name, default=None, metavar="FILE", type=click.Path(dir_okay=False), help=help)


def sheet_file(command):
    """The ``FILE`` argument and the ``--sheet`` option of a sheet import."""
    command = click.option("--sheet", default=None, help="Worksheet of an Excel file (default: the first).")(command)
    return click.argument("file", type=click.Path(dir_okay=False))(command)


#: ``--today``: the last day a date in an imported sheet may fall on.
today_option = click.option("--today", default=None, metavar="DATE", help="Reject dates after this day (default: today).")
