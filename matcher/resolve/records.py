"""Resolution against the database: merge, review, undo, parent links, the master list.

- :func:`resolve_incoming` runs inside a list import (:mod:`matcher.resolve.imports`):
  each new enterprise is compared with the known ones and merged into one when the
  :class:`~matcher.resolve.resolver.Resolver` says ``merge``.
- :func:`resolve_store` resolves the whole master against itself, merges the
  sure pairs, returns the uncertain ones for review and links
  subsidiaries to their parents from the alias table.
- :func:`apply_review` reads a review file a person has marked (``same`` /
  ``different``) and acts on it; decisions are kept so a pair is not asked twice.
- :func:`master_list` is the master: ids, Chinese and English names, aliases,
  HQ, source region, lists with year and rank.

A new enterprise gets the hash of its normalised name, never an id another name has
(:func:`matcher.store.imports.fresh_ids`); a merge keeps the smaller id, or the one with
history (:func:`matcher.store.merges.representative`), so the master does not depend on the
order of the imports; a retired id still leads to its enterprise (``merged_into``). The merge
records which rows moved (:func:`matcher.store.merges.merge`), so :meth:`Store.undo_merge`
can reverse it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .._text import HAS_CJK, fold_text
from ..errors import InputError, MatcherError
from ..i18n import gettext as _
from ..store.merges import live_of, merge, representative
from ..store.rows import CHUNK, count_live, count_rows, has_rows, select_in
from ..store.schema import enterprises_t, entries_t, merge_undos_t, merges_t, names_t, parsed_names_t, review_decisions_t
from .aliases import load_aliases
from .master import (
    attach_parsed,
    candidate_master,
    load_master,
    mark_synced,
    name_token_counts,
    names_of,
    sync_import_names,
    token_counts,
)
from .normalize import NAME_FIELDS
from .parsing import ParsingAhead
from .resolver import Resolver
from .vetoes import conflict, facts

__all__ = [
    "resolve_incoming",
    "resolve_store",
    "apply_review",
    "master_list",
    "master_names",
    "parsed_master_names",
    "ResolveSummary",
    "REVIEW_COLUMNS",
]

log = logging.getLogger(__name__)

#: Columns of a review file; a person fills ``decision`` with ``same`` or ``different``.
REVIEW_COLUMNS = ("left_id", "left_name", "right_id", "right_name", "probability", "reason_zh", "reason_en", "decision")
_SAME = {"same", "是", "相同", "同一", "y", "yes", "merge", "合并"}
_DIFFERENT = {"different", "否", "不同", "n", "no", "new", "split", "不合并"}


def master_names(store, conn=None, exclude: set[str] | None = None) -> pd.DataFrame:
    """Every known name of every live enterprise: ``enterprise_id, name, province``."""
    if conn is None:
        with store.engine.connect() as c:
            names = load_master(c, parsed=False)
    else:
        names = load_master(conn, parsed=False)
    if exclude:
        names = names[~names.enterprise_id.isin(exclude)].reset_index(drop=True)
    return names[["enterprise_id", "name", "province"]]


def parsed_master_names(store) -> pd.DataFrame:
    """:func:`master_names` with ``norm_name`` and the stored parsed fields (:mod:`matcher.resolve.master`; filled where missing)."""
    with store.begin() as conn:
        return load_master(conn)


def _decided(conn, ids=None) -> set[tuple[str, str]]:
    """Pairs a person decided (``left_id < right_id``); with ``ids``, only pairs of which one is among them."""
    t = review_decisions_t
    if ids is None:
        return {(a, b) for a, b in conn.execute(sa.select(t.c.left_id, t.c.right_id))}
    keys = sorted({str(i) for i in ids})
    out: set[tuple[str, str]] = set()
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        out |= {(a, b) for a, b in conn.execute(sa.select(t.c.left_id, t.c.right_id).where(t.c.left_id.in_(chunk) | t.c.right_id.in_(chunk)))}
    return out


def _imports_of(conn, ids=None) -> dict[str, frozenset[int]]:
    """Enterprise → the imports (list files and years) it appears on (of ``ids`` only, when given)."""
    if ids is None:
        e = pd.read_sql(sa.select(entries_t.c.enterprise_id, entries_t.c.import_id).distinct(), conn)
    else:
        e = select_in(conn, entries_t, "enterprise_id", sorted(ids), columns=("enterprise_id", "import_id")).drop_duplicates()
    return {k: frozenset(v) for k, v in e.groupby("enterprise_id").import_id}


def _scripts(names: pd.DataFrame) -> dict[str, str]:
    """Per enterprise, which scripts its names are in: ``zh``, ``en`` or ``zh+en``."""
    cjk = names["name"].astype(str).str.contains(HAS_CJK, regex=True)
    kind = pd.Series(np.where(cjk, "zh", "en"), index=names.index)
    return kind.groupby(names["enterprise_id"].to_numpy()).agg(lambda k: "+".join(sorted(set(k)))).to_dict()


def _colisted(imports: dict[str, frozenset[int]], a: str, b: str) -> bool:
    """Two rows of one list are two enterprises: such a pair is never merged automatically."""
    return bool(imports.get(a, frozenset()) & imports.get(b, frozenset()))


def resolve_incoming(
    store, conn, ids, import_id: int, resolver: Resolver | None = None, names: pd.DataFrame | None = None, ahead: ParsingAhead | None = None
) -> int:
    """Merge the import's new enterprises into known ones where the resolver says ``merge``; returns how many.

    Called by :func:`matcher.resolve.imports.import_lists` inside its transaction.
    A small import reads only the known names that can be candidates of its new ones
    (:func:`~matcher.resolve.master.candidate_master`), with the same decisions as
    against the whole master, which is read when the stored parsed names are not
    known to be current (:func:`~matcher.resolve.master.sync_import_names`) or the
    import is large. A large import whose new enterprises hold every known name
    (the first import) reads nothing back: its names are parsed and stored, as always.
    ``names``: every row of the names table naming one of ``ids``, when the caller has them
    (:attr:`matcher.store.imports.ListImport.names`), so they are not read back; ``ahead``: those
    names being parsed already (:func:`~matcher.resolve.parsing.parse_ahead`).
    """
    ids = [str(i) for i in ids]
    resolver = resolver or Resolver()
    # New here: created by this import, i.e. no merge history and no rows of other imports.
    # Looked up in chunks: a million new ids must not become a million bound parameters.
    other = select_in(conn, entries_t, "enterprise_id", ids, columns=("enterprise_id", "import_id"))
    other = other[other.import_id != import_id]
    new_ids = sorted(set(ids) - set(other.enterprise_id) - _kept(conn, ids))
    # The stored parsed names kept whole: the import's new names are parsed and recorded now,
    # also when there is nothing to resolve them against, so reading commands find them all.
    synced = sync_import_names(conn, ids, import_id, names=names, ahead=ahead)
    fast = synced and len(ids) < _FAST_UP_TO
    # Current parsed names and no other names than the new ones' (a first import): nothing to read, nothing to resolve.
    alone = synced and not fast and _names_all_new(conn, new_ids)
    known = None if fast or alone else attach_parsed(conn, load_master(conn, fill=False))
    mark_synced(conn)
    if alone:
        return 0
    if fast:
        queries = names_of(conn, new_ids)  # every name of the new enterprises
        master = None
    else:
        is_new = known.enterprise_id.isin(new_ids).to_numpy(dtype=bool)
        master, queries = known[~is_new], known[is_new].reset_index(drop=True)
    n_master = len(known) - len(queries) if known is not None else count_rows(conn, parsed_names_t) - len(queries)
    if not len(queries) or not n_master:
        return 0
    prov = pd.read_sql(sa.select(entries_t.c.enterprise_id, entries_t.c.province).where(entries_t.c.import_id == import_id), conn)
    prov = prov[prov.province != ""].drop_duplicates("enterprise_id").set_index("enterprise_id").province
    queries["province"] = queries.enterprise_id.map(prov).astype(object).fillna(queries.province.astype(object))
    stats = None
    if fast:
        table = load_aliases(resolver.aliases) if resolver.use_aliases else None
        master, stats = candidate_master(conn, queries, kinds=resolver.blocks, max_block=resolver.max_block, alias_table=table, exclude=new_ids)
    # Token counts of the master: the stored ones (every known name) less the new names'.
    counts = token_counts(conn).sub(name_token_counts(queries["name"]), fill_value=0)
    cols = ["name", "province", *NAME_FIELDS]
    r = resolver.fit_for(master, queries[cols], token_counts=counts, master_stats=stats)
    pred = r.predict(queries[cols])
    pred["new_id"] = queries.enterprise_id.to_numpy()
    pred = pred[pred.decision == "merge"]
    decided = _decided(conn, set(pred.new_id))
    pred = pred[pred.decision == "merge"]
    # A boolean array, not a list: an empty list would select no columns instead of no rows.
    undecided = np.array([(min(a, b), max(a, b)) not in decided for a, b in zip(pred.new_id, pred.enterprise_id)], dtype=bool)
    pred = pred[undecided]
    pred = pred.sort_values(["new_id", "probability", "enterprise_id"], ascending=[True, False, True]).drop_duplicates("new_id")
    merged = 0
    involved = set(pred.new_id) | set(pred.enterprise_id)
    imports = _imports_of(conn, involved)
    stated = facts(conn, involved) if len(pred) else None
    names = pd.concat([master, queries]) if known is None else known
    script = _scripts(names[names.enterprise_id.isin(involved)])
    for row in pred.itertuples(index=False):  # one per merged enterprise
        if _colisted(imports, row.enterprise_id, row.new_id):
            continue
        if script.get(row.new_id, "") != script.get(row.enterprise_id, "") and (why := conflict(stated, row.enterprise_id, row.new_id)):
            # Across languages a name says little: stated facts that differ veto the merge.
            log.info("import %s: %s not merged into %s: %s; left for review", import_id, row.new_id, row.enterprise_id, why)
            continue
        # The known enterprise may have been merged into another new one of this import a moment ago.
        target, new = live_of(conn, row.enterprise_id), live_of(conn, row.new_id)
        if target is None or new is None or target == new:
            continue
        keep, other = representative(conn, target, new)
        merge(conn, keep, other, f"resolver p={row.probability:.3f}: {row.reason_en}", import_id)
        merged += 1
    if merged:
        log.info("import %s: %d new names resolved to known enterprises", import_id, merged)
    return merged


#: Imports of fewer enterprises than this read only the candidates of their new names.
_FAST_UP_TO = 20_000


def _names_all_new(conn, new_ids: list[str]) -> bool:
    """Whether every stored parsed name is a name of the stored enterprises ``new_ids`` (distinct), the parsed names being current.

    When they are every enterprise and none was merged away (a first import), they hold every name:
    no names are read to count theirs.
    """
    if len(new_ids) == count_live(conn) == count_rows(conn, enterprises_t):
        return True
    return count_rows(conn, parsed_names_t) == len(select_in(conn, names_t, "enterprise_id", new_ids, columns=("enterprise_id",)))


def _kept(conn, ids) -> set[str]:
    """Those of ``ids`` that kept their id in a merge not undone (they have history).

    Looked up as :func:`~matcher.store.rows.select_in` does: in chunks, or for many ids one read of the merges.
    """
    if not has_rows(conn, merges_t):  # nothing was ever merged (a new database): no id set to build
        return set()
    merges = select_in(conn, merges_t, "kept_id", sorted(set(ids)), columns=("kept_id", "merge_id"))
    if merges.empty:
        return set()
    undone = {r[0] for r in conn.execute(sa.select(merge_undos_t.c.merge_id))}
    return set(merges.kept_id[~merges.merge_id.isin(undone)].astype(str))


@dataclass(frozen=True)
class ResolveSummary:
    """What :func:`resolve_store` did.

    ``review_pairs`` holds the pairs left for a person to decide, in the
    columns of :data:`REVIEW_COLUMNS` (``decision`` empty), most probable
    first: the caller writes them as the review file (``matcher resolve --review-out``).
    """

    enterprises: int
    merged: int
    review: int
    parents: int
    review_pairs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(REVIEW_COLUMNS)), compare=False, repr=False)

    def summary(self) -> str:
        return _("{n} enterprises: {merged} merged, {review} pairs to review, {parents} linked to a parent group").format(
            n=self.enterprises, merged=self.merged, review=self.review, parents=self.parents
        )


def _pairs(store, resolver: Resolver, names: pd.DataFrame) -> pd.DataFrame:
    """Scored pairs of distinct live enterprises, best name pair per enterprise pair, ``left_id < right_id``."""
    if names.empty:
        return pd.DataFrame(columns=["left_id", "right_id", "probability"])
    resolver.fit(names)
    scored = resolver.score_pairs(names[["name", "province", *NAME_FIELDS]])
    scored["left"] = names.enterprise_id.to_numpy()[scored.q.to_numpy()]
    scored = scored[scored.left != scored.enterprise_id]
    a, b = scored.left.to_numpy(dtype=object).astype(str), scored.enterprise_id.to_numpy(dtype=object).astype(str)
    scored["left_id"], scored["right_id"] = np.where(a <= b, a, b), np.where(a <= b, b, a)
    scored["left_name"] = names.name.to_numpy()[np.where(a <= b, scored.q.to_numpy(), scored.m.to_numpy())]
    scored["right_name"] = names.name.to_numpy()[np.where(a <= b, scored.m.to_numpy(), scored.q.to_numpy())]
    scored = scored.sort_values(["left_id", "right_id", "probability"], ascending=[True, True, False], kind="stable")
    return scored.drop_duplicates(["left_id", "right_id"]).reset_index(drop=True)


def resolve_store(store, *, resolver: Resolver | None = None) -> ResolveSummary:
    """Resolve the master against itself: merge sure pairs, return the uncertain ones for review, link parents.

    Running it again on the same data changes nothing: merged pairs are one
    enterprise already, and decided pairs are skipped. The pairs to review are
    :attr:`ResolveSummary.review_pairs`.
    """
    from .compare import reasons

    resolver = resolver or Resolver()
    names = parsed_master_names(store)
    pairs = _pairs(store, resolver, names)
    with store.engine.connect() as conn:
        decided = _decided(conn)
        imports = _imports_of(conn)
    if len(pairs):
        keep = np.array([(a, b) not in decided for a, b in zip(pairs.left_id, pairs.right_id)], dtype=bool)
        pairs = pairs[keep]
        decision = np.where(pairs.probability >= resolver.upper, "merge", np.where(pairs.probability >= resolver.lower, "review", "new"))
        # Two entries of one list are two enterprises: a sure-looking pair of them goes to review.
        colisted = np.array([_colisted(imports, a, b) for a, b in zip(pairs.left_id, pairs.right_id)], dtype=bool)
        pairs["decision"] = np.where((decision == "merge") & colisted, "review", decision)
        pairs["reason_zh"], pairs["reason_en"] = reasons(pairs.assign(enterprise_id=pairs.right_id))
    sure = (
        pairs[pairs.decision == "merge"].sort_values(["probability", "left_id", "right_id"], ascending=[False, True, True])
        if len(pairs)
        else pairs
    )
    root: dict[str, str] = {}
    sure_pairs = ((r.left_id, r.right_id, f"resolve p={r.probability:.3f}: {r.reason_en}") for r in sure.itertuples(index=False))
    merged = _merge_pairs(store, sure_pairs, root)  # sure pairs: few
    review = pairs[pairs.decision == "review"] if len(pairs) else pairs
    if len(review):
        review = review[np.array([_live(root, a) != _live(root, b) for a, b in zip(review.left_id, review.right_id)], dtype=bool)]
    frame = review.reindex(columns=list(REVIEW_COLUMNS)).assign(decision="")
    frame["probability"] = frame.probability.astype(float).round(4)
    frame = frame.sort_values(["probability", "left_id", "right_id"], ascending=[False, True, True]).reset_index(drop=True)
    parents = link_parents(store, resolver, names if not merged else None)
    n = len(store.read("enterprises").query("merged_into.isna()"))
    return ResolveSummary(n, merged, len(review), parents, frame)


def _live(root: dict[str, str], e: str) -> str:
    """The enterprise ``e`` ended up in, following ``root`` (merged id → kept id)."""
    while e in root:
        e = root[e]
    return e


def _merge_pairs(store, pairs, root: dict[str, str]) -> int:
    """Merge each ``(a, b, reason)`` pair in one transaction, following earlier merges; return how many were merged.

    Each pair is merged where the two enterprises live now (``root``, merged id
    → kept id, is updated), into the smaller id; a pair already in one
    enterprise is skipped.
    """
    merged = 0
    with store.begin() as conn:
        for a, b, reason in pairs:
            a, b = _live(root, a), _live(root, b)
            if a == b:
                continue
            keep, other = min(a, b), max(a, b)
            merge(conn, keep, other, reason)
            root[other] = keep
            merged += 1
    return merged


def link_parents(store, resolver: Resolver, names: pd.DataFrame | None = None) -> int:
    """Link each enterprise in an alias group with a parent to the enterprise of the ultimate parent group.

    ``names``: the master's names (:func:`parsed_master_names`, as now), read when not given.
    """
    table = resolver.alias_table_ if getattr(resolver, "alias_table_", None) is not None else None
    if table is None:
        return 0
    names = parsed_master_names(store) if names is None else names
    parsed = resolver.prepare(names)
    names["group"] = parsed.group.to_numpy()
    names = names[names.group != ""]
    group_ent = names.sort_values("enterprise_id").drop_duplicates("group").set_index("group").enterprise_id
    ent_group = names.sort_values("enterprise_id").drop_duplicates("enterprise_id").set_index("enterprise_id").group
    links = pd.DataFrame({"enterprise_id": ent_group.index, "group": ent_group.to_numpy()})
    links["parent_group"] = links.group.map(table.ultimate_parent)
    links = links[links.parent_group != links.group]
    links["parent_id"] = links.parent_group.map(group_ent)
    links = links.dropna(subset=["parent_id"])
    links = links[links.parent_id != links.enterprise_id]
    return store.set_parents(links, source="aliases")


def apply_review(store, path: str | Path) -> tuple[int, int]:
    """Act on a marked review file: ``same`` merges, ``different`` keeps apart; returns (merged, kept apart).

    Raises
    ------
    InputError
        Naming the file, row, column and value of a decision that is neither
        same nor different, or of an id that is not in the database.
    """
    frame = _read_review(Path(path))
    cols = {str(c).strip().lower(): c for c in frame.columns}
    for need in ("left_id", "right_id", "decision"):
        if need not in cols:
            raise InputError(
                str(path), _("missing column {column!r}; a review file has the columns {columns}").format(column=need, columns=", ".join(REVIEW_COLUMNS))
            )
    name = Path(path).name
    ents = store.read("enterprises").set_index("enterprise_id").merged_into
    same, diff = [], []
    for i in range(len(frame)):
        d = str(frame[cols["decision"]].iloc[i] if pd.notna(frame[cols["decision"]].iloc[i]) else "").strip().lower()
        row = i + 2  # the header is row 1
        if not d:
            continue
        ids = []
        for c in ("left_id", "right_id"):
            v = str(frame[cols[c]].iloc[i]).strip()
            if v not in ents.index:
                raise InputError(str(path), _("no enterprise with this id in the database"), row=row, column=cols[c], value=v)
            ids.append(v)
        if d in _SAME:
            same.append((*ids, row))
        elif d in _DIFFERENT:
            diff.append((*ids, row))
        else:
            raise InputError(
                str(path),
                _("the decision must be 'same' or 'different' (or empty to leave the pair undecided)"),
                row=row,
                column=cols["decision"],
                value=d,
            )

    root = ents.dropna().to_dict()  # merged id → kept id
    merged = _merge_pairs(store, ((a, b, f"review {name} row {row}: same") for a, b, row in same), root)
    decisions = pd.DataFrame(
        [(a, b, "same", f"review {name} row {r}") for a, b, r in same]
        + [(a, b, "different", f"review {name} row {r}") for a, b, r in diff],
        columns=["left_id", "right_id", "decision", "source"],
    )
    store.record_decisions(decisions)
    return merged, len(diff)


def _read_review(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(str(path), _("no such file; expected the review file written by matcher resolve --review-out"))
    try:
        if path.suffix.lower() == ".xlsx":
            return pd.read_excel(path, dtype=str).fillna("")
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(str(path), _("cannot read the review file: {reason}").format(reason=exc)) from None
    raise InputError(str(path), _("expected a .csv or .xlsx review file"))


def master_list(store, universe: pd.DataFrame, search: str | None = None) -> pd.DataFrame:
    """The master list: one row per live enterprise.

    Columns ``enterprise_id, name_zh, name_en, aliases, hq_province, hq_city,
    source_region, parent_id, lists`` (``type year #rank`` joined by ``; ``).
    ``universe`` is the store's universe (:func:`matcher.featurise.universe.build_universe`),
    which gives names, headquarters and source regions.
    ``search`` keeps enterprises any of whose names contain it (case and width folded).
    """
    u = universe
    names = master_names(store)
    al = names.groupby("enterprise_id").name.agg(lambda s: "; ".join(sorted(set(s))))
    e = store.read("list_entries")
    if len(e):
        e = e.sort_values(["enterprise_id", "list_type", "year", "rank"])
        rank = e["rank"].map(lambda r: "" if pd.isna(r) else f" #{int(r)}")
        e["label"] = e.list_type + " " + e.year.astype(str) + rank
        lists = e.groupby("enterprise_id").label.agg(lambda s: "; ".join(dict.fromkeys(s)))
    else:
        lists = pd.Series(dtype=object)
    parents = store.ultimate_parents()
    cjk = names.name.str.contains(HAS_CJK, regex=True)
    first_zh = names[cjk].groupby("enterprise_id").name.first()
    first_en = names[~cjk].groupby("enterprise_id").name.first()
    name_zh = u.name_zh.where(u.name_zh != "", u.enterprise_id.map(first_zh)).fillna("")
    name_en = u.name_en.where(u.name_en != "", u.enterprise_id.map(first_en)).fillna("")
    out = pd.DataFrame(
        {
            "enterprise_id": u.enterprise_id,
            "name_zh": name_zh,
            "name_en": name_en,
            "aliases": u.enterprise_id.map(al).astype(object).fillna(""),
            "hq_province": u.hq_province,
            "hq_city": u.hq_city,
            "source_region": u.source_region,
            "parent_id": u.enterprise_id.map(parents).astype(object).fillna(""),
            "lists": u.enterprise_id.map(lists).astype(object).fillna(""),
        }
    )
    if search:
        needle = fold_text(search)
        hay = (out.name_zh + " " + out.name_en + " " + out.aliases).map(fold_text)
        out = out[hay.str.contains(needle, regex=False)]
        if out.empty:
            raise MatcherError(_("no enterprise has a name containing {text!r}").format(text=search))
    return out.reset_index(drop=True)
