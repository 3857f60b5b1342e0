"""What is in the database, import by import and merge by merge, and removing one import.

:func:`remove_import` takes one list or profile import back out in the
caller's transaction: the merges it caused are undone (newest first), its
list entries and profiles are deleted, and the enterprises that only it
knew are deleted with their names. The lists fall back to what the other
imports say: an edition removed leaves the previous edition the newest.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from ..errors import StoreError
from ..i18n import gettext as _
from .industries import invalidate
from .merges import undo_merge
from .rows import CHUNK
from .schema import (
    enterprises_t,
    entries_t,
    imports_t,
    merge_undos_t,
    merges_t,
    names_t,
    parents_t,
    plan_leads_t,
    profiles_t,
    projects_t,
    review_decisions_t,
    visits_t,
)

__all__ = ["RemovedImport", "imports_frame", "merges_frame", "remove_import"]

#: Import kinds that :func:`remove_import` can take back (history files are replaced by importing them again).
REMOVABLE = ("list", "profiles")


@dataclass(frozen=True)
class RemovedImport:
    """What removing one import did."""

    import_id: int
    kind: str
    source_name: str
    list_type: str
    year: int
    entries: int
    profiles: int
    merges_undone: int
    enterprises_removed: int

    def summary(self) -> str:
        what = f"{self.list_type} {self.year}" if self.kind == "list" else _("profiles")
        return _(
            "import {id} ({file}, {what}) removed: {entries} list entries, {profiles} profiles, {merges} merges undone, "
            "{enterprises} enterprises known only to it removed"
        ).format(
            id=self.import_id,
            file=self.source_name,
            what=what,
            entries=self.entries,
            profiles=self.profiles,
            merges=self.merges_undone,
            enterprises=self.enterprises_removed,
        )


def imports_frame(conn) -> pd.DataFrame:
    """Every import, oldest first: id, kind, list type, year, file, rows, time, and what it holds now.

    ``entries`` and ``profiles`` count the rows of the import still in the
    database; ``merges`` the merges it caused that are not undone.
    """
    imp = pd.read_sql(sa.select(imports_t).order_by(imports_t.c.import_id), conn)
    n_entries = pd.read_sql(sa.select(entries_t.c.import_id, sa.func.count().label("n")).group_by(entries_t.c.import_id), conn)
    n_profiles = pd.read_sql(sa.select(profiles_t.c.import_id, sa.func.count().label("n")).group_by(profiles_t.c.import_id), conn)
    undone = sa.select(merge_undos_t.c.merge_id)
    n_merges = pd.read_sql(
        sa.select(merges_t.c.import_id, sa.func.count().label("n"))
        .where(merges_t.c.import_id.is_not(None), merges_t.c.merge_id.not_in(undone))
        .group_by(merges_t.c.import_id),
        conn,
    )
    for name, counts in (("entries", n_entries), ("profiles", n_profiles), ("merges", n_merges)):
        imp[name] = imp.import_id.map(counts.set_index("import_id").n).fillna(0).astype(int)
    return imp[
        ["import_id", "kind", "list_type", "year", "source_name", "n_rows", "entries", "profiles", "merges", "imported_at", "sha256"]
    ]


def merges_frame(conn) -> pd.DataFrame:
    """Every merge, oldest first: id, the kept and the merged enterprise with their names, rule, import, time, undone."""
    m = pd.read_sql(sa.select(merges_t).order_by(merges_t.c.merge_id), conn)
    und = pd.read_sql(sa.select(merge_undos_t), conn).set_index("merge_id")
    names = pd.read_sql(sa.select(enterprises_t.c.enterprise_id, enterprises_t.c.name), conn).set_index("enterprise_id").name
    m["kept_name"] = m.kept_id.map(names).astype(object).fillna("")
    m["merged_name"] = m.merged_id.map(names).astype(object).fillna("")
    m["undone"] = m.merge_id.isin(und.index)
    m["undo_reason"] = m.merge_id.map(und.reason.astype(object)).astype(object).fillna("")
    m["import_id"] = m.import_id.astype("Int64")
    return m[["merge_id", "kept_id", "kept_name", "merged_id", "merged_name", "rule", "import_id", "at", "undone", "undo_reason"]]


def remove_import(conn, import_id: int) -> RemovedImport:
    """Remove one list or profile import and what it caused (in the caller's transaction).

    Raises
    ------
    StoreError
        When there is no such import, or it is a history import (visits,
        projects, stationed days: import the corrected file again instead).
    """
    imp = conn.execute(sa.select(imports_t).where(imports_t.c.import_id == int(import_id))).first()
    if imp is None:
        raise StoreError(_("no import with id {id}; see `matcher imports` for the list").format(id=import_id))
    if imp.kind not in REMOVABLE:
        raise StoreError(
            _(
                "import {id} is a {kind} file ({source}); only list and profile imports can be removed — import the corrected history file again instead"
            ).format(id=import_id, kind=imp.kind, source=imp.source_name)
        )
    # 1. Undo the merges it caused, newest first, without deciding the pairs 'different':
    #    the import is withdrawn, nobody judged the pairs.
    undone = sa.select(merge_undos_t.c.merge_id)
    ids = [
        r[0]
        for r in conn.execute(
            sa.select(merges_t.c.merge_id)
            .where(merges_t.c.import_id == imp.import_id, merges_t.c.merge_id.not_in(undone))
            .order_by(merges_t.c.merge_id.desc())
        )
    ]
    for mid in ids:
        undo_merge(conn, mid, reason=f"import {imp.import_id} ({imp.source_name}) removed")
        conn.execute(review_decisions_t.delete().where(review_decisions_t.c.source == f"undo of merge {mid}"))
    # 2. Its rows.
    touched = {r[0] for r in conn.execute(sa.select(entries_t.c.enterprise_id).where(entries_t.c.import_id == imp.import_id))}
    touched |= {r[0] for r in conn.execute(sa.select(profiles_t.c.enterprise_id).where(profiles_t.c.import_id == imp.import_id))}
    invalidate(conn, touched)  # their texts change: industries mapped again on next use
    n_entries = conn.execute(entries_t.delete().where(entries_t.c.import_id == imp.import_id)).rowcount
    n_profiles = conn.execute(profiles_t.delete().where(profiles_t.c.import_id == imp.import_id)).rowcount
    conn.execute(imports_t.delete().where(imports_t.c.import_id == imp.import_id))
    # 3. Enterprises that nothing else knows any more.
    gone = _orphans(conn, sorted(touched))
    for i in range(0, len(gone), CHUNK):
        chunk = gone[i : i + CHUNK]
        conn.execute(names_t.delete().where(names_t.c.enterprise_id.in_(chunk)))
        conn.execute(enterprises_t.delete().where(enterprises_t.c.enterprise_id.in_(chunk)))
    return RemovedImport(
        int(imp.import_id), imp.kind, imp.source_name, imp.list_type, int(imp.year), n_entries, n_profiles, len(ids), len(gone)
    )


def _orphans(conn, ids: list[str]) -> list[str]:
    """Of ``ids``, the live enterprises with no list entry, profile, history, plan, parent link or merged-in enterprise left."""
    out: list[str] = []
    refs = (
        entries_t.c.enterprise_id,
        profiles_t.c.enterprise_id,
        visits_t.c.enterprise_id,
        projects_t.c.enterprise_id,
        plan_leads_t.c.enterprise_id,
        parents_t.c.enterprise_id,
        parents_t.c.parent_id,
        enterprises_t.c.merged_into,
    )
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        live = {
            r[0]
            for r in conn.execute(
                sa.select(enterprises_t.c.enterprise_id).where(
                    enterprises_t.c.enterprise_id.in_(chunk), enterprises_t.c.merged_into.is_(None)
                )
            )
        }
        for col in refs:
            if not live:
                break
            live -= {r[0] for r in conn.execute(sa.select(col).where(col.in_(sorted(live))).distinct())}
        out += sorted(live)
    return out
