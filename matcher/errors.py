"""One exception family for every error a user can cause.

The library raises these; the command line prints them as one clean line and
exits non-zero. Messages name the file, row, column and value where there is
one, and say what was expected.
"""

from __future__ import annotations

import re

from .i18n import gettext as _
from .i18n import pgettext

__all__ = [
    "MatcherError",
    "ConfigError",
    "InputError",
    "StoreError",
    "NotFoundError",
    "SheetError",
    "ModelError",
]


class MatcherError(Exception):
    """Base class of every error caused by input, configuration or usage."""


class ConfigError(MatcherError):
    """A configuration file is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        if len(self.problems) == 1:
            msg = _("invalid configuration: {problem}").format(problem=self.problems[0])
        else:
            body = "\n  ".join(self.problems)
            msg = _("invalid configuration ({n} problems):\n  {problems}").format(n=len(self.problems), problems=body)
        super().__init__(msg)


class InputError(MatcherError):
    """A data file cannot be imported.

    Parameters
    ----------
    path : str
        The file.
    message : str
        What is wrong and what was expected.
    row : int, optional
        Row number as a spreadsheet shows it (1-based, counting title and
        header rows).
    column : str, optional
        The column header as written in the file.
    value : object, optional
        The offending value.
    more : int
        How many further problems of the same file were found.
    """

    def __init__(
        self,
        path: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        more: int = 0,
    ):
        self.path, self.row, self.column, self.value = str(path), row, column, value
        self.more = more
        where = pgettext("error", "{path}").format(path=self.path)
        text = _("{where}: {message}").format(where=_where(where, row, column, value), message=message)
        if more:
            more_text = _("{text} (and 1 more problem in this file)") if more == 1 else _("{text} (and {n} more problems in this file)")
            text = more_text.format(text=text, n=more)
        super().__init__(text)


def _where(where: str, row: int | None, column: str | None, value: object) -> str:
    """``where`` followed by the row, column and value a problem lies at, as the language in use says them."""
    if row is not None:
        where = (_("{where}, row {row}") if where else _("row {row}")).format(where=where, row=row)
    if column is not None:
        where = (_("{where}, column {column!r}") if where else _("column {column!r}")).format(where=where, column=str(column))
    if value is not None:
        where = (_("{where}, value {value!r}") if where else _("value {value!r}")).format(where=where, value=_one_line(value))
    return where


def _one_line(value: object, most: int = 200) -> str:
    """A value as an error line shows it: line breaks as ↵, other control characters escaped, at most ``most`` characters."""
    text = re.sub(r"\r\n|[\r\n\u2028\u2029]", "↵", str(value))
    text = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= most else text[:most] + "…"


class StoreError(MatcherError):
    """The database cannot be opened or is in an unexpected state."""


class NotFoundError(MatcherError):
    """A name given by the user (city, chain, team, list type…) is not known."""


class SheetError(InputError):
    """A filled-in sheet has bad rows; ``problems`` lists every one (row, column, value, reason).

    Nothing of the sheet is imported when any row is bad.
    """

    def __init__(self, path: str, problems: list[tuple[int | None, str | None, object, str]], *, shown: int = 50):
        self.problems = list(problems)
        lines = []
        for row, column, value, reason in self.problems[:shown]:
            where = _where("", row, column or None, None if value in (None, "") else value)
            lines.append(_("{where}: {message}").format(where=where, message=reason) if where else reason)
        if len(self.problems) > shown:
            lines.append(_("… and {n} more").format(n=len(self.problems) - shown))
        n = len(self.problems)
        head = (_("1 bad row, nothing imported") if n == 1 else _("{n} bad rows, nothing imported")).format(n=n) if n else _("nothing imported")
        super().__init__(path, _("{summary}:\n  {problems}").format(summary=head, problems="\n  ".join(lines)))


class ModelError(MatcherError):
    """A model file cannot be used: unknown, tampered with, or made for other software or features."""
