"""Limits on what the one reader (:mod:`matcher.ingest.tables`) accepts, checked before a file is parsed.

A file made to exhaust memory is refused in about a second, in bounded memory,
with one :class:`~matcher.errors.InputError` naming the file and the limit:

- the file's size (:data:`MAX_FILE_MB`);
- for a workbook (a zip of XML files): the total size its entries declare once
  unpacked (:data:`MAX_UNZIPPED_MB`) and each entry's compression ratio
  (:data:`MAX_RATIO`), read from the zip's directory before anything is
  inflated (Python's zip reader never inflates an entry beyond its declared
  size); then the sheet's extent, rows × columns (:data:`MAX_CELLS`), before
  its cells are read;
- the number of rows (:data:`MAX_ROWS`), counted while the rows are read;
- the length of a cell (:data:`MAX_CELL_CHARS`, Excel's own limit).

Each limit can be changed for one run with an environment variable of the same
name prefixed ``MATCHER_`` (``MATCHER_MAX_FILE_MB=500``).
"""

from __future__ import annotations

import io
import os
import zipfile

from ..errors import InputError
from ..i18n import gettext as _

__all__ = [
    "MAX_FILE_MB",
    "MAX_UNZIPPED_MB",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_CELLS",
    "MAX_CELL_CHARS",
    "limit",
    "check_file_size",
    "check_workbook_zip",
    "check_extent",
    "check_rows",
    "check_cell",
]

#: Largest input file, in MB.
MAX_FILE_MB = 200
#: Largest total size of a workbook's entries once unpacked, in MB.
MAX_UNZIPPED_MB = 1000
#: Largest compression ratio of one workbook entry of more than 1 MB unpacked (sheet XML compresses 5–30×; a zip bomb about 1000×).
MAX_RATIO = 200
#: Most rows of one sheet or CSV file.
MAX_ROWS = 2_000_000
#: Most cells (rows × columns) a sheet may span: a few cells at A1 and XFD1048576 span 17 billion.
MAX_CELLS = 60_000_000
#: Longest cell, in characters (Excel's own limit).
MAX_CELL_CHARS = 32_767

_MB = 1 << 20
_RATIO_FLOOR = 1 << 20


def limit(name: str) -> int:
    """The limit ``name`` (``"MAX_ROWS"`` …): ``$MATCHER_<name>`` when set to a positive whole number, else the module constant."""
    raw = os.environ.get(f"MATCHER_{name}", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return int(globals()[name])


def check_file_size(path: str, size: int) -> None:
    """Refuse a file larger than :data:`MAX_FILE_MB`, before it is read."""
    most = limit("MAX_FILE_MB")
    if size > most * _MB:
        raise InputError(
            path,
            _("the file is {size:.0f} MB, more than the limit of {limit} MB (MATCHER_MAX_FILE_MB); split it into smaller files").format(
                size=size / _MB, limit=most
            ),
        )


def check_workbook_zip(path: str, data: bytes) -> None:
    """Refuse a workbook whose entries would unpack to more than :data:`MAX_UNZIPPED_MB`, or compress suspiciously well.

    Only the zip's directory is read: nothing is inflated.
    """
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputError(path, _("cannot open the workbook ({reason}); expected a valid .xlsx file").format(reason=exc)) from None
    most = limit("MAX_UNZIPPED_MB")
    total = sum(i.file_size for i in infos)
    if total > most * _MB:
        raise InputError(
            path,
            _("the workbook unpacks to {size:.0f} MB, more than the limit of {limit} MB (MATCHER_MAX_UNZIPPED_MB); it is refused unopened").format(
                size=total / _MB, limit=most
            ),
        )
    ratio = limit("MAX_RATIO")
    for i in infos:
        if i.file_size > _RATIO_FLOOR and i.file_size > ratio * max(i.compress_size, 1):
            raise InputError(
                path,
                _(
                    "the workbook's part {part} unpacks {ratio:.0f} times its packed size, more than the limit of {limit} "
                    "(MATCHER_MAX_RATIO); a file made to exhaust memory is refused unopened"
                ).format(part=i.filename, ratio=i.file_size / max(i.compress_size, 1), limit=ratio),
            )


def check_extent(path: str, rows: int | None, columns: int | None) -> None:
    """Refuse a sheet spanning more than :data:`MAX_CELLS` cells (rows × columns), before its cells are read."""
    if not rows or not columns:
        return
    most = limit("MAX_CELLS")
    if rows * columns > most:
        raise InputError(
            path,
            _("the sheet spans {rows} rows × {columns} columns, more than the limit of {limit} cells (MATCHER_MAX_CELLS)").format(
                rows=rows, columns=columns, limit=most
            ),
        )


def check_rows(path: str, n: int) -> None:
    """Refuse a table of more than :data:`MAX_ROWS` rows (called while rows are read, so the excess is never held)."""
    most = limit("MAX_ROWS")
    if n > most:
        raise InputError(path, _("the file has more than {limit} rows (MATCHER_MAX_ROWS); split it into smaller files").format(limit=most))


def check_cell(path: str, text: str, row: int, column: int) -> None:
    """Refuse a cell longer than :data:`MAX_CELL_CHARS` characters, naming its row and column (1-based)."""
    most = limit("MAX_CELL_CHARS")
    if len(text) > most:
        raise InputError(
            path,
            _("a cell of {n} characters, more than the limit of {limit} (Excel's own)").format(n=len(text), limit=most),
            row=row,
            column=_letters(column),
            value=text[:40] + "…",
        )


def _letters(column: int) -> str:
    """Spreadsheet column letters of a 1-based column number (3 → C, 28 → AB)."""
    out = ""
    while column > 0:
        column, r = divmod(column - 1, 26)
        out = chr(65 + r) + out
    return out
