"""``matcher db``: database housekeeping."""

from __future__ import annotations

import click

from .context import Ctx

__all__ = ["db", "backup"]


@click.group()
def db():
    """Database housekeeping.

    Back up the database (SQLite); the schema is upgraded automatically when a
    database made by an older release is opened.
    """


@db.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_obj
def backup(obj: Ctx, file):
    """Copy the database to FILE with SQLite's online backup.

    Safe while others are importing: the copy is a consistent snapshot. Only
    SQLite databases are supported; back up PostgreSQL with pg_dump.
    """
    path = obj.store().backup(file)
    click.echo(f"database backed up to {path}")
