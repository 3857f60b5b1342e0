"""A small import into a large master reads only what it needs, and decides as the whole master does.

- :func:`matcher.resolve.master.candidate_master` with :meth:`Resolver.fit_for` (``master_stats``)
  gives the same predictions, probabilities and reasons as ``fit_for`` on every known name,
  also with tiny blocks (big blocks skipped) and every blocking key;
- an import resolved that way merges exactly what the whole-master path merges, and falls back
  to it when the stored parsed names are not known to be current;
- the line after ``matcher import-list`` counts the import's enterprises, as the whole universe
  counts them.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from matcher.cli.app import main
from matcher.featurise.industries import stored_industries
from matcher.featurise.universe import build_universe, universe_gaps
from matcher.ingest.lists import parse_list
from matcher.ingest.tables import read_table
from matcher.resolve import records
from matcher.resolve.aliases import load_aliases
from matcher.resolve.imports import import_enterprises, import_lists
from matcher.resolve.master import SYNCED_KEY, candidate_master, load_master, mark_synced, name_token_counts, token_counts
from matcher.resolve.normalize import NAME_FIELDS
from matcher.resolve.resolver import Resolver
from matcher.resolve.synth import synthetic_master, synthetic_queries
from matcher.store.core import Store
from matcher.store.industries import has_pending, pending_ids
from matcher.store.schema import entries_t, merges_t, meta_t

COLS = ["name", "province", *NAME_FIELDS]


def _write(path, names, provinces):
    pd.DataFrame({"排名": np.arange(1, len(names) + 1), "企业名称": list(names), "所在地区": list(provinces)}).to_csv(path, index=False)
    return path


def _import(store, path, list_type, year, resolve=None):
    t = read_table(path)
    return import_lists(store, [(parse_list(t), year)], list_type=list_type, source_name=path.name, sha256=t.sha256, resolve=resolve)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A database of 3000 SYNTHETIC enterprises, and a list of 300 variants and new names (not yet imported)."""
    folder = tmp_path_factory.mktemp("fast")
    m = synthetic_master(3000, random_state=11)
    q = synthetic_queries(m, 300, new_share=0.3, random_state=12).drop_duplicates("name")
    store = Store(folder / "master.db")
    _import(store, _write(folder / "master.csv", m.name, m.province.fillna("")), "china_top500", 2025)
    store.engine.dispose()
    return folder / "master.db", _write(folder / "small.csv", q.name, q.province.fillna(""))


@pytest.mark.parametrize(
    "params",
    [{}, {"max_block": 3}, {"max_block": 1, "blocks": ("key", "brand_py", "core2", "py5", "initials", "group")}],
    ids=["default", "small-blocks", "all-keys"],
)
def test_candidates_and_counts_decide_as_the_whole_master(synthetic, tmp_path, params):
    db, small = synthetic
    shutil.copyfile(db, tmp_path / "t.db")
    store = Store(tmp_path / "t.db")
    (res,) = _import(store, small, "china_private_top500", 2026, resolve=False)
    with store.begin() as conn:
        known = load_master(conn)  # every name parsed and stored
        mark_synced(conn)
        first = set(pd.read_sql(sa.select(entries_t.c.enterprise_id).where(entries_t.c.year == 2025), conn).enterprise_id)
        new = sorted(set(known.enterprise_id) - first)
        queries = known[known.enterprise_id.isin(new)].reset_index(drop=True)
        counts = token_counts(conn).sub(name_token_counts(queries["name"]), fill_value=0)
        whole = Resolver(**params).fit_for(known[~known.enterprise_id.isin(new)], queries[COLS], token_counts=counts)
        r = Resolver(**params)
        part, stats = candidate_master(conn, queries, kinds=r.blocks, max_block=r.max_block, alias_table=load_aliases(), exclude=new)
    assert res.new_enterprises == len(new) > 50
    assert 0 < len(part) < len(known) - len(queries)
    fast = r.fit_for(part, queries[COLS], token_counts=counts, master_stats=stats)
    expected, got = whole.predict(queries[COLS]), fast.predict(queries[COLS])
    assert (expected.decision == "merge").sum() > 20
    pd.testing.assert_frame_equal(got, expected)


def _merges(path):
    store = Store(path)
    with store.engine.connect() as conn:
        m = pd.read_sql(sa.select(merges_t.c.kept_id, merges_t.c.merged_id, merges_t.c.rule), conn)
    live = store.read("enterprises").query("merged_into.isna()").enterprise_id.tolist()
    return m.sort_values(["kept_id", "merged_id"]).reset_index(drop=True), sorted(live)


