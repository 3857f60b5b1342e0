"""Pair features an office has beyond the rule's parts (feature set ``pair-v2``).

- ``anchor_fit``: the enterprise's fit to a ``strong`` link of one of the city's
  chains that lists anchor firms (``cities.toml``) — investors follow anchors;
- ``endowment_fit``: its fit to the city's port and resource endowments (the
  rule's endowment part, unweighted);
- ``origin``: headquartered in China 1, unknown 0.5, abroad 0;
- ``distance_km``: km from its headquarters to the city, when the caller gives
  a distance matrix (``context["distance"]``, n × cities), else 0;
- ``growth`` and ``expansion_news``: proxies of an intent to expand (a rank
  change between list editions, a press report), from universe columns of those
  names where an import provides them, else 0;
- ``campaign_on``: 1 in a week in which the enterprise's key region has a
  campaign, from ``context["campaigns"]`` (region → first and last ISO week), else 0.

Features a caller cannot supply are 0 for every pair: they carry no signal then,
and a model trained where they were known should not be used where they are not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..score.scores import Scores

__all__ = ["OFFICE_FEATURES", "office_features", "anchor_fit", "campaign_on"]

#: Columns added by :func:`office_features`, in the order models see them.
OFFICE_FEATURES = ("anchor_fit", "endowment_fit", "origin", "distance_km", "growth", "expansion_news", "campaign_on")


def anchor_fit(scores: Scores) -> np.ndarray:
    """(n, n_cities): the best industry fit to a ``strong`` link of a city chain that lists anchor firms."""
    cfg = scores.config
    anchored = {(c.id, cc.chain) for c in cfg.cities for cc in c.chains if cc.anchor_firms_zh}
    g_anchor = np.array([(c, ch) in anchored for c, ch in zip(scores.groups.city, scores.groups.chain)], dtype=bool)
    strong = (scores.links.status.to_numpy() == "strong") if len(scores.links) else np.zeros(0, dtype=bool)
    j = scores.link
    is_strong = np.where(j >= 0, strong[np.maximum(j, 0)] if len(strong) else False, False)
    a = np.where(is_strong & g_anchor[None, :], scores.fit, 0.0)
    out = np.zeros((len(scores.universe), len(cfg.cities)))
    for k in range(len(cfg.cities)):
        g = np.flatnonzero(scores.group_city == k)
        if len(g):
            out[:, k] = a[:, g].max(axis=1)
    return out


def campaign_on(regions: np.ndarray, monday, campaigns: dict[str, tuple[int, int]]) -> np.ndarray:
    """1.0 where the enterprise's key region has its campaign in the ISO week of ``monday`` (a date or day numbers)."""
    if isinstance(monday, pd.Timestamp | str):
        week = np.int64(pd.Timestamp(monday).isocalendar()[1])
    else:
        days = np.broadcast_to(np.asarray(monday).astype("datetime64[D]"), np.shape(regions))
        uniq, inv = np.unique(days, return_inverse=True)
        week = pd.DatetimeIndex(uniq).isocalendar().week.to_numpy(dtype=np.int64)[inv.reshape(-1)]
    on = np.zeros(len(regions))
    for r, (a, b) in campaigns.items():
        on = np.where((regions == r) & (week >= a) & (week <= b), 1.0, on)
    return on


def _city_matrices(pf) -> dict[str, np.ndarray]:
    """(n, n_cities) matrices, computed once per :class:`~matcher.learn.pairs.PairFeatures`."""
    if "office" not in pf.cache:
        s = pf.scores
        dist = pf.context.get("distance")
        shape = (pf.n, len(pf.cities))
        pf.cache["office"] = {
            "anchor_fit": anchor_fit(s),
            "endowment_fit": s.endowment.astype(float),
            "distance_km": np.asarray(dist, dtype=float) if dist is not None else np.zeros(shape),
        }
    return pf.cache["office"]


def office_features(pf, pairs: pd.DataFrame) -> dict[str, np.ndarray]:
    """The :data:`OFFICE_FEATURES` of ``pairs`` (``team_id``, ``monday`` day number, ``row``) for a ``PairFeatures``."""
    rows = pairs.row.to_numpy(dtype=np.int64)
    city = pf.city_of(pairs.team_id.to_numpy()) if len(pairs) else np.zeros(0, dtype=np.int64)
    mats = _city_matrices(pf)
    u = pf.scores.universe
    out = {name: mats[name][rows, city] for name in ("anchor_fit", "endowment_fit", "distance_km")}
    out["origin"] = pf.scores.origin.astype(float)[rows]
    for col in ("growth", "expansion_news"):
        out[col] = np.nan_to_num(u[col].to_numpy(dtype=float)[rows]) if col in u else np.zeros(len(rows))
    campaigns = pf.context.get("campaigns") or {}
    if campaigns and len(rows):
        regions = u["source_region"].fillna("").astype(str).to_numpy()[rows] if "source_region" in u else np.full(len(rows), "")
        out["campaign_on"] = campaign_on(regions, pairs.monday.to_numpy(dtype=np.int64), campaigns)
    else:
        out["campaign_on"] = np.zeros(len(rows))
    return out
