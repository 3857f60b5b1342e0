"""One way to write: every writer takes the store's transaction entry; a second writer waits, never fails half-way."""

import ast
import re
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy import event

import matcher.store.engine as store_engine
from matcher.errors import StoreError
from matcher.ingest.lists import parse_list, parse_profiles
from matcher.ingest.tables import read_table
from matcher.resolve.imports import import_list, import_lists, import_profiles
from matcher.resolve.records import apply_review, resolve_store
from matcher.store.core import Store

from .conftest import write
from .test_history_store import _changes, _projects, _visits

PACKAGE = Path(__file__).resolve().parent.parent / "matcher"
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|REPLACE)\b", re.IGNORECASE)

FORTUNE = "rank,company,country,city\n1,JD.com,China,Beijing\n2,Hengli Group,China,Suzhou\n3,Zhejiang Hengyi Group,China,Hangzhou\n"
PRIVATE = "排名,企业名称,所在地区\n1,京东集团,北京市\n3,恒力集团有限公司,江苏省\n12,浙江恒逸集团有限公司,浙江省\n5,比亚迪股份有限公司,广东省\n"
PROFILES = "企业名称,英文名称,总部\n比亚迪股份有限公司,BYD,深圳市\n"


def _sources() -> dict[str, str]:
    return {str(p.relative_to(PACKAGE)): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}


def test_only_the_engine_module_opens_a_transaction_on_an_engine():
    found = {
        name: hits
        for name, text in _sources().items()
        if name != "store/engine.py" and (hits := re.findall(r"engine\s*\)?\s*\.\s*(?:begin|execution_options)\s*\(", text))
    }
    assert found == {}


def test_the_store_never_imports_resolution_or_later_layers():
    later = ("resolve", "featurise", "score", "plan", "learn", "sim", "report", "demo", "cli")
    bad = []
    for path in (PACKAGE / "store").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                mods = [("." * node.level) + (node.module or "")]
            elif isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            else:
                continue
            for mod in mods:
                parts = mod.lstrip(".").split(".")
                top = parts[1] if parts[0] == "matcher" and len(parts) > 1 else parts[0]
                if (mod.startswith("..") or mod.startswith("matcher.")) and top in later:
                    bad.append((path.name, mod))
    assert bad == []


def test_resolution_uses_no_private_name_of_the_store():
    text = (PACKAGE / "resolve" / "records.py").read_text(encoding="utf-8") + (PACKAGE / "resolve" / "imports.py").read_text(encoding="utf-8")
    assert re.findall(r"store\._\w+", text) == []
    assert "store.core import" not in text.replace("store.core import Store", "")


@pytest.fixture
def watched(tmp_path):
    """A store whose every write statement is checked to run inside the write entry (BEGIN IMMEDIATE)."""
    outside: list[str] = []

    def check(conn, cursor, statement, parameters, context, executemany):
        if WRITE.match(statement) and not (conn.in_transaction() and conn.get_execution_options().get("sqlite_begin") == "BEGIN IMMEDIATE"):
            outside.append(statement.split("\n")[0][:80])

    event.listen(sa.engine.Engine, "before_cursor_execute", check)
    try:
        yield Store(tmp_path / "w.db"), outside
    finally:
        event.remove(sa.engine.Engine, "before_cursor_execute", check)


