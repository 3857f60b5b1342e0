"""What a team records about a lead from the web workspace, written through the history's validated path.

A team records one outcome per lead and week (:data:`OUTCOMES`): *visited*
(已拜访) and *declined* (婉拒) are contacts and become a row of ``visits``
(kind ``visit``, the leader level, the outcome and next step as text), so the
planner's cooldown, the scorecard and the learners see them as they see an
imported visit log; *appointment* (已约访) and *unreachable* (未联系上) are not
visits: the lead stays on the team's list and carries over. Every outcome is
kept in ``lead_feedback`` with its note, next step and due date.

Moving a project to a stage writes the project and its stage changes through
:func:`matcher.store.history.write_history`, as an imported project sheet does.

Every writer runs inside the caller's transaction and writes one audit row
per change; the same input twice changes nothing and is audited once.
"""

from __future__ import annotations

import hashlib
import math

import pandas as pd
import sqlalchemy as sa

from ..columns import PARTICIPANT_LEVELS, PROJECT_COLUMNS, PROJECT_STAGES, SIGNED_STAGES, STAGE_ZH
from ..errors import StoreError
from ..i18n import N_
from ..i18n import gettext as _
from .history import write_history
from .rows import now
from .schema import feedback_t, projects_t, stage_changes_t, visits_t
from .users import audit

__all__ = ["OUTCOMES", "CONTACT_OUTCOMES", "OUTCOME_ZH", "record_outcome", "move_stage", "complete_step", "feedback_frame", "feedback_id"]

#: What a team can record about a lead, in the order of the buttons.
OUTCOMES = ("visited", "appointment", "declined", "unreachable")
#: Outcomes that are a contact with the enterprise (a row of ``visits``).
CONTACT_OUTCOMES = ("visited", "declined")
#: The outcome as the visit log writes it (data, Chinese as the teams' sheets are).
OUTCOME_ZH = {"visited": "已拜访", "appointment": "已约访", "declined": "婉拒", "unreachable": "未联系上"}
#: The outcomes' labels for the catalogue.
OUTCOME_LABELS = {
    "visited": N_("visited"),
    "appointment": N_("appointment made"),
    "declined": N_("declined"),
    "unreachable": N_("not reached"),
}


def feedback_id(week: str, team_id: str, enterprise_id: str) -> str:
    """The key of a lead's outcome: one per week, team and enterprise."""
    return f"{week}|{team_id}|{enterprise_id}"


def _short_id(prefix: str, *parts: str) -> str:
    return prefix + hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:24]


def _day(value, what: str) -> str:
    d = pd.to_datetime(value, errors="coerce")
    if pd.isna(d):
        raise StoreError(_("{what} {value!r} is not a date; expected YYYY-MM-DD").format(what=_(what), value=value))
    return d.strftime("%Y-%m-%d")


_DATE_WORDS = (N_("date"), N_("due date"))


def record_outcome(
    conn,
    *,
    week: str,
    team_id: str,
    city: str,
    enterprise_id: str,
    enterprise_name: str,
    outcome: str,
    date: str,
    lead_level: str,
    note: str = "",
    next_step: str = "",
    due_date: str | None = None,
    login: str,
) -> str:
    """Record the outcome of one lead (inside the caller's transaction); return ``new``, ``updated`` or ``unchanged``.

    Raises
    ------
    StoreError
        When the outcome or leader level is unknown, or a date is not a date.
    """
    if outcome not in OUTCOMES:
        raise StoreError(_("unknown outcome {value!r}; expected one of {choices}").format(value=outcome, choices=", ".join(OUTCOMES)))
    if lead_level not in PARTICIPANT_LEVELS:
        raise StoreError(
            _("unknown leader level {value!r}; expected one of {choices}").format(value=lead_level, choices=", ".join(PARTICIPANT_LEVELS))
        )
    date = _day(date, "date")
    due = _day(due_date, "due date") if due_date else None
    note, next_step = str(note).strip(), str(next_step).strip()
    fid = feedback_id(week, team_id, enterprise_id)
    old = conn.execute(sa.select(feedback_t).where(feedback_t.c.feedback_id == fid)).mappings().first()
    fields = {"status": outcome, "date": date, "lead_level": lead_level, "note": note, "next_step": next_step, "due_date": due}
    if old is not None and all(old[k] == v for k, v in fields.items()):
        return "unchanged"
    visit_id = None
    if outcome in CONTACT_OUTCOMES:
        visit_id = _short_id("web-", week, team_id, enterprise_id)
        visit = pd.DataFrame(
            {
                "visit_id": [visit_id],
                "date": [date],
                "team_id": [team_id],
                "city": [city],
                "enterprise_id": [enterprise_id],
                "kind": ["visit"],
                "lead_level": [lead_level],
                "outcome": [OUTCOME_ZH[outcome] + (f"：{note}" if note else "")],
                "next_step": [next_step + (f"（{due}）" if due and next_step else "")],
                "enterprise_name": [enterprise_name],
            }
        )
        write_history(conn, visits=visit)
    elif old is not None and old["visit_id"]:
        # A contact corrected to no contact: the visit it made is taken back.
        conn.execute(visits_t.delete().where(visits_t.c.visit_id == old["visit_id"]))
    row = {**fields, "visit_id": visit_id, "login": login, "at": now(), "done_at": old["done_at"] if old is not None else None}
    if old is None:
        conn.execute(feedback_t.insert().values(feedback_id=fid, week=week, team_id=team_id, enterprise_id=enterprise_id, **row))
    else:
        conn.execute(feedback_t.update().where(feedback_t.c.feedback_id == fid).values(**row))
    audit(conn, login, "outcome", fid, fields)
    return "new" if old is None else "updated"


