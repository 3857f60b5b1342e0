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

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..config.model import STAGE_ZH, Config
from ..featurise.transformers import IndustryVectorizer, RegionEncoder, TierFeaturizer, _spread_rows, rank_column

__all__ = ["RuleScorer", "Scores", "top_k", "STATUS_TEXT"]

STATUS_TEXT = {
    # status: (verb zh, adjective zh, verb en, adjective en)
    "missing": ("填补", "缺失", "fills", "missing"),
    "weak": ("补强", "薄弱", "strengthens", "weak"),
    "strong": ("融入", "优势", "joins", "strong"),
}


def top_k(score: np.ndarray, k: int, *tiebreak: np.ndarray) -> np.ndarray:
    """Positions of the ``k`` best rows, best first.

    Order: ``score`` descending, then each ``tiebreak`` array descending,
    then position ascending. Uses ``argpartition`` so only the candidates
    at or above the k-th score are sorted.
    """
    n = len(score)
    if k <= 0 or n == 0:
        return np.zeros(0, dtype=np.int64)
    if k < n:
        kth = np.partition(score, n - k)[n - k]
        cand = np.flatnonzero(score >= kth)
    else:
        cand = np.arange(n)
    keys = [cand] + [-t[cand] for t in reversed(tiebreak)] + [-score[cand]]
    order = np.lexsort(keys)
    return cand[order][:k]


