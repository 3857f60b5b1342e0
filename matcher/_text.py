"""Enterprise name normalisation.

The same enterprise is written "阿里巴巴（中国）有限公司", "阿里巴巴集团" and
"Alibaba Group Holding Ltd."; normalisation folds width and case, drops short
bracketed qualifiers and strips legal forms anchored at the end, so that exact
matching on the normalised key already joins the common spellings.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd

from .errors import MatcherError

__all__ = [
    "normalize_name",
    "normalize_names",
    "normalize_folded",
    "fold_texts",
    "fold_text",
    "place_key",
    "is_china_country",
    "HAS_CJK",
    "INVISIBLE",
    "clean_text",
    "clean_texts",
    "nfkc_each",
    "fold_lookalikes",
    "fold_lookalikes_series",
    "CHINA_COUNTRY_KEYS",
    "LEGAL_FORMS_ZH",
    "LEGAL_FORMS_EN",
    "parse_week",
    "iso_week",
    "parse_date",
]

# Longest first: a suffix is stripped only at the end, repeatedly.
LEGAL_FORMS_ZH = tuple(
    sorted(
        [
            "股份有限公司",
            "有限责任公司",
            "集团有限公司",
            "控股有限公司",
            "集团股份有限公司",
            "控股集团有限公司",
            "控股集团股份有限公司",
            "有限公司",
            "总公司",
            "公司",
            "集团",
            "控股",
            "股份",
        ],
        key=len,
        reverse=True,
    )
)
LEGAL_FORMS_EN = (
    "company limited",
    "co ltd",
    "co limited",
    "corporation",
    "incorporated",
    "holdings",
    "holding",
    "limited",
    "company",
    "group",
    "corp",
    "inc",
    "ltd",
    "plc",
    "llc",
    "co",
    "ag",
    "se",
    "sa",
    "nv",
    "spa",
    "gmbh",
    "kgaa",
    "bhd",
)

_BRACKETS = re.compile(r"\(([^()]{0,8})\)")
_PUNCT = re.compile(r"[\s\.,'\"`·•\-_/&!?:;|*+#@~^=<>\[\]{}()]+")
_EN_SUFFIX = re.compile(r"(?:\s+(?:" + "|".join(re.escape(s) for s in LEGAL_FORMS_EN) + r"))+\s*$")
_ZH_SUFFIX = re.compile(r"(?:" + "|".join(re.escape(s) for s in LEGAL_FORMS_ZH) + r")+$")
#: A CJK character: a name or text that contains one is Chinese.
HAS_CJK = re.compile(r"[\u3400-\u9fff]")
#: Country spellings, as :func:`place_key` folds them, that mean China (Hong Kong, Macao and Taiwan
#: included, as the ranking lists count them).
CHINA_COUNTRY_KEYS = frozenset(
    ["china", "中国", "中华人民共和国", "prc", "peoplesrepublicofchina", "mainlandchina", "cn"]
    + ["hongkong", "香港", "hongkongchina"]
    + ["macao", "macau", "澳门"]
    + ["taiwan", "台湾", "chinesetaipei"]
)


def place_key(text: object) -> str:
    """A place or country name folded for lookup: width, case, spaces and punctuation removed."""
    return re.sub(r"[\s\.'’\-_]+", "", fold_text(text))


def is_china_country(country: object) -> bool | None:
    """Whether a country cell means China; ``None`` when it is empty."""
    k = place_key(country)
    return (k in CHINA_COUNTRY_KEYS) if k else None


#: Invisible characters (Unicode default-ignorable code points: zero-width spaces and joiners, the BOM,
#: direction marks, soft hyphens, variation selectors) and control characters other than tab and line
#: breaks (a bell or escape in a cell means nothing, and no spreadsheet can hold it): "恒力\u200b集团" is 恒力集团.
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")


def clean_text(text: str) -> str:
    """One text as every reader keeps it: NFKC (full width → half width), invisible characters removed, trimmed."""
    return INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).strip()


#: Below this many texts :func:`nfkc_each` folds each on its own (no table to build).
_ARRAY_MIN = 20_000


@cache
def _nfkc_single() -> np.ndarray:
    """Each code point's NFKC form where that is one code point (itself otherwise), as a lookup array.

    Blocks of 256 code points that NFKC leaves alone (joined by line breaks, so that none
    composes with its neighbour) are skipped whole: most of the code space is unassigned.
    """
    table = np.arange(0x110000, dtype=np.uint32)
    for start in range(0, 0x110000, 256):
        if 0xD800 <= start < 0xE000:
            continue
        block = [chr(cp) for cp in range(start, start + 256)]
        if unicodedata.is_normalized("NFKC", "\n".join(block)):
            continue
        for c in block:
            n = unicodedata.normalize("NFKC", c)
            if n != c and len(n) == 1:
                table[ord(c)] = ord(n)
    return table


def nfkc_each(texts: list[str], one: Callable[[str], str], joined: Callable[[str], str] | None = None, line: Callable[[str], str] | None = None) -> list[str]:
    """``one(t)`` for every text of ``texts``, at array speed on long inputs (the same strings), for a fold that starts with NFKC.

    ``one(t)`` must equal ``line(joined(unicodedata.normalize("NFKC", t)))`` for a text without a
    line break, where ``joined`` acts line by line on texts joined by line breaks (per character,
    or a substitution whose pattern cannot match a line break) and ``line`` acts on one text.

    Distinct texts are folded once. Those without a line break are joined by line breaks (a
    stable boundary: NFKC never reaches across it) and each code point is replaced by its NFKC
    form where that is one code point, by a lookup on the array of code points; a text still not
    in NFKC after that (a mark to compose, a character whose form is several) is normalised on
    its own, which gives its exact NFKC form since each replaced character already had that form.
    Texts with a line break, and inputs under :data:`_ARRAY_MIN` texts, are folded by ``one``.
    """
    n = len(texts)
    if n < _ARRAY_MIN:
        return [one(t) for t in texts]
    distinct = dict.fromkeys(texts)
    if len(distinct) < n:  # a column of few values (cities, provinces) folds each value once
        done = dict(zip(distinct, nfkc_each(list(distinct), one, joined, line)))
        return [done[t] for t in texts]
    out = list(texts)
    broken = np.fromiter(("\n" in t for t in texts), dtype=bool, count=n)
    plain = np.flatnonzero(~broken).tolist()
    for k in np.flatnonzero(broken).tolist():
        out[k] = one(texts[k])
    text = "\n".join(texts[k] for k in plain)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    text = _nfkc_single()[codes].tobytes().decode("utf-32-le", "surrogatepass")
    del codes
    if not unicodedata.is_normalized("NFKC", text):
        text = "\n".join(c if unicodedata.is_normalized("NFKC", c) else unicodedata.normalize("NFKC", c) for c in text.split("\n"))
    lines = (joined(text) if joined else text).split("\n")
    del text
    for k, c in zip(plain, lines):
        out[k] = line(c) if line else c
    return out


def clean_texts(texts: list[str]) -> list[str]:
    """:func:`clean_text` of every string in ``texts``, at array speed on long inputs (:func:`nfkc_each`)."""
    return nfkc_each(texts, clean_text, lambda t: INVISIBLE.sub("", t), str.strip)


#: A name with a Latin letter in it, and one with a Greek or Cyrillic letter: only such a name is folded for look-alikes.
_LATIN = re.compile(r"[A-Za-z]")
_GREEK_CYRILLIC = re.compile(r"[\u0370-\u052f]")


@cache
def _lookalike_table() -> dict[int, str]:
    """Greek and Cyrillic letters → the Latin letter they look like (Cyrillic е → e, Greek Ο → O).

    From Unicode's confusables data (UTS #39) as the ``confusable-homoglyphs`` package ships it;
    full-width forms are folded by NFKC already. Unicode's prototype of I is l: a capital
    look-alike of it folds to I, so that it matches the I it imitates once lower-cased.
    """
    from confusable_homoglyphs import confusables

    table: dict[int, str] = {}
    for code in range(0x370, 0x530):
        ch = chr(code)
        if not unicodedata.category(ch).startswith("L"):
            continue
        for found in confusables.is_confusable(ch, greedy=True, preferred_aliases=["latin"]) or ():
            latin = [g["c"] for g in found["homoglyphs"] if len(g["c"]) == 1 and g["c"] in string.ascii_letters]
            if latin:
                table[code] = "I" if latin[0] == "l" and ch.isupper() else latin[0]
    return table


def fold_lookalikes(text: str) -> str:
    """A name with Latin letters, with its Greek and Cyrillic look-alike letters made Latin: ``Huawеi`` (Cyrillic е) → ``Huawei``.

    A name without a Latin letter (Chinese, or all Cyrillic) is returned as it is.
    """
    if not _GREEK_CYRILLIC.search(text) or not _LATIN.search(text):
        return text
    return text.translate(_lookalike_table())


def fold_lookalikes_series(texts: pd.Series) -> pd.Series:
    """:func:`fold_lookalikes` over a Series of str (whole-column string operations)."""
    mixed = texts.str.contains(_GREEK_CYRILLIC, regex=True) & texts.str.contains(_LATIN, regex=True)
    if not mixed.any():
        return texts
    out = texts.copy()
    out[mixed] = texts[mixed].str.translate(_lookalike_table())
    return out


def fold_text(text: object) -> str:
    """NFKC (full width → half width), invisible characters removed, look-alike letters made Latin, lower case, trimmed; ``""`` for missing."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return fold_lookalikes(INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text)))).strip().lower()


