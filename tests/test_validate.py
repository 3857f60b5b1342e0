"""Validation on real outcomes: ranks against a plain pandas reference, metrics by hand, bad rows reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.cli.app import main
from matcher.demo import import_default_data
from matcher.featurise.universe import build_universe
from matcher.learn.validate import pair_metrics, read_investments, select_rows, summarise, validate_investments
from matcher.report.headers import column_ids
from matcher.report.validation import write_validation
from matcher.score.rule import RuleScorer
from matcher.store.core import Store

from .conftest import REAL


@pytest.fixture(scope="module")
def demo(tmp_path_factory, config):
    db = tmp_path_factory.mktemp("v") / "v.db"
    store = Store(db)
    import_default_data(store, config)
    u = build_universe(store, config)
    return db, store, RuleScorer(config).fit(u).score(u)


def reference_ranks(scores, city_id: str) -> pd.Series:
    """Rank of every enterprise id in a city's full list, by plain pandas, mean rank for ties.

    Enterprises that fit one of the city's chains come first, by their best
    score over those chains; the others follow by their score without a chain
    part (the same over every chain of the city).
    """
    g = np.flatnonzero((scores.groups.city == city_id).to_numpy())
    total = pd.DataFrame(scores.total(g), index=scores.universe.enterprise_id)
    fits = pd.DataFrame(scores.fit[:, g] > 0, index=total.index)
    any_fit = fits.any(axis=1)
    best = total.where(fits).max(axis=1)
    rest = total.where(~fits).max(axis=1)
    order = pd.DataFrame({"fits": any_fit.astype(int), "score": best.where(any_fit, rest)})
    # Rank by (fits, score) descending, mean rank within exact ties.
    key = order.apply(tuple, axis=1)
    return key.rank(ascending=False, method="average")


def investments_for(scores, picks: list[tuple[int, str]]) -> pd.DataFrame:
    u = scores.universe
    return pd.DataFrame({"enterprise": [u["name"].iloc[i] for i, _ in picks], "city": [c for _, c in picks], "list_name": "x"})


def test_ranks_match_a_plain_pandas_reference(demo, config):
    _, store, scores = demo
    n = len(scores.universe)
    # Enterprises spread over the universe; cities by Chinese name, English name and id.
    picks = [(i, c) for i, c in zip(range(0, n, max(1, n // 12)), ["钦州市", "Liuzhou", "nanning", "百色市"] * 4, strict=False)]
    inv = investments_for(scores, picks)
    v = validate_investments(store, config, inv, scores=scores, n_boot=50)
    p = v.pairs
    assert (p.status == "ranked").all() and (p.match == "exact").all()
    assert list(p.enterprise_id) == [scores.universe.enterprise_id.iloc[i] for i, _ in picks]
    for city_id, part in p.groupby("city_id"):
        ref = reference_ranks(scores, city_id)
        np.testing.assert_allclose(part["rank"].to_numpy(), ref[part.enterprise_id].to_numpy())
    assert (p.n == n).all()
    np.testing.assert_allclose(p.percentile, p["rank"] / n)


def test_an_enterprise_with_no_fit_ranks_below_all_that_fit_and_says_why(demo, config):
    _, store, scores = demo
    ref = reference_ranks(scores, "qinzhou")
    g, _ = scores.best(scores.group_ids(city="qinzhou"))
    bottom = np.flatnonzero(g < 0)
    assert len(bottom), "the demo universe should have enterprises that fit nothing in Qinzhou"
    n, n_fit = len(g), int((g >= 0).sum())
    v = validate_investments(store, config, investments_for(scores, [(int(bottom[0]), "钦州市")]), scores=scores, n_boot=10)
    row = v.pairs.iloc[0]
    assert n_fit < row["rank"] <= n and row["rank"] == pytest.approx(ref.iloc[bottom[0]])
    assert row.link == "" and row.n_fit == n_fit and not row.fits
    assert row.reason_zh.startswith("与钦州各产业链均不匹配")
    assert v.overall().coverage_city == 0 and v.overall().coverage_universe == 1


def test_metrics_by_hand():
    rank = np.array([1.0, 5.0, 20.0, 80.0, np.nan])
    pct = rank / 200
    in_u = ~np.isnan(rank)
    fits = np.array([True, True, True, False, False])
    m = pair_metrics(rank, pct, in_u, fits)
    assert m["hit@10"] == pytest.approx(2 / 5)
    assert m["hit@50"] == pytest.approx(3 / 5)
    assert m["hit@100"] == pytest.approx(4 / 5)
    assert m["mrr"] == pytest.approx((1 + 1 / 5 + 1 / 20 + 1 / 80 + 0) / 5)
    assert m["median_percentile"] == pytest.approx((5 / 200 + 20 / 200) / 2)
    assert m["coverage_universe"] == pytest.approx(4 / 5)
    assert m["coverage_city"] == pytest.approx(3 / 5)


def test_summary_intervals_are_seeded_and_hold_the_point_estimate():
    pairs = pd.DataFrame(
        {
            "city": ["A", "A", "B", "B", "B"],
            "list_name": ["f;p", "p", "", "f", "u"],
            "status": "ranked",
            "rank": [1.0, 5.0, 20.0, 80.0, 300.0],
            "n": 400,
            "in_universe": True,
            "score": [0.9, 0.8, 0.5, 0.3, 0.2],
            "fits": [True, True, True, False, False],
        }
    )
    pairs["percentile"] = pairs["rank"] / 400
    s1, s2 = summarise(pairs, n_boot=300, seed=3), summarise(pairs, n_boot=300, seed=3)
    pd.testing.assert_frame_equal(s1, s2)
    assert list(s1.group) == ["all", "A", "B", "(none)", "f", "p", "u"]
    assert list(s1.n_pairs) == [5, 2, 3, 1, 2, 2, 1]
    o = s1.iloc[0]
    assert o.mrr == pytest.approx((1 + 0.2 + 0.05 + 1 / 80 + 1 / 300) / 5)
    for m in ("mrr", "hit@10", "median_percentile", "coverage_city"):
        assert o[f"{m}_lo"] <= o[m] <= o[f"{m}_hi"]


class _Uncertain:
    """A resolver stub that finds a candidate for every name but is never sure."""

    def fit(self, master):
        self.master = master
        return self

    def fit_for(self, master, queries, token_counts=None):
        return self.fit(master)

    def predict(self, queries):
        return pd.DataFrame(
            {
                "enterprise_id": self.master.enterprise_id.iloc[0],
                "matched_name": self.master.name.iloc[0],
                "probability": 0.7,
                "decision": "review",
            },
            index=range(len(queries)),
        )


def test_unknown_city_and_unresolvable_names_are_reported(demo, config):
    _, store, scores = demo
    inv = investments_for(scores, [(0, "钦州市"), (1, "Atlantis")])
    inv = pd.concat([inv, pd.DataFrame({"enterprise": ["完全不存在的某某公司"], "city": ["柳州市"], "list_name": [""]})], ignore_index=True)
    v = validate_investments(store, config, inv, scores=scores, n_boot=20)
    assert list(v.pairs.status) == ["ranked", "unknown city", "not in universe"]
    assert np.isnan(v.pairs["rank"].iloc[2])
    assert v.overall().n_pairs == 2  # the unknown city's pair is left out
    assert v.overall()["hit@100"] <= 0.5  # the missing enterprise is a miss
    assert any("Atlantis" in n for n in v.notes) and any("完全不存在" in n for n in v.notes)
    stub = validate_investments(store, config, inv.iloc[[2]], scores=scores, resolver=_Uncertain(), n_boot=20)
    row = stub.pairs.iloc[0]
    assert row.status == "uncertain match" and row.enterprise_id == "" and row.matched_name != ""


def test_reports_and_command(demo, tmp_path):
    db, _, scores = demo
    inv = investments_for(scores, [(0, "钦州市"), (3, "柳州市")])
    inv.loc[1, "list_name"] = ""
    path = tmp_path / "inv.csv"
    inv.to_csv(path, index=False)
    assert len(select_rows(read_investments(path), "listed")) == 1
    r = CliRunner().invoke(main, ["--db", str(db), "validate", str(path), "--out", str(tmp_path / "o"), "--rows", "all"])
    assert r.exit_code == 0, r.output
    assert "2 对" in r.output and "mrr" in r.output
    for name in ("pairs.csv", "summary.csv", "validation.xlsx", "notes.md", "percentile.png"):
        assert (tmp_path / "o" / name).stat().st_size > 0
    head = list(pd.read_csv(tmp_path / "o" / "pairs.csv", encoding="utf-8-sig").columns)
    assert "排名" in head and "百分位" in head  # Chinese headers from the catalogue
    assert {"rank", "percentile", "enterprise_id"} <= set(column_ids(head))


@pytest.mark.slow
def test_real_investments(tmp_path, config):
    if not REAL.is_dir():
        pytest.skip("the real ranking lists (../shared/data/real) are not present")
    from benchmarks.validate_real import INVESTMENTS, build_store

    store = build_store(REAL, tmp_path / "r.db", config, profiles=True)
    inv = read_investments(REAL / INVESTMENTS)
    listed = validate_investments(store, config, select_rows(inv, "listed"), n_boot=200)
    assert len(listed.pairs) == 24
    assert listed.overall().coverage_universe >= 0.9  # the listed enterprises are found by name
    full = validate_investments(store, config, select_rows(inv, "all"), n_boot=200)
    assert len(full.pairs) == 48 and (full.pairs.status != "unknown city").all()
    written = write_validation(full, tmp_path / "out")
    assert all(p.stat().st_size > 0 for p in written)
