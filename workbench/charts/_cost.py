"""Cost against quality: every model a point, the Pareto front (computed here) drawn through the best."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from workbench._table import as_table, require_columns, run_of
from workbench.charts._common import (
    WIDTH,
    finish,
    inline,
    interval_text,
    is_score_table,
    model_colors,
    pick_metric,
    present,
    summary_of,
    tooltip_columns,
    with_labels,
)

if TYPE_CHECKING:
    import altair as alt

_CHART_COLUMNS = (
    "model",
    "variant",
    "label",
    "color",
    "quality",
    "cost",
    "pareto",
    "on_front",
    "interval",
    "n",
)
_POINTS = "one row per model (and variant) with a quality and a cost column, or a Scores of a run"


class ChartWarning(UserWarning):
    """Something in the input could not be drawn (the chart says how many rows were left out)."""


def pareto_front(points: Any, *, quality: str = "mean", cost: str = "cost_per_request") -> pl.DataFrame:
    """Mark the rows no other row beats: higher-or-equal quality at lower-or-equal cost, one strictly.

    Rows with a missing quality or cost get a null ``pareto``; they neither join nor block the front.
    Identical points are all on the front (neither beats the other).

    Args:
        points: one row per model (and variant): polars, pandas or a LazyFrame.
        quality: column to maximise.
        cost: column to minimise.

    Returns:
        ``points`` as a polars DataFrame with a boolean ``pareto`` column.

    Example:
        >>> import polars as pl
        >>> pts = pl.DataFrame({"model": ["a", "b", "c", "d"], "mean": [0.9, 0.7, 0.6, 0.5],
        ...     "cost_per_request": [3.0, 1.0, 2.0, 0.5]})
        >>> pareto_front(pts).get_column("pareto").to_list()
        [True, True, False, True]
    """
    frame = as_table(points, param="points", func="pareto_front", columns=[quality, cost], expected=_POINTS)
    q = frame.get_column(quality).cast(pl.Float64).fill_nan(None).to_list()
    c = frame.get_column(cost).cast(pl.Float64).fill_nan(None).to_list()
    valid = [i for i in range(frame.height) if q[i] is not None and c[i] is not None]
    flags: list[bool | None] = [None] * frame.height
    for i in valid:  # O(n^2) over models: there are tens, not thousands
        flags[i] = not any(
            q[j] >= q[i] and c[j] <= c[i] and (q[j] > q[i] or c[j] < c[i])  # type: ignore[operator]
            for j in valid
        )
    return frame.with_columns(pl.Series("pareto", flags, dtype=pl.Boolean))


def cost_quality(
    points: Any,
    *,
    quality: str = "mean",
    cost: str | None = None,
    metric: str | None = None,
    results: Any = None,
    models: Sequence[str] | None = None,
    configure: bool = True,
    cases: Any = None,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> alt.LayerChart:
    """Quality against cost per model, with the Pareto front (maximise quality, minimise cost).

    The front is computed in Python (:func:`pareto_front`) and drawn as a staircase through the
    front's points, which are filled; dominated models are hollow.

    Give it the ``Scores`` of a run, ``cost_quality(scores, metric="exact")``: quality is
    ``summarize``'s mean of the metric per model and variant, cost ``operational_summary``'s
    ``mean_cost_usd`` of the run the scores were made from (or of ``results=``). Or give it one row
    per model, e.g. ``summarize(...).join(operational_summary(run), on=["model", "variant"])`` with
    ``cost="mean_cost_usd"``.

    Args:
        points: a ``Scores`` (or score table) of a run; or one row per model (and variant) with
            ``model``, ``quality`` and ``cost`` columns (``variant``, ``ci_lo``/``ci_hi`` and ``n``
            are shown in tooltips when present): polars, pandas or a LazyFrame.
        quality: column to maximise (y axis): ``"mean"`` or ``"pass_rate"`` for scores.
        cost: column to minimise (x axis); default ``"mean_cost_usd"`` for scores (any column of
            ``operational_summary`` may be given, e.g. ``"latency_p95"``), ``"cost_per_request"``
            for a table of points.
        metric: the metric whose quality is drawn (needed when the scores hold several).
        results: the Run (or results table) whose cost is drawn; default: the run of the Scores.
        models: all model names of the analysis, to keep each model's colour fixed across charts.
        configure: apply :func:`theme`; pass False to combine the chart with others first.
        cases, confidence, n_resamples, seed: passed to ``summarize`` and ``operational_summary``
            when ``points`` is scores.

    Rows with a missing quality or cost cannot be placed: they are left out with a ChartWarning
    naming them, and the subtitle counts them.

    Example:
        >>> import polars as pl
        >>> pts = pl.DataFrame({"model": ["a", "b", "c"], "mean": [0.9, 0.7, 0.6],
        ...     "cost_per_request": [3.0, 1.0, 2.0]})
        >>> chart = cost_quality(pts)
        >>> sorted(row["model"] for row in chart.data.values if row["pareto"])
        ['a', 'b']
    """
    func = "cost_quality"
    frame = as_table(points, want="scores", param="points", func=func)
    if is_score_table(frame):
        stats = {"confidence": confidence, "n_resamples": n_resamples, "seed": seed}
        frame = _points(points, frame, metric, results, cases, stats)
        cost = "mean_cost_usd" if cost is None else cost
    else:
        cost = "cost_per_request" if cost is None else cost
        if metric is not None:
            require_columns(frame, ["metric"], param="points", func=func, expected=_POINTS)
            frame = pick_metric(frame, metric, func, "points")
    if cost not in frame.columns and "mean_cost_usd" in frame.columns:
        raise ValueError(
            f"{func}: points has no column {cost!r}; for operational_summary output pass cost='mean_cost_usd'"
        )
    require_columns(frame, ["model", quality, cost], param="points", func=func, expected=_POINTS)
    frame = with_labels(frame)
    duplicated = frame.filter(pl.col("label").is_duplicated())
    if duplicated.height:
        hint = " filter to one metric first (metric='exact');" if ("metric" in frame.columns) else ""
        raise ValueError(
            f"{func}: points has {duplicated.height} rows for "
            f"{duplicated.get_column('label').unique().sort().to_list()[:5]} but needs one per model "
            f"(and variant);{hint} see workbench.stats.summarize(metric=...)"
        )
    colors = model_colors(frame.get_column("model").to_list(), models, func)
    frame = pareto_front(frame, quality=quality, cost=cost).with_columns(
        pl.col(quality).cast(pl.Float64).alias("quality"),
        pl.col(cost).cast(pl.Float64).alias("cost"),
        pl.col("model").replace_strict(colors).alias("color"),
    )
    missing = frame.filter(pl.col("pareto").is_null())
    if missing.height:
        warnings.warn(
            f"{func}: {missing.height} row(s) without a {quality!r} or {cost!r} value are not drawn: "
            f"{missing.get_column('label').to_list()[:10]}",
            ChartWarning,
            stacklevel=2,
        )
    frame = frame.filter(pl.col("pareto").is_not_null())
    if frame.height == 0:
        raise ValueError(f"{func}: no row of points has both a {quality!r} and a {cost!r} value")
    if quality == "mean" and {"ci_lo", "ci_hi"} <= set(frame.columns):
        intervals = [interval_text(lo, hi) for lo, hi in frame.select("ci_lo", "ci_hi").rows()]
        frame = frame.with_columns(pl.Series("interval", intervals))
    frame = frame.with_columns(
        pl.when(pl.col("pareto")).then(pl.lit("yes")).otherwise(pl.lit("no")).alias("on_front")
    )
    subtitle = (
        f"{missing.height} model(s) without a {quality} or {cost} value not shown" if missing.height else ""
    )
    return finish(_chart(present(frame, _CHART_COLUMNS), quality, cost, subtitle), configure)


def _points(
    points: Any,
    scores: pl.DataFrame,
    metric: str | None,
    results: Any,
    cases: Any,
    stats: dict[str, Any],
) -> pl.DataFrame:
    """One row per model and variant: the summary of one metric joined to the run's operational numbers."""
    from workbench.stats import operational_summary
    from workbench.stats._common import one_metric

    func = "cost_quality"
    metric = one_metric(scores, metric, param="points")
    source = results if results is not None else run_of(points)
    if source is None:
        raise ValueError(
            f"{func}: points is a score table that does not know the run it scored: pass results= "
            "(the Run or its results table) for each model's cost"
        )
    summary = summary_of(points, func=func, metric=metric, cases=cases, param="points", **stats)
    by = [c for c in ("model", "variant") if c in summary.columns]
    runs = as_table(source, want="results", param="results", func=func)
    ops = operational_summary(runs, by=by, **stats)
    keep = [*by, *(c for c in ops.columns if c not in summary.columns)]
    return summary.join(ops.select(keep), on=by, how="left", nulls_equal=True)


