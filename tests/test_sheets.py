"""The Excel exchange with the teams: templates, checked imports, every bad row listed, nothing half-imported."""

import openpyxl
import pandas as pd
import pytest

from matcher.errors import InputError, SheetError
from matcher.ingest.lists import parse_list
from matcher.ingest.sheets import import_sheet, resolve_enterprises
from matcher.ingest.tables import read_table
from matcher.report.templates import write_template
from matcher.resolve.imports import import_list

from .conftest import write

TODAY = "2026-11-29"
LIST = "排名,企业名称,所在地区\n1,京东集团,北京市\n2,恒力集团有限公司,江苏省\n3,浙江恒逸集团有限公司,浙江省\n"


@pytest.fixture
def store(store, tmp_path):
    t = read_table(write(tmp_path / "l.csv", LIST))
    import_list(store, parse_list(t), list_type="china_private_top500", year=2026, source_name="l.csv", sha256=t.sha256)
    return store


def visit_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": ["2026-03-02", "2026-03-05", "2026/4/7"],
            "team": ["qinzhou-gba", "liuzhou-gba", "qinzhou-yreb"],
            "name": ["京东集团", "恒力集团", "浙江恒逸集团有限公司"],
            "kind": ["登门拜访", "招商推介会", "visit"],
            "lead_level": ["小分队成员", "其他市领导", "city_number_one"],
            "participants": ["张三（队长）", "", ""],
            "chain": ["", "汽车", ""],
            "outcome": ["有意向", "", ""],
            "next_step": ["洽谈", "", ""],
            "synthetic": ["否", "否", ""],
        }
    )


def project_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_id": ["", ""],
            "name": ["京东集团", "恒力集团有限公司"],
            "city": ["钦州市", "柳州"],
            "county_park": ["钦州港经济技术开发区", ""],
            "chain": ["绿色化工新材料", "汽车"],
            "link": ["", ""],
            "amount": ["150000", ""],
            "basis": ["披露", ""],
            "arrived": ["20000", ""],
            "stage": ["签约", "终止"],
            "date_visited": ["2026-03-02", "2026-03-05"],
            "date_signed": ["2026-05-01", ""],
            "date_dropped": ["", "2026-04-01"],
            "dropped_reason": ["", "企业战略调整"],
            "source_team": ["qinzhou-gba", ""],
            "synthetic": ["", ""],
        }
    )


def stationed_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {"chain": ["汽车", "电子信息"], "quarter": ["2026Q1", "2026年第2季度"], "team": ["", "nanning-gba"], "days": ["16", "12"]}
    )


ROWS = {"visits": visit_rows, "projects": project_rows, "stationed": stationed_rows}


def sheet(tmp_path, config, kind, rows, name="filled.xlsx"):
    return write_template(kind, tmp_path / name, config, rows)


def test_good_sheets_import_and_reimport_adds_nothing(store, config, tmp_path):
    for kind in ("visits", "projects", "stationed"):
        path = sheet(tmp_path, config, kind, ROWS[kind](), f"{kind}.xlsx")
        r = import_sheet(store, config, path, kind, today=TODAY)
        assert r.counts[kind]["new"] == len(ROWS[kind]())
    before = store.counts()
    for kind in ("visits", "projects", "stationed"):
        r = import_sheet(store, config, tmp_path / f"{kind}.xlsx", kind, today=TODAY)
        assert "未作改动" in r.summary()
    assert store.counts() == before
    v = store.visits_frame(extra=True)
    assert v.kind.tolist() == ["visit", "forum", "visit"]
    assert v.lead_level.tolist() == ["team_member", "city_leader", "city_number_one"]
    assert v.city.tolist() == ["qinzhou", "liuzhou", "qinzhou"]
    assert v.chain.tolist() == ["", "automotive", ""]
    p = store.projects_frame()
    jd = p[p.city == "qinzhou"].iloc[0]
    assert (jd.amount_yuan, jd.arrived_yuan, jd.amount_estimated, jd.stage) == (1.5e9, 2e8, False, "signed")
    assert jd.signed_date == pd.Timestamp("2026-05-01")
    hl = p[p.city == "liuzhou"].iloc[0]
    assert (hl.stage, hl.dropped_reason, bool(hl.amount_estimated)) == ("dropped", "企业战略调整", True)
    changes = store.stage_changes_frame()
    assert len(changes) == 4 and set(changes.stage) == {"visited", "signed", "dropped"}
    s = store.stationed_frame()
    assert s.quarter.tolist() == ["2026Q1", "2026Q2"] and s.days.tolist() == [16, 12]


