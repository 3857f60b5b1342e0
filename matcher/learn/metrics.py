"""Evaluation: ranking metrics per query, probability metrics, beyond-accuracy metrics.

Plain functions in the style of Microsoft Recommenders. A *query* is one
ranked list — for the teams, one (team, week) — and list metrics are computed
per query and then averaged over queries, never pooled across them.

Conventions shared by every list metric
---------------------------------------
- ``y_true`` is the relevance of each item: 1/0 for "signed within the
  horizon", or a probability in [0, 1] (the hidden propensity of a simulated
  world), in which case precision and recall are *expected* values.
- ``y_score`` ranks the items, higher first. **Ties** are broken by the order
  in which the items are given (the first given ranks first): callers that
  want another rule sort their items by it first (the grouped functions
  sort by an explicit ``tiebreak`` column).
- ``k`` larger than the list: the list is what it is — precision still
  divides by ``k`` (empty slots count as misses); recall, NDCG and AP use the
  whole list.
- An **empty query** (no items) has precision 0; a query without any
  relevant item has no defined recall, NDCG or AP: those return NaN and are
  left out of the means (the grouped result says how many queries counted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import gettext

__all__ = [
    "precision_at_k",
    "recall_at_k",
    "ndcg_at_k",
    "map_at_k",
    "ranking_metrics",
    "roc_auc",
    "brier_score",
    "calibration_table",
    "coverage",
    "novelty",
]


def _check_k(k, name: str) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(gettext("The 'k' parameter of {name} must be an int >= 1. Got {value!r} instead.").format(name=name, value=k))
    return int(k)


def _arrays(y_true, y_score, name: str) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true, dtype=float).ravel()
    s = np.asarray(y_score, dtype=float).ravel()
    if t.shape != s.shape:
        raise ValueError(gettext("{name}: y_true and y_score must have the same length. Got {a} and {b} instead.").format(name=name, a=len(t), b=len(s)))
    if np.isnan(t).any() or np.isnan(s).any():
        raise ValueError(gettext("{name}: y_true and y_score must not contain NaN.").format(name=name))
    if ((t < 0) | (t > 1)).any():
        raise ValueError(gettext("{name}: y_true must be relevances in [0, 1]. Got values from {low} to {high} instead.").format(name=name, low=t.min(), high=t.max()))
    return t, s


def _ranked(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Relevances in ranked order: score descending, then input order (stable)."""
    return t[np.argsort(-s, kind="stable")]


def precision_at_k(y_true, y_score, *, k: int = 10) -> float:
    """Share of the top ``k`` that is relevant. Range 0–1, higher is better.

    Divides by ``k`` even when the list is shorter. An empty list gives 0.

    Examples
    --------
    >>> precision_at_k([1, 0, 1], [0.9, 0.8, 0.1], k=2)
    0.5
    """
    k = _check_k(k, "precision_at_k")
    t, s = _arrays(y_true, y_score, "precision_at_k")
    return float(_ranked(t, s)[:k].sum() / k)


def recall_at_k(y_true, y_score, *, k: int = 10) -> float:
    """Share of all relevance found in the top ``k``. Range 0–1, higher is better; NaN without relevant items."""
    k = _check_k(k, "recall_at_k")
    t, s = _arrays(y_true, y_score, "recall_at_k")
    total = t.sum()
    return float(_ranked(t, s)[:k].sum() / total) if total > 0 else float("nan")


def _dcg(rel: np.ndarray) -> float:
    return float((rel / np.log2(np.arange(2, len(rel) + 2))).sum())


def ndcg_at_k(y_true, y_score, *, k: int = 10) -> float:
    """Normalised discounted cumulative gain at ``k`` (linear gain, log2 discount).

    ``DCG@k = sum_i rel_i / log2(i + 1)`` over the first ``k`` ranks, divided
    by the DCG@k of the best possible order. Range 0–1, higher is better;
    NaN without relevant items.
    """
    k = _check_k(k, "ndcg_at_k")
    t, s = _arrays(y_true, y_score, "ndcg_at_k")
    ideal = _dcg(np.sort(t)[::-1][:k])
    return _dcg(_ranked(t, s)[:k]) / ideal if ideal > 0 else float("nan")


