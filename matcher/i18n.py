"""Chinese first, English on request: one gettext catalogue for every string a user reads.

Source strings (gettext *msgids*) are written in English in the code and
marked for extraction: :func:`gettext` translates now, :func:`N_` only marks
a string translated later (help texts, labels defined at import time) and
:func:`NC_` marks an identifier with a context, such as the column
``rank`` in the context ``column``. The catalogue lives in
``matcher/locale/<lang>/LC_MESSAGES/matcher.po`` (compiled to ``.mo``):
Chinese translates every message; English translates only the identifiers
(``rank`` → ``Rank``), the other messages being English already.

The language is Chinese unless ``MATCHER_LANG=en`` or :func:`set_language`
says otherwise; it is held per thread of execution (a context variable), so
a web request can speak English while another speaks Chinese. Messages with
values use named ``str.format`` fields, ``gettext("row {row}").format(row=3)``,
so a translation can move them.
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import os
from contextvars import ContextVar
from functools import cache
from pathlib import Path

__all__ = [
    "LANGUAGES",
    "DOMAIN",
    "LOCALE_DIR",
    "gettext",
    "pgettext",
    "ngettext",
    "N_",
    "NC_",
    "column_label",
    "get_language",
    "set_language",
    "language",
    "parse_language",
]

#: Languages the catalogue speaks, the default first.
LANGUAGES = ("zh", "en")
DOMAIN = "matcher"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: Catalogue folder of each language (gettext locale names).
_LOCALE = {"zh": "zh_CN", "en": "en"}
_ALIASES = {"zh": "zh", "zh_cn": "zh", "zh-cn": "zh", "cn": "zh", "中文": "zh", "en": "en", "en_us": "en", "en-us": "en", "english": "en", "英文": "en"}

_current: ContextVar[str | None] = ContextVar("matcher_language", default=None)


def parse_language(value: str) -> str:
    """``zh`` or ``en`` for a language as people write it (``zh_CN``, ``EN``, ``中文``); ValueError otherwise."""
    key = str(value).strip().lower().split(".")[0]
    if key not in _ALIASES:
        raise ValueError(f"unknown language {value!r}: expected one of {', '.join(LANGUAGES)}")
    return _ALIASES[key]


def get_language() -> str:
    """The language in use: the one set, else ``$MATCHER_LANG``, else Chinese."""
    lang = _current.get()
    if lang is not None:
        return lang
    env = os.environ.get("MATCHER_LANG", "")
    with contextlib.suppress(ValueError):
        return parse_language(env) if env else LANGUAGES[0]
    return LANGUAGES[0]


def set_language(lang: str | None) -> str:
    """Speak ``lang`` from now on (None: back to ``$MATCHER_LANG`` or Chinese); return the language in use."""
    _current.set(None if lang is None else parse_language(lang))
    return get_language()


@contextlib.contextmanager
def language(lang: str):
    """Speak ``lang`` inside a ``with`` block."""
    token = _current.set(parse_language(lang))
    try:
        yield
    finally:
        _current.reset(token)


@cache
def _catalogue(lang: str) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[_LOCALE[lang]], fallback=True)


def gettext(message: str) -> str:
    """``message`` in the language in use."""
    return _catalogue(get_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message, as the language in use counts ``n``."""
    return _catalogue(get_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` of ``context`` in the language in use (``pgettext("column", "rank")``)."""
    return _catalogue(get_language()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (it is translated where it is shown)."""
    return message


def NC_(context: str, message: str) -> str:
    """Mark an identifier of ``context`` for the catalogue; return the identifier."""
    return message


def column_label(column: str) -> str:
    """The header a user reads for the column ``column`` (its identifier when the catalogue has none)."""
    return pgettext("column", str(column))
