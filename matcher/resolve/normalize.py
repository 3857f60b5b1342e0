"""Name fields for entity resolution: normalise a name into comparable parts.

:func:`parse_names` turns enterprise names in Chinese or English into one row
of fields each, the first step of resolution (normalise → block → compare →
score → cluster)::

    浙江恒逸集团有限公司   → prefix 浙江 (zhejiang), core 恒逸, brand 恒逸, pinyin hengyi, initials hy
    Zhejiang Hengyi Group  → prefix zhejiang, core hengyi, brand hengyi, pinyin hengyi, initials hy

``key`` is :func:`matcher._text.normalize_name`, the key stable enterprise ids
are made from; it is never changed here. The leading province or city is
kept as its own field rather than thrown away (浙江吉利 vs 吉利), and trailing
industry words are peeled off the core to give the ``brand`` (恒逸石化 → 恒逸).
Work is done once per distinct name, with vectorised string operations, so a
million names take seconds.
"""

from __future__ import annotations

import importlib.resources
import re
from functools import lru_cache

import numpy as np
import pandas as pd
from pypinyin import Style, pinyin

from .._text import LEGAL_FORMS_EN, LEGAL_FORMS_ZH, normalize_names

__all__ = ["parse_names", "NAME_FIELDS", "to_pinyin", "to_initials", "place_province", "GENERIC_ZH", "GENERIC_EN"]

#: Columns of :func:`parse_names`.
NAME_FIELDS = ("key", "lang", "prefix", "prefix_py", "core", "brand", "pinyin", "brand_py", "initials", "province_hint")

#: Industry and generic words peeled off the end of a Chinese core, longest first.
GENERIC_ZH = tuple(
    sorted(
        {
            "石油化工",
            "石化",
            "钢铁",
            "实业",
            "科技",
            "投资",
            "电器",
            "汽车",
            "医药",
            "工业",
            "精密",
            "技术",
            "新材料",
            "新能源",
            "能源",
            "化工",
            "化纤",
            "建设",
            "地产",
            "房地产",
            "物流",
            "电子",
            "电气",
            "机械",
            "重工",
            "矿业",
            "保险",
            "银行",
            "食品",
            "网络",
            "信息",
            "产业",
            "发展",
            "国际",
            "通讯",
            "通信",
            "创业",
            "控股",
            "集团",
            "股份",
            "冶金",
            "有色",
            "贸易",
            "商贸",
            "电力",
            "置业",
            "传媒",
            "生物",
            "制药",
            "药业",
        },
        key=len,
        reverse=True,
    )
)
#: English counterparts, dropped from the end of an English core.
GENERIC_EN = frozenset(
    "steel iron petrochemical petrochemicals chemical chemicals industry industries industrial technology technologies "
    "investment investments international pioneering heavy electrical electric appliances motor motors automobile automotive "
    "pharmaceutical pharmaceuticals insurance bank banking energy mining metals nonferrous group holding holdings "
    "corp corporation company co ltd limited inc financial development construction engineering trading commerce "
    "precision materials new power electronics communications network science and of the".split()
)

# Short city names that more often begin a brand than name a place (阿里巴巴, 东方希望, 中山公用).
_NOT_PREFIX = frozenset({"阿里", "东方", "中山", "白银", "海东", "三沙"})

_BRACKETS = re.compile(r"\(([^()]{0,8})\)")
_PUNCT_ZH = re.compile(r"[\s\.,'\"`·•\-_/&!?:;|*+#@~^=<>\[\]{}()’]+")
_TOKEN = re.compile(r"[a-z0-9]+")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")
_ZH_LEGAL = re.compile(r"(?:" + "|".join(re.escape(s) for s in LEGAL_FORMS_ZH) + r")+$")
_ZH_GENERIC = re.compile(r"(?:" + "|".join(re.escape(s) for s in GENERIC_ZH) + r")+$")
_EN_LEGAL = frozenset(LEGAL_FORMS_EN) | {"group", "holding", "holdings", "corp", "co", "ltd"}


