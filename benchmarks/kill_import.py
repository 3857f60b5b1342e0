"""Kill test: SIGKILL an import process at random points; the database must be fully before or fully after.

Builds a database of the embedded enterprises and a filled-in visit log of a
simulated year (synthetic, seeded), then, round after round, copies the
database, starts ``matcher import-visits`` on the copy and kills it with
SIGKILL at a random moment: half the rounds at a uniformly random time over
the import's whole run, half shortly after the write transaction has started
to touch the database (its write-ahead log grows). After each kill the copy is
opened again and must pass SQLite's integrity check and hold either none of the
sheet's visits or all of them, exactly as a complete import leaves them.

Usage: ``python benchmarks/kill_import.py [--rounds 20] [--seed 0] [--workdir DIR]``
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TODAY = "2026-11-29"


def _state(db: Path) -> tuple[str, int, str]:
    """(integrity, number of visits, hash of the visits table)."""
    from matcher.store.core import Store

    store = Store(db)
    try:
        with sqlite3.connect(db) as con:
            integrity = con.execute("pragma integrity_check").fetchone()[0]
        v = store.visits_frame(extra=True)
        digest = hashlib.sha256(pd.util.hash_pandas_object(v.astype(str), index=False).to_numpy().tobytes()).hexdigest()
        return integrity, len(v), digest
    finally:
        store.engine.dispose()


def _prepare(work: Path, weeks: int) -> tuple[Path, Path]:
    from matcher.config.load import load_config
    from matcher.demo import import_default_data
    from matcher.featurise.universe import build_universe
    from matcher.report.templates import history_to_sheet, write_template
    from matcher.score.rule import RuleScorer
    from matcher.sim.history import simulate_history
    from matcher.store.core import Store

    config = load_config()
    base = work / "base.db"
    store = Store(base)
    import_default_data(store, config)
    universe = build_universe(store, config)
    scores = RuleScorer(config).fit(universe).score(universe)
    h = simulate_history(scores, config, start="2025-11-24", weeks=weeks, seed=5)
    sheet = write_template(
        "visits", work / "visits.xlsx", config, history_to_sheet("visits", h.visits, universe.set_index("enterprise_id").name, config)
    )
    store.engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(str(base) + suffix).unlink(missing_ok=True)
    return base, sheet


def _copy(base: Path, db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.copyfile(base, db)


def _start(db: Path, sheet: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "matcher", "--db", str(db), "import-visits", str(sheet), "--today", TODAY]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run(rounds: int = 20, seed: int = 0, workdir: str | None = None, weeks: int = 52) -> list[dict]:
    """Run the kill test; return one record per round (also printed)."""
    rng = np.random.default_rng(seed)
    work = Path(workdir or tempfile.mkdtemp(prefix="kill-import-"))
    work.mkdir(parents=True, exist_ok=True)
    base, sheet = _prepare(work, weeks)
    before = _state(base)
    # One complete import: its duration and the state it leaves.
    full = work / "full.db"
    _copy(base, full)
    t0 = time.monotonic()
    p = _start(full, sheet)
    if p.wait() != 0:
        raise SystemExit("the complete import failed")
    duration = time.monotonic() - t0
    after = _state(full)
    print(f"visits sheet: {after[1]} rows; a complete import takes {duration:.2f} s")
    results = []
    db = work / "victim.db"
    wal = Path(str(db) + "-wal")
    for k in range(rounds):
        _copy(base, db)
        mode = "uniform" if k % 2 == 0 else "in-transaction"
        proc = _start(db, sheet)
        t0 = time.monotonic()
        if mode == "uniform":
            delay = float(rng.uniform(0.05, duration * 1.1))
            time.sleep(delay)
        else:
            extra = float(rng.uniform(0.0, 0.15))
            while proc.poll() is None and not (wal.exists() and wal.stat().st_size > 0):
                time.sleep(0.002)
            time.sleep(extra)
            delay = time.monotonic() - t0
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        state = _state(db)
        outcome = "before" if state[1:] == before[1:] else "after" if state[1:] == after[1:] else "PARTIAL"
        ok = state[0] == "ok" and outcome != "PARTIAL"
        rec = {
            "round": k + 1,
            "mode": mode,
            "kill_at_s": round(delay, 3),
            "killed": not finished,
            "visits": state[1],
            "state": outcome,
            "integrity": state[0],
            "ok": ok,
        }
        results.append(rec)
        print(
            f"round {k + 1:2d} {mode:14s} kill at {delay:6.3f} s{'' if not finished else ' (had finished)'}: {state[1]:5d} visits -> {outcome}, integrity {state[0]}"
        )
    bad = [r for r in results if not r["ok"]]
    print(
        f"{len(results)} rounds: {sum(r['state'] == 'before' for r in results)} before, {sum(r['state'] == 'after' for r in results)} after, {len(bad)} partial or corrupt"
    )
    if workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--workdir", default=None)
    a = ap.parse_args()
    res = run(a.rounds, a.seed, a.workdir, a.weeks)
    sys.exit(0 if all(r["ok"] for r in res) else 1)
