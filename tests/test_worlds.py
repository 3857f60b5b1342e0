"""Simulated worlds the rule does not know (SYNTHETIC): the configuration, the truth, the learning curve, the planner's rule."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from matcher.config.load import data_file, load_config
from matcher.errors import ConfigError
from matcher.learn.metrics import ndcg_at_k
from matcher.sim.worlds import load_worlds, make_world, rule_parts

PARTS = ("chain", "region", "tier", "endowment", "origin")


@pytest.fixture(scope="module")
def cfg():
    return load_config()


@pytest.fixture(scope="module")
def settings(cfg):
    return load_worlds(config=cfg)


def test_the_worlds_file_is_labelled_synthetic_and_defines_three_worlds(settings):
    head = data_file("worlds.toml").read_text(encoding="utf-8")[:400]
    assert "SYNTHETIC" in head and "SOURCES" in data_file("worlds.toml").read_text(encoding="utf-8")
    assert [w.id for w in settings.worlds] == ["rule_right", "partly_wrong", "mostly_wrong"]
    # From right to mostly wrong, the rule's own weight falls.
    assert [w.coef["rule"] for w in settings.worlds] == sorted((w.coef["rule"] for w in settings.worlds), reverse=True)


@pytest.mark.usefixtures("english")
def test_a_bad_worlds_file_lists_every_problem(tmp_path, cfg):
    bad = tmp_path / "worlds.toml"
    bad.write_text(
        '[common]\nseed = 0\nmean_chance = "high"\n[campaigns]\nGBA = [30, 10]\n'
        '[[world]]\nid = "w"\nrule = 1\nanchor = 0\nendowment = 0\nintent = 0\ndistance = 0\ncampaign = 0\nwhatever = 2\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as e:
        load_worlds(bad, config=cfg)
    text = str(e.value)
    for part in ("mean_chance: expected a number, got 'high'", "noise_pair: missing", "GBA: weeks must satisfy", "tier: missing",
                 "unknown keys whatever", "[geography.cities] nanning: missing", "[campaigns] YREB: missing"):  # fmt: skip
        assert part in text, part


def _population_fit(parts: dict, p: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The best logistic fit of the truth on the rule's parts: outcomes weighted by the true chance (no sampling noise)."""
    X = np.column_stack([parts[k][mask] for k in PARTS])
    y = p[mask]
    lr = LogisticRegression(C=1e4, max_iter=5000).fit(
        np.vstack([X, X]), np.r_[np.ones(len(y)), np.zeros(len(y))], sample_weight=np.r_[y, 1 - y]
    )
    return lr.decision_function(X), y


def _expected_auc(score: np.ndarray, p: np.ndarray) -> float:
    """AUC of ``score`` against outcomes drawn from ``p``, in expectation."""
    return roc_auc_score(np.r_[np.ones(len(p)), np.zeros(len(p))], np.r_[score, score], sample_weight=np.r_[p, 1 - p])


def _city_ndcg(score: np.ndarray, p: np.ndarray, city: np.ndarray) -> float:
    return float(np.mean([ndcg_at_k(p[city == k], score[city == k], k=10) for k in np.unique(city)]))


@pytest.mark.parametrize("world", ["rule_right", "mostly_wrong"])
def test_the_mostly_wrong_truth_is_not_recoverable_from_the_rules_parts(world, cfg, settings):
    case = make_world(world, cfg, n=1500, seed=3, settings=settings)
    parts = rule_parts(case.scores)
    p = case.truth.propensity
    fits = parts["rule"] > 0  # the pairs a city's list ranks first
    fitted, y = _population_fit(parts, p, fits)
    city = np.nonzero(fits)[1]
    auc_truth, auc_fit, auc_rule = _expected_auc(y, y), _expected_auc(fitted, y), _expected_auc(parts["rule"][fits], y)
    ndcg_fit, ndcg_rule = _city_ndcg(fitted, y, city), _city_ndcg(parts["rule"][fits], y, city)
    if world == "mostly_wrong":
        # Even the best weights on the rule's parts leave a gap to the truth: other drivers decide.
        assert auc_truth - auc_fit > 0.08, (auc_truth, auc_fit)
        assert ndcg_fit < 0.6 and ndcg_rule < 0.4, (ndcg_fit, ndcg_rule)
    else:
        # Where the rule is right, reweighting its parts gains nothing; only unobserved noise remains.
        assert abs(auc_fit - auc_rule) < 0.01, (auc_fit, auc_rule)
        assert ndcg_rule > 0.7 and auc_truth - auc_fit < 0.08, (ndcg_rule, auc_truth, auc_fit)


