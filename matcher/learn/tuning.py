"""Choosing the rule score's weights on real investments, reported under cross-validation only.

The parts of the rule score (chain, region, tier, endowment, origin) do not
depend on the weights, so a city's list under any weights is a re-weighting
of arrays already computed: every weight vector of a grid is tried on every
(enterprise, city) pair in one pass, without scoring the universe again.

Weights chosen on pairs are never judged on them: :func:`cross_validate`
holds out the pairs of one city (or one enterprise) at a time, chooses the
weights on the others, and ranks the held-out pairs with those weights. With
the 24–48 pairs of the development set, even the held-out figures are
uncertain; :func:`matcher.learn.validate.summarise` gives their intervals.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ..score.scores import Scores

__all__ = ["PARTS", "FIXED", "weight_grid", "city_parts", "grid_ranks", "choose", "cross_validate", "weight_study"]

#: The parts of the rule score, as :attr:`Scores.weights` orders them.
PARTS = ("w_chain", "w_region", "w_tier", "w_endowment", "w_origin")


#: Parts whose weight is not chosen on outcomes, with the value they keep. Region fit decides which
#: team visits an enterprise, not whether a city wants it (the programme's rule; ``data/config.toml``),
#: so choosing its weight on a few dozen investments would only fit their noise.
FIXED = {"w_region": 0.0}


def weight_grid(values=(0.0, 0.1, 0.2, 0.3, 0.4), w_chain: float = 0.5, fixed: dict[str, float] | None = None) -> np.ndarray:
    """Weight vectors (k, 5): ``w_chain`` fixed (only ratios matter), the ``fixed`` parts (default
    :data:`FIXED`) at their value, every other part over ``values``."""
    fixed = FIXED if fixed is None else fixed
    free = [p for p in PARTS[1:] if p not in fixed]
    rest = np.array(list(itertools.product(values, repeat=len(free))), dtype=float).reshape(-1, len(free))
    cols = {p: (rest[:, free.index(p)] if p in free else np.full(len(rest), float(fixed[p]))) for p in PARTS[1:]}
    return np.column_stack([np.full(len(rest), w_chain), *(cols[p] for p in PARTS[1:])])


def city_parts(scores: Scores, city_id: str) -> tuple[np.ndarray, np.ndarray]:
    """The parts (n, 5) of every enterprise in one city's list, and whether it fits one of the city's chains.

    The chain part is the best chain score over the city's chains; the
    endowment part is the city's.
    """
    groups = scores.group_ids(city=city_id)
    fit = scores.fit[:, groups] > 0
    chain = np.where(fit, scores.chain[:, groups], 0.0).max(axis=1, initial=0.0)
    k = [c.id for c in scores.config.cities].index(city_id)
    parts = np.column_stack([chain, scores.region, scores.tier, scores.endowment[:, k], scores.origin]).astype(np.float64)
    return parts, fit.any(axis=1)


def grid_ranks(scores: Scores, city_ids: np.ndarray, rows: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Rank (k, n_pairs) of each pair's enterprise in its city's full list, under each weight vector.

    Lists are ordered as :meth:`Scores.rank` orders them: enterprises that fit
    one of the city's chains first, by score. Ties share the mean rank of
    their block. ``rows`` are universe rows (-1: not in the universe → NaN).
    """
    out = np.full((len(grid), len(rows)), np.nan)
    weights = grid / grid.sum(axis=1, keepdims=True)
    for city in pd.unique(city_ids[rows >= 0]):
        at = np.flatnonzero((city_ids == city) & (rows >= 0))
        parts, fits = city_parts(scores, city)
        key = parts @ weights.T + 2.0 * fits[:, None]  # (n, k)
        for p in at:
            mine = key[rows[p]]
            out[:, p] = (key > mine).sum(axis=0) + ((key == mine).sum(axis=0) + 1) / 2.0
    return out


def choose(ranks: np.ndarray, pairs: np.ndarray) -> int:
    """The grid row with the lowest mean log rank over ``pairs`` (ties: the first row)."""
    r = ranks[:, pairs]
    loss = np.nanmean(np.log(r), axis=1) if np.isfinite(r).any() else np.zeros(len(ranks))
    return int(np.argmin(loss))


