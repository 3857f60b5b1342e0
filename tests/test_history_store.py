"""The history in the database: schema migrations, round trips, idempotent writes, backup."""

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

import matcher.store.history as history
import matcher.store.schema as st
from matcher.columns import PROJECT_COLUMNS, VISIT_COLUMNS
from matcher.errors import StoreError
from matcher.store.core import Store
from matcher.store.schema import SCHEMA_VERSION

V1_DUMP = Path(__file__).parent / "data" / "matcher_v1.sql"


def _v1_db(path: Path) -> Path:
    """A database exactly as matcher 0.1.0 (schema version 1) left it, lists imported."""
    con = sqlite3.connect(path)
    con.executescript(V1_DUMP.read_text(encoding="utf-8"))
    con.close()
    return path


def _tables(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    finally:
        con.close()


def test_version_1_database_is_upgraded_in_place(tmp_path):
    path = _v1_db(tmp_path / "old.db")
    assert "visits" not in _tables(path)
    s = Store(path)
    assert s.schema_version == SCHEMA_VERSION == 7
    assert {
        "visits",
        "projects",
        "stage_changes",
        "stationed",
        "merge_rows",
        "review_decisions",
        "parents",
        "issued_plans",
        "plan_leads",
    } <= _tables(path)
    # The old data is intact and readable by the new code.
    assert sorted(s.enterprise_frame().name) == ["京东集团", "恒力集团有限公司"]
    assert s.visits_frame().empty and s.projects_frame().empty
    s.write_history(visits=_visits())
    assert len(s.visits_frame()) == 2
    # Opening again does nothing more.
    assert Store(path).schema_version == SCHEMA_VERSION


def test_failed_migration_leaves_version_1_database_untouched(tmp_path, monkeypatch):
    path = _v1_db(tmp_path / "old.db")
    before = _tables(path)

    def broken(conn):
        st.visits_t.create(conn)
        st.projects_t.create(conn)
        raise sa.exc.OperationalError("create table", {}, Exception("disk I/O error"))

    monkeypatch.setitem(st.MIGRATIONS, 1, broken)
    with pytest.raises(StoreError, match="disk I/O error"):
        Store(path)
    assert _tables(path) == before  # the tables created before the failure were rolled back
    con = sqlite3.connect(path)
    assert con.execute("select value from meta where key='schema_version'").fetchone() == ("1",)
    con.close()
    monkeypatch.undo()
    assert Store(path).schema_version == SCHEMA_VERSION


def test_every_version_has_a_migration():
    assert sorted(st.MIGRATIONS) == list(range(1, SCHEMA_VERSION))


def _visits() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "visit_id": ["V1", "V2"],
            "date": pd.to_datetime(["2026-03-02", "2026-03-05"]).astype("datetime64[ns]"),
            "team_id": ["qinzhou-gba", "liuzhou-gba"],
            "city": ["qinzhou", "liuzhou"],
            "enterprise_id": ["E1", "E2"],
            "kind": ["visit", "forum"],
            "lead_level": ["city_number_one", "team_member"],
            "outcome": ["有意向", ""],
            "next_step": ["洽谈", ""],
        }
    )


def _projects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_id": ["P1", "P2"],
            "enterprise_id": ["E1", "E2"],
            "city": ["qinzhou", "liuzhou"],
            "county_park": ["钦州港经济技术开发区", ""],
            "chain": ["chemicals", "automotive"],
            "link": ["", ""],
            "amount_yuan": [1.5e9, float("nan")],
            "amount_estimated": [False, True],
            "arrived_yuan": [2e8, 0.0],
            "stage": ["signed", "dropped"],
            "stage_date": pd.to_datetime(["2026-05-01", "2026-04-01"]).astype("datetime64[ns]"),
            "signed_date": pd.to_datetime(["2026-05-01", None]).astype("datetime64[ns]"),
            "source_team": ["qinzhou-gba", "liuzhou-gba"],
            "dropped_reason": ["", "企业战略调整"],
        }
    )


def _changes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_id": ["P1", "P1", "P2", "P2"],
            "stage": ["visited", "signed", "visited", "dropped"],
            "date": pd.to_datetime(["2026-03-02", "2026-05-01", "2026-03-05", "2026-04-01"]).astype("datetime64[ns]"),
        }
    )


def test_history_round_trips_in_the_shared_shape(store):
    stationed = pd.DataFrame({"chain": ["automotive"], "quarter": ["2026Q1"], "team_id": [""], "days": [16]})
    r = store.write_history(visits=_visits(), projects=_projects(), stage_changes=_changes(), stationed=stationed)
    assert r["visits"]["new"] == 2 and r["projects"]["new"] == 2
    v = store.visits_frame()
    assert list(v.columns) == list(VISIT_COLUMNS)
    assert v.date.dtype == "datetime64[ns]"
    pd.testing.assert_frame_equal(v, _visits())
    p = store.projects_frame()
    assert list(p.columns) == list(PROJECT_COLUMNS)
    pd.testing.assert_frame_equal(p, _projects())
    pd.testing.assert_frame_equal(store.stage_changes_frame(), _changes())
    pd.testing.assert_frame_equal(store.stationed_frame(), stationed)


