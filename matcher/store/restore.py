"""Restoring a SQLite database from a backup made by ``matcher db backup``.

The backup is checked before anything changes (a SQLite file, intact, with a
schema this release can read); the current database is first backed up beside
itself (``<name>.before-restore-<time>.db``), so a restore can be undone; then
SQLite's online backup copies the file into the database in one step, and the
schema of an older backup is upgraded when it is next opened.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from ..errors import StoreError
from ..i18n import gettext as _
from .engine import backup
from .schema import SCHEMA_VERSION

__all__ = ["restore", "check_backup"]


def check_backup(path: str | Path) -> int:
    """The schema version of the backup ``path``; StoreError when it is not a usable matcher database."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(_("backup file {path} does not exist").format(path=path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            status = conn.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() if "meta" in tables else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(_("{path} is not a SQLite database backup ({reason})").format(path=path, reason=exc)) from None
    if status != "ok":
        raise StoreError(_("backup {path} is damaged: {reason}").format(path=path, reason=status))
    if "meta" not in tables or "enterprises" not in tables:
        raise StoreError(_("{path} is a SQLite database but not a matcher database").format(path=path))
    version = int(row[0]) if row is not None else 1
    if version > SCHEMA_VERSION:
        raise StoreError(
            _("backup {path} has schema version {version}, newer than this release understands ({known}); upgrade matcher").format(
                path=path, version=version, known=SCHEMA_VERSION
            )
        )
    return version


def restore(engine: sa.Engine, path: str | Path, *, now: dt.datetime | None = None) -> Path:
    """Replace the database of ``engine`` by the backup ``path``; return where the previous database was saved.

    Raises
    ------
    StoreError
        For engines other than SQLite (restore PostgreSQL with its own tools, e.g. ``pg_restore``), or when
        the backup is missing, damaged, not a matcher database or newer than this release.
    """
    if engine.dialect.name != "sqlite":
        raise StoreError(
            _("restore is supported for SQLite databases only; restore {dialect} databases with their own tools (e.g. pg_restore)").format(
                dialect=engine.dialect.name
            )
        )
    check_backup(path)
    current = Path(engine.url.database)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%dT%H%M%S")
    saved = backup(engine, current.with_name(f"{current.stem}.before-restore-{stamp}{current.suffix or '.db'}"))
    src = sqlite3.connect(f"file:{Path(path)}?mode=ro&immutable=1", uri=True)
    raw = engine.raw_connection()
    try:
        src.backup(raw.driver_connection)
    except sqlite3.Error as exc:
        raise StoreError(_("cannot restore {path}: {reason}; the database is unchanged").format(path=path, reason=exc)) from None
    finally:
        raw.close()
        src.close()
    engine.dispose()
    return saved
