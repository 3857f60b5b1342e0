"""The parsed master: every known name parsed once, kept in the database, read back by resolution.

Resolving an import's new names against a million known ones used to parse
every known name again (prefix, core, brand, pinyin: about a minute) and read
the tokens of each. The parsed fields of each name are kept instead in the
derived table ``parsed_names`` (by normalised name), and how many names hold
each token in ``name_token_counts`` (schema version 7): resolution reads them
(:func:`load_master`, :func:`token_counts`) and parses only names it has not
seen. The parse depends only on the name's text, so merging enterprises or
undoing a merge (which move names between enterprises) leaves it true.

Kept up to date where names come and go, inside the caller's transaction:
every list or profile import parses and records its new names
(:func:`matcher.resolve.records.resolve_incoming`); names the tables lack (in
an upgraded database) are parsed and recorded by the next import or
``resolve``, and rows of names no longer known (a removed import) are dropped
with their token counts then. Reading (:func:`read_master`: a visit sheet's
names, ``enterprise``, ``validate``) writes nothing: what the tables lack is
parsed in memory. ``meta`` key
:data:`FINGERPRINT_KEY` records which normaliser made the rows (a hash of its
source files and libraries): when it changes, the rows are dropped once (one
line in the log) and parsed again on first use.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
from functools import lru_cache

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..i18n import gettext as _
from ..store.rows import CHUNK, insert_frame
from ..store.schema import enterprises_t, entries_t, meta_t, names_t, parsed_names_t, profiles_t, token_counts_t
from .compare import token_keys
from .normalize import NAME_FIELDS, parse_names

__all__ = ["FINGERPRINT_KEY", "parse_fingerprint", "ensure_parsed_tables", "load_master", "read_master", "attach_parsed", "token_counts", "name_token_counts"]

log = logging.getLogger(__name__)

#: ``meta`` key of the fingerprint of the normaliser that made the stored parsed names.
FINGERPRINT_KEY = "parsed_names_fingerprint"
#: Files the parsed fields and token keys depend on (besides the libraries).
_SOURCES = ("matcher/resolve/normalize.py", "matcher/resolve/compare.py", "matcher/_text.py", "matcher/data/gazetteer.csv")


@lru_cache(maxsize=1)
def parse_fingerprint() -> str:
    """SHA-256 over what parsing a name depends on: the normaliser's source files and the libraries it uses."""
    from importlib.metadata import version

    h = hashlib.sha256()
    for name in _SOURCES:
        package, _sep, file = name.rpartition("/")
        h.update(name.encode() + b"\0" + importlib.resources.files(package.replace("/", ".")).joinpath(file).read_bytes())
    for lib in ("pypinyin", "confusable-homoglyphs", "pandas", "numpy"):
        h.update(f"{lib}={version(lib)}".encode())
    return h.hexdigest()


def ensure_parsed_tables(conn) -> None:
    """Create the tables if missing; drop their rows once when another normaliser made them (logged)."""
    for t in (parsed_names_t, token_counts_t):
        t.create(conn, checkfirst=True)
    fp = parse_fingerprint()
    row = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == FINGERPRINT_KEY)).first()
    if row is not None and row[0] == fp:
        return
    n = conn.execute(sa.select(sa.func.count()).select_from(parsed_names_t)).scalar_one()
    conn.execute(parsed_names_t.delete())
    conn.execute(token_counts_t.delete())
    conn.execute(meta_t.delete().where(meta_t.c.key == FINGERPRINT_KEY))
    conn.execute(meta_t.insert().values(key=FINGERPRINT_KEY, value=fp))
    if n:
        log.warning(_("the name normaliser has changed: the {n} stored parsed names are parsed again").format(n=n))


def _frame(conn, select, columns: list[str]) -> pd.DataFrame:
    """The rows of ``select`` as object columns: the driver's tuples read whole, a million rows in about a second."""
    rows = conn.execute(select).cursor.fetchall()
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in zip(columns, zip(*rows, strict=True), strict=True)})


