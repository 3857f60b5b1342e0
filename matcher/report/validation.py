"""The validation report: per-pair ranks and the summary as CSV and XLSX, and the percentile chart.

Columns are identifiers; the writer gives them the catalogue's headers in
the language in use (Chinese unless English is asked for).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._files import atomic_write_bytes
from ..i18n import gettext
from ..learn.validate import METRICS, Validation
from .charts import new_figure, save_figure
from .writers import write_csv, write_xlsx

__all__ = ["PAIR_HEADERS", "SUMMARY_HEADERS", "pairs_table", "summary_table", "percentile_chart", "write_validation"]

#: Columns of the per-pair table (declared in :mod:`.headers`; headers from the catalogue).
PAIR_HEADERS = (
    "row",
    "enterprise",
    "list_name",
    "city",
    "city_id",
    "enterprise_id",
    "match",
    "matched_name",
    "probability",
    "name",
    "name_en",
    "on_list",
    "in_universe",
    "status",
    "rank",
    "n",
    "n_fit",
    "percentile",
    "score",
    "chain",
    "link",
    "link_status",
    "reason_zh",
    "reason_en",
)
#: Columns of the summary: each metric followed by its interval bounds.
SUMMARY_HEADERS = (
    "group_by",
    "group",
    "n_pairs",
    "coverage_universe",
    "coverage_universe_lo",
    "coverage_universe_hi",
    "coverage_city",
    "coverage_city_lo",
    "coverage_city_hi",
    "median_percentile",
    "median_percentile_lo",
    "median_percentile_hi",
    "hit@10",
    "hit@10_lo",
    "hit@10_hi",
    "hit@50",
    "hit@50_lo",
    "hit@50_hi",
    "hit@100",
    "hit@100_lo",
    "hit@100_hi",
    "mrr",
    "mrr_lo",
    "mrr_hi",
)


def pairs_table(v: Validation) -> pd.DataFrame:
    """The per-pair table, columns as identifiers."""
    p = v.pairs.copy()
    p["percentile"] = p["percentile"].round(4)
    return p[[c for c in PAIR_HEADERS if c in p.columns]]


def summary_table(v: Validation) -> pd.DataFrame:
    """The summary, columns as identifiers: each metric followed by its interval bounds."""
    cols = ["group_by", "group", "n_pairs"] + [c for m in METRICS for c in (m, f"{m}_lo", f"{m}_hi")]
    return v.summary[cols].round(4)


def percentile_chart(v: Validation, path: str | Path, *, title: str = "") -> Path:
    """Per-pair percentile by city, cities sorted by median, pairs by percentile; missing pairs drawn at 1.

    A grey tick marks where each city's enterprises that fit one of its chains end.
    """
    p = v.pairs[v.pairs.status != "unknown city"].copy()
    p["pct"] = p["percentile"].fillna(1.0)
    order = p.groupby("city").pct.median().sort_values(kind="stable")
    fig, ax = new_figure(9, max(3.0, 0.35 * len(order) + 1.5))
    for y, city in enumerate(order.index):
        part = p[p.city == city].sort_values("pct", kind="stable")
        # Pairs spread a little up and down in percentile order, so tied pairs stay visible.
        ys = y + (np.arange(len(part)) - (len(part) - 1) / 2) * min(0.12, 0.6 / max(len(part), 1))
        ranked = (part.status == "ranked").to_numpy()
        ax.scatter(part.pct[ranked], ys[ranked], color="tab:blue", zorder=3)
        ax.scatter(part.pct[~ranked], ys[~ranked], color="tab:red", marker="x", zorder=3)
        # Where the enterprises that fit one of the city's chains end (below: score 0, one tied block).
        ax.plot([part.n_fit.iloc[0] / max(part.n.iloc[0], 1)] * 2, [y - 0.4, y + 0.4], color="grey", linewidth=1)
    ax.set_yticks(np.arange(len(order)), list(order.index))
    ax.invert_yaxis()
    ax.set_xlim(0, 1.02)
    ax.set_xlabel(
        "城市清单百分位（越小越好；× = 不在库中；| = 契合企业止于此）\n"
        "percentile in the city's list (lower is better; × = not in universe; | = end of the enterprises that fit)"
    )
    n = len(p)
    ax.set_title(title or f"真实投资企业在城市清单中的位置 Where real investors rank (n = {n} pairs, small sample)")
    ax.grid(axis="x", alpha=0.3)
    return save_figure(fig, path)


def write_validation(v: Validation, out_dir: str | Path, *, title: str = "", weights=None) -> list[Path]:
    """Write ``pairs.csv``, ``summary.csv``, ``validation.xlsx``, ``notes.md`` and ``percentile.png``.

    ``weights``: the ``(summary, chosen)`` frames of
    :func:`matcher.learn.tuning.weight_study`, written as ``weights.csv`` and
    ``weights_chosen.csv`` and as two more sheets.
    """
    out = Path(out_dir)
    pairs, summary = pairs_table(v), summary_table(v)
    heading = title or gettext("Validation on real investments")
    sheets = {"pairs": pairs, "summary": summary}
    written = [write_csv(pairs, out / "pairs.csv"), write_csv(summary, out / "summary.csv")]
    notes = list(v.notes)
    if weights is not None:
        study, chosen = weights
        sheets.update({"weights": study, "weights_chosen": chosen})
        written += [write_csv(study, out / "weights.csv"), write_csv(chosen, out / "weights_chosen.csv")]
        notes.append(
            "weights: the configured weights against weights chosen on these pairs; 'held out' rows choose the weights "
            "without the pair's city (or enterprise) and are the honest figures, 'in-sample' is optimistic; w_region is "
            "held at 0 (region decides which team visits, not whether a city wants it), the other weights over 0-0.4"
        )
    written.append(write_xlsx(sheets, out / "validation.xlsx", title=heading))
    md = [f"# {heading}", "", *[f"- {n}" for n in notes], ""]
    written.append(atomic_write_bytes(out / "notes.md", "\n".join(md).encode("utf-8")))
    written.append(percentile_chart(v, out / "percentile.png"))
    return written
