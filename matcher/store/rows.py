"""Row helpers shared by the store's writers and views: timestamps, bulk inserts, chunked look-ups."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from .schema import enterprises_t, metadata, names_t

__all__ = ["CHUNK", "now", "insert_frame", "select_in", "read_table", "known_names", "existing_ids", "live_ids"]

#: Keys per ``IN (…)`` clause: below every engine's limit on bound parameters.
CHUNK = 500


def now() -> str:
    """The current UTC time as ISO text (``YYYY-MM-DDTHH:MM:SSZ``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def insert_frame(conn, table: sa.Table, frame: pd.DataFrame | None) -> None:
    """Insert the rows of ``frame`` (missing values as NULL) into ``table``."""
    if frame is None or len(frame) == 0:
        return
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    conn.execute(table.insert(), records)


def select_in(conn, table: sa.Table, column: str, keys) -> pd.DataFrame:
    """The rows of ``table`` whose ``column`` is one of ``keys``, looked up in chunks."""
    keys = list(keys)
    parts = [pd.read_sql(sa.select(table).where(table.c[column].in_(keys[i : i + CHUNK])), conn) for i in range(0, len(keys), CHUNK)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c.name: pd.Series(dtype=object) for c in table.columns})
    return pd.concat(parts, ignore_index=True)


def read_table(conn, table: str) -> pd.DataFrame:
    """A whole table as a DataFrame, in primary-key order."""
    t = metadata.tables[table]
    return pd.read_sql(sa.select(t).order_by(*t.primary_key.columns), conn)


def known_names(conn, norms: pd.Series) -> pd.Series:
    """normalised name → enterprise id, for the names already known."""
    keys = sorted(set(norms.dropna().astype(str)))
    found: dict[str, str] = {}
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        for norm, eid in conn.execute(sa.select(names_t.c.norm_name, names_t.c.enterprise_id).where(names_t.c.norm_name.in_(chunk))):
            found[norm] = eid
    return pd.Series(found, dtype=object)


def existing_ids(conn, ids: pd.Series) -> set[str]:
    """Those of ``ids`` that are stored enterprises (live or merged away)."""
    keys = sorted(set(ids.dropna().astype(str)))
    out: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        out |= {
            r[0]
            for r in conn.execute(sa.select(enterprises_t.c.enterprise_id).where(enterprises_t.c.enterprise_id.in_(keys[i : i + CHUNK])))
        }
    return out


def live_ids(conn, ids: list[str]) -> set[str]:
    """Those of ``ids`` that are live enterprises (not merged away)."""
    keys = sorted(set(ids))
    out: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        q = sa.select(enterprises_t.c.enterprise_id).where(enterprises_t.c.enterprise_id.in_(chunk), enterprises_t.c.merged_into.is_(None))
        out |= {r[0] for r in conn.execute(q)}
    return out
