"""The agreement statistics as functions of per-item weights.

Every statistic here is a ratio of sums over items, so each is written as a *kernel*: a function
of a (B, n_items) matrix of item weights returning B values. All-ones weights give the point
estimate; bootstrap resamples are multinomial counts. One vectorised code path therefore serves
both, and the interval is always around the very estimator that is reported.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Kernel = Callable[[np.ndarray], np.ndarray]

#: A chance-agreement denominator below this is treated as zero (one category used).
_TINY = 1e-12


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(np.shape(num), np.nan)
    ok = np.abs(den) > _TINY
    np.divide(num, den, out=out, where=ok)
    return out


def pairable(counts: np.ndarray) -> np.ndarray:
    """Mask of items with at least two labels."""
    return counts.sum(axis=1) >= 2


def percent_kernel(counts: np.ndarray) -> Kernel:
    """Mean over items of the share of agreeing rater pairs (for two raters: share of matches).

    ``counts`` is (n_items, n_categories) for items with >= 2 labels.
    """
    m = counts.sum(axis=1)
    per_item = (counts * (counts - 1)).sum(axis=1) / (m * (m - 1))

    def kernel(w: np.ndarray) -> np.ndarray:
        return _safe_ratio(w @ per_item, w.sum(axis=1))

    return kernel


def fleiss_kernel(counts: np.ndarray) -> Kernel:
    """Fleiss' kappa, in Gwet's generalisation to unequal numbers of raters per item.

    Observed agreement is the mean over items of the per-item pair agreement (each item with its
    own number of raters m_i); category prevalence is the mean over items of n_ic / m_i (Gwet 2014,
    Handbook of Inter-Rater Reliability, ch. 2; R irrCAC ``fleiss.kappa.raw``). With the same number
    of raters on every item this is exactly Fleiss (1971).
    """
    m = counts.sum(axis=1)
    per_item = (counts * (counts - 1)).sum(axis=1) / (m * (m - 1))
    shares = counts / m[:, None]

    def kernel(w: np.ndarray) -> np.ndarray:
        total = w.sum(axis=1)
        p_obs = w @ per_item / total
        prevalence = (w @ shares) / total[:, None]
        p_chance = (prevalence**2).sum(axis=1)
        return _safe_ratio(p_obs - p_chance, 1.0 - p_chance)

    return kernel


def cohen_kernel(first: np.ndarray, second: np.ndarray, k: int, weights: str | None) -> Kernel:
    """Cohen's kappa for two raters' codes (both present), optionally linearly/quadratically weighted.

    Written with disagreement weights like sklearn: kappa = 1 - sum(w * observed) / sum(w * expected),
    w_ij = [i != j], |i - j| or (i - j)^2 on category positions.
    """
    dist = _position_distance(k, weights)
    cell = first * k + second
    onehot = np.zeros((len(cell), k * k))
    onehot[np.arange(len(cell)), cell] = 1.0

    def kernel(w: np.ndarray) -> np.ndarray:
        table = (w @ onehot).reshape(-1, k, k)
        total = table.sum(axis=(1, 2))
        rows, cols = table.sum(axis=2), table.sum(axis=1)
        observed = np.einsum("bij,ij->b", table, dist) / total
        expected = np.einsum("bi,ij,bj->b", rows, dist, cols) / total**2
        return 1.0 - _safe_ratio(observed, expected)

    return kernel


def _position_distance(k: int, weights: str | None) -> np.ndarray:
    pos = np.arange(k, dtype=np.float64)
    diff = np.abs(pos[:, None] - pos[None, :])
    if weights is None:
        return (diff > 0).astype(np.float64)
    if weights == "linear":
        return diff
    if weights == "quadratic":
        return diff**2
    raise ValueError(f"weights={weights!r}: expected None, 'linear' or 'quadratic'")


def krippendorff_kernel(counts: np.ndarray, level: str, values: np.ndarray) -> Kernel:
    """Krippendorff's alpha = 1 - (n - 1) * sum(o_ck d_ck) / sum(n_c n_k d_ck) over pairable items.

    ``counts`` is the values-by-units table (items with >= 2 labels); ``values`` the numeric value
    of each category (ratio). The ordinal metric depends on the marginals, so it is rebuilt for
    every resample from the coincidence matrix; nominal and ratio reduce to per-item scalars.
    Interval is :func:`interval_kernel`, which needs no category table.
    """
    m = counts.sum(axis=1)
    if level == "ordinal":
        return _ordinal_kernel(counts, m)
    if level == "nominal":
        dist = 1.0 - np.eye(counts.shape[1])
    elif level == "ratio":
        if np.any(values < 0):
            raise ValueError("level='ratio' needs non-negative values; use level='interval'")
        s = values[:, None] + values[None, :]
        dist = _safe_ratio(values[:, None] - values[None, :], s) ** 2
        dist = np.nan_to_num(dist, nan=0.0)  # 0 and 0: the same value
    else:
        raise ValueError(f"level={level!r}: expected nominal, ordinal or ratio here")
    # d_cc = 0 for every metric, so o_u . d = n_u' d n_u / (m_u - 1) per item.
    disagree = np.einsum("uk,kl,ul->u", counts, dist, counts) / (m - 1)

    def kernel(w: np.ndarray) -> np.ndarray:
        n = w @ m
        marg = w @ counts
        expected = np.einsum("bk,kl,bl->b", marg, dist, marg)
        return 1.0 - (n - 1) * _safe_ratio(w @ disagree, expected)

    return kernel


def interval_kernel(matrix: np.ndarray) -> Kernel:
    """Krippendorff's interval alpha from an items x raters matrix of numbers (NaN = missing).

    sum_{c,k} n_c n_k (v_c - v_k)^2 = 2 (N sum v^2 - (sum v)^2), so only per-item sums are needed,
    however many distinct values there are. Alpha does not change under an affine map of the
    values, so they are first mapped to [0, 1]: a single value gives exactly zero expected
    disagreement, and the zero test does not depend on the scale of the labels.
    """
    finite = np.isfinite(matrix)
    lo, hi = (np.nanmin(matrix), np.nanmax(matrix)) if finite.any() else (0.0, 0.0)
    scaled = np.where(finite, (matrix - lo) / (hi - lo if hi > lo else 1.0), 0.0)
    m = finite.sum(axis=1).astype(np.float64)
    s1, s2 = scaled.sum(axis=1), (scaled**2).sum(axis=1)
    disagree = 2.0 * (m * s2 - s1**2) / (m - 1)

    def kernel(w: np.ndarray) -> np.ndarray:
        n = w @ m
        expected = 2.0 * (n * (w @ s2) - (w @ s1) ** 2)
        return 1.0 - (n - 1) * _safe_ratio(w @ disagree, expected)

    return kernel


def _ordinal_kernel(counts: np.ndarray, m: np.ndarray) -> Kernel:
    k = counts.shape[1]
    coinc = (counts[:, :, None] * counts[:, None, :]) - counts[:, :, None] * np.eye(k)[None]
    coinc = (coinc / (m - 1)[:, None, None]).reshape(len(m), k * k)

    def kernel(w: np.ndarray) -> np.ndarray:
        n = w @ m
        marg = w @ counts  # (B, k)
        cum = np.cumsum(marg, axis=1)
        # sum_{g=c..k} n_g - (n_c + n_k)/2 for c <= k, i.e. cum_k - cum_c + (n_c - n_k)/2
        span = np.abs(cum[:, None, :] - cum[:, :, None] + (marg[:, :, None] - marg[:, None, :]) / 2)
        dist = span**2
        observed = np.einsum("bx,bx->b", w @ coinc, dist.reshape(len(n), k * k))
        expected = np.einsum("bk,bkl,bl->b", marg, dist, marg)
        return 1.0 - (n - 1) * _safe_ratio(observed, expected)

    return kernel
