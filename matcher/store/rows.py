"""Row helpers shared by the store's writers and views: timestamps, bulk inserts, chunked look-ups."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from .schema import enterprises_t, metadata, names_t

__all__ = ["CHUNK", "SCAN_FROM", "now", "insert_frame", "select_in", "read_table", "known_names", "existing_ids", "live_ids"]

#: Keys per ``IN (…)`` clause: below every engine's limit on bound parameters.
CHUNK = 500
#: From this many keys on, a look-up reads the key column whole and matches in memory: one scan
#: instead of thousands of ``IN`` queries (which PostgreSQL may plan as a scan each).
SCAN_FROM = 20_000


def _lookup(conn, key: sa.Column, value: sa.Column, keys: list[str]) -> dict[str, str]:
    """``key → value`` for the ``keys`` stored in ``key``'s table: chunked ``IN`` queries, or one scan for many keys."""
    if len(keys) >= SCAN_FROM:
        table = pd.read_sql(sa.select(key.label("k"), value.label("v")), conn)
        table = table[table.k.isin(keys)]
        return dict(zip(table.k, table.v))
    found: dict[str, str] = {}
    for i in range(0, len(keys), CHUNK):
        for k, v in conn.execute(sa.select(key, value).where(key.in_(keys[i : i + CHUNK]))):
            found[k] = v
    return found


def now() -> str:
    """The current UTC time as ISO text (``YYYY-MM-DDTHH:MM:SSZ``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def insert_frame(conn, table: sa.Table, frame: pd.DataFrame | None) -> None:
    """Insert the rows of ``frame`` (missing values as NULL) into ``table``."""
    if frame is None or len(frame) == 0:
        return
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    conn.execute(table.insert(), records)


def select_in(conn, table: sa.Table, column: str, keys, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The rows of ``table`` (``columns`` of it, default all) whose ``column`` is one of ``keys``, looked up in chunks."""
    keys = list(keys)
    cols = [table.c[c] for c in columns] if columns else list(table.columns)
    if len(keys) >= SCAN_FROM:
        whole = pd.read_sql(sa.select(*cols), conn)
        return whole[whole[column].isin(set(keys))].reset_index(drop=True)
    parts = [pd.read_sql(sa.select(*cols).where(table.c[column].in_(keys[i : i + CHUNK])), conn) for i in range(0, len(keys), CHUNK)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c.name: pd.Series(dtype=object) for c in cols})
    return pd.concat(parts, ignore_index=True)


def read_table(conn, table: str) -> pd.DataFrame:
    """A whole table as a DataFrame, in primary-key order."""
    t = metadata.tables[table]
    return pd.read_sql(sa.select(t).order_by(*t.primary_key.columns), conn)


def known_names(conn, norms: pd.Series) -> pd.Series:
    """normalised name → enterprise id, for the names already known."""
    keys = sorted(set(norms.dropna().astype(str)))
    return pd.Series(_lookup(conn, names_t.c.norm_name, names_t.c.enterprise_id, keys), dtype=object)


def existing_ids(conn, ids: pd.Series) -> set[str]:
    """Those of ``ids`` that are stored enterprises (live or merged away)."""
    keys = sorted(set(ids.dropna().astype(str)))
    return set(_lookup(conn, enterprises_t.c.enterprise_id, enterprises_t.c.enterprise_id, keys))


def live_ids(conn, ids: list[str]) -> set[str]:
    """Those of ``ids`` that are live enterprises (not merged away)."""
    keys = sorted(set(ids))
    out: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        q = sa.select(enterprises_t.c.enterprise_id).where(enterprises_t.c.enterprise_id.in_(chunk), enterprises_t.c.merged_into.is_(None))
        out |= {r[0] for r in conn.execute(q)}
    return out
