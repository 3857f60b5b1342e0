"""Tables as a user reads them: columns in the language in use, headers from the catalogue.

The lookups (:mod:`.enterprise`, :mod:`.city`, :mod:`.targets`) compute frames
whose columns are identifiers, with Chinese and English variants side by side
(``city`` / ``city_en``, ``reason_zh`` / ``reason_en``). :func:`readable` keeps
the columns asked for, takes each in the language in use, translates the values
that are identifiers (link statuses, stages) and gives each column its header
(:func:`matcher.i18n.column_label`).
"""

from __future__ import annotations

import pandas as pd

from ..i18n import NC_, column_label, get_language, pgettext

__all__ = ["readable", "status_label", "COLUMNS"]

#: Column identifiers of the lookups, declared for the catalogue (headers via ``column_label``).
COLUMNS = (
    NC_("column", "field"),
    NC_("column", "value"),
    NC_("column", "list"),
    NC_("column", "year"),
    NC_("column", "rank"),
    NC_("column", "listed_name"),
    NC_("column", "revenue"),
    NC_("column", "revenue_unit"),
    NC_("column", "listed_industry"),
    NC_("column", "edition_used"),
    NC_("column", "industry"),
    NC_("column", "confidence"),
    NC_("column", "method"),
    NC_("column", "evidence"),
    NC_("column", "city"),
    NC_("column", "candidates"),
    NC_("column", "chain"),
    NC_("column", "link"),
    NC_("column", "link_stage"),
    NC_("column", "link_status"),
    NC_("column", "link_evidence"),
    NC_("column", "score"),
    NC_("column", "chain_fit"),
    NC_("column", "status_weight"),
    NC_("column", "c_chain"),
    NC_("column", "c_region"),
    NC_("column", "c_tier"),
    NC_("column", "c_endowment"),
    NC_("column", "c_origin"),
    NC_("column", "reason"),
    NC_("column", "reason_zh"),
    NC_("column", "reason_en"),
    NC_("column", "name"),
    NC_("column", "enterprise_id"),
    NC_("column", "tiers"),
    NC_("column", "hq_city"),
    NC_("column", "source_region"),
    NC_("column", "date"),
    NC_("column", "team_id"),
    NC_("column", "kind"),
    NC_("column", "outcome"),
    NC_("column", "next_step"),
    NC_("column", "project_id"),
    NC_("column", "stage"),
    NC_("column", "stage_date"),
    NC_("column", "amount_yuan"),
    NC_("column", "signed_date"),
    NC_("column", "park"),
    NC_("column", "anchor_firm"),
    NC_("column", "top_candidates"),
    NC_("column", "broad_fits"),
    NC_("column", "rank_in_link"),
)
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
#: Columns whose values are identifiers of a context, translated when read.
_VALUE_CONTEXT = {"link_status": "link status", "link_stage": "stage", "method": "industry method"}


def status_label(status: str) -> str:
    """A link status (``missing``, ``weak``, ``strong``) as the language in use says it."""
    return pgettext("link status", status) if status else ""


def readable(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """``columns`` of ``frame`` in the language in use, values that are identifiers translated, headers labelled.

    A column ``c`` is taken from ``c_en`` in English where the frame has it; ``reason``
    is ``reason_zh`` or ``reason_en``. Columns the frame lacks are left out.
    """
    en = get_language() == "en"
    out = {}
    for c in columns:
        if c == "reason":
            src = "reason_en" if en else "reason_zh"
        else:
            src = f"{c}_en" if en and f"{c}_en" in frame.columns else c
        if src not in frame.columns:
            continue
        col = frame[src]
        if c in _VALUE_CONTEXT:
            col = col.map(lambda v, ctx=_VALUE_CONTEXT[c]: pgettext(ctx, v) if isinstance(v, str) and v else v)
        out[column_label(c)] = col.to_numpy()
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)
