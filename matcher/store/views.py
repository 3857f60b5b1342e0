"""Read views of the database: whole tables, counts, the enterprises, list memberships and years.

Every function takes an open connection (reads need no write lock).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .._text import HAS_CJK
from .rows import count_rows, isin_keys, known_names, read_table, select_in
from .schema import imports_t, meta_t, metadata

__all__ = [
    "read",
    "counts",
    "schema_version",
    "snapshot_hash",
    "enterprise_frame",
    "profile_industry_texts",
    "rows_of",
    "list_memberships",
    "list_years",
    "lookup_names",
    "SNAPSHOT_TABLES",
]

#: The tables scoring reads; :func:`snapshot_hash` fingerprints them.
SNAPSHOT_TABLES = ("enterprises", "enterprise_names", "list_entries", "profiles")


def read(conn, table: str) -> pd.DataFrame:
    """A whole table as a DataFrame, in primary-key order."""
    return read_table(conn, table)


def counts(conn) -> dict[str, int]:
    """Rows per table (for reports and tests)."""
    return {name: count_rows(conn, t) for name, t in metadata.tables.items()}


def schema_version(conn) -> int:
    """The schema version recorded in the database."""
    return int(conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == "schema_version")).scalar_one())


def snapshot_hash(conn) -> str:
    """SHA-256 of the data that scoring reads (for reproducibility records)."""
    h = hashlib.sha256()
    for name in SNAPSHOT_TABLES:
        df = read_table(conn, name)
        h.update(name.encode())
        h.update(pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy().tobytes())
    return h.hexdigest()


def enterprise_frame(
    conn, ids=None, *, texts: bool = True, profile_rows: pd.DataFrame | None = None, enterprise_rows: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per live enterprise with its names, location texts and industry texts.

    Columns: ``enterprise_id, name, name_zh, name_en, aliases, ownership,
    country, province, city, hq, industry_text, on_profile``. Location
    fields prefer the profile, then the newest list entry that has them.
    With ``ids``, only those enterprises (the same rows the whole frame has for them). With
    ``texts=False`` the industry and business texts are not read (``industry_text`` is empty):
    for callers that read the industries stored at import (:mod:`matcher.store.industries`).
    ``profile_rows`` (with ``ids``): rows of the ``profiles`` table, the whole profile of each
    enterprise they name, held by the caller: only the others' profiles are read; ``enterprise_rows``
    likewise rows of the ``enterprises`` table (:func:`rows_of`).
    """
    if ids is None and texts:
        ents, entries, profiles = (read_table(conn, t) for t in ("enterprises", "list_entries", "profiles"))
    elif ids is None:
        ents = read_table(conn, "enterprises")
        entries, profiles = (_without_texts(conn, t) for t in ("list_entries", "profiles"))
    else:
        ents = rows_of(conn, "enterprises", ids, enterprise_rows)
        entries = select_in(conn, metadata.tables["list_entries"], "enterprise_id", ids)
        profiles = rows_of(conn, "profiles", ids, profile_rows)
    ents = ents[ents.merged_into.isna()].drop(columns="merged_into")
    profiles = profiles.set_index("enterprise_id")
    out = ents.set_index("enterprise_id")
    # Newest edition first; within a year by list type and row, never by import order.
    e = entries.sort_values(["year", "list_type", "source_row", "import_id"], ascending=[False, True, True, True], kind="stable")
    # Each enterprise's profile row and list entries looked up once (not a hash of a million ids per column).
    at = profiles.index.get_indexer(out.index)
    listed_ids = pd.Index(pd.unique(e.enterprise_id.to_numpy(dtype=object)), dtype=object)
    eat = listed_ids.get_indexer(out.index)

    def by_listed(values: pd.Series) -> pd.Series:
        return _take(values.reindex(listed_ids), eat, out.index)

    for col in ("country", "province", "city", "hq"):
        vals = e[e[col].astype(str).str.strip() != ""].groupby("enterprise_id")[col].first()
        if len(profiles):
            prof = _take(profiles[col].where(profiles[col].astype(str).str.strip() != ""), at, out.index)
        else:
            prof = pd.Series(dtype=object).reindex(out.index)
        out[col] = prof.fillna(by_listed(vals)).fillna("")
    out["industry_text"] = _industry_texts(e, profiles).reindex(out.index).fillna("")

    def prof(col: str) -> pd.Series:
        if len(profiles) == 0:
            return pd.Series("", index=out.index, dtype=object)
        return _take(profiles[col], at, out.index).fillna("").astype(str)

    # The same character class with its characters written out: pandas matches Arrow text in Arrow
    # then (its regular expressions do not take \u escapes), not one Python call per name.
    cjk = HAS_CJK.pattern.encode("ascii").decode("unicode_escape")
    name = out["name"].astype(str)
    is_cjk = name.str.contains(cjk, regex=True)
    pname, pen = prof("name"), prof("name_en")
    # The Chinese and the English name as the newest edition of the lists prints them (ties: list
    # type, then the name), so they do not depend on which list was imported first.
    listed = entries.sort_values(["year", "list_type", "name"], ascending=[False, True, True], kind="stable")
    listed_cjk = listed["name"].astype(str).str.contains(cjk, regex=True)
    zh_listed = by_listed(listed[listed_cjk].groupby("enterprise_id")["name"].first())
    en_listed = by_listed(listed[~listed_cjk].groupby("enterprise_id")["name"].first())
    out["name_zh"] = pname.where(pname.str.contains(cjk, regex=True), zh_listed.fillna(name.where(is_cjk, "")))
    out["name_en"] = pen.where(pen != "", en_listed.fillna(name.where(~is_cjk, "")))
    out["aliases"] = prof("aliases")
    out["ownership"] = prof("ownership")
    out["branches"] = prof("branches")
    out["on_profile"] = at >= 0
    # Display name: Chinese where known, else English (both as the newest edition prints them).
    out["name"] = out["name_zh"].where(out["name_zh"] != "", out["name_en"].where(out["name_en"] != "", out["name"]))
    return out.reset_index().sort_values("enterprise_id").reset_index(drop=True)


