"""Store: the database behind every command.

SQLite by default (``--db PATH``, ``MATCHER_DB`` or ``./matcher.db``); any
SQLAlchemy URL (``postgresql://…``) works too. Every import runs in one
transaction: it lands whole or not at all.

Imports are identified by (kind, list type, year, file name): importing the
same file again changes nothing; importing a corrected file of the same name
replaces that file's rows; another file of the same list and year adds to it.

The history — visits, projects, stage changes, stationed days (schema version
2) — is written by :meth:`Store.write_history` (one transaction, keyed rows:
writing the same rows twice changes nothing) and read back in the shapes of
:mod:`matcher.columns` by :meth:`Store.visits_frame`, :meth:`Store.projects_frame`,
:meth:`Store.stage_changes_frame` and :meth:`Store.stationed_frame`. A database
made by an older release is upgraded in place when opened (:data:`MIGRATIONS`,
one transaction); a newer one is refused.

Within this module an enterprise is matched across lists by its normalised
name (see :mod:`matcher._text`); a profile whose Chinese and English names hit
two enterprises joins them, and the merge is recorded.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event

from .._text import fold_text, normalize_names
from ..errors import StoreError

__all__ = ["Store", "ImportResult", "open_store", "default_db", "SCHEMA_VERSION", "MIGRATIONS"]

log = logging.getLogger(__name__)

#: Version 1: lists, profiles, enterprises. Version 2 adds the history: visits, projects,
#: stage changes and stationed days (see :data:`MIGRATIONS`).
SCHEMA_VERSION = 4

metadata = sa.MetaData()

meta_t = sa.Table("meta", metadata, sa.Column("key", sa.String(64), primary_key=True), sa.Column("value", sa.Text))

imports_t = sa.Table(
    "imports",
    metadata,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),  # list | profiles
    sa.Column("list_type", sa.String(64), nullable=False, default=""),
    sa.Column("year", sa.Integer, nullable=False, default=0),
    sa.Column("source_name", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.String(32), nullable=False),
    sa.UniqueConstraint("kind", "list_type", "year", "source_name", name="uq_import"),
)

enterprises_t = sa.Table(
    "enterprises",
    metadata,
    sa.Column("enterprise_id", sa.String(16), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("merged_into", sa.String(16), nullable=True),
)

names_t = sa.Table(
    "enterprise_names",
    metadata,
    sa.Column("norm_name", sa.String(255), primary_key=True),
    sa.Column("enterprise_id", sa.String(16), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
)

entries_t = sa.Table(
    "list_entries",
    metadata,
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.import_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("source_row", sa.Integer, primary_key=True),
    sa.Column("list_type", sa.String(64), nullable=False, index=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("rank", sa.Integer, nullable=True),
    sa.Column("enterprise_id", sa.String(16), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("revenue", sa.Float, nullable=True),
    sa.Column("revenue_unit", sa.String(16), nullable=False, default=""),
    sa.Column("industry", sa.Text, nullable=False, default=""),
    sa.Column("business", sa.Text, nullable=False, default=""),
    sa.Column("country", sa.Text, nullable=False, default=""),
    sa.Column("province", sa.Text, nullable=False, default=""),
    sa.Column("city", sa.Text, nullable=False, default=""),
    sa.Column("hq", sa.Text, nullable=False, default=""),
)

profiles_t = sa.Table(
    "profiles",
    metadata,
    sa.Column("enterprise_id", sa.String(16), primary_key=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.import_id", ondelete="CASCADE"), nullable=False),
    sa.Column("source_row", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False, default=""),
    sa.Column("aliases", sa.Text, nullable=False, default=""),
    sa.Column("industry", sa.Text, nullable=False, default=""),
    sa.Column("business", sa.Text, nullable=False, default=""),
    sa.Column("country", sa.Text, nullable=False, default=""),
    sa.Column("province", sa.Text, nullable=False, default=""),
    sa.Column("city", sa.Text, nullable=False, default=""),
    sa.Column("hq", sa.Text, nullable=False, default=""),
    sa.Column("ownership", sa.String(16), nullable=False, default=""),
    # Cities of major branches (;-separated), where the profile says: they widen the key regions
    # whose teams may pitch to the enterprise; the source region stays the headquarters'.
    sa.Column("branches", sa.Text, nullable=False, default="", server_default=""),
)

merges_t = sa.Table(
    "merges",
    metadata,
    sa.Column("merge_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kept_id", sa.String(16), nullable=False),
    sa.Column("merged_id", sa.String(16), nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("import_id", sa.Integer, nullable=True),
    sa.Column("at", sa.String(32), nullable=False),
)

# Resolution records: which rows a merge moved (so it can be undone), undone merges,
# review decisions a person made, and links from a subsidiary to its parent.
merge_rows_t = sa.Table(
    "merge_rows",
    metadata,
    sa.Column("merge_id", sa.Integer, primary_key=True),
    sa.Column("table_name", sa.String(32), primary_key=True),
    sa.Column("row_key", sa.String(300), primary_key=True),
)

merge_undos_t = sa.Table(
    "merge_undos",
    metadata,
    sa.Column("merge_id", sa.Integer, primary_key=True),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("at", sa.String(32), nullable=False),
)

review_decisions_t = sa.Table(
    "review_decisions",
    metadata,
    sa.Column("left_id", sa.String(16), primary_key=True),
    sa.Column("right_id", sa.String(16), primary_key=True),
    sa.Column("decision", sa.String(16), nullable=False),  # same | different
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
)

parents_t = sa.Table(
    "parents",
    metadata,
    sa.Column("enterprise_id", sa.String(16), primary_key=True),
    sa.Column("parent_id", sa.String(16), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
)

# ---------------------------------------------------------------- history (schema version 2)
# Dates are ISO text (YYYY-MM-DD): portable across engines and sortable.

visits_t = sa.Table(
    "visits",
    metadata,
    sa.Column("visit_id", sa.String(64), primary_key=True),
    sa.Column("date", sa.String(10), nullable=False, index=True),
    sa.Column("team_id", sa.String(64), nullable=False),
    sa.Column("city", sa.String(64), nullable=False),
    sa.Column("enterprise_id", sa.String(16), nullable=False, index=True),
    sa.Column("enterprise_name", sa.Text, nullable=False, default=""),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("lead_level", sa.String(32), nullable=False),
    sa.Column("participants", sa.Text, nullable=False, default=""),
    sa.Column("chain", sa.String(64), nullable=False, default=""),
    sa.Column("outcome", sa.Text, nullable=False, default=""),
    sa.Column("next_step", sa.Text, nullable=False, default=""),
    sa.Column("synthetic", sa.Boolean, nullable=False, default=False),
    sa.Column("import_id", sa.Integer, nullable=True),
)

projects_t = sa.Table(
    "projects",
    metadata,
    sa.Column("project_id", sa.String(64), primary_key=True),
    sa.Column("enterprise_id", sa.String(16), nullable=False, index=True),
    sa.Column("enterprise_name", sa.Text, nullable=False, default=""),
    sa.Column("city", sa.String(64), nullable=False),
    sa.Column("county_park", sa.Text, nullable=False, default=""),
    sa.Column("chain", sa.String(64), nullable=False, default=""),
    sa.Column("link", sa.String(64), nullable=False, default=""),
    sa.Column("amount_yuan", sa.Float, nullable=True),
    sa.Column("amount_estimated", sa.Boolean, nullable=False, default=False),
    sa.Column("arrived_yuan", sa.Float, nullable=True),
    sa.Column("stage", sa.String(16), nullable=False),
    sa.Column("stage_date", sa.String(10), nullable=False),
    sa.Column("signed_date", sa.String(10), nullable=True),
    sa.Column("source_team", sa.String(64), nullable=False, default=""),
    sa.Column("dropped_reason", sa.Text, nullable=False, default=""),
    sa.Column("synthetic", sa.Boolean, nullable=False, default=False),
    sa.Column("import_id", sa.Integer, nullable=True),
)

stage_changes_t = sa.Table(
    "stage_changes",
    metadata,
    sa.Column("project_id", sa.String(64), primary_key=True),
    sa.Column("stage", sa.String(16), primary_key=True),
    sa.Column("date", sa.String(10), primary_key=True),
)

stationed_t = sa.Table(
    "stationed",
    metadata,
    sa.Column("chain", sa.String(64), primary_key=True),
    sa.Column("quarter", sa.String(6), primary_key=True),
    sa.Column("team_id", sa.String(64), primary_key=True),
    sa.Column("days", sa.Integer, nullable=False),
    sa.Column("synthetic", sa.Boolean, nullable=False, default=False),
    sa.Column("import_id", sa.Integer, nullable=True),
)

HISTORY_TABLES = (visits_t, projects_t, stage_changes_t, stationed_t)


def _migrate_1_to_2(conn) -> None:
    """Version 1 → 2: add the history tables."""
    for t in HISTORY_TABLES:
        t.create(conn, checkfirst=True)


# Issued weekly plans (matcher weekly): what was issued, from which configuration and data.
issued_plans_t = sa.Table(
    "issued_plans",
    metadata,
    sa.Column("week", sa.String(8), primary_key=True),
    sa.Column("config_sha256", sa.String(64), nullable=False),
    sa.Column("snapshot_sha256", sa.String(64), nullable=False),
    sa.Column("model_version", sa.String(64), nullable=False),
    sa.Column("history_sha256", sa.String(64), nullable=False, default=""),
    sa.Column("settings", sa.Text, nullable=False),
    sa.Column("n_leads", sa.Integer, nullable=False),
    sa.Column("issued_at", sa.String(32), nullable=False),
)

plan_leads_t = sa.Table(
    "plan_leads",
    metadata,
    sa.Column("week", sa.String(8), sa.ForeignKey("issued_plans.week", ondelete="CASCADE"), primary_key=True),
    sa.Column("team_id", sa.String(64), primary_key=True),
    sa.Column("rank", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.String(16), nullable=False, index=True),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("rule_score", sa.Float, nullable=False),
    sa.Column("carryover_bonus", sa.Float, nullable=False),
    sa.Column("quota_boost", sa.Float, nullable=False),
    sa.Column("diversity_penalty", sa.Float, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

_PLAN_KEYS = ("week", "config_sha256", "snapshot_sha256", "model_version", "history_sha256", "settings")

RESOLUTION_TABLES = (merge_rows_t, merge_undos_t, review_decisions_t, parents_t)
PLAN_TABLES = (issued_plans_t, plan_leads_t)


def _migrate_2_to_3(conn) -> None:
    """Version 2 → 3: add the resolution records (merged rows, undos, review decisions, parents) and issued plans."""
    for t in RESOLUTION_TABLES + PLAN_TABLES:
        t.create(conn, checkfirst=True)


def _migrate_3_to_4(conn) -> None:
    """Version 3 → 4: profiles record the cities of major branches."""
    conn.execute(sa.text("ALTER TABLE profiles ADD COLUMN branches TEXT NOT NULL DEFAULT ''"))


#: from-version → function upgrading a database by one version, run inside the opening transaction.
MIGRATIONS = {1: _migrate_1_to_2, 2: _migrate_2_to_3, 3: _migrate_3_to_4}

_ENTRY_TEXT = ("industry", "business", "country", "province", "city", "hq")
_PROFILE_TEXT = ("name_en", "aliases", "industry", "business", "country", "province", "city", "hq", "ownership", "branches")


def default_db() -> str:
    """The database used when ``--db`` is not given: ``MATCHER_DB`` or ``./matcher.db``."""
    return os.environ.get("MATCHER_DB") or "matcher.db"


def _url(db: str | Path) -> str:
    text = str(db)
    return text if "://" in text else f"sqlite:///{Path(text).expanduser()}"


def enterprise_id_for(norm_key: str) -> str:
    """Stable id from a normalised name key: the same name always gets the same id."""
    return "E" + hashlib.sha1(norm_key.encode("utf-8")).hexdigest()[:10].upper()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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

    def summary(self) -> str:
        what = f"{self.list_type} {self.year}" if self.kind == "list" else "profiles"
        if self.status == "unchanged":
            return f"{self.source_name}: {what} already imported, nothing changed"
        return (
            f"{self.source_name}: {what} {self.status}: {self.rows} rows, "
            f"{self.matched} matched to known enterprises, {self.new_enterprises} new" + (f", {self.merged} merged" if self.merged else "")
        )


class Store:
    """A matcher database.

    Parameters
    ----------
    db : str or Path
        A SQLite file path or an SQLAlchemy URL.
    """

    #: Resolve the new enterprises of every list import against the known ones (see :mod:`matcher.resolve.records`).
    auto_resolve: bool = True

    def __init__(self, db: str | Path):
        self.url = _url(db)
        if self.url.startswith("sqlite:///"):
            path = Path(self.url[len("sqlite:///") :])
            if path.parent and not path.parent.exists():
                raise StoreError(f"cannot create database {path}: folder {path.parent} does not exist")
        try:
            self.engine = sa.create_engine(self.url)
        except Exception as exc:  # bad URL, missing driver
            raise StoreError(f"cannot open database {self.url!r}: {exc}") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._init()

    def _init(self) -> None:
        try:
            # Read first: an up-to-date database needs no write lock (imports may hold it).
            with self.engine.connect() as conn:
                if self._version(conn) == SCHEMA_VERSION:
                    return
            with self.begin() as conn:
                version = self._version(conn)
                if version is None:
                    metadata.create_all(conn)
                    conn.execute(meta_t.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
                elif version > SCHEMA_VERSION:
                    raise StoreError(
                        f"database {self.url} has schema version {version}, newer than this release "
                        f"understands ({SCHEMA_VERSION}); upgrade matcher"
                    )
                elif version < SCHEMA_VERSION:
                    self._migrate(conn, version)
        except sa.exc.DatabaseError as exc:
            raise StoreError(f"cannot use database {self.url}: {exc.orig}") from None

    @staticmethod
    def _version(conn) -> int | None:
        """Schema version of the database; None when it is new (no ``meta`` table)."""
        if not sa.inspect(conn).has_table("meta"):
            return None
        row = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == "schema_version")).first()
        return int(row[0]) if row is not None else 1

    def _migrate(self, conn, version: int) -> None:
        """Upgrade from ``version`` to :data:`SCHEMA_VERSION` inside the caller's transaction."""
        start = version
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](conn)
            version += 1
        conn.execute(meta_t.delete().where(meta_t.c.key == "schema_version"))
        conn.execute(meta_t.insert().values(key="schema_version", value=str(version)))
        log.warning("database %s upgraded from schema version %d to %d", self.url, start, version)

    def begin(self):
        """A write transaction (on SQLite it takes the write lock at once: concurrent writers queue, never deadlock)."""
        if self.engine.dialect.name == "sqlite":
            return self.engine.execution_options(sqlite_begin="BEGIN IMMEDIATE").begin()
        return self.engine.begin()

    @property
    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == "schema_version")).scalar_one())

    # ------------------------------------------------------------------ imports

    def import_list(
        self,
        entries: pd.DataFrame,
        *,
        list_type: str,
        year: int,
        source_name: str,
        sha256: str,
    ) -> ImportResult:
        """Import one list (type, year) in one transaction; see :func:`import_lists`."""
        return self.import_lists([(entries, year)], list_type=list_type, source_name=source_name, sha256=sha256)[0]

    def import_lists(
        self,
        parts: list[tuple[pd.DataFrame, int]],
        *,
        list_type: str,
        source_name: str,
        sha256: str,
    ) -> list[ImportResult]:
        """Import the lists of one file (one per year) in one transaction.

        ``entries`` frames come from :func:`matcher.ingest.lists.parse_list`.
        """
        results = []
        with self.begin() as conn:
            for entries, year in parts:
                results.append(self._import_list(conn, entries, list_type, int(year), source_name, sha256))
        return results

    @staticmethod
    def _open_import(conn, kind, list_type, year, source_name, sha256, n_rows, rows_table) -> tuple[int | None, str]:
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
                imported_at=_now(),
            )
        ).inserted_primary_key[0]
        return import_id, status

    def _import_list(self, conn, entries, list_type, year, source_name, sha256) -> ImportResult:
        import_id, status = self._open_import(conn, "list", list_type, year, source_name, sha256, len(entries), entries_t)
        if import_id is None:
            return ImportResult("list", source_name, list_type, year, len(entries), status)
        norm = normalize_names(entries["name"])
        # Two rows of one list with the same normalised name are different enterprises
        # (CB Insights lists two "Bolt"s): disambiguate the later ones by their location.
        dup = norm.duplicated(keep="first") & (norm != "")
        if dup.any():
            where = (entries["country"].astype(str) + " " + entries["city"].astype(str) + " " + entries["hq"].astype(str)).map(fold_text)
            norm = norm.where(~dup, norm + "@" + where.str.replace(" ", "") + "#" + entries["source_row"].astype(str))
            log.warning("%s: %d rows share a name with an earlier row; kept as separate enterprises", source_name, int(dup.sum()))
        norm = norm.where(norm != "", entries["name"].map(fold_text))
        ids, new, matched = self._resolve_names(conn, norm, entries["name"])
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
        _insert(conn, entries_t, rows)
        merged = 0
        if self.auto_resolve and new:
            from ..resolve.records import resolve_incoming

            merged = resolve_incoming(self, conn, pd.unique(ids), import_id)
        return ImportResult("list", source_name, list_type, year, len(entries), status, new, matched, merged)

    def _resolve_names(self, conn, norm: pd.Series, names: pd.Series) -> tuple[np.ndarray, int, int]:
        """Enterprise id of each normalised name, creating enterprises for new names."""
        known = _lookup_names(conn, norm)
        ids = norm.map(known)
        missing = ids.isna()
        new = pd.DataFrame({"norm_name": norm[missing], "name": names[missing].astype(str)}).drop_duplicates("norm_name")
        if len(new):
            new["enterprise_id"] = new.norm_name.map(enterprise_id_for)
            # An id may exist already when its enterprise was merged away and its names moved on.
            existing = _existing_ids(conn, new.enterprise_id)
            fresh = new[~new.enterprise_id.isin(existing)]
            _insert(conn, enterprises_t, fresh[["enterprise_id", "name"]].assign(merged_into=None))
            _insert(conn, names_t, new[["norm_name", "enterprise_id", "name"]])
            ids = ids.where(~missing, norm.map(dict(zip(new.norm_name, new.enterprise_id))))
        return ids.to_numpy(dtype=object), int(len(new)), int((~missing).sum())

    def import_profiles(self, profiles: pd.DataFrame, *, source_name: str, sha256: str) -> ImportResult:
        """Import enterprise profiles (from :func:`matcher.ingest.lists.parse_profiles`) in one transaction.

        A profile is matched to enterprises by every name it gives (name,
        English name, aliases); when those names belong to two enterprises
        they are merged into the one with the smaller id, and the merge is
        recorded in the ``merges`` table.
        """
        with self.begin() as conn:
            import_id, status = self._open_import(conn, "profiles", "", 0, source_name, sha256, len(profiles), profiles_t)
            if import_id is None:
                return ImportResult("profiles", source_name, "", 0, len(profiles), status)
            # Every name of every profile, long format.
            names = [profiles[["name"]].assign(pos=np.arange(len(profiles)), order=0)]
            en = profiles["name_en"].astype(str)
            names.append(pd.DataFrame({"name": en, "pos": np.arange(len(profiles)), "order": 1})[en.str.strip() != ""])
            al = profiles["aliases"].astype(str).str.split(r"[;；|]").explode().str.strip()
            names.append(pd.DataFrame({"name": al.to_numpy(), "pos": al.index.to_numpy(), "order": 2})[al.fillna("").to_numpy() != ""])
            long = pd.concat(names, ignore_index=True)
            long["norm"] = normalize_names(long["name"])
            long = long[long.norm != ""].drop_duplicates(["pos", "norm"])
            # A name shared by two profiles of the same file identifies neither.
            shared = long.drop_duplicates(["pos", "norm"]).duplicated("norm", keep=False)
            if shared.any():
                log.warning(
                    "%s: %d names are given by more than one profile and are ignored for matching",
                    source_name,
                    int(long[shared].norm.nunique()),
                )
                long = long[~shared | (long.order == 0)]
            known = _lookup_names(conn, long.norm)
            long["eid"] = long.norm.map(known)
            hits = long.dropna(subset=["eid"])
            groups = hits.groupby("pos").eid.agg(lambda s: sorted(set(s)))
            target = pd.Series(index=np.arange(len(profiles)), dtype=object)
            merged = 0
            for pos, eids in groups.items():  # profiles that hit two enterprises: rare
                keep = eids[0]
                target[pos] = keep
                for other in eids[1:]:
                    self._merge(conn, keep, other, f"profile {source_name} row {int(profiles.source_row.iloc[pos])}", import_id)
                    merged += 1
            matched = int(target.notna().sum())
            # Profiles matching no enterprise create one from their first name.
            first = long[long.order == 0].set_index("pos").norm
            new_pos = target.index[target.isna()]
            new_norm = first.reindex(new_pos).fillna(profiles["name"].reindex(new_pos).map(fold_text))
            new_ids = new_norm.map(enterprise_id_for)
            existing = _existing_ids(conn, new_ids)
            fresh = pd.DataFrame({"enterprise_id": new_ids, "name": profiles["name"].reindex(new_pos)})
            fresh = fresh[~fresh.enterprise_id.isin(existing)].drop_duplicates("enterprise_id")
            _insert(conn, enterprises_t, fresh.assign(merged_into=None))
            target[new_pos] = new_ids.to_numpy()
            # Register every name of the profile for its enterprise (new names only).
            long["eid"] = long.pos.map(target)
            known_now = _lookup_names(conn, long.norm)
            add = long[~long.norm.isin(known_now.index)].drop_duplicates("norm")
            _insert(
                conn, names_t, add.rename(columns={"norm": "norm_name", "eid": "enterprise_id"})[["norm_name", "enterprise_id", "name"]]
            )
            rows = profiles.assign(enterprise_id=target.to_numpy(), import_id=import_id)
            rows = rows.drop_duplicates("enterprise_id", keep="last")
            conn.execute(profiles_t.delete().where(profiles_t.c.enterprise_id.in_(list(rows.enterprise_id))))
            cols = ["enterprise_id", "import_id", "source_row", "name", *_PROFILE_TEXT]
            _insert(conn, profiles_t, rows.reindex(columns=cols, fill_value=""))
            return ImportResult("profiles", source_name, "", 0, len(profiles), status, len(fresh), matched, merged)

    def _merge(self, conn, keep: str, other: str, rule: str, import_id: int | None) -> int:
        merge_id = conn.execute(
            merges_t.insert().values(kept_id=keep, merged_id=other, rule=rule, import_id=import_id, at=_now())
        ).inserted_primary_key[0]
        moved = [("enterprise_names", r[0]) for r in conn.execute(sa.select(names_t.c.norm_name).where(names_t.c.enterprise_id == other))]
        moved += [
            ("list_entries", f"{r[0]}:{r[1]}")
            for r in conn.execute(sa.select(entries_t.c.import_id, entries_t.c.source_row).where(entries_t.c.enterprise_id == other))
        ]
        if moved:
            conn.execute(merge_rows_t.insert(), [{"merge_id": merge_id, "table_name": t, "row_key": k} for t, k in moved])
        conn.execute(names_t.update().where(names_t.c.enterprise_id == other).values(enterprise_id=keep))
        conn.execute(entries_t.update().where(entries_t.c.enterprise_id == other).values(enterprise_id=keep))
        conn.execute(enterprises_t.update().where(enterprises_t.c.enterprise_id == other).values(merged_into=keep))
        # Keep the profile already attached to the kept enterprise, drop the other's.
        if conn.execute(sa.select(profiles_t.c.enterprise_id).where(profiles_t.c.enterprise_id == keep)).first():
            conn.execute(profiles_t.delete().where(profiles_t.c.enterprise_id == other))
        else:
            conn.execute(profiles_t.update().where(profiles_t.c.enterprise_id == other).values(enterprise_id=keep))
        return merge_id

    # ------------------------------------------------------------------ resolution records

    def merge(self, keep: str, other: str, rule: str) -> int:
        """Merge enterprise ``other`` into ``keep`` (one transaction); returns the merge id."""
        with self.engine.begin() as conn:
            live = _live_ids(conn, [keep, other])
            for eid in (keep, other):
                if eid not in live:
                    raise StoreError(f"cannot merge: enterprise {eid} does not exist or was merged away")
            if keep == other:
                raise StoreError(f"cannot merge enterprise {keep} into itself")
            return self._merge(conn, keep, other, rule, None)

    def undo_merge(self, merge_id: int, reason: str = "") -> tuple[str, str]:
        """Undo one merge: the merged enterprise and the rows it brought come back.

        Returns ``(kept_id, merged_id)``. Rows the merged enterprise brought
        (names, list entries) return to it, wherever later merges moved them.
        """
        with self.engine.begin() as conn:
            m = conn.execute(sa.select(merges_t).where(merges_t.c.merge_id == int(merge_id))).first()
            if m is None:
                raise StoreError(f"no merge with id {merge_id}; see the merges table (matcher resolve --history)")
            if conn.execute(sa.select(merge_undos_t.c.merge_id).where(merge_undos_t.c.merge_id == m.merge_id)).first():
                raise StoreError(f"merge {merge_id} ({m.merged_id} into {m.kept_id}) was already undone")
            rows = conn.execute(
                sa.select(merge_rows_t.c.table_name, merge_rows_t.c.row_key).where(merge_rows_t.c.merge_id == m.merge_id)
            ).all()
            names = [k for t, k in rows if t == "enterprise_names"]
            for i in range(0, len(names), 500):
                conn.execute(names_t.update().where(names_t.c.norm_name.in_(names[i : i + 500])).values(enterprise_id=m.merged_id))
            for t, k in rows:
                if t == "list_entries":
                    imp, row = k.split(":")
                    conn.execute(
                        entries_t.update()
                        .where(entries_t.c.import_id == int(imp), entries_t.c.source_row == int(row))
                        .values(enterprise_id=m.merged_id)
                    )
            conn.execute(enterprises_t.update().where(enterprises_t.c.enterprise_id == m.merged_id).values(merged_into=None))
            # Enterprises merged into the restored one stay merged into it.
            conn.execute(merge_undos_t.insert().values(merge_id=m.merge_id, reason=reason, at=_now()))
            conn.execute(
                review_decisions_t.delete().where(
                    review_decisions_t.c.left_id == min(m.kept_id, m.merged_id),
                    review_decisions_t.c.right_id == max(m.kept_id, m.merged_id),
                )
            )
            conn.execute(
                review_decisions_t.insert().values(
                    left_id=min(m.kept_id, m.merged_id),
                    right_id=max(m.kept_id, m.merged_id),
                    decision="different",
                    source=f"undo of merge {m.merge_id}",
                    at=_now(),
                )
            )
            return m.kept_id, m.merged_id

    def record_decisions(self, decisions: pd.DataFrame) -> None:
        """Store review decisions (``left_id, right_id, decision, source``), replacing earlier ones of the same pairs."""
        if decisions.empty:
            return
        d = decisions.copy()
        a, b = d.left_id.to_numpy(dtype=object).astype(str), d.right_id.to_numpy(dtype=object).astype(str)
        d["left_id"], d["right_id"] = np.where(a <= b, a, b), np.where(a <= b, b, a)
        d = d.drop_duplicates(["left_id", "right_id"], keep="last").assign(at=_now())
        with self.engine.begin() as conn:
            for a, b in zip(d.left_id, d.right_id):
                conn.execute(review_decisions_t.delete().where(review_decisions_t.c.left_id == a, review_decisions_t.c.right_id == b))
            _insert(conn, review_decisions_t, d[["left_id", "right_id", "decision", "source", "at"]])

    def set_parents(self, links: pd.DataFrame, *, source: str) -> int:
        """Replace the parent links of ``source`` with ``links`` (``enterprise_id, parent_id``); returns how many."""
        with self.engine.begin() as conn:
            conn.execute(parents_t.delete().where(parents_t.c.source == source))
            rows = links.drop_duplicates("enterprise_id")
            have = {r[0] for r in conn.execute(sa.select(parents_t.c.enterprise_id))}
            rows = rows[~rows.enterprise_id.isin(have)]
            _insert(conn, parents_t, rows[["enterprise_id", "parent_id"]].assign(source=source, at=_now()))
            return len(rows)

    def ultimate_parents(self) -> pd.Series:
        """Live enterprise → its ultimate live parent (only enterprises that have one)."""
        links = self.read("parents")
        ents = self.read("enterprises")
        root = ents.set_index("enterprise_id").merged_into
        if links.empty:
            return pd.Series(dtype=object)

        def live(e: str) -> str:
            seen = set()
            while isinstance(root.get(e), str) and e not in seen:
                seen.add(e)
                e = root[e]
            return e

        parent = {live(a): live(b) for a, b in zip(links.enterprise_id, links.parent_id)}
        out = {}
        for e in parent:  # chains are short (subsidiary → group)
            seen, p = {e}, parent[e]
            while p in parent and p not in seen:
                seen.add(p)
                p = parent[p]
            if p != e:
                out[e] = p
        return pd.Series(out, dtype=object).sort_index()

    # ------------------------------------------------------------------ reads

    def read(self, table: str) -> pd.DataFrame:
        """A whole table as a DataFrame, in primary-key order."""
        t = metadata.tables[table]
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(t).order_by(*t.primary_key.columns), conn)

    def counts(self) -> dict[str, int]:
        """Rows per table (for reports and tests)."""
        with self.engine.connect() as conn:
            return {name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for name, t in metadata.tables.items()}

    def record_plan(self, record: dict, leads: pd.DataFrame, *, force: bool = False) -> str:
        """Record an issued week's plan in one transaction; return ``recorded``, ``replaced`` or ``unchanged``.

        ``record`` holds ``week, config_sha256, snapshot_sha256, model_version,
        history_sha256, settings``; ``leads`` the plan's ``team_id, rank, enterprise_id, score,
        rule_score, carryover_bonus, quota_boost, diversity_penalty, reason``.
        A week already issued is kept unless the new plan is identical
        (``unchanged``) or ``force`` is given (``replaced``).
        """
        cols = [c.name for c in plan_leads_t.columns if c.name != "week"]
        rows = leads[cols].assign(week=record["week"])
        with self.engine.begin() as conn:
            old = conn.execute(sa.select(issued_plans_t).where(issued_plans_t.c.week == record["week"])).mappings().first()
            if old is not None:
                same = all(old[k] == record.get(k, "") for k in _PLAN_KEYS[1:])
                if same:
                    prev = pd.read_sql(sa.select(plan_leads_t).where(plan_leads_t.c.week == record["week"]), conn)
                    key = ["team_id", "rank", "enterprise_id"]
                    a = prev[key].sort_values(key).reset_index(drop=True)
                    b = rows[key].sort_values(key).reset_index(drop=True)
                    if a.astype(str).equals(b.astype(str)):
                        return "unchanged"
                if not force:
                    raise StoreError(
                        f"week {record['week']} was issued already (on {old['issued_at']}) with other inputs or leads; "
                        "give --force to replace it"
                    )
                conn.execute(plan_leads_t.delete().where(plan_leads_t.c.week == record["week"]))
                conn.execute(issued_plans_t.delete().where(issued_plans_t.c.week == record["week"]))
            conn.execute(
                issued_plans_t.insert().values(
                    **{k: record.get(k, "") for k in _PLAN_KEYS},
                    n_leads=len(rows),
                    issued_at=_now(),
                )
            )
            _insert(conn, plan_leads_t, rows)
        return "recorded" if old is None else "replaced"

    def issued_leads(self, before: str | None = None) -> pd.DataFrame:
        """Leads of the issued plans (of weeks before ``before``): ``week, team_id, rank, enterprise_id, …``."""
        q = sa.select(plan_leads_t)
        if before is not None:
            q = q.where(plan_leads_t.c.week < before)
        with self.engine.connect() as conn:
            return pd.read_sql(q.order_by(plan_leads_t.c.week, plan_leads_t.c.team_id, plan_leads_t.c.rank), conn)

    def snapshot_hash(self) -> str:
        """SHA-256 of the data that scoring reads (for reproducibility records)."""
        h = hashlib.sha256()
        for name in ("enterprises", "enterprise_names", "list_entries", "profiles"):
            df = self.read(name)
            h.update(name.encode())
            h.update(pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy().tobytes())
        return h.hexdigest()

    def enterprise_frame(self) -> pd.DataFrame:
        """One row per live enterprise with its names, location texts and industry texts.

        Columns: ``enterprise_id, name, name_zh, name_en, aliases, ownership,
        country, province, city, hq, industry_text, on_profile``. Location
        fields prefer the profile, then the newest list entry that has them.
        """
        ents = self.read("enterprises")
        ents = ents[ents.merged_into.isna()].drop(columns="merged_into")
        entries = self.read("list_entries")
        profiles = self.read("profiles").set_index("enterprise_id")
        out = ents.set_index("enterprise_id")
        e = entries.sort_values(["year", "import_id", "source_row"], ascending=[False, False, True])
        for col in ("country", "province", "city", "hq"):
            vals = e[e[col].astype(str).str.strip() != ""].groupby("enterprise_id")[col].first()
            prof = profiles[col].where(profiles[col].astype(str).str.strip() != "") if len(profiles) else pd.Series(dtype=object)
            out[col] = prof.reindex(out.index).fillna(vals.reindex(out.index)).fillna("")
        texts = pd.concat(
            [
                e[["enterprise_id", "industry"]].rename(columns={"industry": "t"}),
                e[["enterprise_id", "business"]].rename(columns={"business": "t"}),
                profiles.reset_index()[["enterprise_id", "industry"]].rename(columns={"industry": "t"}) if len(profiles) else None,
                profiles.reset_index()[["enterprise_id", "business"]].rename(columns={"business": "t"}) if len(profiles) else None,
            ]
        )
        texts = texts[texts.t.astype(str).str.strip() != ""].drop_duplicates()
        texts = texts.sort_values(["enterprise_id", "t"])
        out["industry_text"] = texts.groupby("enterprise_id").t.agg(" | ".join).reindex(out.index).fillna("")

        def prof(col: str) -> pd.Series:
            if len(profiles) == 0:
                return pd.Series("", index=out.index, dtype=object)
            return profiles[col].reindex(out.index).fillna("").astype(str)

        cjk = r"[\u3400-\u9fff]"
        name = out["name"].astype(str)
        is_cjk = name.str.contains(cjk, regex=True)
        pname, pen = prof("name"), prof("name_en")
        out["name_zh"] = pname.where(pname.str.contains(cjk, regex=True), name.where(is_cjk, ""))
        out["name_en"] = pen.where(pen != "", name.where(~is_cjk, ""))
        out["aliases"] = prof("aliases")
        out["ownership"] = prof("ownership")
        out["branches"] = prof("branches")
        out["on_profile"] = out.index.isin(profiles.index)
        # Display name: Chinese where known.
        out["name"] = out["name_zh"].where(out["name_zh"] != "", out["name"])
        return out.reset_index().sort_values("enterprise_id").reset_index(drop=True)

    def list_memberships(self) -> pd.DataFrame:
        """Best rank per (enterprise, list type) on the newest year of each list type.

        Columns: ``enterprise_id, list_type, year, rank`` (rank NaN for
        unranked lists).
        """
        e = self.read("list_entries")[["enterprise_id", "list_type", "year", "rank"]]
        if e.empty:
            return e
        latest = e.groupby("list_type").year.transform("max")
        e = e[e.year == latest]
        e = e.sort_values(["enterprise_id", "list_type", "rank"], na_position="last")
        return e.drop_duplicates(["enterprise_id", "list_type"]).reset_index(drop=True)

    def list_years(self) -> pd.DataFrame:
        """Imported lists: list type, year, rows, files."""
        with self.engine.connect() as conn:
            return pd.read_sql(
                sa.select(
                    imports_t.c.list_type, imports_t.c.year, sa.func.sum(imports_t.c.n_rows).label("rows"), sa.func.count().label("files")
                )
                .where(imports_t.c.kind == "list")
                .group_by(imports_t.c.list_type, imports_t.c.year)
                .order_by(imports_t.c.list_type, imports_t.c.year),
                conn,
            )

    # ------------------------------------------------------------------ history

    def lookup_names(self, norms: pd.Series) -> pd.Series:
        """normalised name → enterprise id, for the names the database knows (see :mod:`matcher._text`)."""
        with self.engine.connect() as conn:
            return _lookup_names(conn, norms)

    def write_history(
        self,
        *,
        visits: pd.DataFrame | None = None,
        projects: pd.DataFrame | None = None,
        stage_changes: pd.DataFrame | None = None,
        stationed: pd.DataFrame | None = None,
        source_name: str | None = None,
        sha256: str = "",
    ) -> dict[str, dict[str, int]]:
        """Write visits, projects, stage changes and stationed days in one transaction.

        Frames have the columns of :mod:`matcher.columns` (extra columns
        ``participants``, ``chain``, ``enterprise_name`` and ``synthetic`` are
        kept where given). Rows are keyed by ``visit_id``, ``project_id`` and
        (chain, quarter, team_id): a row already stored with the same values is
        left alone, a changed one is replaced, so writing the same history
        twice changes nothing. The stage changes of every project given replace
        that project's stored ones.

        Returns
        -------
        dict
            Per table: ``{"new": n, "updated": n, "unchanged": n}``.
        """
        out: dict[str, dict[str, int]] = {}
        with self.begin() as conn:
            import_id = None
            if source_name is not None:
                import_id = self._record_import(
                    conn, "history", source_name, sha256, sum(len(f) for f in (visits, projects, stationed) if f is not None)
                )
            if visits is not None:
                out["visits"] = _upsert(conn, visits_t, _history_rows(visits_t, visits, import_id), ["visit_id"])
            if projects is not None:
                out["projects"] = _upsert(conn, projects_t, _history_rows(projects_t, projects, import_id), ["project_id"])
            if stage_changes is not None:
                ch = _history_rows(stage_changes_t, stage_changes, None).drop_duplicates()
                ids = sorted(set(ch.project_id) | (set(projects.project_id) if projects is not None else set()))
                before = _select_in(conn, stage_changes_t, "project_id", ids)
                key = ["project_id", "stage", "date"]
                same = before.merge(ch, on=key).shape[0] == len(before) == len(ch)
                if not same:
                    for i in range(0, len(ids), 500):
                        conn.execute(stage_changes_t.delete().where(stage_changes_t.c.project_id.in_(ids[i : i + 500])))
                    _insert(conn, stage_changes_t, ch)
                out["stage_changes"] = {"rows": len(ch), "changed": int(not same)}
            if stationed is not None:
                out["stationed"] = _upsert(
                    conn, stationed_t, _history_rows(stationed_t, stationed, import_id), ["chain", "quarter", "team_id"]
                )
        return out

    def _record_import(self, conn, kind: str, source_name: str, sha256: str, n_rows: int) -> int:
        prev = conn.execute(
            sa.select(imports_t.c.import_id).where(imports_t.c.kind == kind, imports_t.c.source_name == source_name)
        ).first()
        if prev is not None:
            conn.execute(
                imports_t.update().where(imports_t.c.import_id == prev[0]).values(sha256=sha256, n_rows=n_rows, imported_at=_now())
            )
            return int(prev[0])
        return conn.execute(
            imports_t.insert().values(
                kind=kind, list_type="", year=0, source_name=source_name, sha256=sha256, n_rows=n_rows, imported_at=_now()
            )
        ).inserted_primary_key[0]

    def _history(self, table: sa.Table, order: list[str]) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(table).order_by(*[table.c[c] for c in order]), conn)

    def visits_frame(self, *, extra: bool = False) -> pd.DataFrame:
        """Stored visits as a :data:`matcher.columns.VISIT_COLUMNS` frame (``date`` datetime64), by date and id.

        With ``extra=True`` the columns ``enterprise_name, participants, chain, synthetic`` follow.
        """
        from ..columns import VISIT_COLUMNS, check_visits

        df = self._history(visits_t, ["date", "visit_id"])
        cols = list(VISIT_COLUMNS) + (["enterprise_name", "participants", "chain", "synthetic"] if extra else [])
        df = check_visits(df[cols])
        df["date"] = df["date"].astype("datetime64[ns]")
        if extra:
            df["synthetic"] = df["synthetic"].astype(bool)
        return df

    def projects_frame(self, *, extra: bool = False) -> pd.DataFrame:
        """Stored projects as a :data:`matcher.columns.PROJECT_COLUMNS` frame (dates datetime64), by id.

        With ``extra=True`` the columns ``enterprise_name, synthetic`` follow.
        """
        from ..columns import PROJECT_COLUMNS, check_projects

        df = self._history(projects_t, ["project_id"])
        cols = list(PROJECT_COLUMNS) + (["enterprise_name", "synthetic"] if extra else [])
        df = check_projects(df[cols])
        for c in ("stage_date", "signed_date"):
            df[c] = df[c].astype("datetime64[ns]")
        df["amount_estimated"] = df["amount_estimated"].astype(bool)
        for c in ("amount_yuan", "arrived_yuan"):
            df[c] = df[c].astype(float)
        if extra:
            df["synthetic"] = df["synthetic"].astype(bool)
        return df

    def stage_changes_frame(self) -> pd.DataFrame:
        """Every stored stage change: ``project_id, stage, date`` (datetime64), by project and date."""
        df = self._history(stage_changes_t, ["project_id", "date", "stage"])
        df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
        return df[["project_id", "stage", "date"]]

    def stationed_frame(self) -> pd.DataFrame:
        """Stationed days: ``chain, quarter, team_id, days`` by chain, quarter and team."""
        df = self._history(stationed_t, ["chain", "quarter", "team_id"])
        df["days"] = df["days"].astype(int)
        return df[["chain", "quarter", "team_id", "days"]]

    def backup(self, path: str | Path) -> Path:
        """Copy the database to ``path`` with SQLite's online backup (safe while others write).

        Raises
        ------
        StoreError
            For engines other than SQLite (use the engine's own tools, e.g. ``pg_dump``), or when
            ``path`` exists.
        """
        path = Path(path)
        if self.engine.dialect.name != "sqlite":
            raise StoreError(
                f"backup is supported for SQLite databases only; {self.engine.dialect.name} databases are backed up with their own tools (e.g. pg_dump)"
            )
        if path.exists():
            raise StoreError(f"backup file {path} exists already; give a new file name")
        if not path.parent.exists():
            raise StoreError(f"cannot write backup {path}: folder {path.parent} does not exist")
        import sqlite3

        tmp = path.with_name(f".{path.name}.tmp")
        tmp.unlink(missing_ok=True)
        raw = self.engine.raw_connection()
        try:
            dst = sqlite3.connect(tmp)
            try:
                raw.driver_connection.backup(dst)
            finally:
                dst.close()
        finally:
            raw.close()
        os.replace(tmp, path)
        return path


