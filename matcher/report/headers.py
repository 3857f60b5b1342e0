"""What an exported table shows: its columns declared for the catalogue, in the language in use.

Every exporter goes through :mod:`.writers`, which calls :func:`localised` and
labels each column with :func:`matcher.i18n.column_label`. The columns are
identifiers (``enterprise_id``, ``reason_zh``); this module declares them (the
lookups' and the exports'), so that the catalogue gives each a Chinese and
an English header, and says how a column is shown:

- a pair of generated texts (``reason_zh`` / ``reason_en``, ``chain`` /
  ``chain_en``) becomes one column in the language in use; an enterprise's
  names (``name`` / ``name_en``) are data and both are kept;
- money in yuan (``amount_yuan``) is shown in 亿元 (``amount_100m_yuan``);
- shares (``rate``, ``share_of_target``) are percentages, long texts wrap.

:func:`column_ids` reads headers back into identifiers, in either language,
for anyone (a test, a script) reading an exported file.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from ..i18n import LANGUAGES, NC_, column_label, get_language, gettext, language, pgettext

__all__ = [
    "LOOKUP_COLUMNS",
    "EXPORT_COLUMNS",
    "SHEETS",
    "localised",
    "column_ids",
    "text_width",
    "is_money",
    "is_percent",
    "is_wrapped",
    "is_detail",
    "FOLD_WHEN_CONSTANT",
    "wrap_width",
    "sheet_label",
]

#: Column identifiers of the lookups (:mod:`.labels`), declared for the catalogue (headers via ``column_label``).
LOOKUP_COLUMNS = (
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
#: Exported columns the lookups' :data:`LOOKUP_COLUMNS` do not declare.
EXPORT_COLUMNS = (
    NC_("column", "name_en"),
    NC_("column", "enterprise_name"),
    NC_("column", "enterprise_name_en"),
    NC_("column", "week"),
    NC_("column", "team_name"),
    NC_("column", "home_city"),
    NC_("column", "region"),
    NC_("column", "hq_province"),
    NC_("column", "region_certainty"),
    NC_("column", "ownership"),
    NC_("column", "industries"),
    NC_("column", "chain_score"),
    NC_("column", "region_fit"),
    NC_("column", "region_priority"),
    NC_("column", "tier_score"),
    NC_("column", "endowment_fit"),
    NC_("column", "endowment"),
    NC_("column", "origin"),
    NC_("column", "w_chain"),
    NC_("column", "w_region"),
    NC_("column", "w_tier"),
    NC_("column", "w_endowment"),
    NC_("column", "w_origin"),
    NC_("column", "plan_score"),
    NC_("column", "rule_score"),
    NC_("column", "carryover_bonus"),
    NC_("column", "quota_boost"),
    NC_("column", "diversity_penalty"),
    NC_("column", "anchor_firms"),
    NC_("column", "interested_cities"),
    NC_("column", "contested"),
    NC_("column", "synthetic"),
    NC_("column", "last_contact"),
    NC_("column", "last_contact_city"),
    NC_("column", "pitch"),
    NC_("column", "proposal"),
    NC_("column", "unit"),
    NC_("column", "annual_target"),
    NC_("column", "signed"),
    NC_("column", "expected"),
    NC_("column", "pace"),
    NC_("column", "behind"),
    NC_("column", "boost"),
    NC_("column", "amount_100m_yuan"),
    NC_("column", "arrived_100m_yuan"),
    NC_("column", "value_100m_yuan"),
    NC_("column", "item"),
    NC_("column", "target"),
    NC_("column", "target_name"),
    NC_("column", "pace_target"),
    NC_("column", "vs_pace"),
    NC_("column", "share_of_target"),
    NC_("column", "rolled_in"),
    NC_("column", "behind_year"),
    NC_("column", "scope"),
    NC_("column", "subject"),
    NC_("column", "rule"),
    NC_("column", "requirement"),
    NC_("column", "period"),
    NC_("column", "required"),
    NC_("column", "done"),
    NC_("column", "projects"),
    NC_("column", "group_name"),
    NC_("column", "by"),
    NC_("column", "visited"),
    NC_("column", "rate"),
    NC_("column", "method_name"),
    NC_("column", "brier"),
    NC_("column", "model"),
    NC_("column", "bin"),
    NC_("column", "mean_predicted"),
    NC_("column", "observed_rate"),
    NC_("column", "n"),
    NC_("column", "name_zh"),
    NC_("column", "aliases"),
    NC_("column", "parent_id"),
    NC_("column", "lists"),
    NC_("column", "import_id"),
    NC_("column", "list_type"),
    NC_("column", "source_name"),
    NC_("column", "n_rows"),
    NC_("column", "entries"),
    NC_("column", "profiles"),
    NC_("column", "merges"),
    NC_("column", "imported_at"),
    NC_("column", "merge_id"),
    NC_("column", "kept_id"),
    NC_("column", "kept_name"),
    NC_("column", "merged_id"),
    NC_("column", "merged_name"),
    NC_("column", "at"),
    NC_("column", "undone"),
    NC_("column", "undo_reason"),
    NC_("column", "left_name"),
    NC_("column", "right_name"),
    NC_("column", "probability"),
    # the validation report (:mod:`.validation`)
    NC_("column", "row"),
    NC_("column", "enterprise"),
    NC_("column", "list_name"),
    NC_("column", "city_id"),
    NC_("column", "match"),
    NC_("column", "matched_name"),
    NC_("column", "on_list"),
    NC_("column", "in_universe"),
    NC_("column", "status"),
    NC_("column", "n_fit"),
    NC_("column", "percentile"),
    NC_("column", "group_by"),
    NC_("column", "group"),
    NC_("column", "n_pairs"),
    NC_("column", "coverage_universe"),
    NC_("column", "coverage_universe_lo"),
    NC_("column", "coverage_universe_hi"),
    NC_("column", "coverage_city"),
    NC_("column", "coverage_city_lo"),
    NC_("column", "coverage_city_hi"),
    NC_("column", "median_percentile"),
    NC_("column", "median_percentile_lo"),
    NC_("column", "median_percentile_hi"),
    NC_("column", "hit@10"),
    NC_("column", "hit@10_lo"),
    NC_("column", "hit@10_hi"),
    NC_("column", "hit@50"),
    NC_("column", "hit@50_lo"),
    NC_("column", "hit@50_hi"),
    NC_("column", "hit@100"),
    NC_("column", "hit@100_lo"),
    NC_("column", "hit@100_hi"),
    NC_("column", "mrr"),
    NC_("column", "mrr_lo"),
    NC_("column", "mrr_hi"),
)
#: Sheets of the reports' workbooks (the lookups' are in :data:`.labels.SHEETS`).
SHEETS = (
    NC_("sheet", "about"),
    NC_("sheet", "leads"),
    NC_("sheet", "assignments"),
    NC_("sheet", "contested"),
    NC_("sheet", "quota_pace"),
    NC_("sheet", "quota_by_city"),
    NC_("sheet", "aftercare"),
    NC_("sheet", "tiers"),
    NC_("sheet", "money"),
    NC_("sheet", "cities"),
    NC_("sheet", "cadence"),
    NC_("sheet", "funnel"),
    NC_("sheet", "stages_now"),
    NC_("sheet", "conversion"),
    NC_("sheet", "pairs"),
    NC_("sheet", "summary"),
    NC_("sheet", "weights"),
    NC_("sheet", "weights_chosen"),
    NC_("sheet", "review"),
    NC_("sheet", "enterprises"),
    NC_("sheet", "imports"),
    NC_("sheet", "merges"),
)
#: Identifier values of these columns are translated in their context when shown.
VALUE_CONTEXT = {
    "link_status": "link status",
    "link_stage": "stage",
    "method": "industry method",
    "ownership": "ownership",
    "link_evidence": "link evidence",
    "region_certainty": "region certainty",
    "stage": "project stage",
}
VALUES = (
    NC_("link evidence", "specific"),
    NC_("link evidence", "broad"),
    NC_("region certainty", "city"),
    NC_("region certainty", "province"),
    NC_("region certainty", "none"),
)
#: Names that are data (an enterprise's own names): both languages are kept.
_DATA_PAIRS = frozenset({"name", "enterprise_name"})
#: Shares shown as percentages.
_PERCENT = frozenset({"rate", "share_of_target", "pace", "observed_rate", "mean_predicted", "percentile"})
#: Long texts, wrapped in a workbook.
_WRAP = frozenset(
    {
        "reason",
        "pitch",
        "proposal",
        "industries",
        "anchor_firms",
        "interested_cities",
        "tiers",
        "link",
        "evidence",
        "top_candidates",
        "value",
        "aliases",
        "lists",
        "name",
        "name_en",
        "enterprise_name",
        "enterprise_name_en",
        "team_name",
    }
)


#: The score's workings: kept in a workbook but folded away (an outline level), so a printed page shows the list.
_DETAIL = frozenset(
    {
        "region_certainty",
        "link_evidence",
        "chain_fit",
        "status_weight",
        "chain_score",
        "region_fit",
        "tier_score",
        "endowment_fit",
        "origin",
        "w_chain",
        "w_region",
        "w_tier",
        "w_endowment",
        "w_origin",
        "c_chain",
        "c_region",
        "c_tier",
        "c_endowment",
        "c_origin",
        "rule_score",
        "carryover_bonus",
        "quota_boost",
        "diversity_penalty",
        "hq_province",
        "week",
        "plan_score",
    }
)


#: Columns folded away in a workbook when every row holds the same value (the title says it: a team's own list).
FOLD_WHEN_CONSTANT = frozenset({"team_name", "home_city", "city", "region", "source_region"})


def is_detail(column: str, columns=()) -> bool:
    """A column folded away in a workbook: the score's workings, and a team's id beside its name."""
    return column in _DETAIL or (column == "team_id" and "team_name" in columns)


def sheet_label(name: str) -> str:
    """A sheet's name in the language in use (31 characters at most, as Excel allows)."""
    return pgettext("sheet", name)[:31]


