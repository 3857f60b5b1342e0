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

An import of a few hundred names into a million known ones does not read the
master at all: :func:`candidate_master` reads, through indexes on the parsed
fields, only the known names that can be candidates of the new ones, and counts
in the database what the resolver weighs over the whole master (see the section
"one import against a large master" below).
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
from ..store.rows import CHUNK, count_rows, insert_frame, select_in
from ..store.schema import enterprises_t, entries_t, imports_t, meta_t, names_t, parsed_names_t, profiles_t, token_counts_t
from .blocking import key_values
from .normalize import NAME_FIELDS, parse_names
from .parsing import ParsingAhead, name_token_counts, parse_and_store

__all__ = [
    "FINGERPRINT_KEY",
    "SYNCED_KEY",
    "parse_fingerprint",
    "ensure_parsed_tables",
    "load_master",
    "read_master",
    "attach_parsed",
    "keep_synced",
    "token_counts",
    "name_token_counts",
    "mark_synced",
    "sync_import_names",
    "candidate_master",
    "names_of",
]

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
    n = count_rows(conn, parsed_names_t)
    conn.execute(parsed_names_t.delete())
    conn.execute(token_counts_t.delete())
    conn.execute(meta_t.delete().where(meta_t.c.key == FINGERPRINT_KEY))
    conn.execute(meta_t.insert().values(key=FINGERPRINT_KEY, value=fp))
    if n:
        log.warning(_("the name normaliser has changed: the {n} stored parsed names are parsed again").format(n=n))


def _stale(parsed_from: pd.Series, name: pd.Series) -> np.ndarray:
    """Where a name has no stored parse, or one made from another spelling (same normalised name)."""
    stored = parsed_from.to_numpy(dtype=object)
    return pd.isna(stored) | (stored != name.to_numpy(dtype=object))


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
    stale = _stale(out.parsed_name, out.name)
    parts = [out.loc[stale & has, ["norm_name", "parsed_name"]].rename(columns={"parsed_name": "name"})]
    # Stored rows of names no longer known (a removed import): only looked for when there are more rows than names matched.
    n_stored = count_rows(conn, parsed_names_t)
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
        fields, counts = parse_and_store(conn, out.loc[stale, ["norm_name", "name"]].reset_index(drop=True))
        _add_delta(conn, counts, +1)
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
    stale = _stale(names.parsed_name, names.name)
    n_stored = count_rows(conn, parsed_names_t)
    exact = not stale.any() and n_stored == len(names.norm_name.unique())
    if stale.any():
        names[list(NAME_FIELDS)] = names[list(NAME_FIELDS)].astype(object)
        names.loc[stale, list(NAME_FIELDS)] = parse_names(names.loc[stale, "name"]).to_numpy(dtype=object)
    return names.drop(columns=["parsed_name"]), (token_counts(conn) if exact else None)


def token_counts(conn) -> pd.Series:
    """Token key → number of stored parsed names holding it (sorted by key)."""
    t = _frame(conn, sa.select(token_counts_t.c.token, token_counts_t.c.n), ["token", "n"])
    return pd.Series(t.n.to_numpy(dtype=np.int64), index=t.token.to_numpy(dtype=np.int64)).sort_index()


def _add_counts(conn, names: pd.Series, sign: int) -> None:
    """Add (``sign`` +1) or take away (-1) the tokens of ``names`` from the stored token counts."""
    _add_delta(conn, name_token_counts(names), sign)


def _add_delta(conn, counts: pd.Series, sign: int) -> None:
    """Add (``sign`` +1) or take away (-1) ``counts`` (:func:`name_token_counts` of some names) from the stored token counts."""
    delta = counts * sign
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


# ---------------------------------------------------------------- one import against a large master
# An import of a few hundred names into a million known ones reads only what can matter: the names
# sharing a blocking key with the new ones (through indexes on the parsed fields), all names of their
# enterprises, and the counts the resolver takes over the whole master (names holding each key value,
# enterprises per brand), counted in the database. This needs the stored parsed names to be exactly
# the live names; ``meta`` key :data:`SYNCED_KEY` holds a digest of the list and profile imports when
# they last were (every write that adds or drops names is such an import, or removes one), so one import that only
# added names since is caught up by parsing its own names. Otherwise the whole master is read, once.

