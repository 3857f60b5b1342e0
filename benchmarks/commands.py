"""Time the real commands as a user runs them, each a whole subprocess, on a realistic synthetic database.

Usage::

    python -m benchmarks.commands                                   # 1M enterprises, 5 runs each
    python -m benchmarks.commands --rows 20000 --repeats 2          # a quick check
    python -m benchmarks.commands --commands targets weekly --out benchmarks-commands.md

Set-up (cached by rows and seed under the temporary folder, not timed): a seeded **synthetic**
world from :func:`matcher.sim.realistic.realistic_world` with every business text distinct (as a
registry export), written as a profile CSV and one list CSV per tier; a database built by running
``matcher import-profiles`` and ``matcher import-list`` on them; and a simulated history of visits
and projects (:func:`matcher.demo.load_simulated_history`, labelled synthetic) so ``weekly`` plans
against one. When only ``import-profiles`` is timed (it imports into a fresh database), only the files.

Timed, each ``--repeats`` times as ``matcher …`` subprocesses: ``import-profiles`` (every profile,
into a fresh database), ``targets --city liuzhou``, ``weekly`` (with history), ``validate`` (the
real investments file when present) and ``import-list`` (a 500-row next edition into the master;
a fresh copy of the database each run). The scoring commands (targets, weekly, validate) are timed
twice over: ``--cold-repeats`` runs with the scores cache emptied first (the first command after an
import of lists or profiles computes the scores and keeps them, :mod:`matcher.score.cache`), then
``--repeats`` runs that find this state's scores already computed (every later command until the
next such import; a weekly visit import keeps them). Per command: median, min and max of wall time, CPU time
(user + system of the child and its children, from ``wait4``) and peak resident memory (``ru_maxrss``
from ``wait4``, exact per run: the largest of the child and of the worker processes it forked for
large imports and resolutions, :mod:`matcher._parallel`, not their sum). The machine's load average before and after is
reported: on a shared machine the wall times carry others' work.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.options import emit_report  # noqa: E402

COMMANDS = ("import-profiles", "targets", "weekly", "validate", "import-list")
WEEK = "2026-W49"
#: A million registry-like business scopes make a ~350 MB profile file, over the reader's default 200 MB limit.
ENV = {**os.environ, "MATCHER_MAX_FILE_MB": os.environ.get("MATCHER_MAX_FILE_MB", "2000")}
INVESTMENTS = ROOT.parent / "shared" / "data" / "real" / "guangxi_investments_dev.csv"


def matcher_exe() -> list[str]:
    exe = Path(sys.executable).with_name("matcher")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "matcher"]


def run_child(cmd: list[str], cwd: Path, log: Path | None = None) -> dict:
    """Run ``cmd`` to completion; its wall time, CPU time (its workers' included) and peak RSS (the largest process's) from ``wait4``."""
    out = open(log, "ab") if log else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log else ""
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    rss_mb = ru.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "peak_mb": rss_mb}


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _history(db: str, week: str, weeks: int, seed: int) -> None:
    """Store a simulated history (synthetic) for the database's universe (run in a child process)."""
    from matcher.config.load import load_config
    from matcher.demo import load_simulated_history
    from matcher.featurise.universe import build_universe
    from matcher.score.rule import RuleScorer
    from matcher.store.core import Store

    cfg = load_config()
    store = Store(db)
    u = build_universe(store, cfg)
    scores = RuleScorer(cfg).fit(u).score(u)
    load_simulated_history(store, scores, cfg, week, weeks=weeks, seed=seed)
    store.engine.dispose()


def _import_lists(db: str, files: list[tuple[str, str]], year: int) -> None:
    """Import list files through the library path of ``matcher import-list`` (no after-import report), in a child process."""
    from matcher.config.load import load_config
    from matcher.ingest.editions import split_editions
    from matcher.ingest.lists import parse_list
    from matcher.ingest.tables import read_table
    from matcher.resolve.imports import import_lists
    from matcher.store.core import Store

    cfg = load_config()
    store = Store(db)
    for path, tier_id in files:
        tier = cfg.tier(tier_id)
        table = read_table(path)
        entries = parse_list(table, ranked=tier.ranked)
        entries["revenue_unit"] = entries["revenue_unit"].where(entries["revenue_unit"] != "", tier.revenue_unit)
        import_lists(store, split_editions(entries, table, year), list_type=tier.id, source_name=Path(path).name, sha256=table.sha256)
    store.engine.dispose()


