"""``operational_summary``: errors, timeouts, latency, cost and throughput per group of a results table."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from workbench._table import as_table, cases_of
from workbench.stats._common import as_tuple, check_confidence, join_notes, require_columns
from workbench.stats._intervals import StatsWarning, quantile_intervals, wilson_arrays
from workbench.stats._slices import SLICE, Slices, attach_slices, join_nulls
from workbench.stats._summary import group_streams

_LATENCY_QS = (0.5, 0.95, 0.99)
_TTFT_QS = (0.5, 0.95)


def operational_summary(
    results: Any,
    *,
    by: str | Sequence[str] = ("model", "variant"),
    slices: Slices = None,
    cases: Any = None,
    confidence: float = 0.95,
    seed: int = 0,
    n_resamples: int = 2000,
) -> pl.DataFrame:
    """Operational numbers of a results table, one row per group[, slice].

    Columns:

    * ``n`` (calls), ``n_cached``; ``n_errors``, ``error_rate`` (``error_type`` not null) and
      ``n_timeouts``, ``timeout_rate`` (``error_type`` containing "timeout", any case), each with a
      Wilson interval (``error_ci_lo``/``hi``, ``timeout_ci_lo``/``hi``).
    * ``latency_p50``/``p95``/``p99`` with ``_lo``/``_hi`` bounds, over successful calls with a
      latency; numpy's default (linear) percentile. Intervals are percentile-bootstrap intervals below
      1,000 calls and distribution-free order-statistic intervals from 1,000 calls.
    * ``ttft_p50``/``ttft_p95`` (with bounds), when a ``ttft_s`` column has values.
    * ``mean_cost_usd`` (over calls with a recorded cost), ``cost_per_1k_tokens`` (total cost / total
      tokens of the calls that record both, x 1000), ``total_tokens`` (``tokens``, or
      ``prompt_tokens + completion_tokens``).
    * ``throughput_rps``: calls per second over the wall span from the first ``started_at`` to the
      last ``started_at + latency_s``.
    * ``note``: why a number is missing ("no successful calls", "1 successful call: ...").

    Cached rows keep the latency, start time and cost of the original call, so latency, cost and
    throughput describe the calls as they were made, not the cache lookup.

    Args:
        results: a :class:`~workbench.runner.Run` (or a Scores of one), or a results table
            (polars or pandas), see ``workbench._schema.RESULT_COLUMNS``;
            ``error_type`` and ``latency_s`` are required, the other columns are used when present.
        by, slices, cases, confidence, seed, n_resamples: as in ``summarize``.

    Returns:
        A polars DataFrame.
    """
    check_confidence(confidence)
    cases = cases_of(results, cases=cases)
    frame = as_table(results, want="results", param="results", func="operational_summary")
    by = as_tuple(by)
    require_columns(frame, ["error_type", "latency_s"], "results", "results")
    require_columns(frame, by, "by", "results")
    frame = _with_optional(frame)
    if not by:  # one overall group: group on a constant column, dropped at the end
        frame, by = frame.with_columns(pl.lit(0).alias("_all")), ("_all",)
    group_frame = frame.select(list(by)).unique()
    frame, slice_names = attach_slices(frame, slices, cases, "results")
    keys = [*by] + ([SLICE] if slice_names is not None else [])

    ok = pl.col("error_type").is_null()
    lat = pl.col("latency_s").filter(ok & pl.col("latency_s").is_not_null())
    ttft = pl.col("ttft_s").filter(ok & pl.col("ttft_s").is_not_null())
    both = pl.col("cost_usd").is_not_null() & pl.col("_tokens").is_not_null()
    end = pl.col("started_at") + pl.duration(
        microseconds=(pl.col("latency_s").fill_null(0) * 1e6).cast(pl.Int64)
    )
    aggs = [
        pl.len().cast(pl.Int64).alias("n"),
        pl.col("cached").sum().cast(pl.Int64).alias("n_cached"),
        pl.col("error_type").is_not_null().sum().cast(pl.Int64).alias("n_errors"),
        pl.col("error_type")
        .str.to_lowercase()
        .str.contains("timeout")
        .sum()
        .cast(pl.Int64)
        .alias("n_timeouts"),
        *[lat.quantile(q, interpolation="linear").alias(f"latency_p{round(q * 100)}") for q in _LATENCY_QS],
        *[ttft.quantile(q, interpolation="linear").alias(f"ttft_p{round(q * 100)}") for q in _TTFT_QS],
        pl.col("cost_usd").mean().alias("mean_cost_usd"),
        pl.when(pl.col("_tokens").filter(both).sum() > 0)
        .then(pl.col("cost_usd").filter(both).sum() / pl.col("_tokens").filter(both).sum() * 1000)
        .alias("cost_per_1k_tokens"),
        pl.when(pl.col("_tokens").count() > 0)
        .then(pl.col("_tokens").sum())
        .cast(pl.Int64)
        .alias("total_tokens"),
        ((end.max() - pl.col("started_at").min()).dt.total_microseconds() / 1e6).alias("_span_s"),
        lat.sort().alias("_latency"),
        ttft.sort().alias("_ttft"),
    ]
    agg = frame.group_by(keys).agg(aggs).sort(keys, nulls_last=True)
    agg = _add_intervals(agg, keys, confidence, seed, n_resamples)

    grid = group_frame.sort(list(by), nulls_last=True).with_row_index("_order")
    order = ["_order"]
    if slice_names is not None:
        names = pl.DataFrame({SLICE: slice_names}, schema={SLICE: pl.Utf8}).with_row_index("_slice_order")
        grid, order = grid.join(names, how="cross"), ["_order", "_slice_order"]
    out = join_nulls(grid, agg, keys, how="left").sort(order)
    empty = out.filter(pl.col("n").is_null())
    out = out.with_columns(
        pl.col("n", "n_cached", "n_errors", "n_timeouts").fill_null(0),
        pl.when(pl.col("n").is_null()).then(pl.lit("empty slice")).otherwise(pl.col("note")).alias("note"),
    )
    if empty.height:
        warnings.warn(f"operational_summary: {empty.height} empty slice(s)", StatsWarning, stacklevel=2)
    return out.drop("_order", "_slice_order", "_all", strict=False)


def _with_optional(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the optional columns as typed nulls so that one aggregation fits every table."""
    extra: list[pl.Expr] = []
    if "ttft_s" not in frame.columns:
        extra.append(pl.lit(None, dtype=pl.Float64).alias("ttft_s"))
    if "cost_usd" not in frame.columns:
        extra.append(pl.lit(None, dtype=pl.Float64).alias("cost_usd"))
    if "cached" not in frame.columns:
        extra.append(pl.lit(False).alias("cached"))
    if "started_at" not in frame.columns:
        extra.append(pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("started_at"))
    if "tokens" in frame.columns:
        extra.append(pl.col("tokens").cast(pl.Float64).alias("_tokens"))
    elif "prompt_tokens" in frame.columns or "completion_tokens" in frame.columns:
        parts = [
            pl.col(c).cast(pl.Float64) for c in ("prompt_tokens", "completion_tokens") if c in frame.columns
        ]
        extra.append(
            pl.sum_horizontal(parts).alias("_tokens")
            if len(parts) == 1
            else (parts[0] + parts[1]).alias("_tokens")
        )
    else:
        extra.append(pl.lit(None, dtype=pl.Float64).alias("_tokens"))
    frame = frame.with_columns(extra)
    return frame.with_columns(pl.col("latency_s", "ttft_s", "cost_usd").cast(pl.Float64).fill_nan(None))