def _take(values: pd.Series, pos: np.ndarray, index: pd.Index) -> pd.Series:
    """``values`` at positions ``pos`` (missing where -1), on ``index``: ``reindex`` with the look-up done by the caller, once."""
    return pd.Series(pd.api.extensions.take(values.array, pos, allow_fill=True), index=index)


def rows_of(conn, table: str, ids, given: pd.DataFrame | None) -> pd.DataFrame:
    """The rows of ``table`` whose ``enterprise_id`` is one of ``ids``: from ``given`` where it has them, the others read.

    ``given`` holds rows of ``table`` the caller just wrote (an import), every row of each enterprise it names.
    ``ids`` may be a Series of the given rows' key type (made once for several tables).
    """
    if given is None:
        return select_in(conn, metadata.tables[table], "enterprise_id", ids)
    keys = ids if isinstance(ids, pd.Series) and ids.dtype == given.enterprise_id.dtype else pd.Series(list(ids), dtype=given.enterprise_id.dtype)
    held = isin_keys(keys, given.enterprise_id)
    if held.all() and given.enterprise_id.nunique() == keys.nunique():
        return given.reset_index(drop=True)  # as many enterprises given as asked for, each asked for one given: every row is one of ids
    mine = given[isin_keys(given.enterprise_id, keys)]
    if held.all():
        return mine.reset_index(drop=True)
    read = select_in(conn, metadata.tables[table], "enterprise_id", keys[~held].tolist())
    return pd.concat([mine, read], ignore_index=True) if len(read) else mine.reset_index(drop=True)


def _industry_texts(entries: pd.DataFrame, profiles: pd.DataFrame) -> pd.Series:
    """Each enterprise's distinct industry and business texts (not blank) in code-point order, joined with ``" | "``, by id.

    ``profiles`` is indexed by enterprise id (one row each). The enterprises with list entries are
    joined as a long table; the others have at most two texts, their profile's, ordered
    column-wise: a million profiles without a sort of two million texts.
    """

    def long(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([frame[["enterprise_id", c]].rename(columns={c: "t"}) for c in ("industry", "business")])

    listed = long(entries)
    listed = listed[listed.t.astype(str).str.strip() != ""]
    with_entries = pd.unique(listed.enterprise_id.to_numpy(dtype=object))
    prof = profiles.reset_index()[["enterprise_id", "industry", "business"]] if len(profiles) else None
    parts = []
    if prof is not None:
        on_list = pd.Index(with_entries, dtype=object).get_indexer(prof.enterprise_id.to_numpy(dtype=object)) >= 0
        listed = pd.concat([listed, long(prof[on_list])])
        parts.append(_two_texts(prof[~on_list]))
    text = listed[listed.t.astype(str).str.strip() != ""].drop_duplicates().sort_values(["enterprise_id", "t"])
    parts.append(_joined(text.enterprise_id.to_numpy(dtype=object), text.t.to_numpy(dtype=object)))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts) if parts else pd.Series(dtype=object)


