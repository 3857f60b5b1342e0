"""The database: schema and migrations, the one transaction entry, imports, merges, history, plans, read views.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "checks": ["check_entries", "check_profiles", "check_decisions", "check_parents", "DECISIONS"],
        "core": ["Store", "open_store"],
        "engine": ["BUSY_TIMEOUT_MS", "BUSY_RETRIES", "PG_WRITE_LOCK", "default_db", "database_url", "display_url", "create_engine", "begin", "backup"],
        "history": ["write_history", "visits_frame", "projects_frame", "stage_changes_frame", "stationed_frame"],
        "imports": ["enterprise_id_for", "fresh_ids", "ImportResult", "ListImport", "open_import", "record_import", "write_list", "write_profiles"],
        "merges": ["check_mergeable", "merge", "undo_merge", "record_decisions", "set_parents", "ultimate_parents"],
        "plans": ["PLAN_KEYS", "record_plan", "issued_leads"],
        "removal": ["RemovedImport", "imports_frame", "merges_frame", "remove_import"],
        "rows": ["CHUNK", "SCAN_FROM", "now", "insert_frame", "select_in", "read_table", "known_names", "existing_ids", "live_ids"],
        "schema": ["SCHEMA_VERSION", "metadata", "meta_t", "imports_t", "enterprises_t", "names_t", "entries_t", "profiles_t", "merges_t", "merge_rows_t", "merge_undos_t", "review_decisions_t", "parents_t", "visits_t", "projects_t", "stage_changes_t", "stationed_t", "HISTORY_TABLES", "issued_plans_t", "plan_leads_t", "RESOLUTION_TABLES", "PLAN_TABLES", "MIGRATIONS", "read_version", "ensure_schema"],
        "users": ["ROLES", "add_user", "get_user", "users_frame", "set_password", "set_active", "audit", "audit_frame"],
        "feedback": ["OUTCOMES", "CONTACT_OUTCOMES", "record_outcome", "move_stage", "complete_step", "feedback_frame"],
        "views": ["SNAPSHOT_TABLES", "read", "counts", "schema_version", "snapshot_hash", "enterprise_frame", "profile_industry_texts", "list_memberships", "list_years", "lookup_names"],
    },
)
