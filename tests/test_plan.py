"""The weekly planner on the embedded default data with a simulated (synthetic) year of history."""

import hashlib
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from matcher._text import parse_week
from matcher.columns import PREVIOUS_COLUMNS, PROJECT_COLUMNS, SIGNED_STAGES, VISIT_COLUMNS
from matcher.demo import import_default_data
from matcher.errors import InputError, MatcherError, StoreError
from matcher.featurise.universe import build_universe
from matcher.ingest.history_files import read_history
from matcher.plan.values import team_values
from matcher.plan.week import plan_week
from matcher.report.weekly import write_weekly
from matcher.score.rule import RuleScorer
from matcher.sim.history import simulate_history
from matcher.sim.universe import synthetic_universe
from matcher.sim.weeks import simulate_weeks
from matcher.store.core import Store

from .exports import read_csv

WEEK = "2026-W10"


@pytest.fixture(scope="module")
def world(config, tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("plan") / "t.db")
    import_default_data(store, config)
    u = build_universe(store, config)
    s = RuleScorer(config).fit(u).score(u)
    # A synthetic year of team work up to the planned week (seeded).
    h = simulate_history(s, config, start="2025-03-03", weeks=53, seed=7)
    assert h.visits.synthetic.all()
    return s, h


@pytest.fixture(scope="module")
def syn_world(config):
    """A larger synthetic universe (seeded, labelled synthetic) with a synthetic year of history."""
    u = synthetic_universe(3000, config, seed=11)
    s = RuleScorer(config).fit(u).score(u)
    h = simulate_history(s, config, start="2025-10-06", weeks=22, seed=3)
    return s, h


@pytest.fixture(scope="module")
def week_plan(config, world):
    s, h = world
    return plan_week(s, config, WEEK, visits=h.visits, projects=h.projects, previous=h.leads)


def test_one_team_per_enterprise_and_capacity(config, week_plan):
    p = week_plan.plan
    # The default universe is small: a year of visits cools down most of it.
    assert len(p) >= 10
    assert not p.duplicated("enterprise_id").any()
    cap = {t.id: t.weekly_capacity for t in config.teams}
    assert (p.groupby("team_id").size() <= p.groupby("team_id").size().index.map(cap)).all()
    ranks = p.groupby("team_id")["rank"].apply(lambda r: list(r) == list(range(1, len(r) + 1)))
    assert ranks.all()


def test_no_lead_inside_its_cooldown(config, world, week_plan):
    _, h = world
    monday = pd.Timestamp(parse_week(WEEK)[1])
    cw = config.planner.cooldown_weeks
    recent = h.visits[(h.visits.date < monday) & (h.visits.date >= monday - pd.Timedelta(weeks=cw))]
    assert len(recent) > 0
    hit = week_plan.plan.merge(recent[["enterprise_id", "date"]], on="enterprise_id")
    if len(hit):
        # Only where the project with the team's city moved stage after the last visit.
        city = {t.id: t.home_city for t in config.teams}
        hit["city"] = hit.team_id.map(city)
        moved = hit.merge(h.projects[["enterprise_id", "city", "stage_date"]], on=["enterprise_id", "city"], how="left")
        last = recent.groupby("enterprise_id").date.max()
        assert (moved.stage_date > moved.enterprise_id.map(last)).all()


def test_cooldown_is_a_rule_not_an_accident(config, world):
    s, _ = world
    free = plan_week(s, config, WEEK)
    lead = free.plan.iloc[0]
    monday = parse_week(WEEK)[1]
    visit = pd.DataFrame(
        [["V1", pd.Timestamp(monday) - pd.Timedelta(days=10), lead.team_id, "x", lead.enterprise_id, "visit", "team_member", "", ""]],
        columns=list(VISIT_COLUMNS),
    )
    cooled = plan_week(s, config, WEEK, visits=visit)
    assert lead.enterprise_id not in set(cooled.plan.enterprise_id)
    old = visit.assign(date=pd.Timestamp(monday) - pd.Timedelta(weeks=config.planner.cooldown_weeks + 1))
    assert lead.enterprise_id in set(plan_week(s, config, WEEK, visits=old).plan.enterprise_id)
    # A project that moved stage after the visit lifts the cooldown for that city.
    team = config.team(lead.team_id)
    proj = pd.DataFrame(
        [
            [
                "P1",
                lead.enterprise_id,
                team.home_city,
                "",
                "",
                "",
                1e8,
                True,
                0.0,
                "negotiating",
                pd.Timestamp(monday) - pd.Timedelta(days=2),
                pd.NaT,
                "",
                "",
            ]
        ],
        columns=list(PROJECT_COLUMNS),
    )
    moved = plan_week(s, config, WEEK, visits=visit, projects=proj)
    assert lead.enterprise_id in set(moved.plan[moved.plan.home_city == config.city(team.home_city).name_zh].enterprise_id)


