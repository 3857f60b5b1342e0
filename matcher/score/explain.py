"""Explanations: every score broken into its parts, with its reasons in Chinese and English."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config.model import STAGE_ZH
from ..featurise.transformers import rank_column

__all__ = ["explain", "tier_text", "industry_text", "STATUS_TEXT"]

STATUS_TEXT = {
    # status: (verb zh, adjective zh, verb en, adjective en)
    "missing": ("填补", "缺失", "fills", "missing"),
    "weak": ("补强", "薄弱", "strengthens", "weak"),
    "strong": ("融入", "优势", "joins", "strong"),
}


def explain(scores, rows: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Score components and reasons (Chinese and English) of (enterprise, city chain) pairs of a :class:`~matcher.score.scores.Scores`."""
    self = scores
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
            "tiers": tier_text(self, rows, "zh"),
            "tiers_en": tier_text(self, rows, "en"),
            "hq_city": u.hq_city,
            "hq_province": u.hq_province,
            "source_region": u.source_region,
            "region_certainty": u.region_certainty,
            "ownership": u.ownership,
            "industries": industry_text(self, rows),
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


def tier_text(scores, rows: np.ndarray, lang: str) -> pd.Series:
    """Lists an enterprise is on, most valuable first: '世界500强第243名、民营500强第12名'."""
    tiers = scores.config.tiers
    u = scores.universe.iloc[rows]
    vals = scores.tier_values[rows]
    order = np.argsort(-vals, axis=1, kind="stable")
    parts = []
    for t in tiers:
        r = u[rank_column(t.id)].to_numpy(dtype=float)
        on = u[f"on__{t.id}"].to_numpy(dtype=bool)
        rk = pd.Series(np.where(np.isnan(r), 0, r).astype(int)).astype(str).to_numpy(dtype=object)
        year = u[f"year__{t.id}"].to_numpy() if f"year__{t.id}" in u.columns else np.zeros(len(u), dtype=int)
        ys = pd.Series(year).astype(str).to_numpy(dtype=object)
        if lang == "zh":
            name = np.where(year > 0, ys + "年" + t.name_zh, t.name_zh)
            text = np.where(np.isnan(r), name, name + "第" + rk + "名")
        else:
            name = np.where(year > 0, t.name_en + " " + ys, t.name_en)
            text = np.where(np.isnan(r), name, name + " #" + rk)
        parts.append(np.where(on, text, ""))
    grid = np.array(parts, dtype=object).T if parts else np.zeros((len(rows), 0), dtype=object)
    if grid.size == 0:
        return pd.Series([""] * len(rows))
    ordered = np.take_along_axis(grid, order, axis=1)
    sep = "、" if lang == "zh" else ", "
    return pd.Series([sep.join(x for x in row if x) for row in ordered])


def industry_text(scores, rows: np.ndarray) -> pd.Series:
    ind = scores.industries
    names = {i.id: i.name_zh for i in scores.config.industries}
    sub = ind[ind.row.isin(rows)]
    if sub.empty:
        return pd.Series(["未知"] * len(rows))
    label = sub.industry.map(names) + "(" + sub.confidence.round(2).astype(str) + ")"
    joined = label.groupby(sub.row.to_numpy()).agg("、".join)
    return pd.Series(rows).map(joined).fillna("未知").reset_index(drop=True)
