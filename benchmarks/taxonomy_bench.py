"""Benchmark: industry keyword search, the plain NumPy search against the Aho–Corasick automaton.

Both search the configured keywords (texts' and names') in the same distinct
business texts of a seeded synthetic universe, alternately, ``--repeats``
times; the medians and their ratio are measured in the same run, and the
two results are checked to be identical.

Usage: ``python -m benchmarks.taxonomy_bench [--n 100000] [--repeats 3]``
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from benchmarks.options import print_figures, run_main


def keyword_units(config) -> tuple[list[str], np.ndarray]:
    """The distinct (folded keyword, bounded) pairs that ``IndustryMapper`` searches."""
    from matcher.featurise.taxonomy import fold_label

    units = set()
    for ind in config.industries:
        units |= {(fold_label(k), False) for k in (*ind.keywords_zh, *ind.name_keywords_zh) if k.strip()}
        units |= {(fold_label(k), True) for k in (*ind.keywords_en, *ind.name_keywords_en) if k.strip()}
    units = sorted(u for u in units if u[0])
    return [k for k, _ in units], np.array([b for _, b in units], dtype=bool)


def main(n: int = 100_000, repeats: int = 3) -> dict[str, float]:
    import pandas as pd

    from matcher.config.load import load_config
    from matcher.featurise.taxonomy import find_keywords, fold_label
    from matcher.sim.universe import synthetic_universe
    from tests.reference_keywords import plain_find_keywords

    config = load_config()
    universe = synthetic_universe(n, config, business_text=True)
    texts = pd.unique(universe.industry_text.fillna("").map(fold_label))
    keywords, bounded = keyword_units(config)
    times: dict[str, list[float]] = {"plain": [], "automaton": []}
    results = {}
    for _ in range(repeats):
        for name, search in (("plain", plain_find_keywords), ("automaton", find_keywords)):
            t = time.perf_counter()
            results[name] = search(texts, keywords, bounded)
            times[name].append(time.perf_counter() - t)
    same = all(np.array_equal(a, b) for a, b in zip(results["plain"], results["automaton"]))
    out = {
        "texts": float(len(texts)),
        "keywords": float(len(keywords)),
        "pairs": float(len(results["automaton"][0])),
        "plain_s": statistics.median(times["plain"]),
        "automaton_s": statistics.median(times["automaton"]),
    }
    out["ratio_plain_over_automaton"] = out["plain_s"] / out["automaton_s"]
    out["identical"] = float(same)
    print_figures(out, width=28, number="12.3f")
    if not same:
        raise SystemExit("the automaton's pairs differ from the plain search's")
    return out


if __name__ == "__main__":
    run_main(main, __doc__)
