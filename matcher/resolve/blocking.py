"""Block: candidate pairs of names that share a blocking key, pruned to the best few per name.

A blocking key is a cheap value two names of one enterprise are likely to
share (:data:`BLOCKS`): the normalised key, the brand in pinyin, the first two
characters of the Chinese core, the first five letters of the brand's pinyin,
initials of three or more letters, the alias group. Only names sharing a key
are ever compared, and keys shared by more than ``max_block`` master names are
skipped, so 100k × 1M never meets all pairs. :func:`prune_pairs` then keeps
the best few candidates of each name by a cheap pre-score.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..errors import MatcherError
from ..i18n import gettext as _
from .compare import agree, ratio

__all__ = ["BLOCKS", "key_values", "block_index", "subset_rows", "candidate_pairs", "prune_pairs"]

log = logging.getLogger(__name__)

#: Blocking keys a Resolver can use.
BLOCKS = ("key", "brand_py", "core2", "py5", "initials", "group")


def key_values(parsed: pd.DataFrame, kind: str) -> pd.Series:
    """The blocking key ``kind`` (one of :data:`BLOCKS`) of each parsed name; ``""`` where it has none.

    Raises
    ------
    MatcherError
        When ``kind`` is not one of :data:`BLOCKS`.
    """
    if kind == "key":
        return parsed["key"]
    if kind == "brand_py":
        return parsed["brand_py"].where(parsed["brand_py"].str.len() >= 3, "")
    if kind == "core2":
        return parsed["core"].str[:2].where(parsed["lang"] == "zh", "")
    if kind == "py5":
        return parsed["brand_py"].str[:5].where(parsed["brand_py"].str.len() >= 5, "")
    if kind == "initials":
        return parsed["initials"].where(parsed["initials"].str.len() >= 3, "")
    if kind == "group":
        return parsed["group"]
    raise MatcherError(_("unknown blocking key {kind!r}; expected one of {choices}").format(kind=kind, choices=", ".join(BLOCKS)))


def block_index(parsed: pd.DataFrame, kind: str, max_block: int, sizes: pd.Series | None = None) -> pd.DataFrame:
    """Master rows by blocking key: ``bk`` (key value), ``m`` (master row); keys of big blocks left out.

    Keys shared by more than ``max_block`` names are skipped, except alias
    groups (a group is never too big: its names are known to belong together).
    ``sizes`` (key value → names of the whole master holding it, from
    :func:`subset_rows`) counts the blocks when ``parsed`` is part of the
    master; rows whose key value it lacks are left out.
    """
    vals = key_values(parsed, kind)
    frame = pd.DataFrame({"bk": vals.to_numpy(), "m": np.arange(len(parsed))})
    frame = frame[frame.bk != ""]
    if sizes is not None:
        size = frame.bk.map(sizes)
        frame, size = frame[size.notna()], size[size.notna()]
    else:
        size = frame.groupby("bk").m.transform("size")
    big = size > max_block
    if big.any() and kind != "group":
        log.debug("blocking on %s: %d keys shared by more than %d names skipped", kind, frame.bk[big].nunique(), max_block)
        frame = frame[~big]
    return frame


def subset_rows(master: pd.DataFrame, queries: pd.DataFrame, kinds, max_block: int, given: dict | None = None) -> tuple[np.ndarray, dict[str, pd.Series]]:
    """The master rows that can be candidates of ``queries``, and the size of each block they share.

    A master row can be a candidate when one of its blocking keys (``kinds``)
    is also a query's and the block is not too big (see :func:`block_index`).
    Every row holding a query's key value is looked at, so the sizes are the
    whole master's: a resolver indexing only these rows finds the same pairs.

    Parameters
    ----------
    master, queries : DataFrame
        Parsed master and query names (``group`` of the master per enterprise already).
    kinds : iterable of str
        Blocking keys, of :data:`BLOCKS`.
    max_block : int
        Keys shared by more master names than this are skipped (alias groups never).
    given : dict of str to Series, optional
        Per key, the sizes counted over the whole master when ``master`` is part of it
        (every row holding a small block's value, not every row of a big one).

    Returns
    -------
    rows : ndarray of int
        Master rows, ascending.
    sizes : dict of str to Series
        Per key, master names holding each of the queries' key values.
    """
    keep = np.zeros(len(master), dtype=bool)
    sizes: dict[str, pd.Series] = {}
    for kind in kinds:
        qv = key_values(queries, kind)
        qv = pd.unique(qv[qv != ""].to_numpy(dtype=object))
        mv = key_values(master, kind)
        hit = mv.isin(qv).to_numpy(dtype=bool) if len(qv) else np.zeros(len(master), dtype=bool)
        vals = mv[hit]
        sizes[kind] = given[kind] if given is not None and kind in given else vals.value_counts()
        small = np.ones(len(vals), dtype=bool) if kind == "group" else (vals.map(sizes[kind]) <= max_block).to_numpy(dtype=bool)
        keep[np.flatnonzero(hit)[small]] = True
    return np.flatnonzero(keep), sizes


def candidate_pairs(parsed: pd.DataFrame, blocks: dict[str, pd.DataFrame], n_master: int) -> pd.DataFrame:
    """Candidate pairs of parsed query names and master rows sharing a blocking key.

    Parameters
    ----------
    parsed : DataFrame
        Parsed query names (:func:`matcher.resolve.normalize.parse_names`
        plus ``province`` and ``group``).
    blocks : dict of str to DataFrame
        :func:`block_index` of the master per blocking key, in order of preference.
    n_master : int
        Number of master rows.

    Returns
    -------
    DataFrame
        ``q`` (query row), ``m`` (master row), ``block`` (the first key that
        found the pair), sorted by ``q`` then ``m``, each pair once.
    """
    parts = []
    for kind, index in blocks.items():
        vals = key_values(parsed, kind)
        q = pd.DataFrame({"bk": vals.to_numpy(), "q": np.arange(len(parsed))})
        q = q[q.bk != ""]
        if len(q) == 0 or len(index) == 0:
            continue
        pairs = q.merge(index, on="bk", how="inner")
        parts.append((pairs["q"].to_numpy(dtype=np.int64), pairs["m"].to_numpy(dtype=np.int64), kind))
    if not parts:
        return pd.DataFrame({"q": np.array([], dtype=np.int64), "m": np.array([], dtype=np.int64), "block": []})
    qa = np.concatenate([p[0] for p in parts])
    ma = np.concatenate([p[1] for p in parts])
    kinds = np.array([p[2] for p in parts], dtype=object)
    ka = np.repeat(np.arange(len(parts)), [len(p[0]) for p in parts])
    # Sorted by (q, m); of a pair found by several keys, the first key (stable sort keeps their order).
    pair_key = qa * np.int64(max(n_master, 1)) + ma
    order = np.argsort(pair_key, kind="stable")
    sk = pair_key[order]
    order = order[np.r_[True, sk[1:] != sk[:-1]]] if len(sk) else order
    return pd.DataFrame({"q": qa[order], "m": ma[order], "block": kinds[ka[order]]})


def prune_pairs(parsed: pd.DataFrame, master_cols: dict[str, np.ndarray], pairs: pd.DataFrame, k: int | None, workers: int) -> pd.DataFrame:
    """Keep at most ``k`` candidate pairs per query row, the best by a cheap pre-score.

    The pre-score is the larger rapidfuzz ratio of the pinyin cores and of
    the pinyin brands (Chinese and English names alike), plus half the ratio
    of the keys (homophones share their pinyin) and a tenth for the same HQ
    province (minus for a different one); pairs with the same key, or of
    the same alias group, come first. Ties go to the smaller
    master row, so the result is deterministic. Order of the kept pairs: by
    ``q`` then ``m``, as :func:`candidate_pairs` returns them.

    Parameters
    ----------
    parsed : DataFrame
        Parsed query names, as for :func:`candidate_pairs`.
    master_cols : dict of str to ndarray
        The master's ``key``, ``pinyin``, ``brand_py``, ``group`` and ``province`` columns.
    pairs : DataFrame
        Candidate pairs of :func:`candidate_pairs`.
    k : int or None
        Candidates kept per name; ``None`` keeps every one.
    workers : int
        Threads for rapidfuzz (``-1``: all cores).
    """
    if k is None or len(pairs) == 0:
        return pairs
    qi, mi = pairs["q"].to_numpy(), pairs["m"].to_numpy()
    counts = np.bincount(qi, minlength=int(qi.max()) + 1)
    if counts.max() <= k:
        return pairs
    big = counts[qi] > k  # only names with too many candidates are ranked
    rows = np.flatnonzero(big)
    qb, mb = qi[rows], mi[rows]
    cols = ("key", "pinyin", "brand_py", "group", "province")
    a = {c: parsed[c].to_numpy(dtype=object)[qb] for c in cols}
    b = {c: master_cols[c][mb] for c in cols}
    # Sound first; then the written key (homophones 国源/国远 share their pinyin) and the HQ province.
    pre = np.maximum(ratio(a["pinyin"], b["pinyin"], workers), ratio(a["brand_py"], b["brand_py"], workers))
    pre = pre + 0.5 * ratio(a["key"], b["key"], workers) + 0.1 * agree(a["province"], b["province"])
    first = (a["key"] == b["key"]) | ((a["group"] != "") & (a["group"] == b["group"]))
    pre = np.where(first, 3.0, pre)
    order = np.lexsort((mb, -pre, qb))  # by query, best first, then smaller master row
    q_sorted = qb[order]
    start = np.flatnonzero(np.r_[True, q_sorted[1:] != q_sorted[:-1]])
    rank = np.arange(len(order)) - np.repeat(start, np.diff(np.r_[start, len(order)]))
    keep = np.ones(len(pairs), dtype=bool)
    keep[rows] = False
    keep[rows[order[rank < k]]] = True
    log.debug("pruning: %d of %d candidate pairs kept (at most %d per name)", int(keep.sum()), len(pairs), k)
    return pairs[keep].reset_index(drop=True)
