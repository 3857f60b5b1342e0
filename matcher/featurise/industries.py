"""Industries mapped once and stored: what scoring reads instead of parsing text.

Each enterprise's direct industry matches (what
:meth:`IndustryVectorizer.explain <matcher.featurise.transformers.IndustryVectorizer.explain>`
finds in its texts, or in its name where the texts give nothing) are stored in
the database (:mod:`matcher.store.industries`) with a fingerprint of what
produced them: the taxonomy, the mapper's settings, the bundled enterprise
reference (its business lines join the texts) and :data:`MAPPER_VERSION`.

:func:`refresh_industries` maps the enterprises an import added or changed
(writes drop their stored rows) and, when the fingerprint differs from the
configuration in use (an analyst changed the taxonomy) or the database was
upgraded, every enterprise, once, saying so in one log line.
:func:`stored_industries` refreshes, then gives the stored matches of a
universe's rows, in the form :meth:`RuleScorer.score
<matcher.score.rule.RuleScorer.score>` takes.
"""

from __future__ import annotations

import hashlib
import logging

import numpy as np
import pandas as pd

from .._parallel import MIN_ROWS, Background, iter_shared, split_rows, workers
from ..config.model import Config
from ..i18n import gettext as _
from ..store import industries as stored
from ..store.core import Store
from ..store.rows import SCAN_FROM, isin_keys, live_ids, select_in
from ..store.schema import enterprise_industries_t, names_t
from ..store.views import enterprise_frame, profile_industry_texts, read
from .reference import apply_reference
from .transformers import IndustryVectorizer, MappedTexts

__all__ = [
    "MAPPER_VERSION",
    "industry_vectorizer",
    "industry_fingerprint",
    "map_enterprises",
    "MappingAhead",
    "map_ahead",
    "industries_pending",
    "refresh_industries",
    "stored_industries",
]

#: Raised whenever the mapping rules change in code, so stored industries are mapped again.
MAPPER_VERSION = "2"

log = logging.getLogger(__name__)

#: Enterprises mapped at a time: small enough that the first slices are written while the later are mapped.
_SLICE = 125_000


def industry_vectorizer(config: Config, **params) -> IndustryVectorizer:
    """The fitted :class:`IndustryVectorizer` of the configuration's ``[scoring]`` settings (``params`` override)."""
    s = config.scoring
    kw = {"parent_discount": s.parent_discount, "min_confidence": s.min_confidence, **params}
    return IndustryVectorizer(config.industries, **kw).fit(pd.DataFrame({"industry_text": [], "name": []}))


def industry_fingerprint(vec: IndustryVectorizer) -> str:
    """SHA-256 of what the direct matches depend on: taxonomy, mapper settings, reference, :data:`MAPPER_VERSION`."""
    from .reference import load_reference

    h = hashlib.sha256()
    h.update(f"v{MAPPER_VERSION}|{vec.min_confidence!r}|{vec.fuzzy_cutoff!r}|{vec.use_names!r}|".encode())
    h.update(repr(tuple(vec.mapper_.industries)).encode())
    ref = load_reference()
    h.update(pd.util.hash_pandas_object(ref, index=False).to_numpy().tobytes())
    return h.hexdigest()


def map_enterprises(vec: IndustryVectorizer, ents: pd.DataFrame, mapped: MappedTexts | None = None) -> pd.DataFrame:
    """Direct matches of enterprises (a frame with ``enterprise_id, industry_text, name``, ``name_en``), by enterprise id.

    ``mapped``: texts mapped already by ``vec`` (:class:`MappingAhead`); only the others are mapped.
    """
    found = vec.explain(ents, mapped)
    return pd.DataFrame(
        {
            "enterprise_id": ents.enterprise_id.to_numpy(dtype=object)[found.row.to_numpy(dtype=np.int64)],
            **{c: found[c].to_numpy() for c in ("industry", "confidence", "method", "evidence")},
        }
    )