def _step(folder: Path, name: str, setup: list[str], run) -> None:
    """Run one set-up step unless an earlier run finished it (each step leaves a marker with its time)."""
    mark = folder / f"step-{name}"
    if not mark.exists():
        t = time.perf_counter()
        run()
        mark.write_text(f"{name}: {time.perf_counter() - t:.0f} s")
    setup.append(mark.read_text())


def build(rows: int, seed: int, folder: Path, history_weeks: int, log: Path, *, database: bool = True) -> dict:
    """The synthetic files and the database, built once per (rows, seed); returns paths and set-up times.

    Each step is kept when done, so an interrupted set-up resumes where it stopped. Without
    ``database`` (only ``import-profiles`` is timed: it imports into a fresh database) only the files.
    """
    from matcher.config.load import load_config
    from matcher.sim.realistic import list_edition, list_frame, realistic_world, write_csv, write_world

    folder.mkdir(parents=True, exist_ok=True)
    cfg = load_config()
    year = cfg.year
    paths = {
        "db": folder / "base.db",
        "new_list": folder / "synthetic_list_next_edition.csv",
        "profiles": folder / "synthetic_profiles.csv",
    }
    setup: list[str] = []

    def generate():
        world = realistic_world(rows, cfg, seed=seed, texts="distinct")
        write_world(world, folder)
        write_csv(list_frame(list_edition(world, cfg, "china_private_top500", 500, new=50, seed=seed)), paths["new_list"])

    def profiles():
        _remove_db(paths["db"])
        run_child([*matcher_exe(), "--db", str(paths["db"]), "import-profiles", str(paths["profiles"])], folder, log)

    def import_all():
        code = f"from benchmarks.commands import _import_lists; _import_lists({str(paths['db'])!r}, {lists!r}, {year - 1})"
        run_child([sys.executable, "-c", code], ROOT, log)

    def history():
        code = f"from benchmarks.commands import _history; _history({str(paths['db'])!r}, {WEEK!r}, {history_weeks}, {seed})"
        run_child([sys.executable, "-c", code], ROOT, log)

    _step(folder, "generate", setup, generate)
    if not database:
        return {**paths, "setup": "; ".join(setup)}
    lists = [
        (str(p), p.stem.removeprefix("synthetic_list_")) for p in sorted(folder.glob("synthetic_list_*.csv")) if p != paths["new_list"]
    ]
    _step(folder, "import-profiles", setup, profiles)
    _step(folder, f"import-lists ({len(lists)}, library path of import-list)", setup, import_all)
    _step(folder, f"history ({history_weeks} weeks)", setup, history)
    return {**paths, "setup": "; ".join(setup)}


#: Commands that score the database: timed "cold" (the scores cache emptied first, as the first run after
#: an import of lists or profiles) and "warm" (scores of this state of the data already computed).
SCORING = ("targets", "weekly", "validate")


def measure(name: str, built: dict, work: Path, repeats: int, year: int, log: Path, *, cold: bool = False) -> list[dict]:
    """``repeats`` timed runs of one command; untimed preparation (fresh or copied database, emptied cache) before each."""
    exe = [*matcher_exe(), "--models", str(work / "models")]
    runs = []
    for k in range(repeats):
        if cold:
            shutil.rmtree(work / "models" / "cache", ignore_errors=True)
        db = built["db"]
        if name == "import-profiles":
            db = work / "fresh.db"
            _remove_db(db)
            cmd = [*exe, "--db", str(db), "import-profiles", str(built["profiles"])]
        elif name in ("weekly", "import-list"):
            db = work / "copy.db"
            _remove_db(db)
            shutil.copyfile(built["db"], db)
            if name == "weekly":
                cmd = [*exe, "--db", str(db), "weekly", "--week", WEEK, "--out", str(work / f"weekly-{k}")]
            else:
                cmd = [*exe, "--db", str(db), "import-list", str(built["new_list"]), "--type", "china_private_top500", "--year", str(year)]
        elif name == "targets":
            cmd = [*exe, "--db", str(db), "targets", "--city", "liuzhou"]
        elif name == "validate":
            cmd = [*exe, "--db", str(db), "validate", str(INVESTMENTS), "--out", str(work / f"validation-{k}")]
        else:
            raise SystemExit(f"unknown command {name!r}")
        runs.append(run_child(cmd, work, log))
        r = runs[-1]
        print(
            f"  {name} run {k + 1}: {r['wall_s']:.2f} s wall, {r['cpu_s']:.2f} s CPU, {r['peak_mb']:.0f} MB, load {os.getloadavg()[0]:.2f}",
            file=sys.stderr,
            flush=True,
        )
    return runs


