"""Top lists for many queries at once: every team's list, every city's list.

A :class:`Query` asks for the ``k`` best enterprises over a set of city
chains, optionally only those of one key region — a team's weekly list
(its home city's chains, its stationed region, its capacity) or a city's
target list. :func:`top_candidates` answers many queries from one
:class:`~matcher.score.rule.Scores`, computing each distinct set of city chains
once; :func:`merge_candidates` combines answers computed on separate parts
of a universe (chunks, Dask partitions) into exactly the answer on the whole.

Order everywhere is that of :func:`~matcher.score.rule.top_k`: score descending,
tier score descending, position in the universe ascending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config.model import Config, Team
from .scores import Scores, top_k

__all__ = ["Query", "CANDIDATE_COLUMNS", "team_queries", "city_queries", "top_candidates", "merge_candidates", "team_lists"]

CANDIDATE_COLUMNS = ["query", "rank", "position", "enterprise_id", "g", "score", "tier"]


@dataclass(frozen=True)
class Query:
    """The ``k`` best enterprises over city chains ``groups``, of region ``region`` (-1: any)."""

    name: str
    groups: tuple[int, ...]
    region: int
    k: int


def team_queries(groups: pd.DataFrame, config: Config, teams: Sequence[Team] | None = None) -> list[Query]:
    """One query per team (sorted by id), as :func:`matcher.plan.week.team_list` ranks it.

    Parameters
    ----------
    groups : DataFrame
        The city chains (``Scores.groups`` or a fitted ``RuleScorer.groups_``).
    config : Config
    teams : sequence of Team, optional
        Default the configuration's teams.
    """
    regions = [r.id for r in config.regions]
    out = []
    for t in sorted(config.teams if teams is None else teams, key=lambda t: t.id):
        mask = (groups.city == t.home_city).to_numpy().copy()
        if t.focus_chains:
            mask &= groups.chain.isin(t.focus_chains).to_numpy()
        out.append(Query(t.id, tuple(int(g) for g in np.flatnonzero(mask)), regions.index(t.region), int(t.weekly_capacity)))
    return out


def city_queries(groups: pd.DataFrame, config: Config, *, k: int) -> list[Query]:
    """One query per city: its ``k`` best enterprises over all its chains, any region."""
    return [Query(c.id, tuple(int(g) for g in np.flatnonzero((groups.city == c.id).to_numpy())), -1, k) for c in config.cities]


def top_candidates(scores: Scores, queries: Sequence[Query], *, offset: int = 0) -> pd.DataFrame:
    """The best ``k`` of each query, in order; columns :data:`CANDIDATE_COLUMNS`.

    Parameters
    ----------
    scores : Scores
    queries : sequence of Query
    offset : int
        Position of the first row of ``scores`` in the whole universe (for a
        chunk or a partition); ``position`` is ``offset`` + the row.

    Notes
    -----
    Each distinct set of city chains is reduced to each enterprise's best
    chain once (:meth:`~matcher.score.rule.Scores.best`) and shared by the queries
    asking for it; selection is :func:`~matcher.score.rule.top_k` (a partition, not
    a full sort).
    """
    best: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
    ids = scores.universe["enterprise_id"].to_numpy()
    frames = []
    for q in queries:
        if q.groups not in best:
            best[q.groups] = scores.best(np.asarray(q.groups, dtype=np.int64))
        g, s = best[q.groups]
        ok = g >= 0
        if q.region >= 0:
            ok = ok & scores.region_member[:, q.region]
        # Only candidates compete: selecting among them keeps the order of top_k on all rows.
        cand = np.flatnonzero(ok)
        rows = cand[top_k(s[cand], q.k, scores.tier[cand])]
        frames.append(
            pd.DataFrame(
                {
                    "query": q.name,
                    "rank": np.arange(1, len(rows) + 1, dtype=np.int64),
                    "position": rows.astype(np.int64) + offset,
                    "enterprise_id": ids[rows],
                    "g": g[rows].astype(np.int64),
                    "score": s[rows],
                    "tier": scores.tier[rows].astype(np.float64),
                }
            )
        )
    return _frame(frames)


def merge_candidates(parts: Sequence[pd.DataFrame], queries: Sequence[Query]) -> pd.DataFrame:
    """Combine the candidates of disjoint parts of a universe into the whole's top lists.

    The best ``k`` of the whole are among the best ``k`` of each part, so
    this equals :func:`top_candidates` on the whole universe.
    """
    allc = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else _frame([])
    frames = []
    for q in queries:
        c = allc[allc["query"] == q.name]
        order = np.lexsort((c.position.to_numpy(), -c.tier.to_numpy(), -c.score.to_numpy()))[: q.k]
        c = c.iloc[order].reset_index(drop=True)
        c["rank"] = np.arange(1, len(c) + 1, dtype=np.int64)
        frames.append(c)
    return _frame(frames)


def _frame(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(
            {
                "query": pd.Series(dtype=object),
                "rank": pd.Series(dtype=np.int64),
                "position": pd.Series(dtype=np.int64),
                "enterprise_id": pd.Series(dtype=object),
                "g": pd.Series(dtype=np.int64),
                "score": pd.Series(dtype=np.float64),
                "tier": pd.Series(dtype=np.float64),
            }
        )
    out = pd.concat(frames, ignore_index=True)[CANDIDATE_COLUMNS]
    # One dtype for text whichever path built the frame, so results compare exactly.
    return out.astype({"query": object, "enterprise_id": object})


def team_lists(scores: Scores, config: Config, teams: Sequence[Team] | None = None) -> dict[str, pd.DataFrame]:
    """Every team's explained list — the same frames as :func:`matcher.plan.week.team_list` — in one pass.

    The candidates of all teams are explained in a single call of
    :meth:`~matcher.score.rule.Scores.explain`, then split per team.
    """
    queries = team_queries(scores.groups, config, teams)
    cand = top_candidates(scores, queries)
    explained = scores.explain(cand.position.to_numpy(), cand.g.to_numpy())
    explained.insert(0, "rank", cand["rank"].to_numpy())
    out = {}
    for q in queries:
        part = explained[(cand["query"] == q.name).to_numpy()].reset_index(drop=True)
        out[q.name] = part
    return out