def test_a_corrected_row_updates_instead_of_duplicating(store, config, tmp_path):
    rows = project_rows()
    import_sheet(store, config, sheet(tmp_path, config, "projects", rows), "projects", today=TODAY)
    rows.loc[0, ["stage", "date_signed"]] = ["洽谈", ""]
    rows.loc[0, "date_negotiating"] = "2026-04-01"
    rows.loc[0, ["amount", "arrived"]] = ["160000", ""]
    r = import_sheet(store, config, sheet(tmp_path, config, "projects", rows, "v2.xlsx"), "projects", today=TODAY)
    assert r.counts["projects"] == {"new": 0, "updated": 1, "unchanged": 1}
    p = store.projects_frame().set_index("city")
    assert p.loc["qinzhou", "stage"] == "negotiating" and pd.isna(p.loc["qinzhou", "signed_date"])
    assert len(store.projects_frame()) == 2
    assert sorted(store.stage_changes_frame().stage) == ["dropped", "negotiating", "visited", "visited"]


def test_template_has_headers_dropdowns_and_instructions(config, tmp_path):
    path = write_template("projects", tmp_path / "t.xlsx", config)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[2]]
    assert "企业名称\nenterprise" in headers and "当前阶段\nstage" in headers and "投资额（万元）\ninvestment (10k yuan)" in headers
    lists = wb["选项 lists"]
    values = {c.value for col in lists.iter_cols() for c in col}
    assert {"线索", "签约", "投产", "终止", "钦州市", "汽车"} <= values
    assert len(ws.data_validations.dataValidation) >= 4
    assert "instructions" in wb.sheetnames[-1]
    # The same template twice: the same bytes.
    assert write_template("projects", tmp_path / "u.xlsx", config).read_bytes() == path.read_bytes()


def _mutate(kind, index, field, value):
    def f(rows):
        rows.loc[index, field] = value
        return rows

    return f


def _dup_first(rows):
    return pd.concat([rows, rows.iloc[[0]]], ignore_index=True)


# (kind, change to the good rows, spreadsheet row of the problem, reason)
MALFORMED = [
    ("visits", _mutate("visits", 0, "kind", "拜访一下"), 3, "unknown kind"),
    ("visits", _mutate("visits", 1, "lead_level", "处长"), 4, "unknown level"),
    ("visits", _mutate("visits", 0, "date", "2030-01-01"), 3, "in the future"),
    ("visits", _mutate("visits", 2, "date", "三月二日"), 5, "not a date"),
    ("visits", _mutate("visits", 0, "date", "2026-02-30"), 3, "not a date"),
    ("visits", _mutate("visits", 1, "date", ""), 4, "the date is empty"),
    ("visits", _mutate("visits", 0, "team", "shanghai-team"), 3, "unknown team"),
    ("visits", _mutate("visits", 1, "name", "不存在的公司"), 4, "unknown enterprise"),
    ("visits", _mutate("visits", 2, "name", ""), 5, "is required and empty"),
    ("visits", _dup_first, 6, "duplicate of row 3"),
    ("visits", _mutate("visits", 0, "chain", "造船"), 3, "unknown chain"),
    ("visits", _mutate("visits", 0, "synthetic", "也许"), 3, "是 or 否"),
    ("projects", _mutate("projects", 0, "stage", "已签"), 3, "unknown stage"),
    ("projects", _mutate("projects", 0, "amount", "-5000"), 3, "negative amount"),
    ("projects", _mutate("projects", 0, "amount", "很多"), 3, "not a number"),
    ("projects", _mutate("projects", 0, "arrived", "200000"), 3, "more money arrived"),
    ("projects", _mutate("projects", 1, "dropped_reason", ""), 4, "needs its reason"),
    ("projects", _mutate("projects", 0, "date_signed", "2026-02-01"), 3, "earlier than the date of an earlier stage"),
    ("projects", _mutate("projects", 0, "date_signed", ""), 3, "has no date"),
    ("projects", _mutate("projects", 0, "date_in_production", "2026-06-01"), 3, "has not reached"),
    ("projects", _mutate("projects", 1, "city", "上海市"), 4, "unknown city"),
    ("projects", _mutate("projects", 1, "source_team", "nobody"), 4, "unknown team"),
    ("projects", _mutate("projects", 0, "date_signed", "2027-01-05"), 3, "in the future"),
    ("projects", _dup_first, 5, "duplicate of row 3"),
    ("stationed", _mutate("stationed", 0, "days", "120"), 3, "whole number of days"),
    ("stationed", _mutate("stationed", 1, "days", "-3"), 4, "whole number of days"),
    ("stationed", _mutate("stationed", 0, "quarter", "2026Q5"), 3, "not a quarter"),
    ("stationed", _mutate("stationed", 0, "chain", "造船"), 3, "unknown chain"),
]


