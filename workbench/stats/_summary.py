"""``summarize``: one row per (metric, group[, slice]) with means, pass rates and their intervals."""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from workbench._table import as_table, cases_of
from workbench.stats._common import (
    as_tuple,
    check_confidence,
    clean_values,
    require_columns,
    select_metrics,
)
from workbench.stats._intervals import StatsWarning, mean_interval, wilson_arrays
from workbench.stats._slices import SLICE, Slices, attach_slices, join_nulls

SUMMARY_COLUMNS = (
    "n",
    "n_missing",
    "mean",
    "ci_lo",
    "ci_hi",
    "ci_method",
    "n_pass",
    "pass_rate",
    "pass_ci_lo",
    "pass_ci_hi",
    "note",
)


def summarize(
    scores: Any,
    *,
    by: str | Sequence[str] = ("model", "variant"),
    slices: Slices = None,
    cases: Any = None,
    metric: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    seed: int = 0,
    n_resamples: int = 2000,
) -> pl.DataFrame:
    """Summarise a scores table: one row per (metric, group[, slice]).

    Columns: ``metric``, the ``by`` columns, ``slice`` (when slicing), then

    * ``n``: scored rows (non-null ``value``); ``n_missing``: rows whose scorer could not score
      (null or NaN ``value``). Missing rows are reported, never counted as failures or zeros.
    * ``mean``, ``ci_lo``, ``ci_hi``, ``ci_method``: mean value and its interval, by percentile
      bootstrap (``n_resamples`` resamples). Values with at most 64 distinct levels (pass/fail, grades)
      are resampled as multinomial counts of the levels: exactly the ordinary bootstrap's distribution
      at a cost independent of n. Other groups with at least 1,000 scored rows use the normal
      approximation (mean +- z sd / sqrt(n)), which there differs from the bootstrap by about 1% of
      the interval width for skewness 2, and keeps a sliced million-row summary to seconds.
    * ``n_pass``, ``pass_rate``, ``pass_ci_lo``, ``pass_ci_hi``: for metrics with a ``passed``
      column, the share of rows with a non-null ``passed`` that passed, with a Wilson interval
      (null when the group has no pass/fail verdicts).
    * ``note``: why a number is missing or degenerate ("empty slice", "n=1: ...").

    With several rows per case in a group (repeated ``sample`` s), the rows are not independent:
    both intervals are then taken over cases (the bootstrap resamples whole cases, on the per-case
    mean value and per-case pass share), ``ci_method`` ends in ``"by case"`` and ``note`` says how
    many cases the rows come from. Treating the samples as independent draws would give intervals
    that are too narrow.

    Args:
        scores: a :class:`~workbench.metrics.Scores`, or a scores table (polars or pandas), see
            ``workbench._schema.SCORE_COLUMNS``.
        by: column(s) that define the groups.
        slices: None; a column name (of scores, or of the cases' metadata; a list column gives one
            slice per element); or a list of tag expressions (or a dict name -> expression)
            evaluated on ``cases``. A case may fall in several slices.
        cases: a CaseSet, or a frame with ``case_id`` and ``tags``/metadata columns (default: the
            cases a Scores knows).
        metric: metric name(s) to keep (default: all).
        confidence: two-sided confidence level of every interval.
        seed: seed of the bootstrap; each group draws from its own stream, so results do not depend
            on which other groups are present.
        n_resamples: bootstrap resamples per group.

    Returns:
        A polars DataFrame (call ``.to_pandas()`` for pandas). A slice with no rows for a group gets
        a row with n=0, null estimates and note "empty slice", and a StatsWarning is issued.

    Example:
        >>> import polars as pl
        >>> scores = pl.DataFrame({"case_id": ["a", "b", "c", "d"], "model": "m", "variant": "v",
        ...     "metric": "exact", "value": [1.0, 0.0, 1.0, None], "passed": [True, False, True, None]})
        >>> summarize(scores).select("n", "n_missing", "mean", "n_pass", "pass_rate").row(0)
        (3, 1, 0.6666666666666666, 2, 0.6666666666666666)
    """
    check_confidence(confidence)
    cases = cases_of(scores, cases=cases)
    frame = as_table(scores, want="scores", param="scores", func="summarize")
    by = tuple(c for c in as_tuple(by) if c != "metric")  # rows are always per metric
    require_columns(frame, ["metric", "value"], "scores", "scores")
    require_columns(frame, by, "by", "scores")
    frame = clean_values(select_metrics(frame, metric))
    if "passed" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Boolean).alias("passed"))
    group_keys = ["metric", *by]
    groups = frame.select(group_keys).unique()
    frame, slice_names = attach_slices(frame, slices, cases, "scores")
    keys = group_keys + ([SLICE] if slice_names is not None else [])

    agg = (
        frame.group_by(keys)
        .agg(
            pl.col("value").count().cast(pl.Int64).alias("n"),
            pl.col("value").null_count().cast(pl.Int64).alias("n_missing"),
            pl.col("value").mean().alias("mean"),
            pl.col("passed").sum().cast(pl.Int64).alias("n_pass"),
            pl.col("passed").count().cast(pl.Int64).alias("_n_judged"),
            pl.col("value").drop_nulls().alias("_values"),
        )
        .sort(keys, nulls_last=True)
    )
    agg = _attach_case_means(frame, agg, keys)
    agg = _add_intervals(agg, keys, confidence, seed, n_resamples)

    grid = groups.sort(group_keys, nulls_last=True).with_row_index("_order")
    if slice_names is not None:
        slice_frame = pl.DataFrame({SLICE: slice_names}, schema={SLICE: pl.Utf8}).with_row_index(
            "_slice_order"
        )
        grid = grid.join(slice_frame, how="cross")
    out = join_nulls(grid, agg, keys, how="left")
    out = out.sort(["_order", "_slice_order"] if slice_names is not None else ["_order"])
    out = out.with_columns(
        pl.col("n").fill_null(0),
        pl.col("n_missing").fill_null(0),
        pl.when(pl.col("n").is_null()).then(pl.lit("empty slice")).otherwise(pl.col("note")).alias("note"),
    )
    if slice_names is not None:
        empty = out.filter(pl.col("note") == "empty slice")
        if empty.height:
            labels = empty.select(
                pl.concat_str([pl.col(k).cast(pl.Utf8) for k in keys], separator="/", ignore_nulls=True)
            )
            shown = ", ".join(labels.to_series().head(5).to_list())
            more = "" if empty.height <= 5 else f" and {empty.height - 5} more"
            warnings.warn(
                f"summarize: {empty.height} empty slice(s) with no score rows: {shown}{more}",
                StatsWarning,
                stacklevel=2,
            )
    return out.select(*keys, *SUMMARY_COLUMNS)


