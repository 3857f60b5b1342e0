"""Validation on real investments: where real investors rank in their Guangxi city's list (before figures).

Builds the universe of the real lists in a temporary database through the library's import path
(as ``matcher import-list`` / ``import-profiles`` do): the 2026 China private top 500, the Fortune
Global 500 of 2019 and 2024, the 2022 unicorn list, and the private-500 profile file; then validates
on the 24 rows of ``guangxi_investments_dev.csv`` that name a listed enterprise and on all 48 rows.
A second variant imports no profile file. Prints the figures and writes the reports.

    python benchmarks/validate_real.py                       # ../shared/data/real, outputs to ./validate-real
    python benchmarks/validate_real.py --real DIR --out DIR
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"

#: (file, list type, year)
LISTS = (
    ("acfic_private_top500_2026.csv", "china_private_top500", 2026),
    ("fortune_global_500_2019.csv", "fortune_global_500", 2019),
    ("fortune_global_500_2024.csv", "fortune_global_500", 2024),
    ("unicorn_companies_cbinsights_2022.csv", "unicorn", 2022),
)
PROFILES = "acfic_private_top500_2026_profiles.csv"
INVESTMENTS = "guangxi_investments_dev.csv"


def load_list(store, config, path: Path, list_type: str, year: int) -> None:
    """One list, as ``matcher import-list FILE --type TYPE --year YEAR`` imports it."""
    from matcher.ingest.lists import parse_list
    from matcher.ingest.tables import read_table
    from matcher.resolve.imports import import_lists

    tier = config.tier(list_type)
    table = read_table(path)
    entries = parse_list(table, ranked=tier.ranked)
    entries["revenue_unit"] = entries["revenue_unit"].where(entries["revenue_unit"] != "", tier.revenue_unit)
    import_lists(store, [(entries, year)], list_type=tier.id, source_name=path.name, sha256=table.sha256)


def load_profiles(store, path: Path) -> None:
    """A profile file, as ``matcher import-profiles FILE`` imports it."""
    from matcher.ingest.lists import parse_profiles
    from matcher.ingest.tables import read_table
    from matcher.resolve.imports import import_profiles

    table = read_table(path)
    import_profiles(store, parse_profiles(table), source_name=path.name, sha256=table.sha256)


def build_store(real: Path, db: Path, config, *, profiles: bool):
    from matcher.store.core import Store

    store = Store(db)
    for name, list_type, year in LISTS:
        load_list(store, config, real / name, list_type, year)
    if profiles:
        load_profiles(store, real / PROFILES)
    return store


def fmt(row, m: str) -> str:
    return f"{row[m]:.3f} [{row[m + '_lo']:.3f}, {row[m + '_hi']:.3f}]"


def print_summary(label: str, v) -> None:
    from matcher.learn.validate import METRICS

    o = v.overall()
    print(f"\n== {label}: {int(o.n_pairs)} pairs (small sample: bootstrap 95% intervals in brackets)")
    for m in METRICS:
        print(f"  {m:<18} {fmt(o, m)}")
    by_status = v.pairs.status.value_counts().to_dict()
    print(f"  pairs by status: {by_status}")


def print_study(study, chosen) -> None:
    """The configured weights against weights chosen on the pairs (in-sample, and held out by city or enterprise)."""
    print("  weights: scheme                 median pct           hit@50               hit@100")
    for _, r in study.iterrows():
        print(f"    {r['scheme']:<26} {fmt(r, 'median_percentile')}  {fmt(r, 'hit@50')}  {fmt(r, 'hit@100')}")
    folds = chosen[chosen.scheme == "held out by city"]
    parts = [c for c in chosen.columns if c.startswith("w_")]
    print(f"    weights chosen per held-out city ({len(folds)} folds): {folds[parts].drop_duplicates().to_dict('records')}")


def print_nested(universe, config, pairs, values=(1.0, 0.9, 0.85)) -> None:
    """``full_confidence`` chosen per fold along with the weights: the held-out figures of choosing both on the pairs."""
    import numpy as np

    from matcher.learn.tuning import cross_validate, grid_ranks, weight_grid
    from matcher.score.rule import RuleScorer

    ranked = pairs[pairs.status == "ranked"].reset_index(drop=True)
    pos = {e: k for k, e in enumerate(universe.enterprise_id)}
    rows = ranked.enterprise_id.map(pos).to_numpy(dtype=np.int64)
    grid = weight_grid()
    ranks = np.vstack(
        [grid_ranks(RuleScorer(config, full_confidence=v).fit(universe).score(universe), ranked.city_id.to_numpy(), rows, grid) for v in values]
    )
    for label, col in (("city", "city_id"), ("enterprise", "enterprise_id")):
        held, folds = cross_validate(ranks, ranked[col].to_numpy())
        chosen = sorted({values[k // len(grid)] for k in folds.grid_row})
        print(
            f"  full_confidence {values} and weights chosen per held-out {label}: median percentile "
            f"{np.median(held) / len(universe):.3f}, hit@50 {np.mean(held <= 50):.3f}, hit@100 {np.mean(held <= 100):.3f} "
            f"(folds chose full_confidence {chosen})"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", type=Path, default=REAL, help="folder of the real lists")
    ap.add_argument("--out", type=Path, default=Path("validate-real"), help="output folder")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    from matcher.config.load import load_config
    from matcher.featurise.universe import build_universe
    from matcher.learn.tuning import weight_study
    from matcher.learn.validate import read_investments, select_rows, validate_investments
    from matcher.report.validation import write_validation
    from matcher.score.rule import RuleScorer

    config = load_config()
    investments = read_investments(args.real / INVESTMENTS)
    with tempfile.TemporaryDirectory() as tmp:
        for variant, profiles in (("with-profiles", True), ("no-profiles", False)):
            t = time.perf_counter()
            store = build_store(args.real, Path(tmp) / f"{variant}.db", config, profiles=profiles)
            universe = build_universe(store, config)
            scores = RuleScorer(config).fit(universe).score(universe)
            t_build = time.perf_counter() - t
            print(f"\n######## {variant}: universe of {len(universe)} enterprises (imported and scored in {t_build:.1f} s)")
            for rows in ("listed", "all"):
                t = time.perf_counter()
                v = validate_investments(store, config, select_rows(investments, rows), scores=scores)
                print_summary(f"{variant}, rows={rows} ({time.perf_counter() - t:.1f} s)", v)
                study, chosen = weight_study(scores, v.pairs)
                print_study(study, chosen)
                if rows == "listed":
                    print_nested(universe, config, v.pairs)
                write_validation(v, args.out / f"{variant}-{rows}", weights=(study, chosen))
            store.engine.dispose()
    print(f"\nreports written to {args.out}/<variant>-<rows>/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
