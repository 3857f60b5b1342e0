"""``matcher import-list`` and ``matcher import-profiles``: ranking lists and enterprise profiles into the database."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import gettext as _
from ..progress import steps
from .context import Ctx

__all__ = ["import_list", "import_profiles"]


@click.command("import-list")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--type",
    "list_type",
    required=True,
    metavar="TYPE",
    help="List type: fortune_global_500, china_top500, china_private_top500, china_manufacturing_top500, unicorn, industry_leader, gazelle, little_giant (or a Chinese name such as 世界500强).",
)
@click.option("--year", type=int, default=None, help="Year of the list; required unless the file has a year column.")
@click.option("--sheet", default=None, help="Worksheet of an Excel file (default: the first).")
@click.pass_obj
def import_list(obj: Ctx, file, list_type, year, sheet):
    """Import a published ranking list (CSV or XLSX).

    Chinese or English headers, GBK or UTF-8, title rows above the header are
    all fine; footnote, source and total rows at the bottom (注：…, 数据来源：…,
    合计) are left out and named. The import is one transaction; importing
    the same file again changes nothing.
    """
    from .._memory import batch_job
    from ..ingest.editions import split_editions
    from ..ingest.lists import parse_list, type_warnings
    from ..ingest.tables import read_table

    tier = obj.config.tier(list_type)
    with batch_job(), steps(_("importing {file}").format(file=Path(file).name), total=4) as s:
        s.step(_("reading the file"))
        table = read_table(file, sheet=sheet)
        _echo_skipped(file, table)
        s.step(_("checking {n} rows").format(n=len(table.frame)))
        entries = parse_list(table, ranked=tier.ranked)
        for line in type_warnings(entries, tier.revenue_unit, tier.name_zh):
            click.echo(line, err=True)
        entries["revenue_unit"] = entries["revenue_unit"].where(entries["revenue_unit"] != "", tier.revenue_unit)
        parts = split_editions(entries, table, year)
        s.step(_("storing and resolving enterprises"))
        quiet = _quiet(obj)
        results = _store_lists(obj, parts, tier, file, table)
        for r in results:
            click.echo(r.summary(obj.config.list_names()))
        s.step(_("checking industries and headquarters"))
        _echo_gaps(obj, results, quiet)


def _echo_skipped(file, table) -> None:
    """Say which footnote, source and total rows at the bottom of the file were left out."""
    if table.skipped:
        click.echo(
            _("{file}: {n} footnote, source or total rows at the bottom left out: {rows}").format(
                file=file, n=len(table.skipped), rows="; ".join(table.skipped)
            )
        )


def _quiet(obj: Ctx) -> bool:
    """Before an import: no enterprise lacks stored industries (afterwards only the import's own can)."""
    from ..featurise.industries import industries_pending

    return not industries_pending(obj.store())


def _echo_gaps(obj: Ctx, results, quiet: bool, ahead=None) -> None:
    """After an import: how many of its enterprises have an unknown industry or headquarters, and how to fix it.

    ``ahead``: the import's texts mapped meanwhile (:func:`matcher.featurise.industries.map_ahead`)."""
    from ..featurise.industries import stored_industries
    from ..featurise.universe import build_universe, gaps_line, universe_gaps
    from ..resolve.imports import import_enterprises

    store = obj.store()
    ids = import_enterprises(store, results)
    # A single profile import's own rows (profiles, and the enterprises and names it created): not read back.
    one = results[0] if len(results) == 1 and results[0].profile_rows is not None else None
    rows, created = (one.profile_rows, one.created_rows) if one is not None else (None, None)
    universe = build_universe(store, obj.config, include_guangxi=True, texts=True, ids=ids, profile_rows=rows, created_rows=created)
    # Maps and stores the industries of what the import added or changed (from the universe's texts):
    # later commands only read them.
    among = ids if quiet and all(r.status != "replaced" for r in results) else None
    industries = stored_industries(store, obj.config, universe, among=among, with_texts=True, ahead=ahead)
    click.echo(gaps_line(universe_gaps(universe, obj.config, industries=industries)))


def _store_lists(obj: Ctx, parts, tier, file, table):
    """Import the editions ``parts`` of one list file; one result per edition."""
    from ..resolve.imports import import_lists

    return import_lists(obj.store(), parts, list_type=tier.id, source_name=Path(file).name, sha256=table.sha256)


@click.command("import-profiles")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", default=None, help="Worksheet of an Excel file (default: the first).")
@click.pass_obj
def import_profiles(obj: Ctx, file, sheet):
    """Import enterprise profiles (name, English name, aliases, industry or business, HQ, ownership).

    Profiles enrich the enterprises of the imported lists, matched by name;
    a profile whose Chinese and English names match two list entries joins
    them into one enterprise.
    """
    from .._memory import batch_job
    from ..featurise.industries import map_ahead
    from ..ingest.lists import parse_profiles
    from ..ingest.tables import read_table

    # A batch job: millions of objects made and dropped, hardly a cycle among them (matcher._memory).
    with batch_job(), steps(_("importing {file}").format(file=Path(file).name), total=4) as s:
        s.step(_("reading the file"))
        table = read_table(file, sheet=sheet)
        _echo_skipped(file, table)
        s.step(_("checking {n} rows").format(n=len(table.frame)))
        profiles = parse_profiles(table)
        s.step(_("storing and resolving enterprises"))
        quiet = _quiet(obj)
        # A large file's business texts are mapped to industries by background workers while it is stored.
        ahead = map_ahead(obj.config, profiles)
        try:
            result = _store_profiles(obj, profiles, file, table)
            del table, profiles  # the result holds the rows written (when needed): the file's frames go
            click.echo(result.summary())
            s.step(_("checking industries and headquarters"))
            _echo_gaps(obj, [result], quiet, ahead=ahead)
        finally:
            if ahead is not None:
                ahead.close()


def _store_profiles(obj: Ctx, profiles, file, table):
    """Import parsed profiles of one file; the import's result."""
    from ..resolve.imports import import_profiles

    return import_profiles(obj.store(), profiles, source_name=Path(file).name, sha256=table.sha256)