@pytest.mark.parametrize(("kind", "change", "row", "reason"), MALFORMED, ids=[f"{m[0]}-{m[3]}-{i}" for i, m in enumerate(MALFORMED)])
@pytest.mark.usefixtures("english")
def test_malformed_sheet_is_rejected_with_row_and_reason_and_nothing_imported(store, config, tmp_path, kind, change, row, reason):
    before = store.counts(), store.snapshot_hash()
    path = sheet(tmp_path, config, kind, change(ROWS[kind]()))
    with pytest.raises(SheetError) as err:
        import_sheet(store, config, path, kind, today=TODAY)
    assert any(p[0] == row and reason in p[3] for p in err.value.problems), err.value.problems
    assert f"row {row}" in str(err.value) and reason in str(err.value)
    assert "nothing imported" in str(err.value)
    assert (store.counts(), store.snapshot_hash()) == before


@pytest.mark.usefixtures("english")
def test_merged_cells_in_the_data_are_rejected(store, config, tmp_path):
    path = sheet(tmp_path, config, "visits", visit_rows())
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws["B4"] = "qinzhou-gba"
    ws.merge_cells("B3:B4")
    wb.save(path)
    before = store.counts()
    with pytest.raises(SheetError, match=r"row 3.*merged cells B3:B4"):
        import_sheet(store, config, path, "visits", today=TODAY)
    assert store.counts() == before


@pytest.mark.usefixtures("english")
def test_every_bad_row_is_listed(store, config, tmp_path):
    rows = visit_rows()
    rows.loc[0, "kind"] = "喝茶"
    rows.loc[2, "name"] = "不存在的公司"
    rows.loc[2, "date"] = "2099-01-01"
    with pytest.raises(SheetError) as err:
        import_sheet(store, config, sheet(tmp_path, config, "visits", rows), "visits", today=TODAY)
    assert [(p[0], p[1]) for p in err.value.problems] == [(3, "活动类型 kind"), (5, "日期 date"), (5, "企业名称 enterprise")]
    assert "3 bad rows" in str(err.value)


@pytest.mark.usefixtures("english")
def test_missing_required_column_is_one_clear_error(store, config, tmp_path):
    path = write(tmp_path / "v.csv", "日期,企业名称,活动类型\n2026-03-02,京东集团,登门拜访\n")
    with pytest.raises(InputError, match="missing required columns: 小分队 team, 带队领导级别 lead level"):
        import_sheet(store, config, path, "visits", today=TODAY)


def test_csv_in_gbk_with_chinese_headers_only(store, config, tmp_path):
    text = "拜访登记\n日期,小分队,企业名称,活动类型,带队领导级别\n2026年3月2日,qinzhou-gba,京东集团有限公司,登门拜访,市委书记或市长（一把手）\n"
    path = write(tmp_path / "v.csv", text, encoding="gbk")
    import_sheet(store, config, path, "visits", today=TODAY)
    v = store.visits_frame()
    assert v.lead_level.tolist() == ["city_number_one"] and v.date.tolist() == [pd.Timestamp("2026-03-02")]


def test_names_resolve_exactly_and_unknown_stay_unknown(store):
    ids = resolve_enterprises(store, pd.Series(["京东集团有限公司", "恒力集团", "新公司"]))
    assert ids.notna().tolist() == [True, True, False]