def _chart(frame: pl.DataFrame, quality: str, cost: str, subtitle: str) -> alt.LayerChart:
    import altair as alt

    x = alt.X("cost:Q", title=cost, scale=alt.Scale(zero=False, nice=True))
    y = alt.Y("quality:Q", title=quality, scale=alt.Scale(zero=False, nice=True))
    tooltip = tooltip_columns(
        frame,
        [
            ("model", "N", "model"),
            ("variant", "N", "variant"),
            ("quality", "Q", quality),
            ("interval", "N", "interval"),
            ("cost", "Q", cost),
            ("n", "Q", "n"),
            ("on_front", "N", "on the Pareto front"),
        ],
    )
    front = (
        alt.Chart()
        .transform_filter("datum.pareto")
        .mark_line(interpolate="step-after", color="#555555", strokeWidth=1.5, strokeDash=[4, 3])
        .encode(x=x, y=y, order=alt.Order("cost:Q"))
    )
    points = (
        alt.Chart()
        .mark_point(size=90, strokeWidth=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color("color:N", scale=None, legend=None),
            fill=alt.when("datum.pareto")
            .then(alt.Color("color:N", scale=None))
            .otherwise(alt.value("white")),
            tooltip=tooltip,
        )
    )
    labels = (
        alt.Chart()
        .mark_text(align="left", dx=8, dy=-6, fontSize=11, color="#333333")
        .encode(x=x, y=y, text="label:N", tooltip=tooltip)
    )
    title = alt.Title("Quality against cost", subtitle=subtitle) if subtitle else "Quality against cost"
    chart = alt.layer(front, points, labels, data=inline(frame))
    return cast("alt.LayerChart", chart.properties(width=WIDTH, height=260, title=title))
