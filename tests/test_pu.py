"""Positive-unlabelled learning on investments, judged only held out (by enterprise and by city)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher.config.load import load_config
from matcher.learn.pu import PU_FEATURES, pu_cross_validate, pu_features, pu_study
from matcher.score.rule import RuleScorer
from matcher.sim.universe import synthetic_universe


@pytest.fixture(scope="module")
def scores():
    cfg = load_config()
    u = synthetic_universe(600, cfg, seed=2)
    return RuleScorer(cfg).fit(u).score(u)


def _planted(scores, n_pos=30, seed=0):
    """Positive pairs where the (synthetic) truth is the endowment fit: the rule gives it a small weight."""
    F = pu_features(scores)
    rng = np.random.default_rng(seed)
    z = 4 * F[:, :, PU_FEATURES.index("endowment")] + rng.normal(0, 0.3, F.shape[:2])
    flat = np.argsort(-z, axis=None, kind="stable")[:n_pos]
    rows, cities = np.unravel_index(flat, z.shape)
    return rows, cities


def test_pu_features_are_the_rules_parts_per_city(scores):
    F = pu_features(scores)
    assert F.shape == (len(scores.universe), len(scores.config.cities), len(PU_FEATURES))
    assert np.array_equal(F[:, 3, PU_FEATURES.index("endowment")], scores.endowment[:, 3])
    assert set(np.unique(F[:, :, PU_FEATURES.index("fits")])) <= {0.0, 1.0}


@pytest.mark.parametrize("by", ["enterprise", "city"])
def test_pu_learns_a_planted_signal_held_out(scores, by):
    rows, cities = _planted(scores)
    held = pu_cross_validate(scores, rows, cities, by=by)
    assert np.isfinite(held).all()
    # Random ranks would put the median at half the list; the planted driver is found without seeing the pair.
    assert np.median(held / len(scores.universe)) < 0.2


@pytest.mark.usefixtures("english")
def test_pu_cross_validate_checks_its_grouping(scores):
    with pytest.raises(ValueError, match="'by' parameter of pu_cross_validate must be 'enterprise' or 'city'. Got 'team'"):
        pu_cross_validate(scores, np.array([0]), np.array([0]), by="team")


def test_pu_study_compares_held_out_rankings_and_keeps_the_rule_without_evidence(scores):
    from matcher.learn.validate import city_ranking

    rows, cities = _planted(scores, n_pos=12, seed=1)
    u = scores.universe
    city_ids = np.array([c.id for c in scores.config.cities])[cities]
    rank = np.array([city_ranking(scores, c)[0][r] for r, c in zip(rows, city_ids, strict=True)])
    pairs = pd.DataFrame(
        {
            "enterprise": u.name.to_numpy()[rows],
            "city": city_ids,
            "city_id": city_ids,
            "list_name": "",
            "enterprise_id": u.enterprise_id.to_numpy()[rows],
            "status": "ranked",
            "in_universe": True,
            "fits": True,
            "rank": rank,
            "percentile": rank / len(u),
        }
    )
    summary, diff, verdict = pu_study(scores, pairs, n_boot=200)
    assert list(summary.scheme) == [
        "rule (configured weights)",
        "rule, weights held out by enterprise",
        "PU held out by enterprise",
        "rule, weights held out by city",
        "PU held out by city",
    ]
    assert set(diff.grouping) == {"enterprise", "city"} and len(diff) == 4
    assert (diff.mean_log_rank_lo <= diff.mean_log_rank).all() and (diff.mean_log_rank <= diff.mean_log_rank_hi).all()
    helps = bool((diff.mean_log_rank_hi < 0).all())
    assert verdict == ("PU learning helps: use it beside the rule" if helps else "keep the rule")


@pytest.mark.slow
def test_pu_on_the_real_investments_is_held_out_and_keeps_the_rule(real, tmp_path):
    import benchmarks.pu_real as pu_real

    assert pu_real.main(["--real", str(real), "--out", str(tmp_path)]) == 0
    text = (tmp_path / "notes.md").read_text(encoding="utf-8")
    assert "24 positive pairs" in text and "held out" in text
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert (summary.n_pairs == 24).all()
    assert "Verdict: keep the rule." in text
