"""Editions: a ranking-list file split into one list per year.

A list is published once a year (an *edition*). Most files hold one edition and
the user names its year; a panel file holds several, told apart by a ``year``
column. :func:`split_editions` turns the parsed entries of either into
``(entries, year)`` parts, one per edition, each imported as its own list.
"""

from __future__ import annotations

import pandas as pd

from ..errors import MatcherError
from ..i18n import gettext as _
from .lists import FIRST_YEAR, last_year
from .tables import Table

__all__ = ["split_editions"]


def split_editions(entries: pd.DataFrame, table: Table, year: int | None = None) -> list[tuple[pd.DataFrame, int]]:
    """Split parsed list entries into one part per edition (year).

    Parameters
    ----------
    entries : DataFrame
        Entries as :func:`matcher.ingest.lists.parse_list` returns them, with a
        ``year`` column (empty when the file has no year column).
    table : Table
        The table they were parsed from: its path and row numbers go into the errors.
    year : int, optional
        The edition to import. Required when the file has no year column; with a
        year column it picks that year's rows, and without it every year is a part.

    Returns
    -------
    list of (DataFrame, int)
        The entries of each edition with its year, years in ascending order.

    Raises
    ------
    MatcherError
        If no year is given and the file has no year column, if the given year
        has no rows, or if a row of a panel file has no year.
    """
    years = entries["year"].dropna().unique()
    _check_years(table, [year] if year is not None else [])
    if not len(years):
        if year is None:
            raise MatcherError(_("{path}: --year is required (the file has no year column)").format(path=table.path))
        return [(entries, year)]
    if year is not None:
        entries = entries[entries["year"] == year]
        if entries.empty:
            raise MatcherError(
                _("{path}: no rows for year {year}; the file's year column has {years}").format(
                    path=table.path, year=year, years=", ".join(str(int(y)) for y in sorted(years))
                )
            )
        return [(entries, year)]
    parts = [(entries[entries["year"] == y], int(y)) for y in sorted(years)]
    if entries["year"].isna().any():
        i = int(entries.index[entries["year"].isna()][0])
        raise MatcherError(_("{path}, row {row}: the year is empty; fill it or pass --year").format(path=table.path, row=table.row_number(i)))
    return parts


def _check_years(table: Table, given: list[int]) -> None:
    """Refuse an edition year outside the range a list may have (the year column is checked by :func:`parse_list`)."""
    for y in given:
        if not FIRST_YEAR <= int(y) <= last_year():
            raise MatcherError(
                _("{path}: year {year} is outside {first}–{last}; check --year").format(path=table.path, year=y, first=FIRST_YEAR, last=last_year())
            )
