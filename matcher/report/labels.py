"""Tables as a user reads them: columns in the language in use, headers from the catalogue.

The lookups (:mod:`.enterprise`, :mod:`.city`, :mod:`.targets`) compute frames
whose columns are identifiers, with Chinese and English variants side by side
(``city`` / ``city_en``, ``reason_zh`` / ``reason_en``). :func:`readable` shows
them as the exports do (:func:`.headers.localised`) and keeps the columns asked
for, each under its header (:func:`matcher.i18n.column_label`).
"""

from __future__ import annotations

import pandas as pd

from ..i18n import NC_, column_label, get_language, pgettext
from .headers import localised

__all__ = ["readable", "status_label"]

#: Link statuses and stages, as identifiers of their own context.
VALUES = (
    NC_("link status", "missing"),
    NC_("link status", "weak"),
    NC_("link status", "strong"),
    NC_("stage", "upstream"),
    NC_("stage", "midstream"),
    NC_("stage", "downstream"),
    NC_("industry method", "label"),
    NC_("industry method", "segment"),
    NC_("industry method", "fuzzy"),
    NC_("industry method", "line"),
    NC_("industry method", "keyword"),
    NC_("industry method", "name"),
    NC_("ownership", "central_soe"),
    NC_("ownership", "local_soe"),
    NC_("ownership", "private"),
    NC_("ownership", "foreign"),
)
#: Sheets of the lookups' workbooks.
SHEETS = (
    NC_("sheet", "profile"),
    NC_("sheet", "lists"),
    NC_("sheet", "industries"),
    NC_("sheet", "ranks"),
    NC_("sheet", "visits"),
    NC_("sheet", "projects"),
    NC_("sheet", "links"),
    NC_("sheet", "candidates"),
    NC_("sheet", "uncovered"),
    NC_("sheet", "anchors"),
    NC_("sheet", "targets"),
)
def status_label(status: str) -> str:
    """A link status (``missing``, ``weak``, ``strong``) as the language in use says it."""
    return pgettext("link status", status) if status else ""


def readable(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """``columns`` of ``frame`` as the language in use shows them, headers labelled.

    The frame is shown as every export shows it (:func:`.headers.localised`: ``X_zh`` /
    ``X_en`` pairs in the language in use, money in 亿元, yes/no, identifier values
    translated); then the ``columns`` asked for are kept, in that order, each under its
    header (:func:`matcher.i18n.column_label`). An enterprise's name is shown in English
    (``name_en``) where the language is English and the frame has it. Columns the frame
    lacks are left out.
    """
    shown = localised(frame)
    en = get_language() == "en"
    out = {}
    for c in columns:
        src = c
        if c == "name" and en and "name_en" in shown.columns:
            src = "name_en"
        elif c not in shown.columns and c.endswith("_yuan"):
            src = c[: -len("_yuan")] + "_100m_yuan"
        if src not in shown.columns:
            continue
        out[column_label(c if src == "name_en" else src)] = shown[src].to_numpy()
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)
