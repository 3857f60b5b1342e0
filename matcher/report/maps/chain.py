"""产业链全景图: a chain's links upstream → midstream → downstream, its edges, and where each city stands.

The links and their edges (``feeds``) come from ``chains.toml``; the status of
each link in each city (strong / weak / missing), the anchor firms and parks
from ``cities.toml``. For one city every link is coloured by its status there
(grey where the city's plan does not list it); for the whole region each link
lists the cities by status. The layout is fixed (stage columns, links in
configuration order), so the same configuration always gives the same picture.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import pandas as pd

from ...config.model import STAGE_ZH, STAGES, Config
from .draw import NOTE_ZH, STATUS_COLOURS, STATUS_ZH
from .geometry import short_name

__all__ = ["ChainPanorama", "chain_panorama", "chain_figure", "chain_html"]

_STATUSES = ("strong", "weak", "missing")
_SOURCE = "chains.toml 产业链环节及上下游关系、cities.toml 各市环节状态、链主企业与园区（据各市“十四五”规划纲要及2023年政府工作报告整理）"


@dataclass
class ChainPanorama:
    """What the panorama shows.

    Attributes
    ----------
    nodes : DataFrame
        One row per link: ``link, name_zh, stage, stage_zh, col, row, status`` (in the city, or ``""`` for the
        region) and ``strong, weak, missing`` (the cities' short names, ``、``-joined).
    edges : DataFrame
        ``source, target`` link ids.
    anchors : list of (city, park, firms)
        The anchor firms and park of each city on the chain (one city, or every city that has it).
    """

    chain_id: str
    chain_zh: str
    city_zh: str
    nodes: pd.DataFrame
    edges: pd.DataFrame
    anchors: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def title(self) -> str:
        where = short_name(self.city_zh) if self.city_zh else "全区14市"
        return f"{where}{self.chain_zh}产业链全景图"


def chain_panorama(config: Config, chain: str, city: str | None = None) -> ChainPanorama:
    """The panorama of ``chain`` (any name or id), for ``city`` or, without it, for the region."""
    ch = config.chain(chain)
    c = config.city(city) if city else None
    status: dict[str, dict[str, str]] = {}  # link → city short name → status
    anchors = []
    for cc_city in config.cities:
        for cc in cc_city.chains:
            if cc.chain != ch.id:
                continue
            for link, st in cc.links:
                status.setdefault(link, {})[short_name(cc_city.name_zh)] = st
            if (c is None or cc_city.id == c.id) and (cc.anchor_firms_zh or cc.park_zh):
                anchors.append((cc_city.name_zh, cc.park_zh, tuple(cc.anchor_firms_zh)))
    rows, count = [], dict.fromkeys(STAGES, 0)
    for lk in ch.links:
        here = status.get(lk.id, {})
        own = here.get(short_name(c.name_zh), "none") if c else ""
        by = {s: "、".join(n for n, v in here.items() if v == s) for s in _STATUSES}
        rows.append(
            (
                lk.id,
                lk.name_zh,
                lk.stage,
                STAGE_ZH[lk.stage],
                STAGES.index(lk.stage),
                count[lk.stage],
                own,
                by["strong"],
                by["weak"],
                by["missing"],
            )
        )
        count[lk.stage] += 1
    nodes = pd.DataFrame(rows, columns=["link", "name_zh", "stage", "stage_zh", "col", "row", "status", "strong", "weak", "missing"])
    edges = pd.DataFrame([(lk.id, t) for lk in ch.links for t in lk.feeds], columns=["source", "target"])
    return ChainPanorama(ch.id, ch.name_zh, c.name_zh if c else "", nodes, edges, anchors)


def _label(name: str, width: int = 11) -> str:
    head, _, rest = name.partition("（")
    lines = textwrap.wrap(head, width) or [head]
    if rest:
        lines += textwrap.wrap("（" + rest, width + 2)[:2]
    return "\n".join(lines)


def _positions(p: ChainPanorama) -> dict[str, tuple[float, float, float]]:
    """link → (x, y, height) in data units: stage columns 0, 1, 2; rows from the top."""
    gap = 1.0 if p.city_zh else 1.55
    out = {}
    for st in STAGES:
        sub = p.nodes[p.nodes.stage == st]
        n = len(sub)
        for _, r in sub.iterrows():
            out[r.link] = (float(r.col), -(r.row - (n - 1) / 2) * gap, gap * 0.8)
    return out


def chain_figure(p: ChainPanorama):
    """The panorama as a matplotlib figure (PNG for reports)."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

    from ..charts import new_figure
    from .draw import frame

    n = int(p.nodes.groupby("stage").size().max()) if len(p.nodes) else 1
    fig, ax = new_figure(13.5, max(6.5, 1.0 + n * (0.95 if p.city_zh else 1.35) + (1.2 if p.anchors else 0)))
    ax.set_axis_off()
    pos = _positions(p)
    w = 0.62
    for _, r in p.edges.iterrows():
        x0, y0, _ = pos[r.source]
        x1, y1, _ = pos[r.target]
        same = x0 == x1
        a = (x0 + w / 2, y0) if not same else (x0 + w / 2, y0)
        b = (x1 - w / 2, y1) if not same else (x1 + w / 2, y1)
        style = "arc3,rad=-0.5" if same else "arc3,rad=0.0"
        ax.add_patch(
            FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=11, color="#7a8ca3", lw=1.0, connectionstyle=style, zorder=1, alpha=0.8)
        )
    for _, r in p.nodes.iterrows():
        x, y, h = pos[r.link]
        colour = STATUS_COLOURS.get(r.status, "#eef2f7") if p.city_zh else "#eef2f7"
        text_colour = "white" if p.city_zh and r.status in ("strong", "missing") else "#1a1a1a"
        ax.add_patch(
            FancyBboxPatch(
                (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.0,rounding_size=0.05", fc=colour, ec="#44546a", lw=0.8, zorder=2
            )
        )
        if p.city_zh:
            ax.text(x, y, _label(r.name_zh, 13), ha="center", va="center", fontsize=8.5, color=text_colour, zorder=3, linespacing=1.2)
        else:
            ax.text(x, y + h * 0.22, _label(r.name_zh, 15), ha="center", va="center", fontsize=8, zorder=3, linespacing=1.15)
            lines = [(s, getattr(r, s)) for s in _STATUSES if getattr(r, s)]
            for k, (s, names) in enumerate(lines):
                ax.text(
                    x - w / 2 + 0.02, y - h * 0.12 - k * h * 0.16, f"{STATUS_ZH[s][:2]}：{names}", ha="left", va="center",
                    fontsize=6.8, color=STATUS_COLOURS[s], zorder=3,
                )  # fmt: skip
    tops = max(v[1] + v[2] / 2 for v in pos.values()) if pos else 1.0
    for i, st in enumerate(STAGES):
        ax.text(i, tops + 0.35, f"{STAGE_ZH[st]}", ha="center", va="bottom", fontsize=13, color="#44546a")
    bottom = min(v[1] - v[2] / 2 for v in pos.values()) if pos else -1.0
    ax.set_xlim(-0.42, 2.62)
    ax.set_ylim(bottom - 1.3, tops + 0.8)
    if p.anchors:
        text = "；".join(f"{short_name(c)}：{'、'.join(f) if f else ''}{('（' + park + '）') if park else ''}" for c, park, f in p.anchors)
        ax.text(
            -0.4,
            bottom - 0.25,
            "链主企业与园区  " + textwrap.fill(text, 95),
            ha="left",
            va="top",
            fontsize=8.5,
            color="#1a1a1a",
            linespacing=1.35,
        )
    handles = [Patch(fc=STATUS_COLOURS[s], ec="#44546a", label=STATUS_ZH[s]) for s in (*_STATUSES, "none")] if p.city_zh else []
    handles.append(Patch(fc="white", ec="white", label="箭头：供给关系（上游 → 下游）"))
    ax.legend(handles=handles, loc="lower right", fontsize=8.5, ncols=len(handles), frameon=False)
    sub = f"{short_name(p.city_zh)}各环节状态：优势 / 薄弱 / 缺失" if p.city_zh else "每个环节下列出该环节为优势 / 薄弱 / 缺失的城市"
    frame(fig, p.title, source=_SOURCE, subtitle=sub, ax=ax)
    return fig


def chain_html(p: ChainPanorama) -> str:
    """The panorama as an interactive page (ECharts graph with the same fixed layout)."""
    from .page import page

    pos = _positions(p)
    cats = [*_STATUSES, "none"] if p.city_zh else ["link"]
    names = [STATUS_ZH[s] for s in cats] if p.city_zh else ["环节"]
    data = []
    for _, r in p.nodes.iterrows():
        x, y, _ = pos[r.link]
        tip = [r.name_zh, f"{r.stage_zh}"]
        if p.city_zh:
            tip.append(STATUS_ZH.get(r.status, ""))
        else:
            tip += [f"{STATUS_ZH[s]}：{getattr(r, s)}" for s in _STATUSES if getattr(r, s)]
        data.append(
            {
                "name": r.link,
                "value": r.name_zh,
                "x": round(x * 420, 1),
                "y": round(-y * 90, 1),
                "category": cats.index(r.status) if p.city_zh else 0,
                "label": {"formatter": _label(r.name_zh, 13)},
                "tooltip": {"formatter": "<br>".join(tip)},
            }
        )
    colours = [STATUS_COLOURS[s] for s in cats] if p.city_zh else ["#6d8fb3"]
    option = {
        "title": {"text": p.title, "left": "center", "subtext": "上游 → 中游 → 下游"},
        "tooltip": {},
        "legend": {"data": names, "top": 50},
        "color": colours,
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": True,
                "symbol": "roundRect",
                "symbolSize": [170, 52],
                "label": {"show": True, "fontSize": 11},
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 8,
                "lineStyle": {"color": "#7a8ca3", "curveness": 0.1, "width": 1.2},
                "categories": [{"name": n} for n in names],
                "data": data,
                "links": [{"source": s, "target": t} for s, t in zip(p.edges.source, p.edges.target)],
            }
        ],
    }
    anchors = "；".join(f"{short_name(c)}：{'、'.join(f)}{('（' + park + '）') if park else ''}" for c, park, f in p.anchors)
    if anchors:
        option["graphic"] = [
            {
                "type": "text",
                "left": 20,
                "bottom": 10,
                "style": {"text": "链主企业与园区：" + anchors, "fontSize": 12, "width": 1100, "overflow": "break"},
            }
        ]
    return page(p.title, option, source=_SOURCE, base="", height=760).replace(NOTE_ZH, "示意图")
