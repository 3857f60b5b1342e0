"""Every file of the hostile corpus through the real command line: refused in one line with the database unchanged, or imported whole.

The corpus (:mod:`tests.hostile_corpus`) is made by code at test time. Each file is imported
by ``matcher import-list`` / ``import-profiles`` / ``import-visits`` / ``import-projects``
into its own copy of a small database. A malformed file must exit non-zero with one error
line (a sheet's bad rows are listed, indented, under it) and no traceback, and leave every
table exactly as it was; a valid one must be imported with the expected number of rows.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import main
from tests.hostile_corpus import LIST_ARGS, TODAY, base_history, base_list, corpus, markdown_table

CASES = corpus()
MALFORMED = [c for c in CASES if c.expect is None]
VALID = [c for c in CASES if c.expect is not None]
#: A few cases also run in a separate process (the installed entry point, as a user runs it).
SUBPROCESS = ("zip-bomb.xlsx", "utf16.csv", "visits-future.csv")
#: Valid files imported in the default run (each import resolves and reports, about 2 s); the others only with ``-m slow``.
QUICK = (
    "utf8-bom.csv",
    "gb18030.csv",
    "big5.csv",
    "title-merged.xlsx",
    "full-width.csv",
    "notes-at-bottom.csv",
    "profiles.csv",
    "visits-date-formats.csv",
    "visits-excel-dates.xlsx",
    "projects.csv",
)


def _args(kind: str, path: Path) -> list[str]:
    if kind == "list":
        return ["import-list", str(path), *LIST_ARGS]
    if kind == "list-panel":
        return ["import-list", str(path), "--type", "china_top500"]
    if kind == "profiles":
        return ["import-profiles", str(path)]
    return [f"import-{kind}", str(path), "--today", TODAY]


def _copy(src: Path, dst: Path) -> Path:
    """A consistent copy of a SQLite database (its write-ahead log included)."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()
    return dst


def _state(db: Path) -> tuple[str, dict[str, int]]:
    """A digest of the database's whole content (SQL dump) and the row count of every table."""
    con = sqlite3.connect(db)
    try:
        digest = hashlib.sha256("\n".join(con.iterdump()).encode()).hexdigest()
        tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")]
        counts = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()
    return digest, counts


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A database holding the base list (every database of the test sits in one folder: one models cache)."""
    work = tmp_path_factory.mktemp("corpus")
    src = work / "base.csv"
    src.write_bytes(base_list())
    db = work / "base.db"
    r = CliRunner().invoke(main, ["--db", str(db), "import-list", str(src), *LIST_ARGS])
    assert r.exit_code == 0, r.output
    # A visit and a project too, and a resolution: what is filled in on first use is there before the corpus.
    for kind, data, code in zip(("visits", "projects", "visits"), base_history(), (0, 0, 1)):
        (work / f"base-{kind}-{code}.csv").write_bytes(data)
        r = CliRunner().invoke(main, ["--db", str(db), *_args(kind, work / f"base-{kind}-{code}.csv")])
        assert r.exit_code == code, r.output
    frozen = _copy(db, work / "frozen.db")
    return work, frozen


def _run(base, case, i: int, *, subprocess_run: bool = False):
    work, frozen = base
    folder = work / f"case{i:03d}"
    folder.mkdir(exist_ok=True)
    path = folder / case.name
    path.write_bytes(case.data)
    db = _copy(frozen, work / f"case{i:03d}.db")
    before = _state(db)
    args = ["--db", str(db), *_args(case.kind, path)]
    if subprocess_run:
        p = subprocess.run([sys.executable, "-m", "matcher", *args], capture_output=True, text=True, env={"CI": "1", "PATH": "/usr/bin:/bin"}, timeout=120)
        code, err, out = p.returncode, p.stderr, p.stdout
    else:
        r = CliRunner().invoke(main, args)
        code, err, out = r.exit_code, r.stderr, r.stdout
        assert r.exception is None or isinstance(r.exception, SystemExit), f"{case.name}: {r.exception!r}"
    return db, before, code, out, err


def _check_refused(case, db, before, code, out, err):
    assert code != 0, f"{case.name} ({case.what}) was accepted: {out}"
    assert "Traceback" not in err + out
    heads = [line for line in err.splitlines() if line.strip() and not line.startswith((" ", "\t"))]
    assert len(heads) == 1, f"{case.name}: {err!r}"
    assert heads[0].startswith("错误"), heads[0]
    assert _state(db) == before, f"{case.name} changed the database"


def _imported(db: Path, kind: str, before: dict[str, int]) -> int:
    con = sqlite3.connect(db)
    try:
        if kind in ("list", "profiles"):
            return con.execute("select n_rows from imports order by import_id desc limit 1").fetchone()[0]
        return con.execute(f"select count(*) from {kind}").fetchone()[0] - before[kind]
    finally:
        con.close()


@pytest.mark.parametrize("i", range(len(MALFORMED)), ids=[c.name for c in MALFORMED])
def test_a_malformed_file_is_refused_in_one_line_and_changes_nothing(base, i):
    case = MALFORMED[i]
    db, before, code, out, err = _run(base, case, i)
    _check_refused(case, db, before, code, out, err)


@pytest.mark.parametrize(
    "i", [pytest.param(i, id=c.name, marks=() if c.name in QUICK else pytest.mark.slow) for i, c in enumerate(VALID)]
)
def test_an_awkward_but_valid_file_is_imported_whole(base, i):
    case = VALID[i]
    db, before, code, out, err = _run(base, case, 500 + i)
    assert code == 0, f"{case.name} ({case.what}) refused: {err}"
    assert "Traceback" not in err
    assert _imported(db, case.kind, before[1]) == case.expect


@pytest.mark.parametrize("name", SUBPROCESS)
def test_the_installed_command_says_the_same_in_its_own_process(base, name):
    i, case = next((i, c) for i, c in enumerate(CASES) if c.name == name)
    db, before, code, out, err = _run(base, case, 900 + i, subprocess_run=True)
    if case.expect is None:
        _check_refused(case, db, before, code, out, err)
    else:
        assert code == 0, err
        assert _imported(db, case.kind, before[1]) == case.expect


def test_the_corpus_is_large_deterministic_and_listed():
    assert len(MALFORMED) >= 60 and len(VALID) >= 20
    assert set(QUICK) <= {c.name for c in VALID}
    assert len({c.name for c in CASES}) == len(CASES)
    assert [c.data for c in corpus()] == [c.data for c in CASES]
    table = markdown_table()
    assert table.count("\n") == len(CASES) + 1 and "zip-bomb.xlsx" in table


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_other_seeds_of_the_corpus_behave_the_same(base, seed):
    """Heavier: the corpus with other random contents, every case."""
    for i, case in enumerate(corpus(seed)):
        db, before, code, out, err = _run(base, case, 2000 + 200 * seed + i)
        if case.expect is None:
            _check_refused(case, db, before, code, out, err)
        else:
            assert code == 0, f"{case.name}: {err}"
            assert _imported(db, case.kind, before[1]) == case.expect
