"""The one table reader: every CSV or XLSX input goes through :func:`read_table`.

Input is whatever the office receives: CSV in UTF-8 (with or without BOM) or
GBK/GB18030, Excel workbooks with merged title rows above the header, Chinese
or English headers, full-width characters. :func:`read_table` finds the header
row, maps the headers to canonical fields (:data:`FIELD_ALIASES`, one place to
extend, or the caller's own spellings) and returns every cell as
NFKC-normalised text and, when asked, the worksheet's merged-cell ranges.

A CSV file is streamed (:mod:`matcher.ingest.csv_rows`): its rows are turned
into compact text columns :data:`~matcher.ingest.text_columns.BATCH_ROWS` at a time, so the peak memory of
reading follows the text kept, not the file. A file of :data:`SPLIT_FROM` bytes
or more is read in two halves at once, the second by a worker process, and gives
the same table (any error, or a split inside a quoted cell: read again in one
piece, which names it). ``benchmarks/big_csv.py``, a 195 MB file: 8.4 s and
0.6 GB in one piece; 5.7 s in two halves, each process peaking at 0.8 GB (the
worker's half crosses a pipe); reading it whole took 1.7 GB.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._parallel import Background, workers
from .._text import clean_text
from ..errors import InputError
from ..i18n import gettext as _
from .csv_rows import CsvFile, csv_file, csv_rows, split_point, tail_frame
from .limits import check_cell, check_extent, check_file_size, check_rows, check_workbook_zip, limit
from .text_columns import text_frame

__all__ = ["FIELD_ALIASES", "Table", "alias_index", "read_table"]

# Canonical field -> header spellings (compared after NFKC, lower case, with
# spaces, underscores and bracketed units removed). Extend here.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "rank": ("排名", "名次", "排序", "序号", "位次", "rank", "ranking", "no", "no.", "#"),
    "name": (
        "企业名称",
        "公司名称",
        "企业",
        "公司",
        "名称",
        "单位名称",
        "企业全称",
        "name",
        "company",
        "companyname",
        "enterprise",
        "enterprisename",
        "name_zh",
        "中文名称",
    ),
    "name_en": ("英文名称", "英文名", "englishname", "name_en", "nameen"),
    "aliases": ("别名", "简称", "曾用名", "aliases", "alias", "othernames"),
    "revenue": (
        "营业收入",
        "营收",
        "收入",
        "营业总收入",
        "revenue",
        "revenues",
        "revenues_usd_m",
        "revenue_wan",
        "revenueusdm",
        "revenuewan",
        "营业收入万元",
    ),
    "province": ("省份", "所在省份", "省", "所在省", "所在地区", "地区", "省市", "所在省市", "province", "hq_province"),
    "city": ("城市", "所在城市", "市", "city", "hq_city", "所在地市"),
    "hq": ("总部", "总部所在地", "总部地址", "注册地", "所在地", "hq_location", "headquarters", "hq", "location", "hqlocation"),
    "country": ("国家", "国家/地区", "国家地区", "country", "countryregion"),
    "industry": ("行业", "所属行业", "行业类别", "行业分类", "所属产业", "industry", "industry_en"),
    "sector": (
        "板块",
        "sector",
    ),
    "business": ("主营业务", "经营范围", "主要产品", "主营产品", "business", "mainbusiness", "business_zh"),
    "branches": ("主要分支机构", "分支机构", "分支机构所在城市", "主要分支机构所在地", "branches", "branch_cities", "majorbranches"),
    "ownership": ("企业性质", "所有制", "性质", "所有制性质", "ownership", "企业类型"),
    "year": ("年份", "年度", "year"),
}

_UNIT_RE = re.compile(r"[\(\[]([^)\]]*)[\)\]]")
_HEADER_SCAN_ROWS = 30


#: Traditional characters of header words (企業名稱, 所在地區, 營業收入…) → simplified: a Big5 list from Hong Kong
#: or Taiwan has the same headers. Only headers are folded; names are kept as written.
_TRADITIONAL = str.maketrans("業稱區營總屬別簡國類產務範圍機構門單號數資來說註計額團積點稅萬億", "业称区营总属别简国类产务范围机构门单号数资来说注计额团积点税万亿")


def _header_key(text: str) -> str:
    t = unicodedata.normalize("NFKC", str(text)).strip().lower().translate(_TRADITIONAL)
    t = _UNIT_RE.sub("", t)
    return re.sub(r"[\s_\-:：]+", "", t)


_ALIAS_INDEX = {_header_key(a): f for f, aliases in FIELD_ALIASES.items() for a in aliases}


def alias_index(fields: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Header key → canonical field for a field → spellings mapping (like :data:`FIELD_ALIASES`)."""
    return {_header_key(a): f for f, aliases in fields.items() for a in aliases}


