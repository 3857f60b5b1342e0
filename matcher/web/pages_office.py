"""The coordination office's pages: the week across teams, pace, cadence, stalled projects, activity, the scorecard; issuing a week."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..errors import MatcherError
from ..i18n import gettext as _
from ..plan.issue import issue_week
from ..store.users import audit
from .base import check_csrf, render, require
from .data import STALLED_WEEKS, Workspace

__all__ = ["router", "CHARTS"]

router = APIRouter()

#: The scorecard's charts the office page shows (files of :func:`matcher.report.scorecard.write_scorecard`).
CHARTS = ("tiers", "money", "cities", "cadence", "funnel", "conversion")
_issuing = threading.Lock()
_drawing = threading.Lock()


def _year(ws: Workspace, year: int | None) -> int:
    return year or ws.today().year


@router.get("/office")
def office(request: Request, week: str | None = None):
    user = require(request, "office")
    ws: Workspace = request.app.state.ws
    week = ws.current_week(week)
    o = ws.office(week)
    try:
        card = ws.scorecard(ws.today().year)
    except MatcherError:
        card = None
    return render(
        request,
        "office.html",
        user=user,
        week=week,
        weeks=ws.weeks(),
        this_week=ws.this_week(),
        teams=o["teams"].to_dict("records"),
        not_reported=o["not_reported"].to_dict("records"),
        contested=o["contested"].to_dict("records"),
        stalled=o["stalled"].to_dict("records"),
        stalled_weeks=STALLED_WEEKS,
        activity_team=o["activity"]["team"].to_dict("records"),
        activity_city=o["activity"]["city"].to_dict("records"),
        card=card,
        city_names={c.id: c.name_zh for c in ws.config.cities},
    )


@router.get("/office/scorecard")
def office_scorecard(request: Request, year: int | None = None):
    user = require(request, "office_scorecard")
    ws: Workspace = request.app.state.ws
    year = _year(ws, year)
    card = ws.scorecard(year)
    behind = card.cadence[card.cadence.behind > 0]
    return render(
        request,
        "scorecard.html",
        user=user,
        card=card,
        year=year,
        tiers=card.tiers.to_dict("records"),
        money=card.money.to_dict("records"),
        cities=card.cities.to_dict("records"),
        cadence=behind.to_dict("records"),
        charts=CHARTS,
    )


def _chart_files(ws: Workspace, year: int) -> dict[str, bytes]:
    """The scorecard's PNG charts, drawn once per state of the history."""
    from ..report.scorecard import write_scorecard

    def make():
        with tempfile.TemporaryDirectory() as tmp:
            write_scorecard(ws.scorecard(year), tmp)
            return {n: (Path(tmp) / f"{n}.png").read_bytes() for n in CHARTS}

    with _drawing:  # the six charts of a page are asked for at once: draw them once
        return ws.cached(f"charts{year}", ws.history_key(), make)


@router.get("/office/chart/{name}.png")
def office_chart(request: Request, name: str, year: int | None = None):
    require(request, "office_chart")
    if name not in CHARTS:
        raise HTTPException(404)
    ws: Workspace = request.app.state.ws
    return Response(_chart_files(ws, _year(ws, year))[name], media_type="image/png")


@router.post("/office/issue")
async def office_issue(request: Request):
    user = require(request, "office_issue")
    form = await check_csrf(request)
    return await run_in_threadpool(_office_issue, request, form, user)


def _office_issue(request, form, user):
    """The work of :func:`office_issue`, off the event loop (database writes and rendering)."""
    ws: Workspace = request.app.state.ws
    week = str(form.get("week", "")).strip() or ws.this_week()
    force = form.get("force") == "1"
    if not _issuing.acquire(blocking=False):
        raise HTTPException(409, _("another week is being issued; try again in a minute"))
    try:
        wp = issue_week(ws.store, ws.config, week, scores=ws.scores(), force=force)
        with ws.store.begin() as conn:
            audit(
                conn,
                user.login,
                "issue_week",
                wp.week,
                {"leads": len(wp.plan), "force": force, "config_sha256": wp.record.get("config_sha256", "")},
            )
    except MatcherError as exc:
        raise HTTPException(400, str(exc)) from None
    finally:
        _issuing.release()
    return RedirectResponse(f"/office?week={wp.week}", status_code=303)
