"""Report: write tables as CSV and Excel, atomically, reproducibly and safely.

Every output is written to a temporary file beside its target and renamed
into place, so a reader never sees half a file. Excel workbooks carry fixed
timestamps (document properties and zip entries), so the same table always
gives the same bytes.

Names come from files anyone can make, so no cell may run: control
characters (which no name needs and XLSX cannot hold) are removed; in a
CSV, text beginning with ``= + - @``, a tab or a carriage return gets a
leading ``'`` (the OWASP rule against CSV injection); in a workbook every
text cell is stored as text, never as a formula.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .._files import FIXED_TIME, atomic_write_bytes, normalise_zip
from ..errors import MatcherError

__all__ = ["write_table", "write_csv", "write_xlsx", "safe_frame", "FORMULA_START"]

#: Characters no name needs: those an XLSX cell cannot hold, and carriage returns (a bare CR breaks CSV rows).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: A spreadsheet reads a cell beginning with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _text_cells(col: pd.Series) -> pd.Series:
    """Where a column holds text (not numbers, dates or missing values), column-wise."""
    if not (pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col)):
        return pd.Series(False, index=col.index)
    return col.notna() & (col.astype(str) == col)


def safe_frame(frame: pd.DataFrame, *, quote_formulas: bool = True) -> pd.DataFrame:
    """``frame`` with control characters removed from its text (headers too) and, with ``quote_formulas``,
    a ``'`` before every text that a spreadsheet would read as a formula."""
    out = frame.copy()
    for c in out.columns:
        text = _text_cells(out[c])
        if not text.any():
            continue
        col = out[c].astype(object)
        clean = col[text].astype(str).str.replace(_CONTROL, "", regex=True)
        if quote_formulas:
            clean = clean.where(~clean.str.match(_FORMULA), "'" + clean)
        col[text] = clean
        out[c] = col
    headers = [_CONTROL.sub("", str(h)) for h in out.columns]
    out.columns = ["'" + h if quote_formulas and h.startswith(FORMULA_START) else h for h in headers]
    return out



def _csv_bytes(frame: pd.DataFrame) -> bytes:
    # UTF-8 with BOM so Excel opens Chinese text correctly; LF line endings.
    return safe_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a CSV (UTF-8 with BOM, so Excel shows Chinese correctly)."""
    return atomic_write_bytes(path, _csv_bytes(frame))


def _xlsx_bytes(sheets: Mapping[str, pd.DataFrame], *, title: str | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        frame = safe_frame(frame, quote_formulas=False)  # text cells are typed as text below
        ws = wb.create_sheet(title=name[:31])
        start = 1
        if title:
            t = ws.cell(row=1, column=1, value=_CONTROL.sub("", title))
            t.data_type = "s"
            t.font = Font(bold=True, size=12)
            start = 3
        for j, col in enumerate(frame.columns, start=1):
            c = ws.cell(row=start, column=j, value=str(col))
            c.data_type = "s"
            c.font = Font(bold=True)
            c.alignment = Alignment(wrap_text=True, vertical="top")
        for i, row in enumerate(frame.itertuples(index=False), start=start + 1):
            for j, v in enumerate(row, start=1):
                if v is None or (isinstance(v, float) and v != v):
                    continue
                c = ws.cell(row=i, column=j, value=v.item() if hasattr(v, "item") else v)
                if isinstance(v, str):
                    c.data_type = "s"  # never a formula, whatever the text begins with
        for j, col in enumerate(frame.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, width * 1.2))
        ws.freeze_panes = ws.cell(row=start + 1, column=1)
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "matcher"
    raw = io.BytesIO()
    wb.save(raw)
    return normalise_zip(raw.getvalue())


def write_xlsx(sheets: Mapping[str, pd.DataFrame] | pd.DataFrame, path: str | Path, *, title: str | None = None) -> Path:
    """Write one or several sheets to an .xlsx workbook, reproducibly."""
    if isinstance(sheets, pd.DataFrame):
        sheets = {"Sheet1": sheets}
    return atomic_write_bytes(path, _xlsx_bytes(sheets, title=title))


def write_table(frame: pd.DataFrame, path: str | Path, *, title: str | None = None, sheet: str = "targets") -> Path:
    """Write a table as CSV or XLSX, chosen by the file's suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return write_csv(frame, path)
    if suffix == ".xlsx":
        return write_xlsx({sheet: frame}, path, title=title)
    raise MatcherError(f"cannot write {path}: expected a .csv or .xlsx file name")
