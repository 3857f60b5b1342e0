"""The library under the command line: issuing a week, list editions, the models folder, dates."""

from pathlib import Path

import pandas as pd
import pytest

from matcher._text import parse_date
from matcher.errors import MatcherError
from matcher.ingest.editions import split_editions
from matcher.ingest.lists import parse_list
from matcher.ingest.tables import read_table
from matcher.learn.persistence import models_folder
from matcher.plan.issue import issue_week, score_store
from matcher.report.weekly import write_weekly
from matcher.store.core import Store

from .conftest import write


@pytest.mark.usefixtures("english")
def test_issue_week_records_the_plan_and_refuses_other_inputs(config, tmp_path):
    from matcher.demo import import_default_data

    store = Store(tmp_path / "w.db")
    with pytest.raises(MatcherError, match="holds no enterprises"):
        issue_week(store, config, "2026-W10")
    import_default_data(store, config)
    wp = issue_week(store, config, "2026w10")
    assert wp.week == "2026-W10"
    assert wp.record["model_version"] == "rule"
    assert wp.record["snapshot_sha256"] == store.snapshot_hash()
    assert wp.record["config_sha256"] == config.sha256
    assert len(store.issued_leads()) == len(wp.plan) > 0
    # Files are the caller's step.
    assert not list(tmp_path.glob("plan.csv"))
    assert (tmp_path / "out" / "plan.csv") in write_weekly(wp, tmp_path / "out")
    # The same week with the same inputs again is fine; with other inputs only when forced.
    scores = score_store(store, config)
    assert issue_week(store, config, "2026-W10", scores=scores).plan.equals(wp.plan)
    visits = store.visits_frame().head(0)
    projects = store.projects_frame()
    other = wp.plan.head(1)[["enterprise_id"]].assign(visit_id="V1", date=pd.Timestamp("2026-02-23"), team_id=wp.plan.team_id.iloc[0])
    other = pd.concat([visits, other], ignore_index=True).fillna("")
    other["date"] = pd.to_datetime(other["date"])
    with pytest.raises(MatcherError, match="--force"):
        issue_week(store, config, "2026-W10", scores=scores, visits=other, projects=projects)
    forced = issue_week(store, config, "2026-W10", scores=scores, visits=other, projects=projects, force=True)
    assert forced.record["history_sha256"] != wp.record["history_sha256"]


def _entries(tmp_path, text):
    table = read_table(write(tmp_path / "list.csv", text))
    return parse_list(table), table


@pytest.mark.usefixtures("english")
def test_split_editions_of_a_panel_file(tmp_path):
    entries, table = _entries(tmp_path, "year,rank,name\n2023,1,A\n2024,1,B\n2024,2,C\n")
    parts = split_editions(entries, table)
    assert [(len(e), y) for e, y in parts] == [(1, 2023), (2, 2024)]
    [(only, year)] = split_editions(entries, table, 2024)
    assert year == 2024 and list(only.name) == ["B", "C"]
    with pytest.raises(MatcherError, match="no rows for year 2025; the file's year column has 2023, 2024"):
        split_editions(entries, table, 2025)
    gap = entries.assign(year=entries.year.where(entries.name != "C"))
    with pytest.raises(MatcherError, match=r"row 4: the year is empty"):
        split_editions(gap, table)


@pytest.mark.usefixtures("english")
def test_split_editions_of_a_single_year_file(tmp_path):
    entries, table = _entries(tmp_path, "rank,name\n1,A\n2,B\n")
    [(all_, year)] = split_editions(entries, table, 2024)
    assert year == 2024 and len(all_) == 2
    with pytest.raises(MatcherError, match="--year is required"):
        split_editions(entries, table)


def test_models_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MATCHER_DB", raising=False)
    assert models_folder() == tmp_path.resolve() / "models"
    assert models_folder("data/x.db") == tmp_path.resolve() / "data" / "models"
    assert models_folder(f"sqlite:///{tmp_path}/y/x.db") == tmp_path.resolve() / "y" / "models"
    assert models_folder("postgresql://host/db") == Path("models")
    assert models_folder("x.db", "elsewhere") == Path("elsewhere")
    monkeypatch.setenv("MATCHER_DB", "other/m.db")
    assert models_folder() == tmp_path.resolve() / "other" / "models"


@pytest.mark.usefixtures("english")
def test_parse_date():
    assert parse_date("2026-11-23") == parse_date(" 20261123 ") == "2026-11-23"
    with pytest.raises(MatcherError, match="invalid date 'someday'; expected a date such as 2026-11-23"):
        parse_date("someday")
