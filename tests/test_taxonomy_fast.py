"""The fast industry mapper finds exactly what the plain one (tests/reference_taxonomy.py) finds."""

import random

import numpy as np
import pandas as pd
import pytest

from matcher import _text
from matcher.featurise import taxonomy
from matcher.featurise.folding import fold_all, fold_label
from matcher.featurise.taxonomy import IndustryMapper

from .reference_taxonomy import IndustryMapper as ReferenceMapper

SEPARATORS = ["；", ";", "，", ",", "、", "/", "|", " | ", "\n", "", " "]
NOISE = [
    "研发",
    "生产",
    "销售",
    "技术服务",
    "（依法须经批准的项目）",
    "年产5万吨",
    "Co., Ltd.",
    " and ",
    "  ",
    "．",
    "Ａ",
    "①",
    "é",
    "ﾞ",
    "\t",
]


def _pieces(config):
    out = []
    for ind in config.industries:
        out += [ind.name_zh, ind.name_en, *ind.synonyms_zh, *ind.synonyms_en, *ind.keywords_zh, *ind.keywords_en]
    return [p for p in out if p]


def random_texts(config, n, seed):
    rng = random.Random(seed)
    pieces = _pieces(config) + NOISE
    texts = []
    for _ in range(n):
        k = rng.randint(0, 6)
        parts = []
        for _ in range(k):
            p = rng.choice(pieces)
            if rng.random() < 0.3:  # a near miss: one character dropped or doubled
                i = rng.randrange(len(p))
                p = p[:i] + p[i + 1 :] if rng.random() < 0.5 else p[: i + 1] + p[i:]
            parts.append(p + (rng.choice(NOISE) if rng.random() < 0.3 else ""))
        texts.append("".join(x + rng.choice(SEPARATORS) for x in parts))
    return pd.Series(texts, dtype=object)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_mapper_equals_the_plain_one_on_random_texts(config, seed):
    texts = random_texts(config, 3000, seed)
    fast, plain = IndustryMapper(config.industries), ReferenceMapper(config.industries)
    got, want = fast.map_texts(texts), plain.map_texts(texts)
    assert len(want) > 1000
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False)
    got, want = fast.map_names(texts), plain.map_names(texts)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False)


def test_fast_mapper_equals_the_plain_one_with_control_characters(config, monkeypatch):
    # The line splitter joins texts with \x02 and marks separators with \x01: texts holding them go another way.
    monkeypatch.setattr("tests.test_taxonomy_fast.NOISE", [*NOISE, "\x01", "\x02", "a\x01\x01b"])
    texts = random_texts(config, 1500, 7)
    assert texts.str.contains("\x01").any()
    fast, plain = IndustryMapper(config.industries), ReferenceMapper(config.industries)
    pd.testing.assert_frame_equal(fast.map_texts(texts), plain.map_texts(texts), check_dtype=False)


@pytest.mark.parametrize("controls", [False, True])
def test_line_and_part_splitters_equal_pandas_split_and_explode(controls):
    rng = random.Random(11)
    alphabet = list("ab ；;，,、/|\n\t　") + (["\x00", "\x01", "\x02"] if controls else [])
    for _ in range(2000):
        texts = np.array(["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9))) for _ in range(rng.randint(1, 6))], dtype=object)
        for pattern, split in ((taxonomy._SEGMENT_SPLIT, taxonomy._split_lines), (r"\s*\|\s*", taxonomy._split_parts)):
            want = pd.Series(texts, dtype=object).str.split(pattern, regex=True).explode()
            at, pieces = split(texts)
            assert at.tolist() == want.index.tolist() and pieces.tolist() == want.tolist(), (texts, pattern)


def test_fast_mapper_equals_the_plain_one_on_the_real_lists(config, real):
    texts = []
    for f in sorted(real.glob("*.csv")):
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
        for col in ("industry", "business", "main_business", "主营业务", "行业"):
            if col in frame.columns:
                texts += list(frame[col])
    texts = pd.Series(texts, dtype=object)
    assert len(texts) > 1000
    fast, plain = IndustryMapper(config.industries), ReferenceMapper(config.industries)
    pd.testing.assert_frame_equal(fast.map_texts(texts), plain.map_texts(texts), check_dtype=False)


def test_fold_all_equals_fold_label_on_odd_characters(monkeypatch):
    monkeypatch.setattr(_text, "_ARRAY_MIN", 0)  # the array path, as a long input takes
    rng = random.Random(5)
    alphabet = "aAbZ 　\t；;，、。（）()ＡＢ１２﹣‐–—…‥①Ⅻｶﾞがか\u3099é\u0301ßİΣσ.中国汽车电池ǅ\u00a0\u2002·\U00020000\r\n"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    texts += ["", " .", "..", "ab", "Ａ  Ｂ", "\x00a"]
    assert list(fold_all(pd.Series(texts, dtype=object))) == [fold_label(t) for t in texts]