def test_a_world_is_seeded_synthetic_and_hides_its_latent_intent(cfg, settings):
    a = make_world("partly_wrong", cfg, n=800, seed=5, settings=settings)
    b = make_world("partly_wrong", cfg, n=800, seed=5, settings=settings)
    assert np.array_equal(a.truth.logit, b.truth.logit)
    assert not np.array_equal(a.truth.logit, make_world("partly_wrong", cfg, n=800, seed=6, settings=settings).truth.logit)
    u = a.scores.universe
    assert u["synthetic"].all() and u["name"].str.endswith("（模拟）").all()
    assert "intent" not in u.columns
    # The proxies carry the intent only noisily.
    r = np.corrcoef(u["growth"], a.truth.intent)[0, 1]
    assert 0.5 < r < 0.9
    assert abs(a.truth.propensity.mean() - settings.common["mean_chance"]) < 1e-3
    # Campaign weeks raise the chance of the region's enterprises only.
    gba = np.flatnonzero(a.truth.regions == "GBA")[:50]
    inside = a.truth.chance(gba, 0, pd.Timestamp("2025-04-07"))  # ISO week 15
    outside = a.truth.chance(gba, 0, pd.Timestamp("2025-09-01"))
    assert (inside > outside).all()


def _tiny_model(cfg, tmp_path, *, supports: bool):
    """A logistic model trained on a few hundred made-up visits, saved with a card whose evidence says ``supports``."""
    from matcher.learn.pairs import PairFeatures, day_number, train_model
    from matcher.learn.persistence import save_model
    from matcher.score.rule import RuleScorer
    from matcher.sim.universe import synthetic_universe

    u = synthetic_universe(400, cfg, seed=1)
    scores = RuleScorer(cfg).fit(u).score(u)
    pf = PairFeatures(scores, cfg, pd.DataFrame(), None)
    rng = np.random.default_rng(0)
    # The team with the most candidates: enough distinct enterprises to calibrate on.
    team = max(sorted(pf.teams), key=lambda t: int(pf.team(t)["candidate"].sum()))
    rows = np.flatnonzero(pf.team(team)["candidate"])
    pairs = pd.DataFrame({"team_id": team, "monday": int(day_number(["2026-01-05"])[0]), "row": rng.choice(rows, 300)})
    y = (rng.random(300) < 0.3).astype(int)
    m = train_model(
        "logistic", pf.transform(pairs), y, pairs.row.to_numpy(), feature_set="pair-v1", horizon_weeks=26, trained_until="2026-06-01"
    )
    evidence = {"supports_blend": supports, "reason": "test evidence", "synthetic": True}
    save_model(m, tmp_path, name="logistic-test", card={"synthetic": True, "data_source": "SYNTHETIC test", "evidence": evidence})
    return scores


@pytest.mark.parametrize("supports", [True, False])
def test_the_planner_blends_a_model_in_only_when_its_card_supports_it(supports, cfg, tmp_path, caplog):
    from dataclasses import replace

    from matcher.plan.issue import model_values

    scores = _tiny_model(cfg, tmp_path, supports=supports)
    config = replace(cfg, model=replace(cfg.model, name="logistic-test.skops"))
    with caplog.at_level(logging.WARNING, logger="matcher.plan.issue"):
        values, version = model_values(scores, config, "2026-W10", pd.DataFrame(), None, tmp_path)
    if supports:
        assert version == "logistic-test.skops" and values.shape == (len(cfg.teams), len(scores.universe))
    else:
        assert values is None and version == "rule"
        assert "logistic-test.skops" in caplog.text and "test evidence" in caplog.text
    md = (tmp_path / "logistic-test.md").read_text(encoding="utf-8")
    assert ("switch the blend on" in md) == supports and "Evidence on the office's history" in md


def test_a_card_without_evidence_keeps_the_rule():
    from matcher.learn.evidence import supports_blend

    ok, why = supports_blend({"kind": "boosted"})
    assert not ok and "no held-out evidence" in why


@pytest.mark.slow
def test_learning_curve_learned_models_beat_the_rule_only_where_it_is_wrong(cfg, settings):
    from matcher.learn.curves import world_learning_curve

    lengths = ((44, 52),)
    right = world_learning_curve("rule_right", cfg, n=1500, seed=0, lengths=lengths, settings=settings).set_index("method")
    wrong = world_learning_curve("mostly_wrong", cfg, n=1500, seed=0, lengths=lengths, settings=settings).set_index("method")
    assert wrong.loc["boosted", "gain"] > 0.1 and wrong.loc["logistic", "gain"] > 0.1
    # With only the rule's own features the learner cannot find what the rule misses.
    assert wrong.loc["boosted, rule's features only", "gain"] < wrong.loc["boosted", "gain"] - 0.05
    assert right.loc["boosted", "gain"] < 0.02
    assert wrong.synthetic.all() and set(wrong.index) == {"rule", "logistic", "boosted", "boosted, rule's features only", "blend"}


def test_an_edited_card_is_not_read_so_the_rule_stays(cfg, tmp_path):
    import json
    from dataclasses import replace

    from matcher.plan.issue import model_values

    scores = _tiny_model(cfg, tmp_path, supports=False)
    card = tmp_path / "logistic-test.json"
    data = json.loads(card.read_text(encoding="utf-8"))
    data["evidence"]["supports_blend"] = True  # switching the blend on by hand
    card.write_text(json.dumps(data), encoding="utf-8")
    config = replace(cfg, model=replace(cfg.model, name="logistic-test.skops"))
    values, version = model_values(scores, config, "2026-W10", pd.DataFrame(), None, tmp_path)
    assert values is None and version == "rule"