def _add_intervals(
    agg: pl.DataFrame, keys: list[str], confidence: float, seed: int, n_resamples: int
) -> pl.DataFrame:
    n = agg.get_column("n").to_numpy()
    err_lo, err_hi = wilson_arrays(agg.get_column("n_errors").to_numpy(), n, confidence)
    to_lo, to_hi = wilson_arrays(agg.get_column("n_timeouts").to_numpy(), n, confidence)
    streams = group_streams(agg, keys)
    columns: dict[str, list[float | None]] = {}
    notes: list[str | None] = []
    span = agg.get_column("_span_s").to_list()
    throughput: list[float | None] = []
    for i in range(agg.height):
        rng = np.random.default_rng([seed, streams[i]])
        latency = agg.get_column("_latency")[i].to_numpy()
        ttft_values = agg.get_column("_ttft")[i].to_numpy()
        lat_note = _percentile_cis(latency, "latency", _LATENCY_QS, columns, n_resamples, confidence, rng)
        ttft_note = _percentile_cis(ttft_values, "ttft", _TTFT_QS, columns, n_resamples, confidence, rng)
        if ttft_values.size == 0:
            ttft_note = None  # no streaming: the null ttft columns say it
        rate = n[i] / span[i] if span[i] else None
        throughput.append(rate)
        span_note = None if rate is not None else "no wall span: throughput needs started_at and latency_s"
        notes.append(join_notes(lat_note, ttft_note, span_note))
    out = agg.drop("_latency", "_ttft", "_span_s").with_columns(
        pl.Series(
            "error_rate", np.where(n > 0, agg.get_column("n_errors").to_numpy() / np.maximum(n, 1), np.nan)
        ).fill_nan(None),
        pl.Series("error_ci_lo", err_lo).fill_nan(None),
        pl.Series("error_ci_hi", err_hi).fill_nan(None),
        pl.Series(
            "timeout_rate",
            np.where(n > 0, agg.get_column("n_timeouts").to_numpy() / np.maximum(n, 1), np.nan),
        ).fill_nan(None),
        pl.Series("timeout_ci_lo", to_lo).fill_nan(None),
        pl.Series("timeout_ci_hi", to_hi).fill_nan(None),
        *[pl.Series(name, values, dtype=pl.Float64) for name, values in columns.items()],
        pl.Series("throughput_rps", throughput, dtype=pl.Float64),
        pl.Series("note", notes, dtype=pl.Utf8),
    )
    return out.select(*keys, *_OUTPUT_ORDER)


