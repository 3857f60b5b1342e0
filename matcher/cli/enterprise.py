"""``matcher enterprise NAME``: everything about one enterprise, and its place in every city's list."""

from __future__ import annotations

import click

from ..i18n import N_
from ..i18n import gettext as _
from .context import Ctx
from .screen import print_table, print_title, write_tables

__all__ = ["enterprise"]

#: What the screen shows of each table (a file gets more of the ranks).
_SCREEN = {
    "profile": ("field", "value"),
    "lists": ("list", "year", "rank", "listed_name", "edition_used"),
    "industries": ("industry", "confidence", "method", "evidence"),
    "ranks": (
        "city",
        "rank",
        "candidates",
        "chain",
        "link",
        "link_status",
        "score",
        "c_chain",
        "c_tier",
        "c_endowment",
        "c_origin",
        "reason",
    ),
    "visits": ("date", "team_id", "city", "kind", "outcome", "next_step"),
    "projects": ("project_id", "city", "chain", "stage", "stage_date", "amount_yuan", "signed_date"),
}
_FILE = dict(_SCREEN, lists=("list", "year", "rank", "listed_name", "revenue", "revenue_unit", "listed_industry", "edition_used"))
_TITLES = {
    "profile": N_("Names, headquarters and parent"),
    "lists": N_("Ranking lists and editions"),
    "industries": N_("Industries (confidence 0-1)"),
    "ranks": N_("Rank in each city's target list"),
    "visits": N_("Visits"),
    "projects": N_("Projects"),
}


@click.command()
@click.argument("name")
@click.option(
    "--out", default=None, metavar="FILE", help="Also write the tables to FILE.xlsx (one sheet each) or FILE.csv (one file each)."
)
@click.pass_obj
def enterprise(obj: Ctx, name, out):
    """Everything about one enterprise: names, lists, industries, rank in every city, visits and projects.

    NAME is any of its names, in Chinese or English, with or without the legal
    form (恒逸集团, 浙江恒逸集团有限公司, Zhejiang Hengyi Group). A name that
    fits several enterprises, or none for certain, stops with the closest
    names. The rank in a city is the enterprise's place in that city's target
    list (as `matcher targets --city` ranks it), with the reason and the parts
    of the score.
    """
    from ..report.enterprise import RANK_COLUMNS, enterprise_report
    from ..report.labels import readable
    from ..resolve.suggest import find_enterprise

    store = obj.store()
    scores = obj.scores()
    match = find_enterprise(store, name)
    if match.how != "exact":
        click.echo(_("{value!r} taken as {name} ({id})").format(value=name, name=match.matched_name, id=match.enterprise_id), err=True)
    report = enterprise_report(store, obj.config, scores, match.enterprise_id)
    tables = report.tables()
    click.echo(_("Enterprise {name} ({id})").format(name=report.name, id=report.enterprise_id))
    for key, frame in tables.items():
        print_title(_(_TITLES[key]))
        if key == "ranks" and not report.target:
            click.echo(_("Guangxi's own enterprise: a partner, not a target; it is on no city's target list."))
            continue
        print_table(readable(frame, _SCREEN[key]))
    if out:
        files = {k: readable(f, RANK_COLUMNS if k == "ranks" else _FILE[k]) for k, f in tables.items()}
        paths = write_tables(
            files, out, main="ranks", title=_("Enterprise {name} ({id})").format(name=report.name, id=report.enterprise_id)
        )
        click.echo(_("written to {paths}").format(paths=", ".join(str(p) for p in paths)))
