"""What every chart shares: frames in, small inline datasets out, one look, stable model colours.

Altair is imported inside the functions that build charts, never at module import time.

Untrusted text (model, variant and slice names come from users' configs and data) only ever travels
in the charts' inline data: axis orders and colours are numeric or hex columns computed here, so no
name becomes a literal in a scale domain, a sort list, an expression or a title.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench._table import as_table, cases_of, require_columns

if TYPE_CHECKING:
    import altair as alt

#: Tableau 10: distinguishable, colour-blind friendlier than the Vega default ordering of greys.
PALETTE = (
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#e45756",
    "#72b7b2",
    "#eeca3b",
    "#b279a2",
    "#ff9da6",
    "#9d755d",
    "#bab0ac",
)
FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"
WIDTH = 360
STEP = 24  # pixels per model or slice on a band axis
MISSING_SLICE = "(no value)"


def theme() -> dict[str, Any]:
    """The Vega-Lite ``config`` every workbench chart is drawn with: fonts, sizes, a quiet frame.

    The chart functions apply it themselves (``configure=True``). Vega-Lite allows a config only on
    the outermost chart, so to place several charts side by side build them with
    ``configure=False`` and configure the combination once.

    Example:
        >>> import altair as alt
        >>> from workbench.charts import theme
        >>> theme()["font"]
        'Helvetica Neue, Helvetica, Arial, sans-serif'
        >>> combined = alt.hconcat(alt.Chart().mark_point()).configure(**theme())   # doctest: +SKIP
    """
    return {
        "font": FONT,
        "title": {
            "fontSize": 14,
            "fontWeight": 600,
            "anchor": "start",
            "subtitleFontSize": 11,
            "subtitleColor": "#555555",
        },
        "axis": {
            "labelFontSize": 11,
            "titleFontSize": 12,
            "titleFontWeight": 500,
            "labelLimit": 220,
            "gridColor": "#ececec",
            "domainColor": "#888888",
            "tickColor": "#888888",
        },
        "header": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 260},
        "legend": {"labelFontSize": 11, "titleFontSize": 11},
        "view": {"continuousWidth": WIDTH, "continuousHeight": 240, "stroke": "#dddddd"},
    }


def finish(chart: Any, configure: bool) -> Any:
    """Apply the theme unless the caller wants to compose the chart first."""
    return chart.configure(**theme()) if configure else chart


#: what a chart that draws a summary accepts, for error messages
SUMMARY = "the output of workbench.stats.summarize, a Scores or a score table (metric, value)"


def is_score_table(frame: pl.DataFrame) -> bool:
    """Whether ``frame`` holds score rows (``metric``, ``value``) rather than a summary of them."""
    return {"metric", "value"} <= set(frame.columns) and "mean" not in frame.columns


def pick_metric(frame: pl.DataFrame, metric: str | None, func: str, param: str = "summary") -> pl.DataFrame:
    """The rows of ``metric`` (every row when None); an unknown metric names the ones there are."""
    if metric is None:
        return frame
    available = sorted(frame.get_column("metric").cast(pl.Utf8).drop_nulls().unique().to_list())
    if metric not in available:
        raise ValueError(
            f"{func}: metric {metric!r} is not in {param}; available metrics: {', '.join(available) or '(none)'}"
        )
    return frame.filter(pl.col("metric") == metric)


def summary_of(
    data: Any,
    *,
    func: str,
    metric: str | None = None,
    slices: Any = None,
    cases: Any = None,
    confidence: float,
    n_resamples: int,
    seed: int,
    param: str = "summary",
) -> pl.DataFrame:
    """``data`` as ``workbench.stats.summarize`` output, by model and variant.

    A summary (polars, pandas, LazyFrame) is returned as is. A ``Scores`` or a score table is
    summarised here (only ``metric`` when given), sliced by ``slices`` over ``cases`` (default: the
    cases the Scores knows), so that a chart never needs a summary built by hand.
    """
    frame = as_table(data, want="scores", param=param, func=func)
    if not is_score_table(frame):
        return frame
    from workbench.stats import summarize

    require_columns(frame, ["model"], param=param, func=func, expected=SUMMARY)
    frame = pick_metric(frame, metric, func, param)
    by = [c for c in ("model", "variant") if c in frame.columns]
    # only the columns summarize reads (as Scores.summary does)
    wanted = ["case_id", "metric", "value", "passed", *by, *([slices] if isinstance(slices, str) else [])]
    frame = frame.select(list(dict.fromkeys(c for c in wanted if c in frame.columns)))
    return summarize(
        frame,
        by=by,
        slices=slices,
        cases=cases_of(data, cases=cases),
        confidence=confidence,
        seed=seed,
        n_resamples=n_resamples,
    )


def model_colors(models: Iterable[str], domain: Sequence[str] | None, func: str) -> dict[str, str]:
    """Map each model to a colour by its position among the sorted model names.

    ``domain`` (all the models of an analysis) keeps colours fixed when a chart shows a subset.
    """
    present = sorted({str(m) for m in models})
    names = sorted({str(m) for m in domain}) if domain is not None else present
    unknown = [m for m in present if m not in set(names)]
    if unknown:
        raise ValueError(f"{func}: models= does not list model(s) {unknown}; it lists {names}")
    return {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(names)}


def with_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``label`` (model, or "model / variant" when there are several variants) and ``label_order``."""
    frame = frame.with_columns(pl.col("model").cast(pl.Utf8))
    several = "variant" in frame.columns and frame.get_column("variant").n_unique() > 1
    if several:
        frame = frame.with_columns(pl.col("variant").cast(pl.Utf8))
        label = (
            pl.when(pl.col("variant").is_null())
            .then(pl.col("model"))
            .otherwise(pl.concat_str([pl.col("model"), pl.lit(" / "), pl.col("variant")]))
        )
        sort_keys = ["model", "variant"]
    else:
        label, sort_keys = pl.col("model"), ["model"]
    frame = frame.with_columns(label.alias("label"))
    order = (
        frame.select(*sort_keys, "label")
        .unique(maintain_order=True)
        .sort(sort_keys, nulls_last=True)
        .with_row_index("label_order")
        .select("label", pl.col("label_order").cast(pl.Int64))
    )
    return frame.join(order, on="label", how="left")


