"""Import records, list entries and profiles: the rows an import writes.

Imports are identified by (kind, list type, year, file name): importing the
same file again changes nothing; importing a corrected file of the same name
replaces that file's rows; another file of the same list and year adds to it.

An enterprise is matched across lists by its normalised name (see
:mod:`matcher._text`); a profile whose Chinese and English names hit two
enterprises joins them, and the merge is recorded. Every function here writes
inside the caller's transaction; :mod:`matcher.resolve.imports` opens it and
resolves new names against the known enterprises.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .._parallel import concat_rows, map_parts, split_rows
from .._text import fold_text, normalize_names
from ..errors import StoreError
from ..i18n import gettext as _
from .checks import check_entries, check_profiles
from .industries import invalidate, invalidate_rows_of
from .merges import merge
from .rows import CHUNK, distinct_texts, existing_ids, has_rows, insert_frame, isin_keys, known_names, now
from .schema import enterprises_t, entries_t, imports_t, names_t, profiles_t

__all__ = ["ImportResult", "ListImport", "enterprise_id_for", "fresh_ids", "open_import", "record_import", "write_list", "write_profiles"]

log = logging.getLogger(__name__)

_ENTRY_TEXT = ("industry", "business", "country", "province", "city", "hq")
_PROFILE_TEXT = ("name_en", "aliases", "industry", "business", "country", "province", "city", "hq", "ownership", "branches")


def enterprise_id_for(norm_key: str, salt: int = 0) -> str:
    """Stable id from a normalised name key: the same name always gets the same id.

    ``E`` and 60 bits of SHA-1 (15 hex digits): among a million names a collision has a chance of
    about 4e-7, and :func:`fresh_ids` still never lets two names share an id (``salt`` > 0 is the
    next candidate). Databases made before this width keep their 10-digit ids.
    """
    key = norm_key if salt == 0 else f"{norm_key}#{salt}"
    return "E" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:15].upper()


def fresh_ids(conn, norms: pd.Series) -> pd.Series:
    """An unused enterprise id for each distinct new normalised name (index: the name).

    The hash of the name, unless that id is taken (by a stored enterprise or by another name of the
    batch, the names in sorted order): then the hash of ``name#1``, ``name#2``, … until one is free.
    Only names whose ids collide are sorted: a million new names are hashed in the order given.
    """
    todo = np.array(distinct_texts(norms), dtype=object)
    out: dict[str, str] = {}
    salt = 0
    while len(todo):
        if salt > 1000:
            raise StoreError(_("no free enterprise id for {name!r} after {n} tries").format(name=min(todo), n=salt))
        ids = np.array([enterprise_id_for(n, salt) for n in todo], dtype=object)
        taken = existing_ids(conn, pd.Series(ids, dtype=object)) | set(out.values())
        ok = ~isin_keys(ids, list(taken))
        shared = pd.Series(ids, dtype=object).duplicated(keep=False).to_numpy()
        if shared.any():  # ids two names of the batch hash to: the first name in sorted order has it
            among = np.flatnonzero(shared)
            order = among[np.argsort(todo[among], kind="stable")]
            first = ~pd.Series(ids[order], dtype=object).duplicated(keep="first").to_numpy()
            ok[order[~first]] = False
        out.update(zip(todo[ok].tolist(), ids[ok].tolist()))
        todo = todo[~ok]
        salt += 1
    return pd.Series(out, dtype=object)


@dataclass(frozen=True)
class ImportResult:
    """What one import did."""

    kind: str
    source_name: str
    list_type: str
    year: int
    rows: int
    status: str  # imported | replaced | unchanged
    new_enterprises: int = 0
    matched: int = 0
    merged: int = 0
    #: A profile import that merged nothing: the rows it wrote to ``profiles``, each of its
    #: enterprises' one profile, for reading them back without a read (``None`` otherwise).
    profile_rows: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    #: With :attr:`profile_rows`: the rows it wrote to ``enterprises`` and ``enterprise_names`` for the
    #: enterprises it created (every row of theirs), for reading them back without a read.
    created_rows: tuple[pd.DataFrame, pd.DataFrame] | None = field(default=None, compare=False, repr=False)

    def summary(self, list_names: dict[str, str] | None = None) -> str:
        """One line saying what the import did; ``list_names`` gives each list type's name (世界500强), else its id."""
        what = f"{(list_names or {}).get(self.list_type, self.list_type)} {self.year}" if self.kind == "list" else _("profiles")
        if self.status == "unchanged":
            return _("{file}: {what} already imported, nothing changed").format(file=self.source_name, what=what)
        status = {"imported": _("imported"), "replaced": _("replaced")}.get(self.status, self.status)
        text = _("{file}: {what} {status}: {rows} rows, {matched} matched to known enterprises, {new} new").format(
            file=self.source_name, what=what, status=status, rows=self.rows, matched=self.matched, new=self.new_enterprises
        )
        return text + (_(", {n} merged").format(n=self.merged) if self.merged else "")


