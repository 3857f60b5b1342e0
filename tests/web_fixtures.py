"""Shared set-up of the web workspace tests: a database with the default data, an issued week, one account per role."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("pwdlib")

from fastapi.testclient import TestClient

from matcher.store.core import Store

WEEK = "2026-W49"
TODAY = dt.date(2026, 12, 2)  # Wednesday of WEEK
PASSWORD = "a-long-password-1"
SECRET = "s" * 48
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Site:
    store: Store
    config: object
    app: object
    team_a: str
    team_b: str
    chain: str
    city: str

    def client(self, login: str | None = None) -> TestClient:
        """A browser; logged in as ``login`` when given."""
        c = TestClient(self.app, follow_redirects=False)
        if login is not None:
            r = c.post("/login", data={"csrf": token(c), "login": login, "password": PASSWORD, "next": "/"})
            assert r.status_code == 303, r.text
        return c


def token(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    r = client.get(path)
    return CSRF.search(r.text).group(1)


def make_site(tmp_path, config) -> Site:
    from matcher.demo import import_default_data
    from matcher.plan.issue import issue_week
    from matcher.store.users import add_user
    from matcher.web.app import create_app
    from matcher.web.security import hash_password

    store = Store(tmp_path / "web.db")
    import_default_data(store, config)
    wp = issue_week(store, config, WEEK)
    counts = wp.plan.team_id.value_counts()
    team_a, team_b = sorted(counts[counts >= 3].index)[:2]
    chain = wp.plan.chain.iloc[0]
    chain_id = next(c.id for c in config.chains if c.name_zh == chain)
    city = config.teams[0].home_city
    h = hash_password(PASSWORD)
    with store.begin() as conn:
        add_user(conn, "team-a", "team", h, team_id=team_a)
        add_user(conn, "team-b", "team", h, team_id=team_b)
        add_user(conn, "office", "office", h)
        add_user(conn, "dept-chain", "department", h, chain=chain_id)
        add_user(conn, "dept-city", "department", h, city=city)
    app = create_app(store, config, secret=SECRET, today=TODAY)
    return Site(store, config, app, team_a, team_b, chain_id, city)