def _cell(runs: list[dict], key: str, fmt: str) -> str:
    vals = [r[key] for r in runs]
    return f"{statistics.median(vals):{fmt}} ({min(vals):{fmt}}–{max(vals):{fmt}})"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="Enterprises in the synthetic master (default 1,000,000).")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument(
        "--cold-repeats", type=int, default=1, help="Runs of each scoring command with the scores cache emptied first (default 1; the warm runs follow; with 0, one untimed run warms the cache)."
    )
    ap.add_argument("--commands", nargs="+", choices=COMMANDS, default=list(COMMANDS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--history-weeks", type=int, default=26, help="Weeks of simulated history before the planned week.")
    ap.add_argument("--cache", default=None, help="Folder of the cached files and database (default: under the temporary folder).")
    ap.add_argument("--out", default=None, help="Also write the Markdown report to this file.")
    a = ap.parse_args(argv)
    from matcher.config.load import load_config

    year = load_config().year
    folder = Path(a.cache) if a.cache else Path(tempfile.gettempdir()) / f"matcher-bench-commands-{a.rows}-{a.seed}"
    log = folder / "commands.log"
    folder.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    built = build(a.rows, a.seed, folder, a.history_weeks, log, database=any(c != "import-profiles" for c in a.commands))
    print(f"set-up ({time.perf_counter() - t:.0f} s this time): {built['setup']}", file=sys.stderr, flush=True)
    commands = [c for c in a.commands if c != "validate" or INVESTMENTS.exists()]
    skipped = [c for c in a.commands if c not in commands]
    results: dict[str, list[dict]] = {}
    failed: dict[str, str] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="matcher-bench-run-") as tmp:
        for name in commands:
            plan = [(f"{name} cold", a.cold_repeats, True), (name, a.repeats, False)] if name in SCORING else [(name, a.repeats, False)]
            if name in SCORING and not a.cold_repeats:
                # No cold run reported: one untimed run first computes the scores, so every reported run is warm.
                measure(name, built, Path(tmp), 1, year, log)
            for key, repeats, cold in plan:
                if not repeats:
                    continue
                try:
                    results[key] = measure(name, built, Path(tmp), repeats, year, log, cold=cold)
                except SystemExit as e:  # a failed (or killed: out of memory) command is reported, not fatal
                    failed[key] = str(e).splitlines()[0]
                    print(failed[key], file=sys.stderr, flush=True)
    load_after = os.getloadavg()
    db_mb = built["db"].stat().st_size / 1e6 if built["db"].exists() else 0.0
    lines = [
        f"`matcher` commands on a synthetic database of {a.rows:,} enterprises (seed {a.seed}, every business text distinct; "
        f"{f'database {db_mb:,.0f} MB, ' if db_mb else ''}profile file {built['profiles'].stat().st_size / 1e6:,.0f} MB read with MATCHER_MAX_FILE_MB={ENV['MATCHER_MAX_FILE_MB']}), "
        f"{a.repeats} runs each as whole subprocesses.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}; "
        f"load average (1, 5, 15 min) before {tuple(round(x, 2) for x in load_before)}, after {tuple(round(x, 2) for x in load_after)}.",
        f"Set-up (not timed here): {built['setup']}.",
        "",
        "| command | runs | wall s, median (min–max) | CPU s, median (min–max) | peak RSS MB, median (min–max) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    what = {
        "import-profiles": f"`import-profiles` ({a.rows:,} profiles, fresh database)",
        "targets": "`targets --city liuzhou`",
        "weekly": f"`weekly --week {WEEK}` (with simulated history)",
        "validate": "`validate` (real investments file)",
        "import-list": "`import-list` (500-row next edition into the master)",
    }
    for name in ("targets", "weekly", "validate"):
        what[f"{name} cold"] = what[name] + ", first run after an import (scores computed, then cached)"
        what[name] += ", scores of this state already computed"
    for name, runs in results.items():
        lines.append(
            f"| {what[name]} | {len(runs)} | {_cell(runs, 'wall_s', '.2f')} | {_cell(runs, 'cpu_s', '.2f')} | {_cell(runs, 'peak_mb', '.0f')} |"
        )
    for name, why in failed.items():
        lines.append(f"| {what[name]} | failed | {why} | | |")
    if skipped:
        lines += ["", f"Skipped (input absent): {', '.join(skipped)}."]
    report = "\n".join(lines) + "\n"
    emit_report(report, a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
