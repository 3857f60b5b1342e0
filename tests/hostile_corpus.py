"""A corpus of malformed and awkward-but-valid input files, made by code (seeded), never stored.

:func:`corpus` returns :class:`Case` records ``(name, data, kind, expect, what)``: the file's
name (its suffix decides how it is read), its bytes, the import it is given to (``list``,
``profiles``, ``visits``, ``projects``), the expected outcome (``None``: refused; a number:
imported with that many rows) and what it tests. Every enterprise a visit or project names
is one of :data:`BASE_NAMES`, imported first from :func:`base_list`.

``python -m tests.hostile_corpus`` prints the corpus as a Markdown table.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from typing import NamedTuple

__all__ = ["Case", "BASE_NAMES", "TEAM", "TODAY", "LIST_ARGS", "base_list", "base_history", "corpus", "markdown_table"]

#: The enterprises of the base database (a synthetic list; the names are common Chinese company names).
BASE_NAMES = ("恒力集团有限公司", "浙江恒逸集团有限公司", "比亚迪股份有限公司", "正威国际集团有限公司", "宁德时代新能源科技股份有限公司")
TEAM = "nanning-gba"
TODAY = "2026-11-29"
#: The options of ``matcher import-list`` for a list of the corpus.
LIST_ARGS = ("--type", "china_top500", "--year", "2025")
SEED = 14


class Case(NamedTuple):
    name: str
    data: bytes
    kind: str
    expect: int | None
    what: str


def base_list() -> bytes:
    """The list imported before the corpus: the enterprises visits and projects name."""
    rows = "".join(f"{i},{n},浙江省,{1000 - i}\n" for i, n in enumerate(BASE_NAMES, 1))
    return ("排名,企业名称,所在地区,营业收入（万元）\n" + rows).encode()


def base_history() -> tuple[bytes, bytes, bytes]:
    """A visit and a project imported into the base database after its list (a database in use), and a visit of an unknown name.

    The visit of an unknown name is refused, but its resolution fills in what the resolver keeps on
    first use (counts of name tokens), as the first resolution in any database does.
    """
    visit = VISIT_HEAD + _visit(date="2026-01-05", name=BASE_NAMES[4])
    project = PROJECT_HEAD + _project(name=BASE_NAMES[4], city="钦州市")
    unknown = VISIT_HEAD + _visit(date="2026-01-06", name="预热用未知企业有限公司")
    return visit.encode(), project.encode(), unknown.encode()


# ----------------------------------------------------------------------------- makers


def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def _xlsx(rows, *, merge: tuple[str, ...] = ()) -> bytes:
    """A workbook of ``rows`` (the same bytes every time: fixed timestamps)."""
    import openpyxl

    from matcher._files import FIXED_TIME, normalise_zip

    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    for ref in merge:
        ws.merge_cells(ref)
    out = io.BytesIO()
    wb.save(out)
    return normalise_zip(out.getvalue())


def _huge_cell_xlsx() -> bytes:
    """A workbook with a cell of 33,000 characters (openpyxl cuts what it writes to 32,767: the sheet XML is edited)."""
    data = _xlsx([["排名", "企业名称"], [1, "大" * 32767]])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    return _replace_part(data, "xl/worksheets/sheet1.xml", xml.replace(("大" * 32767).encode(), ("大" * 33000).encode()))


def _replace_part(data: bytes, part: str, body: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    parts[part] = body
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for name, body_ in parts.items():
            dst.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), body_, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def _zip_bomb() -> bytes:
    data = _xlsx([["排名", "企业名称"], [1, BASE_NAMES[0]]])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    return _replace_part(data, "xl/worksheets/sheet1.xml", xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 3_000_000))


def _corner_cells() -> bytes:
    import openpyxl

    from matcher._files import FIXED_TIME, normalise_zip

    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.active["A1"] = "企业名称"
    wb.active["XFD1048576"] = "x"
    out = io.BytesIO()
    wb.save(out)
    return normalise_zip(out.getvalue())


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + bytes(3 * 4) for _ in range(4))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


LIST_HEAD = "排名,企业名称,所在地区,营业收入（万元）\n"
PROFILE_HEAD = "企业名称,英文名称,所属行业,省份,城市,企业性质\n"
VISIT_HEAD = "日期,小分队,企业名称,活动类型,带队领导级别\n"
PROJECT_HEAD = "企业名称,所在市,投资额（万元）,到位资金（万元）,当前阶段,签约日期\n"


def _list_rows(n: int, rng: random.Random, start: int = 1) -> str:
    return "".join(f"{i},合成企业{rng.randrange(10**6):06d}号有限公司,广东省,{rng.randrange(100, 10**6)}\n" for i in range(start, start + n))


def _visit(date: str = "2026-03-02", team: str = TEAM, name: str = BASE_NAMES[0], kind: str = "登门拜访", level: str = "小分队成员") -> str:
    return f"{date},{team},{name},{kind},{level}\n"


def _project(name: str = BASE_NAMES[0], city: str = "南宁市", amount: str = "5000", arrived: str = "1000", stage: str = "签约", signed: str = "2026-03-02") -> str:
    return f"{name},{city},{amount},{arrived},{stage},{signed}\n"


# ----------------------------------------------------------------------------- the corpus


def _malformed(rng: random.Random) -> list[Case]:
    ok = _list_rows(3, rng)
    L, P, V, J = "list", "profiles", "visits", "projects"
    cases = [
        # -- files that are no table at all
        Case("empty.csv", b"", L, None, "an empty file"),
        Case("blank.csv", b"  \r\n\t\n\n", L, None, "only whitespace"),
        Case("header-only.csv", _csv(LIST_HEAD), L, None, "a header and no data rows"),
        Case("header-only.xlsx", _xlsx([["排名", "企业名称", "所在地区"]]), L, None, "a workbook with a header and no data rows"),
        Case("empty-sheet.xlsx", _xlsx([]), L, None, "a workbook whose sheet is empty"),
        Case("numbers-only.csv", _csv("".join(f"{rng.random()},{rng.random()}\n" for _ in range(40))), L, None, "no header row anywhere"),
        Case("png-renamed.xlsx", _png(), L, None, "a PNG image renamed .xlsx"),
        Case("png-renamed.csv", _png(), L, None, "a PNG image renamed .csv (NUL bytes)"),
        Case("truncated.xlsx", _xlsx([["排名", "企业名称"], [1, BASE_NAMES[0]]])[:1500], L, None, "a workbook cut off half-way"),
        Case("random-bytes.xlsx", rng.randbytes(4096), L, None, "random bytes named .xlsx"),
        Case("zip-not-workbook.xlsx", _zip_of({"hello.txt": b"not a workbook"}), L, None, "a zip file that is no workbook"),
        Case("old-format.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), L, None, "an old .xls workbook"),
        Case("utf16.csv", _csv(LIST_HEAD + ok, "utf-16"), L, None, "UTF-16 text (Excel's 'Unicode text'), refused as not UTF-8/GBK"),
        Case("shift-jis.csv", _csv("順位,会社名,所在地\n1,トヨタ自動車株式会社,愛知県\n2,ソニーグループ株式会社,東京都\n", "shift_jis"), L, None, "Japanese Shift-JIS"),
        Case("nul-late.csv", _csv(LIST_HEAD + _list_rows(600, rng) + "601,坏\x00企业,广东省,1\n"), L, None, "a NUL byte deep in the file (past 4 KB)"),
        Case("latin1-garbage.csv", bytes(rng.randrange(0x80, 0x100) for _ in range(3000)), L, None, "high bytes that decode to nonsense"),
        # -- limits
        Case("zip-bomb.xlsx", _zip_bomb(), L, None, "a zip bomb: 3 MB of sheet XML packed ~1000:1"),
        Case("corner-cells.xlsx", _corner_cells(), L, None, "cells at A1 and XFD1048576: 17 billion cells"),
        Case("huge-cell.csv", _csv(LIST_HEAD + f"1,{'巨' * 40000},广东省,1\n"), L, None, "a cell of 40,000 characters"),
        Case("huge-cell.xlsx", _huge_cell_xlsx(), L, None, "a workbook cell of 33,000 characters, beyond Excel's 32,767"),
        # -- structure
        Case("no-name-column.csv", _csv("排名,所在地区,营业收入（万元）\n1,广东省,100\n"), L, None, "no enterprise-name column"),
        Case("no-rank-column.csv", _csv("企业名称,所在地区\n" + BASE_NAMES[0] + ",浙江省\n"), L, None, "a ranked list without ranks"),
        Case("shifted-row.csv", _csv(LIST_HEAD + ok + "4,多一列企业有限公司,广东省,100,多余\n"), L, None, "a row with more cells than the header"),
        Case("short-row.csv", _csv(LIST_HEAD + ok + "4,少一列企业有限公司\n"), L, None, "a row missing a separator"),
        Case("empty-name.csv", _csv(LIST_HEAD + "1,,广东省,100\n2,某企业有限公司,广东省,90\n"), L, None, "an empty enterprise name"),
        Case("unterminated-quote.csv", _csv(LIST_HEAD + '1,"未闭合引号企业,广东省,100\n2,乙企业,广东省,90\n'), L, None, "a quote never closed: the rest is one cell"),
        # -- ranks
        Case("negative-rank.csv", _csv(LIST_HEAD + "-3,负排名企业有限公司,广东省,100\n"), L, None, "a negative rank"),
        Case("zero-rank.csv", _csv(LIST_HEAD + "0,零排名企业有限公司,广东省,100\n"), L, None, "rank 0"),
        Case("fraction-rank.csv", _csv(LIST_HEAD + "1.5,小数排名企业有限公司,广东省,100\n"), L, None, "rank 1.5"),
        Case("duplicate-rank.csv", _csv(LIST_HEAD + "1,甲企业有限公司,广东省,100\n1,乙企业有限公司,广东省,90\n"), L, None, "two entries of rank 1"),
        Case("rank-400-digits.csv", _csv(LIST_HEAD + "9" * 400 + ",长数字企业有限公司,广东省,100\n"), L, None, "a 400-digit rank"),
        Case("rank-inf.csv", _csv(LIST_HEAD + "inf,无穷企业有限公司,广东省,100\n"), L, None, "rank inf"),
        Case("rank-nan.csv", _csv(LIST_HEAD + "nan,非数企业有限公司,广东省,100\n"), L, None, "rank nan"),
        Case("rank-text.csv", _csv(LIST_HEAD + "第一,文字排名企业有限公司,广东省,100\n"), L, None, "a rank in words"),
        Case("rank-1e999.csv", _csv(LIST_HEAD + "1e999,指数企业有限公司,广东省,100\n"), L, None, "rank 1e999 (overflows to inf)"),
        # -- revenues
        Case("revenue-1e999.csv", _csv(LIST_HEAD + "1,大营收企业有限公司,广东省,1e999\n"), L, None, "revenue 1e999"),
        Case("revenue-400-digits.csv", _csv(LIST_HEAD + "1,长营收企业有限公司,广东省," + "7" * 400 + "\n"), L, None, "a 400-digit revenue"),
        Case("revenue-inf.csv", _csv(LIST_HEAD + "1,无穷营收企业有限公司,广东省,-inf\n"), L, None, "revenue -inf"),
        Case("revenue-nan.csv", _csv(LIST_HEAD + "1,非数营收企业有限公司,广东省,NaN\n"), L, None, "revenue NaN"),
        Case("revenue-words.csv", _csv(LIST_HEAD + "1,文字营收企业有限公司,广东省,约一百亿\n"), L, None, "revenue in words"),
        # -- years
        Case("year-column-2206.csv", _csv("年份,排名,企业名称\n2206,1,年份错企业有限公司\n"), "list-panel", None, "an edition year 2206 (a typo)"),
        Case("year-column-words.csv", _csv("年份,排名,企业名称\n去年,1,年份错企业有限公司\n"), "list-panel", None, "an edition year in words"),
        # -- workbooks
        Case("formula-rank.xlsx", _xlsx([["排名", "企业名称"], ["=1+1", "公式企业有限公司"]]), L, None, "a rank that is a formula never calculated"),
        Case(
            "merged-header.xlsx",
            _xlsx([["排名", "企业名称", "所在地区", None], [1, "合并表头企业有限公司", "广东省", "深圳市"]], merge=("C1:D1",)),
            L,
            None,
            "a header cell merged over two columns, data under both: the second has no header",
        ),
        Case(
            "two-row-header.xlsx",
            _xlsx([["排名", "企业名称", "所在地区", None], [None, None, "省", "市"], [1, "双层表头企业有限公司", "广东省", "深圳市"]], merge=("C1:D1", "A1:A2", "B1:B2")),
            L,
            None,
            "a two-row header (所在地区 over 省 / 市): its second row is read as data and refused",
        ),
        # -- profiles
        Case("profiles-empty.csv", b"", P, None, "an empty profile file"),
        Case("profiles-no-name.csv", _csv("英文名称,所属行业\nHengli,化工\n"), P, None, "profiles without a name column"),
        Case("profiles-duplicate.csv", _csv(PROFILE_HEAD + f"{BASE_NAMES[0]},Hengli,化工,江苏省,苏州市,民营\n" * 2), P, None, "the same enterprise twice"),
        Case("profiles-ownership.csv", _csv(PROFILE_HEAD + f"{BASE_NAMES[0]},Hengli,化工,江苏省,苏州市,国营合资\n"), P, None, "an unknown ownership"),
        Case("profiles-empty-name.csv", _csv(PROFILE_HEAD + ",Nobody,化工,江苏省,苏州市,民营\n"), P, None, "an empty name"),
        Case("profiles-huge-cell.csv", _csv(PROFILE_HEAD + f"{BASE_NAMES[0]},x,{'化' * 33000},江苏省,苏州市,民营\n"), P, None, "a 33,000-character industry"),
        # -- visits
        Case("visits-header-only.csv", _csv(VISIT_HEAD), V, None, "a visit log with no rows"),
        Case("visits-no-date.csv", _csv("小分队,企业名称,活动类型,带队领导级别\n" + f"{TEAM},{BASE_NAMES[0]},登门拜访,小分队成员\n"), V, None, "no date column"),
        Case("visits-future.csv", _csv(VISIT_HEAD + _visit(date="2027-01-05")), V, None, "a visit in the future"),
        Case("visits-1999.csv", _csv(VISIT_HEAD + _visit(date="1999-12-31")), V, None, "a visit before 2000"),
        Case("visits-feb30.csv", _csv(VISIT_HEAD + _visit(date="2026-02-30")), V, None, "30 February"),
        Case("visits-words-date.csv", _csv(VISIT_HEAD + _visit(date="三月二日")), V, None, "a date in words"),
        Case("visits-empty-date.csv", _csv(VISIT_HEAD + _visit(date="")), V, None, "an empty date"),
        Case("visits-team.csv", _csv(VISIT_HEAD + _visit(team="no-such-team")), V, None, "an unknown team"),
        Case("visits-unknown-name.csv", _csv(VISIT_HEAD + _visit(name="查无此企业有限公司")), V, None, "an enterprise not in the database"),
        Case("visits-kind.csv", _csv(VISIT_HEAD + _visit(kind="喝茶")), V, None, "an unknown kind of visit"),
        Case("visits-duplicate.csv", _csv(VISIT_HEAD + _visit() + _visit()), V, None, "the same visit twice"),
        Case(
            "visits-merged-cells.xlsx",
            _xlsx([VISIT_HEAD.strip().split(","), _visit().strip().split(","), ["2026-03-03", TEAM, BASE_NAMES[1], "登门拜访", "小分队成员"]], merge=("B2:B3",)),
            V,
            None,
            "merged cells in the data rows",
        ),
        # -- projects
        Case("projects-negative.csv", _csv(PROJECT_HEAD + _project(amount="-5000")), J, None, "a negative investment"),
        Case("projects-1e999.csv", _csv(PROJECT_HEAD + _project(amount="1e999")), J, None, "an investment of 1e999"),
        Case("projects-inf.csv", _csv(PROJECT_HEAD + _project(amount="inf")), J, None, "an investment of inf"),
        Case("projects-nan.csv", _csv(PROJECT_HEAD + _project(arrived="nan")), J, None, "arrived money nan"),
        Case("projects-400-digits.csv", _csv(PROJECT_HEAD + _project(amount="9" * 400)), J, None, "a 400-digit investment"),
        Case("projects-arrived.csv", _csv(PROJECT_HEAD + _project(amount="100", arrived="500")), J, None, "more money arrived than invested"),
        Case("projects-city.csv", _csv(PROJECT_HEAD + _project(city="杭州市")), J, None, "a city outside Guangxi"),
        Case("projects-stage.csv", _csv(PROJECT_HEAD + _project(stage="快签了")), J, None, "an unknown stage"),
        Case("projects-stage-no-date.csv", _csv(PROJECT_HEAD + _project(signed="")), J, None, "a signed project without its signing date"),
        Case("projects-no-stage-column.csv", _csv("企业名称,所在市\n" + f"{BASE_NAMES[0]},南宁市\n"), J, None, "no stage column"),
    ]
    return cases


def _zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in parts.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), body)
    return out.getvalue()


def _valid(rng: random.Random) -> list[Case]:
    L, P, V, J = "list", "profiles", "visits", "projects"
    rows = _list_rows(3, rng)
    day = dt.datetime(2026, 3, 2)
    visit_row = [["2026-03-04", TEAM, BASE_NAMES[2], "登门拜访", "小分队成员"]]
    return [
        Case("utf8.csv", _csv(LIST_HEAD + rows), L, 3, "UTF-8 without BOM"),
        Case("utf8-bom.csv", _csv(LIST_HEAD + rows, "utf-8-sig"), L, 3, "UTF-8 with BOM (Excel's CSV UTF-8)"),
        Case("gb18030.csv", _csv(LIST_HEAD + rows + "4,䶮龘企业有限公司,广西壮族自治区,5\n", "gb18030"), L, 4, "GB18030 (rare characters beyond GBK)"),
        Case("gbk.csv", _csv(LIST_HEAD + rows, "gbk"), L, 3, "GBK, as Excel saves on a Chinese Windows"),
        Case(
            "big5.csv",
            _csv("排名,企業名稱,所在地區,營業收入\n1,台灣積體電路製造股份有限公司,台灣,100\n2,鴻海精密工業股份有限公司,台灣,90\n", "big5"),
            L,
            2,
            "Big5 with traditional headers",
        ),
        Case("crlf.csv", _csv((LIST_HEAD + rows).replace("\n", "\r\n")), L, 3, "Windows line ends"),
        Case("tabs.tsv", _csv((LIST_HEAD + rows).replace(",", "\t")), L, 3, "tab-separated"),
        Case("semicolons.csv", _csv((LIST_HEAD + rows).replace(",", ";")), L, 3, "semicolon-separated"),
        Case("title-rows.csv", _csv("2025年中国企业500强榜单\n发布单位：某协会,,,\n\n" + LIST_HEAD + rows), L, 3, "title rows above the header"),
        Case(
            "title-merged.xlsx",
            _xlsx([["2025年中国企业500强", None, None], ["排名", "企业名称", "所在地区"], [1, "标题合并企业有限公司", "广东省"], [2, "乙企业有限公司", "广东省"]], merge=("A1:C1",)),
            L,
            2,
            "a merged title row in a workbook",
        ),
        Case("full-width.csv", _csv(LIST_HEAD + "１,全角数字企业有限公司,广东省,１２３４\n２,乙企业有限公司,广东省,１，０００\n"), L, 2, "full-width digits and commas"),
        Case("english-headers.csv", _csv("Rank,Company,Country,Revenues ($M)\n1,Walmart,USA,648125\n2,Amazon,USA,574785\n"), L, 2, "English headers"),
        Case("notes-at-bottom.csv", _csv(LIST_HEAD + rows + "注：营业收入为2024年数据,,,\n数据来源：某协会,,,\n"), L, 3, "footnote and source rows at the bottom"),
        Case("spacer-rows.csv", _csv(LIST_HEAD + rows.replace("\n", "\n,,,\n", 1)), L, 3, "an empty row between data rows"),
        Case("zero-width.csv", _csv(LIST_HEAD + "1,零\u200b宽\ufeff字符企业有限公司,广东省,100\n"), L, 1, "zero-width characters in a name"),
        Case("quoted.csv", _csv(LIST_HEAD + '1,"带,逗号企业有限公司",广东省,"1,000"\n2,"带""引号""企业",广东省,90\n'), L, 2, "quoted cells with commas and quotes"),
        Case("duplicate-headers.csv", _csv("排名,企业名称,所在地区,所在地区\n1,重复表头企业有限公司,广东省,深圳\n"), L, 1, "the same header twice"),
        Case("float-ranks.xlsx", _xlsx([["排名", "企业名称", "营业收入（亿元）"], [1.0, "浮点排名企业有限公司", 12.5], [2.0, "乙企业有限公司", 11]]), L, 2, "ranks stored as 1.0, revenue in 亿元"),
        Case("formula-extra.xlsx", _xlsx([["排名", "企业名称", "备注"], [1, "公式备注企业有限公司", "=A2*2"]]), L, 1, "a formula in a column not imported"),
        Case("shuffled.csv", _csv("营业收入（万元）,所在地区,企业名称,排名\n100,广东省,列序企业有限公司,1\n"), L, 1, "columns in another order"),
        Case("profiles.csv", _csv(PROFILE_HEAD + f"{BASE_NAMES[0]},Hengli Group,石化,江苏省,苏州市,民营企业\n{BASE_NAMES[3]},Amer,有色金属,广东省,深圳市,民企\n"), P, 2, "profiles with Chinese ownership words"),
        Case("profiles-english.csv", _csv("Company,English name,Industry,Ownership\n" + f"{BASE_NAMES[2]},BYD,Automobiles,private\n"), P, 1, "profiles with English headers"),
        Case(
            "visits-date-formats.csv",
            _csv(
                VISIT_HEAD
                + "".join(
                    _visit(date=d, name=n)
                    for d, n in zip(("2026-03-02", "2026/3/3", "2026年3月4日", "20260305", "2026.3.6"), BASE_NAMES)
                )
            ),
            V,
            5,
            "dates as 2026-03-02, 2026/3/3, 2026年3月4日, 20260305, 2026.3.6",
        ),
        Case("visits-excel-dates.xlsx", _xlsx([VISIT_HEAD.strip().split(","), [day, TEAM, BASE_NAMES[1], "登门拜访", "小分队成员"]] + visit_row), V, 2, "real Excel dates and text dates"),
        Case("visits-full-width.csv", _csv(VISIT_HEAD + _visit(date="２０２６－０３－０２")), V, 1, "a full-width date"),
        Case("visits-control-chars.csv", _csv(VISIT_HEAD + _visit(team=TEAM + "\x07\x1b")), V, 1, "control characters in a team id (removed on reading: they mean nothing)"),
        Case("projects.csv", _csv(PROJECT_HEAD + _project() + _project(name=BASE_NAMES[1], city="柳州", amount='"1,200"', arrived="")), J, 2, "projects, a city without 市, an amount with a comma"),
    ]


def corpus(seed: int = SEED) -> list[Case]:
    """Every case, malformed first; the same bytes for the same seed."""
    rng = random.Random(seed)
    return _malformed(rng) + _valid(rng)


def markdown_table(cases: list[Case] | None = None) -> str:
    """The corpus as a Markdown table: name, kind, what it tests, expected outcome."""
    cases = corpus() if cases is None else cases
    lines = ["| file | import | what it tests | expected |", "|---|---|---|---|"]
    for c in cases:
        outcome = "refused, one line, database unchanged" if c.expect is None else f"imported, {c.expect} row{'' if c.expect == 1 else 's'}"
        lines.append(f"| `{c.name}` | {c.kind} | {c.what} | {outcome} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
