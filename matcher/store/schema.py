"""The database schema: tables, the schema version and the migrations from older versions.

A database made by an older release is upgraded in place when opened
(:data:`MIGRATIONS`, one transaction); a newer one is refused
(:func:`ensure_schema`).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from ..errors import StoreError
from ..i18n import gettext as _
from .engine import begin, display_url, stamp_scored

__all__ = [
    "SCHEMA_VERSION",
    "metadata",
    "meta_t",
    "imports_t",
    "enterprises_t",
    "names_t",
    "entries_t",
    "profiles_t",
    "merges_t",
    "merge_rows_t",
    "merge_undos_t",
    "review_decisions_t",
    "parents_t",
    "visits_t",
    "projects_t",
    "stage_changes_t",
    "stationed_t",
    "issued_plans_t",
    "plan_leads_t",
    "users_t",
    "audit_t",
    "feedback_t",
    "LEAD_DETAILS",
    "WEB_TABLES",
    "DERIVED_TABLES",
    "enterprise_industries_t",
    "parsed_names_t",
    "token_counts_t",
    "HISTORY_TABLES",
    "RESOLUTION_TABLES",
    "PLAN_TABLES",
    "MIGRATIONS",
    "read_version",
    "ensure_schema",
]

log = logging.getLogger(__name__)

#: Version 1: lists, profiles, enterprises. Version 2 adds the history: visits, projects,
#: stage changes and stationed days; version 3 the resolution records and issued plans;
#: version 4 the branches of profiles; version 5 the web workspace's accounts, audit trail and lead
#: feedback, and what each issued lead pitches; version 6 the derived tables that imports keep up to
#: date so that reading commands never re-derive them (see :data:`DERIVED_TABLES`, :data:`MIGRATIONS`);
#: version 7 the derived tables' first contents: stored industries, parsed names and name-token counts.
SCHEMA_VERSION = 7

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
    # Short rows looked up by their key: on SQLite stored in the key's B-tree itself (no rowid table
    # beside a key index: a third less to write at a million enterprises). A database made before
    # keeps its rowid tables; both read and write the same.
    sqlite_with_rowid=False,
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
    # Version 5: what the team reads beside the reason (empty for weeks issued before).
    sa.Column("chain", sa.Text, nullable=True, server_default=""),
    sa.Column("link", sa.Text, nullable=True, server_default=""),
    sa.Column("park", sa.Text, nullable=True, server_default=""),
    sa.Column("anchor_firms", sa.Text, nullable=True, server_default=""),
    sa.Column("interested_cities", sa.Text, nullable=True, server_default=""),
    sa.Column("reason_en", sa.Text, nullable=True, server_default=""),
)

#: Columns of an issued lead added in version 5 (optional when a plan is recorded).
LEAD_DETAILS = ("chain", "link", "park", "anchor_firms", "interested_cities", "reason_en")

RESOLUTION_TABLES = (merge_rows_t, merge_undos_t, review_decisions_t, parents_t)
PLAN_TABLES = (issued_plans_t, plan_leads_t)


def _migrate_2_to_3(conn) -> None:
    """Version 2 → 3: add the resolution records (merged rows, undos, review decisions, parents) and issued plans."""
    for t in RESOLUTION_TABLES + PLAN_TABLES:
        t.create(conn, checkfirst=True)


def _migrate_3_to_4(conn) -> None:
    """Version 3 → 4: profiles record the cities of major branches."""
    conn.execute(sa.text("ALTER TABLE profiles ADD COLUMN branches TEXT NOT NULL DEFAULT ''"))


# ---------------------------------------------------------------- web workspace (schema version 5)
# Accounts of the web workspace (no default account: `matcher web user add`), the audit trail of every
# write a page makes, and the outcome a team records for a lead.

users_t = sa.Table(
    "users",
    metadata,
    sa.Column("login", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),  # team | office | department
    sa.Column("team_id", sa.String(64), nullable=False, default=""),
    sa.Column("chain", sa.String(64), nullable=False, default=""),
    sa.Column("city", sa.String(64), nullable=False, default=""),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("failed_logins", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.String(32), nullable=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)

audit_t = sa.Table(
    "audit",
    metadata,
    sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False, index=True),
    sa.Column("login", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.Text, nullable=False, default=""),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)

feedback_t = sa.Table(
    "lead_feedback",
    metadata,
    sa.Column("feedback_id", sa.String(128), primary_key=True),  # week|team|enterprise
    sa.Column("week", sa.String(8), nullable=False, index=True),
    sa.Column("team_id", sa.String(64), nullable=False, index=True),
    sa.Column("enterprise_id", sa.String(16), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),  # visited | appointment | declined | unreachable
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("lead_level", sa.String(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("next_step", sa.Text, nullable=False, default=""),
    sa.Column("due_date", sa.String(10), nullable=True),
    sa.Column("done_at", sa.String(32), nullable=True),
    sa.Column("visit_id", sa.String(64), nullable=True),
    sa.Column("login", sa.String(64), nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
)

WEB_TABLES = (users_t, audit_t, feedback_t)


def _migrate_4_to_5(conn) -> None:
    """Version 4 → 5: the web workspace's accounts, audit trail and lead feedback; issued leads keep their pitch."""
    for t in WEB_TABLES:
        t.create(conn, checkfirst=True)
    # A database upgraded from before version 3 made plan_leads with these columns already.
    have = {c["name"] for c in sa.inspect(conn).get_columns("plan_leads")}
    for col in LEAD_DETAILS:
        if col not in have:
            conn.execute(sa.text(f"ALTER TABLE plan_leads ADD COLUMN {col} TEXT DEFAULT ''"))


