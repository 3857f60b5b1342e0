"""``matcher web``: serve the web workspace, and manage its accounts (no default account exists)."""

from __future__ import annotations

import click

from ..i18n import N_
from ..i18n import gettext as _
from .context import Ctx

__all__ = ["web"]


@click.group(help=N_('The web workspace for the teams, the office and the industry departments (needs pip install -e ".[web]").'))
def web():
    pass


@web.command(help=N_("Serve the web workspace over the database (127.0.0.1:8000 by default; accounts: matcher web user add)."))
@click.option(
    "--host", default="127.0.0.1", show_default=True, help=N_("Address to listen on; keep 127.0.0.1 unless a TLS proxy is in front.")
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help=N_("Port to listen on."))
@click.option("--secure-cookies", is_flag=True, help=N_("Send the session cookie over HTTPS only (behind a TLS proxy)."))
@click.pass_obj
def serve(obj: Ctx, host, port, secure_cookies):
    from ..errors import MatcherError

    try:
        import uvicorn

        from ..web.app import create_app
    except ImportError:
        raise MatcherError(_('the web workspace needs its extra: pip install -e ".[web]"')) from None
    store = obj.store()
    app = create_app(store, obj.config, secure_cookies=secure_cookies)
    click.echo(_("serving {db} at http://{host}:{port}/ (Ctrl+C stops)").format(db=store.label, host=host, port=port))
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


@web.group(help=N_("Accounts of the web workspace: add, disable, reset, list."))
def user():
    pass


def _password() -> str:
    from ..web.security import check_password_strength

    password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=_("Repeat the password"))
    check_password_strength(password)
    return password


@user.command(
    "add", help=N_("Add an account: a team account is bound to --team, a department to --chain or --city, the office to nothing.")
)
@click.argument("login")
@click.option("--role", required=True, type=click.Choice(["team", "office", "department"]), help=N_("What the account may see."))
@click.option("--team", "team", default="", help=N_("The team of a team account (its id, e.g. qinzhou-gba)."))
@click.option("--chain", default="", help=N_("The chain of a department account (id, Chinese or English name)."))
@click.option("--city", default="", help=N_("The city of a department account (id, Chinese or English name)."))
@click.pass_obj
def add(obj: Ctx, login, role, team, chain, city):
    from ..errors import MatcherError
    from ..store.users import add_user
    from ..web.security import hash_password

    cfg = obj.config
    if team and team not in {t.id for t in cfg.teams}:
        raise MatcherError(
            _("unknown team {team!r}; expected one of {choices}").format(team=team, choices=", ".join(t.id for t in cfg.teams))
        )
    chain = cfg.chain(chain).id if chain else ""
    city = cfg.city(city).id if city else ""
    store = obj.store()
    password_hash = hash_password(_password())
    with store.begin() as conn:
        add_user(conn, login, role, password_hash, team_id=team, chain=chain, city=city)
    click.echo(_("account {login} added ({role})").format(login=login, role=role))


@user.command("disable", help=N_("Disable an account: it cannot log in and its open sessions end."))
@click.argument("login")
@click.pass_obj
def disable(obj: Ctx, login):
    from ..store.users import set_active

    with obj.store().begin() as conn:
        set_active(conn, login, False)
    click.echo(_("account {login} disabled").format(login=login))


@user.command("reset", help=N_("Give an account a new password (asked twice, never on the command line); it is enabled again."))
@click.argument("login")
@click.pass_obj
def reset(obj: Ctx, login):
    from ..errors import MatcherError
    from ..store.users import get_user, set_password
    from ..web.security import hash_password

    store = obj.store()
    with store.engine.connect() as conn:
        if get_user(conn, login) is None:
            raise MatcherError(_("no account {login!r}; see matcher web user list").format(login=login))
    password_hash = hash_password(_password())
    with store.begin() as conn:
        set_password(conn, login, password_hash)
    click.echo(_("password of {login} replaced; its open sessions have ended").format(login=login))


@user.command("list", help=N_("List the accounts (never their passwords)."))
@click.pass_obj
def list_users(obj: Ctx):
    from ..store.users import users_frame

    store = obj.store()
    with store.engine.connect() as conn:
        frame = users_frame(conn)
    if frame.empty:
        click.echo(_("no account yet; add one with matcher web user add LOGIN --role office"))
        return
    click.echo(frame[["login", "role", "team_id", "chain", "city", "active", "failed_logins"]].to_string(index=False))
