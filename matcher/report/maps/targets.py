"""目标企业分布图: where a chain's or a city's target enterprises are headquartered, and which Guangxi city wants them.

The targets are the ranked list that ``matcher targets`` gives
(:meth:`matcher.score.scores.Scores.rank` over the chain's or the city's city
chains, the rule scores of :func:`matcher.plan.issue.score_store`). Each target
is a point at its headquarters city (gazetteer names, placed with the map
geometry's city points), sized by its score and coloured by its highest
ranking tier, with a flow to the city whose chain it fits best; provinces
are shaded by how many targets they hold. Enterprises headquartered abroad
are listed beside the map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...config.model import Config
from .geometry import Geometry, short_name

__all__ = ["TargetMap", "target_map", "targets_figure", "targets_html", "TIER_COLOURS"]

TIER_COLOURS = ["#b2182b", "#ef8a62", "#2166ac", "#67a9cf", "#1b7837", "#7fbf7b", "#762a83", "#c2a5cf", "#666666"]
_SOURCE = "数据库中的榜单企业及其总部（导入的榜单与企业资料），规则评分（matcher targets 同一排序）"


@dataclass
class TargetMap:
    """The targets drawn: one row per enterprise with ``rank, name, score, tier_zh, tier_pos, province, hq_city, lon, lat, city, to_lon, to_lat, abroad``."""

    title: str
    targets: pd.DataFrame
    tiers_zh: list[str]


def target_map(scores, config: Config, geo: Geometry, *, chain: str | None = None, city: str | None = None, top: int = 60) -> TargetMap:
    """The ``top`` targets of a chain and/or a city (neither: the whole region's best), placed on the map."""
    ch = config.chain(chain) if chain else None
    c = config.city(city) if city else None
    groups = scores.group_ids(city=c.id if c else None, chain=ch.id if ch else None)
    ranked = scores.rank(groups, top=top)
    uni = scores.universe.set_index("enterprise_id")
    tiers = list(config.tiers)
    pos = np.full(len(ranked), len(tiers), dtype=int)
    for k, t in reversed(list(enumerate(tiers))):
        col = f"on__{t.id}"
        if col in uni.columns:
            on = uni[col].reindex(ranked.enterprise_id).fillna(False).to_numpy(dtype=bool)
            pos[on] = k
    tiers_zh = [t.name_zh for t in tiers] + ["未上榜"]
    prov = uni.hq_province.reindex(ranked.enterprise_id).fillna("").to_numpy()
    hq = uni.hq_city.reindex(ranked.enterprise_id).fillna("").to_numpy()
    abroad = ~uni.is_china.reindex(ranked.enterprise_id).fillna(False).to_numpy(dtype=bool)
    pts = [geo.city_point(p, h) if not a else None for p, h, a in zip(prov, hq, abroad)]
    city_at = {a.name_zh: a.centre for a in geo.cities.values()}
    dest = [city_at.get(x) for x in ranked.city]
    out = pd.DataFrame(
        {
            "rank": ranked["rank"].to_numpy(),
            "name": ranked.name.to_numpy(),
            "score": ranked.score.to_numpy(dtype=float),
            "tier_pos": pos,
            "tier_zh": [tiers_zh[k] for k in pos],
            "province": prov,
            "hq_city": hq,
            "lon": [p[0] if p else np.nan for p in pts],
            "lat": [p[1] if p else np.nan for p in pts],
            "city": ranked.city.to_numpy(),
            "to_lon": [d[0] if d else np.nan for d in dest],
            "to_lat": [d[1] if d else np.nan for d in dest],
            "abroad": abroad | np.array([p is None for p in pts]),
        }
    )
    what = " · ".join(x for x in [short_name(c.name_zh) if c else "", f"{ch.name_zh}产业链" if ch else ""] if x) or "全区"
    return TargetMap(f"{what}目标企业分布图（前{len(out)}家）", out, tiers_zh)


def _arc(x0, y0, x1, y1, n: int = 24) -> np.ndarray:
    """A gentle quadratic curve from (x0, y0) to (x1, y1), bent to the left of travel."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = x1 - x0, y1 - y0
    cx, cy = mx - dy * 0.18, my + dx * 0.18
    p0, p1, p2 = np.array([x0, y0]), np.array([cx, cy]), np.array([x1, y1])
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2


def _province_counts(m: TargetMap, geo: Geometry) -> dict[str, int]:
    counts = m.targets[~m.targets.abroad].groupby("province").size()
    return {a.code: int(counts.get(a.name_zh, 0)) for a in geo.provinces.values()}


def targets_figure(m: TargetMap, geo: Geometry):
    """The target map as a matplotlib figure (PNG)."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    from .draw import colour_scale, draw_china, frame, map_figure

    fig, ax = map_figure(12.5, 9.0)
    counts = _province_counts(m, geo)
    codes = list(counts)
    vals = np.array([counts[k] for k in codes], dtype=float)
    # The scale tops out at a mid blue, so that the points over the busiest provinces stay visible.
    hi = max(float(vals.max()) if len(vals) else 1.0, 1.0)
    faces, sm = colour_scale(vals, "Blues", vmin=0.0, vmax=hi * 1.6)
    sm.norm.vmax = hi
    colours = {k: (f if counts[k] else "#f4f1ea") for k, f in zip(codes, faces)}
    sub = draw_china(ax, geo, colours, labels=True)
    t = m.targets[~m.targets.abroad].sort_values(["score", "rank"], ascending=[True, False], kind="stable")
    for _, r in t.iterrows():
        if np.isfinite(r.to_lon):
            a = _arc(r.lon, r.lat, r.to_lon, r.to_lat)
            ax.plot(a[:, 0], a[:, 1], color=TIER_COLOURS[r.tier_pos % len(TIER_COLOURS)], lw=0.6, alpha=0.45, zorder=4)
    ax.scatter(
        t.lon, t.lat, s=20 + 260 * t.score**2, c=[TIER_COLOURS[k % len(TIER_COLOURS)] for k in t.tier_pos],
        edgecolors="white", linewidths=0.5, alpha=0.9, zorder=5,
    )  # fmt: skip
    for a in geo.cities.values():
        ax.plot(*a.centre, marker="*", color="#222222", ms=5, zorder=6)
    top = m.targets.nsmallest(8, "rank")
    top = top[~top.abroad]
    # The best eight are named; several at one headquarters city share one label.
    for (lon, lat), grp in top.groupby(["lon", "lat"], sort=True):
        ax.annotate(
            "\n".join(f"{r['rank']}.{_short(r['name'])}" for _, r in grp.iterrows()), (lon, lat), xytext=(5, 4), textcoords="offset points",
            fontsize=7, zorder=7, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )  # fmt: skip
    cb = fig.colorbar(sm, ax=ax, shrink=0.45, pad=0.01, location="left")
    cb.set_label("总部在该省的目标企业数（家）", fontsize=8)
    cb.ax.tick_params(labelsize=7)
    cb.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    used = sorted(set(m.targets.tier_pos))
    handles = [Line2D([], [], marker="o", ls="", color=TIER_COLOURS[k % len(TIER_COLOURS)], label=m.tiers_zh[k]) for k in used]
    handles += [
        Line2D([], [], marker="o", ls="", color="#888888", ms=float(np.sqrt(20 + 260 * v**2)), label=f"评分 {v}") for v in (0.3, 0.6, 0.9)
    ]
    handles.append(Line2D([], [], marker="*", ls="", color="#222222", label="广西各市（连线：最适合落地的城市）"))
    ax.legend(handles=handles, loc="lower left", fontsize=7.5, title="最高榜单 / 评分", title_fontsize=8, frameon=True, framealpha=0.85)
    ab = m.targets[m.targets.abroad]
    if len(ab):
        text = (
            "境外或总部未知："
            + "、".join(f"{r['rank']}.{_short(r['name'])}" for _, r in ab.head(12).iterrows())
            + ("…" if len(ab) > 12 else "")
        )
        ax.text(0.01, 0.99, text, transform=ax.transAxes, fontsize=7, va="top", wrap=True)
    _ = sub
    frame(
        fig,
        m.title,
        source=_SOURCE,
        geo=geo,
        subtitle="点：目标企业总部所在城市，大小为评分、颜色为最高榜单；线：流向最适合的广西城市",
        ax=ax,
    )
    return fig


def _short(name: str) -> str:
    for s in ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团"):
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


def targets_html(m: TargetMap, geo: Geometry) -> str:
    """The target map as an interactive page (ECharts: province choropleth, headquarters, flows)."""
    from .page import china_geojson, maritime_series, page

    counts = _province_counts(m, geo)
    t = m.targets[~m.targets.abroad]
    vmax = max(counts.values()) if counts else 1
    series = [
        {
            "type": "map",
            "geoIndex": 0,
            "name": "目标企业数",
            "data": [{"name": a.short_zh, "value": counts[a.code]} for a in geo.provinces.values()],
        },
        maritime_series(geo),
    ]
    for k in sorted(set(t.tier_pos)):
        sub = t[t.tier_pos == k]
        colour = TIER_COLOURS[k % len(TIER_COLOURS)]
        series.append(
            {
                "type": "scatter",
                "coordinateSystem": "geo",
                "name": m.tiers_zh[k],
                "itemStyle": {"color": colour},
                "data": [
                    {
                        "name": f"{r['rank']}. {r['name']}",
                        "value": [round(r.lon, 3), round(r.lat, 3), round(r.score, 4)],
                        "city": r.city,
                        "hq": r.hq_city,
                    }
                    for _, r in sub.iterrows()
                ],
                "zlevel": 2,
            }
        )
        flows = sub[np.isfinite(sub.to_lon)]
        series.append(
            {
                "type": "lines",
                "coordinateSystem": "geo",
                "name": m.tiers_zh[k],
                "lineStyle": {"color": colour, "width": 0.8, "opacity": 0.4, "curveness": 0.2},
                "data": [
                    {"coords": [[round(r.lon, 3), round(r.lat, 3)], [round(r.to_lon, 3), round(r.to_lat, 3)]]} for _, r in flows.iterrows()
                ],
                "silent": True,
                "zlevel": 1,
            }
        )
    option = {
        "title": {"text": m.title, "left": "center", "subtext": "点：总部所在城市（大小为评分，颜色为最高榜单）；线：流向最适合的广西城市"},
        "tooltip": {"trigger": "item"},
        "legend": {"top": 60, "left": "center", "data": [m.tiers_zh[k] for k in sorted(set(t.tier_pos))]},
        "visualMap": {"min": 0, "max": max(vmax, 1), "seriesIndex": 0, "left": 10, "bottom": 40, "text": ["多", "少"], "calculable": True,
                      "inRange": {"color": ["#f7fbff", "#08519c"]}, "formatter": "{value} 家"},
        "geo": {"map": "china_provinces", "roam": True, "zoom": 1.15, "center": [105, 36], "label": {"show": False},
                "itemStyle": {"areaColor": "#f4f1ea", "borderColor": "#9a9a9a"}},
        "series": series,
    }  # fmt: skip
    # Sizes follow the score: a function is not JSON, so the scatter sizes are set per point.
    for s in series:
        if s["type"] == "scatter":
            for d in s["data"]:
                d["symbolSize"] = round(5 + 18 * d["value"][2], 1)
    # Not registered as "china": ECharts adds its own South China Sea box to a map of that name.
    return page(m.title, option, maps={"china_provinces": china_geojson(geo)}, source=_SOURCE, base=geo.source_zh, height=820)
