"""The text encoding of a CSV file: detected, or the file refused; never imported garbled.

The office's files are UTF-8 (with or without BOM) or, saved by Excel on a
Chinese Windows, GBK/GB18030. Most byte strings decode as GB18030 *somehow*,
so a Big5 list (traditional Chinese, from Hong Kong or Taiwan) or a Shift-JIS
one (Japanese) would import as nonsense. When UTF-8 fails,
``charset-normalizer`` measures how plausible each decoding is (its "chaos":
symbols, mixed scripts, rare characters): GB18030 is kept unless Big5 or
Shift-JIS is clearly more plausible; a Big5 file is then read as Big5, and a
Shift-JIS file is refused with a message saying how to save it as UTF-8.
"""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from ..errors import InputError
from ..i18n import gettext as _

__all__ = ["decode_text", "file_encoding"]

#: Bytes read at a time when a file is checked without being held whole.
_BLOCK = 1 << 20

#: Bytes looked at to choose between GB18030, Big5 and Shift-JIS (the whole file is then decoded strictly).
_SAMPLE = 1 << 16
#: GB18030 is kept unless another decoding's chaos is lower by more than this.
_MARGIN = 0.1


def decode_text(path: str, data: bytes) -> tuple[str, str]:
    """The text of a CSV file's bytes and the name of its encoding (``utf-8``, ``gb18030`` or ``big5``).

    Raises
    ------
    InputError
        When the file is empty, binary, Japanese Shift-JIS, or in no encoding that decodes it plausibly.
    """
    _refuse_blank_or_binary(path, bool(data.strip()), data[:4096])
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = _likely_encoding(data)
    _refuse_japanese(path, encoding)
    if encoding is not None:
        for name in (encoding, "big5hkscs") if encoding == "big5" else (encoding,):
            try:
                return data.decode(name), "big5" if name.startswith("big5") else name
            except UnicodeDecodeError:
                continue
    raise _undecodable(path)


def file_encoding(path: str, p: Path) -> tuple[str, str, str]:
    """How to read a CSV file without holding it whole: ``(codec, encoding name, SHA-256 of its bytes)``.

    The same choice as :func:`decode_text` (UTF-8 with or without BOM, else GB18030, Big5 or a
    refusal), made by reading the file in blocks of 1 MB: every byte is checked to decode with
    the codec returned, so a reader streaming the file with it meets no decoding error.

    Raises
    ------
    InputError
        As :func:`decode_text`.
    """
    digest = hashlib.sha256()
    head = b""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, blank, nul = True, True, False
    with open(p, "rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            digest.update(block)
            if len(head) <= _SAMPLE:
                head += block[: _SAMPLE + 1 - len(head)]
            blank = blank and not block.strip()
            nul = nul or b"\x00" in block  # anywhere: no text file holds a NUL, and it would end up in a name
            if is_utf8:
                is_utf8 = _decodes(utf8, block)
        is_utf8 = is_utf8 and _decodes(utf8, b"", final=True)
    _refuse_blank_or_binary(path, not blank, b"\x00" if nul else b"")
    if is_utf8:
        return "utf-8-sig", "utf-8", digest.hexdigest()
    encoding = _likely_encoding(head)
    _refuse_japanese(path, encoding)
    if encoding is not None:
        for name in (encoding, "big5hkscs") if encoding == "big5" else (encoding,):
            if _file_decodes(p, name):
                return name, "big5" if name.startswith("big5") else name, digest.hexdigest()
    raise _undecodable(path)


def _decodes(decoder, block: bytes, final: bool = False) -> bool:
    try:
        decoder.decode(block, final)
    except UnicodeDecodeError:
        return False
    return True


def _file_decodes(p: Path, codec: str) -> bool:
    """Whether every byte of the file decodes with ``codec`` (read in blocks)."""
    decoder = codecs.getincrementaldecoder(codec)()
    with open(p, "rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            if not _decodes(decoder, block):
                return False
    return _decodes(decoder, b"", final=True)


def _refuse_blank_or_binary(path: str, text: bool, head: bytes) -> None:
    if not text:
        raise InputError(path, _("the file is empty; expected a header row and data rows"))
    if b"\x00" in head:
        raise InputError(
            path,
            _("this is not a text file (it contains NUL bytes); expected CSV in UTF-8 or GBK/GB18030, or an .xlsx workbook"),
        )


def _refuse_japanese(path: str, encoding: str | None) -> None:
    if encoding == "shift_jis":
        raise InputError(
            path,
            _(
                "the file looks like Japanese text in Shift-JIS, which is not read; "
                "save it as UTF-8 (in Excel: Save As, CSV UTF-8) if it is a Chinese list"
            ),
        )


def _undecodable(path: str) -> InputError:
    return InputError(path, _("cannot decode the file; expected UTF-8 (with or without BOM) or GBK/GB18030 (or Big5 for traditional Chinese)"))


def _likely_encoding(data: bytes) -> str | None:
    """``gb18030``, ``big5`` or ``shift_jis``: the most plausible decoding of the file's first bytes, GB18030 on a near tie."""
    from charset_normalizer import from_bytes

    sample = data[:_SAMPLE]
    if len(data) > _SAMPLE and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]  # a newline byte never falls inside a multi-byte character
    chaos = {m.encoding: m.chaos for m in from_bytes(sample, cp_isolation=["gb18030", "big5", "shift_jis"], threshold=1.0)}
    if not chaos:
        return None
    best = min(chaos, key=lambda e: (chaos[e], e != "gb18030"))
    if "gb18030" in chaos and chaos["gb18030"] <= chaos[best] + _MARGIN:
        return "gb18030"
    return best
