"""``matcher imports`` and ``matcher merges``: what is in the database, and taking one import back out."""

from __future__ import annotations

import click

from ..i18n import gettext as _
from .context import Ctx

__all__ = ["imports", "merges"]

_OUT = "Write to FILE.csv or FILE.xlsx instead of the screen."


def _show(frame, out, sheet: str, what: str) -> None:
    """``frame`` to ``out`` or on the screen; ``what`` names the rows (imports, merges) in the language in use."""
    from ..report.writers import write_table

    if out:
        write_table(frame, out, sheet=sheet)
        click.echo(_("{n} rows written to {path}").format(n=len(frame), path=out))
    else:
        from .screen import print_frame

        print_frame(frame, empty=_("none yet: {what}").format(what=what))


@click.group(invoke_without_command=True)
@click.option("--out", default=None, metavar="FILE", help=_OUT)
@click.pass_context
def imports(ctx: click.Context, out):
    """List every import: id, kind, list type, year, file, rows, what it still holds, when.

    `entries` and `profiles` count the rows of the import in the database;
    `merges` the merges it caused that are not undone. Remove one list or
    profile import with `matcher imports remove ID`.
    """
    if ctx.invoked_subcommand is None:
        obj: Ctx = ctx.obj
        _show(obj.store().imports().drop(columns=["sha256"]), out, "imports", _("imports"))


@imports.command("remove")
@click.argument("import_id", type=int)
@click.option("--yes", is_flag=True, help="Remove without asking.")
@click.pass_obj
def remove(obj: Ctx, import_id, yes):
    """Remove one list or profile import, in one transaction.

    The merges the import caused are undone (the pairs are not marked as
    different: importing the file again may merge them again), its list
    entries and profiles are deleted, and enterprises that only it knew are
    deleted with their names. Lists fall back to the other imports: removing
    an edition leaves the previous one the newest. History files (visits,
    projects, stationed days) are corrected by importing them again.
    """
    from ..errors import NotFoundError

    store = obj.store()
    listing = store.imports()
    row = listing[listing.import_id == import_id]
    if row.empty:
        raise NotFoundError(_("no import with id {id}; `matcher imports` lists them").format(id=import_id))
    r = row.iloc[0]
    what = f"{r.list_type} {r.year}" if r.kind == "list" else r.kind
    if not yes:
        click.confirm(
            _("remove import {id} ({file}, {what}: {entries} entries, {profiles} profiles, {merges} merges)?").format(
                id=import_id, file=r.source_name, what=what, entries=r.entries, profiles=r.profiles, merges=r.merges
            ),
            abort=True,
        )
    click.echo(store.remove_import(import_id).summary())


@click.command()
@click.option("--out", default=None, metavar="FILE", help=_OUT)
@click.pass_obj
def merges(obj: Ctx, out):
    """List every merge: id, kept and merged enterprise with names, rule, import, time, whether undone.

    Undo one with `matcher resolve --undo MERGE_ID`.
    """
    _show(obj.store().merges(), out, "merges", _("merges"))
