"""Facts that veto an automatic merge across languages: a different country or headquarters province.

The match model compares names. "Huike Group" (a Beijing ed-tech unicorn) and 惠科 (a Shenzhen panel
maker) read the same in pinyin, and the US unicorn "Gem" reads like 格林美. Across languages a name
says little, so where the two records state different countries, or different provinces, the pair is
not merged on import; `matcher resolve` lists it for review instead.
"""

from __future__ import annotations

import pandas as pd

from .._text import HAS_CJK, is_china_country, place_key
from ..store.rows import select_in
from ..store.schema import entries_t, profiles_t
from .normalize import place_province
from .resolver import province_name

__all__ = ["facts", "conflict"]

def facts(conn, ids) -> pd.DataFrame:
    """Per enterprise: ``country`` (``china``, another folded country, or ``""``) and ``province`` (full name or ``""``)."""
    ids = [str(i) for i in ids]
    cols = ("enterprise_id", "name", "country", "province", "city")
    frames = [select_in(conn, t, "enterprise_id", ids, columns=cols) for t in (entries_t, profiles_t)]
    rows = pd.concat(frames, ignore_index=True).fillna("").astype(str)
    if rows.empty:
        return pd.DataFrame(columns=["country", "province"])
    stated = rows["country"].map(is_china_country)  # True, False, or None when empty
    # A record with a Chinese name and no country is Chinese.
    chinese = (stated == True) | (stated.isna() & rows["name"].str.contains(HAS_CJK, regex=True))  # noqa: E712 - an object column
    rows["country"] = rows["country"].map(place_key).where(~chinese, "china")
    prov = rows["province"].map(province_name)
    from_city = rows["city"].map(lambda c: place_province(c) or place_province(c.lower()))
    rows["province"] = prov.where(prov != "", from_city)
    # The first stated value of each enterprise.
    return rows[["enterprise_id", "country", "province"]].replace("", pd.NA).groupby("enterprise_id").first().fillna("")


def conflict(table: pd.DataFrame, a: str, b: str) -> str:
    """Why ``a`` and ``b`` must not be merged automatically (``""``: no conflict stated)."""
    if a not in table.index or b not in table.index:
        return ""
    fa, fb = table.loc[a], table.loc[b]
    if fa.country and fb.country and fa.country != fb.country:
        return f"countries differ ({fa.country} / {fb.country})"
    if fa.province and fb.province and fa.province != fb.province:
        return f"headquarters provinces differ ({fa.province} / {fb.province})"
    return ""
