"""Latency per model: a histogram binned in polars, with p50/p95/p99 rules."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from workbench._table import as_table
from workbench.charts._common import (
    WIDTH,
    finish,
    fmt,
    inline,
    model_colors,
    with_labels,
)

if TYPE_CHECKING:
    import altair as alt

#: quantiles drawn as rules; the same linear interpolation as ``workbench.stats.operational_summary``
QUANTILES = (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
#: auto log bins when the slowest successful call is this many times the fastest
LOG_RATIO = 50.0


def latency_distribution(
    results: Any,
    *,
    bins: int = 30,
    log: bool | None = None,
    models: Sequence[str] | None = None,
    configure: bool = True,
) -> alt.FacetChart:
    """Latency of successful calls per model (and variant): a histogram with p50/p95/p99 rules.

    The histogram is binned here, in polars, on bin edges shared by every model, and only the
    non-empty bins and the three quantiles per model are embedded: the spec holds at most
    ``bins + 3`` rows per model whatever the number of calls. Failed calls (``error_type`` set) and
    calls without a latency are left out, as in ``operational_summary``, whose ``latency_p50``,
    ``latency_p95`` and ``latency_p99`` equal the rules' positions; the subtitle counts them.

    Args:
        results: a Run (or the Scores of one: its run's results), or a results table (polars,
            pandas or a LazyFrame) with ``model`` and ``latency_s``, and ``variant`` and
            ``error_type`` when present.
        bins: number of bins spanning the fastest to the slowest call.
        log: log-spaced bins on a log axis; None chooses them when the slowest call is over 50
            times the fastest.
        models: all model names of the analysis, to keep each model's colour fixed across charts.
        configure: apply :func:`theme`; pass False to combine the chart with others first.

    Example:
        >>> import polars as pl
        >>> results = pl.DataFrame({"model": ["a", "a", "b", "b"], "variant": "v",
        ...     "latency_s": [0.2, 0.4, 1.0, 1.5], "error_type": [None, None, None, "Timeout"]})
        >>> chart = latency_distribution(results, bins=10)
        >>> sorted({row["kind"] for row in chart.data.values})
        ['bin', 'quantile']
    """
    func = "latency_distribution"
    frame = as_table(
        results,
        want="results",
        param="results",
        func=func,
        columns=["model", "latency_s"],
        expected="a Run or a results table (Run.results)",
    )
    if bins < 1:
        raise ValueError(f"{func}: bins must be a positive number of bins, got {bins!r}")
    keep = ["model", "latency_s"] + [c for c in ("variant", "error_type") if c in frame.columns]
    frame = with_labels(frame.select(keep).with_columns(pl.col("latency_s").cast(pl.Float64).fill_nan(None)))
    colors = model_colors(frame.get_column("model").unique().to_list(), models, func)
    failed = pl.col("error_type").is_not_null() if "error_type" in frame.columns else pl.lit(False)
    n_failed = frame.select(failed.sum()).item()
    n_no_latency = frame.filter(~failed & pl.col("latency_s").is_null()).height
    ok = frame.filter(~failed & pl.col("latency_s").is_not_null())
    if ok.height == 0:
        raise ValueError(
            f"{func}: results has no successful call with a latency_s "
            f"({n_failed} failed, {n_no_latency} without latency)"
        )
    lo, hi = float(ok.get_column("latency_s").min()), float(ok.get_column("latency_s").max())  # type: ignore[arg-type]
    if log is None:
        log = lo > 0 and hi / lo > LOG_RATIO
    if log and lo <= 0:
        raise ValueError(
            f"{func}: log=True needs positive latencies; the fastest successful call took {lo} s"
        )
    edges = _edges(lo, hi, bins, log)
    data = pl.concat([_histogram(ok, edges, log), _quantiles(ok)], how="diagonal_relaxed")
    data = data.with_columns(pl.col("model").replace_strict(colors).alias("color"))
    subtitle = []
    if n_failed:
        subtitle.append(f"{n_failed} failed call(s) left out")
    if n_no_latency:
        subtitle.append(f"{n_no_latency} call(s) without a latency left out")
    return finish(_chart(data, log, "; ".join(subtitle)), configure)


def _edges(lo: float, hi: float, bins: int, log: bool) -> np.ndarray:
    if hi == lo and log:  # one distinct latency: a single bin around it
        lo, hi = lo / 1.05, hi * 1.05
    elif hi == lo:
        pad = abs(lo) * 0.05 or 0.001
        lo, hi = lo - pad, hi + pad
    if log:
        return np.geomspace(lo, hi, bins + 1)
    return np.linspace(lo, hi, bins + 1)


def _histogram(ok: pl.DataFrame, edges: np.ndarray, log: bool) -> pl.DataFrame:
    bins = len(edges) - 1
    x = pl.col("latency_s").log() if log else pl.col("latency_s")
    start = math.log(edges[0]) if log else float(edges[0])
    width = ((math.log(edges[-1]) if log else float(edges[-1])) - start) / bins
    index = ((x - start) / width).floor().cast(pl.Int64).clip(0, bins - 1).alias("bin")
    counts = (
        ok.with_columns(index)
        .group_by("model", "label", "label_order", "bin")
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .with_columns((pl.col("count") / pl.col("count").sum().over("label")).alias("share"))
        .sort("label_order", "bin")
    )
    bounds = pl.DataFrame(
        {"bin": np.arange(bins, dtype=np.int64), "bin_start": edges[:-1], "bin_end": edges[1:]}
    )
    return counts.join(bounds, on="bin", how="left").with_columns(pl.lit("bin").alias("kind")).drop("bin")


def _quantiles(ok: pl.DataFrame) -> pl.DataFrame:
    wide = (
        ok.group_by("model", "label", "label_order")
        .agg(
            pl.len().cast(pl.Int64).alias("n"),
            *[pl.col("latency_s").quantile(q, interpolation="linear").alias(name) for name, q in QUANTILES],
        )
        .sort("label_order")
    )
    long = wide.unpivot(
        index=["model", "label", "label_order", "n"],
        on=[name for name, _ in QUANTILES],
        variable_name="quantile",
        value_name="seconds",
    )
    texts = [f"{q} {fmt(v)} s" for q, v in long.select("quantile", "seconds").rows()]
    return long.with_columns(pl.lit("quantile").alias("kind"), pl.Series("text", texts))


def _chart(data: pl.DataFrame, log: bool, subtitle: str) -> alt.FacetChart:
    import altair as alt

    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    x_title = "latency (s, log scale)" if log else "latency (s)"
    bars = (
        alt.Chart()
        .transform_filter("datum.kind === 'bin'")
        .mark_rect(opacity=0.85)
        .encode(
            x=alt.X("bin_start:Q", title=x_title, scale=scale),
            x2="bin_end:Q",
            y=alt.Y("share:Q", title="share of calls", axis=alt.Axis(format="%", tickCount=3)),
            color=alt.Color("color:N", scale=None, legend=None),
            tooltip=[
                alt.Tooltip("model:N", title="model"),
                alt.Tooltip("label:N", title="group"),
                alt.Tooltip("bin_start:Q", title="from (s)", format=".4g"),
                alt.Tooltip("bin_end:Q", title="to (s)", format=".4g"),
                alt.Tooltip("count:Q", title="calls"),
                alt.Tooltip("share:Q", title="share", format=".1%"),
            ],
        )
    )
    quantile_tooltip = [
        alt.Tooltip("label:N", title="group"),
        alt.Tooltip("quantile:N", title="quantile"),
        alt.Tooltip("seconds:Q", title="seconds", format=".4g"),
        alt.Tooltip("n:Q", title="successful calls"),
    ]
    rules = (
        alt.Chart()
        .transform_filter("datum.kind === 'quantile'")
        .mark_rule(color="#333333")
        .encode(
            x=alt.X("seconds:Q", scale=scale),
            strokeDash=alt.StrokeDash(
                "quantile:N",
                scale=alt.Scale(domain=[q for q, _ in QUANTILES], range=[[1, 0], [5, 3], [2, 2]]),
                legend=None,
            ),
            tooltip=quantile_tooltip,
        )
    )
    # one text layer per quantile, stacked from the top, so close quantiles do not overprint
    labels = [
        alt.Chart()
        .transform_filter(f"datum.kind === 'quantile' && datum.quantile === '{name}'")
        .mark_text(align="left", dx=3, fontSize=10, color="#333333", baseline="top")
        .encode(
            x=alt.X("seconds:Q", scale=scale),
            y=alt.value(2 + 12 * i),
            text="text:N",
            tooltip=quantile_tooltip,
        )
        for i, (name, _) in enumerate(QUANTILES)
    ]
    layered = alt.layer(bars, rules, *labels).properties(width=WIDTH, height=90)
    header = alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelFontWeight="bold")
    chart = alt.FacetChart(
        data=inline(data),
        spec=layered,
        facet=alt.Facet(
            "label:N", title=None, header=header, sort=alt.EncodingSortField("label_order", op="min")
        ),
        columns=1,
    )
    title = (
        alt.Title("Latency of successful calls", subtitle=subtitle)
        if subtitle
        else "Latency of successful calls"
    )
    return chart.properties(title=title)
