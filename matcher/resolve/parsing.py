"""Names parsed into the ``parsed_names`` table: in slices, in key order, while worker processes parse the next.

:func:`parse_and_store` parses names (:func:`~matcher.resolve.normalize.parse_names`) and
inserts them, a slice at a time, while worker processes parse the following slices
(:class:`matcher._parallel.Ahead`); an import that knows the names of the enterprises it
creates starts that work before it writes its rows (:func:`parse_ahead`), so the
parsing runs beside the writing. The tables and their upkeep: :mod:`matcher.resolve.master`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._parallel import Ahead, split_rows
from ..store.rows import insert_frame
from ..store.schema import parsed_names_t
from .compare import token_keys
from .normalize import parse_names

__all__ = ["PARSE_SLICE", "ParsingAhead", "parse_ahead", "parse_and_store", "name_token_counts"]


def name_token_counts(names: pd.Series) -> pd.Series:
    """How many of ``names`` hold each token key (:func:`~matcher.resolve.compare.token_keys`)."""
    if not len(names):
        return pd.Series(dtype=np.int64)
    return pd.Series(token_keys(names.reset_index(drop=True))[1]).value_counts()


#: Names parsed at a time when there are many: the first slices are stored while workers parse the next.
PARSE_SLICE = 125_000


class ParsingAhead:
    """Names being parsed by worker processes while the import writes its rows (:func:`parse_ahead`)."""

    def __init__(self, names: pd.DataFrame, *, keyed: bool = False):
        self.rows = names[["norm_name", "name"]].iloc[_key_order(names)].reset_index(drop=True)
        self.slices = split_rows(len(self.rows), most=PARSE_SLICE)
        # Keyed: each norm_name is its name's normalize_names key, the parsed ``key`` field (not computed again).
        keys = self.rows["norm_name"] if keyed else None
        self.ahead = Ahead(_parse_part, [(self.rows["name"].iloc[sl], None if keys is None else keys.iloc[sl]) for sl in self.slices])

    def close(self) -> None:
        """End the workers (the import failed, or parsed other names)."""
        self.ahead.close()


def parse_ahead(names: pd.DataFrame, *, keyed: bool = False) -> ParsingAhead:
    """Start parsing the names ``names`` (``norm_name, name``) in worker processes, for :func:`~matcher.resolve.master.sync_import_names`.

    For an import that knows the names of the enterprises it creates before it writes its rows
    (:func:`matcher.resolve.imports.import_profiles`): they are parsed while the rows are
    written. ``keyed``: each ``norm_name`` is its name's :func:`~matcher._text.normalize_names`
    key (so it is not computed again; a list's disambiguated names are not). The caller closes
    it (:meth:`ParsingAhead.close`) when done, whether or not it was used.
    """
    return ParsingAhead(names, keyed=keyed)


def parse_and_store(conn, fresh: pd.DataFrame, ahead: ParsingAhead | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Parse the names ``fresh`` (``norm_name, name``) and insert them into the parsed names.

    Returns their :data:`~matcher.resolve.normalize.NAME_FIELDS` (a row per row of ``fresh``, in its
    order) and :func:`name_token_counts`. In key order, in slices: worker processes parse the
    next slices while one is written (:class:`matcher._parallel.Ahead`); the same rows as
    parsing all at once, and the slices' counts added up (each name counted once, in its slice).
    ``ahead``: the same names being parsed already (:func:`parse_ahead`), taken when they are
    exactly these (else parsed here).
    """
    order = _key_order(fresh)
    rows = fresh[["norm_name", "name"]].iloc[order].reset_index(drop=True)
    if ahead is not None and not _same_rows(ahead.rows, rows):
        ahead.close()  # other names: its workers stop now
        ahead = None
    if ahead is None:
        ahead = ParsingAhead(fresh)
    slices = ahead.slices
    fields: list[pd.DataFrame] = []
    counts: list[pd.Series] = []
    try:
        for sl, (f, c) in zip(slices, ahead.ahead.results(), strict=True):
            f = f.reset_index(drop=True)
            insert_frame(conn, parsed_names_t, pd.concat([rows.iloc[sl].reset_index(drop=True), f], axis=1), key_order=True)
            fields.append(f)
            if len(c):
                counts.append(c)
    finally:
        ahead.close()
    total = counts[0] if len(counts) == 1 else (pd.concat(counts).groupby(level=0).sum() if counts else pd.Series(dtype=np.int64))
    back = np.empty(len(order), dtype=np.int64)
    back[order] = np.arange(len(order))
    return pd.concat(fields, ignore_index=True).iloc[back].reset_index(drop=True), total


def _key_order(names: pd.DataFrame) -> np.ndarray:
    """Positions of ``names`` in the order of their ``norm_name`` (the parsed names' key), ties in their order."""
    return np.asarray(names["norm_name"].argsort(kind="stable"), dtype=np.int64)


def _same_rows(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether two ``norm_name, name`` frames hold the same rows in the same order."""
    return len(a) == len(b) and all(np.array_equal(a[c].to_numpy(dtype=object), b[c].to_numpy(dtype=object)) for c in ("norm_name", "name"))


def _parse_part(part: tuple[pd.Series, pd.Series | None]) -> tuple[pd.DataFrame, pd.Series]:
    names, keys = part
    return parse_names(names, keys), name_token_counts(names)