def _field_of(header: str, index: dict[str, str] | None = None) -> str | None:
    index = _ALIAS_INDEX if index is None else index
    key = _header_key(header)
    if key in index:
        return index[key]
    # Headers with a year or unit glued on: "2024排名", "营业收入（万元）"
    stripped = re.sub(r"^\d{4}年?", "", key)
    return index.get(stripped)


def _unit_of(header: str) -> str:
    t = unicodedata.normalize("NFKC", str(header)).lower().translate(_TRADITIONAL)
    if "万元" in t or "wan" in t:
        return "CNY_10k"
    if "亿元" in t or "亿" in t:
        return "CNY_100m"
    if "usd" in t or "$" in t or "美元" in t:
        return "USD_m"
    return ""


@dataclass
class Table:
    """Cells of one sheet as text, with their canonical fields.

    Attributes
    ----------
    path : str
        The file as the user named it.
    frame : DataFrame
        One column per recognised field (canonical names), text values,
        ``""`` for empty cells; unrecognised columns are kept under their
        own header.
    headers : dict
        Canonical field → header as written in the file.
    units : dict
        Canonical field → unit read from its header (``"CNY_10k"`` …).
    first_row : int
        Spreadsheet row number of the first data row.
    encoding : str
    sha256 : str
        Of the file's bytes.
    merged_cells : tuple of str
        The worksheet's merged-cell ranges (``"B3:B4"``) as openpyxl reads
        them, when :func:`read_table` was asked for them; empty for CSV.
    skipped : tuple of str
        Footnote, source and total rows dropped from the bottom, as
        ``row N: text`` (注：…, 数据来源：…, 合计).
    """

    path: str
    frame: pd.DataFrame
    headers: dict[str, str]
    units: dict[str, str]
    first_row: int
    encoding: str
    sha256: str
    merged_cells: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    #: Spreadsheet row number of each data row (empty rows between data rows are left out); by default consecutive.
    rows: tuple[int, ...] | None = None

    def row_number(self, index: int) -> int:
        """Spreadsheet row number of the data row at positional ``index``."""
        return self.first_row + int(index) if self.rows is None else int(self.rows[int(index)])

    def row_numbers(self) -> np.ndarray:
        """Spreadsheet row number of every data row."""
        return self.first_row + np.arange(len(self.frame)) if self.rows is None else np.asarray(self.rows, dtype=np.int64)


def _find_header(rows: list[list[str]], path: str, index: dict[str, str] | None = None) -> int:
    best, best_hits = -1, 0
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        fields = [_field_of(c, index) for c in row if str(c).strip()]
        hits = len({f for f in fields if f})
        if "name" in fields and hits >= 2 or hits >= 3:
            return i
        if hits > best_hits:
            best, best_hits = i, hits
    # A table of another kind (visits, projects) may have no name column: its best row is the
    # header when it names at least one of its fields; the caller then says which ones are missing.
    named = index is not None and "name" not in set(index.values())
    if best >= 0 and best_hits >= 1 and (named or any(_field_of(c, index) == "name" for c in rows[best])):
        return best
    if index is not None:
        expected = " / ".join(sorted(set(index.values()))[:6])
    else:
        expected = " / ".join(FIELD_ALIASES["name"][:4] + FIELD_ALIASES["rank"][:2])
    raise InputError(
        path,
        _("no header row found in the first {n} rows; expected a row with columns such as {expected}").format(n=_HEADER_SCAN_ROWS, expected=expected),
    )


