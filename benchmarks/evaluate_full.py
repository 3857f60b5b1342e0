"""The full evaluation on a simulated history: two years, 60 teams (SYNTHETIC data).

Run from the project root:

    python -m benchmarks.evaluate_full --out benchmark-eval [--enterprises 6000] [--seed 0]

Simulates a universe of enterprises and 104 weeks of 60 teams' work under the
rule policy (visits raise the chance of signing, lift 0.5), then runs the
rolling-origin backtest of :func:`matcher.learn.backtest.run_backtest` and writes the
comparison table (CSV, Markdown), the NDCG chart and the reliability diagram.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pandas as pd

from benchmarks.options import parse_options
from matcher.config.load import load_config
from matcher.learn.backtest import run_backtest
from matcher.report.backtest import write_report
from matcher.score.rule import RuleScorer
from matcher.sim.history import simulate_history
from matcher.sim.universe import expand_teams, synthetic_universe

log = logging.getLogger("benchmarks.evaluate_full")


def main() -> None:
    a = parse_options(__doc__, out="benchmark-eval", enterprises=6000, teams=60, weeks=104, origins=4, seed=0)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    t0 = time.perf_counter()
    cfg = expand_teams(load_config(), a.teams)
    u = synthetic_universe(a.enterprises, cfg, seed=a.seed)
    s = RuleScorer(cfg).fit(u).score(u)
    start = "2025-01-06"
    h = simulate_history(s, cfg, start=start, weeks=a.weeks, seed=a.seed, visit_lift=0.5)
    t1 = time.perf_counter()
    log.info(
        "simulated %d enterprises, %d teams, %d weeks: %d visits, %d signed (%.1fs)",
        len(u),
        len(cfg.teams),
        a.weeks,
        len(h.visits),
        int(h.projects.signed_date.notna().sum()),
        t1 - t0,
    )
    end = str((pd.Timestamp(start) + pd.Timedelta(weeks=a.weeks)).date())
    r = run_backtest(s, cfg, h.visits, h.projects, end=end, propensity=h.propensity, visit_lift=0.5, origins=a.origins, seed=a.seed)
    log.info("backtest %.1fs", time.perf_counter() - t1)
    write_report(
        r, Path(a.out), title=f"排序方法比较 Ranking comparison — SYNTHETIC: {len(u)} enterprises, {len(cfg.teams)} teams, {a.weeks} weeks"
    )
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        log.info("%s", r.table.to_string(index=False))
    log.info("%s", r.protocol)
    for n in r.notes:
        log.info("%s", n)
    log.info("Brier (%s): %.4f", r.chosen_model, r.brier)


if __name__ == "__main__":
    main()