def test_every_writer_goes_through_the_write_entry(watched, tmp_path):
    store, outside = watched
    t = read_table(write(tmp_path / "f.csv", FORTUNE))
    import_lists(store, [(parse_list(t), 2019)], list_type="fortune_global_500", source_name="f.csv", sha256=t.sha256)
    t = read_table(write(tmp_path / "p.csv", PRIVATE))
    assert import_list(store, parse_list(t), list_type="china_private_top500", year=2026, source_name="p.csv", sha256=t.sha256).merged >= 1
    t = read_table(write(tmp_path / "prof.csv", PROFILES))
    import_profiles(store, parse_profiles(t), source_name="prof.csv", sha256=t.sha256)
    resolve_store(store)
    merges = store.read("merges")
    store.undo_merge(int(merges.merge_id.iloc[0]), reason="test")
    live = store.read("enterprises").query("merged_into.isna()").enterprise_id.tolist()
    store.merge(live[0], live[1], "test")
    review = write(tmp_path / "r.csv", f"left_id,right_id,decision\n{live[0]},{live[2]},different\n")
    apply_review(store, review)
    store.record_decisions(pd.DataFrame({"left_id": [live[3]], "right_id": [live[2]], "decision": ["same"], "source": ["t"]}))
    store.set_parents(pd.DataFrame({"enterprise_id": [live[2]], "parent_id": [live[3]]}), source="t")
    store.write_history(visits=_visits(), projects=_projects(), stage_changes=_changes(), source_name="h")
    leads = pd.DataFrame(
        {
            "team_id": ["qinzhou-gba"],
            "rank": [1],
            "enterprise_id": [live[0]],
            "score": [0.5],
            "rule_score": [0.5],
            "carryover_bonus": [0.0],
            "quota_boost": [0.0],
            "diversity_penalty": [0.0],
            "reason": ["r"],
        }
    )
    record = {"week": "2026-W10", "config_sha256": "c", "snapshot_sha256": "s", "model_version": "m", "history_sha256": "h", "settings": "{}"}
    assert store.record_plan(record, leads) == "recorded"
    assert store.counts()["merge_undos"] == 1 and store.counts()["plan_leads"] == 1
    assert outside == []


def _hold_lock(store: Store, locked: threading.Event, seconds: float, released: list[float]) -> None:
    with store.begin() as conn:
        conn.execute(sa.text("update meta set value = value where key = 'schema_version'"))
        locked.set()
        time.sleep(seconds)
        released.append(time.monotonic())


def _history(store, tmp_path):
    return store.write_history(visits=_visits())


def _import(store, tmp_path):
    t = read_table(write(tmp_path / "p.csv", PRIVATE))
    return import_list(store, parse_list(t), list_type="china_private_top500", year=2026, source_name="p.csv", sha256=t.sha256)


def _parents(store, tmp_path):
    a, b = store.read("enterprises").enterprise_id.iloc[:2]  # imported before the lock was taken
    return store.set_parents(pd.DataFrame({"enterprise_id": [a], "parent_id": [b]}), source="t")


@pytest.mark.parametrize("writer", [_history, _import, _parents], ids=["history", "import", "parents"])
def test_a_second_writer_waits_for_the_first_and_completes(tmp_path, writer):
    first, second = Store(tmp_path / "t.db"), Store(tmp_path / "t.db")  # two users, two connections
    if writer is _parents:
        _import(first, tmp_path)
    locked, released, errors = threading.Event(), [], []
    holder = threading.Thread(target=_hold_lock, args=(first, locked, 1.0, released))
    holder.start()
    assert locked.wait(10)
    t0 = time.monotonic()
    try:
        writer(second, tmp_path)
    except Exception as exc:  # reported below
        errors.append(exc)
    done = time.monotonic()
    holder.join()
    assert errors == []
    assert released and done >= released[0] and done - t0 >= 0.5  # it waited for the first to commit
    assert second.counts() == Store(tmp_path / "t.db").counts()


@pytest.mark.usefixtures("english")
def test_a_writer_that_never_gets_the_lock_gets_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(store_engine, "BUSY_RETRIES", 1)
    first, second = Store(tmp_path / "t.db"), Store(tmp_path / "t.db")
    locked, released = threading.Event(), []
    holder = threading.Thread(target=_hold_lock, args=(first, locked, 2.0, released))
    holder.start()
    try:
        assert locked.wait(10)
        with pytest.raises(StoreError, match="is busy"):
            second.write_history(visits=_visits())
    finally:
        holder.join()
    assert second.visits_frame().empty  # nothing half-written
