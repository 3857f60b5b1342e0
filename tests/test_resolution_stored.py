"""Resolution from the stored parsed master decides exactly as a fresh fit on every known name.

The parsed names and token counts kept in the database (:mod:`matcher.resolve.master`) must
follow every change of the known names (imports, profile aliases, merges, undos, removed imports,
a new normaliser), and :meth:`Resolver.fit_for` on them must give the same decisions, probabilities
and review pairs as :meth:`Resolver.fit` on the raw names.
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from matcher.ingest.lists import parse_list, parse_profiles
from matcher.ingest.tables import read_table
from matcher.resolve.imports import import_lists, import_profiles
from matcher.resolve.master import FINGERPRINT_KEY, load_master, name_token_counts, token_counts
from matcher.resolve.normalize import NAME_FIELDS, parse_names
from matcher.resolve.records import master_names, resolve_store
from matcher.resolve.resolver import Resolver
from matcher.resolve.synth import synthetic_master, synthetic_queries
from matcher.store.core import Store
from matcher.store.schema import meta_t

REAL_LISTS = (
    ("fortune_global_500_2019.csv", "fortune_global_500", 2019),
    ("unicorn_companies_cbinsights_2022.csv", "unicorn", 2022),
    ("fortune_global_500_2024.csv", "fortune_global_500", 2024),
    ("acfic_private_top500_2026.csv", "china_private_top500", 2026),
)


def _import(store, config, path, list_type, year):
    t = read_table(path)
    if list_type is None:
        return import_profiles(store, parse_profiles(t), source_name=path.name, sha256=t.sha256)
    tier = config.tier(list_type)
    return import_lists(store, [(parse_list(t, ranked=tier.ranked), year)], list_type=tier.id, source_name=path.name, sha256=t.sha256)[0]


def _stored(store) -> tuple[pd.DataFrame, pd.Series]:
    with store.begin() as conn:
        return load_master(conn), token_counts(conn)


def assert_stored_current(store) -> None:
    """The stored parsed names and token counts are those of the names known now, as parsing them afresh gives."""
    master, counts = _stored(store)
    names = master_names(store)
    pd.testing.assert_frame_equal(master[["enterprise_id", "name", "province"]].astype(object), names.astype(object))
    fresh = parse_names(names["name"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(master[list(NAME_FIELDS)].reset_index(drop=True).astype(object), fresh.astype(object))
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM parsed_names")).scalar_one() == len(names)
    pd.testing.assert_series_equal(counts, name_token_counts(names["name"]).sort_index(), check_names=False, check_index_type=False)


def assert_same_decisions(master_raw: pd.DataFrame, master_parsed: pd.DataFrame, counts, queries: pd.DataFrame, **params) -> pd.DataFrame:
    fresh = Resolver(**params).fit(master_raw).predict(queries)
    stored = Resolver(**params).fit_for(master_parsed, queries, token_counts=counts).predict(queries)
    pd.testing.assert_frame_equal(stored, fresh)
    return fresh


@pytest.mark.parametrize("use_aliases", [True, False])
def test_synthetic_names_decided_as_by_a_fresh_fit(use_aliases):
    master = synthetic_master(4000, random_state=11)
    queries = synthetic_queries(master, 600, random_state=12)[["name", "province"]]
    raw = master[["enterprise_id", "name", "province"]]
    parsed = pd.concat([raw.reset_index(drop=True), parse_names(raw["name"]).reset_index(drop=True)], axis=1)
    out = assert_same_decisions(raw, parsed, name_token_counts(raw["name"]), queries, use_aliases=use_aliases)
    assert set(out.decision) == {"merge", "review", "new"}
    # Without stored token counts or parsed fields, fit_for reads them from the names: same decisions.
    pd.testing.assert_frame_equal(Resolver(use_aliases=use_aliases).fit_for(raw, queries).predict(queries), out)
    # Small blocks: the block sizes are the whole master's, not those of the rows indexed.
    a = Resolver(max_block=3, use_aliases=use_aliases).fit(raw).predict(queries)
    b = Resolver(max_block=3, use_aliases=use_aliases).fit_for(parsed, queries).predict(queries)
    pd.testing.assert_frame_equal(b, a)


def test_store_keeps_parsed_names_through_imports_merges_and_removal(tmp_path, config):
    store = Store(tmp_path / "s.db")
    master = synthetic_master(1500, random_state=3)
    first = pd.DataFrame({"排名": range(1, 1001), "企业名称": master.name.iloc[:1000], "所在地区": master.province.iloc[:1000]})
    first.to_csv(tmp_path / "first.csv", index=False)
    _import(store, config, tmp_path / "first.csv", "china_top500", 2025)
    assert_stored_current(store)
    q = synthetic_queries(master.iloc[:1000], 300, random_state=4)
    second = pd.DataFrame({"排名": range(1, len(q) + 1), "企业名称": q.name.to_numpy(), "所在地区": q.province.to_numpy()})
    second.to_csv(tmp_path / "second.csv", index=False)
    # The decisions of the import: as a fresh fit on the known names makes them.
    queries = q[["name", "province"]].drop_duplicates("name").reset_index(drop=True)
    parsed, counts = _stored(store)
    assert_same_decisions(master_names(store), parsed, counts, queries)
    r = _import(store, config, tmp_path / "second.csv", "china_private_top500", 2026)
    assert r.merged > 0
    assert_stored_current(store)
    merge_id = int(store.read("merges").merge_id.iloc[0])
    store.undo_merge(merge_id, "test")
    assert_stored_current(store)
    imports = store.read("imports")
    store.remove_import(int(imports.import_id.iloc[-1]))
    assert_stored_current(store)
    # A new normaliser: the rows are made again once.
    with store.begin() as conn:
        conn.execute(meta_t.update().where(meta_t.c.key == FINGERPRINT_KEY).values(value="another"))
    assert_stored_current(store)


def test_real_lists_decided_as_by_a_fresh_fit(tmp_path, config, real):
    store = Store(tmp_path / "real.db")
    for name, list_type, year in REAL_LISTS[:-1]:
        _import(store, config, real / name, list_type, year)
    _import(store, config, real / "acfic_private_top500_2026_profiles.csv", None, None)
    assert_stored_current(store)
    parsed, counts = _stored(store)
    raw = master_names(store)
    t = read_table(real / REAL_LISTS[-1][0])
    entries = parse_list(t, ranked=True)
    queries = pd.DataFrame({"name": entries["name"].astype(str), "province": entries["province"].astype(str)})
    out = assert_same_decisions(raw, parsed, counts, queries)
    assert (out.decision == "merge").any()
    # Resolving the master against itself (matcher resolve): the same pairs from stored fields as from raw names.
    cols = ["name", "province"]
    a = Resolver().fit(raw).score_pairs(raw[cols])
    b = Resolver().fit(parsed).score_pairs(parsed[[*cols, *NAME_FIELDS]])
    pd.testing.assert_frame_equal(b, a)
    # And the import of the last list stores what it resolved.
    _import(store, config, real / REAL_LISTS[-1][0], *REAL_LISTS[-1][1:])
    assert_stored_current(store)
    summary = resolve_store(store)
    assert summary.enterprises > 0
    assert_stored_current(store)


def test_a_history_import_does_not_make_the_next_list_read_the_whole_master(tmp_path, config, monkeypatch):
    from matcher.resolve import records
    from matcher.store.imports import record_import

    store = Store(tmp_path / "h.db")
    master = synthetic_master(600, random_state=5)
    first = pd.DataFrame({"排名": range(1, 501), "企业名称": master.name.iloc[:500], "所在地区": master.province.iloc[:500]})
    first.to_csv(tmp_path / "first.csv", index=False)
    _import(store, config, tmp_path / "first.csv", "china_top500", 2025)
    with store.begin() as conn:  # a weekly visit import: it names no enterprise
        record_import(conn, "history", "visits-2026-W49.xlsx", "0" * 64, 12)
    second = pd.DataFrame({"排名": range(1, 101), "企业名称": master.name.iloc[500:600], "所在地区": master.province.iloc[500:600]})
    second.to_csv(tmp_path / "second.csv", index=False)

    def whole_master(*a, **kw):
        raise AssertionError("the whole master was read")

    with monkeypatch.context() as m:
        m.setattr(records, "load_master", whole_master)
        _import(store, config, tmp_path / "second.csv", "china_private_top500", 2026)
    assert_stored_current(store)


def test_an_import_of_known_names_only_keeps_the_stored_names_current(tmp_path, config, monkeypatch):
    """A list or profile file whose every name is known creates no enterprise (nothing to resolve);
    the next import must still find the stored parsed names current, not read the whole master."""
    from matcher.resolve import records

    store = Store(tmp_path / "k.db")
    master = synthetic_master(700, random_state=6)
    first = pd.DataFrame({"排名": range(1, 601), "企业名称": master.name.iloc[:600], "所在地区": master.province.iloc[:600]})
    first.to_csv(tmp_path / "first.csv", index=False)
    _import(store, config, tmp_path / "first.csv", "china_top500", 2025)
    known = pd.DataFrame({"排名": range(1, 201), "企业名称": master.name.iloc[:200]})
    known.to_csv(tmp_path / "known.csv", index=False)
    profiles = pd.DataFrame({"企业名称": master.name.iloc[200:300], "别名": [f"别名企业{k}集团" for k in range(100)]})
    profiles.to_csv(tmp_path / "profiles.csv", index=False)
    last = pd.DataFrame({"排名": range(1, 101), "企业名称": master.name.iloc[600:700]})
    last.to_csv(tmp_path / "last.csv", index=False)

    def whole_master(*a, **kw):
        raise AssertionError("the whole master was read")

    with monkeypatch.context() as m:
        m.setattr(records, "load_master", whole_master)
        assert _import(store, config, tmp_path / "known.csv", "unicorn", 2025).new_enterprises == 0
        assert _import(store, config, tmp_path / "profiles.csv", None, None).new_enterprises == 0
        assert _import(store, config, tmp_path / "last.csv", "china_private_top500", 2026).new_enterprises > 0
    assert_stored_current(store)


def test_a_large_first_import_parses_its_names_without_reading_them_back(tmp_path, config, monkeypatch):
    """A large first import has nothing to resolve against: its names are parsed and stored from
    the import's own enterprises, the master is not read; a large second import still reads it and merges."""
    from matcher.resolve import records

    monkeypatch.setattr(records, "_FAST_UP_TO", 50)  # both imports count as large
    store = Store(tmp_path / "big.db")
    master = synthetic_master(900, random_state=8)
    first = pd.DataFrame({"排名": range(1, 801), "企业名称": master.name.iloc[:800], "所在地区": master.province.iloc[:800]})
    first.to_csv(tmp_path / "first.csv", index=False)

    def whole_master(*a, **kw):
        raise AssertionError("the whole master was read")

    with monkeypatch.context() as m:
        m.setattr(records, "load_master", whole_master)
        assert _import(store, config, tmp_path / "first.csv", "china_top500", 2025).new_enterprises > 700
    assert_stored_current(store)
    q = synthetic_queries(master.iloc[:800], 300, random_state=9)
    second = pd.DataFrame({"排名": range(1, len(q) + 1), "企业名称": q.name.to_numpy(), "所在地区": q.province.to_numpy()})
    second.to_csv(tmp_path / "second.csv", index=False)
    read = []
    with monkeypatch.context() as m:
        m.setattr(records, "load_master", lambda *a, **kw: read.append(1) or load_master(*a, **kw))
        assert _import(store, config, tmp_path / "second.csv", "china_private_top500", 2026).merged > 0
    assert read == [1]
    assert_stored_current(store)


@pytest.mark.parametrize("scan", [False, True])
def test_kept_ids_are_those_of_merges_not_undone_looked_up_either_way(store, monkeypatch, scan):
    # Few ids are looked up in chunks, many in one read of the merges (as select_in does): the same set.
    from matcher.resolve import records
    from matcher.store import rows
    from matcher.store.merges import merge, undo_merge
    from matcher.store.schema import enterprises_t

    if scan:
        monkeypatch.setattr(rows, "SCAN_FROM", 1)
    with store.begin() as conn:
        conn.execute(enterprises_t.insert(), [{"enterprise_id": e, "name": e, "merged_into": None} for e in ("A", "B", "C", "D", "E")])
        merge(conn, "A", "B", "test")
        undone = merge(conn, "C", "D", "test")
        undo_merge(conn, undone)
        assert records._kept(conn, []) == set()
        assert records._kept(conn, ["A", "B", "C", "D", "E", "X"]) == {"A"}