def read_table(
    path: str | Path, *, sheet: str | None = None, fields: dict[str, tuple[str, ...]] | None = None, merged_cells: bool = False
) -> Table:
    """Read a CSV or Excel file into a :class:`Table` of text cells.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt``/``.tsv`` (UTF-8, UTF-8 with BOM, GBK or GB18030, or
        Big5 detected by :func:`~matcher.ingest.encoding.file_encoding`, read as a stream; comma, tab or semicolon separated) or ``.xlsx``/``.xlsm``.
    sheet : str, optional
        Worksheet name for Excel files; default the first sheet.
    fields : dict, optional
        Canonical field → header spellings, instead of :data:`FIELD_ALIASES`
        (for other kinds of sheet, such as the visit and project templates).
    merged_cells : bool
        Also read an Excel sheet's merged-cell ranges (:attr:`Table.merged_cells`).
        This loads the whole workbook rather than streaming it, about 1.5× the time.

    Raises
    ------
    InputError
        Unreadable, empty, beyond a limit of :mod:`matcher.ingest.limits` (size, unpacked size,
        rows, cell length), in an encoding not read, or without a recognisable header row.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(str(path), _("file not found"))
    if p.is_dir():
        raise InputError(str(path), _("is a folder; expected a CSV or Excel file"))
    size = p.stat().st_size
    check_file_size(str(path), size)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        data = p.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        check_workbook_zip(str(path), data)
        grid, merged = _read_excel(p, data, sheet, merged_cells)
        del data
        return _table(str(path), *_below_header(str(path), _drain(grid), fields), encoding="xlsx", sha256=digest, merged=merged)
    if suffix == ".xls":
        raise InputError(str(path), _("old .xls workbooks are not supported; save it as .xlsx or CSV"))
    if sheet is not None:
        raise InputError(str(path), _("--sheet applies to Excel workbooks only"))
    # Streamed: the rows are read batch by batch and kept as compact text columns.
    f = csv_file(str(path), p)
    # A large file: its second half read by a worker process while this one reads the first.
    split = split_point(f) if size >= SPLIT_FROM and workers() >= 2 else None
    if split is not None:
        tail = Background(tail_frame, [(f, split)], nice=0)
        try:
            return _read_csv(str(path), f, fields, stop=split, tail=tail)
        except InputError:
            pass  # an error in either half, or the split inside a quoted cell after all: read in one piece, which names it
        finally:
            tail.close()
    return _read_csv(str(path), f, fields)


#: CSV files of this many bytes and more are read in two halves at once (:func:`~matcher.ingest.csv_rows.split_point`).
SPLIT_FROM = 32 << 20


def _read_csv(path: str, f: CsvFile, fields, *, stop: int | None = None, tail: Background | None = None) -> Table:
    """The table of a CSV file; with ``stop``, of its rows up to that byte followed by the rows of the ``tail`` a worker read."""
    frame, lengths, header, h, index = _below_header(path, csv_rows(f, stop=stop), fields, more=() if tail is None else _taken(tail))
    check_rows(path, len(frame))  # each half was within the limit: both together may not be
    return _table(path, frame, lengths, header, h, index, encoding=f.encoding, sha256=f.sha256)


def _below_header(path: str, rows_in: Iterator[list[str]], fields, more=()) -> tuple[pd.DataFrame, np.ndarray, list[str], int, dict | None]:
    """The text frame of the rows below the header row (then of ``more``), the rows' cell counts, the header, its position, the alias index."""
    try:
        head = [[clean_text(c) for c in row] for row in itertools.islice(rows_in, _HEADER_SCAN_ROWS + 1)]
        index = alias_index(fields) if fields is not None else None
        h = _find_header(head, path, index)
        frame, lengths = text_frame(itertools.chain(head[h + 1 :], rows_in), len(head[h]), more=more)
    finally:
        close = getattr(rows_in, "close", None)
        if close is not None:
            close()
    return frame, lengths, head[h], h, index