def normalize_name(name: object) -> str:
    """Normalised matching key of one enterprise name.

    >>> normalize_name("阿里巴巴（中国）有限公司")
    '阿里巴巴'
    >>> normalize_name("Zhejiang Geely Holding Group Co., Ltd.")
    'zhejianggeely'
    """
    text = fold_text(name)
    if not text:
        return ""
    text = _BRACKETS.sub(" ", text)
    if HAS_CJK.search(text):
        core = _PUNCT.sub("", text)
        stripped = _ZH_SUFFIX.sub("", core)
        # English legal forms can trail a Chinese name too ("xx集团 Co., Ltd.")
        stripped = _EN_SUFFIX.sub("", " " + stripped).strip().replace(" ", "")
    else:
        spaced = _PUNCT.sub(" ", text).strip()
        stripped = _EN_SUFFIX.sub("", " " + spaced).strip().replace(" ", "")
        core = spaced.replace(" ", "")
    return stripped or core


def fold_texts(texts: pd.Series) -> pd.Series:
    """:func:`fold_text` over a Series of str (same index), at array speed (:func:`clean_texts`)."""
    cleaned = pd.Series(clean_texts(texts.tolist()), index=texts.index, dtype=object)
    return fold_lookalikes_series(cleaned).str.lower()


def normalize_folded(text: pd.Series) -> pd.Series:
    """:func:`normalize_names` of texts already folded by :func:`fold_texts` (same index), with whole-column string operations."""
    text = text.str.replace(_BRACKETS, " ", regex=True)
    zh = text.str.contains(HAS_CJK, regex=True).to_numpy(dtype=bool)
    out = pd.Series("", index=text.index, dtype=object)
    if zh.any():
        core = text[zh].str.replace(_PUNCT, "", regex=True)
        stripped = core.str.replace(_ZH_SUFFIX, "", regex=True)
        # English legal forms can trail a Chinese name too ("xx集团 Co., Ltd.")
        stripped = (" " + stripped).str.replace(_EN_SUFFIX, "", regex=True).str.strip().str.replace(" ", "", regex=False)
        out[zh] = stripped.where(stripped != "", core)
    if (~zh).any():
        spaced = text[~zh].str.replace(_PUNCT, " ", regex=True).str.strip()
        stripped = (" " + spaced).str.replace(_EN_SUFFIX, "", regex=True).str.strip().str.replace(" ", "", regex=False)
        out[~zh] = stripped.where(stripped != "", spaced.str.replace(" ", "", regex=False))
    return out


