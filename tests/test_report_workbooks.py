"""Exports fit for an office: Chinese headers by default, numbers with formats, ready to sort and print.

Reads the files the writers produce (openpyxl for workbooks) and checks what a
person opening or printing them gets; the pictures of these files are checked
by eye outside the test run.
"""

from __future__ import annotations

import json
import re

import openpyxl
import pandas as pd
import pytest

from matcher.demo import import_default_data
from matcher.featurise.universe import build_universe
from matcher.i18n import column_label, language
from matcher.plan.week import plan_week
from matcher.report.headers import column_ids, text_width
from matcher.report.weekly import write_weekly
from matcher.report.writers import write_csv, write_table, write_xlsx
from matcher.score.rule import RuleScorer
from matcher.store.core import Store

from .exports import read_csv, read_xlsx

WEEK = "2026-W10"


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": [1, 2],
            "enterprise_id": ["E1", "E2"],
            "name": ["比亚迪股份有限公司", "宁德时代新能源科技股份有限公司"],
            "name_en": ["BYD", "CATL"],
            "reason_zh": ["填补柳州汽车链中游缺失环节（动力电池）；" * 4, "补强薄弱环节"],
            "reason_en": ["fills the missing midstream link (power batteries)", "strengthens a weak link"],
            "amount_yuan": [153375100000.0, 2.5e8],
            "share_of_target": [0.456, 1.2],
            "contested": [True, False],
            "score": [0.8123, 0.5],
        }
    )


def headers(ws, row: int = 3) -> list[str]:
    return [c.value for c in ws[row] if c.value is not None]


def column_of(ws, label: str, row: int = 3) -> int:
    return headers(ws, row).index(label) + 1


def test_workbook_is_ready_to_sort_and_print(tmp_path):
    path = write_table(table(), tmp_path / "t.xlsx", title="招商目标清单：柳州市", about=[("城市", "柳州市")])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["目标清单", "说明"]  # the data first, then what the workbook is
    ws = wb["目标清单"]
    assert ws["A1"].value == "招商目标清单：柳州市"
    head = headers(ws)
    assert head[:3] == ["排名", "企业编号", "企业名称"]  # Chinese headers from the catalogue
    assert "英文名称" in head  # an enterprise's English name is data: kept
    assert "推荐理由" in head and not {"reason_zh", "reason_en", "推荐理由（英文）"} & set(head)  # one reason, in Chinese
    # Money in 亿元 with thousands separators, the unit in the header.
    money = ws.cell(row=4, column=column_of(ws, "金额（亿元）"))
    assert money.value == pytest.approx(1533.751) and money.number_format == "#,##0.00"
    share = ws.cell(row=4, column=column_of(ws, "完成率"))
    assert share.value == pytest.approx(0.456) and share.number_format == "0.0%"
    assert ws.cell(row=4, column=column_of(ws, "排名")).value == 1  # numbers stay numbers
    assert ws.cell(row=4, column=column_of(ws, "多市争取")).value == "是"
    reason = column_of(ws, "推荐理由")
    assert ws.cell(row=4, column=reason).alignment.wrap_text
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(reason)].width
    assert 20 <= width <= 50  # wrapped at a readable width, not as wide as the text
    assert ws.row_dimensions[4].height >= 3 * 15  # tall enough for the long reason, which a spreadsheet does not grow by itself
    # Sorting and printing.
    assert ws.auto_filter.ref == f"A3:{openpyxl.utils.get_column_letter(len(head))}5"
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"  # the header repeats on every printed page
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    about = {r[0].value: r[1].value for r in wb["说明"].iter_rows(min_row=3) if r[0].value}
    assert about["内容"] == "招商目标清单：柳州市" and about["城市"] == "柳州市"
    assert about["工作表“目标清单”"] == "2 行" and "数据来源" in about and "合成数据" not in about


