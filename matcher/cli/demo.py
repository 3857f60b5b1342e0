"""``matcher demo``: a fresh database from the embedded data, and every output."""

from __future__ import annotations

from pathlib import Path

import click

from .context import Ctx

__all__ = ["demo"]


@click.command()
@click.option("--out", default="matcher-demo", show_default=True, metavar="DIR", help="Output folder.")
@click.option("--week", default=None, help="ISO week for the weekly lists (default: the current week).")
@click.pass_obj
def demo(obj: Ctx, out, week):
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
