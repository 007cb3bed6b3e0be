"""Input handling shared by the statistics functions: frames, columns, metrics, notes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from workbench._table import require_columns as shared_require_columns

#: Groups at or above this size use a closed form instead of resampling: the normal interval for a
#: mean (and the sign-flip test), order statistics for a percentile. For a mean each end of the
#: percentile bootstrap interval then sits about skew * (z^2 - 1) / (12 z sqrt(n)) of the interval
#: width from the normal one: under 1% for skewness 2 (exponential data; measured 1-2% including
#: resampling noise). Resampling a 2,000 x n matrix for every group of a sliced million-row table
#: is what would otherwise make a summary take tens of seconds.
NORMAL_APPROX_MIN_N = 1000


def as_tuple(by: str | Sequence[str] | None) -> tuple[str, ...]:
    """Normalise a ``by`` argument: a column name, a sequence of names or None."""
    if by is None:
        return ()
    if isinstance(by, str):
        return (by,)
    return tuple(by)


def require_columns(frame: pl.DataFrame, columns: Iterable[str], param: str, table: str) -> None:
    """:func:`workbench._table.require_columns` for a parameter (``by``...) naming columns of ``table``."""
    shared_require_columns(frame, columns, param=table, named_by=None if param == table else param)


def select_metrics(scores: pl.DataFrame, metric: str | Sequence[str] | None) -> pl.DataFrame:
    """Keep the rows of the requested metric(s); an unknown name raises listing the available ones."""
    require_columns(scores, ["metric"], "scores", "scores")
    if metric is None:
        return scores
    wanted = [metric] if isinstance(metric, str) else list(metric)
    available = sorted(scores.get_column("metric").unique().drop_nulls().to_list())
    for name in wanted:
        if name not in available:
            raise ValueError(
                f"metric {name!r} is not in scores; available metrics: {', '.join(available) or '(none)'}"
            )
    return scores.filter(pl.col("metric").is_in(wanted))


def one_metric(scores: pl.DataFrame, metric: str | None, param: str = "scores") -> str:
    """The one metric to use: ``metric`` if ``scores`` has it, else the only metric there is.

    Raises a ValueError naming the choices when ``metric`` is unknown, or None with several metrics.
    """
    if "metric" not in scores.columns:
        raise ValueError(
            f"{param}: column 'metric' is missing; expected a score table (columns: {', '.join(scores.columns)})"
        )
    names = scores.get_column("metric").unique(maintain_order=True).drop_nulls().to_list()
    if metric is None:
        if len(names) == 1:
            return str(names[0])
        raise ValueError(
            f"{param} has {len(names)} metrics; pass metric= one of: {', '.join(names) or '(none)'}"
        )
    if metric not in names:
        raise ValueError(f"metric {metric!r} is not in {param}; available metrics: {', '.join(names)}")
    return metric


def clean_values(frame: pl.DataFrame, column: str = "value") -> pl.DataFrame:
    """Make NaN a null so that "could not score" is never averaged in as a number."""
    dtype = frame.schema[column]
    if dtype.is_float():
        return frame.with_columns(pl.col(column).fill_nan(None))
    if dtype.is_numeric() or dtype == pl.Boolean or dtype == pl.Null:
        return frame.with_columns(pl.col(column).cast(pl.Float64))
    raise ValueError(f"column {column!r} must be numeric, got {dtype}")


def join_notes(*notes: str | None) -> str | None:
    """Join the non-empty notes with '; ' (None when there are none)."""
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")


def group_label(selector: Any) -> str:
    """Display a group selector: a plain value, or a dict of column -> value as 'col=value, ...'."""
    if isinstance(selector, dict):
        return ", ".join(f"{k}={v}" for k, v in selector.items())
    return str(selector)
