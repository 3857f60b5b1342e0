"""Command line: a thin layer over the library.

The library raises :class:`~matcher.errors.MatcherError` for anything a user
can get wrong; here it becomes one line on stderr and exit status 1.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from ..errors import MatcherError

log = logging.getLogger("matcher")

_TARGET_COLUMNS = ["rank", "name", "tiers", "hq_city", "city", "chain", "link", "link_status", "score", "reason_zh"]


class _Ctx:
    def __init__(self, db: str | None, config: str | None, models: str | None = None):
        self.db_arg, self.config_arg, self.models_arg = db, config, models
        self._config = None

    @property
    def models_dir(self) -> Path:
        """The models folder: --models, else ``models/`` beside a SQLite database file, else ./models."""
        import os

        if self.models_arg:
            return Path(self.models_arg)
        db = self.db_arg or os.environ.get("MATCHER_DB") or "matcher.db"
        if "://" not in str(db):
            return Path(db).resolve().parent / "models"
        if str(db).startswith("sqlite:///"):
            return Path(str(db)[len("sqlite:///") :]).resolve().parent / "models"
        return Path("models")

    @property
    def config(self):
        if self._config is None:
            from ..config.schema import load_config

            self._config = load_config(self.config_arg)
        return self._config

    def store(self, db: str | None = None):
        from ..store.core import open_store

        return open_store(db or self.db_arg)


def _scores(ctx: _Ctx):
    from ..featurise.universe import build_universe
    from ..score.rule import RuleScorer

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
@click.option(
    "--models",
    "models",
    default=None,
    metavar="DIR",
    envvar="MATCHER_MODELS",
    help="Models folder (default: $MATCHER_MODELS, else models/ beside the SQLite database, else ./models).",
)
@click.option("-v", "--verbose", count=True, help="Say more (-v: progress, -vv: debug).")
@click.version_option(package_name="matcher")
@click.pass_context
def main(ctx, db, config, models, verbose):
    """matcher: which enterprises Guangxi's resident investment-promotion teams should visit.

    Import ranking lists and enterprise profiles, then get ranked target lists
    for a city or an industrial chain, and weekly visit lists for each team.
    Start with `matcher demo`.
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s: %(message)s", stream=sys.stderr)
    ctx.obj = _Ctx(db, config, models)
    from ..resolve.model_cache import set_model_cache

    # The match model of entity resolution is trained once and cached beside the other models.
    set_model_cache(ctx.obj.models_dir / "cache")


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
    from ..ingest.lists import parse_list
    from ..ingest.tables import read_table

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
    from ..ingest.lists import parse_profiles
    from ..ingest.tables import read_table

    table = read_table(file, sheet=sheet)
    profiles = parse_profiles(table)
    r = obj.store().import_profiles(profiles, source_name=Path(file).name, sha256=table.sha256)
    click.echo(r.summary())


def _emit(frame, out: str | None, title: str, columns=_TARGET_COLUMNS) -> None:
    from ..report.writers import write_table

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
    from .._text import parse_week

    week, _ = parse_week(week)
    out_dir = Path(out or f"weekly-{week}")
    wp = _issue_week(obj, week, out_dir, visits_file=visits, projects_file=projects, force=force)
    click.echo(
        f"{week}: {len(wp.plan)} leads for {len(wp.per_team)} teams written to {out_dir}/ (plan.csv, office.xlsx, teams/*.xlsx|csv|json)"
    )
    click.echo(
        f"assignment total {wp.totals['optimal']:.4f} (greedy baseline {wp.totals['greedy']:.4f}); {len(wp.contested)} contested enterprises"
    )
    if obj.config.model.name != "rule":
        click.echo(
            f"{week}: ranked by the blend of the rule score and model {obj.config.model.name} (weight {obj.config.model.blend_weight})"
        )


