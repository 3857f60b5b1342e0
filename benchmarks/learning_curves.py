"""Learning curves in three simulated worlds (SYNTHETIC): history length against the NDCG@10 gain over the rule.

Run from the project root:

    python -m benchmarks.learning_curves --out learning-curves [--seeds 5] [--enterprises 3000]

For each world of ``data/worlds.toml`` (the rule right, partly wrong, mostly wrong) and each seed,
simulates a universe, its hidden truth and the configuration's 44 teams' visits under the rule policy,
then trains the learned models on histories of growing length (teams × weeks) and judges each
team's counterfactual list in the following weeks against the hidden truth
(:mod:`matcher.learn.curves`). Writes ``curves.csv`` (one row per world, seed, length and method),
``summary.csv`` and ``summary.md`` (mean gain over seeds with a percentile interval). Sized to run in
about 9 minutes on an idle 2-core machine (17 when it is shared).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pandas as pd

from benchmarks.options import parse_options
from matcher._files import atomic_write_bytes
from matcher.config.load import load_config
from matcher.learn.curves import curve_summary, world_learning_curve
from matcher.sim.worlds import load_worlds

log = logging.getLogger("benchmarks.learning_curves")


def markdown(summary: pd.DataFrame, seeds: int) -> str:
    """The summary as a Markdown table: one row per world and history length, one column per method."""
    s = summary[summary.method != "rule"].copy()
    s["cell"] = [f"{g:+.3f} [{lo:+.3f}, {hi:+.3f}]" if pd.notna(g) else "—" for g, lo, hi in zip(s.gain, s.gain_lo, s.gain_hi, strict=True)]
    wide = s.pivot_table(index=["world", "teams", "weeks", "team_weeks"], columns="method", values="cell", aggfunc="first", sort=False)
    rule = summary[summary.method == "rule"].set_index(["world", "teams", "weeks", "team_weeks"]).ndcg
    wide.insert(0, "rule NDCG@10", rule.reindex(wide.index).map("{:.3f}".format))
    signed = summary[summary.method == "rule"].set_index(["world", "teams", "weeks", "team_weeks"]).train_signed
    wide.insert(0, "signings trained on", signed.reindex(wide.index).round().astype(int))
    order = {w: i for i, w in enumerate(pd.unique(summary.world))}
    wide = wide.reset_index().sort_values(
        ["world", "teams", "weeks"], key=lambda c: c.map(order) if c.name == "world" else c, kind="stable"
    )
    lines = [
        f"SYNTHETIC worlds: NDCG@10 gain over the rule (mean over {seeds} seeds [2.5–97.5 percentile of the seeds' gains; "
        f"with {seeds} seeds close to their range]).",
        "",
        "| " + " | ".join(wide.columns) + " |",
        "| " + " | ".join("---" for _ in wide.columns) + " |",
    ]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in wide.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def main() -> None:
    a = parse_options(__doc__, out="learning-curves", seeds=5, enterprises=3000)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = load_config()
    settings = load_worlds(config=config)
    parts = []
    t0 = time.perf_counter()
    for world in settings.worlds:
        for seed in range(a.seeds):
            t = time.perf_counter()
            parts.append(world_learning_curve(world, config, n=a.enterprises, seed=seed, settings=settings))
            log.info("%s seed %d: %.1fs", world.id, seed, time.perf_counter() - t)
    curves = pd.concat(parts, ignore_index=True)
    summary = curve_summary(curves)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / "curves.csv", curves.to_csv(index=False, float_format="%.5f").encode("utf-8"))
    atomic_write_bytes(out / "summary.csv", summary.to_csv(index=False, float_format="%.5f").encode("utf-8"))
    md = markdown(summary, a.seeds)
    atomic_write_bytes(out / "summary.md", md.encode("utf-8"))
    print(md)
    log.info("total %.1fs", time.perf_counter() - t0)


if __name__ == "__main__":
    main()
