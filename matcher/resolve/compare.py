"""Compare: similarity features of candidate pairs, and the reasons given for a decision.

Features (:data:`FEATURES`) are computed per pair with vectorised rapidfuzz
ratios over the name fields of :func:`matcher.resolve.normalize.parse_names`,
plus an IDF-weighted token similarity (:func:`token_matrix`) in which common
tokens (集团, 控股, Group) weigh little. :func:`reasons` turns a decided pair
into one line in Chinese and one in English.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from rapidfuzz import fuzz, process

__all__ = [
    "FEATURES",
    "PAIR_COLUMNS",
    "token_key",
    "token_keys",
    "token_matrix",
    "token_similarity",
    "agree",
    "ratio",
    "pair_features",
    "reasons",
]

#: Comparison features, in the order the match model reads them.
FEATURES = ("same_key", "brand_py", "pinyin", "brand_zh", "both_zh", "cross", "initials", "prefix", "province", "tokens", "brand_rare")
#: Parsed columns compared per pair (name fields, the HQ province and the alias group).
PAIR_COLUMNS = ("key", "lang", "brand_py", "pinyin", "brand", "initials", "prefix_py", "province", "group")


# ---------------------------------------------------------------------------- tokens


_CJK_WIDTH = 24  # characters of a Chinese name used for tokens (longer names are cut)
_WORD_FLAG = np.int64(1) << np.int64(62)
_BIGRAM_FLAG = np.int64(1) << np.int64(42)


def _word_keys(words: np.ndarray) -> np.ndarray:
    h = pd.util.hash_array(np.asarray(words, dtype=object)).astype(np.uint64) & np.uint64((1 << 60) - 1)
    return h.astype(np.int64) | _WORD_FLAG


def token_key(token: str) -> int:
    """Integer key of one token: a Chinese character, a pair of them, or a Latin word."""
    t = token.lower()
    if len(t) == 1 and "\u3400" <= t <= "\u9fff":
        return ord(t)
    if len(t) == 2 and all("\u3400" <= c <= "\u9fff" for c in t):
        return int(_BIGRAM_FLAG | (ord(t[0]) << 21) | ord(t[1]))
    return int(_word_keys(np.array([t], dtype=object))[0])


def token_keys(names: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Distinct tokens of each name as (row, key) arrays: Chinese characters and bigrams, and Latin words.

    Taken from the folded full name, legal forms included, so that their
    rarity (none) shows in the weights. Vectorised: Chinese text is read as
    code points of a fixed-width array.
    """
    folded = names.astype(str).str.normalize("NFKC").str.lower()
    cjk = folded.str.replace(r"[^\u3400-\u9fff]", "", regex=True).to_numpy(dtype=object)
    n = len(cjk)
    arr = np.array(cjk.tolist(), dtype=f"<U{_CJK_WIDTH}") if n else np.zeros(0, dtype=f"<U{_CJK_WIDTH}")
    cp = arr.view(np.uint32).reshape(n, _CJK_WIDTH).astype(np.int64)
    rows_u, cols_u = np.nonzero(cp & ~_repeated(cp))
    keys_u = cp[rows_u, cols_u]
    big = np.where((cp[:, :-1] > 0) & (cp[:, 1:] > 0), _BIGRAM_FLAG | (cp[:, :-1] << 21) | cp[:, 1:], 0)
    rows_b, cols_b = np.nonzero(big & ~_repeated(big))
    keys_b = big[rows_b, cols_b]
    latin = folded.str.contains(r"[a-z0-9]", regex=True).to_numpy(dtype=bool)
    if latin.any():
        words = folded[latin].str.findall(r"[a-z0-9]+").explode().dropna()
        rows_w = (
            np.flatnonzero(latin)[pd.Index(folded.index[latin]).get_indexer(words.index)] if len(words) else np.zeros(0, dtype=np.int64)
        )
        keys_w = _word_keys(words.to_numpy(dtype=object)) if len(words) else np.zeros(0, dtype=np.int64)
    else:
        rows_w, keys_w = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if len(rows_w):
        d = pd.DataFrame({"r": rows_w, "k": keys_w}).drop_duplicates()
        rows_w, keys_w = d.r.to_numpy(), d.k.to_numpy()
    # Kinds never share a key (flags), and each kind is distinct per row already.
    rows = np.concatenate([rows_u, rows_b, rows_w]).astype(np.int64)
    keys = np.concatenate([keys_u, keys_b, keys_w]).astype(np.int64)
    return rows, keys


