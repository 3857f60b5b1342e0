"""A profile file's business texts mapped to industries by background workers while it is imported.

The workers map each distinct text of the file (:func:`matcher.featurise.industries.map_ahead`);
afterwards the enterprises' texts are looked up among them (:class:`MappedTexts`) and only the
others mapped. Checked against mapping every text directly: the same matches, the same stored rows.
"""

import numpy as np
import pandas as pd
import pytest

from matcher import _parallel as parallel
from matcher.featurise import industries as industries_mod
from matcher.featurise.industries import industry_vectorizer, map_ahead
from matcher.featurise.transformers import MappedTexts
from matcher.store.core import Store

from .test_cli import run


def _two_processes(monkeypatch):
    monkeypatch.setenv("MATCHER_WORKERS", "2")
    monkeypatch.setattr(parallel, "_other_threads", lambda: False)  # pytest-xdist's threads: the workers run anyway


def _random_texts(config, n: int, seed: int) -> list[str]:
    """Business texts of keywords, industry names, noise and repeats, some joined with " | " as an enterprise's two texts."""
    rng = np.random.default_rng(seed)
    words = sorted({w for i in config.industries for w in (i.name_zh, i.name_en, *i.keywords_zh[:3], *i.synonyms_en[:2]) if w})
    noise = ["贸易", "咨询服务", "技术开发", "一般项目", "Trading", "物业管理", "", "批发零售"]
    out = []
    for _ in range(n):
        k = int(rng.integers(1, 5))
        text = "；".join(rng.choice(words + noise, k))
        out.append(text + " | " + str(rng.choice(words)) if rng.random() < 0.2 else text)
    return out


def test_mapped_texts_give_the_matches_of_mapping_the_texts(config):
    vec = industry_vectorizer(config)
    known = list(pd.unique(np.array(_random_texts(config, 400, seed=1), dtype=object)))
    base = vec.mapper_.map_texts(pd.Series(known, dtype=object))
    mapped = MappedTexts(known, base)
    rng = np.random.default_rng(2)
    for asked in (known[::-1], list(rng.choice(known, 300)) + _random_texts(config, 100, seed=3), _random_texts(config, 50, seed=4), []):
        want = vec.mapper_.map_texts(pd.Series(asked, dtype=object))
        got = mapped.find(vec.mapper_, asked)
        pd.testing.assert_frame_equal(got.astype(str), want.reset_index(drop=True).astype(str))
    ents = pd.DataFrame({"enterprise_id": [f"E{i}" for i in range(300)], "name": "某公司", "name_en": "", "industry_text": list(rng.choice(known, 300))})
    pd.testing.assert_frame_equal(vec.explain(ents, mapped), vec.explain(ents))


def _square(x: int) -> int:
    return x * x


def _fails(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


@pytest.mark.parametrize("processes", ["1", "2"])
def test_background_parts_come_back_in_order(monkeypatch, processes):
    _two_processes(monkeypatch)
    monkeypatch.setenv("MATCHER_WORKERS", processes)
    work = parallel.Background(_square, list(range(9)))
    assert len(work._workers) == (2 if processes == "2" else 0)
    assert parallel.workers() == int(processes)  # no thread started here: pools started meanwhile still use two processes
    assert work.results() == [x * x for x in range(9)]
    work.close()  # again: nothing left
    parallel.Background(_square, list(range(9))).close()  # dropped unasked: the workers end
    # A part that fails in a worker is mapped here, where its error is met.
    with pytest.raises(ValueError, match="three"):
        parallel.Background(_fails, list(range(6))).results()


def _profiles_csv(config, path, n: int) -> None:
    texts = _random_texts(config, n // 2, seed=5)
    rng = np.random.default_rng(6)
    frame = pd.DataFrame(
        {
            "企业名称": [f"测试{i}号实业有限公司" for i in range(n)],
            "行业": [str(t).split(" | ")[0] if rng.random() < 0.5 else "" for t in rng.choice(texts, n)],
            "经营范围": list(rng.choice(texts + [""], n)),
            "省份": "广东省",
        }
    )
    frame.to_csv(path, index=False)


def test_an_import_with_its_texts_mapped_ahead_stores_what_one_without_stores(config, tmp_path, monkeypatch):
    _two_processes(monkeypatch)
    monkeypatch.setattr(industries_mod, "MIN_ROWS", 100)  # a small file takes the large file's path
    monkeypatch.setattr(industries_mod, "_SLICE", 70)  # several slices per worker
    started = []
    real = industries_mod.MappingAhead.__init__
    monkeypatch.setattr(industries_mod.MappingAhead, "__init__", lambda self, vec, profiles: started.append(len(profiles)) or real(self, vec, profiles))
    path = tmp_path / "profiles.csv"
    _profiles_csv(config, path, 400)
    stored = {}
    for name, least in (("ahead", 100), ("plain", 10**9)):
        monkeypatch.setattr(industries_mod, "MIN_ROWS", least)
        db = tmp_path / f"{name}.db"
        r = run("import-profiles", path, db=db)
        assert r.exit_code == 0, r.output
        with Store(db).engine.connect() as conn:
            stored[name] = pd.read_sql("SELECT * FROM enterprise_industries ORDER BY enterprise_id, industry", conn)
    assert started == [400]  # the file's texts mapped ahead by the first import only
    assert stored["ahead"]["industry"].ne("").sum() > 100
    pd.testing.assert_frame_equal(stored["ahead"], stored["plain"])


def test_no_mapping_ahead_for_a_small_file_or_one_process(config, monkeypatch):
    profiles = pd.DataFrame({"name": ["甲公司"] * 3, "industry": ["钢铁", "", ""], "business": ["", "", "锂电池"]})
    assert map_ahead(config, profiles) is None  # fewer rows than a worker is worth
    monkeypatch.setattr(industries_mod, "MIN_ROWS", 2)
    monkeypatch.setenv("MATCHER_WORKERS", "1")
    assert map_ahead(config, profiles) is None


def test_a_progress_bar_on_a_terminal_starts_no_thread(monkeypatch):
    # tqdm's monitor thread would make every large input map on one core in a terminal (matcher._parallel).
    import sys
    import threading

    from matcher.progress import show_bars, steps

    class Terminal:
        def isatty(self):
            return True

        def write(self, text):
            return len(text)

        def flush(self):
            pass

    before = threading.active_count()
    monkeypatch.setattr(sys, "stderr", Terminal())
    show_bars(True)
    try:
        with steps("导入", total=2) as s:
            s.step("读取")
            assert s._bar is not None and threading.active_count() == before
            _two_processes(monkeypatch)
            monkeypatch.setattr(parallel, "_other_threads", lambda: threading.active_count() > before)
            assert parallel.workers() == 2
    finally:
        show_bars(False)


def test_in_order_says_whether_the_stable_sort_would_change_nothing():
    from matcher.featurise.industries import _in_order

    rng = np.random.default_rng(7)
    for _ in range(300):
        n = int(rng.integers(0, 8))
        m = pd.DataFrame({"row": rng.integers(0, 3, n), "confidence": rng.choice([0.4, 0.7, 0.9], n), "industry": rng.choice(["a", "b", "c"], n)})
        m = m.drop_duplicates(["row", "industry"]).reset_index(drop=True)
        if rng.random() < 0.5:
            m = m.sort_values(["row", "confidence", "industry"], ascending=[True, False, True]).reset_index(drop=True)
        ordered = m.sort_values(["row", "confidence", "industry"], ascending=[True, False, True], kind="stable").reset_index(drop=True)
        assert _in_order(m) == m.equals(ordered)
