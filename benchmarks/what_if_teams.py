"""What if a region had more teams? Signings on a simulated history with and without them (SYNTHETIC data).

Run from the project root:

    python -m benchmarks.what_if_teams --region YREB --extra 2 [--weeks 52] [--seeds 3]

Both worlds share the universe, the hidden propensity and the seed; only the
roster differs (see :func:`matcher.sim.history.add_teams`). Averaged over seeds,
because the extra teams change the order of the random draws.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from benchmarks.options import parse_options
from matcher.config.load import load_config
from matcher.score.rule import RuleScorer
from matcher.sim.history import simulate_history
from matcher.sim.universe import add_teams, expand_teams, synthetic_universe

log = logging.getLogger("benchmarks.what_if_teams")


def main() -> None:
    a = parse_options(__doc__, region="YREB", extra=2, teams=60, enterprises=6000, weeks=52, seeds=3)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    base = expand_teams(load_config(), a.teams)
    more = add_teams(base, a.region, a.extra)
    u = synthetic_universe(a.enterprises, base, seed=0)
    s = RuleScorer(base).fit(u).score(u)
    region_teams = {t.id for t in more.teams if t.region == a.region}
    rows = []
    for name, cfg in (("base", base), (f"+{a.extra} {a.region}", more)):
        for seed in range(a.seeds):
            h = simulate_history(s, cfg, weeks=a.weeks, seed=seed, visit_lift=0.5)
            signed = h.projects[h.projects.signed_date.notna()]
            rows.append(
                {
                    "scenario": name,
                    "seed": seed,
                    "teams": len(cfg.teams),
                    "visits": len(h.visits),
                    "signed": len(signed),
                    f"signed_{a.region}": int(signed.source_team.isin(region_teams).sum()),
                    "signed_amount_100m_yuan": round(float(signed.amount_yuan.sum()) / 1e8, 1),
                }
            )
    t = pd.DataFrame(rows)
    summary = t.groupby("scenario", sort=False).mean(numeric_only=True).drop(columns="seed").round(1)
    log.info("SYNTHETIC what-if, %d weeks, %d enterprises, mean of %d seeds:\n%s", a.weeks, len(u), a.seeds, summary.to_string())
    d = summary.iloc[1] - summary.iloc[0]
    log.info("difference: %s", ", ".join(f"{k} {v:+.1f}" for k, v in d.items() if np.isfinite(v)))


if __name__ == "__main__":
    main()
