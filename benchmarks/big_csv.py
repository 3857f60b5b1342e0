"""A ~200 MB profile CSV through the one reader: wall time and peak memory, streamed against read whole.

Writes a seeded **synthetic** enterprise-profile CSV of about ``--mb`` MB (UTF-8, Chinese headers,
names, industries, business descriptions, provinces, cities, branches, ownership), then, each in
a fresh process so that its peak resident memory (``ru_maxrss``) is its own, measures:

- ``baseline``: the reader as it was before streaming (the whole file read, decoded, split into
  rows of Python strings and made a frame of objects, then normalised), copied here;
- ``read_table``: :func:`matcher.ingest.tables.read_table`, the one reader as it is now;
- ``import-profiles``: ``matcher import-profiles`` of the file into an empty temporary SQLite
  database (skipped with ``--no-import``).

    python benchmarks/big_csv.py                 # ~195 MB, every measurement
    python benchmarks/big_csv.py --mb 20 --no-import
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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

SYLLABLES = list("华新中金恒泰盛通达广宏远鑫瑞安丰利信诚海天宇光明正德润万嘉永富祥隆兴昌东方南北科能材机电化建物联智汇")
SUFFIXES = ("集团有限公司", "股份有限公司", "控股集团有限公司", "实业有限公司", "科技股份有限公司")
PROVINCES = ("浙江省", "江苏省", "广东省", "北京市", "上海市", "山东省", "福建省", "湖北省", "四川省", "河南省")
CITIES = ("杭州市", "南京市", "深圳市", "广州市", "青岛市", "厦门市", "武汉市", "成都市", "郑州市", "苏州市", "宁波市", "佛山市")
INDUSTRIES = ("汽车制造", "化学原料和化学制品制造业", "电子元器件", "有色金属冶炼", "新能源电池", "医药制造", "食品加工", "机械设备", "建筑材料")
WORDS = ("研发", "生产", "销售", "锂电池", "新能源汽车", "铝材", "精细化工", "电子元件", "服务器", "医疗器械", "光伏组件", "钢材", "物流", "进出口")
OWNERSHIP = ("民营", "地方国企", "央企", "外资")
ROWS_PER_BLOCK = 100_000


def _block(rng: np.random.Generator, start: int, n: int) -> pd.DataFrame:
    """``n`` synthetic profiles numbered from ``start`` (names distinct across blocks)."""
    a, b = rng.choice(SYLLABLES, size=n), rng.choice(SYLLABLES, size=n)
    number = np.char.mod("%07d", np.arange(start, start + n))
    names = np.char.add(np.char.add(np.char.add(a.astype(str), b.astype(str)), number), rng.choice(SUFFIXES, size=n).astype(str))
    business = pd.Series(rng.choice(WORDS, size=n)).str.cat([pd.Series(rng.choice(WORDS, size=n)) for _ in range(4)], sep="、")
    branches = pd.Series(rng.choice(CITIES, size=n)).str.cat(pd.Series(rng.choice(CITIES, size=n)), sep=";")
    return pd.DataFrame(
        {
            "企业名称": names,
            "英文名称": np.char.add("Synthetic Enterprise ", number),
            "所属行业": rng.choice(INDUSTRIES, size=n),
            "主营业务": business.to_numpy(),
            "省份": rng.choice(PROVINCES, size=n),
            "城市": rng.choice(CITIES, size=n),
            "主要分支机构": branches.to_numpy(),
            "企业性质": rng.choice(OWNERSHIP, size=n),
        }
    )


def write_profiles(path: Path, mb: float, seed: int = 0) -> tuple[Path, int]:
    """A seeded synthetic profile CSV of about ``mb`` MB; the path and its number of data rows."""
    rng = np.random.default_rng(seed)
    target = mb * (1 << 20)
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        while fh.tell() < target:
            block = _block(rng, rows, ROWS_PER_BLOCK)
            left = target - fh.tell()
            per_row = 230  # bytes of a row, about; the last block is cut to fit
            if left < ROWS_PER_BLOCK * per_row:
                block = block.iloc[: max(1, int(left // per_row))]
            block.to_csv(fh, index=False, header=rows == 0, lineterminator="\n")
            rows += len(block)
    return path, rows


def baseline_read(path: str) -> pd.DataFrame:
    """The CSV path of the one reader before it streamed (kept here to measure against): all in memory at once."""
    import csv
    import io

    from matcher._text import INVISIBLE
    from matcher.ingest.encoding import decode_text

    data = Path(path).read_bytes()
    text, _ = decode_text(path, data)
    data = b""
    sample = text[:20000]
    delim = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    previous = csv.field_size_limit(32767)
    grid = list(csv.reader(io.StringIO(text), delimiter=delim))
    csv.field_size_limit(previous)
    text = ""
    header, body = grid[0], grid[1:]
    frame = pd.DataFrame(body, columns=range(len(header)), dtype=object)
    del grid, body
    frame = frame.fillna("")
    frame.columns = header
    return frame.apply(lambda s: s.astype(str).str.normalize("NFKC").str.replace(INVISIBLE, "", regex=True).str.strip())


def _measure(what: str, path: str) -> dict:
    """Run in this (child) process: read the file one way; wall time, peak RSS and rows."""
    t0 = time.perf_counter()
    if what == "baseline":
        n = len(baseline_read(path))
    else:
        from matcher.ingest.tables import read_table

        n = len(read_table(path).frame)
    # A large file's second half is read by a worker process (matcher.ingest.tables.SPLIT_FROM): its peak is reported too.
    worker = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return {"what": what, "seconds": round(time.perf_counter() - t0, 2), "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "worker_mb": worker, "rows": n}


def _child(what: str, path: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", what, path], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _import(path: str, work: Path) -> dict:
    """``matcher import-profiles`` into an empty SQLite database in ``work``: wall time, peak RSS of the process, exit code."""
    db = work / "big.db"
    cmd = [sys.executable, "-c", "import resource,sys;from matcher.cli import main\ntry:\n main()\nfinally:\n sys.stderr.write('PEAK %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"]
    t0 = time.perf_counter()
    env = {**os.environ, "CI": "1", "MATCHER_LANG": "en"}
    out = subprocess.run([*cmd, "--db", str(db), "import-profiles", path], capture_output=True, text=True, cwd=ROOT, env=env)
    peak = next((int(line.split()[1]) for line in out.stderr.splitlines() if line.startswith("PEAK ")), 0)
    return {
        "what": "import-profiles",
        "seconds": round(time.perf_counter() - t0, 2),
        "peak_mb": round(peak / 1024),
        "exit": out.returncode,
        "said": (out.stdout.strip().splitlines() or [""])[0][:120],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=195.0, help="size of the CSV in MB")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-import", action="store_true", help="skip matcher import-profiles")
    ap.add_argument("--no-baseline", action="store_true", help="skip the reader as it was before streaming")
    ap.add_argument("--measure", nargs=2, metavar=("WHAT", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(_measure(*args.measure)))
        return 0
    with tempfile.TemporaryDirectory(prefix="big-csv-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        path, rows = write_profiles(work / "profiles.csv", args.mb, args.seed)
        size = path.stat().st_size / (1 << 20)
        print(f"synthetic profile CSV: {size:.0f} MB, {rows} rows, written in {time.perf_counter() - t0:.1f} s")
        results = []
        for what in ([] if args.no_baseline else ["baseline"]) + ["read_table"]:
            results.append(_child(what, str(path)))
        if not args.no_import:
            results.append(_import(str(path), work))
        for r in results:
            extra = f", exit {r['exit']}: {r['said']}" if "exit" in r else f", {r['rows']} rows"
            extra += f", worker process peak {r['worker_mb']} MB" if r.get("worker_mb") else ""
            print(f"{r['what']:16s} {r['seconds']:8.1f} s  peak RSS {r['peak_mb']:6d} MB{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
