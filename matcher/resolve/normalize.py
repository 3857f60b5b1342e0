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
Pinyin reads phrases as phrases (:func:`to_pinyin`: 长安 → changan, 重庆 →
chongqing) with pypinyin's phrase dictionary; only names holding a character
some phrase reads otherwise are segmented. Work is done once per distinct
name, with vectorised string operations, so a million names take seconds.
"""

from __future__ import annotations

import importlib.resources
import re
from functools import lru_cache

import numpy as np
import pandas as pd
from pypinyin import Style, pinyin

from .._text import LEGAL_FORMS_EN, LEGAL_FORMS_ZH, fold_texts, normalize_folded

__all__ = ["parse_names", "NAME_FIELDS", "to_pinyin", "to_initials", "syllables", "place_province", "GENERIC_ZH", "GENERIC_EN"]

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


# Tone marks of pypinyin's phrase dictionary → toneless letters (ü as v, as in the character table).
_TONELESS = str.maketrans(
    {
        **dict.fromkeys("āáǎà", "a"),
        **dict.fromkeys("ēéěèê", "e"),
        **dict.fromkeys("īíǐì", "i"),
        **dict.fromkeys("ōóǒò", "o"),
        **dict.fromkeys("ūúǔù", "u"),
        **dict.fromkeys("üǖǘǚǜ", "v"),
        **dict.fromkeys("ńňǹ", "n"),
        "ḿ": "m",
    }
)
_SYLLABLE = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _phrase_tables() -> tuple[dict[str, tuple[str, ...]], frozenset[str], re.Pattern]:
    """pypinyin's phrase dictionary, toneless: phrase → syllables, the phrases' prefixes, and a trigger regex.

    A phrase reads a character otherwise than the character table only where
    none of the phrase's readings of it is the table's (长安 → chang, 重庆 →
    chong, 厦门 → xia); where one is (朝阳: zhao or chao), the table's stays.
    The trigger matches the characters some phrase reads otherwise: a string
    without them reads as its characters, so only strings with them are segmented.
    """
    from pypinyin.constants import PHRASES_DICT

    table = _char_tables()[0]
    phrases: dict[str, tuple[str, ...]] = {}
    changed: set[str] = set()
    for phrase, readings in PHRASES_DICT.items():
        if len(phrase) < 2 or len(readings) != len(phrase):
            continue
        syllables = []
        for ch, options in zip(phrase, readings):
            own = table.get(ord(ch))
            plain = [o.translate(_TONELESS) for o in options]
            if own is None or not all(_SYLLABLE.fullmatch(o) for o in plain):
                break
            syllables.append(own if own in plain else plain[0])
        else:
            phrases[phrase] = tuple(syllables)
            changed.update(ch for ch, syl in zip(phrase, syllables) if syl != table[ord(ch)])
    prefixes = frozenset(p[:k] for p in phrases for k in range(2, len(p) + 1))
    trigger = re.compile("[" + "".join(sorted(changed)) + "]") if changed else re.compile(r"(?!)")
    return phrases, prefixes, trigger


def syllables(text: str) -> list[str]:
    """Toneless pinyin of each character of one string, phrase-aware (重庆 → ``["chong", "qing"]``).

    Phrases of pypinyin's dictionary are found by forward maximum matching;
    other characters read as their own (see :func:`to_pinyin`). Characters
    without pinyin (Latin letters, digits, rare characters) stand for themselves.
    """
    table = _char_tables()[0]
    phrases, prefixes, _ = _phrase_tables()
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        end, j = 0, i + 2
        while j <= n:
            word = text[i:j]
            if word not in prefixes:
                break
            if word in phrases:
                end = j
            j += 1
        if end:
            out.extend(phrases[text[i:end]])
            i = end
        else:
            out.append(table.get(ord(text[i]), text[i]))
            i += 1
    return out


def _read(values: pd.Series, *, full: bool = True, initials: bool = False) -> list[pd.Series]:
    """Full pinyin and/or initials of each string: per character by table, then phrases where a phrase reads otherwise.

    Vectorised: every string is translated character by character; only the
    distinct strings holding a character some phrase reads otherwise (about a
    third of Chinese names) are segmented into phrases, each once for both outputs.
    """
    s = values.astype(str)
    to_full, to_ini = _char_tables()
    trigger = _phrase_tables()[2]
    outs = ([s.str.translate(to_full)] if full else []) + ([s.str.translate(to_ini)] if initials else [])
    hit = s.str.contains(trigger, regex=True).to_numpy(dtype=bool)
    if not hit.any():
        return outs
    todo = s[hit]
    uniq = pd.unique(todo)
    pos = pd.Index(uniq).get_indexer(todo)
    read = [syllables(t) for t in uniq]
    done = ([["".join(r) for r in read]] if full else []) + ([["".join(x[0] for x in r) for r in read]] if initials else [])
    result = []
    for out, values_u in zip(outs, done):
        out = out.copy()
        out[hit] = np.array(values_u, dtype=object)[pos]
        result.append(out)
    return result


def to_pinyin(values: pd.Series) -> pd.Series:
    """Full toneless pinyin of each string, syllables joined (恒力 → hengli); other characters kept.

    Phrase-aware: pypinyin's phrase dictionary decides the reading of a
    character with several (长安 → changan, 重庆 → chongqing, 银行 → yinhang,
    not zhangan, zhongqing, yinxing).
    """
    return _read(values)[0]


def to_initials(values: pd.Series) -> pd.Series:
    """Pinyin initials of each Chinese string (比亚迪 → byd, 长安 → ca); Latin letters kept as they are."""
    return _read(values, full=False, initials=True)[0]


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


def parse_names(names: pd.Series, keys: pd.Series | None = None) -> pd.DataFrame:
    """Comparable fields of each name, one row per input row (same index).

    Parameters
    ----------
    names : Series of str
        Enterprise names in Chinese or English, as written.
    keys : Series of str, optional
        Each name's :func:`matcher._text.normalize_names` key (same length), when the caller
        computed them already (an import keys its names first): taken as the ``key`` field,
        not computed again.

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
    # The key of each distinct name: that of its first row (pd.unique keeps the order of first rows).
    known = None if keys is None else np.asarray(keys, dtype=object)[~values.duplicated().to_numpy()]
    out = _parse_unique(uniq, known)
    pos = pd.Index(uniq).get_indexer(values)
    res = out.iloc[pos].reset_index(drop=True)
    res.index = names.index
    return res


def _parse_unique(names: pd.Series, keys: np.ndarray | None = None) -> pd.DataFrame:
    rx, province, place_py, latin_places = _places()
    # Invisible characters out and look-alike letters made Latin (Huawеi with a Cyrillic е is Huawei), as in the key.
    folded = fold_texts(names)
    key = normalize_folded(folded) if keys is None else pd.Series(keys, index=folded.index, dtype=object)
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
        py[is_zh], initials[is_zh] = _read(c, initials=True)

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
