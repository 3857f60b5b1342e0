"""The scorecard's charts: six PNG files, Chinese labels, the same bytes for the same scorecard."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..columns import PROJECT_STAGES, STAGE_ZH
from .charts import new_figure, save_figure

__all__ = ["draw_charts"]

_FORWARD = [s for s in PROJECT_STAGES if s != "dropped"]


def draw_charts(card, out: Path, label: str) -> list[Path]:
    """Draw the six charts of a :class:`.scorecard.Scorecard` ``card`` as PNG files in ``out`` (``label`` follows each title); return their paths."""

    paths = []
    # Tiers: signed against the annual target and the pace.
    t = card.tiers[card.tiers.target.notna()]
    fig, ax = new_figure(9, 4.8)
    x = np.arange(len(t))
    ax.bar(x - 0.2, t.target, width=0.4, color="#c9d6e8", label="年度目标")
    ax.bar(x + 0.2, t.signed, width=0.4, color="#2f6db5", label="已签约")
    ax.scatter(x, t.pace_target, marker="_", s=900, color="#d62728", linewidths=2.5, label="进度目标", zorder=3)
    for xi, s in zip(x, t.signed):
        ax.annotate(f"{int(s)}", (xi + 0.2, s), ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, [n.replace("、", "\n") if len(n) > 8 else n for n in t.name_zh], fontsize=8)
    ax.set_ylabel("项目数（个）")
    ax.set_title(f"{card.year}年各榜单签约项目与目标（截至{card.as_of:%m月%d日}）{label}")
    ax.legend(loc="upper left")
    paths.append(save_figure(fig, out / "tiers.png"))
    # Money.
    m = card.money.set_index("item")
    fig, ax = new_figure(8, 4.5)
    items = ["signed", "arrived", "pace_target", "target"]
    vals = [m.loc[i, "value_yuan"] / 1e8 for i in items]
    bars = ax.bar(["签约金额", "到位资金", "进度目标", "年度目标"], vals, color=["#2f6db5", "#4caf50", "#f0a030", "#c9d6e8"])
    est = m.loc["signed_estimated", "value_yuan"] / 1e8
    ax.bar(["签约金额"], [est], color="#8fb3e0", hatch="//", label="其中估算金额")
    for b, v in zip(bars, vals):
        ax.annotate(f"{v:,.1f}", (b.get_x() + b.get_width() / 2, v), ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("金额（亿元）")
    ax.set_title(f"{card.year}年签约与到位资金（亿元）{label}")
    ax.legend(loc="upper left")
    paths.append(save_figure(fig, out / "money.png"))
    # Cities.
    c = card.cities.sort_values(["rolled_in", "city"], ascending=[True, True], kind="stable")
    fig, ax = new_figure(8, 5.5)
    colors = np.where(c.rolled_in >= c.pace_target, "#4caf50", "#d62728")
    ax.barh(c.name_zh, c.rolled_in, color=colors)
    ax.axvline(int(c.target.iloc[0]), color="#555555", linestyle="--", label=f"年度目标 {int(c.target.iloc[0])} 个")
    ax.axvline(c.pace_target.iloc[0], color="#f0a030", linestyle=":", label=f"进度目标 {c.pace_target.iloc[0]:.1f} 个")
    for y, v in enumerate(c.rolled_in):
        ax.annotate(str(int(v)), (v, y), va="center", ha="left", fontsize=8)
    ax.set_xlabel("入库项目数（个）")
    ax.set_title(f"{card.year}年各市项目入库（绿：达到进度，红：落后）{label}")
    ax.legend(loc="lower right")
    paths.append(save_figure(fig, out / "cities.png"))
    # Cadence: cities × rules, done / required.
    cad = card.cadence[card.cadence.scope == "city"]
    grid = cad.pivot_table(index="name_zh", columns="rule", values="done", sort=False)
    need = cad.pivot_table(index="name_zh", columns="rule", values="required", sort=False)
    chains = card.cadence[card.cadence.scope == "chain"]
    cg = chains.pivot_table(index="name_zh", columns="rule", values="done", sort=False)
    cn = chains.pivot_table(index="name_zh", columns="rule", values="required", sort=False)
    fig, first = new_figure(11, 6.5)
    first.remove()
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    for ax, g, n, head in (
        (axes[0], grid, need, f"各市领导带队（{card.half}，趟）"),
        (axes[1], cg, cn, f"产业链（{card.half} 带队趟数 / {card.quarter} 驻点天数）"),
    ):
        ok = (g >= n).to_numpy(dtype=float)
        ax.imshow(ok, cmap="RdYlGn", vmin=-0.3, vmax=1.3, aspect="auto")
        for i in range(g.shape[0]):
            for j in range(g.shape[1]):
                ax.text(j, i, f"{int(g.iat[i, j])}/{int(n.iat[i, j])}", ha="center", va="center", fontsize=8)
        ax.set_yticks(range(g.shape[0]), g.index, fontsize=8)
        ax.set_xticks(range(g.shape[1]), [_SHORT_LEVEL.get(r, r) for r in g.columns], fontsize=8)
        ax.set_title(head, fontsize=10)
    fig.suptitle(f"工作节奏达标情况（已完成/应完成；绿：达标，红：落后）{label}")
    paths.append(save_figure(fig, out / "cadence.png"))
    # Funnel by region.
    f = card.funnel[card.funnel.region != "all"]
    regs = list(dict.fromkeys(f.region_zh))
    stages = [STAGE_ZH[s] for s in _FORWARD]
    fig, ax = new_figure(9, 4.8)
    left = np.zeros(len(stages))
    palette = ["#2f6db5", "#4caf50", "#f0a030", "#9467bd", "#8c564b"]
    for k, reg in enumerate(regs):
        vals = f[(f.region_zh == reg) & f.stage.isin(_FORWARD)].set_index("stage_zh").projects.reindex(stages).fillna(0).to_numpy()
        ax.barh(stages, vals, left=left, color=palette[k % len(palette)], label=reg)
        left += vals
    for y, v in enumerate(left):
        ax.annotate(str(int(v)), (v, y), va="center", ha="left", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("项目数（个）")
    ax.set_title(f"{card.year}年入库项目漏斗（到达各阶段，按重点区域）{label}")
    ax.legend(loc="lower right")
    paths.append(save_figure(fig, out / "funnel.png"))
    # Conversion.
    cv = card.conversion[card.conversion.by.isin(["tier", "region"])]
    fig, ax = new_figure(9, 4.8)
    rate = (cv.rate.fillna(0) * 100).to_numpy()
    colors = np.where(cv.by == "tier", "#2f6db5", "#f0a030")
    ax.bar(range(len(cv)), rate, color=colors)
    for i, (r, n) in enumerate(zip(rate, cv.visited)):
        ax.annotate(f"{r:.1f}%\n(n={int(n)})", (i, r), ha="center", va="bottom", fontsize=7)
    ax.set_ylim(0, max(float(rate.max()) if len(rate) else 0.0, 1.0) * 1.18)
    ax.set_xticks(range(len(cv)), list(cv.name_zh), rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("拜访后签约比例（%）")
    ax.set_title(f"{card.year}年拜访到签约转化率（蓝：按榜单，橙：按重点区域）{label}")
    paths.append(save_figure(fig, out / "conversion.png"))
    return paths


_SHORT_LEVEL = {
    "city_number_one": "一把手\n≥1趟",
    "city_leader": "其他市领导\n≥2趟",
    "county_park_head": "县区园区负责人\n≥2趟",
    "chain_lead_head": "牵头部门负责人\n≥1趟",
    "stationed_days": "专班驻点\n≥15天",
}