def move_stage(
    conn,
    *,
    team_id: str,
    city: str,
    enterprise_id: str,
    enterprise_name: str,
    stage: str,
    date: str,
    amount_wan: float | None = None,
    login: str,
) -> dict:
    """Move the project of ``enterprise_id`` with ``city`` to ``stage`` on ``date`` (one is made when there is none).

    ``amount_wan`` is the amount in 万元 (stored in yuan), kept as it was when not given. Returns
    ``{"project_id": …, "status": "new" | "updated" | "unchanged"}``.

    Raises
    ------
    StoreError
        When the stage is unknown, the date is not a date or the amount is not a finite number >= 0.
    """
    if stage not in PROJECT_STAGES:
        raise StoreError(_("unknown stage {value!r}; expected one of {choices}").format(value=stage, choices=", ".join(PROJECT_STAGES)))
    date = _day(date, "date")
    if amount_wan is not None and not (math.isfinite(amount_wan) and amount_wan >= 0):
        raise StoreError(_("amount {value!r} is not an amount in 10,000 yuan (a finite number >= 0)").format(value=amount_wan))
    q = sa.select(projects_t).where(projects_t.c.enterprise_id == enterprise_id, projects_t.c.city == city)
    found = pd.read_sql(q.order_by(projects_t.c.stage_date.desc(), projects_t.c.project_id), conn)
    live = found[found.stage != "dropped"]
    if len(live):
        project = live.iloc[0].to_dict()
    else:
        project = {c: None for c in PROJECT_COLUMNS} | {
            "project_id": _short_id("web-", city, enterprise_id, str(len(found))),
            "enterprise_id": enterprise_id,
            "city": city,
            "county_park": "",
            "chain": "",
            "link": "",
            "amount_estimated": False,
            "source_team": team_id,
            "dropped_reason": "",
        }
    pid = project["project_id"]
    before = {k: project.get(k) for k in ("stage", "stage_date", "amount_yuan", "signed_date")}
    changes = pd.read_sql(sa.select(stage_changes_t).where(stage_changes_t.c.project_id == pid), conn)
    same_stage = project.get("stage") == stage
    project["stage"] = stage
    if not same_stage or not project.get("stage_date"):
        project["stage_date"] = date
    if amount_wan is not None:
        project["amount_yuan"] = float(amount_wan) * 1e4
    if stage in SIGNED_STAGES and not project.get("signed_date"):
        project["signed_date"] = date
    project["enterprise_name"] = project.get("enterprise_name") or enterprise_name
    after = {k: project.get(k) for k in ("stage", "stage_date", "amount_yuan", "signed_date")}
    if len(live) and before == after:
        return {"project_id": pid, "status": "unchanged"}
    if not same_stage:
        changes = pd.concat([changes, pd.DataFrame({"project_id": [pid], "stage": [stage], "date": [date]})], ignore_index=True)
    frame = pd.DataFrame([project])
    write_history(conn, projects=frame, stage_changes=changes[["project_id", "stage", "date"]])
    audit(
        conn,
        login,
        "stage",
        pid,
        {
            "team_id": team_id,
            "enterprise_id": enterprise_id,
            "city": city,
            "stage": stage,
            "stage_zh": STAGE_ZH[stage],
            "date": date,
            "amount_wan": amount_wan,
        },
    )
    return {"project_id": pid, "status": "updated" if len(live) else "new"}


def complete_step(conn, fid: str, *, team_id: str, login: str) -> bool:
    """Mark the next step of the outcome ``fid`` (of ``team_id``) done; False when it was done already.

    Raises
    ------
    StoreError
        When the team has no such outcome.
    """
    row = conn.execute(sa.select(feedback_t).where(feedback_t.c.feedback_id == fid, feedback_t.c.team_id == team_id)).mappings().first()
    if row is None:
        raise StoreError(_("no recorded outcome {key!r} for team {team}").format(key=fid, team=team_id))
    if row["done_at"]:
        return False
    conn.execute(feedback_t.update().where(feedback_t.c.feedback_id == fid).values(done_at=now()))
    audit(conn, login, "step_done", fid, {"next_step": row["next_step"]})
    return True


def feedback_frame(conn, *, team_id: str | None = None, week: str | None = None) -> pd.DataFrame:
    """Recorded outcomes (of one team, of one week), by date then key."""
    q = sa.select(feedback_t)
    if team_id is not None:
        q = q.where(feedback_t.c.team_id == team_id)
    if week is not None:
        q = q.where(feedback_t.c.week == week)
    return pd.read_sql(q.order_by(feedback_t.c.date.desc(), feedback_t.c.feedback_id), conn)
