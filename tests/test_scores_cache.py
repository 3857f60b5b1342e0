"""Scores kept per state of the data: read back equal, renewed by every write to what they are computed from."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from matcher.ingest.lists import parse_profiles
from matcher.ingest.tables import read_table
from matcher.plan.issue import score_store
from matcher.resolve.imports import import_profiles
from matcher.score import cache
from matcher.store.schema import meta_t

from .conftest import write

PROFILES = "name,business,city\n宁德时代新能源科技股份有限公司,动力电池,宁德\n宝山钢铁股份有限公司,钢铁冶炼,上海\n万华化学集团股份有限公司,聚氨酯；石化,烟台\n"


def _import(store, tmp_path, text=PROFILES, name="p.csv"):
    t = read_table(write(tmp_path / name, text))
    return import_profiles(store, parse_profiles(t), source_name=name, sha256=t.sha256)


def assert_scores_equal(a, b):
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype, f.name
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y), err_msg=f.name)
        elif isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=True, obj=f.name)
        elif f.name != "config":
            assert x == y, f.name


@pytest.fixture
def counted(tmp_path, monkeypatch):
    """The cache folder set; a counter of how often the scores were really computed."""
    cache.set_scores_cache(tmp_path / "cache")
    calls = []
    real = cache.cached_scores

    def counting(store, config, compute):
        return real(store, config, lambda: calls.append(1) or compute())

    import matcher.plan.issue as issue

    monkeypatch.setattr(issue, "cached_scores", counting)
    yield calls
    cache.set_scores_cache(None)


def test_cached_scores_equal_fresh_ones_and_explain_the_same(store, config, tmp_path, counted):
    _import(store, tmp_path)
    fresh = score_store(store, config)
    again = score_store(store, config)
    assert len(counted) == 1  # the second was read back
    assert_scores_equal(fresh, again)
    rows, groups = np.arange(len(fresh.universe)), np.argmax(fresh.total(), axis=1)
    pd.testing.assert_frame_equal(again.explain(rows, groups), fresh.explain(rows, groups))
    g = fresh.group_ids(city=config.cities[0].id)
    assert len(g)
    pd.testing.assert_frame_equal(again.rank(g, top=3), fresh.rank(g, top=3))


def test_a_write_to_what_scores_read_renews_the_token_others_do_not(store, config, tmp_path, counted):
    _import(store, tmp_path)
    first = store.scored_token()
    assert first
    with store.begin() as conn:  # a write elsewhere (as a visit import's)
        conn.execute(meta_t.insert().values(key="unrelated", value="1"))
    assert store.scored_token() == first
    with pytest.raises(RuntimeError), store.begin() as conn:  # a write rolled back leaves it too
        conn.execute(sa.delete(sa.table("list_entries")))
        raise RuntimeError
    assert store.scored_token() == first
    before = score_store(store, config)
    _import(store, tmp_path, PROFILES.replace("钢铁冶炼", "汽车零部件制造"), name="q.csv")
    second = store.scored_token()
    assert second != first
    changed = score_store(store, config)
    assert len(counted) == 2
    assert set(changed.industries.industry) != set(before.industries.industry)
    store.remove_import(int(store.imports().import_id.max()))
    assert store.scored_token() not in (first, second)


def test_no_folder_no_token_or_other_configuration_means_computed(store, config, tmp_path, counted):
    _import(store, tmp_path)
    score_store(store, config)
    other = dataclasses.replace(config, sha256="another")
    score_store(store, other)
    assert len(counted) == 2
    cache.set_scores_cache(None)
    score_store(store, config)
    assert len(counted) == 3


def test_a_damaged_or_foreign_entry_is_computed_again_and_runs_no_code(store, config, tmp_path, counted):
    _import(store, tmp_path)
    fresh = score_store(store, config)
    (entry,) = (tmp_path / "cache").glob("scores-*")
    # An array replaced by a pickled object array (which would run code if unpickled).
    np.save(entry / "fit.npy", np.array([object()], dtype=object), allow_pickle=True)
    again = score_store(store, config)
    assert len(counted) == 2
    assert_scores_equal(fresh, again)
    (entry / "tier.npy").write_bytes(b"\x93NUMPY")  # truncated
    score_store(store, config)
    assert len(counted) == 3


def test_only_the_newest_entries_are_kept(store, config, tmp_path, counted):
    for i in range(cache.KEEP + 2):
        _import(store, tmp_path, PROFILES + f"新公司{i},软件开发,深圳\n", name=f"p{i}.csv")
        score_store(store, config)
    assert len(list((tmp_path / "cache").glob("scores-*"))) == cache.KEEP
    assert not list((tmp_path / "cache").glob(".scores-*"))


def test_the_snapshot_hash_is_kept_per_state(store, config, tmp_path, counted):
    _import(store, tmp_path)
    first = cache.cached_snapshot_hash(store)
    assert first == store.snapshot_hash() == cache.cached_snapshot_hash(store)
    assert len(list((tmp_path / "cache").glob("snapshot-*.txt"))) == 1
    _import(store, tmp_path, PROFILES + "新公司,软件开发,深圳\n", name="q.csv")
    second = cache.cached_snapshot_hash(store)
    assert second == store.snapshot_hash() != first


def test_team_values_are_kept_with_the_scores_and_read_back_equal(store, config, tmp_path, counted):
    from matcher.plan.values import team_links, team_values

    _import(store, tmp_path)
    teams = sorted(config.teams, key=lambda t: t.id)
    scores = score_store(store, config)
    value, group = team_values(scores, teams)
    (kept,) = (tmp_path / "cache").glob("scores-*/team-values-*")
    assert (kept / "arrays.json").is_file()
    again = score_store(store, config)
    v2, g2 = team_values(again, teams)
    assert isinstance(v2, np.memmap)  # read back, not computed
    np.testing.assert_array_equal(np.asarray(v2), value)
    np.testing.assert_array_equal(np.asarray(g2), group)
    cache.set_scores_cache(None)
    fresh = score_store(store, config)
    v3, g3 = team_values(fresh, teams)
    np.testing.assert_array_equal(v3, value)
    np.testing.assert_array_equal(g3, group)
    # The link behind each team's value: kept the same way, and what the link matrix says, pair by pair.
    links = team_links(fresh, teams, g3)
    for t in range(len(teams)):
        for e in range(group.shape[1]):
            assert links[t, e] == (fresh.link[e, group[t, e]] if group[t, e] >= 0 else -1)
    assert (links >= 0).any()
    cache.set_scores_cache(tmp_path / "cache")
    np.testing.assert_array_equal(team_links(score_store(store, config), teams, g2), links)
    assert len(list((tmp_path / "cache").glob("scores-*/team-links-*"))) == 1
    read = team_links(score_store(store, config), teams, g2)
    assert isinstance(read, np.memmap)  # read back, not computed
    np.testing.assert_array_equal(np.asarray(read), links)
