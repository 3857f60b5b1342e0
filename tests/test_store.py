"""The database: idempotent imports, one transaction each, merges recorded."""

import pandas as pd
import pytest
import sqlalchemy as sa

from matcher.errors import StoreError
from matcher.ingest.lists import parse_list, parse_profiles
from matcher.ingest.tables import read_table
from matcher.resolve.imports import import_list, import_profiles
from matcher.store.core import Store
from matcher.store.imports import enterprise_id_for

from .conftest import write

LIST = "排名,企业名称,所在地区\n1,京东集团,北京市\n2,恒力集团有限公司,江苏省\n3,浙江恒逸集团有限公司,浙江省\n"


def _import(store, path, list_type="china_private_top500", year=2026):
    t = read_table(path)
    return import_list(store, parse_list(t), list_type=list_type, year=year, source_name=path.name, sha256=t.sha256)


def test_import_twice_changes_nothing(store, tmp_path):
    path = write(tmp_path / "p.csv", LIST)
    r1 = _import(store, path)
    before = store.counts(), store.snapshot_hash()
    r2 = _import(store, path)
    assert (r1.status, r1.new_enterprises) == ("imported", 3)
    assert r2.status == "unchanged"
    assert (store.counts(), store.snapshot_hash()) == before


def test_corrected_file_of_same_name_replaces_its_rows(store, tmp_path):
    path = write(tmp_path / "p.csv", LIST)
    _import(store, path)
    write(path, LIST.replace("3,浙江恒逸集团有限公司,浙江省\n", ""))
    r = _import(store, path)
    assert r.status == "replaced"
    assert len(store.read("list_entries")) == 2


def test_ids_are_stable_and_names_match_across_lists(store, tmp_path):
    _import(store, write(tmp_path / "a.csv", LIST))
    other = "rank,name\n7,恒力集团\n"
    r = _import(store, write(tmp_path / "b.csv", other), list_type="china_top500", year=2024)
    assert r.matched == 1 and r.new_enterprises == 0
    e = store.read("list_entries")
    assert set(e.enterprise_id) == {enterprise_id_for("京东"), enterprise_id_for("恒力"), enterprise_id_for("浙江恒逸")}
    assert e[e.name.str.startswith("恒力")].enterprise_id.nunique() == 1


def test_colliding_ids_never_join_two_names(store, tmp_path, monkeypatch):
    """With ids cut to three hex digits, 300 names collide: each still gets its own enterprise."""
    import hashlib

    import matcher.store.imports as imports
    from matcher._text import normalize_names

    def narrow(norm_key: str, salt: int = 0) -> str:
        key = norm_key if salt == 0 else f"{norm_key}#{salt}"
        return "E" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:3].upper()

    monkeypatch.setattr(imports, "enterprise_id_for", narrow)
    names = []
    for k in range(2):  # within one import, then against stored ids
        batch = [f"企业{k}{i:03d}号集团" for i in range(150)]
        names += batch
        rows = "".join(f"{i + 1},{n}\n" for i, n in enumerate(batch))
        _import(store, write(tmp_path / f"c{k}.csv", "排名,企业名称\n" + rows), list_type="china_top500", year=2024 + k)
    assert len({narrow(n) for n in normalize_names(pd.Series(names))}) < 300  # the plain hashes do collide
    e = store.read("enterprises")
    entries = store.read("list_entries")
    assert len(e) == 300 and e.enterprise_id.is_unique
    # Every entry sits on the enterprise of its own name.
    assert (entries.enterprise_id.map(e.set_index("enterprise_id").name) == entries.name).all()


def test_failed_import_leaves_database_as_before(store, tmp_path, monkeypatch):
    _import(store, write(tmp_path / "a.csv", LIST))
    before = store.counts(), store.snapshot_hash()
    import matcher.store.imports as imports
    from matcher.store.schema import entries_t

    real_insert = imports.insert_frame
    calls = {"n": 0}

    def failing(conn, table, frame):
        calls["n"] += 1
        if table is entries_t:
            raise RuntimeError("disk full")
        return real_insert(conn, table, frame)

    monkeypatch.setattr(imports, "insert_frame", failing)
    with pytest.raises(RuntimeError):
        _import(store, write(tmp_path / "b.csv", "rank,name\n1,新公司甲\n2,新公司乙\n"), list_type="china_top500", year=2024)
    assert calls["n"] >= 2  # enterprises were inserted before the failure…
    assert (store.counts(), store.snapshot_hash()) == before  # …and rolled back