def _model_values(obj: _Ctx, scores, week: str, visits, projects):
    """The configured model's blended score per team (teams in id order), after the model's checks; None for "rule"."""
    import numpy as np

    from ..learn.pairs import blended_team_scores
    from ..learn.persistence import load_model

    m = obj.config.model
    if m.name == "rule":
        return None, "rule"
    model = load_model(m.name, obj.models_dir, feature_set=m.feature_set)
    blended = blended_team_scores(scores, obj.config, model, week=week, visits=visits, projects=projects)
    teams = sorted(obj.config.teams, key=lambda t: t.id)
    return np.vstack([np.maximum(blended[t.id], 0.0) for t in teams]), m.name


def _history(store, visits_file=None, projects_file=None):
    """Visits and projects: from files when given, else the database's (empty until it has them)."""
    from ..columns import check_projects, check_visits, empty_projects, empty_visits
    from ..report.weekly import read_history

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
    from ..plan.week import plan_week
    from ..report.weekly import write_weekly

    scores = scores if scores is not None else _scores(obj)
    store = obj.store()
    visits, projects = _history(store, visits_file, projects_file)
    values, model_version = _model_values(obj, scores, week, visits, projects)
    wp = plan_week(
        scores,
        obj.config,
        week,
        visits=visits,
        projects=projects,
        previous=store.issued_leads(before=week),
        values=values,
        model_version=model_version,
    )
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
    from ..demo import run_demo

    summary = run_demo(Path(out), db=obj.db_arg, config=obj.config, week=week, echo=click.echo)
    click.echo(summary)


# ---------------------------------------------------------------------------- history and scorecard


@main.command()
@click.argument("kind", type=click.Choice(["visits", "projects", "stationed"]))
@click.option("--out", required=True, metavar="FILE.xlsx", help="Where to write the template.")
@click.pass_obj
def template(obj: _Ctx, kind, out):
    """Write a fill-in Excel template for the visit log, the project database or stationed days.

    Chinese and English headers, drop-down lists for teams, kinds, levels,
    stages, cities and chains, and an instructions sheet. Fill one row per
    record and read it back with import-visits / import-projects /
    import-stationed.
    """
    from ..report.templates import write_template

    path = write_template(kind, out, obj.config)
    click.echo(f"{kind} template written to {path}")


def _import_sheet(obj: _Ctx, file, kind, sheet, today):
    from ..ingest.sheets import import_sheet

    r = import_sheet(obj.store(), obj.config, file, kind, sheet=sheet, today=today)
    click.echo(r.summary())


_today_option = click.option("--today", default=None, metavar="DATE", help="Reject dates after this day (default: today).")


@main.command("import-visits")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", default=None, help="Worksheet of an Excel file (default: the first).")
@_today_option
@click.pass_obj
def import_visits(obj: _Ctx, file, sheet, today):
    """Import a filled-in visit log (see `matcher template visits`).

    Every row is checked first: when any row is bad, every bad row is listed
    with its row number and reason and nothing is imported. Enterprises are
    matched by name to those in the database; unknown names are listed. The
    import is one transaction; importing the same sheet again adds nothing.
    """
    _import_sheet(obj, file, "visits", sheet, today)


@main.command("import-projects")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", default=None, help="Worksheet of an Excel file (default: the first).")
@_today_option
@click.pass_obj
def import_projects(obj: _Ctx, file, sheet, today):
    """Import a filled-in project database sheet (see `matcher template projects`).

    Each row is a project with its stage and the date it reached every stage.
    Every bad row is listed and nothing is imported when any row is bad; a
    project already stored (same project id) is updated, never duplicated.
    """
    _import_sheet(obj, file, "projects", sheet, today)


@main.command("import-stationed")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", default=None, help="Worksheet of an Excel file (default: the first).")
@click.pass_obj
def import_stationed(obj: _Ctx, file, sheet):
    """Import task-force stationed days by chain and quarter (see `matcher template stationed`).

    One row per chain, quarter and (optionally) team; a row already stored is
    replaced by the new figure. Bad rows are all listed and nothing is imported.
    """
    _import_sheet(obj, file, "stationed", sheet, None)


