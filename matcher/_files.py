"""Files: atomic writes, reproducible zip containers, SHA-256 digests and checked model files, one copy each.

Every output is written to a temporary file beside its target and renamed into
place, so a reader never sees half a file and a failed write leaves the old
file as it was. The temporary file is named ``.<name>.<random>.tmp``; it is
removed when the write fails for any reason, an interrupt or (under
:func:`raise_on_sigterm`) a ``kill`` included, and one left by a process killed
outright (SIGKILL, power cut) is removed by the next write into the same
folder once it is :data:`STALE_TEMP_SECONDS` old. A write that fails (full
disk, read-only folder, no permission) raises :class:`OSError` naming the
target, which :func:`os_error_message` says in one line. Zip containers (XLSX) get fixed timestamps so that the same
content always gives the same bytes.

Models are saved with ``skops.io`` (:func:`dump_model`), never with pickle or
joblib, whose loading runs whatever code the file names. :func:`load_model_file`
loads a model only after its bytes have the recorded SHA-256 *and* every type
the file names is a type of our models (:data:`MODEL_TYPES`): whoever can write
the models folder can also rewrite the record of the hash, but cannot make a
file load anything else.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import signal
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from .errors import ModelError
from .i18n import N_
from .i18n import gettext as _

__all__ = [
    "atomic_write_bytes",
    "atomic_write_with",
    "sweep_stale_temps",
    "STALE_TEMP_SECONDS",
    "os_error_message",
    "raise_on_sigterm",
    "sha256_bytes",
    "sha256_file",
    "dump_model",
    "load_model_file",
    "MODEL_TYPES",
    "normalise_zip",
    "FIXED_TIME",
]

#: The timestamp written into document properties, so outputs do not depend on the clock.
FIXED_TIME = datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _umask() -> int:
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: A temporary file of a write older than this (seconds since last written) was left by a killed process.
STALE_TEMP_SECONDS = 15 * 60
#: Names :func:`atomic_write_with` gives its temporary files (``tempfile.mkstemp``: 8 random characters).
_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def sweep_stale_temps(folder: str | Path, *, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove the temporary files of writes into ``folder`` left by killed processes; return those removed.

    Only files named as :func:`atomic_write_with` names them and not written to for
    ``older_than`` seconds are removed (a write in progress keeps its file fresh). Errors are ignored.
    """
    removed = []
    cutoff = time.time() - older_than
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not _TEMP_NAME.match(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def atomic_write_with(path: str | Path, write: Callable[[str], None]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, fsync it, then rename it into place.

    The temporary file (``.<name>.<random>.tmp``) is removed if anything fails, an interrupt
    included, so nothing half-written is left behind; stale ones of killed processes in the same
    folder are removed first (:func:`sweep_stale_temps`).

    Raises
    ------
    OSError
        When the folder cannot be made or written to, or the disk is full: the target file is
        unchanged, the error names ``path`` (see :func:`os_error_message`).
    """
    path = Path(path)
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale_temps(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); an output is for colleagues: the mode a plain open() gives.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and exc.errno is not None and exc.filename in (None, tmp, str(path)):
            raise OSError(exc.errno, exc.strerror, str(path)) from exc  # named as the user named it, not the temporary file
        raise
    return path


def os_error_message(exc: OSError) -> str:
    """One line saying why a file could not be written or read: full disk, read-only disk, no permission, or the system's reason."""
    path = exc.filename if exc.filename is not None else ""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return _("cannot write {path}: the disk is full; free some space and run the command again (nothing half-written was left)").format(path=path)
    if exc.errno == errno.EROFS:
        return _("cannot write {path}: the disk or share is read-only; choose a folder you can write to").format(path=path)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _("permission denied for {path}: choose a folder you are allowed to write to, or a file you are allowed to read").format(path=path)
    return _("cannot use {path}: {reason}").format(path=path, reason=exc.strerror or exc)


class _Terminated(SystemExit):
    """Raised by the SIGTERM handler of :func:`raise_on_sigterm`: a ``kill`` unwinds like an interrupt."""


@contextmanager
def raise_on_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM (``kill PID``) raises :class:`SystemExit` (status 143) in the main thread.

    Open transactions then roll back and :func:`atomic_write_with` removes its temporary file, as for
    Ctrl-C. Outside the main thread the block changes nothing. The previous handler is restored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise _Terminated(128 + signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename."""

    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)

    return atomic_write_with(path, write)


#: The types a model file may name beyond those skops trusts by default (scikit-learn's public
#: estimators, numpy and builtin containers): the private parts of our calibrated models and of
#: the match model. Anything else (``os.system``, ``builtins.eval``…) is refused before loading.
MODEL_TYPES = frozenset(
    {
        "matcher.learn.pairs.TrainedModel",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    }
)


def _canonical_skops(data: bytes) -> bytes:
    """A skops file with its object ids (``id()`` of each object when saved) renumbered in order, fixed timestamps.

    skops names the arrays and memo entries by the objects' memory addresses, which differ from
    one run to the next; renumbering them in the order the schema lists them gives the same
    bytes for the same model.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        schema = json.loads(src.read("schema.json"))
        names = set(src.namelist())
        ids: dict[int, int] = {}
        files: dict[str, str] = {}

        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "__id__" and isinstance(value, int):
                        node[key] = ids.setdefault(value, len(ids) + 1)
                    elif key == "file" and isinstance(value, str) and value in names:
                        stem, dot, ext = value.rpartition(".")
                        node[key] = files.setdefault(value, f"{len(files) + 1}{dot}{ext}" if stem else str(len(files) + 1))
                    else:
                        walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(schema)
        bodies = {files.get(n, n): src.read(n) for n in names if n != "schema.json"}
    bodies["schema.json"] = json.dumps(schema, indent=2).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(bodies):
            zi = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, bodies[name])
    return out.getvalue()


def dump_model(path: str | Path, obj: object) -> str:
    """Write ``obj`` with ``skops.io`` to ``path`` (temporary file, then rename); return the SHA-256 of the bytes written.

    The same model gives the same bytes. Record the returned hash and give it to :func:`load_model_file`.
    """
    import skops.io as sio

    data = _canonical_skops(sio.dumps(obj))
    atomic_write_bytes(path, data)
    return sha256_bytes(data)


def load_model_file(path: str | Path, sha256: str, *, label: str = N_("file"), recorded_in: str = N_("its record")):
    """Load a model written by :func:`dump_model`; no code of the file runs.

    The file is loaded only when (1) its bytes have the recorded SHA-256 and (2) it is a skops
    file whose every type is trusted by skops or listed in :data:`MODEL_TYPES`. A pickle or
    joblib file is refused outright.

    Parameters
    ----------
    path : str or Path
    sha256 : str
        The hex SHA-256 recorded when the file was written.
    label, recorded_in : str
        How the error messages name the file and the record of its hash.

    Raises
    ------
    ModelError
        When the file is missing, changed, not a skops file, or names a type that is not ours: it is not loaded.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(_("{label} {path} is missing").format(label=_(label), path=path))
    data = path.read_bytes()
    digest = sha256_bytes(data)
    if digest != sha256:
        raise ModelError(
            _("{label} {path} has been changed: its SHA-256 {digest}… does not match {recorded_in}'s {recorded}…; refusing to load it").format(
                label=_(label), path=path, digest=digest[:12], recorded_in=_(recorded_in), recorded=str(sha256)[:12]
            )
        )
    import skops.io as sio

    not_skops = ModelError(
        _("{label} {path} is not a skops model file (a pickle or joblib file could run code when loaded); refusing to load it, retrain the model").format(
            label=_(label), path=path
        )
    )
    if not data.startswith(b"PK\x03\x04"):
        raise not_skops
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception:  # a damaged or foreign zip: skops raises many kinds
        raise not_skops from None
    foreign = sorted(set(untrusted) - MODEL_TYPES)
    if foreign:
        raise ModelError(
            _("{label} {path} names the type {type}, which no matcher model holds; refusing to load it").format(label=_(label), path=path, type=foreign[0])
        )
    try:
        return sio.loads(data, trusted=list(untrusted))
    except Exception as exc:
        raise ModelError(_("{label} {path} cannot be loaded ({reason}); retrain the model").format(label=_(label), path=path, reason=exc)) from None


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps (openpyxl stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time as "modified" whatever the properties say.
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>2000-01-01T00:00:00Z\g<2>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()
