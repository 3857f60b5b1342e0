"""Run one benchmark stage once in this process and print its measurement as JSON.

Usage: ``python -m benchmarks.stage STAGE N [--seed S] [--texts labels|business|realistic|distinct]``.

``--texts``: ``labels`` (taxonomy labels, about 1% distinct at a million: optimistic), ``business``
(the old generator's business texts), ``realistic`` (:func:`matcher.sim.realistic.realistic_world`,
28% distinct as on the real lists), ``distinct`` (a registry-like business scope each).

Set-up (making the synthetic universe, fitting, scoring for the later stages)
is not timed. The peak memory is the process's resident high-water mark while
the stage runs (it includes the universe held in memory); the mark is reset
after set-up where Linux allows it.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from benchmarks.options import reset_peak


def _rss_mb(key: str) -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _universe(cfg, n: int, seed: int, business: bool):
    """The synthetic universe, cached between runs (making a million rows takes longer than scoring them)."""
    import tempfile

    import pandas as pd

    from matcher.sim.universe import synthetic_universe

    path = Path(tempfile.gettempdir()) / f"matcher-bench-universe-{n}-{seed}-{business}.pkl"
    if path.exists():
        return pd.read_pickle(path)
    if business in ("realistic", "distinct"):
        from matcher.sim.realistic import realistic_world, world_universe

        u = world_universe(realistic_world(n, cfg, seed=seed, texts="lists" if business == "realistic" else "distinct"), cfg)
    else:
        u = synthetic_universe(n, cfg, seed=seed, business_text=business == "business")
    u.to_pickle(path)
    return u


def naive_pairs(config, universe, found) -> int:
    """The rule score by the fair plain per-pair Python loop (:func:`benchmarks.naive.fair_naive`)."""
    from benchmarks.naive import fair_naive

    return sum(len(t) for t in fair_naive(config, universe, found)["total"])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("stage")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--texts", choices=["labels", "business", "realistic", "distinct"], default="labels")
    ap.add_argument("--teams", type=int, default=0, help="Teams (default: the configuration's).")
    ap.add_argument("--chunksize", type=int, default=250_000)
    a = ap.parse_args(argv)

    from matcher.config.load import load_config
    from matcher.plan.values import team_list
    from matcher.score.chunked import iter_chunks, score_chunks
    from matcher.score.rule import RuleScorer
    from matcher.score.toplists import team_lists, team_queries
    from matcher.sim.universe import expand_teams, synthetic_universe

    cfg = load_config()
    if a.teams:
        cfg = expand_teams(cfg, a.teams)
    biz = a.texts
    out: dict = {"stage": a.stage, "n": a.n, "texts": a.texts, "teams": len(cfg.teams)}
    run = None
    if a.stage == "generate":

        def run():
            synthetic_universe(a.n, cfg, seed=a.seed, business_text=biz == "business")

    else:
        u = _universe(cfg, a.n, a.seed, biz)
        scorer = RuleScorer(cfg).fit(u.iloc[:10])
        n_groups = len(scorer.groups_)
        out["pairs"] = a.n * n_groups
        if a.stage == "score":

            def run():
                scorer.score(u)

        elif a.stage == "weekly":
            # Scoring every enterprise against every city chain and region, then every team's list.
            def run():
                team_lists(RuleScorer(cfg).fit(u).score(u), cfg)

        elif a.stage in ("teams", "teams_one_by_one"):
            s = scorer.score(u)
            if a.stage == "teams":

                def run():
                    team_lists(s, cfg)

            else:

                def run():
                    for t in sorted(cfg.teams, key=lambda t: t.id):
                        team_list(s, t)

        elif a.stage == "chunked":
            queries = team_queries(scorer.groups_, cfg)

            def run():
                score_chunks(iter_chunks(u, a.chunksize), scorer, queries)

        elif a.stage == "naive":
            found = scorer.industry_.explain(u)

            def run():
                out["pairs"] = naive_pairs(cfg, u, found)

        elif a.stage == "floor":
            from benchmarks.naive import Floor

            found_u, inv = scorer.industry_.explain_distinct(u)
            floor = Floor(cfg)

            def run():
                floor.parts(u, found_u, inv)

        else:
            raise SystemExit(f"unknown stage {a.stage!r}")
    out["setup_rss_mb"] = round(_rss_mb("VmRSS"), 1)
    out["peak_reset"] = reset_peak()
    w0, c0 = time.perf_counter(), time.process_time()
    run()
    out["wall_s"] = time.perf_counter() - w0
    out["cpu_s"] = time.process_time() - c0
    out["peak_mb"] = round(_rss_mb("VmHWM") if out["peak_reset"] else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
