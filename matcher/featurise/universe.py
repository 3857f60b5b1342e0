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
import sqlalchemy as sa

from ..config.model import Config
from ..i18n import gettext as _
from ..resolve.resolver import Resolver
from ..store.core import Store
from ..store.rows import SCAN_FROM, count_live, isin_keys, live_ids, select_in
from ..store.schema import entries_t
from ..store.views import enterprise_frame, rows_of
from .geography import Gazetteer, locate
from .reference import apply_reference
from .transformers import on_column, rank_column

__all__ = ["build_universe", "load_gazetteer", "edition_memberships", "universe_gaps", "gaps_line", "Resolver", "GUANGXI", "EDITION_WINDOW_YEARS"]

#: The province whose own enterprises are partners, not targets, of investment promotion.
GUANGXI = "广西壮族自治区"
#: Default of ``[scoring] edition_window_years``: how many years back an older edition of a list
#: still counts (2019 still counts when 2024 is the newest).
EDITION_WINDOW_YEARS = 8

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _gazetteer(path: str, mtime: float) -> Gazetteer:
    return Gazetteer(Path(path))


def load_gazetteer(config: Config) -> Gazetteer:
    """The configuration's gazetteer (cached while the file is unchanged)."""
    p = Path(config.gazetteer_path)
    return _gazetteer(str(p), p.stat().st_mtime)


def edition_memberships(entries: pd.DataFrame, *, window_years: int = EDITION_WINDOW_YEARS, newest: pd.Series | None = None) -> pd.DataFrame:
    """Each enterprise's place on each list type, from the newest edition it is on.

    An enterprise on the 2019 Fortune list but not the 2024 one is still a
    Fortune Global 500 enterprise, with its 2019 rank, as long as 2019 lies
    within ``window_years`` of the newest imported edition of that list.

    Parameters
    ----------
    entries : DataFrame
        List entries with ``enterprise_id, list_type, year, rank``.
    newest : Series, optional
        List type → its newest imported edition, when ``entries`` are those of
        some enterprises only (by default the newest year in ``entries``).

    Returns
    -------
    DataFrame
        ``enterprise_id, list_type, year, rank, newest`` (``newest``: the
        year is the newest edition of that list type); best rank within the
        edition; sorted by enterprise and list type.
    """
    cols = ["enterprise_id", "list_type", "year", "rank"]
    e = entries[cols]
    if e.empty:
        return e.assign(newest=pd.Series(dtype=bool))
    latest = e.groupby("list_type").year.transform("max") if newest is None else e.list_type.map(newest).fillna(e.year)
    keep = e.year >= latest - window_years
    e = e[keep].assign(newest=(e.year == latest)[keep])
    e = e.sort_values(["enterprise_id", "list_type", "year", "rank"], ascending=[True, True, False, True], na_position="last", kind="stable")
    return e.drop_duplicates(["enterprise_id", "list_type"]).reset_index(drop=True)