def test_writing_the_same_history_twice_changes_nothing_and_a_change_replaces(store):
    store.write_history(visits=_visits(), projects=_projects(), stage_changes=_changes())
    counts = store.counts()
    r = store.write_history(visits=_visits(), projects=_projects(), stage_changes=_changes())
    assert r["visits"] == {"new": 0, "updated": 0, "unchanged": 2}
    assert r["projects"] == {"new": 0, "updated": 0, "unchanged": 2}
    assert store.counts() == counts
    p = _projects()
    p.loc[0, "arrived_yuan"] = 5e8
    r = store.write_history(projects=p)
    assert r["projects"] == {"new": 0, "updated": 1, "unchanged": 1}
    assert store.projects_frame().arrived_yuan.tolist()[0] == 5e8


def test_failed_history_write_rolls_back(store, monkeypatch):
    store.write_history(visits=_visits())
    before = store.counts()
    real = history.insert_frame

    def failing(conn, table, frame):
        if table is st.projects_t:
            raise RuntimeError("disk full")
        return real(conn, table, frame)

    monkeypatch.setattr(history, "insert_frame", failing)
    v = _visits().assign(visit_id=["V3", "V4"])
    with pytest.raises(RuntimeError):
        store.write_history(visits=v, projects=_projects())
    assert store.counts() == before


@pytest.mark.usefixtures("english")
def test_backup_copies_everything(store, tmp_path):
    store.write_history(visits=_visits(), projects=_projects(), stage_changes=_changes())
    out = store.backup(tmp_path / "copy.db")
    copy = Store(out)
    pd.testing.assert_frame_equal(copy.visits_frame(), store.visits_frame())
    assert copy.counts() == store.counts()
    with pytest.raises(StoreError, match="exists already"):
        store.backup(out)


@pytest.mark.parametrize("seed", range(4))
def test_upsert_counts_match_a_plain_recount_on_random_changes(store, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    n = 60
    base = pd.DataFrame(
        {
            "visit_id": [f"V{i:03d}" for i in range(n)],
            "date": pd.Timestamp("2026-01-05") + pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
            "team_id": rng.choice(["qinzhou-gba", "liuzhou-gba"], n),
            "city": "qinzhou",
            "enterprise_id": [f"E{i}" for i in rng.integers(0, 20, n)],
            "kind": rng.choice(["visit", "forum"], n),
            "lead_level": rng.choice(["team_member", "city_leader"], n),
            "outcome": rng.choice(["", "有意向"], n),
            "next_step": "",
        }
    )
    store.write_history(visits=base)
    second = base.sample(frac=0.7, random_state=seed).copy()
    changed = rng.random(len(second)) < 0.3
    second.loc[changed, "outcome"] = second.loc[changed, "outcome"] + "（更新）"
    extra = base.iloc[:5].assign(visit_id=[f"N{i}" for i in range(5)])
    second = pd.concat([second, extra])
    r = store.write_history(visits=second)
    # The plain recount: a row is new if its id was never stored, updated if any field differs.
    stored = {rec["visit_id"]: rec for rec in base.to_dict("records")}
    new = sum(1 for rec in second.to_dict("records") if rec["visit_id"] not in stored)
    upd = sum(1 for rec in second.to_dict("records") if rec["visit_id"] in stored and rec != stored[rec["visit_id"]])
    assert r["visits"] == {"new": new, "updated": upd, "unchanged": len(second) - new - upd}
    expected = pd.concat([base[~base.visit_id.isin(second.visit_id)], second]).sort_values(["date", "visit_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(store.visits_frame(), expected[list(VISIT_COLUMNS)].astype({"date": "datetime64[ns]"}))


@pytest.mark.parametrize(
    "frames, message",
    [
        ({"visits": _visits().assign(lead_level=["city_number_one", "king"])}, "unknown lead_level 'king'"),
        ({"visits": _visits().assign(kind=["visit", "party"])}, "unknown kind 'party'"),
        ({"projects": _projects().assign(stage=["signed", "nearly"])}, "unknown stage 'nearly'"),
        ({"visits": _visits().drop(columns="team_id")}, "missing columns"),
    ],
)
@pytest.mark.usefixtures("english")
def test_the_store_refuses_invalid_history_and_writes_nothing(store, frames, message):
    from matcher.errors import MatcherError

    before = store.counts()
    with pytest.raises(MatcherError, match=message):
        store.write_history(**frames, source_name="bad.xlsx")
    assert store.counts() == before
    store.visits_frame()  # later reads still work
