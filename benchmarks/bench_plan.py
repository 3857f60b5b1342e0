"""Benchmark: plan one week for 60 teams from 1M candidate enterprises (synthetic, seeded).

Times the planner's array path — history adjustments (cooldown, aftercare,
carry-over, quota pace), pruning, the optimal assignment, the greedy baseline
and the diversity re-rank — on a (60 teams × 1M enterprises) float32 score
matrix, and reports it against a baseline measured in the same run: sorting
every team's full score vector once (what ranking each team on its own costs
without pruning). Peak memory is the planner's extra peak (tracemalloc, which
sees numpy's buffers) and the process's peak resident size.

Usage: python benchmarks/bench_plan.py [--n 1000000] [--teams 60] [--seed 0]
Target: under 5 s wall time on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from matcher._text import parse_week
from matcher.columns import PROJECT_COLUMNS, VISIT_COLUMNS
from matcher.config.load import load_config
from matcher.plan.solve import solve_week
from matcher.plan.values import adjust_values
from matcher.sim.universe import expand_teams


def build(n: int, n_teams: int, seed: int):
    rng = np.random.default_rng(seed)
    config = expand_teams(load_config(), n_teams)
    teams = sorted(config.teams, key=lambda t: t.id)
    regions = [r.id for r in config.regions]
    ent_region = rng.integers(0, len(regions), size=n)
    value = np.zeros((len(teams), n), dtype=np.float32)
    chain = np.zeros((len(teams), n), dtype=np.int16)
    for k, t in enumerate(teams):
        ok = (ent_region == regions.index(t.region)) & (rng.random(n) < 0.6)
        value[k, ok] = rng.random(int(ok.sum()), dtype=np.float32) * 0.9 + 0.05
        chain[k] = rng.integers(0, 6, size=n, dtype=np.int16)
    ids = pd.Index(np.char.add("SYN", np.char.zfill(np.arange(n).astype(str), 9)))
    tier_member = rng.random((n, len(config.tiers))) < 0.03
    week, monday = parse_week("2026-W30")
    mon = pd.Timestamp(monday)
    # A synthetic half year of history: 40k visits, 8k projects, the last 3 weeks' issued plans.
    nv = 40_000
    visits = pd.DataFrame(
        {
            "visit_id": np.arange(nv).astype(str),
            "date": mon - pd.to_timedelta(rng.integers(1, 182, size=nv), unit="D"),
            "team_id": rng.choice([t.id for t in teams], size=nv),
            "city": rng.choice([c.id for c in config.cities], size=nv),
            "enterprise_id": ids[rng.integers(0, n, size=nv)],
            "kind": "visit",
            "lead_level": "team_member",
            "outcome": "synthetic",
            "next_step": "",
        }
    )[list(VISIT_COLUMNS)]
    npj = 8_000
    stage = rng.choice(["visited", "negotiating", "signed", "started", "dropped"], size=npj)
    sd = mon - pd.to_timedelta(rng.integers(1, 150, size=npj), unit="D")
    projects = pd.DataFrame(
        {
            "project_id": np.arange(npj).astype(str),
            "enterprise_id": ids[rng.integers(0, n, size=npj)],
            "city": rng.choice([c.id for c in config.cities], size=npj),
            "county_park": "",
            "chain": "",
            "link": "",
            "amount_yuan": 1e8,
            "amount_estimated": True,
            "arrived_yuan": 0.0,
            "stage": stage,
            "stage_date": sd,
            "signed_date": pd.Series(sd).where(np.isin(stage, ["signed", "started"])),
            "source_team": "",
            "dropped_reason": "",
        }
    )[list(PROJECT_COLUMNS)]
    prev = []
    for w in (27, 28, 29):
        for t in teams:
            prev.append(
                pd.DataFrame(
                    {
                        "week": f"2026-W{w}",
                        "team_id": t.id,
                        "enterprise_id": ids[rng.integers(0, n, size=t.weekly_capacity)],
                        "rank": np.arange(1, t.weekly_capacity + 1),
                    }
                )
            )
    previous = pd.concat(prev, ignore_index=True)
    return config, teams, value, chain, ids, tier_member, monday, visits, projects, previous


def plan(config, teams, value, chain, ids, tier_member, monday, visits, projects, previous):
    v, adj = adjust_values(value, ids, teams, config, monday, tier_member=tier_member, visits=visits, projects=projects, previous=previous)
    cap = np.array([t.weekly_capacity for t in teams])
    return solve_week(v, cap, chain, diversity_lambda=config.planner.diversity_lambda)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--teams", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    data = build(args.n, args.teams, args.seed)
    build_s = time.perf_counter() - t0
    value = data[2]

    t0 = time.perf_counter()
    for k in range(value.shape[0]):
        np.argsort(-value[k], kind="stable")
    baseline_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    res = plan(*data)
    plan_s = time.perf_counter() - t0

    tracemalloc.start()
    plan(*data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    input_bytes = value.nbytes + data[3].nbytes
    out = {
        "enterprises": args.n,
        "teams": args.teams,
        "leads": len(res["leads"]),
        "pruned_pairs": len(res["candidates"].ent),
        "optimal_total": round(res["optimal"], 4),
        "greedy_total": round(res["greedy"], 4),
        "plan_wall_s": round(plan_s, 3),
        "baseline_full_sort_s": round(baseline_s, 3),
        "plan_vs_baseline": round(plan_s / baseline_s, 3),
        "planner_extra_peak_mb": round(peak / 2**20, 1),
        "input_mb": round(input_bytes / 2**20, 1),
        "extra_peak_vs_input": round(peak / input_bytes, 3),
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "build_input_s": round(build_s, 2),
        "target_s": 5.0,
        "meets_target": plan_s < 5.0,
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