def test_profile_with_both_names_joins_two_list_entries(store, tmp_path):
    store.auto_resolve = False  # here the profile, not the resolver, joins the two spellings
    t = read_table(write(tmp_path / "f.csv", "rank,company,industry\n243,Zhejiang Hengyi Group,Chemicals\n"))
    import_list(store, parse_list(t), list_type="fortune_global_500", year=2024, source_name="f.csv", sha256=t.sha256)
    _import(store, write(tmp_path / "a.csv", LIST))
    assert len(store.enterprise_frame()) == 4
    prof = "企业名称,英文名称,主营业务,总部\n浙江恒逸集团有限公司,Zhejiang Hengyi Group,PTA；聚酯纤维,杭州市\n"
    pt = read_table(write(tmp_path / "prof.csv", prof))
    r = import_profiles(store, parse_profiles(pt), source_name="prof.csv", sha256=pt.sha256)
    assert r.merged == 1
    ef = store.enterprise_frame()
    assert len(ef) == 3
    row = ef[ef.name == "浙江恒逸集团有限公司"].iloc[0]
    assert row.name_en == "Zhejiang Hengyi Group"
    assert "PTA" in row.industry_text and "Chemicals" in row.industry_text
    merges = store.read("merges")
    assert len(merges) == 1 and "prof.csv row 2" in merges.rule.iloc[0]
    # Re-running the same profile import changes nothing.
    before = store.snapshot_hash()
    assert import_profiles(store, parse_profiles(pt), source_name="prof.csv", sha256=pt.sha256).status == "unchanged"
    assert store.snapshot_hash() == before


def test_two_rows_with_one_name_stay_two_enterprises(store, tmp_path):
    t = read_table(write(tmp_path / "u.csv", "company,country,city\nBolt,Estonia,Tallinn\nBolt,United States,San Francisco\n"))
    import_list(store, parse_list(t, ranked=False), list_type="unicorn", year=2022, source_name="u.csv", sha256=t.sha256)
    assert store.read("list_entries").enterprise_id.nunique() == 2


@pytest.mark.usefixtures("english")
def test_newer_schema_is_refused(tmp_path):
    s = Store(tmp_path / "x.db")
    with s.engine.begin() as c:
        c.execute(sa.text("update meta set value='99' where key='schema_version'"))
    with pytest.raises(StoreError, match="schema version 99"):
        Store(tmp_path / "x.db")


@pytest.mark.usefixtures("english")
def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "no" / "such" / "x.db")


def test_memberships_use_newest_year_of_each_list(store, tmp_path):
    t1 = read_table(write(tmp_path / "a.csv", "rank,name\n1,A\n2,B\n"))
    import_list(store, parse_list(t1), list_type="fortune_global_500", year=2019, source_name="a.csv", sha256=t1.sha256)
    t2 = read_table(write(tmp_path / "b.csv", "rank,name\n5,B\n"))
    import_list(store, parse_list(t2), list_type="fortune_global_500", year=2024, source_name="b.csv", sha256=t2.sha256)
    m = store.list_memberships()
    assert m[["list_type", "year", "rank"]].values.tolist() == [["fortune_global_500", 2024, 5]]
    assert isinstance(m, pd.DataFrame)


def test_messages_never_show_a_database_password():
    from matcher.store.engine import display_url

    shown = display_url("postgresql+psycopg://matcher:s3cret@db.example/matcher")
    assert "s3cret" not in shown and "db.example/matcher" in shown
    assert display_url("sqlite:////tmp/x/matcher.db") == "/tmp/x/matcher.db"


def test_look_ups_by_scan_and_by_chunks_agree(store, tmp_path, monkeypatch):
    """Many keys are matched by one scan, few by chunked IN queries: both give the same answer."""
    import matcher.store.rows as rows
    from matcher.store.schema import entries_t

    body = "".join(f"{i + 1},企业{i:04d}集团\n" for i in range(1200))
    _import(store, write(tmp_path / "big.csv", "排名,企业名称\n" + body), list_type="china_top500", year=2024)
    names = store.read("enterprise_names").norm_name
    ids = store.read("enterprises").enterprise_id
    probe_names = pd.concat([names.sample(700, random_state=1), pd.Series(["不存在", "nobody"])])
    probe_ids = pd.concat([ids.sample(700, random_state=2), pd.Series(["ENOSUCH"])])
    with store.engine.connect() as conn:
        got = {}
        for scan_from in (10**9, 1):  # chunks only, then scan always
            monkeypatch.setattr(rows, "SCAN_FROM", scan_from)
            got[scan_from] = (
                rows.known_names(conn, probe_names).sort_index(),
                rows.existing_ids(conn, probe_ids),
                rows.select_in(conn, entries_t, "enterprise_id", list(probe_ids)).sort_values("source_row").reset_index(drop=True),
            )
    a, b = got[10**9], got[1]
    pd.testing.assert_series_equal(a[0], b[0])
    assert a[1] == b[1] and len(a[1]) == 700
    pd.testing.assert_frame_equal(a[2], b[2])
