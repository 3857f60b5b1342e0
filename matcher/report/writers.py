"""Report: write tables as CSV and Excel, atomically and byte-for-byte reproducibly.

Every output is written to a temporary file beside its target and renamed
into place, so a reader never sees half a file. Excel workbooks carry fixed
timestamps (document properties and zip entries), so the same table always
gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .._files import FIXED_TIME, atomic_write_bytes, normalise_zip
from ..errors import MatcherError

__all__ = ["write_table", "write_csv", "write_xlsx"]



def _csv_bytes(frame: pd.DataFrame) -> bytes:
    # UTF-8 with BOM so Excel opens Chinese text correctly; LF line endings.
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


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
        ws = wb.create_sheet(title=name[:31])
        start = 1
        if title:
            ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=12)
            start = 3
        for j, col in enumerate(frame.columns, start=1):
            c = ws.cell(row=start, column=j, value=str(col))
            c.font = Font(bold=True)
            c.alignment = Alignment(wrap_text=True, vertical="top")
        for i, row in enumerate(frame.itertuples(index=False), start=start + 1):
            for j, v in enumerate(row, start=1):
                if v is None or (isinstance(v, float) and v != v):
                    continue
                ws.cell(row=i, column=j, value=v.item() if hasattr(v, "item") else v)
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
