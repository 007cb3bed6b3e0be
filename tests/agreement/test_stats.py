"""The kernels: integer item weights must mean exactly "this item appears w times".

That identity is what lets one weight matrix stand for 1000 bootstrap resamples.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.agreement._data import random_matrix
from workbench.agreement._stats import (
    cohen_kernel,
    fleiss_kernel,
    interval_kernel,
    krippendorff_kernel,
    percent_kernel,
)

M = random_matrix(3, 25, 4, seed=17, missing=0.2)
M = M[:, (~np.isnan(M)).sum(axis=0) >= 2]  # pairable items only, as the kernels expect
N = M.shape[1]
COUNTS = np.stack([(M == c).sum(axis=0) for c in (1, 2, 3, 4)], axis=1).astype(float)
VALUES = np.array([1.0, 2.0, 3.0, 4.0])
W = np.random.default_rng(0).integers(0, 4, size=(5, N)).astype(float)
W[:, 0] = 1.0  # every row keeps at least one item


def _kernels(counts: np.ndarray, matrix: np.ndarray) -> dict:
    both = ~np.isnan(matrix[:2]).any(axis=0)
    first, second = matrix[0, both].astype(int) - 1, matrix[1, both].astype(int) - 1
    return {
        "percent": percent_kernel(counts),
        "fleiss": fleiss_kernel(counts),
        "nominal": krippendorff_kernel(counts, "nominal", VALUES),
        "ordinal": krippendorff_kernel(counts, "ordinal", VALUES),
        "ratio": krippendorff_kernel(counts, "ratio", VALUES),
        "interval": interval_kernel(matrix.T),
        "cohen_quadratic": (cohen_kernel(first, second, 4, "quadratic"), both),
    }


@pytest.mark.parametrize(
    "name", ["percent", "fleiss", "nominal", "ordinal", "ratio", "interval", "cohen_quadratic"]
)
def test_weights_equal_repeating_items(name: str) -> None:
    kernel = _kernels(COUNTS, M)[name]
    for row in W:
        idx = np.repeat(np.arange(N), row.astype(int))
        repeated = _kernels(COUNTS[idx], M[:, idx])[name]
        if isinstance(kernel, tuple):  # Cohen works on the items both raters labelled
            (k, both), (k_rep, both_rep) = kernel, repeated
            got = k(row[both][None, :])[0]
            want = k_rep(np.ones((1, int(both_rep.sum()))))[0]
        else:
            got = kernel(row[None, :])[0]
            want = repeated(np.ones((1, len(idx))))[0]
        assert got == pytest.approx(want, abs=1e-12)
    # and a whole matrix of weights at once gives the same as row by row
    k = kernel[0] if isinstance(kernel, tuple) else kernel
    mask = kernel[1] if isinstance(kernel, tuple) else np.ones(N, bool)
    batch = k(W[:, mask])
    rows = np.array([k(w[None, mask])[0] for w in W])
    assert batch == pytest.approx(rows, abs=1e-12)


def test_ratio_rejects_negative_values() -> None:
    with pytest.raises(ValueError, match="level='ratio' needs non-negative values"):
        krippendorff_kernel(COUNTS, "ratio", VALUES - 2)
