"""Benchmark: a simulated year of visits and projects through the Excel templates, then the scorecard.

Prints the time of each step and the peak memory (synthetic, seeded data).

Usage: ``python -m benchmarks.history_scorecard [--weeks 52] [--teams 44]``
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

from benchmarks.options import print_figures, run_main


def main(weeks: int = 52, teams: int = 44) -> dict[str, float]:
    from matcher.config.load import load_config
    from matcher.demo import import_default_data
    from matcher.featurise.universe import build_universe
    from matcher.ingest.sheets import import_sheet
    from matcher.report.scorecard import compute_scorecard, write_scorecard
    from matcher.report.templates import history_to_sheet, write_template
    from matcher.score.rule import RuleScorer
    from matcher.sim.history import simulate_history
    from matcher.sim.universe import expand_teams
    from matcher.store.core import Store

    out: dict[str, float] = {}
    work = Path(tempfile.mkdtemp(prefix="bench-history-"))
    config = expand_teams(load_config(), teams)
    store = Store(work / "b.db")
    import_default_data(store, config)
    universe = build_universe(store, config)
    scores = RuleScorer(config).fit(universe).score(universe)
    t = time.perf_counter()
    h = simulate_history(scores, config, start="2025-11-24", weeks=weeks, seed=0)
    out["simulate_s"] = time.perf_counter() - t
    names = universe.set_index("enterprise_id").name
    t = time.perf_counter()
    write_template("visits", work / "v.xlsx", config, history_to_sheet("visits", h.visits, names, config))
    write_template(
        "projects", work / "p.xlsx", config, history_to_sheet("projects", h.projects, names, config, stage_changes=h.stage_changes)
    )
    out["write_templates_s"] = time.perf_counter() - t
    for kind, f in (("visits", "v.xlsx"), ("projects", "p.xlsx")):
        t = time.perf_counter()
        import_sheet(store, config, work / f, kind, today="2026-11-29")
        out[f"import_{kind}_s"] = time.perf_counter() - t
    t = time.perf_counter()
    import_sheet(store, config, work / "v.xlsx", "visits", today="2026-11-29")
    out["reimport_visits_s"] = time.perf_counter() - t
    t = time.perf_counter()
    card = compute_scorecard(store, config, year=2026, as_of="2026-11-20")
    out["scorecard_s"] = time.perf_counter() - t
    t = time.perf_counter()
    write_scorecard(card, work / "kpi")
    out["write_scorecard_s"] = time.perf_counter() - t
    out["visits"] = float(len(h.visits))
    out["projects"] = float(len(h.projects))
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return print_figures(out, width=20, number="10.2f")


if __name__ == "__main__":
    run_main(main, __doc__)
