"""Industries mapped once and stored: scoring from the stored codes equals scoring from the texts."""

import logging

import numpy as np
import pandas as pd
import pytest

from matcher.featurise.industries import industry_vectorizer, refresh_industries, stored_industries
from matcher.featurise.universe import build_universe
from matcher.ingest.lists import parse_profiles
from matcher.ingest.tables import read_table
from matcher.resolve.imports import import_lists, import_profiles
from matcher.score.rule import RuleScorer, distinct_vectors
from matcher.store import industries as stored
from matcher.store.core import Store

from .conftest import write
from .test_real_data import FILES, import_real


def assert_same_scores(store, config):
    """Scores and explanations from the stored industries equal those from the texts."""
    u = build_universe(store, config)
    scorer = RuleScorer(config).fit(u)
    by_text = scorer.score(u)
    by_code = scorer.score(u, industries=stored_industries(store, config, u))
    for name in ("fit", "link", "chain", "region", "theme", "tier", "endowment", "endowment_which", "origin"):
        np.testing.assert_array_equal(getattr(by_code, name), getattr(by_text, name), err_msg=name)
    pd.testing.assert_frame_equal(by_code.industries.reset_index(drop=True), by_text.industries.reset_index(drop=True), check_dtype=False)
    rows = np.arange(len(u))
    groups = np.argmax(by_text.total(), axis=1)
    pd.testing.assert_frame_equal(by_code.explain(rows, groups), by_text.explain(rows, groups))
    return u


def test_stored_equals_text_scoring_on_a_small_database(store, config, tmp_path):
    frame = pd.DataFrame(
        {
            "name": ["宁德时代新能源科技股份有限公司", "柳州钢铁集团有限公司", "某某贸易有限公司", "万华化学集团股份有限公司"],
            "name_en": ["CATL", "", "", "Wanhua Chemical"],
            "industry": ["", "", "", "Chemicals"],
            "business": ["新能源汽车动力电池研发、生产；锂电池回收；储能系统集成", "", "", "聚氨酯；石化"],
            "country": ["中国"] * 4,
            "city": ["宁德", "上海", "深圳", "烟台"],
        }
    )
    path = tmp_path / "p.csv"
    frame.to_csv(path, index=False)
    t = read_table(path)
    import_profiles(store, parse_profiles(t), source_name="p.csv", sha256=t.sha256)
    with store.engine.connect() as c:
        assert len(stored.pending_ids(c)) == 4
    assert refresh_industries(store, config) == 4
    with store.engine.connect() as c:
        assert len(stored.pending_ids(c)) == 0
        m = stored.read_matches(c)
    assert "battery" in set(m.industry) or len(m)
    assert_same_scores(store, config)
    # A changed profile drops that enterprise's stored industries in the import's transaction.
    frame.loc[2, "business"] = "汽车零部件制造"
    frame.to_csv(path, index=False)
    t = read_table(path)
    import_profiles(store, parse_profiles(t), source_name="p.csv", sha256=t.sha256)
    with store.engine.connect() as c:
        assert len(stored.pending_ids(c)) == 4  # the file was replaced: all its enterprises
    u = assert_same_scores(store, config)
    assert u.industry_text.str.contains("汽车零部件").any()


def test_changed_settings_remap_everything_once(store, config, tmp_path, caplog):
    path = write(tmp_path / "p.csv", "name,business\n甲公司,锂电池\n乙公司,钢铁冶炼\n")
    t = read_table(path)
    import_profiles(store, parse_profiles(t), source_name="p.csv", sha256=t.sha256)
    with caplog.at_level(logging.INFO):  # a first use is routine: said with -v, not as a warning
        assert refresh_industries(store, config) == 2
    assert "2" in caplog.text and all(r.levelno == logging.INFO for r in caplog.records if "2" in r.getMessage())
    assert refresh_industries(store, config) == 0
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert refresh_industries(store, config, vec=industry_vectorizer(config, min_confidence=0.5)) == 2
    assert caplog.records and len(caplog.records) == 1
    assert refresh_industries(store, config, vec=industry_vectorizer(config, min_confidence=0.5)) == 0


