"""The rows of a CSV file, streamed: the file is never held whole, in bytes, text or rows.

:func:`csv_file` chooses the encoding by reading the file in blocks
(:func:`~matcher.ingest.encoding.file_encoding`) and the separator;
:func:`csv_rows` then yields its rows one by one as lists of strings, within
the limits on rows and cell length; :func:`~matcher.ingest.tables.read_table`
turns batches of them into compact text columns before reading the next, so
its peak memory follows the data kept, not the file. A large file's two halves
can be read apart (:func:`split_point`), each from its own byte offset.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..i18n import gettext as _
from .encoding import file_encoding
from .limits import check_rows, limit
from .text_columns import text_frame

__all__ = ["CsvFile", "csv_file", "csv_rows", "split_point", "tail_frame"]

#: Characters of the file's start from which the separator (comma, tab or semicolon) is guessed.
_SNIFF_CHARS = 20000


@dataclass(frozen=True)
class CsvFile:
    """A CSV file checked and ready to read: its codec, encoding name, SHA-256 and separator."""

    path: str
    p: Path
    codec: str
    encoding: str
    sha256: str
    delimiter: str


def csv_file(path: str, p: Path) -> CsvFile:
    """Check a CSV file's encoding (:func:`~matcher.ingest.encoding.file_encoding`) and guess its separator.

    Raises
    ------
    InputError
        Empty, binary or undecodable file.
    """
    codec, encoding, digest = file_encoding(path, p)
    with open(p, encoding=codec, newline="") as fh:
        sample = fh.read(_SNIFF_CHARS)
    try:
        delim = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        delim = ","
    return CsvFile(path, p, codec, encoding, digest, delim)


def csv_rows(f: CsvFile, *, start: int = 0, stop: int | None = None) -> Iterator[list[str]]:
    """The rows of the CSV file as they are read (of its bytes from ``start`` to ``stop`` only, when given).

    More than ``MAX_ROWS`` rows or a cell longer than ``MAX_CELL_CHARS`` raise
    :class:`~matcher.errors.InputError` when reached, as does a CSV error, naming the line
    (counted from ``start``).
    """
    codec = "utf-8" if start and f.codec == "utf-8-sig" else f.codec  # a byte-order mark only at the start of the file
    raw = open(f.p, "rb")  # closed with the text stream that wraps it
    raw.seek(start)
    stream = raw if stop is None else io.BufferedReader(_Upto(raw, stop - start))
    with io.TextIOWrapper(stream, encoding=codec, newline="") as fh:
        yield from _rows(f.path, fh, f.delimiter)


def split_point(f: CsvFile) -> int | None:
    """A byte offset near the middle of the file where a line ends outside quotes, to read the two halves apart.

    The first line end after the middle with an even number of quotes before it; None when the
    file's codec may have a quote or line-end byte inside a character (none of those read here
    does) or no such line end is found. Only a likely record boundary: the first half read up to
    it ends inside a quoted cell (a CSV error) when it is not one.
    """
    if f.codec not in _ASCII_SAFE:
        return None
    size = f.p.stat().st_size
    quotes, at = 0, 0
    with open(f.p, "rb") as fh:
        while at < size // 2:
            block = fh.read(min(_BLOCK, size // 2 - at))
            if not block:
                return None
            quotes += block.count(b'"')
            at += len(block)
        while block := fh.read(_BLOCK):
            pos = 0
            while (nl := block.find(b"\n", pos)) >= 0:
                quotes += block.count(b'"', pos, nl)
                if quotes % 2 == 0:
                    return at + nl + 1 if at + nl + 1 < size else None
                pos = nl + 1
            quotes += block.count(b'"', pos)
            at += len(block)
    return None


def tail_frame(part: tuple[CsvFile, int]) -> tuple[pd.DataFrame, np.ndarray]:
    """The text frame and cell counts of a CSV file's rows from a byte offset to the end (a worker's half)."""
    f, start = part
    rows_in = csv_rows(f, start=start)
    try:
        return text_frame(rows_in, 0)
    finally:
        rows_in.close()


#: Codecs in which the bytes of a quote and a line end never occur inside another character (ASCII-compatible, multi-byte
#: characters made of bytes from 0x30 up): a line end found in the bytes is a line end of the text.
_ASCII_SAFE = ("utf-8-sig", "utf-8", "gb18030", "big5", "big5hkscs")
#: Bytes read at a time while looking for a split point.
_BLOCK = 1 << 20


class _Upto(io.RawIOBase):
    """The next ``n`` bytes of a binary file, then its end (the file is closed with this)."""

    def __init__(self, raw, n: int):
        self._raw, self._left = raw, n

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._left <= 0:
            return 0
        got = self._raw.readinto(memoryview(b)[: min(len(b), self._left)])
        self._left -= got or 0
        return got or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


def _rows(path: str, fh, delim: str) -> Iterator[list[str]]:
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
