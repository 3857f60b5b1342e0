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
2. block — :meth:`Resolver.candidates`: pairs sharing a blocking key (exact
   key, brand pinyin, first two characters of the Chinese core, brand pinyin
   prefix, initials of three or more letters, alias group). Keys shared by more
   than ``max_block`` master names are skipped, so 100k × 1M never meets all pairs;
   :meth:`Resolver.prune` then keeps the ``max_candidates`` best candidates of
   each name by a cheap pre-score (pinyin and key ratios);
3. compare — :meth:`Resolver.compare`: similarity features per pair
   (rapidfuzz, vectorised), including an IDF-weighted token similarity in
   which common tokens (集团, 控股, Group) weigh little;
4. score — a logistic regression on those features, trained at ``fit`` on
   SYNTHETIC labelled pairs (:mod:`matcher.resolve.synth`, seeded); the bilingual alias
   table (``data/aliases.csv``) then overrides it: names of one group match,
   names of two different groups never do;
5. decide — :meth:`Resolver.predict`: best enterprise per name, thresholds.
"""

from __future__ import annotations

import importlib.resources
import logging
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from rapidfuzz import fuzz, process
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ..errors import InputError, MatcherError
from .model_cache import cache_folder, load_cached, model_cache_key, save_cached
from .normalize import parse_names, place_province

__all__ = ["Resolver", "AliasTable", "load_aliases", "FEATURES", "DECISIONS", "BLOCKS"]

log = logging.getLogger(__name__)

#: Comparison features, in the order the model reads them.
FEATURES = ("same_key", "brand_py", "pinyin", "brand_zh", "both_zh", "cross", "initials", "prefix", "province", "tokens", "brand_rare")
DECISIONS = ("merge", "review", "new")
#: Blocking keys a Resolver can use (see :meth:`Resolver.candidates`).
BLOCKS = ("key", "brand_py", "core2", "py5", "initials", "group")
ALIAS_COLUMNS = ("group_id", "name_zh", "name_en", "aliases", "parent", "province", "city")


# ---------------------------------------------------------------------------- alias table


class AliasTable:
    """The bilingual alias table: group → names in both languages, parent, HQ.

    Parameters
    ----------
    frame : DataFrame
        Columns :data:`ALIAS_COLUMNS`.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame.reset_index(drop=True)
        long = self.names()
        parsed = parse_names(long["name"])
        long = long.assign(key=parsed["key"].to_numpy(), core=parsed["core"].to_numpy(), lang=parsed["lang"].to_numpy())
        long = long[long.key != ""]
        # A key claimed by two groups identifies neither.
        by_key = long.drop_duplicates(["key", "group_id"])
        #: Names the table gives to two groups (万达: Dalian Wanda and Shandong Wanda): never merged unseen.
        self.ambiguous = frozenset(by_key.key[by_key.key.duplicated(keep=False)])
        by_key = by_key[~by_key.key.duplicated(keep=False)]
        self.key_index = dict(zip(by_key.key, by_key.group_id))
        zh = long[(long.lang == "zh") & (long.core.str.len() >= 2)].drop_duplicates(["core", "group_id"])
        zh = zh[~zh.core.duplicated(keep=False)]
        self.core_index = dict(zip(zh.core, zh.group_id))
        self.province = dict(zip(self.frame.group_id, self.frame.province))
        self.parent = {g: p for g, p in zip(self.frame.group_id, self.frame.parent) if p}

    def names(self) -> pd.DataFrame:
        """Every name of every group, long: ``group_id, name, lang_field``."""
        f = self.frame
        parts = [
            pd.DataFrame({"group_id": f.group_id, "name": f.name_zh, "field": "name_zh"}),
            pd.DataFrame({"group_id": f.group_id, "name": f.name_en, "field": "name_en"}),
        ]
        al = f.set_index("group_id").aliases.str.split(";").explode().str.strip()
        parts.append(pd.DataFrame({"group_id": al.index, "name": al.to_numpy(), "field": "alias"}))
        out = pd.concat(parts, ignore_index=True)
        return out[out.name.fillna("") != ""].reset_index(drop=True)

    def lookup(self, parsed: pd.DataFrame) -> pd.Series:
        """Alias group of each parsed name (``""`` where none): by key, else by Chinese core when the place agrees."""
        g = parsed["key"].map(self.key_index)
        by_core = parsed["core"].map(self.core_index)
        hint = parsed["province_hint"]
        # By core only when the name's place agrees with the group's (中国万向 is not 万向 of Zhejiang).
        ok = (parsed["lang"] == "zh") & by_core.notna() & ((parsed["prefix"] == "") | (hint == by_core.map(self.province).fillna("")))
        return g.fillna(by_core.where(ok)).fillna("").astype(str)

    def ultimate_parent(self, group: str) -> str:
        seen = set()
        while group in self.parent and group not in seen:
            seen.add(group)
            group = self.parent[group]
        return group