@dataclass(frozen=True)
class ListImport:
    """What :func:`write_list` (or :func:`write_profiles`) wrote: the result, the import's id (None when
    unchanged) and the enterprise ids of its rows (of a profile import: the enterprises it created)."""

    result: ImportResult
    import_id: int | None
    enterprise_ids: np.ndarray
    #: Of a profile import: every row of the names table that names one of ``enterprise_ids``
    #: (``norm_name, enterprise_id, name``), written by it: they are new, so it gave all their names.
    names: pd.DataFrame | None = None

    def with_merged(self, merged: int) -> ImportResult:
        """The result with ``merged`` enterprises resolved into known ones (a merge moves profile rows: they are no longer given)."""
        if not merged:
            return self.result
        return replace(self.result, merged=self.result.merged + merged, profile_rows=None, created_rows=None)


def open_import(conn, kind, list_type, year, source_name, sha256, n_rows, rows_table) -> tuple[int | None, str]:
    """Start an import of (kind, list type, year, file name).

    Returns ``(None, "unchanged")`` when the same bytes were imported before;
    otherwise drops the rows of an earlier version of the file (``rows_table``
    keyed by ``import_id``), records the import and returns its id with
    ``"imported"`` or ``"replaced"``.
    """
    prev = conn.execute(
        sa.select(imports_t.c.import_id, imports_t.c.sha256).where(
            imports_t.c.kind == kind,
            imports_t.c.list_type == list_type,
            imports_t.c.year == year,
            imports_t.c.source_name == source_name,
        )
    ).first()
    if prev is not None and prev.sha256 == sha256:
        return None, "unchanged"
    status = "imported"
    if prev is not None:
        invalidate_rows_of(conn, rows_table, prev.import_id)  # those enterprises lose these rows' texts
        conn.execute(rows_table.delete().where(rows_table.c.import_id == prev.import_id))
        conn.execute(imports_t.delete().where(imports_t.c.import_id == prev.import_id))
        status = "replaced"
    import_id = conn.execute(
        imports_t.insert().values(
            kind=kind,
            list_type=list_type,
            year=year,
            source_name=source_name,
            sha256=sha256,
            n_rows=n_rows,
            imported_at=now(),
        )
    ).inserted_primary_key[0]
    return import_id, status


def record_import(conn, kind: str, source_name: str, sha256: str, n_rows: int) -> int:
    """Record (or update) an import of ``kind`` keyed by file name only; returns its id (for the history)."""
    prev = conn.execute(sa.select(imports_t.c.import_id).where(imports_t.c.kind == kind, imports_t.c.source_name == source_name)).first()
    if prev is not None:
        conn.execute(imports_t.update().where(imports_t.c.import_id == prev[0]).values(sha256=sha256, n_rows=n_rows, imported_at=now()))
        return int(prev[0])
    return conn.execute(
        imports_t.insert().values(kind=kind, list_type="", year=0, source_name=source_name, sha256=sha256, n_rows=n_rows, imported_at=now())
    ).inserted_primary_key[0]


