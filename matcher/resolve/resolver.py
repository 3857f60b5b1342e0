"""Entity resolution: block → compare → score → decide, each step inspectable.

:class:`Resolver` is fitted on the master (every known name of every
enterprise) and decides, for each incoming name, one of three outcomes:

- ``merge``: the probability that it names an existing enterprise is at least
  ``upper`` (and no second enterprise comes close);
- ``review``: between ``lower`` and ``upper`` — never merged silently, a person
  decides (see :mod:`matcher.resolve.records`);
- ``new``: below ``lower``, a new enterprise.

Steps, each a method that returns a frame:

1. normalise — :func:`matcher.resolve.normalize.parse_names` (prefix, core, brand, pinyin);
2. block — :meth:`Resolver.candidates` (:mod:`matcher.resolve.blocking`): pairs sharing a blocking key (exact
   key, brand pinyin, first two characters of the Chinese core, brand pinyin
   prefix, initials of three or more letters, alias group). Keys shared by more
   than ``max_block`` master names are skipped, so 100k × 1M never meets all pairs;
   :meth:`Resolver.prune` then keeps the ``max_candidates`` best candidates of
   each name by a cheap pre-score (pinyin and key ratios);
3. compare — :meth:`Resolver.compare` (:mod:`matcher.resolve.compare`): similarity features per pair
   (rapidfuzz, vectorised), including an IDF-weighted token similarity in
   which common tokens (集团, 控股, Group) weigh little;
4. score — a gradient-boosted classifier on those features (:mod:`matcher.resolve.model`),
   trained at ``fit`` on SYNTHETIC labelled pairs (:mod:`matcher.resolve.synth`, seeded); the
   bilingual alias table (``data/aliases.csv``, :mod:`matcher.resolve.aliases`) then overrides
   it: names of one group match, names of two different groups never do;
5. decide — :meth:`Resolver.predict`: best enterprise per name, thresholds.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from .._parallel import map_shared, split_rows
from ..errors import MatcherError
from ..i18n import gettext as _
from .aliases import AliasTable, load_aliases
from .blocking import BLOCKS, block_index, candidate_pairs, key_values, prune_pairs, subset_rows
from .compare import FEATURES, PAIR_COLUMNS, pair_features, reasons, token_key, token_keys, token_matrix, token_similarity
from .model import background_frequencies, fit_pair_model, match_model, match_probability
from .normalize import NAME_FIELDS, parse_names, place_province

__all__ = ["Resolver", "DECISIONS", "province_name"]

log = logging.getLogger(__name__)

#: Decisions of :meth:`Resolver.predict`.
DECISIONS = ("merge", "review", "new")


class Resolver(BaseEstimator):
    """Match incoming enterprise names to a master of known enterprises.

    Parameters
    ----------
    upper : float
        Probability at or above which a name is merged into an enterprise.
    lower : float
        Probability at or above which (and below ``upper``) a pair goes to review.
    max_block : int
        Blocking keys shared by more master names than this are skipped.
    aliases : str or Path, optional
        A user alias file extending the bundled ``data/aliases.csv``.
    use_aliases : bool
        Use the alias table at all (off to measure string matching alone).
    n_train : int
        SYNTHETIC master size used to train the match model at ``fit``.
    random_state : int
        Seed of the synthetic training data.
    workers : int
        Threads for rapidfuzz (``-1``: all cores).
    chunk_size : int
        Incoming names decided per chunk in :meth:`predict` (bounds memory).
    blocks : tuple of str
        Blocking keys, from :data:`BLOCKS`. The default leaves out
        ``initials``: on a 300k synthetic master it made 24% of the candidate
        pairs and 1 of about 4,900 correct merges (acronyms such as BYD are
        the alias table's job). ``py5`` made a third of the pairs too, but
        leaving it out lost correct merges of the labelled pairs, so it stays.
    max_candidates : int or None
        Candidates kept per incoming name in :meth:`score_pairs`, the best by
        a cheap pre-score (pinyin similarity of the core and of the brand;
        same key and same alias group first; ties to the smaller master row).
        ``None`` keeps every candidate. Blocks average about 95 candidates a
        name on a 1M master; the full features and the model then run on at
        most this many.

    Attributes
    ----------
    master_ : DataFrame
        The parsed master names with ``enterprise_id``, ``province`` and ``group``.
    model_ : HistGradientBoostingClassifier
        The pair classifier over :data:`~matcher.resolve.compare.FEATURES`.
    alias_table_ : AliasTable or None
        The alias table used (``None`` when ``use_aliases`` is off).
    background_df_ : Series
        Token document frequencies of the synthetic training master, added to the master's.
    vocab_, idf_ : ndarray
        Token keys and their weights by rarity (see :meth:`token_weight`).
    master_tokens_ : sparse matrix
        IDF-weighted token vectors of the master names.
    brand_rare_ : ndarray
        1 / number of enterprises of the master sharing each name's brand (in pinyin).
    blocks_ : dict of str to DataFrame
        The master's blocking index per key of ``blocks``.

    Notes
    -----
    Input is a DataFrame with named string columns, not a numeric array: the
    estimator tags say so (``input_tags.two_d_array`` off, ``string`` on), and
    a frame without the columns needed raises :class:`~matcher.errors.MatcherError`.

    Examples
    --------
    >>> master = pd.DataFrame({"enterprise_id": ["E1", "E2"], "name": ["浙江恒逸集团有限公司", "恒力集团有限公司"]})
    >>> r = Resolver().fit(master)
    >>> r.predict(pd.DataFrame({"name": ["Zhejiang Hengyi Group"]}))[["enterprise_id", "decision"]].values.tolist()
    [['E1', 'merge']]
    """

    def __init__(
        self,
        *,
        upper: float = 0.95,
        lower: float = 0.5,
        max_block: int = 200,
        aliases: str | Path | None = None,
        use_aliases: bool = True,
        n_train: int = 20000,
        random_state: int = 0,
        workers: int = -1,
        chunk_size: int = 20000,
        blocks: tuple[str, ...] = ("key", "brand_py", "core2", "py5", "group"),
        max_candidates: int | None = 12,
    ):
        self.upper = upper
        self.lower = lower
        self.max_block = max_block
        self.aliases = aliases
        self.use_aliases = use_aliases
        self.n_train = n_train
        self.random_state = random_state
        self.workers = workers
        self.chunk_size = chunk_size
        self.blocks = blocks
        self.max_candidates = max_candidates

    def __sklearn_tags__(self):
        """Input is a DataFrame of named string columns (``name``, ``province``), never a numeric array."""
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = False
        return tags

    # ------------------------------------------------------------------ fit

    def fit(self, master: pd.DataFrame, y=None) -> Resolver:
        """Index the master: one row per known name, with ``enterprise_id`` and ``name`` (``province`` optional).

        Raises
        ------
        MatcherError
            When a parameter is out of range or the master lacks a column.
        """
        self._check_params()
        _require(master, ("enterprise_id", "name"), "fit", "master")
        alias_table = load_aliases(self.aliases) if self.use_aliases else None
        self.model_, background = match_model(self.n_train, self.random_state, self._train)
        self._index(master, alias_table, background)
        return self

    def fit_for(self, master: pd.DataFrame, queries: pd.DataFrame, token_counts: pd.Series | None = None, *, master_stats: dict | None = None) -> Resolver:
        """Index only the master names that can be candidates of ``queries``: ``predict(queries)`` then decides as after ``fit(master)``.

        The decisions on ``queries`` (or any subset of its rows) are identical
        to :meth:`fit`'s, since blocks, token weights and brand rarity are
        still counted over the whole master; other queries may miss candidates.
        ``master`` may carry the fields of :func:`~matcher.resolve.normalize.parse_names`
        (stored ones, see :mod:`matcher.resolve.master`): then its names are not parsed again.
        ``token_counts`` (token key → number of master names holding it) spares
        reading the tokens of every master name. ``master_stats`` (from
        :func:`matcher.resolve.master.candidate_master`) gives what is counted
        over the whole master when ``master`` holds only the rows that can be
        candidates (and all names of their enterprises): ``n`` (master names),
        ``sizes`` (per blocking key other than ``group``, master names holding each
        of the queries' key values) and ``brands`` (brand pinyin → enterprises).
        """
        self._check_params()
        _require(master, ("enterprise_id", "name"), "fit_for", "master")
        _require(queries, ("name",), "fit_for", "queries")
        alias_table = load_aliases(self.aliases) if self.use_aliases else None
        self.model_, background = match_model(self.n_train, self.random_state, self._train)
        self._index(master, alias_table, background, queries=queries, token_counts=token_counts, stats=master_stats)
        return self

    def _check_params(self) -> None:
        if not (0.0 < self.lower <= self.upper <= 1.0):
            raise MatcherError(
                _("The 'lower' and 'upper' parameters of Resolver must satisfy 0 < lower <= upper <= 1. Got {lower} and {upper} instead.").format(
                    lower=self.lower, upper=self.upper
                )
            )
        unknown = [b for b in self.blocks if b not in BLOCKS]
        if unknown or not len(self.blocks):
            raise MatcherError(
                _("The 'blocks' parameter of Resolver must be a non-empty tuple of {choices}. Got {value!r} instead.").format(
                    choices=", ".join(BLOCKS), value=self.blocks
                )
            )
        if not isinstance(self.max_block, int | np.integer) or self.max_block < 1:
            raise MatcherError(_("The 'max_block' parameter of Resolver must be an int >= 1. Got {value!r} instead.").format(value=self.max_block))
        if self.max_candidates is not None and (not isinstance(self.max_candidates, int | np.integer) or self.max_candidates < 1):
            raise MatcherError(
                _("The 'max_candidates' parameter of Resolver must be an int >= 1 or None. Got {value!r} instead.").format(value=self.max_candidates)
            )

    def _index(self, master: pd.DataFrame, alias_table: AliasTable | None, background: pd.Series | None, *, queries=None, token_counts=None, stats=None) -> None:
        """Set the fitted state from the master (called by :meth:`fit`, :meth:`fit_for`, and on the synthetic master in training)."""
        self.alias_table_ = alias_table
        self.background_df_ = background
        m = master.reset_index(drop=True)
        parsed = self.prepare(m)
        parsed["enterprise_id"] = m["enterprise_id"].astype(str).to_numpy()
        if alias_table is not None and len(parsed):
            # An enterprise belongs to the alias group of any of its names.
            g = parsed.group.where(parsed.group != "")
            per_ent = g.groupby(parsed.enterprise_id).first()
            parsed["group"] = parsed.enterprise_id.map(per_ent).fillna("")
        n = len(m) if stats is None else int(stats["n"])
        tokens = token_keys(m["name"]) if token_counts is None else None
        df = pd.Series(tokens[1]).value_counts() if tokens is not None else token_counts[token_counts > 0]
        sizes = None
        if queries is not None:  # fit_for: only the rows that can be candidates of the queries, in master order
            given = None if stats is None else stats["sizes"]
            rows, sizes = subset_rows(parsed, self.prepare(queries.reset_index(drop=True)), self._block_keys(), self.max_block, given)
            brands = parsed.brand_py.iloc[rows]
            same = parsed[parsed.brand_py.isin(pd.unique(brands))]
        else:
            rows, same = None, parsed
        # How many enterprises of the master share each brand (in pinyin): a match on a rare brand says more.
        per_brand = same.drop_duplicates(["brand_py", "enterprise_id"]).brand_py.value_counts() if stats is None else stats["brands"]
        if rows is not None:
            parsed, m = parsed.iloc[rows].reset_index(drop=True), m.iloc[rows].reset_index(drop=True)
        self.master_ = parsed
        self._master_cols = {c: parsed[c].to_numpy(dtype=object) for c in PAIR_COLUMNS}
        self.brand_rare_ = (1.0 / parsed.brand_py.map(per_brand).to_numpy(dtype=float)) if len(parsed) else np.zeros(0)
        self._names = m["name"].astype(str).to_numpy()
        self._ent_code = pd.factorize(parsed["enterprise_id"].to_numpy(dtype=object), sort=True)[0].astype(np.int64)
        if tokens is None or rows is not None:
            tokens = token_keys(m["name"])
        # Document frequencies over the master plus a fixed SYNTHETIC background, so that
        # 集团 or 有限公司 weigh little even in a small master.
        if background is not None and len(background):
            df = df.add(background.iloc[1:], fill_value=0)
            n += int(background.iloc[0])
        df = df.sort_index(kind="stable")
        self.vocab_ = df.index.to_numpy(dtype=np.int64)
        self.idf_ = np.log((1 + max(n, 1)) / (1 + df.to_numpy(dtype=float))) + 1.0
        self.master_tokens_ = token_matrix(tokens, len(m), self.vocab_, self.idf_)
        self.blocks_ = {k: block_index(parsed, k, self.max_block, None if sizes is None else sizes[k]) for k in self._block_keys()}

    def token_weight(self, token: str) -> float:
        """Rarity weight (smoothed IDF over the master) of a token; common tokens such as 集团 weigh little."""
        check_is_fitted(self, "idf_")
        k = token_key(token)
        i = int(np.searchsorted(self.vocab_, k))
        return float(self.idf_[i]) if i < len(self.vocab_) and self.vocab_[i] == k else float(self.idf_.max())

    def prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Names (and provinces) parsed into the fields the comparison reads: one row per row of ``frame``."""
        if all(c in frame.columns for c in NAME_FIELDS):  # parsed already (stored fields): not parsed again
            parsed = frame[list(NAME_FIELDS)].reset_index(drop=True).astype(object)
        else:
            parsed = parse_names(frame["name"]).reset_index(drop=True)
        prov = frame["province"].fillna("").astype(str).to_numpy() if "province" in frame.columns else np.full(len(frame), "", dtype=object)
        prov = pd.Series(prov, dtype=object)
        uniq = pd.unique(prov)  # distinct values looked up once
        prov = pd.Series(
            pd.Series(uniq, dtype=object).map(province_name).to_numpy(dtype=object)[pd.Index(uniq).get_indexer(prov)], dtype=object
        )
        parsed["province"] = prov.where(prov != "", parsed["province_hint"]).to_numpy()
        parsed["group"] = self.alias_table_.lookup(parsed).to_numpy() if self.alias_table_ is not None and len(parsed) else ""
        return parsed

    def _parsed(self, queries: pd.DataFrame, method: str) -> pd.DataFrame:
        """``queries`` parsed by :meth:`prepare`, unless they are parsed already."""
        if "brand_py" in queries.columns:
            return queries
        _require(queries, ("name",), method, "queries")
        return self.prepare(queries.reset_index(drop=True))

    # ------------------------------------------------------------------ block

    def _block_keys(self) -> tuple[str, ...]:
        return tuple(self.blocks)

    @staticmethod
    def _key_values(parsed: pd.DataFrame, kind: str) -> pd.Series:
        return key_values(parsed, kind)

    def candidates(self, queries: pd.DataFrame) -> pd.DataFrame:
        """Candidate pairs ``q`` (query row) × ``m`` (master row) sharing a blocking key, with ``block`` (which key first).

        See :func:`matcher.resolve.blocking.candidate_pairs`; ``queries`` are
        raw (``name``, optionally ``province``) or parsed already.
        """
        check_is_fitted(self, "master_")
        return candidate_pairs(self._parsed(queries, "candidates"), self.blocks_, len(self.master_))

    def prune(self, queries: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
        """Keep at most ``max_candidates`` candidate pairs per query row, the best by a cheap pre-score.

        See :func:`matcher.resolve.blocking.prune_pairs`.
        """
        if self.max_candidates is None or len(pairs) == 0:
            return pairs
        check_is_fitted(self, "master_")
        return prune_pairs(self._parsed(queries, "prune"), self._master_cols, pairs, self.max_candidates, self.workers)

    # ------------------------------------------------------------------ compare

    def compare(self, queries: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
        """Comparison features (:data:`FEATURES`) for candidate ``pairs`` of :meth:`candidates`.

        Also ``ambiguous`` (a name the alias table gives to two groups) and
        ``group_q``, ``group_m`` (the alias groups of the two names).
        """
        check_is_fitted(self, "master_")
        parsed = self._parsed(queries, "compare")
        qi, mi = pairs["q"].to_numpy(), pairs["m"].to_numpy()
        # Column arrays gathered by position: far cheaper than gathering whole frames of millions of pairs.
        a = {c: parsed[c].to_numpy(dtype=object)[qi] for c in PAIR_COLUMNS}
        b = {c: self._master_cols[c][mi] for c in PAIR_COLUMNS}
        f = pair_features(a, b, self.workers)
        f.index = pairs.index
        qt = parsed.attrs.get("token_matrix")
        if qt is None and "name" in queries.columns:
            names = queries["name"].reset_index(drop=True)
            qt = token_matrix(token_keys(names), len(names), self.vocab_, self.idf_)
        f["tokens"] = token_similarity(qt, self.master_tokens_, qi, mi) if qt is not None else 0.0
        f["brand_rare"] = self.brand_rare_[mi] if len(mi) else np.zeros(0)
        amb = self.alias_table_.ambiguous if self.alias_table_ is not None else frozenset()
        if amb:
            f["ambiguous"] = pd.Series(a["key"]).isin(amb).to_numpy() | pd.Series(b["key"]).isin(amb).to_numpy()
        else:
            f["ambiguous"] = False
        f["group_q"] = a["group"]
        f["group_m"] = b["group"]
        return f

    # ------------------------------------------------------------------ score

    def score_pairs(self, queries: pd.DataFrame) -> pd.DataFrame:
        """Every candidate pair with its features and probability (the inspectable middle of :meth:`predict`)."""
        check_is_fitted(self, "master_")
        _require(queries, ("name",), "score_pairs", "queries")
        q = queries.reset_index(drop=True)
        parsed = self.prepare(q)
        parsed.attrs["token_matrix"] = token_matrix(token_keys(q["name"]), len(q), self.vocab_, self.idf_)
        pairs = self.prune(parsed, self.candidates(parsed))
        f = self.compare(parsed, pairs)
        out = pd.concat([pairs, f], axis=1)
        out["probability"] = match_probability(
            self.model_, f, use_aliases=self.alias_table_ is not None, lower=self.lower, upper=self.upper
        )
        out["enterprise_id"] = self.master_.enterprise_id.to_numpy()[out.m.to_numpy()] if len(out) else []
        return out

    def predict(self, queries: pd.DataFrame) -> pd.DataFrame:
        """Decide each incoming name: ``merge`` / ``review`` / ``new``.

        Parameters
        ----------
        queries : DataFrame
            ``name`` and optionally ``province`` (full Chinese province name,
            or anything the gazetteer's provinces start with).

        Returns
        -------
        DataFrame
            One row per query row (same order): ``enterprise_id`` (the best
            enterprise, ``""`` if no candidate), ``matched_name``,
            ``probability``, ``decision``, ``runner_up`` (second enterprise's
            probability), ``reason_zh``, ``reason_en``, and the features of the
            best pair. Ties in probability go to the smaller enterprise id.
        """
        check_is_fitted(self, "master_")
        _require(queries, ("name",), "predict", "queries")
        q = queries.reset_index(drop=True)
        if len(q) > self.chunk_size:  # bounded memory: incoming names in chunks, each decided on its own
            # Many chunks are decided in two processes (matcher._parallel): a name's decision
            # depends on no other name, so the chunks give what one call gives. The fitted index
            # reaches the worker by fork, not pickled.
            parts = map_shared(_predict_chunk, self, [q.iloc[sl] for sl in split_rows(len(q), most=self.chunk_size)])
            return pd.concat(parts, ignore_index=True)
        scored = self.score_pairs(q)
        # Best pair per (name, enterprise), then the best and second enterprise per name: by probability,
        # ties to the smaller enterprise id (codes in id order), then the smaller master row. Arrays, not frames.
        qa, ma, pa = scored["q"].to_numpy(), scored["m"].to_numpy(), scored["probability"].to_numpy()
        ea = self._ent_code[ma] if len(ma) else np.zeros(0, dtype=np.int64)
        order = np.lexsort((ma, ea, -pa, qa))
        qs = qa[order]
        per_ent = order[~pd.Series(qs * (int(ea.max(initial=0)) + 1) + ea[order]).duplicated().to_numpy()]
        qe = qa[per_ent]
        first = np.r_[True, qe[1:] != qe[:-1]] if len(qe) else np.zeros(0, dtype=bool)
        second_pos = np.flatnonzero(~first)
        second_pos = second_pos[np.r_[True, qe[second_pos][1:] != qe[second_pos][:-1]]] if len(second_pos) else second_pos
        top = scored.iloc[per_ent[first]].set_index("q")
        second = pd.Series(pa[per_ent[second_pos]], index=qe[second_pos])
        out = pd.DataFrame(index=np.arange(len(q)))
        out["enterprise_id"] = top.enterprise_id.reindex(out.index).astype(object).fillna("").astype(str)
        out["matched_name"] = top.m.reindex(out.index).map(lambda m: "" if pd.isna(m) else self._name_of(int(m))).astype(str)
        out["probability"] = top.probability.reindex(out.index).fillna(0.0).round(6)
        out["runner_up"] = second.reindex(out.index).fillna(0.0).round(6)
        p, r = out.probability.to_numpy(), out.runner_up.to_numpy()
        decision = np.where(p >= self.upper, "merge", np.where(p >= self.lower, "review", "new"))
        # Two enterprises above the bar: a person decides which.
        decision = np.where((decision == "merge") & (r >= self.upper), "review", decision)
        out["decision"] = decision
        feats = top.reindex(out.index)
        for c in FEATURES:
            out[c] = feats[c].fillna(0.0).to_numpy()
        out["group_q"] = feats["group_q"].fillna("").to_numpy()
        out["group_m"] = feats["group_m"].fillna("").to_numpy()
        out["reason_zh"], out["reason_en"] = reasons(out)
        return out

    def transform(self, queries: pd.DataFrame) -> pd.DataFrame:
        """Same as :meth:`predict`."""
        return self.predict(queries)

    def _name_of(self, m: int) -> str:
        return str(self._names[m]) if hasattr(self, "_names") else ""

    # ------------------------------------------------------------------ training

    def _train(self) -> tuple:
        """The pair model and its token background, fitted on SYNTHETIC pairs: noisy names against a synthetic master.

        A copy of this resolver without the alias table (the model learns from
        the strings alone) indexes the synthetic master and compares the
        candidate pairs of the synthetic queries; pairs are labelled by construction.
        """
        from .synth import synthetic_master, synthetic_queries

        master = synthetic_master(self.n_train, random_state=self.random_state)
        queries = synthetic_queries(master, max(self.n_train // 4, 100), random_state=self.random_state + 1)
        trainer = clone(self).set_params(use_aliases=False)
        trainer._index(master[["enterprise_id", "name", "province"]], None, None)
        parsed = trainer.prepare(queries)
        parsed.attrs["token_matrix"] = token_matrix(token_keys(queries["name"]), len(queries), trainer.vocab_, trainer.idf_)
        pairs = trainer.candidates(parsed)
        f = trainer.compare(parsed, pairs)
        y = (queries.true_id.to_numpy()[pairs.q.to_numpy()] == master.enterprise_id.to_numpy()[pairs.m.to_numpy()]).astype(int)
        return fit_pair_model(f, y, self.random_state), background_frequencies(master["name"])


def _predict_chunk(resolver: Resolver, queries: pd.DataFrame) -> pd.DataFrame:
    """:meth:`Resolver.predict` of one chunk of names (a module-level function: named to the worker process)."""
    return resolver.predict(queries)


def _require(frame, columns: tuple[str, ...], method: str, what: str) -> None:
    """Raise :class:`MatcherError` unless ``frame`` is a DataFrame with ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise MatcherError(
            _("Resolver.{method}: the {what} must be a DataFrame with the column(s) {columns}; got {kind}").format(
                method=method, what=what, columns=", ".join(columns), kind=type(frame).__name__
            )
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MatcherError(
            _("Resolver.{method}: the {what} frame needs a {column!r} column; it has {columns}").format(
                method=method, what=what, column=missing[0], columns=", ".join(map(str, frame.columns))
            )
        )


def province_name(text: str) -> str:
    """Full province name of a free-text province (浙江 / 浙江省 / Zhejiang)."""
    t = str(text).strip()
    if not t:
        return ""
    hit = place_province(t) or place_province(t.lower())
    if hit:
        return hit
    for suffix in ("省", "市", "壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区"):
        if t.endswith(suffix) and place_province(t[: -len(suffix)]):
            return place_province(t[: -len(suffix)])
    return t
