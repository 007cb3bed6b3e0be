"""Paired comparison of two groups (models, variants) on the same cases: ``compare`` and ``compare_slices``."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import polars as pl

from workbench._table import as_table, cases_of
from workbench.stats._common import (
    NORMAL_APPROX_MIN_N,
    as_tuple,
    check_confidence,
    clean_values,
    group_label,
    join_notes,
    require_columns,
    select_metrics,
)
from workbench.stats._intervals import StatsWarning, mean_interval, wilson_arrays
from workbench.stats._slices import SLICE, Slices, attach_slices

Method = Literal["auto", "mcnemar", "permutation"]

COMPARE_SCHEMA: dict[str, Any] = {
    "metric": pl.Utf8,
    "a": pl.Utf8,
    "b": pl.Utf8,
    "n_pairs": pl.Int64,
    "n_dropped": pl.Int64,
    "mean_a": pl.Float64,
    "mean_b": pl.Float64,
    "diff": pl.Float64,
    "ci_lo": pl.Float64,
    "ci_hi": pl.Float64,
    "p_value": pl.Float64,
    "test": pl.Utf8,
    "a_better": pl.Int64,
    "b_better": pl.Int64,
    "wilcoxon_p": pl.Float64,
    "note": pl.Utf8,
}


def compare(
    scores: Any,
    metric: str,
    a: Any,
    b: Any,
    *,
    by: str | Sequence[str] = "model",
    confidence: float = 0.95,
    seed: int = 0,
    method: Method = "auto",
    n_resamples: int = 2000,
    n_permutations: int = 10000,
) -> pl.DataFrame:
    """Paired comparison of group ``a`` against group ``b`` on one metric.

    Rows of the two groups are paired on (case_id, sample); only pairs scored in both groups are used
    (``n_dropped`` counts rows without a partner plus pairs with a missing score, and ``note`` breaks
    it down). ``diff`` is mean_a - mean_b.

    * Pass/fail (``method="mcnemar"``, or "auto" when the metric has a ``passed`` column or only 0/1
      values): McNemar's test on the discordant pairs (exact binomial when fewer than 25 are
      discordant, else chi-squared with continuity correction), and Newcombe's hybrid score interval
      for the difference of paired proportions (Newcombe 1998, method 10), which keeps a proper width
      when no pair is discordant. ``a_better``/``b_better`` count pairs where only a / only b passed.
    * Continuous (``method="permutation"``): percentile bootstrap CI of the mean paired difference
      (normal approximation from 1,000 pairs) and a two-sided sign-flip permutation test: exact
      enumeration when 2**n_pairs <= n_permutations, else ``n_permutations`` random flips with
      p = (1 + hits) / (1 + n_permutations), normal approximation from 1,000 pairs. ``wilcoxon_p``
      is scipy's Wilcoxon signed-rank p as a secondary check. ``a_better``/``b_better`` count pairs
      where a's / b's value is higher.

    Pairs are treated as independent; with several samples per case the test is over samples too.

    Args:
        scores: a :class:`~workbench.metrics.Scores`, or a scores table (polars or pandas).
        metric: the metric to compare.
        a, b: a value of the ``by`` column (e.g. a model name), or a dict column -> value, e.g.
            ``{"model": "gpt-4o", "variant": "v2"}``.
        by: the column that ``a`` and ``b`` are values of (ignored for dict selectors).
        confidence: two-sided confidence level.
        seed: seed for the bootstrap and random permutations.
        method: "auto", "mcnemar" or "permutation".
        n_resamples: bootstrap resamples.
        n_permutations: permutations for the sign-flip test.

    Returns:
        A one-row polars DataFrame with the columns of ``COMPARE_SCHEMA``.

    Example:
        >>> import polars as pl
        >>> s = pl.DataFrame({"case_id": ["1", "2", "3"] * 2, "sample": 0, "metric": "ok",
        ...     "model": ["x"] * 3 + ["y"] * 3, "value": [1.0, 1.0, 0.0, 0.0, 1.0, 0.0]})
        >>> out = compare(s, "ok", "x", "y")
        >>> out.select("n_pairs", pl.col("diff").round(3), "a_better", "b_better", "test").row(0)
        (3, 0.333, 1, 0, 'mcnemar exact')
    """
    check_confidence(confidence)
    frame, sel_a, sel_b, keys = _prepare(scores, metric, a, b, by)
    kind = _kind(frame, sel_a, sel_b, keys, method)
    row = _compare(frame, sel_a, sel_b, keys, kind, confidence, seed, n_resamples, n_permutations)
    row.update(metric=metric, a=group_label(a), b=group_label(b))
    if row["n_pairs"] == 0:
        warnings.warn(
            f"compare: {group_label(a)} and {group_label(b)} share no scored cases",
            StatsWarning,
            stacklevel=2,
        )
    return pl.DataFrame([row], schema=COMPARE_SCHEMA)


def compare_slices(
    scores: Any,
    metric: str,
    a: Any,
    b: Any,
    *,
    slices: Slices,
    cases: Any = None,
    by: str | Sequence[str] = "model",
    correction: Literal["holm", "fdr_bh"] = "holm",
    confidence: float = 0.95,
    seed: int = 0,
    method: Method = "auto",
    n_resamples: int = 2000,
    n_permutations: int = 10000,
) -> pl.DataFrame:
    """``compare`` within each slice, with p-values adjusted for the number of slices.

    The test is chosen once on all the data so that every slice uses the same one. ``p_adjusted`` is
    Holm's step-down adjustment (``correction="holm"``, controls the family-wise error rate) or
    Benjamini-Hochberg (``"fdr_bh"``, controls the false discovery rate), computed by statsmodels'
    ``multipletests`` over the slices that have a p-value; slices with no pairs get a null p and a note.

    Args:
        slices, cases: as in ``summarize`` (a column name, or tag expressions with ``cases``).
        correction: "holm" or "fdr_bh".
        Other arguments: as in ``compare``.

    Returns:
        One row per slice: ``slice``, the ``compare`` columns, and ``p_adjusted``.
    """
    check_confidence(confidence)
    if correction not in ("holm", "fdr_bh"):
        raise ValueError(f"correction must be 'holm' or 'fdr_bh', got {correction!r}")
    cases = cases_of(scores, cases=cases)
    frame, sel_a, sel_b, keys = _prepare(scores, metric, a, b, by)
    kind = _kind(frame, sel_a, sel_b, keys, method)
    sliced, names = attach_slices(frame, slices, cases, "scores")
    rows = []
    for name in names or []:
        part = sliced.filter(pl.col(SLICE).is_null() if name is None else pl.col(SLICE) == name)
        row = _compare(part, sel_a, sel_b, keys, kind, confidence, seed, n_resamples, n_permutations)
        if row["n_pairs"] == 0:
            row["note"] = join_notes("empty slice: no paired cases", row["note"])
        row.update(metric=metric, a=group_label(a), b=group_label(b), slice=name)
        rows.append(row)
    out = pl.DataFrame(rows, schema={SLICE: pl.Utf8, **COMPARE_SCHEMA})
    empty = [r[SLICE] for r in rows if r["n_pairs"] == 0]
    if empty:
        warnings.warn(f"compare_slices: slices with no paired cases: {empty}", StatsWarning, stacklevel=2)
    return out.with_columns(pl.Series("p_adjusted", adjust_pvalues(out.get_column("p_value"), correction)))


def adjust_pvalues(pvalues: pl.Series, correction: str) -> list[float | None]:
    """Holm / BH adjusted p-values over the non-null entries; nulls stay null."""
    from statsmodels.stats.multitest import multipletests

    p = pvalues.to_list()
    present = [i for i, v in enumerate(p) if v is not None]
    out: list[float | None] = [None] * len(p)
    if present:
        adjusted = multipletests([p[i] for i in present], method=correction)[1]
        for i, v in zip(present, adjusted, strict=True):
            out[i] = float(v)
    return out


def _prepare(
    scores: Any, metric: str, a: Any, b: Any, by: str | Sequence[str]
) -> tuple[pl.DataFrame, pl.Expr, pl.Expr, list[str]]:
    frame = as_table(scores, want="scores", param="scores")
    require_columns(frame, ["metric", "value", "case_id"], "scores", "scores")
    if not isinstance(metric, str):
        raise TypeError(f"metric must be one metric name (a str), got {type(metric).__name__}")
    frame = clean_values(select_metrics(frame, metric))
    if "passed" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Boolean).alias("passed"))
    keys = ["case_id", "sample"] if "sample" in frame.columns else ["case_id"]
    frame = frame.with_columns(pl.col("case_id").cast(pl.Utf8))
    if a == b:
        raise ValueError(f"a and b are the same group ({group_label(a)!r}); compare two different groups")
    sel_a = _selector(frame, a, by, "a", metric)
    sel_b = _selector(frame, b, by, "b", metric)
    for name, sel, value in (("a", sel_a, a), ("b", sel_b, b)):
        dup = frame.filter(sel).select(keys).filter(pl.struct(keys).is_duplicated())
        if dup.height:
            example = dup.row(0)
            raise ValueError(
                f"{name}={group_label(value)!r} has several rows for the same {'/'.join(keys)} "
                f"(e.g. {example}); narrow it with a dict selector, e.g. {{'model': ..., 'run_id': ...}}"
            )
    return frame, sel_a, sel_b, keys


def _selector(frame: pl.DataFrame, value: Any, by: str | Sequence[str], name: str, metric: str) -> pl.Expr:
    if isinstance(value, dict):
        if not value:
            raise ValueError(f"{name} is an empty dict; give column -> value pairs")
        require_columns(frame, value.keys(), name, "scores")
        expr = pl.all_horizontal([pl.col(k) == v for k, v in value.items()])
        where = ", ".join(value)
    else:
        cols = as_tuple(by)
        require_columns(frame, cols, "by", "scores")
        if len(cols) != 1:
            raise ValueError(f"by has {len(cols)} columns; pass {name} as a dict of column -> value")
        expr = pl.col(cols[0]) == value
        where = cols[0]
    if frame.filter(expr).height == 0:
        shown = list(value) if isinstance(value, dict) else [where]
        seen = frame.select(shown).unique().sort(shown).head(20).rows()
        raise ValueError(
            f"{name}={group_label(value)!r} matches no rows of metric {metric!r}; values of {where}: {seen}"
        )
    return expr


def _pairs(
    frame: pl.DataFrame, sel_a: pl.Expr, sel_b: pl.Expr, keys: list[str]
) -> tuple[pl.DataFrame, int, int]:
    cols = [*keys, "value", "passed"]
    rows_a = frame.filter(sel_a).select(cols)
    rows_b = frame.filter(sel_b).select(cols)
    pairs = rows_a.join(rows_b, on=keys, how="inner", suffix="_b")
    only_a = rows_a.height - pairs.height
    only_b = rows_b.height - pairs.height
    return pairs.sort(keys), only_a, only_b


def _kind(frame: pl.DataFrame, sel_a: pl.Expr, sel_b: pl.Expr, keys: list[str], method: str) -> str:
    if method not in ("auto", "mcnemar", "permutation"):
        raise ValueError(f"method must be 'auto', 'mcnemar' or 'permutation', got {method!r}")
    if method == "permutation":
        return "value"
    pairs, _, _ = _pairs(frame, sel_a, sel_b, keys)
    if pairs.select(pl.col("passed").is_not_null() | pl.col("passed_b").is_not_null()).to_series().any():
        return "passed"
    values = pl.concat([pairs.get_column("value"), pairs.get_column("value_b")]).drop_nulls()
    if values.is_in([0.0, 1.0]).all():
        return "binary-value"
    if method == "mcnemar":
        raise ValueError(
            "method='mcnemar' needs pass/fail outcomes: a 'passed' column or values that are all 0/1"
        )
    return "value"


def _compare(
    frame: pl.DataFrame,
    sel_a: pl.Expr,
    sel_b: pl.Expr,
    keys: list[str],
    kind: str,
    confidence: float,
    seed: int,
    n_resamples: int,
    n_permutations: int,
) -> dict[str, Any]:
    pairs, only_a, only_b = _pairs(frame, sel_a, sel_b, keys)
    col_a, col_b = ("passed", "passed_b") if kind == "passed" else ("value", "value_b")
    complete = pairs.filter(pl.col(col_a).is_not_null() & pl.col(col_b).is_not_null())
    incomplete = pairs.height - complete.height
    x = complete.get_column(col_a).cast(pl.Float64).to_numpy()
    y = complete.get_column(col_b).cast(pl.Float64).to_numpy()
    dropped = [
        f"{only_a} only in a" if only_a else None,
        f"{only_b} only in b" if only_b else None,
        f"{incomplete} with a missing score" if incomplete else None,
    ]
    row: dict[str, Any] = {"n_pairs": x.size, "n_dropped": only_a + only_b + incomplete}
    kept = [d for d in dropped if d]
    row["note"] = "dropped: " + ", ".join(kept) if kept else None
    if x.size == 0:
        return row
    row.update(mean_a=float(x.mean()), mean_b=float(y.mean()), diff=float(x.mean() - y.mean()))
    if kind == "value":
        row.update(_continuous(x - y, confidence, seed, n_resamples, n_permutations))
    else:
        row.update(_binary(x.astype(bool), y.astype(bool), confidence))
    row["note"] = join_notes(row["note"], row.pop("_note", None))
    return row


def _binary(x: np.ndarray, y: np.ndarray, confidence: float) -> dict[str, Any]:
    from statsmodels.stats.contingency_tables import mcnemar

    n11, n10 = int((x & y).sum()), int((x & ~y).sum())
    n01, n00 = int((~x & y).sum()), int((~x & ~y).sum())
    discordant = n10 + n01
    exact = discordant < 25
    result = mcnemar([[n11, n10], [n01, n00]], exact=exact, correction=True)
    lo, hi = newcombe_paired_interval(n11, n10, n01, n00, confidence)
    return {
        "ci_lo": lo,
        "ci_hi": hi,
        "p_value": float(result.pvalue),
        "test": "mcnemar exact" if exact else "mcnemar chi2",
        "a_better": n10,
        "b_better": n01,
    }


def newcombe_paired_interval(
    n11: int, n10: int, n01: int, n00: int, confidence: float
) -> tuple[float, float]:
    """Newcombe's (1998, method 10) interval for p_a - p_b from a paired 2x2 table.

    ``n10`` counts pairs where only a passed, ``n01`` pairs where only b passed. Wilson intervals of
    the two marginal rates are combined with a continuity-corrected estimate of their correlation.
    """
    n = n11 + n10 + n01 + n00
    pa, pb = (n11 + n10) / n, (n11 + n01) / n
    (la, lb), (ua, ub) = wilson_arrays(np.array([n11 + n10, n11 + n01]), np.array([n, n]), confidence)
    margins = (n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00)
    phi = 0.0
    if margins > 0:
        cross = n11 * n00 - n10 * n01
        if cross > n / 2:
            phi = (cross - n / 2) / math.sqrt(margins)
        elif cross < 0:
            phi = cross / math.sqrt(margins)
    d = pa - pb
    lo = d - math.sqrt(max((pa - la) ** 2 + (ub - pb) ** 2 - 2 * phi * (pa - la) * (ub - pb), 0.0))
    hi = d + math.sqrt(max((pb - lb) ** 2 + (ua - pa) ** 2 - 2 * phi * (pb - lb) * (ua - pa), 0.0))
    return max(lo, -1.0), min(hi, 1.0)


def _continuous(
    d: np.ndarray, confidence: float, seed: int, n_resamples: int, n_permutations: int
) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {"a_better": int((d > 0).sum()), "b_better": int((d < 0).sum())}
    if d.size >= 2:
        out["ci_lo"], out["ci_hi"], _ = mean_interval(np.sort(d), n_resamples, confidence, rng)
        if np.all(d == d[0]):
            out["_note"] = "all paired differences equal: the interval has zero width"
    else:
        out["_note"] = "1 pair: no interval can be formed"
    out["p_value"], out["test"] = sign_flip_pvalue(d, n_permutations, rng)
    out["wilcoxon_p"] = _wilcoxon(d)
    return out


def sign_flip_pvalue(d: np.ndarray, n_permutations: int, rng: np.random.Generator) -> tuple[float, str]:
    """Two-sided paired permutation test of mean(d) == 0 by flipping the signs of the differences."""
    n = d.size
    observed = abs(float(d.sum()))
    # the same tolerance as scipy.stats.permutation_test, so that ties with the observed value count
    tol = observed * np.finfo(float).eps * 100
    if n >= NORMAL_APPROX_MIN_N:
        scale = math.sqrt(float((d**2).sum()))
        if scale == 0:
            return 1.0, "sign-flip (normal approx.)"
        z = observed / scale
        return math.erfc(z / math.sqrt(2)), "sign-flip (normal approx.)"
    if 2**n <= n_permutations:
        bits = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1
        stats = np.abs((1 - 2 * bits) @ d)
        return float(np.mean(stats >= observed - tol)), "sign-flip exact"
    hits = 0
    chunk = max(1, 2_000_000 // n)
    for start in range(0, n_permutations, chunk):
        size = min(chunk, n_permutations - start)
        signs = rng.integers(0, 2, size=(size, n)) * 2 - 1
        hits += int((np.abs(signs @ d) >= observed - tol).sum())
    return (hits + 1) / (n_permutations + 1), "sign-flip permutation"


def _wilcoxon(d: np.ndarray) -> float | None:
    from scipy.stats import wilcoxon

    if not np.any(d != 0):
        return None
    with warnings.catch_warnings():
        # scipy warns when it switches from the exact to the normal distribution because of ties
        warnings.simplefilter("ignore", UserWarning)
        return float(wilcoxon(d).pvalue)
