import pandas as pd
import pytest

from matcher._text import normalize_name, normalize_names


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("阿里巴巴（中国）有限公司", "阿里巴巴"),
        ("京东集团", "京东"),
        ("恒力集团有限公司", "恒力"),
        ("ＡＢＣ　有限公司", "abc"),  # full width letters and space
        ("浙江吉利控股集团有限公司", "浙江吉利"),
        ("Zhejiang Geely Holding Group Co., Ltd.", "zhejianggeely"),
        ("BMW Group", "bmw"),
        ("Walmart", "walmart"),
        ("Deutsche Telekom AG", "deutschetelekom"),
        ("", ""),
        (None, ""),
        ("集团有限公司", "集团有限公司"),  # nothing but a legal form: keep it rather than return ""
    ],
)
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected


def test_brackets_and_suffix_variants_share_a_key():
    variants = ["阿里巴巴（中国）有限公司", "阿里巴巴(中国)有限公司", "阿里巴巴集团", "阿里巴巴集团控股有限公司"]
    assert len({normalize_name(v) for v in variants}) == 1


def test_vectorised_matches_scalar():
    names = pd.Series(["京东集团", "Walmart Inc.", None, "京东集团", "华为投资控股有限公司"])
    assert list(normalize_names(names)) == [normalize_name(n) for n in names]
