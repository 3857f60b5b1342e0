"""Pair features, signing models, the blend, model management and the backtest on a small simulated world."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from matcher.config.model import MODEL_FEATURE_SETS
from matcher.errors import MatcherError
from matcher.learn.backtest import run_backtest
from matcher.learn.pairs import FEATURE_SETS, PairFeatures, blend, blended_team_scores, day_number, monday_of, train_model
from matcher.learn.persistence import ModelError, load_model, save_model
from matcher.score.rule import RuleScorer
from matcher.sim.history import simulate_history, visit_chance
from matcher.sim.universe import add_teams, synthetic_universe

H = 8
WEEKS = 46


@pytest.fixture(scope="module")
def world(config):
    u = synthetic_universe(700, config, seed=11)
    s = RuleScorer(config).fit(u).score(u)
    h = simulate_history(s, config, weeks=WEEKS, seed=2, visit_lift=0.5)
    pf = PairFeatures(s, config, h.visits, h.projects)
    pairs = pf.visit_pairs(h.visits)
    pairs["label"] = pf.labels(pairs, H)
    return s, h, pf, pairs


@pytest.fixture(scope="module")
def boosted(world):
    s, h, pf, pairs = world
    X = pf.transform(pairs)
    return train_model(
        "boosted", X, pairs.label.to_numpy(), pairs.row.to_numpy(), feature_set="pair-v1", horizon_weeks=H, trained_until="2026-02-23"
    )


def test_feature_sets_agree_with_the_configuration():
    assert tuple(FEATURE_SETS) == MODEL_FEATURE_SETS
    assert set(FEATURE_SETS["static-v1"]) < set(FEATURE_SETS["pair-v1"])


def test_monday_of():
    days = day_number(["2025-01-06", "2025-01-08", "2025-01-12", "2025-01-13"])
    assert list(monday_of(days)) == list(day_number(["2025-01-06"] * 3 + ["2025-01-13"]))


def test_history_features_equal_a_plain_reference(world):
    s, h, pf, pairs = world
    rng = np.random.default_rng(0)
    sample = pairs.sample(300, random_state=1).reset_index(drop=True)
    sample["monday"] = sample.monday + 7 * rng.integers(-3, 4, len(sample))
    got = pf.history(sample.team_id.to_numpy(), sample.monday.to_numpy(), sample.row.to_numpy())
    lab = pf.labels(sample, H)
    v = h.visits.assign(day=day_number(h.visits.date))
    p = h.projects.assign(sd=pd.to_datetime(h.projects.signed_date))
    ids = s.universe.enterprise_id.to_numpy()
    team_city = {t.id: t.home_city for t in pf.config.teams}
    for i, r in sample.iterrows():
        city, ent = team_city[r.team_id], ids[r.row]
        mine = v[(v.enterprise_id == ent) & (v.city == city) & (v.day < r.monday)]
        assert got["prior_visits"][i] == len(mine)
        expect_weeks = min((r.monday - mine.day.max()) / 7, 104) if len(mine) else 104
        assert got["weeks_since_visit"][i] == pytest.approx(expect_weeks)
        sd = p[(p.enterprise_id == ent) & (p.city == city)].sd.dropna()
        sd = day_number(sd) if len(sd) else np.array([])
        assert got["signed_before"][i] == bool((sd < r.monday).any())
        assert lab[i] == int(((sd >= r.monday) & (sd < r.monday + 7 * H)).any())


def test_features_do_not_see_the_future(world):
    s, h, pf, pairs = world
    cut = int(pairs.monday.quantile(0.5))
    early = pairs[pairs.monday <= cut]
    # What was known at the cut: later visits gone, later signings and drops not yet happened.
    when = pd.Timestamp(0) + pd.Timedelta(days=cut)
    known = h.projects.copy()
    known["signed_date"] = known.signed_date.where(known.signed_date < when)
    later_drop = (known.stage == "dropped") & (known.stage_date >= when)
    known.loc[later_drop, "stage"] = "visited"
    past = PairFeatures(s, pf.config, h.visits[day_number(h.visits.date) < cut], known)
    pd.testing.assert_frame_equal(pf.transform(early), past.transform(early))


def test_cold_start_scores_follow_the_hidden_propensity(world, boosted):
    s, h, pf, pairs = world
    # The five teams with the most candidates (50+ each): a rank correlation over a handful of rows says nothing.
    teams = sorted(sorted(pf.teams), key=lambda t: -int(pf.team(t)["candidate"].sum()))[:5]
    rho = []
    for team in teams:
        rows = np.flatnonzero(pf.team(team)["candidate"])
        assert len(rows) >= 50
        never = pd.DataFrame({"team_id": team, "monday": int(day_number(["2024-06-03"])[0]), "row": rows})
        X = pf.transform(never)
        assert (X.prior_visits == 0).all()
        p = boosted.predict_proba(X)
        k = pf.city_index[pf.teams[team].home_city]
        rho.append(spearmanr(p, h.propensity[rows, k]).statistic)
    assert min(rho) > 0.1 and np.mean(rho) > 0.3, rho


@pytest.mark.usefixtures("english")
def test_blend():
    rule = np.array([0.9, 0.5, 0.1])
    prob = np.array([0.01, 0.02, 0.04])
    assert np.argsort(-blend(rule, prob, 0.0)).tolist() == [0, 1, 2]
    assert np.argsort(-blend(rule, prob, 1.0)).tolist() == [2, 1, 0]
    assert blend(rule, prob, 0.5)[2] == pytest.approx(0.5 * 0.1 + 0.5 * 1.0)
    with pytest.raises(ValueError, match="'weight' parameter of blend"):
        blend(rule, prob, 1.5)


def test_blended_team_scores_for_the_planner(world, boosted, config):
    s, h, pf, pairs = world
    rule = blended_team_scores(s, config, None, week="2026-W10")
    out = blended_team_scores(s, config, boosted, week="2026-W10", visits=h.visits, projects=h.projects, weight=0.5)
    assert set(out) == {t.id for t in config.teams}
    t = sorted(out)[0]
    assert ((out[t] >= 0) == (rule[t] >= 0)).all()
    assert (out[t][out[t] >= 0] <= 1).all()


@pytest.mark.usefixtures("english")
def test_training_needs_outcomes(world):
    s, h, pf, pairs = world
    X = pf.transform(pairs)
    with pytest.raises(MatcherError, match="outcomes are all unsigned"):
        train_model("logistic", X, np.zeros(len(X)), pairs.row.to_numpy(), feature_set="pair-v1", horizon_weeks=H, trained_until="x")
    with pytest.raises(MatcherError, match="unknown model kind"):
        train_model("forest", X, pairs.label, pairs.row.to_numpy(), feature_set="pair-v1", horizon_weeks=H, trained_until="x")
    # Enough signings, but all on enterprises of one fold: a fold would train on one class.
    groups = pairs.row.to_numpy()
    first = np.unique(groups)[:5]
    y = np.isin(groups, first[:1]).astype(int)
    assert y.sum() >= 5 and len(np.unique(groups)) >= 5
    with pytest.raises(MatcherError, match="too few enterprises"):
        train_model("logistic", X, y, groups, feature_set="pair-v1", horizon_weeks=H, trained_until="x")


# ------------------------------------------------------------------ model management


@pytest.fixture
def saved(tmp_path, boosted):
    path = save_model(boosted, tmp_path, name="boosted-2026-02-23", card={"synthetic": True, "data_source": "SYNTHETIC test world"})
    return tmp_path, path


def test_save_and_load(saved):
    folder, path = saved
    m = load_model(path.name, folder, feature_set="pair-v1")
    assert m.kind == "boosted"
    card = json.loads((folder / "boosted-2026-02-23.json").read_text(encoding="utf-8"))
    assert card["synthetic"] is True and card["feature_set"] == "pair-v1" and "scikit-learn" in card["library_versions"]
    assert "SYNTHETIC" in (folder / "boosted-2026-02-23.md").read_text(encoding="utf-8")


@pytest.mark.usefixtures("english")
def test_a_tampered_model_file_is_refused(saved):
    folder, path = saved
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="has been changed: its SHA-256 .* does not match the manifest"):
        load_model(path.name, folder, feature_set="pair-v1")


@pytest.mark.usefixtures("english")
def test_a_model_of_another_feature_set_is_refused(saved):
    folder, path = saved
    with pytest.raises(ModelError, match="trained on feature set 'pair-v1', but the configuration expects 'static-v1'"):
        load_model(path.name, folder, feature_set="static-v1")


@pytest.mark.usefixtures("english")
def test_a_model_from_an_incompatible_scikit_learn_is_refused(saved):
    folder, path = saved
    man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    man["models"][path.name]["sklearn_version"] = "0.24.2"
    (folder / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    with pytest.raises(ModelError, match="made with scikit-learn 0.24.2, which is incompatible"):
        load_model(path.name, folder, feature_set="pair-v1")


@pytest.mark.usefixtures("english")
def test_unknown_or_outside_files_are_refused(saved):
    folder, path = saved
    with pytest.raises(ModelError, match="not listed in"):
        load_model("other-2026-01-01.skops", folder, feature_set="pair-v1")
    with pytest.raises(ModelError, match="invalid model file name"):
        load_model("../evil.skops", folder, feature_set="pair-v1")


# ------------------------------------------------------------------------- backtest


@pytest.mark.usefixtures("english")
def test_backtest_compares_every_method(world, config):
    s, h, pf, pairs = world
    end = str((pd.Timestamp("2025-01-06") + pd.Timedelta(weeks=WEEKS)).date())
    r = run_backtest(
        s,
        config,
        h.visits,
        h.projects,
        end=end,
        propensity=h.propensity,
        visit_lift=0.5,
        origins=2,
        horizon_weeks=H,
        min_train_weeks=8,
        cf_every=6,
    )
    t = r.table.set_index("method")
    assert list(t.index) == ["random", "tier", "rule", "logistic", "boosted", "blend", "oracle"]
    assert t.loc["oracle", "cf_ndcg@10"] == 1.0
    assert t.loc["oracle", "cf_precision@10"] >= t.loc[["random", "tier", "rule", "logistic", "boosted"], "cf_precision@10"].max()
    assert t.loc["rule", "cf_ndcg@10"] > t.loc["random", "cf_ndcg@10"]
    assert 0 < r.brier < 0.5
    assert "Rolling-origin backtest" in r.protocol and "SYNTHETIC" in r.protocol and "{" not in r.protocol
    with pytest.raises(MatcherError, match="too short to backtest"):
        run_backtest(s, config, h.visits, h.projects, end=end, horizon_weeks=40)


def test_what_if_more_teams(config):
    more = add_teams(config, "YREB", 2)
    assert len(more.teams) == len(config.teams) + 2
    assert all(t.region == "YREB" and "-whatif" in t.id for t in more.teams[-2:])
    assert visit_chance(np.array([0.2, 0.8]), np.array([0, 2]), 0.5).tolist() == [0.2, 1.0]


def test_backtest_on_observed_history_has_no_oracle(world, config):
    s, h, pf, pairs = world
    end = str((pd.Timestamp("2025-01-06") + pd.Timedelta(weeks=WEEKS)).date())
    r = run_backtest(s, config, h.visits, h.projects, end=end, origins=1, horizon_weeks=H, min_train_weeks=8, kinds=("logistic",))
    assert list(r.table.method) == ["random", "tier", "rule", "logistic"]
    assert not any(c.startswith("cf_") for c in r.table.columns)
    assert "SYNTHETIC" not in r.protocol and r.chosen_model == "logistic"


@pytest.mark.usefixtures("english")
def test_history_source_database_or_simulated(world, config, tmp_path):
    import pytest

    from matcher.errors import MatcherError
    from matcher.learn.backtest import load_history
    from matcher.store.core import Store

    s, h, pf, pairs = world
    empty = Store(tmp_path / "empty.db")
    sim = load_history(empty, s, config, weeks=30)
    assert sim.synthetic and sim.propensity is not None and "SYNTHETIC" in sim.source
    with pytest.raises(MatcherError, match="holds no visits"):
        load_history(empty, s, config, source="database")
    # Real (not simulated) visits in the database: auto learns from them.
    real = Store(tmp_path / "real.db")
    real.write_history(visits=h.visits.assign(synthetic=False), projects=h.projects.assign(synthetic=False), source_name="test")
    got = load_history(real, s, config)
    assert got.source == "the database's history in real.db" and got.propensity is None and not got.synthetic
    assert len(got.visits) == len(h.visits)
    # A simulated history in the database has no ground truth: auto simulates, "database" insists.
    fake = Store(tmp_path / "fake.db")
    fake.write_history(visits=h.visits, projects=h.projects, source_name="test")
    assert load_history(fake, s, config, weeks=30).propensity is not None
    insist = load_history(fake, s, config, source="database")
    assert insist.synthetic and insist.propensity is None and "simulated history (synthetic)" in insist.source


@pytest.mark.slow
def test_learned_models_beat_the_rule_score_on_two_years_of_60_teams(config):
    from matcher.sim.universe import expand_teams

    cfg = expand_teams(config, 60)
    u = synthetic_universe(4000, cfg, seed=5)
    s = RuleScorer(cfg).fit(u).score(u)
    h = simulate_history(s, cfg, weeks=104, seed=5, visit_lift=0.5)
    r = run_backtest(s, cfg, h.visits, h.projects, end="2027-01-04", propensity=h.propensity, visit_lift=0.5, seed=5)
    t = r.table.set_index("method")
    for m in ("logistic", "boosted"):
        assert t.loc[m, "logged_ndcg@10"] > t.loc["rule", "logged_ndcg@10"]
        assert t.loc[m, "cf_ndcg@10"] > t.loc["rule", "cf_ndcg@10"]
        assert t.loc[m, "logged_ndcg@10"] >= 0.85 * t.loc["oracle", "logged_ndcg@10"]
    assert t.loc["rule", "cf_ndcg@10"] > t.loc["tier", "cf_ndcg@10"] > t.loc["random", "cf_ndcg@10"]


@pytest.mark.usefixtures("english")
def test_model_files_load_only_with_their_recorded_hash(tmp_path):
    from matcher._files import dump_model, load_model_file, sha256_file

    path = tmp_path / "x.skops"
    digest = dump_model(path, {"a": [1, 2]})
    assert digest == sha256_file(path) and load_model_file(path, digest) == {"a": [1, 2]}
    # The same object gives the same bytes (skops names arrays by memory address; they are renumbered).
    assert dump_model(tmp_path / "again.skops", {"a": [1, 2]}) == digest
    with pytest.raises(ModelError, match="has been changed: its SHA-256 .* does not match its record's"):
        load_model_file(path, "0" * 64)
    with pytest.raises(ModelError, match="is missing"):
        load_model_file(tmp_path / "y.skops", digest)


def test_a_saved_model_gives_the_same_bytes_each_time(tmp_path, boosted):
    a = save_model(boosted, tmp_path / "a", name="boosted-2026-02-23", card={})
    b = save_model(boosted, tmp_path / "b", name="boosted-2026-02-23", card={})
    assert a.suffix == ".skops" and a.read_bytes() == b.read_bytes()


def _forge(folder, name, data):
    """Plant ``data`` as model ``name`` and record its hash in the manifest, as whoever can write the folder could."""
    from matcher._files import sha256_bytes

    (folder / name).write_bytes(data)
    man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entry = dict(next(iter(man["models"].values())))
    entry["sha256"] = sha256_bytes(data)
    man["models"][name] = entry
    (folder / "manifest.json").write_text(json.dumps(man), encoding="utf-8")


@pytest.mark.usefixtures("english")
def test_a_planted_model_naming_foreign_code_is_refused_even_with_a_forged_manifest(saved, monkeypatch):
    import os

    import skops.io as sio

    folder, _path = saved
    _forge(folder, "evil-1.skops", sio.dumps({"model": os.system, "then": eval}))
    _forge(folder, "evil-2.skops", sio.dumps([os.system]))
    ran = []
    monkeypatch.setattr(os, "system", lambda *a: ran.append(a))
    with pytest.raises(ModelError, match=r"evil-1.skops names the type builtins.eval, which no matcher model holds; refusing to load it"):
        load_model("evil-1.skops", folder, feature_set="pair-v1")
    with pytest.raises(ModelError, match=r"names the type (posix|nt|os).system"):
        load_model("evil-2.skops", folder, feature_set="pair-v1")
    assert ran == []


class _Marker:
    """Unpickling this creates a file: the kind of code a pickle runs when loaded."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.usefixtures("english")
def test_a_pickle_or_joblib_model_is_refused_and_runs_nothing(saved, tmp_path):
    import pickle

    import joblib

    folder, _path = saved
    marker = tmp_path / "ran.txt"
    _forge(folder, "old-1.skops", pickle.dumps(_Marker(marker)))
    with pytest.raises(ModelError, match="is not a skops model file"):
        load_model("old-1.skops", folder, feature_set="pair-v1")
    buf = __import__("io").BytesIO()
    joblib.dump(_Marker(marker), buf)
    _forge(folder, "old-2.skops", buf.getvalue())
    with pytest.raises(ModelError, match="is not a skops model file"):
        load_model("old-2.skops", folder, feature_set="pair-v1")
    # A .joblib name is not a model file name any more.
    with pytest.raises(ModelError, match="invalid model file name"):
        load_model("boosted-2026-02-23.joblib", folder, feature_set="pair-v1")
    assert not marker.exists()