def test_signed_projects_are_aftercare(config, world, week_plan):
    _, h = world
    monday = pd.Timestamp(parse_week(WEEK)[1])
    signed = h.projects[h.projects.stage.isin(SIGNED_STAGES) & (h.projects.stage_date < monday)]
    assert len(signed) > 0
    city = {t.id: t.home_city for t in config.teams}
    p = week_plan.plan.assign(city=week_plan.plan.team_id.map(city))
    assert p.merge(signed[["enterprise_id", "city"]], on=["enterprise_id", "city"]).empty
    assert len(week_plan.aftercare) == len(signed)


def test_carry_over_decays_and_rests(config, world):
    s, _ = world
    first = plan_week(s, config, "2026-W10")
    lead = first.plan.iloc[0]
    prev = first.plan[list(PREVIOUS_COLUMNS)]
    second = plan_week(s, config, "2026-W11", previous=prev)
    row = second.plan[(second.plan.team_id == lead.team_id) & (second.plan.enterprise_id == lead.enterprise_id)]
    assert len(row) == 1 and row.carryover_bonus.iloc[0] == pytest.approx(config.planner.carryover_bonus)
    assert "carried over" in second.plan.reason_en[row.index[0]] and "延续加分" in second.plan.reason[row.index[0]]
    prev2 = pd.concat([prev, second.plan[list(PREVIOUS_COLUMNS)]])
    third = plan_week(s, config, "2026-W12", previous=prev2)
    row = third.plan[(third.plan.team_id == lead.team_id) & (third.plan.enterprise_id == lead.enterprise_id)]
    decayed = config.planner.carryover_bonus * config.planner.carryover_decay
    assert row.empty or row.carryover_bonus.iloc[0] == pytest.approx(decayed)
    # Proposed carryover_max_weeks times without a visit: it rests.
    many = pd.concat([prev.assign(week=w) for w in ("2026-W09", "2026-W10", "2026-W11")])
    rested = plan_week(s, config, "2026-W12", previous=many)
    assert not ((rested.plan.team_id == lead.team_id) & (rested.plan.enterprise_id == lead.enterprise_id)).any()
    # A visit ends the carry-over.
    visit = pd.DataFrame(
        [["V1", pd.Timestamp("2026-03-04"), lead.team_id, "x", lead.enterprise_id, "visit", "team_member", "", ""]],
        columns=list(VISIT_COLUMNS),
    )
    after = plan_week(s, config, "2026-W11", previous=prev, visits=visit)
    assert (after.plan.carryover_bonus[after.plan.enterprise_id == lead.enterprise_id] == 0).all()


def test_quota_pace_boosts_tiers_behind(config, world, week_plan):
    s, _ = world
    # No project signed by mid-year: every target is behind, fully.
    p = plan_week(s, config, "2026-W27")
    q = p.quota.set_index("unit")
    assert (q.signed == 0).all() and (q.behind == 1).all()
    assert np.allclose(q.boost, config.planner.quota_boost)
    tiered = p.plan[p.plan.quota_boost > 0]
    assert len(tiered) > 0 and tiered.reason_en.str.contains("behind pace").all() and tiered.reason.str.contains("进度落后").all()
    # In the second week of a year not one Fortune 500 project is due yet; 1.1 of the 100 leaders are.
    q0 = plan_week(s, config, "2026-W02").quota.set_index("unit")
    assert q0.boost["fortune_global_500"] == 0 and q0.boost["leaders"] > 0
    # Quota pace per tier and per city is in the office's view.
    assert set(week_plan.quota.unit) == {
        "fortune_global_500",
        "china_top500",
        "china_manufacturing_top500",
        "china_private_top500",
        "leaders",
    }
    assert len(week_plan.quota_city) == len(config.cities)


