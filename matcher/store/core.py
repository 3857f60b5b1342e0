"""Store: the database behind every command, one object over the store's modules.

SQLite by default (``--db PATH``, ``MATCHER_DB`` or ``./matcher.db``); any
SQLAlchemy URL (``postgresql://…``) works too. :class:`Store` opens the
database (creating or upgrading its schema) and delegates to the modules
that do the work:

- :mod:`~matcher.store.engine`: URL, engine, SQLite settings and :func:`~matcher.store.engine.begin`,
  the one write transaction (``BEGIN IMMEDIATE`` on SQLite: writers queue);
- :mod:`~matcher.store.schema`: tables, schema version, migrations;
- :mod:`~matcher.store.imports`: import records, list entries, profiles (imports themselves,
  which also resolve new names, are :mod:`matcher.resolve.imports`);
- :mod:`~matcher.store.merges`: merges, undos, review decisions, parent links;
- :mod:`~matcher.store.history`: visits, projects, stage changes, stationed days;
- :mod:`~matcher.store.plans`: issued weekly plans;
- :mod:`~matcher.store.removal`: the imports and merges listed, one import removed;
- :mod:`~matcher.store.views`: read views (tables, counts, enterprises, list memberships).

Every write runs in one transaction: it lands whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import history, merges, plans, removal, views
from .engine import backup, begin, create_engine, database_url, default_db, display_url, scored_token
from .schema import ensure_schema

__all__ = ["Store", "open_store"]


class Store:
    """A matcher database.

    Parameters
    ----------
    db : str or Path
        A SQLite file path or an SQLAlchemy URL.
    """

    #: Resolve the new enterprises of every list import against the known ones
    #: (read by :func:`matcher.resolve.imports.import_lists`).
    auto_resolve: bool = True

    def __init__(self, db: str | Path):
        self.url = database_url(db)
        #: The database as messages show it (a server password masked).
        self.label = display_url(self.url)
        self.engine = create_engine(self.url)
        ensure_schema(self.engine, self.url)

    def begin(self):
        """A write transaction (on SQLite it takes the write lock at once: concurrent writers queue, never deadlock)."""
        return begin(self.engine)

    def _read(self, view, *args, **kwargs):
        with self.engine.connect() as conn:
            return view(conn, *args, **kwargs)

    @property
    def schema_version(self) -> int:
        return self._read(views.schema_version)

    # ------------------------------------------------------------------ resolution records

    def merge(self, keep: str, other: str, rule: str) -> int:
        """Merge enterprise ``other`` into ``keep`` (one transaction); returns the merge id."""
        with self.begin() as conn:
            merges.check_mergeable(conn, keep, other)
            return merges.merge(conn, keep, other, rule)

    def undo_merge(self, merge_id: int, reason: str = "") -> tuple[str, str]:
        """Undo one merge: the merged enterprise and the rows it brought come back.

        Returns ``(kept_id, merged_id)``. Rows the merged enterprise brought
        (names, list entries) return to it, wherever later merges moved them.
        """
        with self.begin() as conn:
            return merges.undo_merge(conn, merge_id, reason)

    def record_decisions(self, decisions: pd.DataFrame) -> None:
        """Store review decisions (``left_id, right_id, decision, source``), replacing earlier ones of the same pairs."""
        if decisions.empty:
            return
        with self.begin() as conn:
            merges.record_decisions(conn, decisions)

    def set_parents(self, links: pd.DataFrame, *, source: str) -> int:
        """Replace the parent links of ``source`` with ``links`` (``enterprise_id, parent_id``); returns how many."""
        with self.begin() as conn:
            return merges.set_parents(conn, links, source=source)

    def remove_import(self, import_id: int) -> removal.RemovedImport:
        """Remove one list or profile import with the merges it caused (one transaction; see :func:`.removal.remove_import`)."""
        with self.begin() as conn:
            return removal.remove_import(conn, import_id)

    def imports(self) -> pd.DataFrame:
        """Every import with what it still holds (see :func:`.removal.imports_frame`)."""
        return self._read(removal.imports_frame)

    def merges(self) -> pd.DataFrame:
        """Every merge with the names of both sides and whether it was undone (see :func:`.removal.merges_frame`)."""
        return self._read(removal.merges_frame)

    def ultimate_parents(self) -> pd.Series:
        """Live enterprise → its ultimate live parent (only enterprises that have one)."""
        return self._read(merges.ultimate_parents)

    # ------------------------------------------------------------------ reads

    def read(self, table: str) -> pd.DataFrame:
        """A whole table as a DataFrame, in primary-key order."""
        return self._read(views.read, table)

    def counts(self) -> dict[str, int]:
        """Rows per table (for reports and tests)."""
        return self._read(views.counts)

    def snapshot_hash(self) -> str:
        """SHA-256 of the data that scoring reads (for reproducibility records)."""
        return self._read(views.snapshot_hash)

    def scored_token(self) -> str | None:
        """A token that changes whenever a write touches what scores are computed from (see :data:`.engine.SCORED_TOKEN_KEY`)."""
        return self._read(scored_token)

    def enterprise_frame(self, *, texts: bool = True) -> pd.DataFrame:
        """One row per live enterprise with its names, location texts and industry texts (see :func:`.views.enterprise_frame`)."""
        return self._read(views.enterprise_frame, texts=texts)

    def list_memberships(self) -> pd.DataFrame:
        """Best rank per (enterprise, list type) on the newest year of each list type: ``enterprise_id, list_type, year, rank``."""
        return self._read(views.list_memberships)

    def list_years(self) -> pd.DataFrame:
        """Imported lists: list type, year, rows, files."""
        return self._read(views.list_years)

    def lookup_names(self, norms: pd.Series) -> pd.Series:
        """normalised name → enterprise id, for the names the database knows (see :mod:`matcher._text`)."""
        return self._read(views.lookup_names, norms)

    # ------------------------------------------------------------------ plans

    def record_plan(self, record: dict, leads: pd.DataFrame, *, force: bool = False) -> str:
        """Record an issued week's plan in one transaction; return ``recorded``, ``replaced`` or ``unchanged`` (see :func:`.plans.record_plan`)."""
        with self.begin() as conn:
            return plans.record_plan(conn, record, leads, force=force)

    def issued_leads(self, before: str | None = None) -> pd.DataFrame:
        """Leads of the issued plans (of weeks before ``before``): ``week, team_id, rank, enterprise_id, …``."""
        return self._read(plans.issued_leads, before)

    # ------------------------------------------------------------------ history

    def write_history(self, **frames) -> dict[str, dict[str, int]]:
        """Write visits, projects, stage changes and stationed days in one transaction.

        Keyword arguments ``visits``, ``projects``, ``stage_changes``,
        ``stationed`` (frames, each optional), ``source_name`` and ``sha256``
        are those of :func:`matcher.store.history.write_history`.

        Returns
        -------
        dict
            Per table: ``{"new": n, "updated": n, "unchanged": n}``.
        """
        with self.begin() as conn:
            return history.write_history(conn, **frames)

    def visits_frame(self, *, extra: bool = False) -> pd.DataFrame:
        """Stored visits as a :data:`matcher.columns.VISIT_COLUMNS` frame (``date`` datetime64), by date and id.

        With ``extra=True`` the columns ``enterprise_name, participants, chain, synthetic`` follow.
        """
        return self._read(history.visits_frame, extra=extra)

    def projects_frame(self, *, extra: bool = False) -> pd.DataFrame:
        """Stored projects as a :data:`matcher.columns.PROJECT_COLUMNS` frame (dates datetime64), by id.

        With ``extra=True`` the columns ``enterprise_name, synthetic`` follow.
        """
        return self._read(history.projects_frame, extra=extra)

    def stage_changes_frame(self) -> pd.DataFrame:
        """Every stored stage change: ``project_id, stage, date`` (datetime64), by project and date."""
        return self._read(history.stage_changes_frame)

    def stationed_frame(self) -> pd.DataFrame:
        """Stationed days: ``chain, quarter, team_id, days`` by chain, quarter and team."""
        return self._read(history.stationed_frame)

    def backup(self, path: str | Path) -> Path:
        """Copy the database to ``path`` with SQLite's online backup (safe while others write).

        Raises
        ------
        StoreError
            For engines other than SQLite (use the engine's own tools, e.g. ``pg_dump``), or when
            ``path`` exists.
        """
        return backup(self.engine, path)

    def restore(self, path: str | Path) -> Path:
        """Replace the database by the backup ``path`` (SQLite); return where the previous one was saved.

        The backup is checked first (intact, a matcher database, a schema this release reads) and an
        older schema is upgraded at once. See :func:`matcher.store.restore.restore`.
        """
        from .restore import restore

        saved = restore(self.engine, path)
        ensure_schema(self.engine, self.url)
        return saved


def open_store(db: str | Path | None = None) -> Store:
    """Open (creating if needed) the database at ``db`` or :func:`~matcher.store.engine.default_db`."""
    return Store(db if db is not None else default_db())
