"""Power analysis: how many cases a comparison needs, and what difference a number of cases can see.

Pass rates, unpaired: statsmodels ``NormalIndPower`` on Cohen's h (``proportion_effectsize``); ``n`` is
the number of cases per group.

Pass rates, paired (both models on the same cases, tested with McNemar): Connor's (1987) formula

    n = (z_{alpha/2} sqrt(psi) + z_{beta} sqrt(psi - delta^2))^2 / delta^2

where delta is the difference in pass rates and psi the discordant proportion (the share of cases
where exactly one of the two passes). Without a ``discordance`` the two models are assumed to pass
independently, psi = p1 (1 - p2) + p2 (1 - p1): an upper bound for models that tend to pass and fail
the same cases, so the sample size is conservative. Measure psi on a pilot run for a tighter number.

Continuous scores (``sd=``): normal-approximation power (statsmodels ``NormalIndPower``) with effect
size diff / sd; ``sd`` is the standard deviation of the per-case differences when paired
(one-sample test on the differences), of the scores in each group when not.

All tests are two-sided. ``minimum_detectable_difference`` inverts ``required_sample_size`` exactly:
``required_sample_size(minimum_detectable_difference(n)) == n`` with the same other arguments.
"""

from __future__ import annotations

import math

from workbench.stats._intervals import z_value


def required_sample_size(
    diff: float,
    *,
    baseline_rate: float = 0.5,
    alpha: float = 0.05,
    power: float = 0.8,
    paired: bool = True,
    discordance: float | None = None,
    sd: float | None = None,
) -> int:
    """Cases needed to detect a difference ``diff`` with the given power.

    Args:
        diff: difference to detect: in pass rate (candidate - baseline, e.g. 0.05) or, with ``sd``,
            in mean score.
        baseline_rate: the baseline's pass rate (ignored with ``sd``).
        alpha: two-sided significance level.
        power: probability of detecting a true difference of ``diff``.
        paired: both groups scored on the same cases (McNemar / paired differences).
        discordance: paired pass rates only: share of cases where exactly one side passes.
        sd: for continuous scores, the standard deviation (of differences when paired).

    Returns:
        Number of cases (per group when unpaired), rounded up.

    Example:
        >>> required_sample_size(0.1, baseline_rate=0.7, discordance=0.2)
        155
    """
    return math.ceil(_n_for(diff, baseline_rate, alpha, power, paired, discordance, sd) - 1e-6)


def minimum_detectable_difference(
    n: int,
    *,
    baseline_rate: float = 0.5,
    alpha: float = 0.05,
    power: float = 0.8,
    paired: bool = True,
    discordance: float | None = None,
    sd: float | None = None,
) -> float:
    """Smallest improvement over the baseline that ``n`` cases detect with the given power.

    Arguments as in ``required_sample_size``; ``n`` is per group when unpaired. For pass rates the
    answer is an increase in pass rate above ``baseline_rate``; with ``sd`` a difference in mean.

    Example:
        >>> round(minimum_detectable_difference(155, baseline_rate=0.7, discordance=0.2), 3)
        0.1
    """
    _check_common(alpha, power)
    if n <= 1:
        raise ValueError(f"n must be more than 1 case, got {n!r}")
    if sd is not None:
        _check_sd(sd)
        return _normal_effect(n, alpha, power, ratio=0 if paired else 1) * sd
    _check_rate(baseline_rate)
    if not paired:
        h = _normal_effect(n, alpha, power, ratio=1)
        angle = math.asin(math.sqrt(baseline_rate)) + h / 2
        if angle > math.pi / 2:
            raise _too_small(n, baseline_rate)
        return math.sin(angle) ** 2 - baseline_rate
    from scipy.optimize import brentq

    top = 1 - baseline_rate if discordance is None else min(1 - baseline_rate, discordance)
    if top <= 0 or _n_for(top, baseline_rate, alpha, power, True, discordance, None) > n:
        raise _too_small(n, baseline_rate)

    def gap(delta: float) -> float:
        return _n_for(delta, baseline_rate, alpha, power, True, discordance, None) - n

    return float(brentq(gap, 1e-9, top, xtol=1e-15, rtol=1e-15, maxiter=500))


def _n_for(
    diff: float,
    baseline_rate: float,
    alpha: float,
    power: float,
    paired: bool,
    discordance: float | None,
    sd: float | None,
) -> float:
    _check_common(alpha, power)
    if diff == 0:
        raise ValueError("diff must be non-zero: no sample size detects a difference of 0")
    if sd is not None:
        _check_sd(sd)
        return _normal_n(abs(diff) / sd, alpha, power, ratio=0 if paired else 1)
    _check_rate(baseline_rate)
    other = baseline_rate + diff
    if not 0 <= other <= 1:
        raise ValueError(f"baseline_rate + diff = {other:g} is not a pass rate in [0, 1]")
    if not paired:
        from statsmodels.stats.proportion import proportion_effectsize

        h = abs(float(proportion_effectsize(other, baseline_rate)))
        return _normal_n(h, alpha, power, ratio=1)
    psi = baseline_rate * (1 - other) + other * (1 - baseline_rate) if discordance is None else discordance
    if not 0 < psi <= 1:
        raise ValueError(f"discordance must be in (0, 1], got {psi!r}")
    if abs(diff) > psi:
        raise ValueError(
            f"a difference of {diff:g} needs at least that share of discordant cases; discordance={psi:g} is smaller"
        )
    z_a, z_b = z_value(1 - alpha), z_value(2 * power - 1)
    return (z_a * math.sqrt(psi) + z_b * math.sqrt(psi - diff**2)) ** 2 / diff**2


def _normal_power(effect: float, n: float, alpha: float, ratio: float) -> float:
    """Power of the two-sided z-test (statsmodels ``NormalIndPower``; ratio=0 is the one-sample test)."""
    from statsmodels.stats.power import NormalIndPower

    return float(NormalIndPower().power(effect_size=effect, nobs1=n, alpha=alpha, ratio=ratio))


# statsmodels' solve_power stops at a loose tolerance; solving its power function with brentq to
# 1e-12 keeps required_sample_size(minimum_detectable_difference(n)) == n exact.
def _normal_n(effect: float, alpha: float, power: float, ratio: float) -> float:
    from scipy.optimize import brentq

    return float(
        brentq(lambda n: _normal_power(effect, n, alpha, ratio) - power, 1e-6, 1e12, xtol=1e-12, rtol=1e-14)
    )


def _normal_effect(n: float, alpha: float, power: float, ratio: float) -> float:
    from scipy.optimize import brentq

    return float(
        brentq(lambda e: _normal_power(e, n, alpha, ratio) - power, 1e-12, 1e3, xtol=1e-15, rtol=1e-14)
    )


def _check_common(alpha: float, power: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), e.g. 0.05; got {alpha!r}")
    if not 0.5 < power < 1:
        raise ValueError(f"power must be in (0.5, 1), e.g. 0.8; got {power!r}")


def _check_rate(rate: float) -> None:
    if not 0 < rate < 1:
        raise ValueError(f"baseline_rate must be in (0, 1), got {rate!r}")


def _check_sd(sd: float) -> None:
    if not sd > 0:
        raise ValueError(f"sd must be positive, got {sd!r}")


def _too_small(n: int, rate: float) -> ValueError:
    return ValueError(
        f"with n={n} no improvement over baseline_rate={rate:g} is detectable at this power; increase n"
    )
