"""Report: write tables as CSV and Excel, atomically and byte-for-byte reproducibly.

Every output is written to a temporary file beside its target and renamed
into place, so a reader never sees half a file. Excel workbooks carry fixed
timestamps (document properties and zip entries), so the same table always
gives the same bytes.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pandas as pd

from ..errors import MatcherError

__all__ = ["write_table", "write_csv", "write_xlsx", "atomic_write_bytes"]

_FIXED_TIME = datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


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
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    wb.properties.creator = "matcher"
    raw = io.BytesIO()
    wb.save(raw)
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps (openpyxl stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time as "modified" whatever the properties say.
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>2000-01-01T00:00:00Z\g<2>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()


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