def write_list(conn, entries: pd.DataFrame, *, list_type: str, year: int, source_name: str, sha256: str) -> ListImport:
    """Write one list (type, year) of a file: the import record, new enterprises and names, the entries.

    ``entries`` come from :func:`matcher.ingest.lists.parse_list`. Names are
    matched exactly (normalised); resolving new names against the known
    enterprises is the caller's (:func:`matcher.resolve.imports.import_lists`).
    """
    check_entries(entries, list_type=list_type, year=year, source_name=source_name)
    import_id, status = open_import(conn, "list", list_type, year, source_name, sha256, len(entries), entries_t)
    if import_id is None:
        return ListImport(ImportResult("list", source_name, list_type, year, len(entries), status), None, np.array([], dtype=object))
    norm = normalize_names(entries["name"])
    # Two rows of one list with the same normalised name are different enterprises
    # (CB Insights lists two "Bolt"s): disambiguate the later ones by their location.
    dup = norm.duplicated(keep="first") & (norm != "")
    if dup.any():
        where = (entries["country"].astype(str) + " " + entries["city"].astype(str) + " " + entries["hq"].astype(str)).map(fold_text)
        norm = norm.where(~dup, norm + "@" + where.str.replace(" ", "") + "#" + entries["source_row"].astype(str))
        log.warning(_("{source}: {n} rows share a name with an earlier row; kept as separate enterprises").format(source=source_name, n=int(dup.sum())))
    norm = norm.where(norm != "", entries["name"].map(fold_text))
    ids, new, matched = _ids_for_names(conn, norm, entries["name"])
    invalidate(conn, ids)  # new texts: their industries are mapped again (see matcher.store.industries)
    rows = pd.DataFrame(
        {
            "import_id": import_id,
            "source_row": entries["source_row"].astype(int),
            "list_type": list_type,
            "year": year,
            "rank": entries["rank"].astype("object").where(entries["rank"].notna(), None),
            "enterprise_id": ids,
            "name": entries["name"].astype(str),
            "revenue": entries["revenue"].astype("object").where(entries["revenue"].notna(), None),
            "revenue_unit": entries["revenue_unit"].astype(str),
            **{c: entries[c].astype(str) for c in _ENTRY_TEXT},
        }
    )
    insert_frame(conn, entries_t, rows)
    return ListImport(ImportResult("list", source_name, list_type, year, len(entries), status, new, matched), import_id, ids)


def _ids_for_names(conn, norm: pd.Series, names: pd.Series) -> tuple[np.ndarray, int, int]:
    """Enterprise id of each normalised name, creating enterprises for new names."""
    known = known_names(conn, norm)
    ids = norm.map(known)
    missing = ids.isna()
    new = pd.DataFrame({"norm_name": norm[missing], "name": names[missing].astype(str)}).drop_duplicates("norm_name")
    if len(new):
        new["enterprise_id"] = new.norm_name.map(fresh_ids(conn, new.norm_name))
        insert_frame(conn, enterprises_t, new[["enterprise_id", "name"]].assign(merged_into=None))
        insert_frame(conn, names_t, new[["norm_name", "enterprise_id", "name"]])
        ids = ids.where(~missing, norm.map(dict(zip(new.norm_name, new.enterprise_id))))
    return ids.to_numpy(dtype=object), int(len(new)), int((~missing).sum())


def _profile_names(profiles: pd.DataFrame, source_name: str) -> pd.DataFrame:
    """Every name of every profile, long format: ``name, pos, order, norm`` (0 name, 1 English name, 2 alias)."""
    names = [profiles[["name"]].assign(pos=np.arange(len(profiles)), order=0)]
    en = profiles["name_en"].astype(str)
    names.append(pd.DataFrame({"name": en, "pos": np.arange(len(profiles)), "order": 1})[en.str.strip() != ""])
    aliases = profiles["aliases"].astype(str)
    aliases = aliases[(aliases.str.strip() != "").to_numpy(dtype=bool)]  # most profiles give none: only the others split
    al = aliases.str.split(r"[;；|]").explode().str.strip()
    names.append(pd.DataFrame({"name": al.to_numpy(), "pos": al.index.to_numpy(), "order": 2})[al.fillna("").to_numpy() != ""])
    long = pd.concat(names, ignore_index=True)
    # A large import's names keyed on two cores (matcher._parallel): each key depends on its name only.
    long["norm"] = concat_rows(map_parts(normalize_names, [long["name"].iloc[sl] for sl in split_rows(len(long))]))
    long = long[long.norm != ""]
    # A profile giving one name twice keeps it once; only profiles with several names can.
    several = long.pos.duplicated(keep=False).to_numpy()
    if several.any():
        twice = np.zeros(len(long), dtype=bool)
        twice[several] = long[several].duplicated(["pos", "norm"]).to_numpy()
        long = long[~twice]
    # A name shared by two profiles of the same file identifies neither.
    shared = long.duplicated("norm", keep=False)
    if shared.any():
        log.warning(
            _("{source}: {n} names are given by more than one profile and are ignored for matching").format(
                source=source_name, n=int(long[shared].norm.nunique())
            )
        )
        long = long[~shared | (long.order == 0)]
    return long


