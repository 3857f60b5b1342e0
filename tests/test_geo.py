"""Headquarters → city → key region."""

import pandas as pd
import pytest

from matcher.geo import locate
from matcher.resolve import load_gazetteer


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
