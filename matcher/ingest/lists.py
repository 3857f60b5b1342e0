"""Ranking lists and enterprise profiles: validate the rows of a :class:`~matcher.ingest.tables.Table`.

:func:`parse_list` and :func:`parse_profiles` check the rows that
:func:`~matcher.ingest.tables.read_table` read; the first problem stops the
import with an :class:`~matcher.errors.InputError` naming the file, row,
column and value.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .._text import HAS_CJK
from ..columns import MAX_NUMBER
from ..errors import InputError
from ..i18n import N_
from ..i18n import gettext as _
from .tables import FIELD_ALIASES, Table

__all__ = [
    "type_warnings",
    "FIRST_YEAR",
    "last_year",
    "parse_list",
    "parse_profiles",
    "OWNERSHIP_ALIASES",
]

OWNERSHIP_ALIASES: dict[str, str] = {
    "central_soe": "central_soe",
    "centralsoe": "central_soe",
    "央企": "central_soe",
    "中央企业": "central_soe",
    "中央国有企业": "central_soe",
    "中央国企": "central_soe",
    "local_soe": "local_soe",
    "localsoe": "local_soe",
    "地方国企": "local_soe",
    "地方国有企业": "local_soe",
    "国有企业": "local_soe",
    "国企": "local_soe",
    "soe": "local_soe",
    "private": "private",
    "民营": "private",
    "民企": "private",
    "民营企业": "private",
    "私营": "private",
    "私营企业": "private",
    "foreign": "foreign",
    "外资": "foreign",
    "外企": "foreign",
    "外资企业": "foreign",
    "外商投资企业": "foreign",
}


#: The first edition year a list may have; the last is next year (a typo such as 2206 must not supersede the real edition).
FIRST_YEAR = 1990


def last_year() -> int:
    """The latest edition year a list may have: next year."""
    import datetime as dt

    return dt.date.today().year + 1



_NUM_CLEAN = re.compile(r"[,\s$¥￥%]|usd|rmb|万元|亿元|元", re.IGNORECASE)


def _numbers(table: Table, field: str) -> pd.Series:
    """Parse a numeric column; raise at the first cell that is not a number."""
    raw = table.frame[field].astype(str)
    text = raw.str.replace(_NUM_CLEAN, "", regex=True)
    neg = text.str.match(r"^\(.*\)$")
    text = text.str.strip("()")
    values = pd.to_numeric(text.where(text != "", None), errors="coerce")
    values = values.where(~neg, -values)
    bad = values.isna() & (text != "") & ~text.isin(["-", "—", "n/a", "na", "none", "null"])
    # Finite and of a size a ranking list can print (no inf, no 400-digit revenue).
    bad |= values.notna() & ~(values.abs() < MAX_NUMBER)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            table.path,
            _("expected a number (finite, below {max:.0e})").format(max=MAX_NUMBER),
            row=table.row_number(i),
            column=table.headers[field],
            value=raw.iloc[i],
            more=int(bad.sum()) - 1,
        )
    return values.astype(float)


def _require(table: Table, fields: list[str], what: str) -> None:
    missing = [f for f in fields if f not in table.frame.columns]
    if missing:
        # The file's own headers (企业名称), not the fields they were read as (name).
        found = ", ".join(repr(table.headers.get(h, h)) for h in table.frame.columns)
        wanted = "; ".join(f"{f}: {' / '.join(FIELD_ALIASES[f][:5])}" for f in missing)
        raise InputError(table.path, _("missing required column(s) for {what} — {wanted}. Found: {found}").format(what=_(what), wanted=wanted, found=found))


def _names(table: Table, field: str = "name") -> pd.Series:
    names = table.frame[field].astype(str)
    empty = names.str.strip() == ""
    if empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError(
            table.path,
            _("the enterprise name is empty; expected a name in every data row"),
            row=table.row_number(i),
            column=table.headers.get(field, field),
            value="",
            more=int(empty.sum()) - 1,
        )
    return names


def parse_list(table: Table, *, ranked: bool = True) -> pd.DataFrame:
    """Validate a ranking list; return one row per entry.

    Columns: ``source_row, year, rank, name, revenue, revenue_unit, industry,
    business, country, province, city, hq, name_en, aliases, ownership``;
    ``year`` is filled only when the file has a year column (a panel of
    several years, ranks unique within each year).
    Missing optional fields are ``""`` (text) or NaN (numbers).

    Parameters
    ----------
    table : Table
    ranked : bool
        Whether the list has ranks (required, positive, unique).
    """
    _require(table, ["name", "rank"] if ranked else ["name"], N_("a ranking list"))
    names = _names(table)
    out = pd.DataFrame({"source_row": table.row_numbers(), "name": names})
    if "year" in table.frame.columns:
        year = _numbers(table, "year")
        bad = year.isna() | (year < FIRST_YEAR) | (year > last_year()) | (year != np.floor(year))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                table.path,
                _("expected a year from {first} to {last}").format(first=FIRST_YEAR, last=last_year()),
                row=table.row_number(i),
                column=table.headers["year"],
                value=table.frame["year"].iloc[i],
                more=int(bad.sum()) - 1,
            )
        out["year"] = year.astype("Int64")
    else:
        out["year"] = pd.array([pd.NA] * len(out), dtype="Int64")
    if "rank" in table.frame.columns:
        rank = _numbers(table, "rank")
        col = table.headers["rank"]
        bad = rank.isna() if ranked else pd.Series(False, index=rank.index)
        bad |= rank.notna() & ((rank < 1) | (rank != np.floor(rank)))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                table.path,
                _("expected a whole number rank >= 1"),
                row=table.row_number(i),
                column=col,
                value=table.frame["rank"].iloc[i],
                more=int(bad.sum()) - 1,
            )
        # Ranks are unique within a list; a file holding several years has one list per year.
        keyed = pd.DataFrame({"y": out["year"].fillna(-1).to_numpy(), "r": rank.to_numpy()})
        dup = rank.notna() & keyed.duplicated(keep="first").to_numpy()
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            same = (keyed["r"] == keyed["r"].iloc[i]) & (keyed["y"] == keyed["y"].iloc[i])
            first = int(np.flatnonzero(same.to_numpy())[0])
            raise InputError(
                table.path,
                _("duplicate rank; rank {rank} is already used in row {row}").format(rank=int(rank.iloc[i]), row=table.row_number(first)),
                row=table.row_number(i),
                column=col,
                value=table.frame["rank"].iloc[i],
                more=int(dup.sum()) - 1,
            )
        out["rank"] = rank.astype("Int64")
    else:
        out["rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
    if "revenue" in table.frame.columns:
        out["revenue"] = _numbers(table, "revenue").to_numpy()
        out["revenue_unit"] = table.units.get("revenue", "")
    else:
        out["revenue"] = np.nan
        out["revenue_unit"] = ""
    for f in ("industry", "business", "country", "province", "city", "hq", "name_en", "aliases", "sector"):
        out[f] = table.frame[f].astype(str).array if f in table.frame.columns else ""  # text columns stay compact: no Python string per cell
    # A sector label is used only where no industry is given.
    out["industry"] = out["industry"].where(out["industry"] != "", out.pop("sector"))
    out["ownership"] = _ownership(table) if "ownership" in table.frame.columns else ""
    return out.reset_index(drop=True)


def _ownership(table: Table) -> np.ndarray:
    raw = table.frame["ownership"].astype(str)
    key = raw.str.lower().str.replace(r"[\s\-]", "", regex=True)
    mapped = key.map(lambda k: OWNERSHIP_ALIASES.get(k, OWNERSHIP_ALIASES.get(k.replace("_", ""), None)) if k else "")
    bad = mapped.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            table.path,
            _("unknown ownership; expected central_soe (央企), local_soe (地方国企), private (民营) or foreign (外资)"),
            row=table.row_number(i),
            column=table.headers["ownership"],
            value=raw.iloc[i],
            more=int(bad.sum()) - 1,
        )
    return mapped.to_numpy(dtype=object)


def parse_profiles(table: Table) -> pd.DataFrame:
    """Validate an enterprise profiles table.

    Columns: ``source_row, name, name_en, aliases, industry, business,
    country, province, city, hq, branches, ownership`` (``branches``: the
    cities of major branches, ``;``-separated).
    """
    _require(table, ["name"], N_("an enterprise profiles table"))
    names = _names(table)
    out = pd.DataFrame({"source_row": table.row_numbers(), "name": names})
    for f in ("name_en", "aliases", "industry", "business", "country", "province", "city", "hq", "branches"):
        out[f] = table.frame[f].astype(str).array if f in table.frame.columns else ""  # text columns stay compact: no Python string per cell
    out["ownership"] = _ownership(table) if "ownership" in table.frame.columns else ""
    dup = out["name"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            table.path,
            _("duplicate enterprise name; each profile must appear once"),
            row=table.row_number(i),
            column=table.headers["name"],
            value=out["name"].iloc[i],
            more=int(dup.sum()) - 1,
        )
    return out.reset_index(drop=True)


def type_warnings(entries: pd.DataFrame, revenue_unit: str, list_name: str) -> list[str]:
    """Warnings when a list's shape contradicts the type it is imported as (one line each, in the language in use).

    A revenue unit in the header other than the list type's (万元 under 世界500强), or Chinese names
    on a list whose revenue is in US dollars (a Chinese list imported as the Fortune list).
    """
    out = []
    units = set(entries["revenue_unit"].astype(str)) - {""} if "revenue_unit" in entries.columns else set()
    other = sorted(u for u in units if revenue_unit and u != revenue_unit)
    if other:
        out.append(
            _("warning: the file's revenue is in {units}, {list} reports {unit}; check --type.").format(
                units=", ".join(other), list=list_name, unit=revenue_unit
            )
        )
    names = entries["name"].astype(str)
    cjk = names.str.contains(HAS_CJK, regex=True).mean() if len(names) else 0.0
    if revenue_unit == "USD_m" and cjk >= 0.8:
        out.append(
            _("warning: {share:.0%} of the names are Chinese, but {list} is an international list in US dollars; check --type.").format(
                share=cjk, list=list_name
            )
        )
    return out
