"""Learn: pair features for (enterprise, team, week) and models of signing within a horizon.

A *pair* is an enterprise proposed to a team in a week. Its features say how
well the enterprise fits the team's home city and region (what the rule score
uses, unweighted), how big and how well ranked it is, and what has happened
between the enterprise and the city so far (earlier visits, how recent,
stage, the city's pace of signings this year) — only from records dated
before the week's Monday, so a backtest never sees the future.

The models predict the chance that a visit leads to a signed project within
``horizon_weeks``: a logistic regression (transparent baseline) and a
histogram gradient-boosted classifier, each calibrated with
:class:`~sklearn.calibration.CalibratedClassifierCV` on splits grouped by
enterprise. Enterprises never contacted still get a probability from their
static features (cold start). :func:`blend` mixes a probability with the rule
score by the analyst's weight; :func:`blended_team_scores` gives the planner one
score vector per team.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config.model import MODEL_FEATURE_SETS, Config
from ..errors import MatcherError
from ..featurise.transformers import rank_column
from ..i18n import gettext
from ..score.scores import Scores
from .office import OFFICE_FEATURES, office_features

__all__ = [
    "FEATURE_SETS",
    "MODEL_KINDS",
    "PairFeatures",
    "TrainedModel",
    "make_estimator",
    "train_model",
    "blend",
    "blended_team_scores",
    "day_number",
    "monday_of",
]

log = logging.getLogger(__name__)

_STATIC = (
    "chain_fit",
    "status_weight",
    "chain_score",
    "region_fit",
    "tier",
    "best_rank",
    "n_lists",
    "size",
    "own_private",
    "own_local_soe",
    "own_central_soe",
    "own_foreign",
)
_HISTORY = ("prior_visits", "weeks_since_visit", "stage", "quota_pace")

#: Columns of each feature set, in the order models see them.
FEATURE_SETS: dict[str, tuple[str, ...]] = {"pair-v1": _STATIC + _HISTORY, "static-v1": _STATIC, "pair-v2": _STATIC + _HISTORY + OFFICE_FEATURES}
assert tuple(FEATURE_SETS) == MODEL_FEATURE_SETS

MODEL_KINDS = ("logistic", "boosted")

_NEVER_WEEKS = 104.0  # weeks_since_visit of an enterprise never visited by the city
_SHIFT = np.int64(1 << 17)  # day numbers fit in 17 bits until the year 2328


def day_number(dates) -> np.ndarray:
    """Days since 1970-01-01 (int64) of dates or datetime-like values."""
    return pd.to_datetime(pd.Series(dates)).to_numpy(dtype="datetime64[D]").astype(np.int64)


def monday_of(days: np.ndarray) -> np.ndarray:
    """Day number of the Monday of each day's ISO week (1970-01-05 was a Monday)."""
    days = np.asarray(days, dtype=np.int64)
    return days - (days - 4) % 7