def _two_sheets(config, tmp_path):
    a = visit_rows()
    b = visit_rows().assign(date=["2026-03-02", "2026-06-02", "2026-06-03"])  # its first row is also in a
    return sheet(tmp_path, config, "visits", a, "a.xlsx"), sheet(tmp_path, config, "visits", b, "b.xlsx")


def _check_union(store):
    v = store.visits_frame()
    assert len(v) == 5 and v.visit_id.is_unique
    assert sorted(v.date.dt.strftime("%m-%d")) == ["03-02", "03-05", "04-07", "06-02", "06-03"]


def test_two_users_importing_at_once_lose_and_duplicate_nothing(store, config, tmp_path):
    import threading

    from matcher.store.core import Store

    paths = _two_sheets(config, tmp_path)
    start, errors = threading.Barrier(4), []

    def user(path):
        try:
            own = Store(tmp_path / "t.db")  # each user has a connection of their own
            start.wait()
            import_sheet(own, config, path, "visits", today=TODAY)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=user, args=(p,)) for p in (*paths, *paths)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    _check_union(store)


@pytest.mark.slow
def test_two_processes_importing_at_once_lose_and_duplicate_nothing(store, config, tmp_path):
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "matcher", "--db", str(tmp_path / "t.db"), "import-visits"]
    procs = [
        subprocess.Popen([*cmd, str(p), "--today", TODAY], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for p in _two_sheets(config, tmp_path)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    _check_union(store)


@pytest.mark.usefixtures("english")
def test_names_as_teams_write_them_resolve_and_uncertain_ones_are_reported_not_guessed(store, config, tmp_path):
    from functools import partial

    from matcher.resolve.names import resolve_enterprise_names

    names = partial(resolve_enterprise_names, store)
    # "Zhejiang Hengyi Group" is no name in the database: the resolver finds 浙江恒逸集团有限公司.
    rows = visit_rows().assign(name=["京东集团", "恒力集团", "Zhejiang Hengyi Group"])
    r = import_sheet(store, config, sheet(tmp_path, config, "visits", rows), "visits", today=TODAY, names=names)
    assert r.counts["visits"]["new"] == 3
    hengyi = store.lookup_names(pd.Series(["浙江恒逸"])).iloc[0]
    assert hengyi in set(store.visits_frame().enterprise_id)
    # Without the resolver the same sheet is refused for that name.
    with pytest.raises(SheetError, match="unknown enterprise"):
        import_sheet(store, config, sheet(tmp_path, config, "visits", rows, "again.xlsx"), "visits", today=TODAY)
    # A name the resolver is unsure of is reported with its candidate, and nothing is imported.
    before = store.counts()
    rows = visit_rows().assign(name=["京东集团", "恒力集团", "恒力化纤"], date=["2026-06-01", "2026-06-02", "2026-06-03"])
    with pytest.raises(SheetError) as err:
        import_sheet(store, config, sheet(tmp_path, config, "visits", rows, "unsure.xlsx"), "visits", today=TODAY, names=names)
    assert "uncertain: perhaps 恒力集团有限公司 (p=0.7" in str(err.value) and store.counts() == before


@pytest.mark.usefixtures("english")
def test_weekly_reads_the_filled_template_and_the_history_columns_alike(store, config, tmp_path):
    from matcher.ingest.history_files import read_history
    from matcher.ingest.sheets import read_history_file

    filled = sheet(tmp_path, config, "visits", visit_rows())
    from_template = read_history_file(filled, "visits", config, store, today=TODAY)
    assert len(from_template) == 3 and from_template.enterprise_id.notna().all()
    plain = tmp_path / "visits.csv"
    from_template.to_csv(plain, index=False)
    from_plain = read_history_file(plain, "visits", config, store)
    pd.testing.assert_frame_equal(
        from_plain[["visit_id", "team_id", "enterprise_id", "kind", "lead_level"]].astype(str),
        read_history(plain, "visits")[["visit_id", "team_id", "enterprise_id", "kind", "lead_level"]].astype(str),
    )
    # A bad template row is listed as the import would list it.
    bad = sheet(tmp_path, config, "visits", visit_rows().assign(kind=["飞行", "登门拜访", "visit"]), "bad.xlsx")
    with pytest.raises(SheetError, match="unknown kind"):
        read_history_file(bad, "visits", config, store, today=TODAY)
