"""Backtest: which ranking would have made the best lists, on history.

Protocol (rolling origin)
-------------------------
The weeks of the history are split at origins T1 < T2 < … . At each origin T
every learned model is trained afresh on the visits of weeks before T whose
outcome window has closed by T (visit week + horizon ≤ T), then scores the
lists of the weeks from T to the next origin. A query is one (team, week).

- **Logged lists**: the enterprises a team actually visited that week, re-ranked
  by each method; relevance = a project signed with the team's city within
  the horizon.
- **Counterfactual lists** (simulated history only): every candidate of the
  team that has not signed with its city, ranked by each method, the top k
  taken; relevance = the hidden chance that a visit that week signs (the
  simulator's ground truth), so precision@k is the expected share of the
  list that would sign.

Methods: random (seeded), tier-only, the rule score, each learned model, the
blend of the rule score with the boosted model, and — on simulated data — the
oracle that ranks by the true chance.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._text import parse_date
from ..config.model import Config
from ..errors import MatcherError
from ..i18n import gettext
from ..score.scores import Scores
from .metrics import brier_score, calibration_table, coverage, novelty, ranking_metrics, roc_auc
from .pairs import MODEL_KINDS, PairFeatures, blend, day_number, monday_of, train_model

__all__ = ["BacktestResult", "HistorySource", "candidate_pairs", "load_history", "run_backtest", "protocol_text", "train_and_save"]

log = logging.getLogger(__name__)


@dataclass
class BacktestResult:
    """The comparison table and what is needed for its charts."""

    table: pd.DataFrame
    protocol: str
    calibration: pd.DataFrame
    chosen_model: str
    brier: float
    origins: list[str]
    synthetic: bool
    notes: list[str] = field(default_factory=list)
    #: One row per (team, week, enterprise) of the logged lists, with a score column per method
    #: and ``label``; for breakdowns (by team, region, k) with :func:`matcher.learn.metrics.ranking_metrics`.
    logged: pd.DataFrame | None = None
    #: The same for the counterfactual lists (simulated history only), relevance in ``relevance``.
    counterfactual: pd.DataFrame | None = None


def protocol_text(origins: list[str], horizon_weeks: int, k: int, cf_every: int, synthetic: bool) -> str:
    text = (
        f"Rolling-origin backtest: origins {', '.join(origins)}. At each origin T the models are trained on visits of weeks "
        f"before T whose {horizon_weeks}-week outcome window closed by T, then rank the lists of the weeks up to the next origin "
        f"(only weeks whose outcome window has closed by the end of the history). Query = (team, week); k = {k}; ties broken by "
        "enterprise id. Logged: each team's visited enterprises re-ranked, relevance = signed with the team's city within "
        f"{horizon_weeks} weeks (a logged list holds at most the team's weekly capacity of visits, so its precision@{k} "
        f"and recall@{k} hardly depend on the order)."
    )
    if synthetic:
        text += (
            f" Counterfactual (every {cf_every}th week): all of a team's candidates not yet signed with its city ranked, top k taken, "
            "relevance = the simulator's hidden chance that a visit that week signs (no cooldown between weeks, so a static "
            "ranking repeats its list: novelty shows it). SYNTHETIC data: simulated history, not observed."
        )
    return text


def _queries(frame: pd.DataFrame, score: str, k: int) -> pd.DataFrame:
    """The top ``k`` rows of each (team, week) by ``score`` (ties: enterprise row ascending)."""
    f = frame.sort_values(["team_id", "monday", score, "row"], ascending=[True, True, False, True], kind="stable")
    return f[f.groupby(["team_id", "monday"], sort=False).cumcount() < k]


def run_backtest(
    scores: Scores,
    config: Config,
    visits: pd.DataFrame,
    projects: pd.DataFrame,
    *,
    end: str | None = None,
    propensity: np.ndarray | None = None,
    visit_lift: float = 0.0,
    origins: int = 4,
    horizon_weeks: int | None = None,
    k: int = 10,
    kinds: tuple[str, ...] = MODEL_KINDS,
    feature_set: str | None = None,
    blend_weight: float | None = None,
    cf_every: int = 4,
    min_train_weeks: int = 13,
    seed: int = 0,
) -> BacktestResult:
    """Compare random, tier-only, rule, learned models, a blend and (simulated) the oracle.

    Parameters
    ----------
    scores, config
        The universe's rule scores and the configuration (its teams).
    visits, projects : DataFrame
        History frames (:mod:`matcher.columns`).
    end : str, optional
        Day after the last day of the history (default: the day after the last visit).
    propensity : ndarray (n_enterprises, n_cities), optional
        The simulator's hidden propensity: enables the oracle and the counterfactual lists.
    visit_lift : float
        The simulator's lift of the chance by earlier visits (for the oracle).
    origins : int
        Number of rolling origins.
    horizon_weeks, feature_set, blend_weight
        Default from ``config.model``.

    Raises
    ------
    MatcherError
        When the history is too short for the protocol.
    """
    H = horizon_weeks or config.model.horizon_weeks
    fs = feature_set or config.model.feature_set
    w_blend = config.model.blend_weight if blend_weight is None else blend_weight
    pf = PairFeatures(scores, config, visits, projects)
    pairs = pf.visit_pairs(visits)
    if pairs.empty:
        raise MatcherError(gettext("the history holds no visits by the configuration's teams; nothing to backtest"))
    first = int(pairs.monday.min())
    end_day = int(day_number([end])[0]) if end else int(day_number(visits.date).max()) + 1
    last_eval = end_day - 7 * H  # a week's outcome window must close by the end
    t0 = first + 7 * (H + min_train_weeks)
    if t0 > last_eval - 7 * origins:
        need = H * 2 + min_train_weeks + origins
        have = (end_day - first) // 7
        raise MatcherError(
            gettext("the history is too short to backtest: {have} weeks; need at least {need} with a {horizon}-week horizon").format(
                have=have, need=need, horizon=H
            )
        )
    edges = monday_of(np.linspace(t0, last_eval + 7, origins + 1).astype(np.int64))
    edges[-1] = last_eval + 7
    origin_names = [str(np.datetime64(int(e), "D")) for e in edges[:-1]]
    pairs["label"] = pf.labels(pairs, H)
    X_all = pf.transform(pairs, fs)
    rng = np.random.default_rng(seed)
    city = pf.city_of(pairs.team_id.to_numpy())
    logged, cf = [], []
    for i in range(origins):
        T, T_next = int(edges[i]), int(edges[i + 1])
        tr = (pairs.monday + 7 * H <= T).to_numpy()
        ev = ((pairs.monday >= T) & (pairs.monday < T_next)).to_numpy()
        models = {}
        for kind in kinds:
            models[kind] = train_model(
                kind,
                X_all[tr],
                pairs.label[tr].to_numpy(),
                pairs.row[tr].to_numpy(),
                feature_set=fs,
                horizon_weeks=H,
                trained_until=str(np.datetime64(T, "D")),
                seed=seed,
            )
        f = pairs[ev].copy()
        f["origin"] = origin_names[i]
        _score_methods(f, X_all[ev], pf, models, rng, w_blend, propensity, visit_lift, city[ev])
        logged.append(f)
        if propensity is not None:
            weeks = np.arange(T, T_next, 7 * cf_every)
            for wk in weeks:
                g = candidate_pairs(pf, wk)
                if g.empty:
                    continue
                g["origin"] = origin_names[i]
                gc = pf.city_of(g.team_id.to_numpy())
                g["relevance"] = _truth(propensity, pf, g, gc, visit_lift)
                _score_methods(g, pf.transform(g, fs), pf, models, rng, w_blend, propensity, visit_lift, gc)
                cf.append(g)
    logged = pd.concat(logged, ignore_index=True)
    methods = ["random", "tier", "rule", *kinds]
    if "boosted" in kinds:
        methods.append("blend")
    if propensity is not None:
        methods.append("oracle")
    rows = []
    catalogue = int(np.any([pf.team(t.id)["candidate"] for t in config.teams], axis=0).sum())
    cf = pd.concat(cf, ignore_index=True) if cf else None
    for m in methods:
        r = {"method": m}
        lm = ranking_metrics(logged, query=["team_id", "monday"], relevance="label", score=m, tiebreak="row", k=k)
        r.update({f"logged_{x}@{k}": lm[x] for x in ("ndcg", "precision", "recall", "map")})
        r["logged_queries"] = lm["queries"]
        if m in kinds or m == "oracle":
            p = logged[m].to_numpy()
            r["roc_auc"] = roc_auc(logged.label, p)
            r["brier"] = brier_score(logged.label, np.clip(p, 0, 1))
        if cf is not None:
            cm = ranking_metrics(cf, query=["team_id", "monday"], relevance="relevance", score=m, tiebreak="row", k=k)
            r[f"cf_ndcg@{k}"] = cm["ndcg"]
            r[f"cf_precision@{k}"] = cm["precision"]
            top = _queries(cf, m, k)
            r[f"cf_coverage@{k}"] = coverage(top.row, catalogue)
            r[f"cf_novelty@{k}"] = novelty(top, owner="team_id", time="monday", item="row")
        rows.append(r)
    table = pd.DataFrame(rows)
    for c in table.columns:
        if table[c].dtype == float:
            table[c] = table[c].round(4)
    # The chosen model for the reliability diagram: the best calibrated (lowest Brier; ties: kinds' order).
    briers = [brier_score(logged.label, logged[m]) for m in kinds]
    chosen = kinds[int(np.argmin(briers))]
    cal = pd.concat([calibration_table(logged.label, logged[m], n_bins=10).assign(model=m) for m in kinds], ignore_index=True)[
        ["model", "bin", "n", "mean_predicted", "observed_rate"]
    ]
    notes = _notes(table, k, propensity is not None)
    return BacktestResult(
        table=table,
        protocol=protocol_text(origin_names, H, k, cf_every, propensity is not None),
        calibration=cal,
        chosen_model=chosen,
        brier=brier_score(logged.label, logged[chosen]),
        origins=origin_names,
        synthetic=propensity is not None,
        notes=notes,
        logged=logged,
        counterfactual=cf,
    )


def candidate_pairs(pf: PairFeatures, monday: int) -> pd.DataFrame:
    """Every (team, candidate) pair of a week whose enterprise has not signed with the team's city."""
    parts = []
    for tid in sorted(pf.teams):
        rows = np.flatnonzero(pf.team(tid)["candidate"])
        parts.append(pd.DataFrame({"team_id": tid, "monday": monday, "row": rows}))
    g = pd.concat(parts, ignore_index=True)
    signed = pf.history(g.team_id.to_numpy(), g.monday.to_numpy(), g.row.to_numpy())["signed_before"]
    return g[~signed].reset_index(drop=True)


