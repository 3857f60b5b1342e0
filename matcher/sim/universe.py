"""Synthetic universes and team sets (seeded, labelled synthetic): enterprises with names, industries, tiers and headquarters drawn to look like the real lists."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..config.model import Config
from ..featurise.transformers import rank_column
from ..i18n import gettext

__all__ = ["SYNTHETIC_MARK", "add_teams", "expand_teams", "synthetic_universe"]


SYNTHETIC_MARK = "（模拟）"


_CORE = np.array(list("华瑞鑫盛鼎恒泰嘉宏润达丰源通联创新远博宇信安明凯越腾飞龙祥和兴金银星光天海云峰"))


_INDUSTRY_WORD = {
    "automotive": "汽车",
    "metals": "金属",
    "chemicals": "化工",
    "electronics": "电子",
    "digital": "科技",
    "pharma_health": "医药",
    "finance": "金融",
    "logistics_trade": "物流",
    "food": "食品",
    "light_textile": "纺织",
    "building_materials": "建材",
    "energy": "能源",
    "agriculture": "农业",
    "culture_tourism": "文旅",
    "environment": "环保",
    "furniture_home": "家居",
    "machinery": "机械",
    "real_estate_construction": "建设",
    "mining": "矿业",
}


_LEGAL = np.array(["集团有限公司", "股份有限公司", "有限公司", "控股集团有限公司"])


_OWNERSHIP = np.array(["private", "local_soe", "central_soe", "foreign"])


_FILLER = np.array(
    "研发 生产 销售 技术服务 技术开发 进出口 批发 零售 咨询 设计 安装 维修 租赁 运营管理 检测 仓储 加工 制造 贸易 投资".split()
)


def _business_text(rng: np.random.Generator, inds, pick: np.ndarray, second: np.ndarray, has_second: np.ndarray) -> np.ndarray:
    """Business descriptions (经营范围) from the industries' keywords and common filler, nearly all distinct."""
    kws = [list(i.keywords_zh) or [i.name_zh] for i in inds]
    flat = np.array([k for ks in kws for k in ks], dtype=object)
    count = np.array([len(ks) for ks in kws])
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    n = len(pick)

    def kw(ind):
        return flat[start[ind] + rng.integers(0, 2**31, size=n) % count[ind]]

    f = [_FILLER[rng.integers(0, len(_FILLER), size=n)] for _ in range(3)]
    text = kw(pick) + f[0] + "、" + kw(pick) + "、" + f[1] + "、" + kw(pick) + f[2]
    return np.where(has_second, text + "；" + kw(second) + f[0], text)


