import math

import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from workbench.stats import minimum_detectable_difference, required_sample_size

Z_975 = 1.959963984540054
Z_80 = 0.8416212335729143


def test_unpaired_sample_size_matches_statsmodels():
    for p1, diff in [(0.5, 0.1), (0.7, 0.05), (0.2, -0.1)]:
        h = abs(proportion_effectsize(p1 + diff, p1))
        expected = math.ceil(NormalIndPower().solve_power(h, nobs1=None, alpha=0.05, power=0.8, ratio=1))
        assert required_sample_size(diff, baseline_rate=p1, paired=False) == expected


def test_paired_sample_size_matches_the_mcnemar_formula():
    # psi = 0.2 discordant, delta = 0.1: (1.96 sqrt(.2) + 0.8416 sqrt(.19))^2 / .01
    expected = (Z_975 * math.sqrt(0.2) + Z_80 * math.sqrt(0.19)) ** 2 / 0.01
    assert required_sample_size(0.1, baseline_rate=0.7, discordance=0.2) == math.ceil(expected)


def test_paired_default_discordance_assumes_independent_models():
    p1, p2 = 0.6, 0.7
    psi = p1 * (1 - p2) + p2 * (1 - p1)
    assert required_sample_size(0.1, baseline_rate=0.6) == required_sample_size(
        0.1, baseline_rate=0.6, discordance=psi
    )


def test_pairing_with_low_discordance_needs_fewer_cases():
    unpaired = required_sample_size(0.05, baseline_rate=0.8, paired=False)
    paired = required_sample_size(0.05, baseline_rate=0.8, discordance=0.1)
    assert paired < unpaired / 2


def test_continuous_sample_size_matches_statsmodels_and_the_normal_formula():
    n_paired = required_sample_size(0.2, sd=1.0)
    assert n_paired == math.ceil(
        NormalIndPower().solve_power(0.2, nobs1=None, alpha=0.05, power=0.8, ratio=0)
    )
    assert n_paired == math.ceil(((Z_975 + Z_80) / 0.2) ** 2)  # the other tail adds less than one case
    n_groups = required_sample_size(0.2, sd=1.0, paired=False)
    assert n_groups == math.ceil(2 * ((Z_975 + Z_80) / 0.2) ** 2)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"baseline_rate": 0.5},
        {"baseline_rate": 0.8, "discordance": 0.15},
        {"baseline_rate": 0.3, "paired": False},
        {"sd": 0.4},
        {"sd": 0.4, "paired": False},
        {"baseline_rate": 0.6, "alpha": 0.01, "power": 0.9},
    ],
)
@pytest.mark.parametrize("n", [60, 100, 457, 2000])
def test_mdd_and_sample_size_are_inverse(kwargs, n):
    mdd = minimum_detectable_difference(n, **kwargs)
    assert mdd > 0
    assert required_sample_size(mdd, **kwargs) == n
    # a slightly smaller difference needs more cases
    assert required_sample_size(mdd * 0.97, **kwargs) > n


def test_mdd_against_statsmodels_unpaired():
    h = NormalIndPower().solve_power(effect_size=None, nobs1=200, alpha=0.05, power=0.8, ratio=1)
    p2 = math.sin(math.asin(math.sqrt(0.5)) + h / 2) ** 2
    mdd = minimum_detectable_difference(200, baseline_rate=0.5, paired=False)
    assert mdd == pytest.approx(p2 - 0.5, abs=1e-5)  # statsmodels' own solver stops at ~1e-6
    h_ours = proportion_effectsize(0.5 + mdd, 0.5)
    assert NormalIndPower().power(h_ours, nobs1=200, alpha=0.05, ratio=1) == pytest.approx(0.8, abs=1e-10)


def test_mdd_shrinks_with_more_cases():
    values = [minimum_detectable_difference(n, baseline_rate=0.7) for n in (50, 200, 800)]
    assert values[0] > values[1] > values[2]
    # roughly 1/sqrt(n) for large n
    assert values[1] / values[2] == pytest.approx(2.0, rel=0.15)


def test_too_few_cases_to_detect_anything():
    with pytest.raises(ValueError, match="with n=3 no improvement over baseline_rate=0.95"):
        minimum_detectable_difference(3, baseline_rate=0.95)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: required_sample_size(0.0), "diff must be non-zero"),
        (lambda: required_sample_size(0.3, baseline_rate=0.8), "not a pass rate"),
        (lambda: required_sample_size(0.2, discordance=0.1), "discordance=0.1 is smaller"),
        (lambda: required_sample_size(0.1, alpha=5), "alpha"),
        (lambda: required_sample_size(0.1, power=80), "power"),
        (lambda: required_sample_size(0.1, sd=-1.0), "sd must be positive"),
        (lambda: minimum_detectable_difference(1), "n must be more than 1"),
    ],
)
def test_invalid_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
