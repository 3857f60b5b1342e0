"""The same history and scorecard on PostgreSQL (runs where MATCHER_TEST_PG_URL names a server, skipped elsewhere).

Example: ``MATCHER_TEST_PG_URL=postgresql+psycopg://user:pass@localhost/matcher_test`` (install ``.[postgres]``).
The test drops and recreates matcher's tables in that database.
"""

import os

import pandas as pd
import pytest

from matcher.demo import import_default_data
from matcher.errors import StoreError
from matcher.featurise.universe import build_universe
from matcher.report.scorecard import compute_scorecard
from matcher.score.rule import RuleScorer
from matcher.sim.history import simulate_history
from matcher.store.core import Store
from matcher.store.schema import SCHEMA_VERSION, metadata

URL = os.environ.get("MATCHER_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not URL, reason="set MATCHER_TEST_PG_URL to run against a PostgreSQL server")


def _fill(store, config):
    import_default_data(store, config)
    universe = build_universe(store, config)
    scores = RuleScorer(config).fit(universe).score(universe)
    h = simulate_history(scores, config, start="2025-11-24", weeks=30, seed=3)
    store.write_history(visits=h.visits, projects=h.projects, stage_changes=h.stage_changes, stationed=h.stationed, source_name="sim")
    return h


def test_scorecard_on_postgres_equals_sqlite(tmp_path, config):
    import sqlalchemy as sa

    engine = sa.create_engine(URL)
    with engine.begin() as conn:
        metadata.drop_all(conn)
    engine.dispose()
    pg = Store(URL)
    assert pg.engine.dialect.name == "postgresql" and pg.schema_version == SCHEMA_VERSION
    _fill(pg, config)
    lite = Store(tmp_path / "l.db")
    _fill(lite, config)
    pd.testing.assert_frame_equal(pg.visits_frame(extra=True), lite.visits_frame(extra=True))
    pd.testing.assert_frame_equal(pg.projects_frame(extra=True), lite.projects_frame(extra=True))
    a = compute_scorecard(pg, config, year=2026, as_of="2026-06-10")
    b = compute_scorecard(lite, config, year=2026, as_of="2026-06-10")
    for name in ("tiers", "money", "cities", "cadence", "funnel", "conversion"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    # Writing the same history again changes nothing there either.
    before = pg.counts()
    h = simulate_history(RuleScorer(config).fit(u := build_universe(pg, config)).score(u), config, start="2025-11-24", weeks=30, seed=3)
    r = pg.write_history(visits=h.visits, projects=h.projects)
    assert r["visits"]["new"] == 0 and r["projects"]["updated"] == 0
    assert pg.counts() == before
    with pytest.raises(StoreError, match="SQLite"):
        pg.backup(tmp_path / "b.db")


def _empty_pg():
    import sqlalchemy as sa

    engine = sa.create_engine(URL)
    with engine.begin() as conn:
        metadata.drop_all(conn)
    engine.dispose()


def _files(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".csv", ".json", ".md")
    }


def test_commands_on_postgres_write_what_they_write_on_sqlite(tmp_path, real, config):
    """import-list, import-profiles, resolve, imports remove, targets, weekly and kpi: the same files from both databases."""
    from .test_cli import run

    _empty_pg()
    lite = tmp_path / "l.db"
    steps = [
        ("import-list", real / "acfic_private_top500_2026.csv", "--type", "china_private_top500", "--year", "2026"),
        ("import-list", real / "fortune_global_500_2019.csv", "--type", "fortune_global_500", "--year", "2019"),
        ("import-list", real / "fortune_global_500_2024.csv", "--type", "fortune_global_500", "--year", "2024"),
        ("import-list", real / "unicorn_companies_cbinsights_2022.csv", "--type", "unicorn", "--year", "2022"),
        ("import-profiles", real / "acfic_private_top500_2026_profiles.csv"),
        ("resolve",),
        ("imports", "remove", "3", "--yes"),
    ]
    outs = {}
    for name, db in (("pg", URL), ("lite", lite)):
        out = tmp_path / name
        out.mkdir()
        for step in steps:
            r = run(*step, db=db)
            assert r.exit_code == 0, (name, step, r.output)
        assert run("targets", "--city", "钦州市", "--top", "100", "--out", out / "qinzhou.csv", db=db).exit_code == 0
        assert run("targets", "--chain", "汽车", "--top", "100", "--out", out / "auto.csv", db=db).exit_code == 0
        r = run("weekly", "--week", "2026-W49", "--out", out / "weekly", db=db)
        assert r.exit_code == 0, r.output
        store = Store(db)
        u = build_universe(store, config)
        h = simulate_history(RuleScorer(config).fit(u).score(u), config, start="2025-11-24", weeks=30, seed=3)
        store.write_history(visits=h.visits, projects=h.projects, stage_changes=h.stage_changes, stationed=h.stationed, source_name="sim")
        store.engine.dispose()
        assert run("kpi", "--year", "2026", "--as-of", "2026-06-10", "--out", out / "kpi", db=db).exit_code == 0
        outs[name] = _files(out)
    assert set(outs["pg"]) == set(outs["lite"]) and len(outs["pg"]) >= 5
    for f in outs["pg"]:
        assert outs["pg"][f] == outs["lite"][f], f


def test_two_concurrent_imports_on_postgres_both_land(tmp_path, real):
    """Fortune 2019 and 2024 share some 400 enterprises: imported at once, both land, as one after the other."""
    import subprocess
    import sys

    _empty_pg()
    cmd = [sys.executable, "-m", "matcher", "--db", URL, "import-list"]
    files = (("fortune_global_500_2019.csv", "2019"), ("fortune_global_500_2024.csv", "2024"))
    procs = [
        subprocess.Popen(
            [*cmd, str(real / f), "--type", "fortune_global_500", "--year", y], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for f, y in files
    ]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, results):
        assert p.returncode == 0 and "Traceback" not in err, err
    pg = Store(URL)
    assert sorted(pg.imports().entries) == [500, 500]
    lite = Store(tmp_path / "l.db")
    for f, y in files:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "matcher",
                "--db",
                str(tmp_path / "l.db"),
                "import-list",
                str(real / f),
                "--type",
                "fortune_global_500",
                "--year",
                y,
            ],
            check=True,
            capture_output=True,
        )
    assert len(pg.enterprise_frame()) == len(lite.enterprise_frame())
    pg.engine.dispose()
