"""A plain-Python reference of the rule score, one enterprise and one city chain at a time.

Slow on purpose: the tests check the vectorised :class:`matcher.score.rule.RuleScorer`
against it on random inputs, and the benchmarks time it as the naive baseline.
It follows the definitions in :mod:`matcher.score.rule` and
:class:`matcher.featurise.transformers.IndustryVectorizer` literally.
"""

from __future__ import annotations

import math

import pandas as pd

from matcher.config.model import Config
from matcher.featurise.transformers import rank_column

__all__ = ["reference_scores"]


def reference_scores(config: Config, universe: pd.DataFrame, found: pd.DataFrame) -> dict[tuple[int, int], tuple]:
    """Rule score of every (enterprise row, city chain) pair.

    Parameters
    ----------
    config : Config
    universe : DataFrame
        With ``regions`` and the ``rank__``/``on__`` columns of each tier.
    found : DataFrame
        Direct industry matches (``row, industry, confidence``), as
        :meth:`IndustryVectorizer.explain` gives them.

    Returns
    -------
    dict
        ``(row, g) → (chain score, best link id or None, region fit, tier score, total)``, the
        total including the endowment and origin parts,
        ``g`` counting the city chains in configuration order.
    """
    sc = config.scoring
    total_w = sc.w_chain + sc.w_region + sc.w_tier + sc.w_endowment + sc.w_origin
    wc, wr, wt = sc.w_chain / total_w, sc.w_region / total_w, sc.w_tier / total_w
    we, wo = sc.w_endowment / total_w, sc.w_origin / total_w
    endowments = {e.id: e for e in config.endowments}
    sw = dict(sc.status_weights)
    parent = {i.id: i.parent for i in config.industries}
    typical = {i.id: list(i.typical_children) for i in config.industries}
    links = {lk.id: lk for c in config.chains for lk in c.links}
    chains = {c.id: c for c in config.chains}

    def share(i: str, chain) -> float:
        """The share of the chain's links that list industry ``i``."""
        return sum(lk.industries.count(i) for lk in chain.links) / len(chain.links)

    def chain_weight(i: str, chain: str) -> float:
        """Full weight in the industry's home chain(s), those where its share is largest."""
        home = max(share(i, c) for c in config.chains)
        return 1.0 if abs(share(i, chains[chain]) - home) < 1e-9 else sc.cross_chain_weight

    def spread(child: str) -> float:
        named = typical[parent[child]]
        if not named:
            return 1.0 / math.sqrt(sum(1 for c in parent if parent[c] == parent[child]))
        return (1.0 - 0.05 * named.index(child)) / math.sqrt(len(named)) if child in named else 0.0

    direct: dict[int, dict[str, float]] = {}
    for r in found.itertuples():
        row = direct.setdefault(int(r.row), {})
        # A match counts its confidence over full_confidence, at most 1.
        row[r.industry] = max(row.get(r.industry, 0.0), min(1.0, float(r.confidence) / sc.full_confidence))
    out = {}
    for row in range(len(universe)):
        d = direct.get(row, {})
        e = dict(d)
        for i in parent:
            up = min(1.0, sum(v for c, v in d.items() if parent[c] == i))
            down = d.get(parent[i], 0.0) * sc.parent_discount * spread(i) if parent[i] else 0.0
            e[i] = max(e.get(i, 0.0), up, down)
        regs = [r for r in str(universe["regions"].iloc[row]).split(";") if r]
        region = 0.0
        for reg in config.regions:
            if reg.id in regs:
                for p in reg.priorities:
                    region = max(region, min(1.0, sum(e.get(i, 0.0) for i in p.industries)) * p.weight)
        best_tier, n_lists = 0.0, 0
        for t in config.tiers:
            if universe[f"on__{t.id}"].iloc[row]:
                n_lists += 1
                rk = universe[rank_column(t.id)].iloc[row]
                f = sc.unranked_factor if (not t.ranked or math.isnan(rk)) else 1 - sc.rank_decay * math.log(rk) / math.log(t.size)
                best_tier = max(best_tier, t.weight * f)
        tier = min(1.0, best_tier + sc.multi_list_bonus * max(n_lists - 1, 0))
        china = bool(universe["is_china"].iloc[row]) if "is_china" in universe.columns else False
        abroad = bool(universe["is_abroad"].iloc[row]) if "is_abroad" in universe.columns else False
        origin = 1.0 if china else (0.0 if abroad else 0.5)
        g = 0
        for city in config.cities:
            # The best single industry (own, or covered by a broad industry the endowment names).
            # Own (direct) industries only.
            endow = 0.0
            for eid in city.endowments:
                for i in endowments[eid].industries:
                    for j in [i] + [c for c in parent if parent[c] == i]:
                        endow = max(endow, min(1.0, d.get(j, 0.0)))
            for cc in city.chains:
                best, best_link = 0.0, None
                for lid, status in cc.links:
                    # A broad industry listed on a link counts at parent_discount.
                    fit = min(
                        1.0,
                        sum(
                            e.get(i, 0.0) * chain_weight(i, cc.chain) * (sc.parent_discount if i in set(parent.values()) else 1.0)
                            for i in links[lid].industries
                        ),
                    )
                    if fit * sw[status] > best:
                        best, best_link = fit * sw[status], lid
                out[(row, g)] = (best, best_link, region, tier, wc * best + wr * region + wt * tier + wo * origin + we * endow)
                g += 1
    return out
