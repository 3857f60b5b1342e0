"""The database engine: where the database is, how it is opened, and the one way to write to it.

SQLite by default (``--db PATH``, ``MATCHER_DB`` or ``./matcher.db``); any
SQLAlchemy URL (``postgresql://…``) works too.

Every write goes through :func:`begin`, which also gives the database a new
scored-data token (``meta``) whenever it wrote to a table scores are computed
from (:data:`SCORED_TABLES`). On SQLite it starts the transaction
with ``BEGIN IMMEDIATE``: the write lock is taken at once, so a second writer
waits for the first to commit (up to the busy timeout) instead of failing
half-way with a lock error (it waits, retries, and finally raises
:class:`~matcher.errors.StoreError`); elsewhere it is a plain transaction.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from .._files import atomic_write_with
from ..errors import StoreError
from ..i18n import gettext as _

__all__ = [
    "BUSY_TIMEOUT_MS",
    "BUSY_RETRIES",
    "PG_WRITE_LOCK",
    "SCORED_TABLES",
    "SCORED_TOKEN_KEY",
    "default_db",
    "database_url",
    "display_url",
    "create_engine",
    "begin",
    "backup",
    "stamp_scored",
    "scored_token",
]

log = logging.getLogger(__name__)

#: How long a writer waits for another one's lock on a SQLite database, in milliseconds.
BUSY_TIMEOUT_MS = 30000
#: How often :func:`begin` tries again when the lock stayed taken for the whole busy timeout.
BUSY_RETRIES = 5
#: Key of the PostgreSQL advisory lock that every write transaction takes (any fixed 64-bit number).
PG_WRITE_LOCK = 0x6D61746368657231
#: The tables scores are computed from (with the configuration and the code): a write transaction that
#: inserts, updates or deletes rows of any of them gives the database a new :data:`SCORED_TOKEN_KEY`.
SCORED_TABLES = frozenset({"enterprises", "enterprise_names", "list_entries", "profiles", "parents"})
#: ``meta`` key of a random token that changes whenever a committed write touched :data:`SCORED_TABLES`:
#: equal tokens mean equal scoring inputs, so scores computed once can be reused (``matcher.score.cache``).
SCORED_TOKEN_KEY = "scored_data_token"
#: Connection flag set by :func:`_note_write` while the open transaction wrote to :data:`SCORED_TABLES`.
_DIRTY = "matcher_scored_dirty"


def default_db() -> str:
    """The database used when ``--db`` is not given: ``MATCHER_DB`` or ``./matcher.db``."""
    return os.environ.get("MATCHER_DB") or "matcher.db"


def database_url(db: str | Path) -> str:
    """An SQLAlchemy URL for ``db``: URLs as given, a file path as a SQLite URL."""
    text = str(db)
    return text if "://" in text else f"sqlite:///{Path(text).expanduser()}"


def display_url(url: str) -> str:
    """A database URL fit to show: the file of a SQLite database, a server URL with its password masked."""
    try:
        u = sa.engine.make_url(url)
    except Exception:  # not a URL: show nothing of it that could be a secret
        return "<database>"
    if u.drivername.startswith("sqlite"):
        return u.database or ":memory:"
    return u.render_as_string(hide_password=True)


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url``; on SQLite with foreign keys, write-ahead logging and a busy timeout.

    Raises
    ------
    StoreError
        When the folder of a SQLite file does not exist, or the URL or its driver is unusable.
    """
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        if path.parent and not path.parent.exists():
            raise StoreError(_("cannot create database {path}: folder {folder} does not exist").format(path=path, folder=path.parent))
    try:
        engine = sa.create_engine(url)
    except Exception as exc:  # bad URL, missing driver
        raise StoreError(_("cannot open database {db}: {reason}").format(db=display_url(url), reason=exc)) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _sqlite_storage_error)
    event.listen(engine, "before_execute", _note_write)
    return engine


def _note_write(conn, clauseelement, _multiparams, _params, _options) -> None:
    """Flag the connection when a statement inserts, updates or deletes rows of :data:`SCORED_TABLES`."""
    if isinstance(clauseelement, sa.sql.dml.UpdateBase):
        table = getattr(clauseelement, "table", None)
        if getattr(table, "name", None) in SCORED_TABLES:
            conn.info[_DIRTY] = True


def stamp_scored(conn) -> None:
    """Give the database a new scored-data token (inside the caller's transaction)."""
    meta = sa.table("meta", sa.column("key"), sa.column("value"))
    conn.execute(sa.delete(meta).where(meta.c.key == SCORED_TOKEN_KEY))
    conn.execute(sa.insert(meta).values(key=SCORED_TOKEN_KEY, value=os.urandom(16).hex()))


def scored_token(conn) -> str | None:
    """The database's scored-data token; ``None`` when it has none (a database this release did not write)."""
    meta = sa.table("meta", sa.column("key"), sa.column("value"))
    try:
        row = conn.execute(sa.select(meta.c.value).where(meta.c.key == SCORED_TOKEN_KEY)).first()
    except sa.exc.DatabaseError:
        return None
    return None if row is None else str(row[0])


