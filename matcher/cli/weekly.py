"""``matcher weekly``: issue a week's visit plan and write its files."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import gettext as _
from .context import Ctx
from .options import file_option

__all__ = ["weekly"]


@click.command()
@click.option("--week", required=True, help="ISO week, e.g. 2026-W49.")
@click.option("--out", default=None, metavar="DIR", help="Output folder (default: ./weekly-<week>).")
@file_option("--visits", "Visit log: the filled-in template or a CSV/XLSX with the history columns; default: the database's.")
@file_option("--projects", "Project database: the filled-in template or a CSV/XLSX with the history columns; default: the database's.")
@click.option("--force", is_flag=True, help="Replace the week's issued plan if it was issued before with other inputs.")
@click.pass_obj
def weekly(obj: Ctx, week, out, visits, projects, force):
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
    from ..ingest.sheets import read_history_file
    from ..plan.issue import issue_week, score_store
    from ..report.weekly import history_is_synthetic, write_weekly

    week = parse_week(week)[0]
    out_dir = Path(out or f"weekly-{week}")
    store = obj.store()
    scores = score_store(store, obj.config)  # before reading the files: an empty database is the first error
    wp = issue_week(
        store,
        obj.config,
        week,
        scores=scores,
        visits=read_history_file(visits, "visits", obj.config, store, names=obj.names(store)) if visits else None,
        projects=read_history_file(projects, "projects", obj.config, store, names=obj.names(store)) if projects else None,
        models_dir=obj.models_dir,
        force=force,
    )
    write_weekly(wp, out_dir, config=obj.config, synthetic=history_is_synthetic(store))
    click.echo(
        _("{week}: {leads} leads for {teams} teams written to {folder}/ (plan.csv, office.xlsx, teams/*.xlsx|csv|json)").format(
            week=week, leads=len(wp.plan), teams=len(wp.per_team), folder=out_dir
        )
    )
    click.echo(
        _("assignment total {optimal:.4f} (greedy baseline {greedy:.4f}); {contested} contested enterprises").format(
            optimal=wp.totals["optimal"], greedy=wp.totals["greedy"], contested=len(wp.contested)
        )
    )
    if wp.record.get("model_version", "rule") != "rule":
        click.echo(
            _("{week}: ranked by the blend of the rule score and model {model} (weight {weight})").format(
                week=week, model=obj.config.model.name, weight=obj.config.model.blend_weight
            )
        )
