"""``matcher db``: database housekeeping."""

from __future__ import annotations

import click

from ..i18n import gettext as _
from .context import Ctx

__all__ = ["db", "backup", "restore"]


@click.group()
def db():
    """Database housekeeping.

    Back up and restore the database (SQLite); the schema is upgraded
    automatically when a database made by an older release is opened.
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
    click.echo(_("database backed up to {path}").format(path=path))


@db.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Restore without asking.")
@click.pass_obj
def restore(obj: Ctx, file, yes):
    """Replace the database by the backup FILE (made by `matcher db backup`).

    The backup is checked first; the current database is saved beside itself
    (NAME.before-restore-TIME.db) so the restore can be undone. Only SQLite
    databases are supported; restore PostgreSQL with pg_restore.
    """
    store = obj.store()
    if not yes:
        click.confirm(_("replace the database {db} by {file}?").format(db=store.label, file=file), abort=True)
    saved = store.restore(file)
    click.echo(_("database restored from {file}; the previous database was saved as {saved}").format(file=file, saved=saved))