@contextmanager
def _stamping(conn: sa.Connection) -> Iterator[sa.Connection]:
    """Run a write transaction's body; before it commits, a new token if it wrote to :data:`SCORED_TABLES`."""
    conn.info.pop(_DIRTY, None)
    yield conn
    if conn.info.pop(_DIRTY, False):
        stamp_scored(conn)


def _sqlite_storage_error(context) -> None:
    """A read-only, unopenable or full SQLite database: one line (a :class:`StoreError`) instead of the driver's error.

    SQLite rolls the transaction back, so the database is as it was.
    """
    orig = context.original_exception
    if not isinstance(orig, sqlite3.OperationalError):
        return
    text = str(orig).lower()
    db = context.engine.url.database if context.engine is not None else ""
    if "readonly" in text or "read-only" in text:
        message = _("database {db} is read-only (the file or its folder cannot be written); nothing was changed; ask for write access or work on a copy")
    elif "disk is full" in text:
        message = _("database {db}: the disk is full; nothing was changed; free some space and run the command again")
    elif "unable to open database" in text:
        message = _("cannot open database {db}: the file or its folder cannot be read or written (permissions, or a read-only disk)")
    elif "disk i/o error" in text:
        message = _("database {db}: the disk failed to read or write (disk I/O error); nothing was changed")
    else:
        return
    raise StoreError(message.format(db=db)) from None


@contextmanager
def begin(engine: sa.Engine) -> Iterator[sa.Connection]:
    """The one write transaction: commits when the block ends, rolls back when it raises.

    On SQLite it takes the write lock at once (``BEGIN IMMEDIATE``): concurrent
    writers queue, never deadlock. A writer waits up to :data:`BUSY_TIMEOUT_MS`
    for the lock and tries again :data:`BUSY_RETRIES` times. On PostgreSQL it
    takes one transaction-level advisory lock (:data:`PG_WRITE_LOCK`) first, so
    writers queue there too: two imports adding the same enterprises run one
    after the other instead of colliding on their keys; readers never wait.

    Raises
    ------
    StoreError
        When another writer still holds the lock after every try.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(sa.text(f"SET LOCAL lock_timeout = '{BUSY_TIMEOUT_MS * (BUSY_RETRIES + 1)}ms'"))
                try:
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK})
                except sa.exc.OperationalError:
                    raise _busy(engine) from None
            with _stamping(conn):
                yield conn
        return
    conn, trans = _begin_immediate(engine)
    try:
        with trans, _stamping(conn):
            yield conn
    finally:
        conn.info.pop(_DIRTY, None)
        conn.close()


def _busy(engine: sa.Engine) -> StoreError:
    """The one line a writer gets when another held the write lock for every try."""
    return StoreError(_("database {db} is busy: another command is writing to it; try again when it has finished").format(db=engine.url.database))


def _begin_immediate(engine: sa.Engine) -> tuple[sa.Connection, sa.RootTransaction]:
    """A connection holding SQLite's write lock, waiting and retrying while another writer has it."""
    immediate = engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")
    attempt = 0
    while True:
        conn = immediate.connect()
        try:
            return conn, conn.begin()
        except sa.exc.OperationalError as exc:
            conn.close()
            message = str(exc.orig).lower()
            if "locked" not in message and "busy" not in message:
                raise
            if attempt >= BUSY_RETRIES:
                raise _busy(engine) from None
            attempt += 1
            log.info("database busy, retrying (%d)", attempt)
            time.sleep(0.5 * attempt)


def backup(engine: sa.Engine, path: str | Path) -> Path:
    """Copy the database to ``path`` with SQLite's online backup (safe while others write).

    Raises
    ------
    StoreError
        For engines other than SQLite (use the engine's own tools, e.g. ``pg_dump``), or when
        ``path`` exists.
    """
    path = Path(path)
    if engine.dialect.name != "sqlite":
        raise StoreError(
            _("backup is supported for SQLite databases only; {dialect} databases are backed up with their own tools (e.g. pg_dump)").format(
                dialect=engine.dialect.name
            )
        )
    if path.exists():
        raise StoreError(_("backup file {path} exists already; give a new file name").format(path=path))
    if not path.parent.exists():
        raise StoreError(_("cannot write backup {path}: folder {folder} does not exist").format(path=path, folder=path.parent))
    def copy(tmp: str) -> None:
        raw = engine.raw_connection()
        try:
            dst = sqlite3.connect(tmp)
            try:
                raw.driver_connection.backup(dst)
            finally:
                dst.close()
        finally:
            raw.close()

    # The one atomic writer: a temporary file beside the backup, removed if anything fails (a kill's is swept later).
    return atomic_write_with(path, copy)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # The driver's own transaction handling skips BEGIN before DDL; emit BEGIN ourselves
    # (see _sqlite_begin) so migrations, like imports, are all or nothing.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))
