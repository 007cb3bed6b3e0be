import math

import numpy as np
import polars as pl
import pytest

from workbench.stats import StatsWarning, bootstrap_ci, wilson_interval
from workbench.stats._intervals import mean_interval, quantile_intervals


def wilson_by_hand(k: float, n: int, z: float) -> tuple[float, float]:
    p = k / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


@pytest.mark.parametrize(
    "k,n,confidence,z",
    [(8, 10, 0.95, 1.959963984540054), (3, 40, 0.9, 1.6448536269514722), (50, 100, 0.99, 2.5758293035489004)],
)
def test_wilson_matches_the_formula(k, n, confidence, z):
    lo, hi = wilson_interval(k, n, confidence=confidence)
    exp_lo, exp_hi = wilson_by_hand(k, n, z)
    assert lo == pytest.approx(exp_lo, abs=1e-12)
    assert hi == pytest.approx(exp_hi, abs=1e-12)


def test_wilson_worked_example():
    lo, hi = wilson_interval(8, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.4902, 0.9433)


def test_wilson_all_pass_and_all_fail_give_proper_intervals():
    z = 1.959963984540054
    lo, hi = wilson_interval(20, 20)
    assert hi == 1.0
    assert lo == pytest.approx(wilson_by_hand(20, 20, z)[0], abs=1e-12)
    assert lo == pytest.approx(20 / (20 + z**2), abs=1e-12)  # closed form when k == n
    lo, hi = wilson_interval(0, 20)
    assert lo == 0.0
    assert hi == pytest.approx(z**2 / (20 + z**2), abs=1e-12)


@pytest.mark.parametrize("k,n", [(1, 0), (-1, 5), (6, 5)])
def test_wilson_rejects_impossible_counts(k, n):
    with pytest.raises(ValueError):
        wilson_interval(k, n)


def test_wilson_rejects_confidence_as_percent():
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(5, 10, confidence=95)


def test_bootstrap_mean_is_deterministic_and_brackets_the_estimate():
    x = np.random.default_rng(1).normal(10, 2, size=200)
    est, lo, hi = bootstrap_ci(x, seed=3)
    assert est == pytest.approx(x.mean())
    assert lo < est < hi
    assert bootstrap_ci(x, seed=3) == (est, lo, hi)
    # the percentile interval of a mean is close to the normal one at n=200
    half = 1.96 * x.std(ddof=1) / math.sqrt(x.size)
    assert lo == pytest.approx(est - half, abs=0.1 * half)
    assert hi == pytest.approx(est + half, abs=0.1 * half)


def test_bootstrap_matches_scipy_percentile_bootstrap():
    from scipy.stats import bootstrap

    x = np.random.default_rng(2).exponential(1.0, size=150)
    ours = bootstrap_ci(x, stat="median", n_resamples=4000, seed=0)
    ref = bootstrap(
        (x,), np.median, n_resamples=4000, method="percentile", random_state=0
    ).confidence_interval
    width = ref.high - ref.low
    assert ours[0] == pytest.approx(np.median(x))
    assert ours[1] == pytest.approx(ref.low, abs=0.1 * width)
    assert ours[2] == pytest.approx(ref.high, abs=0.1 * width)


def test_bootstrap_percentile_stat_and_callables():
    x = np.arange(1.0, 101.0)
    est, lo, hi = bootstrap_ci(x, stat=0.9, n_resamples=500)
    assert est == pytest.approx(np.quantile(x, 0.9))
    assert lo <= est <= hi
    with_axis = bootstrap_ci(x, stat=lambda a, axis: np.std(a, axis=axis), n_resamples=300, seed=5)
    per_row = bootstrap_ci(x, stat=lambda a: float(np.std(a)), n_resamples=300, seed=5)
    assert with_axis == pytest.approx(per_row)
    assert with_axis[0] == pytest.approx(np.std(x))


def test_bootstrap_accepts_polars_series():
    assert bootstrap_ci(pl.Series([1.0, 2.0, 3.0]))[0] == 2.0


def test_bootstrap_single_value_has_no_interval():
    with pytest.warns(StatsWarning, match="single value"):
        assert bootstrap_ci([4.0]) == (4.0, None, None)


@pytest.mark.parametrize("values", [[1.0, float("nan")], [1.0, None]])
def test_bootstrap_refuses_missing_values(values):
    with pytest.raises(ValueError, match="NaN/None"):
        bootstrap_ci(values)


@pytest.mark.parametrize("stat", ["mode", 95, 1.5])
def test_bootstrap_rejects_unknown_stats(stat):
    with pytest.raises(ValueError, match="stat"):
        bootstrap_ci([1.0, 2.0], stat=stat)


def test_mean_interval_multinomial_path_agrees_with_index_bootstrap():
    # 0/1 values take the multinomial shortcut; the index bootstrap must give the same distribution
    x = np.array([1.0] * 30 + [0.0] * 20)
    lo, hi, method = mean_interval(x, 20000, 0.95, np.random.default_rng(0))
    _, ref_lo, ref_hi = bootstrap_ci(x, n_resamples=20000, seed=1)
    assert method == "bootstrap"
    assert lo == pytest.approx(ref_lo, abs=0.021)
    assert hi == pytest.approx(ref_hi, abs=0.021)


def test_mean_interval_uses_the_normal_approximation_for_large_groups():
    x = np.random.default_rng(0).normal(size=6000)
    lo, hi, method = mean_interval(x, 100, 0.95, np.random.default_rng(0))
    half = 1.959963984540054 * x.std(ddof=1) / math.sqrt(x.size)
    assert method == "normal"
    assert (lo, hi) == pytest.approx((x.mean() - half, x.mean() + half))


def test_quantile_intervals_order_statistics_for_large_groups():
    from scipy.stats import binom

    x = np.random.default_rng(0).lognormal(size=6000)
    (p50, p99), method = quantile_intervals(x, [0.5, 0.99], 100, 0.95, np.random.default_rng(0))
    xs = np.sort(x)
    lo_rank, hi_rank = int(binom.ppf(0.025, 6000, 0.5)), int(binom.ppf(0.975, 6000, 0.5)) + 1
    assert method == "order statistics"
    assert p50 == (xs[lo_rank - 1], xs[hi_rank - 1])
    assert p50[0] < np.median(x) < p50[1]
    assert p99[0] < np.quantile(x, 0.99) < p99[1]
