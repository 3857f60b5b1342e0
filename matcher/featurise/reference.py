"""The bundled enterprise reference: what makes bare ranking lists usable.

Published lists give a name, a rank and little else: the private 500 has no
industry, the 2024 Fortune list no headquarters, and Fortune names are
English while the Chinese lists are Chinese. ``data/enterprise_reference.csv``
(provenance per row and in its SOURCES file) holds, for the Chinese
enterprises of the real lists, both names, aliases, headquarters, ownership,
parent group and business lines.

:func:`apply_reference` matches every enterprise to at most one reference
row through any of its known names (normalised, see :mod:`matcher._text`)
and fills only what the enterprise's own records leave empty: an imported
profile or list always takes precedence. An enterprise whose records name a
country other than China (the reference holds Chinese and Taiwanese firms)
matches no row, so the American "Cedar" never takes 雪松控股's facts; and the
headquarters is filled as a pair, never a reference province beside the list's
own city. Business lines are added to the
industry text only when no profile gave one, and always beside the list's own
industry label, so a multi-business group carries each of its lines.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .._text import is_china_country, normalize_names
from ..config.load import data_file
from ..store.rows import isin_keys

__all__ = ["load_reference", "apply_reference", "REFERENCE_COLUMNS"]

REFERENCE_COLUMNS = ["name_zh", "name_en", "aliases", "country", "hq_province", "hq_city", "ownership", "parent_zh", "business_zh", "source"]


@lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8").reindex(columns=REFERENCE_COLUMNS, fill_value="")
    # Folded as the table reader folds list cells (full-width brackets and letters), so a name reads the same from either.
    for col in ("name_zh", "name_en", "aliases", "hq_province", "hq_city", "parent_zh"):
        frame[col] = frame[col].str.normalize("NFKC").str.strip()
    return frame


def load_reference(path: str | Path | None = None) -> pd.DataFrame:
    """The enterprise reference table (the bundled one by default), cached while the file is unchanged."""
    p = Path(path) if path is not None else data_file("enterprise_reference.csv")
    return _read(str(p), p.stat().st_mtime)


def _reference_keys(ref: pd.DataFrame) -> pd.DataFrame:
    """Normalised key → reference row, for every name and alias; keys naming two rows are dropped."""
    names = pd.concat(
        [
            ref["name_zh"],
            ref["name_en"],
            ref["aliases"].str.split(r"[;；]").explode(),
        ]
    )
    names = names[names.fillna("").str.strip() != ""]
    keys = pd.DataFrame({"key": normalize_names(names).to_numpy(), "ref": names.index.to_numpy()})
    keys = keys[keys.key.str.len() >= 2].drop_duplicates()
    ambiguous = keys.groupby("key").ref.transform("nunique") > 1
    return keys[~ambiguous]


def _keys(names: pd.DataFrame) -> np.ndarray:
    """The normalised key of each name: its stored ``norm_name`` where the row has one, else normalised here.

    A name the store's names table holds (as ``name``) takes that row's key, so a million
    enterprises' own names are not normalised again.
    """
    names = names.reset_index(drop=True)
    if "norm_name" not in names.columns:
        return normalize_names(names["name"].astype(str)).to_numpy(dtype=object)
    stored = names["norm_name"]
    key = stored.where(stored.notna() & (stored.astype(str) != "")).astype(object)
    known = names.loc[key.notna(), ["name", "norm_name"]].drop_duplicates("name").set_index("name").norm_name
    key = key.fillna(names["name"].map(known).astype(object))
    todo = key.isna()
    if todo.any():
        key[todo] = normalize_names(names.loc[todo, "name"].astype(str))
    return key.astype(str).to_numpy(dtype=object)


def _could_match(names: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """The rows of ``names`` (with ``norm_name``) whose key may be one of ``keys``, and the rows their keys come from.

    A row with a stored key is kept when that key is a reference key. A row without one takes the
    key of the first row that stores one for the same name (:func:`_keys`), or is normalised: it is
    kept when its name is such a row's name or no row stores a key for it, and so are the rows that
    store a key for a kept name. Hash look-ups over the whole table; :func:`_keys` then reads
    the few rows kept, in their order, so it finds the same first rows and the same keys.
    """
    norm = names["norm_name"]
    has = (norm.notna() & (norm.astype(str) != "")).to_numpy(dtype=bool)
    name = names["name"]
    hit = has & norm.isin(keys).to_numpy(dtype=bool)
    bare = name[~has]
    if not len(bare):
        return names[hit]
    hit_names = pd.unique(name[hit].to_numpy(dtype=object))
    wanted = bare[bare.isin(hit_names).to_numpy(dtype=bool) | ~isin_keys(bare, name[has])]
    wanted = pd.unique(wanted.to_numpy(dtype=object))
    keep = hit | name.isin(wanted).to_numpy(dtype=bool)
    return names[keep]


def match_reference(names: pd.DataFrame, ref: pd.DataFrame) -> pd.Series:
    """Reference row of each enterprise (``-1`` where none), from a long ``enterprise_id, name`` table.

    A ``norm_name`` column, where given (the store's names table), is taken as the names' keys.

    An enterprise whose names point to several reference rows takes the row
    most of its names point to (ties: the first row), so matching is
    deterministic.
    """
    keys = _reference_keys(ref)
    if "norm_name" in names.columns:  # keyed only where a key can be a reference key (a few hundred of a million)
        names = _could_match(names.reset_index(drop=True), keys["key"])
    n = names[["enterprise_id", "name"]].copy()
    n["key"] = _keys(names)
    hits = n.merge(keys, on="key", how="inner")[["enterprise_id", "ref"]]
    if hits.empty:
        return pd.Series(dtype=np.int64)
    votes = hits.groupby(["enterprise_id", "ref"]).size().rename("votes").reset_index()
    votes = votes.sort_values(["enterprise_id", "votes", "ref"], ascending=[True, False, True], kind="stable")
    best = votes.drop_duplicates("enterprise_id")
    # A reference row claimed by several enterprises (they were not merged) goes to each of them.
    return pd.Series(best.ref.to_numpy(dtype=np.int64), index=best.enterprise_id.to_numpy())


def _province_stem(name: str) -> str:
    """A province's name without its suffix: 浙江省, 浙江 → 浙江; 广西壮族自治区 → 广西."""
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _texts(frame: pd.DataFrame, col: str, rows: np.ndarray | None = None) -> np.ndarray:
    """``frame[col]`` (its ``rows`` only, if given) as a new array of Python strings (missing as ``""``); all ``""`` where the column is absent."""
    n = len(frame) if rows is None else len(rows)
    if col not in frame.columns:
        return np.full(n, "", dtype=object)
    values = frame[col] if rows is None else frame[col].iloc[rows]
    return values.fillna("").astype(str).to_numpy(dtype=object).copy()


def _blank(values: np.ndarray) -> np.ndarray:
    """Whether each string is empty or white space."""
    return np.fromiter((not v.strip() for v in values.tolist()), dtype=bool, count=len(values))


def _put(frame: pd.DataFrame, col: str, rows: np.ndarray, values: np.ndarray) -> None:
    """Set ``frame[col]`` to itself with missing values as ``""`` (all ``""`` where absent) and ``values`` at positions ``rows``."""
    whole = frame[col].fillna("").astype(str) if col in frame.columns else pd.Series(np.full(len(frame), "", dtype=object), index=frame.index).astype(str)
    if len(rows):
        whole = whole.copy()
        whole.iloc[rows] = np.asarray(values, dtype=object)
    frame[col] = whole


def apply_reference(ents: pd.DataFrame, names: pd.DataFrame, ref: pd.DataFrame | None = None) -> pd.DataFrame:
    """Fill each enterprise's empty fields from its reference row.

    Parameters
    ----------
    ents : DataFrame
        One row per enterprise (:meth:`matcher.store.core.Store.enterprise_frame`).
    names : DataFrame
        Every known spelling, ``enterprise_id, name`` (the store's ``names`` table).
    ref : DataFrame, optional
        The reference (:func:`load_reference` by default).

    Returns
    -------
    DataFrame
        ``ents`` with empty ``name_zh, name_en, country, province, city,
        ownership`` filled, reference business lines added to
        ``industry_text`` where no profile gave one, and new columns
        ``parent_zh`` and ``reference_source`` (``""`` where no row matched).
    """
    ref = load_reference() if ref is None else ref
    out = ents.copy()
    stored = names[["enterprise_id", "name", *(["norm_name"] if "norm_name" in names.columns else [])]]
    long = pd.concat([stored, ents[["enterprise_id", "name"]], ents[["enterprise_id", "name_en"]].rename(columns={"name_en": "name"})], ignore_index=True)
    long = long[(long["name"].fillna("").astype(str).str.strip() != "").to_numpy(dtype=bool)]
    if "country" in ents.columns:
        country = ents["country"].fillna("").astype(str)
        foreign = [c for c in country.unique() if is_china_country(c) is False]
        long = long[~isin_keys(long["enterprise_id"], ents["enterprise_id"][country.isin(foreign).to_numpy(dtype=bool)])]
    match = match_reference(long, ref)
    row = out["enterprise_id"].map(match).fillna(-1).astype(np.int64).to_numpy()
    # Only the matched rows (a few hundred of a million) are read, compared and filled; a
    # column is written whole once (its missing values as ""), without a Python string per row.
    at = np.flatnonzero(row >= 0)
    r = ref.iloc[row[at]].reset_index(drop=True)
    for col, src in (("name_zh", "name_zh"), ("name_en", "name_en"), ("country", "country"), ("ownership", "ownership")):
        new = _texts(r, src)
        take = _blank(_texts(out, col, at)) & ~_blank(new)
        _put(out, col, at[take], new[take])
    # Headquarters as a pair: the reference's where the records say nothing of it, its city where
    # they give the same province only; a city or address of the records stands as it is.
    blank = {c: _blank(_texts(out, c, at)) for c in ("province", "city", "hq")}
    own_prov, ref_prov = _texts(out, "province", at), _texts(r, "hq_province")
    same_prov = np.array(
        [bool(a) and bool(b) and (a.startswith(b) or b.startswith(a)) for a, b in zip(map(_province_stem, map(str.strip, own_prov)), map(_province_stem, map(str.strip, ref_prov)))],
        dtype=bool,
    )
    where = blank["city"] & blank["hq"]
    for col, src, ok in (("province", "hq_province", where & blank["province"]), ("city", "hq_city", where & (blank["province"] | same_prov))):
        new = _texts(r, src)
        take = ok & ~_blank(new)
        _put(out, col, at[take], new[take])
    if "aliases" in out.columns:
        mine, extra = _texts(out, "aliases", at), _texts(r, "aliases")
        _put(out, "aliases", at, np.where((mine == "") | (extra == ""), mine + extra, mine + ";" + extra))
    # Business lines: only where no profile gave the enterprise's business.
    profiled = out["on_profile"].to_numpy(dtype=bool)[at] if "on_profile" in out.columns else np.zeros(len(at), dtype=bool)
    business = np.where(~profiled, _texts(r, "business_zh"), "").astype(object)
    mine = _texts(out, "industry_text", at)
    _put(out, "industry_text", at, np.where(mine == "", business, np.where(business == "", mine, mine + " | " + business)))
    for col, src in (("parent_zh", "parent_zh"), ("reference_source", "source")):
        out[col] = ""
        _put(out, col, at, _texts(r, src))
    # Display name: Chinese where known.
    zh = out["name_zh"].astype(str)
    out["name"] = zh.where(zh != "", out["name"])
    return out
