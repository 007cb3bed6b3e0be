"""Slices of aligned items by the cases' tags, and the input/output excerpts shown with disagreements."""

from __future__ import annotations

from typing import Any

import polars as pl

from workbench.calibrate._align import ITEM, KEY
from workbench.stats._common import as_polars
from workbench.stats._slices import attach_slices, cases_frame

EXCERPT = 300
DEFAULT_PREFIX = "intent:"


def slice_membership(aligned: pl.DataFrame, cases: Any, slices: Any) -> pl.DataFrame | None:
    """(``item``, ``slice``) rows: a tag prefix ("intent:") makes one slice per tag with it;
    tag expressions, a dict of them or a column name go through :mod:`workbench.stats` slicing.
    None slices by ``intent:`` when the cases have such tags, else no slices."""
    cframe = cases_frame(cases)
    if slices is None:
        if cframe is None or "tags" not in cframe.columns:
            return None
        has = cframe.select(
            pl.col("tags").list.eval(pl.element().str.starts_with(DEFAULT_PREFIX)).list.any().any()
        )
        if not has.item():
            return None
        slices = DEFAULT_PREFIX
    if isinstance(slices, str) and slices.endswith(":"):
        if cframe is None or "tags" not in cframe.columns:
            raise ValueError(f"slices={slices!r} (a tag prefix) needs cases= with tags")
        tags = cframe.select("case_id", pl.col("tags").alias("slice")).explode("slice")
        tags = tags.filter(pl.col("slice").str.starts_with(slices))
        if tags.height == 0:
            raise ValueError(f"slices={slices!r}: no case has a tag starting with {slices!r}")
        return aligned.select(ITEM, "case_id").join(tags, on="case_id", how="inner").select(ITEM, "slice")
    sliced, _ = attach_slices(aligned.select(ITEM, *KEY), slices, cframe, table="the aligned items")
    return sliced.select(ITEM, pl.col("slice").cast(pl.Utf8)).filter(pl.col("slice").is_not_null())


def _cut(text: pl.Expr) -> pl.Expr:
    return (
        pl.when(text.str.len_chars() > EXCERPT)
        .then(text.str.slice(0, EXCERPT - 1) + pl.lit("…"))
        .otherwise(text)
    )


def excerpts(aligned: pl.DataFrame, cases: Any, results: Any) -> pl.DataFrame:
    """Add ``input`` (from the cases) and ``output`` (from the results) excerpts when given."""
    out = aligned
    cframe = cases_frame(cases)
    if cframe is not None and "input" in cframe.columns:
        inputs = cframe.select("case_id", _cut(pl.col("input").cast(pl.Utf8)).alias("input")).unique(
            "case_id"
        )
        out = out.join(inputs, on="case_id", how="left")
    if results is not None:
        frame = getattr(results, "results", results)
        frame = as_polars(frame, "results")
        missing = [c for c in (*KEY, "output") if c not in frame.columns and c != "variant"]
        if missing:
            raise ValueError(f"results: column(s) {missing} missing; expected a results table")
        if "variant" not in frame.columns:
            frame = frame.with_columns(pl.lit("").alias("variant"))
        frame = frame.with_columns(
            pl.col("variant").cast(pl.Utf8).fill_null(""),
            pl.col("sample").cast(pl.Int64),
            pl.col("case_id").cast(pl.Utf8),
        )
        outputs = frame.select(*KEY, _cut(pl.col("output")).alias("output")).unique(list(KEY), keep="first")
        out = out.join(outputs, on=list(KEY), how="left")
    return out
