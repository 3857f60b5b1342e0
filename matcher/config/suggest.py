"""Cities, chains, regions, list types and teams as people type them, and "did you mean" when a name is unknown.

A label is accepted when it is certain: an id, a Chinese or English name or an
alias, folded (width, case, spaces, ``-`` and ``_``), with or without the
usual affixes (柳州, 柳州市, 广西柳州市 and liuzhou mean one city; 汽车产业链
means the chain 汽车), or, failing that, a part of exactly one item's name that
covers at least half of it (民营企业500强 is 中国民营企业500强). Anything else
is refused with the closest items, by spelling and by pinyin, so that a
homophone typed by mistake (柳洲) still finds its city (柳州市).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..errors import NotFoundError
from ..i18n import gettext

__all__ = ["Match", "find_item", "suggest_items", "item_label"]

_PREFIXES = ("广西壮族自治区", "广西", "guangxi")
# Longest first: the first that leaves something is removed.
_SUFFIXES = ("产业链", "产业", "行业", "链", "市", "省", "chain", "city", "industry")
_FOLD = re.compile(r"[\s\-_·•/]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
#: Below this share of a name, a part of it is not taken as the name.
MIN_COVER = 0.5
#: Suggestions: at least this close (0-100), and within SPREAD of the closest.
MIN_SCORE = 60.0
SPREAD = 15.0
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Match:
    """The item a label names and how: ``exact`` (a name or id), or ``part`` (a part of one item's name)."""

    item: Any
    how: str


def _fold(text: str) -> str:
    return _FOLD.sub("", unicodedata.normalize("NFKC", str(text)).strip().lower())


def _core(folded: str) -> str:
    for p in _PREFIXES:
        if folded.startswith(p) and len(folded) > len(p) + 1:
            folded = folded[len(p) :]
            break
    for s in _SUFFIXES:
        if folded.endswith(s) and len(folded) > len(s) + 1:
            return folded[: -len(s)]
    return folded


def _labels(item) -> list[str]:
    names = [item.id, getattr(item, "name_zh", ""), getattr(item, "name_en", ""), *getattr(item, "aliases", ())]
    return [n for n in dict.fromkeys(names) if n]


def _keys(item) -> set[str]:
    folded = {_fold(n) for n in _labels(item)}
    return folded | {_core(f) for f in folded}


def item_label(item) -> str:
    """How a message names an item: ``柳州市 (liuzhou)``; the id alone when it has no Chinese name."""
    zh = getattr(item, "name_zh", "")
    return f"{zh} ({item.id})" if zh and zh != item.id else item.id


def _pinyin(text: str) -> str:
    if not _CJK.search(text):
        return text
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text))


def suggest_items(items, text: str, *, limit: int = MAX_SUGGESTIONS) -> list[tuple[Any, float]]:
    """The items closest to ``text``, closest first, with their closeness (0-100).

    Closeness is the best :func:`rapidfuzz.fuzz.ratio` of the folded label and
    any name of the item, by characters and by pinyin (柳洲 and 柳州 read alike).
    Only items at least :data:`MIN_SCORE` close and within :data:`SPREAD` of the
    closest are kept; ties keep the configuration's order.
    """
    from rapidfuzz import fuzz

    q = _core(_fold(text))
    qp = _pinyin(q)
    scored = []
    for k, item in enumerate(items):
        # A homophone comes just after the same characters.
        best = max(max(fuzz.ratio(q, key), fuzz.ratio(qp, _pinyin(key)) - 1.0) for key in _keys(item))
        scored.append((-best, k, item))
    scored.sort(key=lambda x: (x[0], x[1]))
    if not scored or -scored[0][0] < MIN_SCORE:
        return []
    top = -scored[0][0]
    return [(item, -s) for s, _k, item in scored if -s >= max(MIN_SCORE, top - SPREAD)][:limit]


def find_item(kind: str, items, text: str) -> Match:
    """The item of ``items`` that ``text`` names (see the module's docstring).

    Raises
    ------
    NotFoundError
        When no item is certain: the message lists the closest items (``did you
        mean``), or every item when none is close, or the items a part of a
        name fits when it fits several.
    """
    items = tuple(items)
    folded = _fold(text)
    wanted = {folded, _core(folded)}
    exact = [it for it in items if wanted & _keys(it)]
    if len(exact) == 1:
        return Match(exact[0], "exact")
    what = gettext(kind)  # marked for the catalogue where the kind is named (N_("city"))
    if len(exact) > 1:
        raise NotFoundError(_ambiguous(what, text, exact))
    q = _core(folded)
    if len(q) >= 2:
        parts = [it for it in items if any(q in key and len(q) >= MIN_COVER * len(key) for key in _keys(it))]
        if len(parts) == 1:
            return Match(parts[0], "part")
        if len(parts) > 1:
            raise NotFoundError(_ambiguous(what, text, parts))
    close = suggest_items(items, text)
    if close:
        raise NotFoundError(
            gettext("unknown {kind} {value!r}; did you mean {suggestions}?").format(
                kind=what, value=text, suggestions=gettext(", ").join(item_label(it) for it, _ in close)
            )
        )
    raise NotFoundError(
        gettext("unknown {kind} {value!r}; expected one of: {choices}").format(
            kind=what, value=text, choices=", ".join(f"{it.id} ({getattr(it, 'name_zh', '')})" for it in items)
        )
    )


def _ambiguous(what: str, text: str, found) -> str:
    return gettext("{kind} {value!r} is ambiguous; did you mean {suggestions}?").format(
        kind=what, value=text, suggestions=gettext(", ").join(item_label(it) for it in found)
    )
