"""Interactive Altair charts over workbench's tidy tables: summaries, results, verdicts, ratings.

>>> from workbench.charts import metric_by_model, slice_heatmap       # doctest: +SKIP
>>> metric_by_model(scores, metric="exact_match")                      # doctest: +SKIP
>>> slice_heatmap(scores, "exact_match", slices="topic")               # doctest: +SKIP
>>> cost_quality(scores, metric="exact_match")      # quality of the scores, cost of their run  # doctest: +SKIP
>>> latency_distribution(run)                                          # doctest: +SKIP

Every chart takes its table as a polars DataFrame or LazyFrame, a pandas DataFrame, a Run or a
Scores (through ``workbench._table.as_table``); the charts of a summary summarise scores themselves
with ``workbench.stats.summarize``, over the cases the Scores knows.

Every chart aggregates in Python first and embeds only the aggregate, so a spec stays small for a
million result rows. Model, variant and slice names travel only as data, never as a literal in the
spec, and no chart enables HTML tooltips: Vega's tooltip handler shows them as text (the offline HTML
export of workbench.report is tested in a real browser by that package's tests). Altair loads on the
first chart, not on ``import workbench.charts``.
"""

from workbench.charts._common import theme
from workbench.charts._cost import ChartWarning, cost_quality, pareto_front
from workbench.charts._latency import latency_distribution
from workbench.charts._pairwise import bt_ratings, win_rate_cells, win_rate_matrix
from workbench.charts._summary import metric_by_model, slice_heatmap

__all__ = [
    "ChartWarning",
    "bt_ratings",
    "cost_quality",
    "latency_distribution",
    "metric_by_model",
    "pareto_front",
    "slice_heatmap",
    "theme",
    "win_rate_cells",
    "win_rate_matrix",
]
