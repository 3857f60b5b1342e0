"""``matcher map chain|targets|projects|progress``: the plan's maps and chain graphs as PNG or HTML."""

from __future__ import annotations

import click

from ..i18n import gettext as _
from .context import Ctx

__all__ = ["map_command"]

_OUT = click.option("--out", required=True, metavar="FILE", help="FILE.png (for reports) or FILE.html (interactive, works offline).")


def _done(kind: str, path) -> None:
    click.echo(_("{kind} written to {path}").format(kind=kind, path=path))


@click.group(name="map")
def map_command():
    """Maps and chain graphs: chain panorama, target enterprises, projects, progress.

    Each picture is written as a PNG for reports or as a self-contained HTML
    page; both are sketch maps (示意图) from offline geometry (the maps extra).
    """


@map_command.command(name="chain")
@click.option("--chain", "chain", required=True, help="An industrial chain by Chinese or English name or id (汽车, Automobiles).")
@click.option("--city", default=None, help="A Guangxi city (柳州市, Liuzhou); without it, the whole region.")
@_OUT
@click.pass_obj
def chain_map(obj: Ctx, chain, city, out):
    """Chain panorama: links upstream to downstream, strong, weak or missing in a city."""
    from ..report.maps.api import write_chain_map

    _done(_("chain panorama"), write_chain_map(obj.config, out, chain=chain, city=city))


@map_command.command(name="targets")
@click.option("--chain", "chain", default=None, help="Only targets for this chain.")
@click.option("--city", default=None, help="Only targets for this Guangxi city.")
@click.option("--top", default=60, show_default=True, type=click.IntRange(min=1), help="How many enterprises.")
@_OUT
@click.pass_obj
def targets_map(obj: Ctx, chain, city, top, out):
    """Where the target enterprises are headquartered, and which city wants them."""
    from ..report.maps.api import write_targets_map

    cfg = obj.config
    _done(_("target map"), write_targets_map(obj.scores(), cfg, out, chain=chain, city=city, top=top))


@map_command.command(name="projects")
@click.option("--chain", "chain", default=None, help="Only projects of this chain.")
@_OUT
@click.pass_obj
def projects_map(obj: Ctx, chain, out):
    """Signed and in-progress projects and money per city, from the project database."""
    from ..report.maps.api import write_projects_map

    _done(_("project map"), write_projects_map(obj.store(), obj.config, out, chain=chain))


@map_command.command(name="progress")
@click.option("--year", required=True, type=int, help="The year counted.")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", help="Count up to this day (default today, or the year's end).")
@_OUT
@click.pass_obj
def progress_map(obj: Ctx, year, as_of, out):
    """Per city the project database's pace against the target and the leaders' cadence."""
    from ..report.maps.api import write_progress_map

    _done(_("progress map"), write_progress_map(obj.store(), obj.config, out, year=year, as_of=as_of))