def profile_industry_texts(profiles: pd.DataFrame) -> np.ndarray:
    """The industry text of each profile (``industry`` and ``business`` columns) as the enterprise frame gives an
    enterprise with that profile and no list entry (``""`` where both are blank)."""
    prof = profiles.reindex(columns=["industry", "business"], fill_value="").assign(enterprise_id=np.arange(len(profiles)))
    return _two_texts(prof, keep_blank=True).to_numpy(dtype=object)


def _two_texts(prof: pd.DataFrame, keep_blank: bool = False) -> pd.Series:
    """``industry`` and ``business`` of each row as :func:`_industry_texts` joins them (blank ones left out, one of two equal), by id.

    Rows with both blank are left out, unless ``keep_blank`` (their text ``""``)."""
    a, b = prof["industry"].fillna("").astype(str), prof["business"].fillna("").astype(str)
    has_a, has_b = (a.str.strip() != "").to_numpy(dtype=bool), (b.str.strip() != "").to_numpy(dtype=bool)
    a, b = a.to_numpy(dtype=object), b.to_numpy(dtype=object)
    text = np.where(has_a, a, np.where(has_b, b, ""))  # one text (or two equal ones)
    # Two texts joined in code-point order: only on the rows that have two (pointers moved elsewhere, no text copied).
    both = np.flatnonzero(has_a & has_b & (a != b))
    x, y = a[both], b[both]
    first = x <= y
    text[both] = np.where(first, x, y) + " | " + np.where(first, y, x)
    keep = has_a | has_b | keep_blank
    return pd.Series(text[keep], index=pd.Index(prof.enterprise_id[keep].to_numpy(dtype=object), dtype=object), dtype=object)


def _joined(keys: np.ndarray, texts: np.ndarray) -> pd.Series:
    """The ``texts`` of each key joined with ``" | "`` in their order (``keys`` sorted), by key.

    As ``groupby(keys).agg(" | ".join)``, without a Python call per key: the k-th text of
    every key is appended at once, for k up to the most texts one key has.
    """
    if not len(keys):
        return pd.Series(dtype=object)
    first = np.r_[True, keys[1:] != keys[:-1]]
    starts = np.flatnonzero(first)
    sizes = np.diff(np.r_[starts, len(keys)])
    out = texts[starts].astype(object)
    for k in range(1, int(sizes.max())):
        more = sizes > k
        out[more] = out[more] + " | " + texts[starts[more] + k]
    return pd.Series(out, index=pd.Index(keys[starts], dtype=object), dtype=object)


def _without_texts(conn, table: str) -> pd.DataFrame:
    """A whole table without its industry and business texts (those columns empty), in primary-key order."""
    t = metadata.tables[table]
    cols = [c for c in t.columns if c.name not in ("industry", "business")]
    frame = pd.read_sql(sa.select(*cols).order_by(*t.primary_key.columns), conn)
    return frame.assign(industry="", business="")


def list_memberships(conn) -> pd.DataFrame:
    """Best rank per (enterprise, list type) on the newest year of each list type.

    Columns: ``enterprise_id, list_type, year, rank`` (rank NaN for
    unranked lists).
    """
    e = read_table(conn, "list_entries")[["enterprise_id", "list_type", "year", "rank"]]
    if e.empty:
        return e
    latest = e.groupby("list_type").year.transform("max")
    e = e[e.year == latest]
    e = e.sort_values(["enterprise_id", "list_type", "rank"], na_position="last")
    return e.drop_duplicates(["enterprise_id", "list_type"]).reset_index(drop=True)


def list_years(conn) -> pd.DataFrame:
    """Imported lists: list type, year, rows, files."""
    return pd.read_sql(
        sa.select(imports_t.c.list_type, imports_t.c.year, sa.func.sum(imports_t.c.n_rows).label("rows"), sa.func.count().label("files"))
        .where(imports_t.c.kind == "list")
        .group_by(imports_t.c.list_type, imports_t.c.year)
        .order_by(imports_t.c.list_type, imports_t.c.year),
        conn,
    )


def lookup_names(conn, norms: pd.Series) -> pd.Series:
    """normalised name → enterprise id, for the names the database knows (see :mod:`matcher._text`)."""
    return known_names(conn, norms)
