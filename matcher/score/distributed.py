"""The same scoring on Dask, for universes beyond one machine.

:func:`score_dask` maps :func:`matcher.score.toplists.top_candidates` over the
partitions of a ``dask.dataframe`` (each partition scored by the same fitted
:class:`~matcher.score.rule.RuleScorer`) and merges the small per-partition
candidate tables with :func:`~matcher.score.toplists.merge_candidates` — the result
equals the in-process run exactly.

Dask is an optional extra: ``pip install "matcher[dask]"``. Which cluster runs
the work is Dask's choice: the default scheduler of the current session, or a
``distributed.Client`` you create first — a local one, or one connected to a
real cluster's scheduler (``Client("tcp://scheduler:8786")``). Workers need
``matcher`` installed in the same version.

Examples
--------
>>> import dask.dataframe as dd                                        # doctest: +SKIP
>>> from distributed import Client                                     # doctest: +SKIP
>>> client = Client("tcp://scheduler:8786")                            # doctest: +SKIP
>>> ddf = dd.read_csv("universe-*.csv", dtype=str, keep_default_na=False)  # doctest: +SKIP
>>> ddf = ddf.map_partitions(restore_universe_dtypes)                  # doctest: +SKIP
>>> score_dask(ddf, scorer, team_queries(scorer.groups_, config))      # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .rule import RuleScorer
from .toplists import Query, merge_candidates, top_candidates

__all__ = ["score_dask"]

log = logging.getLogger(__name__)


def _partition_candidates(part: pd.DataFrame, scorer: RuleScorer, queries, offsets, partition_info=None) -> pd.DataFrame:
    number = 0 if partition_info is None else int(partition_info["number"])
    if len(part) == 0:
        return merge_candidates([], queries)
    # Positions come from the partition offsets, never from the index Dask carries along.
    part = part.reset_index(drop=True)
    return top_candidates(scorer.score(part), queries, offset=int(offsets[number]))


def score_dask(ddf, scorer: RuleScorer, queries: Sequence[Query]) -> pd.DataFrame:
    """Top candidates of every query over a Dask DataFrame universe.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The universe, partitioned in row order; positions count from 0 at
        the first row of the first partition.
    scorer : RuleScorer
        Fitted.
    queries : sequence of Query

    Returns
    -------
    DataFrame
        Columns :data:`matcher.score.toplists.CANDIDATE_COLUMNS`, equal to
        ``top_candidates(scorer.score(ddf.compute()), queries)``.

    Notes
    -----
    Positions need each partition's first row: a first, cheap pass counts the
    rows of each partition.
    """
    lengths = np.asarray(ddf.map_partitions(len).compute(), dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    log.info("scoring %d rows in %d partitions", int(lengths.sum()), len(lengths))
    meta = merge_candidates([], queries)
    cand = ddf.map_partitions(_partition_candidates, scorer, list(queries), offsets, meta=meta, align_dataframes=False).compute()
    return merge_candidates([cand], queries)
