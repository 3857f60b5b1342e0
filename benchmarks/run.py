"""Time every stage at several sizes, each measurement in a fresh process; print a Markdown report.

Usage::

    python -m benchmarks.run                      # 10k, 100k, 1M; 5 runs each
    python -m benchmarks.run --sizes 10000 100000 --repeats 5 --big 5000000 --out stages.md

Each figure is the median of ``--repeats`` runs of ``python -m benchmarks.stage``:
wall time, CPU time (user + system of the process) and peak resident memory
while the stage runs (including the universe in memory). Ratios compare with
baselines measured in the same run: the fair plain per-pair Python loop
(``naive``, :func:`benchmarks.naive.fair_naive`, on a sample) for the per-pair cost,
the array floor (``floor``, :class:`benchmarks.naive.Floor`) and ``plan.team_list``
called team by team for the top lists. The commands as a user runs them are timed by
``benchmarks/commands.py``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path


def measure(stage: str, n: int, repeats: int, *extra: str) -> dict:
    runs = []
    for _ in range(repeats):
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.stage", stage, str(n), *extra],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    out = dict(runs[0])
    for key in ("wall_s", "cpu_s", "peak_mb"):
        out[key] = statistics.median(r[key] for r in runs)
    out["repeats"] = repeats
    return out


def shell_time(cmd: list[str], repeats: int) -> dict:
    wall, cpu = [], []
    for _ in range(repeats):
        w0 = time.perf_counter()
        import resource

        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, check=True, capture_output=True)
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall.append(time.perf_counter() - w0)
        cpu.append(c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime)
    return {"wall_s": statistics.median(wall), "cpu_s": statistics.median(cpu)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--big", type=int, default=0, help="Also run the chunked stage at this size (e.g. 5000000).")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--big-repeats", type=int, default=5)
    ap.add_argument(
        "--stages",
        nargs="+",
        default=["generate", "score", "floor", "teams", "teams60", "teams_one_by_one", "weekly", "chunked"],
        help="Stages to run at each size.",
    )
    ap.add_argument("--naive-sample", type=int, default=300)
    ap.add_argument(
        "--texts",
        choices=["labels", "business", "realistic", "distinct"],
        default="realistic",
        help="Universe texts of the sized runs (see benchmarks.stage).",
    )
    ap.add_argument(
        "--business-n", type=int, default=100_000, help="Size of the extra score and floor runs with every text distinct (0: skip)."
    )
    ap.add_argument("--cli", action="store_true", help="Also time `matcher --help` and `matcher demo` from a shell.")
    ap.add_argument("--out", default=None, help="Also write the report to this file.")
    a = ap.parse_args(argv)
    r = a.repeats
    rows = []

    def add(res: dict) -> dict:
        rows.append(res)
        print(json.dumps(res), file=sys.stderr, flush=True)
        return res

    naive = add(measure("naive", a.naive_sample, r, "--texts", a.texts))
    naive_us = naive["cpu_s"] / naive["pairs"] * 1e6
    naive_wall_us = naive["wall_s"] / naive["pairs"] * 1e6
    for n in a.sizes:
        for st in a.stages:
            if st == "teams60":
                add(measure("teams", n, r, "--teams", "60", "--texts", a.texts))
            elif st == "chunked":
                add(measure("chunked", n, r, "--chunksize", str(max(n // 4, 1)), "--texts", a.texts))
            else:
                add(measure(st, n, r, "--texts", a.texts))
    if a.business_n:
        add(measure("score", a.business_n, r, "--texts", "distinct"))
        add(measure("floor", a.business_n, r, "--texts", "distinct"))
    if a.big:
        add(measure("chunked", a.big, a.big_repeats, "--chunksize", "500000"))
    lines = [
        f"Machine: {platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}; "
        f"median of {r} runs ({a.big_repeats} at {a.big:,}), each in a fresh process."
        if a.big
        else f"median of {r} runs, each in a fresh process.",
        "",
        "| stage | N | texts | teams | wall s | CPU s | peak MB | wall ns/pair | CPU ns/pair | × fair loop (CPU) | ÷ floor (CPU) |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    floors = {(x["n"], x["texts"]): x["cpu_s"] for x in rows if x["stage"] == "floor"}
    for x in rows:
        pairs = x.get("pairs")

        def per(v, pairs=pairs):
            return f"{v / pairs * 1e9:.1f}" if pairs else ""

        ratio = f"{naive_us / (x['cpu_s'] / pairs * 1e6):.0f}" if pairs and x["stage"] in ("score", "floor", "weekly", "chunked") else ""
        fl = floors.get((x["n"], x["texts"]))
        vs_floor = f"{x['cpu_s'] / fl:.2f}" if fl and x["stage"] in ("score", "floor") else ""
        lines.append(
            f"| {x['stage']} | {x['n']:,} | {x['texts']} | {x['teams']} | {x['wall_s']:.2f} | {x['cpu_s']:.2f} | {x['peak_mb']:.0f} "
            f"| {per(x['wall_s'])} | {per(x['cpu_s'])} | {ratio} | {vs_floor} |"
        )
    lines += [
        "",
        f"Fair per-pair loop (benchmarks/naive.py): {naive_wall_us:.2f} µs wall, {naive_us:.2f} µs CPU per (enterprise, city chain) pair.",
        "`score` maps industry texts to industries and scores; `floor` starts from the mapped matches (the same input the loop gets).",
    ]
    if a.cli:
        exe = str(Path(sys.executable).with_name("matcher"))
        h = shell_time([exe, "--help"], r)
        lines.append(f"`matcher --help`: {h['wall_s']:.2f} s wall, {h['cpu_s']:.2f} s CPU.")
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            walls = []
            for k in range(r):
                walls.append(shell_time([exe, "demo", "--out", str(Path(tmp) / f"d{k}"), "--week", "2026-W49"], 1))
            lines.append(
                f"`matcher demo`: {statistics.median(w['wall_s'] for w in walls):.2f} s wall, "
                f"{statistics.median(w['cpu_s'] for w in walls):.2f} s CPU."
            )
    report = "\n".join(lines) + "\n"
    print(report)
    if a.out:
        Path(a.out).write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
