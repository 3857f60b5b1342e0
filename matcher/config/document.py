"""One configuration file: read, validated against its schema, and problems said in the file's own words.

A problem names the file and the key as a user finds it in the file:
``config.toml: [scoring] w_chian: unknown key; did you mean w_chain?`` or
``cities.toml: [[city]] #3 (liuzhou) chain[2].links.auto_x: must be one of
missing, weak, strong, got 'excellent'``. Tables of an array (``[[city]]``) are
counted from 1 in the order of the file, with their id when they have one;
nested arrays (``[[city.chain]]``) are counted from 1 too.

A file is validated as a whole, every problem recorded; the tables that have
problems are then left out, so that the cross-references between files
(:mod:`matcher.config.checks`) can still be checked on the rest.
"""

from __future__ import annotations

import copy
import difflib
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .schema import IDENT_PATTERN

__all__ = ["Document", "read_toml", "read_document", "describe_error"]


def read_toml(path: Path, problems: list[str]) -> dict | None:
    """The TOML document at ``path``, or None with the reason added to ``problems``."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        problems.append(f"{path}: file not found")
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path}: not valid TOML: {exc}")
    except OSError as exc:
        problems.append(f"{path}: cannot be read: {exc}")
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
        The file validated, without the tables that have problems; None when
        the file could not be read or its problems are outside such tables.
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
    problems.extend(f"{doc.label(e['loc'])}: {describe_error(schema, e)}" for e in errors)
    data = copy.deepcopy(raw)
    for _ in range(_PRUNING_PASSES):
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
        part, parent = loc[n - 1], _unwrap(_annotation_at(schema, loc[: n - 1]))
        if isinstance(part, int) or typing.get_origin(parent) is dict:
            return loc[:n]
        info = _field_info(schema, loc[:n])
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


# --------------------------------------------------------------------------- key paths


def _unwrap(annotation: Any) -> Any:
    """``X`` of ``X | None`` and of ``Annotated[X, ...]``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            arms = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = arms[0] if len(arms) == 1 else annotation
            if len(arms) != 1:
                return annotation
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation of ``part`` inside a value of ``annotation`` (None when unknown)."""
    annotation = _unwrap(annotation)
    if _is_model(annotation) and isinstance(part, str):
        info = annotation.model_fields.get(part)
        return info.annotation if info is not None else None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and isinstance(part, int):
        return args[0]
    if origin is dict and isinstance(part, str):
        return args[1]
    return None


def _annotation_at(schema: type[BaseModel], loc: tuple) -> Any:
    """The annotation of the value at ``loc`` (None when unknown)."""
    annotation: Any = schema
    for part in loc:
        annotation = _step(annotation, part) if annotation is not None else None
    return annotation


def _field_info(schema: type[BaseModel], loc: tuple):
    """The pydantic ``FieldInfo`` of the field at ``loc`` (None when not a model field)."""
    owner = _unwrap(_annotation_at(schema, loc[:-1]))
    if loc and _is_model(owner) and isinstance(loc[-1], str):
        return owner.model_fields.get(loc[-1])
    return None


def _head(schema: type[BaseModel], raw: dict, key: str) -> str:
    """``[key]``, ``[[key]]`` or ``key`` for a top-level key, as it is written in TOML."""
    annotation = _unwrap(_step(schema, key)) if key in schema.model_fields else None
    value = raw.get(key)
    if typing.get_origin(annotation) is list and _is_model(typing.get_args(annotation)[0]):
        return f"[[{key}]]"
    if _is_model(annotation) or (annotation is None and isinstance(value, dict)):
        return f"[{key}]"
    if annotation is None and isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"[[{key}]]"
    return str(key)


def key_path(schema: type[BaseModel], raw: dict, loc: tuple) -> str:
    """A pydantic error location as a TOML reader finds it: ``[[team]] #3 (nanning-gba) focus_chains[2]``."""
    if not loc:
        return ""
    text = _head(schema, raw, loc[0])
    rest = list(loc[1:])
    if text.startswith("[[") and rest and isinstance(rest[0], int):
        position = rest.pop(0)
        text += f" #{position + 1}"
        table = raw[loc[0]][position] if isinstance(raw.get(loc[0]), list) and position < len(raw[loc[0]]) else None
        if isinstance(table, dict) and isinstance(table.get("id"), str):
            text += f" ({table['id']})"
    tail = ""
    for part in rest:
        tail += f"[{part + 1}]" if isinstance(part, int) else f"{'.' if tail else ''}{part}"
    return f"{text} {tail}" if tail else text


# --------------------------------------------------------------------------- messages

_EXPECTED = {
    "float_type": "a number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text in quotes",
    "bool_type": "true or false",
    "list_type": "a list [...]",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}

_BOUNDS = (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="))


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _range(schema: type[BaseModel], loc: tuple, ctx: dict) -> str:
    """The whole allowed range of the field at ``loc``: "from 0 to 1", "> 0", "> -1 and < 10"."""
    info = _field_info(schema, loc)
    bounds = {}
    for meta in info.metadata if info is not None else ():
        bounds.update({name: getattr(meta, name) for name, _ in _BOUNDS if getattr(meta, name, None) is not None})
    bounds = bounds or {k: v for k, v in ctx.items() if k in dict(_BOUNDS)}
    if "ge" in bounds and "le" in bounds:
        return f"from {_number(bounds['ge'])} to {_number(bounds['le'])}"
    return " and ".join(f"{op} {_number(bounds[name])}" for name, op in _BOUNDS if name in bounds)


def _unknown_key(schema: type[BaseModel], loc: tuple) -> str:
    """The message "unknown key", with the closest known key or else the known keys."""
    owner = _unwrap(_annotation_at(schema, loc[:-1]))
    known = list(owner.model_fields) if _is_model(owner) else []
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    if close:
        return f"unknown key; did you mean {close[0]}?"
    return f"unknown key; expected one of {', '.join(known)}" if known else "unknown key"


def describe_error(schema: type[BaseModel], error: dict) -> str:
    """A pydantic validation error of a file of ``schema`` in plain words (without the key path)."""
    kind, loc, ctx, value = error["type"], error["loc"], error.get("ctx") or {}, error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(schema, loc)
    if kind == "missing":
        return "missing (required)"
    if kind == "literal_error":
        choices = ctx["expected"].replace(" or ", ", ").replace("'", "")
        return f"must be one of {choices}, got {value!r}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {value!r}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"must be {_range(schema, loc, ctx)}, got {value!r}"
    if kind == "too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else f"needs at least {ctx.get('min_length')} entries"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == IDENT_PATTERN:
        return f"expected an identifier (ASCII letters, digits, _ and -), got {value!r}"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return f"{error['msg'][:1].lower()}{error['msg'][1:]}, got {value!r}"