def _repeated(a: np.ndarray) -> np.ndarray:
    """Mask of the entries of each row of ``a`` equal to an earlier non-zero entry of the same row."""
    if a.size == 0:
        return np.zeros(a.shape, dtype=np.int64)
    order = np.argsort(a, axis=1, kind="stable")  # equal values keep their left-to-right order
    s = np.take_along_axis(a, order, axis=1)
    dup_sorted = np.zeros(a.shape, dtype=bool)
    dup_sorted[:, 1:] = (s[:, 1:] == s[:, :-1]) & (s[:, 1:] != 0)
    dup = np.zeros(a.shape, dtype=bool)
    np.put_along_axis(dup, order, dup_sorted, axis=1)
    return np.where(dup, -1, 0).astype(np.int64)  # all bits set where repeated, for ``a & ~mask``


def token_matrix(tokens: tuple[np.ndarray, np.ndarray], n: int, vocab: np.ndarray, idf: np.ndarray) -> sp.csr_matrix:
    """L2-normalised IDF-weighted indicator matrix over sorted ``vocab`` keys (unknown tokens weigh the most)."""
    rows, keys = tokens
    col = np.searchsorted(vocab, keys) if len(vocab) else np.zeros(len(keys), dtype=np.int64)
    known = (col < len(vocab)) & (vocab[np.minimum(col, max(len(vocab) - 1, 0))] == keys) if len(vocab) else np.zeros(len(keys), dtype=bool)
    top = idf.max() if len(idf) else 1.0
    w = np.where(known, idf[np.minimum(col, max(len(idf) - 1, 0))] if len(idf) else top, top)
    # Unknown tokens: their own columns past the vocabulary, by hash.
    col = np.where(known, col, len(vocab) + (keys % 1_000_003))
    m = sp.csr_matrix((w, (rows, col)), shape=(n, len(vocab) + 1_000_003))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ m


