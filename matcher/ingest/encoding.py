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

from ..errors import InputError
from ..i18n import gettext as _

__all__ = ["decode_text"]

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
    if not data.strip():
        raise InputError(path, _("the file is empty; expected a header row and data rows"))
    if b"\x00" in data[:4096]:
        raise InputError(
            path,
            _("this is not a text file (it contains NUL bytes); expected CSV in UTF-8 or GBK/GB18030, or an .xlsx workbook"),
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = _likely_encoding(data)
    if encoding == "shift_jis":
        raise InputError(
            path,
            _(
                "the file looks like Japanese text in Shift-JIS, which is not read; "
                "save it as UTF-8 (in Excel: Save As, CSV UTF-8) if it is a Chinese list"
            ),
        )
    if encoding is not None:
        for name in (encoding, "big5hkscs") if encoding == "big5" else (encoding,):
            try:
                return data.decode(name), "big5" if name.startswith("big5") else name
            except UnicodeDecodeError:
                continue
    raise InputError(path, _("cannot decode the file; expected UTF-8 (with or without BOM) or GBK/GB18030 (or Big5 for traditional Chinese)"))


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
