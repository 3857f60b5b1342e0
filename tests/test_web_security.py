"""The web workspace's security: the role × route matrix from one table, CSRF, sessions, throttling, headers, accounts."""

from __future__ import annotations

import os
import re
import stat

import pytest
from click.testing import CliRunner

from .web_fixtures import PASSWORD, SECRET, WEEK, make_site, token


@pytest.fixture(scope="module")
def site(tmp_path_factory, config):
    return make_site(tmp_path_factory.mktemp("websec"), config)


ROLES = ("team-a", "team-b", "office", "dept-chain", "dept-city", None)


def _url(site, name: str) -> tuple[str, dict, dict]:
    """A concrete URL for the route ``name``, its form, and the binding the rule is checked against (team A's)."""
    from matcher.web.security import RULES

    rule = RULES[name]
    path = rule.path.replace("{team_id}", site.team_a).replace("{name}", "tiers")
    lead = site.store.issued_leads().query("team_id == @site.team_a and week == @WEEK").enterprise_id.iloc[0]
    path = path.replace("{enterprise_id}", lead)
    form = {
        "team_outcome": {"week": WEEK, "enterprise_id": lead, "outcome": "appointment"},
        "team_stage": {"week": WEEK, "enterprise_id": lead, "stage": "contacted"},
        "team_done": {"feedback_id": f"{WEEK}|{site.team_a}|{lead}"},
        "office_issue": {"week": WEEK},
    }.get(name, {})
    return path, form, {"team_id": site.team_a, "chain": site.chain, "enterprise_id": lead}


def _expected(site, login: str | None, name: str, binding: dict) -> bool:
    """Who may use what, written out once more by hand: the table the rule must agree with."""
    if login is None:
        return False
    team, dept = login.startswith("team"), login.startswith("dept")
    if name in ("home", "logout"):
        return True
    if name.startswith("office"):
        return login == "office"
    if name.startswith("team_"):
        return login == "team-a" or (login == "office" and name in ("team_week", "team_history"))
    if name.startswith("dept"):  # the page of team A's chain (the department's default binding)
        return login in ("office", "dept-chain", "dept-city")
    if name == "enterprise":
        if team:
            return login == "team-a" or site.app.state.ws.may_see_enterprise(site.team_b, binding["enterprise_id"])
        if dept:
            return site.app.state.ws.in_department(binding["enterprise_id"], **({"chain": site.chain} if login == "dept-chain" else {"city": site.city}))
        return True
    raise AssertionError(name)


def _matrix():
    from matcher.web.security import RULES

    return [(name, login) for name in RULES for login in ROLES]


@pytest.fixture(scope="module")
def browsers(site):
    """One logged-in browser per account, shared by the matrix (logging in costs an argon2 check)."""
    return {login: site.client(login) for login in ROLES if login is not None}


@pytest.mark.parametrize(("name", "login"), _matrix())
def test_role_route_matrix(site, browsers, name, login):
    from matcher.web.security import RULES

    rule = RULES[name]
    path, form, binding = _url(site, name)
    c = browsers[login] if login is not None and name != "logout" else site.client(login)
    expected = _expected(site, login, name, binding)
    if rule.method == "GET":
        r = c.get(path)
        if login is None:
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        else:
            assert (r.status_code in (200, 303)) == expected, (r.status_code, r.text[:300])
            assert r.status_code in (200, 303, 403)
    else:
        r = c.post(path, data={"csrf": token(c), **form})
        if login is None:
            assert r.status_code == 401
        else:
            assert (r.status_code in (200, 303)) == expected, (r.status_code, r.text[:300])
            assert r.status_code in (200, 303, 403)


def test_other_teams_and_other_chains_are_forbidden(site, config):
    c = site.client("team-a")
    assert c.get(f"/team/{site.team_b}").status_code == 403
    assert c.get(f"/team/{site.team_b}/history").status_code == 403
    assert c.post(f"/team/{site.team_b}/outcome", data={"csrf": token(c), "week": WEEK}).status_code == 403
    assert c.get("/office").status_code == 403 and c.get("/dept").status_code == 403
    d = site.client("dept-city")
    other_city = next(x.id for x in config.cities if x.id != site.city)
    assert d.get(f"/dept?city={other_city}").status_code == 403
    assert d.get("/dept").status_code == 200


