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


# ----------------------------------------------------------------------------- streamed CSV


def test_a_csv_read_in_batches_keeps_row_numbers_notes_and_refusals(tmp_path, monkeypatch):
    import matcher.ingest.text_columns as text_columns

    monkeypatch.setattr(text_columns, "BATCH_ROWS", 7)  # many batches on a small file
    rows = "".join(f"{i},企业{i}有限公司,广西\n" + (",,\n" if i == 9 else "") for i in range(1, 31))
    path = tmp_path / "batches.csv"
    path.write_bytes(("榜单标题\n" + HEADER + rows + "注：数据来源于某协会\n").encode("gb18030"))
    t = read_table(path)
    assert t.encoding == "gb18030" and len(t.frame) == 30 and t.frame["name"].iloc[-1] == "企业30有限公司"
    assert t.row_number(8) == 11 and t.row_number(9) == 13  # the empty row 12 keeps its number
    assert t.skipped == ("row 34: 注:数据来源于某协会",)
    assert t.sha256 == __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    # A short row and a row wider than the header in later batches are refused, naming their rows.
    path.write_text(HEADER + rows.replace("20,企业20有限公司,广西", "20,企业20有限公司"), encoding="utf-8")
    with pytest.raises(InputError, match=r"batches.csv, row 22, value '20,企业20有限公司': the row has 2 cells but the header has 3"):
        read_table(path)
    path.write_text(HEADER + rows.replace("25,企业25有限公司,广西", "25,企业25有限公司,广西,多余"), encoding="utf-8")
    with pytest.raises(InputError, match=r"batches.csv, row 27, value '多余': a value beyond the last column"):
        read_table(path)


def test_a_quote_never_closed_is_refused_not_read_as_one_cell(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text(HEADER + '1,"恒力集团,江苏\n2,恒逸集团,浙江\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"quote.csv, row 3: cannot read the CSV \(unexpected end of data\)") as e:
        read_table(path)
    assert "\n" not in str(e.value)


# ----------------------------------------------------------------------------- full disk, read-only folders and databases


def _cli(*args):
    from click.testing import CliRunner

    from matcher.cli import main

    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r


def _one_line(r) -> str:
    assert r.exit_code == 1 and "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))



def _read_only(path):
    """Make ``path`` (a file or folder) read-only for this process, or skip: chmod, or for root (whom permissions do not stop) the immutable attribute."""
    import os
    import subprocess

    if os.geteuid() != 0:
        path.chmod(0o555 if path.is_dir() else 0o444)
        return lambda: path.chmod(0o755 if path.is_dir() else 0o644)
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("running as root without chattr: a read-only file cannot be made")
    return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_full_disk_is_one_line_and_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    import errno
    import os

    target = tmp_path / "visits.xlsx"
    target.write_bytes(b"the previous template")
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    line = _one_line(_cli("template", "visits", "--out", target))
    assert line == f"error: cannot write {target}: the disk is full; free some space and run the command again (nothing half-written was left)"
    assert target.read_bytes() == b"the previous template" and _leftovers(tmp_path) == []
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert _cli("template", "visits", "--out", target).exit_code == 0 and target.read_bytes().startswith(b"PK")


def test_a_read_only_folder_is_one_line(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    undo = _read_only(folder)
    try:
        line = _one_line(_cli("template", "projects", "--out", folder / "p.xlsx"))
    finally:
        undo()
    assert line.startswith(f"error: permission denied for {folder / 'p.xlsx'}: choose a folder you are allowed to write to")
    assert list(folder.iterdir()) == []


def test_a_read_only_disk_is_one_line(tmp_path, monkeypatch):
    import errno
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", kwargs.get("dir"))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    line = _one_line(_cli("template", "stationed", "--out", tmp_path / "s.xlsx"))
    assert line == f"error: cannot write {tmp_path / 's.xlsx'}: the disk or share is read-only; choose a folder you can write to"


def test_a_read_only_database_refuses_an_import_in_one_line_and_is_unchanged(tmp_path):
    import sqlite3

    db = tmp_path / "m.db"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("企业名称,所在地区\n恒力集团有限公司,江苏省\n", encoding="utf-8")
    second.write_text("企业名称,所在地区\n浙江恒逸集团有限公司,浙江省\n", encoding="utf-8")
    assert _cli("--db", db, "import-profiles", first).exit_code == 0
    with sqlite3.connect(db) as con:
        con.execute("pragma wal_checkpoint(truncate)")
        before = list(con.iterdump())
    con.close()
    undo = _read_only(db)
    try:
        # In a process of its own: SQLite shares the open files of one database within a process.
        import os
        import subprocess
        import sys

        done = subprocess.run(
            [sys.executable, "-m", "matcher", "--db", str(db), "import-profiles", str(second)],
            capture_output=True,
            text=True,
            env={**os.environ, "MATCHER_LANG": "en", "CI": "1"},
            timeout=120,
        )
    finally:
        undo()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line == f"error: database {db} is read-only (the file or its folder cannot be written); nothing was changed; ask for write access or work on a copy"
    con = sqlite3.connect(db)
    try:
        assert list(con.iterdump()) == before
    finally:
        con.close()


# ----------------------------------------------------------------------------- killed writers leave no temporary file

_SLOW_WRITER = """
import sys, time
from matcher._files import atomic_write_with, raise_on_sigterm

def write(tmp):
    with open(tmp, "wb") as fh:
        fh.write(b"half")
        fh.flush()
        print("writing", flush=True)
        time.sleep(60)

with raise_on_sigterm():
    atomic_write_with(sys.argv[1], write)
"""


def _start_slow_writer(target):
    import subprocess
    import sys

    p = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "writing"
    return p


def test_a_terminated_writer_removes_its_temporary_file(tmp_path):
    import signal

    p = _start_slow_writer(tmp_path / "out.xlsx")
    assert len(_leftovers(tmp_path)) == 1  # .out.xlsx.<random>.tmp, beside the target
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=30) == 143
    assert "Traceback" not in p.stderr.read()
    assert list(tmp_path.iterdir()) == []


def test_a_killed_writers_temporary_file_is_swept_by_the_next_write(tmp_path):
    import os
    import re
    import signal
    import time

    from matcher._files import STALE_TEMP_SECONDS, atomic_write_bytes

    p = _start_slow_writer(tmp_path / "out.xlsx")
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    (stale,) = _leftovers(tmp_path)
    assert re.fullmatch(r"\.out\.xlsx\.[a-z0-9_]{8}\.tmp", stale)
    fresh = tmp_path / ".other.csv.abcd1234.tmp"  # another write in progress: recent, kept
    fresh.write_bytes(b"")
    mine = tmp_path / ".notes.txt"  # not ours: kept whatever its age
    mine.write_bytes(b"")
    old = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(tmp_path / stale, (old, old))
    os.utime(mine, (old, old))
    atomic_write_bytes(tmp_path / "next.csv", b"a,b\n")
    assert sorted(q.name for q in tmp_path.iterdir()) == [".notes.txt", ".other.csv.abcd1234.tmp", "next.csv"]
