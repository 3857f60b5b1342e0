"""``matcher city CITY``: a city's chains and links, who could fill its gaps, and its anchors."""

from __future__ import annotations

import click

from ..i18n import N_
from ..i18n import gettext as _
from .context import Ctx
from .options import CITY
from .screen import print_table, print_title, write_tables

__all__ = ["city"]

_SCREEN = {
    "links": ("chain", "link_stage", "link", "link_status", "candidates", "broad_fits", "top_candidates"),
    "candidates": ("chain", "link", "link_status", "rank_in_link", "name", "tiers", "hq_city", "score", "reason"),
    "uncovered": ("chain", "link_stage", "link", "link_status", "broad_fits"),
    "anchors": ("chain", "park", "anchor_firm"),
}
_TITLES = {
    "links": N_("Chains and links (status from the configuration; candidates: enterprises whose own industry fills the link)"),
    "candidates": N_("Best candidates for each missing or weak link"),
    "uncovered": N_("Missing or weak links with no candidate"),
    "anchors": N_("Parks and anchor firms"),
}


@click.command()
@click.argument("city_name", metavar="CITY", type=CITY)
@click.option(
    "--per-link", default=5, show_default=True, type=click.IntRange(min=1), help="Candidates listed for each missing or weak link."
)
@click.option(
    "--out", default=None, metavar="FILE", help="Also write the tables to FILE.xlsx (one sheet each) or FILE.csv (one file each)."
)
@click.pass_obj
def city(obj: Ctx, city_name, per_link, out):
    """A city's chains and links, the candidates for its gaps, and its parks and anchor firms.

    CITY is a Guangxi city by Chinese or English name or id (柳州, 柳州市,
    Liuzhou). Each link of the city's chains is listed with its status from the
    configuration (strong, weak, missing) and how many enterprises fill it; each
    missing or weak link with its best candidates from the rule scores (an
    enterprise whose own industry is one of the link's, not only a broad
    label); then the missing or weak links nobody fills.
    """
    from ..report.city import CANDIDATE_COLUMNS, city_report
    from ..report.labels import readable

    report = city_report(obj.config, obj.scores(), city_name, per_link=per_link)
    c = obj.config.city(report.city_id)
    click.echo(_("City {name} ({id})").format(name=c.name_zh, id=c.id))
    tables = report.tables()
    for key, frame in tables.items():
        print_title(_(_TITLES[key]))
        print_table(readable(frame, _SCREEN[key]))
    if out:
        # In a file: every column of the candidates (matcher.report.city.CANDIDATE_COLUMNS).
        columns = dict(_SCREEN, links=(*_SCREEN["links"], "park"), candidates=CANDIDATE_COLUMNS)
        files = {k: readable(f, columns[k]) for k, f in tables.items()}
        paths = write_tables(files, out, main="links", title=_("City {name} ({id})").format(name=c.name_zh, id=c.id))
        click.echo(_("written to {paths}").format(paths=", ".join(str(p) for p in paths)))