def test_diversity_mixes_chains(config, syn_world):
    s, _ = syn_world
    off = plan_week(s, replace(config, planner=replace(config.planner, diversity_lambda=0.0)), WEEK)
    on = plan_week(s, replace(config, planner=replace(config.planner, diversity_lambda=0.3)), WEEK)
    per = lambda p: p.groupby("team_id").chain.nunique().sum()  # noqa: E731
    assert per(on.plan) > per(off.plan)
    assert (off.plan.diversity_penalty == 0).all()
    assert not on.plan.duplicated("enterprise_id").any()
    # Score parts add up.
    p = on.plan
    assert np.allclose(p.score, p.rule_score + p.carryover_bonus + p.quota_boost - p.diversity_penalty, atol=1e-3)


def test_contested_enterprises_name_other_cities(config, world):
    s, _ = world
    wp = plan_week(s, config, WEEK)
    c = wp.contested
    assert len(c) > 0
    assert (c.interested_cities != "").all() and c.proposal.str.contains("joint visit").all()
    rows = wp.plan[wp.plan.contested]
    assert rows.reason_en.str.contains("optimal assignment").all()


def test_optimal_total_not_below_greedy(week_plan):
    assert week_plan.totals["optimal"] >= week_plan.totals["greedy"] - 1e-9


def test_pitch_and_team_list_columns(week_plan):
    lst = next(iter(week_plan.per_team.values()))
    for col in (
        "rank",
        "name",
        "tiers",
        "hq_city",
        "plan_score",
        "c_chain",
        "reason_zh",
        "reason_en",
        "last_contact",
        "pitch_zh",
        "pitch_en",
    ):
        assert col in lst.columns
    assert lst.pitch_zh.str.startswith("推介").all()


@pytest.mark.usefixtures("english")
def test_another_score_can_be_plugged_in(config, world):
    s, _ = world
    teams = sorted(config.teams, key=lambda t: t.id)
    base, _ = team_values(s, teams)
    flipped = np.where(base > 0, 1.0 - base, 0)
    p = plan_week(s, config, WEEK, values=flipped, model_version="test-model").plan
    q = plan_week(s, config, WEEK).plan
    assert set(p.enterprise_id) != set(q.enterprise_id)
    with pytest.raises(MatcherError, match="shape"):
        plan_week(s, config, WEEK, values=base[:, :5])


def test_deterministic_outputs(config, world, tmp_path):
    s, h = world
    digests = []
    for k in range(2):
        wp = plan_week(s, config, WEEK, visits=h.visits, projects=h.projects, previous=h.leads)
        write_weekly(wp, tmp_path / str(k))
        digests.append(
            {
                p.relative_to(tmp_path / str(k)).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((tmp_path / str(k)).rglob("*"))
                if p.is_file()
            }
        )
    assert digests[0] == digests[1]
    assert "office.xlsx" in digests[0] and "plan.csv" in digests[0]


def test_issued_plans_are_recorded(config, world, tmp_path):
    s, _ = world
    store = Store(tmp_path / "r.db")
    wp = plan_week(s, config, WEEK)
    row = {**wp.record_row(), "snapshot_sha256": "abc"}
    assert store.record_plan(row, wp.plan) == "recorded"
    assert store.record_plan(row, wp.plan) == "unchanged"
    other = {**row, "model_version": "m2"}
    with pytest.raises(StoreError, match="--force"):
        store.record_plan(other, wp.plan)
    assert store.record_plan(other, wp.plan, force=True) == "replaced"
    leads = store.issued_leads()
    assert len(leads) == len(wp.plan) and store.issued_leads(before=WEEK).empty
    assert store.read("issued_plans").model_version.tolist() == ["m2"]


