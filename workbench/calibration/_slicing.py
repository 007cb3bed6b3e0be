"""Slices of aligned items by the cases' tags, and the input/output excerpts shown with disagreements."""

from __future__ import annotations

from typing import Any

import polars as pl

from workbench._table import as_table
from workbench.calibration._align import ITEM, KEY
from workbench.stats._slices import attach_slices

EXCERPT = 300
DEFAULT_PREFIX = "intent:"


def cases_table(cases: Any, func: str | None = None) -> pl.DataFrame | None:
    """The cases (a CaseSet or a cases table) as polars with a string ``case_id``, or None."""
    if cases is None:
        return None
    frame = as_table(cases, want="cases", param="cases", func=func, columns=["case_id"], expected="a CaseSet")
    return frame.with_columns(pl.col("case_id").cast(pl.Utf8))


def slice_membership(
    aligned: pl.DataFrame, cases: Any, slices: Any, func: str | None = None
) -> pl.DataFrame | None:
    """(``item``, ``slice``) rows: a tag prefix ("intent:") makes one slice per tag with it;
    tag expressions, a dict of them or a column name go through :mod:`workbench.stats` slicing.
    None slices by ``intent:`` when the cases have such tags, else no slices."""
    cframe = cases_table(cases, func)
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


def results_table(results: Any, func: str | None, columns: tuple[str, ...]) -> pl.DataFrame:
    """A Run or a results table as polars with string ``case_id`` and ``variant`` ("" when there
    is none) and integer ``sample`` (0 when there is none), checked for ``columns``."""
    frame = as_table(
        results, want="results", param="results", func=func, columns=columns, expected="a results table"
    )
    if "variant" not in frame.columns:
        frame = frame.with_columns(pl.lit("").alias("variant"))
    if "sample" not in frame.columns:
        frame = frame.with_columns(pl.lit(0).alias("sample"))
    return frame.with_columns(
        pl.col("case_id").cast(pl.Utf8),
        pl.col("model").cast(pl.Utf8),
        pl.col("variant").cast(pl.Utf8).fill_null(""),
        pl.col("sample").cast(pl.Int64).fill_null(0),
    )


def excerpts(aligned: pl.DataFrame, cases: Any, results: Any, func: str | None = None) -> pl.DataFrame:
    """Add ``input`` (from the cases) and ``output`` (from the results) excerpts when given."""
    out = aligned
    cframe = cases_table(cases, func)
    if cframe is not None and "input" in cframe.columns:
        inputs = cframe.select("case_id", _cut(pl.col("input").cast(pl.Utf8)).alias("input")).unique(
            "case_id"
        )
        out = out.join(inputs, on="case_id", how="left")
    if results is not None:
        frame = results_table(results, func, ("case_id", "model", "sample", "output"))
        outputs = frame.select(*KEY, _cut(pl.col("output")).alias("output")).unique(list(KEY), keep="first")
        out = out.join(outputs, on=list(KEY), how="left")
    return out