def load_master(conn, *, parsed: bool = True, fill: bool = True) -> pd.DataFrame:
    """Every known name of every live enterprise: ``enterprise_id, name, province, norm_name`` (and the parsed fields).

    Sorted by enterprise id and name, as :func:`matcher.resolve.records.master_names`.
    With ``parsed``, also the columns of :data:`~matcher.resolve.normalize.NAME_FIELDS`
    from the stored parsed names, filled where missing (:func:`attach_parsed`; this writes, so
    ``conn`` is in a write transaction); without ``fill``, missing ones are left for :func:`attach_parsed`.
    """
    cols = [names_t.c.enterprise_id, names_t.c.name, names_t.c.norm_name]
    labels = ["enterprise_id", "name", "norm_name"]
    select = sa.select(*cols).join(enterprises_t, enterprises_t.c.enterprise_id == names_t.c.enterprise_id)
    if parsed:
        ensure_parsed_tables(conn)
        cols += [parsed_names_t.c.name.label("parsed_name"), *(parsed_names_t.c[c] for c in NAME_FIELDS)]
        labels += ["parsed_name", *NAME_FIELDS]
        select = sa.select(*cols).join(enterprises_t, enterprises_t.c.enterprise_id == names_t.c.enterprise_id)
        select = select.outerjoin(parsed_names_t, parsed_names_t.c.norm_name == names_t.c.norm_name)
    # Sorted by the database, in code-point order (as Python compares strings): SQLite's binary collation, "C" elsewhere.
    binary = conn.dialect.name == "sqlite"
    keys = [c if binary else c.collate("C") for c in (names_t.c.enterprise_id, names_t.c.name, names_t.c.norm_name)]
    names = _frame(conn, select.where(enterprises_t.c.merged_into.is_(None)).order_by(*keys), labels)
    prov = _frame(conn, sa.select(entries_t.c.enterprise_id, entries_t.c.province).where(entries_t.c.province != ""), ["enterprise_id", "province"])
    pprov = _frame(conn, sa.select(profiles_t.c.enterprise_id, profiles_t.c.province).where(profiles_t.c.province != ""), ["enterprise_id", "province"])
    province = pd.concat([pprov, prov]).drop_duplicates("enterprise_id").set_index("enterprise_id").province.astype(object)
    names["province"] = names.enterprise_id.map(province).astype(object).fillna("")
    names = names[["enterprise_id", "name", "province", "norm_name", *(["parsed_name", *NAME_FIELDS] if parsed else [])]]
    return attach_parsed(conn, names) if parsed and fill else names


def attach_parsed(conn, names: pd.DataFrame) -> pd.DataFrame:
    """``names`` of :func:`load_master` (``fill=False``, all live names) with every parsed field filled.

    Names without a stored row, or whose stored row was made from another
    spelling, are parsed and recorded; rows of names no longer known are
    dropped. Token counts follow. Runs in the caller's write transaction.
    """
    out = names  # filled in place: the frame of load_master(fill=False) is the caller's own
    has = out.parsed_name.notna().to_numpy(dtype=bool)
    stale = ~has | (out.parsed_name.to_numpy(dtype=object) != out.name.to_numpy(dtype=object))
    parts = [out.loc[stale & has, ["norm_name", "parsed_name"]].rename(columns={"parsed_name": "name"})]
    # Stored rows of names no longer known (a removed import): only looked for when there are more rows than names matched.
    n_stored = conn.execute(sa.select(sa.func.count()).select_from(parsed_names_t)).scalar_one()
    if n_stored > int(has.sum()):
        stored = _frame(conn, sa.select(parsed_names_t.c.norm_name, parsed_names_t.c.name), ["norm_name", "name"])
        parts.append(stored[~stored.norm_name.isin(set(out.norm_name))])
    gone = pd.concat(parts)
    if len(gone):
        _add_counts(conn, gone.name, -1)
        keys = gone.norm_name.tolist()
        for i in range(0, len(keys), CHUNK):
            conn.execute(parsed_names_t.delete().where(parsed_names_t.c.norm_name.in_(keys[i : i + CHUNK])))
    if stale.any():
        fresh = out.loc[stale, ["norm_name", "name"]].reset_index(drop=True)
        fields = parse_names(fresh.name)
        fresh = pd.concat([fresh, fields.reset_index(drop=True)], axis=1)
        insert_frame(conn, parsed_names_t, fresh)
        _add_counts(conn, fresh.name, +1)
        out[list(NAME_FIELDS)] = out[list(NAME_FIELDS)].astype(object)
        out.loc[stale, list(NAME_FIELDS)] = fields.to_numpy(dtype=object)
        log.debug("parsed names: %d parsed and stored, %d dropped", int(stale.sum()), len(gone))
    return out.drop(columns=["parsed_name"])


