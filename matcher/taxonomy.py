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
keyword     0.7         a keyword of the industry occurs in the text
name        0.4         no industry text: a keyword in the enterprise's name
==========  ==========  =====================================================

Distinct texts are mapped once; keyword and fuzzy matching run over all
distinct texts at a time (pandas string methods, ``rapidfuzz.process.cdist``),
not per enterprise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from .config import Industry

__all__ = ["IndustryMapper", "METHOD_CONFIDENCE", "fold_label"]

METHOD_CONFIDENCE = {"label": 1.0, "segment": 0.9, "fuzzy": 0.85, "keyword": 0.7, "name": 0.4}
_SEGMENT_SPLIT = r"[；;，,、/|\n]+"
_CJK = re.compile(r"[\u3400-\u9fff]")
_COLUMNS = ["row", "industry", "confidence", "method", "evidence"]


def fold_label(text: object) -> str:
    """Fold a label for exact comparison: NFKC, lower case, single spaces."""
    t = unicodedata.normalize("NFKC", "" if text is None else str(text)).lower()
    return re.sub(r"\s+", " ", t).strip(" .")


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
        kw: list[tuple[str, str, bool]] = []
        nk: list[tuple[str, str, bool]] = []
        for ind in self.industries:
            kw += [(fold_label(k), ind.id, True) for k in ind.keywords_zh if k.strip()]
            kw += [(fold_label(k), ind.id, False) for k in ind.keywords_en if k.strip()]
            nk += [(fold_label(k), ind.id, True) for k in ind.name_keywords_zh if k.strip()]
            nk += [(fold_label(k), ind.id, False) for k in ind.name_keywords_en if k.strip()]
        self._keywords = sorted(set(kw))
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
        folded = texts.fillna("").astype(str).map(fold_label).reset_index(drop=True)
        parts = folded.str.split(r"\s*\|\s*").explode()
        parts = parts[parts.fillna("") != ""]
        uniq = pd.Series(pd.unique(parts), dtype=object)
        if uniq.empty:
            return pd.DataFrame(columns=_COLUMNS)
        found = self._map_parts(uniq)
        if found.empty:
            return pd.DataFrame(columns=_COLUMNS)
        found["part"] = uniq.to_numpy()[found.u.to_numpy().astype(int)]
        rows = pd.DataFrame({"row": parts.index.to_numpy(), "part": parts.to_numpy()})
        out = rows.merge(found.drop(columns="u"), on="part").drop(columns="part")
        out = out.sort_values(["row", "industry", "confidence", "evidence"], ascending=[True, True, False, True])
        out = out.drop_duplicates(["row", "industry"])
        return out.sort_values(["row", "industry"]).reset_index(drop=True)[_COLUMNS]

    def map_names(self, names: pd.Series) -> pd.DataFrame:
        """Industries that an enterprise name states (钢铁, 石化, Steel …), confidence 0.4."""
        folded = names.fillna("").astype(str).map(fold_label).reset_index(drop=True)
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
            segs = rest.str.split(_SEGMENT_SPLIT, regex=True).explode().str.strip()
            segs = pd.DataFrame({"u": segs.index.to_numpy(), "text": segs.to_numpy()})
            segs = segs[segs.text.fillna("").str.len() > 1].drop_duplicates()
            segs["industry"] = segs.text.map(self._labels)
            exact = segs[segs.industry.notna()]
            frames.append(exact.assign(confidence=METHOD_CONFIDENCE["segment"], method="segment", evidence=exact.text)[cols])
            unexplained = segs[segs.industry.isna()].drop(columns="industry")
            frames.append(self._fuzzy(unexplained))
            # Keywords only in what no label explained; a keyword inside a longer hit yields to it.
            if len(unexplained):
                text = unexplained.groupby("u").text.agg("；".join)
                kw = self._keyword_hits(pd.Series(text.to_numpy(), dtype=object), self._keywords, "keyword")
                if len(kw):
                    kw["u"] = text.index.to_numpy()[kw.u.to_numpy().astype(int)]
                    frames.append(_drop_contained(kw))
        frames = [f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)

    def _fuzzy(self, segs: pd.DataFrame) -> pd.DataFrame:
        if segs.empty or not self._label_keys:
            return pd.DataFrame()
        texts = pd.unique(segs.text)
        latin = np.array([not _CJK.search(t) for t in texts])
        found = []
        for mask, scorer in ((latin, fuzz.token_sort_ratio), (~latin, fuzz.ratio)):
            if not mask.any():
                continue
            sub = texts[mask]
            scores = process.cdist(sub, self._label_keys, scorer=scorer, score_cutoff=self.fuzzy_cutoff, dtype=np.uint8)
            best = scores.argmax(axis=1)
            top = scores[np.arange(len(sub)), best]
            ok = top >= self.fuzzy_cutoff
            found.append(pd.DataFrame({"text": sub[ok], "industry": self._label_ids[best[ok]], "score": top[ok]}))
        if not found:
            return pd.DataFrame()
        f = segs.merge(pd.concat(found), on="text")
        f["confidence"] = METHOD_CONFIDENCE["fuzzy"] * f.score / 100.0
        f["method"] = "fuzzy"
        f["evidence"] = f.text
        return f[["u", "industry", "confidence", "method", "evidence"]]

    @staticmethod
    def _keyword_hits(uniq: pd.Series, keywords, method: str) -> pd.DataFrame:
        frames = []
        for kw, iid, cjk in keywords:
            if not kw:
                continue
            if cjk:
                mask = uniq.str.contains(kw, regex=False)
            else:
                mask = uniq.str.contains(rf"(?<![a-z0-9]){re.escape(kw)}(?![a-z0-9])", regex=True)
            idx = np.flatnonzero(mask.to_numpy())
            if len(idx):
                frames.append(pd.DataFrame({"u": idx, "industry": iid, "evidence": kw}))
        if not frames:
            return pd.DataFrame(columns=["u", "industry", "confidence", "method", "evidence"])
        out = pd.concat(frames, ignore_index=True)
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


def _drop_contained(hits: pd.DataFrame) -> pd.DataFrame:
    """Drop keyword hits whose keyword lies inside a longer hit of the same text (能源 in 新能源)."""
    if hits.empty:
        return hits
    pairs = hits[["u", "evidence"]].merge(hits[["u", "evidence"]], on="u", suffixes=("", "_other"))
    pairs = pairs[pairs.evidence != pairs.evidence_other]
    inside = np.array([a in b for a, b in zip(pairs.evidence, pairs.evidence_other)], dtype=bool)
    drop = pairs[inside][["u", "evidence"]].drop_duplicates()
    if drop.empty:
        return hits
    marked = hits.merge(drop.assign(_drop=True), on=["u", "evidence"], how="left")
    return marked[marked._drop.isna()].drop(columns="_drop").reset_index(drop=True)