def _truth(propensity, pf: PairFeatures, g: pd.DataFrame, city: np.ndarray, visit_lift: float) -> np.ndarray:
    from ..sim.history import visit_chance

    prior = pf.history(g.team_id.to_numpy(), g.monday.to_numpy(), g.row.to_numpy())["prior_visits"]
    return visit_chance(propensity[g.row.to_numpy(), city], prior, visit_lift)


def _score_methods(f, X, pf, models, rng, w_blend, propensity, visit_lift, city) -> None:
    f["random"] = rng.random(len(f))
    f["tier"] = pf.static["tier"][f.row.to_numpy()]
    f["rule"] = pf.rule(f)
    for kind, m in models.items():
        f[kind] = m.predict_proba(X)
    if "boosted" in models:
        q = f.team_id.astype(str) + "|" + f.monday.astype(str)
        f["blend"] = blend(f["rule"].to_numpy(), f["boosted"].to_numpy(), w_blend, q.to_numpy())
    if propensity is not None:
        f["oracle"] = _truth(propensity, pf, f, city, visit_lift)


def _notes(table: pd.DataFrame, k: int, synthetic: bool) -> list[str]:
    t = table.set_index("method")
    notes = []
    for kind in ("logistic", "boosted", "blend"):
        if kind not in t.index:
            continue
        for scope in ("logged", "cf") if synthetic else ("logged",):
            col = f"{scope}_ndcg@{k}"
            a, b = t.loc[kind, col], t.loc["rule", col]
            verdict = "beats" if a > b else "does not beat"
            line = f"{kind} {verdict} the rule score on {scope} NDCG@{k} ({a:.4f} vs {b:.4f})"
            if synthetic:
                o = t.loc["oracle", col]
                gap = (o - a) / o if o > 0 else float("nan")
                line += f"; {gap:.1%} below the oracle ({o:.4f}), {'within' if gap <= 0.15 else 'not within'} 15%"
            notes.append(line)
    if synthetic and any("not within 15%" in n for n in notes):
        notes.append(
            "why not within 15% on the counterfactual lists: the oracle ranks by the hidden propensity, which includes "
            "unobserved enterprise and enterprise×city effects (simulated noise) that no feature carries for enterprises "
            "never visited, so its NDCG is 1 by construction; on the logged lists, where visits reveal part of it, the gap is small"
        )
    notes.append(
        "what the logged comparison shows: which method orders the visits that were made; what it does not show: how a method "
        "would rank enterprises never visited (the lists hold what the rule chose to visit), nor that a gain would last"
    )
    if synthetic:
        notes.append(
            "what the counterfactual comparison does not show: that learning helps where the rule is wrong. This simulator's "
            "truth is built from the rule's own parts (chain fit, region fit, tier) plus size and visits, which the models see, "
            "so they can only recover its weights. Worlds whose truth the rule does not know, and how much history the models "
            "need there, are measured by benchmarks/learning_curves.py (README, learning section); the data here are SYNTHETIC"
        )
    return notes