def map_at_k(y_true, y_score, *, k: int = 10) -> float:
    """Average precision at ``k`` of one query (its mean over queries is MAP@k).

    ``AP@k = sum_{i<=k} P@i * rel_i / min(k, n_relevant)``, with relevance
    binarised at ``> 0``. Range 0–1, higher is better; NaN without relevant items.
    """
    k = _check_k(k, "map_at_k")
    t, s = _arrays(y_true, y_score, "map_at_k")
    rel = (_ranked(t, s) > 0).astype(float)
    n_rel = rel.sum()
    if n_rel == 0:
        return float("nan")
    top = rel[:k]
    prec = np.cumsum(top) / np.arange(1, len(top) + 1)
    return float((prec * top).sum() / min(k, n_rel))


def ranking_metrics(
    frame: pd.DataFrame,
    *,
    query,
    relevance: str,
    score: str,
    tiebreak: str | None = None,
    k: int = 10,
) -> dict[str, float]:
    """Mean precision@k, recall@k, NDCG@k and MAP@k over the queries of a long frame.

    Parameters
    ----------
    frame : DataFrame
        One row per (query, item).
    query : str or list of str
        Column(s) identifying a query, e.g. ``["team_id", "week"]``.
    relevance, score : str
        Columns of relevance (0–1) and of the ranking score.
    tiebreak : str, optional
        Column ordering tied scores (ascending); default the frame's order.
    k : int

    Returns
    -------
    dict
        ``precision``, ``recall``, ``ndcg``, ``map`` (means over the queries
        where each is defined), ``queries`` (all queries) and
        ``queries_with_relevant``.

    Notes
    -----
    Vectorised over all queries at once; equal to averaging the per-query
    functions of this module.
    """
    k = _check_k(k, "ranking_metrics")
    keys = [query] if isinstance(query, str) else list(query)
    if frame.empty:
        nan = float("nan")
        return {"precision": nan, "recall": nan, "ndcg": nan, "map": nan, "queries": 0, "queries_with_relevant": 0}
    t, s = _arrays(frame[relevance], frame[score], "ranking_metrics")
    qid = frame.groupby(keys, sort=True, observed=True).ngroup().to_numpy()
    n_q = int(qid.max()) + 1
    order_cols = [np.arange(len(frame))]
    if tiebreak is not None:
        order_cols.insert(0, pd.factorize(frame[tiebreak], sort=True)[0])
    # Rank within each query: score descending, then the tie-break, then input order.
    order = np.lexsort([*reversed(order_cols), -s, qid])
    q_sorted = qid[order]
    start = np.searchsorted(q_sorted, np.arange(n_q))
    pos = np.arange(len(order)) - start[q_sorted]  # 0-based rank within the query
    rel = t[order]
    top = pos < k
    disc = 1.0 / np.log2(pos + 2.0)
    hits = np.bincount(q_sorted[top], weights=rel[top], minlength=n_q)
    total = np.bincount(qid, weights=t, minlength=n_q)
    dcg = np.bincount(q_sorted[top], weights=(rel * disc)[top], minlength=n_q)
    # Ideal order: relevance descending within each query.
    iorder = np.lexsort([-t, qid])
    ipos = np.arange(len(iorder)) - start[qid[iorder]]
    itop = ipos < k
    idcg = np.bincount(qid[iorder][itop], weights=(t[iorder] / np.log2(ipos + 2.0))[itop], minlength=n_q)
    binary = (rel > 0).astype(float)
    cum = np.cumsum(binary)
    cum_q = cum - np.concatenate([[0.0], cum])[start[q_sorted]]
    ap_terms = np.where(top, cum_q / (pos + 1.0) * binary, 0.0)
    n_rel = np.bincount(qid, weights=(t > 0).astype(float), minlength=n_q)
    ap_sum = np.bincount(q_sorted, weights=ap_terms, minlength=n_q)
    has = total > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.where(has, hits / total, np.nan)
        ndcg = np.where(idcg > 0, dcg / idcg, np.nan)
        ap = np.where(n_rel > 0, ap_sum / np.minimum(k, n_rel), np.nan)
    return {
        "precision": float((hits / k).mean()),
        "recall": _nanmean(recall),
        "ndcg": _nanmean(ndcg),
        "map": _nanmean(ap),
        "queries": n_q,
        "queries_with_relevant": int(has.sum()),
    }


