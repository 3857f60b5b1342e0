"""The web workspace's pages: a team's week and what it records, the office, the departments, languages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from .web_fixtures import TODAY, WEEK, make_site, token

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def site(tmp_path_factory, config):
    return make_site(tmp_path_factory.mktemp("web"), config)


def _leads(site, team):
    plan = site.store.issued_leads()
    return plan[(plan.week == WEEK) & (plan.team_id == team)].sort_values("rank")


def _post(client, path, data, page):
    return client.post(path, data={"csrf": token(client, page), **data})


def test_team_page_shows_the_issued_leads_with_reason_pitch_and_contact(site):
    c = site.client("team-a")
    r = c.get(f"/team/{site.team_a}")
    assert r.status_code == 200
    leads = _leads(site, site.team_a)
    names = site.store.enterprise_frame().set_index("enterprise_id").name
    for eid, reason in zip(leads.enterprise_id, leads.reason):
        assert f'id="e-{eid}"' in r.text
        assert names[eid] in r.text
        assert reason.split("；")[0] in r.text
    # Chinese by default: the outcome buttons and the pitch speak Chinese.
    for word in ("已拜访", "已约访", "婉拒", "未联系上", "推介"):
        assert word in r.text
    assert leads.park.notna().all() and (leads.chain != "").all()  # the pitch is recorded with the plan


def test_feedback_round_trip_reaches_weekly_and_kpi(site, config):
    from matcher.plan.issue import issue_week
    from matcher.report.scorecard import compute_scorecard

    c = site.client("team-a")
    page = f"/team/{site.team_a}"
    leads = _leads(site, site.team_a)
    visited, unreached = leads.enterprise_id.iloc[0], leads.enterprise_id.iloc[1]
    visits_before = len(site.store.visits_frame())
    form = {"week": WEEK, "enterprise_id": visited, "outcome": "visited", "lead_level": "city_leader"}
    form |= {"note": "谈及南宁基地", "next_step": "寄送园区材料", "due_date": "2026-12-01", "date": "2026-12-01"}
    r = _post(c, f"/team/{site.team_a}/outcome", form, page)
    assert r.status_code == 303
    # htmx gets the lead's card back, marked.
    r = c.post(f"/team/{site.team_a}/outcome", data={"csrf": token(c, page), **form}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text.lstrip().startswith("<article") and 'class="visited on"' in r.text
    assert "已登记，无变化" in r.text
    _post(c, f"/team/{site.team_a}/outcome", {"week": WEEK, "enterprise_id": unreached, "outcome": "unreachable"}, page)

    v = site.store.visits_frame(extra=True)
    assert len(v) == visits_before + 1  # the same input twice is recorded once; "not reached" is no visit
    row = v[v.enterprise_id == visited].iloc[0]
    assert (row.team_id, row.kind, row.lead_level) == (site.team_a, "visit", "city_leader")
    assert row.outcome == "已拜访：谈及南宁基地" and row.next_step.startswith("寄送园区材料")
    with site.store.engine.connect() as conn:
        audits = pd.read_sql(sa.text("select * from audit where action = 'outcome'"), conn)
    assert len(audits) == 2 and set(audits.login) == {"team-a"}

    # A project moved to signing with its amount.
    r = _post(c, f"/team/{site.team_a}/stage", {"week": WEEK, "enterprise_id": visited, "stage": "signed", "amount_wan": "25000", "date": "2026-12-01"}, page)
    assert r.status_code == 303
    p = site.store.projects_frame()
    home = site.config.teams[[t.id for t in site.config.teams].index(site.team_a)].home_city
    proj = p[(p.enterprise_id == visited) & (p.city == home)].iloc[0]
    assert proj.stage == "signed" and proj.amount_yuan == 2.5e8 and str(proj.signed_date.date()) == "2026-12-01"

    # Next week's plan sees the visit (cooldown: nobody gets it) and carries the unreached lead over.
    wp = issue_week(site.store, config, "2026-W50")
    assert visited not in set(wp.plan.enterprise_id)
    mine = wp.plan[(wp.plan.team_id == site.team_a) & (wp.plan.enterprise_id == unreached)]
    assert len(mine) == 1 and mine.carryover_bonus.iloc[0] > 0
    # The scorecard counts the signing and the visit.
    card = compute_scorecard(site.store, config, year=2026, as_of="2026-12-02")
    base = compute_scorecard(site.store, config, year=2026, as_of="2026-11-30")
    signed = lambda k: int(k.tiers.set_index("target_id").signed["all"])  # noqa: E731
    assert signed(card) == signed(base) + 1
    visited_all = lambda k: int(k.conversion.set_index("by").visited["all"])  # noqa: E731
    assert visited_all(card) >= visited_all(base)


def test_a_contact_corrected_to_no_contact_takes_the_visit_back(site):
    c = site.client("team-a")
    page = f"/team/{site.team_a}"
    eid = _leads(site, site.team_a).enterprise_id.iloc[2]
    before = len(site.store.visits_frame())
    _post(c, f"/team/{site.team_a}/outcome", {"week": WEEK, "enterprise_id": eid, "outcome": "declined"}, page)
    assert len(site.store.visits_frame()) == before + 1
    _post(c, f"/team/{site.team_a}/outcome", {"week": WEEK, "enterprise_id": eid, "outcome": "appointment", "next_step": "约定下周面谈"}, page)
    assert len(site.store.visits_frame()) == before
    r = c.get(f"/team/{site.team_a}/history")
    assert r.status_code == 200 and "约定下周面谈" in r.text


def test_bad_input_is_refused_and_nothing_is_written(site):
    c = site.client("team-a")
    page = f"/team/{site.team_a}"
    eid = _leads(site, site.team_a).enterprise_id.iloc[0]
    other = _leads(site, site.team_b).enterprise_id.iloc[0]
    n = site.store.counts()
    assert _post(c, f"/team/{site.team_a}/outcome", {"week": WEEK, "enterprise_id": eid, "outcome": "maybe"}, page).status_code == 400
    assert _post(c, f"/team/{site.team_a}/outcome", {"week": WEEK, "enterprise_id": eid, "outcome": "visited", "date": "soon"}, page).status_code == 400
    assert _post(c, f"/team/{site.team_a}/stage", {"week": WEEK, "enterprise_id": eid, "stage": "signed", "amount_wan": "-5"}, page).status_code == 400
    assert _post(c, f"/team/{site.team_a}/stage", {"week": WEEK, "enterprise_id": eid, "stage": "won"}, page).status_code == 400
    # Another team's lead is not this team's to record.
    assert _post(c, f"/team/{site.team_a}/outcome", {"week": WEEK, "enterprise_id": other, "outcome": "visited"}, page).status_code == 403
    assert site.store.counts() == n


def test_open_and_overdue_next_steps_and_done(site):
    c = site.client("team-b")
    page = f"/team/{site.team_b}"
    eid = _leads(site, site.team_b).enterprise_id.iloc[0]
    form = {"week": WEEK, "enterprise_id": eid, "outcome": "appointment", "next_step": "回访董事长", "due_date": "2026-11-30"}
    _post(c, f"/team/{site.team_b}/outcome", form, page)
    r = c.get(f"/team/{site.team_b}/history")
    assert "回访董事长" in r.text and 'class="overdue"' in r.text
    fid = f"{WEEK}|{site.team_b}|{eid}"
    r = _post(c, f"/team/{site.team_b}/done", {"feedback_id": fid}, f"/team/{site.team_b}/history")
    assert r.status_code == 303
    assert 'class="overdue"' not in c.get(f"/team/{site.team_b}/history").text


def test_values_are_escaped(site):
    c = site.client("team-b")
    page = f"/team/{site.team_b}"
    eid = _leads(site, site.team_b).enterprise_id.iloc[1]
    _post(c, f"/team/{site.team_b}/outcome", {"week": WEEK, "enterprise_id": eid, "outcome": "unreachable", "note": "<script>alert(1)</script>"}, page)
    r = c.get(f"/team/{site.team_b}/history")
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_office_sees_every_team_contested_pace_cadence_stalled_activity(site):
    c = site.client("office")
    r = c.get("/office")
    assert r.status_code == 200
    for team in (site.team_a, site.team_b):
        assert f"/team/{team}?week=" in r.text
    for heading in ("未反馈", "联合", "进度", "工作节奏", "停滞", "活跃度"):
        assert heading in r.text, heading
    # The office may read a team's page but not write on it.
    assert c.get(f"/team/{site.team_a}").status_code == 200
    r = c.get("/office/scorecard")
    assert r.status_code == 200 and "/office/chart/tiers.png" in r.text
    png = c.get("/office/chart/tiers.png")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert c.get("/office/chart/nothing.png").status_code == 404


def test_office_issues_a_week_through_the_same_use_case(site, config):
    c = site.client("office")
    r = _post(c, "/office/issue", {"week": "2026-W51"}, "/office")
    assert r.status_code == 303 and r.headers["location"] == "/office?week=2026-W51"
    assert "2026-W51" in set(site.store.issued_leads().week)
    with site.store.engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from audit where action = 'issue_week' and login = 'office'")).scalar() == 1
    # Issued again with the same inputs: unchanged; a week issued with other inputs needs "replace".
    assert _post(c, "/office/issue", {"week": "2026-W51"}, "/office").status_code == 303


def test_department_lists_filters_and_export(site, config):
    c = site.client("dept-chain")
    r = c.get("/dept?region=GBA&top=30")
    assert r.status_code == 200
    frame = site.app.state.ws.target_list(chain=site.chain, region="GBA", top=30)
    assert len(frame) > 0 and (frame.source_region == "GBA").all()
    for name in frame.name.head(5):
        assert name in r.text
    r = c.get("/dept?status=missing")
    assert r.status_code == 200
    assert (site.app.state.ws.target_list(chain=site.chain, status="missing").link_status == "missing").all()
    x = c.get("/dept/export.xlsx?region=GBA&top=30")
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    ws = wb.worksheets[0]
    texts = [cell for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert texts and all(cell.data_type == "s" for cell in texts)  # every text cell is text, never a formula
    assert frame.name.iloc[0] in {cell.value for cell in texts}
    # A department bound to a chain may not look at another chain.
    other = next(ch.id for ch in config.chains if ch.id != site.chain)
    assert c.get(f"/dept?chain={other}").status_code == 403
    assert c.get(f"/dept/export.xlsx?chain={other}").status_code == 403


def test_enterprise_page(site):
    c = site.client("office")
    eid = _leads(site, site.team_a).enterprise_id.iloc[0]
    r = c.get(f"/enterprise/{eid}")
    assert r.status_code == 200
    for city in site.config.cities[:3]:
        assert city.name_zh in r.text
    assert c.get("/enterprise/NOPE").status_code == 404
    # A team sees the enterprises of its own leads, not others.
    t = site.client("team-b")
    assert t.get(f"/enterprise/{_leads(site, site.team_b).enterprise_id.iloc[0]}").status_code == 200
    theirs = set(_leads(site, site.team_a).enterprise_id) - set(site.store.issued_leads().query("team_id == @site.team_b").enterprise_id)
    assert t.get(f"/enterprise/{sorted(theirs)[0]}").status_code == 403


def test_language_from_query_then_cookie(site):
    c = site.client("team-a")
    assert "本周" in c.get(f"/team/{site.team_a}").text
    r = c.get(f"/team/{site.team_a}?lang=en")
    assert "This week" in r.text and "visited" in r.text and "lang=en" in r.headers.get("set-cookie", "")
    assert "This week" in c.get(f"/team/{site.team_a}").text  # kept in the cookie
    assert "本周" in c.get(f"/team/{site.team_a}?lang=zh").text


def test_every_template_word_is_in_the_catalogue():
    from matcher.web.text import TEMPLATE_WORDS

    folder = Path(__file__).resolve().parent.parent / "matcher" / "web" / "templates"
    used = {m.group(2) for p in folder.glob("*.html") for m in re.finditer(r'_\((["\'])(.*?)\1\)', p.read_text(encoding="utf-8"))}
    assert used and used <= set(TEMPLATE_WORDS), sorted(used - set(TEMPLATE_WORDS))


def test_today_is_fixed_for_the_tests(site):
    assert site.app.state.ws.today() == TODAY and site.app.state.ws.current_week() == WEEK