def test_cjk_characters_count_double_in_column_widths():
    assert text_width("柳州") == 4 and text_width("BYD") == 3 and text_width("（）") == 4


def test_english_headers_and_reasons_from_the_same_catalogue(tmp_path, english):
    path = write_table(table(), tmp_path / "t.xlsx", title="Target list")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Targets", "About"]
    ws = wb["Targets"]
    assert headers(ws)[:3] == ["Rank", "Enterprise ID", "Enterprise"]
    assert ws.cell(row=4, column=column_of(ws, "Reason")).value.startswith("fills the missing midstream link")
    assert ws.cell(row=4, column=column_of(ws, "Contested")).value == "yes"
    csv = write_csv(table(), tmp_path / "t.csv")
    assert csv.read_text(encoding="utf-8-sig").splitlines()[0].startswith("Rank,Enterprise ID,Enterprise,English name,Reason,")


def test_csv_headers_read_back_to_the_same_identifiers_in_either_language(tmp_path):
    zh = read_csv(write_csv(table(), tmp_path / "zh.csv"))
    with language("en"):
        en = read_csv(write_csv(table(), tmp_path / "en.csv"))
    assert list(zh.columns) == list(en.columns)
    assert {"rank", "enterprise_id", "name", "name_en", "reason", "amount_100m_yuan"} <= set(zh.columns)
    assert zh.reason.iloc[1] == "补强薄弱环节" and en.reason.iloc[1] == "strengthens a weak link"
    assert zh.amount_100m_yuan.iloc[0] == pytest.approx(1533.751)
    assert column_ids([column_label("rank"), "未知列"]) == ["rank", "未知列"]


def test_synthetic_data_and_empty_sheets_say_so(tmp_path):
    empty = table().iloc[:0]
    why = "本周无新线索：总部位于京津冀、契合百色市产业链的企业本周均无法安排。"
    path = write_xlsx({"leads": empty}, tmp_path / "e.xlsx", title="2026-W10 周拜访清单", synthetic=True, empty={"leads": why})
    wb = openpyxl.load_workbook(path)
    ws = wb["拜访清单"]
    assert ws["A1"].value == "2026-W10 周拜访清单（合成数据）"
    assert headers(ws)[0] == "排名" and ws["A4"].value == why  # a reason line, not a bare header
    assert ws.auto_filter.ref is None
    about = {r[0].value: r[1].value for r in wb["说明"].iter_rows(min_row=3) if r[0].value}
    assert about["合成数据"].startswith("是")


def test_the_same_table_gives_the_same_bytes(tmp_path):
    a = write_xlsx({"targets": table()}, tmp_path / "a.xlsx", title="标题", about=[("城市", "柳州市")])
    b = write_xlsx({"targets": table()}, tmp_path / "b.xlsx", title="标题", about=[("城市", "柳州市")])
    assert a.read_bytes() == b.read_bytes()


@pytest.fixture(scope="module")
def week(config, tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("week") / "w.db")
    import_default_data(store, config)
    u = build_universe(store, config)
    return plan_week(RuleScorer(config).fit(u).score(u), config, WEEK)