def _add_intervals(
    agg: pl.DataFrame, keys: list[str], confidence: float, seed: int, n_resamples: int
) -> pl.DataFrame:
    """Add the mean CI (per group) and the Wilson pass-rate interval (vectorised) to ``agg``."""
    n = agg.get_column("n").to_numpy()
    values = agg.get_column("_values")
    lo = np.full(agg.height, np.nan)
    hi = np.full(agg.height, np.nan)
    methods: list[str | None] = [None] * agg.height
    notes: list[str | None] = [None] * agg.height
    n_missing = agg.get_column("n_missing").to_numpy()
    streams = group_streams(agg, keys)
    case_values = agg.get_column("_case_values") if "_case_values" in agg.columns else None
    case_pass = agg.get_column("_case_pass") if "_case_pass" in agg.columns else None
    for i in range(agg.height):
        if n[i] == 0:
            notes[i] = f"no scored values ({n_missing[i]} missing)"
            continue
        if n[i] == 1:
            notes[i] = "n=1: no interval can be formed"
            continue
        x = np.sort(values[i].to_numpy())
        rng = np.random.default_rng([seed, streams[i]])
        clustered = case_values is not None and case_values[i] is not None and len(case_values[i]) < n[i]
        if clustered:
            cx = np.sort(case_values[i].to_numpy())  # type: ignore[index]
            if cx.size < 2:
                notes[i] = f"{n[i]} rows from 1 case: no case-level interval can be formed"
                continue
            lo[i], hi[i], method = mean_interval(cx, n_resamples, confidence, rng)
            methods[i] = f"{method} by case"
            notes[i] = f"{n[i]} rows from {cx.size} cases: intervals resample cases"
        else:
            lo[i], hi[i], methods[i] = mean_interval(x, n_resamples, confidence, rng)
        if x[0] == x[-1]:
            notes[i] = "all values equal: the mean interval has zero width"

    n_judged = agg.get_column("_n_judged").to_numpy()
    n_pass = agg.get_column("n_pass").to_numpy()
    p_lo, p_hi = wilson_arrays(n_pass, n_judged, confidence)
    rate = np.where(n_judged > 0, n_pass / np.maximum(n_judged, 1), np.nan)
    if case_pass is not None:  # pass-rate intervals over cases where cases repeat
        for i in range(agg.height):
            shares = case_pass[i]
            if shares is None or len(shares) >= n_judged[i] or n_judged[i] == 0:
                continue
            px = np.sort(shares.to_numpy())
            if px.size < 2:
                p_lo[i] = p_hi[i] = np.nan
                continue
            rng = np.random.default_rng([seed, streams[i], 1])
            p_lo[i], p_hi[i], _ = mean_interval(px, n_resamples, confidence, rng)
    return agg.with_columns(
        pl.when(pl.col("_n_judged") > 0).then(pl.col("n_pass")).alias("n_pass"),
        pl.Series("ci_lo", lo).fill_nan(None),
        pl.Series("ci_hi", hi).fill_nan(None),
        pl.Series("ci_method", methods, dtype=pl.Utf8),
        pl.Series("pass_rate", rate).fill_nan(None),
        pl.Series("pass_ci_lo", p_lo).fill_nan(None),
        pl.Series("pass_ci_hi", p_hi).fill_nan(None),
        pl.Series("note", notes, dtype=pl.Utf8),
    ).drop("_values", "_n_judged", "_case_values", "_case_pass", strict=False)


def _attach_case_means(frame: pl.DataFrame, agg: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Per group, the per-case mean values and pass shares, when some case has several rows."""
    if "case_id" not in frame.columns or "case_id" in keys:
        return agg
    repeated = frame.filter(pl.col("value").is_not_null()).group_by([*keys, "case_id"]).len()
    if repeated.height == 0 or int(repeated.get_column("len").max()) <= 1:  # type: ignore[arg-type]
        return agg
    per_case = (
        frame.group_by([*keys, "case_id"])
        .agg(
            pl.col("value").mean().alias("_cv"),
            pl.col("passed").cast(pl.Float64).mean().alias("_cp"),
        )
        .group_by(keys)
        .agg(pl.col("_cv").drop_nulls().alias("_case_values"), pl.col("_cp").drop_nulls().alias("_case_pass"))
    )
    return join_nulls(agg, per_case, keys, how="left")


def group_streams(frame: pl.DataFrame, keys: list[str]) -> list[int]:
    """One integer per row from its key values: seed material that does not depend on other groups."""
    if not keys:
        return [0] * frame.height
    labels = frame.select(
        pl.concat_str([pl.col(k).cast(pl.Utf8).fill_null("\x00") for k in keys], separator="\x1f")
    ).to_series()
    return [zlib.crc32(label.encode()) for label in labels.to_list()]
