"""Interactive maps as one self-contained HTML page: the vendored ECharts inlined, the geometry embedded.

The page loads nothing from elsewhere (no CDN, no tile server, no font): the
ECharts library (``assets/echarts.min.js``, Apache-2.0, see ``assets/SOURCES.md``)
is written into the page, and so are the GeoJSON of the areas drawn and the
chart's option. The same inputs give the same bytes: JSON with sorted keys,
coordinates rounded, no timestamp.
"""

from __future__ import annotations

import html
import json
from functools import cache
from importlib import resources

from .draw import NOTE_ZH
from .geometry import Area, Geometry

__all__ = ["echarts_js", "geojson", "china_geojson", "guangxi_geojson", "page"]


@cache
def echarts_js() -> str:
    """The vendored ECharts library (minified)."""
    return resources.files(__package__).joinpath("assets", "echarts.min.js").read_text(encoding="utf-8")


def _ring(r) -> list[list[float]]:
    return [[round(float(x), 3), round(float(y), 3)] for x, y in r]


def geojson(areas: list[Area], *, name=lambda a: a.name_zh) -> dict:
    """A FeatureCollection of ``areas`` (one MultiPolygon each, named for ECharts' ``name`` matching)."""
    feats = []
    for a in areas:
        feats.append(
            {
                "type": "Feature",
                "properties": {"name": name(a), "adcode": a.code, "cp": [a.centre[0], a.centre[1]]},
                "geometry": {"type": "MultiPolygon", "coordinates": [[_ring(r)] for r in a.rings]},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def china_geojson(geo: Geometry) -> dict:
    """Provinces named by their short names (广西, 广东 …), the keys the map series use."""
    return geojson(list(geo.provinces.values()), name=lambda a: a.short_zh)


def guangxi_geojson(geo: Geometry) -> dict:
    """Guangxi's 14 cities named by their full names (柳州市 …)."""
    return geojson(list(geo.cities.values()))


def maritime_series(geo: Geometry, *, geo_index: int = 0) -> dict:
    """The maritime boundary line as a ``lines`` series on the geo component (kept as the data has it)."""
    return {
        "type": "lines",
        "coordinateSystem": "geo",
        "geoIndex": geo_index,
        "polyline": True,
        "silent": True,
        "lineStyle": {"color": "#555555", "width": 1.2, "opacity": 1},
        "data": [{"coords": _ring(line)} for line in geo.maritime],
        "zlevel": 1,
    }


def _json(value) -> str:
    # "</" cannot end the script element early; U+2028/2029 are line ends in older JavaScript.
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page(title: str, option: dict, *, maps: dict[str, dict] | None = None, source: str = "", base: str = "", height: int = 760) -> str:
    """A whole HTML page drawing ``option`` with ECharts, the ``maps`` (name → GeoJSON) registered first.

    The page says 示意图, the data source and the base map's provenance under the chart.
    """
    maps = maps or {}
    register = "".join(f"echarts.registerMap({_json(k)},{_json(v)});" for k, v in sorted(maps.items()))
    note = " ".join(x for x in [f"数据来源：{source}。" if source else "", f"{base}；" if base else "", NOTE_ZH + "。"] if x)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}（示意图）</title>\n"
        "<style>body{margin:0;font-family:'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif;background:#fff}"
        "#chart{width:100%;height:" + str(int(height)) + "px}"
        ".note{font-size:12px;color:#555;margin:4px 12px}.mark{position:absolute;right:12px;top:8px;color:#c62828;font-weight:bold}</style>\n"
        "</head>\n<body>\n"
        '<div class="mark">示意图</div>\n<div id="chart"></div>\n'
        f'<p class="note">{html.escape(note)}</p>\n'
        "<!-- Apache ECharts 5.6.0, Apache License 2.0 (see matcher/report/maps/assets/ECHARTS-LICENSE and ECHARTS-NOTICE) -->\n"
        f"<script>{echarts_js()}</script>\n"
        "<script>\n"
        f"{register}\n"
        "var chart=echarts.init(document.getElementById('chart'),null,{renderer:'canvas'});\n"
        f"chart.setOption({_json(option)});\n"
        "window.addEventListener('resize',function(){chart.resize();});\n"
        "</script>\n</body>\n</html>\n"
    )