#: ``meta`` key: digest of the ``imports`` table when the stored parsed names last were exactly the live names.
SYNCED_KEY = "parsed_names_synced"
#: Parsed fields looked up by value (blocking keys): indexed (the Chinese core with the language, which it is read with).
_INDEXED = ("key", "brand_py", "lang, core", "initials")
#: Blocking key → (parsed field, length of its prefix or None, only Chinese names).
_KEY_FIELDS = {"key": ("key", None, False), "brand_py": ("brand_py", None, False), "py5": ("brand_py", 5, False), "core2": ("core", 2, True), "initials": ("initials", None, False)}
#: Above every character a name holds: the upper end of a prefix range.
_TOP = "\U0010ffff"


#: Kinds of import that add or drop names (a history import of visits and projects names none).
_NAMING = ("list", "profiles")


#: :func:`_imports_digest` of a database without list or profile imports.
_NO_IMPORTS = hashlib.sha256().hexdigest()


def _imports_digest(conn, exclude=None) -> str:
    """Digest of the imports that add or drop names: a weekly visit import does not make the next list import read the whole master."""
    h = hashlib.sha256()
    for row in conn.execute(sa.select(imports_t).where(imports_t.c.kind.in_(_NAMING)).order_by(imports_t.c.import_id)):
        if row.import_id != exclude:
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def mark_synced(conn) -> None:
    """Record that the stored parsed names are exactly the live names now (in the caller's write transaction)."""
    for c in _INDEXED:
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS ix_parsed_names_{c.replace(', ', '_')} ON parsed_names ({c})")
    conn.execute(meta_t.delete().where(meta_t.c.key == SYNCED_KEY))
    conn.execute(meta_t.insert().values(key=SYNCED_KEY, value=_imports_digest(conn)))


def keep_synced(conn, ids, import_id: int) -> None:
    """After an import that resolved nothing (it created no enterprise): the names it added to the
    enterprises ``ids`` parsed, and the stored parsed names marked current again if they were before it.

    Else the next import would find them out of date and read the whole master.
    Runs in the caller's write transaction.
    """
    if sync_import_names(conn, ids, import_id):
        mark_synced(conn)


def sync_import_names(conn, ids, import_id: int, names: pd.DataFrame | None = None, ahead: ParsingAhead | None = None) -> bool:
    """Parse and record the names of the import's enterprises ``ids`` that have no current stored parse.

    Only when the stored parsed names were exactly the live names before import
    ``import_id`` (:data:`SYNCED_KEY`, or no other list or profile import and no
    stored parsed names: the first import); returns whether they are exactly the live
    names now. When not, nothing is written: the caller reads the whole master
    (:func:`load_master`, :func:`attach_parsed`). Runs in the caller's write transaction.
    ``names``: the rows of the names table naming ``ids`` (all of them), when the caller holds them;
    ``ahead``: names being parsed already (:func:`parse_ahead`), taken when they are the ones to parse.
    """
    ensure_parsed_tables(conn)
    row = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == SYNCED_KEY)).first()
    before = _imports_digest(conn, exclude=import_id)
    # Never marked: current all the same when no other import named anything and nothing is stored (the first import).
    first = row is None and before == _NO_IMPORTS and count_rows(conn, parsed_names_t) == 0
    if not first and (row is None or row[0] != before):
        return False
    if names is None:
        names = select_in(conn, names_t, "enterprise_id", sorted({str(i) for i in ids}), columns=("norm_name", "name"))
    names = names[["norm_name", "name"]].reset_index(drop=True)
    if first:  # nothing parsed yet: every name is new
        have = pd.DataFrame({"norm_name": pd.Series(dtype=object), "name": pd.Series(dtype=object)})
        stale = np.ones(len(names), dtype=bool)
    else:
        have = select_in(conn, parsed_names_t, "norm_name", names.norm_name.tolist(), columns=("norm_name", "name"))
        stale = _stale(names.norm_name.map(have.set_index("norm_name").name), names.name)
    if stale.any():
        old = have[have.norm_name.isin(set(names.norm_name[stale]))] if len(have) else have
        if len(old):
            _add_counts(conn, old.name, -1)
            keys = old.norm_name.tolist()
            for i in range(0, len(keys), CHUNK):
                conn.execute(parsed_names_t.delete().where(parsed_names_t.c.norm_name.in_(keys[i : i + CHUNK])))
        _fields, counts = parse_and_store(conn, names.loc[stale, ["norm_name", "name"]].reset_index(drop=True), ahead)
        _add_delta(conn, counts, +1)
    merged_named = sa.select(enterprises_t.c.enterprise_id).where(
        enterprises_t.c.merged_into.is_not(None), sa.exists().where(names_t.c.enterprise_id == enterprises_t.c.enterprise_id)
    )
    return count_rows(conn, names_t) == count_rows(conn, parsed_names_t) and conn.execute(merged_named.limit(1)).first() is None