@pytest.mark.parametrize("max_block", [200, 3])
def test_an_import_merges_what_the_whole_master_merges(synthetic, tmp_path, monkeypatch, max_block):
    db, small = synthetic
    calls = []
    real = records.candidate_master
    monkeypatch.setattr(records, "Resolver", lambda: Resolver(max_block=max_block))
    monkeypatch.setattr(records, "candidate_master", lambda *a, **k: calls.append(1) or real(*a, **k))
    for name, forget in (("fast.db", False), ("whole.db", True)):
        shutil.copyfile(db, tmp_path / name)
        store = Store(tmp_path / name)
        if forget:  # the stored parsed names not known to be current: the whole master is read
            with store.begin() as conn:
                conn.execute(meta_t.delete().where(meta_t.c.key == SYNCED_KEY))
        (res,) = _import(store, small, "china_private_top500", 2026)
        assert res.merged > 10
        assert len(calls) == 1  # the first database only
        store.engine.dispose()
    fast, whole = _merges(tmp_path / "fast.db"), _merges(tmp_path / "whole.db")
    pd.testing.assert_frame_equal(fast[0], whole[0])
    assert fast[1] == whole[1]
    # Both leave the stored parsed names current: a third import finds them so.
    with Store(tmp_path / "whole.db").engine.connect() as conn:
        assert conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == SYNCED_KEY)).first() is not None


def test_the_line_after_an_import_counts_its_own_enterprises(tmp_path, config):
    db = tmp_path / "t.db"
    zero = tmp_path / "z.csv"
    zero.write_text("排名,企业名称,省份\n1,中国石油化工集团有限公司,北京市\n", encoding="utf-8")
    first = tmp_path / "a.csv"
    first.write_text("排名,企业名称,省份\n1,比亚迪股份有限公司,广东省\n2,某某甲科技有限公司,\n3,宁德时代新能源科技股份有限公司,福建省\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("排名,企业名称,省份\n1,某某未知科技有限公司,\n2,比亚迪股份有限公司,广东省\n", encoding="utf-8")
    _import(Store(db), zero, "china_top500", 2025)  # by the library: its industries are left pending
    runner = CliRunner()
    for path in (first, second):  # the first maps every pending enterprise, the second only its own
        out = runner.invoke(main, ["--db", str(db), "import-list", str(path), "--type", "china_private_top500", "--year", "2026"])
        assert out.exit_code == 0, out.output
    line = out.output.strip().splitlines()[-1]
    store = Store(db)
    with store.engine.connect() as conn:
        assert not has_pending(conn) and not len(pending_ids(conn))
    t = read_table(second)
    from matcher.store.imports import ImportResult

    ids = import_enterprises(store, [ImportResult("list", second.name, "china_private_top500", 2026, 2, "unchanged")])
    assert len(ids) == 2
    # The import's rows of the whole universe, and the counts over them.
    whole = build_universe(store, config, include_guangxi=True, texts=False)
    part = build_universe(store, config, include_guangxi=True, texts=False, ids=ids)
    expect = whole[whole.enterprise_id.isin(set(ids))].reset_index(drop=True)
    pd.testing.assert_frame_equal(part, expect)
    gaps = universe_gaps(part, config, industries=stored_industries(store, config, part))
    assert gaps == {"n": 2, "unknown_industry": 1, "unknown_hq": 1}
    assert line.startswith("本次导入涉及 2 家企业：1 家行业未知、1 家总部未知") and t.sha256


def test_a_universe_of_every_enterprise_is_read_whole_and_the_same(tmp_path, config, monkeypatch):
    """``build_universe(ids=…)`` holding every live enterprise (a first import) reads the whole tables: the same frame."""
    from matcher.featurise import universe as uv

    db = tmp_path / "w.db"
    lst = tmp_path / "a.csv"
    lst.write_text("排名,企业名称,省份,主营业务\n1,比亚迪股份有限公司,广东省,新能源汽车\n2,某某甲科技有限公司,,\n3,广西柳工集团有限公司,广西壮族自治区,工程机械\n", encoding="utf-8")
    prof = tmp_path / "p.csv"
    prof.write_text("企业名称,城市,经营范围\n宁德时代新能源科技股份有限公司,宁德市,锂离子电池制造\n比亚迪股份有限公司,深圳市,汽车制造\n", encoding="utf-8")
    runner = CliRunner()
    for args in (["import-list", str(lst), "--type", "china_private_top500", "--year", "2026"], ["import-profiles", str(prof)]):
        out = runner.invoke(main, ["--db", str(db), *args])
        assert out.exit_code == 0, out.output
    store = Store(db)
    whole = build_universe(store, config, include_guangxi=True)
    ids = whole.enterprise_id.tolist()
    assert len(ids) == 4
    monkeypatch.setattr(uv, "SCAN_FROM", 2)
    read, looked_up = [], uv._records_of
    monkeypatch.setattr(uv, "_records_of", lambda *a, **k: read.append(1) or looked_up(*a, **k))
    pd.testing.assert_frame_equal(build_universe(store, config, include_guangxi=True, ids=ids[::-1]), whole)
    assert read == []
    some = build_universe(store, config, include_guangxi=True, ids=ids[1:])
    assert read == [1]
    pd.testing.assert_frame_equal(some, whole.iloc[1:].reset_index(drop=True))
