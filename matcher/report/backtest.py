"""The backtest report: the comparison table as CSV and Markdown, the NDCG chart and the reliability diagram."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._files import atomic_write_bytes
from ..learn.backtest import BacktestResult
from .charts import new_figure, save_figure
from .writers import write_csv

__all__ = ["write_report", "markdown_table"]


def write_report(result: BacktestResult, out_dir, *, title: str = "") -> list:
    """Write the comparison table (CSV, Markdown), the NDCG chart and the reliability diagram to ``out_dir``."""
    out = Path(out_dir)
    # The ranking method is not an industry-matching method (the column ``method`` of the lookups).
    table = result.table.rename(columns={"method": "method_name"})
    written = [write_csv(table, out / "comparison.csv"), write_csv(result.calibration, out / "calibration.csv")]
    md = [f"# {title or 'Ranking comparison'}", ""]
    if result.synthetic:
        md += ["**SYNTHETIC: evaluated on a simulated history (模拟数据), not on observed visits.**", ""]
    md += ["## Protocol", "", result.protocol, "", "## Results", "", markdown_table(result.table), ""]
    md += [f"Brier score of the chosen model ({result.chosen_model}, the best calibrated, on logged visits): {result.brier:.4f}", ""]
    if result.notes:
        md += ["## Verdict", "", *[f"- {n}" for n in result.notes], ""]
    written.append(atomic_write_bytes(out / "comparison.md", "\n".join(md).encode("utf-8")))
    t = result.table
    cols = [c for c in t.columns if c.startswith(("logged_ndcg", "cf_ndcg"))]
    fig, ax = new_figure(8, 4.5)
    x = np.arange(len(t))
    width = 0.8 / max(len(cols), 1)
    for i, c in enumerate(cols):
        ax.bar(x + i * width, t[c].to_numpy(), width, label=c)
    ax.set_xticks(x + width * (len(cols) - 1) / 2, t.method)
    ax.set_ylabel("NDCG")
    ax.set_title("各排序方法的NDCG（回测）NDCG by ranking method" + ("（模拟数据 synthetic）" if result.synthetic else ""))
    ax.legend()
    written.append(save_figure(fig, out / "ndcg.png"))
    fig, ax = new_figure(5, 5)
    cal = result.calibration
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect")
    brier = result.table.set_index("method")["brier"] if "brier" in result.table else {}
    for m, part in cal.groupby("model", sort=False):
        label = f"{m} (Brier {brier[m]:.4f})" if m in brier else m
        ax.plot(part.mean_predicted, part.observed_rate, marker="o", label=label + (" — chosen" if m == result.chosen_model else ""))
    top = float(max(cal.mean_predicted.max(), cal.observed_rate.max(), 0.05)) * 1.1 if len(cal) else 1.0
    ax.set_xlim(0, min(top, 1))
    ax.set_ylim(0, min(top, 1))
    ax.set_xlabel("predicted probability 预测签约概率")
    ax.set_ylabel("observed rate 实际签约率")
    ax.set_title("Reliability 校准图" + ("（模拟数据 synthetic）" if result.synthetic else ""))
    ax.legend()
    written.append(save_figure(fig, out / "reliability.png"))
    return written


def markdown_table(t: pd.DataFrame) -> str:
    head = "| " + " | ".join(t.columns) + " |"
    sep = "| " + " | ".join("---" for _ in t.columns) + " |"
    body = [
        "| " + " | ".join("" if pd.isna(v) else (f"{v:.4f}" if isinstance(v, float) else str(v)) for v in row) + " |"
        for row in t.itertuples(index=False)
    ]
    return "\n".join([head, sep, *body])
