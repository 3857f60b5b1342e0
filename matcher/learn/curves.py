"""Learning curves: how much history the learned models need before they beat the rule, and by how much.

Protocol (one simulated world, one seed)
----------------------------------------
A history of visits and outcomes is played once, under the rule policy, by the
configuration's teams. For each history length — the visits of ``teams`` of the
teams (a seeded choice) over the first ``weeks`` weeks — the models are trained
on the visits whose outcome window (``horizon_weeks``) had closed by the end of
those weeks, exactly as an office would train them on that day. They then rank
the *counterfactual* lists of every team in the weeks that follow: all of a
team's candidates not yet signed with its city, judged against the world's
hidden chance that a visit that week signs (relevance). NDCG@k is averaged over
the (team, week) queries; the *gain* is a method's NDCG@k minus the rule's.

What it shows: whether, in a world whose truth the rule does not know, the
models trained on that much history order the lists closer to the truth than
the rule does. What it does not show: anything about the real world — the
worlds are SYNTHETIC, their drivers and strengths are assumptions — nor how
large a real office's gain would be.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..config.model import Config
from ..errors import MatcherError
from ..i18n import gettext
from ..score.scores import Scores
from .backtest import candidate_pairs
from .metrics import ranking_metrics
from .pairs import PairFeatures, blend, day_number, train_model

__all__ = ["learning_curve", "world_learning_curve", "curve_summary", "CURVE_METHODS", "DEFAULT_LENGTHS"]

log = logging.getLogger(__name__)

#: Methods of a learning curve: (label, model kind, feature set); ``blend`` mixes the rule with the first boosted model.
CURVE_METHODS = (
    ("logistic", "logistic", "pair-v2"),
    ("boosted", "boosted", "pair-v2"),
    ("boosted, rule's features only", "boosted", "pair-v1"),
)


def learning_curve(
    scores: Scores,
    config: Config,
    visits: pd.DataFrame,
    projects: pd.DataFrame,
    *,
    truth: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    start: str,
    lengths: list[tuple[int, int]],
    visit_lift: float = 0.0,
    context: dict | None = None,
    horizon_weeks: int | None = None,
    eval_weeks: tuple[int, ...] = (0, 4),
    k: int = 10,
    methods=CURVE_METHODS,
    blend_weight: float = 0.5,
    seed: int = 0,
) -> pd.DataFrame:
    """NDCG@k of the rule, each learned model and the blend, per history length (SYNTHETIC worlds only).

    Parameters
    ----------
    truth : callable
        ``truth(rows, city_index, monday_day_numbers)``: the hidden chance that a
        visit signs, before the visit lift (e.g. :meth:`matcher.sim.worlds.WorldTruth.chance`).
    start : str
        Monday of the history's first week.
    lengths : list of (teams, weeks)
        History lengths: how many of the teams' visits, over how many weeks.
    eval_weeks : tuple of int
        Weeks after the end of a history length whose lists are judged.

    Returns
    -------
    DataFrame
        One row per (teams, weeks, method): ``teams, weeks, team_weeks,
        train_visits, train_signed, method, ndcg, gain`` (gain = ndcg − the
        rule's on the same queries); ``ndcg`` NaN where a model could not be
        trained (too few signings), with the reason in ``note``.
    """
    from ..sim.history import visit_chance

    H = horizon_weeks or config.model.horizon_weeks
    pf = PairFeatures(scores, config, visits, projects, context)
    pairs = pf.visit_pairs(visits)
    pairs["label"] = pf.labels(pairs, H)
    first = int(day_number([start])[0])
    sets = sorted({fs for _, _, fs in methods})
    X = {fs: pf.transform(pairs, fs) for fs in sets}
    team_ids = np.array(sorted(pf.teams))
    order = np.random.default_rng(seed).permutation(len(team_ids))
    rows = []
    for n_teams, weeks in lengths:
        if not 1 <= n_teams <= len(team_ids):
            raise MatcherError(gettext("a learning curve's teams must be from 1 to {max}, got {value}").format(max=len(team_ids), value=n_teams))
        chosen = set(team_ids[order[:n_teams]])
        end = first + 7 * weeks
        tr = (pairs.team_id.isin(chosen) & (pairs.monday + 7 * H <= end)).to_numpy()
        y = pairs.label.to_numpy()[tr]
        base = {
            "teams": n_teams,
            "weeks": weeks,
            "team_weeks": n_teams * weeks,
            "train_visits": int(tr.sum()),
            "train_signed": int(y.sum()),
        }
        g = pd.concat([candidate_pairs(pf, end + 7 * w) for w in eval_weeks], ignore_index=True)
        city = pf.city_of(g.team_id.to_numpy())
        prior = pf.history(g.team_id.to_numpy(), g.monday.to_numpy(), g.row.to_numpy())["prior_visits"]
        g["relevance"] = visit_chance(truth(g.row.to_numpy(), city, g.monday.to_numpy()), prior, visit_lift)
        g["rule"] = pf.rule(g)
        notes = {}
        for label, kind, fs in methods:
            try:
                m = train_model(
                    kind, X[fs][tr], y, pairs.row.to_numpy()[tr], feature_set=fs, horizon_weeks=H, trained_until=str(end), seed=seed
                )
                g[label] = m.predict_proba(pf.transform(g, fs))
            except MatcherError as exc:
                notes[label] = str(exc)
                g[label] = np.nan
        boosted = next((label for label, kind, _ in methods if kind == "boosted"), None)
        labels = [label for label, _, _ in methods]
        if boosted is not None and not g[boosted].isna().any():
            q = g.team_id.astype(str) + "|" + g.monday.astype(str)
            g["blend"] = blend(g["rule"].to_numpy(), g[boosted].to_numpy(), blend_weight, q.to_numpy())
            labels.append("blend")
        rule_ndcg = ranking_metrics(g, query=["team_id", "monday"], relevance="relevance", score="rule", tiebreak="row", k=k)["ndcg"]
        rows.append({**base, "method": "rule", "ndcg": rule_ndcg, "gain": 0.0, "note": ""})
        for label in labels:
            if g[label].isna().any():
                rows.append({**base, "method": label, "ndcg": np.nan, "gain": np.nan, "note": notes.get(label, "")})
                continue
            nd = ranking_metrics(g, query=["team_id", "monday"], relevance="relevance", score=label, tiebreak="row", k=k)["ndcg"]
            rows.append({**base, "method": label, "ndcg": nd, "gain": nd - rule_ndcg, "note": ""})
        log.info(
            "learning curve: %d teams × %d weeks, %d visits (%d signed) trained", n_teams, weeks, base["train_visits"], base["train_signed"]
        )
    return pd.DataFrame(rows)


def curve_summary(curves: pd.DataFrame, *, by=("world", "teams", "weeks", "team_weeks", "method"), level: float = 0.95) -> pd.DataFrame:
    """Mean NDCG gain over seeds with a percentile interval (``gain_lo``, ``gain_hi``), the share of seeds with a gain > 0
    and the mean number of signings the models were trained on.

    With few seeds the percentile interval is close to the range of the seeds' gains; say so where it is shown.
    """
    a = (1 - level) / 2
    grp = curves.groupby(list(by), sort=False)
    out = grp.agg(
        seeds=("gain", "count"),
        train_signed=("train_signed", "mean"),
        ndcg=("ndcg", "mean"),
        gain=("gain", "mean"),
        gain_lo=("gain", lambda x: float(np.nanpercentile(x, 100 * a)) if x.notna().any() else np.nan),
        gain_hi=("gain", lambda x: float(np.nanpercentile(x, 100 * (1 - a))) if x.notna().any() else np.nan),
        beats_rule=("gain", lambda x: float((x > 0).mean())),
    ).reset_index()
    return out


#: History lengths of the default curve: (teams, weeks); 44 teams is the configuration's office.
DEFAULT_LENGTHS = ((11, 39), (11, 52), (11, 104), (44, 39), (44, 52), (44, 78), (44, 104))


def world_learning_curve(
    world,
    config: Config | None = None,
    *,
    n: int = 3000,
    seed: int = 0,
    lengths=DEFAULT_LENGTHS,
    start: str = "2025-01-06",
    eval_weeks: tuple[int, ...] = (0, 4),
    methods=CURVE_METHODS,
    settings=None,
) -> pd.DataFrame:
    """:func:`learning_curve` in one simulated world (:mod:`matcher.sim.worlds`), one seed: SYNTHETIC.

    Makes the world's universe and truth, plays the longest history (plus the
    evaluation weeks) under the rule policy, and returns the curve with
    ``world`` and ``seed`` columns and ``synthetic = True``.
    """
    from ..config.load import load_config
    from ..sim.worlds import make_world, simulate_world

    config = config if config is not None else load_config()
    case = make_world(world, config, n=n, seed=seed, settings=settings)
    weeks = max(w for _, w in lengths) + max(eval_weeks) + 1
    h = simulate_world(case, weeks=weeks, start=start, seed=seed)
    out = learning_curve(
        case.scores,
        config,
        h.visits,
        h.projects,
        truth=case.truth.chance,
        start=start,
        lengths=list(lengths),
        visit_lift=case.truth.visit_lift,
        context=case.context,
        eval_weeks=eval_weeks,
        methods=methods,
        seed=seed,
    )
    out.insert(0, "seed", seed)
    out.insert(0, "world", case.world.id)
    out["synthetic"] = True
    return out
