"""Drawing maps with matplotlib: areas, the national map with its South China Sea inset, Guangxi, the marks every map carries.

Coordinates are plain longitude and latitude, the axes' aspect corrected for
the latitude (an equirectangular 示意图, not a survey map). Every map carries
"示意图", the data source and the base map's provenance (:func:`frame`).
"""

from __future__ import annotations

import numpy as np

from ..charts import new_figure
from .geometry import GUANGXI, Geometry

__all__ = [
    "STATUS_COLOURS",
    "STATUS_ZH",
    "NOTE_ZH",
    "map_figure",
    "draw_areas",
    "draw_china",
    "draw_guangxi",
    "frame",
    "colour_scale",
]

STATUS_ZH = {"strong": "优势环节", "weak": "薄弱环节", "missing": "缺失环节", "none": "未列入"}
STATUS_COLOURS = {"strong": "#2e7d32", "weak": "#f2a900", "missing": "#c62828", "none": "#d9d9d9"}
#: China's map rules: a public map needs an approved base map; these are sketches for internal work.
NOTE_ZH = "示意图，非标准地图，不作为权属争议依据；对外公开使用须采用经审图的标准底图"
LAND = "#f4f1ea"
EDGE = "#9a9a9a"
#: The mainland extent of the national map; the South China Sea islands go to the inset.
CHINA_EXTENT = (73.0, 136.0, 17.5, 54.0)
SCS_EXTENT = (105.5, 123.0, 2.5, 24.5)
GUANGXI_EXTENT = (104.3, 112.2, 20.8, 26.5)


def map_figure(width: float = 11.0, height: float = 8.0):
    """A figure with one map axes (no ticks, no frame)."""
    fig, ax = new_figure(width, height)
    _plain(ax)
    return fig, ax


def _plain(ax) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(False)


def _aspect(ax, extent) -> None:
    x0, x1, y0, y1 = extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1.0 / np.cos(np.radians((y0 + y1) / 2)))


def draw_areas(ax, areas, colours, *, edge: str = EDGE, width: float = 0.4, zorder: float = 1.0) -> None:
    """Fill ``areas`` (in the order given: an enclosing area before the one it encloses) with one colour each."""
    from matplotlib.collections import PolyCollection

    polys, faces = [], []
    for area, colour in zip(areas, colours):
        for r in area.rings:
            polys.append(r)
            faces.append(colour)
    ax.add_collection(PolyCollection(polys, facecolors=faces, edgecolors=edge, linewidths=width, zorder=zorder))


def _lines(ax, lines, *, colour: str, width: float, zorder: float = 3.0) -> None:
    from matplotlib.collections import LineCollection

    ax.add_collection(LineCollection(list(lines), colors=colour, linewidths=width, zorder=zorder))


def draw_china(ax, geo: Geometry, colours: dict[str, str] | None = None, *, labels: bool = True, inset: bool = True):
    """The national map: provinces (coloured by adcode, else land colour), the national boundary, the South China Sea inset.

    Returns the inset axes (or ``None``) so that callers can draw on it too.
    """
    colours = colours or {}
    provinces = list(geo.provinces.values())
    faces = [colours.get(a.code, LAND) for a in provinces]

    def base(target) -> None:
        draw_areas(target, provinces, faces, width=0.3)
        _lines(target, geo.border, colour="#555555", width=0.6)
        _lines(target, geo.maritime, colour="#555555", width=0.9)

    base(ax)
    _aspect(ax, CHINA_EXTENT)
    if labels:
        for a in provinces:
            if a.code not in ("810000", "820000"):
                ax.text(*a.centre, a.short_zh, fontsize=6.5, ha="center", va="center", color="#444444", zorder=4)
    sub = None
    if inset:
        sub = ax.inset_axes([0.83, 0.0, 0.17, 0.27])
        base(sub)
        _aspect(sub, SCS_EXTENT)
        _plain(sub)
        for s in sub.spines.values():
            s.set_visible(True)
            s.set_edgecolor("#555555")
            s.set_linewidth(0.6)
        sub.text(0.5, 0.04, "南海诸岛", transform=sub.transAxes, ha="center", va="bottom", fontsize=7)
    return sub


def draw_guangxi(ax, geo: Geometry, colours: dict[str, str], *, labels: dict[str, str] | None = None, neighbours: bool = True) -> None:
    """Guangxi's 14 cities coloured by adcode, the neighbouring provinces in grey, a label under each city name."""
    from matplotlib.patheffects import withStroke

    if neighbours:
        others = [a for a in geo.provinces.values() if a.code != GUANGXI]
        draw_areas(ax, others, ["#eeeeee"] * len(others), edge="#cccccc", width=0.4, zorder=0.5)
        for a in others:
            x, y = a.centre
            if GUANGXI_EXTENT[0] < x < GUANGXI_EXTENT[1] and GUANGXI_EXTENT[2] < y < GUANGXI_EXTENT[3]:
                ax.text(x, y, a.short_zh, fontsize=8, color="#999999", ha="center", va="center")
        _lines(ax, geo.border, colour="#555555", width=0.8)
        _lines(ax, geo.maritime, colour="#555555", width=0.9)
    cities = list(geo.cities.values())
    draw_areas(ax, cities, [colours.get(a.code, LAND) for a in cities], edge="#ffffff", width=0.9, zorder=1.5)
    _aspect(ax, GUANGXI_EXTENT)
    ax.set_facecolor("#eaf2f8")
    for a in cities:
        x, y = a.centre
        ax.text(
            x,
            y + 0.08,
            a.short_zh,
            fontsize=10.5,
            ha="center",
            va="bottom",
            color="#111111",
            zorder=6,
            path_effects=[withStroke(linewidth=2.5, foreground="white")],
        )
        if labels and labels.get(a.code):
            ax.text(
                x, y, labels[a.code], fontsize=7.5, ha="center", va="top", color="#222222", zorder=6, linespacing=1.15,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.6},
            )  # fmt: skip


def frame(fig, title: str, *, source: str, geo: Geometry | None = None, subtitle: str = "", ax=None) -> None:
    """Title (and a subtitle over ``ax``), the 示意图 mark, the data source and the base map's provenance and rules."""
    import textwrap

    fig.suptitle(title, fontsize=15)
    if subtitle and ax is not None:
        ax.set_title(textwrap.fill(subtitle, int(fig.get_figwidth() * 7.5)), fontsize=9.5, color="#444444")
    base = f"{geo.source_zh}；" if geo is not None else ""
    width = int(fig.get_figwidth() * 14)
    fig.supxlabel(textwrap.fill(f"数据来源：{source}。{base}{NOTE_ZH}。", width), x=0.01, ha="left", fontsize=7, color="#555555")
    fig.text(0.995, 0.995, "示意图", ha="right", va="top", fontsize=12, color="#c62828")


def colour_scale(values, cmap: str = "YlOrRd", *, vmin: float | None = None, vmax: float | None = None):
    """Colours (hex) of ``values`` on a colour map, and the ``ScalarMappable`` for a colour bar."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize, to_hex

    v = np.asarray(values, dtype=float)
    lo = float(np.nanmin(v)) if vmin is None and len(v) else (vmin or 0.0)
    hi = float(np.nanmax(v)) if vmax is None and len(v) else (vmax if vmax is not None else 1.0)
    norm = Normalize(lo, hi if hi > lo else lo + 1.0)
    cm = colormaps[cmap]
    return [to_hex(cm(norm(x))) for x in v], ScalarMappable(norm=norm, cmap=cm)
