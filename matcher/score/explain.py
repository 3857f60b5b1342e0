"""Explanations: every score broken into its parts, with its reasons in Chinese and English."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import rank_column
from ..config.model import STAGE_ZH

__all__ = ["explain", "tier_text", "industry_text", "STATUS_TEXT"]

STATUS_TEXT = {
    # status: (verb zh, adjective zh, verb en, adjective en)
    "missing": ("填补", "缺失", "fills", "missing"),
    "weak": ("补强", "薄弱", "strengthens", "weak"),
    "strong": ("融入", "优势", "joins", "strong"),
}


def explain(scores, rows: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Score components and reasons (Chinese and English) of (enterprise, city chain) pairs of a :class:`~matcher.score.scores.Scores`.

    A pair whose enterprise fits no link of the city chain (``link == -1``)
    is explained as such: it scores its tier, origin and region parts only,
    and its reason says that it fits none of the city's chains. A reason
    names a link only when one of the enterprise's own industries (or a
    narrower one) is an industry of that link (``link_evidence`` =
    ``specific``); a fit that comes only from a broad label spread over the
    chain (``broad``) names the chain, not the link.
    """
    self = scores
    cfg = self.config
    rows = np.asarray(rows, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.int64)
    u = self.universe.iloc[rows].reset_index(drop=True)
    for col in ("name_en", "hq_city", "hq_province", "source_region", "region_certainty", "ownership"):
        if col not in u.columns:
            u[col] = ""
    wc, wr, wt, we, wo = self.weights
    j = self.link[rows, groups]
    fits = j >= 0
    lk = self.links.iloc[np.maximum(j, 0)].reset_index(drop=True)
    grp = self.groups.iloc[groups].reset_index(drop=True)
    fit = np.where(fits, self.fit[rows, groups], 0).astype(np.float32)
    chain = np.where(fits, self.chain[rows, groups], 0).astype(np.float32)
    region, tier, origin = self.region[rows], self.tier[rows], self.origin[rows]
    gc = self.group_city[groups]
    endow = self.endowment[rows, gc]
    which = self.endowment_which[rows, gc]
    total = wc * chain + (wr * region + wt * tier + wo * origin) + we * endow
    th = self.theme[rows]
    theme = self.themes.iloc[np.maximum(th, 0)].reset_index(drop=True)
    end = self.endowments.iloc[np.maximum(which, 0)].reset_index(drop=True) if len(self.endowments) else None
    city = {c.id: c for c in cfg.cities}
    chains = {c.id: c for c in cfg.chains}
    link_obj = {lk_.id: lk_ for c in cfg.chains for lk_ in c.links}
    evidence = np.where(fits, np.where(_specific(self, rows, j), "specific", "broad"), "none")
    blank = pd.Series("", index=lk.index)
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
            "city": grp.city.map(lambda c: city[c].name_zh),
            "city_en": grp.city.map(lambda c: city[c].name_en),
            "chain": grp.chain.map(lambda c: chains[c].name_zh),
            "chain_en": grp.chain.map(lambda c: chains[c].name_en),
            "link": lk.link.map(lambda x: link_obj[x].name_zh).where(fits, blank),
            "link_en": lk.link.map(lambda x: link_obj[x].name_en).where(fits, blank),
            "link_stage": lk.stage.where(fits, blank),
            "link_status": lk.status.where(fits, blank),
            "link_evidence": evidence,
            "chain_fit": fit.round(4),
            "status_weight": np.where(fits, lk.status_weight.to_numpy(), 0.0),
            "chain_score": chain.round(4),
            "region_fit": region.round(4),
            "region_priority": np.where(th >= 0, theme.name_zh, ""),
            "tier_score": tier.round(4),
            "endowment_fit": endow.round(4),
            "endowment": np.where(which >= 0, end.name_zh, "") if end is not None else "",
            "origin": origin.round(4),
            "w_chain": round(wc, 4),
            "w_region": round(wr, 4),
            "w_tier": round(wt, 4),
            "w_endowment": round(we, 4),
            "w_origin": round(wo, 4),
            "c_chain": (wc * chain).round(4),
            "c_region": (wr * region).round(4),
            "c_tier": (wt * tier).round(4),
            "c_endowment": (we * endow).round(4),
            "c_origin": (wo * origin).round(4),
            "score": total.astype(np.float64).round(4),
        }
    )
    out["reason_zh"], out["reason_en"] = _reasons(self, rows, out, lk, fits, evidence, th, theme, which, end, u)
    return out


