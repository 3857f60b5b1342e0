"""Rows of text cells made compact text columns, a batch at a time: what every table is read into.

Cells are cleaned (:func:`matcher._text.clean_texts`: NFKC, no invisible characters, stripped) column
by column at array speed, and kept as pandas text columns, so that reading a large file holds the
Python strings of one batch only beside the columns.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pandas as pd

from .._text import clean_texts

__all__ = ["BATCH_ROWS", "text_frame"]

#: Rows turned into text columns at a time: the Python strings of one batch are all that is held beside the columns.
BATCH_ROWS = 50_000


def text_frame(rows: Iterator[list[str]], width: int, more=()) -> tuple[pd.DataFrame, np.ndarray]:
    """The data rows as a frame of compact text columns (NFKC, no invisible characters, stripped), and each row's cell count.

    Rows are taken :data:`BATCH_ROWS` at a time; each batch becomes text columns before the next
    is read. The frame is as wide as the longest row or ``width``, short rows padded with ``""``.
    ``more``: frames and cell counts of further rows, read elsewhere (a worker's), put after them.
    """
    parts: list[pd.DataFrame] = []
    counts: list[np.ndarray] = []
    while batch := list(itertools.islice(rows, BATCH_ROWS)):
        n = np.fromiter((len(r) for r in batch), dtype=np.int32, count=len(batch))
        w = max(width, int(n.max()))
        for r, k in zip(batch, n.tolist()):  # padded in place: no second copy of every row
            if k < w:
                r.extend([""] * (w - k))
        part = pd.DataFrame(batch, columns=range(w), dtype=object)
        del batch
        # Column by column at array speed (:func:`matcher._text.clean_texts`): no Python call per cell.
        parts.append(pd.DataFrame({j: pd.Series(clean_texts(part[j].tolist()), dtype=str) for j in part.columns}))
        counts.append(n)
        width = w
    for part, n in more:
        parts.append(part)
        counts.append(n)
        width = max(width, part.shape[1])
    empty = pd.Series([], dtype=str)
    for i, part in enumerate(parts):
        if part.shape[1] < width:
            parts[i] = part.assign(**{str(j): "" for j in range(part.shape[1], width)}).set_axis(range(width), axis=1)
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({j: empty for j in range(width)})
    return frame, np.concatenate(counts) if counts else np.zeros(0, dtype=np.int32)
