"""Text normalisation in a Python (row) form and a polars (column) form, and token F1 per row.

The two normalisations give identical results: the same characters are removed and split on
(the column form of token F1 is in ``_f1.py``). The one caveat is lower-casing, where Python and
polars may follow different Unicode versions for characters added recently.
"""

from __future__ import annotations

import string
import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

ARTICLES = frozenset({"a", "an", "the"})
#: ASCII punctuation, as in the SQuAD evaluation script.
PUNCTUATION = string.punctuation
_PUNCT_TABLE = str.maketrans("", "", PUNCTUATION)
#: Every character Python's ``str.split()`` splits on, other than the space itself.
OTHER_WHITESPACE = tuple(c for c in map(chr, range(0x110000)) if c.isspace() and c != " ")
# Runs of articles in a single-spaced string padded with a space at each end (the padding gives
# every word a space on both sides, and the leading space lets the regex skip to candidates fast).
_ARTICLES_RE = r" (?:(?:a|an|the) )+"


def normalize_text(
    text: str, *, ignore_case: bool = True, strip_punctuation: bool = True, normalize: bool = True
) -> str:
    """SQuAD-style answer normalisation, each step optional.

    ``ignore_case`` lower-cases; ``strip_punctuation`` removes ASCII punctuation;
    ``normalize`` splits on whitespace, drops the articles a/an/the (in any case) and joins the
    words with single spaces. All three together are the SQuAD normalisation, except that an
    article is a whole whitespace-separated word here ("x—a" keeps its "a"; SQuAD drops it).

    Example:
        >>> normalize_text("  The Cat,  sat on a mat! ")
        'cat sat on mat'
    """
    if ignore_case:
        text = text.lower()
    if strip_punctuation:
        text = text.translate(_PUNCT_TABLE)
    if normalize:
        text = " ".join(w for w in text.split() if w.lower() not in ARTICLES)
    return text


def normalize_expr(
    expr: pl.Expr, *, ignore_case: bool = True, strip_punctuation: bool = True, normalize: bool = True
) -> pl.Expr:
    """:func:`normalize_text` as a polars expression."""
    if ignore_case:
        expr = expr.str.to_lowercase()
    # punctuation and other whitespace are disjoint single characters: one replace_many pass
    patterns: list[str] = []
    replacements: list[str] = []
    if strip_punctuation:
        patterns += PUNCTUATION
        replacements += [""] * len(PUNCTUATION)
    if normalize:
        patterns += OTHER_WHITESPACE
        replacements += [" "] * len(OTHER_WHITESPACE)
    if patterns:
        expr = expr.str.replace_many(patterns, replacements)
    if normalize:
        articles = _ARTICLES_RE if ignore_case else "(?i)" + _ARTICLES_RE  # else: already lower case
        expr = expr.str.replace_all(" {2,}", " ").str.strip_chars(" ")
        expr = (" " + expr + " ").str.replace_all(articles, " ").str.strip_chars(" ")
    return expr


@dataclass(frozen=True)
class Normalized:
    """A normalised text column; when the column repeats texts (a reference per case, repeated
    for every model and sample) also its distinct texts, with ``values == distinct[inverse]``."""

    values: pl.Series
    distinct: pl.Series | None = None
    inverse: np.ndarray | None = None

    def take(self, rows: np.ndarray) -> Normalized:
        inverse = None if self.inverse is None else self.inverse[rows]
        return Normalized(self.values.gather(rows), self.distinct, inverse)


def normalize_column(texts: pl.Series, **options: bool) -> Normalized:
    """:func:`normalize_expr` of a Series, computed once per distinct text when texts repeat."""
    n = len(texts)
    if n >= _DEDUPE_MIN_ROWS and (hashes := texts.hash()).n_unique() <= n // 2:
        _, first, inverse = np.unique(hashes.to_numpy(), return_index=True, return_inverse=True)
        # a 64-bit hash collision would merge two texts: check every text equals its representative
        if bool(texts.gather(first[inverse]).eq_missing(texts).all()):
            once = map_parallel(texts.gather(first), lambda e: normalize_expr(e, **options))
            return Normalized(once.gather(inverse).alias(texts.name), once, inverse)
    return Normalized(map_parallel(texts, lambda e: normalize_expr(e, **options)).alias(texts.name))


def normalize_series(texts: pl.Series, **options: bool) -> pl.Series:
    """:func:`normalize_expr` of a Series (see :func:`normalize_column`)."""
    return normalize_column(texts, **options).values


def map_parallel(series: pl.Series, fn: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """``fn`` (an expression of one column) applied to ``series``; a long series is cut into one
    slice per polars thread so that the string kernels run on every core."""
    parts = pl.thread_pool_size() if len(series) >= _PARALLEL_MIN_ROWS else 1
    size = -(-len(series) // parts)
    frames = [
        series.slice(i * size, size).to_frame("t").lazy().select(fn(pl.col("t")).alias("t"))
        for i in range(parts)
    ]
    return pl.concat([f.to_series() for f in pl.collect_all(frames)])


_DEDUPE_MIN_ROWS = 10_000
_PARALLEL_MIN_ROWS = 100_000


# One scoring call hands the same frame to every vectorised scorer; exact_match and token_f1 both
# need the normalised text, so it is computed once per (frame, column, options) and dropped with the frame.
_MEMO: dict[tuple[int, str, tuple[bool, ...]], tuple[weakref.ref, Normalized]] = {}


def _flags(options: dict[str, bool]) -> tuple[bool, ...]:
    return tuple(options.get(k, True) for k in ("ignore_case", "strip_punctuation", "normalize"))


def normalized_pair(df: pl.DataFrame, a: str, b: str, **options: bool) -> tuple[Normalized, Normalized]:
    """:func:`normalize_column` of ``df[a]`` and ``df[b]``, memoised for the lifetime of ``df``."""
    flags = _flags(options)
    out = []
    for col in (a, b):
        key = (id(df), col, flags)
        hit = _MEMO.get(key)
        if hit is not None and hit[0]() is df:
            out.append(hit[1])
            continue
        normalized = normalize_column(df.get_column(col), **options)

        def forget(_: object, key: tuple[int, str, tuple[bool, ...]] = key) -> None:
            _MEMO.pop(key, None)

        _MEMO[key] = (weakref.ref(df, forget), normalized)
        out.append(normalized)
    return out[0], out[1]


# -- token F1 -------------------------------------------------------------------------------------


def f1_from_counts(n_same: int, n_pred: int, n_gold: int) -> float:
    """SQuAD v2 F1 from the shared-token count and the two token counts."""
    if n_pred == 0 or n_gold == 0:
        return float(n_pred == n_gold)
    if n_same == 0:
        return 0.0
    precision = n_same / n_pred
    recall = n_same / n_gold
    return 2 * precision * recall / (precision + recall)


def token_f1_text(prediction: str, reference: str) -> float:
    """Token F1 of the SQuAD evaluation script: multiset overlap of normalised tokens.

    Example:
        >>> round(token_f1_text("the cat sat", "a cat sat down"), 4)   # 2 shared; P=2/2, R=2/3
        0.8
    """
    pred = normalize_text(prediction).split()
    gold = normalize_text(reference).split()
    if not pred or not gold:
        return float(pred == gold)
    n_same = sum((Counter(pred) & Counter(gold)).values())
    return f1_from_counts(n_same, len(pred), len(gold))
