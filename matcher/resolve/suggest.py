"""One enterprise as a person names it, and "did you mean" when the name is not certain.

A name is taken when it is certain: its normalised form is a name the database
knows (比亚迪 is 比亚迪股份有限公司), or it is part of the names of exactly one
enterprise (恒逸集团 → 浙江恒逸集团有限公司), or the resolver merges it
(:mod:`matcher.resolve.names`). Otherwise the closest enterprises are listed
and nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._text import HAS_CJK, fold_text, normalize_names
from ..errors import NotFoundError
from ..i18n import gettext
from .records import master_names

__all__ = ["EnterpriseMatch", "find_enterprise", "suggest_enterprises"]

#: Suggestions shown at most, and the closeness (0-100) a fuzzy suggestion needs.
MAX_SUGGESTIONS = 5
MIN_SCORE = 60.0


@dataclass(frozen=True)
class EnterpriseMatch:
    """The enterprise a name means: its id, the name it was found by, and how.

    ``how`` is ``exact`` (a known name), ``part`` (part of one enterprise's names)
    or ``resolver`` (merged by the resolver with probability ``probability``).
    """

    enterprise_id: str
    matched_name: str
    how: str
    probability: float = 1.0


def _keys(names: pd.DataFrame) -> pd.DataFrame:
    """``names`` with ``norm`` (normalised) and ``fold`` (folded, spaces removed) columns."""
    out = names.copy()
    out["norm"] = normalize_names(out.name)
    out["fold"] = out.name.map(fold_text).str.replace(r"\s+", "", regex=True)
    return out


def _display(names: pd.DataFrame) -> pd.Series:
    """One name per enterprise to show: a Chinese one first, then the shortest."""
    n = names.assign(cjk=~names.name.str.contains(HAS_CJK, regex=True), size=names.name.str.len())
    return n.sort_values(["enterprise_id", "cjk", "size", "name"], kind="stable").groupby("enterprise_id").name.first()


def suggest_enterprises(names: pd.DataFrame, text: str, *, limit: int = MAX_SUGGESTIONS) -> pd.DataFrame:
    """Enterprises whose names are closest to ``text``: ``enterprise_id, name, score`` (0-100), closest first.

    ``names`` holds ``enterprise_id, name`` (every known name). Closeness is the
    best rapidfuzz ratio between the normalised text and a normalised name, a
    part of a name counting as close; ties go to the smaller id. Only enterprises
    at least :data:`MIN_SCORE` close are listed.
    """
    from rapidfuzz import fuzz, process

    k = names if "norm" in names.columns else _keys(names)
    q = normalize_names(pd.Series([text])).iloc[0]
    if not q or k.empty:
        return pd.DataFrame({"enterprise_id": [], "name": [], "score": []})
    ratio = process.cdist([q], k.norm.tolist(), scorer=fuzz.ratio)[0]
    part = k.norm.str.contains(q, regex=False).to_numpy() | k.fold.str.contains(fold_text(text).replace(" ", ""), regex=False).to_numpy()
    # A part of a name is as close as its share of the name, but never below the cut.
    share = 100.0 * len(q) / np.maximum(k.norm.str.len().to_numpy(), 1)
    score = np.where(part, np.maximum(np.maximum(ratio, share), MIN_SCORE), ratio)
    best = pd.DataFrame({"enterprise_id": k.enterprise_id.to_numpy(), "score": score}).groupby("enterprise_id").score.max()
    best = best[best >= MIN_SCORE].reset_index().sort_values(["score", "enterprise_id"], ascending=[False, True], kind="stable")
    best = best.head(limit).reset_index(drop=True)
    best.insert(1, "name", best.enterprise_id.map(_display(k)))
    best["score"] = best.score.round(1)
    return best


def find_enterprise(store, text: str, *, resolver=None) -> EnterpriseMatch:
    """The enterprise of ``store`` that ``text`` names (see the module's docstring).

    Raises
    ------
    NotFoundError
        When no enterprise is certain; the message lists the closest ones.
    """
    text = str(text).strip()
    norm = normalize_names(pd.Series([text]))
    hit = norm.map(store.lookup_names(norm)).iloc[0] if norm.iloc[0] else None
    names = _keys(master_names(store))
    if isinstance(hit, str) and hit:
        return EnterpriseMatch(hit, _display(names[names.enterprise_id == hit]).get(hit, text), "exact")
    q, f = norm.iloc[0], fold_text(text).replace(" ", "")
    if len(q) >= 2:
        part = names[names.norm.str.contains(q, regex=False) | names.fold.str.contains(f, regex=False)]
        ids = part.enterprise_id.unique()
        if len(ids) == 1:
            return EnterpriseMatch(str(ids[0]), _display(names[names.enterprise_id == ids[0]]).iloc[0], "part")
        if len(ids) > 1:
            _fail(text, suggest_enterprises(names, text, limit=MAX_SUGGESTIONS), more=len(ids))
    if text and len(names):
        from .master import read_master
        from .resolver import Resolver

        # The stored parsed master (read, never written): only the name asked about is parsed.
        with store.engine.connect() as conn:
            master, counts = read_master(conn)
        query = pd.DataFrame({"name": [text]})
        pred = (resolver or Resolver()).fit_for(master, query, token_counts=counts).predict(query).iloc[0]
        if pred.decision == "merge":
            return EnterpriseMatch(str(pred.enterprise_id), str(pred.matched_name), "resolver", float(pred.probability))
        close = suggest_enterprises(names, text)
        if pred.decision == "review" and pred.enterprise_id not in set(close.enterprise_id):
            extra = pd.DataFrame(
                {"enterprise_id": [pred.enterprise_id], "name": [pred.matched_name], "score": [round(100 * pred.probability, 1)]}
            )
            close = pd.concat([extra, close], ignore_index=True).head(MAX_SUGGESTIONS)
        _fail(text, close, more=len(close))
    _fail(text, suggest_enterprises(names, text), more=0)


def _fail(text: str, close: pd.DataFrame, *, more: int):
    if close.empty:
        raise NotFoundError(
            gettext("no enterprise is named {value!r}; search the names with matcher enterprises --search TEXT").format(value=text)
        )
    listed = gettext(", ").join(close.name.astype(str) + " (" + close.enterprise_id.astype(str) + ")")
    if more > len(close):
        listed += gettext(" and {n} more").format(n=more - len(close))
    raise NotFoundError(gettext("enterprise {value!r} is not certain; did you mean {suggestions}?").format(value=text, suggestions=listed))