def _taken(tail: Background) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """The text frame and cell counts of the file's tail, once the worker delivers them (read here if it could not).

    A generator, so the wait for the worker starts only when the first half has been read."""
    yield from tail.results()


def _table(
    path: str, frame: pd.DataFrame, lengths: np.ndarray, header: list[str], h: int, index, *, encoding: str, sha256: str, merged=()
) -> Table:
    """The :class:`Table` of the text frame read below the header row (``h``: its position among the rows)."""
    width = frame.shape[1]
    header = header + [""] * (width - len(header))
    # Drop fully empty rows at the end (Excel leaves them) but keep positions for row numbers.
    nonempty = _filled_rows(frame)
    frame = frame.iloc[: int(np.flatnonzero(nonempty)[-1]) + 1] if nonempty.any() else frame.iloc[:0]
    frame, skipped = _drop_note_rows(frame, first_row=h + 2)
    _refuse_cells_beyond_header(frame, header, str(path), first_row=h + 2)
    if encoding != "xlsx":
        _refuse_short_rows(frame, lengths[: len(frame)], header, str(path), first_row=h + 2)
    del lengths
    headers, units, columns, seen = {}, {}, [], set()
    for j, hd in enumerate(header):
        f = _field_of(hd, index) if hd else None
        if f is not None and f not in seen:
            seen.add(f)
            headers[f] = hd
            units[f] = _unit_of(hd)
            columns.append(f)
        else:
            columns.append(hd or f"column_{j + 1}")
    frame.columns = columns
    frame = frame.loc[:, ~pd.Index(columns).duplicated()]
    # Empty rows between data rows (a spacer line in Excel, ",,," in a CSV) are no entries; rows keep their numbers.
    filled = _filled_rows(frame)
    rows = tuple(int(r) for r in h + 2 + np.flatnonzero(filled))
    frame = frame[filled].reset_index(drop=True)
    if frame.empty:
        raise InputError(str(path), _("the file has a header row but no data rows"))
    return Table(
        str(path), frame, headers, units, first_row=h + 2, encoding=encoding, sha256=sha256, merged_cells=merged, skipped=skipped, rows=rows
    )


#: A row at the bottom of a table that is a footnote, a source line or a total, not an entry.
_NOTE_ROW = re.compile(r"^(注|备注|说明|数据来源|资料来源|来源|制表|填表|合计|小计|总计|notes?|source|total)(\s|[:：]|$)", re.IGNORECASE)


