"""The real lists resolve to one enterprise per group across years and languages (skipped without ../shared)."""

import pytest

from matcher.featurise.universe import build_universe
from matcher.resolve.records import master_list, resolve_store
from matcher.store.core import Store

from .test_real_data import import_real

FILES = [
    ("fortune_global_500_2017.csv", "fortune_global_500", 2017),
    ("fortune_global_500_2019.csv", "fortune_global_500", 2019),
    ("fortune_global_500_2024.csv", "fortune_global_500", 2024),
    ("acfic_private_top500_2026.csv", "china_private_top500", 2026),
]


@pytest.fixture(scope="module")
def master(tmp_path_factory, config):
    from .conftest import REAL

    if not REAL.is_dir():
        pytest.skip("the real ranking lists are not present")
    store = Store(tmp_path_factory.mktemp("rr") / "r.db")
    for name, list_type, year in FILES:
        import_real(store, config, REAL, name, list_type, year)
    resolve_store(store)
    return store, master_list(store, build_universe(store, config))


def test_fortune_companies_link_to_the_private_500(master):
    _, m = master
    both = m[m.lists.str.contains("fortune_global_500") & m.lists.str.contains("china_private_top500")]
    assert len(both) >= 25
    for en in ("Zhejiang Hengyi Group", "Hengli Group", "Huawei Investment & Holding", "BYD", "JD.com", "Tsingshan Holding Group"):
        assert en in set(both.name_en), en


@pytest.mark.parametrize(
    "names",
    [
        ("Suning Commerce Group", "Suning.com Group"),
        ("China Resources National", "China Resources"),
        ("Sinochem Group", "Sinochem Holdings"),
        ("Zhejiang Hengyi Group", "浙江恒逸集团有限公司"),
        ("Tencent Holdings", "腾讯控股有限公司"),
    ],
)
def test_one_enterprise_per_group_across_years(master, names):
    store, _ = master
    e = store.read("list_entries")
    owners = {e.enterprise_id[e.name == n].iloc[0] for n in names}
    assert len(owners) == 1


def test_entries_of_one_list_stay_apart(master):
    _, m = master
    hit = m[m.aliases.str.contains("China State Shipbuilding") | m.aliases.str.contains("China Shipbuilding Industry")]
    assert len(hit) == 2  # both on the 2019 list: two enterprises then, whatever they became


def test_each_list_year_counts_an_enterprise_once(master):
    store, _ = master
    e = store.read("list_entries")
    per = e.groupby(["import_id", "enterprise_id"]).size()
    assert (per == 1).all()
