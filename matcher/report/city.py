"""One city's chains: which links it has, which it lacks, and who could fill them.

:func:`city_report` answers "what does 柳州 need, and from whom?": every chain
and link of the city with its status from the configuration (strong, weak,
missing), the best candidates for each missing or weak link from the rule
scores, the links no enterprise fills, and the city's parks and anchor firms.

A candidate for a link is an enterprise whose best link in that city chain is
this one *and* one of whose own industries is an industry of the link
(``link_evidence = specific``, as the reasons of the target lists say): an
enterprise known only by a broad label ("Motor Vehicles and Parts") fits the
chain, not a particular link, and is counted apart (``broad_fits``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["CityReport", "city_report", "link_candidates", "CANDIDATE_COLUMNS"]

#: Columns of the candidates table.
CANDIDATE_COLUMNS = (
    "chain",
    "link",
    "link_status",
    "rank_in_link",
    "enterprise_id",
    "name",
    "tiers",
    "hq_city",
    "source_region",
    "chain_fit",
    "score",
    "reason_zh",
    "reason_en",
)


@dataclass
class CityReport:
    """The tables of one city; see :func:`city_report`."""

    city_id: str
    name: str
    links: pd.DataFrame
    candidates: pd.DataFrame
    uncovered: pd.DataFrame
    anchors: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in the order they are shown and written."""
        return {"links": self.links, "candidates": self.candidates, "uncovered": self.uncovered, "anchors": self.anchors}


def _specific_pairs(scores, rows: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Whether one of each enterprise's own (not broad) industries is an industry of link ``j``, for pairs (rows, j)."""
    ind = scores.industries
    broad = {i.parent for i in scores.config.industries if i.parent}
    own = ind[~ind.industry.isin(broad)][["row", "industry"]].drop_duplicates()
    pairs = pd.DataFrame({"k": np.arange(len(rows)), "row": rows, "j": j})
    pairs["industry"] = scores.links.industries.to_numpy()[j]
    pairs = pairs.explode("industry")
    hit = pairs.merge(own, on=["row", "industry"], how="inner").k.unique()
    out = np.zeros(len(rows), dtype=bool)
    out[hit] = True
    return out


def link_candidates(scores, city_id: str) -> pd.DataFrame:
    """Every (enterprise, link) of the city where the link is the enterprise's best in its chain.

    Columns ``row, g, j, score, tier, specific``, sorted by link, then score
    (descending), tier score (descending) and row (that is, ``enterprise_id``).
    """
    groups = scores.group_ids(city=city_id)
    if not len(groups):
        return pd.DataFrame({"row": [], "g": [], "j": [], "score": [], "tier": [], "specific": []})
    links = scores.link[:, groups]
    rr, kk = np.nonzero(links >= 0)
    g = groups[kk]
    j = links[rr, kk].astype(np.int64)
    total = scores.total(groups)[rr, kk]
    out = pd.DataFrame({"row": rr, "g": g, "j": j, "score": total.round(6), "tier": scores.tier[rr]})
    out["specific"] = _specific_pairs(scores, rr, j)
    return out.sort_values(["j", "score", "tier", "row"], ascending=[True, False, False, True], kind="stable").reset_index(drop=True)


def city_report(config, scores, city_id: str, *, per_link: int = 5) -> CityReport:
    """Chains, links, candidates and anchors of one city (see the module docstring).

    Parameters
    ----------
    config : Config
    scores : Scores
        The rule scores (``matcher.plan.issue.score_store``).
    city_id : str
        A city id (``config.city(text).id`` finds it by name).
    per_link : int
        Candidates listed for each missing or weak link.
    """
    city = config.city(city_id)
    chains = {c.id: c for c in config.chains}
    link_of = {lk.id: lk for c in config.chains for lk in c.links}
    sl = scores.links[scores.links.city == city.id].reset_index()
    sl = sl.rename(columns={"index": "j"})
    pairs = link_candidates(scores, city.id)
    spec = pairs[pairs.specific]
    n_spec = spec.groupby("j").size()
    n_broad = pairs[~pairs.specific].groupby("j").size()
    top = spec.groupby("j", sort=False).head(per_link)
    names = scores.universe.name.to_numpy()
    first = top.groupby("j", sort=False).row.agg(lambda r: "、".join(names[r.to_numpy()][:3]))
    park = {cc.chain: (cc.park_zh, cc.park_en) for cc in city.chains}
    links = pd.DataFrame(
        {
            "chain_id": sl.chain.to_numpy(),
            "chain": sl.chain.map(lambda c: chains[c].name_zh).to_numpy(),
            "chain_en": sl.chain.map(lambda c: chains[c].name_en).to_numpy(),
            "link_id": sl.link.to_numpy(),
            "link_stage": sl.stage.to_numpy(),
            "link": sl.link.map(lambda x: link_of[x].name_zh).to_numpy(),
            "link_en": sl.link.map(lambda x: link_of[x].name_en).to_numpy(),
            "link_status": sl.status.to_numpy(),
            "candidates": sl.j.map(n_spec).fillna(0).astype(int).to_numpy(),
            "broad_fits": sl.j.map(n_broad).fillna(0).astype(int).to_numpy(),
            "top_candidates": sl.j.map(first).fillna("").to_numpy(),
            "park": sl.chain.map(lambda c: park.get(c, ("", ""))[0]).to_numpy(),
            "park_en": sl.chain.map(lambda c: park.get(c, ("", ""))[1]).to_numpy(),
        }
    )
    need = top[top.j.map(dict(zip(sl.j, sl.status))).isin(["missing", "weak"])]
    if len(need):
        ex = scores.explain(need.row.to_numpy(), need.g.to_numpy())
        ex.insert(0, "rank_in_link", need.groupby("j", sort=False).cumcount().to_numpy() + 1)
        # Links in the order of the city's table.
        ex["_o"] = pd.Categorical(need.j.to_numpy(), categories=sl.j.to_numpy(), ordered=True)
        ex = ex.sort_values(["_o", "rank_in_link"], kind="stable").drop(columns="_o")
        keep = [
            c
            for c in ex.columns
            if c in CANDIDATE_COLUMNS or c in ("city", "chain_en", "link_en", "tiers_en", "link_stage", "link_evidence")
        ]
        candidates = ex[keep].reset_index(drop=True)
    else:
        candidates = pd.DataFrame(columns=list(CANDIDATE_COLUMNS))
    uncovered = links[(links.candidates == 0) & links.link_status.isin(["missing", "weak"])].reset_index(drop=True)
    uncovered = uncovered[["chain_id", "chain", "chain_en", "link_id", "link_stage", "link", "link_en", "link_status", "broad_fits"]]
    anchors = pd.DataFrame(
        [
            (cc.chain, chains[cc.chain].name_zh, chains[cc.chain].name_en, cc.park_zh, cc.park_en, firm)
            for cc in city.chains
            for firm in (cc.anchor_firms_zh or ("",))
            if firm or cc.park_zh
        ],
        columns=["chain_id", "chain", "chain_en", "park", "park_en", "anchor_firm"],
    )
    return CityReport(city_id=city.id, name=city.name_zh, links=links, candidates=candidates, uncovered=uncovered, anchors=anchors)
