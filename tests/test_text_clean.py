"""The array-speed text folds give exactly what folding each text on its own gives.

:func:`matcher._text.nfkc_each` (behind :func:`~matcher._text.clean_texts`, which every table
reader and name normaliser uses, and :func:`~matcher.featurise.folding.fold_all`, which the
taxonomy mapper uses) is checked against the plain per-text functions on random texts.
"""

from __future__ import annotations

import contextlib
import random
import unicodedata

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import _text
from matcher._text import clean_text, clean_texts
from matcher.featurise.folding import fold_all, fold_label

#: Characters that make NFKC work: full-width forms, ligatures, enclosed and squared forms whose NFKC is
#: several characters, combining marks that compose with what precedes them (and across a removed
#: invisible character), Hangul jamo, Greek (final sigma)/Cyrillic, invisible and control characters,
#: line breaks and other whitespace.
TRICKY = (
    "恒力集团（中国）ＡＢＣ１２３　；：，。、"
    "ﬁﬀ㈱㍿™½²Ⅳⅸ①İ"
    "e\u0301a\u0308o\u0302\u0323\u0307"
    "\u1100\u1161\u11a8각\u3131ﾡ"
    "ΣσΩωеа"
    "\u200b\u200d\ufeff\u00ad\x01\x1f\x7f\t\r\n\u2028\u00a0\u2002 ."
    "abcXYZ"
)


@contextlib.contextmanager
def array_path():
    """Short inputs take the array path too (as inputs of 20,000 texts and more do)."""
    old = _text._ARRAY_MIN
    _text._ARRAY_MIN = 0
    try:
        yield
    finally:
        _text._ARRAY_MIN = old


def _check(texts: list[str]) -> None:
    assert clean_texts(texts) == [clean_text(t) for t in texts]
    assert list(fold_all(pd.Series(texts, dtype=object))) == [fold_label(t) for t in texts]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet=TRICKY, max_size=12), min_size=1, max_size=40))
def test_array_path_equals_each_text_folded(texts):
    with array_path():
        _check(texts)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=10), min_size=1, max_size=30))
def test_array_path_on_any_unicode(texts):
    with array_path():
        _check(texts)


def test_long_input_takes_the_array_path_and_agrees():
    rnd = random.Random(7)
    texts = ["".join(rnd.choice(TRICKY) for _ in range(rnd.randint(0, 15))) for _ in range(_text._ARRAY_MIN + 500)]
    texts += ["（模拟）有限公司 " + str(k) for k in range(3000)]  # distinct plain rows too
    _check(texts)


def test_every_code_point_alone_after_a_letter_and_before_a_mark():
    table = _text._nfkc_single()
    # The table maps a code point only to its NFKC form, and only where that is one code point.
    for cp in (0xFF21, 0x3000, 0xFB01, 0x2460, 0x1E9B, 0x0041, 0x4E2D, 0x3231):
        n = unicodedata.normalize("NFKC", chr(cp))
        assert chr(table[cp]) == (n if len(n) == 1 else chr(cp))
    with array_path():
        for start in range(0, 0x30000, 0x1000):
            block = [chr(cp) for cp in range(start, start + 0x1000) if not 0xD800 <= cp < 0xE000]
            _check(block + ["a" + c for c in block] + [c + "\u0301" for c in block])
