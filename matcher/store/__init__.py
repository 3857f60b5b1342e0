"""The database: schema and migrations, the one transaction entry, imports, merges, history, plans, read views.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "core": ["SCHEMA_VERSION", "metadata", "meta_t", "imports_t", "enterprises_t", "names_t", "entries_t", "profiles_t", "merges_t", "merge_rows_t", "merge_undos_t", "review_decisions_t", "parents_t", "visits_t", "projects_t", "stage_changes_t", "stationed_t", "HISTORY_TABLES", "issued_plans_t", "plan_leads_t", "RESOLUTION_TABLES", "PLAN_TABLES", "MIGRATIONS", "default_db", "enterprise_id_for", "ImportResult", "Store", "open_store"],
    },
)