# ---------------------------------------------------------------------------- history source


@dataclass
class HistorySource:
    """The history a command trains or evaluates on, and where it came from."""

    visits: pd.DataFrame
    projects: pd.DataFrame
    end: str
    source: str
    synthetic: bool
    propensity: np.ndarray | None = None
    visit_lift: float = 0.0


#: The simulated history used when the database holds none: two years, from this Monday.
SIM_START = "2025-01-06"
SIM_WEEKS = 104
SIM_VISIT_LIFT = 0.5


_SIM_CACHE: dict[tuple, object] = {}


def _simulated(scores: Scores, config: Config, seed: int, weeks: int):
    """The simulated history of a universe, kept for the process: train, evaluate and weekly share it."""
    from ..sim.history import simulate_history

    u = scores.universe
    digest = hashlib.sha256(pd.util.hash_pandas_object(u.astype(str), index=False).to_numpy().tobytes()).hexdigest()
    key = (digest, config.sha256, tuple(t.id for t in config.teams), seed, weeks)
    if key not in _SIM_CACHE:
        _SIM_CACHE.clear()  # one history at a time is enough
        _SIM_CACHE[key] = simulate_history(scores, config, start=SIM_START, weeks=weeks, seed=seed, visit_lift=SIM_VISIT_LIFT)
    return _SIM_CACHE[key]


