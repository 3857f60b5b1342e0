"""Assign: a week's leads to teams, each enterprise to at most one team.

The week is a maximum-weight bipartite *b*-matching: teams on one side (team
*t* has ``capacity[t]`` slots), enterprises on the other (each at most once),
an edge wherever ``value[t, e] > 0``. :func:`assign_optimal` solves it exactly
with :func:`scipy.optimize.linear_sum_assignment` over team slots (each team's
capacity as repeated rows); :func:`assign_greedy` is the baseline that takes
the best remaining pair until every team is full.

Pruning (:func:`prune`) keeps, for each team, only its best ``K_t`` candidates,
where ``K_t`` is its own capacity plus the capacities of every team whose
candidates overlap its own. This cannot change the optimum: if an optimal
plan gives team *t* an enterprise *e* outside its top ``K_t``, then of those
``K_t`` enterprises at most ``c_t - 1`` are used by *t* itself and at most
``K_t - c_t`` by the overlapping teams, so one of them, *e'*, is free and
``value[t, e'] >= value[t, e]``; giving *e'* to *t* instead of *e* loses
nothing, and repeating the swap ends with every team inside its top list.
The same count shows the greedy baseline never reaches beyond ``K_t`` either,
so both methods see the same input. Teams whose pruned lists do not overlap
form separate components, solved one by one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components

from ..errors import MatcherError
from ..i18n import gettext

__all__ = ["Candidates", "prune", "assign_optimal", "assign_greedy", "assignment_total"]

log = logging.getLogger(__name__)


@dataclass
class Candidates:
    """Each team's pruned candidates.

    Attributes
    ----------
    team : ndarray of int
        Team index of each candidate pair.
    ent : ndarray of int
        Enterprise index (column of ``value``) of each pair.
    value : ndarray of float
        Its value, > 0.
    capacity : ndarray of int
        Capacity of each team.
    """

    team: np.ndarray
    ent: np.ndarray
    value: np.ndarray
    capacity: np.ndarray


def _check(value: np.ndarray, capacity) -> np.ndarray:
    value = np.asarray(value)
    capacity = np.asarray(capacity, dtype=np.int64)
    if value.ndim != 2:
        raise MatcherError(gettext("value must be a (teams × enterprises) matrix; got an array of shape {shape}").format(shape=value.shape))
    if capacity.shape != (value.shape[0],):
        raise MatcherError(gettext("capacity must have one entry per team ({n}); got shape {shape}").format(n=value.shape[0], shape=capacity.shape))
    if (capacity < 0).any():
        raise MatcherError(gettext("capacity must be >= 0; got {value}").format(value=int(capacity.min())))
    return capacity


def _top(row: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest positive entries of ``row`` (ties: lower index first)."""
    pos = np.flatnonzero(row > 0)
    if len(pos) > k:
        v = row[pos]
        kth = np.partition(v, len(v) - k)[len(v) - k]
        pos = pos[v >= kth]
        order = np.lexsort((pos, -row[pos]))[:k]
        pos = np.sort(pos[order])
    return pos


def prune(value: np.ndarray, capacity) -> Candidates:
    """Reduce a (teams × enterprises) value matrix to the pairs that can matter.

    Non-positive (or NaN) values are not candidates. Stage 1 keeps each team's
    top ``C`` (total capacity), a bound that holds for any overlap; stage 2
    keeps its top ``c_t + sum of c_t'`` over teams ``t'`` whose stage-1 lists
    overlap its own (see the module docstring for why the optimum is kept).
    """
    capacity = _check(value, capacity)
    T = value.shape[0]
    total = int(capacity.sum())
    lists = [_top(value[t], total) if capacity[t] > 0 else np.zeros(0, dtype=np.int64) for t in range(T)]
    team = np.repeat(np.arange(T), [len(x) for x in lists])
    ent = np.concatenate(lists) if lists else np.zeros(0, dtype=np.int64)
    if len(ent) == 0:
        return Candidates(team, ent, np.zeros(0), capacity)
    # Which teams share an enterprise: (teams × enterprises) incidence times its transpose.
    uniq, col = np.unique(ent, return_inverse=True)
    inc = sp.csr_matrix((np.ones(len(ent)), (team, col)), shape=(T, len(uniq)))
    overlap = (inc @ inc.T).toarray() > 0
    k = overlap.astype(np.int64) @ capacity
    keep = []
    for t in range(T):
        lst = lists[t]
        if len(lst) > k[t]:
            lst = _topk_of(value[t], lst, int(k[t]))
        keep.append(lst)
    team = np.repeat(np.arange(T), [len(x) for x in keep])
    ent = np.concatenate(keep)
    return Candidates(team, ent, np.asarray(value[team, ent], dtype=np.float64), capacity)


