"""Guangxi's 14 cities as choropleths: 项目落地图 (projects and money) and 招商进度图 (quota pace and cadence).

- **Projects** come from the project database (``store.projects_frame``): per
  city the projects signed (签约, 开工, 投产), their signed amount (亿元; estimated
  amounts included and said so) and the projects in progress (线索 … 洽谈).
- **Progress** is the scorecard's (:func:`matcher.report.scorecard.compute_scorecard`):
  per city the projects rolled into the database this year against the pace of
  the 30-a-year target, and the leaders' trips of the half year against the
  cadence rules (一把手 ≥1, other city leaders ≥2, county/park heads ≥2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...columns import ACTIVE_STAGES, SIGNED_STAGES
from ...config.model import Config
from .geometry import Geometry, short_name

__all__ = ["CityMap", "projects_map", "progress_map", "city_figure", "city_html"]


@dataclass
class CityMap:
    """One value per Guangxi city to colour by, a label under each city name, the legend's words.

    ``cities`` has ``city, name_zh, code, value, label`` and whatever columns the picture adds.
    """

    title: str
    subtitle: str
    cities: pd.DataFrame
    value_zh: str
    cmap: str
    source: str
    vmin: float | None = None
    vmax: float | None = None
    legend: tuple[tuple[str, str], ...] = ()


def _codes(config: Config, geo: Geometry) -> pd.DataFrame:
    by_name = {a.name_zh: a.code for a in geo.cities.values()}
    return pd.DataFrame(
        {
            "city": [c.id for c in config.cities],
            "name_zh": [c.name_zh for c in config.cities],
            "code": [by_name.get(c.name_zh, "") for c in config.cities],
        }
    )


def projects_map(store, config: Config, geo: Geometry, *, chain: str | None = None) -> CityMap:
    """Signed and in-progress projects and signed money per city (optionally of one chain)."""
    p = store.projects_frame(extra=True)
    ch = config.chain(chain) if chain else None
    if ch is not None:
        p = p[p.chain == ch.id]
    signed = p[p.stage.isin(SIGNED_STAGES)]
    active = p[p.stage.isin(ACTIVE_STAGES)]
    out = _codes(config, geo)
    out["signed"] = out.city.map(signed.groupby("city").size()).fillna(0).astype(int)
    out["producing"] = out.city.map(signed[signed.stage.isin(("started", "in_production"))].groupby("city").size()).fillna(0).astype(int)
    out["active"] = out.city.map(active.groupby("city").size()).fillna(0).astype(int)
    out["amount_100m"] = (out.city.map(signed.groupby("city").amount_yuan.sum(min_count=1)).fillna(0.0) / 1e8).round(1)
    out["value"] = out.amount_100m
    out["label"] = [
        f"签约 {s} 个（开工投产 {q}）\n{a:,.1f} 亿元\n推进中 {n} 个"
        for s, q, a, n in zip(out.signed, out.producing, out.amount_100m, out.active)
    ]
    synthetic = bool(p.get("synthetic", pd.Series(dtype=bool)).fillna(False).astype(bool).any())
    est = bool(signed.get("amount_estimated", pd.Series(dtype=bool)).fillna(False).astype(bool).any())
    what = f"{ch.name_zh}产业链" if ch else "全区"
    sub = f"共签约 {int(out.signed.sum())} 个、{out.amount_100m.sum():,.1f} 亿元，推进中 {int(out.active.sum())} 个" + (
        "（含估算金额）" if est else ""
    )
    source = "招商项目库（数据库中的项目及其阶段、签约金额）" + ("；模拟数据 synthetic，仅作演示" if synthetic else "")
    return CityMap(f"{what}项目落地图", sub, out, "签约金额（亿元）", "YlOrRd", source, vmin=0.0)


def progress_map(store, config: Config, geo: Geometry, *, year: int, as_of=None) -> CityMap:
    """The scorecard's pace of the project database and the leaders' cadence per city."""
    from ..scorecard import CADENCE_RULES, compute_scorecard

    card = compute_scorecard(store, config, year=year, as_of=as_of)
    out = _codes(config, geo).merge(card.cities[["city", "rolled_in", "pace_target", "target"]], on="city", how="left")
    cad = card.cadence[card.cadence.scope == "city"]
    levels = {lv for scope, lv, _ in CADENCE_RULES if scope == "city"}
    cad = cad[cad.rule.isin(levels)]
    met = cad.assign(ok=np.minimum(cad.done, cad.required)).groupby("id")[["ok", "required"]].sum()
    behind = cad[cad.behind > 0].groupby("id").size()
    out["trips_ok"] = out.city.map(met.ok).fillna(0).astype(int)
    out["trips_required"] = out.city.map(met.required).fillna(0).astype(int)
    out["rules_behind"] = out.city.map(behind).fillna(0).astype(int)
    out["value"] = (out.rolled_in / out.pace_target.where(out.pace_target > 0)).fillna(0.0).round(3)
    out["label"] = [
        f"入库 {r} / 进度 {p:.0f} 个\n带队 {k}/{n} 趟" + ("（达标）" if b == 0 else f"（{b} 项落后）")
        for r, p, k, n, b in zip(out.rolled_in, out.pace_target, out.trips_ok, out.trips_required, out.rules_behind)
    ]
    sub = (
        f"截至{card.as_of:%Y年%m月%d日}（全年进度 {card.pace:.0%}）：颜色为项目入库数与进度目标之比（年目标 {int(out.target.iloc[0])} 个）；"
        f"带队趟数为{card.half}市领导带队（一把手≥1、其他市领导≥2、县区园区负责人≥2）"
    )
    source = "招商项目库与拜访记录（数据库），按记分卡口径计算" + ("；模拟数据 synthetic，仅作演示" if card.synthetic else "")
    legend = (("#1a9850", "达到或超过进度"), ("#fee08b", "略慢于进度"), ("#d73027", "明显落后"))
    return CityMap(f"{year}年各市招商进度图", sub, out, "入库项目数 / 进度目标", "RdYlGn", source, vmin=0.0, vmax=1.5, legend=legend)


def city_figure(m: CityMap, geo: Geometry):
    """A Guangxi choropleth as a matplotlib figure (PNG)."""
    from .draw import colour_scale, draw_guangxi, frame, map_figure

    fig, ax = map_figure(11.0, 9.0)
    faces, sm = colour_scale(m.cities.value.to_numpy(dtype=float), m.cmap, vmin=m.vmin, vmax=m.vmax)
    colours = dict(zip(m.cities.code, faces))
    draw_guangxi(ax, geo, colours, labels=dict(zip(m.cities.code, m.cities.label)))
    cb = fig.colorbar(sm, ax=ax, shrink=0.5, pad=0.01)
    cb.set_label(m.value_zh, fontsize=9)
    cb.ax.tick_params(labelsize=8)
    frame(fig, m.title, source=m.source, geo=geo, subtitle=m.subtitle, ax=ax)
    return fig


def city_html(m: CityMap, geo: Geometry) -> str:
    """A Guangxi choropleth as an interactive page (ECharts map series, tooltips with the labels)."""
    from .page import guangxi_geojson, page

    values = m.cities.value.to_numpy(dtype=float)
    lo = m.vmin if m.vmin is not None else float(values.min())
    hi = m.vmax if m.vmax is not None else float(values.max())
    cmap = {"YlOrRd": ["#ffffcc", "#fd8d3c", "#bd0026"], "RdYlGn": ["#d73027", "#fee08b", "#1a9850"]}.get(m.cmap, ["#f7fbff", "#08519c"])
    data = [
        {"name": n, "value": float(v), "tip": f"{short_name(n)}<br>{lab.replace(chr(10), '<br>')}"}
        for n, v, lab in zip(m.cities.name_zh, m.cities.value, m.cities.label)
    ]
    option = {
        "title": {"text": m.title, "subtext": m.subtitle, "left": "center", "subtextStyle": {"width": 900, "overflow": "break"}},
        "tooltip": {"trigger": "item"},
        "visualMap": {
            "min": lo,
            "max": hi if hi > lo else lo + 1,
            "precision": 1,
            "left": 20,
            "bottom": 40,
            "text": [m.value_zh, ""],
            "calculable": True,
            "inRange": {"color": cmap},
        },
        "series": [
            {
                "type": "map",
                "map": "guangxi",
                "name": m.value_zh,
                "roam": True,
                "label": {"show": True, "formatter": "{b}", "fontSize": 12},
                "itemStyle": {"borderColor": "#ffffff", "borderWidth": 1},
                "data": data,
            }
        ],
    }
    page_html = page(m.title, option, maps={"guangxi": guangxi_geojson(geo)}, source=m.source, base=geo.source_zh)
    # Tooltips show each city's label (a formatter function cannot travel in JSON).
    hook = "chart.setOption({tooltip:{formatter:function(p){return (p.data&&p.data.tip)||p.name;}}});\n"
    return page_html.replace("window.addEventListener(", hook + "window.addEventListener(", 1)
