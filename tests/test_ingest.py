"""Reading lists as they arrive: encodings, headers, title rows, full width."""

import pandas as pd
import pytest
from openpyxl import Workbook

from matcher.errors import InputError
from matcher.ingest.lists import parse_list, parse_profiles
from matcher.ingest.tables import read_table

from .conftest import write

GBK_LIST = '排名,企业名称,所在地区,营业收入（万元）\n1,京东集团,北京市,"130,908,500"\n2,恒力集团有限公司,江苏省,89906901\n'


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_csv_in_any_common_encoding(tmp_path, encoding):
    t = read_table(write(tmp_path / "l.csv", GBK_LIST, encoding))
    d = parse_list(t)
    assert list(d.name) == ["京东集团", "恒力集团有限公司"]
    assert list(d["rank"]) == [1, 2]
    assert d.revenue.tolist() == [130908500.0, 89906901.0]
    assert d.revenue_unit.iloc[0] == "CNY_10k"
    assert list(d.province) == ["北京市", "江苏省"]


def test_full_width_cells_and_headers(tmp_path):
    text = "名次，公司名称，行业\n１，ＡＢＣ科技有限公司，软件\n２，测试（集团）有限公司，医药\n".replace("，", ",")
    d = parse_list(read_table(write(tmp_path / "fw.csv", text)))
    assert list(d["rank"]) == [1, 2]
    assert d.name.iloc[0] == "ABC科技有限公司"
    assert d.name.iloc[1] == "测试(集团)有限公司"


def test_english_headers_tab_separated(tmp_path):
    text = "rank\tcompany\trevenues ($M)\tindustry\thq_location\n1\tWalmart\t$485,873\tGeneral Merchandisers\tBentonville, AR\n"
    d = parse_list(read_table(write(tmp_path / "f.tsv", text)))
    assert d.name.tolist() == ["Walmart"]
    assert d.revenue.tolist() == [485873.0]
    assert d.revenue_unit.iloc[0] == "USD_m"
    assert d.hq.iloc[0] == "Bentonville, AR"


def test_excel_with_merged_title_rows(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "2024榜单"
    ws["A1"] = "2024中国制造业企业500强榜单"
    ws.merge_cells("A1:D1")
    ws["A2"] = "单位：万元"
    ws.append([])
    ws.append(["2024排名", "企业名称", "营业收入(万元)", "所属行业"])
    ws.append([1, "中国石油化工集团有限公司", 320000000, "石油、化工"])
    ws.append([2, "比亚迪股份有限公司", 60230000, "汽车"])
    ws.append([None, None, None, None])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    t = read_table(path, sheet="2024榜单")
    assert t.first_row == 5
    d = parse_list(t)
    assert d.name.tolist() == ["中国石油化工集团有限公司", "比亚迪股份有限公司"]
    assert d.source_row.tolist() == [5, 6]
    assert d.industry.tolist() == ["石油、化工", "汽车"]


def test_panel_with_year_column_allows_repeated_ranks_across_years(tmp_path):
    text = "company,year,rank\nA,2023,1\nB,2023,2\nB,2024,1\nA,2024,2\n"
    d = parse_list(read_table(write(tmp_path / "p.csv", text)))
    assert d.year.tolist() == [2023, 2023, 2024, 2024]


def test_unranked_list_needs_no_rank(tmp_path):
    d = parse_list(read_table(write(tmp_path / "u.csv", "company,city\nSHEIN,Shenzhen\n")), ranked=False)
    assert d["rank"].isna().all()


def test_accounting_negative_and_thousands(tmp_path):
    text = 'rank,name,revenue\n1,A,"(1,234)"\n2,B,"2,000.5"\n3,C,\n'
    d = parse_list(read_table(write(tmp_path / "n.csv", text)))
    assert d.revenue.tolist()[:2] == [-1234.0, 2000.5]
    assert pd.isna(d.revenue.iloc[2])


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "name, content, match",
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"  \n\n", "empty"),
        ("header_only.csv", "排名,企业名称\n".encode(), "no data rows"),
        ("no_name.csv", b"rank,revenue\n1,2\n", "no header row|name"),
        ("no_rank.csv", "企业名称,营业收入,备注\n甲公司,1,x\n".encode(), "missing required column.*Found: '企业名称', '营业收入', '备注'$"),
        ("dup_rank.csv", "排名,企业名称\n1,甲\n1,乙\n".encode(), r"row 3, column '排名'.*duplicate rank.*row 2"),
        ("bad_revenue.csv", "排名,企业名称,营业收入\n1,甲,一百\n".encode(), r"row 2, column '营业收入', value '一百': expected a number"),
        ("bad_rank.csv", b"rank,name\nabc,A\n", r"row 2, column 'rank', value 'abc'"),
        ("zero_rank.csv", b"rank,name\n0,A\n", "rank >= 1"),
        ("half_rank.csv", b"rank,name\n1.5,A\n", "whole number"),
        ("empty_name.csv", b"rank,name\n1,A\n2,\n", r"row 3, column 'name'.*empty"),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        ("latin1.csv", b"rank,name\n1,Soci\xe9t\xe9 G\xe9n\xe9rale\x80\n", "cannot decode"),
        ("broken.xlsx", b"PK\x03\x04 this is not a workbook", "cannot open the workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0", r"\.xls workbooks are not supported"),
        ("bad_year.csv", b"rank,name,year\n1,A,20x4\n", "year|number"),
    ],
)
@pytest.mark.usefixtures("english")
def test_bad_list_files_name_file_row_column_value(tmp_path, name, content, match):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=match) as err:
        parse_list(read_table(path))
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.usefixtures("english")
def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="is a folder"):
        read_table(tmp_path)


