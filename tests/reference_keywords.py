"""The keyword search that :func:`matcher.featurise.taxonomy.find_keywords` replaced, kept as its reference.

Plain NumPy, no automaton: per keyword length, hashed windows of one joined
code-point array, every hit checked character by character. The tests check
the Aho–Corasick search against it, and ``benchmarks/taxonomy_bench.py`` times
the two in the same run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["plain_find_keywords"]

_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd, so invertible modulo 2**64


def _powers(base: np.uint64, n: int) -> np.ndarray:
    out = np.empty(n, dtype=np.uint64)
    out[0] = 1
    if n > 1:
        out[1:] = base
        with np.errstate(over="ignore"):
            out = np.cumprod(out, dtype=np.uint64)  # wraps modulo 2**64, as intended
    return out


def _is_alnum(codes: np.ndarray) -> np.ndarray:
    return ((codes >= ord("a")) & (codes <= ord("z"))) | ((codes >= ord("0")) & (codes <= ord("9")))


def plain_find_keywords(texts: np.ndarray, keywords: Sequence[str], bounded: np.ndarray, *, batch_chars: int = 20_000_000):
    """What :func:`~matcher.featurise.taxonomy.find_keywords` returns, found by hashed windows instead of an automaton.

    For each keyword length, the windows of the joined texts that start with a
    possible first character are hashed (polynomial hash modulo 2**64, from
    prefix sums) and looked up among the keywords' hashes; every hit is then
    checked character by character, so a hash collision cannot produce a false match.
    """
    texts = np.asarray(texts, dtype=object)
    empty = np.zeros(0, dtype=np.int64)
    if len(texts) == 0 or len(keywords) == 0:
        return empty, empty
    found = [(empty, empty)]
    batch: list[int] = []
    size = 0
    for i, text in enumerate(texts):  # batches of at most batch_chars characters (at least one text each)
        if batch and size + len(text) + 1 > batch_chars:
            found.append(_offset_batch(texts, batch, keywords, bounded))
            batch, size = [], 0
        batch.append(i)
        size += len(text) + 1
    found.append(_offset_batch(texts, batch, keywords, bounded))
    pairs = np.unique(np.concatenate([t for t, _ in found]) * len(keywords) + np.concatenate([k for _, k in found]))
    return pairs // len(keywords), pairs % len(keywords)


def _offset_batch(texts, batch: list[int], keywords, bounded):
    part = texts[batch[0] : batch[-1] + 1]
    t, k = _plain_batch(part, np.array([len(x) for x in part], dtype=np.int64), keywords, bounded)
    return t + batch[0], k


def _plain_batch(texts, lens, keywords, bounded):
    codes = np.frombuffer(("\x00".join(texts) + "\x00").encode("utf-32-le"), dtype=np.uint32)
    n = len(codes)
    text_of = np.repeat(np.arange(len(texts), dtype=np.int64), lens + 1)
    klen = np.array([len(k) for k in keywords])
    pw = _powers(_HASH_BASE, max(n, int(klen.max())) + 1)
    inv = _powers(np.uint64(pow(int(_HASH_BASE), -1, 2**64)), n + 1)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(codes.astype(np.uint64) * pw[:n], out=prefix[1:])
    found_t, found_k = [], []
    for L in np.unique(klen):
        ks = np.flatnonzero(klen == L)
        kc = np.frombuffer("".join(keywords[i] for i in ks).encode("utf-32-le"), dtype=np.uint32).reshape(len(ks), L)
        with np.errstate(over="ignore"):
            kh = (kc.astype(np.uint64) * pw[:L]).sum(axis=1, dtype=np.uint64)
        order = np.argsort(kh, kind="stable")
        kh, ks, kc = kh[order], ks[order], kc[order]
        first = np.zeros(int(max(codes.max(), kc[:, 0].max())) + 1, dtype=bool)
        first[kc[:, 0]] = True
        pos = np.flatnonzero(first[codes[: max(n - L + 1, 0)]])
        if not len(pos):
            continue
        with np.errstate(over="ignore"):
            h = (prefix[pos + L] - prefix[pos]) * inv[pos]
        # Keywords sharing a hash (practically never) are each tried.
        lo = np.searchsorted(kh, h, side="left")
        hi = np.searchsorted(kh, h, side="right")
        many = hi - lo
        rep = np.repeat(np.arange(len(pos)), many)
        j = np.repeat(lo, many) + (np.arange(many.sum()) - np.repeat(np.cumsum(many) - many, many))
        p = pos[rep]
        ok = (codes[p[:, None] + np.arange(L)] == kc[j]).all(axis=1)
        p, j = p[ok], j[ok]
        kw = ks[j]
        b = bounded[kw]
        if b.any():
            before = np.where(p > 0, codes[np.maximum(p - 1, 0)], 0)
            after = codes[np.minimum(p + L, n - 1)]
            keep = ~b | ~(_is_alnum(before) | _is_alnum(after))
            p, kw = p[keep], kw[keep]
        found_t.append(text_of[p])
        found_k.append(kw)
    if not found_t:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(found_t), np.concatenate(found_k).astype(np.int64)