def read_master(conn) -> tuple[pd.DataFrame, pd.Series | None]:
    """The parsed master and its token counts for a command that only reads: nothing is written.

    The stored parsed names where they are current; names the tables lack
    (or all, when another normaliser made them) are parsed in memory. The
    stored token counts are returned only when they count exactly the live
    names; otherwise ``None`` (the resolver then counts the master's tokens itself).
    """
    have = sa.inspect(conn)
    current = have.has_table(parsed_names_t.name) and have.has_table(token_counts_t.name)
    if current:
        row = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == FINGERPRINT_KEY)).first()
        current = row is not None and row[0] == parse_fingerprint()
    if not current:
        names = load_master(conn, parsed=False)
        return pd.concat([names, parse_names(names["name"]).set_axis(names.index)], axis=1), None
    names = load_master(conn, fill=False)
    stale = names.parsed_name.isna().to_numpy(dtype=bool) | (names.parsed_name.to_numpy(dtype=object) != names.name.to_numpy(dtype=object))
    n_stored = conn.execute(sa.select(sa.func.count()).select_from(parsed_names_t)).scalar_one()
    exact = not stale.any() and n_stored == len(names.norm_name.unique())
    if stale.any():
        names[list(NAME_FIELDS)] = names[list(NAME_FIELDS)].astype(object)
        names.loc[stale, list(NAME_FIELDS)] = parse_names(names.loc[stale, "name"]).to_numpy(dtype=object)
    return names.drop(columns=["parsed_name"]), (token_counts(conn) if exact else None)


def name_token_counts(names: pd.Series) -> pd.Series:
    """How many of ``names`` hold each token key (:func:`~matcher.resolve.compare.token_keys`)."""
    if not len(names):
        return pd.Series(dtype=np.int64)
    return pd.Series(token_keys(names.reset_index(drop=True))[1]).value_counts()


def token_counts(conn) -> pd.Series:
    """Token key → number of stored parsed names holding it (sorted by key)."""
    t = _frame(conn, sa.select(token_counts_t.c.token, token_counts_t.c.n), ["token", "n"])
    return pd.Series(t.n.to_numpy(dtype=np.int64), index=t.token.to_numpy(dtype=np.int64)).sort_index()


def _add_counts(conn, names: pd.Series, sign: int) -> None:
    """Add (``sign`` +1) or take away (-1) the tokens of ``names`` from the stored token counts."""
    delta = name_token_counts(names) * sign
    if not len(delta):
        return
    have = token_counts(conn)
    known = delta.index.isin(have.index)
    upd = delta[known]
    if len(upd):
        stmt = token_counts_t.update().where(token_counts_t.c.token == sa.bindparam("tok")).values(n=token_counts_t.c.n + sa.bindparam("delta"))
        conn.execute(stmt, [{"tok": int(k), "delta": int(v)} for k, v in upd.items()])
    new = delta[~known & (delta.to_numpy() > 0)]
    insert_frame(conn, token_counts_t, pd.DataFrame({"token": new.index.to_numpy(dtype=np.int64), "n": new.to_numpy(dtype=np.int64)}))
    if sign < 0:
        conn.execute(token_counts_t.delete().where(token_counts_t.c.n <= 0))
