"""The simulator: seeded, labelled synthetic, and shaped like real history."""

import numpy as np
import pandas as pd
import pytest

from matcher.columns import check_projects, check_visits
from matcher.score.rule import RuleScorer
from matcher.sim.history import simulate_history
from matcher.sim.universe import SYNTHETIC_MARK, expand_teams, synthetic_universe


@pytest.fixture(scope="module")
def world(config):
    u = synthetic_universe(3000, config, seed=3)
    s = RuleScorer(config).fit(u).score(u)
    return u, s


def test_universe_is_seeded_and_labelled(config, world):
    u, _ = world
    again = synthetic_universe(3000, config, seed=3)
    pd.testing.assert_frame_equal(u, again)
    assert u.synthetic.all()
    assert u.enterprise_id.str.startswith("SYN").all()
    assert u.name.str.endswith(SYNTHETIC_MARK).all()
    assert (u.source_region != "").mean() > 0.7
    assert u["on__fortune_global_500"].sum() == 150  # n // 20 for a ranked list


def test_history_follows_the_rules_and_the_shared_shape(config, world):
    _, s = world
    cfg = expand_teams(config, 60)
    assert len(cfg.teams) == 60
    h = simulate_history(s, cfg, weeks=30, seed=1, cooldown_weeks=8)
    check_visits(h.visits)
    check_projects(h.projects)
    assert h.visits.synthetic.all() and h.projects.synthetic.all()
    cap = {t.id: t.weekly_capacity for t in cfg.teams}
    per_week = h.leads.groupby(["team_id", "week"]).size()
    assert (per_week <= per_week.index.get_level_values(0).map(cap)).all()
    # cooldown: a team never gets the same enterprise twice within 8 weeks
    v = h.leads[h.leads.visited].copy()
    v["w"] = v.week.str[-2:].astype(int) + 52 * (v.week.str[:4].astype(int) - 2025)
    gaps = v.sort_values("w").groupby(["team_id", "enterprise_id"]).w.diff().dropna()
    assert (gaps >= 8).all()
    # one project per (enterprise, city); signed projects have amounts
    assert not h.projects.duplicated(["enterprise_id", "city"]).any()
    signed = h.projects[h.projects.signed_date.notna()]
    assert len(signed) > 0 and (signed.amount_yuan > 0).all()
    assert 0 < h.propensity.mean() < 0.2


def test_history_is_deterministic(config, world):
    _, s = world
    a = simulate_history(s, config, weeks=6, seed=5)
    b = simulate_history(s, config, weeks=6, seed=5)
    pd.testing.assert_frame_equal(a.visits, b.visits)
    pd.testing.assert_frame_equal(a.projects, b.projects)
    assert np.array_equal(a.propensity, b.propensity)


@pytest.mark.usefixtures("english")
def test_bad_parameters(config, world):
    _, s = world
    with pytest.raises(ValueError, match="'policy' parameter"):
        simulate_history(s, config, policy="greedy")
    with pytest.raises(ValueError, match="must be a Monday"):
        simulate_history(s, config, start="2025-01-07")


def test_business_text_is_distinct_and_leaves_the_rest_unchanged(config):
    plain = synthetic_universe(2000, config, seed=4)
    biz = synthetic_universe(2000, config, seed=4, business_text=True)
    assert biz.industry_text.nunique() > 1900
    pd.testing.assert_frame_equal(biz.drop(columns="industry_text"), plain.drop(columns="industry_text"))
    s = RuleScorer(config).fit(biz).score(biz)
    assert (s.fit.max(axis=1) > 0).mean() > 0.8  # the keywords say which industries the texts are about


@pytest.mark.parametrize("seed", range(4))
def test_rows_gathered_as_columns_equal_concatenated_frames(seed):
    """The simulation's row collector gives the frame pd.concat of one frame per part gives."""
    from matcher.sim.history import _Rows

    rng = np.random.default_rng(seed)
    rows, frames = _Rows(), []
    for k in range(int(rng.integers(1, 30))):
        n = int(rng.integers(1, 6))
        cols = {
            "week": f"2026-W{k % 52 + 1:02d}",
            "team": str(rng.choice(["a-gba", "b-bth"])),
            "id": np.array([f"E{i}" for i in rng.integers(0, 99, n)], dtype=object),
            "score": rng.random(n).round(4),
            "hit": rng.random(n) < 0.5,
            "day": (pd.Timestamp("2026-01-05") + pd.to_timedelta(rng.integers(0, 9, n), unit="D")).to_numpy(),
            "amount": rng.normal(size=n) if k % 3 else np.full(n, np.nan),
        }
        rows.add(n, **cols)
        frames.append(pd.DataFrame(cols))
    pd.testing.assert_frame_equal(rows.frame(), pd.concat(frames, ignore_index=True), check_exact=True)
