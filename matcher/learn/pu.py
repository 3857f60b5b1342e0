"""Learning from real outcomes: positive-unlabelled learning on real investments, judged held out.

The real investments give positives only — (enterprise, city) pairs that did
invest; every other pair of the universe is *unlabelled* (it may invest later,
or may have invested unseen). Under the usual assumption that the known
positives are a random sample of all positives (SCAR), a classifier of
positive against unlabelled orders pairs as the chance of being a positive
would (Elkan & Noto, 2008), so it can rank a city's list. The model is a
logistic regression on the pair's features (the rule's parts, the anchor fit,
whether a city chain fits, ownership), balanced between the few positives and
the many unlabelled pairs, with fixed settings (nothing is tuned on the pairs).

It is judged only held out, in two ways: **grouped by enterprise** (each
enterprise's pairs, positive and unlabelled, are left out of training and its
investments ranked by a model trained on the others) and **grouped by city**
(each city's list is ranked by a model trained on the other cities' pairs).
The same pairs ranked by the rule give the comparison; a paired bootstrap of
the difference says whether the learned ranking helps. With a few dozen
positives it rarely can: the verdict keeps the rule unless the interval of the
improvement excludes zero under both groupings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from ..i18n import gettext
from ..score.scores import Scores
from .office import anchor_fit
from .tuning import cross_validate, grid_ranks, weight_grid
from .validate import summarise

__all__ = ["PU_FEATURES", "pu_features", "pu_cross_validate", "pu_study"]

#: Features of an (enterprise, city) pair, in the order the model sees them.
PU_FEATURES = (
    "chain",
    "fits",
    "region",
    "tier",
    "endowment",
    "origin",
    "anchor_fit",
    "own_central_soe",
    "own_local_soe",
    "own_private",
    "own_foreign",
)


def pu_features(scores: Scores) -> np.ndarray:
    """(n, n_cities, len(:data:`PU_FEATURES`)) features of every enterprise for every city."""
    cfg, n = scores.config, len(scores.universe)
    n_c = len(cfg.cities)
    out = np.zeros((n, n_c, len(PU_FEATURES)))
    for k, c in enumerate(cfg.cities):
        g = scores.group_ids(city=c.id)
        if len(g):
            fit = scores.fit[:, g] > 0
            out[:, k, 0] = np.where(fit, scores.chain[:, g], 0.0).max(axis=1)
            out[:, k, 1] = fit.any(axis=1)
    out[:, :, 2] = scores.region[:, None]
    out[:, :, 3] = scores.tier[:, None]
    out[:, :, 4] = scores.endowment
    out[:, :, 5] = scores.origin[:, None]
    out[:, :, 6] = anchor_fit(scores)
    own = scores.universe["ownership"].fillna("").astype(str).to_numpy() if "ownership" in scores.universe else np.full(n, "")
    for i, o in enumerate(("central_soe", "local_soe", "private", "foreign")):
        out[:, :, 7 + i] = (own == o)[:, None]
    return out


def _fit_predict(F: np.ndarray, pos: np.ndarray, train: np.ndarray, C: float) -> np.ndarray:
    """Fit positive-vs-unlabelled on the (n, n_c) mask ``train``; return scores (n, n_c) for every pair."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = F.reshape(-1, F.shape[-1])
    m = train.reshape(-1)
    y = pos.reshape(-1).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, class_weight="balanced", max_iter=2000))
    model.fit(X[m], y[m])
    return model.decision_function(X).reshape(pos.shape)


def pu_cross_validate(scores: Scores, rows: np.ndarray, cities: np.ndarray, *, by: str, C: float = 0.1) -> np.ndarray:
    """Held-out rank of each positive pair in its city's full list under the PU model.

    Parameters
    ----------
    rows, cities : ndarray
        Universe row and city index of each positive pair.
    by : {"enterprise", "city"}
        The grouping of the folds.
    """
    if by not in ("enterprise", "city"):
        raise ValueError(gettext("The 'by' parameter of pu_cross_validate must be 'enterprise' or 'city'. Got {value!r} instead.").format(value=by))
    F = pu_features(scores)
    n, n_c = F.shape[:2]
    pos = np.zeros((n, n_c), dtype=bool)
    pos[rows, cities] = True
    held = np.full(len(rows), np.nan)
    folds = rows if by == "enterprise" else cities
    for f in np.unique(folds):
        train = np.ones((n, n_c), dtype=bool)
        if by == "enterprise":
            train[f, :] = False
        else:
            train[:, f] = False
        s = _fit_predict(F, pos, train, C)
        for p in np.flatnonzero(folds == f):
            held[p] = rankdata(-s[:, cities[p]], method="average")[rows[p]]
    return held


