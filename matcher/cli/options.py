"""Options that several commands share, written once."""

from __future__ import annotations

import click

__all__ = ["file_option", "sheet_file", "today_option", "ConfigName", "CITY", "CHAIN", "REGION", "LIST_TYPE", "TEAM", "TARGET", "WEEK"]


def file_option(name: str, help: str):
    """An optional input file, ``name FILE`` (a file, not a folder); ``None`` when not given."""
    return click.option(name, default=None, metavar="FILE", type=click.Path(dir_okay=False), help=help)


def sheet_file(command):
    """The ``FILE`` argument and the ``--sheet`` option of a sheet import."""
    command = click.option("--sheet", default=None, help="Worksheet of an Excel file (default: the first).")(command)
    return click.argument("file", type=click.Path(dir_okay=False))(command)


#: ``--today``: the last day a date in an imported sheet may fall on.
today_option = click.option("--today", default=None, metavar="DATE", help="Reject dates after this day (default: today).")


class ConfigName(click.ParamType):
    """A city, chain, region, list type, team or annual target as people type it, converted to its id.

    Certain names are taken (柳州, 柳州市, liuzhou; 汽车产业链; 民营企业500强, with a
    note on stderr saying what it was taken for); anything else stops with the
    closest names ("did you mean", :mod:`matcher.config.suggest`), as one line
    and exit status 1 like every other error.
    """

    def __init__(self, kind: str, items: str):
        self.kind, self.items, self.name = kind, items, kind

    def convert(self, value, param, ctx):
        from ..config.suggest import find_item, item_label
        from ..i18n import gettext
        from .context import Ctx

        obj = ctx.find_object(Ctx) if ctx is not None else None
        if obj is None:
            from ..config.load import load_config

            config = load_config()
        else:
            config = obj.config
        items = tuple(config.target_groups) + tuple(config.tiers) if self.items == "targets" else getattr(config, self.items)
        match = find_item(self.kind, items, value)
        if match.how != "exact":
            click.echo(gettext("{value!r} taken as {item}").format(value=value, item=item_label(match.item)), err=True)
        return match.item.id


CITY = ConfigName("city", "cities")
CHAIN = ConfigName("chain", "chains")
REGION = ConfigName("region", "regions")
LIST_TYPE = ConfigName("list type", "tiers")
TEAM = ConfigName("team", "teams")
TARGET = ConfigName("target", "targets")


class Week(click.ParamType):
    """An ISO week: 2026-W49, 2026年第49周, or any day of it (2026-12-03); converted to ``2026-W49``."""

    name = "week"

    def convert(self, value, param, ctx):
        from .._text import parse_week

        return parse_week(value)[0]


WEEK = Week()
