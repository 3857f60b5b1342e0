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

import numpy as np
import pandas as pd

from .._files import FIXED_TIME, atomic_write_bytes, normalise_zip
from ..errors import MatcherError
from ..i18n import column_label, gettext
from .headers import FOLD_WHEN_CONSTANT, is_detail, is_money, is_percent, is_wrapped, localised, sheet_label, text_width, wrap_width

__all__ = ["write_table", "write_csv", "write_xlsx", "safe_frame", "labelled", "FORMULA_START"]

#: Characters no name needs: those an XLSX cell cannot hold, and carriage returns (a bare CR breaks CSV rows).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: A spreadsheet reads a cell beginning with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _text_cells(col: pd.Series) -> pd.Series:
    """Where a column holds text (not numbers, dates or missing values), column-wise."""
    if not (pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col)):
        return pd.Series(False, index=col.index)
    if isinstance(col.dtype, pd.StringDtype):
        return col.notna()
    return pd.Series([isinstance(v, str) for v in col.tolist()], index=col.index, dtype=bool)  # numbers mixed in stay numbers


#: Up to this many rows a column is cleaned cell by cell (pandas' per-call cost dominates small tables,
#: such as the 44 team lists of a week); longer columns with pandas' string methods. Both give the same cells.
CELL_BY_CELL_ROWS = 5000
_UNSAFE = re.compile(r"^[=+\-@\t\r]|[\x00-\x08\x0b-\x1f\x7f]")


def _safe_cells(values: list, quote_formulas: bool) -> list | None:
    """The cells of a short column made safe, or ``None`` when none needed it."""
    pattern = _UNSAFE if quote_formulas else _CONTROL
    if not any(isinstance(v, str) and pattern.search(v) for v in values):
        return None
    out = []
    for v in values:
        if isinstance(v, str):
            v = _CONTROL.sub("", v)
            if quote_formulas and _FORMULA.match(v):
                v = "'" + v
        out.append(v)
    return out


