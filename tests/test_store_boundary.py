"""Validated at the store boundary: every writer fed a bad frame refuses it with one clear error and changes nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher.errors import MatcherError
from matcher.ingest.lists import parse_list, parse_profiles
from matcher.ingest.tables import read_table
from matcher.resolve.imports import import_lists, import_profiles
from matcher.store.core import Store

from .conftest import write

LIST = "排名,企业名称,所在地区,营业收入（万元）\n1,甲集团,浙江省,100\n2,乙集团,浙江省,90\n"


@pytest.fixture(scope="module")
def _filled_once(tmp_path_factory, config):
    """The filled database, built once per module (each test gets its own copy)."""
    from matcher.featurise.universe import build_universe
    from matcher.score.rule import RuleScorer
    from matcher.sim.history import simulate_history

    tmp_path = tmp_path_factory.mktemp("boundary")
    store = Store(tmp_path / "b.db")
    entries = parse_list(read_table(write(tmp_path / "l.csv", LIST)))
    import_lists(store, [(entries, 2026)], list_type="china_private_top500", source_name="l.csv", sha256="l")
    from matcher.demo import import_default_data

    import_default_data(store, config)
    u = build_universe(store, config)
    h = simulate_history(RuleScorer(config).fit(u).score(u), config, start="2026-01-05", weeks=6, seed=1)
    store.write_history(visits=h.visits, projects=h.projects, source_name="sim")
    return store, entries, h


@pytest.fixture
def filled(_filled_once, tmp_path):
    """A copy of the filled database (SQLite's backup), its list entries and simulated history."""
    store, entries, h = _filled_once
    return Store(store.backup(tmp_path / "b.db")), entries.copy(), h


def _bad_lists(entries):
    return {
        "empty name": (entries.assign(name=["", "乙集团"]), 2026),
        "missing name": (entries.assign(name=[None, "乙集团"]), 2026),
        "rank not a number": (entries.assign(rank=pd.array(["x", "2"], dtype=object)), 2026),
        "rank below 1": (entries.assign(rank=[0, 2]), 2026),
        "revenue infinite": (entries.assign(revenue=[np.inf, 1.0]), 2026),
        "revenue 400 digits": (entries.assign(revenue=pd.array(["9" * 400, "1"], dtype=object)), 2026),
        "row twice": (entries.assign(source_row=[2, 2]), 2026),
        "no name column": (entries.drop(columns=["name"]), 2026),
        "typo year": (entries, 2206),
    }


@pytest.mark.parametrize("case", list(_bad_lists(pd.DataFrame({"name": ["a", "b"]})).keys()))
@pytest.mark.usefixtures("english")
def test_a_bad_list_frame_is_refused_and_nothing_changes(filled, case):
    store, entries, _ = filled
    frame, year = _bad_lists(entries)[case]
    before = store.snapshot_hash(), store.counts()
    with pytest.raises(MatcherError, match="nothing was written"):
        import_lists(store, [(entries, 2025), (frame, year)], list_type="china_private_top500", source_name="bad.csv", sha256=case)
    assert (store.snapshot_hash(), store.counts()) == before  # the good first year was rolled back too


def test_bad_profiles_decisions_and_parent_links_are_refused_and_nothing_changes(filled, tmp_path):
    store, _, _ = filled
    profiles = parse_profiles(read_table(write(tmp_path / "p.csv", "企业名称,主营业务\n丙集团,钢铁\n丁集团,化工\n")))
    ids = store.enterprise_frame().enterprise_id.tolist()
    bad = {
        "profile without a name": lambda: import_profiles(store, profiles.assign(name=["", "丁集团"]), source_name="p.csv", sha256="p"),
        "decision not same/different": lambda: store.record_decisions(
            pd.DataFrame({"left_id": [ids[0]], "right_id": [ids[1]], "decision": ["maybe"], "source": ["t"]})
        ),
        "decision on one enterprise": lambda: store.record_decisions(
            pd.DataFrame({"left_id": [ids[0]], "right_id": [ids[0]], "decision": ["same"], "source": ["t"]})
        ),
        "parent unknown": lambda: store.set_parents(pd.DataFrame({"enterprise_id": [ids[0]], "parent_id": ["ENOSUCHID00"]}), source="t"),
        "own parent": lambda: store.set_parents(pd.DataFrame({"enterprise_id": [ids[0]], "parent_id": [ids[0]]}), source="t"),
        "merge into itself": lambda: store.merge(ids[0], ids[0], "t"),
        "merge of an unknown id": lambda: store.merge(ids[0], "ENOSUCHID00", "t"),
        "remove an unknown import": lambda: store.remove_import(999),
    }
    for case, call in bad.items():
        before = store.snapshot_hash(), store.counts()
        with pytest.raises(MatcherError):
            call()
        assert (store.snapshot_hash(), store.counts()) == before, case


def test_bad_visits_and_projects_are_refused_and_nothing_changes(filled):
    store, _, h = filled
    v, p = h.visits.head(5), h.projects.head(5)
    bad = {
        "unknown lead level": {"visits": v.assign(lead_level="部长级以上的以上")},
        "unknown visit kind": {"visits": v.assign(kind="teleport")},
        "visit without a date": {"visits": v.assign(date=pd.NaT)},
        "unknown project stage": {"projects": p.assign(stage="almost")},
        "negative amount": {"projects": p.assign(amount_yuan=-1.0)},
    }
    for case, frames in bad.items():
        before = store.snapshot_hash(), store.counts()
        with pytest.raises(MatcherError):
            store.write_history(source_name="bad", **frames)
        assert (store.snapshot_hash(), store.counts()) == before, case