def _group_max(mat: sp.coo_matrix, col_group: np.ndarray, n_groups: int):
    """Per (row, group of columns): the maximum value and the column holding it.

    Ties go to the lower column index (configuration order).
    """
    n = mat.shape[0]
    best = np.zeros((n, n_groups), dtype=np.float32)
    arg = np.full((n, n_groups), -1, dtype=np.int32)
    if mat.nnz == 0:
        return best, arg
    rows, cols, vals = mat.row, mat.col, mat.data
    keep = vals > 0
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    groups = col_group[cols]
    key = rows.astype(np.int64) * n_groups + groups
    order = np.lexsort((cols, -vals, key))
    key_sorted = key[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = key_sorted[1:] != key_sorted[:-1]
    pick = order[first]
    best[rows[pick], groups[pick]] = vals[pick]
    arg[rows[pick], groups[pick]] = cols[pick]
    return best, arg


@dataclass
class Scores:
    """All scores of one universe, with what is needed to explain them.

    Attributes
    ----------
    groups : DataFrame
        One row per city chain ``g``: ``city, chain``.
    links : DataFrame
        One row per city link ``j``: ``g, city, chain, link, stage, status,
        status_weight``.
    fit : ndarray (n, G)
        Industry fit (0–1) of the best link of each city chain.
    link : ndarray (n, G)
        Index ``j`` of that link, -1 where nothing fits.
    chain : ndarray (n, G)
        ``fit`` times the link's status weight.
    region : ndarray (n,)
        Region fit (0–1).
    theme : ndarray (n,)
        Index of the matched regional priority, -1 if none.
    tier_values : ndarray (n, T)
    tier : ndarray (n,)
        Tier score (0–1).
    weights : tuple
        ``(w_chain, w_region, w_tier)`` normalised to sum to 1.
    """

    universe: pd.DataFrame
    config: Config
    groups: pd.DataFrame
    links: pd.DataFrame
    themes: pd.DataFrame
    fit: np.ndarray
    link: np.ndarray
    chain: np.ndarray
    region: np.ndarray
    theme: np.ndarray
    tier_values: np.ndarray
    tier: np.ndarray
    region_member: np.ndarray
    weights: tuple[float, float, float]
    industries: pd.DataFrame

    def total(self, groups: np.ndarray | None = None) -> np.ndarray:
        """Combined scores (n, len(groups)) — all city chains by default."""
        wc, wr, wt = self.weights
        ch = self.chain if groups is None else self.chain[:, groups]
        return (wc * ch + (wr * self.region + wt * self.tier)[:, None]).astype(np.float64)

    def group_ids(self, *, city: str | None = None, chain: str | None = None, chains: tuple[str, ...] = ()) -> np.ndarray:
        """Indices of the city chains of a city and/or a chain (or a set of chains)."""
        mask = np.ones(len(self.groups), dtype=bool)
        if city is not None:
            mask &= (self.groups.city == city).to_numpy()
        if chain is not None:
            mask &= (self.groups.chain == chain).to_numpy()
        if chains:
            mask &= self.groups.chain.isin(chains).to_numpy()
        return np.flatnonzero(mask)

    def best(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each enterprise, the best of ``groups`` (by combined score) and its score.

        Only city chains with a positive fit count; ``g = -1`` where none fits.
        """
        # Totals as total() makes them (float32 parts), compared before widening to float64.
        wc, wr, wt = self.weights
        tot = wc * self.chain[:, groups] + (wr * self.region + wt * self.tier)[:, None]
        tot[self.fit[:, groups] <= 0] = -np.inf
        k = np.argmax(tot, axis=1)  # first maximum: configuration order breaks ties
        s = tot[np.arange(len(tot)), k].astype(np.float64)
        g = np.where(np.isfinite(s), groups[k], -1)
        return g, np.where(np.isfinite(s), s, 0.0)

    def rank(self, groups: np.ndarray, *, top: int, mask: np.ndarray | None = None) -> pd.DataFrame:
        """The ``top`` enterprises for a set of city chains, best first, explained.

        Ties: score, then tier score, then ``enterprise_id`` (ascending).
        """
        g, s = self.best(groups)
        ok = g >= 0
        if mask is not None:
            ok &= mask
        s = np.where(ok, s, -1.0)
        rows = top_k(s, min(top, int(ok.sum())), self.tier)
        out = self.explain(rows, g[rows])
        out.insert(0, "rank", np.arange(1, len(out) + 1))
        return out

    def enterprise_ranks(self, enterprise_id: str) -> pd.DataFrame:
        """Where one enterprise ranks for each city, and why.

        One row per city: its rank among the enterprises that fit one of the
        city's chains (ties as in :meth:`rank`), how many fit, and the
        explained best city chain. Cities none of whose chains it fits are
        left out.
        """
        pos = np.flatnonzero(self.universe.enterprise_id.to_numpy() == enterprise_id)
        if not len(pos):
            from ..errors import NotFoundError

            raise NotFoundError(f"unknown enterprise_id {enterprise_id!r}")
        r = int(pos[0])
        rows = []
        for city in self.config.cities:
            groups = self.group_ids(city=city.id)
            g, s = self.best(groups)
            if g[r] < 0:
                continue
            ok = g >= 0
            # Ahead of it: higher score, or equal score and higher tier, or both equal and earlier row.
            ahead = ok & (
                (s > s[r]) | ((s == s[r]) & ((self.tier > self.tier[r]) | ((self.tier == self.tier[r]) & (np.arange(len(s)) < r))))
            )
            expl = self.explain(np.array([r]), np.array([g[r]]))
            expl.insert(0, "rank", int(ahead.sum()) + 1)
            expl.insert(1, "candidates", int(ok.sum()))
            rows.append(expl)
        if not rows:
            return pd.DataFrame(columns=["rank", "candidates"])
        return (
            pd.concat(rows, ignore_index=True).sort_values(["rank", "score"], ascending=[True, False], kind="stable").reset_index(drop=True)
        )

    def explain(self, rows: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
        """Score components and reasons (Chinese and English) of (enterprise, city chain) pairs."""
        cfg = self.config
        u = self.universe.iloc[rows].reset_index(drop=True)
        for col in ("name_en", "hq_city", "hq_province", "source_region", "region_certainty", "ownership"):
            if col not in u.columns:
                u[col] = ""
        wc, wr, wt = self.weights
        j = self.link[rows, groups]
        lk = self.links.iloc[np.maximum(j, 0)].reset_index(drop=True)
        fit = self.fit[rows, groups].astype(float)
        chain = self.chain[rows, groups].astype(float)
        region = self.region[rows].astype(float)
        tier = self.tier[rows].astype(float)
        th = self.theme[rows]
        theme = self.themes.iloc[np.maximum(th, 0)].reset_index(drop=True)
        city = {c.id: c for c in cfg.cities}
        chains = {c.id: c for c in cfg.chains}
        link_obj = {lk_.id: lk_ for c in cfg.chains for lk_ in c.links}
        out = pd.DataFrame(
            {
                "enterprise_id": u.enterprise_id,
                "name": u.name,
                "name_en": u.name_en,
                "tiers": _tier_text(self, rows, "zh"),
                "tiers_en": _tier_text(self, rows, "en"),
                "hq_city": u.hq_city,
                "hq_province": u.hq_province,
                "source_region": u.source_region,
                "region_certainty": u.region_certainty,
                "ownership": u.ownership,
                "industries": _industry_text(self, rows),
                "city": lk.city.map(lambda c: city[c].name_zh),
                "city_en": lk.city.map(lambda c: city[c].name_en),
                "chain": lk.chain.map(lambda c: chains[c].name_zh),
                "chain_en": lk.chain.map(lambda c: chains[c].name_en),
                "link": lk.link.map(lambda x: link_obj[x].name_zh),
                "link_en": lk.link.map(lambda x: link_obj[x].name_en),
                "link_stage": lk.stage,
                "link_status": lk.status,
                "chain_fit": fit.round(4),
                "status_weight": lk.status_weight.to_numpy(),
                "chain_score": chain.round(4),
                "region_fit": region.round(4),
                "region_priority": np.where(th >= 0, theme.name_zh, ""),
                "tier_score": tier.round(4),
                "w_chain": round(wc, 4),
                "w_region": round(wr, 4),
                "w_tier": round(wt, 4),
                "c_chain": (wc * chain).round(4),
                "c_region": (wr * region).round(4),
                "c_tier": (wt * tier).round(4),
                "score": (wc * chain + wr * region + wt * tier).round(4),
            }
        )
        verb_zh = lk.status.map(lambda s: STATUS_TEXT[s][0])
        adj_zh = lk.status.map(lambda s: STATUS_TEXT[s][1])
        verb_en = lk.status.map(lambda s: STATUS_TEXT[s][2])
        adj_en = lk.status.map(lambda s: STATUS_TEXT[s][3])
        city_short = out.city.str.replace(r"市$", "", regex=True)
        chain_zh = out.chain.where(out.chain.str.endswith("链"), out.chain + "链")
        reason_zh = verb_zh + city_short + chain_zh + lk.stage.map(STAGE_ZH) + adj_zh + "环节（" + out.link + "）"
        reason_en = (
            verb_en
            + " the "
            + adj_en
            + " "
            + lk.stage
            + " link ("
            + out.link_en
            + ") of "
            + out.city_en
            + "'s "
            + out.chain_en.str.lower()
            + " chain"
        )
        reason_zh = reason_zh + "；" + out.tiers.where(out.tiers != "", "未上榜")
        reason_en = reason_en + "; " + out.tiers_en.where(out.tiers_en != "", "not on a ranking list")
        reg = {r.id: r for r in cfg.regions}
        has = th >= 0
        rz = pd.Series(u.source_region.map(lambda r: reg[r].name_zh if r in reg else ""))
        re_ = pd.Series(u.source_region)
        reason_zh = reason_zh.where(~has, reason_zh + "；契合" + rz + "重点产业：" + theme.name_zh)
        reason_en = reason_en.where(~has, reason_en + "; fits " + re_ + " priority: " + theme.name_en.str.lower())
        out["reason_zh"] = reason_zh
        out["reason_en"] = reason_en
        return out


def _tier_text(scores: Scores, rows: np.ndarray, lang: str) -> pd.Series:
    """Lists an enterprise is on, most valuable first: '世界500强第243名、民营500强第12名'."""
    tiers = scores.config.tiers
    u = scores.universe.iloc[rows]
    vals = scores.tier_values[rows]
    order = np.argsort(-vals, axis=1, kind="stable")
    parts = []
    for t in tiers:
        r = u[rank_column(t.id)].to_numpy(dtype=float)
        on = u[f"on__{t.id}"].to_numpy(dtype=bool)
        rk = pd.Series(np.where(np.isnan(r), 0, r).astype(int)).astype(str)
        if lang == "zh":
            text = np.where(np.isnan(r), t.name_zh, t.name_zh + "第" + rk + "名")
        else:
            text = np.where(np.isnan(r), t.name_en, t.name_en + " #" + rk)
        parts.append(np.where(on, text, ""))
    grid = np.array(parts, dtype=object).T if parts else np.zeros((len(rows), 0), dtype=object)
    if grid.size == 0:
        return pd.Series([""] * len(rows))
    ordered = np.take_along_axis(grid, order, axis=1)
    sep = "、" if lang == "zh" else ", "
    return pd.Series([sep.join(x for x in row if x) for row in ordered])


def _industry_text(scores: Scores, rows: np.ndarray) -> pd.Series:
    ind = scores.industries
    names = {i.id: i.name_zh for i in scores.config.industries}
    sub = ind[ind.row.isin(rows)]
    if sub.empty:
        return pd.Series(["未知"] * len(rows))
    label = sub.industry.map(names) + "(" + sub.confidence.round(2).astype(str) + ")"
    joined = label.groupby(sub.row.to_numpy()).agg("、".join)
    return pd.Series(rows).map(joined).fillna("未知").reset_index(drop=True)


class RuleScorer(TransformerMixin, BaseEstimator):
    """The hand-set rule score, as an estimator whose weights an analyst can tune.

    Parameters
    ----------
    config : Config, optional
        Default the bundled configuration.
    w_chain, w_region, w_tier : float, optional
        Weights of the three parts (normalised to sum to 1); default from
        ``config.scoring``.
    status_weights : dict, optional
        Weight of a link by its status in the city: ``missing``, ``weak``,
        ``strong``.
    parent_discount, min_confidence : float, optional
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
        status_weights=None,
        parent_discount=None,
        min_confidence=None,
        rank_decay=None,
        unranked_factor=None,
        multi_list_bonus=None,
        cross_chain_weight=None,
    ):
        self.config = config
        self.w_chain = w_chain
        self.w_region = w_region
        self.w_tier = w_tier
        self.status_weights = status_weights
        self.parent_discount = parent_discount
        self.min_confidence = min_confidence
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
        w = np.array([self._param("w_chain"), self._param("w_region"), self._param("w_tier")], dtype=float)
        if (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"The weights w_chain, w_region, w_tier must be >= 0 and not all 0. Got {tuple(w)} instead.")
        self.weights_ = tuple(float(x) for x in w / w.sum())
        sw = dict(cfg.scoring.status_weights)
        sw.update(self.status_weights or {})
        bad = {k: v for k, v in sw.items() if k not in STATUS_TEXT or not 0 <= v <= 1}
        if bad:
            raise ValueError(f"The 'status_weights' parameter must map missing/weak/strong to floats in [0, 1]. Got {bad!r} instead.")
        self.status_weights_ = sw
        self.industry_ = IndustryVectorizer(
            cfg.industries, parent_discount=self._param("parent_discount"), min_confidence=self._param("min_confidence")
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
        home = self._home_chains(cfg)
        xw = self._param("cross_chain_weight")
        r, c, v = [], [], []
        for j, (inds, chain) in enumerate(zip(self.links_.industries, self.links_.chain)):
            for i in inds:
                r.append(ind_pos[i])
                c.append(j)
                v.append(1.0 if chain in home[i] else xw)
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
        self.feature_names_in_ = np.array(["enterprise_id", "industry_text", "name", "regions"], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        return self

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

    def score(self, X: pd.DataFrame) -> Scores:
        """Score a universe; see :class:`Scores`."""
        check_is_fitted(self, "links_")
        # Rows with the same industry source have the same industry vector: score
        # each distinct source once, then gather (exactly the same numbers per row).
        found_u, inv = self.industry_.explain_distinct(X)
        E = self.industry_.matrix(found_u, int(inv.max(initial=-1)) + 1)
        fit_u, link_u, chain_u, T_u = self._distinct_parts(E)
        chain, link, fit = chain_u[inv], link_u[inv], fit_u[inv]
        found = _spread_rows(found_u, inv)
        # Region fit: best priority of the enterprise's own key region(s).
        member = self.region_.transform(X)
        allowed = member[:, self.themes_.region_index.to_numpy()] if len(self.themes_) else np.zeros((len(X), 0), bool)
        T = np.where(allowed, T_u[inv], 0.0)
        theme = np.where(T.max(axis=1, initial=0) > 0, np.argmax(T, axis=1) if T.shape[1] else -1, -1)
        region = T.max(axis=1, initial=0.0)
        tf = self.tier_.transform(X)
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
            weights=self.weights_,
            industries=found,
        )

    def _distinct_parts(self, E: sp.csr_matrix):
        """Fit, link and weighted chain score (m, G) and weighted theme fit (m, P) of industry vectors."""
        F = (E @ self.link_matrix_).minimum(1.0).tocoo()
        W = F.copy()
        W.data = W.data * self.links_.status_weight.to_numpy()[W.col]
        chain, link = _group_max(W, self.links_.g.to_numpy(), len(self.groups_))
        Fd = F.tocsr()
        fit = np.zeros_like(chain)
        rr, gg = np.nonzero(link >= 0)
        fit[rr, gg] = np.asarray(Fd[rr, link[rr, gg]]).ravel()
        T = (E @ self.theme_matrix_).minimum(1.0).toarray() * self.themes_.weight.to_numpy()[None, :]
        return fit, link, chain, T

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
