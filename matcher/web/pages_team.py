"""A team's pages: this week's leads and recording what happened, its history and next steps."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..columns import LEVEL_ZH, PARTICIPANT_LEVELS, PROJECT_STAGES, STAGE_ZH
from ..errors import MatcherError
from ..i18n import gettext as _
from ..store.feedback import OUTCOME_LABELS, OUTCOMES, complete_step, move_stage, record_outcome
from .base import check_csrf, is_htmx, render, require
from .data import Workspace

__all__ = ["router"]

router = APIRouter()


def _team(ws: Workspace, team_id: str):
    team = ws.teams.get(team_id)
    if team is None:
        raise HTTPException(404)
    return team


def _choices() -> dict:
    return {
        "outcomes": [(o, _(OUTCOME_LABELS[o])) for o in OUTCOMES],
        "levels": [(lv, LEVEL_ZH[lv]) for lv in PARTICIPANT_LEVELS],
        "stages": [(s, STAGE_ZH[s]) for s in PROJECT_STAGES],
    }


@router.get("/team/{team_id}")
def team_week(request: Request, team_id: str, week: str | None = None):
    user = require(request, "team_week", team_id=team_id)
    ws: Workspace = request.app.state.ws
    team = _team(ws, team_id)
    week = ws.current_week(week)
    leads = ws.leads(week, team_id)
    return render(
        request,
        "team.html",
        user=user,
        team=team,
        city=ws.cities[team.home_city],
        region_name=next((r.name_zh for r in ws.config.regions if r.id == team.region), team.region),
        week=week,
        weeks=ws.weeks(),
        leads=leads.to_dict("records"),
        today=ws.today().isoformat(),
        **_choices(),
    )


@router.get("/team/{team_id}/history")
def team_history(request: Request, team_id: str):
    user = require(request, "team_history", team_id=team_id)
    ws: Workspace = request.app.state.ws
    team = _team(ws, team_id)
    h = ws.team_history(team_id)
    return render(
        request,
        "history.html",
        user=user,
        team=team,
        city=ws.cities[team.home_city],
        feedback=h["feedback"].to_dict("records"),
        open_steps=h["open"].to_dict("records"),
        overdue=set(h["overdue"].feedback_id) if len(h["overdue"]) else set(),
        visits=h["visits"].to_dict("records"),
        today=ws.today().isoformat(),
        outcome_labels={o: _(OUTCOME_LABELS[o]) for o in OUTCOMES},
        levels=LEVEL_ZH,
    )


def _lead(ws: Workspace, week: str, team_id: str, enterprise_id: str) -> dict:
    leads = ws.leads(week, team_id)
    row = leads[leads.enterprise_id == enterprise_id]
    if row.empty:
        raise HTTPException(403, _("{id} is not one of this team's leads in {week}").format(id=enterprise_id, week=week))
    return row.iloc[0].to_dict()


def _after_write(request: Request, ws: Workspace, team_id: str, week: str, enterprise_id: str, message: str):
    if is_htmx(request):
        team = ws.teams[team_id]
        return render(
            request,
            "_lead.html",
            lead=_lead(ws, week, team_id, enterprise_id),
            team=team,
            week=week,
            today=ws.today().isoformat(),
            flash=message,
            **_choices(),
        )
    return RedirectResponse(f"/team/{quote(team_id)}?week={quote(week)}#e-{quote(enterprise_id)}", status_code=303)


def _posted_lead(ws: Workspace, team_id: str, form: dict):
    """The team, week, enterprise id and lead a posted form is about (404 when the team or lead is not there)."""
    team = _team(ws, team_id)
    week = ws.current_week(str(form.get("week", "")))
    eid = str(form.get("enterprise_id", ""))
    return team, week, eid, _lead(ws, week, team_id, eid)


def _write(ws: Workspace, write, **kwargs):
    """``write(conn, **kwargs)`` in the store's one write transaction; a user's mistake is a 400 with its message."""
    try:
        with ws.store.begin() as conn:
            return write(conn, **kwargs)
    except MatcherError as exc:
        raise HTTPException(400, str(exc)) from None


@router.post("/team/{team_id}/outcome")
async def team_outcome(request: Request, team_id: str):
    user = require(request, "team_outcome", team_id=team_id)
    form = await check_csrf(request)
    return await run_in_threadpool(_team_outcome, request, team_id, form, user)


def _team_outcome(request, team_id, form, user):
    """The work of :func:`team_outcome`, off the event loop (database writes and rendering)."""
    ws: Workspace = request.app.state.ws
    team, week, eid, lead = _posted_lead(ws, team_id, form)
    status = _write(
        ws,
        record_outcome,
        week=week,
        team_id=team_id,
        city=team.home_city,
        enterprise_id=eid,
        enterprise_name=lead["name"],
        outcome=str(form.get("outcome", "")),
        date=str(form.get("date") or ws.today().isoformat()),
        lead_level=str(form.get("lead_level") or "team_member"),
        note=str(form.get("note", ""))[:2000],
        next_step=str(form.get("next_step", ""))[:500],
        due_date=str(form.get("due_date", "")) or None,
        login=user.login,
    )
    words = {"new": _("recorded"), "updated": _("updated"), "unchanged": _("already recorded, nothing changed")}
    return _after_write(request, ws, team_id, week, eid, words[status])


@router.post("/team/{team_id}/stage")
async def team_stage(request: Request, team_id: str):
    user = require(request, "team_stage", team_id=team_id)
    form = await check_csrf(request)
    return await run_in_threadpool(_team_stage, request, team_id, form, user)


def _team_stage(request, team_id, form, user):
    """The work of :func:`team_stage`, off the event loop (database writes and rendering)."""
    ws: Workspace = request.app.state.ws
    team, week, eid, lead = _posted_lead(ws, team_id, form)
    raw = str(form.get("amount_wan", "")).strip().replace(",", "")
    try:
        amount = float(raw) if raw else None
    except ValueError:
        raise HTTPException(400, _("amount {value!r} is not a number (万元)").format(value=raw)) from None
    result = _write(
        ws,
        move_stage,
        team_id=team_id,
        city=team.home_city,
        enterprise_id=eid,
        enterprise_name=lead["name"],
        stage=str(form.get("stage", "")),
        date=str(form.get("date") or ws.today().isoformat()),
        amount_wan=amount,
        login=user.login,
    )
    words = {"new": _("project added"), "updated": _("project updated"), "unchanged": _("already recorded, nothing changed")}
    return _after_write(request, ws, team_id, week, eid, words[result["status"]])


@router.post("/team/{team_id}/done")
async def team_done(request: Request, team_id: str):
    user = require(request, "team_done", team_id=team_id)
    form = await check_csrf(request)
    return await run_in_threadpool(_team_done, request, team_id, form, user)


def _team_done(request, team_id, form, user):
    """The work of :func:`team_done`, off the event loop (database writes and rendering)."""
    ws: Workspace = request.app.state.ws
    _team(ws, team_id)
    _write(ws, complete_step, fid=str(form.get("feedback_id", "")), team_id=team_id, login=user.login)
    return RedirectResponse(f"/team/{quote(team_id)}/history", status_code=303)
