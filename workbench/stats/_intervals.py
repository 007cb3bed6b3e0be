"""Confidence intervals: Wilson for proportions, percentile bootstrap for anything else.

The bootstrap is the plain percentile method: resample the values with replacement, compute the
statistic on every resample, and take the ``(1 - confidence) / 2`` quantiles of those statistics.
Resampling is vectorised: an index matrix of shape ``(chunk, n)`` is drawn at a time, with chunks sized
to keep each matrix around four million entries.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from statistics import NormalDist
from typing import Any

import numpy as np

from workbench.stats._common import NORMAL_APPROX_MIN_N, check_confidence

#: Largest number of distinct values for which the bootstrap of a mean draws category counts
#: (one multinomial per resample) instead of an index matrix; exact same distribution, far cheaper.
_MULTINOMIAL_MAX_DISTINCT = 64
_CHUNK_ELEMENTS = 4_000_000

Stat = str | float | Callable[..., Any]


class StatsWarning(UserWarning):
    """A statistic could not be formed as asked (an empty slice, a single case, ...)."""


def wilson_interval(successes: float, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion.

    Unlike the normal (Wald) interval it stays inside [0, 1] and keeps a proper width when every
    trial passed or every trial failed.

    Args:
        successes: number of successes (0 <= successes <= n).
        n: number of trials (> 0).
        confidence: two-sided confidence level.

    Returns:
        (lo, hi)

    Example:
        >>> lo, hi = wilson_interval(8, 10)
        >>> round(lo, 4), round(hi, 4)
        (0.4902, 0.9433)
    """
    check_confidence(confidence)
    if n <= 0:
        raise ValueError(f"n must be a positive number of trials, got {n!r}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes!r}")
    lo, hi = wilson_arrays(np.array([successes], dtype=float), np.array([n], dtype=float), confidence)
    return float(lo[0]), float(hi[0])


