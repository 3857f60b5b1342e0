"""Hostile enterprise names through every command that writes files: not one live formula, not one tag that runs.

A list whose names are spreadsheet formulas, markup and control characters is
imported the way a user would, then every exporter runs on it: ``targets``
(CSV and XLSX), ``enterprises``, ``city``, ``enterprise``, ``weekly`` (plan,
team CSV/XLSX/JSON, office workbook) and ``kpi`` (workbook and HTML
scorecard). Every file written is read back and scanned.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pandas as pd

from .conftest import write
from .test_cli import run

#: Names as an attacker would write them (each a real-looking group name around the payload).
HOSTILE = [
    '=HYPERLINK("http://x.example","汽车")集团',
    "\t=1+2汽车集团",
    "+1+2汽车集团",
    "-1+2汽车集团",
    "@SUM(A1:A2)汽车集团",
    "<script>alert(1)</script>汽车集团",
    "<img src=x onerror=alert(2)>汽车集团",
    "甲\x07\x1b汽车集团有限公司",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _q(text: str) -> str:
    """A CSV field holding ``text``."""
    return '"' + text.replace('"', '""') + '"'


def _list_file(tmp_path: Path) -> Path:
    rows = ["排名,企业名称,所在地区,所在城市,主营业务"]
    for i, name in enumerate(HOSTILE, start=1):
        rows.append(f"{i},{_q(name)},广东省,深圳市,汽车零部件制造；新能源汽车整车")
    return write(tmp_path / "hostile.csv", "\n".join(rows) + "\n")


def _cells_csv(path: Path) -> list[str]:
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    return [*map(str, frame.columns), *frame.to_numpy().ravel().tolist()]


def _live_formulas_xlsx(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(z.read(n).decode("utf-8").count("<f>") + z.read(n).decode("utf-8").count("<f ") for n in z.namelist() if n.startswith("xl/worksheets/"))


def _json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_json_strings(k), *_json_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return []


def test_every_exporter_writes_hostile_names_as_inert_text(tmp_path):
    db = tmp_path / "h.db"
    r = run("import-list", _list_file(tmp_path), "--type", "china_private_top500", "--year", "2025", db=db)
    assert r.exit_code == 0, r.output
    rows = [f"V{i},2026-11-2{i},beihai-gba,{_q(name)},登门拜访,小分队成员,{_q(HOSTILE[(i + 1) % len(HOSTILE)])}" for i, name in enumerate(HOSTILE[:3], start=1)]
    visits = "record id,date,team,enterprise,kind,lead level,outcome\n" + "\n".join(rows) + "\n"
    r = run("import-visits", write(tmp_path / "visits.csv", visits), db=db)
    assert r.exit_code == 0, r.output
    out = tmp_path / "out"
    commands = [
        ("targets", "--chain", "汽车", "--top", "20", "--out", out / "chain.csv"),
        ("targets", "--chain", "汽车", "--top", "20", "--out", out / "chain.xlsx"),
        ("targets", "--city", "柳州", "--top", "20", "--out", out / "city.xlsx"),
        ("enterprises", "--out", out / "enterprises.csv"),
        ("enterprises", "--out", out / "enterprises.xlsx"),
        ("city", "柳州", "--out", out / "city-report.xlsx"),
        ("enterprise", HOSTILE[0], "--out", out / "enterprise.xlsx"),
        ("weekly", "--week", "2026-W49", "--out", out / "weekly"),
        ("kpi", "--year", "2026", "--as-of", "2026-12-01", "--out", out / "kpi"),
    ]
    for args in commands:
        r = run(*args, db=db)
        assert r.exit_code == 0, (args, r.output)
    files = sorted(p for p in out.rglob("*") if p.is_file())
    kinds = {p.suffix for p in files}
    assert {".csv", ".xlsx", ".json", ".html"} <= kinds, kinds
    seen_payload = 0
    for p in files:
        if p.suffix == ".xlsx":
            assert _live_formulas_xlsx(p) == 0, p.name
            with zipfile.ZipFile(p) as z:
                xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/"))
            assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", xml), p.name
            seen_payload += "HYPERLINK" in xml
        elif p.suffix == ".csv":
            cells = _cells_csv(p)
            live = [c for c in cells if c.startswith(_FORMULA_START)]
            assert not live, (p.name, live[:3])
            seen_payload += any("HYPERLINK" in c for c in cells)
        elif p.suffix == ".json":
            strings = _json_strings(json.loads(p.read_text(encoding="utf-8")))
            assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", s) for s in strings), p.name
        elif p.suffix in (".html", ".htm", ".md"):
            text = p.read_text(encoding="utf-8")
            assert "<script>alert(1)" not in text and "<img src=x" not in text, p.name
            assert "alert(1)" not in text or "&lt;script&gt;alert(1)" in text, p.name
    assert seen_payload >= 5  # the names did reach the exports (as text), in several files
