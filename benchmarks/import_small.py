"""A 500-row list imported into a 1M-enterprise database: the whole ``matcher import-list`` process.

Builds (once, cached in the temporary folder by size and seed) a SQLite database of ``--master``
SYNTHETIC enterprises (:func:`matcher.resolve.synth.synthetic_master`) through the library path of
``matcher import-list`` (:func:`build_master_db`), then times ``matcher import-list`` of a
``--rows`` SYNTHETIC list (known enterprises in other spellings, English renderings, typos, and a
share of new ones: :func:`matcher.resolve.synth.synthetic_queries`) as a whole subprocess, on a
fresh copy of the database each run. Reports the median, min and max of wall time, CPU time
(user + system of the child) and peak resident memory (``os.wait4``) over ``--repeats`` runs; the
database is prepared in a child process, so that the timed children start from a small parent.
A first untimed run trains the match model into the models cache (as a first import does once).

    python benchmarks/import_small.py                          # 500 rows into 1M, 5 runs
    python benchmarks/import_small.py --master 100000 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LIST_TYPE = "china_top500"
SMALL_TYPE = "china_private_top500"


def cache_dir(master: int, seed: int) -> Path:
    """The folder of the cached database of ``master`` enterprises made with ``seed``."""
    return Path(tempfile.gettempdir()) / f"matcher-bench-master-{master}-{seed}"


def _list_csv(path: Path, names: pd.Series, provinces: pd.Series, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "排名": np.arange(1, len(names) + 1),
            "企业名称": names.to_numpy(),
            "所在地区": provinces.fillna("").to_numpy(),
            "营业收入（万元）": np.sort(rng.integers(10_000, 50_000_000, size=len(names)))[::-1],
        }
    )
    tmp = path.with_suffix(".part")
    frame.to_csv(tmp, index=False, encoding="utf-8")
    tmp.replace(path)
    return path


def build_master_db(master: int = 1_000_000, seed: int = 2026, folder: Path | None = None) -> Path:
    """A SQLite database of ``master`` SYNTHETIC enterprises, imported as ``matcher import-list`` does; cached.

    The list is written to CSV and imported through :func:`matcher.resolve.imports.import_lists`
    (one transaction). The database is kept in ``folder`` (default :func:`cache_dir`) and reused
    by later calls with the same size and seed. Returns its path.
    """
    from matcher.ingest.lists import parse_list
    from matcher.ingest.tables import read_table
    from matcher.resolve.imports import import_lists
    from matcher.resolve.synth import synthetic_master
    from matcher.store.core import Store

    folder = folder or cache_dir(master, seed)
    db = folder / "master.db"
    if db.is_file():
        return db
    folder.mkdir(parents=True, exist_ok=True)
    m = synthetic_master(master, random_state=seed)
    path = _list_csv(folder / "synthetic_master_list_2025.csv", m.name, m.province, seed)
    part = folder / "master.db.part"
    part.unlink(missing_ok=True)
    store = Store(part)
    t = read_table(path)
    import_lists(store, [(parse_list(t), 2025)], list_type=LIST_TYPE, source_name=path.name, sha256=t.sha256)
    store.engine.dispose()
    part.replace(db)
    return db


def stored_master_db(db: Path) -> Path:
    """A copy of ``db`` (beside it) whose derived tables are filled and current, as after a first import.

    The stored parsed names and token counts (marked current, their fields indexed), and the stored
    industries of every enterprise. Made once
    per database (and brought up to date in place when the name normaliser or the taxonomy changed), so
    that timed runs measure an import into a database whose derived tables are kept, not their first filling.
    """
    from matcher.config.load import load_config
    from matcher.featurise.industries import refresh_industries
    from matcher.resolve.master import load_master, mark_synced
    from matcher.store.core import Store
    from matcher.store.schema import DERIVED_TABLES, metadata

    out = db.with_name(db.stem + "-stored.db")
    if not out.is_file():
        part = out.with_suffix(".part")
        shutil.copyfile(db, part)
        part.replace(out)
    store = Store(out)
    with store.begin() as conn:
        # A database made at schema version 6 before a derived table was added lacks it: created here.
        metadata.create_all(conn, tables=list(DERIVED_TABLES), checkfirst=True)
        load_master(conn)
        mark_synced(conn)
    refresh_industries(store, load_config())
    store.engine.dispose()
    return out


def small_list(folder: Path, master: int, rows: int, seed: int) -> Path:
    """A ``rows``-row SYNTHETIC list: known enterprises in varied spellings and 30% new ones."""
    from matcher.resolve.synth import synthetic_master, synthetic_queries

    path = folder / f"synthetic_small_list_{rows}.csv"
    if path.is_file():
        return path
    m = synthetic_master(master, random_state=seed)
    q = synthetic_queries(m, rows, new_share=0.3, random_state=seed + 1)
    q = q.drop_duplicates("name").reset_index(drop=True)
    return _list_csv(path, q.name, q.province, seed + 2)


def timed_import(db: Path, models: Path, path: Path) -> dict:
    """``matcher import-list`` of ``path`` into ``db`` as one subprocess: wall time, and the child's CPU time and peak RSS (``os.wait4``)."""
    exe = Path(sys.executable).with_name("matcher")
    cmd = [str(exe), "--db", str(db), "--models", str(models), "import-list", str(path), "--type", SMALL_TYPE, "--year", "2026"]
    env = {**os.environ, "CI": "1"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"matcher import-list failed ({proc.returncode}):\n{err.read().decode(errors='replace')}")
        return {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024.0,
            "stdout": out.read().decode(errors="replace").strip(),
        }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--master", type=int, default=1_000_000, help="SYNTHETIC enterprises in the database")
    ap.add_argument("--rows", type=int, default=500, help="rows of the imported list")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--no-stored", action="store_true", help="time on the database as built, without filling derived tables first")
    ap.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    folder = cache_dir(args.master, args.seed)
    if args.prepare_only:
        db = build_master_db(args.master, args.seed, folder)
        db = db if args.no_stored else stored_master_db(db)
        small_list(folder, args.master, args.rows, args.seed)
        print(db)
        return 0
    # Prepared in a child process: a forked child's peak RSS starts from its parent's, which must stay small.
    t = time.perf_counter()
    prep = [sys.executable, __file__, "--prepare-only", "--master", str(args.master), "--rows", str(args.rows), "--seed", str(args.seed)]
    out = subprocess.run(prep + (["--no-stored"] if args.no_stored else []), check=True, capture_output=True, text=True).stdout
    db = Path(out.strip().splitlines()[-1])
    print(f"database of {args.master:,} synthetic enterprises: {db} ({db.stat().st_size / 1e6:,.0f} MB, ready in {time.perf_counter() - t:.1f} s)")
    path = folder / f"synthetic_small_list_{args.rows}.csv"
    models = folder / "models"
    work = folder / f"work-{db.stem}"
    work.mkdir(exist_ok=True)
    # Untimed: the match model trained into the models cache, and derived tables of an older database filled.
    shutil.copyfile(db, work / "warm.db")
    warm = timed_import(work / "warm.db", models, path)
    print(f"warm-up run (untimed): {warm['wall']:.1f} s — {warm['stdout'].splitlines()[-1] if warm['stdout'] else ''}")
    runs = []
    for i in range(args.repeats):
        copy = work / f"run{i}.db"
        shutil.copyfile(db, copy)
        r = timed_import(copy, models, path)
        copy.unlink()
        runs.append(r)
        print(f"  run {i + 1}: wall {r['wall']:.2f} s, CPU {r['cpu']:.2f} s, peak RSS {r['rss_mb']:,.0f} MB")
    (work / "warm.db").unlink(missing_ok=True)
    for key, label, unit in (("wall", "wall", "s"), ("cpu", "CPU", "s"), ("rss_mb", "peak RSS", "MB")):
        v = [r[key] for r in runs]
        print(f"{label}: median {statistics.median(v):,.2f} {unit} (min {min(v):,.2f}, max {max(v):,.2f}) over {len(v)} runs")
    print(f"output of the last run: {runs[-1]['stdout'].splitlines()[-1] if runs[-1]['stdout'] else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
