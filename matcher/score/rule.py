"""Score: every enterprise against every city's chains and every region's priorities.

The rule score of an enterprise *e* for a city chain *g* is

.. math::

    s(e, g) = \\frac{w_c \\cdot \\mathrm{chain}(e, g) + w_r \\cdot \\mathrm{region}(e)
              + w_t \\cdot \\mathrm{tier}(e)}{w_c + w_r + w_t} \\in [0, 1]

- ``chain(e, g)`` — the best link of the city chain: how well the enterprise's
  industries fit the link (0–1; an industry that mainly belongs to another
  chain fits at ``cross_chain_weight``) times the weight of the link's status
  in that city (filling a *missing* link is worth more than joining a *strong*
  one);
- ``region(e)`` — the best priority industry of the enterprise's key source
  region(s) that it fits, times the priority's weight;
- ``tier(e)`` — from :class:`~matcher.featurise.transformers.TierFeaturizer`.

Everything is matrix algebra over all enterprises at once: a sparse
(enterprises × industries) matrix times a sparse (industries × city links)
incidence matrix, then a grouped maximum over each city chain's links.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..config.model import Config
from ..featurise.transformers import IndustryVectorizer, RegionEncoder, TierFeaturizer, spread_rows
from ..i18n import gettext
from .explain import STATUS_TEXT
from .scores import Scores, group_max

__all__ = ["RuleScorer", "WEIGHTS", "ORIGIN_VALUES", "distinct_vectors"]

#: The parts of the rule score, in the order of :attr:`Scores.weights`.
WEIGHTS = ("w_chain", "w_region", "w_tier", "w_endowment", "w_origin")
#: Origin part by headquarters: in China, unknown, abroad.
ORIGIN_VALUES = {True: 1.0, None: 0.5, False: 0.0}


class RuleScorer(TransformerMixin, BaseEstimator):
    """The hand-set rule score, as an estimator whose weights an analyst can tune.

    Parameters
    ----------
    config : Config, optional
        Default the bundled configuration.
    w_chain, w_region, w_tier, w_endowment, w_origin : float, optional
        Weights of the five parts (normalised to sum to 1); default from
        ``config.scoring``.
    status_weights : dict, optional
        Weight of a link by its status in the city: ``missing``, ``weak``,
        ``strong``.
    parent_discount, min_confidence, full_confidence : float, optional
        Passed to :class:`~matcher.featurise.transformers.IndustryVectorizer`.
    rank_decay, unranked_factor, multi_list_bonus : float, optional
        Passed to :class:`~matcher.featurise.transformers.TierFeaturizer`.
    cross_chain_weight : float, optional
        Weight of an industry in a chain other than the one(s) whose links
        list it most.

    Examples
    --------
    >>> scorer = RuleScorer(config).fit(universe)            # doctest: +SKIP
    >>> scores = scorer.score(universe)                      # doctest: +SKIP
    >>> scores.rank(scores.group_ids(city="qinzhou"), top=20)  # doctest: +SKIP
    """

    def __init__(
        self,
        config=None,
        *,
        w_chain=None,
        w_region=None,
        w_tier=None,
        w_endowment=None,
        w_origin=None,
        status_weights=None,
        parent_discount=None,
        min_confidence=None,
        full_confidence=None,
        rank_decay=None,
        unranked_factor=None,
        multi_list_bonus=None,
        cross_chain_weight=None,
    ):
        self.config = config
        self.w_chain = w_chain
        self.w_region = w_region
        self.w_tier = w_tier
        self.w_endowment = w_endowment
        self.w_origin = w_origin
        self.status_weights = status_weights
        self.parent_discount = parent_discount
        self.min_confidence = min_confidence
        self.full_confidence = full_confidence
        self.rank_decay = rank_decay
        self.unranked_factor = unranked_factor
        self.multi_list_bonus = multi_list_bonus
        self.cross_chain_weight = cross_chain_weight

    def _param(self, name):
        v = getattr(self, name)
        return getattr(self.config_.scoring, name) if v is None else v

    def fit(self, X: pd.DataFrame, y=None):
        from ..config.load import load_config

        self.config_ = self.config if self.config is not None else load_config()
        cfg = self.config_
        w = np.array([self._param(k) for k in WEIGHTS], dtype=float)
        if (w < 0).any() or w.sum() <= 0:
            raise ValueError(
                gettext("The weights {names} must be >= 0 and not all 0. Got {value} instead.").format(
                    names=", ".join(WEIGHTS), value=tuple(w)
                )
            )
        self.weights_ = tuple(float(x) for x in w / w.sum())
        sw = dict(cfg.scoring.status_weights)
        sw.update(self.status_weights or {})
        bad = {k: v for k, v in sw.items() if k not in STATUS_TEXT or not 0 <= v <= 1}
        if bad:
            raise ValueError(
                gettext("The 'status_weights' parameter must map missing/weak/strong to floats in [0, 1]. Got {value!r} instead.").format(
                    value=bad
                )
            )
        self.status_weights_ = sw
        self.industry_ = IndustryVectorizer(
            cfg.industries,
            parent_discount=self._param("parent_discount"),
            min_confidence=self._param("min_confidence"),
            full_confidence=self._param("full_confidence"),
        ).fit(X)
        self.tier_ = TierFeaturizer(
            cfg.tiers,
            rank_decay=self._param("rank_decay"),
            unranked_factor=self._param("unranked_factor"),
            multi_list_bonus=self._param("multi_list_bonus"),
        ).fit(X)
        self.region_ = RegionEncoder(cfg.regions).fit(X)
        ind_pos = {iid: k for k, iid in enumerate(self.industry_.industries_)}
        # City chains (groups) and their links (columns of the incidence matrix).
        groups, links = [], []
        link_obj = {lk.id: lk for c in cfg.chains for lk in c.links}
        for city in cfg.cities:
            for cc in city.chains:
                g = len(groups)
                groups.append((city.id, cc.chain))
                for lid, status in cc.links:
                    lk = link_obj[lid]
                    links.append((g, city.id, cc.chain, lid, lk.stage, status, sw[status], lk.industries))
        self.groups_ = pd.DataFrame(groups, columns=["city", "chain"])
        self.links_ = pd.DataFrame(links, columns=["g", "city", "chain", "link", "stage", "status", "status_weight", "industries"])
        # An industry belongs to the chain(s) whose links list it most; elsewhere it counts
        # at cross_chain_weight (semiconductors fit the automobile chain, but less than an automaker).
        # A broad industry that a link lists (food on 果蔬与特色农产品加工) fits it at parent_discount:
        # any food enterprise is not thereby a fruit processor.
        home = self._home_chains(cfg)
        xw, pd_ = self._param("cross_chain_weight"), self._param("parent_discount")
        broad = {ind.parent for ind in cfg.industries if ind.parent}
        r, c, v = [], [], []
        for j, (inds, chain) in enumerate(zip(self.links_.industries, self.links_.chain)):
            for i in inds:
                r.append(ind_pos[i])
                c.append(j)
                v.append((1.0 if chain in home[i] else xw) * (pd_ if i in broad else 1.0))
        self.link_matrix_ = sp.csr_matrix((v, (r, c)), shape=(len(ind_pos), len(self.links_)))
        themes = []
        for reg_i, reg in enumerate(cfg.regions):
            for p in reg.priorities:
                themes.append((reg_i, reg.id, p.id, p.name_zh, p.name_en, p.weight, p.industries))
        self.themes_ = pd.DataFrame(themes, columns=["region_index", "region", "priority", "name_zh", "name_en", "weight", "industries"])
        r, c = [], []
        for t, inds in enumerate(self.themes_.industries):
            for i in inds:
                r.append(ind_pos[i])
                c.append(t)
        self.theme_matrix_ = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(ind_pos), len(self.themes_)))
        self.endowment_matrix_, self.endowment_city_, self.endowments_ = self._endowments(cfg, ind_pos)
        self.feature_names_in_ = np.array(["enterprise_id", "industry_text", "name", "regions"], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    @staticmethod
    def _endowments(cfg: Config, ind_pos: dict[str, int]) -> tuple[sp.csr_matrix, np.ndarray, pd.DataFrame]:
        """Incidence (industries × city endowments), the city index of each column, and the columns described.

        An endowment listing a broad industry covers its children too.
        """
        children: dict[str, list[str]] = {}
        for ind in cfg.industries:
            if ind.parent:
                children.setdefault(ind.parent, []).append(ind.id)
        by_id = {e.id: e for e in cfg.endowments}
        r, c, city_of, cols = [], [], [], []
        for k, city in enumerate(cfg.cities):
            for eid in city.endowments:
                col = len(city_of)
                city_of.append(k)
                e = by_id[eid]
                covered = tuple(dict.fromkeys(j for i in e.industries for j in (i, *children.get(i, ()))))
                cols.append((city.id, e.id, e.name_zh, e.name_en, covered))
                for j in covered:
                    r.append(ind_pos[j])
                    c.append(col)
        m = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(ind_pos), len(city_of)))
        m.data[:] = 1.0
        return m, np.asarray(city_of, dtype=np.int64), pd.DataFrame(cols, columns=["city", "endowment", "name_zh", "name_en", "industries"])

    @staticmethod
    def _home_chains(cfg: Config) -> dict[str, set[str]]:
        """Per industry, the chain(s) in which the largest share of links list it."""
        share: dict[str, dict[str, float]] = {}
        for ch in cfg.chains:
            for lk in ch.links:
                for i in lk.industries:
                    share.setdefault(i, {}).setdefault(ch.id, 0.0)
                    share[i][ch.id] += 1.0 / len(ch.links)
        return {i: {c for c, v in by.items() if np.isclose(v, max(by.values()))} for i, by in share.items()}

    def score(self, X: pd.DataFrame, industries: pd.DataFrame | None = None) -> Scores:
        """Score a universe; see :class:`Scores`.

        ``industries``: the direct industry matches of the rows of ``X``
        (``row, industry, confidence, method, evidence``, as
        :meth:`IndustryVectorizer.explain` gives them, e.g. stored at import:
        :func:`matcher.featurise.industries.stored_industries`); by default
        they are found in the texts of ``X``.
        """
        check_is_fitted(self, "links_")
        # Rows with the same industry source have the same industry vector: score
        # each distinct source once, then gather (exactly the same numbers per row).
        if industries is None:
            found_u, inv = self.industry_.explain_distinct(X)
            found = None
        else:
            found_u, inv, found = *distinct_vectors(industries, len(X)), industries
        direct, E = self.industry_.matrices(found_u, int(inv.max(initial=-1)) + 1)
        fit_u, link_u, chain_u, T_u = self._distinct_parts(E)
        # The endowment part reads the enterprise's own industries only, so its reason can name one.
        endow_u, which_u = self._endowment_parts(direct)
        chain, link, fit = chain_u[inv], link_u[inv], fit_u[inv]
        found = spread_rows(found_u, inv) if found is None else found
        # Region fit: best priority of the enterprise's own key region(s).
        member = self.region_.transform(X)
        allowed = member[:, self.themes_.region_index.to_numpy()] if len(self.themes_) else np.zeros((len(X), 0), bool)
        T = np.where(allowed, T_u[inv], 0.0)
        theme = np.where(T.max(axis=1, initial=0) > 0, np.argmax(T, axis=1) if T.shape[1] else -1, -1)
        region = T.max(axis=1, initial=0.0)
        tf = self.tier_.transform(X)
        origin = self._origin(X)
        n_t = len(self.tier_.tiers_)
        return Scores(
            universe=X.reset_index(drop=True),
            config=self.config_,
            groups=self.groups_,
            links=self.links_,
            themes=self.themes_,
            fit=fit,
            link=link,
            chain=chain,
            region=region.astype(np.float32),
            theme=theme.astype(np.int32),
            tier_values=tf[:, :n_t],
            tier=tf[:, n_t + 1].astype(np.float32),
            region_member=member,
            endowment=endow_u[inv],
            endowment_which=which_u[inv],
            origin=origin.astype(np.float32),
            endowments=self.endowments_,
            group_city=self.groups_.city.map({c.id: k for k, c in enumerate(self.config_.cities)}).to_numpy(dtype=np.int64),
            weights=self.weights_,
            industries=found,
        )

    def _distinct_parts(self, E: sp.csr_matrix):
        """Fit, link and weighted chain score (m, G) and weighted theme fit (m, P) of industry vectors."""
        Fd = (E @ self.link_matrix_).minimum(1.0).tocsr()
        Fd.sum_duplicates()
        Fd.sort_indices()
        W = Fd.copy()
        W.data = W.data * self.links_.status_weight.to_numpy()[W.indices]
        chain, link = group_max(W, self.links_.g.to_numpy(), len(self.groups_))
        fit = np.zeros_like(chain)
        rr, gg = np.nonzero(link >= 0)
        fit[rr, gg] = np.asarray(Fd[rr, link[rr, gg]]).ravel()
        T = (E @ self.theme_matrix_).minimum(1.0).toarray() * self.themes_.weight.to_numpy()[None, :]
        return fit, link, chain, T

    @staticmethod
    def _origin(X: pd.DataFrame) -> np.ndarray:
        """Origin part: 1 headquartered in China, 0 abroad, 0.5 where the country is unknown."""
        china = X["is_china"].to_numpy(dtype=bool) if "is_china" in X.columns else np.zeros(len(X), dtype=bool)
        abroad = X["is_abroad"].to_numpy(dtype=bool) if "is_abroad" in X.columns else np.zeros(len(X), dtype=bool)
        return np.where(china, ORIGIN_VALUES[True], np.where(abroad, ORIGIN_VALUES[False], ORIGIN_VALUES[None]))

    def _endowment_parts(self, E: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """Best endowment fit (m, n_cities) of industry vectors, and which of the city's endowments gives it (-1: none)."""
        n_cities = len(self.config_.cities)
        best = np.zeros((E.shape[0], n_cities), dtype=np.float32)
        which = np.full((E.shape[0], n_cities), -1, dtype=np.int32)
        Ec = E.tocsc()
        M = self.endowment_matrix_.tocsc()
        for col, city in enumerate(self.endowment_city_):
            inds = M.indices[M.indptr[col] : M.indptr[col + 1]]
            if not len(inds):
                continue
            v = np.asarray(Ec[:, inds].max(axis=1).todense()).ravel().astype(np.float32)
            better = v > best[:, city]
            best[better, city] = v[better]
            which[better, city] = col
        return best, which

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Combined score (n, n_cities): each city's best chain."""
        s = self.score(X)
        out = np.zeros((len(X), len(self.config_.cities)))
        for k, city in enumerate(self.config_.cities):
            g = s.group_ids(city=city.id)
            if len(g):
                tot = np.where(s.fit[:, g] > 0, s.total(g), 0.0)
                out[:, k] = tot.max(axis=1)
        return out

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "config_")
        return np.array([f"score__{c.id}" for c in self.config_.cities], dtype=object)


