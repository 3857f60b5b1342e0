"""One exception family for every error a user can cause.

The library raises these; the command line prints them as one clean line and
exits non-zero. Messages name the file, row, column and value where there is
one, and say what was expected.
"""

from __future__ import annotations

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
            msg = f"invalid configuration: {self.problems[0]}"
        else:
            body = "\n  ".join(self.problems)
            msg = f"invalid configuration ({len(self.problems)} problems):\n  {body}"
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
        where = [self.path]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        if value is not None:
            where.append(f"value {str(value)!r}")
        text = ", ".join(where) + ": " + message
        if more:
            text += f" (and {more} more problem{'s' if more > 1 else ''} in this file)"
        super().__init__(text)


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
            where = [f"row {row}"] if row is not None else []
            if column:
                where.append(f"column {column!r}")
            if value not in (None, ""):
                where.append(f"value {str(value)!r}")
            lines.append((", ".join(where) + ": " if where else "") + reason)
        if len(self.problems) > shown:
            lines.append(f"… and {len(self.problems) - shown} more")
        n = len(self.problems)
        head = f"{n} bad row{'s' if n > 1 else ''}, nothing imported" if n else "nothing imported"
        super().__init__(path, head + ":\n  " + "\n  ".join(lines))


class ModelError(MatcherError):
    """A model file cannot be used: unknown, tampered with, or made for other software or features."""