def _drop_note_rows(frame: pd.DataFrame, *, first_row: int) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Drop the footnote, source and total rows at the bottom (注：…, 数据来源：…, 制表：…, 合计 …), saying which."""
    notes: list[str] = []
    end = len(frame)
    for i in range(len(frame) - 1, -1, -1):  # only the trailing rows are looked at
        cells = [str(c).strip() for c in frame.iloc[i].tolist() if str(c).strip()]
        if not cells:
            continue
        if not _NOTE_ROW.match(cells[0]):
            break
        notes.append(_("row {row}: {text}").format(row=first_row + i, text=cells[0][:40]))
        end = i
    return frame.iloc[:end], tuple(reversed(notes))


def _refuse_cells_beyond_header(frame: pd.DataFrame, header: list[str], path: str, *, first_row: int) -> None:
    """A value in a column with no header is a shifted row, not data: refuse it, naming the row."""
    named = [j for j, h in enumerate(header) if str(h).strip()]
    if not named or frame.empty:
        return
    beyond = frame.iloc[:, named[-1] + 1 :]
    if beyond.shape[1] == 0:
        return
    filled = (beyond != "").to_numpy(dtype=bool)
    if filled.any():
        i, j = (int(x[0]) for x in np.nonzero(filled))
        raise InputError(
            path,
            _("a value beyond the last column of the header ({column}); the row has more cells than the header").format(column=header[named[-1]]),
            row=first_row + i,
            value=str(beyond.iat[i, j]),
            more=int(filled.any(axis=1).sum()) - 1,
        )


def _refuse_short_rows(frame: pd.DataFrame, lengths: list[int], header: list[str], path: str, *, first_row: int) -> None:
    """A CSV row with fewer cells than the header is missing a separator (a shifted row): refuse it, naming the row.

    An unknown value is an empty cell (``2,恒逸集团,浙江省,``), not a missing one. Excel rows are
    not checked: a sheet does not store its trailing empty cells.
    """
    named = [j for j, h in enumerate(header) if str(h).strip()]
    if not named or frame.empty:
        return
    need = named[-1] + 1
    n = np.asarray(lengths)
    short = np.flatnonzero((n < need) & _filled_rows(frame))
    if len(short):
        i = int(short[0])
        raise InputError(
            path,
            _(
                "the row has {cells} cells but the header has {need} (up to {column}); a separator is missing — "
                "leave an unknown value as an empty cell"
            ).format(cells=int(n[i]), need=need, column=header[named[-1]]),
            row=first_row + i,
            value=",".join(str(c) for c in frame.iloc[i, : int(n[i])]),
            more=len(short) - 1,
        )


def _filled_rows(frame: pd.DataFrame) -> np.ndarray:
    """Whether each row has a non-empty cell (the cells are stripped text), column by column: no copy of the frame."""
    filled = np.zeros(len(frame), dtype=bool)
    for j in range(frame.shape[1]):
        filled |= (frame.iloc[:, j] != "").to_numpy(dtype=bool)
    return filled


def _drain(grid: list[list[str]]) -> Iterator[list[str]]:
    """The rows of ``grid``, each let go of once given (the grid empties as it is read)."""
    grid.reverse()
    while grid:
        yield grid.pop()


def _read_excel(p: Path, data: bytes, sheet: str | None, merged_cells: bool) -> tuple[list[list[str]], tuple[str, ...]]:
    """Cell texts of one worksheet, and its merged-cell ranges when asked for.

    openpyxl gives merged-cell ranges only for a workbook loaded in full; without
    them the workbook is streamed (read-only), which is faster.
    """
    import openpyxl  # lazy: only Excel input needs it

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=not merged_cells, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(
            str(p), _("cannot open the workbook ({kind}: {reason}); expected a valid .xlsx file").format(kind=type(exc).__name__, reason=exc)
        ) from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise InputError(str(p), _("no sheet named {sheet!r}; the workbook has: {sheets}").format(sheet=sheet, sheets=", ".join(wb.sheetnames)))
        grid = _sheet_cells(ws, str(p))
        merged = tuple(r.coord for r in ws.merged_cells.ranges) if merged_cells else ()
    finally:
        wb.close()
    if not grid or not any(any(c.strip() for c in r) for r in grid):
        raise InputError(str(p), _("the sheet is empty; expected a header row and data rows"))
    return grid, merged


def _sheet_cells(ws, path: str) -> list[list[str]]:
    """Cell texts of a worksheet, row by row, within the limits on extent, rows and cell length."""
    check_extent(path, ws.max_row, ws.max_column)
    most_rows, most_cells, longest = limit("MAX_ROWS"), limit("MAX_CELLS"), limit("MAX_CELL_CHARS")
    grid: list[list[str]] = []
    cells = 0
    for values in ws.iter_rows(values_only=True):
        row = ["" if v is None else _cell_text(v) for v in values]
        grid.append(row)
        cells += len(row)
        if len(grid) > most_rows:
            check_rows(path, len(grid))
        if cells > most_cells:  # a sheet without a (true) dimension: its extent as read so far
            check_extent(path, len(grid), cells // len(grid) + 1)
        if row and max(map(len, row)) > longest:
            j = next(j for j, text in enumerate(row) if len(text) > longest)
            check_cell(path, row[j], len(grid), j + 1)
    return grid


def _cell_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