@pytest.mark.usefixtures("english")
def test_unknown_sheet_lists_the_sheets(tmp_path):
    wb = Workbook()
    wb.active.title = "Data"
    wb.active.append(["rank", "name"])
    wb.active.append([1, "A"])
    wb.save(tmp_path / "w.xlsx")
    with pytest.raises(InputError, match="no sheet named 'Other'; the workbook has: Data"):
        read_table(tmp_path / "w.xlsx", sheet="Other")


@pytest.mark.usefixtures("english")
def test_profiles_ownership_in_chinese_and_bad_value(tmp_path):
    ok = "企业名称,英文名称,企业性质\n甲集团,Jia Group,央企\n乙公司,,民营\n"
    p = parse_profiles(read_table(write(tmp_path / "p.csv", ok)))
    assert p.ownership.tolist() == ["central_soe", "private"]
    bad = "企业名称,企业性质\n甲集团,合资\n"
    with pytest.raises(InputError, match=r"row 2, column '企业性质', value '合资': unknown ownership"):
        parse_profiles(read_table(write(tmp_path / "b.csv", bad)))


@pytest.mark.usefixtures("english")
def test_errors_report_how_many_more(tmp_path):
    text = "rank,name,revenue\n1,A,x\n2,B,y\n3,C,z\n"
    with pytest.raises(InputError, match=r"and 2 more problems"):
        parse_list(read_table(write(tmp_path / "m.csv", text)))


@pytest.mark.usefixtures("english")
def test_footnote_source_and_total_rows_at_the_bottom_are_left_out_and_named(tmp_path):
    path = write(
        tmp_path / "l.csv",
        "排名,企业名称,营业收入（万元）\n1,甲集团,100\n2,乙集团,90\n合计,,190\n\n注：数据来源于全国工商联\n制表：某某\n",
    )
    t = read_table(path)
    assert list(t.frame["name"]) == ["甲集团", "乙集团"]
    assert t.skipped == ("row 4: 合计", "row 6: 注:数据来源于全国工商联", "row 7: 制表:某某")  # cells are NFKC-folded


def test_an_unknown_value_is_an_empty_cell_and_excel_rows_are_not_counted(tmp_path):
    t = read_table(write(tmp_path / "l.csv", "排名,企业名称,省份,营业收入\n1,甲集团,浙江省,100\n2,乙集团,浙江省,\n"))
    assert list(t.frame["revenue"]) == ["100", ""]
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["排名", "企业名称", "省份", "营业收入"], [1, "甲集团", "浙江省", 100], [2, "乙集团", "浙江省"]):
        ws.append(row)
    wb.save(tmp_path / "l.xlsx")
    assert list(read_table(tmp_path / "l.xlsx").frame["name"]) == ["甲集团", "乙集团"]


