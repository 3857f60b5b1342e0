"""A corpus of malformed and awkward-but-valid files, each tried through the command line.

Every malformed file is refused with an ``error:`` line naming the problem, no traceback, and the
database unchanged; every awkward-but-valid one is imported. The files are written by the code
below (seeded, nothing random), so the corpus is the list of cases: ``MALFORMED`` and ``VALID``.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from matcher.report.templates import write_template
from matcher.store.core import Store

from .test_cli import run
from .test_hostile_input import BIG5, corner_cells, zip_bomb
from .test_sheets import LIST, TODAY, project_rows, visit_rows

H = "排名,企业名称,所在地区,营业收入（万元）\n"
P = "企业名称,英文名称,别名,主营业务,总部城市\n"


def text(content: str, encoding: str = "utf-8"):
    def make(path):
        path.write_bytes(content.encode(encoding))
        return path

    return make


def raw(data: bytes):
    def make(path):
        path.write_bytes(data)
        return path

    return make


def xlsx(rows: list[list], sheets: dict[str, list[list]] | None = None, merge: str | None = None):
    def make(path):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "榜单"
        for r in rows:
            ws.append(r)
        if merge:
            ws.merge_cells(merge)
        for name, more in (sheets or {}).items():
            other = wb.create_sheet(name)
            for r in more:
                other.append(r)
        wb.save(path)
        return path

    return make


def sheet(kind: str, rows: pd.DataFrame):
    def make(path):
        from matcher.config.load import load_config

        return write_template(kind, path, load_config(), rows)

    return make


def _set(rows: pd.DataFrame, i: int, col: str, value) -> pd.DataFrame:
    rows = rows.copy()
    rows.loc[i, col] = value
    return rows


LIST_ARGS = ("--type", "china_private_top500", "--year", "2025")

# (id, file name, how to make it, command, extra arguments, words the error must contain)
MALFORMED = [
    ("list-cell-beyond-header", "l.csv", text(H + "1,甲集团,浙江省,100,多出\n"), "import-list", LIST_ARGS, "beyond the last column"),
    ("list-short-row", "l.csv", text(H + "1,甲集团,浙江省,100\n2,乙集团,浙江省\n"), "import-list", LIST_ARGS, "a separator is missing"),
    ("list-400-digit-revenue", "l.csv", text(H + "1,甲集团,浙江省," + "9" * 400 + "\n"), "import-list", LIST_ARGS, "finite"),
    ("list-infinite-revenue", "l.csv", text(H + "1,甲集团,浙江省,inf\n"), "import-list", LIST_ARGS, "finite"),
    ("list-revenue-words", "l.csv", text(H + "1,甲集团,浙江省,很多\n"), "import-list", LIST_ARGS, "expected a number"),
    ("list-empty-name", "l.csv", text(H + "1,,浙江省,100\n"), "import-list", LIST_ARGS, "name is empty"),
    ("list-rank-words", "l.csv", text(H + "第一,甲集团,浙江省,100\n"), "import-list", LIST_ARGS, "expected a number"),
    ("list-rank-zero", "l.csv", text(H + "0,甲集团,浙江省,100\n"), "import-list", LIST_ARGS, "rank"),
    ("list-typo-year-column", "l.csv", text("year,rank,company\n2024,1,A Corp\n2206,1,B Corp\n"), "import-list", ("--type", "fortune_global_500"), "year"),
    ("list-typo-year-option", "l.csv", text(H + "1,甲集团,浙江省,100\n"), "import-list", ("--type", "china_private_top500", "--year", "2206"), "2206"),
    ("list-year-1850", "l.csv", text(H + "1,甲集团,浙江省,100\n"), "import-list", ("--type", "china_private_top500", "--year", "1850"), "1850"),
    ("list-no-header", "l.csv", text("1,2,3\n4,5,6\n"), "import-list", LIST_ARGS, "header"),
    ("list-header-only", "l.csv", text(H), "import-list", LIST_ARGS, "no data rows"),
    ("list-empty-file", "l.csv", raw(b""), "import-list", LIST_ARGS, ""),
    ("list-binary-garbage", "l.csv", raw(bytes(range(256)) * 8), "import-list", LIST_ARGS, ""),
    ("list-old-xls", "l.xls", raw(b"\xd0\xcf\x11\xe0" + b"\0" * 500), "import-list", LIST_ARGS, ".xls"),
    ("list-unknown-type", "l.csv", text(H + "1,甲集团,浙江省,100\n"), "import-list", ("--type", "全球最强500", "--year", "2025"), "list type"),
    ("list-missing-sheet", "l.xlsx", xlsx([["排名", "企业名称"], [1, "甲集团"]]), "import-list", (*LIST_ARGS, "--sheet", "没有这张表"), "没有这张表"),
    ("list-xlsx-beyond-header", "l.xlsx", xlsx([["排名", "企业名称"], [1, "甲集团", "多出"]]), "import-list", LIST_ARGS, "beyond the last column"),
    ("list-csv-shifted-quotes", "l.csv", text(H + '1,"甲集团,浙江省,100\n'), "import-list", LIST_ARGS, ""),
    ("profiles-no-name-column", "p.csv", text("英文名称,主营业务\nJia Group,钢铁\n"), "import-profiles", (), "企业名称"),
    ("profiles-empty-name", "p.csv", text(P + ",Jia,,钢铁,杭州\n"), "import-profiles", (), "name"),
    ("profiles-beyond-header", "p.csv", text(P + "甲集团,Jia,,钢铁,杭州,多出\n"), "import-profiles", (), "beyond the last column"),
    ("profiles-short-row", "p.csv", text(P + "甲集团,Jia,,钢铁\n"), "import-profiles", (), "a separator is missing"),
    ("visits-future-date", "v.xlsx", sheet("visits", _set(visit_rows(), 0, "date", "2030-01-01")), "import-visits", ("--today", TODAY), "in the future"),
    ("visits-unknown-team", "v.xlsx", sheet("visits", _set(visit_rows(), 0, "team", "shanghai-team")), "import-visits", ("--today", TODAY), "unknown team"),
    ("visits-unknown-kind", "v.xlsx", sheet("visits", _set(visit_rows(), 0, "kind", "拜访一下")), "import-visits", ("--today", TODAY), "unknown kind"),
    ("visits-impossible-date", "v.xlsx", sheet("visits", _set(visit_rows(), 0, "date", "2026-02-30")), "import-visits", ("--today", TODAY), "not a date"),
    ("visits-unknown-enterprise", "v.xlsx", sheet("visits", _set(visit_rows(), 1, "name", "不存在的某某公司")), "import-visits", ("--today", TODAY), "unknown enterprise"),
    ("visits-no-date-column", "v.csv", text("小分队,企业名称,活动类型,带队领导级别\nqinzhou-gba,京东集团,登门拜访,小分队成员\n"), "import-visits", ("--today", TODAY), "missing required columns"),
    ("projects-unknown-stage", "p.xlsx", sheet("projects", _set(project_rows(), 0, "stage", "已签")), "import-projects", ("--today", TODAY), "unknown stage"),
    ("projects-negative-amount", "p.xlsx", sheet("projects", _set(project_rows(), 0, "amount", "-5000")), "import-projects", ("--today", TODAY), "negative amount"),
    ("projects-unknown-city", "p.xlsx", sheet("projects", _set(project_rows(), 1, "city", "上海市")), "import-projects", ("--today", TODAY), "unknown city"),
    ("projects-infinite-amount", "p.xlsx", sheet("projects", _set(project_rows(), 0, "amount", "inf")), "import-projects", ("--today", TODAY), "not a sane amount"),
    ("projects-400-digit-amount", "p.xlsx", sheet("projects", _set(project_rows(), 0, "amount", "9" * 400)), "import-projects", ("--today", TODAY), "not a sane amount"),
    ("list-zip-bomb", "l.xlsx", zip_bomb, "import-list", LIST_ARGS, "unpacks"),
    ("list-17-billion-cells", "l.xlsx", corner_cells, "import-list", LIST_ARGS, "spans 1048576 rows"),
    ("list-huge-cell", "l.csv", text(H + "1,甲集团," + "浙" * 40000 + ",100\n"), "import-list", LIST_ARGS, "32767"),
    ("list-shift-jis", "l.csv", text("順位,企業名,所在地\n1,トヨタ自動車株式会社,愛知県\n", "shift_jis"), "import-list", LIST_ARGS, "Shift-JIS"),
    ("projects-signed-before-visited", "p.xlsx", sheet("projects", _set(project_rows(), 0, "date_signed", "2026-02-01")), "import-projects", ("--today", TODAY), "earlier"),
]

# (id, file name, how to make it, command, extra arguments, rows it must import)
VALID = [
    ("list-gbk", "l.csv", text(H + "1,甲集团,浙江省,100\n2,乙集团,江苏省,90\n", "gbk"), "import-list", LIST_ARGS, 2),
    ("list-gb18030", "l.csv", text(H + "1,𠀀甲集团,浙江省,100\n", "gb18030"), "import-list", LIST_ARGS, 1),
    ("list-utf8-bom", "l.csv", text("\ufeff" + H + "1,甲集团,浙江省,100\n"), "import-list", LIST_ARGS, 1),
    ("list-tab-separated", "l.tsv", text(H.replace(",", "\t") + "1\t甲集团\t浙江省\t100\n"), "import-list", LIST_ARGS, 1),
    ("list-semicolon", "l.csv", text(H.replace(",", ";") + "1;甲集团;浙江省;100\n2;乙集团;江苏省;90\n"), "import-list", LIST_ARGS, 2),
    ("list-title-rows-xlsx", "l.xlsx", xlsx([["2025中国民营企业500强榜单"], ["单位：万元"], ["排名", "企业名称", "营业收入（万元）"], [1, "甲集团", 100]]), "import-list", LIST_ARGS, 1),
    (
        "list-footnotes",
        "l.csv",
        text(H + "1,甲集团,浙江省,100\n2,乙集团,江苏省,90\n合计,,,190\n注：数据来源于全国工商联\n制表：某某\n"),
        "import-list",
        LIST_ARGS,
        2,
    ),
    ("list-full-width", "l.csv", text("排名,企业名称,营业收入（万元）\n１,ＡＢＣ集团,１００\n"), "import-list", LIST_ARGS, 1),
    ("list-english-headers", "l.csv", text("Rank,Company,Revenues ($M),Country\n1,Alpha Corp,\"1,234.5\",U.S.\n"), "import-list", ("--type", "fortune_global_500", "--year", "2025"), 1),
    ("list-yi-yuan", "l.csv", text("排名,企业名称,营业收入（亿元）\n1,甲集团,1.5\n"), "import-list", LIST_ARGS, 1),
    ("list-unknown-revenue-empty-cell", "l.csv", text(H + "1,甲集团,浙江省,\n"), "import-list", LIST_ARGS, 1),
    ("list-second-sheet", "l.xlsx", xlsx([["说明"], ["见下一张表"]], {"2025": [["排名", "企业名称"], [1, "甲集团"], [2, "乙集团"]]}), "import-list", (*LIST_ARGS, "--sheet", "2025"), 2),
    ("list-panel-years", "l.csv", text("year,rank,company\n2024,1,A Corp\n2025,1,A Corp\n2025,2,B Corp\n"), "import-list", ("--type", "fortune_global_500"), 3),
    ("list-blank-rows-between", "l.csv", text(H + "1,甲集团,浙江省,100\n,,,\n2,乙集团,江苏省,90\n"), "import-list", LIST_ARGS, 2),
    ("list-xlsx-trailing-empty-rows", "l.xlsx", xlsx([["排名", "企业名称"], [1, "甲集团"], [None, None], [None, None]]), "import-list", LIST_ARGS, 1),
    ("list-full-width-brackets", "l.csv", text(H + "1,华为技术（深圳）有限公司,广东省,100\n"), "import-list", LIST_ARGS, 1),
    ("profiles-aliases", "p.csv", text(P + "甲集团有限公司,Jia Group,甲集团；甲公司,钢铁；化工,杭州\n"), "import-profiles", (), 1),
    ("visits-template", "v.xlsx", sheet("visits", visit_rows()), "import-visits", ("--today", TODAY), 3),
    ("visits-template-english-name", "v.xlsx", sheet("visits", visit_rows().assign(name=["京东集团", "恒力集团", "Zhejiang Hengyi Group"])), "import-visits", ("--today", TODAY), 3),
    (
        "visits-csv-chinese-headers-gbk",
        "v.csv",
        text("日期,小分队,企业名称,活动类型,带队领导级别\n2026-03-02,qinzhou-gba,京东集团,登门拜访,小分队成员\n", "gbk"),
        "import-visits",
        ("--today", TODAY),
        1,
    ),
    ("projects-template", "p.xlsx", sheet("projects", project_rows()), "import-projects", ("--today", TODAY), 2),
    ("list-big5-traditional", "l.csv", text(BIG5, "big5"), "import-list", LIST_ARGS, 3),
]


@pytest.fixture
def db(tmp_path):
    from matcher.ingest.lists import parse_list
    from matcher.ingest.tables import read_table
    from matcher.resolve.imports import import_list

    from .conftest import write

    path = tmp_path / "c.db"
    store = Store(path)
    t = read_table(write(tmp_path / "base.csv", LIST))
    import_list(store, parse_list(t), list_type="china_private_top500", year=2026, source_name="base.csv", sha256=t.sha256)
    store.engine.dispose()
    return path


def test_the_corpus_is_large_enough():
    assert len(MALFORMED) >= 30 and len(VALID) >= 20
    assert len({c[0] for c in MALFORMED + VALID}) == len(MALFORMED) + len(VALID)


@pytest.mark.parametrize("case", MALFORMED, ids=[c[0] for c in MALFORMED])
@pytest.mark.usefixtures("english")
def test_a_malformed_file_is_refused_in_one_line_and_changes_nothing(db, tmp_path, case):
    name, filename, make, command, args, words = case
    path = make(tmp_path / filename)
    store = Store(db)
    before = store.snapshot_hash(), store.counts()
    r = run(command, path, *args, db=db)  # an unexpected exception would propagate: no traceback hides here
    assert r.exit_code != 0, r.output
    first = [ln for ln in r.output.splitlines() if ln.strip()][0]
    assert first.startswith("error:") or "Error:" in first, r.output
    assert words in r.output, r.output
    assert "Traceback" not in r.output
    assert (store.snapshot_hash(), store.counts()) == before


@pytest.mark.parametrize("case", VALID, ids=[c[0] for c in VALID])
def test_an_awkward_but_valid_file_is_imported(db, tmp_path, case):
    name, filename, make, command, args, n = case
    path = make(tmp_path / filename)
    r = run(command, path, *args, db=db)
    assert r.exit_code == 0, r.output
    store = Store(db)
    if command in ("import-list", "import-profiles"):
        listing = store.imports()
        got = listing[listing.source_name == path.name]
        assert int(got.entries.sum() + got.profiles.sum()) == n, (r.output, got)
    elif command == "import-visits":
        assert len(store.visits_frame()) == n, r.output
    else:
        assert len(store.projects_frame()) == n, r.output
