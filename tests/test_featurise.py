"""Industry vectors, tier features and region membership."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from matcher.config.model import Industry, Tier
from matcher.featurise.transformers import IndustryVectorizer, RegionEncoder, TierFeaturizer, tier_values

INDUSTRIES = (
    Industry(id="auto", name_zh="汽车", name_en="Automotive", synonyms_en=("Motor Vehicles and Parts",), typical_children=("oem", "parts")),
    Industry(id="oem", name_zh="整车", name_en="Vehicles", parent="auto", keywords_zh=("乘用车",)),
    Industry(id="parts", name_zh="汽车零部件", name_en="Auto parts", parent="auto", keywords_zh=("零部件",)),
    Industry(id="battery", name_zh="动力电池", name_en="Power batteries", parent="auto", name_keywords_zh=("电池",)),
    Industry(id="steel", name_zh="钢铁", name_en="Steel", name_keywords_zh=("钢铁",), name_keywords_en=("steel",)),
)


def frame(texts, names=None):
    return pd.DataFrame({"industry_text": texts, "name": names or [""] * len(texts)})


def test_broad_label_spreads_to_typical_children_only():
    X = frame(["Motor Vehicles and Parts"])
    vec = IndustryVectorizer(INDUSTRIES, parent_discount=0.8).fit(X)
    m = vec.transform(X).toarray()[0]
    got = dict(zip(vec.industries_, m))
    assert got["auto"] == 1.0
    # Spread thinly over the two typical children (1/sqrt(2) each), the second 5% less.
    assert got["oem"] == pytest.approx(0.8 / np.sqrt(2))
    assert got["parts"] == pytest.approx(0.8 * 0.95 / np.sqrt(2))
    assert got["battery"] == 0.0  # not a typical child
    assert list(vec.get_feature_names_out())[:2] == ["industry__auto", "industry__oem"]


def test_narrow_match_counts_for_parent():
    X = frame(["乘用车；零部件"])
    vec = IndustryVectorizer(INDUSTRIES).fit(X)
    got = dict(zip(vec.industries_, vec.transform(X).toarray()[0]))
    # Each keyword is a whole business line: a line match (0.85), not a keyword in prose (0.7).
    assert got["oem"] == pytest.approx(0.85) and got["parts"] == pytest.approx(0.85)
    assert got["auto"] == 1.0  # two children, capped at 1


def test_keyword_that_is_most_of_a_business_line_outranks_one_in_prose():
    from matcher.featurise.taxonomy import METHOD_CONFIDENCE

    X = frame(["乘用车；化工", "本公司主要从事各类乘用车零部件的研发与销售服务"])
    vec = IndustryVectorizer(INDUSTRIES).fit(X)
    m = vec.transform(X).toarray()
    got = [dict(zip(vec.industries_, row)) for row in m]
    assert got[0]["oem"] == pytest.approx(METHOD_CONFIDENCE["line"])
    # The same keyword inside a long sentence is only a keyword.
    assert got[1]["oem"] == pytest.approx(METHOD_CONFIDENCE["keyword"])


def test_name_is_used_only_without_industry_text_and_unknown_stays_unknown():
    X = frame(["", "", "Motor Vehicles and Parts"], ["宝山钢铁股份有限公司", "恒力集团有限公司", "Pacific Steel"])
    vec = IndustryVectorizer(INDUSTRIES).fit(X)
    found = vec.explain(X)
    assert found[found.row == 0][["industry", "method", "confidence"]].values.tolist() == [["steel", "name", 0.4]]
    assert 1 not in set(found.row)  # no text, nothing in the name: unknown, not guessed
    assert set(found[found.row == 2].method) == {"label"}  # the name is not used when text says it
    assert vec.transform(X)[1].nnz == 0


@pytest.mark.usefixtures("english")
def test_tier_values_log_rank():
    tiers = (Tier(id="a", name_zh="", name_en="", weight=1.0, size=500), Tier(id="u", name_zh="", name_en="", weight=0.6, ranked=False))
    ranks = np.array([[1.0, np.nan], [500.0, np.nan], [np.nan, np.nan]])
    on = np.array([[True, False], [True, True], [False, False]])
    v = tier_values(ranks, on, tiers, rank_decay=0.5, unranked_factor=0.75)
    assert v[0].tolist() == [1.0, 0.0]
    assert v[1].tolist() == pytest.approx([0.5, 0.45])
    assert v[2].tolist() == [0.0, 0.0]
    X = pd.DataFrame({"rank__a": ranks[:, 0], "rank__u": ranks[:, 1], "on__a": on[:, 0], "on__u": on[:, 1]})
    tf = TierFeaturizer(tiers, multi_list_bonus=0.05).fit(X)
    out = tf.transform(X)
    assert out[:, -1].tolist() == pytest.approx([1.0, 0.55, 0.0])  # best list + 0.05 per further list
    assert out[:, -2].tolist() == [1, 2, 0]
    with pytest.raises(ValueError, match="'rank_decay' parameter must be a float in \\[0, 1\\]. Got 2"):
        clone(tf).set_params(rank_decay=2).fit(X)


def test_region_encoder(config):
    X = pd.DataFrame({"regions": ["GBA", "", "YREB;BTH"]})
    enc = RegionEncoder(config.regions).fit(X)
    m = enc.transform(X)
    names = list(enc.get_feature_names_out())
    assert m[0, names.index("region__GBA")] and not m[1].any()
    assert m[2, names.index("region__YREB")] and m[2, names.index("region__BTH")]


def test_find_keywords_equals_substring_search_on_random_texts():
    import re

    from matcher.featurise.taxonomy import find_keywords

    rng = np.random.default_rng(0)
    alphabet = list("电池锂能源新材料ab1 ;、x")
    texts = np.array(["".join(rng.choice(alphabet, size=rng.integers(0, 25))) for _ in range(400)], dtype=object)
    keywords = ["电池", "锂电池", "能源", "新能源", "a", "ab", "b1", "x", "料", "池锂", "ab1 x"]
    bounded = np.array([False, False, False, False, True, True, True, True, False, False, True])
    t, k = find_keywords(texts, keywords, bounded, batch_chars=500)  # small batches: the batching is exercised too
    got = set(zip(t.tolist(), k.tolist()))
    want = set()
    for i, text in enumerate(texts):
        for j, kw in enumerate(keywords):
            pattern = rf"(?<![a-z0-9]){re.escape(kw)}(?![a-z0-9])" if bounded[j] else re.escape(kw)
            if re.search(pattern, text):
                want.add((i, j))
    assert got == want
    assert len(want) > 300


def _real_keywords(config):
    """The configured keywords (texts and names) as the mapper searches them: folded, bounded when English."""
    from matcher.featurise.taxonomy import fold_label

    units = set()
    for ind in config.industries:
        for zh, en in ((ind.keywords_zh, ind.keywords_en), (ind.name_keywords_zh, ind.name_keywords_en)):
            units |= {(fold_label(k), False) for k in zh if k.strip()}
            units |= {(fold_label(k), True) for k in en if k.strip()}
    units = sorted(u for u in units if u[0])
    return [k for k, _ in units], np.array([b for _, b in units], dtype=bool)


def test_automaton_equals_plain_search_on_real_keywords(config):
    """Aho–Corasick finds exactly the pairs of the plain search (and of `in`), on texts made of real keywords and filler."""
    from matcher.featurise.taxonomy import find_keywords
    from tests.reference_keywords import plain_find_keywords

    keywords, bounded = _real_keywords(config)
    assert len(keywords) > 1000
    # The same string bounded and not: both indices must be reported.
    keywords, bounded = keywords + [keywords[0]], np.append(bounded, ~bounded[0])
    rng = np.random.default_rng(7)
    filler = ["", " ", "；", "、", "a", "x1", "9", "及", "的", "有限公司", "-", "𠀀", "Ä"]
    pieces = rng.choice(np.array(keywords + filler, dtype=object), size=(3000, 8))
    cut = rng.integers(0, 3, size=pieces.shape)  # keywords cut short overlap their neighbours
    texts = np.array(["".join(p[: len(p) - c] for p, c in zip(row, cuts)) for row, cuts in zip(pieces, cut)], dtype=object)
    texts[:3] = ["", keywords[0], "".join(keywords[:50])]
    t, k = find_keywords(texts, keywords, bounded, batch_chars=5000)
    pt, pk = plain_find_keywords(texts, keywords, bounded, batch_chars=5000)
    np.testing.assert_array_equal(t, pt)
    np.testing.assert_array_equal(k, pk)
    assert len(t) > 10_000 and bounded[k].any() and (~bounded[k]).any()
    none = find_keywords(np.array(["zz", ""], dtype=object), keywords[:5], bounded[:5])
    assert none[0].size == 0 and none[1].size == 0
    # Spot-check a sample against the definition.
    import re

    found = set(zip(t.tolist(), k.tolist()))
    for i in range(0, len(texts), 97):
        for j, kw in enumerate(keywords):
            pattern = rf"(?<![a-z0-9]){re.escape(kw)}(?![a-z0-9])" if bounded[j] else re.escape(kw)
            assert ((i, j) in found) == bool(re.search(pattern, texts[i])), (texts[i], kw)
