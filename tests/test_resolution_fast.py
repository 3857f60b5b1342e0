"""Reference checks of the vectorised resolution steps, and the match-model cache."""

import os

import numpy as np
import pandas as pd
import pytest

from matcher._text import normalize_name, normalize_names
from matcher.resolve import model as pair_model
from matcher.resolve import model_cache as modelcache
from matcher.resolve.compare import ratio
from matcher.resolve.resolver import Resolver
from matcher.resolve.synth import synthetic_master, synthetic_queries


def test_normalize_names_matches_the_per_name_function():
    rng = np.random.default_rng(0)
    parts = list("恒逸集团有限公司控股股份(（)）  .,-&abcXYZ浙江") + [
        "Co., Ltd.",
        " Company Limited",
        "有限公司",
        "(中国)",
        "Ｇｒｏｕｐ",
        " Holding",
        "Group",
    ]
    rand = ["".join(rng.choice(parts, rng.integers(0, 10))) for _ in range(3000)]
    m = synthetic_master(2000, random_state=1)
    q = synthetic_queries(m, 2000, random_state=2)
    values = pd.Series(rand + list(m.name) + list(q.name) + [None, np.nan, "", 5], dtype=object, index=np.arange(7004) * 3)
    got = normalize_names(values)
    assert got.index.equals(values.index)
    assert got.tolist() == [normalize_name(v) for v in values]


