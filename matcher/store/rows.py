"""Row helpers shared by the store's writers and views: timestamps, bulk inserts, chunked look-ups."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .schema import enterprises_t, metadata, names_t

__all__ = ["CHUNK", "SCAN_FROM", "now", "insert_frame", "select_in", "read_table", "known_names", "existing_ids", "live_ids", "count_live", "isin_keys", "count_rows", "has_rows", "distinct_texts"]

#: Keys per ``IN (…)`` clause: below every engine's limit on bound parameters.
CHUNK = 500
#: From this many keys on, a look-up reads the key column whole and matches in memory: one scan
#: instead of thousands of ``IN`` queries (which PostgreSQL may plan as a scan each).
SCAN_FROM = 20_000


def _lookup(conn, key: sa.Column, value: sa.Column, keys: list[str]) -> dict[str, str]:
    """``key → value`` for the ``keys`` stored in ``key``'s table: chunked ``IN`` queries, or one scan for many keys."""
    if len(keys) >= SCAN_FROM:
        rows = conn.execute(sa.select(key, value)).cursor.fetchall()  # the driver's tuples: no row object each
        if not rows:
            return {}
        k, v = (np.array(c, dtype=object) for c in zip(*rows, strict=True))
        hit = isin_keys(k, keys)
        return dict(zip(k[hit].tolist(), v[hit].tolist()))
    found: dict[str, str] = {}
    keys = sorted(keys)  # queried in chunks, in order
    for i in range(0, len(keys), CHUNK):
        for k, v in conn.execute(sa.select(key, value).where(key.in_(keys[i : i + CHUNK]))):
            found[k] = v
    return found


