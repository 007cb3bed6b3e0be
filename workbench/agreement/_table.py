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
from workbench.agreement._frame import check_level, check_weights, to_ratings
from workbench.agreement._result import Agreement
from workbench.agreement._stats import cohen_kernel

AGREEMENT_SCHEMA: dict[str, Any] = {
    "statistic": pl.Utf8,
    "value": pl.Float64,
    "ci_lo": pl.Float64,
    "ci_hi": pl.Float64,
    "n_items": pl.Int64,
    "n_raters": pl.Int64,
    "n_labels": pl.Int64,
    "method": pl.Utf8,
    "note": pl.Utf8,
}

#: Cohen weights that match a Krippendorff level: ordinal -> linear, interval/ratio -> quadratic
#: (quadratic-weighted kappa is the two-rater analogue of an interval-scale reliability).
_COHEN_WEIGHTS = {"nominal": None, "ordinal": "linear", "interval": "quadratic", "ratio": "quadratic"}


def agreement_table(
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
) -> pl.DataFrame:
    """One row per applicable statistic: percent agreement, Cohen (two raters only), Fleiss,
    Krippendorff at ``level``.

    ``raters`` restricts every statistic to those raters (e.g. the humans of a panel).
    Cohen's kappa is weighted to match ``level``: linear for ordinal, quadratic for interval
    and ratio.

    >>> rows = [{"case_id": i, "rater": r, "label": l}
    ...         for i, t in enumerate(["aa", "bb", "ab", "aa"]) for r, l in zip("xy", t)]
    >>> agreement_table(rows, n_boot=0).get_column("statistic").to_list()
    ['percent_agreement', 'cohen_kappa', 'fleiss_kappa', 'krippendorff_alpha']
    """
    check_level(level)
    common: dict[str, Any] = {
        "item": item,
        "rater": rater,
        "label": label,
        "raters": raters,
        "ci": ci,
        "n_boot": n_boot,
        "seed": seed,
    }
    rows: list[Agreement] = [percent_agreement(labels, **common)]
    # validates level/categories up front, so an error names `level`, not Cohen's `weights`
    ratings = to_ratings(labels, item, rater, label, raters, categories=categories, level=level)
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
    weights: str | None = None,
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
    ratings = to_ratings(labels, item, rater, label, raters, categories=categories, weights=weights)
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
