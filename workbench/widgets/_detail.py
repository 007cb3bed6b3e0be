"""The detail view of one case: full texts, outputs side by side with diffs, every score."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from workbench.widgets._diff import word_diff
from workbench.widgets._filters import jsonable
from workbench.widgets._frame import Joined


def case_detail(joined: Joined, case_id: str) -> dict[str, Any]:
    """Everything about one case, ready to send to the front end as JSON.

    Keys: ``case_id``, ``input`` (``{"kind": "text", "text"}`` or ``{"kind": "chat", "turns":
    [{"role", "content"}]}``), ``context`` (passages), ``reference``, ``tags``, ``metadata``,
    ``diff_base`` (``"reference"``, a model/variant key, or None), ``outputs`` (one per result row,
    in model order then sample: ``key``, ``model``, ``variant``, ``sample``, ``output``,
    ``error_type``, ``error``, ``latency_s`` and ``diff``, the word-diff segments against the
    diff base, None for the base itself or a missing output) and ``scores`` (one per score row:
    ``metric``, ``key``, ``sample``, ``value``, ``passed``, ``label``, ``rationale``, ``error``).

    Raises:
        KeyError: no case has this id.
    """
    frame = joined.frame.filter(pl.col("case_id") == case_id)
    if frame.height == 0:
        raise KeyError(f"no case with id {case_id!r} in this browser ({joined.frame.height} cases)")
    row = frame.row(0, named=True)
    reference = row["reference"]
    outputs = _outputs(joined, case_id)
    base_text: str | None = None
    if reference:
        diff_base: str | None = "reference"
        base_text = reference
    else:
        base = next((o for o in outputs if o["output"] is not None), None)
        diff_base = None if base is None else base["key"]
        base_text = None if base is None else base["output"]
        if base is not None:
            base["is_base"] = True
    for out in outputs:
        is_base = out.pop("is_base", False)
        out["diff"] = (
            None
            if base_text is None or out["output"] is None or is_base
            else word_diff(base_text, out["output"])
        )
    return {
        "case_id": case_id,
        "input": _input(row),
        "context": list(row["context"] or []),
        "reference": reference,
        "tags": list(row["tags"] or []),
        "metadata": {m: jsonable(row[m]) for m in joined.metadata_columns},
        "diff_base": diff_base,
        "outputs": outputs,
        "scores": _scores(joined, case_id),
    }


def _input(row: dict[str, Any]) -> dict[str, Any]:
    if not row["is_chat"]:
        return {"kind": "text", "text": row["input"]}
    try:
        messages = json.loads(row["input"])
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"case {row['case_id']!r}: is_chat is true but input is not a JSON message list ({e})"
        ) from None
    turns = [{"role": str(m.get("role")), "content": str(m.get("content"))} for m in messages]
    return {"kind": "chat", "turns": turns}


def _key_order(joined: Joined) -> pl.Expr:
    order = {k: i for i, k in enumerate(joined.keys)}
    return pl.col("key").replace_strict(order, default=len(order), return_dtype=pl.Int64)


def _outputs(joined: Joined, case_id: str) -> list[dict[str, Any]]:
    if joined.results is None:
        return []
    rows = (
        joined.results.filter(pl.col("case_id") == case_id)
        .with_columns(_key_order(joined).alias("_order"))
        .sort("_order", "sample")
        .drop("_order", "case_id")
    )
    return [jsonable(r) for r in rows.iter_rows(named=True)]


def _scores(joined: Joined, case_id: str) -> list[dict[str, Any]]:
    if joined.scores is None:
        return []
    metric_order = {m: i for i, m in enumerate(joined.metrics)}
    rows = (
        joined.scores.filter(pl.col("case_id") == case_id)
        .with_columns(
            pl.col("metric")
            .replace_strict(metric_order, default=len(metric_order), return_dtype=pl.Int64)
            .alias("_m"),
            _key_order(joined).alias("_k"),
        )
        .sort("_m", "_k", "sample")
        .drop("_m", "_k", "case_id")
    )
    return [jsonable(r) for r in rows.iter_rows(named=True)]