@pytest.mark.parametrize("name", ["logout", "team_outcome", "team_stage", "team_done", "office_issue"])
def test_every_post_needs_the_session_csrf_token(site, name):
    from matcher.web.security import RULES

    assert {n for n, r in RULES.items() if r.method == "POST"} == {"logout", "team_outcome", "team_stage", "team_done", "office_issue"}
    path, form, _ = _url(site, name)
    login = "office" if name == "office_issue" else "team-a"
    c = site.client(login)
    other = site.client(login)  # another session's token does not fit this one
    n = site.store.counts()
    assert c.post(path, data=form).status_code == 403
    assert c.post(path, data={**form, "csrf": "forged"}).status_code == 403
    assert c.post(path, data={**form, "csrf": token(other)}).status_code == 403
    assert site.store.counts() == n


def test_login_form_needs_csrf_too(site):
    c = site.client()
    r = c.post("/login", data={"login": "office", "password": PASSWORD})
    assert r.status_code == 403


def test_headers_no_docs_no_inline_script_nothing_from_elsewhere(site):
    from matcher.web.app import CSP

    c = site.client("office")
    for path in ("/login", "/office", f"/team/{site.team_a}", "/dept", "/office/scorecard"):
        r = c.get(path)
        assert r.status_code == 200
        assert r.headers["content-security-policy"] == CSP and "default-src 'self'" in CSP
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text), path  # no inline script
        assert not re.search(r"\bstyle=", r.text), path  # no inline style
        assert not re.search(r"(?:src|href|action)=\"(?:https?:)?//", r.text), path  # nothing from another host
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert c.get(path).status_code == 404
    js = c.get("/static/htmx.min.js")
    assert js.status_code == 200 and "htmx" in js.text[:2000]


def test_session_is_new_at_login_and_ends_when_disabled_or_reset(site):
    from matcher.store.users import set_active, set_password
    from matcher.web.security import hash_password

    c = site.client()
    c.get("/login")
    before = c.cookies.get("matcher_session")
    r = c.post("/login", data={"csrf": token(c), "login": "dept-city", "password": PASSWORD})
    assert r.status_code == 303
    after = c.cookies.get("matcher_session")
    assert before and after and before != after
    # The cookie from before the login gives no access (session fixation).
    old = site.client()
    old.cookies.set("matcher_session", before)
    assert old.get("/dept").status_code == 303
    assert c.get("/dept").status_code == 200
    with site.store.begin() as conn:
        set_active(conn, "dept-city", False, by="test")
    assert c.get("/dept").status_code == 303
    with site.store.begin() as conn:
        set_password(conn, "dept-city", hash_password(PASSWORD), by="test")  # re-enabled, new hash
    assert c.get("/dept").status_code == 303  # the old session carried the old hash
    assert site.client("dept-city").get("/dept").status_code == 200


def test_login_throttling(site, config, tmp_path):
    from matcher.store.core import Store
    from matcher.store.users import add_user
    from matcher.web.app import create_app
    from matcher.web.security import hash_password

    store = Store(tmp_path / "t.db")
    with store.begin() as conn:
        add_user(conn, "office", "office", hash_password(PASSWORD))
    from fastapi.testclient import TestClient

    c = TestClient(create_app(store, config, secret=SECRET), follow_redirects=False)
    for _ in range(5):
        assert c.post("/login", data={"csrf": token(c), "login": "office", "password": "wrong-password"}).status_code == 401
    # The account now waits, even with the right password.
    assert c.post("/login", data={"csrf": token(c), "login": "office", "password": PASSWORD}).status_code == 429
    # And one address gets at most 10 tries in five minutes, whatever the login.
    codes = [c.post("/login", data={"csrf": token(c), "login": f"nobody{i}", "password": "x"}).status_code for i in range(6)]
    assert codes[-1] == 429 and 401 in codes