def normalize_names(names: pd.Series) -> pd.Series:
    """Vectorised :func:`normalize_name` over a Series (same result, same index).

    Distinct values are normalised once, with whole-column string operations.
    """
    values = names.astype("object")
    uniq = pd.Series(pd.unique(values), dtype=object)
    missing = uniq.map(lambda v: v is None or (isinstance(v, float) and np.isnan(v)), na_action=None).to_numpy(dtype=bool)
    out = normalize_folded(fold_texts(uniq.where(~missing, "").astype(str)))
    pos = pd.Index(uniq).get_indexer(values)
    return pd.Series(out.to_numpy(dtype=object)[pos], index=names.index, dtype=object).astype(str)


# --------------------------------------------------------------------------- ISO weeks

_WEEK = re.compile(r"^(\d{4})\s*-?\s*W\s*(\d{1,2})$", re.IGNORECASE)
#: 2026年第49周, 2026年49周.
_WEEK_ZH = re.compile(r"^(\d{4})\s*年\s*第?\s*(\d{1,2})\s*周$")
#: A day: 2026-12-03, 2026/12/3, 2026.12.03, 20261203, 2026年12月3日.
_DAYS = (
    re.compile(r"^(\d{4})([-/.])(?P<m>\d{1,2})\2(?P<d>\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)


def parse_week(text: str) -> tuple[str, dt.date]:
    """Normalise an ISO week and return it with its Monday.

    The week is written ``2026-W49`` (or ``2026W49``), ``2026年第49周``, or as
    any day of it (``2026-12-03``, ``20261203``, ``2026年12月3日``: 2026-W49).

    Raises
    ------
    MatcherError
        If the text is not an ISO week that exists, nor a date.
    """
    from .i18n import gettext

    s = unicodedata.normalize("NFKC", str(text)).strip()
    m = _WEEK.match(s) or _WEEK_ZH.match(s)
    if not m:
        d = next((found for p in _DAYS if (found := p.match(s))), None)
        if d:
            try:
                day = dt.date(int(d.group(1)), int(d.group("m")), int(d.group("d")))
            except ValueError:
                raise MatcherError(gettext("invalid week {text!r}: {text} is not a date").format(text=text)) from None
            return parse_week(iso_week(day))
        raise MatcherError(
            gettext("invalid week {text!r}; expected an ISO week such as 2026-W49 or 2026年第49周, or a day of it such as 2026-12-03").format(text=text)
        )
    year, week = int(m.group(1)), int(m.group(2))
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise MatcherError(gettext("invalid week {text!r}: {year} has no ISO week {week}").format(text=text, year=year, week=week)) from None
    return f"{year}-W{week:02d}", monday


def iso_week(day: dt.date) -> str:
    """The ISO week of a date, as ``2026-W49``."""
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def parse_date(text: str) -> str:
    """Normalise a date given as text (``2026-11-23``, ``20261123``) to ``YYYY-MM-DD``.

    Raises
    ------
    MatcherError
        If the text is not an ISO date.
    """
    try:
        return dt.date.fromisoformat(str(text).strip()).isoformat()
    except ValueError:
        from .i18n import gettext

        raise MatcherError(gettext("invalid date {text!r}; expected a date such as 2026-11-23").format(text=text)) from None