@main.command()
@click.option("--year", required=True, type=int, help="The year of the targets, e.g. 2026.")
@click.option(
    "--as-of", "as_of", default=None, metavar="DATE", help="Count what happened up to this day (default: today, or the year's end)."
)
@click.option("--out", default=None, metavar="DIR", help="Output folder (default: ./kpi-<year>).")
@click.pass_obj
def kpi(obj: _Ctx, year, as_of, out):
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
    files = write_scorecard(card, out_dir)
    click.echo(card.headline())
    click.echo(f"scorecard written to {out_dir}/: {', '.join(p.name for p in files)}")


@main.group()
def db():
    """Database housekeeping.

    Back up the database (SQLite); the schema is upgraded automatically when a
    database made by an older release is opened.
    """


@db.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_obj
def backup(obj: _Ctx, file):
    """Copy the database to FILE with SQLite's online backup.

    Safe while others are importing: the copy is a consistent snapshot. Only
    SQLite databases are supported; back up PostgreSQL with pg_dump.
    """
    path = obj.store().backup(file)
    click.echo(f"database backed up to {path}")


_HISTORY_OPTION = click.option(
    "--history",
    "history_source",
    type=click.Choice(["auto", "database", "simulate"]),
    default="auto",
    show_default=True,
    help="History to learn from: the database's; a simulated one (labelled synthetic, with the true propensity, so the "
    "oracle can be judged); auto = the database's when it holds real visits, else simulated.",
)


def _learning_history(obj: _Ctx, scores, source: str = "auto"):
    from ..learn.backtest import load_history

    h = load_history(obj.store(), scores, obj.config, source=source)
    click.echo(f"history: {h.source}")
    return h


@main.command()
@click.option(
    "--until", default=None, metavar="DATE", help="Train on visits whose outcome window closed by DATE (default: the end of the history)."
)
@click.option(
    "--kind",
    type=click.Choice(["boosted", "logistic", "all"]),
    default="all",
    show_default=True,
    help="Which model: gradient-boosted, logistic, or both.",
)
@click.option("--feature-set", default=None, help="Feature set (default: the configuration's [model] feature_set).")
@_HISTORY_OPTION
@click.pass_obj
def train(obj: _Ctx, until, kind, feature_set, history_source):
    """Train models of signing within the horizon and write them to the models folder.

    Writes models/<kind>-<date>.joblib with a model card (JSON and Markdown: data
    window and hash, features, parameters, metrics, library versions) and records
    each file's SHA-256 in models/manifest.json. Learns from the history
    --history names (see there).
    """
    from ..config.schema import MODEL_FEATURE_SETS
    from ..learn.backtest import train_and_save

    if feature_set is not None and feature_set not in MODEL_FEATURE_SETS:
        raise MatcherError(f"unknown feature set {feature_set!r}; expected one of {', '.join(MODEL_FEATURE_SETS)}")
    if until is not None:
        import datetime as dt

        try:
            until = dt.date.fromisoformat(until).isoformat()
        except ValueError:
            raise MatcherError(f"invalid date {until!r}; expected a date such as 2026-11-23") from None
    scores = _scores(obj)
    h = _learning_history(obj, scores, history_source)
    kinds = ("logistic", "boosted") if kind == "all" else (kind,)
    for p in train_and_save(scores, obj.config, h, obj.models_dir, until=until, kinds=kinds, feature_set=feature_set):
        click.echo(f"model written: {p} (card {p.with_suffix('.md').name}, manifest {p.parent / 'manifest.json'})")


