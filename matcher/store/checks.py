"""The store's own checks: nothing invalid is written, whoever calls (command line, library, web pages).

The readers of :mod:`matcher.ingest` refuse bad files with the file, row and
column; these checks hold the same rules at the store boundary for frames
that did not come through a reader. Each raises :class:`~matcher.errors.StoreError`
naming the row (``source_row``) and value, before anything is written.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..columns import MAX_NUMBER
from ..errors import StoreError
from ..i18n import N_
from ..i18n import gettext as _
from ..ingest.lists import FIRST_YEAR, last_year

__all__ = ["check_entries", "check_profiles", "check_decisions", "check_parents", "DECISIONS"]

#: What a review decision may say.
DECISIONS = ("same", "different")
_LIST_TYPE = re.compile(r"^[a-z][a-z0-9_]*$")


def _fail(what: str, frame: pd.DataFrame, bad: np.ndarray, column: str, expected: str) -> None:
    if not bad.any():
        return
    i = int(np.flatnonzero(bad)[0])
    row = frame["source_row"].iloc[i] if "source_row" in frame.columns else i + 1
    more = int(bad.sum()) - 1
    value = frame[column].iloc[i]
    text = _("{what}: row {row}, column {column!r}, value {value!r}: expected {expected}").format(
        what=what, row=row, column=column, value="" if pd.isna(value) else str(value), expected=_(expected)
    )
    if more:
        text = _("{text} ({n} more rows like it)").format(text=text, n=more)
    raise StoreError(_("{text}; nothing was written").format(text=text))


def _require(what: str, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise StoreError(_("{what}: missing column(s) {columns}; nothing was written").format(what=what, columns=", ".join(missing)))


def _names(what: str, frame: pd.DataFrame) -> None:
    name = frame["name"]
    _fail(what, frame, (name.isna() | (name.astype(str).str.strip() == "")).to_numpy(), "name", N_("an enterprise name"))


def _source_rows(what: str, frame: pd.DataFrame) -> None:
    rows = pd.to_numeric(frame["source_row"], errors="coerce")
    _fail(what, frame, (rows.isna() | (rows < 1) | (rows != np.floor(rows))).to_numpy(), "source_row", N_("a row number >= 1"))
    _fail(what, frame, rows.duplicated().to_numpy(), "source_row", N_("each row number once"))


def check_entries(entries: pd.DataFrame, *, list_type: str, year: int, source_name: str) -> None:
    """Entries of one list (as :func:`matcher.ingest.lists.parse_list` makes them) before they are written."""
    what = _("list {name}").format(name=source_name)
    if not isinstance(list_type, str) or not _LIST_TYPE.match(list_type):
        raise StoreError(
            _("{what}: list type {list_type!r} is not a list id (lower-case letters, digits, _); nothing was written").format(what=what, list_type=list_type)
        )
    if not isinstance(year, (int, np.integer)) or not FIRST_YEAR <= int(year) <= last_year():
        raise StoreError(
            _("{what}: year {year!r} is outside {first}..{last}; nothing was written").format(what=what, year=year, first=FIRST_YEAR, last=last_year())
        )
    _require(what, entries, ("source_row", "name", "rank", "revenue"))
    _source_rows(what, entries)
    _names(what, entries)
    rank = pd.to_numeric(entries["rank"], errors="coerce")
    given = entries["rank"].notna() & (entries["rank"].astype(str).str.strip() != "")
    _fail(what, entries, (given & (rank.isna() | (rank < 1) | (rank != np.floor(rank)))).to_numpy(), "rank", N_("empty or a whole number >= 1"))
    rev = pd.to_numeric(entries["revenue"], errors="coerce")
    given = entries["revenue"].notna() & (entries["revenue"].astype(str).str.strip() != "")
    _fail(what, entries, (given & ~(rev.abs() < MAX_NUMBER)).to_numpy(), "revenue", _("empty or a finite number below {max:.0e}").format(max=MAX_NUMBER))


def check_profiles(profiles: pd.DataFrame, *, source_name: str) -> None:
    """Profiles (as :func:`matcher.ingest.lists.parse_profiles` makes them) before they are written."""
    what = _("profiles {name}").format(name=source_name)
    _require(what, profiles, ("source_row", "name"))
    _source_rows(what, profiles)
    _names(what, profiles)


def check_decisions(decisions: pd.DataFrame) -> None:
    """Review decisions: two different enterprise ids and ``same`` or ``different``."""
    what = _("review decisions")
    _require(what, decisions, ("left_id", "right_id", "decision", "source"))
    d = decisions.reset_index(drop=True)
    _fail(what, d, ~d["decision"].isin(DECISIONS).to_numpy(), "decision", " or ".join(DECISIONS))
    _fail(what, d, (d["left_id"].astype(str) == d["right_id"].astype(str)).to_numpy(), "right_id", N_("an enterprise other than left_id"))


def check_parents(links: pd.DataFrame, known: set[str]) -> None:
    """Parent links: both ids known, an enterprise never its own parent."""
    what = _("parent links")
    _require(what, links, ("enterprise_id", "parent_id"))
    d = links.reset_index(drop=True)
    for col in ("enterprise_id", "parent_id"):
        _fail(what, d, ~d[col].astype(str).isin(known).to_numpy(), col, N_("a known enterprise id"))
    _fail(what, d, (d["enterprise_id"].astype(str) == d["parent_id"].astype(str)).to_numpy(), "parent_id", N_("an enterprise other than itself"))
