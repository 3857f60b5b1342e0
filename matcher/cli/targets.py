"""``matcher targets``: a ranked target list for a city, an industrial chain, or both, with filters."""

from __future__ import annotations

import click

from ..i18n import gettext as _
from .context import Ctx
from .options import CHAIN, CITY, LIST_TYPE, REGION, TARGET

__all__ = ["targets"]


@click.command()
@click.option("--city", default=None, type=CITY, help="A Guangxi city by Chinese or English name or id (钦州市, Qinzhou).")
@click.option("--chain", default=None, type=CHAIN, help="An industrial chain by Chinese or English name or id (汽车, Automobiles).")
@click.option("--region", default=None, type=REGION, help="Only enterprises from this key region (GBA, 粤港澳大湾区, YREB, BTH …).")
@click.option(
    "--list",
    "lists",
    multiple=True,
    type=LIST_TYPE,
    help="Only enterprises on this list (世界500强, Fortune Global 500, china_private_top500 …); repeat for any of several.",
)
@click.option(
    "--tier",
    default=None,
    type=TARGET,
    help="Only enterprises counting for this annual target: a list type or a target group (leaders, 行业领军…).",
)
@click.option(
    "--status",
    default=None,
    type=click.Choice(["missing", "weak", "strong"]),
    help="Only enterprises filling a link of this status in the city's chains (their best link in a chain).",
)
@click.option("--top", default=50, show_default=True, type=click.IntRange(min=1), help="How many enterprises.")
@click.option("--out", default=None, metavar="FILE", help="Write to FILE.csv or FILE.xlsx instead of the screen.")
@click.pass_obj
def targets(obj: Ctx, city, chain, region, lists, tier, status, top, out):
    """Ranked target list for a city, an industrial chain, or both.

    Each row gives the enterprise, its lists and ranks, HQ and source region,
    the city chain and link it fits, the score with its components, and the
    reason in Chinese and English. --list, --tier, --region and --status keep
    only the enterprises they name, and combine.
    """
    from ..report.labels import readable
    from ..report.targets import TARGET_COLUMNS, target_list
    from ..report.writers import write_table
    from .screen import print_table

    if not city and not chain:
        raise click.UsageError(_("give --city or --chain (or both)"))
    frame, title = target_list(
        obj.scores(), obj.config, city=city, chain=chain, region=region, lists=tuple(lists), target=tier, status=status, top=top
    )
    if out:
        write_table(frame, out, title=title)  # every column, by its identifier, as before
        click.echo(_("{title}: {n} enterprises written to {path}").format(title=title, n=len(frame), path=out))
        return
    if frame.empty:
        click.echo(_("{title}: no enterprise fits").format(title=title))
        return
    click.echo(title)
    print_table(readable(frame, TARGET_COLUMNS))