def open_store(db: str | Path | None = None) -> Store:
    """Open (creating if needed) the database at ``db`` or :func:`default_db`."""
    return Store(db if db is not None else default_db())


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # The driver's own transaction handling skips BEGIN before DDL; emit BEGIN ourselves
    # (see _sqlite_begin) so migrations, like imports, are all or nothing.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


def _insert(conn, table: sa.Table, frame: pd.DataFrame) -> None:
    if frame is None or len(frame) == 0:
        return
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    conn.execute(table.insert(), records)


def _lookup_names(conn, norms: pd.Series) -> pd.Series:
    """norm_name → enterprise_id for the names already known."""
    keys = sorted(set(norms.dropna().astype(str)))
    found: dict[str, str] = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        for norm, eid in conn.execute(sa.select(names_t.c.norm_name, names_t.c.enterprise_id).where(names_t.c.norm_name.in_(chunk))):
            found[norm] = eid
    return pd.Series(found, dtype=object)


def _live_ids(conn, ids: list[str]) -> set[str]:
    return {
        r[0]
        for r in conn.execute(
            sa.select(enterprises_t.c.enterprise_id).where(
                enterprises_t.c.enterprise_id.in_(list(ids)), enterprises_t.c.merged_into.is_(None)
            )
        )
    }