def _count_before(sorted_comb: np.ndarray, key: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Per query, how many records of ``key`` have a day < ``day`` (records as sorted key·2^17 + day)."""
    return np.searchsorted(sorted_comb, key * _SHIFT + day, side="left") - np.searchsorted(sorted_comb, key * _SHIFT, side="left")


class PairFeatures:
    """Features of (team, Monday, enterprise) pairs from the scores and the history frames.

    Parameters
    ----------
    scores : Scores
        Rule scores of the universe; enterprises are its rows.
    config : Config
        Its teams and cities.
    visits, projects : DataFrame
        :mod:`matcher.columns` frames (may be empty). Rows naming an enterprise
        or city outside ``scores``/``config`` are ignored.
    context : dict, optional
        What feature set ``pair-v2`` needs beyond them (:mod:`matcher.learn.office`):
        ``distance`` (n × cities, km) and ``campaigns`` (region → ISO weeks).

    Notes
    -----
    Everything is computed with sorted arrays and :func:`numpy.searchsorted`:
    no Python loop over enterprises or pairs (only over teams).
    """

    def __init__(self, scores: Scores, config: Config, visits: pd.DataFrame, projects: pd.DataFrame, context: dict | None = None):
        self.scores, self.config = scores, config
        self.context, self.cache = dict(context or {}), {}
        u = scores.universe
        self.n = len(u)
        self.index = pd.Index(u.enterprise_id)
        self.cities = [c.id for c in config.cities]
        self.city_index = {c: k for k, c in enumerate(self.cities)}
        self.teams = {t.id: t for t in config.teams}
        self._team_cache: dict[str, dict[str, np.ndarray]] = {}
        self.static = self._static(u)
        n_c = len(self.cities)

        def keyed(frame: pd.DataFrame, date_col: str) -> tuple[np.ndarray, np.ndarray]:
            if frame is None or frame.empty:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
            row = self.index.get_indexer(frame.enterprise_id)
            city = frame.city.map(self.city_index).fillna(-1).to_numpy(dtype=np.int64)
            d = frame[date_col]
            ok = (row >= 0) & (city >= 0) & d.notna().to_numpy()
            if (~ok).any():
                log.debug("%d history rows name an unknown enterprise or city, or have no %s; ignored", int((~ok).sum()), date_col)
            key = row[ok].astype(np.int64) * n_c + city[ok]
            return key, day_number(d[ok])

        vk, vd = keyed(visits, "date")
        order = np.lexsort([vd, vk])
        self._visit_comb = vk[order] * _SHIFT + vd[order]
        self._visit_day = vd[order]
        p = projects if projects is not None else pd.DataFrame(columns=["enterprise_id", "city", "signed_date", "stage", "stage_date"])
        sk, sd = keyed(p, "signed_date")
        self._signed_comb = np.sort(sk * _SHIFT + sd)
        self._city_signed = np.sort((sk % n_c) * _SHIFT + sd)
        dk, dd = keyed(p[p.stage == "dropped"] if len(p) else p, "stage_date")
        self._dropped_comb = np.sort(dk * _SHIFT + dd)

    def _static(self, u: pd.DataFrame) -> dict[str, np.ndarray]:
        cfg, s = self.config, self.scores
        best = np.zeros(self.n)
        for t in cfg.tiers:
            if t.ranked and rank_column(t.id) in u:
                r = u[rank_column(t.id)].to_numpy(dtype=float)
                f = np.where(np.isnan(r), 0.0, 1.0 - np.log(np.maximum(r, 1.0)) / np.log(max(t.size, 2)))
                best = np.maximum(best, np.clip(f, 0.0, 1.0))
        on = [f"on__{t.id}" for t in cfg.tiers if f"on__{t.id}" in u]
        own = u["ownership"].astype(str).to_numpy() if "ownership" in u else np.full(self.n, "")
        size = u["size"].to_numpy(dtype=float) if "size" in u else np.zeros(self.n)
        out = {
            "region_fit": s.region.astype(float),
            "tier": s.tier.astype(float),
            "best_rank": best,
            "n_lists": u[on].sum(axis=1).to_numpy(dtype=float) if on else np.zeros(self.n),
            "size": np.nan_to_num(size),
        }
        for o in ("private", "local_soe", "central_soe", "foreign"):
            out[f"own_{o}"] = (own == o).astype(float)
        return out

    def team(self, team_id: str) -> dict[str, np.ndarray]:
        """Per enterprise, for one team: ``candidate``, ``rule``, ``chain_fit``, ``status_weight``, ``chain_score``.

        Candidates are the enterprises of the team's region that fit one of its
        (focus) chains — those of :func:`matcher.sim.history.team_scores`.
        """
        if team_id not in self._team_cache:
            if team_id not in self.teams:
                raise MatcherError(gettext("unknown team {team!r}; expected one of the configuration's teams").format(team=team_id))
            t, s = self.teams[team_id], self.scores
            groups = s.group_ids(city=t.home_city, chains=t.focus_chains)
            region = [r.id for r in self.config.regions].index(t.region)
            g, rule = s.best(groups)
            ok = (g >= 0) & s.region_member[:, region]
            gg = np.maximum(g, 0)
            rows = np.arange(self.n)
            j = s.link[rows, gg] if len(groups) else np.full(self.n, -1)
            sw = np.where(j >= 0, s.links.status_weight.to_numpy(dtype=float)[np.maximum(j, 0)], 0.0)
            has = g >= 0
            self._team_cache[team_id] = {
                "candidate": ok,
                "rule": np.where(ok, rule, -1.0),
                "chain_fit": np.where(has, s.fit[rows, gg], 0.0).astype(float),
                "status_weight": np.where(has, sw, 0.0),
                "chain_score": np.where(has, s.chain[rows, gg], 0.0).astype(float),
            }
        return self._team_cache[team_id]

    def _team_gather(self, team_ids: np.ndarray, rows: np.ndarray, name: str) -> np.ndarray:
        codes, uniq = pd.factorize(pd.Series(team_ids), sort=True)
        out = np.zeros(len(rows), dtype=float if name != "candidate" else bool)
        for c, tid in enumerate(uniq):
            m = codes == c
            out[m] = self.team(tid)[name][rows[m]]
        return out

    def city_of(self, team_ids: np.ndarray) -> np.ndarray:
        """City index (column of the propensity matrix) of each team."""
        return pd.Series(team_ids).map(lambda t: self.city_index[self.teams[t].home_city]).to_numpy(dtype=np.int64)

    def history(self, team_ids, monday: np.ndarray, rows: np.ndarray) -> dict[str, np.ndarray]:
        """History of each pair as of its Monday: ``prior_visits``, ``weeks_since_visit``, ``stage``, ``signed_before``, ``quota_pace``."""
        city = self.city_of(team_ids)
        key = rows.astype(np.int64) * len(self.cities) + city
        monday = np.asarray(monday, dtype=np.int64)
        prior = _count_before(self._visit_comb, key, monday)
        idx = np.searchsorted(self._visit_comb, key * _SHIFT + monday, side="left")
        last = np.where(prior > 0, self._visit_day[np.maximum(idx - 1, 0)] if len(self._visit_day) else 0, 0)
        weeks = np.where(prior > 0, np.minimum((monday - last) / 7.0, _NEVER_WEEKS), _NEVER_WEEKS)
        signed = _count_before(self._signed_comb, key, monday) > 0
        dropped = _count_before(self._dropped_comb, key, monday) > 0
        stage = np.select([signed, dropped, prior > 0], [3.0, 2.0, 1.0], 0.0)
        jan1 = monday.astype("datetime64[D]").astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
        ytd = _count_before(self._city_signed, city, monday) - _count_before(self._city_signed, city, jan1)
        pace = ytd / np.maximum((monday - jan1) / 7.0, 1.0)
        return {
            "prior_visits": prior.astype(float),
            "weeks_since_visit": weeks,
            "stage": stage,
            "signed_before": signed,
            "quota_pace": pace.astype(float),
        }

    def transform(self, pairs: pd.DataFrame, feature_set: str = "pair-v1") -> pd.DataFrame:
        """Feature frame of ``pairs`` (columns ``team_id``, ``monday`` day number, ``row``), in the set's column order."""
        if feature_set not in FEATURE_SETS:
            raise MatcherError(gettext("unknown feature set {value!r}; expected one of {choices}").format(value=feature_set, choices=", ".join(FEATURE_SETS)))
        tid = pairs.team_id.to_numpy()
        rows = pairs.row.to_numpy(dtype=np.int64)
        cols = {}
        for name in ("chain_fit", "status_weight", "chain_score"):
            cols[name] = self._team_gather(tid, rows, name)
        for name, arr in self.static.items():
            cols[name] = arr[rows]
        if feature_set != "static-v1":
            h = self.history(tid, pairs.monday.to_numpy(), rows)
            cols.update({k: h[k] for k in _HISTORY})
        if feature_set == "pair-v2":
            cols.update(office_features(self, pairs))
        return pd.DataFrame({c: cols[c] for c in FEATURE_SETS[feature_set]}, index=pairs.index)

    def rule(self, pairs: pd.DataFrame) -> np.ndarray:
        """Rule score of each pair for its team (-1 where not a candidate)."""
        return self._team_gather(pairs.team_id.to_numpy(), pairs.row.to_numpy(dtype=np.int64), "rule")

    def labels(self, pairs: pd.DataFrame, horizon_weeks: int) -> np.ndarray:
        """1 where the enterprise signed with the team's city within ``horizon_weeks`` from the pair's Monday."""
        key = pairs.row.to_numpy(dtype=np.int64) * len(self.cities) + self.city_of(pairs.team_id.to_numpy())
        m = pairs.monday.to_numpy(dtype=np.int64)
        n = _count_before(self._signed_comb, key, m + 7 * horizon_weeks) - _count_before(self._signed_comb, key, m)
        return (n > 0).astype(int)

    def visit_pairs(self, visits: pd.DataFrame) -> pd.DataFrame:
        """One pair per (team, week, enterprise) visited: ``team_id, monday, row, enterprise_id``.

        Visits by teams or of enterprises outside the configuration and universe are left out.
        """
        if visits is None or visits.empty:
            return pd.DataFrame({"team_id": pd.Series(dtype=object), "monday": pd.Series(dtype=np.int64), "row": pd.Series(dtype=np.int64)})
        f = pd.DataFrame(
            {
                "team_id": visits.team_id.to_numpy(),
                "monday": monday_of(day_number(visits.date)),
                "row": self.index.get_indexer(visits.enterprise_id),
                "enterprise_id": visits.enterprise_id.to_numpy(),
            }
        )
        keep = (f.row >= 0) & f.team_id.isin(list(self.teams))
        if (~keep).any():
            log.info("%d visits by teams or of enterprises not in the configuration or universe are left out", int((~keep).sum()))
        f = f[keep].drop_duplicates(["team_id", "monday", "row"])
        return f.sort_values(["monday", "team_id", "enterprise_id"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------- models


def _one_thread():
    """One OpenMP thread: on the small data of a week's lists, thread start-up costs more than it saves."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")


def make_estimator(kind: str, *, seed: int = 0):
    """The uncalibrated scikit-learn estimator of a model kind (``logistic`` or ``boosted``)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "logistic":
        return Pipeline([("scale", StandardScaler()), ("logit", LogisticRegression(C=1.0, max_iter=2000))])
    if kind == "boosted":
        return HistGradientBoostingClassifier(
            learning_rate=0.06,
            max_iter=150,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            l2_regularization=1.0,
            early_stopping=False,
            random_state=seed,
        )
    raise MatcherError(gettext("unknown model kind {kind!r}; expected one of {choices}").format(kind=kind, choices=", ".join(MODEL_KINDS)))


@dataclass
class TrainedModel:
    """A calibrated signing model with what is needed to use and describe it.

    Attributes
    ----------
    kind : str
        ``logistic`` or ``boosted``.
    feature_set : str
    features : tuple of str
        Columns, in order, the estimator was fitted on.
    horizon_weeks : int
    estimator : CalibratedClassifierCV
    trained_until : str
        Last Monday (ISO date) whose visits were in the training data.
    n_rows, n_positive : int
    params : dict
        Parameters of the uncalibrated estimator.
    """

    kind: str
    feature_set: str
    features: tuple[str, ...]
    horizon_weeks: int
    estimator: object
    trained_until: str
    n_rows: int
    n_positive: int
    params: dict = field(default_factory=dict)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probability of signing within the horizon, one per row of ``X``."""
        missing = [c for c in self.features if c not in X.columns]
        if missing:
            raise MatcherError(gettext("the model needs features {missing} that the input does not have").format(missing=missing))
        with _one_thread():
            return self.estimator.predict_proba(X[list(self.features)].to_numpy(dtype=float))[:, 1]

    def coefficients(self) -> dict[str, float] | None:
        """Mean standardised coefficients of a logistic model (per feature), None for other kinds."""
        if self.kind != "logistic":
            return None
        coef = np.mean([c.estimator.named_steps["logit"].coef_[0] for c in self.estimator.calibrated_classifiers_], axis=0)
        return {f: round(float(c), 4) for f, c in zip(self.features, coef)}


def train_model(
    kind: str,
    X: pd.DataFrame,
    y: np.ndarray,
    groups: np.ndarray,
    *,
    feature_set: str,
    horizon_weeks: int,
    trained_until: str,
    seed: int = 0,
    n_splits: int = 3,
) -> TrainedModel:
    """Fit and calibrate one model (sigmoid calibration on ``n_splits`` folds grouped by ``groups``).

    Raises
    ------
    MatcherError
        When the training data hold no signing, or nothing but signings.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import GroupKFold

    y = np.asarray(y, dtype=int)
    if len(np.unique(y)) < 2:
        message = (
            gettext("cannot train a model on {n} visits: the outcomes are all signed; more history (visits and signed projects) is needed")
            if len(y) and y[0]
            else gettext("cannot train a model on {n} visits: the outcomes are all unsigned; more history (visits and signed projects) is needed")
        )
        raise MatcherError(message.format(n=len(y)))
    if len(np.unique(groups)) < n_splits or min(int(y.sum()), int(len(y) - y.sum())) < n_splits:
        raise MatcherError(gettext("cannot train a model on {n} visits with {signed} signings: too few to calibrate").format(n=len(y), signed=int(y.sum())))
    base = make_estimator(kind, seed=seed)
    splits = list(GroupKFold(n_splits=n_splits).split(X, y, groups))
    # Signings concentrated on few enterprises can leave a fold's training part with one class only.
    if any(len(np.unique(y[train])) < 2 for train, _ in splits):
        raise MatcherError(
            gettext("cannot train a model on {n} visits with {signed} signings: the signings are on too few enterprises to calibrate").format(
                n=len(y), signed=int(y.sum())
            )
        )
    est = CalibratedClassifierCV(base, method="sigmoid", cv=splits)
    with _one_thread():
        est.fit(X[list(FEATURE_SETS[feature_set])].to_numpy(dtype=float), y)
    params = {k: v for k, v in base.get_params(deep=True).items() if isinstance(v, int | float | str | bool) or v is None}
    return TrainedModel(
        kind=kind,
        feature_set=feature_set,
        features=FEATURE_SETS[feature_set],
        horizon_weeks=int(horizon_weeks),
        estimator=est,
        trained_until=trained_until,
        n_rows=int(len(y)),
        n_positive=int(y.sum()),
        params=params,
    )


def blend(rule: np.ndarray, probability: np.ndarray, weight: float, query: np.ndarray | None = None) -> np.ndarray:
    """Blended score ``(1 - weight) · rule + weight · probability / max probability``.

    The probability is rescaled by its maximum within each query (all rows
    when ``query`` is None), so both parts run from 0 to 1; ``weight = 0``
    gives the rule score, ``weight = 1`` the model's order.
    """
    if not 0 <= weight <= 1:
        raise ValueError(gettext("The 'weight' parameter of blend must be a float in [0, 1]. Got {value!r} instead.").format(value=weight))
    p = np.asarray(probability, dtype=float)
    if query is None:
        top = np.full(len(p), p.max() if len(p) else 1.0)
    else:
        top = pd.Series(p).groupby(np.asarray(query)).transform("max").to_numpy()
    scaled = np.divide(p, top, out=np.zeros_like(p), where=top > 0)
    return (1.0 - weight) * np.asarray(rule, dtype=float) + weight * scaled


def blended_team_scores(
    scores: Scores,
    config: Config,
    model: TrainedModel | None,
    *,
    week: str,
    visits: pd.DataFrame | None = None,
    projects: pd.DataFrame | None = None,
    weight: float | None = None,
) -> dict[str, np.ndarray]:
    """For the planner: per team, one score per enterprise (-1 where not a candidate).

    With ``model`` None this is the rule score (as :func:`matcher.sim.history.team_scores`);
    otherwise the :func:`blend` of the rule score and the model's probability for
    the week ``week`` (ISO week), with ``weight`` defaulting to the
    configuration's ``model.blend_weight``.
    """
    from .._text import parse_week

    _, monday = parse_week(week)
    pf = PairFeatures(scores, config, visits if visits is not None else pd.DataFrame(), projects)
    w = config.model.blend_weight if weight is None else weight
    out = {}
    day = int(day_number([monday])[0])
    for t in sorted(config.teams, key=lambda t: t.id):
        arr = pf.team(t.id)
        if model is None:
            out[t.id] = arr["rule"].copy()
            continue
        rows = np.flatnonzero(arr["candidate"])
        res = np.full(len(arr["rule"]), -1.0)
        if len(rows):
            pairs = pd.DataFrame({"team_id": t.id, "monday": day, "row": rows})
            p = model.predict_proba(pf.transform(pairs, model.feature_set))
            res[rows] = blend(arr["rule"][rows], p, w)
        out[t.id] = res
    return out
