"""Accounts of the web workspace and the audit trail of every write a page makes (schema version 5).

An account has a login, a role and what the role is bound to: a ``team``
account to one team, a ``department`` account to an industrial chain or a
city, an ``office`` account to nothing (it sees everything). There is no
default account: they are made with ``matcher web user add``. Passwords are
stored as the hash the caller made (argon2id in :mod:`matcher.web.security`);
this module never sees a password.

Every function takes an open connection; writers run inside the caller's
transaction (:func:`matcher.store.engine.begin`), so an account change and its
audit row land together.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from ..errors import StoreError
from ..i18n import gettext as _
from .rows import now
from .schema import audit_t, users_t

__all__ = [
    "ROLES",
    "LOGIN_PATTERN",
    "MAX_FAILURES",
    "add_user",
    "get_user",
    "users_frame",
    "set_password",
    "set_active",
    "login_failed",
    "login_succeeded",
    "locked_until",
    "audit",
    "audit_frame",
]

#: Roles of the web workspace.
ROLES = ("team", "office", "department")
#: What a login may look like: letters, digits, ``. _ -``, 2 to 64 characters.
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
#: Failed logins in a row after which an account waits before the next try (doubling each time, at most 15 minutes).
MAX_FAILURES = 5
_MAX_LOCK_S = 900


def _check_login(login: str) -> str:
    if not LOGIN_PATTERN.match(login or ""):
        raise StoreError(
            _("login {login!r} is not valid: use 2 to 64 letters, digits, '.', '_' or '-', beginning with a letter or digit").format(
                login=login
            )
        )
    return login


def add_user(
    conn, login: str, role: str, password_hash: str, *, team_id: str = "", chain: str = "", city: str = "", by: str = "cli"
) -> None:
    """Add the account ``login`` (inside the caller's transaction), audited.

    Raises
    ------
    StoreError
        When the login is not valid or taken, the role unknown, or the binding does not fit the role
        (a team account needs a team; a department account a chain or a city; an office account neither).
    """
    _check_login(login)
    if role not in ROLES:
        raise StoreError(_("unknown role {role!r}; expected one of {choices}").format(role=role, choices=", ".join(ROLES)))
    if role == "team" and (not team_id or chain or city):
        raise StoreError(_("a team account needs --team and nothing else"))
    if role == "department" and (team_id or not (chain or city)):
        raise StoreError(_("a department account needs --chain or --city (or both) and no --team"))
    if role == "office" and (team_id or chain or city):
        raise StoreError(_("an office account is bound to nothing: give no --team, --chain or --city"))
    if get_user(conn, login) is not None:
        raise StoreError(_("login {login!r} exists already").format(login=login))
    t = now()
    conn.execute(
        users_t.insert().values(
            login=login,
            role=role,
            team_id=team_id,
            chain=chain,
            city=city,
            password_hash=password_hash,
            active=True,
            failed_logins=0,
            locked_until=None,
            created_at=t,
            updated_at=t,
        )
    )
    audit(conn, by, "user_add", login, {"role": role, "team_id": team_id, "chain": chain, "city": city})


def get_user(conn, login: str) -> dict | None:
    """The account ``login`` as a dict (None when there is none)."""
    row = conn.execute(sa.select(users_t).where(users_t.c.login == login)).mappings().first()
    return dict(row) if row is not None else None


def users_frame(conn) -> pd.DataFrame:
    """Every account without its password hash, by login."""
    cols = [c for c in users_t.columns if c.name != "password_hash"]
    return pd.read_sql(sa.select(*cols).order_by(users_t.c.login), conn)


def _require(conn, login: str) -> dict:
    user = get_user(conn, login)
    if user is None:
        raise StoreError(_("no account {login!r}; see matcher web user list").format(login=login))
    return user


def set_password(conn, login: str, password_hash: str, *, by: str = "cli") -> None:
    """Replace the password of ``login`` (its sessions end: they carry the old hash's fingerprint), re-enable it, audited."""
    _require(conn, login)
    conn.execute(
        users_t.update()
        .where(users_t.c.login == login)
        .values(password_hash=password_hash, active=True, failed_logins=0, locked_until=None, updated_at=now())
    )
    audit(conn, by, "user_reset", login, {})


def set_active(conn, login: str, active: bool, *, by: str = "cli") -> None:
    """Enable or disable ``login`` (a disabled account cannot log in and its sessions end), audited."""
    _require(conn, login)
    conn.execute(users_t.update().where(users_t.c.login == login).values(active=active, updated_at=now()))
    audit(conn, by, "user_enable" if active else "user_disable", login, {})


def _parse_time(text: str | None) -> datetime | None:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) if text else None


def locked_until(user: dict, at: datetime | None = None) -> datetime | None:
    """When the account may try to log in again after failures (None: now)."""
    until = _parse_time(user.get("locked_until"))
    at = at or datetime.now(UTC)
    return until if until is not None and until > at else None


def login_failed(conn, login: str) -> None:
    """Count a failed login of an existing account; from :data:`MAX_FAILURES` on it waits, doubling each time."""
    user = get_user(conn, login)
    if user is None:
        return
    n = int(user["failed_logins"]) + 1
    until = None
    if n >= MAX_FAILURES:
        seconds = min(_MAX_LOCK_S, 30 * 2 ** (n - MAX_FAILURES))
        until = (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    conn.execute(users_t.update().where(users_t.c.login == login).values(failed_logins=n, locked_until=until))
    audit(conn, login, "login_failed", login, {"failures": n})


def login_succeeded(conn, login: str) -> None:
    """Clear the failure count of ``login``, audited."""
    conn.execute(users_t.update().where(users_t.c.login == login).values(failed_logins=0, locked_until=None))
    audit(conn, login, "login", login, {})


def audit(conn, login: str, action: str, target: str, detail: dict | str) -> None:
    """Write one audit row: who (``login``), what (``action`` on ``target``, ``detail``), when (now, UTC)."""
    text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    conn.execute(audit_t.insert().values(at=now(), login=login, action=action, target=str(target), detail=text))


def audit_frame(conn, *, limit: int | None = None) -> pd.DataFrame:
    """The audit trail, newest first."""
    q = sa.select(audit_t).order_by(audit_t.c.audit_id.desc())
    if limit is not None:
        q = q.limit(limit)
    return pd.read_sql(q, conn)
