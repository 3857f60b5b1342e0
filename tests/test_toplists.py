"""Top lists for many queries at once, against the one-team-at-a-time path and a plain sort."""

import numpy as np
import pandas as pd
import pytest

from matcher.featurise.transformers import IndustryVectorizer
from matcher.plan.values import team_list
from matcher.score.rule import RuleScorer
from matcher.score.toplists import city_queries, merge_candidates, team_lists, team_queries, top_candidates
from matcher.sim.universe import expand_teams, synthetic_universe

from .test_score import random_world


@pytest.fixture(scope="module")
def world(config):
    cfg = expand_teams(config, 60)
    u = synthetic_universe(4000, cfg, seed=11)
    return cfg, u, RuleScorer(cfg).fit(u).score(u)


def test_team_lists_equal_plan_team_list(world):
    cfg, _, s = world
    lists = team_lists(s, cfg)
    assert len(lists) == 60
    for team in cfg.teams:
        pd.testing.assert_frame_equal(lists[team.id], team_list(s, team))


@pytest.mark.parametrize("seed", range(4))
def test_top_candidates_equal_a_plain_sort(seed):
    _, cfg, u = random_world(seed, 300)
    s = RuleScorer(cfg).fit(u).score(u)
    queries = team_queries(s.groups, cfg) + city_queries(s.groups, cfg, k=25)
    got = top_candidates(s, queries)
    total = s.total()
    for q in queries:
        # Plain Python: every enterprise's best city chain of the query, then a sort.
        cands = []
        for row in range(len(u)):
            if q.region >= 0 and not s.region_member[row, q.region]:
                continue
            fits = [g for g in q.groups if s.fit[row, g] > 0]
            if fits:
                g = max(fits, key=lambda g: (total[row, g], -g))
                cands.append((-total[row, g], -float(s.tier[row]), row, g))
        want = sorted(cands)[: q.k]
        mine = got[got["query"] == q.name]
        assert mine.position.tolist() == [c[2] for c in want]
        assert mine.g.tolist() == [c[3] for c in want]
        assert mine["rank"].tolist() == list(range(1, len(want) + 1))


@pytest.mark.parametrize("seed", range(3))
def test_merging_parts_equals_the_whole(seed):
    # Few distinct scores, so ties between parts are common and the tie-break is tested.
    rng, cfg, u = random_world(seed, 400)
    scorer = RuleScorer(cfg).fit(u)
    queries = team_queries(scorer.groups_, cfg) + city_queries(scorer.groups_, cfg, k=40)
    whole = top_candidates(scorer.score(u), queries)
    cuts = np.sort(rng.choice(np.arange(1, len(u)), size=4, replace=False))
    bounds = [0, *cuts.tolist(), len(u)]
    parts = [top_candidates(scorer.score(u.iloc[a:b]), queries, offset=a) for a, b in zip(bounds[:-1], bounds[1:])]
    pd.testing.assert_frame_equal(merge_candidates(parts, queries), whole)


def test_industry_vectors_do_not_depend_on_the_other_rows(config):
    # Distinct sources are mapped once: a row's vector must not change with its neighbours.
    u = synthetic_universe(500, config, seed=2)
    u.loc[::7, "industry_text"] = ""  # some rows fall back to the name
    vec = IndustryVectorizer(config.industries).fit(u)
    whole = vec.transform(u).toarray()
    perm = np.random.default_rng(0).permutation(len(u))
    shuffled = vec.transform(u.iloc[perm].reset_index(drop=True)).toarray()
    np.testing.assert_array_equal(shuffled, whole[perm])
    single = np.vstack([vec.transform(u.iloc[[r]]).toarray() for r in range(0, len(u), 37)])
    np.testing.assert_array_equal(single, whole[::37])
