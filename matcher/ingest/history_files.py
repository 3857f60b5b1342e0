"""History files: visits and projects brought as CSV or XLSX files instead of from the database.

The weekly plan reads the history from the database; ``matcher weekly --visits
FILE --projects FILE`` reads it from files instead, validated here against the
columns of :mod:`matcher.columns`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..columns import PROJECT_COLUMNS, VISIT_COLUMNS, check_projects, check_visits
from ..errors import InputError
from ..i18n import gettext as _
from .tables import read_table

__all__ = ["read_history"]


def read_history(path: str | Path, kind: str) -> pd.DataFrame:
    """Read a visits or projects file (CSV or XLSX, columns as :mod:`matcher.columns`) through the one table reader and validate it.

    Raises
    ------
    InputError
        If the file cannot be read or lacks a column.
    """
    columns = VISIT_COLUMNS if kind == "visits" else PROJECT_COLUMNS
    table = read_table(path, fields={c: (c,) for c in columns})
    frame = table.frame
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        needs = _("a visits file needs {columns}") if kind == "visits" else _("a projects file needs {columns}")
        raise InputError(
            str(path), _("missing column(s) {columns}; {needs}").format(columns=", ".join(missing), needs=needs.format(columns=", ".join(columns)))
        )
    date_cols = ["date"] if kind == "visits" else ["stage_date", "signed_date"]
    for c in date_cols:
        parsed = pd.to_datetime(frame[c].replace("", None), errors="coerce", format="mixed")
        bad = parsed.isna() & (frame[c] != "") if c != "date" else parsed.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(str(path), _("expected a date such as 2026-03-02"), row=table.row_number(i), column=table.headers.get(c, c), value=frame[c].iloc[i])
        frame[c] = parsed
    if kind == "projects":
        for c in ("amount_yuan", "arrived_yuan"):
            frame[c] = pd.to_numeric(frame[c].replace("", None), errors="coerce")
        return check_projects(frame)
    return check_visits(frame)