def now() -> str:
    """The current UTC time as ISO text (``YYYY-MM-DDTHH:MM:SSZ``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


#: Rows bound per ``executemany`` of the SQLite fast path: the rows as Python tuples of one slice at a time bound the memory.
_SLICE = 200_000
#: Rows per ``INSERT`` statement of the SQLite fast path (fewer for a wide table: :data:`_MOST_VALUES`).
_ROWS_PER_STATEMENT = 32
#: Bound values per statement at most: the limit of SQLite builds before 3.32 (999; 32766 since).
_MOST_VALUES = 999


def insert_frame(conn, table: sa.Table, frame: pd.DataFrame | None, *, key_order: bool = False) -> None:
    """Insert the rows of ``frame`` (missing values as NULL) into ``table``.

    ``key_order``: the caller gives the rows in primary-key order already (they are not sorted again).

    On SQLite, when SQLAlchemy would pass every value to the driver unchanged (no column
    with a bind processor, floats aside), the rows go to the driver's ``executemany`` as plain
    tuples, column by column and in slices (a large frame in primary-key order), many rows to
    one ``INSERT … VALUES (…), (…)``: the same rows, several times faster than one dict per row
    at a million rows. Columns the frame lacks get
    their scalar default, as SQLAlchemy's insert gives them. Elsewhere, SQLAlchemy's insert of
    dict records.
    """
    if frame is None or len(frame) == 0:
        return
    if conn.dialect.name == "sqlite" and _plain(conn, table, frame.columns):
        _insert_tuples(conn, table, frame, key_order=key_order)
        return
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    conn.execute(table.insert(), records)


def _plain(conn, table: sa.Table, columns) -> bool:
    """Whether SQLAlchemy binds the values of ``columns`` (and the defaults of the others) unchanged."""
    for c in table.columns:
        if c.name in columns:
            # A float column's processor makes a Python float of the value: the driver is handed one already (_bound).
            plain_float = isinstance(c.type, sa.Float) and not c.type.asdecimal
            if c.type._cached_bind_processor(conn.dialect) is not None and not plain_float:
                return False
        elif c.default is not None and not c.default.is_scalar:
            return False
    return set(columns) <= set(table.c.keys())


#: From this many rows on, the connection's page cache is widened to :data:`_CACHE_KIB` first.
_WIDE_FROM = 100_000
#: Page cache (KiB) of a connection writing a large import: the B-trees of a million keys inserted
#: in hash order stay in memory instead of spilling to the log page by page (about twice as fast).
_CACHE_KIB = 262_144


def _insert_tuples(conn, table: sa.Table, frame: pd.DataFrame, *, key_order: bool = False) -> None:
    """The rows of ``frame`` into ``table`` through the driver's ``executemany`` (SQLite).

    A large frame into an empty table (a first import) is inserted without the table's
    secondary indexes, which are built afterwards, in the same transaction, from the rows.
    """
    rebuild: list[sa.Index] = []
    if len(frame) >= _WIDE_FROM:
        if -int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one()) < _CACHE_KIB:
            conn.exec_driver_sql(f"PRAGMA cache_size=-{_CACHE_KIB}")  # valid inside the transaction; kept by the connection
        key = [c.name for c in table.primary_key.columns]
        if key and set(key) <= set(frame.columns) and not key_order:
            # In key order: the key's index grows at its end instead of at a million random places
            # (a quarter faster), and reads in key order later walk the table in its own order.
            frame = frame.sort_values(key, kind="stable")
        if table.indexes and not has_rows(conn, table):
            # Building the indexes from the rows at once is faster than growing them row by row at random
            # places (the parsed names' four: 15 s to 10 s at 1M). DDL is transactional in SQLite: a failed
            # import rolls the dropped indexes back with its rows.
            rebuild = sorted(table.indexes, key=lambda ix: str(ix.name))
            for ix in rebuild:
                ix.drop(conn)
    names = [str(c) for c in frame.columns]
    fill = {c.name: c.default.arg for c in table.columns if c.name not in names and c.default is not None}
    quote = conn.dialect.identifier_preparer.quote
    cols = [*names, *fill]
    row = f"({', '.join('?' * len(cols))})"
    head = f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, cols))}) VALUES "
    # Several rows per statement: the driver's work per statement (reset, step) is shared by them
    # (the names table: half the time at 200,000 rows); within SQLite's oldest limit of bound values.
    k = max(1, min(_ROWS_PER_STATEMENT, _MOST_VALUES // len(cols)))
    n = len(frame)
    for i in range(0, n, _SLICE):
        part = frame.iloc[i : i + _SLICE]
        grid = np.empty((len(part), len(cols)), dtype=object)
        for j in range(len(names)):
            grid[:, j] = _bound(part.iloc[:, j])
        for j, v in enumerate(fill.values(), start=len(names)):
            grid[:, j] = v
        whole = len(part) // k * k
        if whole:
            conn.exec_driver_sql(head + ", ".join([row] * k), list(map(tuple, grid[:whole].reshape(whole // k, k * len(cols)).tolist())))
        if whole < len(part):
            conn.exec_driver_sql(head + row, list(map(tuple, grid[whole:].tolist())))
    for ix in rebuild:
        ix.create(conn)


def _bound(col: pd.Series) -> np.ndarray:
    """A column's values as the driver takes them: Python scalars (an object array), missing values as None."""
    values = col.to_numpy(dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values = values.copy()
        values[missing] = None
    return values


def select_in(conn, table: sa.Table, column: str, keys, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The rows of ``table`` (``columns`` of it, default all) whose ``column`` is one of ``keys``, looked up in chunks."""
    keys = keys.tolist() if isinstance(keys, (pd.Series, pd.Index)) else list(keys)  # a text Series: not one boxed value at a time
    cols = [table.c[c] for c in columns] if columns else list(table.columns)
    if len(keys) >= SCAN_FROM:
        key = [] if any(c.name == column for c in cols) else [table.c[column].label("_key")]
        whole = _read_sql(conn, sa.select(*cols, *key))
        if whole.empty:
            return whole.drop(columns=["_key"] if key else [])
        hit = isin_keys(whole["_key" if key else column], keys)
        return whole[hit].drop(columns=["_key"] if key else []).reset_index(drop=True)
    parts = [pd.read_sql(sa.select(*cols).where(table.c[column].in_(keys[i : i + CHUNK])), conn) for i in range(0, len(keys), CHUNK)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c.name: pd.Series(dtype=object) for c in cols})
    return pd.concat(parts, ignore_index=True)


def read_table(conn, table: str) -> pd.DataFrame:
    """A whole table as a DataFrame, in primary-key order."""
    t = metadata.tables[table]
    return _read_sql(conn, sa.select(t).order_by(*t.primary_key.columns))


def _read_sql(conn, select: sa.Select) -> pd.DataFrame:
    """``pd.read_sql(select, conn)``; on SQLite through the driver's cursor (the same frame, without a row object per row).

    Only for selects whose columns SQLAlchemy reads unchanged (no result processor), and no bound values.
    """
    if conn.dialect.name == "sqlite" and all(c.type._cached_result_processor(conn.dialect, None) is None for c in select.selected_columns):
        return pd.read_sql(str(select.compile(dialect=conn.dialect)), conn.connection.driver_connection)
    return pd.read_sql(select, conn)


def count_rows(conn, table: sa.Table) -> int:
    """How many rows ``table`` holds."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def has_rows(conn, table: sa.Table) -> bool:
    """Whether ``table`` holds any row (a new database's derived tables hold none: nothing to delete there)."""
    return conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None


def isin_keys(values, keys) -> np.ndarray:
    """Whether each of ``values`` is one of ``keys`` (hashable, compared as ``==``): a hash look-up, as ``Series.isin``.

    A text column held by Arrow (pandas' ``str``) is compared in Arrow, without a Python string
    each, with keys that are such a column or Python strings (``Series.isin`` makes a Python
    object of every one of a million keys).
    """
    column = _arrow_texts(values)
    if column is not None:
        wanted = _arrow_texts(keys)
        if wanted is None and not isinstance(keys, pd.Series):
            keys = keys if isinstance(keys, (list, np.ndarray, pd.Index)) else list(keys)
            if all(isinstance(k, str) for k in keys):  # texts given as Python strings: made one Arrow column
                wanted = _arrow_texts(pd.Series(keys, dtype=values.dtype))
        if wanted is not None:
            import pyarrow.compute as pc

            return pc.is_in(column, value_set=wanted).to_numpy(zero_copy_only=False).astype(bool)
    values = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    keys = keys.to_numpy(dtype=object) if isinstance(keys, pd.Series) else keys
    keys = np.asarray(keys if isinstance(keys, (list, np.ndarray)) else list(keys), dtype=object)
    return pd.Index(pd.unique(keys), dtype=object).get_indexer(np.asarray(values, dtype=object)) >= 0


def _arrow_texts(values):
    """The Arrow array of a text column held by Arrow (a pandas ``str`` Series), else None."""
    if not isinstance(values, pd.Series) or getattr(values.dtype, "storage", None) != "pyarrow":
        return None
    import pyarrow as pa

    arr = pa.array(values.array)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def distinct_texts(values: pd.Series) -> list[str]:
    """The distinct values of ``values`` as text (missing ones left out), in no particular order.

    From the values as Python objects: iterating a text column of pandas' string dtype
    boxes every value again (``set(s.astype(str))`` costs a second per million).
    """
    uniq = pd.unique(values.dropna().to_numpy(dtype=object))
    return [v if isinstance(v, str) else str(v) for v in uniq]


def known_names(conn, norms: pd.Series) -> pd.Series:
    """normalised name → enterprise id, for the names already known."""
    return pd.Series(_lookup(conn, names_t.c.norm_name, names_t.c.enterprise_id, distinct_texts(norms)), dtype=object)


def existing_ids(conn, ids: pd.Series) -> set[str]:
    """Those of ``ids`` that are stored enterprises (live or merged away)."""
    return set(_lookup(conn, enterprises_t.c.enterprise_id, enterprises_t.c.enterprise_id, distinct_texts(ids)))


def count_live(conn) -> int:
    """How many enterprises are live (not merged away)."""
    q = sa.select(sa.func.count()).select_from(enterprises_t).where(enterprises_t.c.merged_into.is_(None))
    return int(conn.execute(q).scalar_one())


def live_ids(conn, ids) -> set[str]:
    """Those of ``ids`` that are live enterprises (not merged away)."""
    wanted = ids if isinstance(ids, (set, frozenset)) else set(ids)
    out: set[str] = set()
    if len(wanted) >= SCAN_FROM:  # one scan of the live ids, not thousands of IN queries
        q = sa.select(enterprises_t.c.enterprise_id).where(enterprises_t.c.merged_into.is_(None))
        return {r[0] for r in conn.execute(q).cursor.fetchall()} & wanted
    keys = sorted(wanted)
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        q = sa.select(enterprises_t.c.enterprise_id).where(enterprises_t.c.enterprise_id.in_(chunk), enterprises_t.c.merged_into.is_(None))
        out |= {r[0] for r in conn.execute(q)}
    return out