def _map_slice(mapped: MappedTexts | None, part: tuple[IndustryVectorizer, pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    """Direct matches of a slice of enterprises (``vec, ents, names``), the bundled reference applied first unless ``names`` is None;
    the texts of ``mapped`` looked up there."""
    vec, ents, names = part
    return map_enterprises(vec, ents if names is None else apply_reference(ents, names), mapped)


def _map_profile_texts(part: tuple[IndustryVectorizer, pd.DataFrame]) -> tuple[np.ndarray, pd.DataFrame]:
    """The distinct industry texts of a slice of profiles (``vec, profiles``) and their matches
    (:meth:`IndustryMapper.map_texts <matcher.featurise.taxonomy.IndustryMapper.map_texts>`)."""
    vec, profiles = part
    texts = pd.unique(profile_industry_texts(profiles))
    texts = np.asarray(texts[texts != ""], dtype=object)
    return texts, vec.mapper_.map_texts(pd.Series(texts, dtype=object))


class MappingAhead:
    """The industry texts of a file being imported, mapped by background workers while its rows are written.

    Started by :func:`map_ahead` before the import; handed to :func:`stored_industries` after it,
    where the enterprises' texts found here are not mapped again (the others are). Close it
    when done (:meth:`close`): a mapping not taken is dropped.
    """

    def __init__(self, vec: IndustryVectorizer, profiles: pd.DataFrame):
        self.fingerprint = industry_fingerprint(vec)
        rows = profiles.reindex(columns=["industry", "business"], fill_value="")
        # Lowest priority: they take only what the import leaves idle, never its own processes' time.
        # The workers find the texts too (the slices reach them by fork): this process only forks them.
        self._work = Background(_map_profile_texts, [(vec, rows.iloc[sl]) for sl in split_rows(len(rows), most=_SLICE)], nice=19)

    def mapped(self) -> MappedTexts:
        """The texts and their matches (waits for the workers)."""
        texts, found, offset = [], [], 0
        for t, f in self._work.results():
            texts.append(t)
            found.append(f.assign(row=f.row.to_numpy(dtype=np.int64) + offset))
            offset += len(t)
        every = np.concatenate(texts)
        kept = [f for f in found if len(f)]
        matches = pd.concat(kept, ignore_index=True) if kept else found[0]  # none found: map_texts' empty frame
        # A text in two slices: its first mapping kept (the same matches), each text once.
        first = ~pd.Index(every, dtype=object).duplicated()
        if not first.all():
            new_row = np.cumsum(first) - 1
            matches = matches[first[matches.row.to_numpy(dtype=np.int64)]]
            matches = matches.assign(row=new_row[matches.row.to_numpy(dtype=np.int64)])
        return MappedTexts(every[first], matches)

    def close(self) -> None:
        self._work.close()


def map_ahead(config: Config, profiles: pd.DataFrame) -> MappingAhead | None:
    """Start mapping the industry texts of profiles about to be imported (:func:`matcher.ingest.lists.parse_profiles`).

    The texts an enterprise with only these profiles will have (:func:`matcher.store.views.profile_industry_texts`),
    each distinct text once, mapped by worker processes of low priority (:class:`matcher._parallel.Background`):
    they use the time the import leaves a core idle. None for a small file, or on one process.
    """
    if len(profiles) < MIN_ROWS or workers() < 2:
        return None
    return MappingAhead(industry_vectorizer(config), profiles)


def industries_pending(store: Store) -> bool:
    """Whether some enterprise may lack stored industries now (see :func:`matcher.store.industries.has_pending`)."""
    with store.engine.connect() as conn:
        return stored.has_pending(conn)


def refresh_industries(store: Store, config: Config, *, vec: IndustryVectorizer | None = None, among=None, frame: pd.DataFrame | None = None) -> int:
    """Map and store the industries of every live enterprise that has none stored; returns how many were mapped.

    When the stored industries were mapped with another taxonomy or other
    settings (or never, in an upgraded database), every enterprise is mapped
    again, once, and a log line says so. Runs in one write transaction.
    ``among``: enterprise ids the caller knows every pending enterprise to be
    among (an import that found none pending before it, :func:`industries_pending`,
    and replaced no earlier rows: what it invalidated are its own enterprises);
    only they are looked at, not every enterprise of the database.
    ``frame``: rows of :func:`~matcher.featurise.universe.build_universe` built with
    texts (``enterprise_id, name, name_en, industry_text``, the bundled reference
    applied), one per enterprise: when they hold every enterprise to map, the
    enterprises are mapped from them instead of being read again (the same texts).
    """
    return len(_refresh(store, config, vec=vec, among=among, frame=frame)[0])


def _refresh(
    store: Store, config: Config, *, vec: IndustryVectorizer | None, among, frame: pd.DataFrame | None, ahead: MappingAhead | None = None
) -> tuple[np.ndarray, pd.DataFrame]:
    """:func:`refresh_industries`; the enterprises mapped (sorted) and their matches as stored (:data:`~matcher.store.industries.COLUMNS`)."""
    vec = vec if vec is not None else industry_vectorizer(config)
    fp = industry_fingerprint(vec)
    none = (np.array([], dtype=object), pd.DataFrame(columns=stored.COLUMNS))
    with store.engine.connect() as conn:
        if stored.fingerprint(conn) == fp and not stored.has_pending(conn):
            return none
    with store.begin() as conn:
        old = stored.fingerprint(conn)
        if old != fp:
            stored.clear(conn)
        ids = stored.pending_ids(conn) if among is None or old != fp else _lacking(conn, among)
        if not len(ids) and old == fp:
            return none
        parts = _parts(conn, vec, ids, frame)
        slice_ids = [p[1].enterprise_id.to_numpy(dtype=object) for p in parts]
        cut = np.concatenate(slice_ids) if slice_ids else ids[:0]
        # None read: the row saying so. The slices of a frame holding them all are the ids themselves, in order.
        rest = ids[:0] if len(cut) == len(ids) and np.array_equal(cut, ids) else ids[~isin_keys(ids, cut)]
        found: list[pd.DataFrame] = []

        # Texts mapped while the import was written (map_ahead) are looked up, not mapped again.
        done = ahead.mapped() if ahead is not None and ahead.fingerprint == fp else None

        def mapped():
            # The slices of a large import are mapped by workers while the earlier ones are written (matcher._parallel).
            for sid, m in zip(slice_ids, iter_shared(_map_slice, done, parts), strict=True):
                found.append(m)
                yield sid, m
            if len(rest):
                yield rest, pd.DataFrame(columns=stored.COLUMNS)

        # The ids have none stored (pending, lacking, or all cleared above): nothing to drop first.
        stored.write_match_slices(conn, mapped(), fp, replace=False)
        matches = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=stored.COLUMNS)
    if old is None:
        log.info(_("industries of {n} enterprises mapped and stored in the database (first use)").format(n=len(ids)))
    elif old != fp:
        log.warning(_("the taxonomy or its settings changed: industries of {n} enterprises mapped again and stored").format(n=len(ids)))
    else:
        log.info(_("industries of {n} new or changed enterprises mapped and stored").format(n=len(ids)))
    return ids, matches


def _parts(conn, vec: IndustryVectorizer, ids: np.ndarray, frame: pd.DataFrame | None) -> list[tuple]:
    """The enterprises ``ids`` (sorted) in slices to map, each ``(vec, enterprises, names)``.

    In slices of enterprises (each maps on its own): bounds the memory of a million texts.
    From ``frame`` when it holds them all (``names`` None: the reference is applied already),
    else read with their names, the reference applied per slice by :func:`_map_slice`.
    """
    if frame is not None and len(frame):
        at = pd.Index(frame.enterprise_id.to_numpy(dtype=object)).get_indexer(ids)
        if frame.enterprise_id.is_unique and (at >= 0).all():
            ents = frame.iloc[at][["enterprise_id", "name", "name_en", "industry_text"]].reset_index(drop=True)
            return [(vec, ents.iloc[sl].reset_index(drop=True), None) for sl in split_rows(len(ents), most=_SLICE) if sl.stop > sl.start]
    whole = len(ids) > 20_000
    ents = enterprise_frame(conn, None if whole else ids.tolist())
    names = read(conn, "enterprise_names") if whole else select_in(conn, names_t, "enterprise_id", ids.tolist()).sort_values("norm_name", kind="stable")
    names = names[["enterprise_id", "name"]]
    if whole:
        ents = ents[isin_keys(ents.enterprise_id.to_numpy(dtype=object), ids)].reset_index(drop=True)
    slices = split_rows(len(ents), most=_SLICE)
    bounds = np.array([sl.stop for sl in slices], dtype=np.int64)
    at = pd.Index(ents.enterprise_id.to_numpy(dtype=object)).get_indexer(names.enterprise_id.to_numpy(dtype=object))
    part_of = np.where(at >= 0, np.searchsorted(bounds, at, side="right"), -1)
    return [(vec, ents.iloc[sl].reset_index(drop=True), names[part_of == k]) for k, sl in enumerate(slices) if sl.stop > sl.start]


def _lacking(conn, ids) -> np.ndarray:
    """Those of the live enterprises among ``ids`` with no stored industries, sorted."""
    keys = sorted({str(i) for i in ids})
    have = set(select_in(conn, enterprise_industries_t, "enterprise_id", keys, columns=("enterprise_id",)).enterprise_id)
    return np.array(sorted(live_ids(conn, keys) - have), dtype=object)


def stored_industries(
    store: Store,
    config: Config,
    universe: pd.DataFrame,
    *,
    vec: IndustryVectorizer | None = None,
    among=None,
    with_texts: bool = False,
    ahead: MappingAhead | None = None,
) -> pd.DataFrame:
    """The stored direct matches of the universe's rows: ``row, industry, confidence, method, evidence``.

    ``row`` is the position in ``universe``; rows sorted by row, then
    confidence (descending), then industry, as
    :meth:`IndustryVectorizer.explain` gives them for the same texts.
    Pending enterprises are mapped and stored first (:func:`refresh_industries`).
    Only the universe's enterprises' rows are read when it is small (what one import touched);
    ``among`` as for :func:`refresh_industries`. ``with_texts``: the universe was built with
    its texts (``build_universe(texts=True)``), so the pending enterprises among its rows are
    mapped from it, not read again (``frame`` of :func:`refresh_industries`), and when they
    all were, their matches are taken as written instead of being read back. ``ahead``: the
    texts of the import mapped meanwhile (:func:`map_ahead`), looked up instead of mapped again.
    """
    vec = vec if vec is not None else industry_vectorizer(config)
    mapped, matches = _refresh(store, config, vec=vec, among=among, frame=universe if with_texts else None, ahead=ahead)
    rows_ids = universe.enterprise_id.to_numpy(dtype=object)
    # The enterprises mapped are those of the universe (both sorted): an import's own, all mapped now.
    same = len(rows_ids) == len(mapped) and np.array_equal(rows_ids, np.asarray(mapped, dtype=object))
    if with_texts and len(universe) and (same or isin_keys(rows_ids, mapped).all()):
        # Every row was mapped just now: its matches as stored (what read_matches would read back).
        found = matches.industry.to_numpy(dtype=object) != ""
        m = matches[found if same else found & isin_keys(matches.enterprise_id.to_numpy(dtype=object), mapped)]
        m = m.assign(evidence=m.evidence.astype(str))
    else:
        with store.engine.connect() as conn:
            m = stored.read_matches(conn, universe.enterprise_id.tolist() if len(universe) < SCAN_FROM else None)
    pos = pd.Index(rows_ids).get_indexer(m.enterprise_id.to_numpy(dtype=object))
    keep = pos >= 0
    out = pd.DataFrame(
        {
            "row": pos[keep].astype(np.int64),
            "industry": m.industry.to_numpy(dtype=object)[keep],
            "confidence": m.confidence.to_numpy(dtype=float)[keep],
            "method": m.method.to_numpy(dtype=object)[keep],
            "evidence": m.evidence.to_numpy(dtype=object)[keep],
        }
    )
    out = out[out.confidence >= vec.min_confidence].reset_index(drop=True)
    if _in_order(out):  # as an import's slices come (a stable sort would leave them as they are)
        return out
    return out.sort_values(["row", "confidence", "industry"], ascending=[True, False, True], kind="stable").reset_index(drop=True)


def _in_order(m: pd.DataFrame) -> bool:
    """Whether the rows are sorted by row, then confidence (descending), then industry."""
    r, c, ind = m.row.to_numpy(), m.confidence.to_numpy(), m.industry.to_numpy(dtype=object)
    if len(r) < 2 or (r[1:] < r[:-1]).any():
        return len(r) < 2
    same = r[1:] == r[:-1]
    if (same & (c[1:] > c[:-1])).any():
        return False
    tie = np.flatnonzero(same & (c[1:] == c[:-1]))
    return bool((ind[tie + 1] > ind[tie]).all())
