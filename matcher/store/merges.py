"""Merges and the other resolution records: merge, undo, review decisions, parent links.

Every function takes an open connection inside the caller's write transaction
(see :func:`matcher.store.engine.begin`); resolution (:mod:`matcher.resolve.records`)
decides what to merge and calls these.

A merge keeps one id (:func:`representative`: the smaller, so the master
does not depend on the order of the imports) and records which rows moved
(``merge_rows``), so :func:`undo_merge` can reverse it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..errors import StoreError
from ..i18n import gettext as _
from .checks import check_decisions, check_parents
from .industries import invalidate
from .rows import existing_ids, insert_frame, live_ids, now, read_table
from .schema import (
    enterprises_t,
    entries_t,
    merge_rows_t,
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

__all__ = ["check_mergeable", "live_of", "representative", "merge", "undo_merge", "record_decisions", "set_parents", "ultimate_parents"]


def check_mergeable(conn, keep: str, other: str) -> None:
    """Raise :class:`~matcher.errors.StoreError` unless ``keep`` and ``other`` are two live enterprises."""
    live = live_ids(conn, [keep, other])
    for eid in (keep, other):
        if eid not in live:
            raise StoreError(_("cannot merge: enterprise {id} does not exist or was merged away").format(id=eid))
    if keep == other:
        raise StoreError(_("cannot merge enterprise {id} into itself").format(id=keep))


def live_of(conn, enterprise_id: str) -> str | None:
    """The live enterprise that ``enterprise_id`` is (or was merged into, through any chain); None if unknown."""
    seen: set[str] = set()
    eid = enterprise_id
    while eid not in seen:
        seen.add(eid)
        row = conn.execute(sa.select(enterprises_t.c.merged_into).where(enterprises_t.c.enterprise_id == eid)).first()
        if row is None:
            return None
        if row[0] is None:
            return eid
        eid = row[0]
    return None


def representative(conn, a: str, b: str) -> tuple[str, str]:
    """``(keep, other)`` for merging two live enterprises: the smaller id, whatever the order of the imports.

    Only where the larger id has history (visits, projects, issued leads, parent links) and the smaller has none
    does the larger stay, so that no history row points at a merged-away id.
    """
    small, large = sorted((a, b))

    def has_history(eid: str) -> bool:
        tables = ((visits_t.c.enterprise_id,), (projects_t.c.enterprise_id,), (plan_leads_t.c.enterprise_id,), (parents_t.c.enterprise_id, parents_t.c.parent_id))
        return any(conn.execute(sa.select(c).where(c == eid).limit(1)).first() for cols in tables for c in cols)

    if has_history(large) and not has_history(small):
        return large, small
    return small, large


def merge(conn, keep: str, other: str, rule: str, import_id: int | None = None) -> int:
    """Merge enterprise ``other`` into ``keep``: its names, list entries and profile move; returns the merge id.

    The caller checks that both are live (see :func:`check_mergeable`).
    """
    merge_id = conn.execute(
        merges_t.insert().values(kept_id=keep, merged_id=other, rule=rule, import_id=import_id, at=now())
    ).inserted_primary_key[0]
    moved = [("enterprise_names", r[0]) for r in conn.execute(sa.select(names_t.c.norm_name).where(names_t.c.enterprise_id == other))]
    moved += [
        ("list_entries", f"{r[0]}:{r[1]}")
        for r in conn.execute(sa.select(entries_t.c.import_id, entries_t.c.source_row).where(entries_t.c.enterprise_id == other))
    ]
    if moved:
        conn.execute(merge_rows_t.insert(), [{"merge_id": merge_id, "table_name": t, "row_key": k} for t, k in moved])
    invalidate(conn, [keep, other])  # their texts and names change: industries mapped again on next use
    conn.execute(names_t.update().where(names_t.c.enterprise_id == other).values(enterprise_id=keep))
    conn.execute(entries_t.update().where(entries_t.c.enterprise_id == other).values(enterprise_id=keep))
    conn.execute(enterprises_t.update().where(enterprises_t.c.enterprise_id == other).values(merged_into=keep))
    # Keep the profile already attached to the kept enterprise, drop the other's.
    if conn.execute(sa.select(profiles_t.c.enterprise_id).where(profiles_t.c.enterprise_id == keep)).first():
        conn.execute(profiles_t.delete().where(profiles_t.c.enterprise_id == other))
    else:
        conn.execute(profiles_t.update().where(profiles_t.c.enterprise_id == other).values(enterprise_id=keep))
    return merge_id


def undo_merge(conn, merge_id: int, reason: str = "") -> tuple[str, str]:
    """Undo one merge: the merged enterprise and the rows it brought come back.

    Returns ``(kept_id, merged_id)``. Rows the merged enterprise brought
    (names, list entries) return to it, wherever later merges moved them; the
    pair is recorded as decided ``different``.

    Raises
    ------
    StoreError
        When there is no such merge or it was undone already.
    """
    m = conn.execute(sa.select(merges_t).where(merges_t.c.merge_id == int(merge_id))).first()
    if m is None:
        raise StoreError(_("no merge with id {id}; see `matcher merges`").format(id=merge_id))
    if conn.execute(sa.select(merge_undos_t.c.merge_id).where(merge_undos_t.c.merge_id == m.merge_id)).first():
        raise StoreError(_("merge {id} ({merged} into {kept}) was already undone").format(id=merge_id, merged=m.merged_id, kept=m.kept_id))
    rows = conn.execute(sa.select(merge_rows_t.c.table_name, merge_rows_t.c.row_key).where(merge_rows_t.c.merge_id == m.merge_id)).all()
    names = [k for t, k in rows if t == "enterprise_names"]
    # Industries of both, and of whoever holds the returning rows now, are mapped again on next use.
    owners = {m.kept_id, m.merged_id}
    for i in range(0, len(names), 500):
        owners |= {r[0] for r in conn.execute(sa.select(names_t.c.enterprise_id).where(names_t.c.norm_name.in_(names[i : i + 500])))}
    for t, k in rows:
        if t == "list_entries":
            imp, row = k.split(":")
            owners |= {r[0] for r in conn.execute(sa.select(entries_t.c.enterprise_id).where(entries_t.c.import_id == int(imp), entries_t.c.source_row == int(row)))}
    invalidate(conn, owners)
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
    conn.execute(merge_undos_t.insert().values(merge_id=m.merge_id, reason=reason, at=now()))
    left, right = min(m.kept_id, m.merged_id), max(m.kept_id, m.merged_id)
    conn.execute(review_decisions_t.delete().where(review_decisions_t.c.left_id == left, review_decisions_t.c.right_id == right))
    conn.execute(
        review_decisions_t.insert().values(
            left_id=left, right_id=right, decision="different", source=f"undo of merge {m.merge_id}", at=now()
        )
    )
    return m.kept_id, m.merged_id


def record_decisions(conn, decisions: pd.DataFrame) -> None:
    """Store review decisions (``left_id, right_id, decision, source``), replacing earlier ones of the same pairs."""
    if decisions.empty:
        return
    check_decisions(decisions)
    d = decisions.copy()
    a, b = d.left_id.to_numpy(dtype=object).astype(str), d.right_id.to_numpy(dtype=object).astype(str)
    d["left_id"], d["right_id"] = np.where(a <= b, a, b), np.where(a <= b, b, a)
    d = d.drop_duplicates(["left_id", "right_id"], keep="last").assign(at=now())
    for a, b in zip(d.left_id, d.right_id):
        conn.execute(review_decisions_t.delete().where(review_decisions_t.c.left_id == a, review_decisions_t.c.right_id == b))
    insert_frame(conn, review_decisions_t, d[["left_id", "right_id", "decision", "source", "at"]])


def set_parents(conn, links: pd.DataFrame, *, source: str) -> int:
    """Replace the parent links of ``source`` with ``links`` (``enterprise_id, parent_id``); returns how many."""
    if len(links):
        check_parents(links, existing_ids(conn, pd.concat([links.enterprise_id, links.parent_id]).astype(str)))
    conn.execute(parents_t.delete().where(parents_t.c.source == source))
    rows = links.drop_duplicates("enterprise_id")
    have = {r[0] for r in conn.execute(sa.select(parents_t.c.enterprise_id))}
    rows = rows[~rows.enterprise_id.isin(have)]
    insert_frame(conn, parents_t, rows[["enterprise_id", "parent_id"]].assign(source=source, at=now()))
    return len(rows)


def ultimate_parents(conn) -> pd.Series:
    """Live enterprise → its ultimate live parent (only enterprises that have one)."""
    links = read_table(conn, "parents")
    if links.empty:  # before reading a million enterprises
        return pd.Series(dtype=object)
    ents = read_table(conn, "enterprises")
    root = ents.set_index("enterprise_id").merged_into

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
