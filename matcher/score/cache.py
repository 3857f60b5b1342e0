"""Scores computed once per state of the data, kept on disk beside the models.

Scoring a million enterprises reads every list entry, profile and stored
industry and takes a minute or more; the result changes only when what it is
computed from changes: the enterprises, their names, list entries, profiles
and parent links (a weekly visit import changes none of them), the
configuration, or matcher itself. :func:`cached_scores` keeps the last
:class:`~matcher.score.scores.Scores` of each state in a folder (the command
line sets ``<models>/cache``, as for the match model) and reads it back.

The key (:func:`scores_key`) is a SHA-256 over the database's scored-data
token (a random value every committed write to those tables renews, see
:data:`matcher.store.engine.SCORED_TOKEN_KEY`), the configuration's SHA-256,
every file of the installed package (code and bundled data) and the library
versions: a change to any of them gives a new key, so stale scores are never
read. A database without a token (none yet written by this release) is never
cached.

The format runs no code when read: one ``.npy`` file per array (read with
``allow_pickle=False``, memory-mapped copy-on-write: pages are read when
used), one Parquet file per table, and ``scores.json`` (weights, shapes and
sizes, checked before use). Each entry is written into a temporary folder
and renamed into place, so a reader never sees half an entry; a missing,
partial or damaged entry is computed again. Only the newest
:data:`KEEP` entries are kept. A cache that cannot be written (full or
read-only disk) never fails a command: the scores are used uncached.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

from .._files import atomic_write_bytes
from .scores import Scores

__all__ = [
    "KEEP",
    "set_scores_cache",
    "scores_cache_folder",
    "scores_key",
    "cached_scores",
    "cached_arrays",
    "cached_snapshot_hash",
    "save_scores",
    "load_scores",
]

log = logging.getLogger(__name__)

#: How many cached states are kept (the newest by modification time); older ones are removed.
KEEP = 2
#: Version of the on-disk layout (part of the key).
FORMAT = 1
_PREFIX = "scores-"
_STALE_SECONDS = 15 * 60
_FOLDER: Path | None = None


def set_scores_cache(folder: str | Path | None) -> None:
    """Keep computed scores in ``folder`` (the command line uses ``<models>/cache``); ``None`` turns it off."""
    global _FOLDER
    _FOLDER = Path(folder) if folder is not None else None


def scores_cache_folder() -> Path | None:
    """The folder set by :func:`set_scores_cache`, or ``None``."""
    return _FOLDER


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """SHA-256 over every file of the installed package (sorted by path) and the libraries scoring uses."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".csv", ".toml", ".json")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    h.update(sys.version.encode())
    for lib in ("numpy", "pandas", "scipy", "scikit-learn", "pyarrow"):
        try:
            h.update(f"{lib}={version(lib)}".encode())
        except PackageNotFoundError:
            h.update(f"{lib}=-".encode())
    return h.hexdigest()


def scores_key(token: str, config_sha256: str) -> str:
    """The cache key of the scores of a database state (``token``) under a configuration."""
    return hashlib.sha256(f"{FORMAT}\0{token}\0{config_sha256}\0{_code_fingerprint()}".encode()).hexdigest()


def _parquet_ok() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def cached_scores(store, config, compute: Callable[[], Scores]) -> Scores:
    """The scores of ``store`` under ``config``: read from the cache when this state was scored before, else ``compute()`` and kept.

    Without a cache folder (:func:`set_scores_cache`), a database token or
    Parquet support, ``compute()`` is simply called.
    """
    folder = _FOLDER
    token = store.scored_token() if folder is not None else None
    if folder is None or token is None or not config.sha256 or not _parquet_ok():
        return compute()
    entry = folder / f"{_PREFIX}{scores_key(token, config.sha256)}"
    if entry.is_dir():
        try:
            scores = load_scores(entry, config)
            os.utime(entry)  # newest use: kept longest
            log.debug("scores read from the cache %s", entry.name)
            scores.cache_entry = entry
            return scores
        except (OSError, ValueError, KeyError) as exc:
            log.debug("cached scores %s unusable (%s): computed again", entry.name, exc)
    scores = compute()
    try:
        save_scores(scores, entry)
        _prune(folder)
        scores.cache_entry = entry
    except OSError as exc:
        log.debug("scores not cached in %s: %s", folder, exc)
    return scores