def load_history(store, scores: Scores, config: Config, *, seed: int = 0, weeks: int = SIM_WEEKS, source: str = "auto") -> HistorySource:
    """The history to learn from and to backtest on.

    Parameters
    ----------
    source : {"auto", "database", "simulate"}
        ``"database"``: the database's visits and projects. ``"simulate"``: a
        seeded simulated history of the universe (labelled synthetic; the
        configuration's teams, ``weeks`` weeks from :data:`SIM_START`, the rule
        policy), which also knows the hidden propensity, so the oracle and the
        counterfactual lists can be judged. ``"auto"``: the database's history
        when it holds real (not simulated) visits, else a simulated one — a
        simulated history in the database has no ground truth to judge by.
    """
    if source not in ("auto", "database", "simulate"):
        raise ValueError(gettext("The 'source' parameter must be 'auto', 'database' or 'simulate'. Got {value!r} instead.").format(value=source))
    visits = store.visits_frame(extra=True) if source != "simulate" else None
    projects = store.projects_frame() if source != "simulate" else None
    real = visits is not None and len(visits) and not bool(visits["synthetic"].any())
    if source == "database" or (source == "auto" and real):
        if not len(visits):
            from ..errors import MatcherError

            raise MatcherError(
                gettext("the database {db} holds no visits to learn from; import visits or use the simulated history").format(db=store.label)
            )
        synthetic = bool(visits["synthetic"].any())
        end = str((pd.to_datetime(visits.date).max() + pd.Timedelta(days=1)).date())
        # The data is identified by its hash (in the model card), not by where the database lies.
        name = Path(store.label).name if store.url.startswith("sqlite") else store.label
        what = gettext("the database's simulated history (synthetic) in {db}") if synthetic else gettext("the database's history in {db}")
        return HistorySource(visits, projects, end, what.format(db=name), synthetic)
    h = _simulated(scores, config, seed, weeks)
    end = str((pd.Timestamp(SIM_START) + pd.Timedelta(weeks=weeks)).date())
    return HistorySource(
        h.visits,
        h.projects,
        end,
        f"SYNTHETIC history simulated in-process (the database holds no visits): {weeks} weeks from {SIM_START}, "
        f"{len(config.teams)} teams, seed {seed}",
        True,
        h.propensity,
        SIM_VISIT_LIFT,
    )


