"""Synthetic Chinese enterprise names, seeded, for training the match model and for benchmarks.

Every name made here is SYNTHETIC: place + core word + industry word + legal
form (浙江恒逸化纤有限公司 style), and noisy variants of them as they arrive
in other lists: dropped suffixes or places, full-width characters, homophone
and random typos, and pinyin/English renderings (Zhejiang Hengyi Chemical
Fibre Group Co., Ltd.). The same seed always gives the same names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import gettext

__all__ = ["synthetic_master", "synthetic_queries", "SYNTHETIC_LABEL"]

#: Label carried by every synthetic frame (column ``source``).
SYNTHETIC_LABEL = "synthetic"

_PLACES = [
    ("浙江", "Zhejiang", "浙江省"),
    ("江苏", "Jiangsu", "江苏省"),
    ("广东", "Guangdong", "广东省"),
    ("山东", "Shandong", "山东省"),
    ("河北", "Hebei", "河北省"),
    ("河南", "Henan", "河南省"),
    ("湖北", "Hubei", "湖北省"),
    ("湖南", "Hunan", "湖南省"),
    ("福建", "Fujian", "福建省"),
    ("四川", "Sichuan", "四川省"),
    ("安徽", "Anhui", "安徽省"),
    ("上海", "Shanghai", "上海市"),
    ("北京", "Beijing", "北京市"),
    ("天津", "Tianjin", "天津市"),
    ("重庆", "Chongqing", "重庆市"),
    ("辽宁", "Liaoning", "辽宁省"),
    ("陕西", "Shaanxi", "陕西省"),
    ("江西", "Jiangxi", "江西省"),
    ("广西", "Guangxi", "广西壮族自治区"),
    ("云南", "Yunnan", "云南省"),
    ("深圳", "Shenzhen", "广东省"),
    ("杭州", "Hangzhou", "浙江省"),
    ("宁波", "Ningbo", "浙江省"),
    ("苏州", "Suzhou", "江苏省"),
    ("青岛", "Qingdao", "山东省"),
    ("厦门", "Xiamen", "福建省"),
    ("广州", "Guangzhou", "广东省"),
    ("南京", "Nanjing", "江苏省"),
    ("武汉", "Wuhan", "湖北省"),
    ("成都", "Chengdu", "四川省"),
]
# Core characters, chosen to include homophones (恒/衡, 力/立/利, 华/化, 鑫/新/信 …) as real names do.
_CORE = list(
    "恒衡力立利华化鑫新信盛胜荣融隆龙泰太达大通同海亮明鸣远源宏鸿伟威金晶锦天田安德得富福永勇兴星"
    "嘉佳中忠正政东冬南楠万旺凯开瑞睿宇雨博柏建健顺舜祥翔昌长光广万腾滕创川辰晨希熙逸毅益恩"
    "振震君骏豪浩航杭科可奥澳美梅宝保尚上诚成志智辉惠俊峻云芸飞菲汇慧丰峰红虹和合环欢国果"
)
_INDUSTRY = [
    ("钢铁", "Steel"),
    ("化纤", "Chemical Fibre"),
    ("石化", "Petrochemical"),
    ("电器", "Electrical Appliances"),
    ("汽车", "Automobile"),
    ("医药", "Pharmaceutical"),
    ("科技", "Technology"),
    ("实业", "Industrial"),
    ("投资", "Investment"),
    ("能源", "Energy"),
    ("新材料", "New Materials"),
    ("电子", "Electronics"),
    ("机械", "Machinery"),
    ("食品", "Food"),
    ("建设", "Construction"),
    ("物流", "Logistics"),
    ("纺织", "Textile"),
    ("铝业", "Aluminium"),
    ("铜业", "Copper"),
    ("置业", "Real Estate"),
    ("", ""),
]
_LEGAL_ZH = ["有限公司", "股份有限公司", "集团有限公司", "集团股份有限公司", "有限责任公司", "控股集团有限公司", "集团"]
_LEGAL_EN = ["Co., Ltd.", "Group Co., Ltd.", "Group", "Holding Group", "Company Limited", "Corp."]


def _pinyin_cap(values: pd.Series) -> pd.Series:
    from .normalize import to_pinyin

    return to_pinyin(values).str.capitalize()


def synthetic_master(n: int, *, random_state: int = 0) -> pd.DataFrame:
    """``n`` distinct SYNTHETIC enterprises.

    Returns
    -------
    DataFrame
        ``enterprise_id`` (S + 7 digits), ``name``, ``place``, ``core``,
        ``industry``, ``province``, ``source`` (always ``"synthetic"``).
    """
    rng = np.random.default_rng(random_state)
    nc, ni, npl = len(_CORE), len(_INDUSTRY), len(_PLACES)
    want = int(n * 1.3) + 100
    # Draw (place, core1, core2, [core3], industry) codes, keep the first n distinct ones.
    place = rng.integers(0, npl, want)
    c1, c2, c3 = rng.integers(0, nc, want), rng.integers(0, nc, want), rng.integers(-3 * nc, nc, want)
    ind = rng.integers(0, ni, want)
    code = (((place * nc + c1) * nc + c2) * (nc + 1) + np.maximum(c3, -1) + 1) * ni + ind
    _, first = np.unique(code, return_index=True)
    keep = np.sort(first)[:n]
    if len(keep) < n:
        raise ValueError(gettext("synthetic_master: could not draw {n} distinct names").format(n=n))
    core_arr = np.array(_CORE)
    core = pd.Series(core_arr[c1[keep]]).str.cat(core_arr[c2[keep]])
    third = c3[keep] >= 0
    core[third] = core[third].str.cat(core_arr[c3[keep][third]])
    pl = np.array([p[0] for p in _PLACES])[place[keep]]
    prov = np.array([p[2] for p in _PLACES])[place[keep]]
    ind_zh = np.array([i[0] for i in _INDUSTRY])[ind[keep]]
    legal = np.array(_LEGAL_ZH)[rng.integers(0, len(_LEGAL_ZH), n)]
    # Three in ten registered names carry no place (利华益集团); one in ten is known by its English name.
    named_place = rng.random(n) >= 0.3
    pl = np.where(named_place, pl, "")
    name = pd.Series(pl).str.cat([core, pd.Series(ind_zh), pd.Series(legal)])
    english = rng.random(n) < 0.1
    if english.any():
        place_en = np.where(named_place, np.array([p[1] for p in _PLACES])[place[keep]], "")
        ind_en = np.array([i[1] for i in _INDUSTRY])[ind[keep]]
        legal_en = np.array(_LEGAL_EN)[rng.integers(0, len(_LEGAL_EN), n)]
        en = (pd.Series(place_en) + " " + _pinyin_cap(core) + " " + pd.Series(ind_en) + " " + pd.Series(legal_en)).str.split().str.join(" ")
        name = name.where(~english, en)
    return pd.DataFrame(
        {
            "enterprise_id": [f"S{i:07d}" for i in range(n)],
            "name": name,
            "named_place": named_place,
            "place": place[keep],
            "core": core,
            "industry": ind[keep],
            "province": prov,
            "source": SYNTHETIC_LABEL,
        }
    )


def _homophones() -> dict[str, list[str]]:
    from .normalize import to_pinyin

    py = to_pinyin(pd.Series(_CORE))
    groups: dict[str, list[str]] = {}
    for ch, p in zip(_CORE, py):
        groups.setdefault(p, []).append(ch)
    return {ch: [o for o in groups[p] if o != ch] for ch, p in zip(_CORE, py)}


def synthetic_queries(master: pd.DataFrame, n: int, *, new_share: float = 0.2, random_state: int = 1) -> pd.DataFrame:
    """``n`` SYNTHETIC noisy names: variants of master names, and a share of new enterprises.

    Returns
    -------
    DataFrame
        ``name``, ``province`` (empty for a third), ``true_id`` (the master
        enterprise, ``""`` for a new one), ``noise`` (what was done),
        ``source`` (``"synthetic"``).
    """
    rng = np.random.default_rng(random_state)
    n_new = int(round(n * new_share))
    n_old = n - n_new
    pick = rng.choice(len(master), size=n_old, replace=len(master) < n_old)
    base = master.iloc[pick].reset_index(drop=True)
    if n_new:
        fresh = synthetic_master(len(master) + n_new, random_state=random_state + 7919)
        # A fresh draw may repeat a master name: those are not new.
        fresh = fresh[~fresh.name.isin(set(master.name))].tail(n_new)
        fresh = fresh.assign(enterprise_id="")
        base = pd.concat([base, fresh.reset_index(drop=True)], ignore_index=True)
    m = len(base)
    named = base.named_place.to_numpy(dtype=bool)
    # English renderings drop the place a third of the time ("Hengyi Group").
    en_place = named & (rng.random(m) >= 1 / 3)
    place_zh = np.where(named, np.array([p[0] for p in _PLACES])[base.place], "")
    place_en = np.where(en_place, np.array([p[1] for p in _PLACES])[base.place], "")
    ind_zh = np.array([i[0] for i in _INDUSTRY])[base.industry]
    ind_en = np.array([i[1] for i in _INDUSTRY])[base.industry]
    core = base.core.copy()
    op = rng.choice(
        ["suffix", "place", "industry", "fullwidth", "homophone", "typo", "english", "legal"],
        size=m,
        p=[0.2, 0.15, 0.1, 0.1, 0.15, 0.05, 0.15, 0.1],
    )
    # Character edits of the core.
    homo = _homophones()
    pos = rng.integers(0, 2, m)
    edit = np.flatnonzero((op == "homophone") | (op == "typo"))
    for i in edit:  # a few tens of thousands of single-character edits
        cs = list(core.iat[i])
        c = cs[pos[i]]
        if op[i] == "homophone" and homo.get(c):
            cs[pos[i]] = homo[c][rng.integers(0, len(homo[c]))]
        else:
            cs[pos[i]] = _CORE[rng.integers(0, len(_CORE))]
        core.iat[i] = "".join(cs)
    legal = np.array(_LEGAL_ZH)[rng.integers(0, len(_LEGAL_ZH), m)]
    s = pd.Series(place_zh)
    name = s.str.cat([core, pd.Series(ind_zh), pd.Series(legal)])
    name = name.where(op != "suffix", s.str.cat([core, pd.Series(ind_zh)]))
    name = name.where(op != "place", core.str.cat([pd.Series(ind_zh), pd.Series(legal)]))
    name = name.where(op != "industry", s.str.cat([core, pd.Series(legal)]))
    name = name.where(op != "fullwidth", s.str.cat([core, pd.Series(ind_zh)]) + "（集团）" + pd.Series(legal))
    en = (
        pd.Series(place_en)
        + " "
        + _pinyin_cap(core)
        + " "
        + pd.Series(ind_en)
        + " "
        + pd.Series(np.array(_LEGAL_EN)[rng.integers(0, len(_LEGAL_EN), m)])
    )
    en = en.str.split().str.join(" ")
    # A fifth of the English variants arrive in full-width letters.
    wide = rng.random(m) < 0.2
    en = en.where(~wide, en.map(lambda t: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in t)))
    name = name.where(op != "english", en)
    prov = base.province.where(rng.random(m) > 1 / 3, "")
    return pd.DataFrame({"name": name, "province": prov, "true_id": base.enterprise_id, "noise": op, "source": SYNTHETIC_LABEL})
