"""Geography: where an enterprise is headquartered, and which key region that is.

The gazetteer (``data/gazetteer.csv``) lists China's provinces, prefecture-level
cities and well-known county-level cities with Chinese, pinyin and English
names. :class:`Gazetteer` resolves free text such as ``"Shenzhen, China"``,
``"广东省深圳市"`` or ``"Suzhou City"`` to a (province, prefecture city) pair;
:func:`locate` does it for a whole frame and assigns each enterprise its key
source regions from the configuration, with a certainty flag.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from .._text import is_china_country, place_key
from ..config.model import Config

__all__ = ["Gazetteer", "Place", "locate", "REGION_CERTAINTY"]

log = logging.getLogger(__name__)

#: How an enterprise's region was established, most certain first.
REGION_CERTAINTY = ("city", "province", "uncertain", "none")

#: Country names (as :func:`_key` folds them) of mainland China, Hong Kong, Macao and Taiwan.
_CJK = re.compile(r"[\u3400-\u9fff]")
_SPLIT = re.compile(r"[,，;；/|]+")


def _latin_key(text: str) -> str:
    t = place_key(text)
    for suffix in ("city", "shi", "province", "sar", "municipality"):
        if t.endswith(suffix) and len(t) > len(suffix) + 1:
            t = t[: -len(suffix)]
    return t


@dataclass(frozen=True)
class Place:
    province: str = ""
    city: str = ""
    level: str = "none"  # city | province | none
    ambiguous: bool = False


class Gazetteer:
    """Name index over the gazetteer file.

    Parameters
    ----------
    path : Path
        A CSV with columns ``code, level, name_zh, short_zh, pinyin, name_en,
        aliases_en, province_zh, parent_zh``.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        df = pd.read_csv(self.path, dtype=str, keep_default_na=False)
        self.frame = df
        self._prefecture: dict[str, tuple[str, str]] = {}
        index: dict[str, list[tuple[int, str, str, str]]] = {}
        order = {"county": 0, "city": 1, "province": 2}
        for row in df.itertuples(index=False):
            if row.level == "province":
                place = (row.name_zh, "")
            elif row.level == "city":
                place = (row.province_zh, row.name_zh)
            else:
                place = (row.province_zh, row.parent_zh)
            code = row.code or "999999"
            keys = {place_key(row.name_zh), place_key(row.short_zh), _latin_key(row.pinyin), _latin_key(row.name_en)}
            keys |= {_latin_key(a) for a in str(row.aliases_en).split(";") if a.strip()}
            for k in keys - {""}:
                index.setdefault(k, []).append((order.get(row.level, 3), code, *place))
        # Cities before provinces of the same name (北京市 the city, not the province row),
        # then the lower division code when a spelling names two places (Suzhou: 苏州 before 宿州).
        self._index = {k: sorted(set(v), key=lambda t: (t[0] == 2, t[1])) for k, v in index.items()}
        self._zh_names = sorted(
            {(r.name_zh, r.level) for r in df.itertuples(index=False)}
            | {(r.short_zh, r.level) for r in df.itertuples(index=False) if len(r.short_zh) >= 2},
            key=lambda t: -len(t[0]),
        )

    @cached_property
    def provinces(self) -> frozenset[str]:
        return frozenset(self.frame.loc[self.frame.level == "province", "name_zh"])

    @cached_property
    def city_province(self) -> dict[str, str]:
        """Prefecture city (full name) → its province (full name)."""
        cities = self.frame[self.frame.level == "city"]
        return dict(zip(cities.name_zh, cities.province_zh))

    def _lookup(self, key: str) -> Place | None:
        cands = self._index.get(key)
        if not cands:
            return None
        _, _, prov, city = cands[0]
        distinct = {(c[2], c[3]) for c in cands if c[0] < 2 or not city}
        return Place(prov, city, "city" if city else "province", ambiguous=len(distinct) > 1 and bool(city))

    def resolve(self, text: str, *, province_hint: str = "") -> Place:
        """Resolve one location text to a :class:`Place` (``level="none"`` if unknown)."""
        text = unicodedata.normalize("NFKC", str(text or "")).strip()
        if not text:
            return Place()
        best: Place | None = None
        for part in [p for p in _SPLIT.split(text) if p.strip()]:
            for k in (place_key(part), _latin_key(part)):
                pl = self._lookup(k)
                if pl is not None:
                    if pl.ambiguous and province_hint:
                        pl = self._disambiguate(k, province_hint) or pl
                    if best is None or (pl.level == "city" and best.level != "city"):
                        best = pl
                    break
            if best is not None and best.level == "city":
                return best
        if _CJK.search(text):
            found = self._scan_cjk(text)
            if found is not None and (best is None or found.level == "city"):
                best = found
        return best or Place()

    def _disambiguate(self, key: str, province_hint: str) -> Place | None:
        hint = self.resolve(province_hint).province
        for _, _, prov, city in self._index.get(key, []):
            if prov == hint:
                return Place(prov, city, "city" if city else "province")
        return None

    def _scan_cjk(self, text: str) -> Place | None:
        """Most specific gazetteer name contained in a Chinese address."""
        found = None
        for name, _level in self._zh_names:
            if name and name in text:
                pl = self._lookup(place_key(name))
                if pl is None:
                    continue
                if pl.level == "city":
                    return pl
                found = found or pl
        return found