def _existing_ids(conn, ids: pd.Series) -> set[str]:
    keys = sorted(set(ids.dropna().astype(str)))
    out: set[str] = set()
    for i in range(0, len(keys), 500):
        out |= {
            r[0] for r in conn.execute(sa.select(enterprises_t.c.enterprise_id).where(enterprises_t.c.enterprise_id.in_(keys[i : i + 500])))
        }
    return out


def _iso(values: pd.Series) -> pd.Series:
    d = pd.to_datetime(values)
    return d.dt.strftime("%Y-%m-%d").where(d.notna(), None)


def _history_rows(table: sa.Table, frame: pd.DataFrame, import_id: int | None) -> pd.DataFrame:
    """The columns of ``table`` from ``frame``: dates as ISO text, defaults for missing text columns."""
    out = pd.DataFrame(index=frame.index)
    for col in table.columns:
        name = col.name
        if name == "import_id":
            out[name] = import_id
        elif name in frame.columns:
            v = frame[name]
            if name in ("date", "stage_date", "signed_date"):
                v = _iso(v)
            elif isinstance(col.type, sa.Boolean):
                v = v.fillna(False).astype(bool)
            elif isinstance(col.type, sa.Float):
                v = pd.to_numeric(v).astype(float)
            elif isinstance(col.type, sa.Integer):
                v = pd.to_numeric(v).astype(int)
            else:
                v = v.where(v.notna(), "" if not col.nullable else None).astype(object)
            out[name] = v
        elif isinstance(col.type, sa.Boolean):
            out[name] = False
        elif not col.nullable and not col.primary_key:
            out[name] = ""
        else:
            out[name] = None
    return out.reset_index(drop=True)


