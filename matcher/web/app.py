"""The web workspace application: FastAPI, server-rendered Jinja2 pages, htmx, signed-cookie sessions.

:func:`create_app` builds the application over one :class:`~matcher.store.core.Store`
and :class:`~matcher.config.model.Config`. Every response carries a strict
Content-Security-Policy (``default-src 'self'``: no inline script or style, no
other host), the page's language comes from ``?lang=`` (kept in a cookie) or
Chinese, the interactive API documentation is off, and every POST needs the
session's CSRF token. Pages are in :mod:`.pages_team`, :mod:`.pages_office`
and :mod:`.pages_dept`; who may see what is :mod:`.security`.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import ClientDisconnect

from ..errors import MatcherError, NotFoundError
from ..i18n import LANGUAGES, gettext, language, parse_language
from ..store.users import get_user, locked_until, login_failed, login_succeeded
from .base import HERE, LoginRequired, check_csrf, environment, render, require
from .data import Workspace
from .security import Throttle, fingerprint, load_secret, new_token, verify_password

__all__ = ["create_app", "CSP", "MAX_BODY_BYTES"]

log = logging.getLogger(__name__)

#: The Content-Security-Policy of every response: nothing from elsewhere, no inline script or style.
CSP = "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


#: Largest request body: the workspace's forms are a few kilobytes, so anything much larger is refused unread.
MAX_BODY_BYTES = 256 * 1024


async def _too_large(send) -> None:
    """413, as plain text, sent before the application has seen the request."""
    body = gettext("the request is larger than {limit} KB; nothing was saved").format(limit=MAX_BODY_BYTES // 1024).encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    headers += [(k.encode(), v.encode()) for k, v in _HEADERS.items()]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _Frame:
    """Pure ASGI middleware: the request's language (as a context variable), a bounded body and the security headers.

    A body larger than :data:`MAX_BODY_BYTES` gets 413 without being read: at once when its
    ``Content-Length`` says so, else as soon as the bytes received pass the limit.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
            return await _too_large(send)
        received = 0
        state = {"started": False, "refused": False}

        async def bounded_receive():
            # Past the limit the client gets 413 and the application sees the client gone.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    if not state["started"]:
                        state["refused"] = True
                        await _too_large(send)
                    return {"type": "http.disconnect"}
            return message

        async def send_checked(message):
            if state["refused"]:
                return
            state["started"] = state["started"] or message["type"] == "http.response.start"
            await send_with_headers(message)

        asked = _lang(parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[0])
        cookie = SimpleCookie()
        for k, v in scope.get("headers", []):
            if k == b"cookie":
                try:
                    cookie.load(v.decode("latin-1"))
                except Exception:  # a malformed cookie header: ignore it
                    pass
        lang = asked or _lang(cookie["lang"].value if "lang" in cookie else "") or LANGUAGES[0]
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in _HEADERS.items():
                    if k == "cache-control" and static:
                        continue
                    headers[k] = v
                if asked:
                    headers.append("set-cookie", f"lang={asked}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly")
            await send(message)

        scope.setdefault("state", {})["lang"] = lang
        with language(lang):
            try:
                await self.app(scope, bounded_receive, send_checked)
            except ClientDisconnect:
                if not state["refused"]:
                    raise


def _lang(value: str) -> str:
    try:
        return parse_language(value) if value else ""
    except ValueError:
        return ""


# ------------------------------------------------------------------ the application


def create_app(store, config, *, secret: str | None = None, secure_cookies: bool = False, today=None) -> FastAPI:
    """The workspace over ``store`` and ``config``.

    ``secret`` signs the session cookie (default: :func:`.security.load_secret` for the store);
    ``secure_cookies`` sends the cookie over HTTPS only (set it behind a TLS proxy);
    ``today`` fixes the date (tests).
    """
    from . import pages_dept, pages_office, pages_team

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, title="matcher")
    app.state.ws = Workspace(store, config, today=today)
    app.state.env = environment()
    app.state.throttle = Throttle()
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret or load_secret(store.url),
        session_cookie="matcher_session",
        max_age=12 * 3600,
        same_site="lax",
        https_only=secure_cookies,
    )
    app.add_middleware(_Frame)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(LoginRequired)
    async def _to_login(request: Request, exc: LoginRequired):
        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(nxt)}", status_code=303)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        words = {
            401: gettext("please log in"),
            403: gettext("you may not see this page"),
            404: gettext("not found"),
            429: gettext("too many attempts; wait a few minutes"),
        }
        message = (
            exc.detail
            if isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase
            else words.get(exc.status_code, str(exc.detail))
        )
        return render(request, "error.html", status=exc.status_code, code=exc.status_code, message=message)

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError):
        return render(request, "error.html", status=404, code=404, message=str(exc))

    @app.exception_handler(MatcherError)
    async def _bad_input(request: Request, exc: MatcherError):
        return render(request, "error.html", status=400, code=400, message=str(exc))

    @app.get("/login")
    def login_page(request: Request, next: str = "/"):
        return render(request, "login.html", next=_safe_next(next), error="")

    @app.post("/login")
    async def login(request: Request):
        form = await check_csrf(request)
        # Password hashing and database writes run off the event loop, so other requests go on meanwhile.
        return await run_in_threadpool(_login, request, form)

    def _login(request: Request, form: dict):
        client = request.client.host if request.client else "?"
        throttle: Throttle = request.app.state.throttle
        if not throttle.allows(client):
            raise HTTPException(429)
        login_name, password = str(form.get("login", "")).strip(), str(form.get("password", ""))
        nxt = _safe_next(str(form.get("next", "/")))
        ws: Workspace = request.app.state.ws
        with ws.store.engine.connect() as conn:
            row = get_user(conn, login_name)
        if row is not None and locked_until(row) is not None:
            return render(request, "login.html", status=429, next=nxt, error=gettext("too many failed logins; wait a few minutes"))
        if row is None or not row["active"] or not verify_password(password, row["password_hash"]):
            throttle.failed(client)
            with ws.store.begin() as conn:
                login_failed(conn, login_name)
            return render(request, "login.html", status=401, next=nxt, error=gettext("wrong login or password"))
        with ws.store.begin() as conn:
            login_succeeded(conn, login_name)
        # A new session on login: nothing of a session made before it (a fixed cookie, a token) survives.
        request.session.clear()
        request.session.update(login=login_name, fp=fingerprint(row["password_hash"]), csrf=new_token())
        return RedirectResponse(nxt, status_code=303)

    @app.post("/logout")
    async def logout(request: Request):
        require(request, "logout")
        await check_csrf(request)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/")
    def home(request: Request):
        user = require(request, "home")
        if user.role == "team":
            return RedirectResponse(f"/team/{quote(user.team_id)}", status_code=303)
        if user.role == "office":
            return RedirectResponse("/office", status_code=303)
        return RedirectResponse("/dept", status_code=303)

    @app.get("/healthz")
    def healthz():
        return Response("ok", media_type="text/plain")

    for module in (pages_team, pages_office, pages_dept):
        app.include_router(module.router)
    return app


def _safe_next(value: str) -> str:
    """Only a path of this site (never ``//host`` or a URL) after logging in."""
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"
