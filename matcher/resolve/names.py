"""Names as people write them (a visit sheet, an investment table) to enterprise ids.

Exact normalised name first; then the resolver, which says ``merge`` (taken), ``review``
(reported as uncertain, never guessed) or ``new`` (unknown).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._text import normalize_names
from .master import read_master
from .resolver import Resolver

__all__ = ["resolve_enterprise_names"]


def resolve_enterprise_names(store, names: pd.Series, resolver: Resolver | None = None) -> pd.DataFrame:
    """Enterprise id of each name: exact normalised name first, then the resolver's ``merge``.

    Returns
    -------
    DataFrame
        Same index as ``names``: ``enterprise_id`` (``""`` unless resolved),
        ``match`` (``exact``, ``resolver``, ``uncertain`` or ``unresolved``),
        ``matched_name`` (the resolver's candidate where it merged or was
        unsure), ``probability`` (of the best candidate, also when unresolved).
    """
    names = names.fillna("").astype(str)
    norm = normalize_names(names)
    exact = norm.map(store.lookup_names(norm)).astype(object).fillna("").astype(str)
    out = pd.DataFrame({"enterprise_id": exact, "match": np.where(exact != "", "exact", "unresolved")}, index=names.index)
    out["matched_name"] = ""
    out["probability"] = np.where(exact != "", 1.0, 0.0)
    rest = pd.unique(names[(exact == "") & (names.str.strip() != "")])
    master, counts = pd.DataFrame(), None
    if len(rest):
        # The stored parsed names (read, never written): only the names asked about are parsed.
        with store.engine.connect() as conn:
            master, counts = read_master(conn)
    if len(rest) and len(master):
        queries = pd.DataFrame({"name": rest})
        pred = (resolver or Resolver()).fit_for(master, queries, token_counts=counts).predict(queries)
        pred.index = rest
        p = pred.reindex(names[out.match == "unresolved"])
        idx = out.index[out.match == "unresolved"]
        decision = p.decision.to_numpy()
        out.loc[idx, "match"] = np.select([decision == "merge", decision == "review"], ["resolver", "uncertain"], "unresolved")
        out.loc[idx, "enterprise_id"] = np.where(decision == "merge", p.enterprise_id.to_numpy(), "")
        out.loc[idx, "matched_name"] = np.where(decision == "new", "", p.matched_name.fillna("").to_numpy())
        out.loc[idx, "probability"] = p.probability.to_numpy()
    return out
