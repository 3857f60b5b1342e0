"""Industry taxonomy: map free industry text to canonical industries.

Text arrives as Fortune labels ("Motor Vehicles and Parts"), Chinese business
descriptions ("芳烃；PTA；聚酯纤维"), national classification labels
("汽车制造业") or nothing at all. :class:`IndustryMapper` maps it with, in
order of confidence:

==========  ==========  =====================================================
method      confidence  rule
==========  ==========  =====================================================
label       1.0         the whole text is a name or synonym of an industry
segment     0.9         one ``；``/``,``-separated part is a name or synonym
fuzzy       ≤ 0.85      RapidFuzz similarity to a synonym ≥ ``fuzzy_cutoff``
line        0.85        a keyword makes up at least half of one part (``氧化铝``,
                        ``锂电正极材料``): that business line is the industry
keyword     0.7         a keyword of the industry occurs in the text
name        0.4         no industry text: a keyword in the enterprise's name
==========  ==========  =====================================================

Distinct texts are mapped once; keyword and fuzzy matching run over all
distinct texts at a time (one Aho–Corasick automaton over all keywords,
``rapidfuzz.process.cdist``), not per enterprise.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from rapidfuzz import fuzz, process

from ..config.model import Industry
from .folding import fold_all, fold_label

__all__ = ["IndustryMapper", "METHOD_CONFIDENCE", "fold_label"]

METHOD_CONFIDENCE = {"label": 1.0, "segment": 0.9, "fuzzy": 0.85, "line": 0.85, "keyword": 0.7, "name": 0.4}
#: A keyword that makes up at least this share of a business line's characters names that line.
LINE_COVERAGE = 0.5
#: What separates the business lines of a text.
_SEGMENT_CHARS = "；;，,、/|\n"
_SEGMENT_SPLIT = f"[{_SEGMENT_CHARS}]+"
#: What separates an enterprise's several texts, joined by `` | ``.
_PARTS = re.compile(r"\s*\|\s*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_COLUMNS = ["row", "industry", "confidence", "method", "evidence"]


class IndustryMapper:
    """Map industry text and enterprise names to taxonomy industries.

    Parameters
    ----------
    industries : sequence of Industry
    fuzzy_cutoff : float
        Minimum RapidFuzz score (0–100) for a fuzzy label match.
    """

    def __init__(self, industries: Sequence[Industry], *, fuzzy_cutoff: float = 88.0):
        self.industries = tuple(industries)
        self.fuzzy_cutoff = fuzzy_cutoff
        labels: dict[str, str] = {}
        for ind in self.industries:
            for lab in (ind.name_zh, ind.name_en, *ind.synonyms_zh, *ind.synonyms_en):
                key = fold_label(lab)
                if key:
                    labels.setdefault(key, ind.id)
        self._labels = labels
        self._label_keys = list(labels)
        self._label_ids = np.array([labels[k] for k in self._label_keys], dtype=object)
        self._label_keys_arr = np.array(self._label_keys, dtype=object)
        self._label_lens = np.array([len(k) for k in self._label_keys], dtype=np.int64)
        kw: list[tuple[str, str, bool]] = []
        nk: list[tuple[str, str, bool]] = []
        for ind in self.industries:
            kw += [(fold_label(k), ind.id, True) for k in ind.keywords_zh if k.strip()]
            kw += [(fold_label(k), ind.id, False) for k in ind.keywords_en if k.strip()]
            nk += [(fold_label(k), ind.id, True) for k in ind.name_keywords_zh if k.strip()]
            nk += [(fold_label(k), ind.id, False) for k in ind.name_keywords_en if k.strip()]
        self._keywords = sorted(set(kw))
        self._broad = frozenset(ind.parent for ind in self.industries if ind.parent)
        self._name_keywords = sorted(set(nk))

    # ------------------------------------------------------------------ public

    def map_texts(self, texts: pd.Series) -> pd.DataFrame:
        """Industries found in each text.

        Parameters
        ----------
        texts : Series of str
            Several texts of one enterprise may be joined with ``" | "``;
            each part is mapped on its own.

        Returns
        -------
        DataFrame
            Long format, one row per (row, industry) with the best match:
            ``row`` (position in ``texts``), ``industry``, ``confidence`` (0–1),
            ``method`` (see the module table) and ``evidence`` (the matched
            text or keyword).
        """
        at, parts = _split_parts(fold_all(texts).to_numpy(dtype=object))
        keep = parts.astype(bool)  # non-empty
        code, uniq = pd.factorize(parts[keep])
        if not len(uniq):
            return pd.DataFrame(columns=_COLUMNS)
        found = self._map_parts(pd.Series(uniq, dtype=object))
        if found.empty:
            return pd.DataFrame(columns=_COLUMNS)
        rows = pd.DataFrame({"row": at[keep], "u": code})
        out = rows.merge(found.astype({"u": np.int64}), on="u").drop(columns="u")
        out = out.sort_values(["row", "industry", "confidence", "evidence"], ascending=[True, True, False, True])
        out = out.drop_duplicates(["row", "industry"])
        return out.sort_values(["row", "industry"]).reset_index(drop=True)[_COLUMNS]

    def map_names(self, names: pd.Series) -> pd.DataFrame:
        """Industries that an enterprise name states (钢铁, 石化, Steel …), confidence 0.4."""
        folded = fold_all(names)
        uniq = pd.Series(pd.unique(folded[folded != ""]), dtype=object)
        if uniq.empty:
            return pd.DataFrame(columns=_COLUMNS)
        hits = _drop_contained(self._keyword_hits(uniq, self._name_keywords, "name"))
        return self._spread(hits, folded, uniq)

    # ------------------------------------------------------------------ steps

    def _map_parts(self, uniq: pd.Series) -> pd.DataFrame:
        """Matches of each distinct text part: ``u, industry, confidence, method, evidence``."""
        cols = ["u", "industry", "confidence", "method", "evidence"]
        whole = uniq.map(self._labels)
        known = whole.notna().to_numpy()
        frames = [
            pd.DataFrame(
                {
                    "u": np.flatnonzero(known),
                    "industry": whole[known].to_numpy(),
                    "confidence": METHOD_CONFIDENCE["label"],
                    "method": "label",
                    "evidence": uniq[known].to_numpy(),
                }
            )
        ]
        # A part that is a known label says all; the others are read segment by segment.
        rest = uniq[~known]
        if len(rest):
            segs, texts, lens = self._segments(rest)
            label = pd.Series(texts, dtype=object).map(self._labels).to_numpy(dtype=object)
            ind = label[segs.s.to_numpy()]
            has = pd.notna(ind)
            exact = segs[has]
            frames.append(
                pd.DataFrame(
                    {
                        "u": exact.u.to_numpy(),
                        "industry": pd.Series(ind[has], dtype=object),
                        "confidence": METHOD_CONFIDENCE["segment"],
                        "method": "segment",
                        "evidence": pd.Series(exact.text.to_numpy(dtype=object), dtype=object),
                    }
                )
            )
            unexplained = segs[~has]
            frames.append(self._fuzzy(unexplained, texts))
            # Keywords only in what no label explained; a keyword inside a longer hit yields to it.
            if len(unexplained):
                kw = self._segment_keywords(unexplained, texts)
                if len(kw):
                    frames.append(_lines(kw, unexplained, texts, lens, self._broad))
        frames = [f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)

    @staticmethod
    def _segments(rest: pd.Series) -> pd.DataFrame:
        """The business lines of each text: ``u`` (text), ``s`` (distinct line), ``text``; lines of one character dropped.

        Also the distinct lines and their lengths, so later steps judge each line once.
        """
        at, pieces = _split_lines(rest.to_numpy(dtype=object))
        code, distinct = pd.factorize(pieces)
        stripped = np.array([t.strip() for t in distinct], dtype=object)
        code2, texts = pd.factorize(stripped)
        texts = np.asarray(texts, dtype=object)
        s = code2[code]
        lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        keep = lens[s] > 1
        segs = pd.DataFrame({"u": rest.index.to_numpy()[at[keep]], "s": s[keep]}).drop_duplicates()
        segs["text"] = pd.Series(texts[segs.s.to_numpy()], dtype=object, index=segs.index)
        return segs, texts, lens

    def _segment_keywords(self, segs: pd.DataFrame, texts: np.ndarray) -> pd.DataFrame:
        """Keyword hits of each text ``u`` in its segments: the longest keyword per (u, industry), none inside a longer hit.

        Each distinct segment is searched once (registry texts share most of their
        business lines); no keyword spans two segments, as none holds a separator.
        """
        code, distinct = pd.factorize(segs.s.to_numpy())
        kw = self._keyword_hits(pd.Series(texts[distinct], dtype=object), self._keywords, "keyword", longest=False)
        if kw.empty:
            return kw
        per_seg = pd.DataFrame({"u": segs.u.to_numpy(), "s": code}).drop_duplicates()
        # A keyword inside a longer hit of the same text yields to it (储能 in 新型储能) before the
        # longest keyword of each industry is kept: else the longer hit may be gone by then.
        kw = _drop_contained(per_seg.merge(kw.rename(columns={"u": "s"}), on="s").drop(columns="s"))
        kw = kw.assign(_len=kw.evidence.str.len()).sort_values(["u", "industry", "_len", "evidence"], ascending=[True, True, False, True])
        return kw.drop_duplicates(["u", "industry"]).drop(columns="_len").reset_index(drop=True)

    def _fuzzy(self, segs: pd.DataFrame, lines: np.ndarray) -> pd.DataFrame:
        if segs.empty or not self._label_keys:
            return pd.DataFrame()
        codes = pd.unique(segs.s.to_numpy())
        texts = lines[codes]
        latin = ~pd.Series(texts, dtype=object).str.contains(_CJK.pattern, regex=True).to_numpy(dtype=bool)
        found = []
        for mask, scorer in ((latin, fuzz.token_sort_ratio), (~latin, fuzz.ratio)):
            if not mask.any():
                continue
            for subc, labels in self._fuzzy_bands(codes[mask], lines, banded=scorer is fuzz.ratio):
                sub = lines[subc]
                scores = process.cdist(sub, self._label_keys_arr[labels], scorer=scorer, score_cutoff=self.fuzzy_cutoff, dtype=np.uint8)
                best = scores.argmax(axis=1)
                top = scores[np.arange(len(sub)), best]
                ok = top >= self.fuzzy_cutoff
                found.append(pd.DataFrame({"s": subc[ok], "industry": self._label_ids[labels[best[ok]]], "score": top[ok]}))
        if not found:
            return pd.DataFrame()
        f = segs.merge(pd.concat(found), on="s")
        f["confidence"] = METHOD_CONFIDENCE["fuzzy"] * f.score / 100.0
        f["method"] = "fuzzy"
        f["evidence"] = f.text
        return f[["u", "industry", "confidence", "method", "evidence"]]

    def _fuzzy_bands(self, codes: np.ndarray, lines: np.ndarray, *, banded: bool):
        """``(line codes, label indices)`` to compare: for ``ratio``, by line length, only the labels it can reach.

        ``ratio`` is at most ``100 (1 - |a - b| / (a + b))`` for lengths ``a, b``; labels
        below the cutoff (less one point for rounding) by that bound score 0 anyway,
        so leaving them out changes no result (the labels kept stay in order: ties go as before).
        """
        every = np.arange(len(self._label_keys))
        if not banded or not len(codes):
            yield codes, every
            return
        lens = np.fromiter((len(t) for t in lines[codes]), dtype=np.int64, count=len(codes))
        for n in np.unique(lens):
            a, b = float(n), self._label_lens.astype(float)
            bound = 100.0 * (1.0 - np.abs(a - b) / np.maximum(a + b, 1.0))
            labels = every[bound >= self.fuzzy_cutoff - 1.0]
            if len(labels):
                yield codes[lens == n], labels

    @staticmethod
    def _keyword_hits(uniq: pd.Series, keywords, method: str, *, longest: bool = True) -> pd.DataFrame:
        """Keyword hits ``u, industry, confidence, method, evidence``; with ``longest``, only the longest keyword per (u, industry)."""
        units = sorted({(kw, not cjk) for kw, _, cjk in keywords if kw})
        if not units:
            return pd.DataFrame(columns=["u", "industry", "confidence", "method", "evidence"])
        t, k = find_keywords(uniq.to_numpy(dtype=object), [kw for kw, _ in units], np.array([b for _, b in units], dtype=bool))
        hits = pd.DataFrame(
            {"u": t, "kw": np.array([kw for kw, _ in units], dtype=object)[k], "bound": np.array([b for _, b in units], dtype=bool)[k]}
        )
        table = pd.DataFrame([(kw, iid, not cjk) for kw, iid, cjk in keywords if kw], columns=["kw", "industry", "bound"]).astype(
            {"bound": bool}
        )
        hits = hits.merge(table, on=["kw", "bound"]).rename(columns={"kw": "evidence"})
        frames = [hits[["u", "industry", "evidence"]]] if len(hits) else []
        if not frames:
            return pd.DataFrame(columns=["u", "industry", "confidence", "method", "evidence"])
        out = pd.concat(frames, ignore_index=True)
        if longest:
            # Longer keywords are more specific: keep the longest as evidence.
            out = out.assign(_len=out.evidence.str.len()).sort_values(
                ["u", "industry", "_len", "evidence"], ascending=[True, True, False, True]
            )
            out = out.drop_duplicates(["u", "industry"]).drop(columns="_len")
        out["confidence"] = METHOD_CONFIDENCE[method]
        out["method"] = method
        return out

    @staticmethod
    def _spread(found: pd.DataFrame, folded: pd.Series, uniq: pd.Series) -> pd.DataFrame:
        """Best match per (distinct text, industry), then back to input rows."""
        if found.empty:
            return pd.DataFrame(columns=_COLUMNS)
        found = found.sort_values(["u", "industry", "confidence", "evidence"], ascending=[True, True, False, True])
        found = found.drop_duplicates(["u", "industry"])
        found["text"] = uniq.to_numpy()[found.u.to_numpy().astype(int)]
        rows = pd.DataFrame({"row": np.arange(len(folded)), "text": folded.to_numpy()})
        out = rows.merge(found.drop(columns="u"), on="text").drop(columns="text")
        return out.sort_values(["row", "industry"]).reset_index(drop=True)[_COLUMNS]


def _split_lines(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``texts`` split at runs of :data:`_SEGMENT_CHARS`: (text of each piece, pieces), in order.

    As ``Series.str.split(_SEGMENT_SPLIT).explode()``, without a regular expression: the
    texts are joined by ``\\x02``, every separator becomes ``\\x01`` (runs of it one), each
    text's end ``\\x01\\x02\\x01``, and one ``str.split`` makes every piece; the ``\\x02``
    items count the texts. Texts that hold those control characters themselves go the regular-expression way.
    """
    if not len(texts):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    joined = "\x02".join(texts)
    if "\x01" in joined or joined.count("\x02") != len(texts) - 1:
        pieces = [re.split(_SEGMENT_SPLIT, t) for t in texts]
        at = np.repeat(np.arange(len(texts)), [len(p) for p in pieces])
        return at, np.array(list(itertools.chain.from_iterable(pieces)), dtype=object)
    for sep in _SEGMENT_CHARS:
        joined = joined.replace(sep, "\x01")
    while "\x01\x01" in joined:
        joined = joined.replace("\x01\x01", "\x01")
    flat = np.array(joined.replace("\x02", "\x01\x02\x01").split("\x01"), dtype=object)
    end = flat == "\x02"
    return np.cumsum(end)[~end].astype(np.int64), flat[~end]


