"""Problems of a configuration file said in the file's own words: the key path as written in TOML, a plain message.

A key path names the table as a user finds it in the file: ``[scoring] w_chian``,
``[[city]] #3 (liuzhou) chain[2].links.auto_x``. Tables of an array
(``[[city]]``) are counted from 1 in the order of the file, with their id when
they have one; nested arrays (``[[city.chain]]``, lists of values) are counted
from 1 too.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel

from ..i18n import N_
from ..i18n import gettext as _
from .schema import IDENT_PATTERN

__all__ = ["key_path", "describe_error", "annotation_at", "field_info_at", "unwrap_annotation"]


# --------------------------------------------------------------------------- key paths


def unwrap_annotation(annotation: Any) -> Any:
    """``X`` of ``X | None`` and of ``Annotated[X, ...]`` (a union of several types as it is)."""
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
    annotation = unwrap_annotation(annotation)
    if _is_model(annotation) and isinstance(part, str):
        info = annotation.model_fields.get(part)
        return info.annotation if info is not None else None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and isinstance(part, int):
        return args[0]
    if origin is dict and isinstance(part, str):
        return args[1]
    return None


def annotation_at(schema: type[BaseModel], loc: tuple) -> Any:
    """The annotation of the value at ``loc`` (None when unknown)."""
    annotation: Any = schema
    for part in loc:
        annotation = _step(annotation, part) if annotation is not None else None
    return annotation


def field_info_at(schema: type[BaseModel], loc: tuple):
    """The pydantic ``FieldInfo`` of the field at ``loc`` (None when not a model field)."""
    owner = unwrap_annotation(annotation_at(schema, loc[:-1]))
    if loc and _is_model(owner) and isinstance(loc[-1], str):
        return owner.model_fields.get(loc[-1])
    return None


def _head(schema: type[BaseModel], raw: dict, key: str) -> str:
    """``[key]``, ``[[key]]`` or ``key`` for a top-level key, as it is written in TOML."""
    annotation = unwrap_annotation(_step(schema, key)) if key in schema.model_fields else None
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
    "float_type": N_("expected a number, got {value!r}"),
    "int_type": N_("expected a whole number, got {value!r}"),
    "int_from_float": N_("expected a whole number, got {value!r}"),
    "string_type": N_("expected text in quotes, got {value!r}"),
    "bool_type": N_("expected true or false, got {value!r}"),
    "list_type": N_("expected a list [...], got {value!r}"),
    "dict_type": N_("expected a table, got {value!r}"),
    "model_type": N_("expected a table, got {value!r}"),
    "model_attributes_type": N_("expected a table, got {value!r}"),
}

_BOUNDS = (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="))


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _range(schema: type[BaseModel], loc: tuple, ctx: dict) -> str:
    """The whole allowed range of the field at ``loc``: "from 0 to 1", "> 0", "> -1 and < 10"."""
    info = field_info_at(schema, loc)
    bounds = {}
    for meta in info.metadata if info is not None else ():
        bounds.update({name: getattr(meta, name) for name, _ in _BOUNDS if getattr(meta, name, None) is not None})
    bounds = bounds or {k: v for k, v in ctx.items() if k in dict(_BOUNDS)}
    if "ge" in bounds and "le" in bounds:
        return _("from {low} to {high}").format(low=_number(bounds["ge"]), high=_number(bounds["le"]))
    return _(" and ").join(f"{op} {_number(bounds[name])}" for name, op in _BOUNDS if name in bounds)


def _unknown_key(schema: type[BaseModel], loc: tuple) -> str:
    """The message "unknown key", with the closest known key or else the known keys."""
    owner = unwrap_annotation(annotation_at(schema, loc[:-1]))
    known = list(owner.model_fields) if _is_model(owner) else []
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    if close:
        return _("unknown key; did you mean {key}?").format(key=close[0])
    return _("unknown key; expected one of {keys}").format(keys=", ".join(known)) if known else _("unknown key")


def describe_error(schema: type[BaseModel], error: dict) -> str:
    """A pydantic validation error of a file of ``schema`` in plain words (without the key path)."""
    kind, loc, ctx, value = error["type"], error["loc"], error.get("ctx") or {}, error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(schema, loc)
    if kind == "missing":
        return _("missing (required)")
    if kind == "literal_error":
        choices = ctx["expected"].replace(" or ", ", ").replace("'", "")
        return _("must be one of {choices}, got {value!r}").format(choices=choices, value=value)
    if kind in _EXPECTED:
        return _(_EXPECTED[kind]).format(value=value)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _("must be {range}, got {value!r}").format(range=_range(schema, loc, ctx), value=value)
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return _("must not be empty")
    if kind == "too_short":
        return _("must not be empty") if ctx.get("min_length") == 1 else _("needs at least {n} entries").format(n=ctx.get("min_length"))
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == IDENT_PATTERN:
        return _("expected an identifier (ASCII letters, digits, _ and -), got {value!r}").format(value=value)
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    # pydantic's own words (English): kept as they are, with the value
    return _("{message}, got {value!r}").format(message=f"{error['msg'][:1].lower()}{error['msg'][1:]}", value=value)