def _select_in(conn, table: sa.Table, column: str, keys) -> pd.DataFrame:
    keys = list(keys)
    parts = [pd.read_sql(sa.select(table).where(table.c[column].in_(keys[i : i + 500])), conn) for i in range(0, len(keys), 500)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c.name: pd.Series(dtype=object) for c in table.columns})
    return pd.concat(parts, ignore_index=True)


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    both_na = a.isna().to_numpy() & b.isna().to_numpy()
    try:
        eq = (a.astype(float).to_numpy() == b.astype(float).to_numpy()) if a.dtype.kind in "fiub" or b.dtype.kind in "fiub" else None
    except (TypeError, ValueError):
        eq = None
    if eq is None:
        eq = a.astype(str).to_numpy() == b.astype(str).to_numpy()
    return both_na | eq


def _upsert(conn, table: sa.Table, rows: pd.DataFrame, key: list[str]) -> dict[str, int]:
    """Insert new rows, replace changed ones, leave identical ones; the import id never counts as a change."""
    if rows.empty:
        return {"new": 0, "updated": 0, "unchanged": 0}
    if len(key) == 1:
        old = _select_in(conn, table, key[0], sorted(set(rows[key[0]])))
    else:
        old = pd.read_sql(sa.select(table), conn)
    merged = rows.merge(old, on=key, how="left", suffixes=("", "__old"), indicator=True)
    exists = (merged["_merge"] == "both").to_numpy()
    same = exists.copy()
    for col in table.columns:
        if col.name in key or col.name == "import_id":
            continue
        same &= _same(merged[col.name], merged[col.name + "__old"])
    changed = exists & ~same
    if changed.any():
        gone = merged.loc[changed, key]
        if len(key) == 1:
            ids = list(gone[key[0]])
            for i in range(0, len(ids), 500):
                conn.execute(table.delete().where(table.c[key[0]].in_(ids[i : i + 500])))
        else:
            for rec in gone.to_dict("records"):  # composite keys: stationed days, a few rows
                conn.execute(table.delete().where(*[table.c[k] == rec[k] for k in key]))
    _insert(conn, table, rows[~exists | changed])
    return {"new": int((~exists).sum()), "updated": int(changed.sum()), "unchanged": int(same.sum())}
