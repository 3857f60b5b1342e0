"""What every page uses: the logged-in account, the access rule, the CSRF check and rendering."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException

from ..i18n import LANGUAGES, column_label, gettext
from ..store.users import get_user
from .data import Workspace
from .security import User, allowed, fingerprint, new_token, same_token

__all__ = ["HERE", "LoginRequired", "current_user", "require", "check_csrf", "csrf_token", "render", "environment", "is_htmx"]

HERE = Path(__file__).resolve().parent


def current_user(request: Request) -> User | None:
    """The logged-in account, checked against the database on every request (disabled or reset: logged out)."""
    login = request.session.get("login")
    if not login:
        return None
    ws: Workspace = request.app.state.ws
    with ws.store.engine.connect() as conn:
        row = get_user(conn, login)
    if row is None or not row["active"] or request.session.get("fp") != fingerprint(row["password_hash"]):
        request.session.clear()
        return None
    return User(row["login"], row["role"], row["team_id"], row["chain"], row["city"])


class LoginRequired(Exception):
    """Raised for a page that needs an account when nobody is logged in."""


def require(request: Request, rule: str, **binding) -> User:
    """The logged-in account if it may use route ``rule`` for ``binding`` (see :func:`.security.allowed`).

    Raises
    ------
    HTTPException
        403 when the account may not; a GET without an account goes to the login page.
    """
    user = current_user(request)
    if user is None:
        if request.method == "GET":
            raise LoginRequired()
        raise HTTPException(401)
    if not allowed(user, rule, **binding):
        raise HTTPException(403)
    return user


async def check_csrf(request: Request) -> dict:
    """The posted form, after checking its CSRF token (field ``csrf`` or header ``X-CSRF-Token``) against the session's.

    Raises
    ------
    HTTPException
        403 when the token is missing or wrong.
    """
    form = dict(await request.form())
    token = form.get("csrf") or request.headers.get("x-csrf-token")
    if not same_token(token, request.session.get("csrf")):
        raise HTTPException(403, gettext("the form has expired or did not come from this site; reload the page and try again"))
    return form


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = new_token()
    return token


def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    """A page (or, for htmx, a fragment) rendered in the request's language, every value escaped."""
    env: Environment = request.app.state.env
    lang = request.scope.get("state", {}).get("lang", LANGUAGES[0])
    user = context.pop("user", None)
    if user is None and "login" in request.session:
        user = current_user(request)
    other = "en" if lang == "zh" else "zh"
    teams = {t.id: t.label for t in request.app.state.ws.config.teams}
    html = env.get_template(template).render(
        request=request,
        user=user,
        csrf=csrf_token(request),
        lang=lang,
        other_lang=other,
        path=request.url.path,
        team_name=lambda team_id: teams.get(team_id, team_id),  # 南宁驻粤港澳（深圳）小分队, not nanning-gba
        **context,
    )
    return HTMLResponse(html, status_code=status)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True
    )
    env.globals.update(_=gettext, column_label=column_label)
    env.filters["num"] = lambda v, d=0: "" if v is None or v != v else f"{float(v):,.{d}f}"
    return env


def is_htmx(request: Request) -> bool:
    """Whether htmx made the request (it then gets a fragment, not a page)."""
    return request.headers.get("hx-request") == "true"
