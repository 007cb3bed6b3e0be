"""Public agreement statistics: percent agreement, Cohen, Fleiss, Krippendorff."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from workbench.agreement._bootstrap import Estimate, describe, dropped_note, estimate
from workbench.agreement._frame import (
    Level,
    LevelOption,
    Ratings,
    Weights,
    check_weights,
    is_number,
    to_ratings,
)
from workbench.agreement._result import Agreement
from workbench.agreement._stats import (
    cohen_kernel,
    fleiss_kernel,
    interval_kernel,
    krippendorff_kernel,
    percent_kernel,
)


def _join(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _left_out(used: np.ndarray, why: str) -> str | None:
    """A note counting the items not in ``used`` ("3 items <why> left out"), or None."""
    dropped = int(len(used) - used.sum())
    return f"{_plural(dropped, 'item')} {why} left out" if dropped else None


def _pairable(ratings: Ratings) -> tuple[np.ndarray, str | None]:
    """Items with two or more labels, and a note on the single-label items left out."""
    used: np.ndarray = np.asarray((ratings.codes >= 0).sum(axis=1) >= 2)
    return used, _left_out(used, "with a single label")


#: The level of measurement each Cohen weighting treats the labels at.
COHEN_LEVEL: dict[Weights | None, Level] = {None: "nominal", "linear": "ordinal", "quadratic": "interval"}


def _agreement(
    statistic: str,
    est: Estimate,
    ratings: Ratings,
    used: np.ndarray,
    method: str,
    notes: list[str | None],
    level: Level = "nominal",
) -> Agreement:
    """The result record of ``est`` (computed on the ``used`` items), explaining a nan."""
    n_items = int(used.sum())
    codes = ratings.codes[used]
    present = codes >= 0
    seen = sorted({int(c) for c in codes[present]})
    why: str | None = None
    if n_items == 0:
        why = "no item has labels from two or more raters, so agreement is undefined"
    elif np.isnan(est.value) and len(seen) == 1:
        why = (
            f"every label is {ratings.categories[seen[0]]!r}: with a single category chance "
            f"agreement is 1, so {statistic} is undefined"
        )
    elif np.isnan(est.value):
        why = f"{statistic} is undefined: expected disagreement is zero"
    return Agreement(
        statistic=statistic,
        value=est.value,
        ci_lo=est.ci_lo,
        ci_hi=est.ci_hi,
        n_items=n_items,
        n_raters=int(present.any(axis=0).sum()),
        n_labels=int(present.sum()),
        method=f"{method}; {describe(est)}",
        level=level,
        note=_join(why, *notes, dropped_note(est)),
    )


def _spacing_note(ratings: Ratings, weights: Weights | None, categories: Sequence[Any] | None) -> str | None:
    """Weights use positions, so numeric labels 1, 2, 5 would be treated as evenly spaced: say so."""
    cats = ratings.categories
    if weights is None or categories is not None or not all(is_number(c) for c in cats):
        return None
    if len(set(np.diff(np.asarray(cats, dtype=float)).tolist())) <= 1:
        return None
    return (
        f"weights use the positions of the labels seen, {cats!r}, which are not evenly "
        "spaced: pass categories=[...] with the full scale"
    )


def percent_agreement(
    labels: Any,
    *,
    item: str = "case_id",
    rater: str = "rater",
    label: str = "label",
    raters: Sequence[Any] | None = None,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> Agreement:
    """Share of agreeing rater pairs, averaged over items (two raters: share of items that match).

    Args:
        labels: long table, one row per (item, rater) label (polars or pandas, a LazyFrame, or
            a list of dicts).
        item, rater, label: its column names.
        raters: use only these raters (default: all).
        confidence, n_resamples, seed: the percentile bootstrap over items (``n_resamples=0``: no
            interval).

    >>> rows = [{"case_id": i, "rater": r, "label": l}
    ...         for i, (a, b) in enumerate(["yy", "yn", "nn", "yy"]) for r, l in (("x", a), ("z", b))]
    >>> percent_agreement(rows, n_resamples=0).value
    0.75
    """
    ratings = to_ratings(labels, item, rater, label, raters, func="percent_agreement")
    used, left_out = _pairable(ratings)
    kernel = percent_kernel(ratings.counts[used])
    k = len(ratings.categories)
    est = estimate(kernel, int(used.sum()), confidence=confidence, n_resamples=n_resamples, seed=seed, cost=k)
    return _agreement("percent_agreement", est, ratings, used, "mean pairwise agreement per item", [left_out])


def cohen_kappa(
    labels: Any,
    *,
    item: str = "case_id",
    rater: str = "rater",
    label: str = "label",
    raters: Sequence[Any] | None = None,
    weights: Weights | None = None,
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> Agreement:
    """Cohen's kappa between exactly two raters, optionally linearly or quadratically weighted.

    Weights use category positions in ``categories`` (default: the sorted labels seen; pass the
    full scale so that unused scale points keep their distance). Items labelled by only one of
    the two raters are left out and counted in ``note``. The result's ``level`` is "nominal"
    unweighted, "ordinal" with linear and "interval" with quadratic weights.

    Args:
        labels: long table, one row per (item, rater) label (see :func:`percent_agreement`).
        item, rater, label: its column names.
        raters: the two raters to compare (needed when there are more).
        weights: None, "linear" or "quadratic" disagreement weights.
        categories: the labels in scale order.
        confidence, n_resamples, seed: the percentile bootstrap over items.

    >>> rows = [{"case_id": i, "rater": r, "label": l}
    ...         for i, (a, b) in enumerate(["yy", "yn", "nn", "nn"]) for r, l in (("x", a), ("z", b))]
    >>> cohen_kappa(rows, n_resamples=0).value
    0.5
    """
    check_weights(weights)
    if raters is not None:
        raters = list(raters)
        if len(raters) != 2 or raters[0] == raters[1]:
            raise ValueError(f"raters={raters!r}: Cohen's kappa needs exactly two distinct raters")
    ratings = to_ratings(
        labels, item, rater, label, raters, categories=categories, weights=weights, func="cohen_kappa"
    )
    if len(ratings.raters) != 2:
        names = ", ".join(map(repr, ratings.raters))
        raise ValueError(
            f"Cohen's kappa needs exactly two raters; column {rater!r} has "
            f"{len(ratings.raters)} ({names}): pick two with raters=(a, b), or use "
            "fleiss_kappa / krippendorff_alpha / pairwise_kappa for a panel"
        )
    codes = ratings.codes
    used: np.ndarray = np.asarray((codes >= 0).all(axis=1))
    first, second = ratings.raters
    left_out = _left_out(used, f"labelled by only one of {first!r} and {second!r}")
    spacing = _spacing_note(ratings, weights, categories)
    k = len(ratings.categories)
    kernel = cohen_kernel(codes[used, 0], codes[used, 1], k, weights)
    est = estimate(
        kernel, int(used.sum()), confidence=confidence, n_resamples=n_resamples, seed=seed, cost=k * k
    )
    method = "unweighted" if weights is None else f"{weights}-weighted"
    return _agreement("cohen_kappa", est, ratings, used, method, [left_out, spacing], COHEN_LEVEL[weights])


def fleiss_kappa(
    labels: Any,
    *,
    item: str = "case_id",
    rater: str = "rater",
    label: str = "label",
    raters: Sequence[Any] | None = None,
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> Agreement:
    """Fleiss' kappa for any number of raters (nominal categories).

    ``raters`` restricts to those raters. Items with fewer than two labels are left out. When
    items have different numbers of labels, Gwet's generalisation is used (per-item agreement
    with its own rater count; prevalence as the mean of per-item shares), which is exactly
    Fleiss (1971) when the counts are equal. ``confidence``, ``n_resamples`` and ``seed`` set the
    percentile bootstrap over items.

    >>> rows = [{"case_id": i, "rater": r, "label": l}
    ...         for i, t in enumerate(["aaa", "bbb", "aab", "abb"]) for r, l in zip("xyz", t)]
    >>> round(fleiss_kappa(rows, n_resamples=0).value, 4)
    0.3333
    """
    ratings = to_ratings(labels, item, rater, label, raters, categories=categories, func="fleiss_kappa")
    used, left_out = _pairable(ratings)
    counts = ratings.counts[used]
    per_item = counts.sum(axis=1)
    equal = per_item.size == 0 or per_item.min() == per_item.max()
    method = "Fleiss (1971)" if equal else "Fleiss, Gwet's generalisation to unequal raters"
    unequal = None if equal else f"items have {int(per_item.min())} to {int(per_item.max())} labels each"
    k = len(ratings.categories)
    est = estimate(
        fleiss_kernel(counts),
        int(used.sum()),
        confidence=confidence,
        n_resamples=n_resamples,
        seed=seed,
        cost=k,
    )
    return _agreement("fleiss_kappa", est, ratings, used, method, [left_out, unequal])


def krippendorff_alpha(
    labels: Any,
    *,
    item: str = "case_id",
    rater: str = "rater",
    label: str = "label",
    raters: Sequence[Any] | None = None,
    level: LevelOption = "auto",
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> Agreement:
    """Krippendorff's alpha at a level of measurement, for any number of raters and missing labels.

    Ordinal needs an order: numbers sort naturally, strings need ``categories``. Interval/ratio
    use the numeric labels; string categories are scored by their position 0..k-1 (interval only).

    Args:
        labels: long table, one row per (item, rater) label (see :func:`percent_agreement`).
        item, rater, label: its column names.
        raters: use only these raters (default: all).
        level: the labels' level of measurement: "nominal", "ordinal", "interval" or "ratio";
            "auto" (the default) is "ordinal" when every label is a number, else "nominal".
            The result records the level used.
        categories: the labels in scale order.
        confidence, n_resamples, seed: the percentile bootstrap over items.

    >>> rows = [{"case_id": i, "rater": r, "label": l}
    ...         for i, t in enumerate(["aa", "bb", "ab"]) for r, l in zip("xy", t)]
    >>> res = krippendorff_alpha(rows, n_resamples=0)
    >>> round(res.value, 4), res.level
    (0.4444, 'nominal')
    """
    ratings = to_ratings(
        labels, item, rater, label, raters, categories=categories, level=level, func="krippendorff_alpha"
    )
    level = ratings.level
    used, left_out = _pairable(ratings)
    codes = ratings.codes
    values = ratings.numeric_values()
    method: str = level
    k = len(ratings.categories)
    if level == "interval":
        # no items x categories table: continuous labels can have as many values as labels
        matrix = np.where(codes >= 0, values[np.maximum(codes, 0)] if k else 0.0, np.nan)
        kernel = interval_kernel(matrix[used])
        cost = 1
        if k and not all(is_number(v) for v in ratings.categories):
            method = "interval (categories scored 0..k-1 in the given order)"
    else:
        kernel = krippendorff_kernel(ratings.counts[used], level, values)
        cost = k * k if level == "ordinal" else k
    est = estimate(
        kernel, int(used.sum()), confidence=confidence, n_resamples=n_resamples, seed=seed, cost=cost
    )
    return _agreement("krippendorff_alpha", est, ratings, used, method, [left_out], ratings.level)