def load_aliases(extra: str | Path | None = None, *, bundled: bool = True) -> AliasTable:
    """The bundled alias table, extended (and overridden by ``group_id``) by a user file.

    Raises
    ------
    InputError
        When the user file lacks a column, or a parent names no group.
    """
    frames = []
    if bundled:
        text = importlib.resources.files("matcher.data").joinpath("aliases.csv").read_text(encoding="utf-8")
        frames.append(pd.read_csv(StringIO(text), comment="#", dtype=str, keep_default_na=False))
    if extra is not None:
        path = Path(extra)
        try:
            user = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise InputError(str(path), f"cannot read the alias file: {exc}") from None
        missing = [c for c in ("group_id", "name_zh", "name_en") if c not in user.columns]
        if missing:
            raise InputError(str(path), f"missing column(s) {', '.join(missing)}; expected the columns {', '.join(ALIAS_COLUMNS)}")
        for c in ALIAS_COLUMNS:
            if c not in user.columns:
                user[c] = ""
        empty = user.group_id.str.strip() == ""
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise InputError(str(path), "the group_id is empty; expected a short id such as hengyi", row=i + 2, column="group_id", value="")
        frames.append(user[list(ALIAS_COLUMNS)])
    frame = pd.concat(frames, ignore_index=True).drop_duplicates("group_id", keep="last")
    bad = frame[(frame.parent != "") & ~frame.parent.isin(frame.group_id)]
    if len(bad):
        r = bad.iloc[0]
        raise InputError(str(extra or "aliases.csv"), "the parent names no group_id of the alias table", column="parent", value=r.parent)
    return AliasTable(frame)


# ---------------------------------------------------------------------------- tokens and similarities


_CJK_WIDTH = 24  # characters of a Chinese name used for tokens (longer names are cut)
_WORD_FLAG = np.int64(1) << np.int64(62)
_BIGRAM_FLAG = np.int64(1) << np.int64(42)


def _word_keys(words: np.ndarray) -> np.ndarray:
    h = pd.util.hash_array(np.asarray(words, dtype=object)).astype(np.uint64) & np.uint64((1 << 60) - 1)
    return h.astype(np.int64) | _WORD_FLAG


def token_key(token: str) -> int:
    """Integer key of one token: a Chinese character, a pair of them, or a Latin word."""
    t = token.lower()
    if len(t) == 1 and "\u3400" <= t <= "\u9fff":
        return ord(t)
    if len(t) == 2 and all("\u3400" <= c <= "\u9fff" for c in t):
        return int(_BIGRAM_FLAG | (ord(t[0]) << 21) | ord(t[1]))
    return int(_word_keys(np.array([t], dtype=object))[0])


