"""The slice explorer's table (pure polars): one row per slice, one cell per model, by gap.

Also how a chosen slice becomes a case-browser filter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from workbench.cases import TagExpressionError, parse_tag_expr

#: Columns :func:`workbench.stats.summarize` adds after the group columns.
SUMMARY_STATS = (
    "n", "n_missing", "mean", "ci_lo", "ci_hi", "ci_method",
    "n_pass", "pass_rate", "pass_ci_lo", "pass_ci_hi", "note",
)  # fmt: skip

#: stat name -> (estimate, interval low, interval high) columns of a summary.
STATS = {"mean": ("mean", "ci_lo", "ci_hi"), "pass_rate": ("pass_rate", "pass_ci_lo", "pass_ci_hi")}

NULL_SLICE = "(null)"

_BARE_TAG = re.compile(r"[\w\-:./=]+")
_KEYWORDS = {"and", "or", "not"}


def is_summary(frame: pl.DataFrame) -> bool:
    """Whether ``frame`` is a sliced :func:`summarize` output rather than a scores table."""
    return {"metric", "slice", "n", "mean"} <= set(frame.columns) and "value" not in frame.columns


def group_columns(summary: pl.DataFrame) -> list[str]:
    """The ``by`` columns of a summary (model, variant...)."""
    return [c for c in summary.columns if c not in ("metric", "slice", *SUMMARY_STATS)]


def slice_label(name: Any) -> str:
    """How a slice is named in the table and in ``selected_slice``."""
    return NULL_SLICE if name is None else str(name)


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def slice_table(
    summary: pl.DataFrame, metric: str, stat: str = "mean"
) -> tuple[list[str], list[dict[str, Any]]]:
    """Model keys and rows ``{slice, label, gap, cells}`` for one metric, largest gap first.

    ``gap`` is the largest minus the smallest estimate across models in the slice (null with
    fewer than two estimates). Rows are sorted by gap (descending), then by the smallest estimate
    (ascending: with one model the weakest slices come first), then in summary order. Each cell
    is ``{key, est, lo, hi, n, n_missing, note}``.
    """
    if stat not in STATS:
        raise ValueError(f"stat must be one of {', '.join(STATS)}, got {stat!r}")
    if "slice" not in summary.columns:
        raise ValueError(
            "the summary has no 'slice' column: call summarize(..., slices=...) or pass scores and cases"
        )
    metrics = summary.get_column("metric").unique(maintain_order=True).to_list()
    if metric not in metrics:
        raise ValueError(f"metric {metric!r} is not in the summary; metrics: {', '.join(map(str, metrics))}")
    est, lo, hi = STATS[stat]
    by = group_columns(summary)
    frame = summary.filter(pl.col("metric") == metric)
    if by:
        key = pl.concat_str([pl.col(c).cast(pl.Utf8) for c in by], separator="/", ignore_nulls=True)
    else:
        key = pl.lit("all")
    frame = frame.with_columns(key.alias("_key"))
    keys = frame.get_column("_key").unique(maintain_order=True).to_list()
    rows: dict[str, dict[str, Any]] = {}
    for rec in frame.iter_rows(named=True):
        label = slice_label(rec["slice"])
        row = rows.setdefault(label, {"slice": rec["slice"], "label": label, "cells": {}})
        row["cells"][rec["_key"]] = {
            "key": rec["_key"],
            "est": _finite(rec.get(est)),
            "lo": _finite(rec.get(lo)),
            "hi": _finite(rec.get(hi)),
            "n": int(rec.get("n") or 0),
            "n_missing": int(rec.get("n_missing") or 0),
            "note": rec.get("note"),
        }
    out = []
    for order, row in enumerate(rows.values()):
        cells = [row["cells"].get(k) or _empty_cell(k) for k in keys]
        values = [c["est"] for c in cells if c["est"] is not None]
        gap = max(values) - min(values) if len(values) >= 2 else None
        out.append({"slice": row["slice"], "label": row["label"], "gap": gap, "cells": cells, "_order": order,
                    "_min": min(values) if values else None})  # fmt: skip
    out.sort(
        key=lambda r: (
            r["gap"] is None,
            -(r["gap"] or 0.0),
            r["_min"] is None,
            r["_min"] or 0.0,
            r["_order"],
        )
    )
    for r in out:
        del r["_order"], r["_min"]
    return keys, out


def _empty_cell(key: str) -> dict[str, Any]:
    return {"key": key, "est": None, "lo": None, "hi": None, "n": 0, "n_missing": 0, "note": "no rows"}


def quote_tag(name: str) -> str:
    """A tag expression selecting exactly the tag ``name`` (quoted when it is not a bare word).

    Example:
        >>> quote_tag("intent:billing"), quote_tag("needs review"), quote_tag("not")
        ('intent:billing', '"needs review"', '"not"')
    """
    if _BARE_TAG.fullmatch(name) and name.lower() not in _KEYWORDS:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def slice_filter(name: Any, slices: Any) -> dict[str, Any]:
    """The case-browser filter showing slice ``name``: ``{"tag_expr": ...}`` or ``{"metadata": {col: v}}``.

    Args:
        name: the slice as in the summary's ``slice`` column.
        slices: how the slices were made (the ``slices=`` of :func:`summarize`): ``"tags"`` (one
            slice per tag), another column name (one slice per value), a list of tag expressions
            (the slice is its expression), a dict name -> expression, or None when unknown (a bare
            tag or a valid expression is used as is, anything else as a quoted tag).

    Raises:
        ValueError: the slice cannot be shown by a browser filter (a polars-expression slice).
    """
    if slices is None:
        if name is None:
            raise ValueError("a null slice needs slices=<column name> to be shown in the browser")
        text = str(name)
        if _BARE_TAG.fullmatch(text):
            return {"tag_expr": quote_tag(text)}
        try:
            parse_tag_expr(text)
        except TagExpressionError:
            return {"tag_expr": quote_tag(text)}
        return {"tag_expr": text}
    if isinstance(slices, str):
        if slices == "tags":
            if name is None:
                return {"tag_expr": "not *"}  # cases without tags
            return {"tag_expr": quote_tag(str(name))}
        return {"metadata": {slices: name}}
    if isinstance(slices, Mapping):
        expr = slices.get(name)
        if not isinstance(expr, str):
            raise ValueError(f"slice {name!r} is not a tag expression; the browser cannot show it")
        return {"tag_expr": expr}
    if isinstance(slices, Sequence) and name in [s for s in slices if isinstance(s, str)]:
        return {"tag_expr": str(name)}
    raise ValueError(f"slice {name!r} is not a tag expression; the browser cannot show it")
