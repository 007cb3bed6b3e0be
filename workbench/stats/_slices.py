"""Slices: subsets of cases by tag expression or by a metadata column, attached to a long table."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from workbench._table import as_table
from workbench.stats._intervals import StatsWarning

SLICE = "slice"

#: What ``slices=`` accepts: a column name, a list of tag expressions (str or polars Expr over the cases
#: frame), or a mapping of slice name -> tag expression.
Slices = str | Sequence[str | pl.Expr] | Mapping[str, str | pl.Expr] | None

_PLAIN_TAG = re.compile(r"[\w\-.:/]+")


def cases_frame(cases: Any) -> pl.DataFrame | None:
    """A CaseSet (anything with ``to_polars()``), a polars/pandas frame, or None -> polars frame."""
    if cases is None:
        return None
    frame = as_table(cases, want="cases", param="cases")
    if "case_id" not in frame.columns:
        raise ValueError(f"cases has no 'case_id' column; columns: {', '.join(frame.columns)}")
    return frame.with_columns(pl.col("case_id").cast(pl.Utf8))


def tag_filter(expr: str | pl.Expr) -> pl.Expr:
    """Compile a tag expression into a boolean polars expression over the cases' ``tags`` column."""
    if isinstance(expr, pl.Expr):
        return expr
    if not isinstance(expr, str):
        raise TypeError(
            f"a slice must be a tag expression string or a polars Expr, got {type(expr).__name__}"
        )
    try:
        from workbench.cases import parse_tag_expr
    except ImportError as err:
        if _PLAIN_TAG.fullmatch(expr.strip()):
            return pl.col("tags").list.contains(expr.strip())
        raise ImportError(
            f"slice {expr!r}: tag expressions with operators need workbench.cases.parse_tag_expr ({err})"
        ) from err
    return parse_tag_expr(expr).to_polars("tags")


def _named_exprs(slices: Sequence[str | pl.Expr] | Mapping[str, str | pl.Expr]) -> list[tuple[str, Any]]:
    if isinstance(slices, Mapping):
        return [(str(name), expr) for name, expr in slices.items()]
    out = []
    for expr in slices:
        name = (
            expr if isinstance(expr, str) else str(expr.meta.output_name(raise_if_undetermined=False) or expr)
        )
        out.append((name, expr))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise ValueError(f"slices has duplicate names {names}; pass a dict of name -> expression")
    return out


def attach_slices(
    frame: pl.DataFrame, slices: Slices, cases: Any, table: str = "scores"
) -> tuple[pl.DataFrame, list[str | None] | None]:
    """Add a ``slice`` column to ``frame`` (rows repeat when a case is in several slices).

    Returns the sliced frame and every slice name, including slices no row of ``frame`` falls in,
    so that callers can report empty slices. With ``slices=None`` the frame is returned unchanged
    and the names are None.
    """
    if slices is None:
        return frame, None
    if SLICE in frame.columns:
        raise ValueError(f"{table} already has a column named {SLICE!r}; rename it before slicing")
    if "case_id" not in frame.columns:
        raise ValueError(f"slicing needs a 'case_id' column in {table}; columns: {', '.join(frame.columns)}")
    frame = frame.with_columns(pl.col("case_id").cast(pl.Utf8))
    cframe = cases_frame(cases)
    if isinstance(slices, str):
        return _by_column(frame, slices, cframe, table)
    if cframe is None:
        raise ValueError(
            "slices given as tag expressions need cases= (a CaseSet or a frame with case_id, tags)"
        )
    named = _named_exprs(slices)
    if any(isinstance(e, str) for _, e in named) and "tags" not in cframe.columns:
        raise ValueError(
            f"cases has no 'tags' column for tag expressions; columns: {', '.join(cframe.columns)}"
        )
    parts = [
        cframe.filter(tag_filter(expr)).select("case_id", pl.lit(name, dtype=pl.Utf8).alias(SLICE))
        for name, expr in named
    ]
    membership = pl.concat(parts).unique(maintain_order=True)
    _warn_unknown_cases(frame, cframe, table)
    return frame.join(membership, on="case_id", how="inner"), [n for n, _ in named]


def _by_column(
    frame: pl.DataFrame, column: str, cframe: pl.DataFrame | None, table: str
) -> tuple[pl.DataFrame, list[str | None]]:
    if column in frame.columns:
        source, membership = frame, None
    elif cframe is not None and column in cframe.columns:
        source, membership = cframe, cframe.select("case_id", pl.col(column).alias(SLICE))
    else:
        where = f"{table}" + ("" if cframe is None else " or cases")
        available = list(frame.columns) + ([] if cframe is None else list(cframe.columns))
        raise ValueError(
            f"slices: column {column!r} is not in {where}; available columns: {', '.join(available)}. "
            "To slice by tag expressions pass a list, e.g. slices=['billing']"
        )
    is_list = isinstance(source.schema[column], pl.List)
    if membership is None:
        out = frame.with_columns(pl.col(column).alias(SLICE))
        out = out.explode(SLICE) if is_list else out
    else:
        assert cframe is not None  # the membership came from it
        membership = membership.explode(SLICE) if is_list else membership
        _warn_unknown_cases(frame, cframe, table)
        out = frame.join(membership, on="case_id", how="inner")
    values = source.get_column(column)
    if is_list:
        values = values.explode()
    out = out.with_columns(pl.col(SLICE).cast(pl.Utf8))
    names = values.cast(pl.Utf8).unique().sort(nulls_last=True).to_list()
    return out, names


def _warn_unknown_cases(frame: pl.DataFrame, cframe: pl.DataFrame, table: str) -> None:
    unknown = frame.select("case_id").unique().join(cframe.select("case_id"), on="case_id", how="anti")
    if unknown.height:
        examples = ", ".join(repr(c) for c in unknown.get_column("case_id").head(3).to_list())
        warnings.warn(
            f"{unknown.height} case_id(s) of {table} are not in cases (e.g. {examples}); "
            "their rows are in no slice",
            StatsWarning,
            stacklevel=3,
        )


def join_nulls(left: pl.DataFrame, right: pl.DataFrame, on: list[str], how: str) -> pl.DataFrame:
    """Join treating null keys as equal (a group with a null variant is still a group)."""
    if not on:
        return left.join(right, how="cross")
    try:
        return left.join(right, on=on, how=how, nulls_equal=True)  # type: ignore[arg-type,call-arg]
    except TypeError:  # polars < 1.24 spells it join_nulls
        return left.join(right, on=on, how=how, join_nulls=True)  # type: ignore[arg-type,call-arg]