# ---------------------------------------------------------------- versions 6 and 7: derived tables
# Facts derived from the imported rows and kept up to date by every import (each in the import's
# transaction), so that commands read them instead of re-deriving them. They hold nothing a user
# typed: a database upgraded to version 6 or 7 starts with them empty and they are filled on first use.

#: The industries each live enterprise's texts map to directly (before spreading along the taxonomy),
#: as :class:`matcher.featurise.transformers.IndustryVectorizer` finds them; ``industry`` is ``""`` on the
#: one row of an enterprise whose texts map to nothing. ``meta`` key ``industries_fingerprint`` says
#: which taxonomy and settings produced them (see :mod:`matcher.store.industries`).
enterprise_industries_t = sa.Table(
    "enterprise_industries",
    metadata,
    sa.Column("enterprise_id", sa.String(16), primary_key=True),
    sa.Column("industry", sa.String(64), primary_key=True),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("evidence", sa.Text, nullable=False, default=""),
    sqlite_with_rowid=False,  # short rows in the key's B-tree, as ``enterprises`` (2.4 million rows at 1M enterprises)
)

#: Each known name parsed for entity resolution (:func:`matcher.resolve.normalize.parse_names`), by
#: normalised name, so that an import parses only its new names; ``meta`` key ``parsed_names_fingerprint``
#: says which normaliser produced them (see :mod:`matcher.resolve.master`).
parsed_names_t = sa.Table(
    "parsed_names",
    metadata,
    sa.Column("norm_name", sa.String(255), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    *(sa.Column(c, sa.Text, nullable=False, default="") for c in ("key", "lang", "prefix", "prefix_py", "core", "brand", "pinyin", "brand_py", "initials", "province_hint")),
)

#: How many parsed names hold each name token (:func:`matcher.resolve.compare.token_keys`): the
#: document frequencies of the resolver's token weights, kept with :data:`parsed_names_t`.
token_counts_t = sa.Table(
    "name_token_counts",
    metadata,
    sa.Column("token", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("n", sa.Integer, nullable=False),
)

#: The derived tables (versions 6 and 7; see above).
DERIVED_TABLES: tuple[sa.Table, ...] = (enterprise_industries_t, parsed_names_t, token_counts_t)


def _migrate_5_to_6(conn) -> None:
    """Version 5 → 6: the derived tables, empty (filled on first use)."""
    for t in DERIVED_TABLES:
        t.create(conn, checkfirst=True)


def _migrate_6_to_7(conn) -> None:
    """Version 6 → 7: the derived tables a version-6 database was made without, empty (filled on first use); a scored-data token."""
    for t in DERIVED_TABLES:
        t.create(conn, checkfirst=True)
    stamp_scored(conn)


#: from-version → function upgrading a database by one version, run inside the opening transaction.
MIGRATIONS = {1: _migrate_1_to_2, 2: _migrate_2_to_3, 3: _migrate_3_to_4, 4: _migrate_4_to_5, 5: _migrate_5_to_6, 6: _migrate_6_to_7}


def read_version(conn) -> int | None:
    """Schema version of the database; None when it is new (no ``meta`` table)."""
    if not sa.inspect(conn).has_table("meta"):
        return None
    row = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == "schema_version")).first()
    return int(row[0]) if row is not None else 1


def ensure_schema(engine: sa.Engine, url: str) -> None:
    """Create the tables of a new database, upgrade an older one; refuse a newer one.

    Raises
    ------
    StoreError
        When the database has a newer schema version than this release, or cannot be used.
    """
    try:
        # Read first: an up-to-date database needs no write lock (imports may hold it).
        with engine.connect() as conn:
            if read_version(conn) == SCHEMA_VERSION:
                return
        with begin(engine) as conn:
            version = read_version(conn)
            if version is None:
                metadata.create_all(conn)
                conn.execute(meta_t.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
                stamp_scored(conn)
            elif version > SCHEMA_VERSION:
                raise StoreError(
                    _("database {db} has schema version {version}, newer than this release understands ({known}); upgrade matcher").format(
                        db=display_url(url), version=version, known=SCHEMA_VERSION
                    )
                )
            elif version < SCHEMA_VERSION:
                _migrate(conn, version, url)
    except sa.exc.DatabaseError as exc:
        raise StoreError(_("cannot use database {db}: {reason}").format(db=display_url(url), reason=exc.orig)) from None


def _migrate(conn, version: int, url: str) -> None:
    """Upgrade from ``version`` to :data:`SCHEMA_VERSION` inside the caller's transaction."""
    start = version
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](conn)
        version += 1
    conn.execute(meta_t.delete().where(meta_t.c.key == "schema_version"))
    conn.execute(meta_t.insert().values(key="schema_version", value=str(version)))
    log.warning(_("database {db} upgraded from schema version {old} to {new}").format(db=url, old=start, new=version))
