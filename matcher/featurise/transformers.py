"""Featurise: industry vectors, ranking-tier features and region membership.

Three scikit-learn transformers over the enterprise universe (the frame made by
:func:`matcher.featurise.universe.build_universe`):

- :class:`IndustryVectorizer` — a sparse (n_enterprises, n_industries) matrix
  of match confidences, spread along the taxonomy's hierarchy;
- :class:`TierFeaturizer` — per-list values (tier weight × rank on a log
  scale), number of lists and the combined tier score;
- :class:`RegionEncoder` — membership of each key source region.

Parameters an analyst tunes are constructor arguments, so ``set_params``,
``clone`` and grid searches reach them; fitted state ends in ``_``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..columns import on_column, rank_column
from ..config.model import Industry, Region, Tier
from ..errors import MatcherError
from ..i18n import gettext as _
from .taxonomy import IndustryMapper

__all__ = ["MappedTexts", "IndustryVectorizer", "TierFeaturizer", "RegionEncoder", "rank_column", "tier_values", "spread_rows", "on_column", "match_values"]


def _require(X, columns, who: str) -> None:
    """Raise :class:`MatcherError` unless ``X`` is a DataFrame with ``columns`` (the universe's)."""
    if not isinstance(X, pd.DataFrame):
        raise MatcherError(_("{who}: expected a DataFrame of the enterprise universe; got {kind}").format(who=who, kind=type(X).__name__))
    missing = [c for c in columns if c not in X.columns]
    if missing:
        raise MatcherError(
            _("{who}: the frame lacks the column(s) {missing}; it has {columns}").format(
                who=who, missing=", ".join(map(str, missing)), columns=", ".join(map(str, X.columns))
            )
        )


def _frame_tags(tags, *, string: bool, allow_nan: bool = False):
    """Estimator tags of a transformer of the universe frame: named columns, not a plain numeric array."""
    tags.input_tags.two_d_array = False
    tags.input_tags.string = string
    tags.input_tags.allow_nan = allow_nan
    tags.target_tags.required = False
    return tags


def _default_config():
    from ..config.load import load_config

    return load_config()


class MappedTexts:
    """Industry texts mapped already: ``found`` is :meth:`IndustryMapper.map_texts <matcher.featurise.taxonomy.IndustryMapper.map_texts>`
    of ``texts`` (distinct; ``row`` a position in ``texts``, rows in order of row, then industry, as it gives them),
    by the same taxonomy and settings.

    Each text is mapped on its own, so the matches of a text do not depend on what others
    were mapped with it: :meth:`find` gives those of any texts from these, mapping only the new ones.
    """

    def __init__(self, texts, found: pd.DataFrame):
        self.texts = pd.Index(np.asarray(texts, dtype=object), dtype=object)
        self.found = found.reset_index(drop=True)
        self._rows = self.found.row.to_numpy(dtype=np.int64)

    def find(self, mapper: IndustryMapper, texts) -> pd.DataFrame:
        """``mapper.map_texts(texts)``: the matches of the texts mapped already taken, the others mapped now."""
        texts = np.asarray(texts, dtype=object)
        at = self.texts.get_indexer(texts)
        hit, miss = np.flatnonzero(at >= 0), np.flatnonzero(at < 0)
        # Each text's rows are one run of ``found`` (sorted by row): the runs gathered at once.
        starts = np.searchsorted(self._rows, at[hit], side="left")
        counts = np.searchsorted(self._rows, at[hit], side="right") - starts
        take = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        # In order of row, then industry already: the texts' runs in the order of the texts, each run in industry order.
        out = self.found.iloc[take].assign(row=np.repeat(hit, counts)).reset_index(drop=True)
        if len(miss):
            new = mapper.map_texts(pd.Series(texts[miss], dtype=object))
            if len(new):
                out = pd.concat([out, new.assign(row=miss[new.row.to_numpy(dtype=np.int64)])], ignore_index=True)
                out = out.sort_values(["row", "industry"], kind="stable").reset_index(drop=True)
        return out


class IndustryVectorizer(TransformerMixin, BaseEstimator):
    """Sparse industry vectors from industry text, or from the name when there is none.

    Parameters
    ----------
    industries : sequence of Industry, optional
        The taxonomy; default the bundled configuration's.
    parent_discount : float
        Share of its confidence with which a broad industry match (say
        "Motor Vehicles and Parts") also counts for the narrower industries
        the label typically means (the taxonomy's ``typical_children``; all
        children where none are named).
    min_confidence : float
        Matches below this confidence are dropped.
    full_confidence : float
        Matches at or above this confidence count fully (1) in the vectors; weaker ones count
        ``confidence / full_confidence``. The mapper's confidence says how it matched (a whole
        label 1.0, a label among several parts 0.9, a business line that is the industry 0.85,
        a keyword somewhere in the text 0.7, the name 0.4); every match at or above this level
        states equally that the enterprise works in the industry. The explanations keep the
        mapper's confidence.
    use_names : bool
        Infer an industry from the enterprise name (confidence 0.4) where the
        text gives none.
    fuzzy_cutoff : float
        RapidFuzz cutoff (0–100) for fuzzy label matches.

    Attributes
    ----------
    industries_ : ndarray of str
        Industry ids, the columns of the output.
    mapper_ : IndustryMapper

    Notes
    -----
    Input is the universe frame (``industry_text``, ``name``, optionally
    ``name_en``), string columns by name; the estimator tags say so, and a
    frame without them raises :class:`~matcher.errors.MatcherError`.
    """

    def __init__(self, industries=None, *, parent_discount=0.8, min_confidence=0.3, full_confidence=1.0, use_names=True, fuzzy_cutoff=88.0):
        self.industries = industries
        self.parent_discount = parent_discount
        self.min_confidence = min_confidence
        self.full_confidence = full_confidence
        self.use_names = use_names
        self.fuzzy_cutoff = fuzzy_cutoff

    def __sklearn_tags__(self):
        return _frame_tags(super().__sklearn_tags__(), string=True)

    def fit(self, X: pd.DataFrame, y=None):
        if not 0 <= self.parent_discount <= 1:
            raise ValueError(_("The {name!r} parameter must be a float in [0, 1]. Got {value!r} instead.").format(name="parent_discount", value=self.parent_discount))
        if not 0 <= self.min_confidence <= 1:
            raise ValueError(_("The {name!r} parameter must be a float in [0, 1]. Got {value!r} instead.").format(name="min_confidence", value=self.min_confidence))
        if not 0 < self.full_confidence <= 1:
            raise ValueError(_("The {name!r} parameter must be a float in (0, 1]. Got {value!r} instead.").format(name="full_confidence", value=self.full_confidence))
        inds: tuple[Industry, ...] = tuple(self.industries) if self.industries is not None else _default_config().industries
        self.mapper_ = IndustryMapper(inds, fuzzy_cutoff=self.fuzzy_cutoff)
        self.industries_ = np.array([i.id for i in inds], dtype=object)
        pos = {iid: k for k, iid in enumerate(self.industries_)}
        child = [pos[i.id] for i in inds if i.parent in pos]
        parent = [pos[i.parent] for i in inds if i.parent in pos]
        n = len(inds)
        self.up_ = sp.csr_matrix((np.ones(len(child)), (child, parent)), shape=(n, n))
        # A broad match spreads to the parent's typical children (all children when none are named).
        # The first typical child is what the broad label most often means: each later one
        # counts 5% less, so ties between links go to the label's primary meaning.
        # The spread is thin: over k children each gets 1/sqrt(k) of it, so a broad label ("Internet
        # software & services", "Health") never claims one specific link at high confidence.
        typical = {i.id: list(i.typical_children) for i in inds}
        n_children = {p: sum(1 for i in inds if i.parent == p) for p in pos}
        kids = []
        for i in inds:
            if i.parent in pos:
                named = typical[i.parent]
                if not named:
                    kids.append((pos[i.parent], pos[i.id], 1.0 / np.sqrt(n_children[i.parent])))
                elif i.id in named:
                    kids.append((pos[i.parent], pos[i.id], (1.0 - 0.05 * named.index(i.id)) / np.sqrt(len(named))))
        r, c, v = (list(x) for x in zip(*kids)) if kids else ([], [], [])
        self.down_ = sp.csr_matrix((v, (r, c)), shape=(n, n))
        self.feature_names_in_ = np.array(["industry_text", "name"], dtype=object)
        self.n_features_in_ = 2
        return self

    def explain(self, X: pd.DataFrame, mapped: MappedTexts | None = None) -> pd.DataFrame:
        """Direct matches per row: ``row, industry, confidence, method, evidence``; ``mapped``: see :meth:`explain_distinct`."""
        found, inv = self.explain_distinct(X, mapped)
        return spread_rows(found, inv)

    def explain_distinct(self, X: pd.DataFrame, mapped: MappedTexts | None = None) -> tuple[pd.DataFrame, np.ndarray]:
        """Direct matches of each distinct industry source, and which one each row uses.

        Rows with the same industry text (or, where the text gives nothing,
        the same name) get the same industries, so each distinct source is
        mapped once. ``mapped``: texts this vectorizer's mapper mapped already
        (:class:`MappedTexts`); only the others are mapped now (the same result).

        Returns
        -------
        found : DataFrame
            ``row, industry, confidence, method, evidence`` where ``row`` is
            the index of a distinct source.
        inverse : ndarray of int64 (n,)
            Distinct source of each row of ``X``.
        """
        check_is_fitted(self, "mapper_")
        _require(X, ("industry_text", "name") if self.use_names else ("industry_text",), "IndustryVectorizer")
        codes, texts = pd.factorize(X["industry_text"].fillna("").astype(str).to_numpy(), use_na_sentinel=False)
        found = self.mapper_.map_texts(pd.Series(texts, dtype=object)) if mapped is None else mapped.find(self.mapper_, texts)
        found = found[found.confidence >= self.min_confidence]
        inv = codes.astype(np.int64)
        if self.use_names:
            covered = np.zeros(len(texts), dtype=bool)
            covered[found.row.to_numpy(dtype=np.int64)] = True
            todo = np.flatnonzero(~covered[codes])
            if len(todo):
                names = X["name"].iloc[todo].astype(str)
                if "name_en" in X.columns:
                    names = names + " | " + X["name_en"].iloc[todo].astype(str)
                ncodes, uniq = pd.factorize(names.str.replace(" | ", " ", regex=False).to_numpy(), use_na_sentinel=False)
                by_name = self.mapper_.map_names(pd.Series(uniq, dtype=object))
                by_name = by_name[by_name.confidence >= self.min_confidence]
                by_name = by_name.assign(row=by_name.row.to_numpy(dtype=np.int64) + len(texts))
                inv[todo] = ncodes + len(texts)
                found = pd.concat([found, by_name], ignore_index=True)
        # Renumber the sources actually used, in order of first use.
        used, inv = np.unique(inv, return_inverse=True)
        found = found[np.isin(found.row.to_numpy(dtype=np.int64), used)]
        found = found.assign(row=np.searchsorted(used, found.row.to_numpy(dtype=np.int64)))
        found = found.sort_values(["row", "confidence", "industry"], ascending=[True, False, True]).reset_index(drop=True)
        return found, inv.astype(np.int64)

    def transform(self, X: pd.DataFrame) -> sp.csr_matrix:
        found, inv = self.explain_distinct(X)
        return self.matrix(found, int(inv.max(initial=-1)) + 1)[inv]

    def matrix(self, found: pd.DataFrame, n_rows: int) -> sp.csr_matrix:
        """Industry vectors (n_rows, n_industries) from direct matches (see :meth:`explain`), spread along the hierarchy."""
        return self.matrices(found, n_rows)[1]

    def matrices(self, found: pd.DataFrame, n_rows: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The direct matches (n_rows, n_industries), and the same spread along the hierarchy.

        A match's value is its confidence over ``full_confidence`` (at most 1). A
        narrow match is also a match of its parent; a broad match counts for
        each typical child at ``parent_discount`` of its value, over √k children.
        """
        check_is_fitted(self, "mapper_")
        col = pd.Index(self.industries_).get_indexer(found.industry)
        direct = sp.csr_matrix(
            (match_values(found.confidence.to_numpy(dtype=float), self.full_confidence), (found.row.to_numpy(dtype=int), col)),
            shape=(n_rows, len(self.industries_)),
        )
        direct.sum_duplicates()
        up = (direct @ self.up_).minimum(1.0)
        down = (direct @ self.down_) * self.parent_discount
        out = direct.maximum(up).maximum(down).tocsr()
        out.eliminate_zeros()
        out.sort_indices()
        return direct.minimum(1.0).tocsr(), out

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "industries_")
        return np.array([f"industry__{i}" for i in self.industries_], dtype=object)


def match_values(confidence: np.ndarray, full_confidence: float) -> np.ndarray:
    """The value of industry matches in the vectors: ``confidence / full_confidence``, at most 1."""
    return np.minimum(1.0, np.asarray(confidence, dtype=float) / full_confidence)


def spread_rows(found: pd.DataFrame, inverse: np.ndarray) -> pd.DataFrame:
    """Matches of distinct sources (``row`` = source) spread to the rows using them."""
    per = np.bincount(found.row.to_numpy(dtype=np.int64), minlength=int(inverse.max(initial=-1)) + 1)
    start = np.concatenate([[0], np.cumsum(per)])
    # Row r repeats the block of matches of its source, rows in order.
    k = per[inverse]
    ends = np.cumsum(k)
    take = np.repeat(start[inverse] - (ends - k), k) + np.arange(ends[-1] if len(ends) else 0)
    # Column by column with numpy takes: no per-row objects, no re-inference of text dtypes.
    out = pd.DataFrame({c: pd.Series(found[c].to_numpy()[take], dtype=found[c].dtype) for c in found.columns})
    out["row"] = np.repeat(np.arange(len(inverse), dtype=np.int64), k)
    return out


def tier_values(ranks: np.ndarray, on: np.ndarray, tiers, *, rank_decay: float, unranked_factor: float) -> np.ndarray:
    """Value of each list membership: tier weight × rank factor (0 where not on the list).

    The rank factor is ``1 - rank_decay * log(rank) / log(size)``: 1 at rank 1,
    ``1 - rank_decay`` at the last rank. Unranked lists (or a missing rank)
    give ``unranked_factor``.
    """
    weights = np.array([t.weight for t in tiers], dtype=float)
    sizes = np.array([max(t.size, 2) for t in tiers], dtype=float)
    r = np.clip(np.nan_to_num(ranks, nan=0.0), 0, sizes)
    with np.errstate(divide="ignore"):
        factor = 1.0 - rank_decay * np.log(np.maximum(r, 1.0)) / np.log(sizes)
    factor = np.where(r >= 1, factor, unranked_factor)
    return np.where(on, weights * factor, 0.0)


class TierFeaturizer(TransformerMixin, BaseEstimator):
    """Ranking-tier features.

    Output columns: one value per list (tier weight × rank factor, see
    :func:`tier_values`), then ``n_lists`` and ``tier_score`` — the best
    list's value plus ``multi_list_bonus`` per further list, at most 1.

    Parameters
    ----------
    tiers : sequence of Tier, optional
        Default the bundled configuration's.
    rank_decay, unranked_factor, multi_list_bonus : float

    Notes
    -----
    Input is the universe frame: the ``rank__<tier>`` (NaN where unranked)
    and ``on__<tier>`` columns of each tier, by name.
    """

    def __init__(self, tiers=None, *, rank_decay=0.5, unranked_factor=0.75, multi_list_bonus=0.05):
        self.tiers = tiers
        self.rank_decay = rank_decay
        self.unranked_factor = unranked_factor
        self.multi_list_bonus = multi_list_bonus

    def __sklearn_tags__(self):
        return _frame_tags(super().__sklearn_tags__(), string=False, allow_nan=True)

    def fit(self, X: pd.DataFrame, y=None):
        for name in ("rank_decay", "unranked_factor", "multi_list_bonus"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ValueError(_("The {name!r} parameter must be a float in [0, 1]. Got {value!r} instead.").format(name=name, value=v))
        self.tiers_: tuple[Tier, ...] = tuple(self.tiers) if self.tiers is not None else _default_config().tiers
        self.feature_names_in_ = np.array([rank_column(t.id) for t in self.tiers_] + [on_column(t.id) for t in self.tiers_], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "tiers_")
        _require(X, self.feature_names_in_, "TierFeaturizer")
        ranks = np.column_stack([X[rank_column(t.id)].to_numpy(dtype=float) for t in self.tiers_])
        on = np.column_stack([X[on_column(t.id)].to_numpy(dtype=bool) for t in self.tiers_])
        # Most enterprises are on no list: their values are all 0.
        listed = on.any(axis=1)
        values = np.zeros(on.shape, dtype=float)
        values[listed] = tier_values(
            ranks[listed], on[listed], self.tiers_, rank_decay=self.rank_decay, unranked_factor=self.unranked_factor
        )
        n_lists = on.sum(axis=1)
        score = np.minimum(1.0, values.max(axis=1, initial=0.0) + self.multi_list_bonus * np.maximum(n_lists - 1, 0))
        return np.column_stack([values, n_lists, score])

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "tiers_")
        return np.array([f"tier__{t.id}" for t in self.tiers_] + ["n_lists", "tier_score"], dtype=object)


class RegionEncoder(TransformerMixin, BaseEstimator):
    """One column per key source region: 1 where the enterprise belongs to it.

    Reads the ``regions`` column (``;``-joined region ids) of the universe.
    """

    def __init__(self, regions=None):
        self.regions = regions

    def __sklearn_tags__(self):
        return _frame_tags(super().__sklearn_tags__(), string=True)

    def fit(self, X: pd.DataFrame, y=None):
        self.regions_: tuple[Region, ...] = tuple(self.regions) if self.regions is not None else _default_config().regions
        self.feature_names_in_ = np.array(["regions"], dtype=object)
        self.n_features_in_ = 1
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "regions_")
        _require(X, ("regions",), "RegionEncoder")
        s = X["regions"].fillna("").astype(str)
        padded = ";" + s + ";"
        return (
            np.column_stack([padded.str.contains(f";{r.id};", regex=False).to_numpy() for r in self.regions_]).astype(bool)
            if self.regions_
            else np.zeros((len(X), 0), bool)
        )

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "regions_")
        return np.array([f"region__{r.id}" for r in self.regions_], dtype=object)