def cross_validate(ranks: np.ndarray, folds: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    """Held-out ranks: for each fold, weights chosen on the other folds' pairs rank the fold's pairs.

    Parameters
    ----------
    ranks : ndarray (k, n_pairs)
        From :func:`grid_ranks`.
    folds : ndarray (n_pairs,)
        Fold label of each pair (its city, or its enterprise).

    Returns
    -------
    held_out : ndarray (n_pairs,)
        Each pair's rank under the weights chosen without its fold.
    chosen : DataFrame
        ``fold, grid_row`` — the weights each fold used, to show how stable the choice is.
    """
    held = np.full(ranks.shape[1], np.nan)
    chosen = []
    for fold in pd.unique(folds):
        test = folds == fold
        train = np.flatnonzero(~test)
        k = choose(ranks, train)
        held[test] = ranks[k, test]
        chosen.append((fold, k))
    return held, pd.DataFrame(chosen, columns=["fold", "grid_row"])


def weight_study(scores: Scores, pairs: pd.DataFrame, grid: np.ndarray | None = None, *, n_boot: int = 2000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The configured weights against weights chosen on the pairs, in-sample and held out.

    Parameters
    ----------
    scores : Scores
        The universe scored with any weights (the parts do not depend on them).
    pairs : DataFrame
        Ranked pairs of :func:`matcher.learn.validate.rank_pairs`.
    grid : ndarray, optional
        Weight vectors to choose from (:func:`weight_grid` by default).

    Returns
    -------
    summary : DataFrame
        One row per scheme — ``configured`` (the configuration's weights),
        ``chosen, in-sample`` (chosen on all pairs and judged on them: optimistic),
        ``held out by city`` and ``held out by enterprise`` (chosen without
        the pair's city or enterprise) — with the overall metrics and their
        bootstrap intervals (:func:`matcher.learn.validate.summarise`).
    chosen : DataFrame
        The weights each scheme and fold used.
    """
    from .validate import summarise

    grid = weight_grid() if grid is None else np.asarray(grid, dtype=float)
    configured = np.array([scores.weights])
    grid = np.vstack([configured, grid])
    ranked = pairs[pairs.status == "ranked"].reset_index(drop=True)
    unranked = pairs[(pairs.status != "ranked") & (pairs.status != "unknown city")].assign(rank=np.nan, percentile=np.nan)
    pos = pd.Series(np.arange(len(scores.universe)), index=scores.universe.enterprise_id.to_numpy())
    rows = ranked.enterprise_id.map(pos).fillna(-1).astype(np.int64).to_numpy()
    ranks = grid_ranks(scores, ranked.city_id.to_numpy(), rows, grid)
    body = ranks[1:]
    best = choose(body, np.arange(len(ranked)))
    schemes = {"configured": (ranks[0], [("all", -1)]), "chosen, in-sample": (body[best], [("all", best)])}
    for label, col in (("held out by city", "city_id"), ("held out by enterprise", "enterprise_id")):
        held, folds = cross_validate(body, ranked[col].to_numpy())
        schemes[label] = (held, list(folds.itertuples(index=False, name=None)))
    n = len(scores.universe)
    rows_out, chosen = [], []
    for label, (r, folds) in schemes.items():
        # Judged like the main summary: a pair not in the universe counts as a miss.
        part = pd.concat([ranked.assign(rank=r, percentile=r / n), unranked], ignore_index=True)
        s = summarise(part, n_boot=n_boot, seed=seed)
        rows_out.append({"scheme": label, **s[s.group_by == "overall"].iloc[0].drop(["group_by", "group"]).to_dict()})
        for fold, k in folds:
            w = grid[0] if k < 0 else grid[k + 1]
            chosen.append({"scheme": label, "fold": fold, **dict(zip(PARTS, np.round(w / w.sum(), 4)))})
    return pd.DataFrame(rows_out), pd.DataFrame(chosen)
