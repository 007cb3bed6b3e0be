"""The vectorised bootstrap: determinism, coverage of the estimate, equality with a naive loop."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from statsmodels.stats import inter_rater

from tests.agreement._data import long_from_matrix, random_matrix
from workbench.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha, percent_agreement
from workbench.agreement._bootstrap import estimate


@pytest.mark.parametrize("fn", [percent_agreement, fleiss_kappa, krippendorff_alpha])
def test_interval_contains_estimate_and_is_deterministic(fn) -> None:
    rows = long_from_matrix(random_matrix(3, 80, 4, seed=1, missing=0.1))
    a, b = fn(rows, seed=3), fn(rows, seed=3)
    assert a == b
    assert a.ci_lo <= a.value <= a.ci_hi
    assert a.ci_lo < a.ci_hi
    assert fn(rows, seed=4) != a
    narrow = fn(rows, seed=3, confidence=0.5)
    assert a.ci_lo < narrow.ci_lo <= narrow.ci_hi < a.ci_hi
    assert "percentile bootstrap over items, 1000 resamples" in a.method


def test_bootstrap_equals_a_naive_loop_over_the_libraries() -> None:
    m = random_matrix(3, 40, 3, seed=2)
    seed, n_resamples = 5, 200
    picks = np.random.default_rng(seed).integers(0, 40, size=(n_resamples, 40))
    fleiss_ref, alpha_ref = [], []
    for idx in picks:
        table, _ = inter_rater.aggregate_raters(m[:, idx].T.astype(int), n_cat=None)
        fleiss_ref.append(inter_rater.fleiss_kappa(table))
        alpha_ref.append(krippendorff.alpha(m[:, idx], level_of_measurement="ordinal"))
    rows = long_from_matrix(m)
    fk = fleiss_kappa(rows, n_resamples=n_resamples, seed=seed)
    ka = krippendorff_alpha(rows, level="ordinal", n_resamples=n_resamples, seed=seed)
    assert (fk.ci_lo, fk.ci_hi) == pytest.approx(tuple(np.quantile(fleiss_ref, [0.025, 0.975])), abs=1e-12)
    assert (ka.ci_lo, ka.ci_hi) == pytest.approx(tuple(np.quantile(alpha_ref, [0.025, 0.975])), abs=1e-12)


def test_chunked_resampling_gives_the_same_kind_of_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.agreement import _bootstrap

    rows = long_from_matrix(random_matrix(2, 50, 3, seed=8))
    whole = cohen_kappa(rows, n_resamples=300)
    monkeypatch.setattr(_bootstrap, "_MAX_CELLS", 50 * 7)  # 7 resamples per chunk
    chunked = cohen_kappa(rows, n_resamples=300)
    # same generator stream, drawn in pieces: identical resamples
    assert (chunked.ci_lo, chunked.ci_hi) == (whole.ci_lo, whole.ci_hi)


def test_degenerate_resamples_are_dropped_and_counted() -> None:
    # 19 items everyone calls "a", one item that splits: many resamples see one category only
    matrix = [["a"] * 19 + ["a"], ["a"] * 19 + ["b"]]
    res = fleiss_kappa(long_from_matrix(matrix), n_resamples=500, seed=0)
    assert not math.isnan(res.value)
    note = res.note or ""
    dropped = int(note.split(" of 500 bootstrap resamples were undefined")[0].split()[-1])
    # P(item 20 never drawn) = (19/20)^20 ~ 0.358
    assert 130 < dropped < 230
    assert not math.isnan(res.ci_lo)


def test_no_interval_when_n_boot_is_zero() -> None:
    res = percent_agreement(long_from_matrix([[1, 2], [1, 1]]), n_resamples=0)
    assert math.isnan(res.ci_lo) and math.isnan(res.ci_hi)
    assert res.method.endswith("; no interval")


def test_estimate_validates_arguments() -> None:
    with pytest.raises(ValueError, match="n_resamples=-1"):
        estimate(lambda w: w.sum(axis=1), 3, confidence=0.9, n_resamples=-1, seed=0)
    with pytest.raises(ValueError, match="confidence=0"):
        estimate(lambda w: w.sum(axis=1), 3, confidence=0, n_resamples=10, seed=0)


def test_300_items_3_raters_is_vectorised() -> None:
    # not a timing assertion: the whole bootstrap is one kernel call per chunk of resamples
    calls = []
    from workbench.agreement._stats import fleiss_kernel

    m = random_matrix(3, 300, 5, seed=0)
    counts = np.stack([(m == c).sum(axis=0) for c in range(1, 6)], axis=1).astype(float)
    kernel = fleiss_kernel(counts)

    def counted(w: np.ndarray) -> np.ndarray:
        calls.append(w.shape)
        return kernel(w)

    est = estimate(counted, 300, confidence=0.95, n_resamples=1000, seed=0)
    assert calls == [(1, 300), (1000, 300)]
    assert est.value == pytest.approx(fleiss_kappa(long_from_matrix(m), n_resamples=0).value)


@pytest.mark.parametrize("fn", [percent_agreement, fleiss_kappa, krippendorff_alpha])
def test_interval_does_not_depend_on_the_row_order(fn) -> None:
    rows = long_from_matrix(random_matrix(3, 60, 4, seed=6, missing=0.1))
    shuffled = [rows[i] for i in np.random.default_rng(0).permutation(len(rows))]
    assert fn(shuffled, seed=2) == fn(rows, seed=2)