def cached_arrays(scores: Scores, name: str, key: str, compute: Callable[[], tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """Arrays computed from ``scores`` alone (and ``key``, e.g. the teams), kept in their cache entry.

    Where the scores came from or went to the cache, the arrays of ``compute()``
    are kept in the entry (``.npy``, read without pickle, memory-mapped
    copy-on-write) and read back by later commands on the same state of the
    data; otherwise ``compute()`` is simply called.
    """
    entry = scores.cache_entry
    if entry is None:
        return compute()
    folder = Path(entry) / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    try:
        info = json.loads((folder / "arrays.json").read_text(encoding="utf-8"))
        return tuple(_load_array(folder, str(i), meta) for i, meta in enumerate(info["arrays"]))
    except (OSError, ValueError, KeyError):
        pass
    arrays = tuple(compute())

    def write(tmp: Path) -> None:
        info = {"arrays": [_save_array(tmp, str(i), a) for i, a in enumerate(arrays)]}
        (tmp / "arrays.json").write_text(json.dumps(info, sort_keys=True), encoding="utf-8")

    try:
        _write_folder(folder, write)
    except OSError as exc:
        log.debug("%s not cached: %s", name, exc)
    return arrays


def cached_snapshot_hash(store) -> str:
    """``store.snapshot_hash()`` (every row scoring reads, hashed), computed once per state of the data where a cache folder is set.

    The hashed tables are among those whose writes renew the scored-data token,
    so the hash of a token's state never changes; it is kept in a small file
    named after the token.
    """
    folder = _FOLDER
    token = store.scored_token() if folder is not None else None
    if folder is None or token is None:
        return store.snapshot_hash()
    path = folder / f"snapshot-{hashlib.sha256(token.encode()).hexdigest()}.txt"
    try:
        value = path.read_text(encoding="ascii").strip()
        if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
            os.utime(path)
            return value
    except (OSError, UnicodeDecodeError):
        pass
    value = store.snapshot_hash()
    try:
        atomic_write_bytes(path, value.encode("ascii"))
        _prune(folder, "snapshot-*.txt")
    except OSError as exc:
        log.debug("snapshot hash not cached in %s: %s", folder, exc)
    return value


_FRAMES = ("universe", "groups", "links", "themes", "industries", "endowments")


def _fields() -> tuple[list[str], list[str]]:
    """Array fields and frame fields of :class:`Scores` (everything but ``config`` and ``weights``)."""
    names = [f.name for f in dataclasses.fields(Scores)]
    arrays = [n for n in names if n not in _FRAMES and n not in ("config", "weights")]
    return arrays, [n for n in names if n in _FRAMES]


def save_scores(scores: Scores, entry: str | Path) -> Path:
    """Write ``scores`` as the cache entry folder ``entry`` (temporary folder, then renamed into place)."""
    arrays, frames = _fields()

    def write(tmp: Path) -> None:
        info: dict = {"format": FORMAT, "weights": list(scores.weights), "arrays": {}, "frames": {}}
        for name in arrays:
            info["arrays"][name] = _save_array(tmp, name, getattr(scores, name))
        for name in frames:
            df: pd.DataFrame = getattr(scores, name)
            tuples = [c for c in df.columns if df[c].dtype == object and len(df) and isinstance(df[c].iloc[0], tuple)]
            df.to_parquet(tmp / f"{name}.parquet", index=False)
            info["frames"][name] = {"rows": len(df), "tuples": tuples, "bytes": (tmp / f"{name}.parquet").stat().st_size}
        (tmp / "scores.json").write_text(json.dumps(info, sort_keys=True), encoding="utf-8")

    return _write_folder(Path(entry), write)


def _save_array(folder: Path, stem: str, a: np.ndarray) -> dict:
    """Write ``a`` as ``folder/stem.npy`` (no pickle); what :func:`_load_array` checks it against."""
    a = np.ascontiguousarray(a)
    np.save(folder / f"{stem}.npy", a, allow_pickle=False)
    return {"dtype": a.dtype.str, "shape": list(a.shape), "bytes": (folder / f"{stem}.npy").stat().st_size}


def _load_array(folder: Path, stem: str, meta: dict) -> np.ndarray:
    """``folder/stem.npy`` memory-mapped copy-on-write, read without pickle; ``ValueError`` unless as written."""
    path = folder / f"{stem}.npy"
    if path.stat().st_size != meta["bytes"]:
        raise ValueError(f"{path.name} has another size")
    a = np.load(path, mmap_mode="c", allow_pickle=False)
    if a.dtype.str != meta["dtype"] or list(a.shape) != meta["shape"]:
        raise ValueError(f"{path.name} has another shape or type")
    return a


def _write_folder(final: Path, write: Callable[[Path], None]) -> Path:
    """Fill a temporary folder beside ``final`` with ``write(tmp)``, then rename it into place.

    Readers never see half a folder; when another process put ``final`` there first, ours is
    dropped. Temporary folders of killed processes beside it are removed first (:func:`_sweep`).
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    _sweep(final.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    try:
        write(tmp)
        try:
            os.rename(tmp, final)
        except OSError:
            if not final.is_dir():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another process wrote the same folder first
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def load_scores(entry: str | Path, config) -> Scores:
    """Read a cache entry written by :func:`save_scores`; ``ValueError`` when it is damaged or of another format."""
    entry = Path(entry)
    info = json.loads((entry / "scores.json").read_text(encoding="utf-8"))
    if info.get("format") != FORMAT:
        raise ValueError("another format")
    arrays, frames = _fields()
    values: dict = {"config": config, "weights": tuple(float(w) for w in info["weights"])}
    for name in arrays:
        values[name] = _load_array(entry, name, info["arrays"][name])
    for name in frames:
        meta, path = info["frames"][name], entry / f"{name}.parquet"
        if path.stat().st_size != meta["bytes"]:
            raise ValueError(f"{name}.parquet has another size")
        df = pd.read_parquet(path)
        if len(df) != meta["rows"]:
            raise ValueError(f"{name}.parquet has another length")
        for c in meta["tuples"]:
            df[c] = pd.Series([tuple(v) for v in df[c]], index=df.index, dtype=object)
        values[name] = df
    return Scores(**values)


def _prune(folder: Path, pattern: str = f"{_PREFIX}*") -> None:
    """Keep the :data:`KEEP` newest entries (folders or files matching ``pattern``)."""
    entries = sorted(folder.glob(pattern), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    for old in entries[KEEP:]:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


def _sweep(folder: Path) -> None:
    """Remove temporary folders (``.<name>.<random>.tmp``) left by killed processes."""
    now = time.time()
    for p in folder.glob(".*.tmp"):
        try:
            if p.is_dir() and now - p.stat().st_mtime > _STALE_SECONDS:
                shutil.rmtree(p, ignore_errors=True)
        except OSError:
            continue
