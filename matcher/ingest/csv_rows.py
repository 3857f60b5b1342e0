"""The rows of a CSV file, streamed: the file is never held whole, in bytes, text or rows.

:func:`csv_rows` chooses the encoding by reading the file in blocks
(:func:`~matcher.ingest.encoding.file_encoding`), then yields its rows one by
one as lists of strings, within the limits on rows and cell length;
:func:`~matcher.ingest.tables.read_table` turns batches of them into compact
text columns before reading the next, so its peak memory follows the data
kept, not the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..i18n import gettext as _
from .encoding import file_encoding
from .limits import check_rows, limit

__all__ = ["csv_rows"]

#: Characters of the file's start from which the separator (comma, tab or semicolon) is guessed.
_SNIFF_CHARS = 20000


def csv_rows(path: str, p: Path) -> tuple[Iterator[list[str]], str, str]:
    """The rows of a CSV file as they are read, its encoding name and the SHA-256 of its bytes.

    The rows are produced while the file is read; more than ``MAX_ROWS`` rows or a cell longer
    than ``MAX_CELL_CHARS`` raise :class:`~matcher.errors.InputError` when reached.

    Raises
    ------
    InputError
        Empty, binary or undecodable file (at once), or a limit or a CSV error (while reading).
    """
    codec, encoding, digest = file_encoding(path, p)
    return _rows(path, p, codec), encoding, digest


def _rows(path: str, p: Path, codec: str) -> Iterator[list[str]]:
    with open(p, encoding=codec, newline="") as fh:
        sample = fh.read(_SNIFF_CHARS)
        try:
            delim = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
        except csv.Error:
            delim = ","
        fh.seek(0)
        most = limit("MAX_ROWS")
        longest = limit("MAX_CELL_CHARS")
        # strict: a quote never closed is an error, not the rest of the file read as one cell
        reader = csv.reader(fh, delimiter=delim, strict=True)
        n = 0
        while True:
            previous = csv.field_size_limit(longest)  # set around each row: another reader may run in between
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" not in str(exc):
                    raise InputError(path, _("cannot read the CSV ({reason})").format(reason=exc), row=reader.line_num) from None
                raise InputError(
                    path, _("a cell longer than {limit} characters (Excel's own limit)").format(limit=longest), row=reader.line_num
                ) from None
            finally:
                csv.field_size_limit(previous)
            n += 1
            if n > most:
                check_rows(path, n)
            yield row