def _values(parsed: pd.DataFrame, kind: str) -> np.ndarray:
    v = key_values(parsed, kind)
    return pd.unique(v[v != ""].to_numpy(dtype=object))


def _term(kind: str, value: str, binary: bool) -> sa.ColumnElement:
    """Parsed names whose blocking key ``kind`` is ``value``: an index look-up (a range for a prefix).

    ``binary``: the database compares text in code-point order (SQLite); elsewhere the range uses collation "C".
    """
    field, n, zh = _KEY_FIELDS[kind]
    col = parsed_names_t.c[field]
    if n is not None and len(value) >= n:
        col = col if binary else col.collate("C")
        cond = sa.and_(col >= value, col < value + _TOP)
    else:  # the whole field (a value shorter than the prefix is the whole field)
        cond = col == value
    return sa.and_(parsed_names_t.c.lang == "zh", cond) if zh else cond


def _capped_sizes(conn, kind: str, caps: pd.Series) -> pd.Series:
    """How many stored parsed names hold each value ``v`` as blocking key ``kind``, counted up to ``caps[v]``.

    One statement per chunk of values, each count an index range stopped at its cap: a key
    value held by a hundred thousand names costs no more than one held by a few.
    """
    binary = conn.dialect.name == "sqlite"
    rows = []
    items = list(caps.items())
    for i in range(0, len(items), 200):  # compound statements of at most 200 terms
        parts = []
        for v, cap in items[i : i + 200]:
            sub = sa.select(parsed_names_t.c.norm_name).where(_term(kind, v, binary)).limit(int(cap)).subquery()
            parts.append(sa.select(sa.literal(v, sa.Text).label("v"), sa.select(sa.func.count()).select_from(sub).scalar_subquery().label("n")))
        rows += _fetch(conn, sa.union_all(*parts) if len(parts) > 1 else parts[0])
    return pd.Series([r[1] for r in rows], index=pd.Index([r[0] for r in rows], dtype=object), dtype=np.int64)


def _holders(conn, kind: str, values) -> set[str]:
    """The enterprises with a name holding one of ``values`` as blocking key ``kind`` (each held by few names)."""
    binary = conn.dialect.name == "sqlite"
    q = sa.select(names_t.c.enterprise_id).join(parsed_names_t, parsed_names_t.c.norm_name == names_t.c.norm_name)
    out: set[str] = set()
    values = list(values)
    for i in range(0, len(values), CHUNK):
        out |= {r[0] for r in _fetch(conn, q.where(sa.or_(*(_term(kind, v, binary) for v in values[i : i + CHUNK]))))}
    return out


def _fetch(conn, select) -> list[tuple]:
    """The rows of ``select`` as the driver's tuples (no result-row object per row)."""
    return conn.execute(select).cursor.fetchall()