def safe_frame(frame: pd.DataFrame, *, quote_formulas: bool = True, cell_by_cell_rows: int = CELL_BY_CELL_ROWS) -> pd.DataFrame:
    """``frame`` with control characters removed from its text (headers too) and, with ``quote_formulas``,
    a ``'`` before every text that a spreadsheet would read as a formula."""
    out = frame.copy()
    for c in out.columns:
        if not (pd.api.types.is_object_dtype(out[c]) or pd.api.types.is_string_dtype(out[c])):
            continue
        if len(out) <= cell_by_cell_rows:
            cells = _safe_cells(out[c].tolist(), quote_formulas)
            if cells is not None:
                out[c] = pd.Series(cells, index=out.index, dtype=object)
            continue
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


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a user reads it: :func:`.headers.localised`, under the catalogue's headers."""
    out = localised(frame)
    out.columns = [column_label(c) for c in out.columns]
    return out


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    # UTF-8 with BOM so Excel opens Chinese text correctly; LF line endings.
    return safe_frame(labelled(frame)).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a CSV (UTF-8 with BOM, so Excel shows Chinese correctly), as :func:`labelled` shows it."""
    return atomic_write_bytes(path, _csv_bytes(frame))


#: Column widths in a workbook, in characters of a fixed-width font (CJK count double).
_MAX_WIDTH, _MIN_WIDTH = 30, 8


def _number_format(ids: str, col: pd.Series) -> str | None:
    if is_money(ids):
        return "#,##0.00"
    if is_percent(ids):
        return "0.0%"
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
        return None
    if pd.api.types.is_integer_dtype(col):
        return "0"
    values = col.dropna().abs()
    if len(values) and (values == values.round()).all():
        return "#,##0"  # whole numbers held as floats (a target missing for some rows)
    return "0.000" if len(values) and values.max() <= 1 else "#,##0.00"


def _width(header: str, col: pd.Series, fmt: str | None, wrap: int) -> float:
    head = max(text_width(part) for part in header.split("\n"))
    if wrap:
        longest = max([text_width(v) for v in col.dropna().head(200).astype(str)] + [0])
        return float(max(min(wrap, longest + 2), head + 2, _MIN_WIDTH))
    if fmt is not None:
        longest = max([len(f"{v:,.2f}") for v in col.dropna().head(200)] + [4])
    else:
        longest = max([text_width(v) for v in col.dropna().head(200).astype(str)] + [0])
    return float(min(_MAX_WIDTH, max(_MIN_WIDTH, head + 2, longest + 2)))


def _data_sheet(wb, name: str, frame: pd.DataFrame, *, title: str | None, empty: str | None) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    loc = localised(frame)
    shown_ids = [str(c) for c in loc.columns]
    # Text cells are typed as text below, so no quote is needed against formulas.
    shown = safe_frame(loc.set_axis([column_label(c) for c in shown_ids], axis=1), quote_formulas=False)
    folded = [
        is_detail(i, shown_ids) or (i in FOLD_WHEN_CONSTANT and len(shown) > 1 and shown.iloc[:, j].nunique(dropna=False) == 1)
        for j, i in enumerate(shown_ids)
    ]
    # The title and notes go in the first column left unfolded, where they are seen.
    first = next((j for j, f in enumerate(folded, start=1) if not f), 1)
    ws = wb.create_sheet(title=sheet_label(name))
    start = 1
    if title:
        t = ws.cell(row=1, column=first, value=_CONTROL.sub("", title))
        t.data_type = "s"
        t.font = Font(bold=True, size=12)
        start = 3
    thin = Side(style="thin", color="A6A6A6")
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for j, col in enumerate(shown.columns, start=1):
        c = ws.cell(row=start, column=j, value=str(col))
        c.data_type = "s"
        c.font = Font(bold=True)
        c.fill = head_fill
        c.border = Border(bottom=thin, top=thin, left=thin, right=thin)
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    formats = [_number_format(i, shown[h]) for i, h in zip(shown_ids, shown.columns)]
    wraps = [wrap_width(i) if is_wrapped(i) else 0 for i in shown_ids]
    top = Alignment(vertical="top")
    wrapped = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(shown.itertuples(index=False), start=start + 1):
        for j, v in enumerate(row, start=1):
            if not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v):
                continue  # None, NaN, NaT and pd.NA: an empty cell
            c = ws.cell(row=i, column=j, value=v.item() if hasattr(v, "item") else v)
            if isinstance(v, str):
                c.data_type = "s"  # never a formula, whatever the text begins with
            elif formats[j - 1]:
                c.number_format = formats[j - 1]
            c.alignment = wrapped if wraps[j - 1] else top
    widths = [_width(str(col), shown[col], formats[j], wraps[j]) for j, col in enumerate(shown.columns)]
    for j, width in enumerate(widths, start=1):
        dim = ws.column_dimensions[get_column_letter(j)]
        dim.width = width
        if folded[j - 1]:
            dim.outlineLevel, dim.hidden = 1, True  # folded away: the [+] above the sheet shows it
    _row_heights(ws, shown, widths, wraps, start)
    last = get_column_letter(max(len(shown.columns), 1))
    if shown.empty:
        note = ws.cell(row=start + 1, column=first, value=_CONTROL.sub("", empty or gettext("No rows.")))
        note.data_type = "s"
        note.font = Font(bold=True, color="C00000")
        note.alignment = wrapped
        end = min(len(shown.columns), first + 7)
        if end > first:
            ws.merge_cells(start_row=start + 1, start_column=first, end_row=start + 1, end_column=end)
        ws.row_dimensions[start + 1].height = _LINE * 3
    else:
        ws.auto_filter.ref = f"A{start}:{last}{start + len(shown)}"
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
    ws.print_title_rows = f"{start}:{start}"
    _page_setup(ws)


#: Points per line of 11-point text; spreadsheets do not grow a row for wrapped text they did not lay out.
_LINE = 15.0


def _row_heights(ws, shown: pd.DataFrame, widths: list[float], wraps: list[bool], start: int) -> None:
    """Rows tall enough for their wrapped texts (and the header for its labels), estimated from the text widths."""
    import math

    head = max([math.ceil(text_width(h) / max(w - 1, 1)) for h, w in zip(shown.columns, widths)] + [1])
    ws.row_dimensions[start].height = _LINE * min(head, 4) + 4
    cols = [j for j, w in enumerate(wraps) if w]
    if not cols or shown.empty:
        return
    lines = np.ones(len(shown), dtype=int)
    for j in cols:
        text = shown.iloc[:, j].fillna("").astype(str)
        # Wrapping breaks lines before the column is full: better a row a little tall than a text cut off.
        lines = np.maximum(lines, np.ceil(text.map(text_width).to_numpy(dtype=float) / max(widths[j] - 2, 1)).astype(int))
    for i, n in enumerate(lines, start=start + 1):
        if n > 1:
            ws.row_dimensions[i].height = _LINE * min(int(n), 12) + 2


def _page_setup(ws) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&P / &N"


def _about_sheet(wb, sheets: Mapping[str, pd.DataFrame], *, title, about, source, synthetic) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(title=sheet_label("about"))
    rows: list[tuple[str, str]] = [(gettext("Contents"), title or "")]
    rows += [(str(k), str(v)) for k, v in about]
    for name, frame in sheets.items():
        rows.append((gettext("Sheet {sheet}").format(sheet=sheet_label(name)), gettext("{n} rows").format(n=len(frame))))
    rows.append(
        (gettext("Data source"), source or gettext("the matcher database: published ranking lists and the history imported into it"))
    )
    if synthetic:
        rows.append((gettext("Synthetic data"), gettext("yes: simulated for a demonstration, not observed; do not use for decisions")))
    ws.cell(row=1, column=1, value=_CONTROL.sub("", title or sheet_label("about"))).font = Font(bold=True, size=12)
    for i, (k, v) in enumerate(rows, start=3):
        a = ws.cell(row=i, column=1, value=_CONTROL.sub("", k))
        b = ws.cell(row=i, column=2, value=_CONTROL.sub("", v))
        a.data_type = b.data_type = "s"
        a.font = Font(bold=True, color="C00000" if k == gettext("Synthetic data") else "000000")
        a.alignment = Alignment(vertical="top")
        b.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = min(40, max([text_width(k) for k, _v in rows] + [12]) + 2)
    ws.column_dimensions["B"].width = 90
    _page_setup(ws)


def _xlsx_bytes(
    sheets: Mapping[str, pd.DataFrame],
    *,
    title: str | None = None,
    about=(),
    source: str | None = None,
    synthetic: bool = False,
    empty: Mapping[str, str] | None = None,
) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    if synthetic and title:
        title = gettext("{title} (synthetic data)").format(title=title)
    for name, frame in sheets.items():
        _data_sheet(wb, name, frame, title=title, empty=(empty or {}).get(name))
    _about_sheet(wb, sheets, title=title, about=about, source=source, synthetic=synthetic)
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "matcher"
    wb.properties.title = _CONTROL.sub("", title or "")
    raw = io.BytesIO()
    wb.save(raw)
    return normalise_zip(raw.getvalue())


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame] | pd.DataFrame,
    path: str | Path,
    *,
    title: str | None = None,
    about=(),
    source: str | None = None,
    synthetic: bool = False,
    empty: Mapping[str, str] | None = None,
) -> Path:
    """Write one or several sheets to an .xlsx workbook, reproducibly, ready to sort and print.

    Parameters
    ----------
    sheets : mapping of sheet identifier to DataFrame, or one DataFrame
        Sheet names and columns are identifiers (``targets``, ``enterprise_id``),
        shown through the catalogue; a name the catalogue lacks is shown as is.
    title : str, optional
        Printed above every sheet's header (row 1; the header is then row 3).
    about : sequence of (label, value)
        What the workbook is for (week, city, team…), on its last sheet, 说明.
    source : str, optional
        Where the data come from.
    synthetic : bool
        Simulated data: the title and the last sheet say so (合成数据).
    empty : mapping of sheet identifier to str, optional
        The line a sheet without rows shows below its header (why it is empty).
    """
    if isinstance(sheets, pd.DataFrame):
        sheets = {"Sheet1": sheets}
    data = _xlsx_bytes(sheets, title=title, about=about, source=source, synthetic=synthetic, empty=empty)
    return atomic_write_bytes(path, data)


def write_table(frame: pd.DataFrame, path: str | Path, *, title: str | None = None, sheet: str = "targets", **workbook) -> Path:
    """Write a table as CSV or XLSX, chosen by the file's suffix (``workbook``: options of :func:`write_xlsx`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return write_csv(frame, path)
    if suffix == ".xlsx":
        return write_xlsx({sheet: frame}, path, title=title, **workbook)
    raise MatcherError(gettext("cannot write {path}: expected a .csv or .xlsx file name").format(path=path))
