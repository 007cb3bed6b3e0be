"""Statistics that turn scores into decision-ready numbers: intervals, paired tests, ratings, power.

>>> from workbench.stats import summarize, compare            # doctest: +SKIP
>>> summarize(scores, by="model", slices=["billing", "refunds"], cases=cases)   # doctest: +SKIP
>>> compare(scores, "exact_match", "gpt-4o", "local/smollm2-135m")                # doctest: +SKIP

Every function accepts polars or pandas DataFrames and returns a polars DataFrame (``.to_pandas()``
for pandas). scipy and statsmodels load on first use.
"""

from workbench.stats._intervals import StatsWarning, bootstrap_ci, wilson_interval
from workbench.stats._ops import operational_summary
from workbench.stats._paired import compare, compare_slices, newcombe_paired_interval
from workbench.stats._pairwise import bradley_terry, win_rate
from workbench.stats._power import minimum_detectable_difference, required_sample_size
from workbench.stats._summary import summarize

__all__ = [
    "StatsWarning",
    "bootstrap_ci",
    "bradley_terry",
    "compare",
    "compare_slices",
    "minimum_detectable_difference",
    "newcombe_paired_interval",
    "operational_summary",
    "required_sample_size",
    "summarize",
    "wilson_interval",
    "win_rate",
]