@main.command()
@click.option("--out", required=True, metavar="DIR", help="Folder for comparison.csv, comparison.md, ndcg.png, reliability.png.")
@click.option("--origins", default=4, show_default=True, type=click.IntRange(min=1, max=20), help="Rolling origins of the backtest.")
@click.option("--k", "k", default=10, show_default=True, type=click.IntRange(min=1), help="List length for the @k metrics.")
@_HISTORY_OPTION
@click.pass_obj
def evaluate(obj: _Ctx, out, origins, k, history_source):
    """Compare rankings on history: random, tier-only, rule score, learned models, oracle.

    A rolling-origin backtest: at each origin the models are retrained on the
    weeks before it and rank the lists of the weeks after it (query = team and
    week). Writes one table (CSV and Markdown, with the protocol stated) and
    charts (NDCG by method, reliability diagram). On simulated history the
    oracle (the hidden true propensity) is included.
    """
    from ..learn.backtest import run_backtest, write_report

    scores = _scores(obj)
    h = _learning_history(obj, scores, history_source)
    res = run_backtest(
        scores, obj.config, h.visits, h.projects, end=h.end, propensity=h.propensity, visit_lift=h.visit_lift, origins=origins, k=k
    )
    write_report(res, Path(out), title="排序方法比较 Ranking comparison")
    cols = [c for c in res.table.columns if c.startswith(("method", "logged_ndcg", "logged_precision", "cf_ndcg", "cf_precision"))]
    click.echo(res.table[cols].to_string(index=False))
    for n in res.notes:
        click.echo(n)
    click.echo(f"comparison table and charts written to {out}/ (comparison.csv, comparison.md, ndcg.png, reliability.png)")


if __name__ == "__main__":  # pragma: no cover
    main()


@main.command()
@click.option("--review-out", default=None, metavar="FILE", help="Write the pairs that need a person's decision to FILE.csv or FILE.xlsx.")
@click.option(
    "--apply-review",
    default=None,
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Act on a marked review file (decision: same / different).",
)
@click.option(
    "--undo", "undo", default=None, type=int, metavar="MERGE_ID", help="Undo one merge (see the merges table) and keep the pair apart."
)
@click.option("--aliases", default=None, metavar="FILE", type=click.Path(dir_okay=False), help="An alias file extending the bundled one.")
@click.pass_obj
def resolve(obj: _Ctx, review_out, apply_review, undo, aliases):
    """Resolve enterprises across lists, years and languages.

    Compares every known name with every other in the same block (core name,
    pinyin, initials, alias group), merges pairs whose match probability is
    above the upper threshold, writes pairs between the thresholds to
    --review-out for a person to mark, and links subsidiaries to their parent
    groups. Every merge is recorded and can be undone with --undo.
    """
    from ..resolve.records import apply_review as apply
    from ..resolve.records import resolve_store
    from ..resolve.resolver import Resolver

    store = obj.store()
    if undo is not None:
        kept, merged = store.undo_merge(undo, reason="matcher resolve --undo")
        click.echo(f"merge {undo} undone: {merged} is again separate from {kept}")
        return
    if apply_review:
        merged, apart = apply(store, apply_review)
        click.echo(f"{apply_review}: {merged} pairs merged, {apart} pairs kept apart")
    summary = resolve_store(store, resolver=Resolver(aliases=aliases), review_out=review_out)
    click.echo(summary.summary() + (f"; review file written to {review_out}" if review_out else ""))


@main.command()
@click.option("--search", default=None, metavar="TEXT", help="Only enterprises with a name (any language, any alias) containing TEXT.")
@click.option("--out", default=None, metavar="FILE", help="Write to FILE.csv or FILE.xlsx instead of the screen.")
@click.pass_obj
def enterprises(obj: _Ctx, search, out):
    """List the master: id, Chinese and English names, aliases, HQ, source region, parent, lists with year and rank."""
    from ..report.writers import write_table
    from ..resolve.records import master_list

    frame = master_list(obj.store(), obj.config, search=search)
    if out:
        write_table(frame, out, sheet="enterprises")
        click.echo(f"{len(frame)} enterprises written to {out}")
        return
    click.echo(frame.to_string(index=False, max_colwidth=40))
