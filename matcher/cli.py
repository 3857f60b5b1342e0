"""Command line: a thin layer over the library.

The library raises :class:`~matcher.errors.MatcherError` for anything a user
can get wrong; here it becomes one line on stderr and exit status 1.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from .errors import MatcherError

log = logging.getLogger("matcher")

_TARGET_COLUMNS = ["rank", "name", "tiers", "hq_city", "city", "chain", "link", "link_status", "score", "reason_zh"]


class _Ctx:
    def __init__(self, db: str | None, config: str | None):
        self.db_arg, self.config_arg = db, config
        self._config = None

    @property
    def config(self):
        if self._config is None:
            from .config import load_config

            self._config = load_config(self.config_arg)
        return self._config

    def store(self, db: str | None = None):
        from .store import open_store

        return open_store(db or self.db_arg)


def _scores(ctx: _Ctx):
    from .resolve import build_universe
    from .score import RuleScorer

    store = ctx.store()
    universe = build_universe(store, ctx.config)
    if universe.empty:
        raise MatcherError(
            f"the database {store.url} holds no enterprises yet; import a list first (matcher import-list FILE --type TYPE --year YEAR) or run matcher demo"
        )
    return RuleScorer(ctx.config).fit(universe).score(universe)


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MatcherError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="MATCHER_DB",
    default=None,
    metavar="PATH|URL",
    help="Database: a SQLite file or an SQLAlchemy URL (default: $MATCHER_DB or ./matcher.db).",
)
@click.option(
    "--config",
    "config",
    default=None,
    metavar="PATH",
    type=click.Path(dir_okay=True),
    help="Configuration: a config.toml or a folder holding one (default: the bundled Guangxi configuration).",
)
@click.option("-v", "--verbose", count=True, help="Say more (-v: progress, -vv: debug).")
@click.version_option(package_name="matcher")
@click.pass_context
def main(ctx, db, config, verbose):
    """matcher: which enterprises Guangxi's resident investment-promotion teams should visit.

    Import ranking lists and enterprise profiles, then get ranked target lists
    for a city or an industrial chain, and weekly visit lists for each team.
    Start with `matcher demo`.
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s: %(message)s", stream=sys.stderr)
    ctx.obj = _Ctx(db, config)


@main.command("import-list")
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
def import_list(obj: _Ctx, file, list_type, year, sheet):
    """Import a published ranking list (CSV or XLSX).

    Chinese or English headers, GBK or UTF-8, title rows above the header are
    all fine. The import is one transaction; importing the same file again
    changes nothing.
    """
    from .ingest import parse_list, read_table

    tier = obj.config.tier(list_type)
    table = read_table(file, sheet=sheet)
    entries = parse_list(table, ranked=tier.ranked)
    entries["revenue_unit"] = entries["revenue_unit"].where(entries["revenue_unit"] != "", tier.revenue_unit)
    years = entries["year"].dropna().unique()
    if len(years):
        if year is not None:
            entries = entries[entries["year"] == year]
            if entries.empty:
                raise MatcherError(
                    f"{file}: no rows for year {year}; the file's year column has {', '.join(str(int(y)) for y in sorted(years))}"
                )
            parts = [(entries, year)]
        else:
            parts = [(entries[entries["year"] == y], int(y)) for y in sorted(years)]
            if entries["year"].isna().any():
                i = int(entries.index[entries["year"].isna()][0])
                raise MatcherError(f"{file}, row {table.row_number(i)}: the year is empty; fill it or pass --year")
    else:
        if year is None:
            raise MatcherError(f"{file}: --year is required (the file has no year column)")
        parts = [(entries, year)]
    for r in obj.store().import_lists(parts, list_type=tier.id, source_name=Path(file).name, sha256=table.sha256):
        click.echo(r.summary())


@main.command("import-profiles")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", default=None, help="Worksheet of an Excel file (default: the first).")
@click.pass_obj
def import_profiles(obj: _Ctx, file, sheet):
    """Import enterprise profiles (name, English name, aliases, industry or business, HQ, ownership).

    Profiles enrich the enterprises of the imported lists, matched by name;
    a profile whose Chinese and English names match two list entries joins
    them into one enterprise.
    """
    from .ingest import parse_profiles, read_table

    table = read_table(file, sheet=sheet)
    profiles = parse_profiles(table)
    r = obj.store().import_profiles(profiles, source_name=Path(file).name, sha256=table.sha256)
    click.echo(r.summary())


def _emit(frame, out: str | None, title: str, columns=_TARGET_COLUMNS) -> None:
    from .report import write_table

    if out:
        write_table(frame, out, title=title)
        click.echo(f"{title}: {len(frame)} enterprises written to {out}")
        return
    if frame.empty:
        click.echo(f"{title}: no enterprise fits")
        return
    click.echo(title)
    click.echo(frame[columns].to_string(index=False, max_colwidth=60))


