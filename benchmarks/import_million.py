"""A million-row list imported on SQLite (and PostgreSQL with ``--db URL``), then its next edition.

Writes a seeded **synthetic** list of ``--rows`` enterprises (default 1,000,000) to a CSV, imports it
into an empty database through the library path of ``matcher import-list`` (one reader, one
transaction, resolution of new names), then imports a second edition in which ``--new`` names
(default 10,000) are new and the rest are the same enterprises: those are matched by name and
the new ones resolved against the million known. Prints wall time and peak memory of each step
and checks the counts (every row imported, every enterprise once).

    python benchmarks/import_million.py                       # SQLite in a temporary folder
    python benchmarks/import_million.py --rows 200000 --db postgresql+psycopg://…
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SYLLABLES = list("华新中金恒泰盛通达广宏远鑫瑞安丰利信诚海天宇光明正德润万嘉永富祥隆兴昌东方南北") + list("科能材机电化建物联智汇")
SUFFIXES = ("集团有限公司", "股份有限公司", "控股集团有限公司", "实业有限公司", "科技股份有限公司")
PROVINCES = ("浙江省", "江苏省", "广东省", "北京市", "上海市", "山东省", "福建省", "湖北省")


def synthetic_names(n: int, seed: int) -> np.ndarray:
    """``n`` distinct synthetic Chinese enterprise names (seeded): a numbered brand and a legal form."""
    rng = np.random.default_rng(seed)
    a = rng.choice(SYLLABLES, size=n)
    b = rng.choice(SYLLABLES, size=n)
    suffix = rng.choice(SUFFIXES, size=n)
    number = np.char.mod("%07d", np.arange(n))
    return np.char.add(np.char.add(np.char.add(a.astype(str), b.astype(str)), number), suffix.astype(str))


def write_list(path: Path, names: np.ndarray, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "排名": np.arange(1, len(names) + 1),
            "企业名称": names,
            "所在地区": rng.choice(PROVINCES, size=len(names)),
            "营业收入（万元）": np.sort(rng.integers(10_000, 50_000_000, size=len(names)))[::-1],
        }
    )
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def import_file(store, path: Path, year: int):
    from matcher.ingest.lists import parse_list
    from matcher.ingest.tables import read_table
    from matcher.resolve.imports import import_lists

    t = read_table(path)
    return import_lists(store, [(parse_list(t), year)], list_type="china_top500", source_name=path.name, sha256=t.sha256)[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--new", type=int, default=10_000, help="names of the second edition that are new")
    ap.add_argument("--db", default=None, help="SQLAlchemy URL (default: a SQLite file in a temporary folder)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    from matcher.store.core import Store

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        names = synthetic_names(args.rows + args.new, args.seed)
        first = write_list(tmp / "synthetic_list_2025.csv", names[: args.rows], args.seed)
        second = write_list(tmp / "synthetic_list_2026.csv", names[args.new :], args.seed + 1)
        if args.db:
            import sqlalchemy as sa

            from matcher.store.schema import metadata

            engine = sa.create_engine(args.db)
            with engine.begin() as conn:
                metadata.drop_all(conn)
            engine.dispose()
        store = Store(args.db or tmp / "million.db")
        print(f"synthetic list of {args.rows:,} rows ({first.stat().st_size / 1e6:.0f} MB); database {store.engine.dialect.name}")
        merged = 0
        for path, year in ((first, 2025), (second, 2026)):
            t = time.perf_counter()
            r = import_file(store, path, year)
            merged += r.merged
            print(f"  {path.name}: {time.perf_counter() - t:.1f} s, peak RSS {peak_mb():,.0f} MB — {r.summary()}")
        counts = store.counts()
        n_live = len(store.read("enterprises").query("merged_into.isna()"))
        print(f"  list entries {counts['list_entries']:,}, enterprises {n_live:,} live")
        assert counts["list_entries"] == 2 * args.rows
        # The resolver may join a few synthetic names that differ only in their number.
        assert n_live == args.rows + args.new - merged, (n_live, merged)
        store.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
