"""The column form of token F1: hash collisions, de-duplicated references, row blocks."""

from __future__ import annotations

import random

import polars as pl

from workbench.metrics import _f1
from workbench.metrics._f1 import token_f1_series
from workbench.metrics._text import token_f1_text


def _pairs(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    words = ["cat", "dog", "sat", "mat", "x", "y", "z", "w"]
    pred = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 9))) for _ in range(n)]
    gold = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 9))) for _ in range(n)]
    return pred, gold


def expected(pred: list[str], gold: list[str]) -> list[float]:
    return [token_f1_text(p, g) for p, g in zip(pred, gold, strict=True)]


def test_hash_collisions_fall_back_to_the_exact_count(monkeypatch):
    real = _f1.token_hashes

    def colliding(texts: pl.Series) -> pl.LazyFrame:
        # every token gets the same first hash, so runs mix tokens; the second hash catches it
        return real(texts).with_columns(pl.lit(0, dtype=pl.UInt64).alias("h1"))

    monkeypatch.setattr(_f1, "token_hashes", colliding)
    pred, gold = _pairs(200, seed=3)
    pred[:2], gold[:2] = ["x", "x y"], ["y", "z w"]  # runs that differ only across the two sides
    got = token_f1_series(pl.Series(pred), pl.Series(gold)).tolist()
    assert got[:2] == [0.0, 0.0]
    assert got == expected(pred, gold)


def test_blocks_and_repeated_references(monkeypatch):
    monkeypatch.setattr(_f1, "ROWS_PER_BLOCK", 7)
    monkeypatch.setattr(_f1, "DEDUPE_MIN_ROWS", 10)
    monkeypatch.setattr(_f1, "PARALLEL_MIN_ROWS", 10)
    pred, gold = _pairs(300, seed=4)
    gold = [gold[i % 20] for i in range(300)]  # 20 references, each repeated: tokenised once
    table = _f1.TokenTable.distinct(pl.Series(gold))
    assert table.inverse is not None and table.counts.size == 20
    got = token_f1_series(pl.Series(pred), pl.Series(gold)).tolist()
    assert got == expected(pred, gold)


def test_equal_and_empty_texts_need_no_tokens():
    pred = ["a b", "", "", "x"]
    gold = ["a b", "", "y", ""]
    assert token_f1_series(pl.Series(pred), pl.Series(gold)).tolist() == [1.0, 1.0, 0.0, 0.0]
    assert token_f1_series(pl.Series([], dtype=pl.Utf8), pl.Series([], dtype=pl.Utf8)).size == 0