def test_merge_and_undo_drop_stored_industries(store, config, tmp_path):
    path = write(tmp_path / "p.csv", "name,business\n甲公司,锂电池\n乙公司,钢铁冶炼\n")
    t = read_table(path)
    import_profiles(store, parse_profiles(t), source_name="p.csv", sha256=t.sha256)
    refresh_industries(store, config)
    ids = sorted(store.enterprise_frame().enterprise_id)
    mid = store.merge(ids[0], ids[1], "test")
    with store.engine.connect() as c:
        assert list(stored.pending_ids(c)) == [ids[0]]
    assert_same_scores(store, config)
    store.undo_merge(mid)
    with store.engine.connect() as c:
        assert sorted(stored.pending_ids(c)) == ids
    assert_same_scores(store, config)


def test_distinct_vectors_matches_a_plain_loop():
    rng = np.random.default_rng(3)
    n = 200
    rows = rng.integers(0, n, 500)
    found = pd.DataFrame(
        {"row": rows, "industry": rng.choice(["a", "b", "c", "d"], 500), "confidence": rng.choice([0.4, 0.7, 0.9], 500)}
    ).drop_duplicates(["row", "industry"])
    found_u, inv = distinct_vectors(found, n)
    key = {r: frozenset(zip(g.industry, g.confidence)) for r, g in found.groupby("row")}
    got = {u: frozenset(zip(g.industry, g.confidence)) for u, g in found_u.groupby("row")}
    for r in range(n):
        assert got.get(inv[r], frozenset()) == key.get(r, frozenset())
    # Rows with the same vector share it; different vectors never do.
    sig = [key.get(r, frozenset()) for r in range(n)]
    assert len(set(sig)) == inv.max() + 1


@pytest.fixture(scope="module")
def real_store(tmp_path_factory, config):
    from .conftest import REAL

    if not REAL.is_dir():
        pytest.skip("the real ranking lists are not present")
    store = Store(tmp_path_factory.mktemp("real") / "r.db")
    for name, list_type, year, *_ in FILES:
        import_real(store, config, REAL, name, list_type, year)
    t = read_table(REAL / "acfic_private_top500_2026_profiles.csv")
    import_profiles(store, parse_profiles(t), source_name=t.source_name if hasattr(t, "source_name") else "profiles.csv", sha256=t.sha256)
    return store


def test_stored_equals_text_scoring_on_the_real_lists(real_store, config):
    u = assert_same_scores(real_store, config)
    assert len(u) > 2000


def test_list_import_leaves_its_enterprises_pending(store, config, tmp_path):
    path = write(tmp_path / "l.csv", "排名,企业名称,行业\n1,甲钢铁公司,钢铁\n2,乙公司,化工\n")
    from matcher.ingest.lists import parse_list

    t = read_table(path)
    import_lists(store, [(parse_list(t, ranked=True), 2024)], list_type="china_private_top500", source_name="l.csv", sha256=t.sha256)
    with store.engine.connect() as c:
        assert len(stored.pending_ids(c)) == 2
    assert_same_scores(store, config)


def test_group_max_of_contiguous_groups_equals_the_sorting_one():
    import scipy.sparse as sp

    from matcher.score.scores import group_max

    rng = np.random.default_rng(7)
    m = sp.random(300, 40, density=0.2, random_state=7, format="coo")
    m.data = np.round(m.data, 1)  # ties
    col_group = np.sort(rng.integers(0, 9, 40))
    fast = group_max(m, col_group, 9)
    best, arg = np.zeros((300, 9)), np.full((300, 9), -1)
    for r, c, v in sorted(zip(m.row, m.col, m.data)):
        g = col_group[c]
        if v > 0 and (v > best[r, g] or (v == best[r, g] and c < arg[r, g])):
            best[r, g], arg[r, g] = v, c
    np.testing.assert_array_equal(fast[0], best.astype(np.float32))
    np.testing.assert_array_equal(fast[1], arg)
    # Groups that are not contiguous take the sorting path, with the same rule.
    perm = rng.permutation(40)
    slow = group_max(sp.coo_matrix(m.tocsc()[:, perm]), col_group[perm], 9)
    np.testing.assert_array_equal(slow[0], best.astype(np.float32))


