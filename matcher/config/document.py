"""One configuration file: read, validated against its schema, what has problems left out.

A file is validated as a whole and every problem recorded, each as
``file: key path: message`` (:mod:`matcher.config.messages`), such as
``config.toml: [scoring] w_chian: unknown key; did you mean w_chain?``. The
values that have problems are then left out (a bad value with a default falls
back to it; a table with a bad required value is left out whole), so that the
cross-references between tables and files (:mod:`matcher.config.checks`) can
still be checked on the rest, and one mistake does not hide another.
"""

from __future__ import annotations

import copy
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..i18n import gettext as _
from .messages import annotation_at, describe_error, field_info_at, key_path, unwrap_annotation

__all__ = ["Document", "read_toml", "read_document"]


def read_toml(path: Path, problems: list[str]) -> dict | None:
    """The TOML document at ``path``, or None with the reason added to ``problems``."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        problems.append(_("{path}: file not found").format(path=path))
    except tomllib.TOMLDecodeError as exc:
        problems.append(_("{path}: not valid TOML: {reason}").format(path=path, reason=exc))
    except OSError as exc:
        problems.append(_("{path}: cannot be read: {reason}").format(path=path, reason=exc))
    return None


@dataclass
class Document:
    """A configuration file read and validated.

    Attributes
    ----------
    path : Path
        The file.
    raw : dict
        The TOML document as read.
    schema : type of BaseModel
        The model of the file (:mod:`matcher.config.schema`).
    model : BaseModel or None
        The file validated, without the values that have problems; None when
        the file could not be read or is invalid even without them.
    read : bool
        False when the file could not be read (``raw`` is then empty).
    kept : dict
        For each list (by its location in ``raw``) from which elements were
        left out, the positions in ``raw`` of the elements kept in ``model``.
    """

    path: Path
    raw: dict
    schema: type[BaseModel]
    read: bool = True
    model: BaseModel | None = None
    kept: dict[tuple, list[int]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when the file was read and what is left of it validates."""
        return self.model is not None

    def items(self, key: str) -> list[tuple[int, Any]]:
        """The valid tables of array ``key`` with their position in the model (for :meth:`where`)."""
        return list(enumerate(getattr(self.model, key))) if self.model is not None else []

    def raw_ids(self, key: str) -> set[str] | None:
        """Ids of every table of array ``key`` as written, valid or not (so a reference to a bad table is not unknown).

        None when the file could not be read: references to it cannot be checked.
        """
        tables = self.raw.get(key)
        if not self.read:
            return None
        if not isinstance(tables, list):
            return set()
        return {t["id"] for t in tables if isinstance(t, dict) and isinstance(t.get("id"), str)}

    def original(self, loc: tuple) -> tuple:
        """The location in ``raw`` of a location in ``model`` (list positions shift where elements were left out)."""
        out: list = []
        for part in loc:
            kept = self.kept.get(tuple(out)) if isinstance(part, int) else None
            out.append(kept[part] if kept is not None else part)
        return tuple(out)

    def where(self, *loc: str | int) -> str:
        """``file: [[key]] #n (id) rest`` of a location in ``model``, such as ``("team", 2, "region")``."""
        return self.label(self.original(loc))

    def label(self, loc: tuple) -> str:
        """``file: key path`` of a location in ``raw`` (a pydantic error location)."""
        path = key_path(self.schema, self.raw, loc)
        return f"{self.path.name}: {path}" if path else self.path.name


def read_document(path: Path, schema: type[BaseModel], problems: list[str]) -> Document:
    """Read and validate one file, adding every problem to ``problems``.

    Parameters
    ----------
    path : Path
        The TOML file.
    schema : type of BaseModel
        Its model.
    problems : list of str
        Where problems are added, each as ``file: key path: message``.

    Returns
    -------
    Document
        Its ``model`` is the file without the values that have problems: a bad
        value with a default falls back to it, a bad list element or unknown key
        is left out, a table with a bad required value is left out. ``model`` is
        None when the file cannot be read or is still invalid without them.
    """
    raw = read_toml(path, problems)
    doc = Document(path=path, raw=raw or {}, schema=schema, read=raw is not None)
    if raw is None:
        return doc
    try:
        doc.model = schema.model_validate(raw)
        return doc
    except ValidationError as exc:
        errors = exc.errors()
    problems.extend(_("{where}: {problem}").format(where=doc.label(e["loc"]), problem=describe_error(schema, e)) for e in errors)
    data = copy.deepcopy(raw)
    for _pass in range(_PRUNING_PASSES):
        targets = [_drop_target(schema, e) for e in errors]
        if any(t is None for t in targets):
            break
        for loc in sorted(_outermost(targets), key=_sort_key, reverse=True):
            _drop(data, loc, doc)
        try:
            doc.model = schema.model_validate(data)
            return doc
        except ValidationError as exc:
            errors = exc.errors()
    doc.kept = {}
    return doc


_PRUNING_PASSES = 8


def _drop_target(schema: type[BaseModel], error: dict) -> tuple | None:
    """The smallest part of the document to leave out for ``error`` (None: the whole file)."""
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        return loc
    for n in range(len(loc), 0, -1):
        part, parent = loc[n - 1], unwrap_annotation(annotation_at(schema, loc[: n - 1]))
        if isinstance(part, int) or typing.get_origin(parent) is dict:
            return loc[:n]
        info = field_info_at(schema, loc[:n])
        if info is not None and not info.is_required():
            return loc[:n]
    return None


def _outermost(locs: list[tuple]) -> set[tuple]:
    """The locations not inside another one of ``locs``."""
    unique = set(locs)
    return {loc for loc in unique if not any(loc[:n] in unique for n in range(len(loc)))}


def _sort_key(loc: tuple) -> tuple:
    return tuple((isinstance(p, int), p if isinstance(p, int) else 0, p if isinstance(p, str) else "") for p in loc)


def _drop(data: dict, loc: tuple, doc: Document) -> None:
    """Leave out the value at ``loc`` (of the pruned ``data``), recording kept list positions in ``doc``."""
    container: Any = data
    for part in loc[:-1]:
        container = container[part]
    if isinstance(container, list):
        kept = doc.kept.setdefault(doc.original(loc[:-1]), list(range(len(container))))
        del kept[loc[-1]]
    del container[loc[-1]]
