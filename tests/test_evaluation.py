"""Metric functions: hand-computed cases, ties, empty queries, k beyond the list, and the grouped version."""

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import ndcg_score

from matcher.learn.metrics import (
    brier_score,
    calibration_table,
    coverage,
    map_at_k,
    ndcg_at_k,
    novelty,
    precision_at_k,
    ranking_metrics,
    recall_at_k,
    roc_auc,
)

# relevance in ranked order for the scores below: [1, 0, 1, 0]
REL = [0, 1, 1, 0]
SCORE = [0.1, 0.9, 0.5, 0.7]


def test_hand_computed_case():
    assert precision_at_k(REL, SCORE, k=2) == 0.5
    assert precision_at_k(REL, SCORE, k=3) == pytest.approx(2 / 3)
    assert recall_at_k(REL, SCORE, k=1) == 0.5
    assert recall_at_k(REL, SCORE, k=3) == 1.0
    dcg = 1 + 1 / math.log2(4)
    idcg = 1 + 1 / math.log2(3)
    assert ndcg_at_k(REL, SCORE, k=3) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(REL, SCORE, k=1) == 1.0
    # AP@3 = (P@1 + P@3) / min(3, 2) = (1 + 2/3) / 2
    assert map_at_k(REL, SCORE, k=3) == pytest.approx((1 + 2 / 3) / 2)
    assert map_at_k(REL, SCORE, k=1) == 1.0


def test_ties_follow_input_order():
    # all scores tied: the first given ranks first
    assert precision_at_k([1, 0, 0], [0.5, 0.5, 0.5], k=1) == 1.0
    assert precision_at_k([0, 0, 1], [0.5, 0.5, 0.5], k=1) == 0.0
    assert ndcg_at_k([0, 1], [2.0, 2.0], k=2) == pytest.approx((1 / math.log2(3)) / 1.0)
    assert map_at_k([0, 1], [2.0, 2.0], k=2) == 0.5


def test_empty_query_and_no_relevant_items():
    assert precision_at_k([], [], k=5) == 0.0
    for f in (recall_at_k, ndcg_at_k, map_at_k):
        assert math.isnan(f([], [], k=5))
        assert math.isnan(f([0, 0], [0.2, 0.1], k=5))


def test_k_larger_than_the_list():
    assert precision_at_k([1, 1], [0.3, 0.2], k=10) == 0.2  # empty slots count as misses
    assert recall_at_k([1, 1], [0.3, 0.2], k=10) == 1.0
    assert ndcg_at_k([1, 0, 1], [0.3, 0.2, 0.1], k=10) == pytest.approx((1 + 0.5) / (1 + 1 / math.log2(3)))
    assert map_at_k([0, 1], [0.9, 0.1], k=10) == 0.5


def test_graded_relevance_gives_expected_precision():
    assert precision_at_k([0.2, 0.4, 0.1], [3, 2, 1], k=2) == pytest.approx(0.3)


@pytest.mark.parametrize("k", [0, -1, 1.5, True, "3"])
@pytest.mark.usefixtures("english")
def test_bad_k_is_named(k):
    with pytest.raises(ValueError, match=r"The 'k' parameter of precision_at_k must be an int >= 1. Got"):
        precision_at_k([1], [1], k=k)


@pytest.mark.usefixtures("english")
def test_bad_inputs():
    with pytest.raises(ValueError, match="same length"):
        ndcg_at_k([1, 0], [1.0], k=1)
    with pytest.raises(ValueError, match=r"relevances in \[0, 1\]"):
        ndcg_at_k([2, 0], [1.0, 0.0], k=1)


@pytest.mark.parametrize("seed", range(5))
def test_ndcg_matches_scikit_learn_without_ties(seed):
    rng = np.random.default_rng(seed)
    rel = rng.random(30) * (rng.random(30) < 0.3)
    s = rng.random(30)
    assert ndcg_at_k(rel, s, k=7) == pytest.approx(ndcg_score([rel], [s], k=7))


@pytest.mark.parametrize("seed", range(5))
def test_grouped_metrics_equal_the_mean_of_per_query_metrics(seed):
    rng = np.random.default_rng(seed)
    n = 400
    f = pd.DataFrame(
        {
            "team": rng.integers(0, 6, n),
            "week": rng.integers(0, 5, n),
            "item": rng.permutation(n),
            "rel": (rng.random(n) < 0.2).astype(float),
            "score": rng.integers(0, 4, n).astype(float),  # many ties
        }
    )
    got = ranking_metrics(f, query=["team", "week"], relevance="rel", score="score", tiebreak="item", k=3)
    per = {"precision": [], "recall": [], "ndcg": [], "map": []}
    for _, q in f.sort_values("item").groupby(["team", "week"]):
        for name, fn in (("precision", precision_at_k), ("recall", recall_at_k), ("ndcg", ndcg_at_k), ("map", map_at_k)):
            per[name].append(fn(q.rel, q.score, k=3))
    for name, vals in per.items():
        assert got[name] == pytest.approx(np.nanmean(vals)), name
    assert got["queries"] == f.groupby(["team", "week"]).ngroups
    assert got["queries_with_relevant"] == int((f.groupby(["team", "week"]).rel.sum() > 0).sum())


def test_probability_metrics():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert math.isnan(roc_auc([1, 1], [0.2, 0.3]))
    assert brier_score([1, 0], [0.8, 0.4]) == pytest.approx((0.04 + 0.16) / 2)
    cal = calibration_table([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], n_bins=2)
    assert list(cal.n) == [2, 2]
    assert list(cal.observed_rate) == [0.0, 1.0]
    assert cal.mean_predicted.tolist() == pytest.approx([0.15, 0.85])


def test_coverage_and_novelty():
    assert coverage(["a", "b", "a"], 4) == 0.5
    lists = pd.DataFrame(
        {
            "team": ["t", "t", "t", "t", "t", "t", "u", "u"],
            "week": [1, 1, 2, 2, 3, 3, 1, 1],
            "item": ["a", "b", "a", "c", "d", "e", "a", "b"],
        }
    )
    # week 2: c new (1/2); week 3: d, e new (2/2); team u has one list only
    assert novelty(lists, owner="team", time="week", item="item") == pytest.approx(0.75)
    assert math.isnan(novelty(lists[lists.team == "u"], owner="team", time="week", item="item"))
