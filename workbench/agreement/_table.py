"""All applicable statistics in one table, and Cohen's kappa for every pair of raters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from workbench.agreement._api import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from workbench.agreement._frame import Level, LevelOption, Weights, check_level, check_weights, to_ratings
from workbench.agreement._result import AGREEMENT_SCHEMA, Agreement
from workbench.agreement._stats import cohen_kernel

#: Cohen weights that match a Krippendorff level: ordinal -> linear, interval/ratio -> quadratic
#: (quadratic-weighted kappa is the two-rater analogue of an interval-scale reliability).
_COHEN_WEIGHTS: dict[Level, Weights | None] = {
    "nominal": None,
    "ordinal": "linear",
    "interval": "quadratic",
    "ratio": "quadratic",
}


def agreement_table(
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
) -> pl.DataFrame:
    """One row per applicable statistic: percent agreement, Cohen (two raters only), Fleiss,
    Krippendorff at ``level``.

    Cohen's kappa is weighted to match ``level``: linear for ordinal, quadratic for interval
    and ratio. The columns are the fields of :class:`Agreement`; ``level`` is the level each
    statistic treated the labels at.

    Args:
        labels: long table, one row per (item, rater) label (see :func:`percent_agreement`).
        item, rater, label: its column names.
        raters: restrict every statistic to those raters (e.g. the humans of a panel).
        level: the labels' level of measurement: "nominal", "ordinal", "interval" or "ratio";
            "auto" (the default) is "ordinal" when every label is a number, else "nominal".
            The result records the level used.
        categories: the labels in scale order.
        confidence, n_resamples, seed: the percentile bootstrap over items of every statistic.

    >>> rows = [{"case_id": i, "rater": r, "label": l}
    ...         for i, t in enumerate(["aa", "bb", "ab", "aa"]) for r, l in zip("xy", t)]
    >>> agreement_table(rows, n_resamples=0).get_column("statistic").to_list()
    ['percent_agreement', 'cohen_kappa', 'fleiss_kappa', 'krippendorff_alpha']
    """
    check_level(level)
    common: dict[str, Any] = {
        "item": item,
        "rater": rater,
        "label": label,
        "raters": raters,
        "confidence": confidence,
        "n_resamples": n_resamples,
        "seed": seed,
    }
    rows: list[Agreement] = [percent_agreement(labels, **common)]
    # validates level/categories up front, so an error names `level`, not Cohen's `weights`
    ratings = to_ratings(
        labels, item, rater, label, raters, categories=categories, level=level, func="agreement_table"
    )
    level = ratings.level
    if len(ratings.raters) == 2:
        weights = _COHEN_WEIGHTS[level]
        rows.append(cohen_kappa(labels, weights=weights, categories=categories, **common))
    rows.append(fleiss_kappa(labels, categories=categories, **common))
    rows.append(krippendorff_alpha(labels, level=level, categories=categories, **common))
    return pl.DataFrame([r.to_dict() for r in rows], schema=AGREEMENT_SCHEMA)


def pairwise_kappa(
    labels: Any,
    *,
    item: str = "case_id",
    rater: str = "rater",
    label: str = "label",
    raters: Sequence[Any] | None = None,
    weights: Weights | None = None,
    categories: Sequence[Any] | None = None,
) -> pl.DataFrame:
    """Cohen's kappa for every ordered pair of different raters (long form, both directions).

    Columns ``rater_a``, ``rater_b``, ``kappa``, ``n_items`` (items both labelled). Both
    directions are listed so that ``filter(pl.col("rater_a") == "judge")`` finds every pair with
    the judge and a pivot gives the full symmetric matrix. ``kappa`` is nan when the two share
    no item or use a single category between them.

    >>> rows = [{"case_id": i, "rater": r, "label": l}
    ...         for i, t in enumerate(["aab", "bbb", "abb"]) for r, l in zip("xyz", t)]
    >>> pairwise_kappa(rows).filter(rater_a="x").get_column("n_items").to_list()
    [3, 3]
    """
    check_weights(weights)
    ratings = to_ratings(
        labels, item, rater, label, raters, categories=categories, weights=weights, func="pairwise_kappa"
    )
    k = len(ratings.categories)
    out: dict[str, list[Any]] = {"rater_a": [], "rater_b": [], "kappa": [], "n_items": []}
    ones_cache: dict[int, np.ndarray] = {}
    for a, name_a in enumerate(ratings.raters):
        for b, name_b in enumerate(ratings.raters):
            if a == b:
                continue
            both = (ratings.codes[:, a] >= 0) & (ratings.codes[:, b] >= 0)
            n = int(both.sum())
            kappa = float("nan")
            if n:
                kernel = cohen_kernel(ratings.codes[both, a], ratings.codes[both, b], k, weights)
                ones = ones_cache.setdefault(n, np.ones((1, n)))
                kappa = float(kernel(ones)[0])
            out["rater_a"].append(name_a)
            out["rater_b"].append(name_b)
            out["kappa"].append(kappa)
            out["n_items"].append(n)
    rater_dtype = pl.Series(ratings.raters).dtype if ratings.raters else pl.Utf8
    schema = {"rater_a": rater_dtype, "rater_b": rater_dtype, "kappa": pl.Float64, "n_items": pl.Int64}
    return pl.DataFrame(out, schema=schema)