def test_weekly_files_name_teams_and_explain_empty_lists(week, config, tmp_path):
    assert all(t.name and t.name.endswith("小分队") for t in config.teams)
    assert len({t.name for t in config.teams}) == len(config.teams)
    names = {t.id: t.name for t in config.teams}
    write_weekly(week, tmp_path, config=config)
    plan = read_csv(tmp_path / "plan.csv")
    assert (plan.team_name == plan.team_id.map(names)).all()  # the name beside the id, which stays the key
    office = openpyxl.load_workbook(tmp_path / "office.xlsx")
    assert office.sheetnames == ["分配总表", "多市争取企业", "目标进度", "各市目标进度", "签约项目跟踪服务", "说明"]
    assignments = read_xlsx(tmp_path / "office.xlsx", header=2)
    assert set(assignments.team_name) <= set(names.values()) and len(assignments) == len(week.plan)
    full = next(t for t, lst in week.per_team.items() if len(lst))
    ws = openpyxl.load_workbook(tmp_path / "teams" / f"{full}.xlsx")["拜访清单"]
    assert names[full] in ws.cell(row=1, column=next(c.column for c in ws[1] if c.value)).value
    empties = [t for t, lst in week.per_team.items() if lst.empty]
    assert empties, "the default data leave some teams without leads"
    for t in empties:
        ws = openpyxl.load_workbook(tmp_path / "teams" / f"{t}.xlsx")["拜访清单"]
        notes = [c.value for c in ws[4] if c.value]
        assert len(notes) == 1 and notes[0].startswith("本周无新线索：")
        assert json.loads((tmp_path / "teams" / f"{t}.json").read_text(encoding="utf-8"))["note"].startswith("本周无新线索：")


def test_weekly_files_are_reproducible_in_one_process_or_two(week, config, tmp_path, monkeypatch):
    from matcher import _parallel

    monkeypatch.setenv("MATCHER_WORKERS", "1")
    one = write_weekly(week, tmp_path / "a", config=config)
    # The teams' files written on two cores: the same files, byte for byte, and the same list of them.
    monkeypatch.setenv("MATCHER_WORKERS", "2")
    monkeypatch.setattr(_parallel, "_other_threads", lambda: False)
    forked = []
    real_submit = _parallel.ProcessPoolExecutor.submit
    monkeypatch.setattr(_parallel.ProcessPoolExecutor, "submit", lambda self, fn, *a: forked.append(a) or real_submit(self, fn, *a))
    two = write_weekly(week, tmp_path / "b", config=config)
    assert len(forked) == len(week.per_team) // 2, "half of the teams' files are written by the worker"
    assert [p.relative_to(tmp_path / "a") for p in one] == [p.relative_to(tmp_path / "b") for p in two]
    files = sorted((tmp_path / "a").rglob("*.*"))
    assert len(files) == 3 * len(week.per_team) + 2
    for p in files:
        assert p.read_bytes() == (tmp_path / "b" / p.relative_to(tmp_path / "a")).read_bytes(), p.name


def test_scorecard_page_is_self_contained_and_escaped(config, tmp_path):
    from matcher.report.scorecard import scorecard_from_frames, write_scorecard
    from matcher.sim.history import simulate_history

    store = Store(tmp_path / "s.db")
    import_default_data(store, config)
    u = build_universe(store, config)
    s = RuleScorer(config).fit(u).score(u)
    h = simulate_history(s, config, start="2025-11-24", weeks=20, seed=3)
    m = store.list_memberships()
    card = scorecard_from_frames(h.visits, h.projects, h.stage_changes, h.stationed, m, config, year=2026, as_of="2026-03-31")
    card.synthetic = True
    card.cities.loc[0, "name_zh"] = "<script>alert(1)</script>"
    write_scorecard(card, tmp_path / "kpi")
    page = (tmp_path / "kpi" / "scorecard.html").read_text(encoding="utf-8")
    srcs = re.findall(r'<img[^>]*src="([^"]*)"', page)
    assert len(srcs) == 6 and all(src.startswith("data:image/png;base64,") for src in srcs)  # nothing to lose when mailed
    assert "<style>" in page and "border-collapse" in page and "Noto Sans CJK SC" in page and "@media print" in page
    assert "<script>" not in page and "&lt;script&gt;" in page  # every value escaped
    assert "合成数据" in page and "各市项目入库" in page
    wb = openpyxl.load_workbook(tmp_path / "kpi" / "scorecard.xlsx")
    assert wb.sheetnames[0] == "榜单目标" and wb.sheetnames[-1] == "说明"
    money = wb["签约资金"]
    assert headers(money) == ["项目", "金额（亿元）"] and money.cell(row=4, column=2).number_format == "#,##0.00"
