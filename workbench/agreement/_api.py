"""Public agreement statistics: percent agreement, Cohen, Fleiss, Krippendorff."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from workbench.agreement._bootstrap import describe, dropped_note, estimate
from workbench.agreement._frame import LEVELS, Ratings, is_number, prepare
from workbench.agreement._result import Agreement
from workbench.agreement._stats import (
    Kernel,
    cohen_kernel,
    fleiss_kernel,
    interval_kernel,
    krippendorff_kernel,
    pairable,
    percent_kernel,
)

WEIGHTS = (None, "linear", "quadratic")


def _join(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _result(
    statistic: str,
    kernel: Kernel,
    *,
    ratings: Ratings,
    used: np.ndarray,
    codes: np.ndarray,
    method: str,
    notes: list[str | None],
    ci: float,
    n_boot: int,
    seed: int,
    cost: int = 1,
) -> Agreement:
    """Run the kernel (point + bootstrap) on the ``used`` items and explain a nan."""
    n_items = int(used.sum())
    est = estimate(kernel, n_items, ci=ci, n_boot=n_boot, seed=seed, cost=cost)
    codes = codes[used]
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
        note=_join(why, *notes, dropped_note(est)),
    )


def _single_label_note(ratings: Ratings, used: np.ndarray) -> str | None:
    dropped = int(len(used) - used.sum())
    if not dropped:
        return None
    return f"{_plural(dropped, 'item')} with a single label left out"


def percent_agreement(
    labels: Any,
    *,
    item: str = "case_id",
    rater: str = "rater",
    label: str = "label",
    raters: Sequence[Any] | None = None,
    ci: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> Agreement:
    """Share of agreeing rater pairs, averaged over items (two raters: share of items that match).

    Args:
        labels: long table, one row per (item, rater) label (polars, pandas or a list of dicts).
        item, rater, label: its column names.
        raters: use only these raters (default: all).
        ci, n_boot, seed: percentile bootstrap over items.

    >>> rows = [{"case_id": i, "rater": r, "label": l}
    ...         for i, (a, b) in enumerate(["yy", "yn", "nn", "yy"]) for r, l in (("x", a), ("z", b))]
    >>> percent_agreement(rows, n_boot=0).value
    0.75
    """
    ratings = prepare(labels, item=item, rater=rater, label=label, raters=raters)
    counts = ratings.counts
    used = pairable(counts)
    return _result(
        "percent_agreement",
        percent_kernel(counts[used]),
        ratings=ratings,
        used=used,
        codes=ratings.codes,
        method="mean pairwise agreement per item",
        notes=[_single_label_note(ratings, used)],
        ci=ci,
        n_boot=n_boot,
        seed=seed,
        cost=len(ratings.categories),
    )


def cohen_kappa(
    labels: Any,
    *,
    item: str = "case_id",
    rater: str = "rater",
    label: str = "label",
    raters: Sequence[Any] | None = None,
    weights: str | None = None,
    categories: Sequence[Any] | None = None,
    ci: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> Agreement:
    """Cohen's kappa between exactly two raters, optionally linearly or quadratically weighted.

    Weights use category positions in ``categories`` (default: the sorted labels seen; pass the
    full scale so that unused scale points keep their distance). Items labelled by only one of
    the two raters are left out and counted in ``note``.

    >>> rows = [{"case_id": i, "rater": r, "label": l}
    ...         for i, (a, b) in enumerate(["yy", "yn", "nn", "nn"]) for r, l in (("x", a), ("z", b))]
    >>> cohen_kappa(rows, n_boot=0).value
    0.5
    """
    if weights not in WEIGHTS:
        raise ValueError(f"weights={weights!r}: expected None, 'linear' or 'quadratic'")
    if raters is not None:
        raters = list(raters)
        if len(raters) != 2 or raters[0] == raters[1]:
            raise ValueError(f"raters={raters!r}: Cohen's kappa needs exactly two distinct raters")
    ratings = prepare(
        labels,
        item=item,
        rater=rater,
        label=label,
        raters=raters,
        categories=categories,
        level="nominal" if weights is None else "ordinal",
        ordered_by=None if weights is None else f"weights={weights!r}",
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
    dropped = int(len(used) - used.sum())
    note = (
        f"{_plural(dropped, 'item')} labelled by only one of {ratings.raters[0]!r} and "
        f"{ratings.raters[1]!r} left out"
        if dropped
        else None
    )
    spacing = None
    cats = ratings.categories
    if weights is not None and categories is None and all(is_number(c) for c in cats):
        if len(set(np.diff(np.asarray(cats, dtype=float)).tolist())) > 1:
            # weights use positions, so 1, 2, 5 would be equally spaced: say so
            spacing = (
                f"weights use the positions of the labels seen, {cats!r}, which are not evenly "
                "spaced: pass categories=[...] with the full scale"
            )
    kernel = cohen_kernel(codes[used, 0], codes[used, 1], len(cats), weights)
    return _result(
        "cohen_kappa",
        kernel,
        ratings=ratings,
        used=used,
        codes=codes,
        method="unweighted" if weights is None else f"{weights}-weighted",
        notes=[note, spacing],
        cost=len(ratings.categories) ** 2,
        ci=ci,
        n_boot=n_boot,
        seed=seed,
    )


def fleiss_kappa(
    labels: Any,
    *,
    item: str = "case_id",
    rater: str = "rater",
    label: str = "label",
    raters: Sequence[Any] | None = None,
    categories: Sequence[Any] | None = None,
    ci: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> Agreement:
    """Fleiss' kappa for any number of raters (nominal categories).

    ``raters`` restricts to those raters. Items with fewer than two labels are left out. When items have different numbers of labels,
    Gwet's generalisation is used (per-item agreement with its own rater count; prevalence as the
    mean of per-item shares), which is exactly Fleiss (1971) when the counts are equal.

    >>> rows = [{"case_id": i, "rater": r, "label": l}
    ...         for i, t in enumerate(["aaa", "bbb", "aab", "abb"]) for r, l in zip("xyz", t)]
    >>> round(fleiss_kappa(rows, n_boot=0).value, 4)
    0.3333
    """
    ratings = prepare(labels, item=item, rater=rater, label=label, raters=raters, categories=categories)
    counts = ratings.counts
    used = pairable(counts)
    per_item = counts[used].sum(axis=1)
    equal = per_item.size == 0 or per_item.min() == per_item.max()
    method = "Fleiss (1971)" if equal else "Fleiss, Gwet's generalisation to unequal raters"
    unequal_note = None if equal else f"items have {int(per_item.min())} to {int(per_item.max())} labels each"
    return _result(
        "fleiss_kappa",
        fleiss_kernel(counts[used]),
        ratings=ratings,
        used=used,
        codes=ratings.codes,
        method=method,
        notes=[_single_label_note(ratings, used), unequal_note],
        cost=len(ratings.categories),
        ci=ci,
        n_boot=n_boot,
        seed=seed,
    )


def krippendorff_alpha(
    labels: Any,
    *,
    item: str = "case_id",
    rater: str = "rater",
    label: str = "label",
    raters: Sequence[Any] | None = None,
    level: str = "nominal",
    categories: Sequence[Any] | None = None,
    ci: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> Agreement:
    """Krippendorff's alpha at a level of measurement, for any number of raters and missing labels.

    ``level`` is "nominal", "ordinal", "interval" or "ratio"; ``raters`` restricts to those raters. Ordinal needs an order: numbers
    sort naturally, strings need ``categories``. Interval/ratio use the numeric labels; string
    categories are scored by their position 0..k-1 (interval only).

    >>> rows = [{"case_id": i, "rater": r, "label": l}
    ...         for i, t in enumerate(["aa", "bb", "ab"]) for r, l in zip("xy", t)]
    >>> round(krippendorff_alpha(rows, n_boot=0).value, 4)
    0.4444
    """
    if level not in LEVELS:
        raise ValueError(f"level={level!r}: expected one of {', '.join(LEVELS)}")
    ratings = prepare(
        labels,
        item=item,
        rater=rater,
        label=label,
        raters=raters,
        categories=categories,
        level=level,
    )
    codes = ratings.codes
    present = codes >= 0
    used: np.ndarray = np.asarray(present.sum(axis=1) >= 2)
    values = ratings.numeric_values()
    method = level
    k = len(ratings.categories)
    if level == "interval":
        # no items x categories table: continuous labels can have as many values as labels
        matrix = np.where(present, values[np.maximum(codes, 0)] if k else 0.0, np.nan)
        kernel = interval_kernel(matrix[used])
        cost = 1
        if k and not all(is_number(v) for v in ratings.categories):
            method = "interval (categories scored 0..k-1 in the given order)"
    else:
        kernel = krippendorff_kernel(ratings.counts[used], level, values)
        cost = k * k if level == "ordinal" else k
    return _result(
        "krippendorff_alpha",
        kernel,
        ratings=ratings,
        used=used,
        codes=ratings.codes,
        method=method,
        notes=[_single_label_note(ratings, used)],
        ci=ci,
        n_boot=n_boot,
        seed=seed,
        cost=cost,
    )