def locate(frame: pd.DataFrame, config: Config, gazetteer: Gazetteer) -> pd.DataFrame:
    """Headquarters and key source regions of each enterprise.

    Parameters
    ----------
    frame : DataFrame
        With text columns ``hq``, ``city``, ``province`` and ``country`` (any
        may be empty).

    Returns
    -------
    DataFrame
        Same index; columns ``hq_province``, ``hq_city``, ``is_china``,
        ``is_abroad`` (both False where the country is unknown)
        (bool), ``source_region`` (first key region, ``""`` if none),
        ``regions`` (``;``-joined ids of every key region) and
        ``region_certainty`` (one of :data:`REGION_CERTAINTY`).
    """
    cols = ["hq", "city", "province", "country"]
    keys = frame.reindex(columns=cols).astype(object).fillna("").astype(str)
    distinct = keys.drop_duplicates()
    rows = []
    for hq, city, prov, country in distinct.itertuples(index=False):
        china = is_china_country(country)
        place = Place()
        if china is not False:
            for text in (city, hq, prov):
                pl = gazetteer.resolve(text, province_hint=prov)
                if pl.level == "city":
                    place = pl
                    break
                if pl.level == "province" and place.level == "none":
                    place = pl
            if china is None and place.level != "none":
                china = True
        rows.append((hq, city, prov, country, place.province, place.city, bool(china), china is False, *_regions(place, config, gazetteer.city_province)))
    table = pd.DataFrame(rows, columns=cols + ["hq_province", "hq_city", "is_china", "is_abroad", "source_region", "regions", "region_certainty"])
    out = keys.merge(table, on=cols, how="left")
    out.index = frame.index
    return out.drop(columns=cols)


def _regions(place: Place, config: Config, city_province: dict[str, str]) -> tuple[str, str, str]:
    if place.level == "none":
        return "", "", "none"
    ids, certainty = [], "none"
    for reg in config.regions:
        if place.city and place.city in reg.member_cities:
            ids.append(reg.id)
            certainty = "city"
        elif place.province in reg.member_provinces:
            ids.append(reg.id)
            certainty = "city" if place.city else "province"
        elif not place.city and any(city_province.get(c) == place.province for c in reg.member_cities):
            # Province known, city not, and only part of the province is in the region.
            ids.append(reg.id)
            certainty = "uncertain"
    return (ids[0] if ids else ""), ";".join(ids), (certainty if ids else "none")
