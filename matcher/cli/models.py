"""``matcher train`` and ``matcher evaluate``: models of signing, trained and compared on history."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import MatcherError
from ..i18n import gettext as _
from ..progress import steps
from .context import Ctx

__all__ = ["train", "evaluate"]

_HISTORY_OPTION = click.option(
    "--history",
    "history_source",
    type=click.Choice(["auto", "database", "simulate"]),
    default="auto",
    show_default=True,
    help="History to learn from: the database's; a simulated one (labelled synthetic, with the true propensity, so the "
    "oracle can be judged); auto = the database's when it holds real visits, else simulated.",
)


def _learning_history(obj: Ctx, scores, source: str = "auto"):
    from ..learn.backtest import load_history

    h = load_history(obj.store(), scores, obj.config, source=source)
    click.echo(_("history: {source}").format(source=h.source))
    return h


@click.command()
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
def train(obj: Ctx, until, kind, feature_set, history_source):
    """Train models of signing within the horizon and write them to the models folder.

    Writes models/<kind>-<date>.skops with a model card (JSON and Markdown: data
    window and hash, features, parameters, metrics, library versions) and records
    each file's SHA-256 in models/manifest.json. Learns from the history
    --history names (see there).
    """
    from .._text import parse_date
    from ..config.model import MODEL_FEATURE_SETS
    from ..learn.backtest import train_and_save

    if feature_set is not None and feature_set not in MODEL_FEATURE_SETS:
        raise MatcherError(_("unknown feature set {value!r}; expected one of {choices}").format(value=feature_set, choices=", ".join(MODEL_FEATURE_SETS)))
    until = parse_date(until) if until is not None else None  # a bad date fails before the slow steps
    with steps(_("training"), total=3) as s:
        s.step(_("scoring enterprises"))
        scores = obj.scores()
        s.step(_("reading the history"))
        h = _learning_history(obj, scores, history_source)
        kinds = ("logistic", "boosted") if kind == "all" else (kind,)
        s.step(_("fitting and saving models"))
        paths = train_and_save(scores, obj.config, h, obj.models_dir, until=until, kinds=kinds, feature_set=feature_set)
    for p in paths:
        click.echo(_("model written: {path} (card {card}, manifest {manifest})").format(path=p, card=p.with_suffix(".md").name, manifest=p.parent / "manifest.json"))


@click.command()
@click.option("--out", required=True, metavar="DIR", help="Folder for comparison.csv, comparison.md, ndcg.png, reliability.png.")
@click.option("--origins", default=4, show_default=True, type=click.IntRange(min=1, max=20), help="Rolling origins of the backtest.")
@click.option("--k", "k", default=10, show_default=True, type=click.IntRange(min=1), help="List length for the @k metrics.")
@_HISTORY_OPTION
@click.pass_obj
def evaluate(obj: Ctx, out, origins, k, history_source):
    """Compare rankings on history: random, tier-only, rule score, learned models, oracle.

    A rolling-origin backtest: at each origin the models are retrained on the
    weeks before it and rank the lists of the weeks after it (query = team and
    week). Writes one table (CSV and Markdown, with the protocol stated) and
    charts (NDCG by method, reliability diagram). On simulated history the
    oracle (the hidden true propensity) is included.
    """
    from ..learn.backtest import run_backtest
    from ..report.backtest import write_report

    with steps(_("evaluation"), total=4) as s:
        s.step(_("scoring enterprises"))
        scores = obj.scores()
        s.step(_("reading the history"))
        h = _learning_history(obj, scores, history_source)
        s.step(_("backtest over {n} origins").format(n=origins))
        res = run_backtest(
            scores, obj.config, h.visits, h.projects, end=h.end, propensity=h.propensity, visit_lift=h.visit_lift, origins=origins, k=k
        )
        s.step(_("writing the report"))
        write_report(res, Path(out), title=_("Ranking comparison"))
    cols = [c for c in res.table.columns if c.startswith(("method", "logged_ndcg", "logged_precision", "cf_ndcg", "cf_precision"))]
    click.echo(res.table[cols].to_string(index=False))
    for n in res.notes:
        click.echo(n)
    click.echo(_("comparison table and charts written to {folder}/ (comparison.csv, comparison.md, ndcg.png, reliability.png)").format(folder=out))
