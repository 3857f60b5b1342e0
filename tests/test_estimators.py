"""scikit-learn conventions of the package's estimators: Resolver and the featurise transformers.

They read DataFrames of named string columns, not numeric arrays, and say so
in their tags (``input_tags.two_d_array`` off), so ``check_estimator`` skips
them: the API checks that apply are run one by one, and the checks that fit
on numeric data (parameters not overwritten, no public attribute added by
``fit`` without a trailing underscore) are run here on the frames they read.
"""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils import estimator_checks as ec
from sklearn.utils import get_tags

from matcher.config.model import Industry, Region, Tier
from matcher.errors import MatcherError
from matcher.featurise.transformers import IndustryVectorizer, RegionEncoder, TierFeaturizer, rank_column
from matcher.resolve.resolver import Resolver

INDUSTRIES = (
    Industry(id="auto", name_zh="汽车", name_en="Automotive", keywords_zh=("乘用车",)),
    Industry(id="steel", name_zh="钢铁", name_en="Steel", name_keywords_zh=("钢铁",)),
)
TIERS = (Tier(id="a", name_zh="甲", name_en="A", weight=1.0, size=10), Tier(id="b", name_zh="乙", name_en="B", weight=0.5, size=10))
REGIONS = (
    Region(id="yrd", name_zh="长三角", name_en="Yangtze River Delta"),
    Region(id="gba", name_zh="大湾区", name_en="Greater Bay Area"),
)


def _universe() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise_id": ["E1", "E2", "E3"],
            "name": ["浙江恒逸集团有限公司", "日照钢铁控股集团有限公司", "比亚迪股份有限公司"],
            "industry_text": ["化纤", "钢铁", "乘用车"],
            "regions": ["yrd", "", "gba;yrd"],
            rank_column("a"): [1.0, np.nan, 5.0],
            rank_column("b"): [np.nan, 3.0, np.nan],
            "on__a": [True, False, True],
            "on__b": [False, True, False],
        }
    )


# Each estimator with the frame it is fitted on.
CASES = [
    (Resolver(n_train=2000), lambda: _universe()[["enterprise_id", "name"]]),
    (IndustryVectorizer(INDUSTRIES), _universe),
    (TierFeaturizer(TIERS), _universe),
    (RegionEncoder(REGIONS), _universe),
]
IDS = [type(e).__name__ for e, _ in CASES]

API_CHECKS = [
    ec.check_estimator_cloneable,
    ec.check_estimator_repr,
    ec.check_no_attributes_set_in_init,
    ec.check_get_params_invariance,
    ec.check_set_params,
    ec.check_parameters_default_constructible,
    ec.check_do_not_raise_errors_in_init_or_set_params,
    ec.check_estimator_tags_renamed,
    ec.check_valid_tag_types,
    ec.check_mixin_order,
    ec.check_estimators_unfitted,
]


@pytest.mark.parametrize("check", API_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("estimator, data", CASES, ids=IDS)
def test_sklearn_api_checks(estimator, data, check):
    check(type(estimator).__name__, clone(estimator))


@pytest.mark.parametrize("estimator, data", CASES, ids=IDS)
def test_input_is_declared_as_frames_of_named_columns(estimator, data):
    tags = get_tags(estimator)
    assert not tags.input_tags.two_d_array
    assert not tags.target_tags.required


@pytest.mark.parametrize("estimator, data", CASES, ids=IDS)
def test_fit_overwrites_no_parameter_and_sets_only_trailing_underscore_attributes(estimator, data):
    """The frame versions of check_estimators_overwrite_params and check_dont_overwrite_parameters."""
    est = clone(estimator)
    before_params = joblib.hash(est.get_params())
    before = dict(vars(est))
    est.fit(data())
    assert joblib.hash(est.get_params()) == before_params
    added = [k for k in vars(est) if k not in before]
    public = [k for k in added if not k.startswith("_") and not k.endswith("_")]
    assert not public, f"fit added public attributes without a trailing underscore: {public}"
    changed = [k for k in before if not k.startswith("_") and joblib.hash(vars(est)[k]) != joblib.hash(before[k])]
    assert not changed, f"fit changed public attributes: {changed}"
    # Fitted twice: the same state (idempotent fit).
    again = clone(estimator).fit(data()).fit(data())
    assert sorted(k for k in vars(again) if k.endswith("_")) == sorted(k for k in vars(est) if k.endswith("_"))


@pytest.mark.usefixtures("english")
def test_resolver_says_which_column_is_missing():
    r = Resolver(n_train=2000)
    with pytest.raises(MatcherError, match="'name' column"):
        r.fit(pd.DataFrame({"enterprise_id": ["E1"], "label": ["恒力集团"]}))
    r.fit(pd.DataFrame({"enterprise_id": ["E1"], "name": ["恒力集团"]}))
    for method in (r.predict, r.score_pairs, r.candidates, r.transform):
        with pytest.raises(MatcherError, match="'name' column"):
            method(pd.DataFrame({"label": ["恒力"]}))
    with pytest.raises(MatcherError, match="must be a DataFrame"):
        r.predict(np.array([["恒力"]]))


@pytest.mark.parametrize(
    "estimator, column",
    [(IndustryVectorizer(INDUSTRIES), "industry_text"), (TierFeaturizer(TIERS), "rank__a"), (RegionEncoder(REGIONS), "regions")],
    ids=["IndustryVectorizer", "TierFeaturizer", "RegionEncoder"],
)
def test_transformers_say_which_column_is_missing(estimator, column):
    est = clone(estimator).fit(_universe())
    with pytest.raises(MatcherError, match=column):
        est.transform(_universe().drop(columns=[column]))
