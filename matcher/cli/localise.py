"""The command line in the user's language: ``--lang``, help texts translated when shown, click's own words.

Help texts are written in English in the code and marked with ``N_``; they are
translated when help is shown (:func:`localise`), so ``--lang`` and
``$MATCHER_LANG`` take effect whatever was imported first. Click translates its
own words (``Usage:``, ``Options``, its error messages) through Python's
``gettext`` module; :func:`use_language` points that module at the project's
catalogue, which carries Chinese for the words listed in :data:`CLICK_WORDS`.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import os
import weakref

import click

from ..i18n import DOMAIN, LOCALE_DIR, N_, gettext, parse_language, set_language

__all__ = ["localise", "use_language", "language_from_args", "help_texts", "CLICK_WORDS"]

#: Click's own words a user meets, so the catalogue translates them.
CLICK_WORDS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("No such command {name!r}."),
    N_("No such option {name!r}."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing command."),
    N_("Missing argument {param_hint}."),
    N_("Missing option {param_hint}."),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("Option {name!r} does not take a value."),
    N_("Option {name!r} requires an argument."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is a file."),
    N_("Could not open file {filename!r}: {message}"),
    N_("Do you want to continue?"),
    N_("Aborted!"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("required"),
    N_("(deprecated)"),
    N_("Choose from:\n\t{choices}"),
    N_("%(prog)s, version %(version)s"),
)

_LOCALES = {"zh": "zh_CN", "en": "en"}
#: The English help texts of each command and option, kept when first translated.
_SOURCE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def use_language(lang: str | None) -> str:
    """Speak ``lang`` (None: ``$MATCHER_LANG`` or Chinese) in messages, outputs and click's own words."""
    lang = set_language(lang)
    stdlib_gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    stdlib_gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = _LOCALES[lang]
    return lang


def language_from_args(args: list[str], command: click.Command) -> str | None:
    """The value of ``--lang`` among the options of ``command`` in ``args`` (None when absent or invalid).

    The scan stops at the first argument that is neither one of the command's options nor the
    value of one (the subcommand's name: its own options follow).
    """
    takes_value = {name for p in command.params if isinstance(p, click.Option) and not p.is_flag and not p.count for name in p.opts}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-"):
            return None
        name, eq, value = arg.partition("=")
        if name == "--lang":
            value = value if eq else (args[i + 1] if i + 1 < len(args) else "")
            try:
                return parse_language(value)
            except ValueError:
                return None
        i += 1 if eq or name not in takes_value else 2
    return None


def _translate(obj, names: tuple[str, ...]) -> None:
    source = _SOURCE.setdefault(obj, {n: getattr(obj, n, None) for n in names})
    for name, text in source.items():
        if text:
            setattr(obj, name, gettext(text))


def localise(command: click.Command) -> click.Command:
    """Translate the help texts of ``command``, its options and (for a group) its commands, in place."""
    _translate(command, ("help", "short_help", "epilog"))
    for param in command.params:
        if isinstance(param, click.Option):
            _translate(param, ("help",))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            localise(sub)
    return command


def _source(obj, names: tuple[str, ...]) -> list[str]:
    kept = _SOURCE.get(obj) or {n: getattr(obj, n, None) for n in names}
    return [t for t in kept.values() if t]


def help_texts(command: click.Command) -> list[str]:
    """The help texts of ``command``, its options and commands as written in the code (English), for the catalogue."""
    out = _source(command, ("help", "short_help", "epilog"))
    for param in command.params:
        if isinstance(param, click.Option):
            out += _source(param, ("help",))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            out += help_texts(sub)
    return out
