"""Headquarters → city → key region."""

import pandas as pd
import pytest

from matcher.featurise.geography import locate
from matcher.featurise.universe import load_gazetteer


@pytest.fixture(scope="module")
def gaz(config):
    return load_gazetteer(config)


@pytest.mark.parametrize(
    "text, province, city",
    [
        ("Shenzhen, China", "广东省", "深圳市"),
        ("Shenzen, China", "广东省", "深圳市"),  # a misspelling seen in the Fortune list
        ("Hong Kong, China", "香港特别行政区", "香港特别行政区"),
        ("Beijing", "北京市", "北京市"),
        ("广东省深圳市南山区", "广东省", "深圳市"),
        ("Zhangjiagang, China", "江苏省", "苏州市"),  # a county-level city resolves to its prefecture
        ("Xi'an, China", "陕西省", "西安市"),
        ("Shandong, China", "山东省", ""),
        ("Bentonville, AR", "", ""),
    ],
)
def test_resolve(gaz, text, province, city):
    p = gaz.resolve(text)
    assert (p.province, p.city) == (province, city)


def test_locate_assigns_regions_with_certainty(config, gaz):
    frame = pd.DataFrame(
        {
            "hq": ["Shenzhen, China", "", "", "Bentonville, AR", "", "Shantou, China"],
            "city": ["", "", "", "", "杭州", ""],
            "province": ["", "浙江省", "广东省", "", "", ""],
            "country": ["China", "", "", "U.S.", "", "China"],
        }
    )
    out = locate(frame, config, gaz)
    assert out.source_region.tolist() == ["GBA", "YREB", "GBA", "", "YREB", ""]
    assert out.region_certainty.tolist() == ["city", "province", "uncertain", "none", "city", "none"]
    assert out.is_china.tolist() == [True, True, True, False, True, True]
    assert out.hq_city.tolist()[4] == "杭州市"


def test_major_branches_widen_the_regions_but_not_the_source_region(store, config, tmp_path):
    from matcher.featurise.universe import build_universe
    from matcher.ingest.lists import parse_profiles
    from matcher.ingest.tables import read_table
    from matcher.resolve.imports import import_profiles

    from .conftest import write

    text = "企业名称,总部,主要分支机构\n京港集团,北京市,深圳市；上海市\n湘江集团,长沙市,\n"
    t = read_table(write(tmp_path / "p.csv", text))
    import_profiles(store, parse_profiles(t), source_name="p.csv", sha256=t.sha256)
    u = build_universe(store, config).set_index("name")
    assert u.loc["京港集团", "source_region"] == "BTH"
    assert u.loc["京港集团", "regions"] == "GBA;YREB;BTH"  # configuration order
    assert u.loc["湘江集团", "regions"] == "YREB"
