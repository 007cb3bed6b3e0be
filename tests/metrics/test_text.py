"""Text normalisation and the vectorised token F1 (its hash-collision fallback and row blocks)."""

from __future__ import annotations

import polars as pl
import pytest

from workbench.metrics import _text
from workbench.metrics._text import normalize_expr, normalize_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  The Cat,  sat on a mat! ", "cat sat on mat"),
        ("An\tapple\u3000a day", "apple day"),
        ("THE the tHe", ""),
        ("theory of an anthem", "theory of anthem"),
        ("don't", "dont"),
        ("x\x1cy", "x y"),  # Python's str.split() splits on \x1c; so must polars
    ],
)
def test_normalize_text_and_expr_agree(text, expected):
    assert normalize_text(text) == expected
    assert pl.select(normalize_expr(pl.lit(text))).item() == expected


def test_repeated_texts_are_normalised_once_with_the_same_result(monkeypatch):
    monkeypatch.setattr(_text, "_DEDUPE_MIN_ROWS", 4)
    monkeypatch.setattr(_text, "_PARALLEL_MIN_ROWS", 2)  # and in slices, one per thread
    texts = pl.Series(["The Cat!", None, "a dog", "The Cat!", "a dog", "The Cat!", None, "x"] * 3)
    assert _text.normalize_series(texts).to_list() == [
        None if t is None else normalize_text(t) for t in texts
    ]
