"""Stratified, frequency-weighted sampling with a floor per stratum, and its coverage report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from workbench._html import note, report, section, table
from workbench._table import as_table, require_columns

#: The named time buckets; any polars duration ("2w", "6h") works too.
TimeBucket = Literal["hour", "day", "week", "month", "quarter", "year"]
_BUCKETS = {"hour": "1h", "day": "1d", "week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}


@dataclass(frozen=True)
class Sample:
    """The result of :func:`sample_for_coverage`.

    Attributes:
        table: The sampled rows (all input columns, plus ``time_bucket`` if one was asked for).
        coverage: One row per stratum: the stratum columns, ``traffic_n`` (rows), ``traffic_weight``,
            ``traffic_share`` (weighted), ``floor`` (rows the floor asks for), ``sample_n``,
            ``sample_share`` and ``floor_met``.
        tv_distance: Total variation distance between the sample's and the traffic's stratum
            shares (0 = same distribution, 1 = disjoint).
        params: The sampling parameters (for provenance).
    """

    table: pl.DataFrame
    coverage: pl.DataFrame
    tv_distance: float
    params: dict[str, Any] = field(default_factory=dict, kw_only=True)

    def to_pandas(self) -> Any:
        """The sampled rows (:attr:`table`) as a pandas DataFrame."""
        return self.table.to_pandas()

    def summary(self) -> pl.DataFrame:
        """The coverage report: one row per stratum (see :attr:`coverage`)."""
        return self.coverage

    def _repr_html_(self) -> str:
        return report(
            "Sample",
            [
                note(
                    f"{self.table.height:,} rows over {self.coverage.height} strata; total variation "
                    f"distance {self.tv_distance:.3f}; params {self.params!r}"
                ),
                section("Coverage", table(self.coverage)),
            ],
        )


def sample_for_coverage(
    frame: Any,
    n: int,
    *,
    strata: str | list[str],
    floor: int = 5,
    weight: str | None = "count",
    time_bucket: TimeBucket | str | None = None,
    time_column: str = "timestamp",
    seed: int = 0,
) -> Sample:
    """Sample ``n`` rows so that every stratum is covered, then follow the traffic's frequencies.

    Every stratum first gets ``min(floor, its size)`` rows. The remaining ``n - sum(floors)`` rows
    are shared out in proportion to each stratum's traffic weight (largest remainders, capped at the
    stratum's size, the excess passed on). Within a stratum rows are drawn without replacement with
    probability proportional to their weight (Efraimidis-Spirakis keys), so frequent requests are
    likelier picks. Deterministic for a ``seed``.

    Args:
        frame: Rows to sample (typically :func:`dedupe`'s result or its :attr:`Deduped.table`);
            a polars DataFrame or LazyFrame, a pandas DataFrame or a result with a ``.table``.
        n: Sample size. If ``n`` is at least the number of rows, every row is returned.
        strata: Column(s) defining strata (an intent label, a tag, a cluster id...): required,
            as no column is one every log has. A list column (tags) is a stratum per distinct
            sorted tag combination. Nulls form their own stratum.
        floor: Minimum rows per stratum (all of a smaller stratum's rows).
        weight: Column of how many traffic rows each row stands for (``count`` from
            :func:`dedupe`), or None to weigh every row as 1.
        time_bucket: Add a time stratum: ``"hour"``, ``"day"``, ``"week"``, ``"month"``, ``"quarter"``,
            ``"year"`` or a polars duration (``"2w"``), truncating ``time_column``.
        time_column: The timestamp column used by ``time_bucket``.
        seed: Random seed.

    Raises:
        ValueError: If ``n`` is smaller than the floors need (the message says how many), a column
            is missing, or weights are not positive.

    Example:
        >>> df = pl.DataFrame({"input": list("abcdefghij"), "intent": ["x"] * 9 + ["rare"],
        ...                    "count": [10] * 9 + [1]})
        >>> s = sample_for_coverage(df, 4, strata="intent", floor=1)
        >>> s.coverage.select("intent", "sample_n", "floor_met").rows()
        [('rare', 1, True), ('x', 3, True)]
    """
    df = as_table(frame, param="frame", func="sample_for_coverage")
    cols = [strata] if isinstance(strata, str) else list(strata)
    if not cols:
        raise ValueError("sample_for_coverage(): strata must name at least one column")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"sample_for_coverage(): n must be a positive integer, got {n!r}")
    if not isinstance(floor, int) or floor < 0:
        raise ValueError(f"sample_for_coverage(): floor must be an integer >= 0, got {floor!r}")
    where = {"param": "frame", "func": "sample_for_coverage"}
    require_columns(df, cols, **where, expected="strata= to name columns of it")
    if weight:
        expected = "weight= to name its column of row weights (dedupe's 'count'), or weight=None"
        require_columns(df, [weight], **where, expected=expected)
    if time_bucket is not None:
        require_columns(df, [time_column], **where, expected="time_column= to name its timestamp column")
        if not df.schema[time_column].is_temporal():
            raise ValueError(
                f"sample_for_coverage(): time_column {time_column!r} must be a date/datetime, got {df.schema[time_column]}"
            )
        every = _BUCKETS.get(time_bucket, time_bucket)
        try:
            df = df.with_columns(pl.col(time_column).dt.truncate(every).alias("time_bucket"))
        except Exception as e:  # polars raises several error types for a bad duration
            raise ValueError(
                f"sample_for_coverage(): time_bucket {time_bucket!r} is not one of {list(_BUCKETS)} "
                f"or a polars duration such as '2w' ({e})"
            ) from None
        cols = [*cols, "time_bucket"]
    if weight is not None:
        w = df[weight]
        if not w.dtype.is_numeric():
            raise ValueError(
                f"sample_for_coverage(): weight column {weight!r} must be numeric, got {w.dtype}"
            )
        if w.null_count() or (w <= 0).any():
            raise ValueError(
                f"sample_for_coverage(): weight column {weight!r} has null or non-positive values"
            )
    work = df.with_row_index("__row").with_columns(
        (pl.col(weight).cast(pl.Float64) if weight else pl.lit(1.0)).alias("__w"),
        *[_stratum_key(df, c) for c in cols],
    )
    keys = [f"__s_{c}" for c in cols]
    sizes = (
        work.group_by(keys, maintain_order=True)
        .agg(
            *[pl.col(c).first() for c in cols],
            pl.len().cast(pl.Int64).alias("traffic_n"),
            pl.col("__w").sum().alias("traffic_weight"),
        )
        .sort(keys, nulls_last=True)
    )
    size = sizes["traffic_n"].to_numpy()
    wsum = sizes["traffic_weight"].to_numpy()
    floors = np.minimum(size, floor)
    if n < floors.sum():
        raise ValueError(
            f"sample_for_coverage(): n={n} is too small for a floor of {floor} in each of "
            f"{len(size)} strata; need n >= {int(floors.sum())} (or lower the floor)"
        )
    alloc = _allocate(n, floors, size, wsum)
    sizes = sizes.with_columns(pl.Series("__alloc", alloc, dtype=pl.Int64))

    rng = np.random.default_rng(seed)
    u = rng.random(work.height)
    work = work.with_columns(pl.Series("__key", -np.log(u)) / pl.col("__w"))
    picked = (
        work.join(sizes.select(*keys, "__alloc"), on=keys, nulls_equal=True)
        .filter(pl.col("__key").rank("ordinal").over(keys) <= pl.col("__alloc"))
        .sort("__row")
    )
    out = picked.drop("__row", "__w", "__key", "__alloc", *keys)
    total_w = float(wsum.sum())
    coverage = sizes.select(
        *cols,
        "traffic_n",
        "traffic_weight",
        (pl.col("traffic_weight") / total_w).alias("traffic_share"),
        pl.Series("floor", floors, dtype=pl.Int64),
        pl.col("__alloc").alias("sample_n"),
        (pl.col("__alloc") / max(int(alloc.sum()), 1)).alias("sample_share"),
        (pl.col("__alloc") >= pl.Series(floors)).alias("floor_met"),
    )
    tv = 0.5 * float((coverage["traffic_share"] - coverage["sample_share"]).abs().sum())
    params = {
        "n": n,
        "strata": cols,
        "floor": floor,
        "weight": weight,
        "time_bucket": time_bucket,
        "time_column": time_column if time_bucket else None,
        "seed": seed,
        "method": "floor+proportional",
    }
    return Sample(table=out, coverage=coverage, tv_distance=tv, params=params)


def _stratum_key(df: pl.DataFrame, col: str) -> pl.Expr:
    """A hashable key per stratum: list columns become their sorted, '|'-joined values."""
    if isinstance(df.schema[col], pl.List):
        return pl.col(col).list.sort().list.join("|").alias(f"__s_{col}")
    return pl.col(col).alias(f"__s_{col}")


def _allocate(n: int, floors: np.ndarray, size: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Floors first, then the rest by largest remainder of weight share, capped at stratum sizes."""
    alloc = floors.astype(np.int64).copy()
    rest = min(n, int(size.sum())) - int(alloc.sum())
    while rest > 0:
        room = size - alloc
        open_ = room > 0
        if not open_.any():
            break
        share = np.where(open_, weight, 0.0)
        quota = rest * share / share.sum()
        add = np.minimum(np.floor(quota).astype(np.int64), room)
        left = rest - int(add.sum())
        if left > 0:  # largest remainders, ties to the earlier stratum
            frac = np.where(open_ & (add < room), quota - np.floor(quota), -1.0)
            order = np.argsort(-frac, kind="stable")
            for i in order[:left]:
                if frac[i] < 0:
                    break
                add[i] += 1
        if add.sum() == 0:
            break
        alloc += add
        rest -= int(add.sum())
    return alloc
