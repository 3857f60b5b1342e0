"""The assignment: exact against brute force, pruning keeps the optimum, greedy never beats it."""

import itertools

import numpy as np
import pytest

from matcher.errors import MatcherError
from matcher.plan.assign import Candidates, assign_greedy, assign_optimal, assignment_total, prune


def brute_force(value, capacity):
    """Best total over every way to give each enterprise to one team or none (plain Python)."""
    T, n = value.shape
    best = 0.0
    for choice in itertools.product(range(-1, T), repeat=n):
        used = [0] * T
        total, ok = 0.0, True
        for e, t in enumerate(choice):
            if t < 0:
                continue
            if value[t, e] <= 0:
                ok = False
                break
            used[t] += 1
            total += value[t, e]
        if ok and all(used[t] <= capacity[t] for t in range(T)):
            best = max(best, total)
    return best


def random_case(rng, T, n, density=0.7):
    value = np.round(rng.random((T, n)), 3)
    value[rng.random((T, n)) > density] = 0
    capacity = rng.integers(0, 3, size=T)
    return value, capacity


def check_feasible(value, capacity, t, e):
    assert len(set(e.tolist())) == len(e), "an enterprise went to two teams"
    assert (np.bincount(t, minlength=len(capacity)) <= capacity).all(), "a team is over capacity"
    assert (value[t, e] > 0).all(), "a non-candidate was assigned"


@pytest.mark.parametrize("seed", range(40))
def test_optimal_matches_brute_force_and_beats_greedy(seed):
    rng = np.random.default_rng(seed)
    value, capacity = random_case(rng, int(rng.integers(1, 4)), int(rng.integers(1, 7)))
    cand = prune(value, capacity)
    t, e = assign_optimal(cand)
    check_feasible(value, capacity, t, e)
    assert assignment_total(value, t, e) == pytest.approx(brute_force(value, capacity))
    gt, ge = assign_greedy(cand)
    check_feasible(value, capacity, gt, ge)
    assert assignment_total(value, gt, ge) <= assignment_total(value, t, e) + 1e-12


def test_greedy_can_lose():
    # Team 0 takes enterprise 0 greedily (0.9); team 1 then has nothing (it only wants 0).
    value = np.array([[0.9, 0.8], [0.85, 0.0]])
    cand = prune(value, [1, 1])
    assert assignment_total(value, *assign_optimal(cand)) == pytest.approx(1.65)
    assert assignment_total(value, *assign_greedy(cand)) == pytest.approx(0.9)


def _unpruned(value, capacity):
    t, e = np.nonzero(value > 0)
    return Candidates(t, e, value[t, e].astype(float), np.asarray(capacity))


@pytest.mark.parametrize("seed", range(15))
def test_pruning_keeps_the_optimum(seed):
    rng = np.random.default_rng(100 + seed)
    T, n = 8, 300
    # Three regions: teams only see their own region's enterprises, some enterprises in two.
    team_region = rng.integers(0, 3, size=T)
    ent_region = rng.integers(0, 3, size=n)
    second = np.where(rng.random(n) < 0.1, rng.integers(0, 3, size=n), ent_region)
    member = (team_region[:, None] == ent_region[None, :]) | (team_region[:, None] == second[None, :])
    value = np.where(member & (rng.random((T, n)) < 0.5), np.round(rng.random((T, n)), 2), 0.0)
    capacity = rng.integers(1, 6, size=T)
    pruned = prune(value, capacity)
    assert len(pruned.ent) < int((value > 0).sum())
    full = assign_optimal(_unpruned(value, capacity))
    fast = assign_optimal(pruned)
    check_feasible(value, capacity, *fast)
    assert assignment_total(value, *fast) == pytest.approx(assignment_total(value, *full))
    # Greedy never reaches past the pruned lists either.
    assert assignment_total(value, *assign_greedy(pruned)) == pytest.approx(
        assignment_total(value, *assign_greedy(_unpruned(value, capacity)))
    )


def test_teams_with_few_candidates_leave_places_empty():
    value = np.array([[0.5, 0.0, 0.0], [0.4, 0.3, 0.0]])
    t, e = assign_optimal(prune(value, [3, 3]))
    assert sorted(zip(t.tolist(), e.tolist())) == [(0, 0), (1, 1)]


@pytest.mark.usefixtures("english")
def test_bad_input():
    with pytest.raises(MatcherError, match="teams × enterprises"):
        prune(np.zeros(3), [1])
    with pytest.raises(MatcherError, match="one entry per team"):
        prune(np.zeros((2, 3)), [1])
    with pytest.raises(MatcherError, match=">= 0"):
        prune(np.zeros((1, 3)), [-1])


def mmr_reference(value, chain, assigned, free, lam):
    """Plain-Python maximal marginal relevance for one team."""
    pool = sorted(set(assigned) | set(free))
    picked, counts = [], {}
    for _ in range(len(assigned)):
        best = None
        for e in pool:
            if e in picked:
                continue
            key = (round(value[e] - lam * counts.get(chain[e], 0), 6), value[e], -e)
            if best is None or key > best[0]:
                best = (key, e)
        e = best[1]
        picked.append(e)
        counts[chain[e]] = counts.get(chain[e], 0) + 1
    return picked


@pytest.mark.parametrize("seed", range(20))
def test_diversity_rerank_matches_plain_mmr(seed):
    from matcher.plan.solve import diversify, solve_week

    rng = np.random.default_rng(500 + seed)
    T, n = 3, 40
    value = np.round(rng.random((T, n)), 2) * (rng.random((T, n)) < 0.6)
    chain = rng.integers(0, 3, size=(T, n))
    cap = rng.integers(1, 6, size=T)
    lam = float(rng.choice([0.0, 0.05, 0.2, 1.0]))
    res = solve_week(value, cap, chain, diversity_lambda=lam)
    leads = res["leads"]
    ot, oe = res["optimal_pairs"]
    if lam == 0.0:
        # No diversity weight: the lists are the optimal assignment's.
        assert assignment_total(value, leads.t.to_numpy(), leads.e.to_numpy()) == pytest.approx(assignment_total(value, ot, oe))
    assert not leads.e.duplicated().any()
    assert (leads.groupby("t").size() <= cap[leads.groupby("t").size().index]).all()
    # Team by team, the same picks as the plain reference.
    held = set(oe.tolist())
    cand = res["candidates"]
    for t in sorted(set(ot.tolist())):
        mine = oe[ot == t].tolist()
        free = [e for e in cand.ent[cand.team == t].tolist() if e not in held]
        expect = mmr_reference(value[t], chain[t], mine, free, lam)
        assert leads[leads.t == t].sort_values("rank").e.tolist() == expect
        held.difference_update(mine)
        held.update(expect)
    assert diversify(value, chain, np.zeros(0, int), np.zeros(0, int), np.zeros(0, int), np.zeros(0, int), lam).empty
