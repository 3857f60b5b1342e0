"""Imports: lists and profiles written to the store, new names resolved against the known enterprises.

Each call is one transaction (the store's :meth:`~matcher.store.core.Store.begin`):
an import lands whole or not at all. The rows are written by
:mod:`matcher.store.imports`; the new enterprises of a list are then compared
with the known ones (:func:`matcher.resolve.records.resolve_incoming`) and merged
into one where the resolver says ``merge``, unless ``resolve`` is false (by
default :attr:`Store.auto_resolve <matcher.store.core.Store.auto_resolve>`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..store.imports import ImportResult, write_list, write_profiles
from ..store.rows import live_ids
from ..store.schema import entries_t, imports_t, profiles_t
from .master import keep_synced
from .parsing import ParsingAhead, parse_ahead
from .records import resolve_incoming

__all__ = ["import_list", "import_lists", "import_profiles", "import_enterprises"]


def import_list(
    store, entries: pd.DataFrame, *, list_type: str, year: int, source_name: str, sha256: str, resolve: bool | None = None
) -> ImportResult:
    """Import one list (type, year) in one transaction; see :func:`import_lists`."""
    return import_lists(store, [(entries, year)], list_type=list_type, source_name=source_name, sha256=sha256, resolve=resolve)[0]


def import_lists(
    store,
    parts: list[tuple[pd.DataFrame, int]],
    *,
    list_type: str,
    source_name: str,
    sha256: str,
    resolve: bool | None = None,
) -> list[ImportResult]:
    """Import the lists of one file (one per year) in one transaction.

    ``entries`` frames come from :func:`matcher.ingest.lists.parse_list`.

    Parameters
    ----------
    store : Store
        The database.
    parts : list of (DataFrame, int)
        The entries of each year.
    list_type, source_name, sha256 : str
        The list type, the file's name and the SHA-256 of its bytes (an import is
        identified by kind, list type, year and file name).
    resolve : bool, optional
        Resolve the new enterprises against the known ones; by default ``store.auto_resolve``.

    Returns
    -------
    list of ImportResult
        One per year, in the order of ``parts``.
    """
    resolve = store.auto_resolve if resolve is None else resolve
    results = []
    with store.begin() as conn:
        for entries, year in parts:
            written = write_list(conn, entries, list_type=list_type, year=int(year), source_name=source_name, sha256=sha256)
            result = written.result
            if resolve and written.import_id is not None and result.new_enterprises:
                result = written.with_merged(resolve_incoming(store, conn, pd.unique(written.enterprise_ids), written.import_id))
            elif resolve and written.import_id is not None:
                keep_synced(conn, pd.unique(written.enterprise_ids), written.import_id)
            results.append(result)
    return results


def import_profiles(store, profiles: pd.DataFrame, *, source_name: str, sha256: str) -> ImportResult:
    """Import enterprise profiles (from :func:`matcher.ingest.lists.parse_profiles`) in one transaction.

    How profiles are matched to enterprises, and merged where they name two:
    :func:`matcher.store.imports.write_profiles`. The enterprises a profile file
    creates are resolved against the known ones as a list's new enterprises are
    (``store.auto_resolve``), so the master does not depend on which came first.
    """
    # The names of the enterprises it creates are parsed by worker processes while its rows are written.
    ahead: list[ParsingAhead] = []
    # Their norm_name is each name's key (write_profiles): the parsing takes it, not computing it again.
    start = (lambda names: ahead.append(parse_ahead(names, keyed=True))) if store.auto_resolve else None
    with store.begin() as conn:
        try:
            written = write_profiles(conn, profiles, source_name=source_name, sha256=sha256, on_new_names=start)
            result = written.result
            if store.auto_resolve and written.import_id is not None and len(written.enterprise_ids):
                merged = resolve_incoming(store, conn, written.enterprise_ids, written.import_id, names=written.names, ahead=ahead[0] if ahead else None)
                result = written.with_merged(merged)
            elif store.auto_resolve and written.import_id is not None:  # every profile matched: its aliases may be new names
                rows = conn.execute(sa.select(profiles_t.c.enterprise_id).where(profiles_t.c.import_id == written.import_id).distinct())
                keep_synced(conn, [r[0] for r in rows], written.import_id)
        finally:
            for a in ahead:
                a.close()
        return result


def import_enterprises(store, results: list[ImportResult]) -> np.ndarray:
    """The live enterprises the rows of the imports ``results`` belong to now (after their merges), sorted.

    An import is found by kind, list type, year and file name, so an unchanged
    import (the same file again) gives the enterprises of its earlier rows. A profile
    import's rows given with its result (:attr:`ImportResult.profile_rows`) are not read again.
    """
    with store.engine.connect() as conn:
        found: set[str] = set()
        for r in results:
            if r.profile_rows is not None:
                found |= set(r.profile_rows.enterprise_id.tolist())
                continue
            kind = "profiles" if r.kind == "profiles" else "list"
            key = (imports_t.c.kind == kind, imports_t.c.list_type == r.list_type, imports_t.c.year == r.year, imports_t.c.source_name == r.source_name)
            row = conn.execute(sa.select(imports_t.c.import_id).where(*key)).first()
            if row is None:
                continue
            rows = profiles_t if kind == "profiles" else entries_t
            # The driver's tuples: a million rows without a row object each.
            found |= {e for (e,) in conn.execute(sa.select(rows.c.enterprise_id).where(rows.c.import_id == row[0]).distinct()).cursor.fetchall()}
        return np.array(sorted(live_ids(conn, found)), dtype=object)
