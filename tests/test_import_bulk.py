"""A large import takes the fast paths and stores exactly what the plain paths store.

The fast paths of ``matcher import-profiles`` and ``import-list`` on SQLite (rows bound
through the driver's ``executemany``, tables scanned through the driver's cursor, the
industry texts joined without a call per enterprise, industries mapped from the universe
the import line builds from the profile rows the import wrote and the matches taken as written,
the new enterprises' names handed to the resolution, names keyed in two processes, names parsed
ahead and industries mapped by workers while earlier slices are written) against the plain paths (SQLAlchemy's
inserts and reads, what other databases use, one process, industries read again): the
same database, every table row for row, on a SYNTHETIC profile file with English names,
aliases (some shared by two profiles), headquarters, branches and ownership, imported
into a new database and after a list whose names it matches and merges.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher import _parallel as parallel
from matcher._text import normalize_names
from matcher.cli.app import main
from matcher.featurise import industries as industries_mod
from matcher.featurise import universe as universe_mod
from matcher.featurise.universe import build_universe
from matcher.ingest.lists import parse_profiles
from matcher.ingest.tables import read_table
from matcher.resolve import parsing as parsing_mod
from matcher.resolve import records as records_mod
from matcher.resolve.imports import import_enterprises, import_profiles
from matcher.resolve.normalize import parse_names
from matcher.sim.realistic import realistic_world
from matcher.store import rows, views
from matcher.store.core import Store
from matcher.store.rows import isin_keys

#: Columns that hold the time of a write, not what was written.
_WHEN = {"imported_at", "at"}
#: ``meta`` keys whose values are a digest of those times, or a random token.
_VOLATILE = {"parsed_names_synced", "scored_data_token"}


@pytest.fixture(scope="module")
def files(tmp_path_factory, config):
    """A SYNTHETIC profile file of 3000 enterprises and a list of 300 of their names (some in English)."""
    folder = tmp_path_factory.mktemp("bulk")
    e = realistic_world(3000, config, seed=5, texts="distinct").enterprises.reset_index(drop=True)
    rng = np.random.default_rng(5)
    n = len(e)
    en = e.name_en.fillna("").astype(str).to_numpy(dtype=object)
    no_en = np.flatnonzero(en == "")[:400]
    en[no_en[:300]] = [f"Synthetic Works {i} Co., Ltd." for i in range(300)]
    aliases = np.full(n, "", dtype=object)
    pick = rng.choice(n, 200, replace=False)
    aliases[pick[:150]] = [f"简称{i}；别名{i}" for i in range(150)]
    aliases[pick[150:175]] = "共用简称"  # a name given by several profiles identifies none of them
    aliases[pick[175:]] = en[no_en[:25]]  # another profile's English name
    hq = np.where(rng.random(n) < 0.3, (e.city.astype(str) + "高新区").to_numpy(dtype=object), "")
    branches = np.where(rng.random(n) < 0.1, "柳州市;桂林市", "")
    profiles = pd.DataFrame(
        {
            "企业名称": e.name,
            "英文名称": en,
            "别名": aliases,
            "国家": e.country,
            "省份": e.province,
            "城市": e.city,
            "总部": hq,
            "主要分支机构": branches,
            "经营范围": e.industry,
            "企业性质": e.ownership,
        }
    )
    profiles.to_csv(folder / "synthetic_profiles.csv", index=False)
    # The list: 200 Chinese names as printed, 100 English names, and 30 names of enterprises not on the profiles.
    listed = list(e.name.iloc[:200]) + list(en[no_en[:100]]) + [f"模拟新增{i}有限公司" for i in range(30)]
    pd.DataFrame({"排名": np.arange(1, len(listed) + 1), "企业名称": listed, "省份": ""}).to_csv(folder / "synthetic_list.csv", index=False)
    # The same profiles corrected: a later import of the same file replaces the earlier one's rows.
    fixed = profiles.assign(城市=np.where(np.arange(n) % 7 == 0, "南宁市", profiles.城市))
    (folder / "v2").mkdir()
    fixed.to_csv(folder / "v2" / "synthetic_profiles.csv", index=False)
    return folder


def _run(db, *args):
    r = CliRunner().invoke(main, ["--db", str(db), *map(str, args)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


def _dump(db) -> dict[str, list[tuple]]:
    """Every table's rows, sorted; times and their digests blanked."""
    con = sqlite3.connect(db)
    try:
        out = {}
        for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            cur = con.execute(f'SELECT * FROM "{t}"')
            cols = [d[0] for d in cur.description]
            found = [tuple("*" if c in _WHEN else v for c, v in zip(cols, r, strict=True)) for r in cur.fetchall()]
            if t == "meta":
                found = [(k, "*" if k in _VOLATILE else v) for k, v in found]
            out[t] = sorted(found, key=repr)
        out["indexes"] = sorted(con.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'").fetchall(), key=repr)
        return out
    finally:
        con.close()


def _grouped(keys, texts):
    """The plain join: ``groupby(...).agg(" | ".join)``."""
    return pd.DataFrame({"k": keys, "t": texts}).groupby("k").t.agg(" | ".join)


def _plain(monkeypatch):
    """Every fast path off: SQLAlchemy inserts and reads, one process, industries read from the database."""
    monkeypatch.setattr(rows, "_plain", lambda *a: False)
    monkeypatch.setattr(rows, "_read_sql", lambda conn, select: pd.read_sql(select, conn))
    monkeypatch.setattr(rows, "isin_keys", lambda values, keys: pd.Series(values, dtype=object).isin(set(keys)).to_numpy())
    monkeypatch.setattr(views, "_joined", _grouped)
    read_rows = views.rows_of
    for module in (views, universe_mod):  # the import's rows (profiles, created enterprises and names) read back
        monkeypatch.setattr(module, "rows_of", lambda conn, table, ids, given: read_rows(conn, table, ids, None))
    sync = records_mod.sync_import_names
    monkeypatch.setattr(records_mod, "sync_import_names", lambda conn, ids, import_id, names=None, ahead=None: sync(conn, ids, import_id))  # names read back
    monkeypatch.setenv("MATCHER_WORKERS", "1")
    stored = industries_mod.stored_industries
    monkeypatch.setattr(industries_mod, "stored_industries", lambda *a, **kw: stored(*a, **{**kw, "with_texts": False}))


def _fast(monkeypatch):
    """Every fast path on, small enough to be taken here: two processes, several slices, a wide page cache, scans."""
    monkeypatch.setenv("MATCHER_WORKERS", "2")
    monkeypatch.setattr(parallel, "_other_threads", lambda: False)  # threads other tests left idle do not matter here
    monkeypatch.setattr(parallel, "MIN_ROWS", 500)
    monkeypatch.setattr(industries_mod, "_SLICE", 700)
    monkeypatch.setattr(parsing_mod, "PARSE_SLICE", 700)
    monkeypatch.setattr(rows, "_SLICE", 1000)
    monkeypatch.setattr(rows, "_WIDE_FROM", 1000)
    monkeypatch.setattr(rows, "SCAN_FROM", 100)  # look-ups of many keys scan the table (the plain paths query in chunks)


def _steps(files, db, steps):
    for step in steps:
        if step == "profiles":
            _run(db, "import-profiles", files / "synthetic_profiles.csv")
        elif step == "profiles-v2":
            _run(db, "import-profiles", files / "v2" / "synthetic_profiles.csv")
        else:
            _run(db, "import-list", files / "synthetic_list.csv", "--type", "china_top500", "--year", 2025)


@pytest.mark.parametrize(
    "steps", [("profiles",), ("list", "profiles"), ("profiles", "list", "profiles-v2")], ids=["new-database", "after-a-list", "list-and-replace"]
)
def test_fast_paths_store_what_the_plain_paths_store(files, tmp_path, monkeypatch, steps):
    with monkeypatch.context() as m:
        _plain(m)
        _steps(files, tmp_path / "plain.db", steps)
    with monkeypatch.context() as m:
        _fast(m)
        _steps(files, tmp_path / "fast.db", steps)
    plain, fast = _dump(tmp_path / "plain.db"), _dump(tmp_path / "fast.db")
    assert plain.keys() == fast.keys()
    for table in plain:
        assert fast[table] == plain[table], table
    # What the import wrote is there: every profile, its names, parsed names and industries.
    assert len(plain["profiles"]) >= 2900 and len(plain["parsed_names"]) == len(plain["enterprise_names"])
    assert {r[0] for r in plain["enterprise_industries"]} >= {r[0] for r in plain["profiles"]}
    if steps[0] == "list":
        assert plain["merges"], "a profile whose names are two listed enterprises joins them"


@pytest.mark.parametrize("steps", [("profiles",), ("profiles", "list", "profiles-v2")], ids=["new-database", "list-and-replace"])
def test_the_import_line_s_universe_from_the_written_rows_is_the_one_read_back(files, tmp_path, config, steps):
    """The rows a profile import wrote, handed on, give the universe and enterprises that reading them back gives."""
    db = tmp_path / "u.db"
    _steps(files, db, steps[:-1])
    path = files / ("v2" if steps[-1] == "profiles-v2" else "") / "synthetic_profiles.csv"
    store = Store(db)
    table = read_table(path)
    result = import_profiles(store, parse_profiles(table), source_name=path.name, sha256=table.sha256)
    assert result.merged == 0 and result.profile_rows is not None and len(result.profile_rows) >= 2900
    ids = import_enterprises(store, [result])
    assert ids.tolist() == import_enterprises(store, [replace(result, profile_rows=None)]).tolist()
    ents, names = result.created_rows
    assert len(ents) == result.new_enterprises and set(names.enterprise_id) == set(ents.enterprise_id)
    given = build_universe(store, config, include_guangxi=True, ids=ids, profile_rows=result.profile_rows)
    read = build_universe(store, config, include_guangxi=True, ids=ids)
    held = build_universe(store, config, include_guangxi=True, ids=ids, profile_rows=result.profile_rows, created_rows=result.created_rows)
    half = set(ents.enterprise_id.iloc[::2])  # every row of half the created enterprises held, the others read
    part = (ents[ents.enterprise_id.isin(half)], names[names.enterprise_id.isin(half)])
    some = build_universe(store, config, include_guangxi=True, ids=ids[::3], profile_rows=result.profile_rows.iloc[::2], created_rows=part)
    pd.testing.assert_frame_equal(given, read)
    pd.testing.assert_frame_equal(held, read)
    pd.testing.assert_frame_equal(some, read[read.enterprise_id.isin(ids[::3])].reset_index(drop=True))


def test_a_profile_import_gives_every_name_of_the_enterprises_it_created(files, tmp_path):
    """``ListImport.names`` are the names table's rows of the new enterprises, read back or not (after a list too)."""
    from matcher.store.imports import write_profiles
    from matcher.store.rows import select_in
    from matcher.store.schema import names_t

    db = tmp_path / "n.db"
    _steps(files, db, ("list",))
    path = files / "synthetic_profiles.csv"
    table = read_table(path)
    store = Store(db)
    with store.begin() as conn:
        written = write_profiles(conn, parse_profiles(table), source_name=path.name, sha256=table.sha256)
        read = select_in(conn, names_t, "enterprise_id", written.enterprise_ids.tolist(), columns=("norm_name", "enterprise_id", "name"))
    assert len(written.enterprise_ids) > 2000 and len(read) > len(written.enterprise_ids)
    key = ["norm_name", "enterprise_id", "name"]
    assert sorted(map(tuple, written.names[key].astype(str).to_numpy())) == sorted(map(tuple, read[key].astype(str).to_numpy()))


def test_the_names_parsed_while_the_rows_are_written_are_the_ones_stored(files, tmp_path, monkeypatch):
    """A new database's profile import parses its new enterprises' names once, ahead, in two processes, and stores them."""
    _fast(monkeypatch)
    made = []
    init = parsing_mod.ParsingAhead.__init__
    monkeypatch.setattr(parsing_mod.ParsingAhead, "__init__", lambda self, names, **kw: (made.append(len(names)), init(self, names, **kw))[1])
    db = tmp_path / "a.db"
    _run(db, "import-profiles", files / "synthetic_profiles.csv")
    con = sqlite3.connect(db)
    stored = con.execute("SELECT count(*) FROM parsed_names").fetchone()[0]
    named = con.execute("SELECT count(*) FROM enterprise_names").fetchone()[0]
    parsed = pd.read_sql("SELECT * FROM parsed_names ORDER BY norm_name", con)
    con.close()
    assert made == [stored] and stored == named > 2900  # started once, taken: not parsed a second time
    # Parsed with the keys the import handed on: every field as parsing the names alone gives it.
    want = parse_names(parsed["name"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(parsed[want.columns].astype(object), want.astype(object))


def test_names_parsed_with_their_keys_are_parsed_as_without():
    """The normalised keys an import hands on with its names are the parsed key: every field as without them."""
    rng = np.random.default_rng(5)
    pool = [
        "浙江恒逸集团有限公司", "弘润石化（潍坊）有限责任公司", "Huawеi Technologies Co., Ltd.", "北京", "  ", "Wanda (Shandong) Group",
        "中国石油化工股份有限公司(模拟)", "ÉLECTRICITÉ DE FRANCE S.A.", "日照钢铁", "Rizhao Steel", "ＡＢＣ　控股", "",
    ]
    names = pd.Series(rng.choice([*pool, *(p + str(k) for k in range(5) for p in pool)], 400), dtype=object)
    pd.testing.assert_frame_equal(parse_names(names, normalize_names(names)), parse_names(names))


def test_names_parsed_ahead_are_taken_only_when_they_are_the_names_to_store(tmp_path, monkeypatch):
    """Parsing ahead other names than those to store: they are parsed again, and the rows are those of parsing at once."""
    from matcher.store.schema import parsed_names_t

    _fast(monkeypatch)
    monkeypatch.setattr(parsing_mod, "PARSE_SLICE", 300)
    names = [f"测试{k}科技有限公司" for k in range(1500)]
    fresh = pd.DataFrame({"norm_name": [f"k{k:05d}" for k in range(1500)][::-1], "name": names})
    store = Store(tmp_path / "p.db")
    for ahead in (parsing_mod.parse_ahead(fresh.iloc[:-1]), parsing_mod.parse_ahead(fresh.sample(frac=1, random_state=1)), None):
        with store.begin() as conn:
            conn.execute(parsed_names_t.delete())
            fields, counts = parsing_mod.parse_and_store(conn, fresh, ahead)
            stored = pd.read_sql("SELECT * FROM parsed_names ORDER BY norm_name", conn)
        if ahead is not None:
            ahead.close()  # closed already: again does nothing
        want = parse_names(fresh["name"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(fields.astype(object), want.astype(object))
        assert stored.norm_name.tolist() == sorted(fresh.norm_name) and counts.sum() > 0


def test_the_text_join_is_the_groupby_join():
    rng = np.random.default_rng(1)
    keys = np.array(sorted(rng.choice(["E1", "E2", "E3", "E4"], 40)), dtype=object)
    texts = np.array([f"经营{i}" for i in range(40)], dtype=object)
    assert views._joined(keys, texts).to_dict() == _grouped(keys, texts).to_dict()
    assert views._joined(np.array([], dtype=object), np.array([], dtype=object)).empty


@pytest.mark.parametrize("seed", range(4))
def test_industry_texts_are_each_enterprise_s_distinct_texts_in_order(seed):
    """The column-wise join of profile texts and the long join of listed ones give what a plain loop gives."""
    rng = np.random.default_rng(seed)
    pool = np.array(["", " ", "制造", "汽车", "Auto", "汽车 ", "b", "a", "电池|储能"], dtype=object)
    ids = [f"E{k}" for k in range(60)]
    entries = pd.DataFrame({"enterprise_id": rng.choice(ids[:25], 50), "industry": rng.choice(pool, 50), "business": rng.choice(pool, 50)})
    profiles = pd.DataFrame({"enterprise_id": ids[10:], "industry": rng.choice(pool, 50), "business": rng.choice(pool, 50)})
    if seed % 2:
        entries, profiles = entries.astype("str"), profiles.astype("str")
    got = views._industry_texts(entries, profiles.set_index("enterprise_id"))
    texts: dict[str, set[str]] = {}
    for frame in (entries, profiles):
        for e, a, b in zip(frame.enterprise_id, frame.industry, frame.business):
            texts.setdefault(e, set()).update(t for t in (a, b) if t.strip())
    want = {e: " | ".join(sorted(t)) for e, t in texts.items() if t}
    assert got.to_dict() == want and got.index.is_unique


@pytest.mark.parametrize("seed", range(4))
def test_fresh_ids_give_a_colliding_id_to_the_first_name_in_sorted_order(seed, monkeypatch):
    """Ids of new names as the plain rule gives them, names in sorted order, with many collisions and stored ids."""
    import zlib

    from matcher.store import imports

    rng = np.random.default_rng(seed)
    monkeypatch.setattr(imports, "enterprise_id_for", lambda n, salt=0: f"E{zlib.crc32(f'{n}#{salt}'.encode()) % 40}")
    stored = {f"E{k}" for k in rng.choice(40, 8, replace=False)}
    monkeypatch.setattr(imports, "existing_ids", lambda conn, ids: stored & set(ids))
    names = pd.Series(rng.choice([f"名称{k}" for k in range(25)], 60).tolist() + [None])
    got = imports.fresh_ids(None, names)
    want: dict[str, str] = {}
    salt, todo = 0, sorted(set(names.dropna()))
    while todo:  # the plain rule, one name at a time
        left = []
        for n in todo:
            i = imports.enterprise_id_for(n, salt)
            if i in stored or i in want.values():
                left.append(n)
            else:
                want[n] = i
        todo, salt = left, salt + 1
    assert got.to_dict() == want and len(set(got)) == len(got) == len(set(names.dropna()))


def test_isin_keys_is_series_isin():
    values = np.array(["a", "b", None, "c", "a"], dtype=object)
    for keys in (["a", "a", "c"], {"b"}, [], np.array(["c"], dtype=object)):
        assert isin_keys(values, keys).tolist() == pd.Series(values).isin(list(keys)).tolist()



@pytest.mark.parametrize("seed", range(3))
def test_isin_keys_of_text_columns_is_series_isin(seed):
    """Text columns (Arrow-held or not, with missing values) compared as ``Series.isin`` compares them."""
    rng = np.random.default_rng(seed)
    pool = np.array(["甲", "乙", "a", "", "b c", "广西", None], dtype=object)
    values, keys = pd.Series(rng.choice(pool, 300)), pd.Series(rng.choice(pool, 20))
    for v in (values, values.astype(object), values.astype("str")):
        for k in (keys, keys.astype(object), keys.astype("str"), keys.dropna().astype("str")):
            assert isin_keys(v, k).tolist() == v.astype(object).isin(k.astype(object).tolist()).tolist()


def _square(x: int) -> int:
    return x * x


def test_parts_come_back_in_order(monkeypatch):
    monkeypatch.setenv("MATCHER_WORKERS", "2")
    monkeypatch.setattr(parallel, "_other_threads", lambda: False)
    assert parallel.workers() == min(2, os.cpu_count() or 1)  # as the comparisons above run the fast paths
    assert parallel.map_parts(_square, list(range(7))) == [x * x for x in range(7)]
    assert list(parallel.iter_parts(_square, list(range(7)))) == [x * x for x in range(7)]  # taken one by one while workers map ahead
    taken = parallel.iter_parts(_square, list(range(7)))
    assert next(taken) == 0 and next(taken) == 1
    taken.close()  # a caller that stops early (a failed write): the worker is shut down, nothing hangs
    slices = parallel.split_rows(10, min_rows=2, most=2)
    assert [i for s in slices for i in range(s.start, s.stop)] == list(range(10)) and max(s.stop - s.start for s in slices) <= 2
    monkeypatch.setenv("MATCHER_WORKERS", "1")
    assert parallel.split_rows(10, min_rows=2) == [slice(0, 10)]
    monkeypatch.setenv("MATCHER_WORKERS", "2")
    monkeypatch.setattr(parallel, "_other_threads", lambda: True)  # a web server's threads: one process
    assert parallel.workers() == 1


def test_a_bulk_load_builds_the_indexes_after_the_rows_and_rolls_back_whole(store, monkeypatch):
    """Into an empty table, a large insert drops the secondary indexes and builds them again after its rows."""
    import sqlalchemy as sa

    from matcher.store.schema import names_t

    monkeypatch.setattr(rows, "_WIDE_FROM", 100)
    seen: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda conn, cur, stmt, *a: seen.append(stmt.split("(")[0].strip()))

    def indexes():
        with store.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'enterprise_names' ORDER BY name").fetchall()

    before = indexes()
    frame = pd.DataFrame({"norm_name": [f"n{i:04d}" for i in range(300)], "enterprise_id": [f"E{i % 7}" for i in range(300)], "name": "x"})
    with pytest.raises(RuntimeError), store.begin() as conn:
        rows.insert_frame(conn, names_t, frame)
        raise RuntimeError("the import fails after its rows")
    assert indexes() == before and store.read("enterprise_names").empty  # rolled back: rows gone, indexes back
    assert "DROP INDEX ix_enterprise_names_enterprise_id" in seen
    with store.begin() as conn:
        rows.insert_frame(conn, names_t, frame)
    assert indexes() == before and len(store.read("enterprise_names")) == 300
    with store.engine.connect() as conn:  # the rebuilt index holds every row
        assert conn.exec_driver_sql("SELECT count(*) FROM enterprise_names INDEXED BY ix_enterprise_names_enterprise_id WHERE enterprise_id = 'E3'").scalar_one() == 43
    seen.clear()
    with store.begin() as conn:  # into a table that has rows: the indexes stay
        rows.insert_frame(conn, names_t, frame.assign(norm_name=frame.norm_name + "b"))
    assert not any(s.startswith("DROP INDEX") for s in seen) and len(store.read("enterprise_names")) == 600


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("most_values", [999, 20], ids=["32-rows-a-statement", "wide-table-fewer-rows"])
def test_rows_bound_many_to_a_statement_are_the_rows_sqlalchemy_inserts(seed, most_values, monkeypatch):
    """The fast path (several rows per INSERT, in slices) stores the rows, NULLs and defaults SQLAlchemy's insert stores."""
    import sqlalchemy as sa

    monkeypatch.setattr(rows, "_SLICE", 97)  # slices, and in each a remainder of fewer rows than a statement takes
    monkeypatch.setattr(rows, "_MOST_VALUES", most_values)
    rng = np.random.default_rng(seed)
    meta = sa.MetaData()
    t = sa.Table(
        "t",
        meta,
        sa.Column("k", sa.String(20), primary_key=True),
        sa.Column("n", sa.Integer),
        sa.Column("x", sa.Float),
        sa.Column("s", sa.Text),
        sa.Column("d", sa.Text, nullable=False, default="默认"),
    )
    n = int(rng.integers(1, 400))
    frame = pd.DataFrame(
        {
            "k": [f"键{i:04d}" for i in rng.permutation(n)],
            "n": pd.Series(rng.integers(-5, 5, n), dtype="Int64").where(rng.random(n) > 0.2, pd.NA),
            "x": np.where(rng.random(n) > 0.2, rng.normal(size=n), np.nan),
            "s": pd.Series(rng.choice(["甲", "b", "", "丙丁"], n), dtype=object).where(rng.random(n) > 0.2, None),
        }
    )
    stored = {}
    for path in ("fast", "plain"):
        engine = sa.create_engine("sqlite://")
        meta.create_all(engine)
        with engine.begin() as conn:
            if path == "plain":
                monkeypatch.setattr(rows, "_plain", lambda *a: False)
            rows.insert_frame(conn, t, frame)
            stored[path] = conn.exec_driver_sql("SELECT k, n, x, s, d FROM t ORDER BY k").fetchall()
    assert len(stored["fast"]) == n and stored["fast"] == stored["plain"]
    assert {r[4] for r in stored["fast"]} == {"默认"}


def test_ids_taken_as_they_are_only_when_sorted_and_distinct():
    from matcher.featurise.universe import _sorted_distinct

    rng = np.random.default_rng(11)
    for _ in range(300):
        ids = [f"E{int(x)}" for x in rng.integers(0, 5, int(rng.integers(0, 6)))]
        want = sorted(set(ids))
        for form in (ids, np.array(ids, dtype=object), np.array(want, dtype=object), set(ids), pd.Series(ids, dtype=object)):
            assert _sorted_distinct(form) == want
    assert _sorted_distinct(np.array(["E1", 2], dtype=object)) == ["2", "E1"]  # not all text: made text, then sorted
