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
@click.pass_obj
def weekly(obj: _Ctx, week, out):
    """Weekly ranked visit lists: one per team, plus the whole week as plan.csv.

    Each team gets the best-scoring enterprises headquartered in its stationed
    region that fit its home city's chains, up to its weekly capacity.
    """
    from .plan import parse_week

    week, _ = parse_week(week)
    out_dir = Path(out or f"weekly-{week}")
    plan, per_team = _write_weekly(obj, week, out_dir)
    click.echo(f"{week}: {len(plan)} leads for {len(per_team)} teams written to {out_dir}/ (plan.csv, teams/*.xlsx, teams/*.csv)")
    if obj.config.model.name != "rule":
        path = _write_model_lists(obj, week, out_dir)
        click.echo(f"{week}: lists ranked by the blend of the rule score and model {obj.config.model.name} written to {path}")


def _write_model_lists(obj: _Ctx, week: str, out_dir: Path) -> Path:
    """Each team's list ranked by the blended score of the configured model (after the model's checks)."""
    import numpy as np
    import pandas as pd

    from .learn import blended_team_scores
    from .models import load_model
    from .report import write_csv
    from .score import top_k

    m = obj.config.model
    model = load_model(m.name, obj.models_dir, feature_set=m.feature_set)
    scores = _scores(obj)
    store = obj.store()
    visits = store.visits_frame() if hasattr(store, "visits_frame") else None
    projects = store.projects_frame() if hasattr(store, "projects_frame") else None
    blended = blended_team_scores(scores, obj.config, model, week=week, visits=visits, projects=projects)
    rule = blended_team_scores(scores, obj.config, None, week=week)
    u = scores.universe
    rows = []
    for team in sorted(obj.config.teams, key=lambda t: t.id):
        b = blended[team.id]
        pos = top_k(np.where(b >= 0, b, -np.inf), min(team.weekly_capacity, int((b >= 0).sum())), scores.tier)
        rows.append(
            pd.DataFrame(
                {
                    "week": week,
                    "team_id": team.id,
                    "rank": np.arange(1, len(pos) + 1),
                    "enterprise_id": u.enterprise_id.to_numpy()[pos],
                    "enterprise_name": u.name.to_numpy()[pos],
                    "rule_score": rule[team.id][pos].round(4),
                    "blended_score": b[pos].round(4),
                    "model": m.name,
                    "blend_weight": m.blend_weight,
                }
            )
        )
    return write_csv(pd.concat(rows, ignore_index=True), out_dir / "model_ranked.csv")


def _write_weekly(obj: _Ctx, week: str, out_dir: Path, scores=None):
    from .plan import weekly_plan
    from .report import write_csv, write_xlsx

    scores = scores if scores is not None else _scores(obj)
    plan, per_team = weekly_plan(scores, obj.config, week)
    for tid, lst in per_team.items():
        write_csv(lst, out_dir / "teams" / f"{tid}.csv")
        write_xlsx({"leads": lst}, out_dir / "teams" / f"{tid}.xlsx", title=f"{week} 周拜访清单 weekly visit list — {tid}")
    write_csv(plan, out_dir / "plan.csv")
    return plan, per_team


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


def _history(obj: _Ctx, scores):
    from .backtest import load_history

    h = load_history(obj.store(), scores, obj.config)
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
@click.pass_obj
def train(obj: _Ctx, until, kind, feature_set):
    """Train models of signing within the horizon and write them to the models folder.

    Writes models/<kind>-<date>.joblib with a model card (JSON and Markdown: data
    window and hash, features, parameters, metrics, library versions) and records
    each file's SHA-256 in models/manifest.json. Uses the database's visits and
    projects; when it has none, a simulated history of its enterprises (labelled
    synthetic).
    """
    from .backtest import train_and_save
    from .config import MODEL_FEATURE_SETS

    if feature_set is not None and feature_set not in MODEL_FEATURE_SETS:
        raise MatcherError(f"unknown feature set {feature_set!r}; expected one of {', '.join(MODEL_FEATURE_SETS)}")
    if until is not None:
        import datetime as dt

        try:
            until = dt.date.fromisoformat(until).isoformat()
        except ValueError:
            raise MatcherError(f"invalid date {until!r}; expected a date such as 2026-11-23") from None
    scores = _scores(obj)
    h = _history(obj, scores)
    kinds = ("logistic", "boosted") if kind == "all" else (kind,)
    for p in train_and_save(scores, obj.config, h, obj.models_dir, until=until, kinds=kinds, feature_set=feature_set):
        click.echo(f"model written: {p} (card {p.with_suffix('.md').name}, manifest {p.parent / 'manifest.json'})")


@main.command()
@click.option("--out", required=True, metavar="DIR", help="Folder for comparison.csv, comparison.md, ndcg.png, reliability.png.")
@click.option("--origins", default=4, show_default=True, type=click.IntRange(min=1, max=20), help="Rolling origins of the backtest.")
@click.option("--k", "k", default=10, show_default=True, type=click.IntRange(min=1), help="List length for the @k metrics.")
@click.pass_obj
def evaluate(obj: _Ctx, out, origins, k):
    """Compare rankings on history: random, tier-only, rule score, learned models, oracle.

    A rolling-origin backtest: at each origin the models are retrained on the
    weeks before it and rank the lists of the weeks after it (query = team and
    week). Writes one table (CSV and Markdown, with the protocol stated) and
    charts (NDCG by method, reliability diagram). On simulated history the
    oracle (the hidden true propensity) is included.
    """
    from .backtest import run_backtest, write_report

    scores = _scores(obj)
    h = _history(obj, scores)
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
