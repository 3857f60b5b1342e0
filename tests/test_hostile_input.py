"""Hostile input through the one reader: bounded size, rows, cells and decompression; encodings; look-alike names."""

from __future__ import annotations

import io
import re
import time
import zipfile

import openpyxl
import pytest

from matcher.errors import InputError
from matcher.ingest.tables import read_table

pytestmark = pytest.mark.usefixtures("english")

HEADER = "排名,企业名称,所在地区\n"


def _workbook(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _replace_part(path, part: str, body: bytes, *, level: int = 9):
    """Rewrite one part of a workbook (the rest unchanged), deflated at ``level``."""
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    parts[part] = body
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    path.write_bytes(out.getvalue())
    return path


def zip_bomb(path):
    """A workbook of a few KB whose sheet is a 3 MB run of spaces (deflated about 1000:1)."""
    _workbook(path, [["排名", "企业名称"], [1, "恒力集团"]])
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    return _replace_part(path, "xl/worksheets/sheet1.xml", xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 3_000_000))


def corner_cells(path):
    """Two cells, at A1 and XFD1048576: a sheet of 17 billion cells in a 5 KB file (it took 21.5 GB)."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "企业名称"
    wb.active["XFD1048576"] = "x"
    wb.save(path)
    return path


def test_a_zip_bomb_is_refused_in_a_second_unopened(tmp_path):
    path = zip_bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 8_000
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"bomb.xlsx: the workbook's part xl/worksheets/sheet1.xml unpacks \d+ times its packed size"):
        read_table(path)
    assert time.perf_counter() - start < 1.0


def test_a_workbook_unpacking_beyond_the_limit_is_refused(tmp_path, monkeypatch):
    path = _workbook(tmp_path / "big.xlsx", [["排名", "企业名称"]] + [[i, f"企业{i}号有限公司"] for i in range(60000)])
    monkeypatch.setenv("MATCHER_MAX_UNZIPPED_MB", "1")
    with pytest.raises(InputError, match=r"big.xlsx: the workbook unpacks to \d+ MB, more than the limit of 1 MB"):
        read_table(path)


@pytest.mark.parametrize("merged", [False, True])
def test_a_sheet_spanning_billions_of_cells_is_refused_before_its_cells_are_read(tmp_path, merged):
    path = corner_cells(tmp_path / "corners.xlsx")
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"the sheet spans 1048576 rows × 16384 columns, more than the limit of \d+ cells"):
        read_table(path, merged_cells=merged)
    assert time.perf_counter() - start < 2.0


def test_a_sheet_hiding_its_extent_is_stopped_while_read(tmp_path, monkeypatch):
    # No <dimension>: the extent is only known while reading; the rows are counted and refused.
    wb = openpyxl.Workbook()
    wb.active["A1"] = "企业名称"
    wb.active["A200"] = "x"
    path = tmp_path / "hidden.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    _replace_part(path, "xl/worksheets/sheet1.xml", re.sub(rb"<dimension[^>]*/>", b"", xml))
    monkeypatch.setenv("MATCHER_MAX_ROWS", "100")
    with pytest.raises(InputError, match=r"hidden.xlsx: the file has more than 100 rows \(MATCHER_MAX_ROWS\)"):
        read_table(path)


def test_a_huge_cell_is_refused_naming_its_row(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + "1,恒力集团," + "广" * 40000 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"huge.csv, row 2: a cell longer than 32767 characters"):
        read_table(path)
    # openpyxl cuts what it writes to 32,767 characters: the cell is put into the sheet by hand.
    book = _workbook(tmp_path / "huge.xlsx", [["排名", "企业名称", "所在地区"], [1, "恒力集团", "PLACEHOLDER"]])
    with zipfile.ZipFile(book) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    _replace_part(book, "xl/worksheets/sheet1.xml", xml.replace(b"PLACEHOLDER", "广".encode() * 40000))
    with pytest.raises(InputError, match=r"huge.xlsx, row 2, column 'C'.*: a cell of 40000 characters, more than the limit of 32767"):
        read_table(book)


def test_too_many_rows_and_too_large_a_file_are_refused(tmp_path, monkeypatch):
    path = tmp_path / "rows.csv"
    path.write_text(HEADER + "".join(f"{i},企业{i},广西\n" for i in range(1, 30)), encoding="utf-8")
    assert len(read_table(path).frame) == 29
    monkeypatch.setenv("MATCHER_MAX_ROWS", "20")
    with pytest.raises(InputError, match=r"rows.csv: the file has more than 20 rows"):
        read_table(path)
    monkeypatch.delenv("MATCHER_MAX_ROWS")
    big = tmp_path / "big.csv"
    big.write_bytes((HEADER + "1,恒力集团,江苏\n" * 80000).encode("utf-8"))
    monkeypatch.setenv("MATCHER_MAX_FILE_MB", "1")
    with pytest.raises(InputError, match=r"big.csv: the file is 2 MB, more than the limit of 1 MB \(MATCHER_MAX_FILE_MB\)"):
        read_table(big)


# ----------------------------------------------------------------------------- encodings

BIG5 = "排名,企業名稱,所在地區\n1,鴻海精密工業股份有限公司,臺灣\n2,長榮海運股份有限公司,臺灣\n3,香港中華煤氣有限公司,香港\n"


def test_a_big5_list_is_read_as_big5_not_garbled(tmp_path):
    path = tmp_path / "big5.csv"
    path.write_bytes(BIG5.encode("big5"))
    t = read_table(path)
    assert t.encoding == "big5"
    assert t.frame["name"].tolist() == ["鴻海精密工業股份有限公司", "長榮海運股份有限公司", "香港中華煤氣有限公司"]
    # A short one too.
    path.write_bytes("排名,企業名稱\n1,鴻海集團\n".encode("big5"))
    assert read_table(path).frame["name"].tolist() == ["鴻海集團"]


def test_gbk_stays_gbk(tmp_path):
    path = tmp_path / "gbk.csv"
    for text in ("排名,企业名称\n1,恒力集团\n", HEADER + "1,广西柳州钢铁集团有限公司,广西壮族自治区\n2,浙江荣盛控股集团有限公司,浙江省\n"):
        path.write_bytes(text.encode("gbk"))
        t = read_table(path)
        assert t.encoding == "gb18030" and t.frame["name"].iloc[0] in ("恒力集团", "广西柳州钢铁集团有限公司")


def test_a_shift_jis_file_is_refused_in_one_line(tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes("順位,企業名,所在地\n1,トヨタ自動車株式会社,愛知県\n2,ソニーグループ株式会社,東京都\n".encode("shift_jis"))
    with pytest.raises(InputError, match=r"sjis.csv: the file looks like Japanese text in Shift-JIS, which is not read; save it as UTF-8"):
        read_table(path)


# ----------------------------------------------------------------------------- look-alike letters


def test_look_alike_letters_fold_to_latin_in_latin_names_only():
    import pandas as pd

    from matcher._text import fold_lookalikes, normalize_name, normalize_names

    assert fold_lookalikes("Huawеi") == "Huawei"  # Cyrillic е
    assert fold_lookalikes("НUAWEІ") == "HUAWEI"  # Cyrillic Н and І
    assert fold_lookalikes("Αpple") == "Apple"  # Greek Α
    assert fold_lookalikes("Газпром") == "Газпром"  # no Latin letter: a Russian name as written
    names = pd.Series(["Huawеi Technologies Co., Ltd.", "Huawei Technologies", "华为Huawеi", "恒力集团"])
    assert normalize_names(names).tolist() == [normalize_name(n) for n in names] == ["huaweitechnologies", "huaweitechnologies", "华为huawei", "恒力"]


def test_a_look_alike_name_is_the_same_enterprise_on_import(tmp_path):
    from matcher.store.core import Store

    from .test_cli import run

    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text('排名,企业名称,所在地区\n1,"Huawei Technologies Co., Ltd.",广东省\n', encoding="utf-8")
    # Cyrillic е and а, and a zero-width space: the same name to a reader.
    second.write_text("排名,企业名称,所在地区\n7,Huаwеi\u200b Technologies Co. Ltd.,广东省\n", encoding="utf-8")
    db = tmp_path / "m.db"
    assert run("import-list", first, "--type", "china_private_top500", "--year", "2024", db=db).exit_code == 0
    assert run("import-list", second, "--type", "china_private_top500", "--year", "2025", db=db).exit_code == 0
    assert Store(db).counts()["enterprises"] == 1