def test_secret_is_generated_beside_the_database_never_a_default(tmp_path, monkeypatch):
    from matcher.errors import MatcherError
    from matcher.web.security import load_secret

    monkeypatch.delenv("MATCHER_WEB_SECRET", raising=False)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    first = load_secret(url)
    path = tmp_path / "x.web-secret"
    assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600 and len(first) >= 32
    assert load_secret(url) == first
    assert load_secret(f"sqlite:///{tmp_path / 'y.db'}") != first
    with pytest.raises(MatcherError, match="MATCHER_WEB_SECRET"):
        load_secret("postgresql+psycopg://u@h/db")
    monkeypatch.setenv("MATCHER_WEB_SECRET", "short")
    with pytest.raises(MatcherError, match="MATCHER_WEB_SECRET"):
        load_secret(url)
    monkeypatch.setenv("MATCHER_WEB_SECRET", "k" * 40)
    assert load_secret("postgresql+psycopg://u@h/db") == "k" * 40


def test_cli_accounts_add_disable_reset(tmp_path, config):
    from matcher.cli.context import Ctx
    from matcher.cli.web import web
    from matcher.store.core import Store
    from matcher.store.users import get_user
    from matcher.web.security import verify_password

    db = str(tmp_path / "u.db")
    run = lambda args, text="": CliRunner().invoke(web, args, obj=Ctx(db, None), input=text)  # noqa: E731
    team = config.teams[0].id
    r = run(["user", "add", "qz", "--role", "team", "--team", team], f"{PASSWORD}\n{PASSWORD}\n")
    assert r.exit_code == 0, r.output
    assert PASSWORD not in r.output  # asked hidden, never echoed
    store = Store(db)
    with store.engine.connect() as conn:
        u = get_user(conn, "qz")
    assert u["role"] == "team" and u["team_id"] == team and verify_password(PASSWORD, u["password_hash"])
    assert u["password_hash"].startswith("$argon2id$")
    # No password on the command line, a short one refused, a wrong binding refused.
    assert run(["user", "add", "x1", "--role", "office", "--password", PASSWORD]).exit_code != 0
    assert run(["user", "add", "x2", "--role", "office"], "short\nshort\n").exit_code != 0
    assert run(["user", "add", "x3", "--role", "team"], f"{PASSWORD}\n{PASSWORD}\n").exit_code != 0
    assert run(["user", "add", "x4", "--role", "department", "--chain", "汽车"], f"{PASSWORD}\n{PASSWORD}\n").exit_code == 0
    with store.engine.connect() as conn:
        assert get_user(conn, "x4")["chain"] == "automotive" and get_user(conn, "x2") is None
    assert run(["user", "disable", "qz"]).exit_code == 0
    with store.engine.connect() as conn:
        assert not get_user(conn, "qz")["active"]
    new = "another-password-2"
    assert run(["user", "reset", "qz"], f"{new}\n{new}\n").exit_code == 0
    with store.engine.connect() as conn:
        u = get_user(conn, "qz")
        audit = [r[0] for r in conn.exec_driver_sql("select action from audit order by audit_id")]
    assert u["active"] and verify_password(new, u["password_hash"])
    assert audit == ["user_add", "user_add", "user_disable", "user_reset"]
    r = run(["user", "list"])
    assert "qz" in r.output and "argon2" not in r.output


def test_no_default_account(tmp_path, config):
    from matcher.store.core import Store

    store = Store(tmp_path / "n.db")
    assert store.counts()["users"] == 0 and store.schema_version >= 5


def test_oversized_requests_are_refused_unread(site):
    """A body over the limit gets 413 and changes nothing, whether it declares its length or streams it."""
    from matcher.web.app import MAX_BODY_BYTES

    c = site.client("team-a")
    path, form, _ = _url(site, "team_outcome")
    before = site.store.read("lead_feedback")
    big = {**form, "csrf": token(c, f"/team/{site.team_a}"), "note": "x" * (MAX_BODY_BYTES + 1)}
    r = c.post(path, data=big)
    assert r.status_code == 413 and "KB" in r.text and r.headers["x-content-type-options"] == "nosniff"

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(MAX_BODY_BYTES // 4096 + 2):
            yield b"note=" + b"x" * 4091

    r = c.post(path, content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert site.store.read("lead_feedback").equals(before)
    # A form of ordinary size still works.
    assert c.get(f"/team/{site.team_a}").status_code == 200