def is_money(column: str) -> bool:
    return column.endswith("_100m_yuan")


def is_percent(column: str) -> bool:
    return column in _PERCENT or column.startswith(("coverage_", "hit@", "median_percentile"))


def is_wrapped(column: str) -> bool:
    return column in _WRAP


def wrap_width(column: str) -> int:
    """The width of a wrapped column: the reason and the pitch are read, the rest glanced at."""
    if column in ("reason", "pitch", "proposal", "value"):
        return 40
    return 20 if column in ("name_en", "enterprise_name_en") else 24


def _yes_no(col: pd.Series) -> pd.Series:
    yes, no = gettext("yes"), gettext("no")
    return col.map(lambda v: yes if v is True or v is np.True_ else no if v is False or v is np.False_ else v)


def localised(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as the language in use shows it, its columns still identifiers.

    ``X_zh`` / ``X_en`` and ``X`` / ``X_en`` pairs become ``X`` in the language in
    use (an enterprise's names excepted); ``X_yuan`` becomes ``X_100m_yuan`` in
    亿元; yes/no columns read 是/否; identifier values of :data:`VALUE_CONTEXT`
    columns are translated.
    """
    en = get_language() == "en"
    cols = [str(c) for c in frame.columns]
    present = set(cols)
    out: dict[str, pd.Series] = {}
    for c in cols:
        if c.endswith(("_zh", "_en")) and c[:-3] in _DATA_PAIRS:
            out[c] = frame[c]  # an enterprise's own names, both kept
        elif c.endswith("_zh") and c[:-3] + "_en" in present:
            base = c[:-3]
            out[base] = frame[base + "_en" if en else c]
        elif c.endswith("_en") and (c[:-3] + "_zh" in present or (c[:-3] in present and c[:-3] not in _DATA_PAIRS)):
            continue  # shown through its pair
        elif c + "_en" in present and c not in _DATA_PAIRS:
            out[c] = frame[c + "_en"] if en else frame[c]
        elif c.endswith("_yuan") and pd.api.types.is_numeric_dtype(frame[c]):
            out[c[: -len("_yuan")] + "_100m_yuan"] = frame[c].astype(float) / 1e8
        elif pd.api.types.is_bool_dtype(frame[c]):
            out[c] = _yes_no(frame[c].astype(object))
        elif c in VALUE_CONTEXT:
            ctx = VALUE_CONTEXT[c]
            out[c] = frame[c].map(lambda v, ctx=ctx: pgettext(ctx, v) if isinstance(v, str) and v else v)
        else:
            out[c] = frame[c]
    return pd.DataFrame(out, index=frame.index)


def column_ids(headers) -> list[str]:
    """The identifiers of exported headers, in either language (a header the catalogue does not know stays).

    Where two identifiers share a header (``name`` and ``enterprise_name`` both read 企业名称),
    the one declared first is given.
    """
    known = list(dict.fromkeys(LOOKUP_COLUMNS + EXPORT_COLUMNS))
    back: dict[str, str] = {}
    for lang in LANGUAGES:
        with language(lang):
            for c in known:
                back.setdefault(column_label(c), c)
    return [back.get(str(h), str(h)) for h in headers]


def text_width(text: str) -> int:
    """How many columns of a fixed-width font ``text`` takes: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))
