"""Charts of ``workbench.stats.summarize`` output: a dot plot with intervals and a slice heatmap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from workbench._table import require_columns
from workbench.charts._common import (
    MISSING_SLICE,
    STEP,
    SUMMARY,
    WIDTH,
    cell_text,
    finish,
    fmt,
    inline,
    interval_text,
    model_colors,
    pick_metric,
    present,
    summary_of,
    tooltip_columns,
    with_labels,
)

if TYPE_CHECKING:
    import altair as alt

#: value column -> its interval columns in ``summarize`` output
_INTERVALS = {"mean": ("ci_lo", "ci_hi"), "pass_rate": ("pass_ci_lo", "pass_ci_hi")}
Value = Literal["mean", "pass_rate"]
# what each chart embeds (when the summary has it)
_DOT_COLUMNS = "metric model variant label label_order color value lo hi interval n n_missing note".split()
_HEAT_COLUMNS = (
    "slice slice_order gap model variant label label_order value interval text light_text n n_missing note"
).split()


def _prepare(summary: pl.DataFrame, value: str, func: str, extra: Sequence[str] = ()) -> pl.DataFrame:
    """Check a summary frame and rename its value and interval columns to value/lo/hi."""
    if value not in _INTERVALS:
        raise ValueError(f"{func}: value must be 'mean' or 'pass_rate', got {value!r}")
    lo, hi = _INTERVALS[value]
    require_columns(
        summary, ["metric", "model", value, lo, hi, "n", *extra], param="summary", func=func, expected=SUMMARY
    )
    return summary.with_columns(
        pl.col(value).cast(pl.Float64).fill_nan(None).alias("value"),
        pl.col(lo).cast(pl.Float64).fill_nan(None).alias("lo"),
        pl.col(hi).cast(pl.Float64).fill_nan(None).alias("hi"),
        pl.col("metric").cast(pl.Utf8),
    )


def _texts(frame: pl.DataFrame, spec: str = ".3g") -> pl.DataFrame:
    rows = frame.select("lo", "hi").rows()
    return frame.with_columns(pl.Series("interval", [interval_text(lo, hi, spec) for lo, hi in rows]))


def metric_by_model(
    summary: Any,
    *,
    metric: str | None = None,
    value: Value = "mean",
    models: Sequence[str] | None = None,
    configure: bool = True,
    cases: Any = None,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> alt.LayerChart | alt.FacetChart:
    """Each model's (and variant's) score with its interval: a point and an error bar per row.

    Args:
        summary: ``workbench.stats.summarize`` output without slices (polars, pandas or a
            LazyFrame), or a ``Scores`` (or score table) to summarise by model and variant here.
        metric: the metric to show; None shows every metric, one panel each (own x scales).
        value: "mean" (with ci_lo/ci_hi) or "pass_rate" (with pass_ci_lo/pass_ci_hi).
        models: all model names of the analysis, to keep each model's colour fixed across charts
            that show different subsets (default: the models in ``summary``).
        configure: apply :func:`theme`; pass False to combine the chart with others first.
        cases, confidence, n_resamples, seed: passed to ``summarize`` when ``summary`` is scores
            (``cases`` defaults to the cases the Scores knows).

    Returns:
        A LayerChart for one metric, a FacetChart (a row per metric) for several.

    Example:
        >>> import polars as pl
        >>> from workbench.stats import summarize
        >>> scores = pl.DataFrame({"case_id": ["1", "2", "1", "2"], "model": ["a", "a", "b", "b"],
        ...     "variant": "v", "metric": "exact", "value": [1.0, 0.0, 1.0, 1.0]})
        >>> chart = metric_by_model(summarize(scores), metric="exact")
        >>> [layer.mark.type for layer in chart.layer]
        ['rule', 'point']
        >>> [row["value"] for row in metric_by_model(scores, n_resamples=100).data.values]
        [0.5, 1.0]
    """
    func = "metric_by_model"
    stats: dict[str, Any] = {"confidence": confidence, "n_resamples": n_resamples, "seed": seed}
    frame = summary_of(summary, func=func, metric=metric, cases=cases, **stats)
    frame = pick_metric(_prepare(frame, value, func), metric, func)
    if "slice" in frame.columns and frame.get_column("slice").n_unique() > 1:
        raise ValueError(
            f"{func}: summary has several slices; chart it with slice_heatmap(summary, metric) or "
            "filter to one slice first, e.g. summary.filter(pl.col('slice') == 'billing')"
        )
    if frame.height == 0:
        raise ValueError(f"{func}: summary has no rows to chart")
    frame = with_labels(frame)
    colors = model_colors(frame.get_column("model").to_list(), models, func)
    frame = _texts(frame).with_columns(pl.col("model").replace_strict(colors).alias("color"))
    frame = present(frame, _DOT_COLUMNS)
    chart = _dot_plot(frame, value)
    several = frame.get_column("metric").n_unique() > 1
    if several:
        import altair as alt

        header = alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelFontWeight="bold")
        chart = chart.facet(row=alt.Row("metric:N", title=None, header=header)).resolve_scale(x="independent")
    return finish(chart, configure)


def _dot_plot(frame: pl.DataFrame, value: str) -> alt.LayerChart:
    import altair as alt

    title = "mean" if value == "mean" else "pass rate"
    tooltip = tooltip_columns(
        frame,
        [
            ("model", "N", "model"),
            ("variant", "N", "variant"),
            ("metric", "N", "metric"),
            ("n", "Q", "n"),
            ("value", "Q", title),
            ("interval", "N", "interval"),
            ("n_missing", "Q", "n missing"),
            ("note", "N", "note"),
        ],
    )
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField("label_order", op="min"))
    color = alt.Color("color:N", scale=None, legend=None)
    bars = (
        alt.Chart()
        .mark_rule(strokeWidth=2)
        .encode(x=alt.X("lo:Q", title=f"{title} with interval", scale=alt.Scale(zero=False)), x2="hi:Q")
    )
    points = alt.Chart().mark_point(filled=True, size=70, opacity=1).encode(x="value:Q")
    return (
        alt.layer(bars, points, data=inline(frame))
        .encode(y=y, color=color, tooltip=tooltip)
        .properties(width=WIDTH, height=alt.Step(STEP))
    )


def slice_heatmap(
    summary: Any,
    metric: str,
    *,
    value: Value = "mean",
    value_format: str = ".2f",
    configure: bool = True,
    slices: Any = None,
    cases: Any = None,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> alt.LayerChart:
    """A slice x model heatmap of one metric, slices with the largest gap between models first.

    Cells show the value as text; tooltips add n, the interval and the note. Clicking a slice selects
    it in the point selection named ``slice_select`` (double click clears it), which other views and
    widgets can read, e.g. ``alt.JupyterChart(chart).selections.slice_select``.

    Args:
        summary: ``workbench.stats.summarize(..., slices=...)`` output (polars, pandas or a
            LazyFrame), or a ``Scores`` (or score table) to summarise by slice here.
        metric: the metric to show.
        value: "mean" or "pass_rate".
        value_format: Python format spec of the numbers written in the cells.
        configure: apply :func:`theme`; pass False to combine the chart with others first.
        slices: how to slice scores (``summarize``'s ``slices=``); default ``"tags"``, one slice
            per tag of the cases. Ignored for a summary, which is sliced already.
        cases, confidence, n_resamples, seed: passed to ``summarize`` when ``summary`` is scores
            (``cases`` defaults to the cases the Scores knows).

    Example:
        >>> import polars as pl
        >>> from workbench.stats import summarize
        >>> scores = pl.DataFrame({"case_id": ["1", "2", "1", "2"], "model": ["a", "a", "b", "b"],
        ...     "variant": "v", "metric": "exact", "value": [1.0, 0.0, 1.0, 1.0],
        ...     "topic": ["billing", "refund", "billing", "refund"]})
        >>> chart = slice_heatmap(summarize(scores, slices="topic"), "exact")
        >>> [p.name for p in chart.params]
        ['slice_select']
        >>> chart = slice_heatmap(scores, "exact", slices="topic", n_resamples=100)
        >>> sorted({row["slice"] for row in chart.data.values})
        ['billing', 'refund']
    """
    func = "slice_heatmap"
    stats: dict[str, Any] = {"confidence": confidence, "n_resamples": n_resamples, "seed": seed}
    frame = summary_of(
        summary, func=func, metric=metric, slices="tags" if slices is None else slices, cases=cases, **stats
    )
    frame = pick_metric(_prepare(frame, value, func, extra=["slice"]), metric, func)
    if frame.height == 0:
        raise ValueError(f"{func}: summary has no rows for metric {metric!r}")
    frame = with_labels(frame).with_columns(pl.col("slice").cast(pl.Utf8).fill_null(MISSING_SLICE))
    gaps = (
        frame.group_by("slice")
        .agg(
            # a gap needs two models with a value; a slice with fewer sorts last with a null gap
            pl.when(pl.col("value").count() >= 2)
            .then(pl.col("value").max() - pl.col("value").min())
            .alias("gap")
        )
        .sort(["gap", "slice"], descending=[True, False], nulls_last=True)
        .with_row_index("slice_order")
        .with_columns(pl.col("slice_order").cast(pl.Int64))
    )
    frame = frame.join(gaps, on="slice", how="left")
    values = frame.get_column("value").drop_nulls()
    lo, hi = (values.min(), values.max()) if values.len() else (0.0, 1.0)
    span = (hi - lo) if hi != lo else 1.0  # type: ignore[operator]
    frame = _texts(frame).with_columns(
        pl.Series("text", [fmt(v, value_format) for v in frame.get_column("value").to_list()]),
        # the "blues" scheme turns dark past ~60% of its range: write white there
        (((pl.col("value") - lo) / span) > 0.6).fill_null(False).alias("light_text"),
    )
    return finish(_heatmap(present(frame, _HEAT_COLUMNS), metric, value), configure)


def _heatmap(frame: pl.DataFrame, metric: str, value: str) -> alt.LayerChart:
    import altair as alt

    title = "mean" if value == "mean" else "pass rate"
    select = alt.selection_point(name="slice_select", fields=["slice"], on="click", clear="dblclick")
    tooltip = tooltip_columns(
        frame,
        [
            ("slice", "N", "slice"),
            ("model", "N", "model"),
            ("variant", "N", "variant"),
            ("value", "Q", title),
            ("interval", "N", "interval"),
            ("n", "Q", "n"),
            ("n_missing", "Q", "n missing"),
            ("gap", "Q", "largest gap in slice"),
            ("note", "N", "note"),
        ],
    )
    cells = (
        alt.Chart()
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            color=alt.when("isFinite(datum.value)")
            .then(alt.Color("value:Q", title=f"{metric}: {title}", scale=alt.Scale(scheme="blues")))
            .otherwise(alt.value("#eeeeee")),
            opacity=alt.when(select).then(alt.value(1.0)).otherwise(alt.value(0.35)),
        )
    )
    text = cell_text()
    return (
        alt.layer(cells, text, data=inline(frame))
        .encode(
            x=alt.X(
                "label:N",
                title=None,
                sort=alt.EncodingSortField("label_order", op="min"),
                axis=alt.Axis(orient="top", labelAngle=-30, labelAlign="left"),
            ),
            y=alt.Y("slice:N", title=None, sort=alt.EncodingSortField("slice_order", op="min")),
            tooltip=tooltip,
        )
        .add_params(select)
        .properties(width=alt.Step(70), height=alt.Step(STEP))
    )
