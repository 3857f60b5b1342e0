"""Chunked and Dask runs give exactly the in-process top lists."""

import pandas as pd
import pytest

from matcher.score.chunked import iter_chunks, read_universe_csv, score_chunks, write_universe_csv
from matcher.score.rule import RuleScorer
from matcher.score.toplists import city_queries, team_queries, top_candidates
from matcher.sim.universe import expand_teams, synthetic_universe


def _world(config, n, seed):
    cfg = expand_teams(config, 60)
    u = synthetic_universe(n, cfg, seed=seed)
    scorer = RuleScorer(cfg).fit(u.iloc[:10])
    queries = team_queries(scorer.groups_, cfg) + city_queries(scorer.groups_, cfg, k=50)
    return u, scorer, queries, top_candidates(scorer.score(u), queries)


@pytest.fixture(scope="module")
def small(config):
    return _world(config, 20_000, seed=5)


@pytest.mark.parametrize("chunksize", [4_001, 20_000])
def test_chunked_equals_in_memory(small, chunksize):
    u, scorer, queries, whole = small
    pd.testing.assert_frame_equal(score_chunks(iter_chunks(u, chunksize), scorer, queries), whole)


def test_chunks_streamed_from_csv_equal_in_memory(small, tmp_path):
    u, scorer, queries, whole = small
    path = write_universe_csv(u, tmp_path / "u.csv")
    back = pd.concat(read_universe_csv(path, chunksize=7_000), ignore_index=True)
    pd.testing.assert_frame_equal(back[u.columns], u, check_dtype=False)
    pd.testing.assert_frame_equal(score_chunks(read_universe_csv(path, chunksize=7_000), scorer, queries), whole)


@pytest.mark.usefixtures("english")
def test_chunksize_is_validated(small):
    u = small[0]
    with pytest.raises(ValueError, match="'chunksize' parameter must be an int >= 1. Got 0"):
        list(iter_chunks(u, 0))


@pytest.mark.filterwarnings("ignore:Sending large graph")
def test_dask_on_a_local_cluster_equals_in_memory(small):
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    from matcher.score.distributed import score_dask

    u, scorer, queries, whole = small
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster):
            got = score_dask(dd.from_pandas(u, npartitions=2, sort=False), scorer, queries)
    pd.testing.assert_frame_equal(got, whole)


@pytest.mark.slow
def test_chunked_and_dask_equal_in_memory_at_200k(config):
    dd = pytest.importorskip("dask.dataframe")
    from matcher.score.distributed import score_dask

    u, scorer, queries, whole = _world(config, 200_000, seed=8)
    assert whole.groupby("query").size().to_dict() == {q.name: q.k for q in queries}
    pd.testing.assert_frame_equal(score_chunks(iter_chunks(u, 30_000), scorer, queries), whole)
    got = score_dask(dd.from_pandas(u, npartitions=7, sort=False), scorer, queries)
    pd.testing.assert_frame_equal(got, whole)
