"""Positive-unlabelled learning on the real investments, held out by enterprise and by city, against the rule.

Run from the project root:

    python -m benchmarks.pu_real [--real DIR] [--out pu-real]

Builds the universe of the real lists as ``benchmarks/validate_real.py`` does (private 500 2026,
Fortune 2019 and 2024, unicorns 2022, the private-500 profiles), ranks the investments whose
enterprise is on a list (``--rows listed``) in their city's list by the rule, then trains a
positive-unlabelled model (:mod:`matcher.learn.pu`) under cross-validation grouped by enterprise and
by city and ranks the same pairs held out. Prints and writes ``summary.csv``, ``difference.csv``
and ``notes.md``. Every figure is held out; none is in-sample.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

from benchmarks.validate_real import INVESTMENTS, REAL, build_store, fmt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", type=Path, default=REAL, help="folder of the real lists")
    ap.add_argument("--out", type=Path, default=Path("pu-real"), help="output folder")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    from matcher._files import atomic_write_bytes
    from matcher.config.load import load_config
    from matcher.featurise.universe import build_universe
    from matcher.learn.pu import pu_study
    from matcher.learn.validate import read_investments, select_rows, validate_investments
    from matcher.score.rule import RuleScorer

    config = load_config()
    investments = select_rows(read_investments(args.real / INVESTMENTS), "listed")
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        store = build_store(args.real, Path(tmp) / "pu.db", config, profiles=True)
        universe = build_universe(store, config)
        scores = RuleScorer(config).fit(universe).score(universe)
        v = validate_investments(store, config, investments, scores=scores)
        store.engine.dispose()
    t_build = time.perf_counter() - t
    t = time.perf_counter()
    summary, diff, verdict = pu_study(scores, v.pairs)
    ranked = int((v.pairs.status == "ranked").sum())
    lines = [
        f"# Positive-unlabelled learning on real investments (held out; {ranked} positive pairs)",
        "",
        f"Universe: {len(universe)} enterprises of the real lists, 14 cities: {len(universe) * 14} (enterprise, city) pairs, "
        f"of which {ranked} are known investments (positives) and the rest unlabelled. "
        f"{v.pairs.enterprise.nunique()} enterprises, {v.pairs.city.nunique()} cities. Universe built in {t_build:.0f} s, study {time.perf_counter() - t:.0f} s.",
        "",
        "| scheme | median percentile | hit@10 | hit@50 | hit@100 | MRR |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for _, r in summary.iterrows():
        lines.append(
            f"| {r['scheme']} | " + " | ".join(fmt(r, m) for m in ("median_percentile", "hit@10", "hit@50", "hit@100", "mrr")) + " |"
        )
    lines += [
        "",
        "Paired bootstrap of PU minus rule (95% intervals; percentile and log rank: lower is better; hit@50: higher is better):",
        "",
    ]
    lines += ["| grouping | against | median percentile | hit@50 | mean log rank |", "| --- | --- | --- | --- | --- |"]
    for _, r in diff.iterrows():
        lines.append(
            f"| {r['grouping']} | {r['against']} | "
            + " | ".join(
                f"{r[m]:+.3f} [{r[m + '_lo']:+.3f}, {r[m + '_hi']:+.3f}]" for m in ("median_percentile", "hit@50", "mean_log_rank")
            )
            + " |"
        )
    lines += ["", f"Verdict: {verdict}."]
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(args.out / "summary.csv", summary.to_csv(index=False).encode("utf-8"))
    atomic_write_bytes(args.out / "difference.csv", diff.to_csv(index=False).encode("utf-8"))
    atomic_write_bytes(args.out / "notes.md", text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
