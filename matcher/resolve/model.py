"""Score: the pair match model, trained on SYNTHETIC labelled pairs, and the alias table's overrides.

The model is a gradient-boosted classifier over the comparison features
(:data:`matcher.resolve.compare.FEATURES`) with monotone constraints: more
similarity never lowers the probability. It is trained on seeded synthetic
pairs (:mod:`matcher.resolve.synth`), so training is deterministic: once per
process (:func:`match_model`), and once per key with the on-disk cache of
:mod:`matcher.resolve.model_cache`. :func:`match_probability` scores pairs and
applies the alias table: names of one group match, names of two different
groups never do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from ..i18n import gettext as _
from .compare import FEATURES, token_keys
from .model_cache import cache_folder, load_cached, model_cache_key, save_cached

__all__ = ["match_model", "fit_pair_model", "background_frequencies", "match_probability"]

log = logging.getLogger(__name__)

#: A trained pair model and the token document frequencies of its synthetic master (see :func:`background_frequencies`).
Trained = tuple[HistGradientBoostingClassifier, pd.Series]

# Trained pair models by (n_train, random_state): training is deterministic, so once per process.
_MODELS: dict[tuple[int, int], Trained] = {}


def match_model(n_train: int, random_state: int, train: Callable[[], Trained]) -> Trained:
    """The pair model for these training parameters: from this process, else the on-disk cache, else ``train()``.

    A model trained here is cached on disk when a cache folder is set
    (:func:`matcher.resolve.model_cache.set_model_cache`); a folder that cannot
    be written is only logged, and the model is trained each time, as without a cache.
    """
    key = (n_train, random_state)
    if key not in _MODELS:
        _MODELS[key] = _cached(n_train, random_state, train)
    return _MODELS[key]


def _cached(n_train: int, random_state: int, train: Callable[[], Trained]) -> Trained:
    folder = cache_folder()
    if folder is None:
        return train()
    key = model_cache_key(n_train, random_state, FEATURES)
    path = folder / f"match-model-{key[:20]}.skops"
    loaded = load_cached(path)
    if loaded is not None:
        log.debug("match model loaded from %s", path)
        return loaded
    trained = train()
    try:
        save_cached(path, trained)
        log.debug("match model cached in %s", path)
    except OSError as exc:  # a read-only folder: train each time, as without a cache
        log.warning(_("cannot cache the match model in {folder}: {reason}").format(folder=folder, reason=exc))
    return trained


def fit_pair_model(features: pd.DataFrame, y: np.ndarray, random_state: int) -> HistGradientBoostingClassifier:
    """Fit the pair model on labelled candidate pairs.

    Parameters
    ----------
    features : DataFrame
        The :data:`~matcher.resolve.compare.FEATURES` of each pair.
    y : ndarray of int
        1 where the pair names one enterprise.
    random_state : int
        Seed of the sample of non-matching pairs.
    """
    # Gradient boosting with monotone constraints: more similarity never lowers the probability,
    # and interactions (same pinyin but a different place) are learnt rather than hand-set.
    mono = [0 if c in ("both_zh", "cross") else 1 for c in FEATURES]
    X = features[list(FEATURES)].to_numpy()
    weight = np.ones(len(y))
    # Most candidate pairs are easy non-matches: keep a seeded sample of them, weighted back up.
    neg = np.flatnonzero(y == 0)
    cap = max(30000 - int(y.sum()), 1)
    if len(neg) > cap:
        rng = np.random.default_rng(random_state)
        keep = np.sort(np.concatenate([np.flatnonzero(y == 1), rng.choice(neg, size=cap, replace=False)]))
        X, y, weight = X[keep], y[keep], np.where(y[keep] == 0, len(neg) / cap, 1.0)
    model = HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, max_leaf_nodes=15, monotonic_cst=mono, early_stopping=False, random_state=0
    )
    with threadpool_limits(1):  # a small fit: threads only contend (10x slower on a busy 2-core machine)
        model.fit(X, y, sample_weight=weight)
    log.debug("match model trained on %d synthetic pairs (%d matches)", len(y), int(y.sum()))
    return model


def background_frequencies(names: pd.Series) -> pd.Series:
    """Token document frequencies of ``names`` (by :func:`~matcher.resolve.compare.token_key`), led by ``-1``: the number of names."""
    background = pd.Series(token_keys(names)[1]).value_counts()
    return pd.concat([pd.Series({-1: len(names)}), background])


def match_probability(model, f: pd.DataFrame, *, use_aliases: bool, lower: float, upper: float) -> np.ndarray:
    """Probability that each compared pair names one enterprise.

    Parameters
    ----------
    model : classifier
        The pair model of :func:`fit_pair_model`.
    f : DataFrame
        Pair features of :meth:`matcher.resolve.resolver.Resolver.compare`
        (:data:`~matcher.resolve.compare.FEATURES`, ``ambiguous``, ``group_q``, ``group_m``).
    use_aliases : bool
        Apply the alias table: one group → at least 0.999, two groups → at
        most 0.001, a name the table gives to two groups → review at most.
    lower, upper : float
        The decision thresholds (an ambiguous name gets at most their mean).
    """
    # Pairs alike in nothing (no name feature reaches 0.4) are scored 0 without the model.
    alike = (f[["brand_py", "pinyin", "brand_zh", "tokens"]].to_numpy().max(axis=1) >= 0.4) | (f["same_key"].to_numpy() == 1)
    p = np.zeros(len(f))
    if alike.any():
        with threadpool_limits(1):  # measured: two threads are no faster here, even on 2M pairs
            p[alike] = model.predict_proba(f.loc[alike, list(FEATURES)].to_numpy())[:, 1]
    if use_aliases and len(f):
        gq, gm = f["group_q"].to_numpy(dtype=object), f["group_m"].to_numpy(dtype=object)
        known = (gq != "") & (gm != "")
        p = np.where(known & (gq == gm), np.maximum(p, 0.999), p)
        p = np.where(known & (gq != gm), np.minimum(p, 0.001), p)
        # A name the alias table gives to two groups goes to review at most.
        amb = f["ambiguous"].to_numpy(dtype=bool) & ~(known & (gq == gm)) & (f["same_key"].to_numpy() == 0)
        p = np.where(amb, np.minimum(p, (lower + upper) / 2), p)
    return p
