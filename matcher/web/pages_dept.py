"""An industry department's pages (and the office's): target lists with filters, export, one enterprise."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from ..i18n import column_label
from ..i18n import gettext as _
from ..report.writers import write_xlsx
from .base import current_user, render, require
from .data import Workspace

__all__ = ["router", "EXPORT_COLUMNS", "LINK_STATUSES"]

router = APIRouter()

#: Columns of a target list on the page and in its export.
EXPORT_COLUMNS = [
    "rank",
    "enterprise_id",
    "name",
    "name_en",
    "tiers",
    "hq_city",
    "source_region",
    "city",
    "chain",
    "link",
    "link_status",
    "score",
    "reason_zh",
]
LINK_STATUSES = ("missing", "weak", "strong")


def _filters(request: Request, ws: Workspace, chain: str, city: str, region: str, list_type: str, status: str) -> dict:
    """The filters asked for, the binding of a department account filled in, each checked against the configuration."""
    user = current_user(request)
    if user is None:
        require(request, "dept")  # to the login page
    if user is not None and user.role == "department":
        chain, city = chain or user.chain, city or user.city
    if user is not None and user.role == "office" and not chain and not city:
        chain = ws.config.chains[0].id
    bad = (
        (chain and chain not in ws.chains)
        or (city and city not in ws.cities)
        or (region and region not in {r.id for r in ws.config.regions})
        or (list_type and list_type not in {t.id for t in ws.config.tiers})
        or (status and status not in LINK_STATUSES)
    )
    if bad:
        raise HTTPException(400, _("unknown filter value; choose from the lists on the page"))
    return {"chain": chain, "city": city, "region": region, "list_type": list_type, "status": status}


@router.get("/dept")
def dept(request: Request, chain: str = "", city: str = "", region: str = "", list: str = "", status: str = "", top: int = 100):
    ws: Workspace = request.app.state.ws
    f = _filters(request, ws, chain, city, region, list, status)
    user = require(request, "dept", chain=f["chain"], city=f["city"])
    top = max(1, min(int(top), 2000))
    frame = ws.target_list(**f, top=top)
    query = "&".join(f"{k if k != 'list_type' else 'list'}={quote(v)}" for k, v in f.items() if v)
    return render(
        request,
        "dept.html",
        user=user,
        f=f,
        what=" · ".join(
            x for x in (ws.cities[f["city"]].name_zh if f["city"] else "", ws.chains[f["chain"]].name_zh if f["chain"] else "") if x
        ),
        top=top,
        rows=frame.to_dict("records"),
        query=query,
        chains=[(c.id, c.name_zh) for c in ws.config.chains],
        cities=[(c.id, c.name_zh) for c in ws.config.cities],
        regions=[(r.id, r.name_zh) for r in ws.config.regions],
        tiers=[(t.id, t.name_zh) for t in ws.config.tiers],
        statuses=[(s, column_label(s)) for s in LINK_STATUSES],
    )


@router.get("/dept/export.xlsx")
def dept_export(request: Request, chain: str = "", city: str = "", region: str = "", list: str = "", status: str = "", top: int = 500):
    ws: Workspace = request.app.state.ws
    f = _filters(request, ws, chain, city, region, list, status)
    require(request, "dept_export", chain=f["chain"], city=f["city"])
    frame = ws.target_list(**f, top=max(1, min(int(top), 5000)))[EXPORT_COLUMNS]
    frame = frame.rename(columns={c: column_label(c) for c in frame.columns})
    what = " · ".join(
        x for x in (ws.cities[f["city"]].name_zh if f["city"] else "", ws.chains[f["chain"]].name_zh if f["chain"] else "") if x
    )
    title = _("Target list: {what}").format(what=what)
    with tempfile.TemporaryDirectory() as tmp:
        # The one writer: every text cell stored as text, never as a formula.
        body = write_xlsx({_("targets")[:31]: frame}, Path(tmp) / "targets.xlsx", title=title).read_bytes()
    name = quote(f"targets-{f['chain'] or f['city']}.xlsx")
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.get("/enterprise/{enterprise_id}")
def enterprise(request: Request, enterprise_id: str):
    ws: Workspace = request.app.state.ws
    user = current_user(request)
    ok = True
    if user is not None and user.role == "team":
        ok = ws.may_see_enterprise(user.team_id, enterprise_id)
    elif user is not None and user.role == "department":
        ok = ws.in_department(enterprise_id, chain=user.chain, city=user.city)
    user = require(request, "enterprise", enterprise_ok=ok)
    e = ws.enterprise(enterprise_id)
    return render(
        request,
        "enterprise.html",
        user=user,
        e=e["row"],
        tiers=e["tiers"],
        ranks=e["ranks"].to_dict("records"),
        visits=e["visits"].to_dict("records"),
        projects=e["projects"].to_dict("records"),
    )
