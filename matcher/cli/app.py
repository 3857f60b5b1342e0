"""The ``matcher`` command group: global options, logging, errors as one line, and every command.

The library raises :class:`~matcher.errors.MatcherError` for anything a user
can get wrong; here it becomes one line on stderr and exit status 1. The
commands live in one module per group of commands (:mod:`.lists`,
:mod:`.targets`, :mod:`.weekly`, :mod:`.history`, :mod:`.models`,
:mod:`.resolve`, :mod:`.db`, :mod:`.demo`), each a few lines over the library.
"""

from __future__ import annotations

import logging
import os
import sys

import click

from .._files import os_error_message, raise_on_sigterm
from ..errors import MatcherError
from ..i18n import LANGUAGES, gettext
from ..progress import show_bars
from .city import city
from .context import Ctx
from .db import db
from .demo import demo
from .enterprise import enterprise
from .history import import_projects, import_stationed, import_visits, kpi, template
from .imports import imports, merges
from .lists import import_list, import_profiles
from .localise import language_from_args, localise, use_language
from .maps import map_command
from .models import evaluate, train
from .resolve import enterprises, resolve
from .targets import targets
from .validate import validate
from .web import web
from .weekly import weekly

__all__ = ["main"]


class _Group(click.Group):
    def parse_args(self, ctx, args):
        # The language is settled before anything is parsed, so that help and click's errors speak it too.
        use_language(language_from_args(args, self))
        localise(self)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            # A `kill` unwinds like Ctrl-C: transactions roll back, temporary files are removed.
            with raise_on_sigterm():
                return super().invoke(ctx)
        except MatcherError as exc:
            click.echo(gettext("error: {message}").format(message=exc), err=True)
            sys.exit(1)
        except OSError as exc:  # full disk, read-only folder, no permission: one line, whatever the command
            click.echo(gettext("error: {message}").format(message=os_error_message(exc)), err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo(gettext("interrupted"), err=True)
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
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of messages, help and outputs: zh (default) or en; also $MATCHER_LANG.",
)
@click.option("-v", "--verbose", count=True, help="Say more (-v: progress, -vv: debug).")
@click.version_option(package_name="matcher")
@click.pass_context
def main(ctx, db, config, models, lang, verbose):
    """matcher: which enterprises Guangxi's resident investment-promotion teams should visit.

    Import ranking lists and enterprise profiles, then get ranked target lists
    for a city or an industrial chain, and weekly visit lists for each team.
    Start with `matcher demo`.
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s: %(message)s", stream=sys.stderr)
    ctx.obj = Ctx(db, config, models)
    # Progress bars on a terminal, never in CI logs.
    show_bars(not os.environ.get("CI"))
    from ..resolve.model_cache import set_model_cache
    from ..score.cache import set_scores_cache

    # The match model of entity resolution is trained once and cached beside the other models;
    # so are the scores of each state of the data (a weekly visit import leaves them as they were).
    set_model_cache(ctx.obj.models_dir / "cache")
    set_scores_cache(ctx.obj.models_dir / "cache")


for _command in (
    import_list,
    import_profiles,
    resolve,
    enterprises,
    imports,
    merges,
    targets,
    enterprise,
    city,
    map_command,
    weekly,
    demo,
    template,
    import_visits,
    import_projects,
    import_stationed,
    kpi,
    db,
    train,
    evaluate,
    validate,
    web,
):
    main.add_command(_command)
