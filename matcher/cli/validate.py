"""``matcher validate``: where the enterprises that really invested rank in their city's list."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import gettext as _

__all__ = ["validate"]


@click.command()
@click.argument("investments", type=click.Path(dir_okay=False))
@click.option("--out", default="validation", show_default=True, metavar="DIR", help="Output folder.")
@click.option(
    "--rows",
    type=click.Choice(["listed", "all"]),
    default="listed",
    show_default=True,
    help="Which rows: those whose list_name is non-empty (listed), or every row (all).",
)
@click.pass_obj
def validate(obj, investments, out, rows):
    """Rank real investments (enterprise, city) in each city's full target list.

    INVESTMENTS is a CSV or XLSX with enterprise, city and list_name columns.
    Each enterprise is matched by name to the database (exact, then the
    resolver; uncertain matches are reported, not ranked). Writes pairs.csv,
    summary.csv, validation.xlsx, notes.md and percentile.png: per pair its
    rank, percentile and reason; overall, by city and by list the coverage,
    median percentile, hit@10/50/100 and MRR with bootstrap 95% intervals
    (few pairs: read the intervals).
    """
    from ..learn.tuning import weight_study
    from ..learn.validate import METRICS, read_investments, select_rows, validate_investments
    from ..plan.issue import score_store
    from ..report.validation import write_validation

    table = select_rows(read_investments(investments), rows)
    store = obj.store()
    scores = score_store(store, obj.config)
    v = validate_investments(store, obj.config, table, scores=scores)
    study, chosen = weight_study(scores, v.pairs)
    write_validation(v, Path(out), weights=(study, chosen))
    o = v.overall()
    click.echo(_("{n} pairs (rows={rows}); bootstrap 95% intervals in brackets:").format(n=int(o.n_pairs), rows=rows))
    for m in METRICS:
        click.echo(f"  {m:<18} {o[m]:.3f} [{o[m + '_lo']:.3f}, {o[m + '_hi']:.3f}]")
    click.echo(_("weights (configured / chosen on these pairs; held out = chosen without the pair's city or enterprise):"))
    for r in study.to_dict("records"):
        click.echo(
            "  "
            + _("{scheme}: median percentile {median:.3f}, hit@50 {hit50:.3f}, hit@100 {hit100:.3f}").format(
                scheme=r["scheme"], median=r["median_percentile"], hit50=r["hit@50"], hit100=r["hit@100"]
            )
        )
    for n in v.notes[3:]:
        click.echo(n)
    click.echo(_("validation written to {folder}/ (pairs.csv, summary.csv, weights.csv, validation.xlsx, notes.md, percentile.png)").format(folder=out))
