"""Percentile bootstrap over items, vectorised through item-weight matrices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.agreement._stats import Kernel

#: Cap on the number of cells of one weight matrix, so that a large table is resampled in chunks.
_MAX_CELLS = 4_000_000


@dataclass(frozen=True)
class Estimate:
    value: float
    ci_lo: float
    ci_hi: float
    n_resamples: int  # resamples drawn
    n_dropped: int  # resamples where the statistic was undefined (nan)
    confidence: float = 0.95


def check_confidence(confidence: float, n_resamples: int) -> None:
    """Both interval options checked, with errors that name them."""
    if isinstance(confidence, bool) or not isinstance(confidence, float | int) or not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r}: expected a confidence level between 0 and 1, e.g. 0.95")
    if not isinstance(n_resamples, int) or isinstance(n_resamples, bool) or n_resamples < 0:
        raise ValueError(f"n_resamples={n_resamples!r}: expected a non-negative integer (0: no interval)")


def estimate(
    kernel: Kernel, n_items: int, *, confidence: float, n_resamples: int, seed: int, cost: int = 1
) -> Estimate:
    """Point estimate (all weights 1) and percentile interval over ``n_resamples`` item resamples.

    ``cost`` is the kernel's work per resample in cells (e.g. k*k for a k x k table); resamples
    are drawn in chunks of at most ``_MAX_CELLS / max(n_items, cost)`` to bound memory. The
    generator stream is the same however it is chunked.

    Resamples where the statistic is undefined (e.g. only one category drawn) are dropped and
    counted; with no defined resample the interval is nan.
    """
    check_confidence(confidence, n_resamples)
    nan = float("nan")
    if n_items == 0:
        return Estimate(nan, nan, nan, 0, 0, confidence)
    value = float(kernel(np.ones((1, n_items)))[0])
    if n_resamples == 0:
        return Estimate(value, nan, nan, 0, 0, confidence)
    rng = np.random.default_rng(seed)
    chunk = max(1, _MAX_CELLS // max(n_items, cost))
    draws: list[np.ndarray] = []
    for start in range(0, n_resamples, chunk):
        b = min(chunk, n_resamples - start)
        picks = rng.integers(0, n_items, size=(b, n_items))
        flat = (picks + (np.arange(b) * n_items)[:, None]).ravel()
        weights = np.bincount(flat, minlength=b * n_items).reshape(b, n_items).astype(np.float64)
        draws.append(kernel(weights))
    stats = np.concatenate(draws)
    finite = stats[np.isfinite(stats)]
    dropped = int(n_resamples - finite.size)
    if finite.size == 0:
        return Estimate(value, nan, nan, n_resamples, dropped, confidence)
    alpha = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(finite, [alpha, 1.0 - alpha])
    return Estimate(value, float(lo), float(hi), n_resamples, dropped, confidence)


def describe(est: Estimate) -> str:
    """The interval part of ``Agreement.method``, e.g. "95% percentile bootstrap over items, 1000 resamples"."""
    if est.n_resamples == 0:
        return "no interval"
    return f"{100 * est.confidence:g}% percentile bootstrap over items, {est.n_resamples} resamples"


def dropped_note(est: Estimate) -> str | None:
    if not est.n_dropped:
        return None
    return (
        f"{est.n_dropped} of {est.n_resamples} bootstrap resamples were undefined (e.g. one category "
        "only) and left out of the interval"
    )