def write_profiles(conn, profiles: pd.DataFrame, *, source_name: str, sha256: str, on_new_names: Callable[[pd.DataFrame], None] | None = None) -> ListImport:
    """Write enterprise profiles (from :func:`matcher.ingest.lists.parse_profiles`).

    A profile is matched to enterprises by every name it gives (name,
    English name, aliases); when those names belong to two enterprises
    they are merged into the one with the smaller id, and the merge is
    recorded in the ``merges`` table. The enterprises it creates are returned
    for the caller to resolve against the known ones, as a list's are.
    ``on_new_names`` is called with their names (``norm_name, name``: the rows of :attr:`ListImport.names`;
    each ``norm_name`` is its name's :func:`~matcher._text.normalize_names` key) as soon as they are
    known, before the enterprises, names and profiles are written, so the caller can start work on
    them meanwhile.
    """
    check_profiles(profiles, source_name=source_name)
    import_id, status = open_import(conn, "profiles", "", 0, source_name, sha256, len(profiles), profiles_t)
    if import_id is None:
        return ListImport(ImportResult("profiles", source_name, "", 0, len(profiles), status), None, np.array([], dtype=object))
    long = _profile_names(profiles, source_name)
    known = known_names(conn, long.norm)
    long["eid"] = long.norm.map(known)
    hits = long.dropna(subset=["eid"])
    groups = hits.groupby("pos").eid.agg(lambda s: sorted(set(s)))
    target = pd.Series(index=np.arange(len(profiles)), dtype=object)
    merged = 0
    for pos, eids in groups.items():  # profiles that hit two enterprises: rare
        keep = eids[0]
        target[pos] = keep
        for other in eids[1:]:
            merge(conn, keep, other, f"profile {source_name} row {int(profiles.source_row.iloc[pos])}", import_id)
            merged += 1
    matched = int(target.notna().sum())
    # Profiles matching no enterprise create one from their first name.
    first = long[long.order == 0].set_index("pos").norm
    new_pos = target.index[target.isna()]
    # The names not known before, each once: those of the profiles matching no enterprise are the
    # names of the enterprises created below, handed on at once so that work on them starts now.
    unknown = long[~isin_keys(long.norm, known.index)].drop_duplicates("norm")
    if on_new_names is not None:
        theirs = unknown[np.isin(unknown.pos.to_numpy(), new_pos.to_numpy())]
        if len(theirs):
            on_new_names(theirs.rename(columns={"norm": "norm_name"})[["norm_name", "name"]])
    new_norm = first.reindex(new_pos)
    unnamed = new_norm.isna().to_numpy()
    if unnamed.any():  # a profile whose names all normalise to nothing: its folded name (only those rows folded)
        new_norm = new_norm.astype(object)
        new_norm[unnamed] = profiles["name"].reindex(new_pos[unnamed]).map(fold_text).to_numpy(dtype=object)
    new_ids = new_norm.map(fresh_ids(conn, new_norm)) if len(new_norm) else new_norm
    fresh = pd.DataFrame({"enterprise_id": new_ids, "name": profiles["name"].reindex(new_pos)}).drop_duplicates("enterprise_id")
    insert_frame(conn, enterprises_t, fresh.assign(merged_into=None))
    target[new_pos] = new_ids.to_numpy()
    # Register every name of the profile for its enterprise (new names only).
    # The names known before: a merge above moves names to another enterprise, it adds or drops none.
    add = unknown.assign(eid=unknown.pos.map(target))
    add = add.rename(columns={"norm": "norm_name", "eid": "enterprise_id"})[["norm_name", "enterprise_id", "name"]]
    created = fresh.enterprise_id.to_numpy(dtype=object)
    created_names = add[isin_keys(add.enterprise_id, created)]  # the names handed on above, now with their enterprise
    insert_frame(conn, names_t, add)
    rows = profiles.assign(enterprise_id=target.to_numpy(), import_id=import_id)
    rows = rows.drop_duplicates("enterprise_id", keep="last")
    invalidate(conn, rows.enterprise_id.to_numpy(dtype=object))  # new texts: their industries are mapped again (see matcher.store.industries)
    if has_rows(conn, profiles_t):  # else nothing to replace
        replaced = sorted(set(rows.enterprise_id))
        for i in range(0, len(replaced), CHUNK):
            conn.execute(profiles_t.delete().where(profiles_t.c.enterprise_id.in_(replaced[i : i + CHUNK])))
    cols = ["enterprise_id", "import_id", "source_row", "name", *_PROFILE_TEXT]
    rows = rows.reindex(columns=cols, fill_value="")
    insert_frame(conn, profiles_t, rows)
    # In the column types a read gives them (text columns as ``str``): what takes them works as on rows read back.
    held = None if merged else (fresh.astype(str).assign(merged_into=None), created_names.astype(str))
    result = ImportResult("profiles", source_name, "", 0, len(profiles), status, len(fresh), matched, merged, None if merged else rows, held)
    return ListImport(result, import_id, created, created_names)
