"""Resolve: from stored records to one row per enterprise, located and tiered.

:func:`build_universe` joins each enterprise's names, industry texts,
headquarters and list memberships into the frame that featurisation and
scoring read. Enterprises are already matched across lists by normalised name
at import time (:mod:`matcher.store.imports`) and across spellings, years and
languages by the :class:`~matcher.resolve.resolver.Resolver` (re-exported here; see
:mod:`matcher.resolve.records`); here their headquarters are geocoded with the
gazetteer and their key source regions assigned.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..config.schema import Config
from ..resolve.resolver import Resolver
from ..store.core import Store
from .geography import Gazetteer, locate
from .transformers import _on_column, rank_column

__all__ = ["build_universe", "load_gazetteer", "Resolver"]

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _gazetteer(path: str, mtime: float) -> Gazetteer:
    return Gazetteer(Path(path))


def load_gazetteer(config: Config) -> Gazetteer:
    """The configuration's gazetteer (cached while the file is unchanged)."""
    p = Path(config.gazetteer_path)
    return _gazetteer(str(p), p.stat().st_mtime)


def build_universe(store: Store, config: Config) -> pd.DataFrame:
    """One row per live enterprise, sorted by ``enterprise_id``.

    Columns: those of :meth:`Store.enterprise_frame`, then ``hq_province``,
    ``hq_city``, ``is_china``, ``source_region``, ``regions``,
    ``region_certainty`` (see :func:`matcher.featurise.geography.locate`), then per list type
    ``rank__<tier>`` (float, NaN if not ranked or not on it), ``on__<tier>``
    (bool) and ``year__<tier>`` (the list year used, 0 if not on it).
    Only the newest imported year of each list type counts. ``regions``
    also holds the key regions of the enterprise's major branches where its
    profile names them (``branches``), so those regions' teams may pitch to
    it; ``source_region`` stays its headquarters'. An enterprise
    linked to a parent group (``parents`` table) takes its location and
    source region from its ultimate parent.
    """
    ents = store.enterprise_frame()
    loc = locate(ents, config, load_gazetteer(config))
    # The source region is where the ultimate parent is headquartered (fDi Markets convention).
    parents = store.ultimate_parents()
    if len(parents):
        pos = pd.Series(np.arange(len(ents)), index=ents.enterprise_id)
        child = ents.enterprise_id.map(parents)
        has = child.notna() & child.isin(pos.index)
        if has.any():
            src = pos[child[has]].to_numpy()
            loc.iloc[np.flatnonzero(has.to_numpy())] = loc.iloc[src].to_numpy()
    out = pd.concat([ents, loc], axis=1)
    out["regions"] = _with_branch_regions(out, config)
    members = store.list_memberships()
    known = {t.id for t in config.tiers}
    unknown = sorted(set(members.list_type) - known) if len(members) else []
    if unknown:
        log.warning("lists of types %s are in the database but not in the configuration; they are ignored", unknown)
    for t in config.tiers:
        m = members[members.list_type == t.id].set_index("enterprise_id") if len(members) else pd.DataFrame(columns=["rank", "year"])
        out[rank_column(t.id)] = out.enterprise_id.map(m["rank"]).astype(float) if len(m) else np.nan
        out[_on_column(t.id)] = out.enterprise_id.isin(m.index)
        out[f"year__{t.id}"] = out.enterprise_id.map(m["year"]).fillna(0).astype(int) if len(m) else 0
    # Ownership a list implies (the private 500 lists only private firms), where no profile says.
    for t in config.tiers:
        if t.implies_ownership:
            fill = (out["ownership"] == "") & out[_on_column(t.id)]
            out.loc[fill, "ownership"] = t.implies_ownership
    return out.sort_values("enterprise_id").reset_index(drop=True)


def _with_branch_regions(frame: pd.DataFrame, config: Config) -> pd.Series:
    """The ``regions`` column widened by the key regions of each enterprise's major branches.

    Region ids keep the configuration's order; each distinct branch city is
    looked up in the gazetteer once.
    """
    if "branches" not in frame.columns or not (frame["branches"].astype(str).str.strip() != "").any():
        return frame["regions"]
    gaz = load_gazetteer(config)
    cities = frame["branches"].astype(str).str.split(r"[;；,，、|]").explode().str.strip()
    cities = cities[cities.fillna("") != ""]
    located = locate(pd.DataFrame({"city": pd.unique(cities)}), config, gaz)
    region_of = pd.Series(located["regions"].to_numpy(), index=pd.unique(cities))
    extra = cities.map(region_of).fillna("")
    ids = pd.concat([frame["regions"].astype(str), extra]).str.split(";").explode()
    ids = ids[ids.fillna("") != ""]
    order = {r.id: k for k, r in enumerate(config.regions)}
    joined = ids.groupby(level=0).agg(lambda xs: ";".join(sorted(set(xs), key=order.__getitem__)))
    return joined.reindex(frame.index).fillna("")