def build_universe(
    store: Store,
    config: Config,
    *,
    include_guangxi: bool | None = None,
    edition_window: int | None = None,
    texts: bool = True,
    ids=None,
    profile_rows: pd.DataFrame | None = None,
    created_rows: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """One row per live enterprise, sorted by ``enterprise_id``.

    Columns: those of :meth:`Store.enterprise_frame`, then ``hq_province``,
    ``hq_city``, ``is_china``, ``is_abroad``, ``source_region``, ``regions``,
    ``region_certainty`` (see :func:`matcher.featurise.geography.locate`), then per list type
    ``rank__<tier>`` (float, NaN if not ranked or not on it), ``on__<tier>``
    (bool) and ``year__<tier>`` (the list year used, 0 if not on it), from
    the newest edition each enterprise is on within ``edition_window``
    years (:func:`edition_memberships`); ``guangxi_own`` (headquartered in
    Guangxi, itself or through its ultimate parent), ``parent_zh`` and
    ``reference_source`` from the bundled enterprise reference
    (:func:`matcher.featurise.reference.apply_reference`), which fills only
    what the enterprise's own profile and list records leave empty.
    Guangxi's own enterprises are partners, not targets: they are left out
    unless ``include_guangxi``. Both settings default to the configuration's
    ``[scoring] include_guangxi`` and ``edition_window_years``. ``regions``
    also holds the key regions of the enterprise's major branches where its
    profile names them (``branches``), so those regions' teams may pitch to
    it; ``source_region`` stays its headquarters'. An enterprise
    linked to a parent group (``parents`` table) takes its location and
    source region from its ultimate parent. With ``texts=False`` the industry
    and business texts are not read (``industry_text`` holds only reference
    business lines): for scoring from the industries stored at import
    (:func:`matcher.featurise.industries.stored_industries`). With ``ids``
    (enterprise ids), only the rows of those of them that are live, the same
    rows the whole universe has for them, read from their own records (and
    their ultimate parents'): what one import added or touched, without
    reading the whole database. ``profile_rows``, with ``ids``: rows of the
    ``profiles`` table the caller holds, each enterprise's whole profile (an
    import that just wrote them, :attr:`~matcher.store.imports.ImportResult.profile_rows`):
    those enterprises' profiles are taken from it, not read. ``created_rows`` likewise: the rows
    of ``enterprises`` and ``enterprise_names`` of the enterprises an import created
    (:attr:`~matcher.store.imports.ImportResult.created_rows`).
    """
    include_guangxi = config.scoring.include_guangxi if include_guangxi is None else include_guangxi
    edition_window = config.scoring.edition_window_years if edition_window is None else edition_window
    parents = store.ultimate_parents()
    if ids is not None and profile_rows is None and created_rows is None and _every_live(store, ids):
        ids = None  # an import that touched every enterprise (the first one): the whole tables, read without look-ups
    if ids is None:
        ents = apply_reference(store.enterprise_frame(texts=texts), store.read("enterprise_names"))
        entries, newest = store.read("list_entries"), None
    else:
        ents, names, entries, newest, extra = _records_of(store, ids, parents, texts=texts, profile_rows=profile_rows, created_rows=created_rows)
        ents = apply_reference(ents, names)
    loc = locate(ents, config, load_gazetteer(config))
    own_guangxi = (loc["hq_province"] == GUANGXI).to_numpy()
    # The source region is where the ultimate parent is headquartered (fDi Markets convention).
    if len(parents):
        pos = pd.Series(np.arange(len(ents)), index=ents.enterprise_id)
        child = ents.enterprise_id.map(parents)
        has = child.notna() & child.isin(pos.index)
        if has.any():
            src = pos[child[has]].to_numpy()
            loc.iloc[np.flatnonzero(has.to_numpy())] = loc.iloc[src].to_numpy()
    out = pd.concat([ents, loc], axis=1)
    out["regions"] = _with_branch_regions(out, config)
    out["guangxi_own"] = own_guangxi | (out["hq_province"] == GUANGXI).to_numpy()
    members = edition_memberships(entries, window_years=edition_window, newest=newest)
    known = {t.id for t in config.tiers}
    unknown = sorted(set(members.list_type) - known) if len(members) else []
    if unknown:
        log.warning(_("lists of types {types} are in the database but not in the configuration; they are ignored").format(types=", ".join(unknown)))
    for t in config.tiers:
        m = members[members.list_type == t.id].set_index("enterprise_id") if len(members) else pd.DataFrame(columns=["rank", "year"])
        out[rank_column(t.id)] = out.enterprise_id.map(m["rank"]).astype(float) if len(m) else np.nan
        out[on_column(t.id)] = out.enterprise_id.isin(m.index)
        out[f"year__{t.id}"] = out.enterprise_id.map(m["year"]).fillna(0).astype(int) if len(m) else 0
    # Ownership a list implies (the private 500 lists only private firms), where no profile says.
    for t in config.tiers:
        if t.implies_ownership:
            fill = (out["ownership"] == "") & out[on_column(t.id)]
            out.loc[fill, "ownership"] = t.implies_ownership
    if ids is not None and extra:  # the parents read for their location only
        out = out[isin_keys(out.enterprise_id, [str(i) for i in ids])]
    if not include_guangxi:
        out = out[~out["guangxi_own"]]
    return out.sort_values("enterprise_id").reset_index(drop=True)


def _every_live(store: Store, ids) -> bool:
    """Whether ``ids`` hold every live enterprise: only looked at for many ids (from :data:`SCAN_FROM`)."""
    keys = pd.unique(np.asarray(ids, dtype=object))
    if len(keys) < SCAN_FROM:
        return False
    with store.engine.connect() as conn:
        n_live = count_live(conn)
        return len(keys) >= n_live and len(live_ids(conn, {str(k) for k in keys})) == n_live


def _sorted_distinct(ids) -> list[str]:
    """The ids as sorted distinct strings; taken as they are when they are so already (an import's enterprises, a million)."""
    if isinstance(ids, np.ndarray) and ids.dtype == object and pd.api.types.infer_dtype(ids, skipna=False) == "string":
        if len(ids) < 2 or bool((ids[1:] > ids[:-1]).all()):
            return ids.tolist()
    return sorted({str(i) for i in ids})


def _records_of(
    store: Store,
    ids,
    parents: pd.Series,
    *,
    texts: bool,
    profile_rows: pd.DataFrame | None = None,
    created_rows: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.Series, bool]:
    """The enterprise frame, names and list entries of ``ids`` and their ultimate parents, each list type's newest edition,
    and whether parents not among ``ids`` were read (their rows are the caller's to drop)."""
    want = _sorted_distinct(ids)
    need = sorted(set(want) | set(parents.reindex(want).dropna().astype(str))) if len(parents) else want
    held_ents, held_names = created_rows if created_rows is not None else (None, None)
    held = [f for f in (profile_rows, held_ents, held_names) if f is not None]
    # The ids as the held rows' key column type, made once for the three tables (a million of them, after an import).
    keys = pd.Series(need, dtype=held[0].enterprise_id.dtype) if held else need
    with store.engine.connect() as conn:
        ents = enterprise_frame(conn, keys, profile_rows=profile_rows, enterprise_rows=held_ents)
        names = rows_of(conn, "enterprise_names", keys, held_names).sort_values("norm_name", kind="stable").reset_index(drop=True)
        entries = select_in(conn, entries_t, "enterprise_id", need, columns=("enterprise_id", "list_type", "year", "rank"))
        newest = pd.read_sql(sa.select(entries_t.c.list_type, sa.func.max(entries_t.c.year).label("year")).group_by(entries_t.c.list_type), conn)
    if not texts:  # as the whole frame without texts has them
        ents["industry_text"] = ""
    return ents.reset_index(drop=True), names, entries, newest.set_index("list_type").year, len(need) > len(want)


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


def universe_gaps(universe: pd.DataFrame, config: Config, *, industries: pd.DataFrame | None = None) -> dict[str, int]:
    """How many enterprises the lists cannot place: ``n``, ``unknown_industry``, ``unknown_hq``.

    An enterprise has an unknown industry when neither its list, its profile,
    the bundled reference nor its name maps to the taxonomy, and an unknown
    headquarters when it is not known to be abroad and neither a Chinese city
    nor a province is known. ``industries``: the rows' direct matches where
    they are known (stored at import, :func:`matcher.featurise.industries.stored_industries`);
    by default they are found in the texts.
    """
    from .transformers import IndustryVectorizer

    if universe.empty:
        return {"n": 0, "unknown_industry": 0, "unknown_hq": 0}
    if industries is None:
        vec = IndustryVectorizer(config.industries, parent_discount=config.scoring.parent_discount, min_confidence=config.scoring.min_confidence)
        found = vec.fit(universe).explain(universe)
    else:
        found = industries
    known = np.zeros(len(universe), dtype=bool)
    known[found.row.to_numpy(dtype=np.int64)] = True
    hq = ((universe["hq_city"].astype(str) != "") | (universe["hq_province"].astype(str) != "")).to_numpy()
    abroad = universe["is_abroad"].to_numpy(dtype=bool) if "is_abroad" in universe.columns else np.zeros(len(universe), dtype=bool)
    return {"n": len(universe), "unknown_industry": int((~known).sum()), "unknown_hq": int((~hq & ~abroad).sum())}


def gaps_line(gaps: dict[str, int]) -> str:
    """One line after an import about the import's enterprises: what is unknown and how to fix it (in the language in use).

    ``gaps``: :func:`universe_gaps` of the universe of the enterprises the import
    added or touched (:func:`build_universe` with ``ids``).
    """
    n, ind, hq = gaps["n"], gaps["unknown_industry"], gaps["unknown_hq"]
    if not ind and not hq:
        return _("this import's {n} enterprises: every industry and headquarters known.").format(n=n)
    return _(
        "this import's {n} enterprises: {industry} with unknown industry, {hq} with unknown headquarters (they rank at the "
        "bottom of the city lists); import a profile file with main business and HQ city (matcher import-profiles FILE) to place them."
    ).format(n=n, industry=ind, hq=hq)
