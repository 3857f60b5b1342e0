"""The stored industries of each enterprise: mapped once, read by every score.

The table ``enterprise_industries`` (schema version 7, a derived table) holds
the industries each live enterprise's texts map to directly, with confidence,
method and evidence, as :class:`matcher.featurise.transformers.IndustryVectorizer`
finds them; an enterprise whose texts map to nothing has one row with
industry ``""``. The ``meta`` key :data:`FINGERPRINT_KEY` records which
taxonomy and settings produced the rows.

Every write that changes what an enterprise's industries are read from (its
list entries, its profile, its names, a merge or its undo, a removed import)
calls :func:`invalidate` in its own transaction: the enterprise's rows go, so
no stale industry survives the write. An enterprise without rows is *pending*
(:func:`pending_ids`); :func:`matcher.featurise.industries.refresh_industries`
maps the pending ones (the import commands right after importing, any
scoring command otherwise) and :func:`write_matches` stores them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .rows import CHUNK, SCAN_FROM, has_rows, insert_frame, isin_keys, live_ids, select_in
from .schema import enterprise_industries_t, enterprises_t, meta_t

__all__ = ["FINGERPRINT_KEY", "PENDING_KEY", "COLUMNS", "has_pending", "invalidate", "invalidate_rows_of", "pending_ids", "write_matches", "write_match_slices", "read_matches", "fingerprint", "clear"]

#: ``meta`` key of the fingerprint of the taxonomy and settings the stored industries were mapped with.
FINGERPRINT_KEY = "industries_fingerprint"
#: ``meta`` key present while some enterprise may lack stored industries (set by :func:`invalidate`),
#: so a command that finds it absent need not look for them.
PENDING_KEY = "industries_pending"
#: Columns of the stored matches.
COLUMNS = ["enterprise_id", "industry", "confidence", "method", "evidence"]

_T = enterprise_industries_t


def invalidate(conn, ids) -> None:
    """Drop the stored industries of the enterprises ``ids``: they are mapped again on next use."""
    ids = np.asarray(ids if isinstance(ids, (np.ndarray, pd.Series, pd.Index)) else list(ids), dtype=object)
    ids = ids[pd.notna(ids)]
    if not len(ids):
        return
    if conn.execute(sa.select(meta_t.c.key).where(meta_t.c.key == PENDING_KEY)).first() is None:
        conn.execute(meta_t.insert().values(key=PENDING_KEY, value="1"))
    if not has_rows(conn, _T):
        return  # nothing stored (a new database): nothing to drop (and no million ids sorted for nothing)
    keys = sorted({str(i) for i in ids})
    if len(keys) > 50_000:
        # Many enterprises: one statement over a temporary key table, not thousands of IN lists.
        conn.exec_driver_sql("CREATE TEMPORARY TABLE IF NOT EXISTS _stale_ids (enterprise_id TEXT PRIMARY KEY)")
        conn.exec_driver_sql("DELETE FROM _stale_ids")
        if conn.dialect.name == "sqlite":  # the driver's executemany over plain tuples
            conn.exec_driver_sql("INSERT INTO _stale_ids VALUES (?)", [(k,) for k in keys])
        else:
            conn.execute(sa.text("INSERT INTO _stale_ids VALUES (:e)"), [{"e": k} for k in keys])
        conn.exec_driver_sql("DELETE FROM enterprise_industries WHERE enterprise_id IN (SELECT enterprise_id FROM _stale_ids)")
        conn.exec_driver_sql("DELETE FROM _stale_ids")
        return
    for i in range(0, len(keys), CHUNK):
        conn.execute(_T.delete().where(_T.c.enterprise_id.in_(keys[i : i + CHUNK])))


def invalidate_rows_of(conn, table: sa.Table, import_id) -> None:
    """Drop the stored industries of the enterprises that rows of ``table`` from import ``import_id`` belong to."""
    ids = [r[0] for r in conn.execute(sa.select(table.c.enterprise_id).where(table.c.import_id == import_id).distinct())]
    invalidate(conn, ids)


def pending_ids(conn) -> np.ndarray:
    """Live enterprises with no stored industries (new, changed, or never mapped), sorted."""
    has = sa.select(_T.c.enterprise_id).where(_T.c.enterprise_id == enterprises_t.c.enterprise_id).exists()
    q = sa.select(enterprises_t.c.enterprise_id).where(enterprises_t.c.merged_into.is_(None), ~has).order_by(enterprises_t.c.enterprise_id)
    return np.array([r[0] for r in conn.execute(q)], dtype=object)


def has_pending(conn) -> bool:
    """Whether some enterprise may lack stored industries (a write dropped some since the last mapping)."""
    return conn.execute(sa.select(meta_t.c.key).where(meta_t.c.key == PENDING_KEY)).first() is not None


def fingerprint(conn) -> str | None:
    """The fingerprint the stored industries were mapped with (None before the first mapping)."""
    row = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == FINGERPRINT_KEY)).first()
    return None if row is None else str(row[0])


def clear(conn) -> None:
    """Drop every stored industry (all enterprises pending) and the fingerprint."""
    conn.execute(_T.delete())
    conn.execute(meta_t.delete().where(meta_t.c.key == FINGERPRINT_KEY))


def write_matches(conn, ids, matches: pd.DataFrame, fingerprint_value: str) -> int:
    """Store the direct matches of the enterprises ``ids`` (replacing theirs) and the fingerprint.

    ``matches`` has :data:`COLUMNS`; an enterprise of ``ids`` without a match
    gets the row with industry ``""`` that says it was mapped. Returns the rows written.
    """
    return write_match_slices(conn, [(ids, matches)], fingerprint_value)


def write_match_slices(conn, slices: Iterable[tuple[np.ndarray, pd.DataFrame]], fingerprint_value: str, *, replace: bool = True) -> int:
    """:func:`write_matches` of ``(ids, matches)`` slices as they come (mapped while the earlier ones are written).

    A slice's ids all sort after the earlier slices' (consecutive ranges of sorted ids): its rows
    go in at the end of the key's order. ``replace=False``: the caller knows the ids to have no
    stored rows (:func:`pending_ids` found them in the same transaction): none are looked for to
    drop. Returns the rows written.
    """
    n = 0
    for ids, matches in slices:
        ids = np.asarray(ids, dtype=object)
        if replace:
            invalidate(conn, ids)
        rows = _rows(ids, matches)
        insert_frame(conn, _T, rows, key_order=True)
        n += len(rows)
    conn.execute(meta_t.delete().where(meta_t.c.key.in_([FINGERPRINT_KEY, PENDING_KEY])))
    conn.execute(meta_t.insert().values(key=FINGERPRINT_KEY, value=fingerprint_value))
    return n


def _rows(ids: np.ndarray, matches: pd.DataFrame) -> pd.DataFrame:
    """The rows stored for ``ids``: each match of theirs, and the industry ``""`` row of an id without one, in key order."""
    # The ids sorted and distinct (as np.unique gives them); each match's position among them.
    keys = pd.Index(ids.astype(str), dtype=object).unique()
    if not keys.is_monotonic_increasing:
        keys = keys.sort_values()
    at = keys.get_indexer(matches.enterprise_id.to_numpy(dtype=object)) if len(matches) else np.zeros(0, dtype=np.int64)
    m = matches[at >= 0]
    at = at[at >= 0]
    mapped = np.zeros(len(keys), dtype=bool)
    mapped[at] = True
    none = np.flatnonzero(~mapped)  # an id without a match: the row that says it was mapped
    pos = np.concatenate([at, none])
    industry = np.concatenate([m.industry.to_numpy(dtype=object), np.full(len(none), "", dtype=object)])
    # In the key's order (enterprise, then industry) from integer codes: no sort of a million texts.
    order = np.lexsort((pd.factorize(industry, sort=True)[0], pos))
    # Python strings kept as such (object columns): the insert binds them so, not from a text column made for it.
    return pd.DataFrame(
        {
            "enterprise_id": pd.Series(keys.to_numpy(dtype=object)[pos[order]], dtype=object),
            "industry": pd.Series(industry[order], dtype=object),
            "confidence": np.concatenate([m.confidence.to_numpy(dtype=float), np.zeros(len(none))])[order],
            "method": pd.Series(np.concatenate([m.method.to_numpy(dtype=object), np.full(len(none), "", dtype=object)])[order], dtype=object),
            "evidence": pd.Series(np.concatenate([m.evidence.astype(str).to_numpy(dtype=object), np.full(len(none), "", dtype=object)])[order], dtype=object),
        }
    )


def read_matches(conn, ids=None) -> pd.DataFrame:
    """Every stored direct match of the live enterprises (:data:`COLUMNS`; the "maps to nothing" rows left out).

    With ``ids``, those of the live enterprises among ``ids`` only (in no particular order).
    """
    if ids is not None:
        keys = sorted({str(i) for i in ids})
        if len(keys) < SCAN_FROM:
            m = select_in(conn, _T, "enterprise_id", keys, columns=tuple(COLUMNS))
            m = m[(m.industry != "") & m.enterprise_id.isin(live_ids(conn, keys))].reset_index(drop=True)
            return m.astype({"confidence": float, **{c: object for c in COLUMNS if c != "confidence"}})
        m = read_matches(conn)
        return m[isin_keys(m.enterprise_id.to_numpy(dtype=object), keys)].reset_index(drop=True)
    live = sa.select(enterprises_t.c.enterprise_id).where(enterprises_t.c.merged_into.is_(None))
    q = sa.select(*(_T.c[c] for c in COLUMNS)).where(_T.c.industry != "", _T.c.enterprise_id.in_(live))
    if conn.dialect.name == "sqlite":
        # The driver's cursor: plain tuples, without a result-row object per match (millions of them).
        sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
        rows = conn.connection.driver_connection.execute(sql).fetchall()
    else:
        rows = conn.execute(q).fetchall()
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "confidence" else object) for c in COLUMNS})
    eid, ind, conf, method, evidence = zip(*rows)
    return pd.DataFrame(
        {
            "enterprise_id": np.array(eid, dtype=object),
            "industry": np.array(ind, dtype=object),
            "confidence": np.array(conf, dtype=float),
            "method": np.array(method, dtype=object),
            "evidence": np.array(evidence, dtype=object),
        }
    )
