"""Errors a user meets come from the message catalogue: Chinese by default, English on request.

Each error keeps what it names (file, row, column, value, key path) in both languages.
"""

from __future__ import annotations

import shutil

import pytest

from matcher.config.load import default_config_path, load_config
from matcher.errors import ConfigError, InputError, SheetError, StoreError
from matcher.i18n import language
from matcher.ingest.lists import parse_list
from matcher.ingest.tables import read_table
from matcher.store.core import Store

from .conftest import write


def _error(kind, action):
    with pytest.raises(kind) as err:
        action()
    return str(err.value)


def test_a_bad_csv_value_names_file_row_column_and_value_in_both_languages(tmp_path):
    path = write(tmp_path / "榜单.csv", "排名,企业名称,营业收入\n1,甲集团,abc\n2,乙集团,x\n")
    zh = _error(InputError, lambda: parse_list(read_table(path)))
    assert zh == f"文件 {path}，第 2 行，“营业收入”列，值“abc”：应为数字（有限值，小于 1e+15）（该文件另有 1 处问题）"
    with language("en"):
        en = _error(InputError, lambda: parse_list(read_table(path)))
    assert en == f"{path}, row 2, column '营业收入', value 'abc': expected a number (finite, below 1e+15) (and 1 more problem in this file)"


def test_a_duplicate_rank_names_both_rows_in_both_languages(tmp_path):
    path = write(tmp_path / "l.csv", "rank,name\n1,A\n1,B\n")
    zh = _error(InputError, lambda: parse_list(read_table(path)))
    assert "第 3 行，“rank”列，值“1”：排名重复；排名 1 已在第 2 行使用" in zh
    with language("en"):
        en = _error(InputError, lambda: parse_list(read_table(path)))
    assert "row 3, column 'rank', value '1': duplicate rank; rank 1 is already used in row 2" in en


def test_a_missing_file_in_both_languages(tmp_path):
    path = tmp_path / "没有.csv"
    assert _error(InputError, lambda: read_table(path)) == f"文件 {path}：找不到文件"
    with language("en"):
        assert _error(InputError, lambda: read_table(path)) == f"{path}: file not found"


def test_a_configuration_problem_names_file_and_key_in_both_languages(tmp_path):
    for f in default_config_path().parent.iterdir():
        if f.suffix in (".toml", ".csv"):
            shutil.copy(f, tmp_path / f.name)
    main = tmp_path / "config.toml"
    text = main.read_text(encoding="utf-8")
    assert "w_tier = 0.4" in text
    main.write_text(text.replace("w_tier = 0.4", "w_tier = -0.25", 1).replace("[scoring]", "[scoring]\nw_chian = 1", 1), encoding="utf-8")
    zh = _error(ConfigError, lambda: load_config(tmp_path))
    assert zh.startswith("配置有误（共 2 处问题）：")
    assert "config.toml: [scoring] w_tier：取值应 >= 0，实际为 -0.25" in zh
    assert "config.toml: [scoring] w_chian：未知的键；是否应为 w_chain？" in zh
    with language("en"):
        en = _error(ConfigError, lambda: load_config(tmp_path))
    assert en.startswith("invalid configuration (2 problems):")
    assert "config.toml: [scoring] w_tier: must be >= 0, got -0.25" in en
    assert "config.toml: [scoring] w_chian: unknown key; did you mean w_chain?" in en


def test_a_bad_sheet_lists_its_rows_in_both_languages():
    problems = [(3, "日期 Date", "2026-13-01", "not a date; expected YYYY-MM-DD such as 2026-03-02"), (5, None, None, "duplicate of row 4")]
    zh = str(SheetError("拜访.xlsx", problems))
    assert zh.startswith("文件 拜访.xlsx：2 行有误，未导入任何数据：\n")
    assert "第 3 行，“日期 Date”列，值“2026-13-01”：" in zh and "第 5 行：" in zh
    with language("en"):
        en = str(SheetError("拜访.xlsx", problems))
    assert en.startswith("拜访.xlsx: 2 bad rows, nothing imported:\n")
    assert "row 3, column '日期 Date', value '2026-13-01': " in en and "row 5: " in en


def test_a_store_error_in_both_languages(tmp_path):
    missing = tmp_path / "no-such-folder" / "m.db"
    assert _error(StoreError, lambda: Store(missing)) == f"无法创建数据库 {missing}：文件夹 {missing.parent} 不存在"
    with language("en"):
        assert _error(StoreError, lambda: Store(missing)) == f"cannot create database {missing}: folder {missing.parent} does not exist"
