"""Deterministic text scorers: exact match, token F1, contains, regular expressions, numbers."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from workbench.metrics._f1 import token_f1_series
from workbench.metrics._frame import columnwise, null_field_error
from workbench.metrics._scorer import Score, scorer
from workbench.metrics._text import normalize_text, normalized_pair, token_f1_text


def _null_errors(ref: pl.Series, field: str) -> pl.Series:
    return (
        pl.select(
            pl.when(ref.is_null()).then(pl.lit(null_field_error(field))).otherwise(pl.lit(None, pl.Utf8))
        )
        .to_series()
        .alias("error")
    )


# -- exact match -----------------------------------------------------------------------------------


def _exact_match_frame(
    df: pl.DataFrame, *, normalize: bool, ignore_case: bool, strip_punctuation: bool, field: str
) -> pl.DataFrame:
    opts = {"normalize": normalize, "ignore_case": ignore_case, "strip_punctuation": strip_punctuation}
    out, ref = normalized_pair(df, "output", field, **opts)
    equal = (out.values == ref.values).alias("passed")
    return pl.DataFrame([equal.cast(pl.Float64).alias("value"), equal, _null_errors(ref.values, field)])


@scorer(vectorized=_exact_match_frame, columns={"field": "text"})
def exact_match(
    output: str,
    row: Mapping[str, Any],
    *,
    normalize: bool = True,
    ignore_case: bool = True,
    strip_punctuation: bool = True,
    field: str = "reference",
) -> Score | bool:
    """Whether the output equals the reference (passed; value 1.0/0.0).

    With the defaults both texts are normalised as in SQuAD before comparing: lower-cased
    (``ignore_case``), ASCII punctuation removed (``strip_punctuation``), whitespace collapsed and
    the articles a/an/the dropped (``normalize``). With all three False the texts must be identical.

    Args:
        field: the column holding the expected text (a case field or metadata column).

    Example:
        >>> exact_match.score_one("The Eiffel Tower!", row={"reference": "eiffel tower"}).passed
        True
    """
    ref = row[field]
    if ref is None:
        return Score(error=null_field_error(field))
    opts = {"normalize": normalize, "ignore_case": ignore_case, "strip_punctuation": strip_punctuation}
    return normalize_text(output, **opts) == normalize_text(ref, **opts)


# -- token F1 --------------------------------------------------------------------------------------


def _token_f1_frame(df: pl.DataFrame, *, field: str, threshold: float | None) -> pl.DataFrame:
    out, ref = normalized_pair(df, "output", field)
    values = np.full(len(df), np.nan)
    rows = np.flatnonzero(ref.values.is_not_null().to_numpy())
    values[rows] = token_f1_series(out.take(rows), ref.take(rows))
    return pl.DataFrame([pl.Series("value", values).fill_nan(None), _null_errors(ref.values, field)])


@scorer(vectorized=_token_f1_frame, columns={"field": "text"})
def token_f1(
    output: str, row: Mapping[str, Any], *, field: str = "reference", threshold: float | None = None
) -> Score | float:
    """Token-overlap F1 between output and reference, as in the SQuAD v2 evaluation script.

    Both texts are normalised (lower case, no punctuation, no articles), split on whitespace, and
    compared as multisets: with ``s`` shared tokens, precision ``s/len(output)``, recall
    ``s/len(reference)``, F1 their harmonic mean. Two empty texts score 1.0, one empty text 0.0.
    ``passed`` is ``value >= threshold`` when a threshold is given.

    Example:
        >>> token_f1.score_one("the cat sat", row={"reference": "a cat sat down"}).value
        0.8
    """
    ref = row[field]
    if ref is None:
        return Score(error=null_field_error(field))
    return token_f1_text(output, ref)


# -- contains --------------------------------------------------------------------------------------


def _check_contains(text: str | None, field: str | None, ignore_case: bool, all_of: Any, any_of: Any) -> None:
    if text is None and field is None and all_of is None and any_of is None:
        raise ValueError("contains() needs what to look for: text=, field=, all_of= or any_of=")
    if text is not None and not isinstance(text, str):
        raise ValueError(f"contains(text={text!r}): text must be a string")
    for name, words in (("all_of", all_of), ("any_of", any_of)):
        if words is None:
            continue
        if isinstance(words, str) or not isinstance(words, Sequence) or not words:
            raise ValueError(f"contains({name}={words!r}): expected a non-empty list of strings")
        bad = [w for w in words if not isinstance(w, str)]
        if bad:
            raise ValueError(f"contains({name}=...): every item must be a string, got {bad[0]!r}")


def _contains_frame(
    df: pl.DataFrame,
    *,
    text: str | None,
    field: str | None,
    ignore_case: bool,
    all_of: Sequence[str] | None,
    any_of: Sequence[str] | None,
) -> pl.DataFrame:
    def fold(e: pl.Expr) -> pl.Expr:
        return e.str.to_lowercase() if ignore_case else e

    def fold_s(s: str) -> str:
        return s.lower() if ignore_case else s

    out = fold(pl.col("output"))
    conds: list[pl.Expr] = []
    if text is not None:
        conds.append(out.str.contains(fold_s(text), literal=True))
    if field is not None:
        conds.append(out.str.contains(fold(pl.col(field)), literal=True))
    if all_of is not None:
        conds.append(pl.all_horizontal([out.str.contains(fold_s(w), literal=True) for w in all_of]))
    if any_of is not None:
        conds.append(pl.any_horizontal([out.str.contains(fold_s(w), literal=True) for w in any_of]))
    passed = conds[0]
    for c in conds[1:]:
        passed = passed & c
    if field is not None:  # a null needle makes the row unscorable, whatever the other conditions say
        passed = pl.when(pl.col(field).is_null()).then(pl.lit(None, pl.Boolean)).otherwise(passed)
    frame = df.select(passed.alias("passed"))
    frame = frame.with_columns(pl.col("passed").cast(pl.Float64).alias("value"))
    if field is not None:
        frame = frame.with_columns(_null_errors(df.get_column(field), field))
    return frame


@scorer(
    vectorized=_contains_frame,
    columns={"field": "text"},
    validate=lambda text, field, ignore_case, all_of, any_of: _check_contains(
        text, field, ignore_case, all_of, any_of
    ),
)
def contains(
    output: str,
    row: Mapping[str, Any],
    text: str | None = None,
    *,
    field: str | None = None,
    ignore_case: bool = True,
    all_of: Sequence[str] | None = None,
    any_of: Sequence[str] | None = None,
) -> Score | bool:
    """Whether the output contains a text (passed; value 1.0/0.0).

    Give one or more of: ``text`` (a fixed string), ``field`` (a column whose value must appear),
    ``all_of`` (every string must appear), ``any_of`` (at least one must appear); all given
    conditions must hold. Matching is by substring, case-insensitive unless ``ignore_case=False``.

    Example:
        >>> contains("refund").score_one("We issued a Refund.").passed
        True
        >>> contains(any_of=["sorry", "apolog"]).score_one("We apologise").passed
        True
    """

    def fold(s: str) -> str:
        return s.lower() if ignore_case else s

    out = fold(output)
    ok = True
    if text is not None:
        ok = ok and fold(text) in out
    if field is not None:
        needle = row[field]
        if needle is None:
            return Score(error=null_field_error(field))
        ok = ok and fold(needle) in out
    if all_of is not None:
        ok = ok and all(fold(w) in out for w in all_of)
    if any_of is not None:
        ok = ok and any(fold(w) in out for w in any_of)
    return ok


# -- regular expressions ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def _check_regex(pattern: Any, flags: Any) -> None:
    if not isinstance(pattern, str):
        raise ValueError(f"regex_match(pattern={pattern!r}): pattern must be a string")
    if isinstance(flags, bool) or not isinstance(flags, int):
        raise ValueError(f"regex_match(flags={flags!r}): flags must be re flags, e.g. re.IGNORECASE")
    try:
        _compiled(pattern, int(flags))
    except re.error as e:
        where = f" at position {e.pos}" if e.pos is not None else ""
        raise ValueError(
            f"regex_match(pattern={pattern!r}): invalid regular expression: {e.msg}{where}"
        ) from None


def _regex_core(output: str, _ref: Any, *, pattern: str, flags: int = 0) -> Score:
    ok = _compiled(pattern, int(flags)).search(output) is not None
    return Score(value=1.0 if ok else 0.0, passed=ok)


@scorer(vectorized=columnwise(_regex_core), columns=(), validate=_check_regex)
def regex_match(output: str, pattern: str, flags: int = 0) -> Score:
    """Whether Python's ``re.search(pattern, output, flags)`` finds a match (passed; value 1.0/0.0).

    An invalid pattern raises a ValueError when the scorer is built.

    Example:
        >>> import re
        >>> regex_match(r"order #\\d+", re.IGNORECASE).score_one("Your ORDER #123 shipped").passed
        True
    """
    return _regex_core(output, None, pattern=pattern, flags=flags)


# -- numbers ---------------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+(?:[eE][-+]?\d+)?", re.ASCII
)


def parse_number(text: str, last: bool = False) -> float | None:
    """The first (or last) number in a text: "1,234.5" -> 1234.5, "-3" -> -3.0, "12%" -> 12.0.

    Thousands separators must be commas in groups of three; a percent sign is ignored.

    Example:
        >>> parse_number("It costs $1,234.50 (about 12% more)")
        1234.5
    """
    if last:
        found = None
        for found in _NUMBER.finditer(text):  # noqa: B007 - keep the last match
            pass
        match = found
    else:
        match = _NUMBER.search(text)
    return None if match is None else float(match.group().replace(",", ""))


def _check_numeric(tolerance: Any, relative: Any, field: Any, last: Any) -> None:
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not tolerance >= 0:
        raise ValueError(f"numeric_match(tolerance={tolerance!r}): a number >= 0 is expected")


def _numeric_core(
    output: str, ref: Any, *, tolerance: float, relative: bool, field: str, last: bool
) -> Score:
    if isinstance(ref, int | float) and not isinstance(ref, bool):
        expected = float(ref)
    else:
        parsed = parse_number(str(ref))
        if parsed is None:
            return Score(error=f"{field} {str(ref)[:60]!r} has no number")
        expected = parsed
    got = parse_number(output, last=last)
    if got is None:
        return Score(value=0.0, passed=False, rationale="no number in the output")
    limit = tolerance * abs(expected) if relative else tolerance
    ok = got == expected or abs(got - expected) <= limit  # == first: inf matches inf
    return Score(
        value=1.0 if ok else 0.0, passed=ok, rationale=None if ok else f"expected {expected!r}, got {got!r}"
    )


@scorer(
    vectorized=columnwise(_numeric_core, field_arg="field"),
    columns={"field": "text_or_number"},
    validate=_check_numeric,
)
def numeric_match(
    output: str,
    row: Mapping[str, Any],
    *,
    tolerance: float = 0.0,
    relative: bool = False,
    field: str = "reference",
    last: bool = False,
) -> Score:
    """Whether the first number in the output equals the reference number (passed; value 1.0/0.0).

    Numbers are read as by :func:`parse_number` ("1,234.5", "-3", "12%" -> 12). They match when
    ``|got - expected| <= tolerance`` (``<= tolerance * |expected|`` with ``relative=True``). The
    reference may be a number or a text holding one. ``last=True`` reads the output's last number
    instead (for answers that end with the result). An output without a number fails.

    Example:
        >>> numeric_match.score_one("The total is 1,234.5 USD", row={"reference": "1234.5"}).passed
        True
    """
    ref = row[field]
    if ref is None:
        return Score(error=null_field_error(field))
    return _numeric_core(output, ref, tolerance=tolerance, relative=relative, field=field, last=last)
