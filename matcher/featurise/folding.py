"""Folding text for exact comparison (NFKC, lower case, single spaces), one text or a million at once."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from .._text import nfkc_each

__all__ = ["fold_label", "fold_all"]


def fold_label(text: object) -> str:
    """Fold a label for exact comparison: NFKC, lower case, single spaces."""
    t = unicodedata.normalize("NFKC", "" if text is None else str(text)).lower()
    return _SPACES.sub(" ", t).strip(" .")


_SPACES = re.compile(r"\s+")


#: Whitespace but a line break: runs of it are single spaces in texts joined by line breaks (:func:`fold_all`).
_SPACES_IN_LINE = re.compile(r"[^\S\n]+")


def fold_all(texts: pd.Series) -> pd.Series:
    """:func:`fold_label` of every text, as an object Series (plain strings: no per-item Arrow boxing later).

    The same as folding each text, at array speed on long inputs (:func:`matcher._text.nfkc_each`).
    """
    values = texts.fillna("").astype(str).tolist()
    folded = nfkc_each(values, fold_label, lambda t: _SPACES_IN_LINE.sub(" ", t.lower()), lambda t: t.strip(" ."))
    return pd.Series(folded, dtype=object)