def test_a_name_that_starts_like_a_note_is_kept(tmp_path):
    t = read_table(write(tmp_path / "l.csv", "排名,企业名称\n1,来源集团有限公司\n2,注意力科技有限公司\n"))
    assert list(t.frame["name"]) == ["来源集团有限公司", "注意力科技有限公司"] and t.skipped == ()


@pytest.mark.parametrize(
    "text, message",
    [
        ("排名,企业名称\n1,甲集团,多出的一格\n", r"row 2, value '多出的一格': a value beyond the last column of the header"),
        ("排名,企业名称,营业收入\n1,甲集团," + "9" * 400 + "\n", r"row 2, column '营业收入'.*expected a number \(finite"),
        ("排名,企业名称,营业收入\n1,甲集团,inf\n", r"expected a number \(finite"),
        # A row short of a cell is a missing separator, not an unknown revenue.
        ("排名,企业名称,省份,营业收入\n1,甲集团,浙江省,100\n2,乙集团,浙江省\n", r"row 3, value '2,乙集团,浙江省': the row has 3 cells but the header has 4"),
    ],
)
@pytest.mark.usefixtures("english")
def test_rows_that_do_not_fit_the_header_or_a_sane_range_are_refused(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        parse_list(read_table(write(tmp_path / "bad.csv", text)))


@pytest.mark.usefixtures("english")
def test_a_typo_year_is_refused_before_it_can_supersede_the_real_edition(tmp_path):
    from matcher.errors import MatcherError
    from matcher.ingest.editions import split_editions

    t = read_table(write(tmp_path / "l.csv", "排名,企业名称\n1,甲集团\n"))
    with pytest.raises(MatcherError, match="year 2206 is outside 1990"):
        split_editions(parse_list(t), t, 2206)
    panel = read_table(write(tmp_path / "p.csv", "year,rank,company\n2024,1,A\n2206,1,B\n"))
    with pytest.raises(InputError, match=r"row 3, column 'year', value '2206': expected a year from 1990"):
        parse_list(panel)


@pytest.mark.usefixtures("english")
def test_a_chinese_list_imported_as_the_fortune_list_is_warned_about(tmp_path):
    from matcher.ingest.lists import type_warnings

    t = read_table(write(tmp_path / "l.csv", "排名,企业名称,营业收入（万元）\n1,甲集团,100\n2,乙集团,90\n"))
    entries = parse_list(t)
    warnings = type_warnings(entries, "USD_m", "世界500强")
    assert len(warnings) == 2 and "CNY_10k" in warnings[0] and "100% of the names are Chinese" in warnings[1]
    assert type_warnings(entries, "CNY_10k", "中国民营企业500强") == []


@pytest.mark.usefixtures("english")
def test_empty_rows_between_entries_are_skipped_and_rows_keep_their_numbers(tmp_path):
    t = read_table(write(tmp_path / "l.csv", "排名,企业名称,营业收入\n1,甲集团,100\n,,\n2,乙集团,90\n"))
    assert list(t.frame["name"]) == ["甲集团", "乙集团"] and t.row_numbers().tolist() == [2, 4]
    assert parse_list(t).source_row.tolist() == [2, 4]
    with pytest.raises(InputError, match=r"row 5, column '营业收入', value 'x'"):
        parse_list(read_table(write(tmp_path / "m.csv", "排名,企业名称,营业收入\n1,甲集团,100\n,,\n\n3,丙集团,x\n")))


def test_invisible_characters_make_no_second_enterprise(tmp_path):
    """Zero-width spaces and joiners, BOMs and direction marks inside a name are read away."""
    from matcher._text import normalize_name, normalize_names

    names = ["恒力集团", "恒力\u200b集团", "\ufeff恒力集团", "恒\u200d力集团", "恒力\u202e集团", "恒力\u00ad集团"]
    assert normalize_names(pd.Series(names)).nunique() == 1
    assert {normalize_name(n) for n in names} == {"恒力"}
    rows = "".join(f"{i + 1},{n}\n" for i, n in enumerate(names[1:3]))
    t = read_table(write(tmp_path / "z.csv", "排名,企业名称\n" + rows))
    assert list(t.frame["name"]) == ["恒力集团", "恒力集团"]