@lru_cache(maxsize=1)
def _places() -> tuple[re.Pattern, dict[str, str], dict[str, str], frozenset[str]]:
    """Leading-place regex (Chinese), place → province, place → pinyin, latin place names."""
    text = importlib.resources.files("matcher.data").joinpath("gazetteer.csv").read_text(encoding="utf-8")
    from io import StringIO

    g = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    g = g[g.level.isin(["province", "city"])]
    province: dict[str, str] = {}
    py: dict[str, str] = {}
    latin: set[str] = {"china", "chinese", "hongkong"}
    for r in g.itertuples(index=False):
        for zh in {r.name_zh, r.short_zh} - {"", *_NOT_PREFIX}:
            province.setdefault(zh, r.province_zh)
            py.setdefault(zh, r.pinyin)
        if r.pinyin:
            province.setdefault(r.pinyin, r.province_zh)
            latin.add(r.pinyin)
    province.update({"中国": "", "中华": "", "china": ""})
    py.update({"中国": "china", "中华": "china"})
    names = sorted((k for k in province if _HAS_CJK.search(k)), key=len, reverse=True)
    rx = re.compile("^(" + "|".join(re.escape(n) for n in names) + ")")
    return rx, province, py, frozenset(latin)


def place_province(place: str) -> str:
    """The province of a leading place name (浙江 → 浙江省, zhejiang → 浙江省); ``""`` if unknown or China."""
    return _places()[1].get(place, "")


@lru_cache(maxsize=1)
def _char_tables() -> tuple[dict[int, str], dict[int, str]]:
    """Character → full pinyin and → initial letter, for every CJK character."""
    chars = "".join(chr(c) for c in range(0x4E00, 0xA000))
    full = pinyin(chars, style=Style.NORMAL, errors=lambda s: [" " for _ in s], heteronym=False, strict=False)
    to_full: dict[int, str] = {}
    to_ini: dict[int, str] = {}
    for ch, p in zip(chars, full):
        syl = p[0].strip().replace("ü", "v") if p and p[0].strip() else ""
        if syl:
            to_full[ord(ch)] = syl
            to_ini[ord(ch)] = syl[0]
    return to_full, to_ini


def to_pinyin(values: pd.Series) -> pd.Series:
    """Full toneless pinyin of each string, syllables joined (恒力 → hengli); other characters kept."""
    table = _char_tables()[0]
    return values.astype(str).str.translate(table)


def to_initials(values: pd.Series) -> pd.Series:
    """Pinyin initials of each Chinese string (比亚迪 → byd); Latin letters kept as they are."""
    table = _char_tables()[1]
    return values.astype(str).str.translate(table)


@lru_cache(maxsize=1)
def _syllable_rx() -> re.Pattern:
    table = _char_tables()[0]
    syl = sorted(set(table.values()), key=len, reverse=True)
    return re.compile("(" + "|".join(syl) + ")")


def _latin_initials(core_tokens: pd.Series, core: pd.Series) -> pd.Series:
    """Initials of an English core: of its pinyin syllables when it reads as pinyin, else of its words."""
    rx = _syllable_rx()
    full = re.compile("^(?:" + rx.pattern[1:-1] + ")+$")

    def one(tokens: list[str], joined: str) -> str:
        if len(tokens) == 1 and len(joined) <= 5 and not full.match(joined):
            return joined  # an acronym: BYD, CRRC
        if all(full.match(t) for t in tokens):
            return "".join(m[0] for t in tokens for m in rx.findall(t))
        return "".join(t[0] for t in tokens)

    return pd.Series([one(t, j) for t, j in zip(core_tokens, core)], index=core.index, dtype=object)


def parse_names(names: pd.Series) -> pd.DataFrame:
    """Comparable fields of each name, one row per input row (same index).

    Parameters
    ----------
    names : Series of str
        Enterprise names in Chinese or English, as written.

    Returns
    -------
    DataFrame
        Columns :data:`NAME_FIELDS`: ``key`` (the normalised name of
        :func:`matcher._text.normalize_name`), ``lang`` (``zh``/``en``/``""``),
        ``prefix`` (a leading province, city or 中国/China), ``prefix_py``
        (its pinyin), ``core`` (without prefix and legal forms), ``brand``
        (the core without trailing industry words), ``pinyin`` and
        ``brand_py`` (toneless pinyin, or the Latin core), ``initials`` and
        ``province_hint`` (the prefix's province).

    Examples
    --------
    >>> parse_names(pd.Series(["浙江恒逸集团有限公司"])).loc[0, ["prefix", "core", "pinyin"]].tolist()
    ['浙江', '恒逸', 'hengyi']
    """
    values = names.astype("object").where(names.notna(), "").astype(str)
    uniq = pd.Series(pd.unique(values), dtype=object)
    out = _parse_unique(uniq)
    pos = pd.Index(uniq).get_indexer(values)
    res = out.iloc[pos].reset_index(drop=True)
    res.index = names.index
    return res


