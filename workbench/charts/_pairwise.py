"""Charts of pairwise verdicts: a win-rate matrix and Bradley-Terry ratings with intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

import polars as pl

from workbench._table import as_table
from workbench.charts._common import (
    STEP,
    WIDTH,
    cell_text,
    finish,
    fmt,
    inline,
    interval_text,
    model_colors,
    present,
    tooltip_columns,
)

if TYPE_CHECKING:
    import altair as alt

Inconsistent = Literal["keep", "tie", "drop"]
Scale = Literal["elo", "rating"]
_PAIRWISE = "a pairwise verdicts table (case_id, model_a, model_b, winner in 'a'/'b'/'tie')"
_RATINGS = "the output of workbench.stats.bradley_terry"
_RATING_COLUMNS = ("model", "order", "color", "value", "lo", "hi", "interval", "n", "wins", "losses", "ties")


def win_rate_matrix(
    pairwise: Any,
    *,
    confidence: float = 0.95,
    inconsistent: Inconsistent = "keep",
    configure: bool = True,
) -> alt.LayerChart:
    """A model x opponent matrix of win rates (a tie counts half), best model first.

    Each cell is ``workbench.stats.win_rate(pairwise, model, opponent)`` computed on that pair's
    verdicts: the row model's win rate against the column model, with n, wins, losses, ties and the
    Wilson interval in the tooltip. Pairs that never met are left blank.

    Args:
        pairwise: verdicts (polars, pandas, a LazyFrame or a result with a ``.table``):
            ``model_a``, ``model_b``, ``winner`` in {"a", "b", "tie"} (null: missing), optionally
            ``consistent``.
        confidence: level of the intervals in the tooltips.
        inconsistent: "keep", "tie" or "drop" verdicts whose ``consistent`` is False, as in win_rate.
        configure: apply :func:`theme`; pass False to combine the chart with others first.

    Example:
        >>> import polars as pl
        >>> v = pl.DataFrame({"case_id": ["1", "2", "3"], "model_a": ["x", "y", "x"],
        ...     "model_b": ["y", "x", "y"], "winner": ["a", "tie", "b"]})
        >>> cells = {(r["model"], r["opponent"]): r["win_rate"] for r in win_rate_matrix(v).data.values}
        >>> cells[("x", "y")], cells[("y", "x")]
        (0.5, 0.5)
    """
    return finish(
        _matrix(win_rate_cells(pairwise, confidence=confidence, inconsistent=inconsistent)), configure
    )


def win_rate_cells(
    pairwise: Any, *, confidence: float = 0.95, inconsistent: Inconsistent = "keep"
) -> pl.DataFrame:
    """The matrix's cells: one row per ordered pair of models that met, from ``win_rate``.

    Columns: the ``win_rate`` columns with a/b named model/opponent, plus
    ``overall`` (the model's wins + ties / 2 over all its verdicts) and the display orders.

    Example:
        >>> import polars as pl
        >>> v = pl.DataFrame({"model_a": ["x", "x"], "model_b": ["y", "y"], "winner": ["a", "tie"]})
        >>> win_rate_cells(v).select("model", "opponent", "win_rate").rows()
        [('x', 'y', 0.75), ('y', 'x', 0.25)]
    """
    from workbench.stats import win_rate

    func = "win_rate_matrix"
    frame = as_table(
        pairwise, param="pairwise", func=func, columns=["model_a", "model_b", "winner"], expected=_PAIRWISE
    )
    frame = frame.with_columns(pl.col("model_a", "model_b").cast(pl.Utf8)).with_row_index("_row")
    nulls = frame.filter(pl.col("model_a").is_null() | pl.col("model_b").is_null())
    if nulls.height:
        raise ValueError(f"{func}: pairwise row {nulls.item(0, '_row')} has a null model_a or model_b")
    bad = frame.filter(pl.col("winner").is_not_null() & ~pl.col("winner").is_in(["a", "b", "tie"]))
    if bad.height:
        raise ValueError(
            f"{func}: winner must be 'a', 'b' or 'tie' (or null); row {bad.item(0, '_row')} has "
            f"{bad.item(0, 'winner')!r}"
        )
    same = frame.filter(pl.col("model_a") == pl.col("model_b"))
    if same.height:
        raise ValueError(
            f"{func}: pairwise row {same.item(0, '_row')} compares {same.item(0, 'model_a')!r} with itself"
        )
    frame = frame.with_columns(
        pl.min_horizontal("model_a", "model_b").alias("_lo"),
        pl.max_horizontal("model_a", "model_b").alias("_hi"),
    )
    cells = []
    for (lo, hi), part in sorted(frame.partition_by("_lo", "_hi", as_dict=True).items()):
        part = part.drop("_row", "_lo", "_hi")  # win_rate validates its own input again
        for model, opponent in ((lo, hi), (hi, lo)):
            cells.append(win_rate(part, model, opponent, confidence=confidence, inconsistent=inconsistent))
    if not cells:
        raise ValueError(f"{func}: pairwise has no verdicts")
    out = pl.concat(cells).rename({"a": "model", "b": "opponent"})
    totals = (
        out.group_by("model")
        .agg(((pl.col("wins").sum() + pl.col("ties").sum() / 2) / pl.col("n").sum()).alias("overall"))
        .sort(["overall", "model"], descending=[True, False], nulls_last=True)
        .with_row_index("model_order")
        .with_columns(pl.col("model_order").cast(pl.Int64))
    )
    return out.join(totals, on="model", how="left").join(
        totals.select(pl.col("model").alias("opponent"), pl.col("model_order").alias("opponent_order")),
        on="opponent",
        how="left",
    )


def _matrix(cells: pl.DataFrame) -> alt.LayerChart:
    import altair as alt

    rows = cells.select("ci_lo", "ci_hi").rows()
    cells = cells.with_columns(
        pl.Series("interval", [interval_text(lo, hi) for lo, hi in rows]),
        pl.Series("text", [fmt(v, ".0%") for v in cells.get_column("win_rate").to_list()]),
        ((pl.col("win_rate") - 0.5).abs() > 0.3).fill_null(False).alias("light_text"),
    ).select(
        "model",
        "opponent",
        "model_order",
        "opponent_order",
        "win_rate",
        "interval",
        "n",
        "wins",
        "losses",
        "ties",
        "n_missing",
        "text",
        "light_text",
        "overall",
    )
    tooltip = tooltip_columns(
        cells,
        [
            ("model", "N", "model"),
            ("opponent", "N", "against"),
            ("win_rate", "Q", "win rate (ties half)"),
            ("interval", "N", "interval"),
            ("n", "Q", "verdicts"),
            ("wins", "Q", "wins"),
            ("losses", "Q", "losses"),
            ("ties", "Q", "ties"),
            ("n_missing", "Q", "missing verdicts"),
        ],
    )
    rect = (
        alt.Chart()
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            color=alt.Color(
                "win_rate:Q",
                title="win rate",
                scale=alt.Scale(scheme="redblue", domain=[0, 1], domainMid=0.5),
                legend=alt.Legend(format="%"),
            )
        )
    )
    text = cell_text()
    return (
        alt.layer(rect, text, data=inline(cells))
        .encode(
            x=alt.X(
                "opponent:N",
                title="against",
                sort=alt.EncodingSortField("opponent_order", op="min"),
                axis=alt.Axis(orient="top", labelAngle=-30, labelAlign="left"),
            ),
            y=alt.Y("model:N", title="model", sort=alt.EncodingSortField("model_order", op="min")),
            tooltip=tooltip,
        )
        .properties(width=alt.Step(56), height=alt.Step(STEP + 8))
    )


def bt_ratings(
    ratings: Any,
    *,
    scale: Scale = "elo",
    models: Sequence[str] | None = None,
    configure: bool = True,
) -> alt.LayerChart:
    """Bradley-Terry ratings with their bootstrap intervals, best model on top.

    Args:
        ratings: ``workbench.stats.bradley_terry`` output (polars, pandas or a LazyFrame).
        scale: "elo" (elo, elo_lo, elo_hi; 1000 is the average model) or "rating" (the log-strength
            rating, ci_lo, ci_hi; 0 is the average).
        models: all model names of the analysis, to keep each model's colour fixed across charts.
        configure: apply :func:`theme`; pass False to combine the chart with others first.

    Example:
        >>> import polars as pl
        >>> from workbench.stats import bradley_terry
        >>> v = pl.DataFrame({"case_id": ["1", "2", "3", "4"], "model_a": ["x", "y", "x", "x"],
        ...     "model_b": ["y", "x", "y", "y"], "winner": ["a", "a", "tie", "a"]})
        >>> chart = bt_ratings(bradley_terry(v, n_resamples=50))
        >>> [row["model"] for row in sorted(chart.data.values, key=lambda r: r["order"])]
        ['x', 'y']
    """
    func = "bt_ratings"
    columns = {"elo": ("elo", "elo_lo", "elo_hi", 1000.0), "rating": ("rating", "ci_lo", "ci_hi", 0.0)}
    if scale not in columns:
        raise ValueError(f"{func}: scale must be 'elo' or 'rating', got {scale!r}")
    value, lo, hi, centre = columns[scale]
    frame = as_table(ratings, param="ratings", func=func, columns=["model", value, lo, hi], expected=_RATINGS)
    if frame.height == 0:
        raise ValueError(f"{func}: ratings has no rows")
    colors = model_colors(frame.get_column("model").cast(pl.Utf8).to_list(), models, func)
    frame = (
        frame.with_columns(
            pl.col("model").cast(pl.Utf8),
            pl.col(value).cast(pl.Float64).alias("value"),
            pl.col(lo).cast(pl.Float64).fill_nan(None).alias("lo"),
            pl.col(hi).cast(pl.Float64).fill_nan(None).alias("hi"),
        )
        .sort(["value", "model"], descending=[True, False])
        .with_row_index("order")
        .with_columns(pl.col("order").cast(pl.Int64), pl.col("model").replace_strict(colors).alias("color"))
    )
    frame = frame.with_columns(
        pl.Series("interval", [interval_text(a, b, ".4g") for a, b in frame.select("lo", "hi").rows()])
    )
    return finish(_ratings_chart(present(frame, _RATING_COLUMNS), scale, centre), configure)


def _ratings_chart(frame: pl.DataFrame, scale: str, centre: float) -> alt.LayerChart:
    import altair as alt

    title = "Elo-scale rating" if scale == "elo" else "Bradley-Terry rating (log-strength)"
    tooltip = tooltip_columns(
        frame,
        [
            ("model", "N", "model"),
            ("value", "Q", scale),
            ("interval", "N", "interval"),
            ("n", "Q", "verdicts"),
            ("wins", "Q", "wins"),
            ("losses", "Q", "losses"),
            ("ties", "Q", "ties"),
        ],
    )
    y = alt.Y("model:N", title=None, sort=alt.EncodingSortField("order", op="min"))
    color = alt.Color("color:N", scale=None, legend=None)
    average = alt.Chart().mark_rule(color="#999999", strokeDash=[3, 3]).encode(x=alt.datum(centre))
    bars = (
        alt.Chart()
        .mark_rule(strokeWidth=2)
        .encode(
            x=alt.X("lo:Q", title=f"{title} with interval", scale=alt.Scale(zero=False)),
            x2="hi:Q",
            y=y,
            color=color,
            tooltip=tooltip,
        )
    )
    points = (
        alt.Chart()
        .mark_point(filled=True, size=70, opacity=1)
        .encode(x="value:Q", y=y, color=color, tooltip=tooltip)
    )
    chart = alt.layer(average, bars, points, data=inline(frame))
    return cast("alt.LayerChart", chart.properties(width=WIDTH, height=alt.Step(STEP)))