def _paired_difference(a: np.ndarray, b: np.ndarray, n: int, *, n_boot: int, seed: int) -> dict[str, float]:
    """Paired bootstrap of (b − a) for the median percentile, hit@50 and mean log rank (b the learned ranks)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(n_boot, len(a)))
    out = {}
    for name, f in (
        ("median_percentile", lambda r: np.nanmedian(r / n, axis=-1)),
        ("hit@50", lambda r: np.mean(np.nan_to_num(r, nan=np.inf) <= 50, axis=-1)),
        ("mean_log_rank", lambda r: np.mean(np.log(np.nan_to_num(r, nan=n)), axis=-1)),
    ):
        d = f(b) - f(a)
        boot = f(b[idx]) - f(a[idx])
        lo, hi = np.percentile(boot, [2.5, 97.5])
        out[name] = float(d)
        out[f"{name}_lo"], out[f"{name}_hi"] = float(lo), float(hi)
    return out


def pu_study(
    scores: Scores, pairs: pd.DataFrame, *, C: float = 0.1, n_boot: int = 2000, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The rule against PU learning held out by enterprise and by city, on ranked real-investment pairs.

    Parameters
    ----------
    pairs : DataFrame
        From :func:`matcher.learn.validate.rank_pairs`; the ``ranked`` rows are the positives.

    Returns
    -------
    summary : DataFrame
        One row per scheme (the rule with the configured weights, the rule with weights chosen
        held out by enterprise and by city, PU held out by enterprise and by city) with
        the overall metrics of :func:`matcher.learn.validate.summarise` and their intervals.
    difference : DataFrame
        Per grouping and rule variant, the paired bootstrap of PU minus rule: median percentile and
        mean log rank (lower is better), hit@50 (higher is better), with 95% intervals.
    verdict : str
        ``"keep the rule"`` unless the PU ranking improves the mean log rank with an
        interval excluding zero under both groupings, against the configured weights
        (chosen on these pairs, so partly in-sample) and against weights chosen held out.
    """
    ranked = pairs[pairs.status == "ranked"].reset_index(drop=True)
    unranked = pairs[(pairs.status != "ranked") & (pairs.status != "unknown city")].assign(rank=np.nan, percentile=np.nan)
    pos = pd.Series(np.arange(len(scores.universe)), index=scores.universe.enterprise_id.to_numpy())
    rows = ranked.enterprise_id.map(pos).to_numpy(dtype=np.int64)
    city_index = {c.id: k for k, c in enumerate(scores.config.cities)}
    cities = ranked.city_id.map(city_index).to_numpy(dtype=np.int64)
    n = len(scores.universe)
    rule = ranked["rank"].to_numpy(dtype=float)
    grid = grid_ranks(scores, ranked.city_id.to_numpy(), rows, weight_grid())
    schemes = {"rule (configured weights)": rule}
    diffs = []
    miss = np.full(len(unranked), np.nan)  # pairs outside the universe are misses for every ranking
    for by in ("enterprise", "city"):
        folds = ranked.enterprise_id.to_numpy() if by == "enterprise" else ranked.city_id.to_numpy()
        rule_held = cross_validate(grid, folds)[0]
        held = pu_cross_validate(scores, rows, cities, by=by, C=C)
        schemes[f"rule, weights held out by {by}"] = rule_held
        schemes[f"PU held out by {by}"] = held
        b = np.concatenate([held, miss])
        for label, a in (("configured weights", rule), ("weights held out", rule_held)):
            a = np.concatenate([a, miss])
            diffs.append(
                {"grouping": by, "against": f"rule, {label}", "pairs": len(a), **_paired_difference(a, b, n, n_boot=n_boot, seed=seed)}
            )
    out = []
    for label, r in schemes.items():
        part = pd.concat([ranked.assign(rank=r, percentile=r / n), unranked], ignore_index=True)
        s = summarise(part, n_boot=n_boot, seed=seed)
        out.append({"scheme": label, **s[s.group_by == "overall"].iloc[0].drop(["group_by", "group"]).to_dict()})
    diff = pd.DataFrame(diffs)
    helps = bool((diff.mean_log_rank_hi < 0).all())
    verdict = "PU learning helps: use it beside the rule" if helps else "keep the rule"
    return pd.DataFrame(out), diff, verdict
