"""One call per picture, writing ``FILE.png`` (report) or ``FILE.html`` (interactive page) atomically.

These are what the command line (``matcher map …``), the scorecard and the web
pages call. The picture is chosen by the file's suffix; the same inputs give
the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from ..._files import atomic_write_bytes
from ...config.model import Config
from ...errors import MatcherError
from ...i18n import gettext as _
from .chain import chain_figure, chain_html, chain_panorama
from .geometry import load_geometry
from .guangxi import city_figure, city_html, progress_map, projects_map
from .targets import target_map, targets_figure, targets_html

__all__ = ["write_chain_map", "write_targets_map", "write_projects_map", "write_progress_map", "MAP_SUFFIXES"]

MAP_SUFFIXES = (".png", ".html")


def _kind(out: str | Path) -> str:
    suffix = Path(out).suffix.lower()
    if suffix not in MAP_SUFFIXES:
        raise MatcherError(
            _("--out {path}: expected a file ending in .png or .html, got {suffix!r}").format(path=out, suffix=suffix or "no suffix")
        )
    return suffix


def _write(out, kind: str, figure, page) -> Path:
    if kind == ".png":
        from ..charts import save_figure

        return save_figure(figure(), out)
    return atomic_write_bytes(out, page().encode("utf-8"))


def write_chain_map(config: Config, out: str | Path, *, chain: str, city: str | None = None) -> Path:
    """产业链全景图 of ``chain`` for ``city`` (or the region) to ``out`` (.png or .html)."""
    kind = _kind(out)
    p = chain_panorama(config, chain, city)
    return _write(out, kind, lambda: chain_figure(p), lambda: chain_html(p))


def write_targets_map(
    scores, config: Config, out: str | Path, *, chain: str | None = None, city: str | None = None, top: int = 60, cache=None
) -> Path:
    """目标企业分布图 of the ``top`` targets of a chain and/or city (or the region) to ``out``."""
    kind = _kind(out)
    geo = load_geometry(cache)
    m = target_map(scores, config, geo, chain=chain, city=city, top=top)
    return _write(out, kind, lambda: targets_figure(m, geo), lambda: targets_html(m, geo))


def write_projects_map(store, config: Config, out: str | Path, *, chain: str | None = None, cache=None) -> Path:
    """项目落地图: signed and in-progress projects and money per city to ``out``."""
    kind = _kind(out)
    geo = load_geometry(cache)
    m = projects_map(store, config, geo, chain=chain)
    return _write(out, kind, lambda: city_figure(m, geo), lambda: city_html(m, geo))


def write_progress_map(store, config: Config, out: str | Path, *, year: int, as_of=None, cache=None) -> Path:
    """招商进度图: the project database's pace and the leaders' cadence per city to ``out``."""
    kind = _kind(out)
    geo = load_geometry(cache)
    m = progress_map(store, config, geo, year=year, as_of=as_of)
    return _write(out, kind, lambda: city_figure(m, geo), lambda: city_html(m, geo))