def _nanmean(x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(x.mean()) if len(x) else float("nan")


def roc_auc(y_true, y_prob) -> float:
    """Area under the ROC curve. Range 0–1 (0.5 is chance), higher is better; NaN if only one class is present.

    Tied probabilities count half (the Mann–Whitney convention of scikit-learn).
    """
    from sklearn.metrics import roc_auc_score

    t = np.asarray(y_true).astype(int)
    if len(np.unique(t)) < 2:
        return float("nan")
    return float(roc_auc_score(t, np.asarray(y_prob, dtype=float)))


def brier_score(y_true, y_prob) -> float:
    """Mean squared error of probabilities against 0/1 outcomes. Range 0–1, lower is better; NaN when empty."""
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    if len(t) == 0:
        return float("nan")
    if ((p < 0) | (p > 1)).any():
        raise ValueError(gettext("brier_score: y_prob must be probabilities in [0, 1]."))
    return float(((p - t) ** 2).mean())


def calibration_table(y_true, y_prob, *, n_bins: int = 10) -> pd.DataFrame:
    """Reliability table: predictions cut into ``n_bins`` quantile bins.

    Returns
    -------
    DataFrame
        ``bin, n, mean_predicted, observed_rate`` — a calibrated model has
        ``observed_rate ≈ mean_predicted`` in every bin. Bins are made on the
        rank of the prediction (ties keep input order), so each has about
        the same number of rows.
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError(gettext("The 'n_bins' parameter of calibration_table must be an int >= 1. Got {value!r} instead.").format(value=n_bins))
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    if len(t) == 0:
        return pd.DataFrame(columns=["bin", "n", "mean_predicted", "observed_rate"])
    order = np.argsort(p, kind="stable")
    b = np.empty(len(p), dtype=int)
    b[order] = np.arange(len(p)) * n_bins // len(p)
    f = pd.DataFrame({"bin": b, "p": p, "y": t})
    out = f.groupby("bin").agg(n=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean")).reset_index()
    return out


def coverage(items, catalogue_size: int) -> float:
    """Share of the catalogue that appears in at least one list. Range 0–1, higher means more enterprises surface."""
    if catalogue_size < 1:
        raise ValueError(gettext("The 'catalogue_size' parameter of coverage must be an int >= 1. Got {value!r} instead.").format(value=catalogue_size))
    return float(pd.unique(np.asarray(items, dtype=object)).size / catalogue_size)


def novelty(frame: pd.DataFrame, *, owner: str, time: str, item: str) -> float:
    """Share of a list that was not on the same owner's previous list, averaged.

    For each owner (a team) the lists are taken in ``time`` order; each list
    after the first contributes the share of its items absent from the
    previous one. Range 0–1: 0 is the same list every week, 1 is a fresh
    list every week; NaN when no owner has two lists.
    """
    if frame.empty:
        return float("nan")
    f = frame[[owner, time, item]].drop_duplicates()
    slots = f[[owner, time]].drop_duplicates().sort_values([owner, time], kind="stable")
    slots["prev"] = slots.groupby(owner)[time].shift(1)
    slots = slots.dropna(subset=["prev"])
    if slots.empty:
        return float("nan")
    cur = f.merge(slots, on=[owner, time])
    prev = f.rename(columns={time: "prev"})
    seen = cur.merge(prev.assign(_seen=True), on=[owner, "prev", item], how="left")["_seen"].fillna(False).astype(bool)
    cur["new"] = ~seen.to_numpy()
    return float(cur.groupby([owner, time])["new"].mean().mean())