def present(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Keep the listed columns that the frame has, in the listed order: the chart's data and no more."""
    return frame.select([c for c in columns if c in frame.columns])


def fmt(value: float | None, spec: str = ".3g") -> str:
    """Format a number for a text mark or tooltip; a missing number shows as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format(value, spec)


def interval_text(lo: float | None, hi: float | None, spec: str = ".3g") -> str:
    """An interval as "[lo, hi]", or "none" when either end is missing."""
    if lo is None or hi is None:
        return "none"
    return f"[{fmt(lo, spec)}, {fmt(hi, spec)}]"


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows without their null fields (a tooltip then leaves them out; NaN counts as null).

    Charts test numbers with ``isFinite``, which is false for a missing field as for null.
    """
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    if floats:
        frame = frame.with_columns(pl.col(floats).fill_nan(None))
    return [{k: v for k, v in row.items() if v is not None} for row in frame.iter_rows(named=True)]


def inline(frame: pl.DataFrame) -> alt.Data:
    """The frame as an inline Vega-Lite dataset (callers aggregate first: it is embedded as JSON)."""
    import altair as alt

    return alt.Data(values=records(frame))


def cell_text() -> alt.Chart:
    """The text layer of a heatmap: each cell's ``text``, white on dark cells (``light_text``)."""
    import altair as alt

    return (
        alt.Chart()
        .mark_text(fontSize=11)
        .encode(
            text="text:N",
            color=alt.when("datum.light_text").then(alt.value("white")).otherwise(alt.value("#222222")),
        )
    )


def tooltip_columns(frame: pl.DataFrame, wanted: Sequence[tuple[str, str, str]]) -> list[Any]:
    """Tooltip channels for the (column, type, title) triples whose column is in the frame."""
    import altair as alt

    out = []
    for column, kind, title in wanted:
        if column not in frame.columns:
            continue
        if kind == "Q":
            out.append(alt.Tooltip(f"{column}:Q", title=title, format=".4g"))
        else:
            out.append(alt.Tooltip(f"{column}:{kind}", title=title))
    return out