def train_and_save(
    scores: Scores,
    config: Config,
    history: HistorySource,
    models_dir,
    *,
    until: str | None = None,
    kinds: tuple[str, ...] = ("boosted",),
    feature_set: str | None = None,
    seed: int = 0,
) -> list:
    """Train each model kind on the visits whose outcome window has closed by ``until`` and save it with its card.

    Files are named ``<kind>-<until>.skops``; ``until`` (an ISO date, see :func:`matcher._text.parse_date`)
    defaults to the end of the history.
    """
    from .evidence import blend_evidence
    from .persistence import save_model

    H = config.model.horizon_weeks
    fs = feature_set or config.model.feature_set
    until = parse_date(until) if until else history.end
    cut = int(day_number([until])[0])
    pf = PairFeatures(scores, config, history.visits, history.projects)
    pairs = pf.visit_pairs(history.visits)
    pairs = pairs[(pairs.monday + 7 * H) <= cut].reset_index(drop=True)
    if pairs.empty:
        raise MatcherError(
            gettext("no visits before {until} whose {horizon}-week outcome window has closed; nothing to train on").format(until=until, horizon=H)
        )
    pairs["label"] = pf.labels(pairs, H)
    X = pf.transform(pairs, fs)
    digest = hashlib.sha256(pd.util.hash_pandas_object(pd.concat([pairs, X], axis=1), index=False).to_numpy().tobytes()).hexdigest()
    window = f"{np.datetime64(int(pairs.monday.min()), 'D')} to {np.datetime64(int(pairs.monday.max()), 'D')} (visit weeks)"
    paths = []
    for kind in kinds:
        m = train_model(
            kind, X, pairs.label.to_numpy(), pairs.row.to_numpy(), feature_set=fs, horizon_weeks=H, trained_until=str(until), seed=seed
        )
        p_in = m.predict_proba(X)
        card = {
            "data_source": history.source,
            "synthetic": history.synthetic,
            "data_window": window,
            "data_sha256": digest,
            "config_sha256": config.sha256,
            "metrics": {
                "in_sample_roc_auc": round(roc_auc(pairs.label, p_in), 4),
                "in_sample_brier": round(brier_score(pairs.label, p_in), 4),
                "note": "in-sample; see matcher evaluate for the out-of-time backtest",
            },
            # What the planner reads before it blends the model in (matcher.learn.evidence).
            "evidence": blend_evidence(
                pf, pairs, X, kind=kind, feature_set=fs, horizon_weeks=H, blend_weight=config.model.blend_weight, synthetic=history.synthetic, seed=seed
            ),
        }
        paths.append(save_model(m, models_dir, name=f"{kind}-{until}", card=card))
    return paths