@pytest.mark.usefixtures("english")
def test_read_history_files(tmp_path, world):
    _, h = world
    f = tmp_path / "visits.csv"
    h.visits[list(VISIT_COLUMNS)].head(20).to_csv(f, index=False)
    v = read_history(f, "visits")
    assert len(v) == 20 and v.date.dtype.kind == "M"
    g = tmp_path / "projects.xlsx"
    h.projects.drop(columns="synthetic").head(10).to_excel(g, index=False)
    assert len(read_history(g, "projects")) == 10
    bad = tmp_path / "bad.csv"
    bad.write_text("visit_id,date\n1,2026-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        read_history(bad, "visits")
    h.visits[list(VISIT_COLUMNS)].head(2).assign(date="soon").to_csv(bad, index=False)
    with pytest.raises(InputError, match="expected a date"):
        read_history(bad, "visits")


def test_twelve_weeks_stable_and_covering(config, syn_world):
    s, h = syn_world
    plans, m, visits = simulate_weeks(s, config, WEEK, 12, visits=h.visits, projects=h.projects, seed=1)
    assert len(plans) == 12 and visits.visit_id.str.startswith("SYNW").sum() > 0
    assert 0 < m["repeat_share"] < 0.9
    assert m["distinct_per_team_mean"] > np.mean([t.weekly_capacity for t in config.teams])
    cap = {t.id: t.weekly_capacity for t in config.teams}
    cw = pd.Timedelta(weeks=config.planner.cooldown_weeks)
    moved = h.projects[h.projects.stage.isin(["lead", "contacted", "visited", "negotiating"])]
    for wp in plans:
        p = wp.plan
        assert not p.duplicated("enterprise_id").any()
        assert (p.groupby("team_id").size() <= p.groupby("team_id").size().index.map(cap)).all()
        monday = pd.Timestamp(parse_week(wp.week)[1])
        recent = visits[(visits.date < monday) & (visits.date >= monday - cw)].groupby("enterprise_id").date.max()
        inside = p[p.enterprise_id.isin(recent.index)]
        # Inside the cooldown only where the project with that city moved since the last visit.
        assert inside.enterprise_id.isin(moved.enterprise_id).all()


@pytest.mark.usefixtures("english")
def test_weekly_command_with_history_files(tmp_path, world):
    from click.testing import CliRunner

    from matcher.cli.app import main
    from matcher.config.load import load_config

    _, h = world
    db = str(tmp_path / "w.db")
    import_default_data(Store(db), load_config())
    runner = CliRunner()
    out = tmp_path / "w10"
    r = runner.invoke(main, ["--db", db, "weekly", "--week", "2026-W10", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "greedy baseline" in r.output
    plan10 = read_csv(out / "plan.csv")
    assert (out / "office.xlsx").exists() and list((out / "teams").glob("*.json"))
    visits = tmp_path / "visits.csv"
    h.visits[list(VISIT_COLUMNS)].to_csv(visits, index=False)
    r = runner.invoke(main, ["--db", db, "weekly", "--week", "2026-W11", "--out", str(tmp_path / "w11"), "--visits", str(visits)])
    assert r.exit_code == 0, r.output
    plan11 = read_csv(tmp_path / "w11" / "plan.csv")
    assert (plan11.carryover_bonus > 0).any()
    assert set(plan11.enterprise_id) & set(plan10.enterprise_id)
    # The same week again with other inputs: refused unless --force.
    r = runner.invoke(main, ["--db", db, "weekly", "--week", "2026-W10", "--out", str(tmp_path / "w10"), "--visits", str(visits)])
    assert r.exit_code == 1 and "--force" in r.output and "Traceback" not in r.output
    r = runner.invoke(
        main, ["--db", db, "weekly", "--week", "2026-W10", "--out", str(tmp_path / "w10"), "--visits", str(visits), "--force"]
    )
    assert r.exit_code == 0, r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("visit_id,date\n1,2026-01-01\n", encoding="utf-8")
    r = runner.invoke(main, ["--db", db, "weekly", "--week", "2026-W12", "--visits", str(bad)])
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert r.exit_code == 1 and len(lines) == 1 and "missing column" in lines[0]


def test_replaying_a_past_week_ignores_later_history(config, world):
    s, h = world
    monday = pd.Timestamp(parse_week(WEEK)[1])
    before = h.visits[h.visits.date < monday]
    a = plan_week(s, config, WEEK, visits=before, projects=h.projects, previous=h.leads)
    b = plan_week(s, config, WEEK, visits=h.visits, projects=h.projects, previous=h.leads)
    pd.testing.assert_frame_equal(a.plan, b.plan)
    assert a.record["history_sha256"] == b.record["history_sha256"]
    c = plan_week(s, config, WEEK, visits=before.iloc[1:], projects=h.projects, previous=h.leads)
    assert c.record["history_sha256"] != a.record["history_sha256"]


@pytest.mark.usefixtures("english")
def test_planner_settings_are_validated(tmp_path):
    import shutil

    from matcher.config.load import default_config_path, load_config
    from matcher.errors import ConfigError

    folder = tmp_path / "cfg"
    shutil.copytree(default_config_path().parent, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    text = (folder / "config.toml").read_text(encoding="utf-8")
    text = text.replace("cooldown_weeks = 8", "cooldown_weeks = -1").replace("quota_boost = 0.1", "quota_boost = 0.1\nspeed = 3")
    (folder / "config.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[planner\] cooldown_weeks: must be from 0 to 104, got -1") as err:
        load_config(folder)
    assert "config.toml: [planner] speed: unknown key" in str(err.value) and len(err.value.problems) == 2