@main.command()
@click.option("--city", default=None, help="A Guangxi city by Chinese or English name or id (钦州市, Qinzhou).")
@click.option("--chain", default=None, help="An industrial chain by Chinese or English name or id (汽车, Automobiles).")
@click.option("--region", default=None, help="Only enterprises from this key region (GBA, 粤港澳大湾区, YREB, BTH …).")
@click.option("--top", default=50, show_default=True, type=click.IntRange(min=1), help="How many enterprises.")
@click.option("--out", default=None, metavar="FILE", help="Write to FILE.csv or FILE.xlsx instead of the screen.")
@click.pass_obj
def targets(obj: _Ctx, city, chain, region, top, out):
    """Ranked target list for a city, an industrial chain, or both.

    Each row gives the enterprise, its lists and ranks, HQ and source region,
    the city chain and link it fits, the score with its components, and the
    reason in Chinese and English.
    """
    if not city and not chain:
        raise click.UsageError("give --city or --chain (or both)")
    cfg = obj.config
    c = cfg.city(city) if city else None
    ch = cfg.chain(chain) if chain else None
    reg = cfg.region(region) if region else None
    if c and ch and ch.id not in {x.chain for x in c.chains}:
        raise MatcherError(f"{c.name_zh} has no {ch.name_zh} chain; its chains are: {', '.join(x.chain for x in c.chains)}")
    scores = _scores(obj)
    groups = scores.group_ids(city=c.id if c else None, chain=ch.id if ch else None)
    mask = None
    if reg is not None:
        mask = scores.region_member[:, [r.id for r in cfg.regions].index(reg.id)]
    frame = scores.rank(groups, top=top, mask=mask)
    what = " · ".join(x for x in [c.name_zh if c else "", ch.name_zh + "链" if ch else "", reg.name_zh if reg else ""] if x)
    _emit(frame, out, f"招商目标清单 Target list: {what}")


@main.command()
@click.option("--week", required=True, help="ISO week, e.g. 2026-W49.")
@click.option("--out", default=None, metavar="DIR", help="Output folder (default: ./weekly-<week>).")
@click.option(
    "--visits",
    default=None,
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Visit log (CSV/XLSX with the history columns); default: the database's.",
)
@click.option(
    "--projects",
    default=None,
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Project database export (CSV/XLSX with the history columns); default: the database's.",
)
@click.option("--force", is_flag=True, help="Replace the week's issued plan if it was issued before with other inputs.")
@click.pass_obj
def weekly(obj: _Ctx, week, out, visits, projects, force):
    """Weekly visit plan: every team's list, coordinated across Guangxi.

    Each team gets enterprises headquartered in its stationed region that fit
    its home city's chains, up to its weekly capacity; an enterprise goes to
    at most one team (optimal assignment), nothing visited within the
    cooldown, leads not yet visited carry over, tiers behind their target's
    pace get a boost, and each list mixes chains. Writes plan.csv,
    teams/<team>.csv|xlsx|json and office.xlsx, and records the issued plan
    (week, configuration and data hashes) in the database.
    """
    from .plan import parse_week

    week, _ = parse_week(week)
    out_dir = Path(out or f"weekly-{week}")
    wp = _issue_week(obj, week, out_dir, visits_file=visits, projects_file=projects, force=force)
    click.echo(
        f"{week}: {len(wp.plan)} leads for {len(wp.per_team)} teams written to {out_dir}/ (plan.csv, office.xlsx, teams/*.xlsx|csv|json)"
    )
    click.echo(
        f"assignment total {wp.totals['optimal']:.4f} (greedy baseline {wp.totals['greedy']:.4f}); {len(wp.contested)} contested enterprises"
    )


def _history(store, visits_file=None, projects_file=None):
    """Visits and projects: from files when given, else the database's (empty until it has them)."""
    from .history import check_projects, check_visits, empty_projects, empty_visits
    from .weekly import read_history

    if visits_file:
        visits = read_history(visits_file, "visits")
    elif hasattr(store, "visits_frame"):
        visits = check_visits(store.visits_frame())
    else:
        visits = empty_visits()
    if projects_file:
        projects = read_history(projects_file, "projects")
    elif hasattr(store, "projects_frame"):
        projects = check_projects(store.projects_frame())
    else:
        projects = empty_projects()
    return visits, projects


def _write_weekly(obj: _Ctx, week: str, out_dir: Path, scores=None, **history):
    wp = _issue_week(obj, week, out_dir, scores, **history)
    return wp.plan, wp.per_team


def _issue_week(obj: _Ctx, week: str, out_dir: Path, scores=None, *, visits_file=None, projects_file=None, force=False):
    from .plan import plan_week
    from .weekly import write_weekly

    scores = scores if scores is not None else _scores(obj)
    store = obj.store()
    visits, projects = _history(store, visits_file, projects_file)
    wp = plan_week(scores, obj.config, week, visits=visits, projects=projects, previous=store.issued_leads(before=week))
    wp.record["snapshot_sha256"] = store.snapshot_hash()
    status = store.record_plan(wp.record_row(), wp.plan, force=force)
    log.info("issued plan %s: %s", week, status)
    write_weekly(wp, out_dir)
    return wp


@main.command()
@click.option("--out", default="matcher-demo", show_default=True, metavar="DIR", help="Output folder.")
@click.option("--week", default=None, help="ISO week for the weekly lists (default: the current week).")
@click.pass_obj
def demo(obj: _Ctx, out, week):
    """Build a fresh database from the embedded default data and run everything.

    Imports the bundled enterprise profiles and their list memberships
    (compiled from public knowledge; official lists should replace them),
    writes target lists for two cities and two chains, and the week's team
    lists. The database goes to --db when given (which must not exist yet),
    else DIR/matcher.db.
    """
    from .demo import run_demo

    summary = run_demo(Path(out), db=obj.db_arg, config=obj.config, week=week, echo=click.echo)
    click.echo(summary)


if __name__ == "__main__":  # pragma: no cover
    main()
