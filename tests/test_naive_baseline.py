"""The benchmarks' baselines give the fast scorer's numbers: the fair per-pair loop and the array floor, on random inputs."""

import numpy as np
import pytest

from benchmarks.naive import Floor, fair_naive
from matcher.featurise.transformers import spread_rows
from matcher.score.rule import RuleScorer, distinct_vectors
from tests.test_score import random_world


@pytest.mark.parametrize("seed", range(6))
def test_fair_naive_and_floor_give_the_fast_scores(seed):
    _, cfg, u = random_world(seed, 150)
    scorer = RuleScorer(cfg).fit(u)
    s = scorer.score(u)
    found_u, inv = scorer.industry_.explain_distinct(u)
    floor = Floor(cfg)
    exact = floor.parts(u, found_u, inv, exact32=False)
    stored = floor.parts(u, found_u, inv)
    naive = fair_naive(cfg, u, spread_rows(found_u, inv))
    # The loop and the floor agree in float64.
    for key in ("chain", "region", "tier", "endowment", "origin"):
        assert np.abs(np.asarray(naive[key], dtype=float) - exact[key]).max(initial=0) <= 1e-12, key
    assert np.abs(np.asarray(naive["total"]) - floor.total(exact)).max() <= 1e-12
    # The floor rounded to float32 as the fast scorer stores its parts is the fast scorer, bit for bit.
    assert np.array_equal(stored["chain"], s.chain) and np.array_equal(stored["endowment"], s.endowment)
    for key in ("region", "tier", "origin"):
        assert np.array_equal(stored[key], getattr(s, key)), key
    assert np.array_equal(floor.total(stored), s.total().astype(np.float32))
    # So the loop equals the fast scorer up to that float32 storage.
    assert np.abs(np.asarray(naive["total"]) - s.total()).max() <= 1e-6
    assert (s.chain > 0).any() and (s.region > 0).any() and (s.tier > 0).any()
    # The benchmark's other two inputs give the same numbers: the per-row matches as stored
    # (what the commands pass in) and the floor given the distinct industry vectors.
    found = spread_rows(found_u, inv)
    st = scorer.score(u, industries=found)
    shared = floor.parts(u, *distinct_vectors(found, len(u)))
    for key in ("chain", "endowment", "region", "tier", "origin"):
        assert np.array_equal(getattr(st, key), getattr(s, key)), key
        assert np.array_equal(shared[key], stored[key]), key


def test_fair_naive_scores_a_sample_of_rows():
    _, cfg, u = random_world(11, 60)
    scorer = RuleScorer(cfg).fit(u)
    found = scorer.industry_.explain(u)
    full = fair_naive(cfg, u, found)
    part = fair_naive(cfg, u, found, rows=[5, 17, 40])
    assert part["total"] == [full["total"][k] for k in (5, 17, 40)]
