"""A large CSV file is read in two halves at once and gives the table reading it in one piece gives.

:func:`matcher.ingest.tables.read_table` reads the second half of a large CSV file in a worker
process (from a line end found by :func:`matcher.ingest.csv_rows.split_point`) while it reads
the first. Here the size from which it does so is made small, and every table is compared with
the one read in one piece: the same cells, row numbers, headers and digest; and where the split
falls inside a quoted cell, or either half holds an error, the error the one-piece read gives.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from matcher import _parallel as parallel
from matcher.errors import InputError
from matcher.ingest import csv_rows as csv_rows_mod
from matcher.ingest import tables
from matcher.ingest.csv_rows import csv_file, split_point
from matcher.ingest.tables import read_table


def _two_processes(monkeypatch):
    monkeypatch.setenv("MATCHER_WORKERS", "2")
    monkeypatch.setattr(parallel, "_other_threads", lambda: False)  # pytest-xdist's threads: the worker runs anyway


def _one_piece(path):
    """The table read without the split, and its error (None when it reads)."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(tables, "SPLIT_FROM", 1 << 60)
        try:
            return read_table(path), None
        except InputError as exc:
            return None, str(exc)


def _split(path, monkeypatch):
    """The table read in two halves (the split checked to be taken), and its error (None when it reads)."""
    _two_processes(monkeypatch)
    monkeypatch.setattr(tables, "SPLIT_FROM", 1)
    taken = []
    real = tables.Background
    monkeypatch.setattr(tables, "Background", lambda fn, parts, **kw: taken.append(parts[0][1]) or real(fn, parts, **kw))
    try:
        table, error = read_table(path), None
    except InputError as exc:
        table, error = None, str(exc)
    assert taken, "the file was read in two halves"
    return table, error


def _same(a, b) -> None:
    assert a.frame.equals(b.frame)
    assert (a.rows, a.headers, a.units, a.first_row, a.skipped, a.encoding, a.sha256) == (b.rows, b.headers, b.units, b.first_row, b.skipped, b.encoding, b.sha256)


def _rows(rng, n: int) -> list[list[str]]:
    """Profile rows with separators, quotes, line breaks, full-width and invisible characters, blank rows."""
    words = ["恒力", "石化", "Huawei, Inc.", '说"明"', "ＡＢＣ", "新能源\n汽车", "  空格  ", "零宽\u200b字", "", "乙;丙"]
    out = []
    for i in range(n):
        if rng.random() < 0.02:
            out.append(["", "", ""])  # a spacer row: no entry, but it keeps the rows' numbers
            continue
        out.append([f"企业{i}" + str(rng.choice(words)), str(rng.choice(words)), "一般项目：" + "；".join(rng.choice(words, 3))])
    return out


def _write(path: Path, rows, *, encoding="utf-8", title=True) -> Path:
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    if title:
        w.writerow(["2025年企业名录（模拟）", "", ""])
    w.writerow(["企业名称", "英文名称", "经营范围"])
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
@pytest.mark.parametrize("seed", range(3))
def test_a_file_read_in_two_halves_is_the_file_read_in_one_piece(tmp_path, monkeypatch, encoding, seed):
    rng = np.random.default_rng(seed)
    path = _write(tmp_path / "p.csv", _rows(rng, int(rng.integers(30, 400))), encoding=encoding, title=bool(seed % 2))
    whole, _ = _one_piece(path)
    halves, error = _split(path, monkeypatch)
    assert error is None
    _same(halves, whole)


def test_a_split_inside_a_quoted_cell_reads_the_file_in_one_piece(tmp_path, monkeypatch):
    # A quote inside an unquoted cell (a"b: a plain character there) makes the count of quotes even at the line
    # ends inside the quoted cell that follows: the split chosen is inside it, and the first half ends there.
    lines = ["企业名称,英文名称,经营范围"] + [f"企业{i},E{i},x" for i in range(40)] + ['企业引号,a"b,x']
    lines += ['企业长,E,"' + "第一行\n" * 200 + '末行"'] + [f"企业{i}b,E,y" for i in range(40)]
    path = tmp_path / "q.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    f = csv_file(str(path), path)
    at = split_point(f)
    data = path.read_bytes()
    assert at is not None and data[at - 1 : at] == b"\n" and data[:at].count(b'"') % 2 == 0
    assert data[:at].endswith("第一行\n".encode())  # inside the quoted cell of line breaks
    whole, _ = _one_piece(path)
    halves, error = _split(path, monkeypatch)
    assert error is None and whole.frame.business.str.count("第一行").max() == 200
    _same(halves, whole)


@pytest.mark.parametrize(
    "bad, message",
    [
        ("short", "第 173 行"),  # a row with a separator missing (2 cells of 3), in the worker's half
        ("long-cell", "第 183 行"),  # a cell beyond the limit, in the worker's half
        ("rows", "超过 150 行"),  # each half within the row limit, not both together
    ],
)
def test_an_error_in_either_half_is_the_error_of_the_file_read_in_one_piece(tmp_path, monkeypatch, bad, message):
    rows = [[f"企业{i}", "E", "一般项目"] for i in range(200)]
    if bad == "short":
        rows[170] = ["企业短行", "E"]
    elif bad == "long-cell":
        rows[180][2] = "很长" * 40
    monkeypatch.setenv("MATCHER_MAX_CELL_CHARS", "50")
    monkeypatch.setenv("MATCHER_MAX_ROWS", "150" if bad == "rows" else "100000")
    path = _write(tmp_path / "e.csv", rows)
    _, whole = _one_piece(path)
    _, halves = _split(path, monkeypatch)
    assert whole is not None and message in whole
    assert halves == whole  # the same message, naming the same row


def test_split_points_are_line_ends_outside_quotes_in_the_codecs_that_allow_it(tmp_path):
    rows = [[f"企业{i}", '有"引号"的名称' if i % 3 else "", "多行\n经营范围"] for i in range(500)]
    path = _write(tmp_path / "s.csv", rows)
    f = csv_file(str(path), path)
    at = split_point(f)
    data = path.read_bytes()
    assert len(data) // 2 <= at < len(data) and data[at - 1 : at] == b"\n" and data[:at].count(b'"') % 2 == 0
    # The rows of each side, read apart, are the rows of the file.
    first = list(csv_rows_mod.csv_rows(f, stop=at))
    second = list(csv_rows_mod.csv_rows(f, start=at))
    assert first + second == list(csv_rows_mod.csv_rows(f))
    assert split_point(f.__class__(f.path, f.p, "utf-16", "utf-16", f.sha256, ",")) is None  # a quote byte may sit inside a character


def test_one_part_in_the_background_is_one_worker(monkeypatch):
    _two_processes(monkeypatch)
    work = parallel.Background(abs, [-3])
    assert len(work._workers) == 1
    assert work.results() == [3]
    monkeypatch.setenv("MATCHER_WORKERS", "1")
    work = parallel.Background(abs, [-3])
    assert not work._workers and work.results() == [3]
