"""Validation on real outcomes: where the enterprises that really invested rank in their city's list.

Given a store (imported lists and profiles), a configuration and a table of
real investments (one row per enterprise, city and project), each pair is
resolved and ranked:

- the enterprise name by its exact normalised name in the store's name index,
  else by the :class:`~matcher.resolve.resolver.Resolver` fitted on the
  store's master. Only a ``merge`` decision counts; a ``review`` decision is
  reported as an uncertain match with its candidate and never ranked (no
  guessing);
- the city by its Chinese or English name or id (``南宁市``, ``Nanning``).

A city's list is the FULL universe ranked by each enterprise's best score
over the city's chains (:meth:`Scores.best`, as ``matcher targets --city``
ranks it); an enterprise that fits none of the city's chains scores 0.
Ties: every enterprise of a block of equal scores gets the block's mean
rank (``scipy.stats.rankdata(method="average")``), so the enterprises that
fit nothing share the mean rank of the bottom block. This is order-free and
deterministic; ``matcher targets`` instead orders ties by tier score and
enterprise id, so a tied enterprise's position there can differ from its
rank here by at most the size of its tie block.

Metrics (overall, by city, by list): coverage in the universe, coverage on
the city's list (score > 0), median percentile (rank / list length, over the
pairs in the universe), hit@k and MRR over all pairs of a known city (a pair
whose enterprise is not in the universe is a miss). With a few dozen pairs
every figure is uncertain, so each comes with a seeded bootstrap 95%
interval (pairs resampled with replacement, percentile interval).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from ..config.model import Config
from ..errors import InputError, NotFoundError
from ..featurise.transformers import on_column
from ..featurise.universe import build_universe
from ..i18n import gettext
from ..ingest.tables import read_table
from ..resolve.names import resolve_enterprise_names
from ..resolve.resolver import Resolver
from ..score.rule import RuleScorer
from ..score.scores import Scores

__all__ = [
    "Validation",
    "INVESTMENT_FIELDS",
    "KS",
    "METRICS",
    "read_investments",
    "select_rows",
    "city_ranking",
    "rank_pairs",
    "pair_metrics",
    "summarise",
    "validate_investments",
]

#: Header spellings of the investments table.
INVESTMENT_FIELDS = {
    "enterprise": ("enterprise", "企业", "企业名称", "投资方"),
    "city": ("city", "城市", "落户城市"),
    "list_name": ("list_name", "榜单", "lists"),
}
#: List lengths of the hit@k metrics.
KS = (10, 50, 100)
#: Summary metrics, in output order.
METRICS = ("coverage_universe", "coverage_city", "median_percentile", *(f"hit@{k}" for k in KS), "mrr")
N_BOOT = 2000
SEED = 0
NONE_LIST = "(none)"


@dataclass
class Validation:
    """The outcome of :func:`validate_investments`.

    Attributes
    ----------
    pairs : DataFrame
        One row per investment row (see :func:`rank_pairs`).
    summary : DataFrame
        ``group_by, group, n_pairs`` then per metric its value and ``_lo`` /
        ``_hi`` bootstrap bounds (see :func:`summarise`).
    notes : list of str
        The protocol, in plain words, and what could not be resolved.
    """

    pairs: pd.DataFrame
    summary: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def overall(self) -> pd.Series:
        """The summary's overall row."""
        return self.summary[self.summary.group_by == "overall"].iloc[0]


# ---------------------------------------------------------------------------- input


def read_investments(path: str | Path) -> pd.DataFrame:
    """Read an investments table (CSV or XLSX): ``enterprise``, ``city``, optionally ``list_name``; other columns kept."""
    t = read_table(path, fields=INVESTMENT_FIELDS)
    missing = [f for f in ("enterprise", "city") if f not in t.frame.columns]
    if missing:
        raise InputError(str(path), gettext("no column for {columns} (expected headers such as enterprise, city)").format(columns=", ".join(missing)))
    frame = t.frame.copy()
    if "list_name" not in frame.columns:
        frame["list_name"] = ""
    frame.insert(0, "row", t.row_numbers())
    return frame