def _percentile_cis(
    x: np.ndarray,
    name: str,
    qs: tuple[float, ...],
    columns: dict[str, list[float | None]],
    n_resamples: int,
    confidence: float,
    rng: np.random.Generator,
) -> str | None:
    bounds: list[tuple[float | None, float | None]]
    note = None
    if x.size >= 2:
        found, _ = quantile_intervals(x, list(qs), n_resamples, confidence, rng)
        bounds = list(found)
    else:
        bounds = [(None, None)] * len(qs)
        note = (
            f"no successful calls with a {name}"
            if x.size == 0
            else f"1 successful call with a {name}: no {name} interval can be formed"
        )
    for q, (lo, hi) in zip(qs, bounds, strict=True):
        columns.setdefault(f"{name}_p{round(q * 100)}_lo", []).append(lo)
        columns.setdefault(f"{name}_p{round(q * 100)}_hi", []).append(hi)
    return note


_OUTPUT_ORDER = (
    "n",
    "n_cached",
    "n_errors",
    "error_rate",
    "error_ci_lo",
    "error_ci_hi",
    "n_timeouts",
    "timeout_rate",
    "timeout_ci_lo",
    "timeout_ci_hi",
    *[f"latency_p{round(q * 100)}{s}" for q in _LATENCY_QS for s in ("", "_lo", "_hi")],
    *[f"ttft_p{round(q * 100)}{s}" for q in _TTFT_QS for s in ("", "_lo", "_hi")],
    "mean_cost_usd",
    "cost_per_1k_tokens",
    "total_tokens",
    "throughput_rps",
    "note",
)
