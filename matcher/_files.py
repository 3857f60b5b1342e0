"""Files: atomic writes, reproducible zip containers, SHA-256 digests and checked joblib files, one copy each.

Every output is written to a temporary file beside its target and renamed into
place, so a reader never sees half a file and a failed write leaves the old
file as it was. Zip containers (XLSX) get fixed timestamps so that the same
content always gives the same bytes. A joblib file is code (loading it runs
whatever it holds), so :func:`dump_joblib` returns the SHA-256 of what it wrote
and :func:`load_joblib` loads a file only after its bytes have that SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from .errors import ModelError
from .i18n import N_
from .i18n import gettext as _

__all__ = [
    "atomic_write_bytes",
    "atomic_write_with",
    "sha256_bytes",
    "sha256_file",
    "dump_joblib",
    "load_joblib",
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


def atomic_write_with(path: str | Path, write: Callable[[str], None]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, fsync it, then rename it into place.

    The temporary file is removed if ``write`` fails, so nothing half-written is left behind.
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); an output is for colleagues: the mode a plain open() gives.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename."""

    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)

    return atomic_write_with(path, write)


def dump_joblib(path: str | Path, obj: object, *, compress: int = 0) -> str:
    """Write ``obj`` with joblib to ``path`` (temporary file, then rename); return the SHA-256 of the bytes written.

    Record the returned hash and give it to :func:`load_joblib` to read the file back.
    """
    import joblib

    buf = io.BytesIO()
    joblib.dump(obj, buf, compress=compress)
    data = buf.getvalue()
    atomic_write_bytes(path, data)
    return sha256_bytes(data)


def load_joblib(path: str | Path, sha256: str, *, label: str = N_("file"), recorded_in: str = N_("its record")):
    """Load a joblib file, only after its bytes are found to have the recorded SHA-256 ``sha256``.

    Parameters
    ----------
    path : str or Path
    sha256 : str
        The hex SHA-256 recorded when the file was written (:func:`dump_joblib`).
    label, recorded_in : str
        How the error messages name the file and the record of its hash.

    Raises
    ------
    ModelError
        When the file is missing or its hash differs from ``sha256``: the file is not loaded.
    """
    import joblib

    path = Path(path)
    if not path.is_file():
        raise ModelError(_("{label} {path} is missing").format(label=_(label), path=path))
    digest = sha256_file(path)
    if digest != sha256:
        raise ModelError(
            _("{label} {path} has been changed: its SHA-256 {digest}… does not match {recorded_in}'s {recorded}…; refusing to load it").format(
                label=_(label), path=path, digest=digest[:12], recorded_in=_(recorded_in), recorded=str(sha256)[:12]
            )
        )
    return joblib.load(path)


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