def _specific(scores, rows: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Whether one of an enterprise's own specific industries (as matched, not spread from a broad label) is an industry of link ``j``.

    A broad industry (``machinery``, ``food``) is never specific evidence, even where a link lists it.
    """
    ind = scores.industries
    broad = {i.parent for i in scores.config.industries if i.parent}
    # The explained rows' matches first (a few hundred of millions): no pass over every match's strings.
    own = ind.iloc[np.flatnonzero(np.isin(ind["row"].to_numpy(), rows))][["row", "industry"]]
    own = own[~own.industry.isin(broad)].drop_duplicates()
    pairs = pd.DataFrame({"k": np.arange(len(rows)), "row": rows, "j": np.maximum(j, 0)})
    pairs["industry"] = scores.links.industries.to_numpy()[pairs.j]
    pairs = pairs.explode("industry")
    hit = pairs.merge(own, on=["row", "industry"], how="inner").k.unique()
    out = np.zeros(len(rows), dtype=bool)
    out[hit] = True
    return out


def _endowment_industry(scores, rows: np.ndarray, end: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """For each explained row, its own industry (highest confidence) that depends on the matched endowment.

    The endowment part reads the enterprise's own industries only, so one always does where the part is positive.
    """
    names = {i.id: (i.name_zh, i.name_en) for i in scores.config.industries}
    ind = scores.industries[scores.industries.row.isin(rows)]
    own = ind.sort_values(["row", "confidence", "industry"], ascending=[True, False, True], kind="stable").groupby("row").industry.agg(list)
    zh, en = [], []
    for r, covered in zip(rows, end.industries):
        mine = [i for i in own.get(int(r), []) if i in covered]
        pick = mine[0] if mine else ""
        zh.append(names.get(pick, ("", ""))[0])
        en.append(names.get(pick, ("", ""))[1].lower())
    return pd.Series(zh, dtype=object), pd.Series(en, dtype=object)


def _reasons(scores, rows, out, lk, fits, evidence, th, theme, which, end, u) -> tuple[pd.Series, pd.Series]:
    """The reason of each explained pair, in Chinese and English; each clause states only what the data shows."""
    cfg = scores.config
    we, wo = scores.weights[3], scores.weights[4]
    status = lk.status.where(fits, "weak")
    verb_zh = status.map(lambda s: STATUS_TEXT[s][0])
    adj_zh = status.map(lambda s: STATUS_TEXT[s][1])
    verb_en = status.map(lambda s: STATUS_TEXT[s][2])
    adj_en = status.map(lambda s: STATUS_TEXT[s][3])
    city_short = out.city.str.replace(r"市$", "", regex=True)
    chain_zh = out.chain.where(out.chain.str.endswith("链"), out.chain + "链")
    specific_zh = verb_zh + city_short + chain_zh + lk.stage.map(STAGE_ZH) + adj_zh + "环节（" + out.link + "）"
    specific_en = verb_en + " the " + adj_en + " " + lk.stage + " link (" + out.link_en + ") of " + out.city_en + "'s " + out.chain_en.str.lower() + " chain"
    broad_zh = "属" + city_short + chain_zh + "相关行业（仅知行业大类：" + out.industries + "，未细分到环节）"
    broad_en = "in the field of " + out.city_en + "'s " + out.chain_en.str.lower() + " chain (known only by a broad industry, no specific link)"
    known = out.industries.where(out.industries != "未知", "行业未知")
    none_zh = "与" + city_short + "各产业链均不匹配（" + known + "）"
    none_en = "fits none of " + out.city_en + "'s chains (" + np.where(out.industries == "未知", "industry unknown", "industries outside them") + ")"
    reason_zh = pd.Series(np.select([evidence == "specific", evidence == "broad"], [specific_zh, broad_zh], none_zh))
    reason_en = pd.Series(np.select([evidence == "specific", evidence == "broad"], [specific_en, broad_en], none_en))
    reason_zh = reason_zh + "；" + out.tiers.where(out.tiers != "", "未上榜")
    reason_en = reason_en + "; " + out.tiers_en.where(out.tiers_en != "", "not on a ranking list")
    if we > 0 and end is not None:
        has = which >= 0
        ind_zh, ind_en = _endowment_industry(scores, rows, end)
        reason_zh = reason_zh.where(~has, reason_zh + "；其" + ind_zh + "业务可依托" + city_short + end.name_zh)
        reason_en = reason_en.where(~has, reason_en + "; its " + ind_en + " business can draw on " + out.city_en + "'s " + end.name_en)
    if wo > 0:
        abroad = out.origin.to_numpy() == 0
        reason_zh = reason_zh.where(~abroad, reason_zh + "；总部在境外")
        reason_en = reason_en.where(~abroad, reason_en + "; headquartered abroad")
    reg = {r.id: r for r in cfg.regions}
    has = th >= 0
    rz = pd.Series(u.source_region.map(lambda r: reg[r].name_zh if r in reg else ""))
    re_ = pd.Series(u.source_region)
    reason_zh = reason_zh.where(~has, reason_zh + "；契合" + rz + "重点产业：" + theme.name_zh)
    reason_en = reason_en.where(~has, reason_en + "; fits " + re_ + " priority: " + theme.name_en.str.lower())
    return reason_zh, reason_en


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
