"""Checks on the rows of a filled-in sheet: every problem is collected, none stops the reading.

Each check takes the sheet's text cells column by column and records, in a
:class:`RowProblems`, the row number, column, value and reason of each bad cell;
:mod:`matcher.ingest.sheets` raises them all at once.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import MAX_NUMBER
from ..i18n import gettext as _
from .tables import Table

__all__ = [
    "YES",
    "NO",
    "EARLIEST",
    "RowProblems",
    "column_text",
    "choose",
    "vocabulary",
    "names_of",
    "check_dates",
    "check_amount",
    "check_bools",
    "check_duplicates",
    "merged_cell_problems",
    "row_key",
    "derived_id",
]

YES = ("是", "yes", "y", "true", "1", "√", "✓")
NO = ("否", "no", "n", "false", "0", "")
EARLIEST = pd.Timestamp("2000-01-01")


@dataclass
class RowProblems:
    """Problems found while checking a sheet: ``(row number, column header, value, reason)`` tuples.

    Attributes
    ----------
    table : Table
        The sheet being checked (for row numbers and headers).
    problems : list of tuple
    """

    table: Table
    problems: list

    def add(self, mask, column: str | None, values, reason) -> None:
        """Record a problem for each row where ``mask`` is true; ``reason`` a string or a per-row Series."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        header = self.table.headers.get(column, column) if column else None
        vals = values.to_numpy(dtype=object)[idx] if isinstance(values, pd.Series) else [values] * len(idx)
        rs = reason.to_numpy(dtype=object)[idx] if isinstance(reason, pd.Series) else [reason] * len(idx)
        for i, v, r in zip(idx, vals, rs):
            self.problems.append((self.table.row_number(int(i)), header.replace("\n", " ") if header else None, v, r))


def column_text(frame: pd.DataFrame, key: str) -> pd.Series:
    """The text of column ``key``, or empty texts where the sheet lacks the column."""
    return frame[key].astype(str) if key in frame.columns else pd.Series("", index=frame.index, dtype=object)


def _dates(text: pd.Series) -> pd.Series:
    t = text.str.replace(r"\s+00:00:00$", "", regex=True).str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False)
    ok = t.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}") | t.str.fullmatch(r"\d{8}")
    out = pd.to_datetime(t.where(ok), errors="coerce", format="mixed")
    return out.astype("datetime64[ns]")


def choose(text: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """Map each text to its id by ``mapping``, comparing folded (NFKC, lower case, no spaces or brackets); NaN where unknown."""
    folded = {_fold(k): v for k, v in mapping.items()}
    return text.map(lambda s: folded.get(_fold(s)))


def _fold(s: object) -> str:
    return re.sub(r"[\s_\-（）()]+", "", unicodedata.normalize("NFKC", str(s)).lower())


def vocabulary(ids, zh: dict[str, str]) -> dict[str, str]:
    """Spelling → id for a fixed vocabulary: the ids, the ids with spaces, and their Chinese names."""
    out = {i: i for i in ids}
    out.update({i.replace("_", " "): i for i in ids})
    out.update({v: k for k, v in zh.items()})
    return out


def names_of(items) -> dict[str, str]:
    """Spelling → id for configured items (cities, chains): their ids, Chinese and English names."""
    out = {}
    for it in items:
        for n in (it.id, it.name_zh, it.name_en):
            if n:
                out[n] = it.id
    return out


def check_dates(rows: RowProblems, frame: pd.DataFrame, key: str, today: pd.Timestamp, *, required: bool) -> pd.Series:
    """Dates of column ``key``; empty (when required), unreadable, future and pre-2000 dates are problems and NaT."""
    text = column_text(frame, key)
    d = _dates(text)
    blank = text.str.strip() == ""
    rows.add(blank & required, key, text, _("the date is empty; expected a date like 2026-03-02"))
    rows.add(~blank & d.isna(), key, text, _("not a date; expected YYYY-MM-DD such as 2026-03-02"))
    rows.add(
        d.notna() & (d > today),
        key,
        text,
        _("the date is in the future (today is {today}); record what happened, not what is planned").format(today=f"{today:%Y-%m-%d}"),
    )
    rows.add(d.notna() & (d < EARLIEST), key, text, _("the date is before 2000; expected a date of the programme"))
    return d.where(d.notna() & (d <= today) & (d >= EARLIEST))


def check_amount(rows: RowProblems, table, frame: pd.DataFrame, key: str) -> pd.Series:
    """Amounts of column ``key`` in yuan (the header's unit, default 万元); non-numbers and negatives are problems and NaN."""
    text = column_text(frame, key).str.replace(",", "", regex=False).str.replace("，", "", regex=False)
    v = pd.to_numeric(text.where(text.str.strip() != ""), errors="coerce")
    rows.add((text.str.strip() != "") & v.isna(), key, text, _("not a number; expected an amount in 10,000 yuan (万元)"))
    rows.add(v < 0, key, text, _("a negative amount; expected 0 or more"))
    sane = v < MAX_NUMBER / 1e4  # in 万元, as the message says
    rows.add((v >= 0) & ~sane, key, text, _("not a sane amount; expected a finite number of 万元 below 1e11 (10 trillion yuan)"))
    scale = {"CNY_100m": 1e8, "CNY_10k": 1e4, "": 1e4}.get(table.units.get(key, ""), 1e4)
    return (v.where((v >= 0) & sane) * scale).round(2)


def check_bools(rows: RowProblems, frame: pd.DataFrame, key: str) -> pd.Series:
    """Yes/no column ``key`` as booleans (empty is no); other values are problems."""
    text = column_text(frame, key).str.strip().str.lower()
    ok = text.isin(YES + NO)
    rows.add(~ok, key, text, _("expected 是 or 否 (yes or no)"))
    return text.isin(YES)


def check_duplicates(rows: RowProblems, key: pd.Series, what: str) -> None:
    """Every row whose ``key`` repeats an earlier row's is a problem naming that row."""
    first = pd.Series(np.arange(len(key)), index=key.index).groupby(key.to_numpy()).transform("min")
    dup = key.duplicated(keep="first").to_numpy()
    template = _("duplicate of row {row} ({what})")
    rows.add(dup, None, None, pd.Series([template.format(row=rows.table.row_number(int(i)), what=_(what)) for i in first], index=key.index))


def row_key(*parts: pd.Series) -> pd.Series:
    """Join the parts row by row with ``|`` (missing values as empty text)."""
    joined = parts[0].astype(object).fillna("").astype(str)
    for p in parts[1:]:
        joined = joined + "|" + p.astype(object).fillna("").astype(str)
    return joined


def derived_id(prefix: str, key: pd.Series) -> pd.Series:
    """A stable record id from a row's content key: ``prefix`` and 12 hex digits of its SHA-1."""
    return key.map(lambda k: prefix + hashlib.sha1(k.encode("utf-8")).hexdigest()[:12].upper())


def merged_cell_problems(table: Table) -> list[tuple]:
    """Merged cells below the header: each merged range hides the values of all but its first row.

    Returns
    -------
    list of tuple
        ``(row, None, range, reason)`` per merged range reaching the data rows, by row then column.
    """
    from openpyxl.utils.cell import range_boundaries

    found = []
    for ref in table.merged_cells:
        min_col, min_row, _max_col, max_row = range_boundaries(ref)
        if max_row >= table.first_row:
            found.append((max(min_row, table.first_row), min_col, ref))
    found.sort()
    reason = _("merged cells {range}: unmerge them and fill in every row on its own")
    return [(row, None, ref, reason.format(range=ref)) for row, _col, ref in found]
