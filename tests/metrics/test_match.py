"""Deterministic text scorers on toy inputs with hand-worked values, and vectorised == row path."""

from __future__ import annotations

import random
import re

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from workbench.metrics import (
    Score,
    contains,
    exact_match,
    numeric_match,
    parse_number,
    regex_match,
    score,
    token_f1,
)


def one(s, output: str, reference=None, **row) -> Score:
    return s.score_one(output, row={"reference": reference, **row})


# -- exact match -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "reference", "expected"),
    [
        ("The Eiffel Tower!", "eiffel tower", True),  # SQuAD: case, punctuation, articles
        ("Denver Broncos", "The Denver Broncos", True),
        ("  Paris\n", "paris", True),
        ("Paris, France", "Paris", False),
        ("an apple", "apple", True),
        ("", "the", True),  # both normalise to ""
    ],
)
def test_exact_match_squad_normalisation(output, reference, expected):
    assert one(exact_match, output, reference) == Score(value=float(expected), passed=expected)


def test_exact_match_options():
    assert one(exact_match(ignore_case=False), "Eiffel Tower", "eiffel tower").passed is False
    assert one(exact_match(ignore_case=False), "The Eiffel Tower", "Eiffel Tower").passed is True
    assert one(exact_match(strip_punctuation=False), "paris.", "paris").passed is False
    assert one(exact_match(normalize=False), "the paris", "paris").passed is False
    assert one(exact_match(normalize=False), "Paris ", "paris").passed is False
    strict = exact_match(normalize=False, ignore_case=False, strip_punctuation=False)
    assert one(strict, "Paris", "Paris").passed is True
    assert one(strict, "Paris", "paris").passed is False


def test_exact_match_null_reference_is_an_error():
    assert one(exact_match, "x", None) == Score(error="reference is null for this case")


# -- token F1 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "reference", "expected"),
    [
        ("the cat sat", "a cat sat down", 0.8),  # 2 shared; P = 2/2, R = 2/3
        ("Denver Broncos", "The Denver Broncos", 1.0),
        ("x x y", "x y y", 2 / 3),  # multiset: shared {x: 1, y: 1}; P = R = 2/3
        ("x y z w", "x", 0.4),  # P = 1/4, R = 1: 2 * 0.25 / 1.25
        ("foo", "bar", 0.0),
        ("the", "an", 1.0),  # both empty after normalisation (SQuAD v2)
        ("the", "cat", 0.0),  # one empty
        ("Hello, world!", "hello world", 1.0),
    ],
)
def test_token_f1_hand_worked(output, reference, expected):
    assert one(token_f1, output, reference).value == pytest.approx(expected, abs=1e-15)


def test_token_f1_threshold_sets_passed():
    assert one(token_f1(threshold=0.8), "the cat sat", "a cat sat down").passed is True
    assert one(token_f1(threshold=0.9), "the cat sat", "a cat sat down").passed is False
    assert one(token_f1, "the cat sat", "a cat sat down").passed is None


# -- contains --------------------------------------------------------------------------------------


def test_contains_forms():
    assert one(contains("refund"), "We issued a REFUND.").passed is True
    assert one(contains("refund", ignore_case=False), "We issued a REFUND.").passed is False
    assert one(contains(field="order_id"), "order A-17 shipped", order_id="a-17").passed is True
    assert one(contains(all_of=["order", "shipped"]), "order A-17 shipped").passed is True
    assert one(contains(all_of=["order", "refund"]), "order A-17 shipped").passed is False
    assert one(contains(any_of=["sorry", "apolog"]), "We apologise").passed is True
    assert one(contains(any_of=["sorry", "oops"]), "We apologise").passed is False
    # every condition given must hold
    assert one(contains("order", any_of=["refund"]), "order shipped").passed is False


def test_contains_needs_something_to_look_for():
    with pytest.raises(ValueError, match=r"contains\(\) needs what to look for"):
        score(pl.DataFrame({"case_id": ["a"], "output": ["x"]}), contains)
    with pytest.raises(ValueError, match=r"contains\(all_of='refund'\): expected a non-empty list"):
        contains(all_of="refund")


# -- regex -----------------------------------------------------------------------------------------


def test_regex_match():
    assert regex_match(r"order #\d+").score_one("your order #123").passed is True
    assert regex_match(r"order #\d+").score_one("your ORDER #123").passed is False
    assert regex_match(r"order #\d+", re.IGNORECASE).score_one("your ORDER #123").passed is True


def test_invalid_regex_raises_at_construction():
    with pytest.raises(
        ValueError, match=r"regex_match\(pattern='\(\?P<x'\): invalid regular expression: .* at position \d+"
    ):
        regex_match("(?P<x")
    with pytest.raises(ValueError, match="flags must be re flags"):
        regex_match("a", flags="i")


# -- numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("It costs $1,234.50 in total", 1234.5),
        ("-3 degrees", -3.0),
        ("growth of 12%", 12.0),
        ("1,2,3", 1.0),
        ("v .5 and 7", 0.5),
        ("1e3 items", 1000.0),
        ("none here", None),
    ],
)
def test_parse_number(text, number):
    assert parse_number(text) == number


