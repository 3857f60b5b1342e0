"""The demo: the whole pipeline on the embedded default data.

The bundled ``enterprises_default.csv`` holds real enterprises compiled from
public knowledge, with approximate list ranks (see its SOURCES file). The demo
imports it through the same code paths as user files: once as a profiles
table and once per list type as a ranking list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from .config.load import data_file
from .config.model import Config
from .errors import MatcherError
from .featurise.industries import refresh_industries
from .featurise.transformers import rank_column
from .i18n import get_language, gettext
from .ingest.lists import parse_profiles
from .ingest.tables import read_table
from .resolve.imports import import_list, import_profiles

__all__ = ["run_demo", "default_enterprises_path", "import_default_data", "load_simulated_history", "DEMO_CITIES", "DEMO_CHAINS"]

DEMO_CITIES = ("qinzhou", "liuzhou")
DEMO_CHAINS = ("automotive", "biomedicine")
DEFAULT_LIST_YEAR = 2024
DEMO_HISTORY_WEEKS = 104
DEMO_HISTORY_SEED = 2026
DEMO_HISTORY_CAPACITY = 1


def default_enterprises_path() -> Path:
    return data_file("enterprises_default.csv")


def import_default_data(store, config: Config, path: Path | None = None) -> list:
    """Import the embedded enterprises as profiles and as one list per list type."""
    path = path or default_enterprises_path()
    table = read_table(path)
    profiles = parse_profiles(table)
    results = [import_profiles(store, profiles, source_name=path.name, sha256=table.sha256)]
    frame = table.frame
    year = DEFAULT_LIST_YEAR
    if "list_year" in frame.columns:
        years = pd.to_numeric(frame["list_year"], errors="coerce").dropna()
        year = int(years.max()) if len(years) else year
    for tier in config.tiers:
        col = f"{tier.id}_rank" if tier.ranked else tier.id
        if col not in frame.columns:
            continue
        raw = pd.to_numeric(frame[col].replace("", np.nan), errors="coerce")
        on = raw.notna() if tier.ranked else raw.fillna(0).astype(int).eq(1)
        if not on.any():
            continue
        sub = profiles[on.to_numpy()]
        entries = pd.DataFrame(
            {
                "source_row": sub.source_row.to_numpy(),
                "name": sub.name.to_numpy(),
                "rank": pd.array(raw[on].to_numpy() if tier.ranked else [pd.NA] * int(on.sum()), dtype="Int64"),
                "revenue": np.nan,
                "revenue_unit": tier.revenue_unit,
                **{c: sub[c].to_numpy() for c in ("industry", "business", "country", "province", "city", "hq")},
            }
        )
        if tier.ranked:
            # Approximate ranks can collide; keep one enterprise per rank (the first).
            entries = entries.drop_duplicates("rank")
        sha = hashlib.sha256((table.sha256 + tier.id).encode()).hexdigest()
        results.append(import_list(store, entries, list_type=tier.id, year=year, source_name=f"{path.name}#{tier.id}", sha256=sha))
    # Their industries mapped and stored now, as the import commands do: later commands only read them.
    refresh_industries(store, config)
    return results


def load_simulated_history(store, scores, config: Config, week: str, *, weeks: int = DEMO_HISTORY_WEEKS, seed: int = DEMO_HISTORY_SEED):
    """Simulate ``weeks`` weeks of team work ending the week before ``week`` and store it (labelled synthetic).

    Returns the :class:`matcher.sim.history.SimulatedHistory`.
    """
    from ._text import parse_week
    from .sim.history import simulate_history

    _, monday = parse_week(week)
    start = pd.Timestamp(monday) - pd.Timedelta(weeks=weeks)
    # The embedded universe is a few hundred enterprises, not the thousands a province targets:
    # at full capacity the teams would have visited every one of them within the cooldown. The
    # simulated teams log DEMO_HISTORY_CAPACITY visits a week each, so the demo week still has leads.
    light = replace(config, teams=tuple(replace(t, weekly_capacity=min(t.weekly_capacity, DEMO_HISTORY_CAPACITY)) for t in config.teams))
    history = simulate_history(scores, light, start=start.strftime("%Y-%m-%d"), weeks=weeks, seed=seed)
    store.write_history(
        visits=history.visits,
        projects=history.projects,
        stage_changes=history.stage_changes,
        stationed=history.stationed,
        source_name=f"simulated history (synthetic) seed {seed}, {weeks} weeks before {week}",
    )
    return history


def _named(item) -> str:
    """A city's or chain's name in the language in use."""
    return item.name_en if get_language() == "en" else item.name_zh


def run_demo(out: Path, *, db: str | None, config: Config, week: str | None = None, echo: Callable[[str], None] = lambda s: None) -> str:
    """Build a fresh demo database, write target lists and the week's team lists to ``out``."""
    from ._text import parse_week
    from .featurise.universe import build_universe
    from .learn.backtest import load_history, train_and_save
    from .learn.persistence import models_folder
    from .plan.issue import issue_week
    from .report.weekly import write_weekly
    from .report.writers import write_table
    from .score.rule import RuleScorer
    from .store.core import Store

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if db is None:
        db_path = out / "matcher.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        db = str(db_path)
    elif "://" not in str(db) and Path(db).exists():
        raise MatcherError(gettext("the demo builds a fresh database, but {db} exists already; give a new --db path or remove it").format(db=db))
    if week is None:
        y, w, _ = dt.date.today().isocalendar()
        week = f"{y}-W{w:02d}"
    week, _ = parse_week(week)
    store = Store(db)
    for r in import_default_data(store, config):
        echo(r.summary(config.list_names()))
    universe = build_universe(store, config)
    scores = RuleScorer(config).fit(universe).score(universe)
    written = []
    for cid in DEMO_CITIES:
        city = config.city(cid)
        frame = scores.rank(scores.group_ids(city=city.id), top=50)
        for ext in ("csv", "xlsx"):
            written.append(write_table(frame, out / f"targets_city_{city.id}.{ext}", title=gettext("Target list: {name}").format(name=_named(city))))
    for chid in DEMO_CHAINS:
        chain = config.chain(chid)
        frame = scores.rank(scores.group_ids(chain=chain.id), top=50)
        for ext in ("csv", "xlsx"):
            written.append(
                write_table(frame, out / f"targets_chain_{chain.id}.{ext}", title=gettext("Target list: {name}").format(name=_named(chain)))
            )
    history = load_simulated_history(store, scores, config, week)
    models_dir = models_folder(db)
    wp = issue_week(store, config, week, scores=scores, models_dir=models_dir)
    write_weekly(wp, out / "weekly", config=config, synthetic=True)  # planned on the simulated history
    # A model trained on the simulated history of these enterprises, so `matcher evaluate` works at once.
    learning = load_history(store, scores, config, source="database")
    models = train_and_save(scores, config, learning, models_dir, kinds=("boosted",))
    n_region = int((universe.source_region != "").sum())
    n_tiered = int(universe[[rank_column(t.id).replace("rank__", "on__") for t in config.tiers]].any(axis=1).sum())
    lines = [
        gettext("demo database {db}: {n} enterprises ({listed} on a list, {region} in a key region)").format(
            db=store.label, n=len(universe), listed=n_tiered, region=n_region
        ),
        gettext("target lists: {n} files in {folder}/ (targets_city_*, targets_chain_*)").format(n=len(written), folder=out),
        gettext("weekly lists {week}: {leads} leads for {teams} teams in {folder}/").format(
            week=week, leads=len(wp.plan), teams=len(wp.per_team), folder=out / "weekly"
        ),
        gettext(
            "simulated history (synthetic, seed {seed}): {visits} visits, {projects} projects over the {weeks} weeks before {week}; "
            "try: matcher --db {db} kpi --year {year} --out kpi"
        ).format(
            seed=DEMO_HISTORY_SEED,
            visits=len(history.visits),
            projects=len(history.projects),
            weeks=DEMO_HISTORY_WEEKS,
            week=week,
            db=store.label,
            year=week[:4],
        ),
        gettext("model trained on {source}: {files}; try: matcher --db {db} evaluate --out eval").format(
            source=learning.source, files=", ".join(str(m) for m in models), db=store.label
        ),
    ]
    return "\n".join(lines)