def _token_keys(names: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Distinct tokens of each name as (row, key) arrays: Chinese characters and bigrams, and Latin words.

    Taken from the folded full name, legal forms included, so that their
    rarity (none) shows in the weights. Vectorised: Chinese text is read as
    code points of a fixed-width array.
    """
    folded = names.astype(str).str.normalize("NFKC").str.lower()
    cjk = folded.str.replace(r"[^\u3400-\u9fff]", "", regex=True).to_numpy(dtype=object)
    n = len(cjk)
    arr = np.array(cjk.tolist(), dtype=f"<U{_CJK_WIDTH}") if n else np.zeros(0, dtype=f"<U{_CJK_WIDTH}")
    cp = arr.view(np.uint32).reshape(n, _CJK_WIDTH).astype(np.int64)
    rows_u, cols_u = np.nonzero(cp & ~_repeated(cp))
    keys_u = cp[rows_u, cols_u]
    big = np.where((cp[:, :-1] > 0) & (cp[:, 1:] > 0), _BIGRAM_FLAG | (cp[:, :-1] << 21) | cp[:, 1:], 0)
    rows_b, cols_b = np.nonzero(big & ~_repeated(big))
    keys_b = big[rows_b, cols_b]
    latin = folded.str.contains(r"[a-z0-9]", regex=True).to_numpy(dtype=bool)
    if latin.any():
        words = folded[latin].str.findall(r"[a-z0-9]+").explode().dropna()
        rows_w = (
            np.flatnonzero(latin)[pd.Index(folded.index[latin]).get_indexer(words.index)] if len(words) else np.zeros(0, dtype=np.int64)
        )
        keys_w = _word_keys(words.to_numpy(dtype=object)) if len(words) else np.zeros(0, dtype=np.int64)
    else:
        rows_w, keys_w = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if len(rows_w):
        d = pd.DataFrame({"r": rows_w, "k": keys_w}).drop_duplicates()
        rows_w, keys_w = d.r.to_numpy(), d.k.to_numpy()
    # Kinds never share a key (flags), and each kind is distinct per row already.
    rows = np.concatenate([rows_u, rows_b, rows_w]).astype(np.int64)
    keys = np.concatenate([keys_u, keys_b, keys_w]).astype(np.int64)
    return rows, keys


def _repeated(a: np.ndarray) -> np.ndarray:
    """Mask of the entries of each row of ``a`` equal to an earlier non-zero entry of the same row."""
    if a.size == 0:
        return np.zeros(a.shape, dtype=np.int64)
    order = np.argsort(a, axis=1, kind="stable")  # equal values keep their left-to-right order
    s = np.take_along_axis(a, order, axis=1)
    dup_sorted = np.zeros(a.shape, dtype=bool)
    dup_sorted[:, 1:] = (s[:, 1:] == s[:, :-1]) & (s[:, 1:] != 0)
    dup = np.zeros(a.shape, dtype=bool)
    np.put_along_axis(dup, order, dup_sorted, axis=1)
    return np.where(dup, -1, 0).astype(np.int64)  # all bits set where repeated, for ``a & ~mask``


def _token_matrix(tokens: tuple[np.ndarray, np.ndarray], n: int, vocab: np.ndarray, idf: np.ndarray) -> sp.csr_matrix:
    """L2-normalised IDF-weighted indicator matrix over sorted ``vocab`` keys (unknown tokens weigh the most)."""
    rows, keys = tokens
    col = np.searchsorted(vocab, keys) if len(vocab) else np.zeros(len(keys), dtype=np.int64)
    known = (col < len(vocab)) & (vocab[np.minimum(col, max(len(vocab) - 1, 0))] == keys) if len(vocab) else np.zeros(len(keys), dtype=bool)
    top = idf.max() if len(idf) else 1.0
    w = np.where(known, idf[np.minimum(col, max(len(idf) - 1, 0))] if len(idf) else top, top)
    # Unknown tokens: their own columns past the vocabulary, by hash.
    col = np.where(known, col, len(vocab) + (keys % 1_000_003))
    m = sp.csr_matrix((w, (rows, col)), shape=(n, len(vocab) + 1_000_003))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ m


def _agree(a, b) -> np.ndarray:
    """+1 equal, -1 both given and different, 0 unknown."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    known = (a != "") & (b != "")
    return np.where(known, np.where(a == b, 1.0, -1.0), 0.0)


def _ratio(a, b, workers: int) -> np.ndarray:
    a = a.to_numpy(dtype=object) if hasattr(a, "to_numpy") else np.asarray(a, dtype=object)
    b = b.to_numpy(dtype=object) if hasattr(b, "to_numpy") else np.asarray(b, dtype=object)
    return process.cpdist(a, b, scorer=fuzz.ratio, workers=workers).astype(float) / 100.0


# ---------------------------------------------------------------------------- the resolver

# Parsed columns compared per pair.
_PAIR_COLUMNS = ("key", "lang", "brand_py", "pinyin", "brand", "initials", "prefix_py", "province", "group")

# Trained pair models by (n_train, random_state): training is deterministic, so once per process.
_MODELS: dict[tuple[int, int], tuple[HistGradientBoostingClassifier, pd.Series]] = {}


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
    model_ : LogisticRegression
        The pair classifier over :data:`FEATURES`.
    idf_ : ndarray
        Token weights by rarity (see :meth:`token_weight`).

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

    # ------------------------------------------------------------------ fit

    def fit(self, master: pd.DataFrame, y=None) -> Resolver:
        """Index the master: one row per known name, with ``enterprise_id`` and ``name`` (``province`` optional)."""
        if not (0.0 < self.lower <= self.upper <= 1.0):
            raise MatcherError(
                f"The 'lower' and 'upper' parameters of Resolver must satisfy 0 < lower <= upper <= 1. Got {self.lower} and {self.upper} instead."
            )
        unknown = [b for b in self.blocks if b not in BLOCKS]
        if unknown or not len(self.blocks):
            raise MatcherError(
                f"The 'blocks' parameter of Resolver must be a non-empty tuple of {', '.join(BLOCKS)}. Got {self.blocks!r} instead."
            )
        if not isinstance(self.max_block, int | np.integer) or self.max_block < 1:
            raise MatcherError(f"The 'max_block' parameter of Resolver must be an int >= 1. Got {self.max_block!r} instead.")
        if self.max_candidates is not None and (not isinstance(self.max_candidates, int | np.integer) or self.max_candidates < 1):
            raise MatcherError(
                f"The 'max_candidates' parameter of Resolver must be an int >= 1 or None. Got {self.max_candidates!r} instead."
            )
        for col in ("enterprise_id", "name"):
            if col not in master.columns:
                raise MatcherError(f"Resolver.fit: the master frame needs a {col!r} column; it has {', '.join(map(str, master.columns))}")
        self.alias_table_ = load_aliases(self.aliases) if self.use_aliases else None
        trained = _MODELS.get((self.n_train, self.random_state))
        if trained is None:
            trained = _MODELS[(self.n_train, self.random_state)] = self._cached_train()
        self.model_, self.background_df_ = trained
        self._index(master)
        return self

    def _index(self, master: pd.DataFrame) -> None:
        m = master.reset_index(drop=True)
        parsed = self._prepare(m)
        parsed["enterprise_id"] = m["enterprise_id"].astype(str).to_numpy()
        if self.alias_table_ is not None and len(parsed):
            # An enterprise belongs to the alias group of any of its names.
            g = parsed.group.where(parsed.group != "")
            per_ent = g.groupby(parsed.enterprise_id).first()
            parsed["group"] = parsed.enterprise_id.map(per_ent).fillna("")
        self.master_ = parsed
        self._master_cols = None
        # How many enterprises of the master share each brand (in pinyin): a match on a rare brand says more.
        per_brand = parsed.drop_duplicates(["brand_py", "enterprise_id"]).brand_py.value_counts()
        self.brand_rare_ = (1.0 / parsed.brand_py.map(per_brand).to_numpy(dtype=float)) if len(parsed) else np.zeros(0)
        self._names = m["name"].astype(str).to_numpy()
        self._ent_code = pd.factorize(parsed["enterprise_id"].to_numpy(dtype=object), sort=True)[0].astype(np.int64)
        tokens = _token_keys(m["name"])
        df = pd.Series(tokens[1]).value_counts()
        n = len(m)
        # Document frequencies over the master plus a fixed SYNTHETIC background, so that
        # 集团 or 有限公司 weigh little even in a small master.
        background = getattr(self, "background_df_", None)
        if background is not None and len(background):
            df = df.add(background.iloc[1:], fill_value=0)
            n += int(background.iloc[0])
        df = df.sort_index(kind="stable")
        self.vocab_ = df.index.to_numpy(dtype=np.int64)
        self.idf_ = np.log((1 + max(n, 1)) / (1 + df.to_numpy(dtype=float))) + 1.0
        self.master_tokens_ = _token_matrix(tokens, len(m), self.vocab_, self.idf_)
        self.blocks_ = {k: self._block_index(parsed, k) for k in self._block_keys()}
        self.n_features_in_ = len(FEATURES)

    def token_weight(self, token: str) -> float:
        """Rarity weight (smoothed IDF over the master) of a token; common tokens such as 集团 weigh little."""
        check_is_fitted(self, "idf_")
        k = token_key(token)
        i = int(np.searchsorted(self.vocab_, k))
        return float(self.idf_[i]) if i < len(self.vocab_) and self.vocab_[i] == k else float(self.idf_.max())

    def _prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        parsed = parse_names(frame["name"]).reset_index(drop=True)
        prov = frame["province"].fillna("").astype(str).to_numpy() if "province" in frame.columns else np.full(len(frame), "", dtype=object)
        prov = pd.Series(prov, dtype=object)
        uniq = pd.unique(prov)  # distinct values looked up once
        prov = pd.Series(
            pd.Series(uniq, dtype=object).map(_province_name).to_numpy(dtype=object)[pd.Index(uniq).get_indexer(prov)], dtype=object
        )
        parsed["province"] = prov.where(prov != "", parsed["province_hint"]).to_numpy()
        parsed["group"] = self.alias_table_.lookup(parsed).to_numpy() if self.alias_table_ is not None and len(parsed) else ""
        return parsed

    # ------------------------------------------------------------------ block

    def _block_keys(self) -> tuple[str, ...]:
        return tuple(self.blocks)

    @staticmethod
    def _key_values(parsed: pd.DataFrame, kind: str) -> pd.Series:
        if kind == "key":
            return parsed["key"]
        if kind == "brand_py":
            return parsed["brand_py"].where(parsed["brand_py"].str.len() >= 3, "")
        if kind == "core2":
            return parsed["core"].str[:2].where(parsed["lang"] == "zh", "")
        if kind == "py5":
            return parsed["brand_py"].str[:5].where(parsed["brand_py"].str.len() >= 5, "")
        if kind == "initials":
            return parsed["initials"].where(parsed["initials"].str.len() >= 3, "")
        if kind == "group":
            return parsed["group"]
        raise ValueError(kind)

    def _block_index(self, parsed: pd.DataFrame, kind: str) -> pd.DataFrame:
        vals = self._key_values(parsed, kind)
        frame = pd.DataFrame({"bk": vals.to_numpy(), "m": np.arange(len(parsed))})
        frame = frame[frame.bk != ""]
        size = frame.groupby("bk").m.transform("size")
        big = size > self.max_block
        if big.any() and kind != "group":
            log.debug("blocking on %s: %d keys shared by more than %d names skipped", kind, frame.bk[big].nunique(), self.max_block)
            frame = frame[~big]
        return frame

    def candidates(self, queries: pd.DataFrame) -> pd.DataFrame:
        """Candidate pairs ``q`` (query row) × ``m`` (master row) sharing a blocking key, with ``block`` (which key first)."""
        check_is_fitted(self, "master_")
        parsed = queries if "brand_py" in queries.columns else self._prepare(queries.reset_index(drop=True))
        parts = []
        for kind, index in self.blocks_.items():
            vals = self._key_values(parsed, kind)
            q = pd.DataFrame({"bk": vals.to_numpy(), "q": np.arange(len(parsed))})
            q = q[q.bk != ""]
            if len(q) == 0 or len(index) == 0:
                continue
            pairs = q.merge(index, on="bk", how="inner")
            parts.append((pairs["q"].to_numpy(dtype=np.int64), pairs["m"].to_numpy(dtype=np.int64), kind))
        if not parts:
            return pd.DataFrame({"q": np.array([], dtype=np.int64), "m": np.array([], dtype=np.int64), "block": []})
        qa = np.concatenate([p[0] for p in parts])
        ma = np.concatenate([p[1] for p in parts])
        kinds = np.array([p[2] for p in parts], dtype=object)
        ka = np.repeat(np.arange(len(parts)), [len(p[0]) for p in parts])
        # Sorted by (q, m); of a pair found by several keys, the first key (stable sort keeps their order).
        pair_key = qa * np.int64(max(len(self.master_), 1)) + ma
        order = np.argsort(pair_key, kind="stable")
        sk = pair_key[order]
        order = order[np.r_[True, sk[1:] != sk[:-1]]] if len(sk) else order
        return pd.DataFrame({"q": qa[order], "m": ma[order], "block": kinds[ka[order]]})

    def prune(self, queries: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
        """Keep at most ``max_candidates`` candidate pairs per query row, the best by a cheap pre-score.

        The pre-score is the larger rapidfuzz ratio of the pinyin cores and of
        the pinyin brands (Chinese and English names alike), plus half the ratio
        of the keys (homophones share their pinyin) and a tenth for the same HQ
        province (minus for a different one); pairs with the same key, or of
        the same alias group, come first. Ties go to the smaller
        master row, so the result is deterministic. Order of the kept pairs: by
        ``q`` then ``m``, as :meth:`candidates` returns them.
        """
        k = self.max_candidates
        if k is None or len(pairs) == 0:
            return pairs
        qi, mi = pairs["q"].to_numpy(), pairs["m"].to_numpy()
        counts = np.bincount(qi, minlength=int(qi.max()) + 1)
        if counts.max() <= k:
            return pairs
        parsed = queries if "brand_py" in queries.columns else self._prepare(queries.reset_index(drop=True))
        big = counts[qi] > k  # only names with too many candidates are ranked
        rows = np.flatnonzero(big)
        qb, mb = qi[rows], mi[rows]
        if getattr(self, "_master_cols", None) is None:
            self._master_cols = {c: self.master_[c].to_numpy(dtype=object) for c in _PAIR_COLUMNS}
        cols = ("key", "pinyin", "brand_py", "group", "province")
        a = {c: parsed[c].to_numpy(dtype=object)[qb] for c in cols}
        b = {c: self._master_cols[c][mb] for c in cols}
        w = self.workers
        # Sound first; then the written key (homophones 国源/国远 share their pinyin) and the HQ province.
        pre = np.maximum(_ratio(a["pinyin"], b["pinyin"], w), _ratio(a["brand_py"], b["brand_py"], w))
        pre = pre + 0.5 * _ratio(a["key"], b["key"], w) + 0.1 * _agree(a["province"], b["province"])
        first = (a["key"] == b["key"]) | ((a["group"] != "") & (a["group"] == b["group"]))
        pre = np.where(first, 3.0, pre)
        order = np.lexsort((mb, -pre, qb))  # by query, best first, then smaller master row
        q_sorted = qb[order]
        start = np.flatnonzero(np.r_[True, q_sorted[1:] != q_sorted[:-1]])
        rank = np.arange(len(order)) - np.repeat(start, np.diff(np.r_[start, len(order)]))
        keep = np.ones(len(pairs), dtype=bool)
        keep[rows] = False
        keep[rows[order[rank < k]]] = True
        log.debug("pruning: %d of %d candidate pairs kept (at most %d per name)", int(keep.sum()), len(pairs), k)
        return pairs[keep].reset_index(drop=True)

    # ------------------------------------------------------------------ compare

    def compare(self, queries: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
        """Comparison features (:data:`FEATURES`) for candidate ``pairs`` of :meth:`candidates`."""
        check_is_fitted(self, "master_")
        parsed = queries if "brand_py" in queries.columns else self._prepare(queries.reset_index(drop=True))
        qi, mi = pairs["q"].to_numpy(), pairs["m"].to_numpy()
        # Column arrays gathered by position: far cheaper than gathering whole frames of millions of pairs.
        cols = _PAIR_COLUMNS
        a = {c: parsed[c].to_numpy(dtype=object)[qi] for c in cols}
        if getattr(self, "_master_cols", None) is None:
            self._master_cols = {c: self.master_[c].to_numpy(dtype=object) for c in cols}
        b = {c: self._master_cols[c][mi] for c in cols}
        w = self.workers
        both_zh = (a["lang"] == "zh") & (b["lang"] == "zh")
        f = pd.DataFrame(index=pairs.index)
        f["same_key"] = (a["key"] == b["key"]).astype(float)
        f["brand_py"] = _ratio(a["brand_py"], b["brand_py"], w)
        f["pinyin"] = _ratio(a["pinyin"], b["pinyin"], w)
        zh = np.flatnonzero(both_zh)
        brand_zh = np.zeros(len(qi))
        if len(zh):
            brand_zh[zh] = _ratio(a["brand"][zh], b["brand"][zh], w)
        f["brand_zh"] = brand_zh
        f["both_zh"] = both_zh.astype(float)
        f["cross"] = (a["lang"] != b["lang"]).astype(float)
        ini_len = np.fromiter((len(x) for x in a["initials"]), dtype=np.int64, count=len(qi))
        f["initials"] = ((a["initials"] == b["initials"]) & (ini_len >= 2)).astype(float)
        f["prefix"] = _agree(a["prefix_py"], b["prefix_py"])
        f["province"] = _agree(a["province"], b["province"])
        qt = parsed.attrs.get("token_matrix")
        if qt is None and "name" in parsed.columns:
            qt = _token_matrix(_token_keys(parsed["name"]), len(parsed), self.vocab_, self.idf_)
        if qt is not None and len(qi):
            f["tokens"] = np.asarray(qt[qi].multiply(self.master_tokens_[mi]).sum(axis=1)).ravel()
        else:
            f["tokens"] = 0.0
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

    def _probability(self, f: pd.DataFrame) -> np.ndarray:
        # Pairs alike in nothing (no name feature reaches 0.4) are scored 0 without the model.
        alike = (f[["brand_py", "pinyin", "brand_zh", "tokens"]].to_numpy().max(axis=1) >= 0.4) | (f["same_key"].to_numpy() == 1)
        p = np.zeros(len(f))
        if alike.any():
            with threadpool_limits(1):  # measured: two threads are no faster here, even on 2M pairs
                p[alike] = self.model_.predict_proba(f.loc[alike, list(FEATURES)].to_numpy())[:, 1]
        if self.alias_table_ is not None and len(f):
            gq, gm = f["group_q"].to_numpy(dtype=object), f["group_m"].to_numpy(dtype=object)
            known = (gq != "") & (gm != "")
            p = np.where(known & (gq == gm), np.maximum(p, 0.999), p)
            p = np.where(known & (gq != gm), np.minimum(p, 0.001), p)
            # A name the alias table gives to two groups goes to review at most.
            amb = f["ambiguous"].to_numpy(dtype=bool) & ~(known & (gq == gm)) & (f["same_key"].to_numpy() == 0)
            p = np.where(amb, np.minimum(p, (self.lower + self.upper) / 2), p)
        return p

    def score_pairs(self, queries: pd.DataFrame) -> pd.DataFrame:
        """Every candidate pair with its features and probability (the inspectable middle of :meth:`predict`)."""
        check_is_fitted(self, "master_")
        q = queries.reset_index(drop=True)
        parsed = self._prepare(q)
        parsed.attrs["token_matrix"] = _token_matrix(_token_keys(q["name"]), len(q), self.vocab_, self.idf_)
        pairs = self.prune(parsed, self.candidates(parsed))
        f = self.compare(parsed, pairs)
        out = pd.concat([pairs, f], axis=1)
        out["probability"] = self._probability(f)
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
        q = queries.reset_index(drop=True)
        if len(q) > self.chunk_size:  # bounded memory: incoming names in chunks, each decided on its own
            parts = [self.predict(q.iloc[i : i + self.chunk_size]) for i in range(0, len(q), self.chunk_size)]
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
        out["reason_zh"], out["reason_en"] = _reasons(out)
        return out

    def transform(self, queries: pd.DataFrame) -> pd.DataFrame:
        """Same as :meth:`predict`."""
        return self.predict(queries)

    def _name_of(self, m: int) -> str:
        return str(self._names[m]) if hasattr(self, "_names") else ""

    # ------------------------------------------------------------------ training

    def _cached_train(self) -> tuple[HistGradientBoostingClassifier, pd.Series]:
        """The trained pair model from the on-disk cache (see :mod:`matcher.resolve.model_cache`), else trained and cached."""
        folder = cache_folder()
        if folder is None:
            return self._train()
        key = model_cache_key(self.n_train, self.random_state, FEATURES)
        path = folder / f"match-model-{key[:20]}.joblib"
        loaded = load_cached(path)
        if loaded is not None:
            log.debug("match model loaded from %s", path)
            return loaded
        trained = self._train()
        try:
            save_cached(path, trained)
            log.debug("match model cached in %s", path)
        except OSError as exc:  # a read-only folder: train each time, as without a cache
            log.warning("cannot cache the match model in %s: %s", folder, exc)
        return trained

    def _train(self) -> tuple[HistGradientBoostingClassifier, pd.Series]:
        """Fit the pair model on SYNTHETIC pairs: noisy names against a synthetic master, labelled by construction."""
        from .synth import synthetic_master, synthetic_queries

        master = synthetic_master(self.n_train, random_state=self.random_state)
        queries = synthetic_queries(master, max(self.n_train // 4, 100), random_state=self.random_state + 1)
        saved = self.alias_table_
        self.alias_table_ = None  # the model learns from the strings alone
        self.background_df_ = None
        try:
            self._index(master[["enterprise_id", "name", "province"]])
            parsed = self._prepare(queries)
            parsed.attrs["token_matrix"] = _token_matrix(_token_keys(queries["name"]), len(queries), self.vocab_, self.idf_)
            pairs = self.candidates(parsed)
            f = self.compare(parsed, pairs)
        finally:
            self.alias_table_ = saved
        y = (queries.true_id.to_numpy()[pairs.q.to_numpy()] == master.enterprise_id.to_numpy()[pairs.m.to_numpy()]).astype(int)
        # Gradient boosting with monotone constraints: more similarity never lowers the probability,
        # and interactions (same pinyin but a different place) are learnt rather than hand-set.
        mono = [0 if c in ("both_zh", "cross") else 1 for c in FEATURES]
        X = f[list(FEATURES)].to_numpy()
        weight = np.ones(len(y))
        # Most candidate pairs are easy non-matches: keep a seeded sample of them, weighted back up.
        neg = np.flatnonzero(y == 0)
        cap = max(30000 - int(y.sum()), 1)
        if len(neg) > cap:
            rng = np.random.default_rng(self.random_state)
            keep = np.sort(np.concatenate([np.flatnonzero(y == 1), rng.choice(neg, size=cap, replace=False)]))
            X, y, weight = X[keep], y[keep], np.where(y[keep] == 0, len(neg) / cap, 1.0)
        model = HistGradientBoostingClassifier(
            max_iter=100, learning_rate=0.1, max_leaf_nodes=15, monotonic_cst=mono, early_stopping=False, random_state=0
        )
        with threadpool_limits(1):  # a small fit: threads only contend (10x slower on a busy 2-core machine)
            model.fit(X, y, sample_weight=weight)
        self.training_pairs_ = (len(y), int(y.sum()))
        log.debug("match model trained on %d synthetic pairs (%d matches)", len(y), int(y.sum()))
        background = pd.Series(_token_keys(master["name"])[1]).value_counts()
        background = pd.concat([pd.Series({-1: len(master)}), background])
        return model, background


def _province_name(text: str) -> str:
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


def _reasons(out: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """One line in Chinese and one in English saying what the decision rests on."""
    zh = pd.Series("", index=out.index, dtype=object)
    en = pd.Series("", index=out.index, dtype=object)

    def add(mask, z, e):
        nonlocal zh, en
        mask = np.asarray(mask, dtype=bool)
        zh = zh.where(~mask, zh + z + "；")
        en = en.where(~mask, en + e + "; ")

    same_group = (out.group_q != "") & (out.group_q == out.group_m)
    diff_group = (out.group_q != "") & (out.group_m != "") & (out.group_q != out.group_m)
    add(same_group, "别名表同一集团", "same group in the alias table")
    add(diff_group, "别名表中为不同集团", "different groups in the alias table")
    add(out.same_key == 1, "规范化名称相同", "same normalised name")
    add((out.same_key == 0) & (out.brand_py >= 0.999), "核心字号拼音相同", "same core name in pinyin")
    add((out.brand_py < 0.999) & (out.brand_py >= 0.8), "核心字号拼音相近", "similar core name in pinyin")
    add(out.cross == 1, "中英文名称比对", "Chinese–English comparison")
    add(out.province == 1, "总部省份一致", "same HQ province")
    add(out.province == -1, "总部省份不同", "different HQ province")
    add(out.prefix == -1, "地名前缀不同", "different place prefix")
    add(out.enterprise_id == "", "无候选企业", "no candidate enterprise")
    # object dtype throughout: an empty frame must not turn these into float columns.
    p = out.probability.map(lambda v: f"{v:.3f}").astype(object)
    dz = out.decision.map({"merge": "合并", "review": "待人工复核", "new": "新企业"}).astype(object)
    de = out.decision.map({"merge": "merge", "review": "needs review", "new": "new enterprise"}).astype(object)
    zh = dz + "（概率 " + p + "）：" + zh.astype(object).str.rstrip("；")
    en = de + " (p=" + p + "): " + en.astype(object).str.rstrip("; ")
    return zh, en
