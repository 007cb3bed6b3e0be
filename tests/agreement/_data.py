"""Toy label tables and published worked examples shared by the agreement tests."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

NAN = float("nan")

#: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 coders x 12 units,
#: values 1-5, missing data. Published: nominal .743, ordinal .815, interval .849, ratio .797.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
KRIPPENDORFF_2011_PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}

#: Wikipedia "Fleiss' kappa" worked example: 10 subjects x 14 raters x 5 categories; kappa 0.210.
FLEISS_WIKIPEDIA = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def long_from_matrix(matrix: Sequence[Sequence[Any]], raters: Sequence[str] | None = None) -> list[dict]:
    """Rows raters x columns items -> one dict per label; NaN/None entries become absent rows."""
    names = list(raters) if raters is not None else [f"r{i}" for i in range(len(matrix))]
    rows = []
    for name, row in zip(names, matrix, strict=True):
        for unit, value in enumerate(row):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            rows.append({"case_id": f"u{unit:02d}", "rater": name, "label": value})
    return rows


def long_from_counts(table: Sequence[Sequence[int]], categories: Sequence[Any]) -> list[dict]:
    """A subjects x categories count table -> long rows (rater names are arbitrary per item)."""
    rows = []
    for subject, counts in enumerate(table):
        labels = [c for c, n in zip(categories, counts, strict=True) for _ in range(n)]
        for r, lab in enumerate(labels):
            rows.append({"case_id": f"s{subject:02d}", "rater": f"r{r:02d}", "label": lab})
    return rows


def random_matrix(
    n_raters: int, n_items: int, k: int, *, seed: int, missing: float = 0.0, agree: float = 0.5
) -> np.ndarray:
    """Raters x items labels 1..k, correlated through a shared true label; NaN where missing."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, k + 1, size=n_items)
    noise = rng.integers(1, k + 1, size=(n_raters, n_items))
    out = np.where(rng.random((n_raters, n_items)) < agree, truth, noise).astype(float)
    out[rng.random((n_raters, n_items)) < missing] = np.nan
    return out