def select_rows(investments: pd.DataFrame, rows: str = "listed") -> pd.DataFrame:
    """``listed``: the rows whose ``list_name`` is non-empty; ``all``: every row."""
    if rows == "all":
        return investments.reset_index(drop=True)
    if rows == "listed":
        keep = investments["list_name"].fillna("").astype(str).str.strip() != ""
        return investments[keep].reset_index(drop=True)
    raise NotFoundError(gettext("unknown row selection {rows!r}; expected listed or all").format(rows=rows))


# ---------------------------------------------------------------------------- resolution


def _city_ids(config: Config, cities: pd.Series) -> pd.Series:
    """Config city id of each name, ``""`` where the configuration has no such city."""
    found = {}
    for text in pd.unique(cities.fillna("").astype(str)):
        try:
            found[text] = config.city(text).id if text.strip() else ""
        except NotFoundError:
            found[text] = ""
    return cities.fillna("").astype(str).map(found)


# ---------------------------------------------------------------------------- ranking


def city_ranking(scores: Scores, city_id: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank of every enterprise of the universe in a city's full list.

    Returns
    -------
    rank : ndarray (n,)
        1 = best, in the order of :meth:`Scores.rank`: enterprises that fit
        one of the city's chains first, by score, then the others by the
        parts that need no link; ties share the mean rank of their block.
    score : ndarray (n,)
        Score in the city's list.
    group : ndarray (n,)
        The best city chain ``g``, -1 where nothing fits.
    """
    groups = scores.group_ids(city=city_id)
    g, score, key = scores.city_order(groups)
    fits = key >= 2.0
    return rankdata(-key, method="average"), score, np.where(fits, g, -1)


def _on_lists(universe: pd.DataFrame, config: Config) -> pd.Series:
    """``tier year; …`` of the lists each enterprise of the universe is on (newest imported edition)."""
    out = pd.Series("", index=universe.index, dtype=object)
    for t in config.tiers:
        on = universe[on_column(t.id)].to_numpy(dtype=bool)
        text = t.id + " " + universe[f"year__{t.id}"].astype(str)
        out = out.where(~on, np.where(out == "", text, out + "; " + text))
    return out


def rank_pairs(scores: Scores, config: Config, investments: pd.DataFrame, ids: pd.DataFrame) -> pd.DataFrame:
    """Rank each (enterprise, city) pair in its city's full list.

    Columns: ``row, enterprise, list_name, city`` (as given), ``city_id``,
    ``enterprise_id, match, matched_name, probability`` (from
    :func:`resolve_enterprise_names`), ``name, name_en, on_list, in_universe,
    status`` (``ranked``, ``not in universe``, ``uncertain match``,
    ``unknown city``), ``rank, n, n_fit, percentile, score, chain, link,
    link_status, reason_zh, reason_en``.
    """
    u = scores.universe
    pairs = investments[[c for c in ("row", "enterprise", "list_name", "city") if c in investments.columns]].reset_index(drop=True)
    pairs["city_id"] = _city_ids(config, pairs["city"]).to_numpy()
    pairs = pd.concat([pairs, ids.reset_index(drop=True)], axis=1)
    pos = pd.Series(np.arange(len(u)), index=u.enterprise_id.to_numpy())
    r = pairs.enterprise_id.map(pos)
    pairs["in_universe"] = r.notna()
    r = r.fillna(-1).astype(int).to_numpy()
    has = r >= 0
    pairs["name"] = np.where(has, u["name"].to_numpy()[r], "")
    pairs["name_en"] = np.where(has, u["name_en"].to_numpy()[r], "") if "name_en" in u.columns else ""
    pairs["on_list"] = np.where(has, _on_lists(u, config).to_numpy()[r], "")
    known = (pairs.city_id != "").to_numpy()
    pairs["status"] = np.select(
        [~known, has, pairs.match.to_numpy() == "uncertain"], ["unknown city", "ranked", "uncertain match"], "not in universe"
    )
    n = len(u)
    rank, score, group = np.full(len(pairs), np.nan), np.zeros(len(pairs)), np.full(len(pairs), -1)
    n_fit = np.zeros(len(pairs), dtype=int)
    for city_id in pd.unique(pairs.city_id[known]):
        at = np.flatnonzero((pairs.city_id == city_id).to_numpy() & has)
        c_rank, c_score, c_group = city_ranking(scores, city_id)
        n_fit[(pairs.city_id == city_id).to_numpy()] = int((c_group >= 0).sum())
        rank[at], score[at], group[at] = c_rank[r[at]], c_score[r[at]], c_group[r[at]]
    pairs["rank"] = rank
    pairs["n"] = np.where(known, n, 0)
    pairs["n_fit"] = n_fit
    pairs["percentile"] = rank / max(n, 1)
    pairs["score"] = score.round(4)
    pairs["fits"] = group >= 0
    return _with_reasons(scores, pairs, r, group)


def _with_reasons(scores: Scores, pairs: pd.DataFrame, r: np.ndarray, group: np.ndarray) -> pd.DataFrame:
    """Chain, link and reasons of each ranked pair: its best city chain, or why none of the city's chains fits."""
    cols = ("chain", "link", "link_status", "link_evidence", "reason_zh", "reason_en")
    for c in cols:
        pairs[c] = ""
    ranked = np.flatnonzero((r >= 0) & (pairs.city_id != "").to_numpy())
    if len(ranked):
        first = {c: scores.group_ids(city=c)[0] for c in pd.unique(pairs.city_id.iloc[ranked]) if len(scores.group_ids(city=c))}
        ranked = np.array([p for p in ranked if pairs.city_id.iloc[p] in first], dtype=np.int64)
        g = np.where(group[ranked] >= 0, group[ranked], [first[c] for c in pairs.city_id.iloc[ranked]])
        expl = scores.explain(r[ranked], g)
        for c in cols:
            pairs.loc[ranked, c] = expl[c].to_numpy()
    return pairs


# ---------------------------------------------------------------------------- metrics


def pair_metrics(rank: np.ndarray, percentile: np.ndarray, in_universe: np.ndarray, fits: np.ndarray) -> dict[str, np.ndarray]:
    """The metrics of :data:`METRICS` over the last axis (pairs), vectorised over any leading axes.

    ``rank`` and ``percentile`` are NaN for a pair not in the universe: it
    counts as a miss for hit@k and MRR and is left out of the median percentile.
    """
    rank = np.asarray(rank, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a resample with no pair in the universe has no median
        median = np.nanmedian(np.asarray(percentile, dtype=float), axis=-1)
    out = {
        "coverage_universe": np.mean(in_universe, axis=-1),
        "coverage_city": np.mean(fits, axis=-1),
        "median_percentile": median,
    }
    for k in KS:
        out[f"hit@{k}"] = np.mean(np.nan_to_num(rank, nan=np.inf) <= k, axis=-1)
    out["mrr"] = np.mean(np.where(np.isnan(rank), 0.0, 1.0 / np.where(np.isnan(rank), 1.0, rank)), axis=-1)
    return out


def _summary_row(part: pd.DataFrame, rng: np.random.Generator, n_boot: int) -> dict:
    arrays = (
        part["rank"].to_numpy(float),
        part["percentile"].to_numpy(float),
        part["in_universe"].to_numpy(bool),
        part["fits"].to_numpy(bool),
    )
    point = pair_metrics(*arrays)
    idx = rng.integers(0, len(part), size=(n_boot, len(part)))
    boot = pair_metrics(*(a[idx] for a in arrays))
    row: dict = {"n_pairs": len(part)}
    for m in METRICS:
        row[m] = float(point[m])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanpercentile(boot[m], [2.5, 97.5]) if np.isfinite(boot[m]).any() else (np.nan, np.nan)
        row[f"{m}_lo"], row[f"{m}_hi"] = float(lo), float(hi)
    return row


def summarise(pairs: pd.DataFrame, *, n_boot: int = N_BOOT, seed: int = SEED) -> pd.DataFrame:
    """Metrics overall, by city and by list, with seeded bootstrap 95% intervals.

    Only pairs of a known city count. A pair on several lists counts once
    in each list's row; pairs on no list form the ``(none)`` row. Each group
    is resampled with its own generator seeded by ``seed``, so a group's
    interval does not depend on which other groups there are.
    """
    known = pairs[pairs.status != "unknown city"]
    groups: list[tuple[str, str, pd.DataFrame]] = [("overall", "all", known)]
    groups += [("city", c, part) for c, part in known.groupby("city", sort=True)]
    lists = known.list_name.fillna("").astype(str).str.split(";").explode().str.strip().replace("", NONE_LIST)
    for name in sorted(pd.unique(lists)):
        groups.append(("list", name, known.loc[sorted(set(lists.index[lists == name]))]))
    rows = []
    for by, name, part in groups:
        if len(part):
            rows.append({"group_by": by, "group": name, **_summary_row(part, np.random.default_rng(seed), n_boot)})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- all together


def validate_investments(
    store,
    config: Config,
    investments: pd.DataFrame,
    *,
    scores: Scores | None = None,
    resolver: Resolver | None = None,
    n_boot: int = N_BOOT,
    seed: int = SEED,
) -> Validation:
    """Resolve, rank and summarise real investments against the store's universe scored by the rule.

    Parameters
    ----------
    store : Store
    config : Config
    investments : DataFrame
        ``enterprise``, ``city`` and ``list_name`` (see :func:`read_investments`).
    scores : Scores, optional
        Already scored universe (default: :func:`build_universe` + :class:`RuleScorer`).
    resolver : Resolver, optional
        Unfitted resolver for names without an exact match (default: ``Resolver()``).
    """
    if scores is None:
        universe = build_universe(store, config)
        if universe.empty:
            raise NotFoundError(gettext("the database {db} holds no enterprises yet; import the lists first").format(db=store.label))
        scores = RuleScorer(config).fit(universe).score(universe)
    ids = resolve_enterprise_names(store, investments["enterprise"], resolver)
    pairs = rank_pairs(scores, config, investments, ids)
    summary = summarise(pairs, n_boot=n_boot, seed=seed)
    return Validation(pairs, summary, _notes(pairs, len(scores.universe), n_boot, seed))


def _notes(pairs: pd.DataFrame, n: int, n_boot: int, seed: int) -> list[str]:
    known = int((pairs.status != "unknown city").sum())
    notes = [
        f"{known} pairs of a known city, ranked in each city's full list of {n} enterprises "
        "(best score over the city's chains; no fit = score 0; ties share the mean rank of their block).",
        f"Only {known} pairs: every figure is uncertain. Intervals are bootstrap 95% percentile intervals "
        f"({n_boot} resamples of the pairs, seed {seed}).",
        "percentile = rank / list length (lower is better), median over the pairs in the universe; "
        "hit@k and MRR count a pair whose enterprise is not in the universe as a miss.",
    ]
    for status, what in (("unknown city", "city not in the configuration"), ("uncertain match", "uncertain name match, not ranked")):
        bad = pairs[pairs.status == status]
        if len(bad):
            notes.append(f"{what}: " + ", ".join(f"{e} ({c})" for e, c in zip(bad.enterprise, bad.city, strict=True)))
    missing = pairs[pairs.status == "not in universe"]
    if len(missing):
        notes.append("not in the universe: " + ", ".join(pd.unique(missing.enterprise)))
    return notes