def synthetic_universe(n: int, config: Config, *, seed: int = 0, gazetteer=None, business_text: bool = False) -> pd.DataFrame:
    """A synthetic population of ``n`` enterprises, shaped like the universe.

    Parameters
    ----------
    n : int
    config : Config
        Industries, regions and tiers are drawn from it.
    seed : int
    gazetteer : Gazetteer, optional
        Default the configuration's.
    business_text : bool
        Industry text as a business description made of the industries'
        keywords (nearly every enterprise's text distinct, as in real
        profiles) instead of a taxonomy label (few distinct texts).

    Returns
    -------
    DataFrame
        The columns of :func:`matcher.featurise.universe.build_universe`, plus
        ``size`` (log revenue, a latent size) and ``synthetic`` (True).
    """
    if n < 1:
        raise ValueError(gettext("The 'n' parameter must be an int >= 1. Got {value!r} instead.").format(value=n))
    from ..featurise.universe import load_gazetteer

    rng = np.random.default_rng(seed)
    gaz = gazetteer if gazetteer is not None else load_gazetteer(config)
    # Industries: those the chains and priorities use, more often than the rest.
    used = {i for c in config.chains for lk in c.links for i in lk.industries}
    used |= {i for r in config.regions for p in r.priorities for i in p.industries}
    inds = config.industries
    weight = np.array([3.0 if i.id in used else 1.0 for i in inds])
    pick = rng.choice(len(inds), size=n, p=weight / weight.sum())
    second = rng.choice(len(inds), size=n, p=weight / weight.sum())
    has_second = rng.random(n) < 0.25
    label = np.array([i.name_zh for i in inds], dtype=object)
    text = label[pick]
    text = np.where(has_second, text + "；" + label[second], text)
    root = np.array([i.parent or i.id for i in inds], dtype=object)
    word = np.array([_INDUSTRY_WORD.get(r, "实业") for r in root[pick]], dtype=object)
    # Headquarters: 85% in a key region, the rest elsewhere in China.
    cities = gaz.frame[gaz.frame.level == "city"][["name_zh", "province_zh", "short_zh"]].reset_index(drop=True)
    member = np.zeros(len(cities), dtype=bool)
    for reg in config.regions:
        member |= cities.name_zh.isin(reg.member_cities).to_numpy() | cities.province_zh.isin(reg.member_provinces).to_numpy()
    cw = np.where(member, 0.85 / max(member.sum(), 1), 0.15 / max((~member).sum(), 1))
    c = rng.choice(len(cities), size=n, p=cw / cw.sum())
    short = cities.short_zh.to_numpy(dtype=object)[c]
    core = _CORE[rng.integers(0, len(_CORE), size=n)] + _CORE[rng.integers(0, len(_CORE), size=n)]
    serial = pd.Series(np.arange(n)).astype(str).to_numpy(dtype=object)
    name = short + core + word + serial + _LEGAL[rng.integers(0, len(_LEGAL), size=n)] + SYNTHETIC_MARK
    size = rng.normal(0.0, 1.0, size=n)
    u = pd.DataFrame(
        {
            "enterprise_id": pd.Series(np.arange(n)).map("SYN{:09d}".format).to_numpy(),
            "name": name,
            "name_zh": name,
            "name_en": "",
            "aliases": "",
            "ownership": _OWNERSHIP[rng.choice(4, size=n, p=[0.7, 0.15, 0.1, 0.05])],
            "country": "China",
            "province": cities.province_zh.to_numpy(dtype=object)[c],
            "city": cities.name_zh.to_numpy(dtype=object)[c],
            "hq": "",
            "industry_text": text,
            "on_profile": True,
            "hq_province": cities.province_zh.to_numpy(dtype=object)[c],
            "hq_city": cities.name_zh.to_numpy(dtype=object)[c],
            "is_china": True,
            "is_abroad": False,
        }
    )
    regions = np.full(n, "", dtype=object)
    first = np.full(n, "", dtype=object)
    for reg in reversed(config.regions):
        m = u.hq_city.isin(reg.member_cities).to_numpy() | u.hq_province.isin(reg.member_provinces).to_numpy()
        regions = np.where(m, np.where(regions == "", reg.id, reg.id + ";" + regions), regions)
        first = np.where(m, reg.id, first)
    u["source_region"] = first
    u["regions"] = regions
    u["region_certainty"] = np.where(first != "", "city", "none")
    # List memberships: the biggest enterprises by latent size get the ranked lists.
    order = np.argsort(-size, kind="stable")
    for t in config.tiers:
        rk = np.full(n, np.nan)
        on = np.zeros(n, dtype=bool)
        if t.ranked:
            k = min(t.size, max(1, n // 20))
            # A noisy size ordering: lists overlap without being identical.
            noisy = np.argsort(-(size + rng.normal(0, 0.3, size=n)), kind="stable")[:k]
            rk[noisy] = np.arange(1, k + 1)
            on[noisy] = True
        else:
            k = min(t.size, max(1, n // 50))
            chosen = rng.choice(order[n // 10 :] if n >= 10 else order, size=min(k, max(n - n // 10, 1)), replace=False)
            on[chosen] = True
        u[rank_column(t.id)] = rk
        u[f"on__{t.id}"] = on
        u[f"year__{t.id}"] = np.where(on, config.year - 1, 0)
    u["size"] = size
    u["synthetic"] = True
    if business_text:
        # Its own random stream: the rest of the universe is the same as without it.
        u["industry_text"] = _business_text(np.random.default_rng([seed, 1]), inds, pick, second, has_second)
    return u


def expand_teams(config: Config, n_teams: int) -> Config:
    """A copy of ``config`` with extra teams (second, third … team per city and region) up to ``n_teams``.

    Extra teams are labelled synthetic in their id (``…-syn2``).
    """
    teams = list(config.teams)
    base = sorted(config.teams, key=lambda t: t.id)
    k = 2
    while len(teams) < n_teams:
        for t in base:
            if len(teams) >= n_teams:
                break
            teams.append(replace(t, id=f"{t.id}-syn{k}"))
        k += 1
    return replace(config, teams=tuple(teams[: max(n_teams, len(config.teams))]))


def add_teams(config: Config, region: str, n: int) -> Config:
    """A copy of ``config`` with ``n`` more teams stationed in ``region`` — a what-if ("two more teams in YREB").

    The new teams copy the region's existing teams in id order (home city, base,
    focus chains, capacity), with ids ending ``-whatifK``.
    """
    if n < 0:
        raise ValueError(gettext("The 'n' parameter of add_teams must be an int >= 0. Got {value!r} instead.").format(value=n))
    base = sorted((t for t in config.teams if t.region == region), key=lambda t: t.id)
    if not base and n:
        raise ValueError(gettext("The 'region' parameter of add_teams must be a region with teams. Got {value!r} instead.").format(value=region))
    extra = [replace(base[i % len(base)], id=f"{base[i % len(base)].id}-whatif{i + 1}") for i in range(n)]
    return replace(config, teams=(*config.teams, *extra))
