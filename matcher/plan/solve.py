"""Solving a week: the diversity re-rank and the assignment of leads to team slots."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .assign import assign_greedy, assign_optimal, prune

__all__ = ["diversify", "solve_week"]

_EPS = 1e-9  # tie-break step: far below the 1e-6 rounding of values


def diversify(
    value: np.ndarray, chain: np.ndarray, team: np.ndarray, ent: np.ndarray, pool_team: np.ndarray, pool_ent: np.ndarray, lam: float
) -> pd.DataFrame:
    """Re-rank each team's leads by maximal marginal relevance.

    Each team (in index order) fills as many places as it was assigned,
    each time taking the candidate with the best ``value - lam × (earlier
    leads of the same chain)`` among its assigned enterprises and its pruned
    candidates no team holds. Ties: value, then enterprise index.

    Returns
    -------
    DataFrame
        ``t, e, rank, penalty`` (penalty = ``lam`` × earlier same-chain leads).
    """
    held = set(ent.tolist())
    out = []
    for t in np.unique(team):
        mine = ent[team == t]
        free = pool_ent[(pool_team == t) & ~np.isin(pool_ent, list(held))]
        pool = np.unique(np.concatenate([mine, free]))
        v = value[t, pool].astype(np.float64)
        _, ch = np.unique(chain[t, pool], return_inverse=True)
        count = np.zeros(ch.max() + 1 if len(ch) else 0, dtype=np.int64)
        picked, pen = [], []
        alive = np.ones(len(pool), dtype=bool)
        for _ in range(len(mine)):  # one pass per place on the list, vectorised over the pool
            c = count[ch]
            eff = np.round(v - lam * c, 6)
            order = np.lexsort((pool, -v, -eff))
            i = order[alive[order]][0]
            alive[i] = False
            picked.append(int(pool[i]))
            pen.append(lam * c[i])
            count[ch[i]] += 1
        held.difference_update(mine.tolist())
        held.update(picked)
        out.append(pd.DataFrame({"t": t, "e": picked, "rank": np.arange(1, len(picked) + 1), "penalty": np.round(pen, 4)}))
    if not out:
        return pd.DataFrame({"t": [], "e": [], "rank": [], "penalty": []}).astype({"t": np.int64, "e": np.int64, "rank": np.int64})
    return pd.concat(out, ignore_index=True)


def solve_week(
    value: np.ndarray, capacity, chain: np.ndarray, *, priority: np.ndarray | None = None, diversity_lambda: float = 0.0
) -> dict:
    """Coordinate one week: tie-break, prune, assign optimally and greedily, diversify.

    Parameters
    ----------
    value : ndarray (teams, enterprises)
        This week's value of each pair; > 0 for candidates.
    capacity : array of int
        Leads per team.
    chain : ndarray (teams, enterprises) of int
        A chain code per pair (for diversity).
    priority : ndarray (enterprises,), optional
        Tie-break: among equal values, higher priority wins (0–1); default
        lower enterprise index wins.

    Returns
    -------
    dict
        ``leads`` (DataFrame ``t, e, rank, penalty``), ``optimal`` and
        ``greedy`` totals, ``candidates`` (pruned), ``optimal_pairs``.
    """
    n = value.shape[1]
    if priority is None:
        priority = 1.0 - np.arange(n) / max(n, 1)
    cand = prune(value, capacity)
    cand.value = np.round(cand.value, 6) + _EPS * priority[cand.ent]
    opt_t, opt_e = assign_optimal(cand)
    gr_t, gr_e = assign_greedy(cand)
    lookup = pd.Series(cand.value, index=pd.MultiIndex.from_arrays([cand.team, cand.ent]))
    tot = {
        "optimal": float(lookup.reindex(pd.MultiIndex.from_arrays([opt_t, opt_e])).sum()),
        "greedy": float(lookup.reindex(pd.MultiIndex.from_arrays([gr_t, gr_e])).sum()),
    }
    leads = diversify(value, chain, opt_t, opt_e, cand.team, cand.ent, diversity_lambda)
    return {"leads": leads, **tot, "candidates": cand, "optimal_pairs": (opt_t, opt_e), "greedy_pairs": (gr_t, gr_e)}