def _split_parts(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``texts`` split at `` | `` (an enterprise's several texts): (text of each piece, pieces), in order.

    As ``Series.str.split(r"\\s*\\|\\s*").explode()``; a text without ``|`` (most) is its only piece.
    """
    pieces = [_PARTS.split(t) if "|" in t else [t] for t in texts.tolist()]
    at = np.repeat(np.arange(len(pieces), dtype=np.int64), [len(p) for p in pieces])
    return at, np.array(list(itertools.chain.from_iterable(pieces)), dtype=object)


def find_keywords(texts: np.ndarray, keywords: Sequence[str], bounded: np.ndarray, *, batch_chars: int = 20_000_000):
    """Every (text, keyword) pair where the keyword occurs in the text.

    Parameters
    ----------
    texts : ndarray of str
    keywords : sequence of str
        Non-empty; none may contain NUL.
    bounded : ndarray of bool
        Per keyword: it must stand as a word (no ``a-z``/``0-9`` right before
        or after it), as for an English keyword in lower-cased text.
    batch_chars : int
        Texts are searched in batches of about this many characters, which
        bounds the memory of the joined text and its code points.

    Returns
    -------
    text, keyword : ndarray of int64
        Indices of the pairs, sorted by text then keyword.

    Notes
    -----
    The same as testing ``keyword in text`` for every pair, but over all
    texts at once: the texts are joined (NUL-separated) into one string and
    one Aho–Corasick automaton (``pyahocorasick``) reports every occurrence of
    every keyword, overlapping ones included, in a single pass; a bounded
    keyword's occurrences are then kept only where no letter or digit touches
    them.
    """
    texts = np.asarray(texts, dtype=object)
    if not len(texts) or not len(keywords):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    search = _KeywordAutomaton(keywords, np.asarray(bounded, dtype=bool))
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    out_t, out_k = [], []
    # Batches of texts bound the memory of the joined text.
    start = 0
    while start < len(texts):
        stop = start + max(1, int(np.searchsorted(np.cumsum(lens[start:] + 1), batch_chars)))
        t, k = search.find(texts[start:stop], lens[start:stop])
        out_t.append(t + start)
        out_k.append(k)
        start = stop
    t, k = np.concatenate(out_t), np.concatenate(out_k)
    key = np.sort(t * len(keywords) + k)
    # Sorted and distinct (numpy's np.unique hashes, slower here).
    key = key[np.concatenate([key[:1] == key[:1], key[1:] != key[:-1]])]
    return key // len(keywords), key % len(keywords)


class _KeywordAutomaton:
    """An Aho–Corasick automaton over distinct keyword strings, mapped back to keyword indices.

    The same string may be given twice (bounded and not): the automaton holds
    it once, and each of its hits stands for every keyword index with that string.
    """

    def __init__(self, keywords: Sequence[str], bounded: np.ndarray):
        import ahocorasick

        words = np.asarray(list(keywords), dtype=object)
        distinct, group = np.unique(words.astype(str), return_inverse=True)
        self.members = np.argsort(group, kind="stable")  # keyword indices, by string
        self.counts = np.bincount(group, minlength=len(distinct))
        self.first = np.cumsum(self.counts) - self.counts
        self.length = np.array([len(w) for w in words], dtype=np.int64)
        self.bounded = bounded
        self.automaton = ahocorasick.Automaton()
        for g, word in enumerate(distinct.tolist()):
            self.automaton.add_word(word, g)
        self.automaton.make_automaton()

    def find(self, texts: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(text, keyword) of every occurrence in ``texts`` (repeats included)."""
        joined = "\x00".join(texts) + "\x00"
        # (end position, string id) of every occurrence, flattened in C.
        flat = np.fromiter(itertools.chain.from_iterable(self.automaton.iter(joined)), dtype=np.int64)
        end, g = flat[0::2], flat[1::2]
        many = self.counts[g]
        hit = np.repeat(np.arange(len(g)), many)
        offset = np.arange(len(hit)) - np.repeat(np.cumsum(many) - many, many)
        kw = self.members[np.repeat(self.first[g], many) + offset]
        p = end[hit] - self.length[kw] + 1
        b = self.bounded[kw]
        if b.any():
            codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
            n = len(codes)
            before = np.where(p > 0, codes[np.maximum(p - 1, 0)], 0)
            after = codes[np.minimum(p + self.length[kw], n - 1)]
            keep = ~b | ~(_is_alnum(before) | _is_alnum(after))
            p, kw = p[keep], kw[keep]
        starts = np.cumsum(lens + 1) - (lens + 1)
        return np.searchsorted(starts, p, side="right") - 1, kw.astype(np.int64)


def _is_alnum(codes: np.ndarray) -> np.ndarray:
    return ((codes >= ord("a")) & (codes <= ord("z"))) | ((codes >= ord("0")) & (codes <= ord("9")))


def _lines(hits: pd.DataFrame, segs: pd.DataFrame, texts: np.ndarray, lens: np.ndarray, broad: frozenset[str]) -> pd.DataFrame:
    """Raise a keyword hit to ``line`` where the keyword makes up most of one business line of its text.

    A profile lists business lines (``氧化铝;电解铝;垃圾焚烧发电;化工``): a keyword that is
    most of a line names what the enterprise does, unlike one inside a long sentence. A broad
    industry (``医疗健康``) stays a keyword: a vague line is no evidence for a specific link.
    """
    if hits.empty or segs.empty:
        return hits
    specific = hits[~hits.industry.isin(broad)][["u", "evidence", "industry"]].drop_duplicates()
    if specific.empty:
        return hits
    # Only a line at most twice as long as the longest keyword can be covered by one: compare those.
    ek_all, kws = pd.factorize(specific.evidence.to_numpy(dtype=object))
    klen = np.fromiter((len(k) for k in kws), dtype=np.int64, count=len(kws))
    short = segs[lens[segs.s.to_numpy()] <= 2 * int(klen.max())][["u", "s"]]
    pairs = specific.assign(_k=ek_all).merge(short, on="u")
    # Each distinct (keyword, line) is judged once.
    ek, tk = pairs._k.to_numpy(dtype=np.int64), pairs.s.to_numpy(dtype=np.int64)
    long_enough = klen[ek] >= LINE_COVERAGE * lens[tk]
    combo, back = np.unique(ek[long_enough].astype(np.int64) * len(texts) + tk[long_enough], return_inverse=True)
    inside = np.array([kws[c // len(texts)] in texts[c % len(texts)] for c in combo.tolist()], dtype=bool)
    covers = long_enough.copy()
    covers[long_enough] = inside[back] if len(combo) else False
    lines = pairs[covers][["u", "evidence", "industry"]].drop_duplicates()
    if lines.empty:
        return hits
    marked = hits.merge(lines.assign(_line=True), on=["u", "evidence", "industry"], how="left")
    line = marked._line.notna().to_numpy()
    marked.loc[line, "confidence"] = METHOD_CONFIDENCE["line"]
    marked.loc[line, "method"] = "line"
    return marked.drop(columns="_line")


def _drop_contained(hits: pd.DataFrame) -> pd.DataFrame:
    """Drop keyword hits whose keyword lies inside a longer hit of the same text (能源 in 新能源).

    With ``H`` the (text × keyword) hits and ``C`` the (outer × inner) keyword containment,
    ``(H @ C)[u, k]`` counts the hits of text ``u`` that contain keyword ``k``: a hit is
    dropped where that count is not zero. One sparse product, not a row per (hit, outer) pair.
    """
    if hits.empty:
        return hits
    code, distinct = pd.factorize(hits.evidence.to_numpy(dtype=object))
    # Which distinct keyword lies inside which other (once per keyword pair, not per hit pair).
    outer, inner = find_keywords(distinct, list(distinct), np.zeros(len(distinct), dtype=bool))
    other = outer != inner
    outer, inner = outer[other], inner[other]
    if not len(inner):
        return hits
    k = len(distinct)
    u = hits.u.to_numpy(dtype=np.int64)
    n = int(u.max()) + 1
    texts = sp.csr_matrix((np.ones(len(u), dtype=np.int32), (u, code)), shape=(n, k))
    contains = sp.csr_matrix((np.ones(len(outer), dtype=np.int32), (outer, inner)), shape=(k, k))
    inside = (texts @ contains).tocsr()
    drop = np.asarray(inside[u, code]).ravel() > 0
    if not drop.any():
        return hits
    return hits[~drop].reset_index(drop=True)
