"""The history: visits, projects, stage changes and stationed days (schema version 2).

Written by :func:`write_history` (keyed rows: writing the same rows twice
changes nothing) inside the caller's transaction and read back in the shapes
of :mod:`matcher.columns`. Dates are ISO text (YYYY-MM-DD): portable across
engines and sortable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..columns import PROJECT_COLUMNS, VISIT_COLUMNS, check_projects, check_visits
from .imports import record_import
from .rows import insert_frame, select_in
from .schema import projects_t, stage_changes_t, stationed_t, visits_t

__all__ = ["write_history", "visits_frame", "projects_frame", "stage_changes_frame", "stationed_frame"]


def write_history(
    conn,
    *,
    visits: pd.DataFrame | None = None,
    projects: pd.DataFrame | None = None,
    stage_changes: pd.DataFrame | None = None,
    stationed: pd.DataFrame | None = None,
    source_name: str | None = None,
    sha256: str = "",
) -> dict[str, dict[str, int]]:
    """Write visits, projects, stage changes and stationed days inside the caller's transaction.

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
    # Validated at the store boundary, before anything is written: a visit with an unknown
    # lead_level would otherwise break every later read of the visits.
    if visits is not None:
        check_visits(visits)
    if projects is not None:
        check_projects(projects)
    out: dict[str, dict[str, int]] = {}
    import_id = None
    if source_name is not None:
        import_id = record_import(conn, "history", source_name, sha256, sum(len(f) for f in (visits, projects, stationed) if f is not None))
    if visits is not None:
        out["visits"] = _upsert(conn, visits_t, _history_rows(visits_t, visits, import_id), ["visit_id"])
    if projects is not None:
        out["projects"] = _upsert(conn, projects_t, _history_rows(projects_t, projects, import_id), ["project_id"])
    if stage_changes is not None:
        out["stage_changes"] = _replace_stage_changes(conn, stage_changes, projects)
    if stationed is not None:
        out["stationed"] = _upsert(conn, stationed_t, _history_rows(stationed_t, stationed, import_id), ["chain", "quarter", "team_id"])
    return out


def _replace_stage_changes(conn, stage_changes: pd.DataFrame, projects: pd.DataFrame | None) -> dict[str, int]:
    """Replace the stored stage changes of the projects given (unless they are the same)."""
    ch = _history_rows(stage_changes_t, stage_changes, None).drop_duplicates()
    ids = sorted(set(ch.project_id) | (set(projects.project_id) if projects is not None else set()))
    before = select_in(conn, stage_changes_t, "project_id", ids)
    key = ["project_id", "stage", "date"]
    same = before.merge(ch, on=key).shape[0] == len(before) == len(ch)
    if not same:
        for i in range(0, len(ids), 500):
            conn.execute(stage_changes_t.delete().where(stage_changes_t.c.project_id.in_(ids[i : i + 500])))
        insert_frame(conn, stage_changes_t, ch)
    return {"rows": len(ch), "changed": int(not same)}


def _ordered(conn, table: sa.Table, order: list[str]) -> pd.DataFrame:
    return pd.read_sql(sa.select(table).order_by(*[table.c[c] for c in order]), conn)


def visits_frame(conn, *, extra: bool = False) -> pd.DataFrame:
    """Stored visits as a :data:`matcher.columns.VISIT_COLUMNS` frame (``date`` datetime64), by date and id.

    With ``extra=True`` the columns ``enterprise_name, participants, chain, synthetic`` follow.
    """
    df = _ordered(conn, visits_t, ["date", "visit_id"])
    cols = list(VISIT_COLUMNS) + (["enterprise_name", "participants", "chain", "synthetic"] if extra else [])
    df = check_visits(df[cols])
    df["date"] = df["date"].astype("datetime64[ns]")
    if extra:
        df["synthetic"] = df["synthetic"].astype(bool)
    return df


def projects_frame(conn, *, extra: bool = False) -> pd.DataFrame:
    """Stored projects as a :data:`matcher.columns.PROJECT_COLUMNS` frame (dates datetime64), by id.

    With ``extra=True`` the columns ``enterprise_name, synthetic`` follow.
    """
    df = _ordered(conn, projects_t, ["project_id"])
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


def stage_changes_frame(conn) -> pd.DataFrame:
    """Every stored stage change: ``project_id, stage, date`` (datetime64), by project and date."""
    df = _ordered(conn, stage_changes_t, ["project_id", "date", "stage"])
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
    return df[["project_id", "stage", "date"]]


def stationed_frame(conn) -> pd.DataFrame:
    """Stationed days: ``chain, quarter, team_id, days`` by chain, quarter and team."""
    df = _ordered(conn, stationed_t, ["chain", "quarter", "team_id"])
    df["days"] = df["days"].astype(int)
    return df[["chain", "quarter", "team_id", "days"]]


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
        old = select_in(conn, table, key[0], sorted(set(rows[key[0]])))
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
    insert_frame(conn, table, rows[~exists | changed])
    return {"new": int((~exists).sum()), "updated": int(changed.sum()), "unchanged": int(same.sum())}