def _prune_reference(r: Resolver, parsed: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Plain per-name version of Resolver.prune."""
    k = r.max_candidates
    kept = []
    for q, g in pairs.groupby("q", sort=True):
        if len(g) <= k:
            kept.append(g)
            continue
        a, b = parsed.iloc[q], r.master_.iloc[g.m.to_numpy()]
        score = []
        for m, (_, row) in zip(g.m, b.iterrows()):
            if a.key == row.key or (a.group != "" and a.group == row.group):
                s = 3.0
            else:
                s = max(ratio([a.pinyin], [row.pinyin], 1)[0], ratio([a.brand_py], [row.brand_py], 1)[0])
                s += 0.5 * ratio([a.key], [row.key], 1)[0]
                if a.province and row.province:
                    s += 0.1 if a.province == row.province else -0.1
            score.append((-s, m))
        best = {m for _, m in sorted(score)[:k]}
        kept.append(g[g.m.isin(best)])
    return pd.concat(kept).sort_values(["q", "m"]).reset_index(drop=True)


def test_prune_matches_a_plain_reference():
    master = synthetic_master(3000, random_state=3)
    queries = synthetic_queries(master, 300, random_state=4)
    r = Resolver(max_candidates=5, max_block=500).fit(master[["enterprise_id", "name", "province"]])
    parsed = r.prepare(queries.reset_index(drop=True))
    pairs = r.candidates(parsed)
    assert pairs.groupby("q").size().max() > 5
    got = r.prune(parsed, pairs)
    ref = _prune_reference(r, parsed, pairs)
    pd.testing.assert_frame_equal(got[["q", "m", "block"]], ref[["q", "m", "block"]])
    assert got.groupby("q").size().max() <= 5
    r.max_candidates = None
    assert len(r.prune(parsed, pairs)) == len(pairs)


def test_max_candidates_is_checked():
    with pytest.raises(Exception, match="max_candidates"):
        Resolver(max_candidates=0).fit(pd.DataFrame({"enterprise_id": ["E1"], "name": ["恒力集团"]}))


def test_the_match_model_is_cached_with_its_hash(tmp_path, monkeypatch):
    master = pd.DataFrame({"enterprise_id": ["E1", "E2"], "name": ["浙江恒逸集团有限公司", "恒力集团有限公司"]})
    monkeypatch.setattr(pair_model, "_MODELS", {})
    modelcache.set_model_cache(tmp_path)
    try:
        calls = []
        real = Resolver._train

        def counted(self):
            calls.append(1)
            return real(self)

        monkeypatch.setattr(Resolver, "_train", counted)
        first = Resolver(n_train=2000).fit(master).predict(pd.DataFrame({"name": ["Zhejiang Hengyi Group"]}))
        files = sorted(p.suffix for p in tmp_path.iterdir())
        assert files == [".sha256", ".skops"] and len(calls) == 1
        # A new process: loaded from the cache, same decisions.
        pair_model._MODELS.clear()
        again = Resolver(n_train=2000).fit(master).predict(pd.DataFrame({"name": ["Zhejiang Hengyi Group"]}))
        assert len(calls) == 1
        pd.testing.assert_frame_equal(first, again)
        # A changed file is not loaded: trained again and replaced.
        path = next(tmp_path.glob("*.skops"))
        path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
        pair_model._MODELS.clear()
        Resolver(n_train=2000).fit(master)
        assert len(calls) == 2
        assert modelcache.load_cached(path) is not None
        assert sorted(p.suffix for p in tmp_path.iterdir()) == [".sha256", ".skops"]
    finally:
        modelcache.set_model_cache(None)


def test_a_foreign_cache_file_is_never_loaded_and_the_library_reads_no_default_folder(tmp_path, monkeypatch):
    import os

    import skops.io as sio

    from matcher._files import sha256_bytes

    master = pd.DataFrame({"enterprise_id": ["E1"], "name": ["恒力集团有限公司"]})
    monkeypatch.setattr(pair_model, "_MODELS", {})
    key = modelcache.model_cache_key(2000, 0, pair_model.FEATURES)
    # A planted file naming os.system, with its hash rewritten to match: refused, the model trained again.
    evil = sio.dumps({"model": os.system, "background_index": [], "background_counts": []})
    path = tmp_path / "models" / "cache" / f"match-model-{key[:20]}.skops"
    path.parent.mkdir(parents=True)
    path.write_bytes(evil)
    path.with_suffix(".sha256").write_text(sha256_bytes(evil), encoding="ascii")
    assert modelcache.load_cached(path) is None
    calls = []
    real = Resolver._train
    monkeypatch.setattr(Resolver, "_train", lambda self: calls.append(1) or real(self))
    # Without a folder set (library use), ./models/cache of the current directory is neither read nor written.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(modelcache, "_FOLDER", None)  # as in a fresh process: a command run by an earlier test here may have set one
    Resolver(n_train=2000).fit(master)
    assert len(calls) == 1 and path.read_bytes() == evil and sorted(p.name for p in path.parent.iterdir()) == [path.with_suffix(".sha256").name, path.name]


def test_token_keys_match_a_plain_reference():
    import re
    import unicodedata

    from matcher.resolve.compare import token_key, token_keys

    m = synthetic_master(1000, random_state=9)
    names = pd.Series(list(m.name) + ["恒恒恒逸逸集团集团", "Hengyi hengyi Group 恒力恒力", "", "ａｂ ab"], dtype=object)
    rows, keys = token_keys(names)
    got = pd.Series(keys).groupby(rows).agg(lambda k: sorted(k.tolist()))
    for i, name in enumerate(names):
        folded = unicodedata.normalize("NFKC", name).lower()
        cjk = re.sub(r"[^\u3400-\u9fff]", "", folded)[:24]
        toks = set(cjk) | {cjk[j : j + 2] for j in range(len(cjk) - 1)} | set(re.findall(r"[a-z0-9]+", folded))
        expect = sorted({token_key(t) for t in toks})
        assert got.get(i, []) == expect, name
    # Each (row, key) once.
    assert not pd.DataFrame({"r": rows, "k": keys}).duplicated().any()


def test_candidates_match_a_plain_reference():
    master = synthetic_master(3000, random_state=3)
    queries = synthetic_queries(master, 300, random_state=4)
    r = Resolver().fit(master[["enterprise_id", "name", "province"]])
    parsed = r.prepare(queries.reset_index(drop=True))
    got = r.candidates(parsed)
    seen, ref = set(), []
    for kind, index in r.blocks_.items():
        by_key = index.groupby("bk").m.apply(list).to_dict()
        for q, v in enumerate(r._key_values(parsed, kind)):
            for m in by_key.get(v, []) if v != "" else []:
                if (q, m) not in seen:
                    seen.add((q, m))
                    ref.append((q, m, kind))
    ref = sorted(ref)
    assert list(zip(got.q, got.m, got.block)) == ref


def test_many_names_are_decided_in_two_processes_as_in_one_call(monkeypatch):
    """A name's decision depends on no other name: chunks decided in a worker process give the one call's frame."""
    from matcher import _parallel as parallel

    master = synthetic_master(3000, random_state=5)
    queries = synthetic_queries(master, 900, random_state=6)[["name", "province"]]
    r = Resolver().fit(master[["enterprise_id", "name", "province"]])
    whole = r.predict(queries)
    assert set(whole.decision) == {"merge", "review", "new"}
    monkeypatch.setenv("MATCHER_WORKERS", "2")
    monkeypatch.setattr(parallel, "_other_threads", lambda: False)
    monkeypatch.setattr(parallel, "MIN_ROWS", 100)
    pids = []
    chunk = Resolver.score_pairs

    def spy(self, q):
        pids.append(os.getpid())
        return chunk(self, q)

    monkeypatch.setattr(Resolver, "score_pairs", spy)
    r.chunk_size = 200  # 900 names: six chunks of 150, three in each process
    pd.testing.assert_frame_equal(r.predict(queries), whole)
    assert pids == [os.getpid()] * 3, "three chunks here, the other three in the worker"
    assert parallel._shared is None