def _topk_of(row: np.ndarray, idx: np.ndarray, k: int) -> np.ndarray:
    order = np.lexsort((idx, -row[idx]))[:k]
    return np.sort(idx[order])


def assign_optimal(cand: Candidates) -> tuple[np.ndarray, np.ndarray]:
    """The assignment with the largest total value.

    Returns
    -------
    team, ent : ndarray
        The chosen pairs, sorted by team then enterprise index.
    """
    T = len(cand.capacity)
    if len(cand.ent) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    uniq, col = np.unique(cand.ent, return_inverse=True)
    graph = sp.csr_matrix((np.ones(len(col)), (cand.team, T + col)), shape=(T + len(uniq), T + len(uniq)))
    _, label = connected_components(graph, directed=False)
    out_t, out_e = [], []
    pair_comp = label[cand.team]
    order = np.argsort(pair_comp, kind="stable")
    bounds = np.flatnonzero(np.diff(pair_comp[order])) + 1
    for chunk in np.split(order, bounds):
        teams = np.unique(cand.team[chunk])
        cap = cand.capacity[teams]
        slots = np.repeat(np.arange(len(teams)), cap)
        ents, ecol = np.unique(cand.ent[chunk], return_inverse=True)
        tpos = np.searchsorted(teams, cand.team[chunk])
        # Team × enterprise values, then one row per slot; dummy columns (value 0)
        # let a slot stay empty when the team has too few candidates.
        small = np.zeros((len(teams), len(ents) + len(slots)))
        small[tpos, ecol] = cand.value[chunk]
        rows, cols = linear_sum_assignment(small[slots], maximize=True)
        ok = (cols < len(ents)) & (small[slots[rows], np.minimum(cols, small.shape[1] - 1)] > 0)
        out_t.append(teams[slots[rows[ok]]])
        out_e.append(ents[cols[ok]])
    t, e = np.concatenate(out_t), np.concatenate(out_e)
    order = np.lexsort((e, t))
    return t[order], e[order]


def assign_greedy(cand: Candidates) -> tuple[np.ndarray, np.ndarray]:
    """Baseline: take the best remaining (team, enterprise) pair until no team has room.

    Ties: value, then team index, then enterprise index (ascending).
    """
    order = np.lexsort((cand.ent, cand.team, -cand.value))
    room = cand.capacity.copy()
    taken: set[int] = set()
    out_t, out_e = [], []
    for i in order:  # candidate pairs after pruning, not enterprises
        t, e = int(cand.team[i]), int(cand.ent[i])
        if room[t] > 0 and e not in taken:
            room[t] -= 1
            taken.add(e)
            out_t.append(t)
            out_e.append(e)
    t, e = np.asarray(out_t, dtype=np.int64), np.asarray(out_e, dtype=np.int64)
    order = np.lexsort((e, t))
    return t[order], e[order]


def assignment_total(value: np.ndarray, team: np.ndarray, ent: np.ndarray) -> float:
    """Total value of an assignment."""
    return float(np.asarray(value)[team, ent].sum()) if len(team) else 0.0
