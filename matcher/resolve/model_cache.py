"""On-disk cache of the trained match model of entity resolution.

The match model (:mod:`matcher.resolve.model`) is trained on seeded
synthetic pairs, deterministically, in about 2 s. Each command-line process
used to train it again; with a cache folder set (the command line sets
``<models>/cache``), it is trained once per key and then loaded.

The key (:func:`model_cache_key`) is a SHA-256 over the training parameters,
the features, the Python and library versions and the source files training
depends on: a change to any of them gives a new file name, so a stale model
is never used. Each ``.skops`` file has its SHA-256 recorded beside it
(``.sha256``) when written, and is loaded only when its hash matches the
recorded one and every type it names is one of the match model's
(:func:`matcher._files.load_model_file`: loading runs no code of the file,
even when the ``.sha256`` was rewritten too). A missing, partial, changed or foreign file is
trained again, and both files are replaced atomically (temporary file, then
rename). Library code never reads nor writes a cache unless a folder was set
(the command line sets ``<models>/cache``, beside the database): there is no
default folder, and the current directory is never read.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .._files import atomic_write_bytes, dump_model, load_model_file
from ..errors import ModelError
from ..i18n import N_

__all__ = ["set_model_cache", "cache_folder", "model_cache_key", "load_cached", "save_cached"]

log = logging.getLogger(__name__)

#: Folder of the on-disk cache of trained match models; ``None``: train once per process only.
_FOLDER: Path | None = None
#: Files whose content the trained model depends on (besides the library versions).
_MODEL_SOURCES = (
    "matcher/resolve/resolver.py",
    "matcher/resolve/aliases.py",
    "matcher/resolve/blocking.py",
    "matcher/resolve/compare.py",
    "matcher/resolve/model.py",
    "matcher/resolve/normalize.py",
    "matcher/_text.py",
    "matcher/resolve/synth.py",
    "matcher/data/gazetteer.csv",
)


def cache_folder() -> Path | None:
    """The folder set by :func:`set_model_cache`, or ``None``."""
    return _FOLDER


def set_model_cache(folder: str | Path | None) -> None:
    """Cache trained match models in ``folder`` (the command line uses ``<models>/cache``); ``None`` turns it off.

    Training is deterministic, so a model is trained once per set of training
    parameters, library versions and source files (:func:`model_cache_key`)
    and then loaded. Each file is saved with its SHA-256 beside it
    (``.sha256``), and loaded only when the file's hash matches; otherwise it
    is trained again and both files are replaced atomically.
    """
    global _FOLDER
    _FOLDER = Path(folder) if folder is not None else None


def model_cache_key(n_train: int, random_state: int, features: tuple[str, ...]) -> str:
    """SHA-256 over what the trained model depends on: parameters, features, library versions, source files."""
    import hashlib
    import json
    import platform
    from importlib.metadata import version

    libs = {lib: version(lib) for lib in ("scikit-learn", "numpy", "scipy", "pandas", "rapidfuzz", "pypinyin", "skops", "confusable-homoglyphs")}
    import importlib.resources

    def read(name: str) -> bytes:
        package, _, file = name.rpartition("/")
        return importlib.resources.files(package.replace("/", ".")).joinpath(file).read_bytes()

    sources = {name: hashlib.sha256(read(name)).hexdigest() for name in _MODEL_SOURCES}
    spec = {
        "n_train": int(n_train),
        "random_state": int(random_state),
        "features": list(features),
        "python": platform.python_version(),
        "libs": libs,
        "sources": sources,
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def load_cached(path: Path):
    """The cached (model, background), or ``None`` when absent, changed or not a match model (it is then trained again)."""
    import pandas as pd

    try:
        recorded = path.with_suffix(".sha256").read_text(encoding="ascii").strip()
        # Checked hash, then only the match model's types: no code of the file runs.
        saved = load_model_file(path, recorded, label=N_("match model cache"))
        model, index, counts = saved["model"], saved["background_index"], saved["background_counts"]
        return model, pd.Series(counts, index=index)
    except (OSError, UnicodeDecodeError, ModelError, KeyError, TypeError) as exc:
        log.debug("match model cache %s missing, changed or foreign (%s): training again", path, exc)
        return None


def save_cached(path: Path, trained) -> None:
    """Write the model (skops; the background frequencies as two arrays), then its hash, each atomically."""
    model, background = trained
    sha256 = dump_model(path, {"model": model, "background_index": background.index.to_numpy(), "background_counts": background.to_numpy()})
    atomic_write_bytes(path.with_suffix(".sha256"), (sha256 + "\n").encode("ascii"))
