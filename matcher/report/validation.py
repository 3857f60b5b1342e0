"""The validation report: per-pair ranks and the summary as CSV and XLSX, and the percentile chart.

Headers are Chinese first with the English column name alongside
(``排名 rank``), so office staff and scripts both read them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._files import atomic_write_bytes
from ..learn.validate import METRICS, Validation
from .charts import new_figure, save_figure
from .writers import write_csv, write_xlsx

__all__ = ["PAIR_HEADERS", "SUMMARY_HEADERS", "pairs_table", "summary_table", "percentile_chart", "write_validation"]

PAIR_HEADERS = {
    "row": "行 row",
    "enterprise": "投资企业 enterprise",
    "list_name": "所在榜单(投资表) list_name",
    "city": "落户城市 city",
    "city_id": "城市代码 city_id",
    "enterprise_id": "企业编号 enterprise_id",
    "match": "名称匹配 match",
    "matched_name": "候选名称 matched_name",
    "probability": "匹配概率 probability",
    "name": "库中名称 name",
    "name_en": "英文名 name_en",
    "on_list": "库中榜单 on_list",
    "in_universe": "在库中 in_universe",
    "status": "状态 status",
    "rank": "城市清单排名 rank",
    "n": "清单长度 n",
    "n_fit": "契合企业数 n_fit",
    "percentile": "百分位 percentile",
    "score": "得分 score",
    "chain": "最佳产业链 chain",
    "link": "环节 link",
    "link_status": "环节状态 link_status",
    "reason_zh": "理由 reason_zh",
    "reason_en": "reason_en",
}
_METRIC_ZH = {
    "coverage_universe": "库中覆盖率",
    "coverage_city": "城市清单覆盖率",
    "median_percentile": "百分位中位数",
    "hit@10": "前10命中率",
    "hit@50": "前50命中率",
    "hit@100": "前100命中率",
    "mrr": "平均倒数排名",
}
SUMMARY_HEADERS = {
    "group_by": "分组方式 group_by",
    "group": "分组 group",
    "n_pairs": "投资对数 n_pairs",
    **{m: f"{_METRIC_ZH[m]} {m}" for m in METRICS},
    **{f"{m}_lo": f"{_METRIC_ZH[m]}下限 {m}_lo" for m in METRICS},
    **{f"{m}_hi": f"{_METRIC_ZH[m]}上限 {m}_hi" for m in METRICS},
}


def pairs_table(v: Validation) -> pd.DataFrame:
    """The per-pair table with report headers."""
    p = v.pairs.copy()
    p["percentile"] = p["percentile"].round(4)
    return p[[c for c in PAIR_HEADERS if c in p.columns]].rename(columns=PAIR_HEADERS)


def summary_table(v: Validation) -> pd.DataFrame:
    """The summary with report headers: each metric followed by its interval bounds."""
    cols = ["group_by", "group", "n_pairs"] + [c for m in METRICS for c in (m, f"{m}_lo", f"{m}_hi")]
    return v.summary[cols].round(4).rename(columns=SUMMARY_HEADERS)


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
    heading = title or "真实投资验证 Validation on real investments"
    sheets = {"pairs": pairs, "summary": summary}
    written = [write_csv(pairs, out / "pairs.csv"), write_csv(summary, out / "summary.csv")]
    notes = list(v.notes)
    if weights is not None:
        study, chosen = weights
        sheets.update({"weights": study, "weights_chosen": chosen})
        written += [write_csv(study, out / "weights.csv"), write_csv(chosen, out / "weights_chosen.csv")]
        notes.append(
            "weights: the configured weights against weights chosen on these pairs; 'held out' rows choose the weights "
            "without the pair's city (or enterprise) and are the honest figures, 'in-sample' is optimistic"
        )
    written.append(write_xlsx(sheets, out / "validation.xlsx", title=heading))
    md = [f"# {heading}", "", *[f"- {n}" for n in notes], ""]
    written.append(atomic_write_bytes(out / "notes.md", "\n".join(md).encode("utf-8")))
    written.append(percentile_chart(v, out / "percentile.png"))
    return written
