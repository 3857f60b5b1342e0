"""Scores: the scored (enterprise × city chain) components, with ranking and explanation by group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..config.model import Config
from ..i18n import gettext

__all__ = ["Scores", "top_k", "group_max"]


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


def group_max(mat: sp.coo_matrix, col_group: np.ndarray, n_groups: int):
    """Per (row, group of columns): the maximum value and the column holding it.

    Ties go to the lower column index (configuration order).
    """
    n = mat.shape[0]
    best = np.zeros((n, n_groups), dtype=np.float32)
    arg = np.full((n, n_groups), -1, dtype=np.int32)
    if mat.nnz == 0:
        return best, arg
    col_group = np.asarray(col_group)
    if len(col_group) and (np.diff(col_group) >= 0).all():
        return _group_max_runs(sp.csr_matrix(mat), col_group, best, arg)
    mat = mat.tocoo()
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


def _group_max_runs(mat: sp.csr_matrix, col_group: np.ndarray, best: np.ndarray, arg: np.ndarray):
    """:func:`group_max` when each group's columns are contiguous: no sort, one pass over runs.

    With the columns of each row in order, the entries of one (row, group) form a run;
    its maximum comes from ``maximum.reduceat`` and the lowest column holding it from
    ``minimum.reduceat`` over the positions that hold the maximum.
    """
    mat.sum_duplicates()
    mat.sort_indices()
    vals = mat.data
    keep = vals > 0
    rows = np.repeat(np.arange(mat.shape[0], dtype=np.int64), np.diff(mat.indptr))[keep]
    cols, vals = mat.indices[keep].astype(np.int64), vals[keep]
    if not len(vals):
        return best, arg
    groups = col_group[cols]
    key = rows * best.shape[1] + groups
    start = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    top = np.maximum.reduceat(vals, start)
    run = np.repeat(np.arange(len(start)), np.diff(np.append(start, len(key))))
    first = np.minimum.reduceat(np.where(vals == top[run], cols, np.iinfo(np.int64).max), start)
    r, g = rows[start], groups[start]
    best[r, g] = top
    arg[r, g] = first
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
    endowment : ndarray (n, n_cities)
        Fit (0–1) of the enterprise's industries to the endowments of each city
        (port, border, resources: industries that depend on them).
    endowment_which : ndarray (n, n_cities)
        Row of :attr:`endowments` behind it, -1 where none.
    origin : ndarray (n,)
        1 headquartered in China, 0.5 unknown, 0 abroad.
    endowments : DataFrame
        One row per city endowment: ``city, endowment, name_zh, name_en, industries`` (the industries
        that depend on it, narrower ones included).
    group_city : ndarray (G,)
        City index of each city chain.
    weights : tuple
        ``(w_chain, w_region, w_tier, w_endowment, w_origin)`` normalised to sum to 1.
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
    weights: tuple[float, float, float, float, float]
    industries: pd.DataFrame
    endowment: np.ndarray
    endowment_which: np.ndarray
    origin: np.ndarray
    endowments: pd.DataFrame
    group_city: np.ndarray
    #: The scores cache entry these scores were read from or written to (:mod:`matcher.score.cache`),
    #: where arrays derived from them alone may be kept too; ``None`` when not cached.
    cache_entry: ClassVar[object] = None

    def total(self, groups: np.ndarray | None = None) -> np.ndarray:
        """Combined scores (n, len(groups)) — all city chains by default."""
        groups = np.arange(len(self.groups)) if groups is None else groups
        return self._totals(groups).astype(np.float64)

    def _totals(self, groups: np.ndarray) -> np.ndarray:
        """Combined scores (n, len(groups)) from the float32 parts, in one fixed order of operations."""
        wc, wr, wt, we, wo = self.weights
        return wc * self.chain[:, groups] + (wr * self.region + wt * self.tier + wo * self.origin)[:, None] + we * self.endowment[:, self.group_city[groups]]

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
        Ties: the higher link fit, then configuration order.
        """
        # Totals as total() makes them (float32 parts), compared before widening to float64.
        return self._pick(self._totals(groups), groups)

    def _pick(self, tot: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`best` from the totals (n, len(groups)), which it overwrites where nothing fits."""
        fit = self.fit[:, groups]
        tot[fit <= 0] = -np.inf
        # Equal scores go to the city chain whose link the enterprise fits better (a power group's
        # clean-energy link over the equipment link it reaches through the same industry), then
        # to configuration order.
        best = tot.max(axis=1, keepdims=True)
        k = np.argmax(np.where(tot == best, fit, -1.0), axis=1)
        s = tot[np.arange(len(tot)), k].astype(np.float64)
        g = np.where(np.isfinite(s), groups[k], -1)
        return g, np.where(np.isfinite(s), s, 0.0)

    def city_order(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every enterprise's place in a list over ``groups``: the group explaining it, its score, and a sort key.

        Enterprises that fit one of the groups come first, by score; the
        others follow, by the parts that do not depend on a link (tier,
        origin, region, the city's endowments). The key sorts descending;
        ties go to the higher tier score, then the earlier ``enterprise_id``
        (:func:`top_k`).
        """
        tot = self._totals(groups)
        # Without a fitting chain every chain part is 0: the best total is the parts that need no link.
        rest = tot.max(axis=1).astype(np.float64) if len(groups) else np.zeros(len(tot))
        g, s = self._pick(tot, groups)
        fits = g >= 0
        score = np.where(fits, s, rest)
        return np.where(fits, g, groups[0] if len(groups) else -1), score, score + 2.0 * fits

    def rank(self, groups: np.ndarray, *, top: int, mask: np.ndarray | None = None) -> pd.DataFrame:
        """The ``top`` enterprises for a set of city chains, best first, explained.

        For the chains of one city, nobody vanishes: enterprises that fit none
        of them follow those that do, each with a reason saying so. For chains
        of several cities (a chain's list across the province), only those
        that fit are listed. Ties: score, then tier score, then
        ``enterprise_id`` (ascending).
        """
        g, score, key = self.city_order(groups)
        ok = np.ones(len(g), dtype=bool) if len(np.unique(self.group_city[groups])) == 1 else key >= 2.0
        if mask is not None:
            ok &= mask
        key = np.where(ok, key, -1.0)
        rows = top_k(key, min(top, int(ok.sum())), self.tier)
        out = self.explain(rows, g[rows])
        out.insert(0, "rank", np.arange(1, len(out) + 1))
        return out

    def enterprise_ranks(self, enterprise_id: str) -> pd.DataFrame:
        """Where one enterprise ranks in each city's list, and why.

        One row per city: its rank in the city's full list (as :meth:`rank`
        orders it: those that fit one of the city's chains first), how many
        enterprises fit one of the city's chains (``candidates``), and the
        explained best city chain (or why none fits).
        """
        pos = np.flatnonzero(self.universe.enterprise_id.to_numpy() == enterprise_id)
        if not len(pos):
            from ..errors import NotFoundError

            raise NotFoundError(gettext("unknown enterprise_id {id!r}").format(id=enterprise_id))
        r = int(pos[0])
        rows = []
        order = np.arange(len(self.tier))
        for city in self.config.cities:
            groups = self.group_ids(city=city.id)
            if not len(groups):
                continue
            g, _, key = self.city_order(groups)
            # Ahead of it: a higher key, or an equal key and a higher tier, or both equal and an earlier row.
            ahead = (key > key[r]) | ((key == key[r]) & ((self.tier > self.tier[r]) | ((self.tier == self.tier[r]) & (order < r))))
            expl = self.explain(np.array([r]), np.array([g[r]]))
            expl.insert(0, "rank", int(ahead.sum()) + 1)
            expl.insert(1, "candidates", int((key >= 2.0).sum()))
            rows.append(expl)
        if not rows:
            return pd.DataFrame(columns=["rank", "candidates"])
        return (
            pd.concat(rows, ignore_index=True).sort_values(["rank", "score"], ascending=[True, False], kind="stable").reset_index(drop=True)
        )

    def explain(self, rows: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
        """Score components and reasons (Chinese and English) of (enterprise, city chain) pairs."""
        from .explain import explain

        return explain(self, rows, groups)
