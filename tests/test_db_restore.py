"""``matcher db restore``: a checked backup replaces the database, and the database it replaced is kept."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from matcher.cli.app import main

from .conftest import write

LIST = "排名,企业名称,所在地,营业收入（亿元）\n1,甲乙科技股份有限公司,广东省深圳市,100\n2,丙丁制造集团有限公司,浙江省杭州市,90\n"


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_restore_brings_back_the_backup_and_keeps_the_replaced_database(tmp_path):
    db, bak = tmp_path / "m.db", tmp_path / "bak.db"
    lst = write(tmp_path / "list.csv", LIST)
    assert _run("--db", str(db), "import-list", str(lst), "--type", "china_private_top500", "--year", "2026").exit_code == 0
    assert _run("--db", str(db), "db", "backup", str(bak)).exit_code == 0
    assert _run("--db", str(db), "imports", "remove", "1", "--yes").exit_code == 0
    assert "尚无" in _run("--db", str(db), "imports").output
    r = _run("--db", str(db), "db", "restore", str(bak), "--yes")
    assert r.exit_code == 0 and "已从" in r.output
    assert "list.csv" in _run("--db", str(db), "imports").output
    saved = [p for p in tmp_path.iterdir() if "before-restore" in p.name]
    assert len(saved) == 1
    with sqlite3.connect(saved[0]) as conn:  # the replaced database: the list removed
        assert conn.execute("SELECT count(*) FROM list_entries").fetchone()[0] == 0
    assert not (tmp_path / "bak.db-wal").exists()


def test_restore_refuses_what_is_not_a_matcher_backup(tmp_path):
    db = tmp_path / "m.db"
    bad = write(tmp_path / "bad.db", "not a database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    assert _run("--db", str(db), "imports").exit_code == 0
    for path, words in ((bad, "不是 SQLite"), (other, "不是 matcher"), (tmp_path / "none.db", "不存在")):
        r = _run("--db", str(db), "db", "restore", str(path), "--yes")
        assert r.exit_code == 1 and words in r.output, r.output
    assert not [p for p in tmp_path.iterdir() if "before-restore" in p.name]
    r = _run("--lang", "en", "--db", str(db), "db", "restore", str(bad), "--yes")
    assert "is not a SQLite database backup" in r.output


def test_verbose_says_what_each_step_did(tmp_path, caplog):
    import logging

    lst = write(tmp_path / "list.csv", LIST)
    with caplog.at_level(logging.INFO, logger="matcher"):
        r = _run("--db", str(tmp_path / "m.db"), "-v", "import-list", str(lst), "--type", "china_private_top500", "--year", "2026")
    assert r.exit_code == 0
    said = [rec.getMessage() for rec in caplog.records if rec.name == "matcher"]
    assert any("读取文件完成" in s for s in said) and any("入库并识别企业完成" in s for s in said), said
