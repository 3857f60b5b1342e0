"""``matcher resolve`` and ``matcher enterprises``: entity resolution and the master list."""

from __future__ import annotations

import click

from ..i18n import gettext as _
from ..progress import steps
from .context import Ctx
from .options import file_option

__all__ = ["resolve", "enterprises"]


@click.command()
@click.option("--review-out", default=None, metavar="FILE", help="Write the pairs that need a person's decision to FILE.csv or FILE.xlsx.")
@file_option("--apply-review", "Act on a marked review file (decision: same / different).")
@click.option(
    "--undo", "undo", default=None, type=int, metavar="MERGE_ID", help="Undo one merge (`matcher merges` lists them) and keep the pair apart."
)
@file_option("--aliases", "An alias file extending the bundled one.")
@click.pass_obj
def resolve(obj: Ctx, review_out, apply_review, undo, aliases):
    """Resolve enterprises across lists, years and languages.

    Compares every known name with every other in the same block (core name,
    pinyin, initials, alias group), merges pairs whose match probability is
    above the upper threshold, writes pairs between the thresholds to
    --review-out for a person to mark, and links subsidiaries to their parent
    groups. Every merge is recorded and can be undone with --undo.
    """
    from ..report.writers import write_table
    from ..resolve.records import apply_review as apply
    from ..resolve.records import resolve_store
    from ..resolve.resolver import Resolver

    store = obj.store()
    if undo is not None:
        kept, merged = store.undo_merge(undo, reason="matcher resolve --undo")
        click.echo(_("merge {id} undone: {merged} is again separate from {kept}").format(id=undo, merged=merged, kept=kept))
        return
    if apply_review:
        merged, apart = apply(store, apply_review)
        click.echo(_("{file}: {merged} pairs merged, {apart} pairs kept apart").format(file=apply_review, merged=merged, apart=apart))
    with steps(_("resolving enterprises"), total=2) as s:
        s.step(_("comparing names and merging"))
        summary = resolve_store(store, resolver=Resolver(aliases=aliases))
        s.step(_("writing the review file"))
        if review_out is not None:
            write_table(summary.review_pairs, str(review_out), sheet="review")
    click.echo(summary.summary() + (_("; review file written to {path}").format(path=review_out) if review_out else ""))


@click.command()
@click.option("--search", default=None, metavar="TEXT", help="Only enterprises with a name (any language, any alias) containing TEXT.")
@click.option("--out", default=None, metavar="FILE", help="Write to FILE.csv or FILE.xlsx instead of the screen.")
@click.pass_obj
def enterprises(obj: Ctx, search, out):
    """List the master: id, Chinese and English names, aliases, HQ, source region, parent, lists with year and rank."""
    from ..featurise.universe import build_universe
    from ..report.writers import write_table
    from ..resolve.records import master_list

    store = obj.store()
    # The master is every enterprise, Guangxi's own included.
    frame = master_list(store, build_universe(store, obj.config, include_guangxi=True), search=search)
    if out:
        write_table(frame, out, sheet="enterprises")
        click.echo(_("{n} enterprises written to {path}").format(n=len(frame), path=out))
        return
    from .screen import print_frame

    print_frame(frame)