def candidate_master(conn, queries: pd.DataFrame, *, kinds, max_block: int, alias_table, exclude) -> tuple[pd.DataFrame, dict]:
    """The master rows that can be candidates of ``queries``, and the whole master's counts the resolver needs.

    For :meth:`Resolver.fit_for <matcher.resolve.resolver.Resolver.fit_for>` (``master_stats``): its
    decisions on ``queries`` are those of the whole master (every live name except those of the
    enterprises ``exclude``, which ``queries`` are all the names of). ``queries`` carry the parsed
    fields; the stored parsed names must be exactly the live names (:func:`sync_import_names`).
    Returns the rows in the form of :func:`load_master` (all names of every enterprise holding a
    candidate, in its order) and ``{"n", "sizes", "brands"}``; a block too big to be used is
    counted only as far as ``max_block`` (its size is then known to exceed it).
    """
    exclude = {str(e) for e in exclude}
    group = alias_table.lookup(queries) if alias_table is not None and len(queries) else pd.Series("", index=queries.index)
    parsed = queries.assign(group=group.to_numpy())
    sizes: dict[str, pd.Series] = {}
    found: set[str] = set()
    for kind in kinds:
        vals = _values(parsed, kind)
        if not len(vals):
            continue
        if kind == "group":  # names of the groups' keys and cores; their enterprises' other names follow
            want = set(vals)
            keys = sorted(k for k, g in alias_table.key_index.items() if g in want)
            cores = sorted(c for c, g in alias_table.core_index.items() if g in want)
            for col, zh, values in (("key", False, keys), ("core", True, cores)):
                for i in range(0, len(values), CHUNK):
                    cond = parsed_names_t.c[col].in_(values[i : i + CHUNK])
                    q = sa.select(names_t.c.enterprise_id).join(parsed_names_t, parsed_names_t.c.norm_name == names_t.c.norm_name)
                    found |= {r[0] for r in _fetch(conn, q.where(sa.and_(parsed_names_t.c.lang == "zh", cond) if zh else cond))}
            continue
        # The new names hold some of each value: a block is big when the master's names alone exceed max_block.
        own = key_values(parsed, kind).value_counts().reindex(vals).fillna(0).astype(np.int64)
        size = _capped_sizes(conn, kind, own + max_block + 1).sub(own, fill_value=0).astype(np.int64)
        sizes[kind] = size[size > 0]
        found |= _holders(conn, kind, sizes[kind].index[sizes[kind] <= max_block])
    master = names_of(conn, sorted(found - exclude))
    # Enterprises per brand over the whole master, for the brands of these rows: counted in the database.
    brands = sorted(pd.unique(master.brand_py.to_numpy(dtype=object)).tolist())
    n_ent = sa.func.count(sa.distinct(names_t.c.enterprise_id))
    rows = []
    for i in range(0, len(brands), CHUNK):
        q = sa.select(parsed_names_t.c.brand_py, n_ent).join(names_t, names_t.c.norm_name == parsed_names_t.c.norm_name)
        rows += _fetch(conn, q.where(parsed_names_t.c.brand_py.in_(brands[i : i + CHUNK])).group_by(parsed_names_t.c.brand_py))
    per_brand = pd.Series([r[1] for r in rows], index=[r[0] for r in rows], dtype=np.int64)
    own = parsed.assign(e=queries.enterprise_id.to_numpy()).drop_duplicates(["brand_py", "e"]).brand_py.value_counts()
    per_brand = per_brand.sub(own, fill_value=0).astype(np.int64)
    stats = {"n": count_rows(conn, parsed_names_t) - len(queries), "sizes": sizes, "brands": per_brand[per_brand > 0]}
    return master, stats


def _rows_in(conn, select: sa.Select, column: sa.Column, keys, labels: list[str]) -> pd.DataFrame:
    """The rows of ``select`` whose ``column`` is one of ``keys``: chunked ``IN`` look-ups however many keys (an index)."""
    keys = list(keys)
    rows = []
    for i in range(0, len(keys), CHUNK):
        rows += _fetch(conn, select.where(column.in_(keys[i : i + CHUNK])))
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in labels})
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in zip(labels, zip(*rows, strict=True), strict=True)})


def names_of(conn, ids: list[str]) -> pd.DataFrame:
    """Every name of the enterprises ``ids`` with its stored parse, as :func:`load_master` gives them (sorted alike)."""
    cols = ["enterprise_id", "name", "province", "norm_name", *NAME_FIELDS]
    if not ids:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    select = sa.select(names_t.c.enterprise_id, names_t.c.name, names_t.c.norm_name, *(parsed_names_t.c[c] for c in NAME_FIELDS))
    select = select.outerjoin(parsed_names_t, parsed_names_t.c.norm_name == names_t.c.norm_name)
    names = _rows_in(conn, select, names_t.c.enterprise_id, ids, ["enterprise_id", "name", "norm_name", *NAME_FIELDS])
    names = names.sort_values(["enterprise_id", "name", "norm_name"], kind="stable").reset_index(drop=True)
    names["province"] = names.enterprise_id.map(_provinces(conn, ids)).astype(object).fillna("")
    return names[cols].astype(object)


def _provinces(conn, ids: list[str]) -> pd.Series:
    """Enterprise → province, as :func:`load_master` takes it: the profile's, else the first list entry's."""
    labels = ["enterprise_id", "province"]
    prov = _rows_in(conn, sa.select(entries_t.c.enterprise_id, entries_t.c.province), entries_t.c.enterprise_id, ids, labels)
    pprov = _rows_in(conn, sa.select(profiles_t.c.enterprise_id, profiles_t.c.province), profiles_t.c.enterprise_id, ids, labels)
    both = pd.concat([pprov, prov])
    both = both[both.province.fillna("") != ""]
    return both.drop_duplicates("enterprise_id").set_index("enterprise_id").province.astype(object)