def _parse_unique(names: pd.Series) -> pd.DataFrame:
    rx, province, place_py, latin_places = _places()
    folded = names.str.normalize("NFKC").str.strip().str.lower()
    key = normalize_names(names)
    no_brackets = folded.str.replace(_BRACKETS, " ", regex=True)
    is_zh = no_brackets.str.contains(_HAS_CJK)
    n = len(names)
    prefix = pd.Series([""] * n, dtype=object)
    core = pd.Series([""] * n, dtype=object)
    brand = pd.Series([""] * n, dtype=object)
    initials = pd.Series([""] * n, dtype=object)
    py = pd.Series([""] * n, dtype=object)

    # Chinese: strip punctuation and legal forms, then a leading place.
    if is_zh.any():
        z = no_brackets[is_zh].str.replace(_PUNCT_ZH, "", regex=True)
        z = z.str.replace(_ZH_LEGAL, "", regex=True)
        pre = z.str.extract(rx, expand=False).fillna("")
        rest = pd.Series([s[len(p) :] for s, p in zip(z, pre)], index=z.index, dtype=object)
        # Keep a place that is the whole name (北京银行 keeps 北京 out, but 北京 alone stays core).
        keep_pre = rest.str.len() >= 2
        pre = pre.where(keep_pre, "")
        c = rest.where(keep_pre, z)
        b = c.str.replace(_ZH_GENERIC, "", regex=True)
        # A core of industry words only (日照钢铁): the place is the brand.
        b = b.where(b.str.len() >= 2, pre.where((b == "") & (pre != ""), c))
        prefix[is_zh] = pre
        core[is_zh] = c
        brand[is_zh] = b
        py[is_zh] = to_pinyin(c)
        initials[is_zh] = to_initials(c)

    # English: tokens, legal forms off the end, a leading place off the front.
    en = ~is_zh
    if en.any():
        # Accents off (Électricité → electricite) so that spellings with and without them agree.
        plain = no_brackets[en].str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)
        toks = plain.str.replace("&", " and ").str.replace(r"['’]s\b", "", regex=True).str.findall(_TOKEN)
        pres, cores, brands, core_tokens = [], [], [], []
        for t in toks:
            t = list(t)
            while len(t) > 1 and t[-1] in _EN_LEGAL:
                t.pop()
            p = ""
            if len(t) > 1 and t[0] in latin_places:
                p = t.pop(0)
            b = list(t)
            while len(b) > 1 and b[-1] in GENERIC_EN:
                b.pop()
            if p and all(w in GENERIC_EN for w in b):
                b = [p]  # Rizhao Steel: the place is the brand
            pres.append(p)
            cores.append("".join(t))
            brands.append("".join(b))
            core_tokens.append(t)
        idx = no_brackets[en].index
        prefix[en] = pres
        core[en] = cores
        brand[en] = brands
        py[en] = cores
        initials[en] = _latin_initials(pd.Series(core_tokens, index=idx, dtype=object), pd.Series(cores, index=idx, dtype=object))

    lang = np.where(is_zh, "zh", np.where(core != "", "en", ""))
    prefix_py = prefix.map(lambda p: place_py.get(p, p))
    brand_py = to_pinyin(brand)
    hint = prefix.map(lambda p: province.get(p, ""))
    # A place in brackets (弘润石化（潍坊）, Wanda (Shandong)) says where, when no prefix does.
    inner = folded.str.extract(_BRACKETS, expand=False).fillna("").str.strip()
    inner = inner.str.replace(r"(省|市|自治区|特别行政区)$", "", regex=True)
    hint = hint.where(hint != "", inner.map(lambda p: province.get(p, "")))
    return pd.DataFrame(
        {
            "key": key.to_numpy(),
            "lang": lang,
            "prefix": prefix.to_numpy(),
            "prefix_py": prefix_py.to_numpy(),
            "core": core.to_numpy(),
            "brand": brand.to_numpy(),
            "pinyin": py.to_numpy(),
            "brand_py": brand_py.to_numpy(),
            "initials": initials.to_numpy(),
            "province_hint": hint.to_numpy(),
        }
    )
