"""Issued weekly plans (``matcher weekly``): what was issued, from which configuration and data."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from ..errors import StoreError
from ..i18n import gettext as _
from .rows import insert_frame, now
from .schema import LEAD_DETAILS, issued_plans_t, plan_leads_t

__all__ = ["PLAN_KEYS", "record_plan", "issued_leads"]

#: The fields that identify an issued plan; a week issued again with the same ones (and leads) is unchanged.
PLAN_KEYS = ("week", "config_sha256", "snapshot_sha256", "model_version", "history_sha256", "settings")


def record_plan(conn, record: dict, leads: pd.DataFrame, *, force: bool = False) -> str:
    """Record an issued week's plan inside the caller's transaction; return ``recorded``, ``replaced`` or ``unchanged``.

    ``record`` holds ``week, config_sha256, snapshot_sha256, model_version,
    history_sha256, settings``; ``leads`` the plan's ``team_id, rank, enterprise_id, score,
    rule_score, carryover_bonus, quota_boost, diversity_penalty, reason``.
    A week already issued is kept unless the new plan is identical
    (``unchanged``) or ``force`` is given (``replaced``).

    Raises
    ------
    StoreError
        When the week was issued already with other inputs or leads and ``force`` is not given.
    """
    cols = [c.name for c in plan_leads_t.columns if c.name != "week" and (c.name in leads.columns or c.name not in LEAD_DETAILS)]
    rows = leads[cols].assign(week=record["week"])
    old = conn.execute(sa.select(issued_plans_t).where(issued_plans_t.c.week == record["week"])).mappings().first()
    if old is not None:
        if all(old[k] == record.get(k, "") for k in PLAN_KEYS[1:]) and _same_leads(conn, record["week"], rows):
            return "unchanged"
        if not force:
            raise StoreError(
                _("week {week} was issued already (on {date}) with other inputs or leads; give --force to replace it").format(
                    week=record["week"], date=old["issued_at"]
                )
            )
        conn.execute(plan_leads_t.delete().where(plan_leads_t.c.week == record["week"]))
        conn.execute(issued_plans_t.delete().where(issued_plans_t.c.week == record["week"]))
    conn.execute(issued_plans_t.insert().values(**{k: record.get(k, "") for k in PLAN_KEYS}, n_leads=len(rows), issued_at=now()))
    insert_frame(conn, plan_leads_t, rows)
    return "recorded" if old is None else "replaced"


def _same_leads(conn, week: str, rows: pd.DataFrame) -> bool:
    prev = pd.read_sql(sa.select(plan_leads_t).where(plan_leads_t.c.week == week), conn)
    key = ["team_id", "rank", "enterprise_id"]
    a = prev[key].sort_values(key).reset_index(drop=True)
    b = rows[key].sort_values(key).reset_index(drop=True)
    return a.astype(str).equals(b.astype(str))


def issued_leads(conn, before: str | None = None) -> pd.DataFrame:
    """Leads of the issued plans (of weeks before ``before``): ``week, team_id, rank, enterprise_id, …``."""
    q = sa.select(plan_leads_t)
    if before is not None:
        q = q.where(plan_leads_t.c.week < before)
    return pd.read_sql(q.order_by(plan_leads_t.c.week, plan_leads_t.c.team_id, plan_leads_t.c.rank), conn)