def agree(a, b) -> np.ndarray:
    """+1 equal, -1 both given and different, 0 unknown."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    known = (a != "") & (b != "")
    return np.where(known, np.where(a == b, 1.0, -1.0), 0.0)


def ratio(a, b, workers: int) -> np.ndarray:
    """rapidfuzz ``ratio`` of each pair ``a[i]``, ``b[i]``, in [0, 1] (``workers`` threads, ``-1``: all cores)."""
    a = a.to_numpy(dtype=object) if hasattr(a, "to_numpy") else np.asarray(a, dtype=object)
    b = b.to_numpy(dtype=object) if hasattr(b, "to_numpy") else np.asarray(b, dtype=object)
    return process.cpdist(a, b, scorer=fuzz.ratio, workers=workers).astype(float) / 100.0


# ---------------------------------------------------------------------------- pair features


def pair_features(a: dict[str, np.ndarray], b: dict[str, np.ndarray], workers: int) -> pd.DataFrame:
    """The string features of pairs, all of :data:`FEATURES` but ``tokens`` and ``brand_rare``.

    Parameters
    ----------
    a, b : dict of str to ndarray
        The :data:`PAIR_COLUMNS` of the two sides, gathered per pair (object arrays of equal length).
    workers : int
        Threads for rapidfuzz (``-1``: all cores).

    Returns
    -------
    DataFrame
        One row per pair (index 0..n-1).
    """
    n = len(a["key"])
    both_zh = (a["lang"] == "zh") & (b["lang"] == "zh")
    f = pd.DataFrame(index=pd.RangeIndex(n))
    f["same_key"] = (a["key"] == b["key"]).astype(float)
    f["brand_py"] = ratio(a["brand_py"], b["brand_py"], workers)
    f["pinyin"] = ratio(a["pinyin"], b["pinyin"], workers)
    zh = np.flatnonzero(both_zh)
    brand_zh = np.zeros(n)
    if len(zh):
        brand_zh[zh] = ratio(a["brand"][zh], b["brand"][zh], workers)
    f["brand_zh"] = brand_zh
    f["both_zh"] = both_zh.astype(float)
    f["cross"] = (a["lang"] != b["lang"]).astype(float)
    ini_len = np.fromiter((len(x) for x in a["initials"]), dtype=np.int64, count=n)
    f["initials"] = ((a["initials"] == b["initials"]) & (ini_len >= 2)).astype(float)
    f["prefix"] = agree(a["prefix_py"], b["prefix_py"])
    f["province"] = agree(a["province"], b["province"])
    return f


def token_similarity(query_tokens: sp.csr_matrix, master_tokens: sp.csr_matrix, qi: np.ndarray, mi: np.ndarray) -> np.ndarray:
    """Cosine similarity of the token vectors (:func:`token_matrix`) of each pair ``(qi[i], mi[i])``."""
    if not len(qi):
        return np.zeros(0)
    return np.asarray(query_tokens[qi].multiply(master_tokens[mi]).sum(axis=1)).ravel()


# ---------------------------------------------------------------------------- reasons


def reasons(out: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """One line in Chinese and one in English saying what each decision rests on.

    Parameters
    ----------
    out : DataFrame
        Decided pairs: the :data:`FEATURES` columns used here (``same_key``,
        ``brand_py``, ``cross``, ``province``, ``prefix``), ``group_q``,
        ``group_m``, ``enterprise_id``, ``probability`` and ``decision``.

    Returns
    -------
    zh, en : Series of str
        Same index as ``out``, e.g. ``合并（概率 0.999）：别名表同一集团`` and
        ``merge (p=0.999): same group in the alias table``.
    """
    zh = pd.Series("", index=out.index, dtype=object)
    en = pd.Series("", index=out.index, dtype=object)

    def add(mask, z, e):
        nonlocal zh, en
        mask = np.asarray(mask, dtype=bool)
        zh = zh.where(~mask, zh + z + "；")
        en = en.where(~mask, en + e + "; ")

    same_group = (out.group_q != "") & (out.group_q == out.group_m)
    diff_group = (out.group_q != "") & (out.group_m != "") & (out.group_q != out.group_m)
    add(same_group, "别名表同一集团", "same group in the alias table")
    add(diff_group, "别名表中为不同集团", "different groups in the alias table")
    add(out.same_key == 1, "规范化名称相同", "same normalised name")
    add((out.same_key == 0) & (out.brand_py >= 0.999), "核心字号拼音相同", "same core name in pinyin")
    add((out.brand_py < 0.999) & (out.brand_py >= 0.8), "核心字号拼音相近", "similar core name in pinyin")
    add(out.cross == 1, "中英文名称比对", "Chinese–English comparison")
    add(out.province == 1, "总部省份一致", "same HQ province")
    add(out.province == -1, "总部省份不同", "different HQ province")
    add(out.prefix == -1, "地名前缀不同", "different place prefix")
    add(out.enterprise_id == "", "无候选企业", "no candidate enterprise")
    # object dtype throughout: an empty frame must not turn these into float columns.
    p = out.probability.map(lambda v: f"{v:.3f}").astype(object)
    dz = out.decision.map({"merge": "合并", "review": "待人工复核", "new": "新企业"}).astype(object)
    de = out.decision.map({"merge": "merge", "review": "needs review", "new": "new enterprise"}).astype(object)
    zh = dz + "（概率 " + p + "）：" + zh.astype(object).str.rstrip("；")
    en = de + " (p=" + p + "): " + en.astype(object).str.rstrip("; ")
    return zh, en