def distinct_vectors(found: pd.DataFrame, n_rows: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct industry vectors of direct matches per row, and which one each row has.

    Rows whose matches have the same industries at the same confidences (the
    evidence may differ) have the same scores: each such set is scored once.
    Returns ``(found_u, inverse)`` as :meth:`IndustryVectorizer.explain_distinct` does.
    """
    rows = found.row.to_numpy(dtype=np.int64)
    # Matches in (row, industry id) order; sorting integer codes, not a million strings.
    code, uniq_ind = pd.factorize(found.industry.to_numpy(dtype=object))
    rank = np.argsort(np.argsort(uniq_ind.astype(str), kind="stable"), kind="stable")
    order = np.argsort(rows * max(len(uniq_ind), 1) + rank[code], kind="stable")
    rows, code = rows[order], code[order]
    ind = uniq_ind[code]
    conf = found.confidence.to_numpy(dtype=np.float64)[order]
    per = np.bincount(rows, minlength=n_rows)
    width = int(per.max(initial=0))
    # One fixed-width key per row: (industry code, confidence bits) of each match, padded.
    key = np.full((n_rows, 2 * max(width, 1)), -1, dtype=np.int64)
    pos = np.arange(len(rows)) - np.repeat(np.cumsum(per) - per, per)
    key[rows, 2 * pos] = code
    key[rows, 2 * pos + 1] = conf.view(np.int64)
    inv = pd.factorize(_row_bytes(key))[0].astype(np.int64)
    # The first row of each distinct vector stands for it.
    rep = np.unique(inv, return_index=True)[1]
    take = np.isin(rows, rep)
    src = np.full(n_rows, -1, dtype=np.int64)
    src[rep] = np.arange(len(rep))
    found_u = pd.DataFrame({"row": src[rows[take]], "industry": ind[take], "confidence": conf[take]})
    found_u["method"] = ""
    found_u["evidence"] = ""
    return found_u, inv


def _row_bytes(key: np.ndarray) -> np.ndarray:
    """Each row of an int64 matrix as one bytes value (exact, for hashing)."""
    key = np.ascontiguousarray(key)
    return key.view(f"S{key.shape[1] * 8}").ravel()
