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
    with pytest.raises(StoreError, match="SQLite databases only"):
        pg.backup(tmp_path / "b.db")
