"""Inter-rater agreement: percent agreement, Cohen's, Fleiss' kappa, Krippendorff's alpha.

>>> from workbench.agreement import agreement_table, krippendorff_alpha    # doctest: +SKIP
>>> agreement_table(labels, level="ordinal", categories=["1", "2", "3", "4", "5"])  # doctest: +SKIP
>>> krippendorff_alpha(labels.filter(criterion="helpful"), label="value", level="interval")  # doctest: +SKIP

``labels`` is a long table (polars, pandas, a LazyFrame or a list of dicts) with one row per
(item, rater) label, by default the annotation table (``case_id``, ``rater``, ``label``). A missing
label is an absent row or a null. ``level="auto"`` (the default) treats the labels as ordinal when
every label is a number, else as nominal; each result records the level used. Every statistic
comes with a percentile bootstrap interval over items (``confidence``, ``n_resamples``, ``seed``),
computed from per-item count matrices in numpy (sklearn, statsmodels and ``krippendorff`` are
the reference implementations the tests check against; none is imported here).
"""

from workbench.agreement._api import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from workbench.agreement._result import Agreement
from workbench.agreement._table import agreement_table, pairwise_kappa

__all__ = [
    "Agreement",
    "agreement_table",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "pairwise_kappa",
    "percent_agreement",
]
