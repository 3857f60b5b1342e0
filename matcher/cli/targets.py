"""``matcher targets``: a ranked target list for a city, an industrial chain, or both."""

from __future__ import annotations

import click

from ..errors import MatcherError
from .context import Ctx

__all__ = ["targets"]

_TARGET_COLUMNS = ["rank", "name", "tiers", "hq_city", "city", "chain", "link", "link_status", "score", "reason_zh"]


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


@click.command()
@click.option("--city", default=None, help="A Guangxi city by Chinese or English name or id (钦州市, Qinzhou).")
@click.option("--chain", default=None, help="An industrial chain by Chinese or English name or id (汽车, Automobiles).")
@click.option("--region", default=None, help="Only enterprises from this key region (GBA, 粤港澳大湾区, YREB, BTH …).")
@click.option("--top", default=50, show_default=True, type=click.IntRange(min=1), help="How many enterprises.")
@click.option("--out", default=None, metavar="FILE", help="Write to FILE.csv or FILE.xlsx instead of the screen.")
@click.pass_obj
def targets(obj: Ctx, city, chain, region, top, out):
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
    scores = obj.scores()
    groups = scores.group_ids(city=c.id if c else None, chain=ch.id if ch else None)
    mask = None
    if reg is not None:
        mask = scores.region_member[:, [r.id for r in cfg.regions].index(reg.id)]
    frame = scores.rank(groups, top=top, mask=mask)
    what = " · ".join(x for x in [c.name_zh if c else "", ch.name_zh + "链" if ch else "", reg.name_zh if reg else ""] if x)
    _emit(frame, out, f"招商目标清单 Target list: {what}")
