"""Who may see what, passwords, the session secret, CSRF tokens and login throttling.

**One rule** decides every page: :data:`RULES` names, for each route, the roles
that may use it and what the route is bound to (a team, a department's chain
or city, an enterprise); :func:`allowed` applies it. The route handlers call
:func:`allowed` (through :func:`matcher.web.app.require`) before any query, and
the tests build the full role × route matrix from :data:`RULES`.

Passwords are hashed with argon2id (``pwdlib``). The session cookie is signed
with a secret generated on first run and kept beside the SQLite database
(``<db>.web-secret``, mode 0600) or given in ``$MATCHER_WEB_SECRET``; there is
no default secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from ..errors import MatcherError
from ..i18n import gettext as _

__all__ = [
    "RULES",
    "Rule",
    "User",
    "allowed",
    "hash_password",
    "verify_password",
    "fingerprint",
    "load_secret",
    "new_token",
    "same_token",
    "Throttle",
    "MIN_PASSWORD",
    "check_password_strength",
]

#: Shortest password an account may have.
MIN_PASSWORD = 10


@dataclass(frozen=True)
class Rule:
    """Who may use a route: ``roles``, and for a team the route's team must be its own (``scope="team"``)."""

    method: str
    path: str
    roles: tuple[str, ...]
    scope: str = ""  # "" | team | department | enterprise


#: Every route of the workspace that needs an account, by name.
RULES: dict[str, Rule] = {
    "home": Rule("GET", "/", ("team", "office", "department")),
    "logout": Rule("POST", "/logout", ("team", "office", "department")),
    "team_week": Rule("GET", "/team/{team_id}", ("team", "office"), "team"),
    "team_history": Rule("GET", "/team/{team_id}/history", ("team", "office"), "team"),
    "team_outcome": Rule("POST", "/team/{team_id}/outcome", ("team",), "team"),
    "team_stage": Rule("POST", "/team/{team_id}/stage", ("team",), "team"),
    "team_done": Rule("POST", "/team/{team_id}/done", ("team",), "team"),
    "office": Rule("GET", "/office", ("office",)),
    "office_scorecard": Rule("GET", "/office/scorecard", ("office",)),
    "office_chart": Rule("GET", "/office/chart/{name}.png", ("office",)),
    "office_issue": Rule("POST", "/office/issue", ("office",)),
    "dept": Rule("GET", "/dept", ("department", "office"), "department"),
    "dept_export": Rule("GET", "/dept/export.xlsx", ("department", "office"), "department"),
    "enterprise": Rule("GET", "/enterprise/{enterprise_id}", ("team", "office", "department"), "enterprise"),
}


@dataclass(frozen=True)
class User:
    """A logged-in account: its login, role and binding."""

    login: str
    role: str
    team_id: str = ""
    chain: str = ""
    city: str = ""


def allowed(user: User | None, rule: str, *, team_id: str = "", chain: str = "", city: str = "", enterprise_ok: bool = True) -> bool:
    """Whether ``user`` may use the route ``rule`` for that team, chain or city.

    - a team account only its own team's pages (and enterprises of its own leads: ``enterprise_ok``);
    - a department account only its chain or city (a department bound to a chain may look at that chain
      in any city, one bound to a city any chain of that city; bound to both, only that pair);
    - the office everything.
    """
    if user is None:
        return False
    r = RULES[rule]
    if user.role not in r.roles:
        return False
    if user.role == "office":
        return True
    if r.scope == "team":
        return user.role == "team" and team_id == user.team_id
    if r.scope == "department":
        return user.role == "department" and (not user.chain or chain == user.chain) and (not user.city or city == user.city)
    if r.scope == "enterprise":
        return enterprise_ok
    return True


# ------------------------------------------------------------------ passwords


def _hasher():
    try:
        from pwdlib import PasswordHash
        from pwdlib.hashers.argon2 import Argon2Hasher
    except ImportError:  # pragma: no cover - the web extra is missing
        raise MatcherError(_('the web workspace needs its extra: pip install -e ".[web]"')) from None
    return PasswordHash((Argon2Hasher(),))


def check_password_strength(password: str) -> None:
    """Refuse a password shorter than :data:`MIN_PASSWORD` characters."""
    if len(password) < MIN_PASSWORD:
        raise MatcherError(_("a password needs at least {n} characters").format(n=MIN_PASSWORD))


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    check_password_strength(password)
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False for a malformed hash)."""
    try:
        return _hasher().verify(password, password_hash)
    except Exception:  # a malformed or foreign hash never logs anyone in
        return False


def fingerprint(password_hash: str) -> str:
    """A short fingerprint of a password hash kept in the session: a new password ends the old sessions."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------ secret and tokens


def load_secret(db_url: str, *, env: str = "MATCHER_WEB_SECRET") -> str:
    """The session secret: ``$MATCHER_WEB_SECRET``, else ``<db>.web-secret`` beside a SQLite file (made on first run).

    Raises
    ------
    MatcherError
        For a server database without ``$MATCHER_WEB_SECRET``, or an environment secret shorter than 32 characters.
    """
    given = os.environ.get(env, "")
    if given:
        if len(given) < 32:
            raise MatcherError(_("${name} is too short: give at least 32 random characters").format(name=env))
        return given
    if not db_url.startswith("sqlite:///") or db_url.endswith(":memory:"):
        raise MatcherError(_("set ${name} to a random secret of at least 32 characters for a server database").format(name=env))
    path = Path(db_url[len("sqlite:///") :]).with_suffix(".web-secret")
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    text = path.read_text().strip()
    if len(text) < 32:
        raise MatcherError(_("the session secret {path} is damaged; delete it and start again (everyone logs in again)").format(path=path))
    return text


def new_token() -> str:
    """A new random CSRF token."""
    return secrets.token_urlsafe(32)


def same_token(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens (False when either is missing)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class Throttle:
    """At most ``limit`` failed logins per client address in ``window`` seconds (in memory, per process)."""

    def __init__(self, limit: int = 10, window: float = 300.0):
        self.limit, self.window = limit, window
        self._seen: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        q = self._seen.setdefault(key, deque())
        while q and q[0] < now - self.window:
            q.popleft()
        return q

    def allows(self, key: str) -> bool:
        """Whether ``key`` may try to log in now (fewer than ``limit`` failures in the window)."""
        with self._lock:
            return len(self._recent(key, time.monotonic())) < self.limit

    def failed(self, key: str) -> None:
        """Count a failed login from ``key``."""
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)