def test_numeric_match():
    assert one(numeric_match, "The total is 1,234.5 USD", "1234.5").passed is True
    assert one(numeric_match, "-3", -3).passed is True  # a numeric reference column
    assert one(numeric_match, "12%", "12").passed is True
    assert one(numeric_match, "about 100", "105") == Score(
        value=0.0, passed=False, rationale="expected 105.0, got 100.0"
    )
    assert one(numeric_match(tolerance=5), "about 100", "105").passed is True
    assert one(numeric_match(tolerance=0.05, relative=True), "100", "104").passed is True
    assert one(numeric_match(tolerance=0.01, relative=True), "100", "104").passed is False
    assert one(numeric_match(last=True), "Step 1: 6 x 7 = 42", "42").passed is True
    assert one(numeric_match, "Step 1: 6 x 7 = 42", "42").passed is False


def test_numeric_match_without_numbers():
    assert one(numeric_match, "I do not know", "42") == Score(
        value=0.0, passed=False, rationale="no number in the output"
    )
    # a reference without a number cannot be scored: an error, not a failure
    assert one(numeric_match, "42", "n/a") == Score(error="reference 'n/a' has no number")
    with pytest.raises(ValueError, match=r"numeric_match\(tolerance=-1\): a number >= 0"):
        numeric_match(tolerance=-1)


# -- vectorised == row path ------------------------------------------------------------------------

_PIECES = [
    "the", "The", "a", "A", "an", "AN", "cat", "Cat", "sat", "mat", "x", "y", "é", "Straße", "ΟΔΟΣ",
    "İstanbul", "1,234.5", "-3", "12%", "42", ".5", "don't", "U.S.A.", "(yes)", "—", "«a»",
    " ", " ", "  ", "\t", "\n", "\x1c", "\xa0", "\u3000", ",", "!", "?",
]  # fmt: skip


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) + rng.choice(["", " ", " "]) for _ in range(rng.randint(0, 12)))


@pytest.fixture(scope="module")
def random_results() -> pl.DataFrame:
    rng = random.Random(1234)
    n = 600
    refs = [_random_text(rng) for _ in range(n)]
    outs = [r if rng.random() < 0.25 else _random_text(rng) for r in refs]
    outs[5] = None  # a failed call
    refs[7] = None  # a case without a reference
    return pl.DataFrame(
        {
            "case_id": [f"c{i}" for i in range(n)],
            "model": "m",
            "variant": "v",
            "output": outs,
            "error_type": [("Timeout" if o is None else None) for o in outs],
            "reference": refs,
            "needle": [rng.choice(["cat", "THE", "é", "", None, "x y"]) for _ in range(n)],
            "number": [rng.choice([42, -3, 1234.5, 0.5, 12]) for _ in range(n)],
        }
    )


@pytest.mark.parametrize(
    "s",
    [
        *(
            exact_match(normalize=a, ignore_case=b, strip_punctuation=c)
            for a in (True, False)
            for b in (True, False)
            for c in (True, False)
        ),
        token_f1,
        token_f1(threshold=0.5),
        contains("the"),
        contains("The", ignore_case=False),
        contains(field="needle"),
        contains(all_of=["a", "cat"], any_of=["x", "é"]),
        numeric_match,
        numeric_match(field="number", tolerance=1),
        regex_match(r"\bthe\b", re.I),
    ],
    ids=repr,
)
def test_vectorised_path_equals_row_path(random_results, s):
    fast = score(random_results, s, vectorized=True).table
    slow = score(random_results, s, vectorized=False).table
    assert_frame_equal(fast, slow)
    assert fast.filter(pl.col("case_id") == "c5")["error"].to_list() == ["no output: Timeout"]


def test_token_f1_is_exactly_the_python_reference(random_results):
    fast = score(random_results, token_f1).table["value"].to_list()
    rows = random_results.to_dicts()
    expected = [
        None
        if r["output"] is None or r["reference"] is None
        else token_f1.score_one(r["output"], row=r).value
        for r in rows
    ]
    assert fast == expected  # bit-for-bit, not approximately


def test_vectorised_path_with_repeated_references_blocks_and_slices(random_results, monkeypatch):
    from workbench.metrics import _f1, _text

    # the large-table code paths, on a small table: de-duplicated references, slices, blocks
    monkeypatch.setattr(_text, "_DEDUPE_MIN_ROWS", 10)
    monkeypatch.setattr(_text, "_PARALLEL_MIN_ROWS", 10)
    monkeypatch.setattr(_f1, "DEDUPE_MIN_ROWS", 10)
    monkeypatch.setattr(_f1, "PARALLEL_MIN_ROWS", 10)
    monkeypatch.setattr(_f1, "ROWS_PER_BLOCK", 64)
    base = random_results.head(200)
    rng = random.Random(7)
    models = pl.concat(
        [
            base.with_columns(
                pl.lit(m).alias("model"),
                pl.Series(
                    "output", [o if o is None or rng.random() < 0.5 else o[::-1] for o in base["output"]]
                ),
            )
            for m in ("m1", "m2", "m3")
        ]
    )
    scorers = [exact_match, token_f1]
    assert_frame_equal(score(models, scorers).table, score(models, scorers, vectorized=False).table)