def wilson_arrays(successes: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised Wilson interval; entries with n == 0 come back as NaN (callers turn them into nulls)."""
    from statsmodels.stats.proportion import proportion_confint

    successes = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    lo = np.full(n.shape, np.nan)
    hi = np.full(n.shape, np.nan)
    ok = n > 0
    if ok.any():
        lo_ok, hi_ok = proportion_confint(successes[ok], n[ok], alpha=1 - confidence, method="wilson")
        lo[ok] = np.clip(lo_ok, 0.0, 1.0)
        hi[ok] = np.clip(hi_ok, 0.0, 1.0)
        # the bounds are exactly 0 / 1 at the extremes; keep float noise (1e-17) out of them
        lo[ok & (successes == 0)] = 0.0
        hi[ok & (successes == n)] = 1.0
    return lo, hi


def bootstrap_ci(
    values: Any,
    *,
    stat: Stat = "mean",
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int | None = 0,
) -> tuple[float, float | None, float | None]:
    """Percentile bootstrap confidence interval of a statistic.

    Args:
        values: 1-D numbers (list, numpy array, polars/pandas Series). NaN or None raises: a missing
            score is not a number, drop it first.
        stat: "mean", "median", a quantile in (0, 1) such as 0.95 (the 95th percentile), or a
            callable. A callable is first called as ``f(matrix, axis=-1)`` on a (resamples, n) matrix;
            if it does not accept ``axis`` it is applied to each resample.
        n_resamples: number of bootstrap resamples.
        confidence: two-sided confidence level.
        seed: seed of the numpy generator (None for fresh entropy).

    Returns:
        (estimate, lo, hi). With a single value no interval can be formed: lo and hi are None and a
        StatsWarning says so.

    Example:
        >>> est, lo, hi = bootstrap_ci([1.0, 2.0, 3.0, 4.0], seed=0)
        >>> est, lo <= est <= hi
        (2.5, True)
    """
    check_confidence(confidence)
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples!r}")
    x = _as_clean_array(values)
    fn = stat_function(stat)
    estimate = float(fn(x[None, :])[0])
    if x.size < 2:
        warnings.warn("bootstrap_ci: a single value: no interval can be formed", StatsWarning, stacklevel=2)
        return estimate, None, None
    dist = resample_stat(x, fn, n_resamples, np.random.default_rng(seed))
    lo, hi = percentile_bounds(dist, confidence)
    return estimate, lo, hi


def _as_clean_array(values: Any) -> np.ndarray:
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    x = np.asarray(values, dtype=float).ravel()
    if x.size == 0:
        raise ValueError("values is empty: there is nothing to bootstrap")
    missing = int(np.isnan(x).sum())
    if missing:
        raise ValueError(
            f"values contains {missing} NaN/None; drop missing scores first (they are not zeros)"
        )
    return x


def stat_function(stat: Stat) -> Callable[[np.ndarray], np.ndarray]:
    """Turn ``stat`` into a function mapping a (resamples, n) matrix to one value per resample."""
    if stat == "mean":
        return lambda a: a.mean(axis=-1)
    if stat == "median":
        return lambda a: np.median(a, axis=-1)
    if isinstance(stat, float) and not isinstance(stat, bool):
        if not 0 < stat < 1:
            raise ValueError(
                f"a quantile stat must be between 0 and 1 (0.95 = 95th percentile), got {stat!r}"
            )
        return lambda a: np.quantile(a, stat, axis=-1)
    if callable(stat):
        return _wrap_callable(stat)
    raise ValueError(f"stat must be 'mean', 'median', a quantile in (0, 1) or a callable, got {stat!r}")


def _wrap_callable(fn: Callable[..., Any]) -> Callable[[np.ndarray], np.ndarray]:
    def apply(a: np.ndarray) -> np.ndarray:
        try:
            out = np.asarray(fn(a, axis=-1), dtype=float)
            if out.shape == (a.shape[0],):
                return out
        except TypeError:
            pass
        return np.array([float(fn(row)) for row in a])

    return apply


def resample_stat(
    x: np.ndarray, fn: Callable[[np.ndarray], np.ndarray], n_resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """The statistic on ``n_resamples`` with-replacement resamples of ``x``, drawn in chunks."""
    n = x.size
    chunk = max(1, _CHUNK_ELEMENTS // n)
    out = np.empty(n_resamples)
    for start in range(0, n_resamples, chunk):
        stop = min(start + chunk, n_resamples)
        idx = rng.integers(0, n, size=(stop - start, n))
        out[start:stop] = fn(x[idx])
    return out


def percentile_bounds(dist: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1 - confidence) / 2
    lo, hi = np.quantile(dist, [tail, 1 - tail])
    return float(lo), float(hi)


def z_value(confidence: float) -> float:
    """Two-sided standard-normal critical value, e.g. 1.96 for 0.95."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def mean_interval(
    x: np.ndarray, n_resamples: int, confidence: float, rng: np.random.Generator
) -> tuple[float, float, str]:
    """CI of the mean of ``x`` (len >= 2, no NaN) and the name of the method used.

    * at most 64 distinct values (pass/fail, Likert, judge grades), any n: bootstrap by multinomial
      counts of the distinct values, exactly the distribution of the index bootstrap of the mean at
      O(resamples x distinct values) cost.
    * n >= NORMAL_APPROX_MIN_N: normal approximation, mean +- z * sd / sqrt(n).
    * otherwise: the index bootstrap.
    """
    n = x.size
    uniq, counts = np.unique(x, return_counts=True)
    if uniq.size <= _MULTINOMIAL_MAX_DISTINCT:
        draws = rng.multinomial(n, counts / n, size=n_resamples)
        dist = draws @ uniq / n
    elif n >= NORMAL_APPROX_MIN_N:
        half = z_value(confidence) * float(np.std(x, ddof=1)) / math.sqrt(n)
        mean = float(np.mean(x))
        return mean - half, mean + half, "normal"
    else:
        dist = resample_stat(x, lambda a: a.mean(axis=-1), n_resamples, rng)
    lo, hi = percentile_bounds(dist, confidence)
    return lo, hi, "bootstrap"


def quantile_intervals(
    x: np.ndarray, qs: list[float], n_resamples: int, confidence: float, rng: np.random.Generator
) -> tuple[list[tuple[float, float]], str]:
    """CIs of several quantiles of ``x`` (len >= 2): percentile bootstrap, or order statistics when large.

    For n >= NORMAL_APPROX_MIN_N the distribution-free order-statistic interval is used instead of
    resampling: ranks from the Binomial(n, q) quantiles, [x_(l), x_(u)].
    """
    n = x.size
    if n >= NORMAL_APPROX_MIN_N:
        from scipy.stats import binom

        xs = np.sort(x)
        tail = (1 - confidence) / 2
        out = []
        for q in qs:
            lo_rank = int(max(binom.ppf(tail, n, q), 1))
            hi_rank = int(min(binom.ppf(1 - tail, n, q) + 1, n))
            out.append((float(xs[lo_rank - 1]), float(xs[hi_rank - 1])))
        return out, "order statistics"
    xs = np.sort(x)
    dist = np.empty((len(qs), n_resamples))
    chunk = max(1, _CHUNK_ELEMENTS // n)
    for start in range(0, n_resamples, chunk):
        stop = min(start + chunk, n_resamples)
        idx = rng.integers(0, n, size=(stop - start, n))
        dist[:, start:stop] = np.quantile(xs[idx], qs, axis=-1)
    return [percentile_bounds(d, confidence) for d in dist], "bootstrap"
