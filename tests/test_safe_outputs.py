"""Hostile names through every exporter: no live formula, no control character, no unescaped markup; files respect the umask."""

from __future__ import annotations

import json
import os
import zipfile

import pandas as pd
import pytest

from matcher.report.writers import write_csv, write_table, write_xlsx

from .exports import read_csv

HOSTILE = [
    '=HYPERLINK("http://x.example","汽车")',
    "\t=1+2",
    "\r=1+2",
    "+1+2",
    "-1+2",
    "@SUM(A1:A2)",
    "甲集团\x00\x07\x1b有限公司",
    "<script>alert(1)</script>",
]


def frame():
    return pd.DataFrame({"rank": range(1, len(HOSTILE) + 1), "name": HOSTILE, "score": [0.5] * len(HOSTILE), "=header": ["x"] * len(HOSTILE)})


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(tmp_path):
    path = write_csv(frame(), tmp_path / "t.csv")
    back = read_csv(path, dtype=str, keep_default_na=False)
    for v in list(back["name"]) + list(back.columns):
        assert not v.startswith(("=", "+", "-", "@", "\t", "\r")), v
    assert back["name"].iloc[0] == "'" + HOSTILE[0]  # the text is kept, behind a quote
    assert back["name"].iloc[6] == "甲集团有限公司"  # control characters removed
    assert back["rank"].tolist() == [str(i) for i in range(1, len(HOSTILE) + 1)]  # numbers untouched


def test_xlsx_stores_every_text_as_text_never_a_formula(tmp_path):
    import openpyxl

    path = write_xlsx({"leads": frame()}, tmp_path / "t.xlsx", title="标题\x01")
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula element anywhere
    ws = openpyxl.load_workbook(path).active
    names = [ws.cell(row=r, column=2).value for r in range(4, 4 + len(HOSTILE))]
    assert names[0] == HOSTILE[0] and names[6] == "甲集团有限公司"
    assert all(ws.cell(row=r, column=2).data_type == "s" for r in range(4, 4 + len(HOSTILE)))
    assert ws.cell(row=4, column=1).value == 1  # numbers stay numbers


def test_a_targets_export_through_the_command_line_is_safe(tmp_path, config):
    """A hostile name imported from a list file reaches the exports as inert text."""
    from .conftest import write
    from .test_cli import run

    db = tmp_path / "h.db"
    rows = "排名,企业名称,主营业务\n1,\"=HYPERLINK(\"\"http://x.example\"\",\"\"汽车\"\")集团\",汽车零部件\n2,+恶意集团,汽车零部件\n"
    assert run("import-list", write(tmp_path / "h.csv", rows), "--type", "china_private_top500", "--year", "2025", db=db).exit_code == 0
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"t.{suffix}"
        r = run("targets", "--chain", "汽车", "--top", "10", "--out", out, db=db)
        assert r.exit_code == 0, r.output
        if suffix == "csv":
            back = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
            text = back.to_numpy().ravel().tolist()
            assert not any(v.startswith(("=", "+", "-", "@")) for v in text)
        else:
            xml = "".join(zipfile.ZipFile(out).read(n).decode() for n in zipfile.ZipFile(out).namelist() if n.startswith("xl/worksheets/"))
            assert "<f>" not in xml and "HYPERLINK" in xml


def test_output_files_respect_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        p = write_table(frame(), tmp_path / "t.csv")
        assert p.stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        p = write_table(frame(), tmp_path / "u.xlsx")
        assert p.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


def test_json_and_html_carry_hostile_text_as_data(tmp_path):
    from matcher._files import atomic_write_bytes

    body = json.dumps({"name": HOSTILE[7]}, ensure_ascii=False)
    p = atomic_write_bytes(tmp_path / "t.json", body.encode())
    assert json.loads(p.read_text())["name"] == HOSTILE[7]  # JSON is data: nothing to run
    html = frame().to_html(index=False)  # how the scorecard renders its tables
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("value", ["-5", "-0.5"])
def test_text_that_looks_like_a_negative_number_is_quoted_too(tmp_path, value):
    path = write_csv(pd.DataFrame({"note": [value]}), tmp_path / "n.csv")
    assert pd.read_csv(path, dtype=str).note.iloc[0] == "'" + value


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("quote", [True, False])
def test_cleaning_cell_by_cell_equals_the_vectorised_path(seed, quote):
    """Short tables are cleaned cell by cell, long ones with pandas' string methods: the same cells either way."""
    import numpy as np

    from matcher.report.writers import safe_frame

    rng = np.random.default_rng(seed)
    pool = [*HOSTILE, "正常企业", "", "-", "a\x0bb", "=", None, float("nan")]
    n = int(rng.integers(1, 60))
    f = pd.DataFrame(
        {
            "text": [pool[i] for i in rng.integers(0, len(pool), n)],
            "str": pd.array([pool[i] if isinstance(pool[i], str) else None for i in rng.integers(0, len(pool), n)], dtype="str"),
            "mixed": [pool[i] if i % 2 else float(i) for i in rng.integers(0, len(pool), n)],
            "num": rng.normal(size=n),
        }
    )
    cell = safe_frame(f, quote_formulas=quote)
    vec = safe_frame(f, quote_formulas=quote, cell_by_cell_rows=0)
    assert list(cell.columns) == list(vec.columns)
    for c in cell.columns:
        a, b = cell[c].tolist(), vec[c].tolist()
        assert [x if x == x else "nan" for x in a] == [x if x == x else "nan" for x in b], c