@pytest.mark.parametrize("wide", [False, True])
def test_write_matches_stores_each_match_and_a_row_for_each_unmatched_id(store, monkeypatch, wide):
    # The rows are put in key order from integer codes: compare with a plain filter, set difference and sort.
    from matcher.store import rows as store_rows

    if wide:  # the bulk path of a large import (the rows would be sorted there otherwise)
        monkeypatch.setattr(store_rows, "_WIDE_FROM", 10)
    rng = np.random.default_rng(3)
    distinct = np.array([f"E{i:06d}" for i in rng.choice(10**6, 400, replace=False)], dtype=object)
    ids = rng.permutation(np.concatenate([distinct, distinct[:5]]))  # unsorted, with repeats
    k = rng.integers(0, 4, len(distinct))
    industries = np.array([f"ind{j:02d}" for j in range(30)], dtype=object)
    matches = pd.DataFrame(
        {
            "enterprise_id": np.repeat(distinct, k),
            "industry": np.concatenate([rng.choice(industries, n, replace=False) for n in k]),
            "confidence": rng.random(int(k.sum())),
            "method": "keyword",
            "evidence": rng.choice(["电池", "钢铁"], int(k.sum())),
        }
    )
    other = pd.DataFrame({"enterprise_id": ["Z1"], "industry": ["ind00"], "confidence": [1.0], "method": ["label"], "evidence": ["x"]})
    matches = pd.concat([matches, other]).sample(frac=1, random_state=0)
    with store.begin() as conn:
        written = stored.write_matches(conn, ids, matches, "fp")
        got = pd.read_sql("SELECT enterprise_id, industry, confidence, method, evidence FROM enterprise_industries ORDER BY enterprise_id, industry", conn)
    mine = matches[matches.enterprise_id.isin(set(ids))]
    unmatched = sorted(set(ids) - set(mine.enterprise_id))
    blank = pd.DataFrame({"enterprise_id": unmatched, "industry": "", "confidence": 0.0, "method": "", "evidence": ""})
    want = pd.concat([mine, blank]).sort_values(["enterprise_id", "industry"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got.astype(str), want.astype(str))
    assert written == len(want) and (k == 0).any() and (k > 0).any()


def test_write_match_slices_without_replace_writes_the_same_rows_for_ids_with_none_stored(store):
    # replace=False skips looking for rows to drop (the caller found the ids pending): on ids with
    # none stored it stores what the replacing write stores; the replacing write drops earlier rows.
    ids = np.array(["E1", "E2", "E3"], dtype=object)
    matches = pd.DataFrame({"enterprise_id": ["E1", "E3"], "industry": ["a", "b"], "confidence": [0.9, 0.5], "method": "keyword", "evidence": ["x", "y"]})
    query = "SELECT enterprise_id, industry, confidence, method, evidence FROM enterprise_industries ORDER BY enterprise_id, industry"
    with store.begin() as conn:
        n_plain = stored.write_match_slices(conn, [(ids[:2], matches), (ids[2:], matches)], "fp", replace=False)
        plain = pd.read_sql(query, conn)
        conn.exec_driver_sql("DELETE FROM enterprise_industries")
        n_replacing = stored.write_matches(conn, ids, matches, "fp")
        assert n_plain == n_replacing == 3
        pd.testing.assert_frame_equal(pd.read_sql(query, conn), plain)
        stored.write_matches(conn, ids[:1], matches.assign(industry="c"), "fp")  # E1's earlier row dropped
        assert pd.read_sql(query, conn).industry.tolist() == ["c", "", "b"]
