"""Cost against quality: every model a point, the Pareto front (computed here) drawn through the best."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from workbench.charts._common import (
    WIDTH,
    finish,
    inline,
    interval_text,
    model_colors,
    present,
    require,
    to_polars,
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
_POINTS = "one row per model (and variant) with a quality and a cost column"


class ChartWarning(UserWarning):
    """Something in the input could not be drawn (the chart says how many rows were left out)."""


def pareto_front(points: Any, quality: str = "mean", cost: str = "cost_per_request") -> pl.DataFrame:
    """Mark the rows no other row beats: higher-or-equal quality at lower-or-equal cost, one strictly.

    Rows with a missing quality or cost get a null ``pareto``; they neither join nor block the front.
    Identical points are all on the front (neither beats the other).

    Args:
        points: one row per model (and variant), polars or pandas.
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
    frame = to_polars(points, "points", "pareto_front")
    require(frame, [quality, cost], "points", "pareto_front", _POINTS)
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
    quality: str = "mean",
    cost: str = "cost_per_request",
    models: Sequence[str] | None = None,
    configure: bool = True,
) -> alt.LayerChart:
    """Quality against cost per model, with the Pareto front (maximise quality, minimise cost).

    The front is computed in Python (:func:`pareto_front`) and drawn as a staircase through the
    front's points, which are filled; dominated models are hollow. Build ``points`` by joining a
    summary to the operational numbers, e.g.
    ``summarize(scores, metric="exact").join(operational_summary(results), on=["model", "variant"])``
    and ``cost="mean_cost_usd"``.

    Args:
        points: one row per model (and variant): ``model``, ``quality`` and ``cost`` columns
            (``variant``, ``ci_lo``/``ci_hi`` and ``n`` are shown in tooltips when present).
        quality: column to maximise (y axis).
        cost: column to minimise (x axis), e.g. ``mean_cost_usd`` of ``operational_summary``.
        models: all model names of the analysis, to keep each model's colour fixed across charts.
        configure: apply :func:`theme`; pass False to combine the chart with others first.

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
    frame = to_polars(points, "points", func)
    if cost not in frame.columns and "mean_cost_usd" in frame.columns:
        raise ValueError(
            f"{func}: points has no column {cost!r}; for operational_summary output pass cost='mean_cost_usd'"
        )
    require(frame, ["model", quality, cost], "points", func, _POINTS)
    frame = with_labels(frame)
    duplicated = frame.filter(pl.col("label").is_duplicated())
    if duplicated.height:
        hint = (
            " filter to one metric first, e.g. points.filter(pl.col('metric') == 'exact');"
            if ("metric" in frame.columns)
            else ""
        )
        raise ValueError(
            f"{func}: points has {duplicated.height} rows for "
            f"{duplicated.get_column('label').unique().sort().to_list()[:5]} but needs one per model "
            f"(and variant);{hint} see workbench.stats.summarize(metric=...)"
        )
    colors = model_colors(frame.get_column("model").to_list(), models, func)
    frame = pareto_front(frame, quality, cost).with_columns(
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
