"""Chunked scoring: universes larger than memory, streamed in chunks.

Each chunk is scored on its own (a row's score depends only on that row) and
reduced at once to its candidates for every query (:mod:`matcher.score.toplists`);
a running merge keeps only the best ``k`` per query, so memory is bounded by
one chunk whatever the universe's size. The result equals
:func:`~matcher.score.toplists.top_candidates` on the whole universe in memory,
row for row.

Examples
--------
>>> scorer = RuleScorer(config).fit(first_chunk)                        # doctest: +SKIP
>>> queries = team_queries(scorer.groups_, config)                     # doctest: +SKIP
>>> score_chunks(read_universe_csv("universe.csv", chunksize=200_000),  # doctest: +SKIP
...              scorer, queries)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..i18n import gettext
from .rule import RuleScorer
from .toplists import Query, merge_candidates, top_candidates

__all__ = ["score_chunks", "iter_chunks", "read_universe_csv", "write_universe_csv", "restore_universe_dtypes"]

log = logging.getLogger(__name__)


def score_chunks(chunks: Iterable[pd.DataFrame], scorer: RuleScorer, queries: Sequence[Query]) -> pd.DataFrame:
    """Top candidates of every query over a stream of universe chunks.

    Parameters
    ----------
    chunks : iterable of DataFrame
        Consecutive parts of one universe, in order; positions count from 0
        at the first row of the first chunk.
    scorer : RuleScorer
        Fitted (fitting reads only the configuration, so any chunk will do).
    queries : sequence of Query

    Returns
    -------
    DataFrame
        Columns :data:`matcher.score.toplists.CANDIDATE_COLUMNS`, equal to
        ``top_candidates(scorer.score(whole), queries)``.
    """
    running = merge_candidates([], queries)
    offset = 0
    for i, chunk in enumerate(chunks):
        if len(chunk) == 0:
            continue
        cand = top_candidates(scorer.score(chunk), queries, offset=offset)
        running = merge_candidates([running, cand], queries)
        offset += len(chunk)
        log.debug("chunk %d: %d rows scored, %d so far", i, len(chunk), offset)
    return running


def iter_chunks(frame: pd.DataFrame, chunksize: int) -> Iterator[pd.DataFrame]:
    """Consecutive slices of ``chunksize`` rows of an in-memory universe."""
    if chunksize < 1:
        raise ValueError(gettext("The 'chunksize' parameter must be an int >= 1. Got {value!r} instead.").format(value=chunksize))
    for a in range(0, len(frame), chunksize):
        yield frame.iloc[a : a + chunksize]


def write_universe_csv(universe: pd.DataFrame, path: str | Path) -> Path:
    """Write a universe as UTF-8 CSV that :func:`read_universe_csv` reads back unchanged."""
    p = Path(path)
    universe.to_csv(p, index=False, encoding="utf-8", lineterminator="\n")
    return p


def restore_universe_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Types of a universe read as text: ranks float (NaN where empty), list flags bool, years int."""
    out = frame.copy()
    for c in out.columns:
        if c.startswith("rank__") or c == "size":
            out[c] = pd.to_numeric(out[c].replace("", np.nan), errors="raise").astype(float)
        elif c.startswith("on__") or c in ("on_profile", "is_china", "is_abroad", "synthetic"):
            out[c] = out[c].map({"True": True, "False": False, "true": True, "false": False, "1": True, "0": False}).astype(bool)
        elif c.startswith("year__"):
            out[c] = pd.to_numeric(out[c].replace("", "0")).astype(np.int64)
    return out


def read_universe_csv(path: str | Path, *, chunksize: int) -> Iterator[pd.DataFrame]:
    """Stream a universe CSV in chunks of ``chunksize`` rows, with the universe's types.

    Text cells are read as text (an empty cell stays ``""``, never NaN).
    """
    if chunksize < 1:
        raise ValueError(gettext("The 'chunksize' parameter must be an int >= 1. Got {value!r} instead.").format(value=chunksize))
    with pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=chunksize, encoding="utf-8") as reader:
        for chunk in reader:
            yield restore_universe_dtypes(chunk)
