"""Folding text for exact comparison (NFKC, lower case, single spaces), one text or a million at once."""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["fold_label", "fold_all"]


def fold_label(text: object) -> str:
    """Fold a label for exact comparison: NFKC, lower case, single spaces."""
    t = unicodedata.normalize("NFKC", "" if text is None else str(text)).lower()
    return _SPACES.sub(" ", t).strip(" .")


_SPACES = re.compile(r"\s+")


#: Ranges of characters that take part in no composition (ASCII, CJK ideographs and punctuation,
#: full-width ASCII, general punctuation): a text of them folds character by character.
_PLAIN_RANGES = ((0x20, 0x7E), (0xA0, 0xA0), (0xB7, 0xB7), (0x2010, 0x2027), (0x2030, 0x205E), (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xFF01, 0xFF5E))


@functools.cache
def _plain_table() -> tuple[np.ndarray, np.ndarray]:
    """Per BMP code point: whether a text of such characters folds one character at a time, and to what."""
    plain = np.zeros(0x10000, dtype=bool)
    lut = np.arange(0x10000, dtype=np.uint32)
    plain[0] = True  # the separator of joined texts
    for lo, hi in _PLAIN_RANGES:
        for c in range(lo, hi + 1):
            f = unicodedata.normalize("NFKC", chr(c)).lower()
            # One character, and no whitespace but the plain space (runs of it are marked below).
            if len(f) == 1 and (f == " " or not f.isspace()):
                plain[c] = True
                lut[c] = ord(f)
    return plain, lut


def fold_all(texts: pd.Series) -> pd.Series:
    """:func:`fold_label` of every text, as an object Series (plain strings: no per-item Arrow boxing later).

    The same as folding each text, but the texts of plain characters
    (:func:`_plain_table`) without a run of spaces are folded all at once,
    code point by code point in numpy; the others one by one.
    """
    values = texts.fillna("").astype(str).to_numpy(dtype=object)
    if not len(values):
        return pd.Series([], dtype=object)
    joined = "\x00".join(values)
    lens = np.fromiter((len(t) for t in values), dtype=np.int64, count=len(values))
    if len(joined) != int(lens.sum()) + len(values) - 1 or joined.count("\x00") != len(values) - 1:
        return pd.Series([fold_label(t) for t in values], dtype=object)
    if not joined.strip("\x00"):
        return pd.Series(values, dtype=object)
    plain, lut = _plain_table()
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    starts = np.cumsum(lens + 1) - (lens + 1)
    big = codes >= 0x10000
    bad = big.copy()
    bad[~big] = ~plain[codes[~big]]
    folded = np.where(big, codes, lut[np.where(big, 0, codes)]).astype(np.uint32)
    # A run of spaces collapses; a space or full stop at either end is stripped: fold those one by one.
    space = folded == 32
    bad[1:] |= space[1:] & space[:-1]
    odd = np.zeros(len(values), dtype=bool)
    hit = np.flatnonzero(bad)
    if len(hit):
        odd[np.searchsorted(starts, hit, side="right") - 1] = True
    nonempty = lens > 0
    first, last = folded[np.minimum(starts, len(folded) - 1)], folded[np.maximum(starts + lens - 1, 0)]
    odd |= nonempty & (np.isin(first, (32, 46)) | np.isin(last, (32, 46)))
    out = np.array(folded.tobytes().decode("utf-32-le").split("\x00"), dtype=object)
    out[odd] = [fold_label(t) for t in values[odd]]
    return pd.Series(out, dtype=object)
