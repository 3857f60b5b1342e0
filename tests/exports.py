"""Reading exported tables back by column identifier, whatever language their headers are in.

Exports show the catalogue's headers (排名, 企业名称 …); :func:`matcher.report.headers.column_ids`
maps them back, so a test asserts on ``rank`` and ``name`` as before.
"""

from __future__ import annotations

import pandas as pd

from matcher.report.headers import column_ids


def read_csv(path, **kw) -> pd.DataFrame:
    """An exported CSV with identifiers as column names."""
    frame = pd.read_csv(path, encoding="utf-8-sig", **kw)
    frame.columns = column_ids(frame.columns)
    return frame


def read_xlsx(path, sheet=0, **kw) -> pd.DataFrame:
    """A sheet of an exported workbook (``header=2`` below a title) with identifiers as column names."""
    frame = pd.read_excel(path, sheet_name=sheet, **kw)
    frame.columns = column_ids(frame.columns)
    return frame
